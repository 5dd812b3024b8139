//! The tracing subscriber, installed once. Logs go to stderr; `FEEDSIFT_LOG` (or `RUST_LOG`)
//! takes an env-filter directive such as `debug` or `feedsift=debug,info`. Under systemd
//! (`JOURNAL_STREAM` set) timestamps are left to the journal; colours only on a terminal (and
//! never with `NO_COLOR`), so a log file or the journal holds no escape codes.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the subscriber with `default` as the level when no directive is given.
pub fn init(default: &str) {
    let filter = std::env::var("FEEDSIFT_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|d| EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false);
    let result = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
