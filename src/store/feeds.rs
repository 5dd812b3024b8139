//! Feed rows: schedule and health state.

use super::writer::Tx;
use super::{Result, Store};
use crate::model::{ErrorKind, FeedId, FeedState, FeedStatus};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

fn ts(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn secs(v: Option<DateTime<Utc>>) -> Option<i64> {
    v.map(|d| d.timestamp())
}

const COLUMNS: &str = "f.id, f.url, f.moved_to, f.title, f.site_url, f.etag, f.last_modified, f.status, \
     f.next_poll, f.last_poll, f.last_success, f.last_new_entry, f.last_error, f.error_kind, \
     f.consecutive_failures, (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id), \
     f.avg_new_secs, f.ttl_secs, f.skip_hours, f.skip_days";

fn state_from_row(r: &Row<'_>) -> rusqlite::Result<FeedState> {
    Ok(FeedState {
        id: FeedId(r.get(0)?),
        url: r.get(1)?,
        moved_to: r.get(2)?,
        title: r.get(3)?,
        site_url: r.get(4)?,
        etag: r.get(5)?,
        last_modified: r.get(6)?,
        status: FeedStatus::parse(&r.get::<_, String>(7)?),
        next_poll: ts(r.get(8)?),
        last_poll: ts(r.get(9)?),
        last_success: ts(r.get(10)?),
        last_new_entry: ts(r.get(11)?),
        last_error: r.get(12)?,
        error_kind: r
            .get::<_, Option<String>>(13)?
            .and_then(|k| ErrorKind::parse(&k)),
        consecutive_failures: r.get(14)?,
        entries: r.get::<_, i64>(15)? as u64,
        avg_new_secs: r.get::<_, Option<i64>>(16)?.map(|v| v.max(0) as u64),
        ttl_secs: r.get::<_, Option<i64>>(17)?.map(|v| v.max(0) as u64),
        skip_hours: r.get(18)?,
        skip_days: r.get(19)?,
    })
}

/// Saves a feed's state. When its title or site changes, the topics showing its stories are
/// marked changed (outputs name the outlet).
pub(super) fn save_state(tx: &mut Tx<'_>, s: &FeedState) -> rusqlite::Result<()> {
    let before: Option<(Option<String>, Option<String>)> = tx
        .prepare_cached("SELECT title, site_url FROM feeds WHERE id = ?1")?
        .query_row([s.id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if before.is_some_and(|(title, site)| title != s.title || site != s.site_url) {
        let topics: Vec<String> = tx
            .prepare_cached(
                "SELECT DISTINCT m.topic FROM entries e JOIN matches m ON m.story_id = e.story_id
                 WHERE e.feed_id = ?1",
            )?
            .query_map([s.id.0], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for t in &topics {
            tx.touched.topic(t);
        }
    }
    write_state(tx, s)
}

fn write_state(conn: &Connection, s: &FeedState) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE feeds SET moved_to = ?2, title = ?3, site_url = ?4, etag = ?5, last_modified = ?6,
             status = ?7, next_poll = ?8, last_poll = ?9, last_success = ?10, last_new_entry = ?11,
             last_error = ?12, error_kind = ?13, consecutive_failures = ?14, avg_new_secs = ?15,
             ttl_secs = ?16, skip_hours = ?17, skip_days = ?18
         WHERE id = ?1",
    )?
    .execute(params![
        s.id.0,
        s.moved_to,
        s.title,
        s.site_url,
        s.etag,
        s.last_modified,
        s.status.as_str(),
        secs(s.next_poll),
        secs(s.last_poll),
        secs(s.last_success),
        secs(s.last_new_entry),
        s.last_error,
        s.error_kind.map(|k| k.as_str()),
        s.consecutive_failures,
        s.avg_new_secs.map(|v| v.min(i64::MAX as u64) as i64),
        s.ttl_secs.map(|v| v.min(i64::MAX as u64) as i64),
        s.skip_hours,
        s.skip_days,
    ])?;
    Ok(())
}

fn find(conn: &Connection, url: &str) -> rusqlite::Result<Option<FeedState>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM feeds f WHERE f.url = ?1"),
        [url],
        state_from_row,
    )
    .optional()
}

impl Store {
    /// The state of each configured feed, creating rows for feeds never seen. Feeds removed from
    /// the config keep their rows and entries; they are simply no longer polled.
    pub fn ensure_feeds(&self, urls: &[String], now: DateTime<Utc>) -> Result<Vec<FeedState>> {
        let urls = urls.to_vec();
        self.write("registering configured feeds", move |tx| {
            let mut out = Vec::with_capacity(urls.len());
            for url in urls {
                tx.prepare_cached(
                    "INSERT INTO feeds (url, created_at) VALUES (?1, ?2) ON CONFLICT(url) DO NOTHING",
                )?
                .execute(params![url, now.timestamp()])?;
                out.push(find(tx, &url)?.expect("row just ensured"));
            }
            Ok(out)
        })
    }

    /// Every feed the store knows, by URL.
    pub fn feed_states(&self) -> Result<Vec<FeedState>> {
        self.read("listing feeds", |c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM feeds f ORDER BY f.url"))?;
            let rows = stmt.query_map([], state_from_row)?;
            rows.collect()
        })
    }

    /// Saves a feed's state alone (a poll that stored no entries).
    pub fn save_feed_state(&self, state: &FeedState) -> Result<()> {
        let state = state.clone();
        self.write("saving feed state", move |tx| save_state(tx, &state))
    }
}
