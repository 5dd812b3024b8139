//! What changed in the output, known without reading the database: a version per topic that
//! the writer raises when a commit changes what the topic's feed shows (a story matched, an
//! entry of a matched story changed, another outlet joined, stories merged). The server keys
//! its rendered pages by these versions, so a reader's conditional GET of an unchanged topic is
//! answered without a query or a render.
//!
//! The versions live in this process: they are right as long as this process is the only one
//! writing the database, which the daemon is while it runs.

use rusqlite::Connection;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Output versions per topic. Versions only go up; a topic never changed has version 0.
#[derive(Debug, Default)]
pub struct Changes {
    /// The last version handed out.
    seq: AtomicU64,
    /// The version at which everything changed at once (a topic's matches were replaced).
    all: AtomicU64,
    topics: Mutex<HashMap<String, u64>>,
}

impl Changes {
    /// The output version of `topic`.
    pub fn topic(&self, topic: &str) -> u64 {
        let own = self
            .topics
            .lock()
            .expect("topic versions")
            .get(topic)
            .copied()
            .unwrap_or(0);
        own.max(self.all.load(Ordering::Acquire))
    }

    /// The newest output version among `topics` (the combined feed's version).
    pub fn newest<'a>(&self, topics: impl IntoIterator<Item = &'a str>) -> u64 {
        let map = self.topics.lock().expect("topic versions");
        let own = topics
            .into_iter()
            .filter_map(|t| map.get(t).copied())
            .max()
            .unwrap_or(0);
        own.max(self.all.load(Ordering::Acquire))
    }

    /// Raises the versions of what a committed transaction touched.
    pub(super) fn commit(&self, touched: &Touched) {
        if touched.is_empty() {
            return;
        }
        let v = self.seq.fetch_add(1, Ordering::AcqRel) + 1;
        let mut map = self.topics.lock().expect("topic versions");
        for t in &touched.topics {
            map.insert(t.clone(), v);
        }
        if touched.all {
            self.all.store(v, Ordering::Release);
        }
    }
}

/// What one transaction changed that output feeds show.
#[derive(Debug, Default)]
pub(super) struct Touched {
    stories: HashSet<i64>,
    topics: HashSet<String>,
    all: bool,
}

impl Touched {
    /// A story whose entries, members or matches changed.
    pub fn story(&mut self, story_id: i64) {
        self.stories.insert(story_id);
    }

    /// A topic whose matches changed.
    pub fn topic(&mut self, topic: &str) {
        if !self.topics.contains(topic) {
            self.topics.insert(topic.to_string());
        }
    }

    /// Every output may have changed.
    pub fn everything(&mut self) {
        self.all = true;
    }

    fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.stories.is_empty() && !self.all
    }

    /// Turns the touched stories into the topics that show them (inside the transaction that
    /// touched them, so merged stories are found under their new id too).
    pub fn resolve(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let mut stmt =
            conn.prepare_cached("SELECT DISTINCT topic FROM matches WHERE story_id = ?1")?;
        for id in self.stories.drain() {
            let mut rows = stmt.query([id])?;
            while let Some(r) = rows.next()? {
                let t: String = r.get(0)?;
                if !self.topics.contains(&t) {
                    self.topics.insert(t);
                }
            }
        }
        Ok(())
    }

    /// Adds what another job of the same transaction touched.
    pub fn absorb(&mut self, other: Touched) {
        self.stories.extend(other.stories);
        self.topics.extend(other.topics);
        self.all |= other.all;
    }
}
