//! The one text normalisation and word segmentation, shared by entries (`parse`, matching) and
//! queries (`topic`), so that the two sides can never disagree about what a word is.
//!
//! Normalisation: Unicode NFKC (full-width and compatibility forms folded), lower-case (with the
//! few full case folds `to_lowercase` lacks: `ß`→`ss`, final sigma), and removal of the combining
//! diacritics of Latin, Greek and Cyrillic (`é`→`e`, `й`→`и`, `ё`→`е`). Hangul syllables survive
//! (they are recomposed after decomposition) and so do Japanese voicing marks.
//!
//! Segmentation: a word is a maximal run of letters and digits. Every other character separates
//! words, so `Kim Jong-un`, `Korea–Russia`, `North Korea's` and `U.N.` split into words the same
//! way on both sides. Han ideographs and kana have no spaces between words, so each such
//! character is a word by itself and a query phrase `"北朝鮮"` matches the character sequence.

use unicode_normalization::UnicodeNormalization;

/// Combining marks that carry accents in Latin, Greek and Cyrillic scripts.
fn is_stripped_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Normalise `s` for matching: NFKC, case fold, accents removed.
pub fn normalize(s: &str) -> String {
    // ASCII is its own NFKC form and has no accents: only case to fold.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    // NFKD splits accents from their letters; after dropping them, NFC recomposes the rest
    // (Hangul jamo back into syllables, kana with voicing marks).
    let stripped = s.nfkd().filter(|c| !is_stripped_mark(*c)).nfc();
    for c in stripped {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// True for characters written without spaces between words, which form one-character words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF      // CJK Extension A
        | 0x4E00..=0x9FFF      // CJK Unified Ideographs
        | 0xF900..=0xFAFF      // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B–F, compatibility supplement
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Byte ranges of the words of already-normalised text.
pub fn word_spans(normalized: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in normalized.char_indices() {
        if is_word_char(c) && !is_unspaced(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            spans.push((s, i));
        }
        if is_unspaced(c) {
            spans.push((i, i + c.len_utf8()));
        }
    }
    if let Some(s) = start {
        spans.push((s, normalized.len()));
    }
    spans
}

/// Split already-normalised text into words.
pub fn split_words(normalized: &str) -> Vec<&str> {
    word_spans(normalized)
        .into_iter()
        .map(|(s, e)| &normalized[s..e])
        .collect()
}

/// Normalise and split in one step, giving owned words.
pub fn words(s: &str) -> Vec<String> {
    let n = normalize(s);
    split_words(&n).into_iter().map(str::to_owned).collect()
}

/// Collapse runs of whitespace to one space, drop control characters, trim.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_accents() {
        assert_eq!(normalize("Shoigu"), "shoigu");
        assert_eq!(normalize("PYONGYANG"), "pyongyang");
        assert_eq!(normalize("Café Déjà"), "cafe deja");
        assert_eq!(normalize("ＫＯＲＥＡ"), "korea");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("Ким Чен Ын"), "ким чен ын");
        assert_eq!(normalize("Шойгу ёлка"), "шоигу елка");
    }

    #[test]
    fn hangul_survives_normalisation() {
        assert_eq!(normalize("김정은 러시아를"), "김정은 러시아를");
    }

    #[test]
    fn splits_on_punctuation_and_dashes() {
        assert_eq!(words("Korea–Russia talks"), ["korea", "russia", "talks"]);
        assert_eq!(words("Kim Jong-un"), ["kim", "jong", "un"]);
        assert_eq!(words("North Korea's Kim"), ["north", "korea", "s", "kim"]);
        assert_eq!(words("the U.N. vote"), ["the", "u", "n", "vote"]);
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn ideographs_are_one_word_each() {
        assert_eq!(
            words("北朝鮮とロシア"),
            ["北", "朝", "鮮", "と", "ロ", "シ", "ア"]
        );
        assert_eq!(words("러시아 국방장관"), ["러시아", "국방장관"]);
    }

    #[test]
    fn clean_line_collapses_whitespace_and_controls() {
        assert_eq!(clean_line("  a\u{0}b \n\t c  "), "ab c");
    }
}
