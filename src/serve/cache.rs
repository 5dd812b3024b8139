//! Rendered outputs, kept until what they show changes. An entry is valid while the config it
//! was rendered with is the running one and the store's version of its topics is the one read
//! before rendering (see `store::Changes`); so a reader's request for an unchanged topic is
//! answered from memory, a conditional one before any entry is read. Each body is compressed
//! (gzip, brotli) at most once, when a reader first asks for that encoding.

use crate::config::Config;
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use lru::LruCache;
use std::collections::HashMap;
use std::io::Write;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Rendered outputs kept: every topic in every format, first pages and a few others.
const ENTRIES: usize = 512;

/// What was rendered: the kind of output, its topic, and the request's paging.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: &'static str,
    /// None for the combined feed.
    pub topic: Option<String>,
    pub limit: Option<u32>,
    pub before: Option<(i64, i64)>,
    /// Whether its links carry the private topic's token.
    pub token_links: bool,
    /// For pages that show relative times: the minute they were rendered in (0 for feeds).
    pub minute: i64,
}

/// A content encoding the server can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The best encoding `accept` (an `Accept-Encoding` value) allows: brotli, then gzip.
    pub fn choose(accept: Option<&str>) -> Encoding {
        let Some(accept) = accept else {
            return Encoding::Identity;
        };
        let allowed = |name: &str| {
            accept.split(',').any(|part| {
                let mut it = part.split(';');
                let coding = it.next().unwrap_or("").trim();
                let refused = it.any(|p| {
                    let p = p.trim().replace(' ', "");
                    p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if allowed("br") {
            Encoding::Brotli
        } else if allowed("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }
}

/// One rendered output with its validators.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub content_type: &'static str,
    /// Strong ETag of the uncompressed body, quoted.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    /// How long a reader may keep it (`Cache-Control: max-age`).
    pub max_age: Duration,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl Rendered {
    pub fn new(body: String, content_type: &'static str, last_modified: DateTime<Utc>) -> Self {
        use sha2::{Digest, Sha256};
        let etag = format!(
            "\"{}\"",
            hex::encode(&Sha256::digest(body.as_bytes())[..12])
        );
        Rendered {
            body: Bytes::from(body),
            content_type,
            etag,
            last_modified,
            max_age: Duration::from_secs(60),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The same, kept by readers for `max_age`.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The body in `encoding`, compressed on first use.
    pub fn encoded(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.body.clone(),
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.body)).clone(),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.body)).clone(),
        }
    }

    /// The ETag of the body in `encoding`: each encoding is its own representation.
    pub fn etag_for(&self, encoding: Encoding) -> String {
        match encoding.header() {
            None => self.etag.clone(),
            Some(name) => format!("{}-{name}\"", self.etag.trim_end_matches('"')),
        }
    }

    /// Whether an `If-None-Match` value names this output in any encoding.
    pub fn matches_etag(&self, if_none_match: &str) -> bool {
        let bare = self.etag.trim_matches('"');
        if_none_match.split(',').any(|t| {
            let t = t.trim();
            let t = t.strip_prefix("W/").unwrap_or(t);
            if t == "*" {
                return true;
            }
            let Some(inner) = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
                return false;
            };
            inner == bare
                || inner
                    .strip_prefix(bare)
                    .is_some_and(|rest| rest == "-gzip" || rest == "-br")
        })
    }
}

fn gzip(body: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(body).expect("writing to memory cannot fail");
    Bytes::from(enc.finish().expect("writing to memory cannot fail"))
}

fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        // Quality 6 of 11: within a few percent of the best size at a fraction of the time.
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 6, 22);
        w.write_all(body).expect("writing to memory cannot fail");
    }
    Bytes::from(out)
}

struct Slot {
    config: Arc<Config>,
    version: u64,
    rendered: Arc<Rendered>,
}

/// The cache of rendered outputs.
pub struct RenderCache {
    slots: Mutex<LruCache<Key, Slot>>,
    /// One render at a time per key: requests that miss together wait for the first one's
    /// render instead of each doing the same work.
    renders: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache {
            slots: Mutex::new(LruCache::new(NonZeroUsize::new(ENTRIES).expect("non-zero"))),
            renders: Mutex::new(HashMap::new()),
        }
    }
}

impl RenderCache {
    /// The output for `key` if it was rendered with `config` at `version`.
    pub fn get(&self, key: &Key, config: &Arc<Config>, version: u64) -> Option<Arc<Rendered>> {
        let mut slots = self.slots.lock().expect("render cache");
        let slot = slots.get(key)?;
        (slot.version == version && Arc::ptr_eq(&slot.config, config))
            .then(|| slot.rendered.clone())
    }

    /// The lock that one render of `key` holds; hold it, then look in the cache again.
    pub fn render_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        self.renders
            .lock()
            .expect("render locks")
            .entry(key.clone())
            .or_default()
            .clone()
    }

    /// Forgets the render lock of `key` once nobody else holds or waits for it.
    pub fn release(&self, key: &Key, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut renders = self.renders.lock().expect("render locks");
        // Two references: the map's and the caller's.
        if Arc::strong_count(&lock) <= 2 {
            renders.remove(key);
        }
    }

    pub fn put(&self, key: Key, config: Arc<Config>, version: u64, rendered: Arc<Rendered>) {
        self.slots.lock().expect("render cache").put(
            key,
            Slot {
                config,
                version,
                rendered,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_accept_encoding() {
        assert_eq!(Encoding::choose(None), Encoding::Identity);
        assert_eq!(
            Encoding::choose(Some("gzip, deflate, br")),
            Encoding::Brotli
        );
        assert_eq!(Encoding::choose(Some("gzip")), Encoding::Gzip);
        assert_eq!(Encoding::choose(Some("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(Encoding::choose(Some("identity")), Encoding::Identity);
    }

    #[test]
    fn an_etag_is_recognised_in_every_encoding() {
        let r = Rendered::new("<feed/>".into(), "application/atom+xml", Utc::now());
        assert!(r.matches_etag(&r.etag));
        assert!(r.matches_etag(&r.etag_for(Encoding::Gzip)));
        assert!(r.matches_etag(&format!("W/{}", r.etag_for(Encoding::Brotli))));
        assert!(r.matches_etag(&format!("\"other\", {}", r.etag)));
        assert!(!r.matches_etag("\"other\""));
        let plain = r.encoded(Encoding::Identity);
        let mut back = String::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&r.encoded(Encoding::Gzip)[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back.as_bytes(), &plain[..]);
    }
}
