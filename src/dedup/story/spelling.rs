//! British spellings written the American way before stemming, so that "defence" and
//! "defense", "criticised" and "criticized", "labour" and "labor", "centre" and "center" are
//! one word: wire copy of one event comes from both sides of the Atlantic.

use std::borrow::Cow;

/// Words ending in `-ise` (and `-ised`, `-ising`, `-ises`, `-isation`) that American English
/// spells the same way.
const ISE_KEPT: &[&str] = &[
    "advise",
    "apprise",
    "arise",
    "chastise",
    "circumcise",
    "clockwise",
    "compromise",
    "concise",
    "cruise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "likewise",
    "merchandise",
    "noise",
    "otherwise",
    "paradise",
    "poise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "revise",
    "rise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
];

/// Words ending in `-our` that American English spells the same way.
const OUR_KEPT: &[&str] = &[
    "amour",
    "contour",
    "detour",
    "devour",
    "flour",
    "four",
    "hour",
    "pour",
    "scour",
    "sour",
    "tour",
    "troubadour",
    "velour",
    "your",
];

/// Whole words spelt otherwise.
const WORDS: &[(&str, &str)] = &[
    ("defence", "defense"),
    ("defences", "defenses"),
    ("offence", "offense"),
    ("offences", "offenses"),
    ("licence", "license"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("aluminium", "aluminum"),
];

/// `w` with the `uk` that opens the first of `suffixes` it ends in written `us`, unless the
/// word (with its bare suffix, `uk` + `e` or `uk`) is one of `kept` or its stem is under three
/// letters; `None` when it ends in none of them.
fn respelt<'a>(
    w: &'a str,
    suffixes: &[&str],
    uk: &str,
    us: &str,
    kept: &[&str],
) -> Option<Cow<'a, str>> {
    let suffix = suffixes.iter().find(|s| w.ends_with(*s))?;
    let base = &w[..w.len() - suffix.len()];
    if base.len() < 3 {
        return None;
    }
    let bare = format!("{base}{}", &suffixes[suffixes.len() - 1]);
    if kept.iter().any(|k| bare.ends_with(k)) {
        return Some(Cow::Borrowed(w));
    }
    Some(Cow::Owned(format!("{base}{us}{}", &suffix[uk.len()..])))
}

/// The American spelling of a normalised (lower-case) English word, or the word itself.
pub(super) fn american(w: &str) -> Cow<'_, str> {
    if let Some((_, us)) = WORDS.iter().find(|(uk, _)| *uk == w) {
        return Cow::Borrowed(us);
    }
    // -ise, -ised, -ising, -ises, -isation(s) → -ize…
    let ise = ["isations", "isation", "ising", "ised", "ises", "ise"];
    if let Some(us) = respelt(w, &ise, "is", "iz", ISE_KEPT) {
        return us;
    }
    // -our, -ours, -oured, -ouring, -ourable → -or…
    let our = ["ourable", "ouring", "oured", "ours", "our"];
    if let Some(us) = respelt(w, &our, "our", "or", OUR_KEPT) {
        return us;
    }
    // -tre, -bre (centre, fibre, calibre) → -ter, -ber.
    for suffix in ["tres", "tred", "tre", "bres", "bre"] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() >= 3
        {
            let (consonant, rest) = suffix.split_at(1);
            return Cow::Owned(format!("{base}{consonant}er{}", &rest[2..]));
        }
    }
    Cow::Borrowed(w)
}

#[cfg(test)]
mod tests {
    use super::american;

    #[test]
    fn british_spellings_become_american_and_others_stay() {
        for (uk, us) in [
            ("defence", "defense"),
            ("criticised", "criticized"),
            ("organisation", "organization"),
            ("mobilising", "mobilizing"),
            ("labour", "labor"),
            ("honoured", "honored"),
            ("centre", "center"),
            ("centres", "centers"),
            ("calibre", "caliber"),
            ("programme", "program"),
        ] {
            assert_eq!(american(uk), us, "{uk}");
        }
        for kept in [
            "promised",
            "exercise",
            "surprising",
            "raised",
            "tour",
            "hours",
            "detour",
            "genre",
            "acre",
            "crisis",
            "wise",
            "noise",
            "your",
            "four",
        ] {
            assert_eq!(american(kept), kept);
        }
    }
}
