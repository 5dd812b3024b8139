//! Identity: which stored entry a parsed entry is (its key within its feed and its stable public
//! id), canonical URLs, and the content fingerprint that tells an update from a re-poll.
//! Pure functions; no I/O.

use crate::model::Entry;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use url::Url;

/// Query parameters that only track the reader and never select content. Removed from
/// canonical URLs. Entries ending in `*` are prefixes.
pub const TRACKING_PARAMS: &[&str] = &[
    "utm_*",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
    "cmpid",
    "ncid",
    "ocid",
    "icid",
    "__twitter_impression",
    "_ga",
    "yclid",
    "igshid",
    "at_medium",
    "at_campaign",
    "rss",
    "feed",
    "from",
    "taid",
    "smid",
    "soc_src",
    "soc_trk",
];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *p,
    })
}

/// The form of a page URL used to tell whether two links are the same page: scheme folded to
/// https, host lower-cased without `www.`, `m.` or `amp.`, default port, fragment, tracking
/// parameters, a trailing `/amp` and a trailing slash dropped, remaining parameters sorted.
/// `None` for anything but an absolute http(s) URL.
pub fn canonical_url(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.');
    let host = ["www.", "m.", "amp.", "mobile."]
        .iter()
        .find_map(|p| host.strip_prefix(p).filter(|rest| rest.contains('.')))
        .unwrap_or(host);
    let mut out = format!("https://{host}");
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    let mut path = url.path().to_string();
    for suffix in ["/amp/", "/amp"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.to_string();
        }
    }
    let path = path.trim_end_matches('/');
    out.push_str(if path.is_empty() { "/" } else { path });
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !params.is_empty() {
        params.sort();
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        ser.extend_pairs(params);
        out.push('?');
        out.push_str(&ser.finish());
    }
    Some(out)
}

/// The form of a feed URL used to tell whether two configured URLs are the same feed: parsed
/// and printed again, so scheme and host case, default ports and escapes do not matter.
pub fn feed_url_key(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(u) => u.to_string(),
        Err(_) => url.trim().to_string(),
    }
}

/// Whether two configured feed URLs name the same feed (scheme and host compared case-blind).
pub fn same_feed_url(a: &str, b: &str) -> bool {
    feed_url_key(a) == feed_url_key(b)
}

fn sha_hex(parts: &[&str], bytes: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..bytes])
}

/// Keys that identify each entry within its feed, in document order. A guid is used when the
/// feed gives one that is unique in the document; else the canonical link; else a hash of the
/// title, date and text. Entries that end with a key already taken get `None`: the document
/// repeats an entry and only its first copy counts.
pub fn entry_keys(entries: &[Entry]) -> Vec<Option<String>> {
    let mut guid_count: HashMap<&str, usize> = HashMap::new();
    for e in entries {
        if let Some(g) = e.guid.as_deref() {
            *guid_count.entry(g).or_default() += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .map(|e| {
            let key = match e.guid.as_deref() {
                // A guid shared by several entries identifies none of them.
                Some(g) if guid_count[g] == 1 => format!("g:{g}"),
                _ => fallback_key(e),
            };
            seen.insert(key.clone()).then_some(key)
        })
        .collect()
}

fn fallback_key(e: &Entry) -> String {
    if let Some(c) = e.link.as_deref().and_then(canonical_url) {
        return format!("l:{c}");
    }
    let published = e.published.map(|d| d.to_rfc3339()).unwrap_or_default();
    format!("h:{}", sha_hex(&[&e.title, &published, &e.text], 16))
}

/// The public id of an entry: stable across polls and restarts, never reused by another feed.
pub fn entry_uid(feed_url: &str, key: &str) -> String {
    sha_hex(&[feed_url.trim(), key], 16)
}

/// Fingerprint of what a reader sees of an entry: a changed fingerprint is an update.
pub fn content_hash(e: &Entry) -> String {
    let published = e.published.map(|d| d.to_rfc3339()).unwrap_or_default();
    let updated = e.updated.map(|d| d.to_rfc3339()).unwrap_or_default();
    let authors = e.authors.join("\u{1}");
    let categories = e.categories.join("\u{1}");
    sha_hex(
        &[
            &e.title,
            e.link.as_deref().unwrap_or(""),
            e.summary_html.as_deref().unwrap_or(""),
            e.content_html.as_deref().unwrap_or(""),
            &authors,
            &categories,
            &published,
            &updated,
        ],
        16,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_urls_fold_tracking_and_variants() {
        let c = |s| canonical_url(s).unwrap();
        assert_eq!(
            c("HTTP://WWW.Example.com:80/a/b/?utm_source=rss&b=2&a=1#top"),
            "https://example.com/a/b?a=1&b=2"
        );
        assert_eq!(
            c("https://m.example.com/story/amp"),
            c("https://example.com/story")
        );
        assert_eq!(c("https://example.com"), "https://example.com/");
        assert_eq!(
            c("https://example.com:8443/x"),
            "https://example.com:8443/x"
        );
        assert_eq!(canonical_url("javascript:alert(1)"), None);
        assert_eq!(canonical_url("/relative"), None);
    }

    fn entry(guid: Option<&str>, link: Option<&str>, title: &str) -> Entry {
        Entry {
            guid: guid.map(str::to_string),
            link: link.map(str::to_string),
            title: title.to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn keys_prefer_unique_guids_then_links_then_hashes() {
        let es = [
            entry(Some("a"), Some("https://x/1"), "one"),
            entry(Some("same"), Some("https://x/2"), "two"),
            entry(Some("same"), Some("https://x/3"), "three"),
            entry(None, None, "four"),
            entry(None, Some("https://x/1?utm_medium=rss"), "five"),
            entry(None, Some("https://x/1"), "five again"),
        ];
        let keys = entry_keys(&es);
        assert_eq!(keys[0].as_deref(), Some("g:a"));
        assert_eq!(keys[1].as_deref(), Some("l:https://x/2"));
        assert_eq!(keys[2].as_deref(), Some("l:https://x/3"));
        assert!(keys[3].as_deref().unwrap().starts_with("h:"));
        assert_eq!(keys[4].as_deref(), Some("l:https://x/1"));
        assert_eq!(keys[5], None, "the repeated link is the same entry");
        // Stable: the same input gives the same keys.
        assert_eq!(entry_keys(&es), keys);
    }

    #[test]
    fn content_hash_changes_with_visible_content_only() {
        let a = entry(Some("a"), Some("https://x/1"), "one");
        let mut b = a.clone();
        assert_eq!(content_hash(&a), content_hash(&b));
        b.title = "one, updated".into();
        assert_ne!(content_hash(&a), content_hash(&b));
    }
}
