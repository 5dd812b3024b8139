//! The lifecycle of `feedsift serve`: open the store, match new topics over stored entries, run
//! the scheduler and the HTTP server, reload on request (building the whole new state first and
//! swapping it in only when it is valid), and shut down in order: stop polling, let polls in
//! flight finish within the drain deadline, stop serving. Knows no feed formats, SQL or queries.

pub mod signals;
pub mod systemd;

use crate::config::{self, Config};
use crate::poll::{Current, Pipeline};
use crate::schedule::{Heartbeat, Scheduler};
use crate::serve::{AppState, router};
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

/// How long polls in flight may run on after a shutdown signal.
pub const DRAIN: Duration = Duration::from_secs(10);

/// Retention runs this long after start, then once a day.
const RETENTION_FIRST: Duration = Duration::from_secs(600);
const RETENTION_EVERY: Duration = Duration::from_secs(86_400);

/// Deletes expired entries (see `Store::expire`) once a day until `stop` fires.
fn spawn_retention(
    store: Arc<Store>,
    current: Arc<Current>,
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
            let keep = current.get().config.daemon.retention;
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

/// Where the outcome of one reload is reported.
pub type ReloadReply = tokio::sync::oneshot::Sender<Result<(), String>>;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("background task failed: {e}"))
}

/// Opens the store named by `config`, off the async threads.
pub async fn open_store(config: &Config) -> Result<Arc<Store>, String> {
    let path = config.daemon.database.clone();
    blocking(move || Store::open(&path))
        .await?
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Builds the pipeline for `config`, brings the stored matches in line with its topics and
/// makes it current. On any error the current pipeline stays.
async fn install(current: &Arc<Current>, config: Config, store: &Arc<Store>) -> Result<(), String> {
    let pipeline = Arc::new(Pipeline::new(Arc::new(config))?);
    let (c, s) = (current.clone(), store.clone());
    blocking(move || c.install(pipeline, &s))
        .await?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs the daemon on `listener` until `control.shutdown` is cancelled.
pub async fn run(
    config: Config,
    listener: TcpListener,
    mut control: Control,
) -> Result<(), String> {
    let store = open_store(&config).await?;
    let current = Current::new(Arc::new(Pipeline::new(Arc::new(config.clone()))?));
    install(&current, config, &store).await?;
    let heartbeat = Arc::new(Heartbeat::default());
    heartbeat.beat(chrono::Utc::now());

    let scheduler_stop = CancellationToken::new();
    let scheduler = Scheduler::new(store.clone(), current.clone(), heartbeat.clone());
    let scheduler_task = tokio::spawn(scheduler.run(scheduler_stop.clone(), DRAIN));

    let server_stop = CancellationToken::new();
    let app = router(AppState {
        store: store.clone(),
        current: current.clone(),
        heartbeat: heartbeat.clone(),
    });
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let stop = server_stop.clone();
    let server_task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    });
    info!(listen = %addr, "serving");
    systemd::ready();
    let watchdog =
        systemd::spawn_watchdog(store.clone(), heartbeat.clone(), control.shutdown.clone());
    let retention = spawn_retention(store.clone(), current.clone(), control.shutdown.clone());

    loop {
        tokio::select! {
            _ = control.shutdown.cancelled() => break,
            Some(reply) = control.reload.recv() => {
                systemd::reloading();
                let result = reload(&control, &store, &current).await;
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
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => warn!(error = %e, "HTTP server stopped with an error"),
        Ok(Err(e)) => warn!(error = %e, "HTTP server task failed"),
        Err(_) => warn!("HTTP connections still open after 5 s were dropped"),
    }
    if let Some(w) = watchdog {
        w.abort();
    }
    retention.abort();
    info!("stopped");
    Ok(())
}

/// Reads the config again; applies it whole or not at all.
async fn reload(
    control: &Control,
    store: &Arc<Store>,
    current: &Arc<Current>,
) -> Result<(), String> {
    let path = control.config_path.clone();
    let state_dir = control.state_dir.clone();
    let config = blocking(move || config::load(&path, state_dir.as_deref()))
        .await?
        .map_err(|e| e.to_string())?;
    let running = current.get().config.clone();
    if config.daemon.database != running.daemon.database {
        return Err("changing the database needs a restart".into());
    }
    if config.daemon.listen != running.daemon.listen {
        warn!(listen = %config.daemon.listen, "a changed listen address takes effect at the next restart");
    }
    let (feeds, topics) = (config.feeds.len(), config.topics.len());
    install(current, config, store).await?;
    info!(feeds, topics, "config reloaded");
    Ok(())
}
