//! Identity: which stored entry a parsed entry is (its key within its feed and its stable public
//! id), canonical URLs, and the content fingerprint that tells an update from a re-poll; and
//! (`story`) whether two entries of different feeds tell the same story in other words.
//! Pure functions; no I/O.

pub mod story;

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

/// Redirect wrappers: (host, or a host suffix when it starts with `.`; path; the parameter that
/// holds the real URL). Google Alerts and Google Search links, Bing News, Facebook's link shim,
/// DuckDuckGo, Tumblr. (Google News `/rss/articles/…` links encode the target in a form that
/// cannot be read without fetching them, so they stay as they are.)
pub const REDIRECT_WRAPPERS: &[(&str, &str, &str)] = &[
    ("google.*", "/url", "url"),
    ("google.*", "/url", "q"),
    ("bing.com", "/news/apiclick.aspx", "url"),
    ("l.facebook.com", "/l.php", "u"),
    ("lm.facebook.com", "/l.php", "u"),
    ("duckduckgo.com", "/l/", "uddg"),
    ("t.umblr.com", "/redirect", "z"),
];

/// `com`, a country code (`ru`), or `co.`/`com.` and a country code (`co.kr`, `com.au`).
fn is_google_tld(tld: &str) -> bool {
    let cc = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase());
    tld == "com"
        || cc(tld)
        || tld
            .strip_prefix("co.")
            .or_else(|| tld.strip_prefix("com."))
            .is_some_and(cc)
}

/// The URL a redirect wrapper points to, if `url` is one (see [`REDIRECT_WRAPPERS`]).
fn unwrapped(url: &Url) -> Option<Url> {
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    for (h, path, param) in REDIRECT_WRAPPERS {
        let host_ok = match h.strip_suffix(".*") {
            Some(name) => host
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(is_google_tld),
            None => host == *h,
        };
        if !host_ok || url.path() != *path {
            continue;
        }
        if let Some((_, target)) = url.query_pairs().find(|(k, _)| k == param) {
            let target = Url::parse(&target).ok()?;
            if matches!(target.scheme(), "http" | "https") {
                return Some(target);
            }
        }
    }
    None
}

/// A 63-bit key of a canonical URL (FNV-1a, stable across builds: it is stored), which the store
/// indexes stories by instead of the URL itself: the index of eight-byte keys stays in cache
/// where one of 100-byte URLs did not, and each lookup still compares the URL.
pub fn url_key(canonical: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h >> 1) as i64
}

/// The form of a page URL used to tell whether two links are the same page: redirect wrappers
/// (Google Alerts, ...) unwrapped, scheme folded to https, host lower-cased without `www.`, `m.`
/// or `amp.`, default port, fragment, tracking parameters, a trailing `/amp` and a trailing
/// slash dropped, remaining parameters sorted. `None` for anything but an absolute http(s) URL.
pub fn canonical_url(link: &str) -> Option<String> {
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    // A wrapper may wrap another; three levels are plenty.
    for _ in 0..3 {
        match unwrapped(&url) {
            Some(inner) => url = inner,
            None => break,
        }
    }
    // A host of dots only (`http://./`) names no page; a host without its trailing dots must
    // still be one (`a..8.` is a name, `a..8` an invalid address).
    let written = url.host_str()?;
    let host = Some(written.trim_end_matches('.')).filter(|h| !h.is_empty())?;
    if host.len() != written.len() {
        // …and read back as itself (`5.` is a name, `5` the address 0.0.0.5).
        let reread = Url::parse(&format!("https://{host}/")).ok()?;
        if reread.host_str() != Some(host) {
            return None;
        }
    }
    // Every such prefix, so that the result is its own canonical form (`m.www.x.com` → `x.com`).
    let mut host = host;
    while let Some(rest) = ["www.", "m.", "amp.", "mobile."]
        .iter()
        .find_map(|p| host.strip_prefix(p).filter(|rest| rest.contains('.')))
    {
        host = rest;
    }
    let mut out = format!("https://{host}");
    // With the scheme folded to https, either default port is the default.
    if let Some(port) = url.port().filter(|p| !matches!(p, 80 | 443)) {
        out.push_str(&format!(":{port}"));
    }
    // Trailing slashes and `/amp` dropped until none is left (`/a/amp//` → `/a`), so that the
    // result is its own canonical form.
    let mut path = url.path();
    loop {
        let trimmed = path.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/amp").unwrap_or(trimmed);
        if trimmed == path {
            break;
        }
        path = trimmed;
    }
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
/// feed gives one that no other item of the document carries (copies of one item, with the
/// same link, or the same title where there is no link, count as one); else the canonical
/// link; else a hash of the title, date and text. Entries that end with a key already taken
/// get `None`: the document repeats an entry and only its first copy counts.
pub fn entry_keys(entries: &[Entry]) -> Vec<Option<String>> {
    // For each guid, the one item it names, or `None` once two different items carry it.
    let mut named: HashMap<&str, Option<String>> = HashMap::new();
    for e in entries {
        if let Some(g) = e.guid.as_deref() {
            let item = same_item_key(e);
            named
                .entry(g)
                .and_modify(|n| {
                    if n.as_ref() != Some(&item) {
                        *n = None;
                    }
                })
                .or_insert(Some(item));
        }
    }
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .map(|e| {
            let key = match e.guid.as_deref() {
                // A guid shared by different items identifies none of them.
                Some(g) if named[g].is_some() => format!("g:{g}"),
                _ => fallback_key(e),
            };
            seen.insert(key.clone()).then_some(key)
        })
        .collect()
}

/// What makes two items of one document copies of each other: the canonical link, or the
/// title where there is no link.
fn same_item_key(e: &Entry) -> String {
    match e.link.as_deref().and_then(canonical_url) {
        Some(link) => format!("l:{link}"),
        None => format!("t:{}", e.title),
    }
}

/// Keys for a feed whose guids change from poll to poll while its links stay: an entry whose
/// key is new (a new guid, or its link because its guid is now shared with another item) but
/// whose canonical link is that of a stored entry under another key keeps the stored entry's
/// key, so it is not stored again. `keys_by_link` maps stored canonical
/// links to their keys; `known` tells whether a key is stored.
pub fn stable_keys(
    entries: &[Entry],
    mut keys: Vec<Option<String>>,
    known: impl Fn(&str) -> bool,
    keys_by_link: &HashMap<String, String>,
) -> Vec<Option<String>> {
    if keys_by_link.is_empty() {
        return keys;
    }
    // Keys in use: built only when some entry could take a stored key (rarely).
    let mut taken: Option<std::collections::HashSet<String>> = None;
    for i in 0..keys.len() {
        let Some(k) = keys[i].as_deref() else {
            continue;
        };
        // A hash key has no link to look up.
        if k.starts_with("h:") || known(k) {
            continue;
        }
        let stored = entries[i]
            .link
            .as_deref()
            .and_then(canonical_url)
            .and_then(|c| keys_by_link.get(&c));
        let Some(stored) = stored else { continue };
        let taken = taken.get_or_insert_with(|| keys.iter().flatten().cloned().collect());
        if taken.insert(stored.clone()) {
            keys[i] = Some(stored.clone());
        }
    }
    keys
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
    fn canonical_urls_are_their_own_canonical_form() {
        // Cases the `url` fuzz target found, and their neighbours.
        assert_eq!(canonical_url("http://."), None);
        assert_eq!(canonical_url("http://.../x"), None);
        for link in [
            "http://a.example:443/x",
            "https://a.example:80/",
            "http://a.example:8080/x/",
        ] {
            let c = canonical_url(link).unwrap();
            assert_eq!(canonical_url(&c).as_deref(), Some(c.as_str()), "{link}");
        }
        assert_eq!(
            canonical_url("http://a.example:443/x").as_deref(),
            Some("https://a.example/x")
        );
    }

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
        // Redirect wrappers lead to the page they point to.
        let page = c("https://www.reuters.example/world/kim-shoigu/");
        for wrapped in [
            "https://www.google.com/url?rct=j&sa=t&url=https://www.reuters.example/world/kim-shoigu/&ct=ga&usg=AOv",
            "https://www.google.co.kr/url?q=https%3A%2F%2Fwww.reuters.example%2Fworld%2Fkim-shoigu%2F%3Futm_source%3Dx&sa=U",
            "https://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=1&url=https%3a%2f%2freuters.example%2fworld%2fkim-shoigu&c=1",
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fm.reuters.example%2Fworld%2Fkim-shoigu%2Famp&h=AT0",
        ] {
            assert_eq!(c(wrapped), page, "{wrapped}");
        }
        // Not wrappers: other paths, other hosts, a target that is not http(s).
        assert_ne!(
            c("https://www.google.com/search?q=https://x.example/"),
            "https://x.example/"
        );
        assert_ne!(
            c("https://google.evil.example/url?url=https://x.example/"),
            "https://x.example/"
        );
        assert_eq!(
            c("https://www.google.com/url?url=javascript:alert(1)"),
            "https://google.com/url?url=javascript%3Aalert%281%29"
        );
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
            entry(Some("twice"), Some("https://x/9?utm_source=a"), "nine"),
            entry(Some("twice"), Some("https://x/9"), "nine"),
        ];
        let keys = entry_keys(&es);
        assert_eq!(
            keys[6].as_deref(),
            Some("g:twice"),
            "copies of one item keep its guid"
        );
        assert_eq!(keys[7], None);
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
    fn changing_guids_keep_the_stored_key_of_their_link() {
        let stored: HashMap<String, String> = [
            ("https://x/1".to_string(), "g:first-1".to_string()),
            ("https://x/2".to_string(), "g:first-2".to_string()),
        ]
        .into();
        let known = |k: &str| k == "g:first-1" || k == "g:first-2";
        let es = [
            entry(Some("second-1"), Some("https://x/1?utm_source=rss"), "one"),
            entry(Some("second-2"), Some("https://x/2"), "two"),
            entry(Some("second-3"), Some("https://x/3"), "three"),
            entry(Some("first-1"), Some("https://x/1"), "one, unchanged guid"),
        ];
        let keys = stable_keys(&es, entry_keys(&es), known, &stored);
        assert_eq!(
            keys[0].as_deref(),
            Some("g:second-1"),
            "its stored key is in use"
        );
        assert_eq!(keys[1].as_deref(), Some("g:first-2"));
        assert_eq!(keys[2].as_deref(), Some("g:second-3"), "a new page is new");
        assert_eq!(keys[3].as_deref(), Some("g:first-1"));
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
