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

/// The bit of [`ACTS`] for meeting someone, where host and guest may each lead a headline.
pub(super) const MEETING: u8 = 1;

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

/// The words (normalised, one or two) that wire copy names one country by: its name, its
/// people, its capital, the seat of its government ("White House warns ..." / "..., U.S.
/// says"; "Kremlin says ..." / "Russia says ..."; "Pyongyang fires ..." / "N Korea fires
/// ..."). A headline naming one of them names the country; a text writing another mentions it.
const PLACES: &[&[&str]] = &[
    &[
        "us",
        "usa",
        "united states",
        "america",
        "american",
        "americans",
        "washington",
        "white house",
        "pentagon",
    ],
    &["russia", "russian", "russians", "moscow", "kremlin"],
    &[
        "north korea",
        "north korean",
        "north koreans",
        "n korea",
        "n korean",
        "dprk",
        "pyongyang",
    ],
    &[
        "south korea",
        "south korean",
        "south koreans",
        "s korea",
        "s korean",
        "seoul",
    ],
    &["china", "chinese", "beijing"],
    &["ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"],
    &["japan", "japanese", "tokyo"],
    &["uk", "britain", "british", "london", "downing street"],
    &["iran", "iranian", "iranians", "tehran"],
    &["israel", "israeli", "israelis"],
    &["belarus", "belarusian", "minsk"],
    &["taiwan", "taiwanese", "taipei"],
    &["syria", "syrian", "damascus"],
];

/// The countries a run of words (normalised) names by [`PLACES`]: for each, the range of the
/// words that name it and the country (the first word of its set). Two words are read before
/// one: "North Korea" is not "Korea".
pub(super) fn places(words: &[&str]) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let country = |name: &str| {
        PLACES
            .iter()
            .find(|set| set.contains(&name))
            .map(|set| set[0])
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let pair = words.get(i + 1).map(|next| format!("{} {next}", words[i]));
        if let Some(c) = pair.as_deref().and_then(country) {
            out.push((i..i + 2, c));
            i += 2;
        } else {
            if let Some(c) = country(words[i]) {
                out.push((i..i + 1, c));
            }
            i += 1;
        }
    }
    out
}

/// The hash a country stands for in a fingerprint's names and mentions: apart from any
/// word's.
pub(super) fn place_hash(country: &str) -> u32 {
    hash(&format!("place:{country}"))
}

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
    fn a_country_is_named_by_its_people_its_capital_and_its_government() {
        let words = |s: &'static str| s.split(' ').collect::<Vec<_>>();
        assert_eq!(
            places(&words("white house warns russia n korea")),
            vec![(0..2, "us"), (3..4, "russia"), (4..6, "north korea")]
        );
        // "Korea" alone is neither Korea; "house" alone is nobody.
        assert_eq!(places(&words("inter korean house")), vec![]);
        assert_eq!(
            places(&words("south korean president seoul")),
            vec![(0..2, "south korea"), (3..4, "south korea")]
        );
    }

    #[test]
    fn every_act_has_a_name() {
        assert_eq!(ACT_NAMES.len(), ACTS.len());
        assert!(ACTS.len() <= 8, "acts are the bits of a byte");
        assert_eq!(names(0b101), vec!["meeting someone", "arriving"]);
    }
}
