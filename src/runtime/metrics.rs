//! The daemon's metrics, in the Prometheus text format (prometheus-client). Counters are
//! counted where things happen (polls, HTTP requests, reloads); gauges of what is stored are
//! read from the store when `/metrics` is asked for.

use crate::config::Config;
use crate::model::FeedStatus;
use crate::store::{Store, StoreError};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TopicLabel {
    topic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadResult {
    result: &'static str,
}

/// How a poll ended, as `feedsift_polls_total` counts it.
#[derive(Clone, Copy, Debug)]
pub enum PollKind {
    /// New or changed entries were stored (or the feed was fetched and nothing was new).
    Fetched,
    /// The server answered 304 Not Modified.
    NotModified,
    Failed,
}

/// Every metric the daemon serves.
pub struct Metrics {
    registry: Registry,
    polls: Family<Outcome, Counter>,
    fetch_seconds: Histogram,
    feeds: Family<Status, Gauge>,
    entries: Gauge,
    stories: Gauge,
    matches: Family<TopicLabel, Gauge>,
    requests: Family<Request, Counter>,
    database_bytes: Gauge,
    reloads: Family<ReloadResult, Counter>,
    renders: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("feedsift");
        let polls = Family::<Outcome, Counter>::default();
        registry.register("polls", "Feed polls, by how they ended", polls.clone());
        // From 50 ms to about 100 s: a feed answers in tens of milliseconds to the timeout.
        let buckets = prometheus_client::metrics::histogram::exponential_buckets(0.05, 2.0, 12);
        let fetch_seconds = Histogram::new(buckets);
        registry.register(
            "fetch_duration_seconds",
            "Time to fetch a feed (request to last byte)",
            fetch_seconds.clone(),
        );
        let feeds = Family::<Status, Gauge>::default();
        registry.register("feeds", "Configured feeds, by status", feeds.clone());
        let entries = Gauge::default();
        registry.register("entries_total", "Entries stored", entries.clone());
        let stories = Gauge::default();
        registry.register(
            "stories_total",
            "Stories stored (entries told by several outlets count once)",
            stories.clone(),
        );
        let matches = Family::<TopicLabel, Gauge>::default();
        registry.register(
            "matches_total",
            "Stories matched, by topic",
            matches.clone(),
        );
        let requests = Family::<Request, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let database_bytes = Gauge::default();
        registry.register(
            "database_bytes",
            "Size of the database files (with its WAL)",
            database_bytes.clone(),
        );
        let reloads = Family::<ReloadResult, Counter>::default();
        registry.register(
            "config_reloads",
            "Config reloads, applied or rejected",
            reloads.clone(),
        );
        let renders = Counter::default();
        registry.register(
            "renders",
            "Output feeds and topic pages rendered (a request answered from the cache renders nothing)",
            renders.clone(),
        );
        // Every label value is there from the start, so a scrape shows 0, not nothing.
        for outcome in ["fetched", "not_modified", "failed"] {
            drop(polls.get_or_create(&Outcome { outcome }));
        }
        for result in ["applied", "rejected"] {
            drop(reloads.get_or_create(&ReloadResult { result }));
        }
        Metrics {
            registry,
            polls,
            fetch_seconds,
            feeds,
            entries,
            stories,
            matches,
            requests,
            database_bytes,
            reloads,
            renders,
        }
    }
}

impl Metrics {
    pub fn poll(&self, kind: PollKind, fetch: Option<Duration>) {
        let outcome = match kind {
            PollKind::Fetched => "fetched",
            PollKind::NotModified => "not_modified",
            PollKind::Failed => "failed",
        };
        self.polls.get_or_create(&Outcome { outcome }).inc();
        if let Some(d) = fetch {
            self.fetch_seconds.observe(d.as_secs_f64());
        }
    }

    pub fn request(&self, route: &'static str, status: u16) {
        self.requests
            .get_or_create(&Request { route, status })
            .inc();
    }

    /// One output rendered (a cache miss).
    pub fn rendered(&self) {
        self.renders.inc();
    }

    /// Outputs rendered so far.
    pub fn renders(&self) -> u64 {
        self.renders.get()
    }

    pub fn reload(&self, applied: bool) {
        let result = if applied { "applied" } else { "rejected" };
        self.reloads.get_or_create(&ReloadResult { result }).inc();
    }

    /// Reads what is stored into the gauges (blocking) and encodes every metric.
    pub fn render(&self, store: &Store, config: &Config) -> Result<String, StoreError> {
        let (entries, stories) = store.counts()?;
        self.entries.set(entries as i64);
        self.stories.set(stories as i64);
        let mut by_status = std::collections::HashMap::<&'static str, i64>::new();
        for s in [
            FeedStatus::New,
            FeedStatus::Ok,
            FeedStatus::Failing,
            FeedStatus::Silent,
            FeedStatus::Gone,
            FeedStatus::Moved,
        ] {
            by_status.insert(s.as_str(), 0);
        }
        for f in store.feed_states()? {
            if config.feed(&f.url).is_none() {
                continue;
            }
            *by_status.entry(f.status.as_str()).or_default() += 1;
        }
        for (status, n) in by_status {
            self.feeds.get_or_create(&Status { status }).set(n);
        }
        let stats = store.topic_stats()?;
        self.matches.clear();
        for t in &config.topics {
            let n = stats.get(&t.id).map_or(0, |s| s.matches);
            self.matches
                .get_or_create(&TopicLabel {
                    topic: t.id.clone(),
                })
                .set(n as i64);
        }
        self.database_bytes.set(store.size_on_disk() as i64);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        Ok(out)
    }
}
