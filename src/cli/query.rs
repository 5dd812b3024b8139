//! `feedsift query`: a dry run of a topic query over the stored entries.

use super::{CliResult, Failure, load_config, out, short_time};
use crate::config::units::parse_duration;
use crate::runtime::doc::stored_doc;
use crate::store::Store;
use crate::topic::{self, Hit, QueryMatcher};
use std::fmt::Write as _;
use std::path::Path;

pub fn run(
    config_path: &Path,
    query: &str,
    limit: usize,
    since: Option<&str>,
    explain: bool,
    json: bool,
) -> CliResult {
    let config = load_config(config_path)?;
    let q = topic::parse(query, &config.aliases).map_err(Failure::usage)?;
    let matcher = QueryMatcher::new(&q);
    let since = since
        .map(|s| parse_duration(s).map_err(|e| Failure::usage(format!("--since: {e}"))))
        .transpose()?
        .map(|d| {
            chrono::Utc::now() - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
        });
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let mut rows = Vec::new();
    store
        .scan_entries(since, |row| {
            if let Some(hits) = matcher.explain(&stored_doc(&config, &row)) {
                let source = config
                    .feed_title(&row.feed_url, row.feed_title.as_deref())
                    .to_string();
                rows.push((row, source, hits));
            }
            rows.len() < limit
        })
        .map_err(Failure::runtime)?;
    if json {
        let arr: Vec<_> = rows
            .iter()
            .map(|(r, source, hits)| {
                serde_json::json!({
                    "id": r.uid,
                    "published": r.sort_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "source": source,
                    "title": r.title,
                    "link": r.link,
                    "matched": hits.iter().map(Hit::label).collect::<Vec<_>>(),
                })
            })
            .collect();
        return out(&(serde_json::to_string_pretty(&arr).expect("JSON") + "\n"));
    }
    let mut s = String::new();
    for (r, source, hits) in &rows {
        let _ = writeln!(
            s,
            "{}  {}  {}  {}",
            short_time(Some(r.sort_time)),
            source,
            r.title,
            r.link.as_deref().unwrap_or("-")
        );
        if explain {
            let _ = writeln!(
                s,
                "    matched: {}",
                hits.iter().map(Hit::label).collect::<Vec<_>>().join(", ")
            );
        }
    }
    if explain {
        let _ = writeln!(s, "query read as: {q}");
    }
    out(&s)
}
