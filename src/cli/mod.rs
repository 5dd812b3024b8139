//! The command line: argument definitions (clap), one small module per command, and the one
//! place where failures become exit codes (0 ok, 1 runtime failure, 2 usage or config error).

mod check;
mod export;
mod feeds;
mod inspect;
mod opml;
mod poll;
mod query;
mod serve;
mod stories;
mod table;

use crate::config::{self, Config};
use crate::telemetry::{LogFormat, LogSettings};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "feedsift",
    version,
    about = "Watches many RSS, Atom and JSON feeds and serves one deduplicated feed per topic",
    after_long_help = ENVIRONMENT
)]
pub struct Cli {
    /// The config file.
    #[arg(
        long,
        global = true,
        env = "FEEDSIFT_CONFIG",
        default_value = "config/feedsift.toml"
    )]
    pub config: PathBuf,
    /// Log level (error, warn, info, debug, trace) or filter (like feedsift=debug,info);
    /// overrides FEEDSIFT_LOG and RUST_LOG. Default: info for serve, warn otherwise.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// How log lines on stderr are written. Text under systemd starts each line with its
    /// syslog priority for the journal.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// The end of `--help` and the man page's extra section.
const ENVIRONMENT: &str = "\
Environment:
  FEEDSIFT_CONFIG  the config file, if no --config
  FEEDSIFT_LOG     log level or filter, if no --log-level
  RUST_LOG         the same, if no FEEDSIFT_LOG
  STATE_DIRECTORY  the database's directory if the config names
                   no database (set by systemd)
  NO_COLOR         no colours, even on a terminal
  JOURNAL_STREAM   set by systemd: log lines carry syslog priorities

Exit status: 0 done, 1 a failure while doing it, 2 a usage or
config error.

README.md describes the config, the query language and the
HTTP interface.";

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    /// Atom 1.0, as /topics/ID.atom serves it.
    Atom,
    /// RSS 2.0, as /topics/ID.rss serves it.
    Rss,
    /// JSON Feed 1.1, as /topics/ID.json serves it.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll feeds on schedule and serve topic feeds over HTTP until SIGTERM.
    Serve,
    /// Poll every configured feed (or one) once now, store and match, print a summary.
    Poll {
        /// Poll only this configured feed.
        #[arg(long, value_name = "URL")]
        feed: Option<String>,
    },
    /// Validate the config and every topic query; print what would be polled and served.
    Check,
    /// Run a topic query over the stored entries, newest first.
    Query {
        /// The query, in the topic query language.
        query: String,
        /// Show at most this many entries.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only entries from this far back (like 24h or 7d).
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// Show which terms matched in which fields.
        #[arg(long)]
        explain: bool,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Fetch (or read) one feed and show what feedsift makes of it, storing nothing.
    Inspect {
        /// An http(s) URL or a file.
        target: String,
        /// Print one JSON object: the feed, its entries as stored, warnings.
        #[arg(long)]
        json: bool,
    },
    /// One line per feed: status, last success, last error, next poll, entries stored.
    Feeds {
        /// Print a JSON array, one object per feed.
        #[arg(long)]
        json: bool,
    },
    /// One line per topic: stories matched, newest match, output URL.
    Topics {
        /// Print a JSON array, one object per topic.
        #[arg(long)]
        json: bool,
    },
    /// Write a topic's output feed to stdout, as served.
    Export {
        /// The topic's id (as in /topics/ID.atom).
        topic: String,
        /// The output format.
        #[arg(long, value_enum, default_value = "atom")]
        format: ExportFormat,
    },
    /// List a topic's stories, newest first, and why each entry is in its story.
    ///
    /// Each story with its entries, outlets and times, and why each entry is in it: the same
    /// link, or the words it shares with the story and how closely.
    Stories {
        /// The topic's id.
        topic: String,
        /// Show at most this many stories.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
        /// Instead, say why the entries with these two links are, or are not, one story: how
        /// each compares with the other's story (shared words, scores, vetoes).
        #[arg(long, num_args = 2, value_names = ["LINK", "LINK"])]
        why: Option<Vec<String>>,
    },
    /// Delete old entries no topic matched; return the space to the file system.
    ///
    /// Deletes entries that no topic matched, first seen longer ago than `retention`, that
    /// their feed no longer lists. `serve` does this daily; run it from cron when only `poll`
    /// runs.
    Gc,
    /// Print the configured feeds as OPML 2.0, grouped by their first tag.
    ExportOpml,
    /// Add the feeds of an OPML file to the config file.
    ///
    /// Comments and layout are kept; feeds already configured, duplicates and outlines that are
    /// not feeds are skipped, each said with why; folders become tags. The config is replaced
    /// only when the result is valid.
    ImportOpml {
        /// The OPML file (as a feed reader exports it).
        file: std::path::PathBuf,
        /// Say what would be added and skipped; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a shell completion script.
    ///
    /// For example: feedsift completions bash > /etc/bash_completion.d/feedsift
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
    /// Print the manual page (roff).
    ///
    /// Made from the same definitions as --help. To read it: feedsift man | man -l -
    Man {
        /// Instead, write feedsift.1 and one page per command (feedsift-poll.1, …) into this
        /// directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Exit 2: the user asked for something invalid.
    pub fn usage(message: impl fmt::Display) -> Failure {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }

    /// Exit 1: something went wrong while doing it.
    pub fn runtime(message: impl fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
}

pub type CliResult = Result<(), Failure>;

/// systemd's `$STATE_DIRECTORY` (the first, if several).
pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("STATE_DIRECTORY")
        .and_then(|v| {
            v.to_str()
                .map(|s| s.split(':').next().unwrap_or("").to_string())
        })
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

pub fn load_config(path: &Path) -> Result<Config, Failure> {
    config::load(path, state_dir().as_deref()).map_err(Failure::usage)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> CliResult {
    // `poll` reports each failure and warning in its summary on stdout; logging them too
    // would say each twice.
    let level = match cli.command {
        Command::Serve => "info",
        Command::Poll { .. } => "error",
        _ => "warn",
    };
    let logs = LogSettings {
        level: cli.log_level.clone(),
        format: cli.log_format,
    };
    crate::telemetry::init(&logs, level).map_err(Failure::usage)?;
    match cli.command {
        Command::Man { dir: Some(dir) } => std::fs::create_dir_all(&dir)
            .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir))
            .map_err(|e| {
                Failure::runtime(format!("cannot write man pages to {}: {e}", dir.display()))
            }),
        Command::Man { dir: None } => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Failure::runtime(format!("cannot render the man page: {e}")))?;
            out(&String::from_utf8_lossy(&page))
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut cmd, "feedsift", &mut std::io::stdout());
            Ok(())
        }
        Command::Check => check::run(&cli.config),
        Command::Serve => serve::run(&cli.config),
        Command::Poll { feed } => poll::run(&cli.config, feed.as_deref()),
        Command::Query {
            query,
            limit,
            since,
            explain,
            json,
        } => query::run(&cli.config, &query, limit, since.as_deref(), explain, json),
        Command::Inspect { target, json } => inspect::run(&cli.config, &target, json),
        Command::Feeds { json } => feeds::feeds(&cli.config, json),
        Command::Topics { json } => feeds::topics(&cli.config, json),
        Command::Export { topic, format } => export::run(&cli.config, &topic, format),
        Command::Stories {
            topic,
            json,
            why: Some(links),
            ..
        } => stories::why(&cli.config, &topic, &links, json),
        Command::Stories {
            topic, limit, json, ..
        } => stories::run(&cli.config, &topic, limit, json),
        Command::Gc => feeds::gc(&cli.config),
        Command::ExportOpml => opml::export(&cli.config),
        Command::ImportOpml { file, dry_run } => opml::import(&cli.config, &file, dry_run),
    }
}

/// A multi-threaded runtime for commands that do I/O.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work is parsing and matching (CPU-bound) and waiting for the writer: more
        // threads than this only add memory, not speed.
        .max_blocking_threads(8)
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))
}

/// Times as the tables print them: `2024-09-13 10:00`, UTC.
fn short_time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// Writes to stdout; a closed pipe (`feedsift query … | head`) ends quietly.
fn out(text: &str) -> CliResult {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::runtime(format!("cannot write output: {e}"))),
    }
}

/// `1 feed`, `2 feeds`, `0 feeds`.
fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}
