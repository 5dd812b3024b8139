//! Entry HTML for output: the feed's HTML, sanitised with ammonia (no script, no event
//! handlers, no `javascript:` URLs), relative links and images resolved against the entry's
//! base URL. Stored HTML is untrusted; everything that emits it goes through here.

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

/// Sanitises an entry's stored HTML for output, resolving relative links against `base`.
/// Markup nested deeper than ingest keeps (an entry stored before the bound) is served as
/// its text: sanitising it would cost time growing with the square of its depth.
pub fn clean_entry_html(html: &str, base: Option<&str>) -> String {
    use crate::parse::html::{escape_text, html_text, nesting_depth};
    if nesting_depth(html) > crate::parse::MAX_HTML_DEPTH {
        return format!("<p>{}</p>", escape_text(&html_text(html)));
    }
    let base = base.and_then(|b| Url::parse(b).ok());
    Sanitizer::new(base.as_ref()).clean(html)
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
}
