//! What a running feedsift works with, built from one config: the config itself, every topic
//! compiled into one matcher, and the shared HTTP client ([`Snapshot`]); and the one in force,
//! swapped whole on reload behind a gate that keeps polls and topic backfill apart ([`Live`]).
//! Also the one place that says what text a topic is matched against ([`doc`]), and topic
//! backfill over the stored entries ([`backfill`]). Both `poll` and `serve` read from here;
//! neither imports the other.

pub mod backfill;
pub mod doc;
pub mod metrics;

use crate::config::Config;
use crate::fetch::{FetchOptions, Fetcher, FetcherError};
use crate::schedule::policy::{Bounds, Settings};
use crate::store::{Store, StoreError};
use crate::topic::Matcher;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Everything a poll needs that comes from one config; swapped whole on reload.
#[derive(Debug)]
pub struct Snapshot {
    pub config: Arc<Config>,
    pub matcher: Matcher,
    pub fetcher: Fetcher,
}

impl Snapshot {
    pub fn new(config: Arc<Config>) -> Result<Snapshot, FetcherError> {
        let fetcher = Fetcher::new(FetchOptions::trusting(
            config.daemon.timeout,
            config.daemon.max_body,
            config.daemon.user_agent.clone(),
            config.feeds.iter().map(|f| f.url.as_str()),
            config.daemon.allow_private_redirects,
        ))?;
        Ok(Snapshot {
            matcher: Matcher::new(config.topics.clone()),
            config,
            fetcher,
        })
    }

    /// How the feed at `url` is scheduled: the daemon's bounds and default interval, and the
    /// feed's own `interval` if the config gives one.
    pub fn schedule_settings(&self, url: &str) -> Settings {
        let d = &self.config.daemon;
        Settings {
            bounds: Bounds {
                min: d.min_interval,
                max: d.max_interval,
            },
            default_interval: d.poll_interval,
            pinned: self.config.feed(url).and_then(|f| f.interval),
        }
    }
}

/// The snapshot in force, swapped on reload. A poll matches and writes its entries under a
/// read lock, and installing a new snapshot (backfill, then swap) takes the write lock: so an
/// entry is either written before a backfill scans, or matched against the new topics. Without
/// this, a poll that started before a reload could store entries the new topics never see.
#[derive(Debug)]
pub struct Live {
    tx: watch::Sender<Arc<Snapshot>>,
    gate: RwLock<()>,
}

impl Live {
    /// Wraps `snapshot` without backfilling (see [`Live::install`]).
    pub fn new(snapshot: Arc<Snapshot>) -> Arc<Live> {
        Arc::new(Live {
            tx: watch::channel(snapshot).0,
            gate: RwLock::new(()),
        })
    }

    pub fn get(&self) -> Arc<Snapshot> {
        self.tx.borrow().clone()
    }

    /// Notified each time a new snapshot is installed.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.tx.subscribe()
    }

    /// Brings the stored matches in line with `snapshot`'s topics, then makes it current.
    /// On error the current snapshot stays. Returns the topics backfilled. Blocking.
    pub fn install(
        &self,
        snapshot: Arc<Snapshot>,
        store: &Store,
    ) -> Result<Vec<String>, StoreError> {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let done = backfill::sync_topics(&snapshot.config, store)?;
        self.tx.send_replace(snapshot);
        Ok(done)
    }

    /// Runs `f` with the current snapshot while no install can happen. Blocking.
    pub fn with_matching<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        f(&self.get())
    }
}
