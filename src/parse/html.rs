//! Plain text of the feed's HTML as it came, for matching and titles: a one-pass scanner, no
//! DOM. (HTML for output is sanitised when served, in `serve::html`.)

/// Elements whose content is not text: skipped whole, as the sanitiser removes them.
const NON_TEXT: [&[u8]; 4] = [b"script", b"style", b"template", b"title"];

/// Plain text of untrusted HTML as a feed gave it (titles, names, summaries, content): tags
/// become spaces, comments and the content of `script`/`style` vanish, entities are decoded,
/// whitespace is collapsed. A single pass without building a DOM: this runs on every entry of
/// every poll, while sanitising (`serve::html`) runs only on what is served.
/// A `<` that does not open a tag, comment or declaration is text, as browsers read it.
pub fn html_text(html: &str) -> String {
    use crate::text::push_clean;
    let mut out = String::with_capacity(html.len());
    let mut space = false;
    // Text between tags goes straight into the line; entities are decoded where there are any
    // (an entity never spans a tag).
    let push = |out: &mut String, text: &str, space: &mut bool| {
        if text.contains('&') {
            push_clean(out, &html_escape::decode_html_entities(text), space);
        } else {
            push_clean(out, text, space);
        }
    };
    if !html.contains('<') {
        push(&mut out, html, &mut space);
        return out;
    }
    let b = html.as_bytes();
    let mut copied = 0; // html[copied..at] is text not yet copied
    let mut at = 0;
    while let Some(off) = b[at..].iter().position(|&c| c == b'<') {
        let lt = at + off;
        let Some(end) = markup_end(b, lt) else {
            at = lt + 1;
            continue;
        };
        push(&mut out, &html[copied..lt], &mut space);
        space = true;
        copied = end;
        at = end;
    }
    push(&mut out, &html[copied..], &mut space);
    out
}

/// If `b[lt]` (a `<`) opens markup, the index just past it; `None` when the `<` is text.
fn markup_end(b: &[u8], lt: usize) -> Option<usize> {
    let rest = &b[lt + 1..];
    let to_gt = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |p| from + p + 1)
    };
    match rest.first()? {
        b'!' if rest.starts_with(b"!--") => {
            Some(find(&b[lt + 4..], b"-->").map_or(b.len(), |p| lt + 4 + p + 3))
        }
        b'!' | b'?' => Some(to_gt(lt + 1)),
        b'/' if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => Some(tag_end(b, lt + 2)),
        c if c.is_ascii_alphabetic() => {
            let name_len = rest
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            let name = &rest[..name_len];
            let end = tag_end(b, lt + 1 + name_len);
            match NON_TEXT.iter().find(|t| name.eq_ignore_ascii_case(t)) {
                Some(tag) if b[end.saturating_sub(2)..end] != *b"/>" => {
                    Some(closing_tag_end(b, end, tag))
                }
                _ => Some(end),
            }
        }
        _ => None,
    }
}

/// Past the `>` that closes a tag whose attributes start at `from` (quoted values may hold `>`).
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (i, &c) in b[from..].iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return from + i + 1,
            None => {}
        }
    }
    b.len()
}

/// Past `</tag ...>` (any case) at or after `from`; the end of input when it never closes.
fn closing_tag_end(b: &[u8], from: usize, tag: &[u8]) -> usize {
    let mut at = from;
    while let Some(p) = find(&b[at..], b"</") {
        let name_at = at + p + 2;
        let name = &b[name_at..(name_at + tag.len()).min(b.len())];
        if name.eq_ignore_ascii_case(tag)
            && !b
                .get(name_at + tag.len())
                .is_some_and(u8::is_ascii_alphanumeric)
        {
            return tag_end(b, name_at + tag.len());
        }
        at = name_at;
    }
    b.len()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Escapes plain text for inclusion in HTML.
pub fn escape_text(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_words_apart_and_decodes_entities() {
        let html = "<p>Korea</p><p>Russia &amp; China&nbsp;talk</p><style>p{}</style>";
        assert_eq!(html_text(html), "Korea Russia & China talk");
        assert_eq!(html_text("<b>Kim</b> &amp; Putin"), "Kim & Putin");
        assert_eq!(html_text("plain  title"), "plain title");
    }

    #[test]
    fn text_of_raw_html_skips_markup_and_scripts_only() {
        let cases = [
            ("a < b and c > d", "a < b and c > d"),
            ("<p title='x > y'>Kim</p>", "Kim"),
            ("Kim<!-- hidden <b>bold</b> -->meets", "Kim meets"),
            ("<SCRIPT>var s = '</p>';</script>Shoigu", "Shoigu"),
            ("<style>p{}</style ><p>Putin", "Putin"),
            ("<script src=x.js/>Lavrov", "Lavrov"),
            ("<scripts>Seoul</scripts>", "Seoul"),
            ("<script>never closed", ""),
            ("<![CDATA[x]]>Moscow<?php echo 1 ?>", "Moscow"),
            ("&lt;b&gt; is text &#x41;&#66;", "<b> is text AB"),
            ("Pyong<br/>yang", "Pyong yang"),
            ("unclosed <a href=\"x", "unclosed"),
            ("trailing <", "trailing <"),
            ("Россия</b>и<i>Корея", "Россия и Корея"),
        ];
        for (html, text) in cases {
            assert_eq!(html_text(html), text, "{html}");
        }
    }

    proptest::proptest! {
        /// The scanner never panics on arbitrary, also broken, markup.
        #[test]
        fn text_of_any_markup(html in "(<[a-z/!?]{0,3}[a-z ='\"]{0,6}>?|[a-zé&;<> ]{0,5}|<script>|</script>|<!--|-->){0,12}") {
            let _ = html_text(&html);
        }

        /// Escaped plain text reads back as itself (single-spaced).
        #[test]
        fn escaped_text_reads_back(text in "\\PC{0,40}") {
            proptest::prop_assert_eq!(
                html_text(&escape_text(&text)),
                crate::text::clean_line(&text)
            );
        }
    }
}
