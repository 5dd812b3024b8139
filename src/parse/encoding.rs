//! The byte-level front end before feed-rs: every document leaves here as UTF-8 whose XML
//! declaration (if any) says UTF-8, so the parser never guesses.
//!
//! Order of evidence: a byte-order mark; then, when the bytes are not valid UTF-8, the HTTP
//! `Content-Type` charset, then the XML declaration, then a statistical guess over the bytes
//! (chardetng, Firefox's detector: EUC-KR, Windows-1251, KOI8-R, Shift_JIS, Big5, GBK, ...;
//! Windows-1252 when nothing stands out). Bytes that are valid UTF-8 are read as UTF-8 whatever a label says:
//! non-ASCII text in a legacy encoding is almost never valid UTF-8, while mislabelled UTF-8
//! (`encoding="ISO-8859-1"` over UTF-8 bytes) is common and would otherwise become `CafÃ©`.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// The label of the XML declaration's `encoding`, and its byte range in `head`.
fn declared(head: &[u8]) -> Option<(String, usize, usize)> {
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[at..];
    let q = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let close = rest[q + 1..].iter().position(|&b| b == rest[q])?;
    let label = String::from_utf8_lossy(&rest[q + 1..q + 1 + close])
        .trim()
        .to_string();
    Some((label, at, at + q + 1 + close + 1))
}

/// `text` with its declaration's encoding replaced by utf-8.
fn declare_utf8(mut text: String) -> String {
    if let Some((_, start, stop)) = declared(text.as_bytes()) {
        text.replace_range(start..stop, "encoding=\"utf-8\"");
    }
    text
}

/// The `charset` parameter of a `Content-Type` value.
fn http_charset(content_type: Option<&str>) -> Option<&'static Encoding> {
    content_type?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| Encoding::for_label(v.trim().trim_matches('"').as_bytes()))
            .flatten()
    })
}

/// `bytes` as UTF-8 with a UTF-8 declaration, and the name of the encoding they were read as.
/// The likeliest legacy encoding of unlabelled bytes that are not UTF-8.
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// UTF-32 (which encoding_rs, following the WHATWG standard, does not decode): by its
/// byte-order mark or by `<` as its first character. Returns the text and the encoding's name.
fn utf32(bytes: &[u8]) -> Option<(String, &'static str)> {
    let (big, skip) = match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => (true, 4),
        [0xFF, 0xFE, 0x00, 0x00, ..] => (false, 4),
        [0x00, 0x00, 0x00, b'<', ..] => (true, 0),
        [b'<', 0x00, 0x00, 0x00, ..] => (false, 0),
        _ => return None,
    };
    let text = bytes[skip..]
        .chunks_exact(4)
        .map(|c| {
            let c: [u8; 4] = c.try_into().expect("4 bytes");
            let n = if big {
                u32::from_be_bytes(c)
            } else {
                u32::from_le_bytes(c)
            };
            char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    Some((text, if big { "UTF-32BE" } else { "UTF-32LE" }))
}

pub fn to_utf8<'a>(bytes: &'a [u8], content_type: Option<&str>) -> (Cow<'a, [u8]>, &'static str) {
    if let Some((text, name)) = utf32(bytes) {
        return (Cow::Owned(declare_utf8(text).into_bytes()), name);
    }
    // A byte-order mark, or `<?` in UTF-16 without one.
    let bom = match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some(UTF_8),
        [0xFE, 0xFF, ..] | [0x00, b'<', 0x00, b'?', ..] => Some(UTF_16BE),
        [0xFF, 0xFE, ..] | [b'<', 0x00, b'?', 0x00, ..] => Some(UTF_16LE),
        _ => None,
    };
    if let Some(enc) = bom {
        let (text, _) = enc.decode_with_bom_removal(bytes);
        let text = declare_utf8(text.into_owned());
        return (Cow::Owned(text.into_bytes()), enc.name());
    }
    let head = &bytes[..bytes.len().min(1024)];
    let label = declared(head);
    if std::str::from_utf8(bytes).is_ok() {
        let says_other = label
            .as_ref()
            .and_then(|(l, _, _)| Encoding::for_label(l.as_bytes()))
            .is_some_and(|e| e != UTF_8);
        if says_other {
            let text = declare_utf8(String::from_utf8(bytes.to_vec()).expect("checked"));
            return (Cow::Owned(text.into_bytes()), UTF_8.name());
        }
        return (Cow::Borrowed(bytes), UTF_8.name());
    }
    let enc = http_charset(content_type)
        .or_else(|| {
            label
                .as_ref()
                .and_then(|(l, _, _)| Encoding::for_label(l.as_bytes()))
        })
        .unwrap_or_else(|| guess(bytes));
    // Labelled UTF-8 with a few bad bytes: keep the rest (bad bytes become U+FFFD).
    let (text, _, _) = enc.decode(bytes);
    let text = declare_utf8(text.into_owned());
    (Cow::Owned(text.into_bytes()), enc.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], ct: Option<&str>) -> (String, &'static str) {
        let (b, enc) = to_utf8(bytes, ct);
        (String::from_utf8(b.into_owned()).unwrap(), enc)
    }

    #[test]
    fn legacy_encodings_from_the_header_or_the_declaration() {
        let (euc_kr, _, _) =
            encoding_rs::EUC_KR.encode("<rss><channel><title>러시아</title></channel></rss>");
        let (text, enc) = read(&euc_kr, Some("application/rss+xml; charset=EUC-KR"));
        assert!(text.contains("러시아"), "{text}");
        assert_eq!(enc, "EUC-KR");

        let doc = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><channel><title>Россия</title></channel></rss>";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(doc);
        let (text, enc) = read(&cp1251, None);
        assert!(
            text.contains("Россия") && text.contains("encoding=\"utf-8\""),
            "{text}"
        );
        assert_eq!(enc, "windows-1251");

        let (koi8, _, _) =
            encoding_rs::KOI8_R.encode("<rss><channel><title>Россия</title></channel></rss>");
        let (text, _) = read(&koi8, Some("text/xml; charset=\"koi8-r\""));
        assert!(text.contains("Россия"), "{text}");

        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<?xml version='1.0' encoding='Shift_JIS'?><rss><channel><title>北朝鮮</title></channel></rss>");
        let (text, _) = read(&sjis, None);
        assert!(text.contains("北朝鮮"), "{text}");
    }

    #[test]
    fn utf32_is_read_with_or_without_a_bom() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-32\"?><rss version=\"2.0\"><channel><title>Россия</title></channel></rss>";
        let be: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let le: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let mut be_bom = vec![0, 0, 0xFE, 0xFF];
        be_bom.extend(&be);
        let mut le_bom = vec![0xFF, 0xFE, 0, 0];
        le_bom.extend(&le);
        for bytes in [be, le, be_bom, le_bom] {
            let (text, enc) = read(&bytes, None);
            assert!(text.contains("<title>Россия</title>"), "{enc}: {text}");
            assert!(text.contains("encoding=\"utf-8\""), "{text}");
        }
    }

    #[test]
    fn unlabelled_legacy_text_is_detected() {
        let ru = "<rss version=\"2.0\"><channel><title>Россия и Корея: новости</title><item><title>Шойгу прибыл в Пхеньян для переговоров с руководством страны</title></item></channel></rss>";
        let ko = "<rss version=\"2.0\"><channel><title>러시아와 북한</title><item><title>김정은 국무위원장이 러시아 국방장관을 접견했다고 조선중앙통신이 보도했다</title></item></channel></rss>";
        for (doc, enc, title) in [
            (ru, encoding_rs::WINDOWS_1251, "Шойгу прибыл в Пхеньян"),
            (ru, encoding_rs::KOI8_R, "Шойгу прибыл в Пхеньян"),
            (ko, encoding_rs::EUC_KR, "김정은 국무위원장이"),
        ] {
            let (bytes, _, _) = enc.encode(doc);
            // KOI8-R text may be read as KOI8-U, its superset: the text is what counts.
            let (text, read_as) = read(&bytes, None);
            assert!(
                text.contains(title),
                "{} read as {read_as}: {text}",
                enc.name()
            );
        }
    }

    #[test]
    fn valid_utf8_wins_over_a_wrong_label() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Café</title></channel></rss>";
        let (text, enc) = read(doc.as_bytes(), Some("text/xml; charset=iso-8859-1"));
        assert!(
            text.contains("Café") && text.contains("encoding=\"utf-8\""),
            "{text}"
        );
        assert_eq!(enc, "UTF-8");
        let plain = "<rss><channel><title>ok</title></channel></rss>";
        assert!(
            matches!(to_utf8(plain.as_bytes(), None).0, Cow::Borrowed(_)),
            "untouched"
        );
    }

    #[test]
    fn a_bad_byte_in_utf8_costs_one_character_not_the_feed() {
        let mut doc =
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>Caf".to_vec();
        doc.push(0xFF);
        doc.extend_from_slice(b" \xC3\xA9</title></channel></rss>");
        let (text, _) = read(&doc, None);
        assert!(text.contains("Caf\u{FFFD} é"), "{text}");
    }
}
