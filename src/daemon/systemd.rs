//! systemd notifications: READY, RELOADING (with MONOTONIC_USEC), STOPPING and WATCHDOG.
//! Every call does nothing when `NOTIFY_SOCKET` is unset, i.e. off systemd.

use crate::schedule::Heartbeat;
use crate::store::Store;
use sd_notify::NotifyState;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::warn;

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        warn!(error = %e, "cannot notify systemd");
    }
}

pub fn ready() {
    send(&[NotifyState::Ready]);
}

/// Systemd 253 and later want the monotonic time with RELOADING=1.
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(t) => send(&[NotifyState::Reloading, t]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

pub fn stopping() {
    send(&[NotifyState::Stopping]);
}

/// Sends WATCHDOG=1 at half the watchdog interval, but only while the store answers and the
/// scheduler loop is alive: a wedged daemon is then restarted by systemd.
pub fn spawn_watchdog(
    store: Arc<Store>,
    heartbeat: Arc<Heartbeat>,
    shutdown: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    let interval = sd_notify::watchdog_enabled()?;
    let period = (interval / 2).max(Duration::from_millis(100));
    Some(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(period) => {}
            }
            let s = store.clone();
            let db_ok = tokio::task::spawn_blocking(move || s.ping().is_ok())
                .await
                .unwrap_or(false);
            if db_ok && heartbeat.alive(chrono::Utc::now(), interval.max(Duration::from_secs(30))) {
                send(&[NotifyState::Watchdog]);
            } else {
                warn!(
                    db_ok,
                    "withholding the systemd watchdog ping: the daemon is unhealthy"
                );
            }
        }
    }))
}
