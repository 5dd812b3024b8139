//! Repairs for documents whose elements feed-rs reads under other names or not at all:
//! RSS elements spelt in another case in a podcast feed, RSS 1.0 items that name their page
//! only in `rdf:about`, and Atom 0.3 text constructs holding naked inline markup. Each returns
//! the repaired document, or `None` when it has nothing to repair (the bytes are not copied).

/// RSS 2.0's element names as the specification spells them.
const RSS_NAMES: [&str; 25] = [
    "channel",
    "item",
    "title",
    "link",
    "description",
    "guid",
    "pubDate",
    "author",
    "category",
    "enclosure",
    "comments",
    "source",
    "language",
    "copyright",
    "managingEditor",
    "webMaster",
    "lastBuildDate",
    "ttl",
    "image",
    "url",
    "width",
    "height",
    "generator",
    "skipHours",
    "skipDays",
];

/// The iTunes podcast namespace. Apple's directory reads RSS element names in any case, and
/// so do feedparser and podcast apps for documents that declare it (`<TiTlE>`, `<Link>`).
const ITUNES: &[u8] = b"http://www.itunes.com/DTDs/Podcast-1.0.dtd";

/// Un-prefixed RSS element names spelt in another case (`<TiTlE>`, `</Item>`) in an `<rss>`
/// document that declares the iTunes namespace, spelt as RSS does.
pub(super) fn rss_names_cased(bytes: &[u8]) -> Option<Vec<u8>> {
    if !super::repair::contains(bytes, ITUNES) || super::repair::rss_root(bytes).is_none() {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let at = i + off + 1;
        i = at;
        let start = at + usize::from(text[at..].starts_with('/'));
        let len = text[start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(text.len() - start);
        let name = &text[start..start + len];
        let ends_name = text[start + len..].starts_with(['>', '/', ' ', '\t', '\r', '\n']);
        if !ends_name || name.is_empty() {
            continue;
        }
        let Some(canonical) = RSS_NAMES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name) && **n != name)
        else {
            continue;
        };
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[copied..start]);
        o.push_str(canonical);
        copied = start + len;
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some(out.into_bytes())
}

/// The RSS 1.0 namespace.
const RSS_10: &str = "http://purl.org/rss/1.0/";

/// RSS 1.0 items without a `<link>` given their `rdf:about` (the item's URI, which the
/// specification requires and which is its page in practice) as one: feed-rs drops an item
/// without a link, where feedparser reads it with `rdf:about` as its id.
pub(super) fn rss1_about_as_link(bytes: &[u8]) -> Option<Vec<u8>> {
    if !super::repair::contains(bytes, RSS_10.as_bytes()) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = text[i..].find("<item") {
        let at = i + off;
        i = at + 5;
        let Some(tag_len) = text[at..].find('>') else {
            break;
        };
        let tag = &text[at..at + tag_len];
        if !tag[5..].starts_with([' ', '\t', '\r', '\n']) || tag.ends_with('/') {
            continue;
        }
        let body_start = at + tag_len + 1;
        let body_end = text[body_start..]
            .find("</item>")
            .map_or(text.len(), |e| body_start + e);
        let body = &text[body_start..body_end];
        if body.contains("<link>") || body.contains("<link ") {
            continue;
        }
        let Some(about) = rdf_about(tag) else {
            continue;
        };
        let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
        o.push_str(&text[copied..body_start]);
        o.push_str("<link>");
        o.push_str(about);
        o.push_str("</link>");
        copied = body_start;
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some(out.into_bytes())
}

/// The value of a start tag's `rdf:about` attribute (already escaped as XML wants), if it is
/// an http(s) URI.
fn rdf_about(tag: &str) -> Option<&str> {
    let at = tag.find("rdf:about=")? + 10;
    let quote = tag[at..]
        .chars()
        .next()
        .filter(|q| matches!(q, '"' | '\''))?;
    let end = at + 1 + tag[at + 1..].find(quote)?;
    let value = tag[at + 1..end].trim();
    (value.starts_with("http://") || value.starts_with("https://")).then_some(value)
}

/// Atom 0.3 text constructs whose content is inline markup (0.3's default `mode="xml"`:
/// `<title>Example <b>Atom</b></title>`), which an Atom 1.0 reader takes as text and cuts at
/// the first child element, marked `type="xhtml"` so that the markup is read with its text.
/// Elements with a `type` or a `mode` other than `xml` are left as they are.
pub(super) fn atom_03_inline_markup(doc: &str) -> Option<String> {
    const ELEMENTS: [&str; 7] = [
        "title",
        "tagline",
        "subtitle",
        "summary",
        "copyright",
        "rights",
        "info",
    ];
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = doc[i..].find('<') {
        let at = i + off;
        i = at + 1;
        let Some(tag_len) = doc[at..].find('>') else {
            break;
        };
        let tag = &doc[at..=at + tag_len];
        let name = tag[1..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        if !ELEMENTS.contains(&name)
            || tag.ends_with("/>")
            || tag.contains(" type=")
            || (tag.contains(" mode=") && !tag.contains("mode=\"xml\""))
        {
            continue;
        }
        let body_start = at + tag.len();
        let Some(body_len) = doc[body_start..].find(&format!("</{name}>")) else {
            continue;
        };
        let body = &doc[body_start..body_start + body_len];
        if !body.contains('<') || body.trim_start().starts_with("<![CDATA[") {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(doc.len() + 64));
        o.push_str(&doc[copied..at + tag.len() - 1]);
        o.push_str(" type=\"xhtml\">");
        copied = body_start;
    }
    let mut out = out?;
    out.push_str(&doc[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(f: fn(&[u8]) -> Option<Vec<u8>>, doc: &str) -> Option<String> {
        f(doc.as_bytes()).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn rss_names_take_their_case_only_in_podcast_feeds() {
        let itunes = r#"<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><Channel><TiTlE>T</TiTlE><ITEM><pubdate>x</pubdate><itunes:Title>k</itunes:Title></ITEM></Channel></rss>"#;
        assert_eq!(
            repaired(rss_names_cased, itunes).unwrap(),
            r#"<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel><title>T</title><item><pubDate>x</pubDate><itunes:Title>k</itunes:Title></item></channel></rss>"#
        );
        let plain = "<rss><channel><TiTlE>T</TiTlE></channel></rss>";
        assert_eq!(repaired(rss_names_cased, plain), None);
        let right = r#"<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel><title>T</title></channel></rss>"#;
        assert_eq!(repaired(rss_names_cased, right), None);
    }

    #[test]
    fn rss1_items_without_a_link_get_their_about() {
        let doc = r#"<rdf:RDF xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://e.org/1"><title>A</title></item><item rdf:about="http://e.org/2"><link>http://e.org/two</link></item><item><title>C</title></item></rdf:RDF>"#;
        assert_eq!(
            repaired(rss1_about_as_link, doc).unwrap(),
            r#"<rdf:RDF xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://e.org/1"><link>http://e.org/1</link><title>A</title></item><item rdf:about="http://e.org/2"><link>http://e.org/two</link></item><item><title>C</title></item></rdf:RDF>"#
        );
        let linked = r#"<rdf:RDF xmlns="http://purl.org/rss/1.0/"><item rdf:about="urn:x"><title>A</title></item></rdf:RDF>"#;
        assert_eq!(repaired(rss1_about_as_link, linked), None);
    }

    #[test]
    fn atom_03_inline_markup_is_marked_xhtml() {
        let doc = r#"<feed><title>Example <b>Atom</b></title><tagline mode="escaped">a &lt;b></tagline><summary type="text/plain">x <i>y</i></summary><title>plain</title></feed>"#;
        assert_eq!(
            atom_03_inline_markup(doc).unwrap(),
            r#"<feed><title type="xhtml">Example <b>Atom</b></title><tagline mode="escaped">a &lt;b></tagline><summary type="text/plain">x <i>y</i></summary><title>plain</title></feed>"#
        );
        assert_eq!(atom_03_inline_markup("<feed><title>t</title></feed>"), None);
    }
}
