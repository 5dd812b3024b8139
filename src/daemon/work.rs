//! What the daemon hands the scheduler: the configured feeds (their stored state) and the
//! limits of the config in force, and `poll::poll_feed` as the way one feed is polled.

use crate::model::FeedState;
use crate::poll::{PollOutcome, PollResult, poll_feed};
use crate::runtime::metrics::{Metrics, PollKind};
use crate::runtime::{Live, Snapshot};
use crate::schedule::{Limits, Plan, PlanError, Work};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The scheduler's work: the store and the live config.
pub struct PollWork {
    store: Arc<Store>,
    live: Arc<Live>,
    /// `None`: the plan never changes (`feedsift poll`).
    reloads: Option<watch::Receiver<Arc<Snapshot>>>,
    metrics: Arc<Metrics>,
}

impl PollWork {
    /// Work that follows reloads of `live`.
    pub fn following(store: Arc<Store>, live: Arc<Live>, metrics: Arc<Metrics>) -> PollWork {
        let reloads = Some(live.subscribe());
        PollWork {
            store,
            live,
            reloads,
            metrics,
        }
    }

    /// Work for one pass over the feeds of the config in force.
    pub fn once(store: Arc<Store>, live: Arc<Live>) -> PollWork {
        PollWork {
            store,
            live,
            reloads: None,
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// The limits `snapshot`'s config sets.
pub fn limits(snapshot: &Snapshot) -> Limits {
    let d = &snapshot.config.daemon;
    Limits {
        concurrency: d.concurrency,
        per_host: d.per_host,
        start_spread: d.min_interval.min(Duration::from_secs(60)),
    }
}

impl Work for PollWork {
    type Outcome = PollOutcome;

    async fn plan(&mut self) -> Result<Plan, PlanError> {
        let snapshot = self.live.get();
        let store = self.store.clone();
        let urls: Vec<String> = snapshot
            .config
            .feeds
            .iter()
            .map(|f| f.url.clone())
            .collect();
        let feeds =
            tokio::task::spawn_blocking(move || store.ensure_feeds(&urls, chrono::Utc::now()))
                .await
                .map_err(|e| PlanError(Box::new(e)))?
                .map_err(|e| PlanError(Box::new(e)))?;
        Ok(Plan {
            feeds,
            limits: limits(&snapshot),
        })
    }

    fn poll(&self, state: FeedState) -> impl Future<Output = PollOutcome> + Send + 'static {
        let polled = poll_feed(self.live.clone(), self.store.clone(), state);
        let metrics = self.metrics.clone();
        async move {
            let outcome = polled.await;
            let kind = match outcome.result {
                PollResult::Stored(_) => PollKind::Fetched,
                PollResult::Unchanged => PollKind::NotModified,
                PollResult::Failed { .. } => PollKind::Failed,
            };
            let fetch = outcome.timings.fetch;
            metrics.poll(kind, (!fetch.is_zero()).then_some(fetch));
            outcome
        }
    }

    fn state_after(outcome: &PollOutcome) -> &FeedState {
        &outcome.state
    }

    async fn changed(&mut self) -> bool {
        match &mut self.reloads {
            Some(rx) => rx.changed().await.is_ok(),
            None => std::future::pending().await,
        }
    }
}
