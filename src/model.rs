//! Plain shared types: what a parsed feed and entry look like, feed health states and the
//! fetch-error taxonomy. This module imports nothing else from the crate.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// Row id of a feed in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FeedId(pub i64);

/// The syndication format a document was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    Atom,
    Rss0,
    Rss1,
    Rss2,
    Json,
}

impl fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FeedFormat::Atom => "atom",
            FeedFormat::Rss0 => "rss0.9x",
            FeedFormat::Rss1 => "rss1.0",
            FeedFormat::Rss2 => "rss2.0",
            FeedFormat::Json => "json",
        })
    }
}

/// One feed document after parsing and normalisation.
#[derive(Clone, Debug)]
pub struct ParsedFeed {
    pub format: FeedFormat,
    /// The character encoding the document was read as.
    pub encoding: &'static str,
    /// Feed title as plain text.
    pub title: Option<String>,
    /// The site the feed belongs to (absolute http/https).
    pub site_url: Option<String>,
    /// RSS `<ttl>` in minutes, when the feed states one.
    pub ttl_minutes: Option<u32>,
    /// RSS `<skipHours>` as a bit set (bit n = hour n, UTC).
    pub skip_hours: u32,
    /// RSS `<skipDays>` as a bit set (bit 0 = Monday).
    pub skip_days: u8,
    pub entries: Vec<Entry>,
    /// When no entry was read: how many `<item>`/`<entry>` elements the document holds all
    /// the same (a document feedsift misreads, not an empty feed).
    pub unread_items: usize,
    /// Problems that did not prevent reading the feed (dropped links, bad dates, ...).
    pub warnings: Vec<String>,
}

/// One entry as feedsift understands it: every text field cleaned, every link absolute.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    /// The id the feed gave (RSS guid, Atom id, JSON Feed id); `None` when it gave none.
    pub guid: Option<String>,
    /// Plain text, single-spaced.
    pub title: String,
    /// Absolute http(s) link to the entry's page.
    pub link: Option<String>,
    /// HTML as the feed gave it: untrusted, sanitised on output.
    pub summary_html: Option<String>,
    /// HTML as the feed gave it: untrusted, sanitised on output.
    pub content_html: Option<String>,
    /// The URL relative links in the HTML resolve against (`xml:base`, else the feed's URL).
    pub html_base: Option<String>,
    /// Plain text of summary and content together, for matching.
    pub text: String,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

/// Health of a feed as shown by `feedsift feeds` and `/feeds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedStatus {
    /// Never polled yet.
    New,
    Ok,
    Failing,
    /// Fetched fine, but no new entry for far longer than usual.
    Silent,
    /// The server answered 410 Gone: no longer polled.
    Gone,
    /// Permanently redirected: polled at the new URL.
    Moved,
}

impl FeedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedStatus::New => "new",
            FeedStatus::Ok => "ok",
            FeedStatus::Failing => "failing",
            FeedStatus::Silent => "silent",
            FeedStatus::Gone => "gone",
            FeedStatus::Moved => "moved",
        }
    }

    pub fn parse(s: &str) -> FeedStatus {
        match s {
            "ok" => FeedStatus::Ok,
            "failing" => FeedStatus::Failing,
            "silent" => FeedStatus::Silent,
            "gone" => FeedStatus::Gone,
            "moved" => FeedStatus::Moved,
            _ => FeedStatus::New,
        }
    }
}

impl fmt::Display for FeedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a poll failed, in terms that mean something to the user (SPEC `error_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Timeout,
    Connect,
    Dns,
    Tls,
    Http4xx,
    Http5xx,
    RateLimited,
    TooLarge,
    Redirects,
    Truncated,
    InvalidResponse,
    Refused,
    Parse,
    Empty,
    /// Our own database failed while storing the poll: not the server's fault.
    Store,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::Http4xx => "http_4xx",
            ErrorKind::Http5xx => "http_5xx",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Redirects => "redirects",
            ErrorKind::Truncated => "truncated",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::Refused => "refused",
            ErrorKind::Parse => "parse",
            ErrorKind::Empty => "empty",
            ErrorKind::Store => "store",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorKind> {
        use ErrorKind::*;
        Some(match s {
            "timeout" => Timeout,
            "connect" => Connect,
            "dns" => Dns,
            "tls" => Tls,
            "http_4xx" => Http4xx,
            "http_5xx" => Http5xx,
            "rate_limited" => RateLimited,
            "too_large" => TooLarge,
            "redirects" => Redirects,
            "truncated" => Truncated,
            "invalid_response" => InvalidResponse,
            "refused" => Refused,
            "parse" => Parse,
            "empty" => Empty,
            "store" => Store,
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the store remembers about a feed between polls.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedState {
    pub id: FeedId,
    /// The URL as configured.
    pub url: String,
    /// Where a permanent redirect sent us; polled instead of `url` when set.
    pub moved_to: Option<String>,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub status: FeedStatus,
    pub next_poll: Option<DateTime<Utc>>,
    pub last_poll: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_new_entry: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub error_kind: Option<ErrorKind>,
    pub consecutive_failures: u32,
    pub entries: u64,
    /// Observed time between new entries (moving average).
    pub avg_new_secs: Option<u64>,
    /// The feed's own `<ttl>`, remembered across 304s.
    pub ttl_secs: Option<u64>,
    /// RSS `<skipHours>` (bit n = hour n, UTC) and `<skipDays>` (bit 0 = Monday).
    pub skip_hours: u32,
    pub skip_days: u8,
}

impl FeedState {
    /// A feed never polled: no validators, no history, status `new`.
    pub fn new(id: FeedId, url: impl Into<String>) -> FeedState {
        FeedState {
            id,
            url: url.into(),
            moved_to: None,
            title: None,
            site_url: None,
            etag: None,
            last_modified: None,
            status: FeedStatus::New,
            next_poll: None,
            last_poll: None,
            last_success: None,
            last_new_entry: None,
            last_error: None,
            error_kind: None,
            consecutive_failures: 0,
            entries: 0,
            avg_new_secs: None,
            ttl_secs: None,
            skip_hours: 0,
            skip_days: 0,
        }
    }

    /// The URL to fetch: the permanent-redirect target if there is one.
    pub fn fetch_url(&self) -> &str {
        self.moved_to.as_deref().unwrap_or(&self.url)
    }
}
