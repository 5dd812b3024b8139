//! Entries, stories and topic matches: the write of one poll, backfill, and the reads that
//! serve output feeds.

use super::feeds::save_state;
use super::{Result, Store};
use crate::dedup::story::{self, Fingerprint};
use crate::model::{Entry, FeedId, FeedState};
use crate::topic::TopicHit;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::collections::{BTreeSet, HashMap};

/// Entries with the same canonical URL join one story when first seen within this window.
const SAME_URL_WINDOW_SECS: i64 = 7 * 86_400;

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

/// A match to store during backfill.
#[derive(Clone, Debug)]
pub struct TopicMatch {
    pub story_id: i64,
    pub entry_id: i64,
    pub terms: Vec<String>,
    pub sort_time: DateTime<Utc>,
}

/// Another outlet that carried a story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlsoReported {
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub link: Option<String>,
}

/// One story of an output feed, shown through its earliest entry.
#[derive(Clone, Debug)]
pub struct StoryItem {
    pub story_id: i64,
    pub uid: String,
    pub sort_time: DateTime<Utc>,
    pub matched_at: DateTime<Utc>,
    pub terms: Vec<String>,
    pub title: String,
    pub link: Option<String>,
    /// HTML as the feed gave it: untrusted, to be sanitised (against `html_base`) for output.
    pub summary_html: Option<String>,
    pub content_html: Option<String>,
    pub html_base: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    /// The entry's own update time; or when we saw it (or its story) change after first
    /// seeing it.
    pub updated: DateTime<Utc>,
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub site_url: Option<String>,
    pub also: Vec<AlsoReported>,
}

/// Per-topic counts for `feedsift topics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicStats {
    pub matches: u64,
    pub newest: Option<DateTime<Utc>>,
}

fn ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).expect("strings serialise")
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Where an entry sorts: its published time, but never later than when we first saw it (a
/// future date must not pin an entry to the top), else first-seen time.
pub fn sort_time(e: &Entry, first_seen: DateTime<Utc>) -> DateTime<Utc> {
    e.published.map(|p| p.min(first_seen)).unwrap_or(first_seen)
}

fn insert_matches(
    tx: &Connection,
    story_id: i64,
    entry_id: i64,
    sort: i64,
    hits: &[TopicHit],
    now: i64,
) -> rusqlite::Result<usize> {
    let mut n = 0;
    for hit in hits {
        n += tx
            .prepare_cached(
                "INSERT INTO matches (topic, story_id, entry_id, terms, sort_time, matched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (topic, story_id) DO NOTHING",
            )?
            .execute(params![
                hit.topic,
                story_id,
                entry_id,
                json_list(&hit.terms),
                sort,
                now
            ])?;
    }
    Ok(n)
}

/// How many stories of a topic a new entry is compared with (the nearest in time).
const STORY_CANDIDATES: i64 = 200;

/// A stored entry's sort time and fingerprint bytes.
type StoredPrint = (i64, Box<[u8]>);

/// Most fingerprints [`PRINTS`] keeps (about 350 bytes each) before it starts over.
const PRINTS_KEPT: usize = 10_000;

/// The fingerprints of the entries of stories recently compared with, by story: (entry sort
/// time, fingerprint bytes). Kept by the writer thread, the only one that changes them, so that
/// each new entry of a busy topic is compared with hundreds of stored ones without reading them
/// from the database each time (reading them was most of the writer's time on a large first
/// poll). A story's list is loaded on first use and kept current by the writes that add to it;
/// any write that could change one otherwise (an entry's new text, a merge, a deletion, a
/// rolled-back job) drops the story or the whole cache.
#[derive(Default)]
struct PrintCache {
    by_story: HashMap<i64, Vec<StoredPrint>>,
    kept: usize,
}

thread_local! {
    static PRINTS: std::cell::RefCell<PrintCache> = std::cell::RefCell::default();
}

/// Forgets every cached fingerprint (see [`PrintCache`]); the writer calls this when a job or
/// a commit is rolled back.
pub(super) fn forget_prints() {
    PRINTS.with(|p| *p.borrow_mut() = PrintCache::default());
}

fn forget_story_prints(story_id: i64) {
    PRINTS.with(|p| {
        let mut p = p.borrow_mut();
        if let Some(gone) = p.by_story.remove(&story_id) {
            p.kept -= gone.len();
        }
    });
}

/// Records a new entry's fingerprint in its story's cached list, if that list is cached (or
/// the story is new, so the list is just this one).
fn add_story_print(story_id: i64, new_story: bool, sort: i64, bytes: &[u8]) {
    PRINTS.with(|p| {
        let mut p = p.borrow_mut();
        let bytes = Box::from(bytes);
        if new_story {
            p.by_story.insert(story_id, vec![(sort, bytes)]);
        } else if let Some(list) = p.by_story.get_mut(&story_id) {
            list.push((sort, bytes));
        } else {
            return;
        }
        p.kept += 1;
    });
}

/// Calls `each(entry sort time, fingerprint bytes)` for the fingerprinted entries of a story,
/// from the cache, loading the story's list first if needed.
fn each_story_print(
    tx: &Connection,
    story_id: i64,
    mut each: impl FnMut(i64, &[u8]),
) -> rusqlite::Result<()> {
    let cached = PRINTS.with(|p| {
        let p = p.borrow();
        p.by_story.get(&story_id).map(|list| {
            for (sort, bytes) in list {
                each(*sort, bytes);
            }
        })
    });
    if cached.is_some() {
        return Ok(());
    }
    let mut list = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT sort_time, fingerprint FROM entries INDEXED BY entries_prints
         WHERE story_id = ?1 AND fingerprint IS NOT NULL",
    )?;
    let mut rows = stmt.query([story_id])?;
    while let Some(r) = rows.next()? {
        let (sort, bytes): (i64, Box<[u8]>) = (r.get(0)?, r.get_ref(1)?.as_blob()?.into());
        each(sort, &bytes);
        list.push((sort, bytes));
    }
    PRINTS.with(|p| {
        let mut p = p.borrow_mut();
        if p.kept + list.len() > PRINTS_KEPT {
            *p = PrintCache::default();
        }
        p.kept += list.len();
        p.by_story.insert(story_id, list);
    });
    Ok(())
}

/// A story told in other words that `n` (sorting at `sort`) belongs to: among the stories its
/// topics matched, the one with an entry within [`story::WINDOW_HOURS`] that
/// [`story::same_story`] accepts most closely. Stories that already hold an entry of the same
/// feed are not candidates (a feed does not report one event twice under two ids).
fn similar_story(
    tx: &Connection,
    feed: FeedId,
    n: &NewEntry,
    sort: i64,
) -> rusqlite::Result<Option<(i64, i64)>> {
    let Some(fp) = &n.fingerprint else {
        return Ok(None);
    };
    if n.topics.is_empty() || fp.words.is_empty() {
        return Ok(None);
    }
    let window = story::WINDOW_HOURS * 3600;
    // Each stored fingerprint is read into this one, in place.
    let mut other = Fingerprint::default();
    // The stories of the topic nearest in time, at most STORY_CANDIDATES of them: copies of
    // one event arrive close together, and the cost stays bounded on a busy topic. (A match's
    // sort time is its story's.)
    let mut stmt = tx.prepare_cached(
        "SELECT story_id FROM matches WHERE topic = ?1 AND sort_time BETWEEN ?2 AND ?3
         ORDER BY abs(sort_time - ?4) LIMIT ?5",
    )?;
    let mut seen = std::collections::HashSet::new();
    // (score, story) of every story with an entry told in the same words.
    let mut alike: Vec<(f64, i64)> = Vec::new();
    for hit in &n.topics {
        let args = params![
            hit.topic,
            sort - window,
            sort + window,
            sort,
            STORY_CANDIDATES
        ];
        let stories: Vec<i64> = stmt
            .query_map(args, |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in stories {
            if !seen.insert(id) {
                continue;
            }
            let mut best: Option<f64> = None;
            each_story_print(tx, id, |entry_sort, bytes| {
                if !other.read(bytes) || !story::same_story(fp, &other, (sort - entry_sort) / 3600)
                {
                    return;
                }
                let score = story::jaccard(&fp.words, &other.words);
                if best.is_none_or(|b| score > b) {
                    best = Some(score);
                }
            })?;
            if let Some(score) = best {
                alike.push((score, id));
            }
        }
    }
    // The closest one that holds no entry of this feed yet.
    alike.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, id) in alike {
        let same_feed = tx
            .prepare_cached("SELECT 1 FROM entries WHERE story_id = ?1 AND feed_id = ?2")?
            .exists(params![id, feed.0])?;
        if !same_feed {
            let story_sort: i64 = tx
                .prepare_cached("SELECT sort_time FROM stories WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?;
            return Ok(Some((id, story_sort)));
        }
    }
    Ok(None)
}

/// Moves the entries and matches of story `from` into story `into`, which is then shown through
/// its earliest entry; returns `into`'s id and sort time.
fn merge_stories(tx: &Connection, from: i64, into: i64, now: i64) -> rusqlite::Result<(i64, i64)> {
    forget_story_prints(from);
    forget_story_prints(into);
    tx.prepare_cached("UPDATE entries SET story_id = ?2 WHERE story_id = ?1")?
        .execute(params![from, into])?;
    tx.prepare_cached(
        "INSERT INTO matches (topic, story_id, entry_id, terms, sort_time, matched_at)
         SELECT topic, ?2, entry_id, terms, sort_time, matched_at FROM matches WHERE story_id = ?1
         ON CONFLICT (topic, story_id) DO NOTHING",
    )?
    .execute(params![from, into])?;
    tx.prepare_cached("DELETE FROM matches WHERE story_id = ?1")?
        .execute([from])?;
    tx.prepare_cached(
        "UPDATE stories SET
             first_entry_id = (SELECT id FROM entries WHERE story_id = ?1 ORDER BY sort_time, id LIMIT 1),
             sort_time = (SELECT MIN(sort_time) FROM entries WHERE story_id = ?1),
             updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![into, now])?;
    let sort: i64 = tx
        .prepare_cached("SELECT sort_time FROM stories WHERE id = ?1")?
        .query_row([into], |r| r.get(0))?;
    tx.prepare_cached("UPDATE matches SET sort_time = ?2 WHERE story_id = ?1")?
        .execute(params![into, sort])?;
    tx.prepare_cached("DELETE FROM stories WHERE id = ?1")?
        .execute([from])?;
    Ok((into, sort))
}

/// The story (id, sort time) of a new entry's canonical link: one with the same link first seen
/// within [`SAME_URL_WINDOW_SECS`].
fn story_by_url(tx: &Connection, n: &NewEntry, sort: i64) -> rusqlite::Result<Option<(i64, i64)>> {
    Ok(match &n.canonical_url {
        Some(c) => tx
            .prepare_cached(
                "SELECT id, sort_time FROM stories WHERE url_key = ?4 AND canonical_url = ?1
                 AND sort_time BETWEEN ?2 AND ?3 ORDER BY id LIMIT 1",
            )?
            .query_row(
                params![
                    c,
                    sort - SAME_URL_WINDOW_SECS,
                    sort + SAME_URL_WINDOW_SECS,
                    crate::dedup::url_key(c)
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        None => None,
    })
}

fn write_entry(
    tx: &Connection,
    feed: FeedId,
    n: &NewEntry,
    now: i64,
    stats: &mut WriteStats,
) -> rusqlite::Result<()> {
    let e = &n.entry;
    let existing: Option<(i64, i64, String, i64)> = if n.known {
        tx.prepare_cached(
            "SELECT id, story_id, content_hash, sort_time FROM entries WHERE feed_id = ?1 AND key = ?2",
        )?
        .query_row(params![feed.0, n.key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?
    } else {
        None
    };
    let published = e.published.map(|d| d.timestamp());
    let updated = e.updated.map(|d| d.timestamp());
    // `story_sort`: the story's sort time after this write, when known without a lookup.
    let (entry_id, story_id, sort, story_sort) = match existing {
        Some((_, _, hash, _)) if hash == n.content_hash && n.topics.is_empty() => return Ok(()),
        Some((id, story_id, hash, sort)) => {
            if hash != n.content_hash {
                forget_story_prints(story_id);
                tx.prepare_cached(
                    "UPDATE entries SET guid = ?2, link = ?3, canonical_url = ?4, title = ?5,
                         summary_html = ?6, content_html = ?7, authors = ?8, categories = ?9,
                         published = ?10, updated = ?11, changed_at = ?12, content_hash = ?13,
                         html_base = ?14, fingerprint = ?15
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    e.guid,
                    e.link,
                    n.canonical_url,
                    e.title,
                    e.summary_html,
                    e.content_html,
                    json_list(&e.authors),
                    json_list(&e.categories),
                    published,
                    updated,
                    now,
                    n.content_hash,
                    e.html_base,
                    n.fingerprint.as_ref().map(Fingerprint::to_bytes)
                ])?;
                tx.prepare_cached("UPDATE stories SET updated_at = ?2 WHERE id = ?1")?
                    .execute(params![story_id, now])?;
                stats.updated_entries += 1;
            }
            (id, story_id, sort, None)
        }
        None => {
            let sort = sort_time(e, ts(now)).timestamp();
            let story = story_by_url(tx, n, sort)?;
            // The same story told in other words: join it; or, when the link already joined
            // one story and the wording matches another, the two are one and merge.
            let clock = std::time::Instant::now();
            let story = match (story, similar_story(tx, feed, n, sort)?) {
                (None, similar) => similar,
                (Some(by_link), Some(similar)) if similar.0 != by_link.0 => {
                    Some(merge_stories(tx, similar.0, by_link.0, now)?)
                }
                (by_link, _) => by_link,
            };
            stats.story_time += clock.elapsed();
            // The entry's id is known before it is inserted (the writer is the only one, and
            // SQLite gives a new row the largest id plus one), so a new story is written with
            // its first entry at once instead of being updated after.
            let entry_id: i64 = tx
                .prepare_cached("SELECT ifnull(max(id), 0) + 1 FROM entries")?
                .query_row([], |r| r.get(0))?;
            let story_id = match story {
                Some((id, _)) => id,
                None => {
                    tx.prepare_cached(
                        "INSERT INTO stories (uid, canonical_url, url_key, sort_time, updated_at,
                             first_entry_id)
                         VALUES (?1, ?2, ?5, ?3, ?4, ?6)",
                    )?
                    .execute(params![
                        n.uid,
                        n.canonical_url,
                        sort,
                        now,
                        n.canonical_url.as_deref().map(crate::dedup::url_key),
                        entry_id
                    ])?;
                    tx.last_insert_rowid()
                }
            };
            let print = n.fingerprint.as_ref().map(Fingerprint::to_bytes);
            tx.prepare_cached(
                "INSERT INTO entries (feed_id, key, uid, story_id, guid, link, canonical_url, title,
                     summary_html, content_html, authors, categories, published, updated,
                     first_seen, sort_time, changed_at, content_hash, html_base, fingerprint, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15, ?17, ?18, ?19, ?20)",
            )?
            .execute(params![
                feed.0,
                n.key,
                n.uid,
                story_id,
                e.guid,
                e.link,
                n.canonical_url,
                e.title,
                e.summary_html,
                e.content_html,
                json_list(&e.authors),
                json_list(&e.categories),
                published,
                updated,
                now,
                sort,
                n.content_hash,
                e.html_base,
                print,
                entry_id
            ])?;
            if let Some(print) = &print {
                add_story_print(story_id, story.is_none(), sort, print);
            }
            let story_sort = story.map_or(sort, |(_, st)| st.min(sort));
            match story {
                None => {}
                // The story is shown through its earliest entry.
                Some((_, story_sort)) if sort < story_sort => {
                    tx.prepare_cached(
                        "UPDATE stories SET first_entry_id = ?2, sort_time = ?3, updated_at = ?4 WHERE id = ?1",
                    )?
                    .execute(params![story_id, entry_id, sort, now])?;
                    tx.prepare_cached("UPDATE matches SET sort_time = ?2 WHERE story_id = ?1")?
                        .execute(params![story_id, sort])?;
                }
                // Another outlet joined: the story's "also reported by" changed.
                Some(_) => {
                    tx.prepare_cached("UPDATE stories SET updated_at = ?2 WHERE id = ?1")?
                        .execute(params![story_id, now])?;
                }
            }
            stats.new_entries += 1;
            (entry_id, story_id, sort, Some(story_sort))
        }
    };
    if n.topics.is_empty() {
        return Ok(());
    }
    let story_sort = match story_sort {
        Some(s) => s,
        None => tx
            .prepare_cached("SELECT sort_time FROM stories WHERE id = ?1")?
            .query_row([story_id], |r| r.get(0))?,
    };
    stats.new_matches +=
        insert_matches(tx, story_id, entry_id, story_sort.min(sort), &n.topics, now)?;
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

    /// The match fingerprint each topic was last computed with.
    pub fn topic_hashes(&self) -> Result<HashMap<String, String>> {
        self.read("reading topics", |c| {
            let mut stmt = c.prepare("SELECT id, match_hash FROM topics")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
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
            let keep: BTreeSet<i64> = matches.iter().map(|m| m.story_id).collect();
            let old: Vec<i64> = {
                let mut stmt = tx.prepare("SELECT story_id FROM matches WHERE topic = ?1")?;
                stmt.query_map([&topic], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
            };
            for s in old.iter().filter(|s| !keep.contains(s)) {
                tx.execute("DELETE FROM matches WHERE topic = ?1 AND story_id = ?2", params![topic, s])?;
            }
            let mut added = 0;
            for m in matches {
                let story_sort: i64 = tx
                    .prepare_cached("SELECT sort_time FROM stories WHERE id = ?1")?
                    .query_row([m.story_id], |r| r.get(0))?;
                added += tx
                    .prepare_cached(
                        "INSERT INTO matches (topic, story_id, entry_id, terms, sort_time, matched_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (topic, story_id) DO UPDATE SET terms = excluded.terms",
                    )?
                    .execute(params![
                        topic,
                        m.story_id,
                        m.entry_id,
                        json_list(&m.terms),
                        story_sort.min(m.sort_time.timestamp()),
                        // Backfilled matches carry the entry's own time, not "now", so a reader
                        // files them in the past.
                        m.sort_time.timestamp().min(now.timestamp())
                    ])?;
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

    /// One page of the stories matched by any of `topics`, newest first, strictly before the
    /// cursor `(sort_time, story_id)` when one is given.
    pub fn topic_page(
        &self,
        topics: &[String],
        limit: u32,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<StoryItem>> {
        if topics.is_empty() {
            return Ok(Vec::new());
        }
        self.read("reading a topic feed", |c| {
            let placeholders = vec!["?"; topics.len()].join(",");
            let (bt, bs) = before.unwrap_or((i64::MAX, i64::MAX));
            let sql = format!(
                "SELECT m.story_id, MAX(m.sort_time) AS st, MIN(m.matched_at), json_group_array(m.terms)
                 FROM matches m WHERE m.topic IN ({placeholders})
                 GROUP BY m.story_id
                 HAVING st < ? OR (st = ? AND m.story_id < ?)
                 ORDER BY st DESC, m.story_id DESC LIMIT ?"
            );
            let mut args: Vec<rusqlite::types::Value> = topics.iter().map(|t| t.clone().into()).collect();
            args.extend([bt.into(), bt.into(), bs.into(), i64::from(limit).into()]);
            let mut stmt = c.prepare(&sql)?;
            let heads: Vec<(i64, i64, i64, String)> = stmt
                .query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(heads.len());
            for (story_id, st, matched_at, terms_json) in heads {
                let mut terms = BTreeSet::new();
                for t in serde_json::from_str::<Vec<String>>(&terms_json).unwrap_or_default() {
                    terms.extend(parse_list(&t));
                }
                let item = c
                    .prepare_cached(
                        "SELECT s.uid, e.id, e.title, e.link, e.summary_html, e.content_html, e.authors, e.categories,
                                e.published,
                                CASE WHEN MAX(e.changed_at, s.updated_at) > e.first_seen
                                     THEN MAX(e.changed_at, s.updated_at)
                                     ELSE MAX(e.sort_time, COALESCE(e.updated, e.sort_time)) END,
                                f.url, f.title, f.site_url, e.html_base
                         FROM stories s JOIN entries e ON e.id = s.first_entry_id JOIN feeds f ON f.id = e.feed_id
                         WHERE s.id = ?1",
                    )?
                    .query_row([story_id], |r| {
                        Ok((
                            r.get::<_, i64>(1)?,
                            StoryItem {
                                story_id,
                                uid: r.get(0)?,
                                sort_time: ts(st),
                                matched_at: ts(matched_at),
                                terms: terms.iter().cloned().collect(),
                                title: r.get(2)?,
                                link: r.get(3)?,
                                summary_html: r.get(4)?,
                                content_html: r.get(5)?,
                                html_base: r.get(13)?,
                                authors: parse_list(&r.get::<_, String>(6)?),
                                categories: parse_list(&r.get::<_, String>(7)?),
                                published: r.get::<_, Option<i64>>(8)?.map(ts),
                                updated: ts(r.get(9)?),
                                feed_url: r.get(10)?,
                                feed_title: r.get(11)?,
                                site_url: r.get(12)?,
                                also: Vec::new(),
                            },
                        ))
                    })
                    .optional()?;
                let Some((entry_id, mut item)) = item else { continue };
                let mut stmt = c.prepare_cached(
                    "SELECT f.url, f.title, e.link FROM entries e JOIN feeds f ON f.id = e.feed_id
                     WHERE e.story_id = ?1 AND e.id != ?2 ORDER BY e.sort_time, e.id",
                )?;
                item.also = stmt
                    .query_map(params![story_id, entry_id], |r| {
                        Ok(AlsoReported {
                            feed_url: r.get(0)?,
                            feed_title: r.get(1)?,
                            link: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                out.push(item);
            }
            Ok(out)
        })
    }

    /// Retention: deletes entries first seen before `cutoff` whose story no topic matched and
    /// that their feed no longer lists (an entry still in the feed would come back as new), then
    /// stories left without entries, and returns freed pages to the file system a little at a
    /// time. Works in batches so that polls are never held up for long. Returns entries deleted.
    pub fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize> {
        const BATCH: i64 = 2000;
        let cutoff = cutoff.timestamp();
        let mut deleted = 0;
        let mut after = 0i64;
        loop {
            let (n, last, done) = self.write("deleting expired entries", move |tx| {
                forget_prints();
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
                let mut listed: HashMap<i64, std::collections::HashSet<String>> = HashMap::new();
                let mut n = 0;
                for (id, feed, key) in candidates {
                    let still_listed = match listed.entry(feed) {
                        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                        std::collections::hash_map::Entry::Vacant(v) => {
                            let keys: Option<String> = tx
                                .prepare_cached("SELECT listed FROM feeds WHERE id = ?1")?
                                .query_row([feed], |r| r.get(0))?;
                            v.insert(keys.map(|k| parse_list(&k)).unwrap_or_default().into_iter().collect())
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
