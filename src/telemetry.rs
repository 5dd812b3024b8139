//! The tracing subscriber, installed once. Logs go to stderr. The level comes from
//! `--log-level`, else `FEEDSIFT_LOG`, else `RUST_LOG` (an env-filter directive such as `debug`
//! or `feedsift=debug,info`), else the command's default. `--log-format json` writes one JSON
//! object a line. In text, colours appear only on a terminal (and never with `NO_COLOR`), so a
//! log file holds no escape codes; and when stderr is the journal (systemd's `JOURNAL_STREAM`
//! names the very stream stderr is), each line starts with its syslog priority (`<3>` error …
//! `<7>` debug) and carries no timestamp or level word, which journald adds itself.

use std::fmt;
use std::io::IsTerminal;

use clap::ValueEnum;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::{FmtContext, format};
use tracing_subscriber::registry::LookupSpan;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (journal-aware under systemd).
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, fields, spans.
    Json,
}

/// What to log and how.
#[derive(Clone, Debug, Default)]
pub struct LogSettings {
    /// A level or env-filter directive; overrides `FEEDSIFT_LOG` and `RUST_LOG`.
    pub level: Option<String>,
    pub format: LogFormat,
}

/// The directive in force: `--log-level`, then `FEEDSIFT_LOG`, then `RUST_LOG`, then
/// `default`. A directive that does not parse is an error naming where it came from.
pub fn filter(settings: &LogSettings, default: &str) -> Result<EnvFilter, String> {
    let given = settings
        .level
        .clone()
        .map(|d| ("--log-level", d))
        .or_else(|| {
            std::env::var("FEEDSIFT_LOG")
                .ok()
                .map(|d| ("FEEDSIFT_LOG", d))
        })
        .or_else(|| std::env::var("RUST_LOG").ok().map(|d| ("RUST_LOG", d)))
        .filter(|(_, d)| !d.trim().is_empty());
    let Some((source, directive)) = given else {
        return Ok(EnvFilter::new(default));
    };
    let wrong = |why: String| {
        format!(
            "{source} {directive:?} is not a log level or filter: {why} (try error, warn, info, debug or trace, or a filter such as feedsift=debug,info)"
        )
    };
    // A lone word would be read as a target name and silently match nothing: it must be a level.
    let word = directive.trim();
    if !word.contains(['=', ',', '[', ':'])
        && !["off", "error", "warn", "info", "debug", "trace"]
            .contains(&word.to_ascii_lowercase().as_str())
    {
        return Err(wrong("no such level".into()));
    }
    EnvFilter::builder()
        .parse(&directive)
        .map_err(|e| wrong(e.to_string()))
}

/// Installs the subscriber. A second call (tests) keeps the first subscriber.
pub fn init(settings: &LogSettings, default: &str) -> Result<(), String> {
    let filter = filter(settings, default)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match settings.format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text if stderr_is_journal() => builder
            .with_ansi(false)
            .event_format(Journal(
                format().without_time().with_level(false).with_target(false),
            ))
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .try_init(),
    };
    Ok(())
}

/// Whether stderr is the stream systemd connected to the journal: `JOURNAL_STREAM` holds
/// `device:inode` of it, and a service whose stderr was redirected elsewhere inherits the
/// variable but not the stream.
fn stderr_is_journal() -> bool {
    let Some(value) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(meta) = std::fs::metadata("/proc/self/fd/2") else {
        return false;
    };
    use std::os::unix::fs::MetadataExt;
    journal_stream_matches(&value.to_string_lossy(), meta.dev(), meta.ino())
}

/// `JOURNAL_STREAM`'s `device:inode` (both decimal) against a stream's device and inode.
fn journal_stream_matches(value: &str, dev: u64, ino: u64) -> bool {
    let mut parts = value.trim().splitn(2, ':');
    let (Some(d), Some(i)) = (parts.next(), parts.next()) else {
        return false;
    };
    d.parse::<u64>() == Ok(dev) && i.parse::<u64>() == Ok(ino)
}

/// The syslog priority journald reads from a `<N>` line prefix.
pub fn syslog_priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// An event format that puts the syslog priority before what `F` writes.
struct Journal<F>(F);

impl<S, N, F> FormatEvent<S, N> for Journal<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "<{}>", syslog_priority(event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_stream_names_one_stream() {
        assert!(journal_stream_matches("8:12345", 8, 12345));
        assert!(journal_stream_matches("8:12345\n", 8, 12345));
        assert!(!journal_stream_matches("8:12346", 8, 12345));
        assert!(!journal_stream_matches("9:12345", 8, 12345));
        assert!(!journal_stream_matches("garbage", 8, 12345));
        assert!(!journal_stream_matches("", 8, 12345));
    }

    #[test]
    fn priorities_are_syslogs() {
        assert_eq!(syslog_priority(&Level::ERROR), 3);
        assert_eq!(syslog_priority(&Level::WARN), 4);
        assert_eq!(syslog_priority(&Level::INFO), 6);
        assert_eq!(syslog_priority(&Level::DEBUG), 7);
        assert_eq!(syslog_priority(&Level::TRACE), 7);
    }

    #[test]
    fn a_bad_directive_is_an_error_naming_its_source() {
        let s = LogSettings {
            level: Some("feedsift=loud".into()),
            format: LogFormat::Text,
        };
        let e = filter(&s, "info").unwrap_err();
        assert!(e.starts_with("--log-level \"feedsift=loud\""), "{e}");
        let ok = LogSettings {
            level: Some("debug".into()),
            format: LogFormat::Text,
        };
        assert!(filter(&ok, "info").is_ok());
        let word = LogSettings {
            level: Some("loud".into()),
            format: LogFormat::Text,
        };
        assert!(filter(&word, "info").unwrap_err().contains("no such level"));
    }
}
