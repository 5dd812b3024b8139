//! Stories: which story a new entry joins (the one of its canonical link, or one its topics
//! matched that is told in the same words), and merging two stories a new entry shows to be
//! one. The writer keeps the fingerprints it compared with in a [`PrintCache`] it owns and
//! hands to each job.

use super::entries::NewEntry;
use super::matches::set_match_sort;
use super::writer::Tx;
use crate::dedup::story::{self, Fingerprint, Story, WordFrequencies};
use crate::model::FeedId;
use rusqlite::{Connection, OptionalExtension, named_params, params};
use std::collections::{HashMap, HashSet};

/// Entries with the same canonical URL join one story when first seen within this window.
pub(super) const SAME_URL_WINDOW_SECS: i64 = 7 * 86_400;

/// How many stories of a topic a new entry is compared with (the nearest in time).
const STORY_CANDIDATES: i64 = 200;

/// Most fingerprinted entries a [`PrintCache`] holds the stories of before it starts over.
const PRINTS_KEPT: usize = 10_000;

/// A story: its id and sort time.
pub(super) type StoryAt = (i64, i64);

/// What the stories recently compared with say ([`Story`]: the union of their entries'
/// fingerprints), by story. Kept by the writer thread, the only one that changes them, so that
/// each new entry of a busy topic is compared with hundreds of stories without reading their
/// entries from the database each time (reading them was most of the writer's time on a large
/// first poll). A story is loaded on first use and kept current by the writes that add to it;
/// any write that could change one otherwise (an entry's new text, a merge, a deletion, a
/// rolled-back job) drops the story or the whole cache.
///
/// It also keeps how often each word occurs among the stories (what makes a word rare,
/// [`WordFrequencies`]): loaded once from the covering index, counted up as entries join or
/// start stories, dropped with the rest. (An entry whose text changes keeps its old words
/// counted: the weights are statistics, and one entry moves them little.)
#[derive(Default)]
pub(super) struct PrintCache {
    by_story: HashMap<i64, (Story, usize)>,
    kept: usize,
    weights: Option<WordFrequencies>,
}

impl PrintCache {
    /// Forgets everything cached.
    pub(super) fn clear(&mut self) {
        *self = PrintCache::default();
    }

    /// Forgets one story.
    pub(super) fn forget(&mut self, story_id: i64) {
        if let Some((_, n)) = self.by_story.remove(&story_id) {
            self.kept -= n;
        }
    }

    /// Adds a new entry (sorting at `sort`, of feed `feed`) to its story, if that story is
    /// cached (or new, so that it is just this entry).
    pub(super) fn add(
        &mut self,
        story_id: i64,
        new_story: bool,
        sort: i64,
        feed: FeedId,
        fp: &Fingerprint,
    ) {
        if new_story {
            let mut story = Story::default();
            story.add(fp, sort / 3600, feed.0);
            self.by_story.insert(story_id, (story, 1));
        } else if let Some((story, n)) = self.by_story.get_mut(&story_id) {
            story.add(fp, sort / 3600, feed.0);
            *n += 1;
        } else {
            return;
        }
        self.kept += 1;
    }

    /// The word frequencies, loaded first if needed ([`load_word_frequencies`]).
    fn weights(&mut self, conn: &Connection) -> rusqlite::Result<&mut WordFrequencies> {
        if self.weights.is_none() {
            let w = load_word_frequencies(conn)?;
            self.weights = Some(w);
        }
        Ok(self.weights.as_mut().expect("loaded"))
    }

    /// The cached stories, their count of fingerprints and the word frequencies (loaded first
    /// if needed), apart, to score against stories while loading more.
    #[allow(clippy::type_complexity)]
    fn parts(
        &mut self,
        conn: &Connection,
    ) -> rusqlite::Result<(
        &mut HashMap<i64, (Story, usize)>,
        &mut usize,
        &WordFrequencies,
    )> {
        self.weights(conn)?;
        let PrintCache {
            by_story,
            kept,
            weights,
        } = self;
        Ok((by_story, kept, weights.as_ref().expect("loaded")))
    }

    /// Each of the stories `ids` that a new entry `fp` (published at `hours` by `feed`) joins
    /// by its words, and the only other one it may join across languages ([`story::across`],
    /// scored 0), with whether it joins as a late report ([`story::Scorer::is_late`]), its
    /// score and what its entries say (loading stories and word weights as needed).
    fn joined_by(
        &mut self,
        conn: &Connection,
        ids: &[i64],
        fp: &Fingerprint,
        hours: i64,
        feed: FeedId,
    ) -> rusqlite::Result<Vec<(bool, f64, i64, Story)>> {
        let (by_story, kept, weights) = self.parts(conn)?;
        let scorer = story::Scorer::new(fp, hours, feed.0, weights);
        let mut out = Vec::new();
        // Which stories it may join across languages, by the names alone: the only one besides
        // those it joins by its words is joined, or merged with them.
        let mut fits = Vec::with_capacity(ids.len());
        for &id in ids {
            let story = cached_story(by_story, kept, conn, id)?;
            let score = scorer.join(story);
            fits.push(score.is_none() && story::across::joins(fp, hours, story));
            if let Some(score) = score {
                out.push((scorer.is_late(story), score, id, story.clone()));
            }
        }
        if let Some(i) = story::across::sole(fits) {
            let story = cached_story(by_story, kept, conn, ids[i])?;
            out.push((scorer.is_late(story), 0.0, ids[i], story.clone()));
        }
        Ok(out)
    }

    /// The first of the stories `ids` now told in the words of `grown`, a story an entry just
    /// joined ([`Story::drawn_into`]), with what its entries say.
    fn drawn_into(
        &mut self,
        conn: &Connection,
        ids: &[i64],
        grown: &Story,
    ) -> rusqlite::Result<Option<(i64, Story)>> {
        let (by_story, kept, weights) = self.parts(conn)?;
        for &id in ids {
            let story = cached_story(by_story, kept, conn, id)?;
            if story.drawn_into(grown, weights) {
                return Ok(Some((id, story.clone())));
            }
        }
        Ok(None)
    }

    /// What a story's entries say, from the cache, loading the story first if needed.
    fn story(&mut self, conn: &Connection, story_id: i64) -> rusqlite::Result<&Story> {
        cached_story(&mut self.by_story, &mut self.kept, conn, story_id)
    }
}

/// What a story's entries say, from `by_story` (holding `kept` fingerprints), loading the story
/// first if needed.
fn cached_story<'a>(
    by_story: &'a mut HashMap<i64, (Story, usize)>,
    kept: &mut usize,
    conn: &Connection,
    story_id: i64,
) -> rusqlite::Result<&'a Story> {
    if !by_story.contains_key(&story_id) {
        let (mut story, mut n, mut fp) = (Story::default(), 0, Fingerprint::default());
        let mut stmt = conn.prepare_cached(
            "SELECT sort_time, feed_id, fingerprint FROM entries INDEXED BY entries_prints
             WHERE story_id = ?1 AND fingerprint IS NOT NULL",
        )?;
        let mut rows = stmt.query([story_id])?;
        while let Some(r) = rows.next()? {
            let sort: i64 = r.get(0)?;
            if fp.read(r.get_ref(2)?.as_blob()?) {
                story.add(&fp, sort / 3600, r.get(1)?);
                n += 1;
            }
        }
        if *kept + n > PRINTS_KEPT {
            // Starts over on the stories, keeping the word frequencies.
            by_story.clear();
            *kept = 0;
        }
        *kept += n;
        by_story.insert(story_id, (story, n));
    }
    Ok(&by_story[&story_id].0)
}

/// Every story's fingerprinted words, counted once per story, from the covering index (which
/// is ordered by story).
pub(super) fn load_word_frequencies(conn: &Connection) -> rusqlite::Result<WordFrequencies> {
    let mut w = WordFrequencies::default();
    let (mut fp, mut story, mut current) = (Fingerprint::default(), Story::default(), None);
    let mut stmt = conn.prepare_cached(
        "SELECT story_id, fingerprint FROM entries INDEXED BY entries_prints
         WHERE fingerprint IS NOT NULL ORDER BY story_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if current != Some(id) {
            if current.is_some() {
                w.add_story(story.words());
            }
            (current, story) = (Some(id), Story::default());
        }
        if fp.read(r.get_ref(1)?.as_blob()?) {
            story.add(&fp, 0, 0);
        }
    }
    if current.is_some() {
        w.add_story(story.words());
    }
    Ok(w)
}

/// A story's sort time (the sort time of its earliest entry).
pub(super) fn story_sort(conn: &Connection, story_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT sort_time FROM stories WHERE id = ?1")?
        .query_row([story_id], |r| r.get(0))
}

/// Marks a story changed (an entry's text, or who reported it) at `now`.
pub(super) fn touch_story(conn: &Connection, story_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE stories SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![story_id, now])?;
    Ok(())
}

/// Writes a new story shown through entry `first_entry_id` (not yet inserted); returns its id.
pub(super) fn insert_story(
    conn: &Connection,
    n: &NewEntry,
    sort: i64,
    first_entry_id: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO stories (uid, canonical_url, url_key, sort_time, updated_at, first_entry_id)
         VALUES (:uid, :url, :url_key, :sort, :now, :first)",
    )?
    .execute(named_params! {
        ":uid": n.uid,
        ":url": n.canonical_url,
        ":url_key": n.canonical_url.as_deref().map(crate::dedup::url_key),
        ":sort": sort,
        ":now": now,
        ":first": first_entry_id,
    })?;
    Ok(conn.last_insert_rowid())
}

/// A new entry at `sort` became the earliest of its story: the story is shown through it.
pub(super) fn lead_story(
    conn: &Connection,
    story_id: i64,
    entry_id: i64,
    sort: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE stories SET first_entry_id = ?2, sort_time = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![story_id, entry_id, sort, now])?;
    set_match_sort(conn, story_id, sort)
}

/// The story a new entry (sorting at `sort`) joins: the one of its canonical link; else the
/// one it is told most closely like. Every other story it is told like is the same story too,
/// and merges into the one it joins, and so does every other candidate story then told in the
/// words of the story grown by the entry ([`Story::drawn_into`]): so the grouping does not
/// depend on the order entries arrive in. `None`: a new story.
pub(super) fn story_for(
    tx: &mut Tx<'_>,
    n: &NewEntry,
    feed: FeedId,
    sort: i64,
    now: i64,
) -> rusqlite::Result<Option<StoryAt>> {
    let by_link = story_by_url(tx, n, sort)?;
    let (alike, mut others) = similar_stories(tx, n, feed, sort)?;
    let Some(mut into) = by_link.or_else(|| alike.first().map(|a| a.0)) else {
        if let Some(fp) = &n.fingerprint {
            tx.prints.weights(tx.conn)?.add_story(&fp.words);
        }
        return Ok(None);
    };
    // What the story says, grown by the merges and the entry (one joined by link alone is
    // looked up).
    let mut grown = None;
    if let Some(fp) = &n.fingerprint {
        let story = match alike.iter().find(|(at, _)| at.0 == into.0) {
            Some((_, story)) => story.clone(),
            None => story_words(tx, into.0)?,
        };
        // The words the entry brings to its story.
        tx.prints.weights(tx.conn)?.add_to_story(&fp.words, &story);
        grown = Some(story);
    }
    for (other, story) in alike {
        if other.0 != into.0 {
            into = merge_stories(tx, other.0, into.0, now)?;
            if let Some(g) = &mut grown {
                g.absorb(&story);
            }
        }
    }
    if let (Some(fp), Some(mut grown)) = (&n.fingerprint, grown) {
        grown.add(fp, sort / 3600, feed.0);
        others.retain(|id| *id != into.0);
        while let Some((other, story)) = tx.prints.drawn_into(tx.conn, &others, &grown)? {
            others.retain(|id| *id != other);
            grown.absorb(&story);
            into = merge_stories(tx, other, into.0, now)?;
        }
    }
    Ok(Some(into))
}

/// The story of a new entry's canonical link: one with the same link first seen within
/// [`SAME_URL_WINDOW_SECS`].
fn story_by_url(conn: &Connection, n: &NewEntry, sort: i64) -> rusqlite::Result<Option<StoryAt>> {
    let Some(url) = &n.canonical_url else {
        return Ok(None);
    };
    conn.prepare_cached(
        "SELECT id, sort_time FROM stories WHERE url_key = :key AND canonical_url = :url
         AND sort_time BETWEEN :from AND :to ORDER BY id LIMIT 1",
    )?
    .query_row(
        named_params! {
            ":url": url,
            ":from": sort - SAME_URL_WINDOW_SECS,
            ":to": sort + SAME_URL_WINDOW_SECS,
            ":key": crate::dedup::url_key(url),
        },
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// The stories a new entry joins, closest first, with what their entries say; and the other
/// candidate stories' ids, nearest first.
type Candidates = (Vec<(StoryAt, Story)>, Vec<i64>);

/// The stories told in the words of `n` (sorting at `sort`), closest first: among the stories
/// its topics matched within [`story::SPAN_HOURS`], those [`story::join_score`] accepts, with
/// what their entries say. The closest is first; the others are kept only when they still fit
/// with those before them ([`Story::fits_with`]: one span, no different acts). Then the other
/// candidates, nearest first (which the grown story may draw in, see [`story_for`]). A story that
/// already holds an entry of the same feed is a candidate like any other: outlets carry one
/// event in several pieces (NBC News' two reports of the arms talks, a live page beside the
/// article), and the vetoes, not the outlet, keep a saga's days apart.
fn similar_stories(
    tx: &mut Tx<'_>,
    n: &NewEntry,
    feed: FeedId,
    sort: i64,
) -> rusqlite::Result<Candidates> {
    let Some(fp) = &n.fingerprint else {
        return Ok(Default::default());
    };
    if n.topics.is_empty() || fp.words.is_empty() {
        return Ok(Default::default());
    }
    let ids = candidate_stories(tx, n, sort)?;
    let mut alike = tx.prints.joined_by(tx.conn, &ids, fp, sort / 3600, feed)?;
    // Stories whose burst it lies in first, then the closest.
    alike.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut out: Vec<(StoryAt, Story)> = Vec::new();
    // What the stories kept so far say together: each further one must fit with all of them.
    let mut together = Story::default();
    for (_, _, id, story) in alike {
        if together.fits_with(&story) {
            together.absorb(&story);
            out.push(((id, story_sort(tx, id)?), story));
        }
    }
    let others = ids
        .into_iter()
        .filter(|id| !out.iter().any(|((o, _), _)| o == id))
        .collect();
    Ok((out, others))
}

/// The stories of `n`'s topics sorting within [`story::SPAN_HOURS`] of `sort`, nearest first
/// (at most [`STORY_CANDIDATES`] per topic: copies of one event arrive close together, and the
/// cost stays bounded on a busy topic). A match's sort time is its story's.
fn candidate_stories(tx: &mut Tx<'_>, n: &NewEntry, sort: i64) -> rusqlite::Result<Vec<i64>> {
    let window = story::SPAN_HOURS * 3600;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for hit in &n.topics {
        let stories: Vec<i64> = tx
            .prepare_cached(
                "SELECT story_id FROM matches WHERE topic = :topic
                 AND sort_time BETWEEN :from AND :to ORDER BY abs(sort_time - :at) LIMIT :n",
            )?
            .query_map(
                named_params! {
                    ":topic": hit.topic,
                    ":from": sort - window,
                    ":to": sort + window,
                    ":at": sort,
                    ":n": STORY_CANDIDATES,
                },
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        out.extend(stories.into_iter().filter(|id| seen.insert(*id)));
    }
    Ok(out)
}

/// What the entries of a story say, together (from the writer's cache).
pub(super) fn story_words(tx: &mut Tx<'_>, id: i64) -> rusqlite::Result<Story> {
    Ok(tx.prints.story(tx.conn, id)?.clone())
}

/// Drops `stories` from the writer's cache and marks them changed, before entries move
/// between them.
pub(super) fn changing(tx: &mut Tx<'_>, stories: [i64; 2]) {
    for id in stories {
        tx.prints.forget(id);
        tx.touched.story(id);
    }
}

/// Shows story `id` through its earliest entry, sorting at its time.
pub(super) fn lead_by_earliest(tx: &mut Tx<'_>, id: i64, now: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "UPDATE stories SET
             first_entry_id = (SELECT id FROM entries WHERE story_id = ?1 ORDER BY sort_time, id LIMIT 1),
             sort_time = (SELECT MIN(sort_time) FROM entries WHERE story_id = ?1),
             updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    let sort = story_sort(tx, id)?;
    set_match_sort(tx, id, sort)?;
    Ok(sort)
}

/// Moves the entries and matches of story `from` into story `into`, which is then shown through
/// its earliest entry; returns `into`'s id and sort time.
pub(super) fn merge_stories(
    tx: &mut Tx<'_>,
    from: i64,
    into: i64,
    now: i64,
) -> rusqlite::Result<StoryAt> {
    // The merged story leaves the topics that showed it, and joins them under `into`.
    changing(tx, [from, into]);
    tx.prepare_cached("UPDATE entries SET story_id = ?2 WHERE story_id = ?1")?
        .execute(params![from, into])?;
    super::matches::move_matches(tx, from, into)?;
    let sort = lead_by_earliest(tx, into, now)?;
    tx.prepare_cached("DELETE FROM stories WHERE id = ?1")?
        .execute([from])?;
    Ok((into, sort))
}
