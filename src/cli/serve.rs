//! `feedsift serve`.

use super::{CliResult, Failure, load_config, runtime, state_dir};
use crate::daemon::{self, Control};
use std::path::Path;
use tokio_util::sync::CancellationToken;

pub fn run(config_path: &Path) -> CliResult {
    let config = load_config(config_path)?;
    let rt = runtime()?;
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.daemon.listen)
            .await
            .map_err(|e| {
                Failure::runtime(format!("cannot listen on {}: {e}", config.daemon.listen))
            })?;
        let shutdown = CancellationToken::new();
        let (reload_tx, reload_rx) = tokio::sync::mpsc::unbounded_channel();
        daemon::signals::install(shutdown.clone(), reload_tx)
            .map_err(|e| Failure::runtime(format!("cannot install signal handlers: {e}")))?;
        let control = Control {
            shutdown,
            reload: reload_rx,
            config_path: config_path.to_path_buf(),
            state_dir: state_dir(),
        };
        daemon::run(config, listener, control)
            .await
            .map_err(Failure::runtime)
    });
    // Polls cancelled at the drain deadline are dropped here; a write in progress completes.
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
    result
}
