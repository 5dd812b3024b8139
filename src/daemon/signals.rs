//! Unix signals: SIGTERM/SIGINT shut down gracefully (a second one exits at once), SIGHUP asks
//! for a config reload.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Listens for signals in the background, cancelling `shutdown` and sending on `reload`.
pub fn install(
    shutdown: CancellationToken,
    reload: mpsc::UnboundedSender<Option<super::ReloadReply>>,
) -> std::io::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
                _ = hup.recv() => {
                    info!("SIGHUP: reloading the config");
                    let _ = reload.send(None);
                    continue;
                }
            }
            if shutdown.is_cancelled() {
                warn!("second signal: exiting at once");
                // The drain was already asked for; the user wants out now. SQLite's journal
                // keeps the database consistent.
                std::process::exit(1);
            }
            info!("signal received: shutting down");
            shutdown.cancel();
        }
    });
    Ok(())
}
