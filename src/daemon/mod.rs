//! The lifecycle of `feedsift serve`: open the store, match new topics over stored entries, run
//! the scheduler and the HTTP server, reload on request (building the whole new state first and
//! swapping it in only when it is valid), and shut down in order: stop polling, let polls in
//! flight finish within the drain deadline, stop serving. Knows no feed formats, SQL or queries.

pub mod signals;
pub mod systemd;
pub mod work;

use crate::config::{self, Config, ConfigError};
use crate::dedup::story;
use crate::fetch::FetcherError;
use crate::poll::PollOutcome;
use crate::runtime::metrics::Metrics;
use crate::runtime::{Live, Snapshot};
use crate::schedule::{Heartbeat, PlanError, Scheduler};
use crate::serve::listener::{self, Bounded};
use crate::serve::{AppState, router};
use crate::store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use work::PollWork;

/// How long polls in flight may run on after a shutdown signal.
pub const DRAIN: Duration = Duration::from_secs(10);

/// How often the daemon settles the stories of the entries it stored since it last did
/// (`Store::settle_stories`): a poll round of many feeds brings an event's copies within
/// minutes, in the order the feeds answer.
const SETTLE_EVERY: Duration = Duration::from_secs(600);

/// Retention runs this long after start, then once a day.
const RETENTION_FIRST: Duration = Duration::from_secs(600);
const RETENTION_EVERY: Duration = Duration::from_secs(86_400);

/// Deletes expired entries (see `Store::expire`) once a day until `stop` fires.
fn spawn_retention(
    store: Arc<Store>,
    live: Arc<Live>,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = RETENTION_FIRST;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = RETENTION_EVERY;
            let keep = live.get().config.daemon.retention;
            let cutoff = chrono::Utc::now()
                - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.expire(cutoff)).await {
                Ok(Ok(n)) => info!(
                    deleted = n,
                    "retention: deleted entries matched by no topic and no longer listed"
                ),
                Ok(Err(e)) => error!(error = %e, "retention failed"),
                Err(e) => error!(error = %e, "retention task failed"),
            }
        }
    })
}

/// How the outside world steers a running daemon.
pub struct Control {
    /// Cancelled to shut down.
    pub shutdown: CancellationToken,
    /// Each message asks for a reload of the config file; the sender, if any, is told whether
    /// the new config was applied (`Ok`) or rejected (`Err` with why).
    pub reload: mpsc::UnboundedReceiver<Option<ReloadReply>>,
    /// Where the config is re-read from on reload.
    pub config_path: PathBuf,
    /// systemd's `$STATE_DIRECTORY`, for the default database path.
    pub state_dir: Option<PathBuf>,
}

/// Why the daemon could not start, reload or poll.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] FetcherError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A reload asked for something only a restart can do.
    #[error("{0} needs a restart")]
    NeedsRestart(&'static str),
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("reading the listening address: {0}")]
    Listener(#[source] std::io::Error),
}

/// Where the outcome of one reload is reported.
pub type ReloadReply = tokio::sync::oneshot::Sender<Result<(), DaemonError>>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DaemonError> {
    Ok(tokio::task::spawn_blocking(f).await?)
}

/// Opens the store named by `config`, off the async threads.
pub async fn open_store(config: &Config) -> Result<Arc<Store>, DaemonError> {
    let path = config.daemon.database.clone();
    let max = config.daemon.max_database_size;
    Ok(Arc::new(
        blocking(move || Store::open_limited(&path, max)).await??,
    ))
}

/// Polls the feeds of `config` (or only `only`) once, now, under the daemon's limits, calling
/// `each(done, total, outcome)` after each poll: what `feedsift poll` does. Returns the store
/// and how many feeds were polled.
pub async fn poll_once(
    config: Arc<Config>,
    only: Option<&str>,
    each: impl FnMut(usize, usize, &PollOutcome),
) -> Result<(Arc<Store>, usize), DaemonError> {
    let store = open_store(&config).await?;
    let snapshot = Arc::new(Snapshot::new(config.clone())?);
    let live = Live::new(snapshot.clone());
    let (l, s) = (live.clone(), store.clone());
    blocking(move || l.install(snapshot, &s)).await??;
    let work = PollWork::once(store.clone(), live);
    let scheduler = Scheduler::new(work, Arc::new(Heartbeat::default()));
    let started = chrono::Utc::now();
    let polled = scheduler.poll_once(only, each).await?;
    settle(&store, started).await;
    Ok((store, polled))
}

/// Settles the stories around the entries first seen since `since` (`Store::settle_stories`);
/// a failure is logged, and leaves the stories as they were grouped on arrival.
async fn settle(store: &Arc<Store>, since: chrono::DateTime<chrono::Utc>) {
    let s = store.clone();
    match tokio::task::spawn_blocking(move || s.settle_stories(since)).await {
        Ok(Ok((0, 0))) => {}
        Ok(Ok((merged, moved))) => {
            info!(merged, moved, "stories settled in the order of publication")
        }
        Ok(Err(e)) => error!(error = %e, "settling stories failed"),
        Err(e) => error!(error = %e, "settling stories failed"),
    }
}

/// Settles the stories around new entries every [`SETTLE_EVERY`] until `stop` fires, each
/// time those first seen since the last (at first, within [`story::SPAN_HOURS`]).
fn spawn_settling(store: Arc<Store>, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut since = chrono::Utc::now() - chrono::Duration::hours(story::SPAN_HOURS);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(SETTLE_EVERY) => {}
            }
            let now = chrono::Utc::now();
            settle(&store, since).await;
            since = now;
        }
    })
}

/// Builds the snapshot for `config`, brings the stored matches in line with its topics and
/// makes it current. On any error the current snapshot stays.
async fn install(live: &Arc<Live>, config: Config, store: &Arc<Store>) -> Result<(), DaemonError> {
    let snapshot = Arc::new(Snapshot::new(Arc::new(config))?);
    let (l, s) = (live.clone(), store.clone());
    blocking(move || l.install(snapshot, &s)).await??;
    Ok(())
}

/// Runs the daemon on `listener` until `control.shutdown` is cancelled.
pub async fn run(
    config: Config,
    listener: TcpListener,
    mut control: Control,
) -> Result<(), DaemonError> {
    let store = open_store(&config).await?;
    let live = Live::new(Arc::new(Snapshot::new(Arc::new(config.clone()))?));
    install(&live, config, &store).await?;
    let heartbeat = Arc::new(Heartbeat::default());
    heartbeat.beat(chrono::Utc::now());

    let scheduler_stop = CancellationToken::new();
    let metrics = Arc::new(Metrics::default());
    let scheduler = Scheduler::new(
        PollWork::following(store.clone(), live.clone(), metrics.clone()),
        heartbeat.clone(),
    );
    let scheduler_task = tokio::spawn(scheduler.run(scheduler_stop.clone(), DRAIN));

    let server_stop = CancellationToken::new();
    let app = router(AppState::new(
        store.clone(),
        live.clone(),
        heartbeat.clone(),
        metrics.clone(),
    ));
    let addr = listener.local_addr().map_err(DaemonError::Listener)?;
    let stop = server_stop.clone();
    let files = listener::raise_open_files_limit();
    let connections = listener::connection_limit(files);
    info!(open_files = files, connections, "connection bound");
    let server_task = tokio::spawn(async move {
        crate::serve::listener::serve(Bounded::new(listener, connections), app, stop).await;
    });
    info!(listen = %addr, "serving");
    systemd::ready();
    let watchdog =
        systemd::spawn_watchdog(store.clone(), heartbeat.clone(), control.shutdown.clone());
    let retention = spawn_retention(store.clone(), live.clone(), control.shutdown.clone());
    let settling = spawn_settling(store.clone(), control.shutdown.clone());

    loop {
        tokio::select! {
            _ = control.shutdown.cancelled() => break,
            Some(reply) = control.reload.recv() => {
                systemd::reloading();
                let result = reload(&control, &store, &live).await;
                metrics.reload(result.is_ok());
                if let Err(e) = &result {
                    error!(error = %e, "config reload rejected; the running config stays");
                }
                if let Some(reply) = reply {
                    let _ = reply.send(result);
                }
                systemd::ready();
            }
        }
    }

    info!("shutting down: no new polls");
    systemd::stopping();
    scheduler_stop.cancel();
    if let Err(e) = scheduler_task.await {
        error!(error = %e, "scheduler task failed");
    }
    server_stop.cancel();
    match tokio::time::timeout(Duration::from_secs(5), server_task).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => warn!(error = %e, "HTTP server task failed"),
        Err(_) => warn!("HTTP connections still open after 5 s were dropped"),
    }
    if let Some(w) = watchdog {
        w.abort();
    }
    retention.abort();
    settling.abort();
    info!("stopped");
    Ok(())
}

/// Reads the config again; applies it whole or not at all.
async fn reload(
    control: &Control,
    store: &Arc<Store>,
    live: &Arc<Live>,
) -> Result<(), DaemonError> {
    let path = control.config_path.clone();
    let state_dir = control.state_dir.clone();
    let config = blocking(move || config::load(&path, state_dir.as_deref())).await??;
    let running = live.get().config.clone();
    if config.daemon.database != running.daemon.database {
        return Err(DaemonError::NeedsRestart("changing the database"));
    }
    if config.daemon.listen != running.daemon.listen {
        warn!(listen = %config.daemon.listen, "a changed listen address takes effect at the next restart");
    }
    let (feeds, topics) = (config.feeds.len(), config.topics.len());
    install(live, config, store).await?;
    info!(feeds, topics, "config reloaded");
    Ok(())
}
