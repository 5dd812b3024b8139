//! What wire copy says in several words: synonyms folded to one stem, and the acts a headline
//! reports (meeting someone is not touring a factory, nor arriving).

use super::hash;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Stems (English Snowball, after [`super::spelling`]) that wire copy uses for one thing, the
/// first of each set standing for all: "arms" / "weapons" / "munitions", "talks" /
/// "negotiations", "condemns" / "slams" / "denounces".
const SYNONYMS: &[&[&str]] = &[
    &["arm", "weapon", "weaponri", "munit", "ammunit"],
    &["talk", "negoti"],
    &[
        "condemn", "slam", "denounc", "critic", "blast", "lambast", "rebuk",
    ],
    &["warn", "caution"],
    &["letter", "messag"],
    &["pledg", "vow", "promis"],
    &["deal", "agreement", "pact", "accord"],
    &["suppli", "provid"],
];

/// The acts a headline may report, each a set of stems (see [`acts`]).
const ACTS: &[&[&str]] = &[
    // Meeting someone.
    &["meet", "met", "greet", "huddl", "host", "receiv"],
    // Showing or touring something.
    &["show", "showcas", "flaunt", "display", "tour", "inspect"],
    // Arriving.
    &["arriv", "land", "reach"],
    // Leaving.
    &["depart", "leav"],
    // Firing or launching.
    &["fire", "launch"],
    // Signing.
    &["sign"],
    // Celebrating or commemorating something.
    &["celebr", "commemor", "parad"],
];

/// What each set of [`ACTS`] reports, in words, in the same order.
const ACT_NAMES: &[&str] = &[
    "meeting someone",
    "showing or touring something",
    "arriving",
    "leaving",
    "firing or launching",
    "signing",
    "celebrating or commemorating",
];

/// The names of the acts of `acts` (bit `i` = `ACTS[i]`).
pub(super) fn names(acts: u8) -> Vec<&'static str> {
    ACT_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| acts & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// The stem a synonym stands for (itself when it has none).
pub(super) fn canonical(stem: &str) -> &str {
    SYNONYMS
        .iter()
        .find(|set| set.contains(&stem))
        .map_or(stem, |set| set[0])
}

/// The acts (bit `i` = `ACTS[i]`) whose stems are among a headline's words (hashes of stems).
pub(super) fn acts(title_words: &[u32]) -> u8 {
    static BY_HASH: OnceLock<HashMap<u32, u8>> = OnceLock::new();
    let by_hash = BY_HASH.get_or_init(|| {
        let mut m = HashMap::new();
        for (i, set) in ACTS.iter().enumerate() {
            for stem in *set {
                *m.entry(hash(stem)).or_default() |= 1 << i;
            }
        }
        m
    });
    title_words
        .iter()
        .filter_map(|w| by_hash.get(w))
        .fold(0, |a, b| a | b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_act_has_a_name() {
        assert_eq!(ACT_NAMES.len(), ACTS.len());
        assert!(ACTS.len() <= 8, "acts are the bits of a byte");
        assert_eq!(names(0b101), vec!["meeting someone", "arriving"]);
    }
}
