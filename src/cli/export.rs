//! `feedsift export TOPIC`: the topic's output feed on stdout, as served.

use super::{CliResult, ExportFormat, Failure, load_config, out};
use crate::serve::{FeedError, FeedQuery, Format, render_feed};
use crate::store::Store;
use std::path::Path;

pub fn run(config_path: &Path, topic: &str, format: ExportFormat) -> CliResult {
    let config = load_config(config_path)?;
    let t = config.topic(topic).ok_or_else(|| {
        let known: Vec<&str> = config.topics.iter().map(|t| t.id.as_str()).collect();
        Failure::usage(format!(
            "no topic {topic:?} (configured: {})",
            known.join(", ")
        ))
    })?;
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let format = match format {
        ExportFormat::Atom => Format::Atom,
        ExportFormat::Rss => Format::Rss,
        ExportFormat::Json => Format::Json,
    };
    // Exporting is local: a private topic's own token is presented.
    let token = t.token.clone();
    let r = render_feed(
        &config,
        &store,
        Some(topic),
        format,
        &FeedQuery::default(),
        token.as_deref(),
    )
    .map_err(|e| match e {
        FeedError::NotFound(m) | FeedError::BadRequest(m) => Failure::usage(m),
        other => Failure::runtime(other),
    })?;
    out(std::str::from_utf8(&r.body).expect("outputs are rendered as UTF-8"))
}
