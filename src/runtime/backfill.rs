//! Topic backfill: when a topic is new or its query changed, it is evaluated over every stored
//! entry (each match keeping the entry's own date); topics no longer configured lose their
//! matches. Runs when a config is installed (see [`super::Live::install`]).

use super::doc::{stored_doc, topics_of};
use crate::config::Config;
use crate::store::{Store, StoreError, TopicMatch};
use crate::topic::Matcher;
use chrono::Utc;
use std::collections::{HashMap, HashSet};
use tracing::info;

/// Brings stored matches in line with the configured topics. Returns the topics recomputed.
/// Blocking.
pub fn sync_topics(config: &Config, store: &Store) -> Result<Vec<String>, StoreError> {
    let ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
    store.remove_topics_except(&ids)?;
    let stored = store.topic_hashes()?;
    // Topics whose fingerprint differs from the one their matches were computed with.
    let stale: Vec<_> = config
        .topics
        .iter()
        .map(|t| (t.clone(), t.match_hash()))
        .filter(|(t, hash)| stored.get(&t.id) != Some(hash))
        .collect();
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: HashMap<String, Vec<TopicMatch>> = HashMap::new();
    let matcher = Matcher::new(stale.iter().map(|(t, _)| t.clone()).collect());
    store.scan_entries(None, |row| {
        let doc = stored_doc(config, &row);
        for hit in topics_of(&matcher, config, &row.feed_url, &doc) {
            found.entry(hit.topic).or_default().push(TopicMatch {
                story_id: row.story_id,
                entry_id: row.id,
                terms: hit.terms,
                sort_time: row.sort_time,
            });
        }
        true
    })?;
    let now = Utc::now();
    let mut done = Vec::new();
    for (t, hash) in &stale {
        let mut matches = found.remove(&t.id).unwrap_or_default();
        // One match per story: the earliest entry that matched (the scan is newest first).
        matches.reverse();
        let mut seen = HashSet::new();
        matches.retain(|m| seen.insert(m.story_id));
        let n = store.replace_topic_matches(&t.id, hash, &matches, now)?;
        info!(topic = %t.id, stories = matches.len(), added = n, "topic matched over stored entries");
        done.push(t.id.clone());
    }
    Ok(done)
}
