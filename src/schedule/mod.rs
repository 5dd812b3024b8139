//! When each feed is polled: the pure [`policy`] and the [`Scheduler`], which starts due polls
//! under the global (`concurrency`) and per-host (`per_host`) limits. A feed waiting for its host
//! never holds a global slot, so one slow site cannot delay the others. No HTTP or SQL of its
//! own: polls go through `poll`, feed rows through `poll::configured_feeds`.

pub mod policy;

use crate::model::{FeedState, FeedStatus};
use crate::poll::{Current, Pipeline, PollOutcome, configured_feeds, poll_feed};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info};

/// Longest the scheduler sleeps between checks, so its heartbeat stays fresh.
const MAX_SLEEP: Duration = Duration::from_secs(5);

/// How long new (or overdue, after a restart) feeds are spread over.
fn start_spread(pipeline: &Pipeline) -> Duration {
    pipeline
        .config
        .daemon
        .min_interval
        .min(Duration::from_secs(60))
}

/// Liveness of the scheduler loop, read by `/healthz`.
#[derive(Debug, Default)]
pub struct Heartbeat(AtomicI64);

impl Heartbeat {
    pub fn beat(&self, now: DateTime<Utc>) {
        self.0.store(now.timestamp(), Ordering::Relaxed);
    }

    /// Whether the loop ran within `within`.
    pub fn alive(&self, now: DateTime<Utc>, within: Duration) -> bool {
        let last = self.0.load(Ordering::Relaxed);
        last > 0 && now.timestamp() - last <= within.as_secs() as i64
    }
}

struct Slot {
    /// Host of the URL polled, for the per-host limit.
    host: String,
    state: FeedState,
    /// `None`: not polled again (gone).
    next: Option<DateTime<Utc>>,
    in_flight: bool,
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

pub struct Scheduler {
    store: Arc<Store>,
    current: Arc<Current>,
    /// Tells the loop a new pipeline (config) was installed.
    pipeline: watch::Receiver<Arc<Pipeline>>,
    slots: HashMap<String, Slot>,
    /// Idle feeds by next poll time: what `dispatch` walks, earliest first.
    queue: BTreeSet<(DateTime<Utc>, String)>,
    in_flight: usize,
    per_host: HashMap<String, usize>,
    done_tx: mpsc::UnboundedSender<(String, String, PollOutcome)>,
    done_rx: mpsc::UnboundedReceiver<(String, String, PollOutcome)>,
    tracker: TaskTracker,
    heartbeat: Arc<Heartbeat>,
}

impl Scheduler {
    pub fn new(store: Arc<Store>, current: Arc<Current>, heartbeat: Arc<Heartbeat>) -> Scheduler {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Scheduler {
            store,
            pipeline: current.subscribe(),
            current,
            slots: HashMap::new(),
            queue: BTreeSet::new(),
            in_flight: 0,
            per_host: HashMap::new(),
            done_tx,
            done_rx,
            tracker: TaskTracker::new(),
            heartbeat,
        }
    }

    /// Makes the set of polled feeds that of the current config: new feeds are scheduled
    /// (spread over the start window), removed ones dropped, polls in flight left to finish.
    pub async fn sync_feeds(&mut self, now: DateTime<Utc>) -> Result<(), String> {
        let pipeline = self.current.get();
        let store = self.store.clone();
        let cfg = pipeline.config.clone();
        let states = tokio::task::spawn_blocking(move || configured_feeds(&cfg, &store))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let spread = start_spread(&pipeline);
        let mut keep = std::collections::HashSet::new();
        for state in states {
            keep.insert(state.url.clone());
            if self.slots.contains_key(&state.url) {
                continue;
            }
            let next = match (state.status, state.next_poll) {
                (FeedStatus::Gone, _) => None,
                // Not yet due: keep the stored schedule across restarts.
                (_, Some(t)) if t > now => Some(t),
                // New or overdue: spread, so a start never polls everything at once.
                _ => Some(policy::first_poll(now, spread, fastrand::f64())),
            };
            self.slots.insert(
                state.url.clone(),
                Slot {
                    host: host_of(state.fetch_url()),
                    state,
                    next,
                    in_flight: false,
                },
            );
        }
        self.slots
            .retain(|url, slot| keep.contains(url) || slot.in_flight);
        self.rebuild_queue();
        Ok(())
    }

    fn rebuild_queue(&mut self) {
        self.queue = self
            .slots
            .iter()
            .filter(|(_, s)| !s.in_flight)
            .filter_map(|(url, s)| s.next.map(|t| (t, url.clone())))
            .collect();
    }

    /// Starts every due poll the limits allow. Returns how many started.
    pub fn dispatch(&mut self, now: DateTime<Utc>) -> usize {
        let pipeline = self.current.get();
        let limit = pipeline.config.daemon.concurrency;
        let per_host = pipeline.config.daemon.per_host;
        // Due feeds whose host has a free slot, earliest first, up to the global limit. Feeds
        // whose host is busy stay queued without holding a global slot.
        let mut start = Vec::new();
        for (t, url) in &self.queue {
            if *t > now || self.in_flight + start.len() >= limit {
                break;
            }
            let slot = &self.slots[url];
            let busy = self.per_host.entry(slot.host.clone()).or_default();
            if *busy >= per_host {
                continue;
            }
            *busy += 1;
            start.push((*t, url.clone()));
        }
        let mut started = 0;
        for (t, url) in start {
            self.queue.remove(&(t, url.clone()));
            let slot = self.slots.get_mut(&url).expect("queued feeds have slots");
            let host = slot.host.clone();
            self.in_flight += 1;
            slot.in_flight = true;
            started += 1;
            let (current, store, state, tx) = (
                self.current.clone(),
                self.store.clone(),
                slot.state.clone(),
                self.done_tx.clone(),
            );
            self.tracker.spawn(async move {
                let outcome = poll_feed(current, store, state).await;
                let _ = tx.send((url, host, outcome));
            });
        }
        started
    }

    fn finish(&mut self, url: String, host: String, outcome: PollOutcome) {
        self.in_flight -= 1;
        if let Some(n) = self.per_host.get_mut(&host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_host.remove(&host);
            }
        }
        if let Some(slot) = self.slots.get_mut(&url) {
            slot.in_flight = false;
            if outcome.state.moved_to != slot.state.moved_to {
                slot.host = host_of(outcome.state.fetch_url());
            }
            slot.next = outcome.state.next_poll;
            if let Some(t) = slot.next {
                self.queue.insert((t, url.clone()));
            }
            slot.state = outcome.state;
        }
    }

    fn next_wake(&self, now: DateTime<Utc>) -> Duration {
        self.queue
            .first()
            .and_then(|(t, _)| (*t - now).to_std().ok())
            .unwrap_or(Duration::ZERO)
            .min(MAX_SLEEP)
    }

    /// Polls the configured feeds (or only `only`) once, now, under the same limits as the
    /// daemon, calling `each(done, total, outcome)` after each (outcomes are not kept: memory
    /// does not grow with the number of feeds). Returns how many were polled.
    pub async fn poll_once(
        mut self,
        only: Option<&str>,
        mut each: impl FnMut(usize, usize, &PollOutcome),
    ) -> Result<usize, String> {
        let now = Utc::now();
        self.sync_feeds(now).await?;
        let mut total = 0;
        for (url, slot) in self.slots.iter_mut() {
            let selected = only.is_none_or(|u| crate::dedup::same_feed_url(u, url));
            slot.next = selected.then_some(now);
            total += usize::from(selected);
        }
        self.rebuild_queue();
        let mut done = 0;
        loop {
            self.dispatch(now);
            if self.in_flight == 0 {
                break;
            }
            let Some((url, host, outcome)) = self.done_rx.recv().await else {
                break;
            };
            done += 1;
            each(done, total, &outcome);
            self.finish(url, host, outcome);
        }
        Ok(done)
    }

    /// Polls feeds as they fall due until `cancel` fires, then lets polls in flight finish
    /// for up to `drain`.
    pub async fn run(mut self, cancel: CancellationToken, drain: Duration) {
        if let Err(e) = self.sync_feeds(Utc::now()).await {
            error!(error = %e, "cannot load the feed schedule");
        }
        loop {
            let now = Utc::now();
            self.heartbeat.beat(now);
            self.dispatch(now);
            let wake = self.next_wake(now).max(Duration::from_millis(50));
            tokio::select! {
                _ = cancel.cancelled() => break,
                Some((url, host, outcome)) = self.done_rx.recv() => self.finish(url, host, outcome),
                changed = self.pipeline.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    if let Err(e) = self.sync_feeds(Utc::now()).await {
                        error!(error = %e, "cannot apply the new feed list");
                    }
                }
                _ = tokio::time::sleep(wake) => {}
            }
        }
        self.tracker.close();
        if self.in_flight > 0 {
            info!(in_flight = self.in_flight, "waiting for polls in flight");
        }
        if tokio::time::timeout(drain, self.tracker.wait())
            .await
            .is_err()
        {
            info!("polls still in flight at the shutdown deadline were cancelled");
        }
    }
}
