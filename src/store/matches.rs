//! Topic matches: which stories each topic matched, with the terms and times; written by polls
//! and by topic backfill, moved when stories merge, dropped with a topic.

use super::stories::story_sort;
use super::{Result, Store, json_list, ts};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, named_params, params, params_from_iter};
use std::collections::{BTreeSet, HashMap};

/// A match to store during backfill.
#[derive(Clone, Debug)]
pub struct TopicMatch {
    pub story_id: i64,
    pub entry_id: i64,
    pub terms: Vec<String>,
    pub sort_time: DateTime<Utc>,
}

/// Per-topic counts for `feedsift topics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicStats {
    pub matches: u64,
    pub newest: Option<DateTime<Utc>>,
}

/// One match row to write.
pub(super) struct MatchRow<'a> {
    pub topic: &'a str,
    pub story_id: i64,
    pub entry_id: i64,
    pub terms: &'a [String],
    pub sort: i64,
    pub matched_at: i64,
}

/// Writes a match unless the topic already matched the story; then, with `replace_terms`, the
/// stored terms are replaced. Returns the rows written (1 or 0).
pub(super) fn insert_match(
    conn: &Connection,
    m: &MatchRow<'_>,
    replace_terms: bool,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO matches (topic, story_id, entry_id, terms, sort_time, matched_at)
             VALUES (:topic, :story, :entry, :terms, :sort, :at)
             ON CONFLICT (topic, story_id) DO UPDATE SET terms = excluded.terms WHERE :replace",
    )?
    .execute(named_params! {
        ":topic": m.topic,
        ":story": m.story_id,
        ":entry": m.entry_id,
        ":terms": json_list(m.terms),
        ":sort": m.sort,
        ":at": m.matched_at,
        ":replace": replace_terms,
    })
}

/// A story's matches sort at its (new) sort time.
pub(super) fn set_match_sort(conn: &Connection, story_id: i64, sort: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE matches SET sort_time = ?2 WHERE story_id = ?1")?
        .execute(params![story_id, sort])?;
    Ok(())
}

/// Moves the matches of story `from` to story `into` (a topic that matched both keeps
/// `into`'s match).
pub(super) fn move_matches(conn: &Connection, from: i64, into: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO matches (topic, story_id, entry_id, terms, sort_time, matched_at)
         SELECT topic, ?2, entry_id, terms, sort_time, matched_at FROM matches WHERE story_id = ?1
         ON CONFLICT (topic, story_id) DO NOTHING",
    )?
    .execute(params![from, into])?;
    conn.prepare_cached("DELETE FROM matches WHERE story_id = ?1")?
        .execute([from])?;
    Ok(())
}

impl Store {
    /// The match fingerprint each topic was last computed with.
    pub fn topic_hashes(&self) -> Result<HashMap<String, String>> {
        self.read("reading topics", |c| {
            let mut stmt = c.prepare("SELECT id, match_hash FROM topics")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// Replaces all of a topic's matches (after its query changed) and records the fingerprint.
    /// A story already matched keeps its match row, so its id and place in readers stay put.
    pub fn replace_topic_matches(
        &self,
        topic: &str,
        hash: &str,
        matches: &[TopicMatch],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let (topic, hash, matches) = (topic.to_string(), hash.to_string(), matches.to_vec());
        self.write(&format!("backfilling topic {topic}"), move |tx| {
            tx.touched.topic(&topic);
            let keep: BTreeSet<i64> = matches.iter().map(|m| m.story_id).collect();
            let old: Vec<i64> = tx
                .prepare("SELECT story_id FROM matches WHERE topic = ?1")?
                .query_map([&topic], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for s in old.iter().filter(|s| !keep.contains(s)) {
                tx.execute(
                    "DELETE FROM matches WHERE topic = ?1 AND story_id = ?2",
                    params![topic, s],
                )?;
            }
            let mut added = 0;
            for m in matches {
                let sort = m.sort_time.timestamp();
                let row = MatchRow {
                    topic: &topic,
                    story_id: m.story_id,
                    entry_id: m.entry_id,
                    terms: &m.terms,
                    sort: story_sort(tx, m.story_id)?.min(sort),
                    // Backfilled matches carry the entry's own time, not "now", so a reader
                    // files them in the past.
                    matched_at: sort.min(now.timestamp()),
                };
                added += insert_match(tx, &row, true)?;
            }
            tx.execute(
                "INSERT INTO topics (id, match_hash, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET match_hash = excluded.match_hash, updated_at = excluded.updated_at",
                params![topic, hash, now.timestamp()],
            )?;
            Ok(added)
        })
    }

    /// Drops the matches of topics no longer configured.
    pub fn remove_topics_except(&self, keep: &[String]) -> Result<usize> {
        let keep = keep.to_vec();
        self.write("removing old topics", move |tx| {
            tx.touched.everything();
            let placeholders = vec!["?"; keep.len()].join(",");
            let cond = if keep.is_empty() {
                String::new()
            } else {
                format!("WHERE topic NOT IN ({placeholders})")
            };
            let n = tx.execute(
                &format!("DELETE FROM matches {cond}"),
                params_from_iter(&keep),
            )?;
            let cond = cond.replace("topic", "id");
            tx.execute(
                &format!("DELETE FROM topics {cond}"),
                params_from_iter(&keep),
            )?;
            Ok(n)
        })
    }

    /// Matched stories and newest match per topic.
    pub fn topic_stats(&self) -> Result<HashMap<String, TopicStats>> {
        self.read("counting topic matches", |c| {
            let mut stmt =
                c.prepare("SELECT topic, COUNT(*), MAX(sort_time) FROM matches GROUP BY topic")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    TopicStats {
                        matches: r.get::<_, i64>(1)? as u64,
                        newest: r.get::<_, Option<i64>>(2)?.map(ts),
                    },
                ))
            })?;
            rows.collect()
        })
    }
}
