//! A fetched body into the store: parse it, identify its entries against the stored ones,
//! match the new and changed ones against every topic, and write them with the feed's new
//! state in one transaction.

use super::{PollFailure, PollOutcome, PollResult, Timings, blocking, failed, store_failed};
use crate::dedup;
use crate::fetch::Fetched;
use crate::model::{ErrorKind, FeedState, ParsedFeed};
use crate::runtime::doc::{Source, entry_doc, topics_of};
use crate::runtime::{Live, Snapshot};
use crate::store::{NewEntry, PollWrite, Store, StoreError, StoredEntries};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Instant;
use tracing::debug;

pub(super) async fn ingest(
    live: Arc<Live>,
    snapshot: Arc<Snapshot>,
    store: Arc<Store>,
    state: FeedState,
    mut f: Fetched,
    now: DateTime<Utc>,
) -> PollOutcome {
    // Taken, not copied: the body is the largest thing a poll holds.
    let body = f.body.take().unwrap_or_default();
    let base = f.final_url.clone();
    let parse_started = Instant::now();
    let content_type = f.content_type.clone();
    let parsed =
        blocking(move || crate::parse::parse_guarded(&body, &base, content_type.as_deref())).await;
    let timings = Timings {
        parse: parse_started.elapsed(),
        ..Timings::default()
    };
    let message = match parsed {
        Ok(p) if p.unread_items == 0 => Ok(p),
        // Never an empty feed in silence: a document misread as empty is a parse problem.
        Ok(p) => Err(format!(
            "no entries read, though the document holds {} <item> or <entry> elements: `feedsift inspect` shows what feedsift makes of it",
            p.unread_items
        )),
        Err(e) => Err(e.message),
    };
    let parsed = match message {
        Ok(p) => p,
        Err(message) => {
            let failure = PollFailure {
                kind: ErrorKind::Parse,
                message,
                gone: false,
                retry_after: None,
            };
            return failed(&snapshot, &store, state, &failure, now).await;
        }
    };
    let (job_store, old) = (store.clone(), state.clone());
    let written = blocking(move || {
        live.with_matching(|snapshot| {
            store_poll(snapshot, &job_store, old, &f, parsed, now, timings)
        })
    })
    .await;
    match written {
        Ok(outcome) => outcome,
        Err(e) => store_failed(&snapshot, &store, state, e, now).await,
    }
}

/// Identifies, matches and stores the entries of `parsed` with the feed's next state. Runs on a
/// blocking thread, under the snapshot's matching gate.
fn store_poll(
    snapshot: &Snapshot,
    store: &Store,
    state: FeedState,
    f: &Fetched,
    parsed: ParsedFeed,
    now: DateTime<Utc>,
    mut timings: Timings,
) -> Result<PollOutcome, StoreError> {
    let clock = Instant::now();
    let stored = store.stored_entries(state.id)?;
    timings.store = clock.elapsed();
    let clock = Instant::now();
    let keys = dedup::stable_keys(
        &parsed.entries,
        dedup::entry_keys(&parsed.entries),
        |k| stored.hashes.contains_key(k),
        &stored.keys_by_link,
    );
    timings.dedup = clock.elapsed();
    let entries = changed_entries(snapshot, &state, &parsed, &keys, &stored, &mut timings);
    let new = entries.iter().filter(|e| !e.known).count();
    let next = super::success_state(snapshot, &state, f, Some(&parsed), new, now);
    let write = PollWrite {
        state: next.clone(),
        entries,
        listed: Some(keys.into_iter().flatten().collect()),
        now,
    };
    let clock = Instant::now();
    let stats = store.apply_poll(write)?;
    timings.store += clock.elapsed();
    // The writer's share of identifying entries is not store time.
    timings.dedup += stats.story_time;
    timings.store = timings.store.saturating_sub(stats.story_time);
    if stats.new_entries + stats.updated_entries > 0 {
        debug!(
            new = stats.new_entries,
            updated = stats.updated_entries,
            matches = stats.new_matches,
            "stored"
        );
    }
    Ok(PollOutcome {
        result: PollResult::Stored(stats),
        state: next,
        warnings: parsed.warnings,
        timings,
    })
}

/// The entries of `parsed` that are new or changed, identified and matched.
fn changed_entries(
    snapshot: &Snapshot,
    state: &FeedState,
    parsed: &ParsedFeed,
    keys: &[Option<String>],
    stored: &StoredEntries,
    timings: &mut Timings,
) -> Vec<NewEntry> {
    let config = &snapshot.config;
    let source = Source {
        url: &state.url,
        own_title: parsed.title.as_deref().or(state.title.as_deref()),
    };
    let mut out = Vec::new();
    for (entry, key) in parsed.entries.iter().zip(keys) {
        let Some(key) = key.clone() else { continue };
        let clock = Instant::now();
        let hash = dedup::content_hash(entry);
        if stored.hashes.get(&key) == Some(&hash) {
            timings.dedup += clock.elapsed();
            continue;
        }
        let canonical_url = entry.link.as_deref().and_then(dedup::canonical_url);
        let uid = dedup::entry_uid(&state.url, &key);
        timings.dedup += clock.elapsed();
        let clock = Instant::now();
        let doc = entry_doc(config, source, entry);
        let topics = topics_of(&snapshot.matcher, config, &state.url, &doc);
        timings.matching += clock.elapsed();
        let clock = Instant::now();
        let fingerprint = (!topics.is_empty())
            .then(|| dedup::story::fingerprint_with(&entry.title, &entry.text, &config.name_sets));
        timings.dedup += clock.elapsed();
        out.push(NewEntry {
            known: stored.hashes.contains_key(&key),
            uid,
            canonical_url,
            content_hash: hash,
            key,
            fingerprint,
            entry: entry.clone(),
            topics,
        });
    }
    out
}
