//! HTML for output (sanitised with ammonia, relative links made absolute) and plain text for
//! matching and titles.

use ammonia::{Builder, UrlRelative};
use url::Url;

/// Sanitises untrusted HTML: no script, no event handlers, no `javascript:` URLs; relative links
/// and images resolved against `base`.
pub struct Sanitizer {
    builder: Builder<'static>,
}

impl Sanitizer {
    pub fn new(base: Option<&Url>) -> Sanitizer {
        let mut builder = Builder::default();
        builder.url_relative(match base {
            Some(b) => UrlRelative::RewriteWithBase(b.clone()),
            None => UrlRelative::Deny,
        });
        builder.link_rel(Some("noopener noreferrer nofollow"));
        Sanitizer { builder }
    }

    pub fn clean(&self, html: &str) -> String {
        self.builder.clean(html).to_string()
    }
}

/// Plain text of sanitised HTML (as [`Sanitizer::clean`] returns it): tags become spaces,
/// entities are decoded, whitespace is collapsed. Sanitised HTML escapes every `<` in text, so
/// every `<` here opens a tag.
pub fn html_text(clean_html: &str) -> String {
    let mut stripped = String::with_capacity(clean_html.len());
    let mut rest = clean_html;
    while let Some(open) = rest.find('<') {
        stripped.push_str(&rest[..open]);
        stripped.push(' ');
        rest = match rest[open..].find('>') {
            Some(close) => &rest[open + close + 1..],
            None => "",
        };
    }
    stripped.push_str(rest);
    crate::text::clean_line(&html_escape::decode_html_entities(&stripped))
}

/// Plain text of untrusted HTML (titles, author names): markup removed, entities decoded.
pub fn strip_html(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return crate::text::clean_line(html);
    }
    let clean = Builder::empty().clean(html).to_string();
    html_text(&clean)
}

/// Escapes plain text for inclusion in HTML.
pub fn escape_text(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_scripts_handlers_and_javascript_urls() {
        let base = Url::parse("https://example.com/news/feed.xml").unwrap();
        let s = Sanitizer::new(Some(&base));
        let out = s.clean(
            r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a><a href="../a.html">rel</a><img src="/i.png"></p>"#,
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("javascript"),
            "{out}"
        );
        assert!(
            out.contains(r#"href="https://example.com/a.html""#),
            "{out}"
        );
        assert!(out.contains(r#"src="https://example.com/i.png""#), "{out}");
    }

    #[test]
    fn text_keeps_words_apart_and_decodes_entities() {
        let s = Sanitizer::new(None);
        let html = s.clean("<p>Korea</p><p>Russia &amp; China&nbsp;talk</p><style>p{}</style>");
        assert_eq!(html_text(&html), "Korea Russia & China talk");
        assert_eq!(strip_html("<b>Kim</b> &amp; Putin"), "Kim & Putin");
        assert_eq!(strip_html("plain  title"), "plain title");
    }
}
