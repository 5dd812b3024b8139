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
    // Mostly-ASCII text (English with dashes and curly quotes) is the common case: ASCII is only
    // lower-cased, punctuation that normalisation leaves alone is copied, and the Unicode work
    // is done on the rest, a run at a time. A run takes the ASCII character just before it
    // along, so that a combining mark still meets its base letter.
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    let mut prev_ascii_at: Option<usize> = None;
    while let Some((i, c)) = chars.next() {
        if c.is_ascii() {
            // The whole run of ASCII at once, lower-cased in place.
            let run = s[i..].bytes().take_while(u8::is_ascii).count();
            let from = out.len();
            out.push_str(&s[i..i + run]);
            out[from..].make_ascii_lowercase();
            prev_ascii_at = Some(i + run - 1);
            while chars.next_if(|&(j, _)| j < i + run).is_some() {}
            continue;
        }
        if is_plain(c) {
            out.push(c);
            prev_ascii_at = None;
            continue;
        }
        let start = match prev_ascii_at {
            Some(p) if p + 1 == i => {
                out.pop();
                p
            }
            _ => i,
        };
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if d.is_ascii() || is_plain(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        normalize_unicode(&s[start..end], &mut out);
        prev_ascii_at = None;
    }
    out
}

/// Punctuation that NFKC, accent stripping and case folding all leave as it is: curly quotes,
/// dashes, daggers, per-mille and such (not the ellipsis or spaces, which NFKC rewrites).
fn is_plain(c: char) -> bool {
    // Worked out once per character (this runs on every curly quote of every entry).
    static PLAIN: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
        let mut bits = vec![0u64; 0x2060 / 64 + 1];
        for n in (0x00A1..=0x00BF)
            .chain(0x2010..=0x2027)
            .chain(0x2030..=0x205E)
        {
            if char::from_u32(n).is_some_and(is_plain_uncached) {
                bits[n as usize / 64] |= 1 << (n % 64);
            }
        }
        bits
    });
    let n = c as usize;
    PLAIN.get(n / 64).is_some_and(|b| b & (1 << (n % 64)) != 0)
}

fn is_plain_uncached(c: char) -> bool {
    if !matches!(c as u32, 0x00A1..=0x00BF | 0x2010..=0x2027 | 0x2030..=0x205E) {
        return false;
    }
    let mut same = true;
    let mut n = 0;
    unicode_normalization::char::decompose_compatible(c, |d| {
        n += 1;
        same &= d == c;
    });
    same && n == 1 && !c.is_alphanumeric()
}

fn normalize_unicode(s: &str, out: &mut String) {
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

/// True when [`normalize`] would change nothing but ASCII case: ASCII, and punctuation that
/// normalisation leaves alone. Such text can be matched as it is, case-insensitively.
pub fn is_normal_but_case(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // ASCII 32 bytes at a time, then eight; only other characters are decoded.
        while let Some(chunk) = b.get(i..i + 32) {
            let any = chunk.chunks_exact(8).fold(0, |acc, c| {
                acc | u64::from_ne_bytes(c.try_into().expect("8 bytes"))
            });
            if any & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            i += 32;
        }
        // Straight to the first non-ASCII byte of the next eight.
        if let Some(chunk) = b.get(i..i + 8) {
            let high =
                u64::from_le_bytes(chunk.try_into().expect("8 bytes")) & 0x8080_8080_8080_8080;
            if high == 0 {
                i += 8;
                continue;
            }
            i += (high.trailing_zeros() / 8) as usize;
        }
        match b.get(i) {
            None => break,
            Some(&c) if c < 0x80 => i += 1,
            Some(_) => {
                let c = char_at(s, i);
                if !is_plain(c) {
                    return false;
                }
                i += c.len_utf8();
            }
        }
    }
    true
}

fn char_at(s: &str, i: usize) -> char {
    s[i..].chars().next().expect("at a char boundary")
}

/// Byte ranges of the words of already-normalised text.
pub fn word_spans(normalized: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for_each_word(normalized, |s, e| {
        spans.push((s, e));
        true
    });
    spans
}

/// Calls `f(start, end)` for each word of already-normalised text, in order, until it returns
/// false.
pub fn for_each_word(normalized: &str, mut f: impl FnMut(usize, usize) -> bool) {
    let bytes = normalized.as_bytes();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII needs no decoding; other characters are decoded where they start.
        let (c, len) = if b.is_ascii() {
            (b as char, 1)
        } else {
            let c = normalized[i..].chars().next().expect("at a char boundary");
            (c, c.len_utf8())
        };
        let word = if b.is_ascii() {
            b.is_ascii_alphanumeric()
        } else {
            is_word_char(c) && !is_unspaced(c)
        };
        if word {
            start.get_or_insert(i);
        } else {
            if let Some(s) = start.take()
                && !f(s, i)
            {
                return;
            }
            if !b.is_ascii() && is_unspaced(c) && !f(i, i + len) {
                return;
            }
        }
        i += len;
    }
    if let Some(s) = start {
        f(s, normalized.len());
    }
}

/// Calls `f(start, end)` for each word of text that [`is_normal_but_case`] accepts, where words
/// are runs of ASCII letters and digits (every other byte, including each byte of the plain
/// punctuation such text may hold, separates words). The same words [`for_each_word`] finds in
/// its normal form, found a 64-byte block at a time from a bit mask of word bytes.
pub fn for_each_ascii_word(text: &[u8], mut f: impl FnMut(usize, usize)) {
    // A word still open at the end of the previous block.
    let mut open: Option<usize> = None;
    let mut blocks = text.chunks_exact(64);
    let mut base = 0;
    for block in &mut blocks {
        let mask = block_mask(block.try_into().expect("64 bytes"));
        words_in_block(mask, u64::MAX, base, &mut open, &mut f);
        base += 64;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        let within = (1u64 << rest.len()) - 1;
        words_in_block(block_mask(&padded), within, base, &mut open, &mut f);
    }
    if let Some(s) = open {
        f(s, text.len());
    }
}

/// Bit `i` set when byte `i` of the block is an ASCII letter or digit.
#[inline(always)]
fn block_mask(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (j, eight) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        mask |= ascii_alnum_bits(x) << (8 * j);
    }
    mask
}

/// Calls `f` for each word ending in the block at `base` whose word bytes are `mask`: `open` is
/// the start of a word running in from the previous block, and is left set to one running on.
/// Only the bytes in `within` are text.
#[inline(always)]
fn words_in_block(
    mask: u64,
    within: u64,
    base: usize,
    open: &mut Option<usize>,
    f: &mut impl FnMut(usize, usize),
) {
    // A start is a word byte after a non-word byte; an end, the reverse.
    let carry = open.is_some() as u64;
    let mut starts = mask & !((mask << 1) | carry);
    let mut ends = !mask & ((mask << 1) | carry) & within;
    if let Some(s) = *open {
        if ends == 0 {
            return;
        }
        *open = None;
        f(s, base + ends.trailing_zeros() as usize);
        ends &= ends - 1;
    }
    while starts != 0 {
        let s = base + starts.trailing_zeros() as usize;
        starts &= starts - 1;
        if ends == 0 {
            *open = Some(s);
            return;
        }
        f(s, base + ends.trailing_zeros() as usize);
        ends &= ends - 1;
    }
}

/// Bit `i` set when byte `i` of the little-endian `x` is an ASCII letter or digit, for eight
/// bytes at once: each range test adds a constant that carries into a byte's high bit exactly
/// when the byte (its low seven bits) is at least the range's start, and the eight high bits are
/// gathered into one byte by a multiplication whose partial products never overlap.
fn ascii_alnum_bits(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let in_range = |t: u64, lo: u64, hi: u64| {
        let at_least_lo = t + ONES * (0x80 - lo);
        let above_hi = t + ONES * (0x7f - hi);
        at_least_lo & !above_hi & HIGH
    };
    let low7 = x & !HIGH;
    let letter = in_range(low7 | 0x2020_2020_2020_2020, b'a' as u64, b'z' as u64);
    let digit = in_range(low7, b'0' as u64, b'9' as u64);
    let word = (letter | digit) & !x & HIGH;
    (word >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Split already-normalised text into words.
pub fn split_words(normalized: &str) -> Vec<&str> {
    word_spans(normalized)
        .into_iter()
        .map(|(s, e)| &normalized[s..e])
        .collect()
}

/// Most words of the first sentence [`first_sentence`] reads.
pub const SENTENCE_WORDS: usize = 40;

/// Words ending in a full stop that do not end a sentence (lower case, without the stop).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sgt", "capt", "rep", "sen", "gov", "pres",
    "prof", "jr", "sr", "no", "vs", "etc", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct",
    "nov", "dec",
];

/// The first sentence of a plain text: up to the first `.`, `!` or `?` that is followed by a
/// space (or ends the text) and does not close an initial (`N. Korea`, `U.S.`) or a common
/// abbreviation (`Gen.`, `Sept.`), and at most [`SENTENCE_WORDS`] words. What a wire story's
/// lead says happened.
pub fn first_sentence(text: &str) -> &str {
    let mut end = text.len();
    let mut n = 0;
    for_each_word(text, |s, e| {
        n += 1;
        let after = &text[e..];
        let stop = after
            .chars()
            .next()
            .filter(|c| matches!(c, '.' | '!' | '?'));
        if let Some(c) = stop {
            let rest = &after[c.len_utf8()..];
            let closes = rest
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || "\"'’”)".contains(c));
            let word = &text[s..e];
            let initial = word.chars().count() == 1 && c == '.';
            let abbreviation =
                c == '.' && ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str());
            if closes && !initial && !abbreviation {
                end = e + c.len_utf8();
                return false;
            }
        }
        if n == SENTENCE_WORDS {
            end = e;
            return false;
        }
        true
    });
    text[..end].trim_end()
}

/// Normalise and split in one step, giving owned words.
pub fn words(s: &str) -> Vec<String> {
    let n = normalize(s);
    split_words(&n).into_iter().map(str::to_owned).collect()
}

fn is_dropped(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Collapse runs of whitespace to one space, drop control characters, trim.
/// Runs of printable ASCII are copied whole; other characters one by one.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_clean(&mut out, s, &mut false);
    out
}

/// Appends `s` to the line `out` as [`clean_line`] would, continuing it: `space` says whether
/// whitespace was seen since the last kept character (and is updated).
pub fn push_clean(out: &mut String, s: &str, space: &mut bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of printable ASCII and spaces: copied whole when its spaces are single (the
        // common case), word by word otherwise.
        let run_end = i + b[i..]
            .iter()
            .position(|c| !(0x20..0x7f).contains(c))
            .unwrap_or(b.len() - i);
        if run_end > i {
            let run = &s[i..run_end];
            let lead = run.len() - run.trim_start_matches(' ').len();
            let body = run[lead..].trim_end_matches(' ');
            *space |= lead > 0;
            if !body.is_empty() {
                if *space && !out.is_empty() {
                    out.push(' ');
                }
                if body.contains("  ") {
                    for (k, word) in body.split(' ').filter(|w| !w.is_empty()).enumerate() {
                        if k > 0 {
                            out.push(' ');
                        }
                        out.push_str(word);
                    }
                } else {
                    out.push_str(body);
                }
                *space = body.len() + lead < run.len();
            }
            i = run_end;
            continue;
        }
        // One other character: whitespace, a control character, or non-ASCII.
        let ch = s[i..].chars().next().expect("a char starts here");
        if ch.is_whitespace() {
            *space = true;
        } else if !is_dropped(ch) {
            if *space && !out.is_empty() {
                out.push(' ');
            }
            *space = false;
            out.push(ch);
        }
        i += ch.len_utf8();
    }
}

/// Whether `c` is a character XML 1.0 allows in a document (its `Char` production: tab, line
/// feed, carriage return, and everything from U+0020 on but U+FFFE and U+FFFF; Rust strings
/// hold no surrogates).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// `s` without the characters XML 1.0 forbids (control characters such as ESC or VT, U+FFFE,
/// U+FFFF): one of them in a feed's HTML would make every subscriber's parser reject the whole
/// output feed. Borrowed when there are none, which a byte scan tells.
pub fn xml_legal(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    let suspect = b.iter().enumerate().any(|(i, &c)| {
        (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
            || (c == 0xEF
                && b.get(i + 1) == Some(&0xBF)
                && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    });
    if suspect {
        std::borrow::Cow::Owned(s.chars().filter(|&c| is_xml_char(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
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
    fn mixed_text_normalises_like_whole_text() {
        for s in [
            "Korea–Russia “talks” in Café Déjà",
            "e\u{301}te\u{301}",
            "ＡＢＣ and Ким Чен Ын, 김정은 — Straße",
            "x\u{308}",
            "Kim’s “talks” – 1…2 ‰ \u{2019}\u{301}a\u{2013}\u{308}",
            "a\u{a0}b ¿Qué? ½",
        ] {
            let whole: String = {
                let mut out = String::new();
                super::normalize_unicode(s, &mut out);
                out
            };
            assert_eq!(normalize(s), whole, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_paths_change_nothing_on_tricky_mixes(
            s in "[aeEK \u{301}\u{308}\u{327}\u{2013}\u{2019}\u{201C}\u{2026}\u{a0}\u{bf}\u{bd}\u{1100}\u{1161}\u{11a8}김ßΣς]{0,30}"
        ) {
            let mut whole = String::new();
            super::normalize_unicode(&s, &mut whole);
            proptest::prop_assert_eq!(normalize(&s), whole);
        }

        #[test]
        fn the_ascii_fast_path_changes_nothing(s in "\\PC{0,40}") {
            let mut whole = String::new();
            super::normalize_unicode(&s, &mut whole);
            proptest::prop_assert_eq!(normalize(&s), whole);
        }
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

    /// The plain definition [`clean_line`] must agree with.
    fn clean_line_reference(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for word in s.split_whitespace() {
            let clean = word.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !clean && word.chars().all(is_dropped) {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            if clean {
                out.push_str(word);
            } else {
                out.extend(word.chars().filter(|c| !is_dropped(*c)));
            }
        }
        out
    }

    proptest::proptest! {
        /// The fast check agrees with its definition: only ASCII case differs from the normal
        /// form exactly when every character is ASCII or plain punctuation.
        #[test]
        fn normal_but_case_agrees_with_normalize(s in "[a-zA-Z0-9 .,’‘“”—–…é\u{a0}\u{2022}\u{2030}ǅ]{0,40}") {
            let fast = is_normal_but_case(&s);
            proptest::prop_assert_eq!(fast, s.chars().all(|c| c.is_ascii() || is_plain_uncached(c)));
            if fast {
                proptest::prop_assert_eq!(normalize(&s), s.to_ascii_lowercase());
            }
        }

        /// The block-wise word finder agrees with the general one on the text it is for.
        #[test]
        fn ascii_alnum_bits_agree_with_std(bytes in proptest::prelude::any::<[u8; 8]>()) {
            let want = bytes.iter().enumerate().fold(0u64, |m, (i, b)| m | ((b.is_ascii_alphanumeric() as u64) << i));
            proptest::prop_assert_eq!(ascii_alnum_bits(u64::from_le_bytes(bytes)), want);
        }

        #[test]
        fn ascii_words_agree_with_for_each_word(s in "[a-zA-Z0-9 .,’—“\u{1}]{0,150}") {
            let mut fast = Vec::new();
            for_each_ascii_word(s.as_bytes(), |a, b| fast.push((a, b)));
            proptest::prop_assert_eq!(fast, word_spans(&normalize(&s)));
        }

        #[test]
        fn clean_line_agrees_with_its_definition(s in "[a-z \t\n\u{0}\u{1}\u{7f}\u{85}\u{a0}\u{200b}\u{feff}é가\u{2028}]{0,30}") {
            proptest::prop_assert_eq!(clean_line(&s), clean_line_reference(&s));
        }
    }

    #[test]
    fn clean_line_collapses_whitespace_and_controls() {
        assert_eq!(clean_line("  a\u{0}b \n\t c  "), "ab c");
        assert_eq!(clean_line("x \u{0}\u{1} y\u{FEFF}"), "x y");
        assert_eq!(clean_line("Café\u{a0}“q”"), "Café “q”");
    }

    #[test]
    fn xml_legal_drops_only_what_xml_forbids() {
        let s = "a\u{1b}b\u{b}c\u{fffe}d\u{ffff}e\u{0}f\tg\nh\ri\u{85}j\u{10FFFF}k é";
        assert_eq!(xml_legal(s), "abcdef\tg\nh\ri\u{85}j\u{10FFFF}k é");
        assert!(matches!(
            xml_legal("plain ünïcode \u{fffd}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
