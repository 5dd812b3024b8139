//! Entries in another language: "Ким Чен Ын прибыл во Владивосток" and "North Korea's Kim
//! reaches Vladivostok by armoured train" share no word the fingerprint can compare, but the
//! configured aliases say that `ким чен ын` and `kim jong un` name one side, `росси*` and
//! `russia` the other. An entry whose headline is in another script than a story's joins it
//! when it names the same alias sets as one of the story's entries, within [`GAP_HOURS`] of
//! it, names a weekday or a number the story names and none the story contradicts, and when
//! that story is the only one it could so join ([`sole`]): names alone cannot tell one event
//! of two people from the next, so an entry that fits two stories joins neither.
//!
//! Only alias sets whose terms are written in more than one script count ([`NameSets::new`]):
//! they are the translations; a set of English words (`relation = ["arms", "talks", ...]`)
//! says nothing across languages.

use super::{GAP_HOURS, SPAN_HOURS, Story, common, hash};
use crate::text;

/// Alias sets no fewer than which an entry must name, with a story's entry, to join it across
/// languages: one ("Putin") is every Russia story of the day; two ("Kim" and "Russia") are a
/// relation.
pub const MIN_SETS: usize = 2;

/// The writing system most of a text's letters are in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Script {
    /// No letters, or none in a majority.
    #[default]
    Unknown = 0,
    Latin = 1,
    Cyrillic = 2,
    Hangul = 3,
    /// Chinese characters and Japanese kana.
    Han = 4,
    Other = 5,
}

impl Script {
    /// The script stored as `b` ([`Script::Unknown`] for anything else).
    pub fn from_byte(b: u8) -> Script {
        match b {
            1 => Script::Latin,
            2 => Script::Cyrillic,
            3 => Script::Hangul,
            4 => Script::Han,
            5 => Script::Other,
            _ => Script::Unknown,
        }
    }

    fn of_char(c: char) -> Option<Script> {
        if !c.is_alphabetic() {
            return None;
        }
        Some(match u32::from(c) {
            0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
            0x0400..=0x052F => Script::Cyrillic,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Han,
            _ => Script::Other,
        })
    }

    /// The script of more than half of `text`'s letters.
    pub fn of(text: &str) -> Script {
        let mut counts = [0usize; 6];
        let mut letters = 0;
        for s in text.chars().filter_map(Script::of_char) {
            counts[s as usize] += 1;
            letters += 1;
        }
        (1..6)
            .find(|&i| counts[i] * 2 > letters)
            .map_or(Script::Unknown, |i| Script::from_byte(i as u8))
    }
}

/// One alias term: normalised words, the last a prefix when `prefix`.
#[derive(Clone, Debug)]
struct Term {
    words: Vec<String>,
    prefix: bool,
}

/// The alias sets that give help across languages, to find which an entry names.
#[derive(Clone, Debug, Default)]
pub struct NameSets {
    /// Each set's hash (of its name), name and terms.
    sets: Vec<(u32, String, Vec<Term>)>,
}

impl NameSets {
    /// The sets among `aliases` (a name, and terms as normalised words with whether the last
    /// is a prefix) whose terms are written in more than one script.
    pub fn new<'a, I, T>(aliases: I) -> NameSets
    where
        I: IntoIterator<Item = (&'a str, T)>,
        T: IntoIterator<Item = (&'a [String], bool)>,
    {
        let mut sets = Vec::new();
        for (name, terms) in aliases {
            let terms: Vec<Term> = terms
                .into_iter()
                .map(|(words, prefix)| Term {
                    words: words.to_vec(),
                    prefix,
                })
                .filter(|t| !t.words.is_empty())
                .collect();
            let mut scripts: Vec<Script> = terms
                .iter()
                .map(|t| Script::of(&t.words.concat()))
                .filter(|s| *s != Script::Unknown)
                .collect();
            scripts.sort_unstable_by_key(|s| *s as u8);
            scripts.dedup();
            if scripts.len() > 1 {
                sets.push((hash(name), name.to_string(), terms));
            }
        }
        NameSets { sets }
    }

    /// The sets (hashes of their names, sorted) any of whose terms occur in `parts`.
    pub fn named(&self, parts: &[&str]) -> Vec<u32> {
        if self.sets.is_empty() {
            return Vec::new();
        }
        let words: Vec<Vec<String>> = parts.iter().map(|p| text::words(p)).collect();
        let mut out: Vec<u32> = self
            .sets
            .iter()
            .filter(|(_, _, terms)| terms.iter().any(|t| words.iter().any(|w| occurs(t, w))))
            .map(|(h, _, _)| *h)
            .collect();
        out.sort_unstable();
        out
    }

    /// The names of the sets `hashes` stands for (`@name`), to explain a join.
    pub fn names_of(&self, hashes: &[u32]) -> Vec<String> {
        self.sets
            .iter()
            .filter(|(h, _, _)| hashes.contains(h))
            .map(|(_, name, _)| format!("@{name}"))
            .collect()
    }
}

/// Whether `term` occurs in `words`, as consecutive words.
fn occurs(term: &Term, words: &[String]) -> bool {
    let n = term.words.len();
    if n > words.len() {
        return false;
    }
    words.windows(n).any(|w| {
        w.iter().zip(&term.words).enumerate().all(|(i, (word, t))| {
            if term.prefix && i == n - 1 {
                word.starts_with(t.as_str())
            } else {
                word == t
            }
        })
    })
}

/// Whether an entry (`fp`, published at `hours`) may join `story` across languages, leaving
/// aside whether another story could too ([`sole`]): one of the story's entries has its
/// headline in another script, names the same alias sets (at least [`MIN_SETS`]) and lies
/// within [`GAP_HOURS`]; the story, with it, spans at most [`SPAN_HOURS`]; and the entry names
/// a weekday or a number the story names, and no weekday or number that contradicts it.
pub fn joins(fp: &super::Fingerprint, hours: i64, story: &Story) -> bool {
    if fp.script == Script::Unknown || fp.sets.len() < MIN_SETS {
        return false;
    }
    if story.span_with(hours) > SPAN_HOURS {
        return false;
    }
    if fp.days != 0 && story.days != 0 && fp.days & story.days == 0 {
        return false;
    }
    // Names alone do not tell the day's events apart: a weekday or a number must agree, and
    // none may differ.
    let same_day = fp.days & story.days != 0;
    let same_number = common(&fp.numbers, &story.numbers) > 0;
    if !(same_day || same_number)
        || (!fp.numbers.is_empty() && !story.numbers.is_empty() && !same_number)
    {
        return false;
    }
    story.members.iter().any(|m| {
        m.fp.script != Script::Unknown
            && m.fp.script != fp.script
            && (m.hours - hours).abs() <= GAP_HOURS
            && m.fp.sets == fp.sets
    })
}

/// Of the stories an entry may join across languages (`fits`, one per candidate), the index
/// of the only one, if only one.
pub fn sole(fits: impl IntoIterator<Item = bool>) -> Option<usize> {
    let mut found = None;
    for (i, fit) in fits.into_iter().enumerate() {
        if fit {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::{Fingerprint, fingerprint_with, group};
    use super::*;

    fn sets() -> NameSets {
        let terms = |t: &[&str]| -> Vec<(Vec<String>, bool)> {
            t.iter()
                .map(|t| match t.strip_suffix('*') {
                    Some(p) => (text::words(p), true),
                    None => (text::words(t), false),
                })
                .collect()
        };
        let dprk = terms(&[
            "north korea",
            "kim jong un",
            "kim",
            "кндр",
            "ким чен ын",
            "북한*",
        ]);
        let russia = terms(&[
            "russia",
            "putin",
            "vladivostok",
            "росси*",
            "путин*",
            "러시아*",
        ]);
        let english = terms(&["arms", "talks"]);
        NameSets::new([
            (
                "dprk",
                dprk.iter()
                    .map(|(w, p)| (w.as_slice(), *p))
                    .collect::<Vec<_>>(),
            ),
            (
                "russia",
                russia.iter().map(|(w, p)| (w.as_slice(), *p)).collect(),
            ),
            (
                "relation",
                english.iter().map(|(w, p)| (w.as_slice(), *p)).collect(),
            ),
        ])
    }

    fn fp(title: &str, lede: &str) -> Fingerprint {
        fingerprint_with(title, lede, &sets())
    }

    fn arrival_en() -> Fingerprint {
        fp(
            "Kim Jong Un arrives in Vladivostok for Putin summit",
            "North Korean leader Kim Jong Un arrived in Russia on Tuesday by armoured train.",
        )
    }

    fn arrival_ru() -> Fingerprint {
        fp(
            "Ким Чен Ын прибыл во Владивосток",
            "Бронепоезд лидера КНДР прибыл во вторник, сообщили российские власти.",
        )
    }

    #[test]
    fn only_sets_written_in_several_scripts_are_named() {
        let s = sets();
        assert_eq!(
            s.names_of(&s.named(&["Arms talks with Russia"])),
            ["@russia"]
        );
        let ru = arrival_ru();
        assert_eq!(ru.script, Script::Cyrillic);
        assert_eq!(s.names_of(&ru.sets), ["@dprk", "@russia"]);
        assert_eq!(arrival_en().script, Script::Latin);
        assert_eq!(arrival_en().sets, ru.sets);
        // A prefix term takes the particles Korean adds.
        let ko = fp("러시아, 북한에 무기 요청", "");
        assert_eq!((ko.script, ko.sets.len()), (Script::Hangul, 2));
        assert!(NameSets::default().named(&["Kim meets Putin"]).is_empty());
        // Kept through the store, and absent from fingerprints stored before them.
        assert_eq!(Fingerprint::from_bytes(&ru.to_bytes()), Some(ru.clone()));
        let mut before = ru.clone();
        before.script = Script::Unknown;
        before.sets.clear();
        let bytes = before.to_bytes();
        assert_eq!(Fingerprint::from_bytes(&bytes), Some(before));
        assert_eq!(
            Fingerprint::from_bytes(&[&bytes[..], &[1, 1, 0]].concat()),
            None
        );
    }

    #[test]
    fn an_entry_in_another_language_joins_the_only_story_it_names() {
        // Tuesday in both, within the hour: one story, whichever comes first.
        for order in [[0, 1], [1, 0]] {
            let e = [(arrival_en(), 3), (arrival_ru(), 3)];
            let g = group(&[e[order[0]].clone(), e[order[1]].clone()]);
            assert_eq!(g[0], g[1], "order {order:?}");
        }
        // Not half a day later, nor on another weekday, nor naming one side only.
        let ru = arrival_ru();
        let apart = |a: &Fingerprint, b: &Fingerprint, hours| {
            let g = group(&[(a.clone(), 0), (b.clone(), hours)]);
            g[0] != g[1]
        };
        assert!(apart(&arrival_en(), &ru, 12));
        let friday = fp(
            "Ким Чен Ын прибыл во Владивосток",
            "Лидер КНДР прибыл в пятницу.",
        );
        assert!(apart(&arrival_en(), &friday, 1));
        let one_side = fp(
            "Путин прибыл во Владивосток",
            "Президент прибыл во вторник.",
        );
        assert!(apart(&arrival_en(), &one_side, 1));
        // Names and the day, nothing more: without a weekday or number in common, apart.
        let undated = fp("Ким Чен Ын прибыл во Владивосток", "Лидер КНДР прибыл.");
        assert!(apart(&arrival_en(), &undated, 1));
        // Two entries in one script are compared by their words, not their names.
        let other_ru = fp(
            "Путин похвалил Ким Чен Ына",
            "Во вторник российский лидер похвалил КНДР.",
        );
        assert_eq!((other_ru.script, &other_ru.sets), (ru.script, &ru.sets));
        assert!(apart(&ru, &other_ru, 1));
    }

    #[test]
    fn an_entry_that_names_two_stories_joins_neither() {
        let meeting = fp(
            "Kim Jong Un meets Putin at cosmodrome",
            "North Korea's Kim met Russia's Putin on Tuesday at a space centre.",
        );
        let train = arrival_en();
        let ru = arrival_ru();
        let g = group(&[(meeting, 0), (train, 1), (ru, 2)]);
        assert_ne!(g[0], g[1], "the two English stories are apart");
        assert!(g[2] != g[0] && g[2] != g[1], "{g:?}");
    }

    #[test]
    fn scripts_are_the_majority_of_letters() {
        assert_eq!(Script::of("Kim 김정은 meets Putin"), Script::Latin);
        assert_eq!(Script::of("푸틴, 평양 도착…24년 만의 방북"), Script::Hangul);
        assert_eq!(Script::of("金正恩氏 ロシア"), Script::Han);
        assert_eq!(Script::of("2024 — 10"), Script::Unknown);
        assert_eq!(Script::from_byte(Script::Cyrillic as u8), Script::Cyrillic);
    }
}
