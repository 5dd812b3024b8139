//! One feed's poll, end to end: fetch → parse → identify → match → store, and the feed's next
//! state (computed by `schedule::policy`, a pure function this module only calls). Shared by
//! the daemon's scheduler and `feedsift poll`; it knows nothing of when feeds are due.

mod ingest;

use crate::fetch::{FetchError, Fetched, Validators};
use crate::model::{ErrorKind, FeedState, FeedStatus, ParsedFeed};
use crate::runtime::{Live, Snapshot};
use crate::schedule::policy::{self, Failure, Response};
use crate::store::{Store, StoreError, WriteStats};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tracing::{Instrument, debug, info, warn};

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

impl PollOutcome {
    pub fn is_failure(&self) -> bool {
        matches!(self.result, PollResult::Failed { .. })
    }

    fn new(result: PollResult, state: FeedState) -> PollOutcome {
        PollOutcome {
            result,
            state,
            warnings: Vec::new(),
            timings: Timings::default(),
        }
    }
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

/// Runs blocking store or parser work off the async threads, keeping the current span.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .expect("blocking task panicked")
}

/// Polls one feed now, stores what it brings and returns the feed's new state.
pub async fn poll_feed(live: Arc<Live>, store: Arc<Store>, state: FeedState) -> PollOutcome {
    let span = tracing::info_span!("poll", feed_url = %state.fetch_url());
    poll_inner(live, store, state).instrument(span).await
}

async fn poll_inner(live: Arc<Live>, store: Arc<Store>, state: FeedState) -> PollOutcome {
    let snapshot = live.get();
    let started = std::time::Instant::now();
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    let fetched = snapshot.fetcher.fetch(state.fetch_url(), &validators).await;
    let fetch_time = started.elapsed();
    let now = Utc::now();
    let mut outcome = match fetched {
        Err(e) => failed(&snapshot, &store, state, &e.into(), now).await,
        Ok(f) if f.not_modified() => {
            let next = success_state(&snapshot, &state, &f, None, 0, now);
            match save(&store, next).await {
                (state, Ok(())) => PollOutcome::new(PollResult::Unchanged, state),
                (_, Err(e)) => store_failed(&snapshot, &store, state, e, now).await,
            }
        }
        Ok(f) => ingest::ingest(live, snapshot, store.clone(), state, f, now).await,
    };
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

/// The feed's state after a successful poll, with a line in the log when its health changed.
fn success_state(
    snapshot: &Snapshot,
    old: &FeedState,
    f: &Fetched,
    parsed: Option<&ParsedFeed>,
    new_entries: usize,
    now: DateTime<Utc>,
) -> FeedState {
    let response = Response {
        moved_to: f.moved_to.as_deref(),
        etag: f.validators.etag.as_deref(),
        last_modified: f.validators.last_modified.as_deref(),
        cache_control: f.cache_control.as_deref(),
        expires: f.expires.as_deref(),
    };
    let settings = snapshot.schedule_settings(&old.url);
    let s = policy::after_success_state(
        old,
        &response,
        parsed,
        new_entries,
        &settings,
        now,
        fastrand::f64(),
    );
    if old.status == FeedStatus::Failing {
        info!(feed_url = %old.fetch_url(), "feed recovered");
    }
    if f.moved_to.is_some() && f.moved_to != old.moved_to {
        info!(feed_url = %old.url, moved_to = ?f.moved_to, "feed moved permanently; update the config");
    }
    if s.status == FeedStatus::Silent && old.status != FeedStatus::Silent {
        info!(feed_url = %old.fetch_url(), last_new_entry = ?s.last_new_entry, "feed has gone silent: fetched fine, but nothing new for far longer than usual");
    }
    s
}

/// Why a poll failed, whoever's fault it was.
struct PollFailure {
    kind: ErrorKind,
    message: String,
    gone: bool,
    retry_after: Option<String>,
}

impl From<FetchError> for PollFailure {
    fn from(e: FetchError) -> PollFailure {
        PollFailure {
            gone: e.is_gone(),
            kind: e.kind,
            message: e.message,
            retry_after: e.retry_after,
        }
    }
}

/// Records a failed poll on the feed (backoff, or no more polls for a feed that is gone), with
/// one line in the log per change of state, not one per poll.
async fn failed(
    snapshot: &Snapshot,
    store: &Arc<Store>,
    old: FeedState,
    e: &PollFailure,
    now: DateTime<Utc>,
) -> PollOutcome {
    let failure = Failure {
        kind: e.kind,
        message: &e.message,
        gone: e.gone,
        retry_after: e.retry_after.as_deref(),
    };
    let settings = snapshot.schedule_settings(&old.url);
    let s = policy::after_failure_state(&old, &failure, &settings, now, fastrand::f64());
    let url = old.fetch_url();
    if s.status == FeedStatus::Gone {
        if old.status != FeedStatus::Gone {
            warn!(feed_url = %url, "feed is gone (410): no longer polled; remove it from the config");
        }
    } else if old.error_kind != Some(e.kind) || old.status != FeedStatus::Failing {
        warn!(feed_url = %url, error_kind = %e.kind, error = %e.message, "poll failed");
    } else {
        debug!(feed_url = %url, error_kind = %e.kind, failures = s.consecutive_failures, "poll failed again");
    }
    let result = PollResult::Failed {
        kind: e.kind,
        message: e.message.clone(),
    };
    match save(store, s).await {
        (state, Ok(())) => PollOutcome::new(result, state),
        (state, Err(err)) => {
            warn!(feed_url = %state.fetch_url(), error = %err, "could not record the failed poll");
            PollOutcome::new(result, state)
        }
    }
}

/// A poll our own database could not store: recorded on the feed as a `store` failure (it is
/// not the server's fault), retried with backoff.
async fn store_failed(
    snapshot: &Snapshot,
    store: &Arc<Store>,
    old: FeedState,
    e: StoreError,
    now: DateTime<Utc>,
) -> PollOutcome {
    let failure = PollFailure {
        kind: ErrorKind::Store,
        message: e.to_string(),
        gone: false,
        retry_after: None,
    };
    failed(snapshot, store, old, &failure, now).await
}
