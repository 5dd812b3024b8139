//! `feedsift inspect URL|FILE`: what feedsift makes of one feed, storing nothing. One report is
//! built, then printed as JSON or as text.

use super::{CliResult, Failure, count, out, runtime};
use crate::config::{self, Config};
use crate::dedup;
use crate::fetch::{FetchOptions, Fetched, Fetcher, Validators};
use crate::model::{Entry, ParsedFeed};
use crate::parse::parse_guarded;
use crate::runtime::doc::{Source, entry_doc, topics_of};
use crate::serve::html::clean_entry_html;
use crate::topic::Matcher;
use chrono::SecondsFormat;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// What the server answered (URLs only).
#[derive(Debug, Default, Serialize)]
struct HttpReport {
    status: Option<u16>,
    final_url: Option<String>,
    moved_to: Option<String>,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    cache_control: Option<String>,
    expires: Option<String>,
}

impl HttpReport {
    fn of(f: &Fetched) -> HttpReport {
        HttpReport {
            status: Some(f.status),
            final_url: Some(f.final_url.clone()),
            moved_to: f.moved_to.clone(),
            content_type: f.content_type.clone(),
            etag: f.validators.etag.clone(),
            last_modified: f.validators.last_modified.clone(),
            cache_control: f.cache_control.clone(),
            expires: f.expires.clone(),
        }
    }

    /// The fields that have a value, named as in the JSON.
    fn lines(&self) -> Vec<(&'static str, String)> {
        let text = [
            ("final_url", &self.final_url),
            ("moved_to", &self.moved_to),
            ("content_type", &self.content_type),
            ("etag", &self.etag),
            ("last_modified", &self.last_modified),
            ("cache_control", &self.cache_control),
            ("expires", &self.expires),
        ];
        let status = self.status.map(|s| ("status", s.to_string()));
        status
            .into_iter()
            .chain(
                text.into_iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.clone()))),
            )
            .collect()
    }
}

#[derive(Debug, Serialize)]
struct EntryReport {
    id: String,
    title: String,
    link: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    authors: Vec<String>,
    categories: Vec<String>,
    topics: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    format: Option<String>,
    encoding: Option<&'static str>,
    http: Option<HttpReport>,
    title: Option<String>,
    entries: Vec<EntryReport>,
    warnings: Vec<String>,
    error: Option<String>,
}

pub fn run(config_path: &Path, target: &str, as_json: bool) -> CliResult {
    // The config is optional here: with one, entries are matched against its topics.
    let config: Option<Config> = if config_path.exists() {
        Some(config::load(config_path, super::state_dir().as_deref()).map_err(Failure::usage)?)
    } else {
        None
    };
    let report = build(config.as_ref(), target)?;
    if as_json {
        out(&(serde_json::to_string_pretty(&report).expect("JSON") + "\n"))?;
    } else {
        out(&text(&report))?;
    }
    match report.error {
        Some(e) => Err(Failure::runtime(e)),
        None => Ok(()),
    }
}

/// Fetches or reads `target`, parses it and matches its entries.
fn build(config: Option<&Config>, target: &str) -> Result<Report, Failure> {
    let mut report = Report::default();
    let is_url = target.starts_with("http://") || target.starts_with("https://");
    let read = if is_url {
        let (http, fetched) = fetch(config, target)?;
        report.http = Some(http);
        fetched
    } else {
        read_file(target)
    };
    let parsed = read.and_then(|(body, base, content_type)| {
        parse_guarded(&body, &base, content_type.as_deref())
            .map_err(|e| format!("{target}: parse: {e}"))
    });
    match parsed {
        Ok(feed) => {
            report.entries = entries(config, target, &feed);
            report.format = Some(feed.format.to_string());
            report.encoding = Some(feed.encoding);
            report.title = feed.title;
            report.warnings = feed.warnings;
        }
        Err(e) => report.error = Some(e),
    }
    Ok(report)
}

/// Body, base URL and content type of a document.
type Read = Result<(Vec<u8>, String, Option<String>), String>;

fn fetch(config: Option<&Config>, target: &str) -> Result<(HttpReport, Read), Failure> {
    let d = config.map(|c| &c.daemon);
    // The URL asked for is trusted as a configured feed's is; where it redirects is not.
    let fetcher = Fetcher::new(FetchOptions::trusting(
        d.map_or(std::time::Duration::from_secs(30), |d| d.timeout),
        d.map_or(8 * 1024 * 1024, |d| d.max_body),
        d.map_or_else(
            || config::DEFAULT_USER_AGENT.to_string(),
            |d| d.user_agent.clone(),
        ),
        std::iter::once(target),
        d.is_some_and(|d| d.allow_private_redirects),
    ))
    .map_err(Failure::runtime)?;
    let rt = runtime()?;
    Ok(
        match rt.block_on(fetcher.fetch(target, &Validators::default())) {
            Ok(f) => {
                let http = HttpReport::of(&f);
                let body = f.body.unwrap_or_default();
                (http, Ok((body, f.final_url, f.content_type)))
            }
            Err(e) => {
                let http = HttpReport {
                    status: e.status,
                    ..HttpReport::default()
                };
                (http, Err(e.to_string()))
            }
        },
    )
}

fn read_file(target: &str) -> Read {
    let path = Path::new(target);
    let body = std::fs::read(path).map_err(|e| format!("cannot read {target}: {e}"))?;
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let base = url::Url::from_file_path(&abs)
        .map(|u| u.to_string())
        .unwrap_or_default();
    Ok((body, base, None))
}

/// Each entry as it would be stored, with the topics it matches: matched exactly as a poll of
/// the configured feed `target` would match it (the same document, the same feed title).
fn entries(config: Option<&Config>, target: &str, feed: &ParsedFeed) -> Vec<EntryReport> {
    let matcher = config.map(|c| Matcher::new(c.topics.clone()));
    let source = Source {
        url: target,
        own_title: feed.title.as_deref(),
    };
    let keys = dedup::entry_keys(&feed.entries);
    feed.entries
        .iter()
        .zip(keys)
        .map(|(e, key)| {
            let topics = match (config, &matcher) {
                (Some(c), Some(m)) => topics_of(m, c, target, &entry_doc(c, source, e))
                    .into_iter()
                    .map(|h| h.topic)
                    .collect(),
                _ => Vec::new(),
            };
            entry_report(e, key, topics)
        })
        .collect()
}

fn entry_report(e: &Entry, key: Option<String>, topics: Vec<String>) -> EntryReport {
    let time = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
    };
    let html = |h: &Option<String>| {
        h.as_deref()
            .map(|h| clean_entry_html(h, e.html_base.as_deref()))
    };
    EntryReport {
        id: key.unwrap_or_else(|| "(repeats an earlier entry)".into()),
        title: e.title.clone(),
        link: e.link.clone(),
        published: time(e.published),
        updated: time(e.updated),
        summary: html(&e.summary_html),
        content: html(&e.content_html),
        authors: e.authors.clone(),
        categories: e.categories.clone(),
        topics,
    }
}

/// The report as text, for a person.
fn text(report: &Report) -> String {
    let mut s = String::new();
    for (k, v) in report.http.iter().flat_map(HttpReport::lines) {
        let _ = writeln!(s, "http {k}: {v}");
    }
    if let Some(format) = &report.format {
        let _ = writeln!(
            s,
            "format: {format}\nencoding: {}\ntitle: {}",
            report.encoding.unwrap_or("-"),
            report.title.as_deref().unwrap_or("(none)")
        );
        let _ = writeln!(s, "{}:", count(report.entries.len(), "entry", "entries"));
    }
    for e in &report.entries {
        let _ = writeln!(s, "- {}", e.title);
        let _ = writeln!(s, "    id: {}", e.id);
        let _ = writeln!(s, "    link: {}", e.link.as_deref().unwrap_or("-"));
        let _ = writeln!(
            s,
            "    published: {}",
            e.published.as_deref().unwrap_or("-")
        );
        if !e.topics.is_empty() {
            let _ = writeln!(s, "    topics: {}", e.topics.join(", "));
        }
    }
    for w in &report.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}
