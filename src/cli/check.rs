//! `feedsift check`: validate the config and print what would be polled and served.

use super::{CliResult, count, load_config, out};
use crate::config::units::format_duration;
use crate::topic::Scope;
use std::fmt::Write;
use std::path::Path;

pub fn run(config_path: &Path) -> CliResult {
    let c = load_config(config_path)?;
    let d = &c.daemon;
    let mut s = String::new();
    let _ = writeln!(s, "config {} is valid", absolute(&c.path).display());
    let _ = writeln!(s, "database   {}", absolute(&d.database).display());
    let _ = writeln!(s, "listen     {} (public URL {})", d.listen, d.public_url);
    let _ = writeln!(
        s,
        "polling    every {} by default, within [{}, {}]; {} at once, {} per host; timeout {}",
        format_duration(d.poll_interval),
        format_duration(d.min_interval),
        format_duration(d.max_interval),
        d.concurrency,
        d.per_host,
        format_duration(d.timeout)
    );
    let _ = writeln!(s, "\n{}:", count(c.feeds.len(), "feed", "feeds"));
    for f in &c.feeds {
        let tags = if f.tags.is_empty() {
            String::new()
        } else {
            format!("  [{}]", f.tags.join(", "))
        };
        let title = f
            .title
            .as_deref()
            .map(|t| format!("  \"{t}\""))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:>6}  {}{title}{tags}",
            format_duration(c.interval_of(f)),
            f.url
        );
    }
    let _ = writeln!(s, "\n{}:", count(c.topics.len(), "topic", "topics"));
    for t in &c.topics {
        let private = if t.is_private() { " (private)" } else { "" };
        let _ = writeln!(s, "  {} — {}{private}", t.id, t.title);
        let _ = writeln!(s, "    query:   {}", t.query);
        if let Some(ex) = &t.exclude {
            let _ = writeln!(s, "    exclude: {ex}");
        }
        if !t.scope.is_empty() {
            let scope: Vec<String> = t
                .scope
                .iter()
                .map(|s| match s {
                    Scope::Tag(t) => format!("tag:{t}"),
                    Scope::Url(u) => u.clone(),
                })
                .collect();
            let _ = writeln!(s, "    feeds:   {}", scope.join(", "));
        }
        let _ = writeln!(
            s,
            "    served:  {}/topics/{}.atom (limit {})",
            d.public_url, t.id, t.limit
        );
    }
    out(&s)
}

/// A path as the daemon will open it, whatever the directory `check` runs in.
fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
