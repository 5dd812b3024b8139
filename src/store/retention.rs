//! Retention: entries no topic matched and their feed no longer lists are deleted once old
//! enough, with the stories they leave empty; freed pages go back to the file system a little
//! at a time.

use super::writer::Tx;
use super::{Result, Store, parse_list};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::{HashMap, HashSet};

/// Entries looked at in one transaction, so that polls are never held up for long.
const BATCH: i64 = 2000;

impl Store {
    /// Deletes entries first seen before `cutoff` whose story no topic matched and that their
    /// feed no longer lists (an entry still in the feed would come back as new), then stories
    /// left without entries, and returns freed pages to the file system a little at a time.
    /// Returns entries deleted.
    pub fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize> {
        let cutoff = cutoff.timestamp();
        let mut deleted = 0;
        let mut after = 0i64;
        loop {
            let (n, last, done) = self.write("deleting expired entries", move |tx| {
                expire_batch(tx, after, cutoff)
            })?;
            deleted += n;
            after = last;
            if done {
                break;
            }
        }
        if deleted > 0 {
            self.write("returning free space", |tx| {
                let mut stmt = tx.prepare("PRAGMA incremental_vacuum(10000)")?;
                let mut rows = stmt.query([])?;
                while rows.next()?.is_some() {}
                Ok(())
            })?;
        }
        Ok(deleted)
    }
}

/// One batch of [`Store::expire`], over entries with ids above `after`: (entries deleted, last
/// id looked at, whether that was the last batch).
fn expire_batch(tx: &mut Tx<'_>, after: i64, cutoff: i64) -> rusqlite::Result<(usize, i64, bool)> {
    tx.prints.clear();
    let candidates: Vec<(i64, i64, String)> = tx
        .prepare_cached(
            "SELECT e.id, e.feed_id, e.key FROM entries e
             WHERE e.id > ?1 AND e.first_seen < ?2
               AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.story_id = e.story_id)
             ORDER BY e.id LIMIT ?3",
        )?
        .query_map(params![after, cutoff, BATCH], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let last = candidates.last().map_or(after, |c| c.0);
    let done = (candidates.len() as i64) < BATCH;
    let mut listed: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut n = 0;
    for (id, feed, key) in candidates {
        let still_listed = match listed.entry(feed) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let keys: Option<String> = tx
                    .prepare_cached("SELECT listed FROM feeds WHERE id = ?1")?
                    .query_row([feed], |r| r.get(0))?;
                v.insert(
                    keys.map(|k| parse_list(&k))
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                )
            }
        };
        if still_listed.contains(&key) {
            continue;
        }
        n += tx
            .prepare_cached("DELETE FROM entries WHERE id = ?1")?
            .execute([id])?;
    }
    if n > 0 {
        tx.execute(
            "DELETE FROM stories WHERE NOT EXISTS
               (SELECT 1 FROM entries e WHERE e.story_id = stories.id)",
            [],
        )?;
        // A story that lost the entry it was shown through shows its earliest left.
        tx.execute(
            "UPDATE stories SET first_entry_id =
               (SELECT e.id FROM entries e WHERE e.story_id = stories.id
                ORDER BY e.sort_time, e.id LIMIT 1)
             WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = stories.first_entry_id)",
            [],
        )?;
    }
    Ok((n, last, done))
}
