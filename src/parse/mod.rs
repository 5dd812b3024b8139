//! Bytes → [`ParsedFeed`]: feed-rs reads RSS 0.9x/1.0/2.0, Atom and JSON Feed; we then normalise
//! every entry (plain-text titles, absolute http(s) links, text for matching). Entry HTML is kept
//! as the feed gave it, with the base URL its relative links need: it is sanitised when served
//! (`serve::html`), so the work is spent on the few entries a reader sees, not on
//! every entry of every poll.
//! Pure: no I/O, no ids, no duplicate decisions. [`parse_guarded`] turns a parser panic into an
//! error, so one hostile feed cannot take the daemon down.

pub mod encoding;
pub mod html;
mod names;
mod repair;
mod skip;

use crate::model::{Entry, FeedFormat, ParsedFeed};
use html::html_text;
use repair::{
    atom_03_as_atom_10, atom_text_types_repaired, bad_xml_base_removed, cdf_as_rss,
    contacts_spaced, contains, head_str, item_elements, other_titles, rss_root, rss_version_fixed,
    userland_namespace_removed,
};
use skip::skip_schedule;
use std::fmt;
use url::Url;

/// A document that could not be read as a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// The parser crashed on this document (a bug in it, not in the feed alone).
    pub panicked: bool,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses like [`parse_http`], turning a panic inside the parser into an error.
pub fn parse_guarded(
    bytes: &[u8],
    base_url: &str,
    content_type: Option<&str>,
) -> Result<ParsedFeed, ParseError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_http(bytes, base_url, content_type)
    })) {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ParseError {
                message: format!("the feed parser crashed on this document: {msg}"),
                panicked: true,
            })
        }
    }
}

fn is_html(content_type: &str) -> bool {
    content_type.contains("html")
}

/// Resolves `href` against `base`, keeping only http(s) and mailto URLs.
fn absolute(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match base {
        Some(b) => b.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

/// Titles are plain text whatever their declared type: many RSS feeds put escaped markup in
/// them, so markup is always stripped.
fn text_of(t: &feed_rs::model::Text) -> String {
    html_text(&t.content)
}

/// The HTML of a text construct: as given if it is HTML (untrusted: sanitised on output),
/// escaped if it is plain text. Characters XML forbids are dropped (plain text loses them in [`html_text`]).
fn html_of(body: String, content_type: &str) -> Option<String> {
    let body = match crate::text::xml_legal(&body) {
        std::borrow::Cow::Borrowed(_) => body,
        std::borrow::Cow::Owned(legal) => legal,
    };
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(if !is_html(content_type) {
        format!("<p>{}</p>", html::escape_text(trimmed))
    } else if trimmed.len() == body.len() {
        body
    } else {
        trimmed.to_string()
    })
}

/// Most bytes of HTML kept for one summary or content.
pub const MAX_HTML_BYTES: usize = 512 * 1024;
/// Deepest nesting of elements kept as markup: sanitising (on output) costs time that grows
/// with the square of the depth, and no article nests anywhere near this.
pub const MAX_HTML_DEPTH: usize = 64;

/// An entry's HTML within bounds: markup nested deeper than [`MAX_HTML_DEPTH`], or larger than
/// [`MAX_HTML_BYTES`], is flattened to its text (cut at the size bound), with a warning on the
/// feed.
fn bounded_html(html: String, i: usize, what: &str, warnings: &mut Vec<String>) -> String {
    let depth = html::nesting_depth(&html);
    if depth <= MAX_HTML_DEPTH && html.len() <= MAX_HTML_BYTES {
        return html;
    }
    let mut text = html_text(&html);
    if text.len() > MAX_HTML_BYTES {
        let cut = (0..=MAX_HTML_BYTES)
            .rev()
            .find(|&b| text.is_char_boundary(b))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    warnings.push(if depth > MAX_HTML_DEPTH {
        format!(
            "entry {}: {what} HTML nested {depth} elements deep (more than {MAX_HTML_DEPTH}): kept as text",
            i + 1
        )
    } else {
        format!(
            "entry {}: {what} HTML of {} KiB (more than {} KiB): kept as text",
            i + 1,
            html.len() / 1024,
            MAX_HTML_BYTES / 1024
        )
    });
    format!("<p>{}</p>", html::escape_text(&text))
}

/// The plain text of an entry for matching: its summary and content (HTML as the feed gave it),
/// once each when one repeats the other.
pub fn entry_text(summary_html: Option<&str>, content_html: Option<&str>) -> String {
    let summary_text = summary_html.map(html_text).unwrap_or_default();
    let content_text = content_html.map(html_text).unwrap_or_default();
    if content_text.is_empty() || content_text == summary_text {
        summary_text
    } else if summary_text.is_empty() || content_text.contains(&summary_text) {
        content_text
    } else {
        format!("{summary_text} {content_text}")
    }
}

/// Parses one feed document as [`parse_http`] does, without an HTTP `Content-Type`.
pub fn parse(bytes: &[u8], base_url: &str) -> Result<ParsedFeed, ParseError> {
    parse_http(bytes, base_url, None)
}

/// Parses one feed document fetched from (or standing for) `base_url`.
/// `content_type` is the HTTP header, whose charset counts when the bytes are not UTF-8.
pub fn parse_http(
    bytes: &[u8],
    base_url: &str,
    content_type: Option<&str>,
) -> Result<ParsedFeed, ParseError> {
    let base = Url::parse(base_url).ok();
    let (decoded, encoding) = encoding::to_utf8(bytes, content_type);
    let bytes: &[u8] = &decoded;
    let head = head_str(bytes);
    let versioned = rss_version_fixed(bytes)
        .or_else(|| atom_03_as_atom_10(bytes, head))
        .or_else(|| cdf_as_rss(bytes, head));
    let bytes = versioned.as_deref().unwrap_or(bytes);
    let cased = names::rss_names_cased(bytes);
    let bytes = cased.as_deref().unwrap_or(bytes);
    let linked = names::rss1_about_as_link(bytes);
    let bytes = linked.as_deref().unwrap_or(bytes);
    let unnamespaced = userland_namespace_removed(bytes);
    let bytes = unnamespaced.as_deref().unwrap_or(bytes);
    let spaced = contacts_spaced(bytes);
    let bytes = spaced.as_deref().unwrap_or(bytes);
    let feed = match read_repaired(bytes, base_url, base.as_ref()) {
        Ok(feed) => feed,
        // An `<rss>` with no `<channel>` is an empty feed (feed-rs rejects it; feedparser and
        // browsers read it as empty): nothing to store, but not an error to back off from.
        Err(_) if rss_root(bytes).is_some() && !contains(bytes, b"<channel") => {
            return Ok(ParsedFeed {
                format: FeedFormat::Rss2,
                encoding,
                title: None,
                site_url: None,
                ttl_minutes: None,
                skip_hours: 0,
                skip_days: 0,
                entries: Vec::new(),
                unread_items: 0,
                warnings: vec!["an <rss> document without a <channel>: no entries".into()],
            });
        }
        Err(e) => {
            return Err(ParseError {
                message: format!("not a readable RSS, Atom or JSON feed: {e}"),
                panicked: false,
            });
        }
    };
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => FeedFormat::Atom,
        feed_rs::model::FeedType::JSON => FeedFormat::Json,
        feed_rs::model::FeedType::RSS0 => FeedFormat::Rss0,
        feed_rs::model::FeedType::RSS1 => FeedFormat::Rss1,
        feed_rs::model::FeedType::RSS2 => FeedFormat::Rss2,
    };
    let mut warnings = Vec::new();
    let site_url = feed
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .find_map(|l| absolute(base.as_ref(), &l.href));
    let title = feed.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let mut entries: Vec<Entry> = feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry_of(e, base.as_ref(), i, &mut warnings))
        .collect();
    // Dublin Core or Media RSS titles where RSS gave none (for items only when they line up
    // one to one with the entries read).
    let dc = (title.is_none() || entries.iter().any(|e| e.title.is_empty()))
        .then(|| other_titles(bytes))
        .flatten();
    let title = title.or_else(|| dc.as_ref().and_then(|d| d.0.clone()));
    if let Some((_, items)) = &dc
        && items.len() == entries.len()
    {
        for (e, t) in entries.iter_mut().zip(items) {
            if e.title.is_empty()
                && let Some(t) = t
            {
                e.title = t.clone();
            }
        }
    }
    // Entries the document holds that the reading above did not find.
    let unread_items = if entries.is_empty() && format != FeedFormat::Json {
        item_elements(bytes)
    } else {
        0
    };
    if unread_items > 0 {
        warnings.push(format!(
            "the document holds {unread_items} <item> or <entry> elements, but none could be read as an entry"
        ));
    }
    let (skip_hours, skip_days) = if matches!(format, FeedFormat::Rss0 | FeedFormat::Rss2) {
        skip_schedule(bytes)
    } else {
        (0, 0)
    };
    Ok(ParsedFeed {
        format,
        encoding,
        title,
        site_url,
        ttl_minutes: feed.ttl,
        skip_hours,
        skip_days,
        entries,
        unread_items,
        warnings,
    })
}

/// feed-rs's reading of `bytes`, with the repairs that are tried only when it rejects a
/// document (each on a fresh parser: feed-rs keeps state across a failed parse, and its media
/// RSS handler then asserts on the next one).
fn read_repaired(
    bytes: &[u8],
    base_url: &str,
    base: Option<&Url>,
) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    let parser = || {
        feed_rs::parser::Builder::new()
            .base_uri(Some(base_url))
            // An empty id marks "the feed gave none": `dedup` then decides identity itself,
            // instead of trusting an id generated from whatever the entry happens to have.
            .id_generator(|_, _, _| String::new())
            .build()
    };
    let mut parsed = parser().parse(bytes);
    if let Err(feed_rs::parser::ParseFeedError::ParseError(
        feed_rs::parser::ParseErrorKind::UnknownMimeType { .. },
    )) = &parsed
        && let Some(fixed) = atom_text_types_repaired(bytes)
    {
        parsed = parser().parse(fixed.as_slice());
    }
    if parsed.is_err()
        && let Some(fixed) = bad_xml_base_removed(bytes, base)
    {
        parsed = parser().parse(fixed.as_slice());
    }
    parsed
}

/// One feed-rs entry (the `i`th of its document) as ours: links made absolute against its own
/// `xml:base` or the document's URL, HTML kept as given, text extracted for matching.
fn entry_of(
    mut e: feed_rs::model::Entry,
    base: Option<&Url>,
    i: usize,
    warnings: &mut Vec<String>,
) -> Entry {
    // An entry's own xml:base, resolved against the document's URL, wins for its links.
    let entry_base = e
        .base
        .as_deref()
        .and_then(|b| match base {
            Some(doc) => doc.join(b).ok(),
            None => Url::parse(b).ok(),
        })
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .or_else(|| base.cloned());
    let link = e
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .chain(e.links.iter())
        .find_map(|l| absolute(entry_base.as_ref(), &l.href));
    if link.is_none() && !e.links.is_empty() {
        warnings.push(format!(
            "entry {}: dropped link {:?} (not an http, https or mailto URL)",
            i + 1,
            e.links[0].href
        ));
    }
    // Moved out of feed-rs's entry, not copied: they are most of its bytes.
    let summary_html = e
        .summary
        .take()
        .and_then(|s| html_of(s.content, s.content_type.as_str()));
    let content_html = e.content.take().and_then(|c| {
        let content_type = c.content_type;
        c.body.and_then(|b| html_of(b, content_type.as_str()))
    });
    let summary_html = summary_html.map(|h| bounded_html(h, i, "summary", warnings));
    let content_html = content_html.map(|h| bounded_html(h, i, "content", warnings));
    let mut categories: Vec<String> = Vec::new();
    for c in &e.categories {
        let name = html_text(c.label.as_deref().unwrap_or(&c.term));
        if !name.is_empty() && !categories.contains(&name) {
            categories.push(name);
        }
    }
    Entry {
        guid: Some(e.id.trim().to_string()).filter(|g| !g.is_empty()),
        // Without a title of its own: a media:title (read beside media content), as feedparser
        // falls back to.
        title: e
            .title
            .as_ref()
            .map(text_of)
            .filter(|t| !t.is_empty())
            .or_else(|| {
                e.media
                    .iter()
                    .filter_map(|m| m.title.as_ref().map(text_of))
                    .find(|t| !t.is_empty())
            })
            .unwrap_or_default(),
        link,
        html_base: entry_base
            .filter(|_| summary_html.is_some() || content_html.is_some())
            .map(String::from),
        text: entry_text(summary_html.as_deref(), content_html.as_deref()),
        summary_html,
        content_html,
        authors: e
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref().map(html_text))
            .filter(|n| !n.is_empty())
            .collect(),
        categories,
        published: e.published.or(e.updated),
        updated: e.updated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire &amp; Co</title><link>https://wire.example/</link><ttl>15</ttl>
<item><title>Kim &lt;b&gt;receives&lt;/b&gt; Shoigu</title><link>/2024/09/kim-shoigu?utm_source=rss</link>
<guid isPermaLink="false">wire-1</guid><description>&lt;p&gt;Russia's defence minister&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
<author>desk@wire.example (Desk)</author><category>Politics</category>
<pubDate>Fri, 13 Sep 2024 10:00:00 GMT</pubDate></item>
<item><title>No id here</title><link>javascript:alert(1)</link></item>
</channel></rss>"#;

    #[test]
    fn rss_entries_are_normalised() {
        let f = parse(RSS.as_bytes(), "https://wire.example/feeds/rss.xml").unwrap();
        assert_eq!(f.format, FeedFormat::Rss2);
        assert_eq!(f.title.as_deref(), Some("Wire & Co"));
        assert_eq!(f.ttl_minutes, Some(15));
        let e = &f.entries[0];
        assert_eq!(e.guid.as_deref(), Some("wire-1"));
        assert_eq!(e.title, "Kim receives Shoigu");
        assert_eq!(
            e.link.as_deref(),
            Some("https://wire.example/2024/09/kim-shoigu?utm_source=rss")
        );
        assert_eq!(
            e.text, "Russia's defence minister",
            "script content is not text"
        );
        assert_eq!(
            e.html_base.as_deref(),
            Some("https://wire.example/feeds/rss.xml")
        );
        assert_eq!(e.categories, ["Politics"]);
        assert!(e.published.is_some());
        let second = &f.entries[1];
        assert_eq!(second.guid, None, "no generated ids");
        assert_eq!(second.link, None, "javascript: links are dropped");
        assert_eq!(f.warnings.len(), 1);
    }

    #[test]
    fn atom_and_json_feeds_parse() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &lt;i&gt;blog&lt;/i&gt;</title>
<entry><id>tag:a,1</id><title>Hello</title><link href="posts/1"/><content type="html" xml:base="https://a.example/blog/">&lt;a href="x"&gt;x&lt;/a&gt;</content><updated>2024-09-13T10:00:00Z</updated></entry></feed>"#;
        let f = parse(atom.as_bytes(), "https://a.example/atom.xml").unwrap();
        assert_eq!(f.format, FeedFormat::Atom);
        assert_eq!(f.title.as_deref(), Some("A blog"));
        assert_eq!(
            f.entries[0].link.as_deref(),
            Some("https://a.example/posts/1")
        );
        assert_eq!(
            f.entries[0].html_base.as_deref(),
            Some("https://a.example/blog/"),
            "the content's xml:base is where its relative links point"
        );
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://j.example/1","title":"T","content_html":"<p>Body</p>"}]}"#;
        let f = parse(json.as_bytes(), "https://j.example/feed.json").unwrap();
        assert_eq!(f.format, FeedFormat::Json);
        assert_eq!(f.entries[0].text, "Body");
    }

    #[test]
    fn skip_hours_and_days_are_read_from_the_channel() {
        let rss = r#"<rss version="2.0"><channel><title>t</title><skipHours><hour>0</hour><hour> 1 </hour><hour>24</hour></skipHours>
<skipDays><day>Saturday</day><day>Sunday</day></skipDays><item><title>x</title></item></channel></rss>"#;
        let f = parse(rss.as_bytes(), "https://x.example/").unwrap();
        assert_eq!(f.skip_hours, 0b11);
        assert_eq!(f.skip_days, 0b110_0000);
        let plain = parse(RSS.as_bytes(), "https://x.example/").unwrap();
        assert_eq!((plain.skip_hours, plain.skip_days), (0, 0));
    }

    #[test]
    fn utf16_documents_are_read() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Россия</title><item><title>러시아</title></item></channel></rss>";
        let mut be = vec![0xFE, 0xFF];
        be.extend(doc.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let le_no_bom: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        for bytes in [be, le_no_bom] {
            let f = parse_guarded(&bytes, "https://x.example/", None).unwrap();
            assert_eq!(f.title.as_deref(), Some("Россия"));
            assert_eq!(f.entries[0].title, "러시아");
        }
    }

    #[test]
    fn rss_without_version_is_read_as_rss_2() {
        let doc = "<?xml version=\"1.0\"?><rss><channel><title>t</title><item><title>x</title></item></channel></rss>";
        let f = parse(doc.as_bytes(), "https://x.example/").unwrap();
        assert_eq!((f.format, f.entries.len()), (FeedFormat::Rss2, 1));
        let with = r#"<rss version="0.91"><channel><title>t</title></channel></rss>"#;
        assert_eq!(
            rss_version_fixed(with.as_bytes()),
            None,
            "a stated version is kept"
        );
    }

    #[test]
    fn unknown_rss_versions_and_atom_mime_types_do_not_fail_the_feed() {
        for version in ["0.93", "0.94", "2.01"] {
            let doc = format!(
                "<rss version='{version}'><channel><title>t</title><item><title>x</title></item></channel></rss>"
            );
            let f = parse(doc.as_bytes(), "https://x.example/").unwrap();
            assert_eq!(f.entries[0].title, "x", "{version}");
        }
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text/html">A &lt;b&gt;feed&lt;/b&gt;</title>
<entry><title type="">evil</title><summary type="application/octet-stream">QUJD</summary>
<content type="image/png" src="https://x.example/a.png"/></entry></feed>"#;
        let f = parse(atom.as_bytes(), "https://x.example/").unwrap();
        assert_eq!(f.title.as_deref(), Some("A feed"));
        assert_eq!(f.entries[0].title, "evil");
        assert_eq!(f.entries[0].text, "ABC", "base64 text is decoded");
        // Well-formed Atom is never rewritten.
        assert_eq!(
            atom_text_types_repaired(b"<feed><title type=\"html\">x</title></feed>"),
            None
        );
    }

    #[test]
    fn atom_03_is_read() {
        let doc = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title type="text/plain">Old blog</title>
<entry><title type="text/html" mode="escaped">Kim &lt;b&gt;meets&lt;/b&gt; Shoigu</title><link rel="alternate" type="text/html" href="https://old.example/1"/><id>tag:old,1</id>
<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Talks in Pyongyang.</p></div></content></entry></feed>"#;
        let f = parse(doc.as_bytes(), "https://old.example/atom.xml").unwrap();
        assert_eq!(f.title.as_deref(), Some("Old blog"));
        assert_eq!(f.entries[0].title, "Kim meets Shoigu");
        assert_eq!(f.entries[0].link.as_deref(), Some("https://old.example/1"));
        assert_eq!(f.entries[0].text, "Talks in Pyongyang.");
        let base64 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="base64">
    S2ltIDxiPm1lZXRzPC9iPiBTaG9pZ3U=
  </title></entry></feed>"#;
        let f = parse(base64.as_bytes(), "https://old.example/").unwrap();
        assert_eq!(f.entries[0].title, "Kim meets Shoigu");
        let other_ns =
            r#"<feed version="0.3" xmlns="http://purl.org/echo/"><title>Echo</title></feed>"#;
        let f = parse(other_ns.as_bytes(), "https://old.example/").unwrap();
        assert_eq!(f.title.as_deref(), Some("Echo"));
        let rss090 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Netscape</title></channel><item><title>Item</title><link>https://old.example/2</link></item></rdf:RDF>"#;
        let f = parse(rss090.as_bytes(), "https://old.example/").unwrap();
        assert_eq!(
            (f.title.as_deref(), f.entries[0].title.as_str()),
            (Some("Netscape"), "Item")
        );
    }

    #[test]
    fn cdf_is_read_as_rss() {
        let cdf = r#"<?xml version="1.0"?><!-- a 1997 channel --><CHANNEL HREF="https://cdf.example/"><TITLE>Old channel</TITLE>
<ABSTRACT>News</ABSTRACT><ITEM HREF="https://cdf.example/1" LASTMOD="2004-04-06T23:05:43-05:00"><TITLE>Kim &amp; Putin</TITLE><ABSTRACT>Summit.</ABSTRACT></ITEM></CHANNEL>"#;
        let f = parse(cdf.as_bytes(), "https://cdf.example/feed.cdf").unwrap();
        assert_eq!(f.title.as_deref(), Some("Old channel"));
        assert_eq!(f.site_url.as_deref(), Some("https://cdf.example/"));
        assert_eq!(f.entries[0].title, "Kim & Putin");
        assert_eq!(f.entries[0].link.as_deref(), Some("https://cdf.example/1"));
        assert_eq!(f.entries[0].text, "Summit.");
        let rss = b"<rss version=\"2.0\"><channel></channel></rss>";
        assert!(cdf_as_rss(rss, head_str(rss)).is_none());
    }

    #[test]
    fn a_bad_xml_base_costs_itself_not_the_feed() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://[bad"><title>t</title><entry><id>1</id><title>x</title><link href="/a"/></entry></feed>"#;
        let f = parse(doc.as_bytes(), "https://x.example/feeds/f").unwrap();
        assert_eq!(f.entries[0].link.as_deref(), Some("https://x.example/a"));
        let good = r#"<feed xml:base="https://y.example/b/"><title>t</title></feed>"#;
        assert_eq!(bad_xml_base_removed(good.as_bytes(), None), None);
    }

    #[test]
    fn rss_without_channel_is_an_empty_feed() {
        let f = parse(
            b"<?xml version=\"1.0\" encoding=\"big5\"?>\n<rss>\n</rss>",
            "https://x.example/",
        )
        .unwrap();
        assert!(f.entries.is_empty());
        assert_eq!(f.warnings.len(), 1);
        assert!(
            parse(b"<rss version=\"2.0\"><channel>", "https://x.example/").is_err(),
            "a cut-off channel is still an error"
        );
    }

    #[test]
    fn characters_xml_forbids_are_not_stored() {
        let doc = "<rss version=\"2.0\"><channel><title>T\u{1b}</title><item><title>A\u{0b}B</title>\
            <description>x\u{1b}y &lt;i&gt;\u{fffe}z&lt;/i&gt;</description><guid>1</guid></item></channel></rss>";
        let feed = parse(doc.as_bytes(), "https://t.example/").unwrap();
        let e = &feed.entries[0];
        assert_eq!(feed.title.as_deref(), Some("T"));
        assert_eq!(e.title, "A B");
        assert_eq!(e.summary_html.as_deref(), Some("xy <i>z</i>"));
    }

    #[test]
    fn rss_in_the_userland_namespace_is_read_as_rss_2() {
        for doc in [
            r#"<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>U</title><item><title>One</title><guid>1</guid></item></channel></rss>"#,
            r#"<r:rss version="2.0" xmlns:r="http://backend.userland.com/rss2"><r:channel><r:title>U</r:title><r:item><r:title>One</r:title><r:guid>1</r:guid></r:item></r:channel></r:rss>"#,
        ] {
            let feed = parse(doc.as_bytes(), "https://u.example/").unwrap();
            assert_eq!(feed.title.as_deref(), Some("U"), "{doc}");
            assert_eq!(feed.entries.len(), 1, "{doc}");
            assert_eq!(feed.entries[0].title, "One");
            assert_eq!(feed.unread_items, 0);
        }
    }

    #[test]
    fn items_that_cannot_be_read_are_counted_and_said() {
        let doc = r#"<rss version="2.0" xmlns="urn:some-other-namespace"><channel><title>X</title><item><title>a</title></item><item/></channel></rss>"#;
        let feed = parse(doc.as_bytes(), "https://x.example/").unwrap();
        assert!(feed.entries.is_empty());
        assert_eq!(feed.unread_items, 2);
        assert!(
            feed.warnings.iter().any(|w| w.contains("holds 2 <item>")),
            "{:?}",
            feed.warnings
        );
        // An empty channel is an empty feed.
        let empty = parse(b"<rss version=\"2.0\"><channel><title>E</title><itemCount>0</itemCount></channel></rss>", "https://x.example/").unwrap();
        assert_eq!(empty.unread_items, 0);
        assert!(empty.warnings.is_empty(), "{:?}", empty.warnings);
    }

    #[test]
    fn dublin_core_and_media_titles_stand_in_for_missing_titles() {
        let doc = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<dc:title>Channel &amp; Co</dc:title>
<item><dc:title><![CDATA[First <i>one</i>]]></dc:title><guid>1</guid></item>
<item><title>Own title</title><dc:title>Not this</dc:title><guid>2</guid></item>
<item><media:title type="plain">Third</media:title><guid>3</guid></item>
</channel></rss>"#;
        let feed = parse(doc.as_bytes(), "https://t.example/").unwrap();
        assert_eq!(feed.title.as_deref(), Some("Channel & Co"));
        let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["First one", "Own title", "Third"]);
    }

    /// Read as feedparser reads them (its `wellformed` cases of the same kind): titles in
    /// other cases in a podcast feed, an RSS 1.0 item named only by `rdf:about`, and Atom 0.3
    /// titles holding inline markup.
    #[test]
    fn titles_and_items_other_readers_see_are_not_lost() {
        let podcast = r#"<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel><TiTlE>Example title</TiTlE><Item><Title>Episode</Title><GUID>1</GUID></Item></channel></rss>"#;
        let feed = parse(podcast.as_bytes(), "https://t.example/").unwrap();
        assert_eq!(feed.title.as_deref(), Some("Example title"));
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.entries[0].title, "Episode");

        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://e.example/index.rdf"><title>R</title></channel><item rdf:about="http://e.example/1"><title>Example title</title></item></rdf:RDF>"#;
        let feed = parse(rdf.as_bytes(), "https://e.example/index.rdf").unwrap();
        assert_eq!(feed.entries.len(), 1, "{:?}", feed.warnings);
        assert_eq!(feed.entries[0].title, "Example title");
        assert_eq!(feed.entries[0].link.as_deref(), Some("http://e.example/1"));

        let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Example <b>Atom</b></title><entry><title>Kim <i>meets</i> Shoigu</title><id>tag:x,1</id></entry></feed>"#;
        let feed = parse(atom03.as_bytes(), "https://t.example/").unwrap();
        assert_eq!(feed.title.as_deref(), Some("Example Atom"));
        assert_eq!(feed.entries[0].title, "Kim meets Shoigu");
    }

    /// Found by the `feed` fuzz target: a no-break space before the Userland namespace
    /// attribute was taken for the whitespace that starts its name, and the repair panicked.
    #[test]
    fn a_non_ascii_space_before_a_namespace_is_not_a_panic() {
        let doc = "<rss\u{a0}xmlns=\"http://backend.userland.com/rss\"><channel/></rss>";
        let _ = parse(doc.as_bytes(), "https://t.example/");
    }

    #[test]
    fn an_address_against_a_non_ascii_name_does_not_lose_the_feed() {
        for author in [
            "기자 “hong@yna.example”",
            "«kim@kcna.example» 김정은",
            "Müller—mueller@x.example",
            "Kim Jong 《kim@kcna.example》",
        ] {
            let doc = format!(
                "<rss version=\"2.0\"><channel><title>T</title><managingEditor>{author}</managingEditor><item><title>A</title><author>{author}</author><guid>1</guid></item></channel></rss>"
            );
            let feed = parse(doc.as_bytes(), "https://t.example/")
                .unwrap_or_else(|e| panic!("{author}: {e}"));
            assert_eq!(feed.entries.len(), 1, "{author}");
            let name = &feed.entries[0].authors;
            assert!(name.iter().any(|n| !n.is_ascii()), "{author}: {name:?}");
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(
            parse(
                b"<html><body>not a feed</body></html>",
                "https://x.example/"
            )
            .is_err()
        );
        assert!(parse(b"", "https://x.example/").is_err());
    }
}
