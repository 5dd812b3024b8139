//! Settling stories: the stories around newly stored entries grouped again in the order their
//! entries were published, so that the order in which feeds answered a poll does not decide
//! them ([`Store::settle_stories`]).

use super::stories::{
    SAME_URL_WINDOW_SECS, changing, lead_by_earliest, merge_stories, story_words,
};
use super::writer::Tx;
use super::{Result, Store};
use crate::dedup::story::{self, Fingerprint, Story};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::HashMap;

impl Store {
    /// Settles the stories around the entries first seen since `since`: for each topic those
    /// entries' stories are in, the entries of its stories published within
    /// [`story::SPAN_HOURS`] of theirs are grouped again in the order they were published
    /// ([`story::group_by_source`], its words weighed by how rare they are among those
    /// entries' stories: within a topic, what tells its stories apart). Stories that grouping puts
    /// together merge when they fit together ([`Story::fits_with`]); an entry it puts with
    /// another story's entries rather than with its own story's moves there ([`rehome`]).
    /// Online, an entry is compared with the stories already stored, so which of an event's
    /// copies a poll brings first can keep two of its stories apart, or leave a report told
    /// like two sibling stories (a visit's meeting and its weapons show) in the one that came
    /// first (a first poll of many feeds brings them in the order the feeds answer); settled,
    /// the grouping is that of the order of publication, whatever the order of arrival. No
    /// story is split into new ones. Returns the stories merged away and the entries moved.
    pub fn settle_stories(&self, since: DateTime<Utc>) -> Result<(usize, usize)> {
        let (since, now) = (since.timestamp(), Utc::now().timestamp());
        self.write("settling stories", move |tx| settle(tx, since, now))
    }
}

/// An entry of a topic's stories, as [`settle`] reads it: its id and its story's (what it
/// groups as, [`Grouped`], is kept beside it).
struct Settled {
    entry: i64,
    story: i64,
}

/// What [`story::group_by_source`] groups of one entry.
type Grouped = (Fingerprint, i64, i64);

/// [`Store::settle_stories`] in one transaction.
fn settle(tx: &mut Tx<'_>, since: i64, now: i64) -> rusqlite::Result<(usize, usize)> {
    // Each topic with a story that a new entry is in, and when the new entries were published.
    let topics: Vec<(String, i64, i64)> = tx
        .prepare_cached(
            "SELECT m.topic, MIN(e.sort_time), MAX(e.sort_time)
             FROM matches m CROSS JOIN entries e INDEXED BY entries_prints
             ON e.story_id = m.story_id
             WHERE e.first_seen >= ?1 AND e.fingerprint IS NOT NULL
             GROUP BY m.topic ORDER BY m.topic",
        )?
        .query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if topics.is_empty() {
        return Ok((0, 0));
    }
    let window = story::SPAN_HOURS * 3600;
    let (mut merged, mut rehomed) = (0, 0);
    // Where each story merged away went, to follow a story merged twice.
    let mut moved: HashMap<i64, i64> = HashMap::new();
    let resolve = |moved: &HashMap<i64, i64>, mut id: i64| {
        while let Some(&to) = moved.get(&id) {
            id = to;
        }
        id
    };
    for (topic, first, last) in topics {
        let (mut entries, mut input): (Vec<Settled>, Vec<Grouped>) = (Vec::new(), Vec::new());
        {
            let mut stmt = tx.prepare_cached(
                "SELECT e.id, e.story_id, e.sort_time, e.feed_id, e.fingerprint
                 FROM matches m CROSS JOIN entries e INDEXED BY entries_prints
                 ON e.story_id = m.story_id
                 WHERE m.topic = ?1 AND m.sort_time BETWEEN ?2 - ?4 AND ?3
                   AND e.sort_time BETWEEN ?2 AND ?3 AND e.fingerprint IS NOT NULL
                 ORDER BY e.sort_time, e.id",
            )?;
            // A story sorts at its first entry, at most a week of links before the others.
            let (from, to) = (first - window, last + window);
            let mut rows = stmt.query(params![topic, from, to, SAME_URL_WINDOW_SECS])?;
            while let Some(r) = rows.next()? {
                let Some(print) = Fingerprint::from_bytes(r.get_ref(4)?.as_blob()?) else {
                    continue;
                };
                let sort: i64 = r.get(2)?;
                entries.push(Settled {
                    entry: r.get(0)?,
                    story: resolve(&moved, r.get(1)?),
                });
                input.push((print, sort / 3600, r.get(3)?));
            }
        }
        let groups = story::group_by_source(&input);
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<usize, usize> = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            let k = *group_of.entry(*g).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[k].push(i);
        }
        for group in &members {
            // The stored story holding most of the group's entries (the earliest of those
            // holding as many) takes in the others' stories that fit with it.
            let mut held: Vec<(i64, usize)> = Vec::new();
            for &i in group {
                let id = resolve(&moved, entries[i].story);
                match held.iter_mut().find(|(s, _)| *s == id) {
                    Some((_, n)) => *n += 1,
                    None => held.push((id, 1)),
                }
            }
            let most = held.iter().map(|(_, n)| *n).max().unwrap_or(0);
            let Some(&(mut home, _)) = held.iter().find(|(_, n)| *n == most) else {
                continue;
            };
            for &(other, _) in &held {
                let other = resolve(&moved, other);
                if other == home {
                    continue;
                }
                let (a, b) = (story_words(tx, home)?, story_words(tx, other)?);
                if a.fits_with(&b) {
                    home = merge_stories(tx, other, home, now)?.0;
                    moved.insert(other, home);
                    merged += 1;
                }
            }
            for &i in group {
                let from = resolve(&moved, entries[i].story);
                if from != home && rehome(tx, entries[i].entry, &input[i], from, home, now)? {
                    rehomed += 1;
                }
            }
        }
    }
    Ok((merged, rehomed))
}

/// Moves `entry` (grouped as `print`, `hours`, `feed`) from story `from` into story `home`, which the settled grouping puts it
/// with while `from`'s other entries stay apart, when nothing else holds it in `from`: it is
/// not the entry through which `from` matched a topic, `from` does not share its link, `from`
/// keeps other entries, and it fits with `home` ([`Story::fits_with`]). Returns whether it
/// moved.
fn rehome(
    tx: &mut Tx<'_>,
    entry: i64,
    (print, hours, feed): &Grouped,
    from: i64,
    home: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let held: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM matches WHERE entry_id = ?1)
                 OR EXISTS (SELECT 1 FROM entries o JOIN entries me ON me.id = ?1
                            WHERE o.story_id = ?2 AND o.id != ?1
                              AND o.canonical_url = me.canonical_url)
                 OR EXISTS (SELECT 1 FROM stories s JOIN entries me ON me.id = ?1
                            WHERE s.id = ?2 AND s.canonical_url = me.canonical_url)
                 OR NOT EXISTS (SELECT 1 FROM entries WHERE story_id = ?2 AND id != ?1)",
        )?
        .query_row(params![entry, from], |r| r.get(0))?;
    if held {
        return Ok(false);
    }
    let mut alone = Story::default();
    alone.add(print, *hours, *feed);
    if !story_words(tx, home)?.fits_with(&alone) {
        return Ok(false);
    }
    changing(tx, [from, home]);
    tx.prepare_cached("UPDATE entries SET story_id = ?2 WHERE id = ?1")?
        .execute(params![entry, home])?;
    for id in [from, home] {
        lead_by_earliest(tx, id, now)?;
    }
    Ok(true)
}
