//! One feed, end to end: fetch → parse → identify → match → store, and the feed's next state.
//! Shared by the daemon's scheduler and `feedsift poll`. Timing policy comes from `schedule`.
//! Also home of topic backfill, which matches stored entries against new or changed topics.

use crate::config::Config;
use crate::dedup;
use crate::fetch::{FetchError, FetchOptions, Fetched, Fetcher, Validators};
use crate::model::{ErrorKind, FeedState, FeedStatus, ParsedFeed};
use crate::schedule::policy::{self, Bounds, ServerHints};
use crate::store::{EntryRow, NewEntry, PollWrite, Store, StoreError, TopicMatch, WriteStats};
use crate::topic::{Doc, DocInput, FeedRef, Matcher};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;
use tracing::{Instrument, debug, info, warn};

/// Everything a poll needs that comes from one config; swapped whole on reload.
#[derive(Debug)]
pub struct Pipeline {
    pub config: Arc<Config>,
    pub matcher: Matcher,
    pub fetcher: Fetcher,
}

impl Pipeline {
    pub fn new(config: Arc<Config>) -> Result<Pipeline, String> {
        let fetcher = Fetcher::new(FetchOptions {
            timeout: config.daemon.timeout,
            max_body: config.daemon.max_body,
            user_agent: config.daemon.user_agent.clone(),
        })?;
        Ok(Pipeline {
            matcher: Matcher::new(config.topics.clone()),
            config,
            fetcher,
        })
    }

    pub fn bounds(&self) -> Bounds {
        Bounds {
            min: self.config.daemon.min_interval,
            max: self.config.daemon.max_interval,
        }
    }

    pub fn interval(&self, url: &str) -> Duration {
        self.config
            .feed(url)
            .map(|f| self.config.interval_of(f))
            .unwrap_or(self.config.daemon.poll_interval)
    }
}

/// The pipeline in force, swapped on reload. A poll matches and writes its entries under a
/// read lock, and installing a new pipeline (backfill, then swap) takes the write lock: so an
/// entry is either written before a backfill scans, or matched against the new topics. Without
/// this, a poll that started before a reload could store entries the new topics never see.
#[derive(Debug)]
pub struct Current {
    tx: watch::Sender<Arc<Pipeline>>,
    gate: RwLock<()>,
}

impl Current {
    /// Wraps `pipeline` without backfilling (see [`Current::install`]).
    pub fn new(pipeline: Arc<Pipeline>) -> Arc<Current> {
        Arc::new(Current {
            tx: watch::channel(pipeline).0,
            gate: RwLock::new(()),
        })
    }

    pub fn get(&self) -> Arc<Pipeline> {
        self.tx.borrow().clone()
    }

    /// Notified each time a new pipeline is installed.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Pipeline>> {
        self.tx.subscribe()
    }

    /// Brings the stored matches in line with `pipeline`'s topics, then makes it current.
    /// On error the current pipeline stays. Blocking.
    pub fn install(
        &self,
        pipeline: Arc<Pipeline>,
        store: &Store,
    ) -> Result<Vec<String>, StoreError> {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let done = sync_topics(&pipeline, store)?;
        self.tx.send_replace(pipeline);
        Ok(done)
    }

    /// Runs `f` with the current pipeline while no install can happen. Blocking.
    fn with_matching<T>(&self, f: impl FnOnce(&Pipeline) -> T) -> T {
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        f(&self.get())
    }
}

/// How one poll ended.
#[derive(Clone, Debug)]
pub enum PollResult {
    /// 304 Not Modified.
    Unchanged,
    Stored(WriteStats),
    Failed {
        kind: ErrorKind,
        message: String,
    },
}

/// The result of one poll and the feed's state after it.
#[derive(Clone, Debug)]
pub struct PollOutcome {
    pub result: PollResult,
    pub state: FeedState,
    /// Parser warnings (dropped links and such).
    pub warnings: Vec<String>,
    /// Where the poll's time went.
    pub timings: Timings,
}

/// Time spent in each stage of one poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub fetch: Duration,
    pub parse: Duration,
    /// Identifying entries: keys, ids, canonical links, content hashes, story fingerprints,
    /// and (in the writer) finding stories told in other words.
    pub dedup: Duration,
    /// Evaluating topics.
    pub matching: Duration,
    pub store: Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, o: Timings) {
        self.fetch += o.fetch;
        self.parse += o.parse;
        self.dedup += o.dedup;
        self.matching += o.matching;
        self.store += o.store;
    }
}

impl PollOutcome {
    pub fn is_failure(&self) -> bool {
        matches!(self.result, PollResult::Failed { .. })
    }
}

/// Runs blocking store or parser work off the async threads, keeping the current span.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .expect("blocking task panicked")
}

/// The title entries of the feed at `url` are shown and matched with: the configured one,
/// else the feed's own (`stored`), else the URL itself.
pub fn feed_title<'a>(config: &'a Config, url: &'a str, stored: Option<&'a str>) -> &'a str {
    config
        .feed(url)
        .and_then(|f| f.title.as_deref())
        .or(stored)
        .filter(|t| !t.is_empty())
        .unwrap_or(url)
}

/// Polls one feed now, stores what it brings and returns the feed's new state.
pub async fn poll_feed(current: Arc<Current>, store: Arc<Store>, state: FeedState) -> PollOutcome {
    let span = tracing::info_span!("poll", feed_url = %state.fetch_url());
    poll_inner(current, store, state).instrument(span).await
}

async fn poll_inner(current: Arc<Current>, store: Arc<Store>, state: FeedState) -> PollOutcome {
    let pipeline = current.get();
    let started = std::time::Instant::now();
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    let fetched = pipeline.fetcher.fetch(state.fetch_url(), &validators).await;
    let fetch_time = started.elapsed();
    let now = Utc::now();
    let outcome = match fetched {
        Err(e) => failure(&pipeline, &store, state, e, now).await,
        Ok(f) if f.not_modified() => {
            let next = success_state(&pipeline, &state, &f, None, 0, now);
            match save(&store, next).await {
                (state, Ok(())) => PollOutcome {
                    result: PollResult::Unchanged,
                    state,
                    warnings: Vec::new(),
                    timings: Timings::default(),
                },
                (state, Err(e)) => store_failure(state, e),
            }
        }
        Ok(f) => ingest(current, pipeline, store.clone(), state, f, now).await,
    };
    let mut outcome = outcome;
    outcome.timings.fetch = fetch_time;
    debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        result = ?outcome.result,
        "poll finished"
    );
    outcome
}

/// Saves a feed's state alone; gives the state back with the result.
async fn save(store: &Arc<Store>, state: FeedState) -> (FeedState, Result<(), StoreError>) {
    let store = store.clone();
    blocking(move || {
        let r = store.save_feed_state(&state);
        (state, r)
    })
    .await
}

fn store_failure(state: FeedState, e: StoreError) -> PollOutcome {
    warn!(feed_url = %state.fetch_url(), error = %e, "could not store the poll");
    PollOutcome {
        result: PollResult::Failed {
            kind: ErrorKind::InvalidResponse,
            message: format!("database error: {e}"),
        },
        state,
        warnings: Vec::new(),
        timings: Timings::default(),
    }
}

/// The feed's state after a successful poll that found `new_entries` entries never seen before
/// (0 for a 304): validators, learned rate, health, and when to poll next.
fn success_state(
    pipeline: &Pipeline,
    old: &FeedState,
    f: &Fetched,
    parsed: Option<&ParsedFeed>,
    new_entries: usize,
    now: DateTime<Utc>,
) -> FeedState {
    let mut s = old.clone();
    if old.status == FeedStatus::Failing {
        info!(feed_url = %old.fetch_url(), "feed recovered");
    }
    s.moved_to = f.moved_to.clone().or(old.moved_to.clone());
    if s.moved_to.as_deref() == Some(old.url.as_str()) {
        s.moved_to = None;
    }
    if f.moved_to.is_some() && f.moved_to != old.moved_to {
        info!(feed_url = %old.url, moved_to = ?f.moved_to, "feed moved permanently; update the config");
    }
    s.etag = f.validators.etag.clone();
    s.last_modified = f.validators.last_modified.clone();
    s.last_poll = Some(now);
    s.last_success = Some(now);
    s.last_error = None;
    s.error_kind = None;
    s.consecutive_failures = 0;
    if let Some(p) = parsed {
        if p.title.is_some() {
            s.title = p.title.clone();
        }
        if p.site_url.is_some() {
            s.site_url = p.site_url.clone();
        }
        s.ttl_secs = p.ttl_minutes.map(|m| u64::from(m) * 60);
        s.skip_hours = p.skip_hours;
        s.skip_days = p.skip_days;
    }

    // Learn how often the feed brings something new.
    let mut avg = old.avg_new_secs.map(Duration::from_secs);
    if new_entries > 0 {
        avg = match old.last_new_entry.and_then(|t| (now - t).to_std().ok()) {
            Some(gap) => Some(policy::update_rate(avg, gap / new_entries as u32)),
            // First sight: estimate from the dates the entries carry.
            None => parsed
                .and_then(|p| {
                    let dates: Vec<_> = p.entries.iter().filter_map(|e| e.published).collect();
                    policy::rate_from_dates(&dates, now)
                })
                .or(avg),
        };
        s.last_new_entry = Some(now);
    }
    s.avg_new_secs = avg.map(|d| d.as_secs().max(1));
    let quiet = s.last_new_entry.and_then(|t| (now - t).to_std().ok());

    s.status = if s.moved_to.is_some() {
        FeedStatus::Moved
    } else if policy::is_silent(avg, quiet) {
        if old.status != FeedStatus::Silent {
            info!(feed_url = %old.fetch_url(), last_new_entry = ?s.last_new_entry, "feed has gone silent: fetched fine, but nothing new for far longer than usual");
        }
        FeedStatus::Silent
    } else {
        FeedStatus::Ok
    };

    let mut hints = policy::cache_hints(f.cache_control.as_deref(), f.expires.as_deref());
    hints.ttl = s.ttl_secs.map(Duration::from_secs);
    let bounds = pipeline.bounds();
    // A feed's own `interval` in the config is the user's explicit wish: kept as is. Feeds on
    // the default `poll_interval` adapt to how often they publish.
    let pinned = pipeline.config.feed(&old.url).and_then(|f| f.interval);
    let interval = match pinned {
        Some(i) => i,
        None => policy::adapted_interval(pipeline.config.daemon.poll_interval, avg, quiet, bounds),
    };
    let next = policy::after_success(now, interval, bounds, &hints, fastrand::f64());
    s.next_poll = Some(policy::avoid_skipped(next, s.skip_hours, s.skip_days));
    s
}

async fn failure(
    pipeline: &Pipeline,
    store: &Arc<Store>,
    old: FeedState,
    e: FetchError,
    now: DateTime<Utc>,
) -> PollOutcome {
    let mut s = old.clone();
    s.consecutive_failures = old.consecutive_failures.saturating_add(1);
    s.last_poll = Some(now);
    let changed = old.error_kind != Some(e.kind) || old.status != FeedStatus::Failing;
    s.last_error = Some(e.message.clone());
    s.error_kind = Some(e.kind);
    let hints = ServerHints {
        retry_after: e
            .retry_after
            .as_deref()
            .and_then(|r| policy::parse_retry_after(r, now)),
        ..Default::default()
    };
    if e.is_gone() {
        s.status = FeedStatus::Gone;
        s.next_poll = None;
        if old.status != FeedStatus::Gone {
            warn!(feed_url = %old.fetch_url(), "feed is gone (410): no longer polled; remove it from the config");
        }
    } else {
        s.status = FeedStatus::Failing;
        s.next_poll = Some(policy::after_failure(
            now,
            pipeline.interval(&old.url),
            pipeline.bounds(),
            s.consecutive_failures,
            &hints,
            fastrand::f64(),
        ));
        // One line per change of state, not one per poll.
        if changed {
            warn!(feed_url = %old.fetch_url(), error_kind = %e.kind, error = %e.message, "poll failed");
        } else {
            debug!(feed_url = %old.fetch_url(), error_kind = %e.kind, failures = s.consecutive_failures, "poll failed again");
        }
    }
    match save(store, s).await {
        (state, Ok(())) => PollOutcome {
            result: PollResult::Failed {
                kind: e.kind,
                message: e.message,
            },
            state,
            warnings: Vec::new(),
            timings: Timings::default(),
        },
        (state, Err(err)) => store_failure(state, err),
    }
}

async fn ingest(
    current: Arc<Current>,
    pipeline: Arc<Pipeline>,
    store: Arc<Store>,
    state: FeedState,
    f: Fetched,
    now: DateTime<Utc>,
) -> PollOutcome {
    let body = f.body.clone().unwrap_or_default();
    let base = f.final_url.clone();
    let parse_started = std::time::Instant::now();
    let content_type = f.content_type.clone();
    let parsed =
        blocking(move || crate::parse::parse_guarded(&body, &base, content_type.as_deref())).await;
    let parse_time = parse_started.elapsed();
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let err = FetchError {
                kind: ErrorKind::Parse,
                message: e.message,
                status: Some(f.status),
                retry_after: None,
            };
            return failure(&pipeline, &store, state, err, now).await;
        }
    };
    let job_store = store.clone();
    blocking(move || {
        current.with_matching(|pipeline| {
            let mut timings = Timings {
                parse: parse_time,
                ..Timings::default()
            };
            let clock = std::time::Instant::now();
            let stored = match job_store.stored_entries(state.id) {
                Ok(e) => e,
                Err(e) => return store_failure(state, e),
            };
            let existing = &stored.hashes;
            timings.store = clock.elapsed();
            let clock = std::time::Instant::now();
            let keys = dedup::stable_keys(
                &parsed.entries,
                dedup::entry_keys(&parsed.entries),
                |k| existing.contains_key(k),
                &stored.keys_by_link,
            );
            timings.dedup = clock.elapsed();
            let entries = changed_entries(pipeline, &state, &parsed, &keys, existing, &mut timings);
            let new = entries
                .iter()
                .filter(|e| !existing.contains_key(&e.key))
                .count();
            let next = success_state(pipeline, &state, &f, Some(&parsed), new, now);
            let listed = keys.into_iter().flatten().collect();
            let write = PollWrite {
                state: next,
                entries,
                listed: Some(listed),
                now,
            };
            let clock = std::time::Instant::now();
            let state_after = write.state.clone();
            let applied = job_store.apply_poll(write);
            timings.store += clock.elapsed();
            match applied {
                Ok(stats) => {
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
                    PollOutcome {
                        result: PollResult::Stored(stats),
                        state: state_after,
                        warnings: parsed.warnings,
                        timings,
                    }
                }
                Err(e) => store_failure(state, e),
            }
        })
    })
    .await
}

/// The entries of `parsed` that are new or changed, identified and matched.
fn changed_entries(
    pipeline: &Pipeline,
    state: &FeedState,
    parsed: &ParsedFeed,
    keys: &[Option<String>],
    existing: &HashMap<String, String>,
    timings: &mut Timings,
) -> Vec<NewEntry> {
    let config = &pipeline.config;
    let feed_cfg = config.feed(&state.url);
    let tags: &[String] = feed_cfg.map(|f| f.tags.as_slice()).unwrap_or(&[]);
    let title = feed_title(
        config,
        &state.url,
        parsed.title.as_deref().or(state.title.as_deref()),
    );
    let mut out = Vec::new();
    for (entry, key) in parsed.entries.iter().zip(keys) {
        let Some(key) = key.clone() else { continue };
        let clock = std::time::Instant::now();
        let hash = dedup::content_hash(entry);
        if existing.get(&key) == Some(&hash) {
            timings.dedup += clock.elapsed();
            continue;
        }
        let canonical_url = entry.link.as_deref().and_then(dedup::canonical_url);
        let uid = dedup::entry_uid(&state.url, &key);
        timings.dedup += clock.elapsed();
        let clock = std::time::Instant::now();
        let doc = Doc::new(&DocInput {
            title: &entry.title,
            text: &entry.text,
            authors: &entry.authors,
            categories: &entry.categories,
            feed_title: title,
            feed_url: &state.url,
            url: entry.link.as_deref().unwrap_or(""),
        });
        let topics = pipeline.matcher.match_doc(
            &doc,
            FeedRef {
                url: &state.url,
                tags,
            },
        );
        timings.matching += clock.elapsed();
        let clock = std::time::Instant::now();
        let fingerprint =
            (!topics.is_empty()).then(|| dedup::story::fingerprint(&entry.title, &entry.text));
        timings.dedup += clock.elapsed();
        out.push(NewEntry {
            known: existing.contains_key(&key),
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

/// Brings stored matches in line with the configured topics: topics that are new or whose
/// query changed are evaluated over every stored entry (keeping each entry's own date), and
/// topics no longer configured lose their matches. Returns the topics recomputed. Blocking.
fn sync_topics(pipeline: &Pipeline, store: &Store) -> Result<Vec<String>, StoreError> {
    let config = &pipeline.config;
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
        let tags: &[String] = config
            .feed(&row.feed_url)
            .map(|f| f.tags.as_slice())
            .unwrap_or(&[]);
        let doc = stored_doc(config, &row);
        let feed = FeedRef {
            url: &row.feed_url,
            tags,
        };
        for hit in matcher.match_doc(&doc, feed) {
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
        // One match per story: the earliest entry that matched (scan is newest first).
        matches.reverse();
        let mut seen = std::collections::HashSet::new();
        matches.retain(|m| seen.insert(m.story_id));
        let n = store.replace_topic_matches(&t.id, hash, &matches, now)?;
        info!(topic = %t.id, stories = matches.len(), added = n, "topic matched over stored entries");
        done.push(t.id.clone());
    }
    Ok(done)
}

/// The matching document of a stored entry, with its feed's title as configured (or as the
/// feed gives it).
pub fn stored_doc(config: &Config, row: &EntryRow) -> Doc<'static> {
    let text = crate::parse::entry_text(row.summary_html.as_deref(), row.content_html.as_deref());
    Doc::new(&DocInput {
        title: &row.title,
        text: &text,
        authors: &row.authors,
        categories: &row.categories,
        feed_title: feed_title(config, &row.feed_url, row.feed_title.as_deref()),
        feed_url: &row.feed_url,
        url: row.link.as_deref().unwrap_or(""),
    })
    .into_owned()
}

/// Feeds to poll for `config`: the stored state of each configured feed (rows created as
/// needed). Blocking.
pub fn configured_feeds(config: &Config, store: &Store) -> Result<Vec<FeedState>, StoreError> {
    let urls: Vec<String> = config.feeds.iter().map(|f| f.url.clone()).collect();
    store.ensure_feeds(&urls, Utc::now())
}
