//! Repairs of the raw document for what feed-rs cannot read as it is: RSS versions it does
//! not know, Atom 0.3, RSS 0.90, Microsoft CDF, Atom text types given as MIME types, and
//! `xml:base` attributes that are no URL. Each is one named step on the bytes; `parse_http`
//! tries them in order.

use url::Url;

/// Atom 0.3 (old Blogger, Movable Type and LiveJournal feeds) read as Atom 1.0: a `<feed>` root
/// with `version="0.x"` gets the Atom 1.0 namespace (whatever namespace it declared: 0.3 feeds
/// used several), and its MIME-type `type` attributes become 1.0 keywords, so that feed-rs sees
/// titles, links, ids and content. (0.3's `modified`/`issued` dates are not 1.0's and stay
/// unread: such entries sort by first-seen time.) RSS 0.90 (`my.netscape.com` namespace) is
/// read as RSS 1.0, its successor with the same structure.
pub(super) fn atom_03_as_atom_10(bytes: &[u8], text: &str) -> Option<Vec<u8>> {
    const RSS_090: &str = "http://my.netscape.com/rdf/simple/0.9/";
    const RSS_10: &str = "http://purl.org/rss/1.0/";
    if let Some(at) = text.find(RSS_090) {
        let mut out = bytes[..at].to_vec();
        out.extend_from_slice(RSS_10.as_bytes());
        out.extend_from_slice(&bytes[at + RSS_090.len()..]);
        return Some(out);
    }
    let root = text.find("<feed")?;
    let root_end = root + text[root..].find('>')?;
    let tag = &text[root..root_end];
    if !(tag.contains("version=\"0.") || tag.contains("version='0.")) {
        return None;
    }
    let ns_at = root + tag.find("xmlns=")? + 6;
    let quote = text[ns_at..]
        .chars()
        .next()
        .filter(|q| *q == '"' || *q == '\'')?;
    let ns_end = ns_at + 1 + text[ns_at + 1..root_end].find(quote)?;
    let mut out = bytes[..ns_at + 1].to_vec();
    out.extend_from_slice(b"http://www.w3.org/2005/Atom");
    out.extend_from_slice(&bytes[ns_end..]);
    if let Some(marked) = std::str::from_utf8(&out)
        .ok()
        .and_then(super::names::atom_03_inline_markup)
    {
        out = marked.into_bytes();
    }
    Some(atom_text_types_repaired(&out).unwrap_or(out))
}

/// Where a CDF document's root `<CHANNEL` starts (looked for in the head): the first tag that
/// is not a declaration, comment or instruction.
fn cdf_root(head: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let lt = at + head[at..].find('<')?;
        let rest = &head[lt..];
        if rest.starts_with("<!--") {
            at = lt + rest.find("-->")? + 3;
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            at = lt + rest.find('>')? + 1;
        } else if rest.starts_with("<CHANNEL") {
            return Some(lt);
        } else {
            return None;
        }
    }
}

/// The value of attribute `name` (upper case; matched case-blind) of `tag`, quoted either way.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let upper = tag.to_ascii_uppercase();
    let at = upper.find(&format!("{name}="))? + name.len() + 1;
    let quote = tag[at..]
        .chars()
        .next()
        .filter(|q| *q == '"' || *q == '\'')?;
    let end = at + 1 + tag[at + 1..].find(quote)?;
    Some(tag[at + 1..end].to_string())
}

/// Microsoft's Channel Definition Format (1997; `<CHANNEL HREF=…><ITEM HREF=…><TITLE>`) read
/// as RSS 2.0: channel and item titles, links (`HREF`) and abstracts. Other CDF elements
/// (schedules, logos, nested channels' own data) are dropped.
pub(super) fn cdf_as_rss(bytes: &[u8], head: &str) -> Option<Vec<u8>> {
    let at = cdf_root(head)?;
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\">");
    let mut rest = &text[at..];
    let mut depth = 0;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let closing = tag.starts_with("</");
        let link = |out: &mut String| {
            if let Some(href) = attribute(tag, "HREF") {
                out.push_str("<link>");
                out.push_str(&href);
                out.push_str("</link>");
            }
        };
        match (name.as_str(), closing) {
            ("CHANNEL", false) => {
                depth += 1;
                if depth == 1 {
                    out.push_str("<channel>");
                    link(&mut out);
                }
            }
            ("CHANNEL", true) => {
                depth -= 1;
                if depth == 0 {
                    out.push_str("</channel>");
                }
            }
            ("ITEM", false) => {
                out.push_str("<item>");
                link(&mut out);
                if tag.ends_with("/>") {
                    out.push_str("</item>");
                }
            }
            ("ITEM", true) => out.push_str("</item>"),
            ("TITLE", _) => out.push_str(if closing { "</title>" } else { "<title>" }),
            ("ABSTRACT", _) => out.push_str(if closing {
                "</description>"
            } else {
                "<description>"
            }),
            // Markup this conversion does not carry over; its text stays.
            _ => {}
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.push_str("</rss>");
    Some(out.into_bytes())
}

/// The document without `xml:base` attributes that are no URL (even relative to the document's
/// own), which make feed-rs reject the whole feed; `None` when none is bad.
pub(super) fn bad_xml_base_removed(bytes: &[u8], doc_url: Option<&Url>) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("xml:base=") {
        let value_at = at + 9;
        let quote = rest[value_at..]
            .chars()
            .next()
            .filter(|q| *q == '"' || *q == '\'');
        let end = quote.and_then(|q| rest[value_at + 1..].find(q).map(|e| value_at + 1 + e));
        let (Some(_), Some(end)) = (quote, end) else {
            out.push_str(&rest[..value_at]);
            rest = &rest[value_at..];
            continue;
        };
        let value = html_escape::decode_html_entities(&rest[value_at + 1..end]);
        let good = match doc_url {
            Some(doc) => doc.join(&value).is_ok(),
            None => Url::parse(&value).is_ok(),
        };
        if good {
            out.push_str(&rest[..end + 1]);
        } else {
            out.push_str(rest[..at].trim_end_matches([' ', '\t', '\n', '\r']));
            out.push(' ');
            changed = true;
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    changed.then(|| out.into_bytes())
}

/// The first 4 KiB of a document as text (up to the last whole character): where the repairs
/// look for the root element and namespaces.
pub(super) fn head_str(bytes: &[u8]) -> &str {
    let head = &bytes[..bytes.len().min(4096)];
    match std::str::from_utf8(head) {
        Ok(h) => h,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).expect("valid up to here"),
    }
}

/// Where the `<rss` root element starts, if the document (in its first 4 KiB) has one.
pub(super) fn rss_root(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(4096)];
    head.windows(5)
        .position(|w| w[..4] == *b"<rss" && (w[4] == b'>' || w[4].is_ascii_whitespace()))
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// RSS 2.0 in the Userland namespace (`<rss version="2.0" xmlns="http://backend.userland.com/rss2">`,
/// from 2002's Radio UserLand and the feeds that copied it): every element of the document is
/// then in that namespace, and feed-rs, reading elements by namespace, finds no channel title
/// and no items. The default namespace declaration is removed from the root, as feedparser
/// reads such feeds: as plain RSS 2.0.
pub(super) fn userland_namespace_removed(bytes: &[u8]) -> Option<Vec<u8>> {
    const NAMESPACES: [&str; 2] = [
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
    ];
    let head = head_str(bytes);
    for ns in NAMESPACES {
        for quote in ['"', '\''] {
            let value = format!("={quote}{ns}{quote}");
            let Some(v) = head.find(&value) else { continue };
            // The attribute's name: `xmlns` (the default namespace) or `xmlns:PREFIX`.
            let name_start = head[..v].rfind(|c: char| c.is_ascii_whitespace())? + 1;
            let name = &head[name_start..v];
            let prefix = match name.strip_prefix("xmlns") {
                Some("") => None,
                Some(p) => Some(p.strip_prefix(':')?),
                None => continue,
            };
            let mut out = bytes[..name_start].to_vec();
            out.extend_from_slice(&bytes[v + value.len()..]);
            let Some(prefix) = prefix else {
                return Some(out);
            };
            // `<r:item>` … `</r:item>` become `<item>` … `</item>`.
            let (open, close) = (format!("<{prefix}:"), format!("</{prefix}:"));
            let text = String::from_utf8_lossy(&out);
            return Some(text.replace(&close, "</").replace(&open, "<").into_bytes());
        }
    }
    None
}

/// How many `<item>` and `<entry>` elements the document holds (start tags, any prefix): a
/// document that reads as no entries while it holds some is not an empty feed.
pub(super) fn item_elements(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + off + 1;
        i = at;
        // The local name after an optional prefix.
        let name_end = at
            + bytes[at..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b':' || b == b'_' || b == b'-'))
                .unwrap_or(bytes.len() - at);
        let name = &bytes[at..name_end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let closes = bytes
            .get(name_end)
            .is_some_and(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace());
        if closes && (local.eq_ignore_ascii_case(b"item") || local == b"entry") {
            n += 1;
        }
    }
    n
}

/// Titles an RSS document gives in other vocabularies, which feed-rs does not read:
/// `<dc:title>` (Dublin Core) of the channel (before the first item) and of each item, and an
/// item's `<media:title>` (Media RSS, read by feed-rs only beside media content). feedparser
/// reads them as titles where an element has no `<title>`. `None` when the document has none.
pub(super) fn other_titles(bytes: &[u8]) -> Option<(Option<String>, Vec<Option<String>>)> {
    if !contains(bytes, b"<dc:title") && !contains(bytes, b"<media:title") {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    // The text of the element whose start tag begins at `at`.
    let title_at = |at: usize, name: &str| -> Option<String> {
        let start = at + text[at..].find('>')? + 1;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        let raw = text[start..end].trim();
        let raw = raw
            .strip_prefix("<![CDATA[")
            .and_then(|r| r.strip_suffix("]]>"))
            .unwrap_or(raw);
        let t = super::html::html_text(raw);
        (!t.is_empty()).then_some(t)
    };
    let starts = |rest: &str, name: &str| {
        rest.strip_prefix('<')
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|r| r.starts_with(['>', ' ', '\t', '\n', '\r', '/']))
    };
    let mut channel = None;
    let mut items: Vec<Option<String>> = Vec::new();
    let mut in_item = false;
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let at = i + off;
        let rest = &text[at..];
        if starts(rest, "item") {
            items.push(None);
            in_item = !rest[..rest.find('>').unwrap_or(rest.len())].ends_with('/');
        } else if rest.starts_with("</item>") {
            in_item = false;
        } else {
            let name = ["dc:title", "media:title"]
                .into_iter()
                .find(|n| starts(rest, n));
            match name {
                Some("dc:title") if items.is_empty() && channel.is_none() => {
                    channel = title_at(at, "dc:title");
                }
                Some("dc:title") if items.is_empty() => {}
                Some(name) if in_item => {
                    if let Some(slot) = items.last_mut().filter(|s| s.is_none()) {
                        *slot = title_at(at, name);
                    }
                }
                _ => {}
            }
        }
        i = at + 1;
    }
    Some((channel, items))
}

/// RSS contact elements (`<author>`, `<managingEditor>`, `<webMaster>`) whose address touches
/// a non-ASCII character (`기자 “hong@yna.co.kr”`, `«kim@kcna.kp»`, `Name—a@b.org`): feed-rs cuts
/// the name one byte off the address and panics inside that character, losing the whole feed.
/// A space is put between the address and such a character. Found by the `feed` fuzz target.
pub(super) fn contacts_spaced(bytes: &[u8]) -> Option<Vec<u8>> {
    const TAGS: [&str; 3] = ["author", "managingEditor", "webMaster"];
    if !TAGS
        .iter()
        .any(|t| contains(bytes, format!("<{t}>").as_bytes()))
    {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut rest = text;
    while let Some((at, tag)) = TAGS
        .iter()
        .filter_map(|t| rest.find(&format!("<{t}>")).map(|i| (i, *t)))
        .min()
    {
        let open = at + tag.len() + 2;
        let Some(len) = rest[open..].find(&format!("</{tag}>")) else {
            break;
        };
        out.push_str(&rest[..open]);
        let body = &rest[open..open + len];
        if body.contains('@') && !body.is_ascii() {
            changed |= space_addresses(body, &mut out);
        } else {
            out.push_str(body);
        }
        rest = &rest[open + len..];
    }
    out.push_str(rest);
    changed.then(|| out.into_bytes())
}

/// Copies `body` to `out` with a space between each e-mail address (a run of address
/// characters holding `@`) and a non-ASCII character touching it; says whether it added one.
fn space_addresses(body: &str, out: &mut String) -> bool {
    let is_addr = |c: char| c.is_ascii_alphanumeric() || "._%+-@".contains(c);
    let mut changed = false;
    let mut i = 0;
    while i < body.len() {
        let c = body[i..].chars().next().expect("in bounds");
        if !is_addr(c) {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let end = body[i..]
            .find(|c: char| !is_addr(c))
            .map_or(body.len(), |e| i + e);
        let run = &body[i..end];
        let touches = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
        let spaced = run.contains('@');
        if spaced && touches(body[..i].chars().next_back()) {
            out.push(' ');
            changed = true;
        }
        out.push_str(run);
        if spaced && touches(body[end..].chars().next()) {
            out.push(' ');
            changed = true;
        }
        i = end;
    }
    changed
}

/// `<rss>` without a `version` attribute (common), or with one feed-rs does not know (`0.93`,
/// `0.94`, `2.01`; all rejected by feed-rs), read as `version="2.0"`. Only the root element of an
/// RSS document is touched; `2.0`, `0.91` and `0.92` are left as they are.
pub(super) fn rss_version_fixed(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = &bytes[..bytes.len().min(4096)];
    let at = rss_root(bytes)?;
    let end = at + head[at..].iter().position(|&b| b == b'>')?;
    let tag = &head[at..end];
    let mut out = Vec::with_capacity(bytes.len() + 16);
    match tag.windows(8).position(|w| w == b"version=") {
        None => {
            out.extend_from_slice(&bytes[..at + 4]);
            out.extend_from_slice(b" version=\"2.0\"");
            out.extend_from_slice(&bytes[at + 4..]);
        }
        Some(v) => {
            let quote_at = at + v + 8;
            let quote = *bytes
                .get(quote_at)
                .filter(|q| **q == b'"' || **q == b'\'')?;
            let value_end = quote_at + 1 + tag[v + 9..].iter().position(|&b| b == quote)?;
            let value = &bytes[quote_at + 1..value_end];
            if matches!(value, b"2.0" | b"" | b"0.91" | b"0.92") {
                return None;
            }
            out.extend_from_slice(&bytes[..quote_at + 1]);
            out.extend_from_slice(b"2.0");
            out.extend_from_slice(&bytes[value_end..]);
        }
    }
    Some(out)
}

/// Atom text constructs whose `type` is a MIME type (Atom 0.3 style: `text/html`,
/// `application/xhtml+xml`) or empty, which feed-rs rejects with the whole feed, given the
/// Atom 1.0 keyword instead: `html`, `xhtml`, else `text`. `None` when there is nothing to fix.
pub(super) fn atom_text_types_repaired(doc: &[u8]) -> Option<Vec<u8>> {
    const ELEMENTS: [&str; 8] = [
        "title",
        "subtitle",
        "summary",
        "rights",
        "tagline",
        "copyright",
        "info",
        "content",
    ];
    let text = std::str::from_utf8(doc).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let tag_end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..tag_end];
        let name = tag[1..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        let fixed = ELEMENTS.contains(&local).then(|| retyped(tag)).flatten();
        match fixed {
            Some((t, base64)) => {
                out.push_str(&t);
                changed = true;
                rest = &rest[tag_end..];
                // Base64 text: decoded in place, escaped as the HTML it usually is.
                let close = format!("</{name}");
                if base64 && let Some(end) = rest.find(&close) {
                    use base64::Engine as _;
                    let encoded: String =
                        rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
                    if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                        let decoded = String::from_utf8_lossy(&decoded);
                        out.push_str(&html_escape::encode_text(&decoded));
                        rest = &rest[end..];
                    }
                }
                continue;
            }
            None => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    changed.then(|| out.into_bytes())
}

/// `tag` with its `type` attribute made an Atom 1.0 keyword, if it was something else (and the
/// element has no `src`, where a MIME type is right); and whether its text is base64 (Atom
/// 0.3 `mode="base64"`, or a binary MIME type), to be decoded.
pub(super) fn retyped(tag: &str) -> Option<(String, bool)> {
    if tag.contains(" src=") {
        return None;
    }
    let base64_mode = tag.contains("mode=\"base64\"") || tag.contains("mode='base64'");
    let Some(at) = tag.find(" type=").map(|a| a + 6) else {
        // No type: only base64 text needs one (the decoded text is usually HTML).
        let close = tag.len() - if tag.ends_with("/>") { 2 } else { 1 };
        return base64_mode.then(|| {
            (
                format!("{} type=\"html\"{}", &tag[..close], &tag[close..]),
                true,
            )
        });
    };
    let quote = tag[at..]
        .chars()
        .next()
        .filter(|q| *q == '"' || *q == '\'')?;
    let end = at + 1 + tag[at + 1..].find(quote)?;
    let value = tag[at + 1..end].trim().to_ascii_lowercase();
    let binary = value.starts_with("application/") && !value.contains("xml");
    let keyword = match value.as_str() {
        "text" | "html" | "xhtml" if !base64_mode => return None,
        _ if base64_mode || binary => "html",
        v if v.contains("xhtml") => "xhtml",
        v if v.contains("html") => "html",
        _ => "text",
    };
    Some((
        format!("{}{quote}{keyword}{quote}{}", &tag[..at], &tag[end + 1..]),
        base64_mode || binary,
    ))
}
