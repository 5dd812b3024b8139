//! `feedsift feeds` and `feedsift topics`: health and output of what is configured; and
//! `feedsift gc`, retention on demand.

use super::table::{Align, Screen, Table};
use super::{CliResult, Failure, count, load_config, out, short_time};
use crate::dedup::feed_url_key;
use crate::model::FeedStatus;
use crate::store::Store;
use chrono::SecondsFormat;
use console::Style;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

fn rfc3339(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

pub fn feeds(config_path: &Path, json: bool) -> CliResult {
    let config = load_config(config_path)?;
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let states = store.feed_states().map_err(Failure::runtime)?;
    let by_url: HashMap<String, &crate::model::FeedState> =
        states.iter().map(|s| (feed_url_key(&s.url), s)).collect();
    let rows: Vec<_> = config
        .feeds
        .iter()
        .map(|f| (f, by_url.get(&feed_url_key(&f.url)).copied()))
        .collect();
    if json {
        let arr: Vec<_> = rows
            .iter()
            .map(|(f, s)| {
                serde_json::json!({
                    "url": f.url,
                    "title": f.title.clone().or_else(|| s.and_then(|s| s.title.clone())),
                    "status": s.map(|s| s.status.as_str()).unwrap_or("new"),
                    "last_success": rfc3339(s.and_then(|s| s.last_success)),
                    "last_error": s.and_then(|s| s.last_error.clone()),
                    "error_kind": s.and_then(|s| s.error_kind.map(|k| k.as_str())),
                    "consecutive_failures": s.map(|s| s.consecutive_failures).unwrap_or(0),
                    "next_poll": rfc3339(s.and_then(|s| s.next_poll)),
                    "entries": s.map(|s| s.entries).unwrap_or(0),
                    "moved_to": s.and_then(|s| s.moved_to.clone()),
                })
            })
            .collect();
        return out(&(serde_json::to_string_pretty(&arr).expect("JSON") + "\n"));
    }
    let mut table = Table::new(&[
        ("STATUS", Align::Left),
        ("LAST SUCCESS", Align::Left),
        ("NEXT POLL", Align::Left),
        ("ENTRIES", Align::Right),
        ("FEED", Align::Left),
    ]);
    for (f, st) in rows {
        let status = st.map(|s| s.status).unwrap_or(FeedStatus::New);
        let mut feed = f.url.clone();
        if let Some(st) = st {
            if let Some(m) = &st.moved_to {
                let _ = write!(feed, "  (moved to {m}: update the config)");
            }
            if let (Some(kind), Some(err)) = (st.error_kind, &st.last_error) {
                let _ = write!(feed, "  [{kind} ×{}] {err}", st.consecutive_failures);
            }
        }
        table.row(vec![
            (status.as_str().to_string(), Some(status_style(status))),
            (short_time(st.and_then(|s| s.last_success)), None),
            (short_time(st.and_then(|s| s.next_poll)), None),
            (st.map(|s| s.entries).unwrap_or(0).to_string(), None),
            (feed, None),
        ]);
    }
    out(&table.render(Screen::stdout()))
}

/// A feed's status as a terminal shows it: green when well, red when failing, yellow when it
/// needs the operator (gone, moved) or has gone quiet.
fn status_style(status: FeedStatus) -> Style {
    match status {
        FeedStatus::Ok => Style::new().green(),
        FeedStatus::Failing => Style::new().red().bold(),
        FeedStatus::Gone | FeedStatus::Moved | FeedStatus::Silent => Style::new().yellow(),
        FeedStatus::New => Style::new().dim(),
    }
}

pub fn topics(config_path: &Path, json: bool) -> CliResult {
    let config = load_config(config_path)?;
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let stats = store.topic_stats().map_err(Failure::runtime)?;
    let base = &config.daemon.public_url;
    if json {
        let arr: Vec<_> = config
            .topics
            .iter()
            .map(|t| {
                let st = stats.get(&t.id).cloned().unwrap_or_default();
                serde_json::json!({
                    "id": t.id,
                    "title": t.title,
                    "matches": st.matches,
                    "newest": rfc3339(st.newest),
                    "url": format!("{base}/topics/{}.atom", t.id),
                    "private": t.is_private(),
                })
            })
            .collect();
        return out(&(serde_json::to_string_pretty(&arr).expect("JSON") + "\n"));
    }
    let mut table = Table::new(&[
        ("TOPIC", Align::Left),
        ("STORIES", Align::Right),
        ("NEWEST", Align::Left),
        ("URL", Align::Left),
    ]);
    for t in &config.topics {
        let st = stats.get(&t.id).cloned().unwrap_or_default();
        let private = if t.is_private() { " (private)" } else { "" };
        table.row(vec![
            (t.id.clone(), None),
            (st.matches.to_string(), None),
            (short_time(st.newest), None),
            (format!("{base}/topics/{}.atom{private}", t.id), None),
        ]);
    }
    out(&table.render(Screen::stdout()))
}

pub fn gc(config_path: &Path) -> CliResult {
    let config = load_config(config_path)?;
    let store = Store::open_limited(&config.daemon.database, config.daemon.max_database_size)
        .map_err(Failure::runtime)?;
    let keep = chrono::Duration::from_std(config.daemon.retention).unwrap_or(chrono::Duration::MAX);
    let cutoff = chrono::Utc::now()
        .checked_sub_signed(keep)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let deleted = store.expire(cutoff).map_err(Failure::runtime)?;
    let counts = store.counts().map_err(Failure::runtime)?; // (entries, stories)
    out(&format!(
        "deleted {} (matched by no topic, first seen before {}, no longer listed); {} kept\n",
        count(deleted, "entry", "entries"),
        cutoff.format("%Y-%m-%d %H:%M UTC"),
        count(counts.0 as usize, "entry", "entries")
    ))
}
