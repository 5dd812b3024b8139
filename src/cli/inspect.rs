//! `feedsift inspect URL|FILE`: what feedsift makes of one feed, storing nothing.

use super::{CliResult, Failure, out, runtime};
use crate::config::{self, Config};
use crate::dedup;
use crate::fetch::{FetchOptions, Fetcher, Validators};
use crate::parse::parse_guarded;
use crate::serve::html::clean_entry_html;
use crate::topic::{Doc, DocInput, FeedRef};
use chrono::SecondsFormat;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

pub fn run(config_path: &Path, target: &str, as_json: bool) -> CliResult {
    // The config is optional here: with one, entries are matched against its topics.
    let config: Option<Config> = if config_path.exists() {
        Some(config::load(config_path, super::state_dir().as_deref()).map_err(Failure::usage)?)
    } else {
        None
    };
    let mut http = serde_json::Map::new();
    let is_url = target.starts_with("http://") || target.starts_with("https://");
    let mut content_type: Option<String> = None;
    let fetched: Result<(Vec<u8>, String), String> = if is_url {
        let d = config.as_ref().map(|c| c.daemon.clone());
        let fetcher = Fetcher::new(FetchOptions {
            timeout: d
                .as_ref()
                .map(|d| d.timeout)
                .unwrap_or(std::time::Duration::from_secs(30)),
            max_body: d.as_ref().map(|d| d.max_body).unwrap_or(8 * 1024 * 1024),
            user_agent: d
                .map(|d| d.user_agent)
                .unwrap_or_else(|| config::DEFAULT_USER_AGENT.to_string()),
        })
        .map_err(Failure::runtime)?;
        let rt = runtime()?;
        match rt.block_on(fetcher.fetch(target, &Validators::default())) {
            Ok(f) => {
                http.insert("status".into(), json!(f.status));
                http.insert("final_url".into(), json!(f.final_url));
                http.insert("moved_to".into(), json!(f.moved_to));
                http.insert("content_type".into(), json!(f.content_type));
                content_type = f.content_type.clone();
                http.insert("etag".into(), json!(f.validators.etag));
                http.insert("last_modified".into(), json!(f.validators.last_modified));
                http.insert("cache_control".into(), json!(f.cache_control));
                http.insert("expires".into(), json!(f.expires));
                Ok((f.body.unwrap_or_default(), f.final_url))
            }
            Err(e) => {
                http.insert("status".into(), json!(e.status));
                Err(format!("{e}"))
            }
        }
    } else {
        let path = Path::new(target);
        std::fs::read(path)
            .map_err(|e| format!("cannot read {target}: {e}"))
            .map(|b| {
                let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                (
                    b,
                    url::Url::from_file_path(&abs)
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                )
            })
    };
    let parsed = fetched.and_then(|(body, base)| {
        parse_guarded(&body, &base, content_type.as_deref())
            .map(|p| (p, base))
            .map_err(|e| format!("parse: {e}"))
    });
    let (feed, base, error) = match parsed {
        Ok((p, base)) => (Some(p), base, None),
        Err(e) => (None, String::new(), Some(e)),
    };
    // Built once for all entries: the config's topics, and the feed's tags for topic scopes.
    let matcher = config
        .as_ref()
        .map(|c| crate::topic::Matcher::new(c.topics.clone()));
    let tags: Vec<String> = config
        .as_ref()
        .and_then(|c| c.feed(target))
        .map(|fc| fc.tags.clone())
        .unwrap_or_default();
    let entries: Vec<serde_json::Value> = feed
        .as_ref()
        .map(|f| {
            let keys = dedup::entry_keys(&f.entries);
            f.entries
                .iter()
                .zip(keys)
                .map(|(e, key)| {
                    let topics: Vec<String> = matcher
                        .as_ref()
                        .map(|m| {
                            let doc = Doc::new(&DocInput {
                                title: &e.title,
                                text: &e.text,
                                authors: &e.authors,
                                categories: &e.categories,
                                feed_title: f.title.as_deref().unwrap_or(""),
                                feed_url: &base,
                                url: e.link.as_deref().unwrap_or(""),
                            });
                            m.match_doc(&doc, FeedRef { url: target, tags: &tags })
                                .into_iter()
                                .map(|h| h.topic)
                                .collect()
                        })
                        .unwrap_or_default();
                    json!({
                        "id": key.unwrap_or_else(|| "(repeats an earlier entry)".into()),
                        "title": e.title,
                        "link": e.link,
                        "published": e.published.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
                        "updated": e.updated.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
                        "summary": e.summary_html.as_deref().map(|h| clean_entry_html(h, e.html_base.as_deref())),
                        "content": e.content_html.as_deref().map(|h| clean_entry_html(h, e.html_base.as_deref())),
                        "authors": e.authors,
                        "categories": e.categories,
                        "topics": topics,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let report = json!({
        "format": feed.as_ref().map(|f| f.format.to_string()),
        "encoding": feed.as_ref().map(|f| f.encoding),
        "http": if is_url { serde_json::Value::Object(http) } else { serde_json::Value::Null },
        "title": feed.as_ref().and_then(|f| f.title.clone()),
        "entries": entries,
        "warnings": feed.as_ref().map(|f| f.warnings.clone()).unwrap_or_default(),
        "error": error,
    });
    if as_json {
        out(&(serde_json::to_string_pretty(&report).expect("JSON") + "\n"))?;
    } else {
        let mut s = String::new();
        if let Some(h) = report["http"].as_object() {
            for (k, v) in h {
                if !v.is_null() {
                    let _ = writeln!(
                        s,
                        "http {k}: {}",
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    );
                }
            }
        }
        if let Some(f) = &feed {
            let _ = writeln!(
                s,
                "format: {}\nencoding: {}\ntitle: {}",
                f.format,
                f.encoding,
                f.title.as_deref().unwrap_or("(none)")
            );
            let _ = writeln!(s, "{} entries:", f.entries.len());
        }
        for e in report["entries"].as_array().into_iter().flatten() {
            let _ = writeln!(s, "- {}", e["title"].as_str().unwrap_or(""));
            let _ = writeln!(s, "    id: {}", e["id"].as_str().unwrap_or(""));
            let _ = writeln!(s, "    link: {}", e["link"].as_str().unwrap_or("-"));
            let _ = writeln!(
                s,
                "    published: {}",
                e["published"].as_str().unwrap_or("-")
            );
            if let Some(t) = e["topics"].as_array().filter(|t| !t.is_empty()) {
                let names: Vec<&str> = t.iter().filter_map(|v| v.as_str()).collect();
                let _ = writeln!(s, "    topics: {}", names.join(", "));
            }
        }
        for w in report["warnings"].as_array().into_iter().flatten() {
            let _ = writeln!(s, "warning: {}", w.as_str().unwrap_or(""));
        }
        out(&s)?;
    }
    match error {
        Some(e) => Err(Failure::runtime(format!("{target}: {e}"))),
        None => Ok(()),
    }
}
