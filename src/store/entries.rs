//! Entries: what one poll writes (new and changed entries, their stories and matches, the
//! feed's new state, in one transaction), and the reads that compare a poll with what is
//! stored and that backfill and `feedsift query` scan.

use super::feeds::save_state;
use super::matches::{MatchRow, insert_match};
use super::stories::{StoryAt, insert_story, lead_story, story_for, story_sort, touch_story};
use super::writer::Tx;
use super::{Result, Store, json_list, parse_list, ts};
use crate::dedup::story::Fingerprint;
use crate::model::{Entry, FeedId, FeedState};
use crate::topic::TopicHit;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, named_params, params};
use std::collections::HashMap;

/// One entry of a poll that is new or changed, with the topics it matched.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// Whether the store already holds an entry with this key (the poll knows from
    /// [`Store::stored_entries`]); saves a lookup for the many entries that are new.
    pub known: bool,
    pub key: String,
    pub uid: String,
    pub canonical_url: Option<String>,
    pub content_hash: String,
    pub entry: Entry,
    pub topics: Vec<TopicHit>,
    /// Its wording, for joining a story told in other words; computed for entries that matched
    /// a topic (only those stories are shown, so only those are compared).
    pub fingerprint: Option<Fingerprint>,
}

/// What the store holds of one feed's entries (see [`Store::stored_entries`]).
#[derive(Clone, Debug, Default)]
pub struct StoredEntries {
    /// Content fingerprint by entry key.
    pub hashes: HashMap<String, String>,
    /// Entry key by canonical link.
    pub keys_by_link: HashMap<String, String>,
}

/// Everything one poll of one feed writes, in one transaction.
#[derive(Clone, Debug)]
pub struct PollWrite {
    pub state: FeedState,
    pub entries: Vec<NewEntry>,
    /// Keys of every entry in the document just fetched (new, changed or not), which retention
    /// must keep; `None` leaves the stored list as it is.
    pub listed: Option<Vec<String>>,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WriteStats {
    pub new_entries: usize,
    pub updated_entries: usize,
    pub new_matches: usize,
    /// Time the writer spent finding stories told in other words (and merging them). Not
    /// part of equality: two writes that did the same are equal however long they took.
    pub story_time: std::time::Duration,
}

impl PartialEq for WriteStats {
    fn eq(&self, o: &WriteStats) -> bool {
        (self.new_entries, self.updated_entries, self.new_matches)
            == (o.new_entries, o.updated_entries, o.new_matches)
    }
}

impl Eq for WriteStats {}

/// A stored entry with what matching needs.
#[derive(Clone, Debug)]
pub struct EntryRow {
    pub id: i64,
    pub story_id: i64,
    pub uid: String,
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub summary_html: Option<String>,
    pub content_html: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub sort_time: DateTime<Utc>,
}

/// Where an entry sorts: its published time, but never later than when we first saw it (a
/// future date must not pin an entry to the top), else first-seen time.
pub fn sort_time(e: &Entry, first_seen: DateTime<Utc>) -> DateTime<Utc> {
    e.published.map(|p| p.min(first_seen)).unwrap_or(first_seen)
}

/// A stored entry of the feed being written: id, story, content hash, sort time.
struct Stored {
    id: i64,
    story_id: i64,
    hash: String,
    sort: i64,
}

/// Writes one new or changed entry, joins it to its story and records its topics' matches.
fn write_entry(
    tx: &mut Tx<'_>,
    feed: FeedId,
    n: &NewEntry,
    now: i64,
    stats: &mut WriteStats,
) -> rusqlite::Result<()> {
    let existing = if n.known {
        stored_entry(tx, feed, &n.key)?
    } else {
        None
    };
    // `story_sort`: the story's sort time after this write, when known without a lookup.
    let (entry_id, story_id, sort, story_sort_after) = match existing {
        Some(old) if old.hash == n.content_hash && n.topics.is_empty() => return Ok(()),
        Some(old) => {
            if old.hash != n.content_hash {
                tx.prints.forget(old.story_id);
                tx.touched.story(old.story_id);
                update_entry(tx, old.id, n, now)?;
                touch_story(tx, old.story_id, now)?;
                stats.updated_entries += 1;
            }
            (old.id, old.story_id, old.sort, None)
        }
        None => {
            let (entry_id, story, sort) = insert_new(tx, feed, n, now, stats)?;
            tx.touched.story(story.0);
            stats.new_entries += 1;
            (entry_id, story.0, sort, Some(story.1))
        }
    };
    if n.topics.is_empty() {
        return Ok(());
    }
    let story_sort_after = match story_sort_after {
        Some(s) => s,
        None => story_sort(tx, story_id)?,
    };
    for hit in &n.topics {
        tx.touched.topic(&hit.topic);
        let row = MatchRow {
            topic: &hit.topic,
            story_id,
            entry_id,
            terms: &hit.terms,
            sort: story_sort_after.min(sort),
            matched_at: now,
        };
        stats.new_matches += insert_match(tx, &row, false)?;
    }
    Ok(())
}

fn stored_entry(conn: &Connection, feed: FeedId, key: &str) -> rusqlite::Result<Option<Stored>> {
    conn.prepare_cached(
        "SELECT id, story_id, content_hash, sort_time FROM entries WHERE feed_id = ?1 AND key = ?2",
    )?
    .query_row(params![feed.0, key], |r| {
        Ok(Stored {
            id: r.get(0)?,
            story_id: r.get(1)?,
            hash: r.get(2)?,
            sort: r.get(3)?,
        })
    })
    .optional()
}

/// A stored entry's new text.
fn update_entry(conn: &Connection, id: i64, n: &NewEntry, now: i64) -> rusqlite::Result<()> {
    let e = &n.entry;
    conn.prepare_cached(
        "UPDATE entries SET guid = :guid, link = :link, canonical_url = :canonical,
             title = :title, summary_html = :summary, content_html = :content,
             authors = :authors, categories = :categories, published = :published,
             updated = :updated, changed_at = :now, content_hash = :hash,
             html_base = :base, fingerprint = :print
         WHERE id = :id",
    )?
    .execute(named_params! {
        ":id": id,
        ":guid": e.guid,
        ":link": e.link,
        ":canonical": n.canonical_url,
        ":title": e.title,
        ":summary": e.summary_html,
        ":content": e.content_html,
        ":authors": json_list(&e.authors),
        ":categories": json_list(&e.categories),
        ":published": e.published.map(|d| d.timestamp()),
        ":updated": e.updated.map(|d| d.timestamp()),
        ":now": now,
        ":hash": n.content_hash,
        ":base": e.html_base,
        ":print": n.fingerprint.as_ref().map(Fingerprint::to_bytes),
    })?;
    Ok(())
}

/// Inserts an entry never seen before into the story it joins (a new one if none); returns
/// its id, its story (with the story's sort time after this write) and its own sort time.
fn insert_new(
    tx: &mut Tx<'_>,
    feed: FeedId,
    n: &NewEntry,
    now: i64,
    stats: &mut WriteStats,
) -> rusqlite::Result<(i64, StoryAt, i64)> {
    let sort = sort_time(&n.entry, ts(now)).timestamp();
    let clock = std::time::Instant::now();
    let story = story_for(tx, n, feed, sort, now)?;
    stats.story_time += clock.elapsed();
    // The entry's id is known before it is inserted (the writer is the only one, and SQLite
    // gives a new row the largest id plus one), so a new story is written with its first entry
    // at once instead of being updated after.
    let entry_id: i64 = tx
        .prepare_cached("SELECT ifnull(max(id), 0) + 1 FROM entries")?
        .query_row([], |r| r.get(0))?;
    let story_id = match story {
        Some((id, _)) => id,
        None => insert_story(tx, n, sort, entry_id, now)?,
    };
    let print = n.fingerprint.as_ref().map(Fingerprint::to_bytes);
    insert_entry(tx, feed, n, story_id, entry_id, sort, now, print.as_deref())?;
    if let Some(fp) = &n.fingerprint {
        tx.prints.add(story_id, story.is_none(), sort, feed, fp);
    }
    match story {
        None => Ok((entry_id, (story_id, sort), sort)),
        // The story is shown through its earliest entry.
        Some((_, story_sort)) if sort < story_sort => {
            lead_story(tx, story_id, entry_id, sort, now)?;
            Ok((entry_id, (story_id, sort), sort))
        }
        // Another outlet joined: the story's "also reported by" changed.
        Some((_, story_sort)) => {
            touch_story(tx, story_id, now)?;
            Ok((entry_id, (story_id, story_sort), sort))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_entry(
    conn: &Connection,
    feed: FeedId,
    n: &NewEntry,
    story_id: i64,
    entry_id: i64,
    sort: i64,
    now: i64,
    print: Option<&[u8]>,
) -> rusqlite::Result<()> {
    let e = &n.entry;
    conn.prepare_cached(
        "INSERT INTO entries (id, feed_id, key, uid, story_id, guid, link, canonical_url, title,
             summary_html, content_html, authors, categories, published, updated,
             first_seen, sort_time, changed_at, content_hash, html_base, fingerprint)
         VALUES (:id, :feed, :key, :uid, :story, :guid, :link, :canonical, :title,
             :summary, :content, :authors, :categories, :published, :updated,
             :now, :sort, :now, :hash, :base, :print)",
    )?
    .execute(named_params! {
        ":id": entry_id,
        ":feed": feed.0,
        ":key": n.key,
        ":uid": n.uid,
        ":story": story_id,
        ":guid": e.guid,
        ":link": e.link,
        ":canonical": n.canonical_url,
        ":title": e.title,
        ":summary": e.summary_html,
        ":content": e.content_html,
        ":authors": json_list(&e.authors),
        ":categories": json_list(&e.categories),
        ":published": e.published.map(|d| d.timestamp()),
        ":updated": e.updated.map(|d| d.timestamp()),
        ":now": now,
        ":sort": sort,
        ":hash": n.content_hash,
        ":base": e.html_base,
        ":print": print,
    })?;
    Ok(())
}

impl Store {
    /// A feed's stored entries as a poll compares against them: content fingerprints by key,
    /// and keys by canonical link.
    pub fn stored_entries(&self, feed: FeedId) -> Result<StoredEntries> {
        self.read("reading stored entries", |c| {
            let mut stmt = c.prepare_cached(
                "SELECT key, content_hash, canonical_url FROM entries WHERE feed_id = ?1",
            )?;
            let mut rows = stmt.query([feed.0])?;
            let mut out = StoredEntries::default();
            while let Some(r) = rows.next()? {
                let key: String = r.get(0)?;
                if let Some(link) = r.get::<_, Option<String>>(2)? {
                    out.keys_by_link.insert(link, key.clone());
                }
                out.hashes.insert(key, r.get(1)?);
            }
            Ok(out)
        })
    }

    /// Writes one poll: new and changed entries, their stories and matches, and the feed's new
    /// state, all in one transaction.
    pub fn apply_poll(&self, w: PollWrite) -> Result<WriteStats> {
        let now = w.now.timestamp();
        let what = format!("storing the poll of {}", w.state.url);
        let (stats, written) = self.write(&what, move |tx| {
            let mut stats = WriteStats::default();
            for n in &w.entries {
                write_entry(tx, w.state.id, n, now, &mut stats)?;
            }
            save_state(tx, &w.state)?;
            if let Some(listed) = &w.listed {
                tx.prepare_cached("UPDATE feeds SET listed = ?2 WHERE id = ?1")?
                    .execute(params![w.state.id.0, json_list(listed)])?;
            }
            // Handed back, so that the writer does not spend its time freeing the entries.
            Ok((stats, w))
        })?;
        drop(written);
        Ok(stats)
    }

    /// Calls `f` on every stored entry, newest first, stopping when it returns false.
    pub fn scan_entries(
        &self,
        since: Option<DateTime<Utc>>,
        mut f: impl FnMut(EntryRow) -> bool,
    ) -> Result<()> {
        self.read("scanning entries", |c| {
            let mut stmt = c.prepare(
                "SELECT e.id, e.story_id, e.uid, f.url, f.title, e.title, e.link, e.summary_html,
                        e.content_html, e.authors, e.categories, e.sort_time
                 FROM entries e JOIN feeds f ON f.id = e.feed_id
                 WHERE e.sort_time >= ?1
                 ORDER BY e.sort_time DESC, e.id DESC",
            )?;
            let mut rows = stmt.query([since.map(|d| d.timestamp()).unwrap_or(i64::MIN)])?;
            while let Some(r) = rows.next()? {
                let row = EntryRow {
                    id: r.get(0)?,
                    story_id: r.get(1)?,
                    uid: r.get(2)?,
                    feed_url: r.get(3)?,
                    feed_title: r.get(4)?,
                    title: r.get(5)?,
                    link: r.get(6)?,
                    summary_html: r.get(7)?,
                    content_html: r.get(8)?,
                    authors: parse_list(&r.get::<_, String>(9)?),
                    categories: parse_list(&r.get::<_, String>(10)?),
                    sort_time: ts(r.get(11)?),
                };
                if !f(row) {
                    break;
                }
            }
            Ok(())
        })
    }

    /// Stored entries and stories in all.
    pub fn counts(&self) -> Result<(u64, u64)> {
        self.read("counting entries", |c| {
            c.query_row(
                "SELECT (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM stories)",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
        })
    }
}
