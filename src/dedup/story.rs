//! Whether two entries from different outlets tell the same story in other words ("Kim Jong Un
//! arrives in Russia for Putin summit" / "North Korea's Kim reaches Vladivostok by armoured
//! train"). Pure: a [`Fingerprint`] of each entry's headline and lede, and [`same_story`].
//!
//! The fingerprint keeps what distinguishes one event from another:
//! - **words**: the normalised words of the title and the first [`LEDE_WORDS`] words of the
//!   text, without function words ([`STOP_WORDS`]) and one- or two-letter words, plurals folded
//!   crudely (`missiles` → `missile`);
//! - **names**: words written with a capital letter that do not open a sentence (people,
//!   places, agencies);
//! - **days**: the weekdays the copy names ("on Friday"), and **numbers** (`1,500`, `11.4`).
//!
//! Two fingerprints are the same story when, within [`WINDOW_HOURS`] of each other, their word
//! sets overlap by at least [`MIN_WORDS`] (Jaccard), or by [`MIN_WORDS_WITH_EVENT`] when both
//! say the same weekday or the words that are not names overlap by [`MIN_EVENT`] (within a topic
//! every story names the same people and places, so names alone prove little); and nothing vetoes it: two
//! different weekdays, numbers with none in common, or headlines that each name someone the
//! other entry never mentions ("Putin meets Kim" / "Putin meets Xi"). Precision comes first: a story shown twice is a nuisance, two
//! stories merged into one hide news. Thresholds were set on `tests/fixtures/stories.tsv`.

use crate::text;

/// Stories further apart than this are never merged by wording (the same link still is).
pub const WINDOW_HOURS: i64 = 72;
/// Words of the text read after the title: the lede, where wire copy says what happened.
pub const LEDE_WORDS: usize = 40;
/// Word overlap (Jaccard) that alone makes two entries one story.
pub const MIN_WORDS: f64 = 0.45;
/// Word overlap that makes them one story when both name the same weekday, or when the words
/// that are not names (what happened, rather than who and where) overlap by [`MIN_EVENT`].
pub const MIN_WORDS_WITH_EVENT: f64 = 0.3;
pub const MIN_EVENT: f64 = 0.4;

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

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// What [`same_story`] compares of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hashes of the distinctive words, sorted, distinct.
    pub words: Vec<u32>,
    /// Hashes of the names, sorted, distinct.
    pub names: Vec<u32>,
    /// Hashes of the names in the title (demonyms folded: `korean` → `korea`), sorted, distinct.
    pub title_names: Vec<u32>,
    /// Hashes of every word of title and lede, also demonyms folded, sorted, distinct: what the
    /// entry mentions at all.
    pub mentions: Vec<u32>,
    /// Weekdays named (bit 0 = Monday).
    pub days: u8,
    /// Hashes of the numbers, sorted, distinct.
    pub numbers: Vec<u32>,
}

impl Fingerprint {
    /// [`jaccard`] of the two entries' words that are not names, without collecting them.
    pub fn event_jaccard(&self, o: &Fingerprint) -> f64 {
        let a = self
            .words
            .iter()
            .filter(|w| self.names.binary_search(w).is_err());
        let b = o.words.iter().filter(|w| o.names.binary_search(w).is_err());
        let (mut a, mut b) = (a.peekable(), b.peekable());
        let (mut common, mut union) = (0usize, 0usize);
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => {
                    union += 1;
                    match x.cmp(y) {
                        std::cmp::Ordering::Less => drop(a.next()),
                        std::cmp::Ordering::Greater => drop(b.next()),
                        std::cmp::Ordering::Equal => {
                            common += 1;
                            a.next();
                            b.next();
                        }
                    }
                }
                (Some(_), None) => {
                    union += 1;
                    a.next();
                }
                (None, Some(_)) => {
                    union += 1;
                    b.next();
                }
                (None, None) => break,
            }
        }
        if union == 0 {
            0.0
        } else {
            common as f64 / union as f64
        }
    }

    /// The words that are not names.
    pub fn event_words(&self) -> Vec<u32> {
        self.words
            .iter()
            .copied()
            .filter(|w| self.names.binary_search(w).is_err())
            .collect()
    }

    /// Compact bytes for the store: days, three lengths, then the hashes (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.days];
        let lists = [
            &self.words,
            &self.names,
            &self.numbers,
            &self.title_names,
            &self.mentions,
        ];
        for list in lists {
            out.extend_from_slice(&(list.len().min(u16::MAX as usize) as u16).to_le_bytes());
        }
        for list in lists {
            for h in list.iter().take(u16::MAX as usize) {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        out
    }

    /// The fingerprint [`Fingerprint::to_bytes`] wrote; `None` for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Fingerprint> {
        let mut fp = Fingerprint::default();
        fp.read(b).then_some(fp)
    }

    /// Makes this the fingerprint [`Fingerprint::to_bytes`] wrote, reusing its lists' memory
    /// (comparing a new entry with hundreds of stored ones allocates nothing); false, leaving
    /// it empty, for anything else.
    pub fn read(&mut self, b: &[u8]) -> bool {
        self.clear();
        let len = |i: usize| -> Option<usize> {
            Some(u16::from_le_bytes(b.get(1 + 2 * i..3 + 2 * i)?.try_into().ok()?) as usize)
        };
        let (Some(&days), Some(nw), Some(nn), Some(nx), Some(nt), Some(nm), Some(mut rest)) = (
            b.first(),
            len(0),
            len(1),
            len(2),
            len(3),
            len(4),
            b.get(11..),
        ) else {
            return false;
        };
        if rest.len() != 4 * (nw + nn + nx + nt + nm) {
            return false;
        }
        self.days = days;
        for (list, n) in [
            (&mut self.words, nw),
            (&mut self.names, nn),
            (&mut self.numbers, nx),
            (&mut self.title_names, nt),
            (&mut self.mentions, nm),
        ] {
            let (head, tail) = rest.split_at(4 * n);
            rest = tail;
            list.extend(
                head.chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))),
            );
        }
        true
    }

    fn clear(&mut self) {
        self.days = 0;
        for list in [
            &mut self.words,
            &mut self.names,
            &mut self.numbers,
            &mut self.title_names,
            &mut self.mentions,
        ] {
            list.clear();
        }
    }
}

/// FNV-1a: short, stable across builds and platforms (fingerprints may be stored).
fn hash(word: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in word.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn fold_plural(w: &str) -> &str {
    if w.len() > 4 && w.is_ascii() && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

/// The place a demonym names, crudely: `korean` → `korea`, `russian` → `russia`.
fn demonym(w: &str) -> &str {
    if w.len() > 4 && (w.ends_with("ean") || w.ends_with("ian")) {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The fingerprint of an entry: its title and the lede of its text (plain text).
pub fn fingerprint(title: &str, text_body: &str) -> Fingerprint {
    let mut lede_end = text_body.len();
    let mut n = 0;
    text::for_each_word(text_body, |start, _| {
        if n == LEDE_WORDS {
            lede_end = start;
            return false;
        }
        n += 1;
        true
    });
    let parts = [title, &text_body[..lede_end]];
    let mut f = Fingerprint::default();
    let (mut words, mut names, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
    for (k, part) in parts.into_iter().enumerate() {
        // Names: capitalised words that do not open the part or a sentence.
        // An initial ("N. Korea", "S. Korea") does not end a sentence.
        let mut sentence_start = true;
        let mut prev = (0, 0);
        for (s, e) in text::word_spans(part) {
            let gap = &part[prev.1..s];
            let initial = part[prev.0..prev.1].chars().count() == 1;
            if gap.contains(['.', '!', '?', ':']) && !initial {
                sentence_start = true;
            }
            let word = &part[s..e];
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            let lower = text::normalize(word);
            if capital
                && !sentence_start
                && lower.chars().count() > 1
                && !WEEKDAYS.contains(&lower.as_str())
            {
                names.push(hash(&lower));
                if k == 0 {
                    f.title_names.push(hash(demonym(&lower)));
                }
            }
            sentence_start = false;
            prev = (s, e);
        }
        for w in text::words(part) {
            f.mentions.push(hash(&w));
            f.mentions.push(hash(demonym(&w)));
            if let Some(d) = WEEKDAYS.iter().position(|d| *d == w) {
                f.days |= 1 << d;
            } else if w.bytes().all(|b| b.is_ascii_digit()) {
                numbers.push(hash(&w));
            } else if w.chars().count() > 2 && !STOP_WORDS.contains(&w.as_str()) {
                words.push(hash(fold_plural(&w)));
            }
        }
    }
    f.title_names = sorted(std::mem::take(&mut f.title_names));
    f.mentions = sorted(std::mem::take(&mut f.mentions));
    f.words = sorted(words);
    f.names = sorted(names);
    f.numbers = sorted(numbers);
    f
}

/// |a ∩ b| / |a ∪ b| of two sorted, distinct lists (0 when both are empty).
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let common = common(a, b);
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// |a ∩ b| of two sorted, distinct lists.
fn common(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// Whether two entries, published `hours_apart`, are the same story told in other words.
pub fn same_story(a: &Fingerprint, b: &Fingerprint, hours_apart: i64) -> bool {
    if hours_apart.abs() > WINDOW_HOURS {
        return false;
    }
    // "On Wednesday" and "on Friday" are two events, however alike the words.
    if a.days != 0 && b.days != 0 && a.days & b.days == 0 {
        return false;
    }
    // So are "1,500 troops" and "10,000 more troops".
    if !a.numbers.is_empty() && !b.numbers.is_empty() && jaccard(&a.numbers, &b.numbers) == 0.0 {
        return false;
    }
    // "Putin meets Kim" and "Putin meets Xi": each headline names someone the other entry
    // never mentions.
    let unknown = |x: &Fingerprint, y: &Fingerprint| {
        x.title_names
            .iter()
            .any(|n| y.mentions.binary_search(n).is_err())
    };
    if unknown(a, b) && unknown(b, a) {
        return false;
    }
    // Within a topic every story names the same people and places: what happened is in the
    // other words.
    let words = jaccard(&a.words, &b.words);
    words >= MIN_WORDS
        || (words >= MIN_WORDS_WITH_EVENT
            && (a.days & b.days != 0 || a.event_jaccard(b) >= MIN_EVENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reworded_headlines_of_one_event_are_one_story() {
        let a = fingerprint(
            "Kim Jong Un arrives in Russia for Putin summit",
            "North Korean leader Kim Jong Un arrived in Russia's Far East on Tuesday by armoured train ahead of a summit with President Vladimir Putin, Russian state media reported.",
        );
        let b = fingerprint(
            "North Korea's Kim reaches Vladivostok by armoured train",
            "Kim Jong Un's armoured train crossed into Russia and arrived in Vladivostok on Tuesday ahead of his summit with President Vladimir Putin, Russian state media reported.",
        );
        assert!(same_story(&a, &b, 1));
        assert!(!same_story(&a, &b, 100), "outside the window");
    }

    #[test]
    fn look_alikes_stay_apart() {
        let ballistic = fingerprint(
            "N. Korea fires ballistic missiles into East Sea: JCS",
            "North Korea fired several short-range ballistic missiles toward the East Sea on Wednesday morning, South Korea's Joint Chiefs of Staff said.",
        );
        let cruise = fingerprint(
            "N. Korea fires cruise missiles into Yellow Sea: JCS",
            "North Korea fired several cruise missiles toward the Yellow Sea on Friday, South Korea's Joint Chiefs of Staff said.",
        );
        assert_eq!(ballistic.days, 1 << 2);
        assert!(!same_story(&ballistic, &cruise, 48), "different days");
        let kim = fingerprint(
            "Putin meets Kim in Pyongyang",
            "Vladimir Putin held talks with Kim Jong Un in Pyongyang.",
        );
        let xi = fingerprint(
            "Putin meets Xi in Beijing",
            "Vladimir Putin held talks with Xi Jinping in Beijing.",
        );
        assert!(!same_story(&kim, &xi, 0));
        let few = fingerprint(
            "N. Korea sent 1,500 special forces to Russia",
            "North Korea has sent 1,500 special forces troops to Russia, the spy agency said.",
        );
        let more = fingerprint(
            "N. Korea to send 10,000 more troops to Russia",
            "North Korea plans to send 10,000 more troops to Russia, the spy agency said.",
        );
        assert!(!same_story(&few, &more, 24), "different numbers");
    }

    #[test]
    fn event_jaccard_is_the_jaccard_of_event_words() {
        let a = fingerprint(
            "Kim meets Shoigu in Pyongyang",
            "Talks on arms and troops with Russia on Friday.",
        );
        let b = fingerprint(
            "Shoigu arrives in Pyongyang",
            "Talks with Kim on arms, ammunition and Russia.",
        );
        let want = jaccard(&a.event_words(), &b.event_words());
        assert!(want > 0.0);
        assert_eq!(a.event_jaccard(&b), want);
        assert_eq!(a.event_jaccard(&a), 1.0);
    }

    #[test]
    fn fingerprints_round_trip_through_bytes() {
        let f = fingerprint(
            "Seoul says 1,500 troops sent",
            "South Korea's spy agency said on Friday that Pyongyang sent 1,500 troops.",
        );
        assert!(!f.words.is_empty() && !f.names.is_empty() && !f.numbers.is_empty());
        assert!(!f.mentions.is_empty() && f.days != 0);
        assert_eq!(Fingerprint::from_bytes(&f.to_bytes()), Some(f));
        assert_eq!(Fingerprint::from_bytes(&[1, 2]), None);
        assert_eq!(
            Fingerprint::from_bytes(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
            None
        );
    }

    #[test]
    fn names_are_capitalised_words_inside_sentences() {
        let f = fingerprint(
            "Kim receives Shoigu",
            "On Friday Shoigu met Kim. Talks went well.",
        );
        // Kim (title start) and On/Talks (sentence starts) are not names; Shoigu and Kim are.
        assert_eq!(f.names, sorted(vec![hash("shoigu"), hash("kim")]));
        assert_eq!(f.days, 1 << 4);
    }
}
