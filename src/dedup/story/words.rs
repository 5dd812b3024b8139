//! The word lists the fingerprint uses.

/// Words that say nothing about which event a story is (English function words and the verbs of
/// attribution every wire story has).
pub const STOP_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "from",
    "into",
    "onto",
    "over",
    "under",
    "after",
    "before",
    "about",
    "above",
    "below",
    "between",
    "during",
    "against",
    "amid",
    "its",
    "his",
    "her",
    "their",
    "our",
    "your",
    "this",
    "that",
    "these",
    "those",
    "was",
    "were",
    "are",
    "been",
    "being",
    "has",
    "have",
    "had",
    "will",
    "would",
    "could",
    "should",
    "can",
    "may",
    "might",
    "not",
    "but",
    "also",
    "than",
    "then",
    "who",
    "whom",
    "which",
    "what",
    "when",
    "where",
    "while",
    "said",
    "says",
    "say",
    "told",
    "according",
    "reported",
    "reports",
    "report",
    "news",
    "agency",
    "via",
    "year",
    "years",
    "earlier",
    "later",
    "early",
    "late",
    "today",
    "yesterday",
    "tomorrow",
    "week",
    "month",
    "morning",
    "evening",
    "night",
    "new",
    "more",
    "most",
    "some",
    "several",
    "other",
    "all",
    "any",
    "one",
    "two",
    "first",
    "last",
    "pct",
    "percent",
    "per",
    "cent",
];

pub(super) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The Russian forms of each weekday that copy writes ("во вторник", "в пятницу", "до среды"),
/// Monday first.
const WEEKDAYS_RU: [&[&str]; 7] = [
    &["понедельник", "понедельника"],
    &["вторник", "вторника"],
    &["среда", "среду", "среды"],
    &["четверг", "четверга"],
    &["пятница", "пятницу", "пятницы"],
    &["суббота", "субботу", "субботы"],
    &["воскресенье", "воскресенья"],
];

/// The Korean weekdays, Monday first; copy adds particles ("화요일에").
const WEEKDAYS_KO: [&str; 7] = [
    "월요일",
    "화요일",
    "수요일",
    "목요일",
    "금요일",
    "토요일",
    "일요일",
];

/// The weekday (0 = Monday) a normalised word names, in English, Russian or Korean: the
/// weekday veto then holds across languages.
pub(super) fn weekday(w: &str) -> Option<usize> {
    if w.is_ascii() {
        return WEEKDAYS.iter().position(|d| *d == w);
    }
    WEEKDAYS_RU
        .iter()
        .position(|forms| forms.contains(&w))
        .or_else(|| WEEKDAYS_KO.iter().position(|d| w.starts_with(d)))
}
