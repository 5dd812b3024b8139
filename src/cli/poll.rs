//! `feedsift poll`: every configured feed (or one) once, now.

use super::{CliResult, Failure, count, load_config, out, runtime};
use crate::poll::{PollResult, Timings};
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

pub fn run(config_path: &Path, only: Option<&str>) -> CliResult {
    let config = Arc::new(load_config(config_path)?);
    if let Some(url) = only
        && config.feed(url).is_none()
    {
        return Err(Failure::usage(format!("{url} is not a configured feed")));
    }
    if config.feeds.is_empty() {
        return Err(Failure::usage(format!(
            "{} configures no feeds",
            config.path.display()
        )));
    }
    let rt = runtime()?;
    let mut s = String::new();
    let (mut ok, mut unchanged, mut failed) = (0, 0, 0);
    let (mut new, mut updated, mut matches) = (0, 0, 0);
    let mut timings = Timings::default();
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let polled = rt.block_on(async {
        crate::daemon::poll_once(config.clone(), only, |done, total, o| {
            timings += o.timings;
            match &o.result {
                PollResult::Unchanged => {
                    ok += 1;
                    unchanged += 1;
                }
                PollResult::Stored(st) => {
                    ok += 1;
                    new += st.new_entries;
                    updated += st.updated_entries;
                    matches += st.new_matches;
                }
                PollResult::Failed { kind, message } => {
                    failed += 1;
                    let _ = writeln!(s, "failed  {}  {kind}: {message}", o.state.fetch_url());
                }
            }
            for w in &o.warnings {
                let _ = writeln!(s, "warning {}  {w}", o.state.fetch_url());
            }
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            let rate = new as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{new} new entries, {rate:.0}/s, {failed} failed"));
        })
        .await
        .map(|(_, polled)| polled)
        .map_err(Failure::runtime)
    })?;
    bar.finish_and_clear();
    let _ = writeln!(
        s,
        "{} polled: {ok} ok ({unchanged} unchanged), {failed} failed; {}, {updated} updated, {}",
        count(polled, "feed", "feeds"),
        count(new, "new entry", "new entries"),
        count(matches, "new topic match", "new topic matches"),
    );
    let _ = writeln!(
        s,
        "time spent (summed over feeds): fetch {:.2}s, parse {:.2}s, dedup {:.2}s, match {:.2}s, store {:.2}s",
        timings.fetch.as_secs_f64(),
        timings.parse.as_secs_f64(),
        timings.dedup.as_secs_f64(),
        timings.matching.as_secs_f64(),
        timings.store.as_secs_f64()
    );
    out(&s)?;
    if failed > 0 && ok == 0 {
        return Err(Failure::runtime("every feed failed"));
    }
    Ok(())
}

/// A progress bar on stderr when it is a terminal (feeds done of all, new entries a second,
/// time left); nothing otherwise, so cron mail and pipes get the summary alone.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} feeds  {msg}  ETA {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
