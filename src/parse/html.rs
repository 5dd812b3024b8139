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

/// Elements that never hold others (no end tag).
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag may be left out (HTML closes them at the next sibling): they do not
/// nest by being left open, so the scan counts neither their start nor their end.
const SELF_ENDING: [&str; 13] = [
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup",
];

/// How deeply elements nest in `html` at most, by its start and end tags (a quick scan, as
/// [`html_text`] reads tags; void and self-closed elements, and those whose end tag may be left
/// out, do not nest).
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while let Some(off) = b[at..].iter().position(|&c| c == b'<') {
        let lt = at + off;
        let Some(end) = markup_end(b, lt) else {
            at = lt + 1;
            continue;
        };
        let tag = &html[lt + 1..end.min(html.len())];
        at = end.max(lt + 1);
        let name_of = |t: &'_ str| -> String {
            let end = t
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
                .unwrap_or(t.len());
            t[..end].to_ascii_lowercase()
        };
        if let Some(closing) = tag.strip_prefix('/') {
            let name = name_of(closing);
            if !name.is_empty() && !SELF_ENDING.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue; // comments, declarations, instructions
        }
        let name = name_of(tag);
        let name = name.as_str();
        // `script`, `style`, …: skipped with their content and end tag, as the scan reads them.
        if NON_TEXT
            .iter()
            .any(|t| name.as_bytes().eq_ignore_ascii_case(t))
        {
            continue;
        }
        let self_closed = tag.trim_end_matches('>').trim_end().ends_with('/');
        if !self_closed && !VOID.contains(&name) && !SELF_ENDING.contains(&name) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
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

    #[test]
    fn nesting_is_measured_by_start_and_end_tags() {
        assert_eq!(nesting_depth("plain"), 0);
        assert_eq!(nesting_depth("<div>a <b>b</b> <br> <img src=x> c</div>"), 2);
        assert_eq!(nesting_depth("<div><span>x</span><span>y</span></div>"), 2);
        assert_eq!(
            nesting_depth("<div><script>if (a<b) { '<div><div>' }</script></div>"),
            1
        );
        assert_eq!(nesting_depth("<div><!-- <div><div> --><br/></div>"), 1);
        let deep = "<div>".repeat(50_000) + &"</div>".repeat(50_000);
        assert_eq!(nesting_depth(&deep), 50_000);
        // Paragraphs and list items left open close at the next one.
        let open = "<ul>".to_string() + &"<li><p>item".repeat(500) + "</ul>";
        assert_eq!(nesting_depth(&open), 1);
        assert_eq!(
            nesting_depth("<blockquote><p>a</p></blockquote></p></li>"),
            1
        );
    }
}
