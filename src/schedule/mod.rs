//! When each feed is polled: the pure [`policy`] and the [`Scheduler`], which starts due polls
//! under the global (`concurrency`) and per-host (`per_host`) limits. A feed waiting for its host
//! never holds a global slot, so one slow site cannot delay the others. The scheduler does no
//! HTTP or SQL of its own: it is handed its [`Work`] (the feeds to poll and the function that
//! polls one), so it is tested with a fake poll and a paused clock.

pub mod policy;

use crate::model::{FeedState, FeedStatus};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info};

/// Longest the scheduler sleeps between checks, so its heartbeat stays fresh.
const MAX_SLEEP: Duration = Duration::from_secs(5);

/// How many polls may run at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// In all.
    pub concurrency: usize,
    /// Against one host.
    pub per_host: usize,
    /// New (or overdue, after a restart) feeds are spread over this long.
    pub start_spread: Duration,
}

/// The feeds to poll and the limits to poll them under, as the current config says.
#[derive(Clone, Debug)]
pub struct Plan {
    pub feeds: Vec<FeedState>,
    pub limits: Limits,
}

/// The feed list could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("loading the feeds to poll: {0}")]
pub struct PlanError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// What the scheduler is handed: where its feeds come from and how one is polled.
pub trait Work: Send + 'static {
    /// What one poll returns (it carries the feed's state after the poll).
    type Outcome: Send + 'static;

    /// The feeds to poll and the limits, read again after each reload.
    fn plan(&mut self) -> impl Future<Output = Result<Plan, PlanError>> + Send;

    /// Polls one feed.
    fn poll(&self, state: FeedState) -> impl Future<Output = Self::Outcome> + Send + 'static;

    /// The feed's state after the poll that gave `outcome`: when it is due next.
    fn state_after(outcome: &Self::Outcome) -> &FeedState;

    /// Resolves when the plan may have changed (a reload); `false` when no change can come any
    /// more.
    fn changed(&mut self) -> impl Future<Output = bool> + Send;
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

/// A finished poll: feed URL, host, outcome.
type Done<O> = (String, String, O);

pub struct Scheduler<W: Work> {
    work: W,
    limits: Limits,
    slots: HashMap<String, Slot>,
    /// Idle feeds by next poll time: what `dispatch` walks, earliest first.
    queue: BTreeSet<(DateTime<Utc>, String)>,
    in_flight: usize,
    per_host: HashMap<String, usize>,
    done_tx: mpsc::UnboundedSender<Done<W::Outcome>>,
    done_rx: mpsc::UnboundedReceiver<Done<W::Outcome>>,
    tracker: TaskTracker,
    heartbeat: Arc<Heartbeat>,
    /// Where first-poll jitter comes from (seeded in tests).
    rng: fastrand::Rng,
}

impl<W: Work> Scheduler<W> {
    pub fn new(work: W, heartbeat: Arc<Heartbeat>) -> Scheduler<W> {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Scheduler {
            work,
            limits: Limits {
                concurrency: 1,
                per_host: 1,
                start_spread: Duration::ZERO,
            },
            slots: HashMap::new(),
            queue: BTreeSet::new(),
            in_flight: 0,
            per_host: HashMap::new(),
            done_tx,
            done_rx,
            tracker: TaskTracker::new(),
            heartbeat,
            rng: fastrand::Rng::new(),
        }
    }

    /// The same scheduler with its jitter drawn from `seed`.
    pub fn with_seed(mut self, seed: u64) -> Scheduler<W> {
        self.rng = fastrand::Rng::with_seed(seed);
        self
    }

    /// Makes the set of polled feeds that of the current plan: new feeds are scheduled
    /// (spread over the start window), removed ones dropped, polls in flight left to finish.
    pub async fn sync_feeds(&mut self, now: DateTime<Utc>) -> Result<(), PlanError> {
        let plan = self.work.plan().await?;
        self.limits = plan.limits;
        let mut keep = std::collections::HashSet::new();
        for state in plan.feeds {
            keep.insert(state.url.clone());
            if self.slots.contains_key(&state.url) {
                continue;
            }
            let next = match (state.status, state.next_poll) {
                (FeedStatus::Gone, _) => None,
                // Not yet due: keep the stored schedule across restarts.
                (_, Some(t)) if t > now => Some(t),
                // New or overdue: spread, so a start never polls everything at once.
                _ => Some(policy::first_poll(
                    now,
                    plan.limits.start_spread,
                    self.rng.f64(),
                )),
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
        let Limits {
            concurrency: limit,
            per_host,
            ..
        } = self.limits;
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
            let (poll, tx) = (self.work.poll(slot.state.clone()), self.done_tx.clone());
            self.tracker.spawn(async move {
                let outcome = poll.await;
                let _ = tx.send((url, host, outcome));
            });
        }
        started
    }

    fn finish(&mut self, url: String, host: String, outcome: W::Outcome) {
        self.in_flight -= 1;
        if let Some(n) = self.per_host.get_mut(&host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_host.remove(&host);
            }
        }
        if let Some(slot) = self.slots.get_mut(&url) {
            let state = W::state_after(&outcome);
            slot.in_flight = false;
            if state.moved_to != slot.state.moved_to {
                slot.host = host_of(state.fetch_url());
            }
            slot.next = state.next_poll;
            if let Some(t) = slot.next {
                self.queue.insert((t, url.clone()));
            }
            slot.state = state.clone();
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
        mut each: impl FnMut(usize, usize, &W::Outcome),
    ) -> Result<usize, PlanError> {
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
                changed = self.work.changed() => {
                    if !changed {
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

#[cfg(test)]
mod tests;
