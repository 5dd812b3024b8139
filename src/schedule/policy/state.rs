//! A feed's state after a poll: validators, learned publishing rate, health and the next poll
//! time. Pure: the clock (`now`) and the jitter come in as values, and what changed is read off
//! the returned state by whoever wants to log it.

use super::{
    Bounds, ServerHints, adapted_interval, after_failure, after_success, avoid_skipped,
    cache_hints, is_silent, parse_retry_after, rate_from_dates, update_rate,
};
use crate::model::{ErrorKind, FeedState, FeedStatus, ParsedFeed};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The settings a feed is scheduled with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub bounds: Bounds,
    /// The daemon's `poll_interval`: where adaptation starts.
    pub default_interval: Duration,
    /// The feed's own `interval` in the config: the user's explicit wish, kept as is.
    pub pinned: Option<Duration>,
}

impl Settings {
    /// The interval before any adaptation.
    pub fn interval(&self) -> Duration {
        self.pinned.unwrap_or(self.default_interval)
    }
}

/// What a successful response said, as far as scheduling cares.
#[derive(Clone, Copy, Debug, Default)]
pub struct Response<'a> {
    /// Where every redirect on the way permanently pointed, if they all did.
    pub moved_to: Option<&'a str>,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    pub cache_control: Option<&'a str>,
    pub expires: Option<&'a str>,
}

/// The feed's state after a successful poll that found `new_entries` entries never seen before
/// (0 for a 304, where `parsed` is `None`).
pub fn after_success_state(
    old: &FeedState,
    response: &Response<'_>,
    parsed: Option<&ParsedFeed>,
    new_entries: usize,
    settings: &Settings,
    now: DateTime<Utc>,
    jitter: f64,
) -> FeedState {
    let mut s = old.clone();
    s.moved_to = response
        .moved_to
        .map(str::to_string)
        .or(old.moved_to.clone())
        .filter(|m| *m != old.url);
    s.etag = response.etag.map(str::to_string);
    s.last_modified = response.last_modified.map(str::to_string);
    s.last_poll = Some(now);
    s.last_success = Some(now);
    s.last_error = None;
    s.error_kind = None;
    s.consecutive_failures = 0;
    if let Some(p) = parsed {
        if p.title.is_some() {
            s.title = p.title.clone();
        }
        if p.site_url.is_some() {
            s.site_url = p.site_url.clone();
        }
        s.ttl_secs = p.ttl_minutes.map(|m| u64::from(m) * 60);
        s.skip_hours = p.skip_hours;
        s.skip_days = p.skip_days;
    }
    let avg = learned_rate(old, parsed, new_entries, now);
    if new_entries > 0 {
        s.last_new_entry = Some(now);
    }
    s.avg_new_secs = avg.map(|d| d.as_secs().max(1));
    let quiet = s.last_new_entry.and_then(|t| (now - t).to_std().ok());
    s.status = if s.moved_to.is_some() {
        FeedStatus::Moved
    } else if is_silent(avg, quiet) {
        FeedStatus::Silent
    } else {
        FeedStatus::Ok
    };
    let mut hints = cache_hints(response.cache_control, response.expires);
    hints.ttl = s.ttl_secs.map(Duration::from_secs);
    let interval = match settings.pinned {
        Some(i) => i,
        None => adapted_interval(settings.default_interval, avg, quiet, settings.bounds),
    };
    let next = after_success(now, interval, settings.bounds, &hints, jitter);
    s.next_poll = Some(avoid_skipped(next, s.skip_hours, s.skip_days));
    s
}

/// How often the feed brings something new, updated with this poll: the moving average of
/// gaps once a new entry was seen before, else estimated from the dates the entries carry.
fn learned_rate(
    old: &FeedState,
    parsed: Option<&ParsedFeed>,
    new_entries: usize,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let avg = old.avg_new_secs.map(Duration::from_secs);
    if new_entries == 0 {
        return avg;
    }
    match old.last_new_entry.and_then(|t| (now - t).to_std().ok()) {
        Some(gap) => Some(update_rate(avg, gap / new_entries as u32)),
        None => parsed
            .and_then(|p| {
                let dates: Vec<_> = p.entries.iter().filter_map(|e| e.published).collect();
                rate_from_dates(&dates, now)
            })
            .or(avg),
    }
}

/// Why a poll failed, as far as scheduling cares.
#[derive(Clone, Copy, Debug)]
pub struct Failure<'a> {
    pub kind: ErrorKind,
    pub message: &'a str,
    /// 410 Gone: the feed is not polled again.
    pub gone: bool,
    /// `Retry-After` as the server sent it.
    pub retry_after: Option<&'a str>,
}

/// The feed's state after a failed poll: backoff with jitter (never sooner than `Retry-After`),
/// or no next poll at all for a feed that is gone.
pub fn after_failure_state(
    old: &FeedState,
    failure: &Failure<'_>,
    settings: &Settings,
    now: DateTime<Utc>,
    jitter: f64,
) -> FeedState {
    let mut s = old.clone();
    s.consecutive_failures = old.consecutive_failures.saturating_add(1);
    s.last_poll = Some(now);
    s.last_error = Some(failure.message.to_string());
    s.error_kind = Some(failure.kind);
    if failure.gone {
        s.status = FeedStatus::Gone;
        s.next_poll = None;
        return s;
    }
    let hints = ServerHints {
        retry_after: failure.retry_after.and_then(|r| parse_retry_after(r, now)),
        ..Default::default()
    };
    s.status = FeedStatus::Failing;
    s.next_poll = Some(after_failure(
        now,
        settings.interval(),
        settings.bounds,
        s.consecutive_failures,
        &hints,
        jitter,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FeedId;

    fn feed() -> FeedState {
        FeedState {
            status: FeedStatus::Ok,
            ..FeedState::new(FeedId(1), "http://a.test/feed")
        }
    }

    fn settings() -> Settings {
        Settings {
            bounds: Bounds {
                min: Duration::from_secs(300),
                max: Duration::from_secs(86_400),
            },
            default_interval: Duration::from_secs(1800),
            pinned: None,
        }
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn failures_back_off_and_a_success_resets_them() {
        let failure = Failure {
            kind: ErrorKind::Http5xx,
            message: "HTTP 503",
            gone: false,
            retry_after: None,
        };
        let mut s = feed();
        let mut waits = Vec::new();
        for i in 0..4 {
            s = after_failure_state(&s, &failure, &settings(), at(i), 0.5);
            waits.push((s.next_poll.unwrap() - at(i)).num_seconds());
        }
        assert_eq!(s.status, FeedStatus::Failing);
        assert_eq!(s.consecutive_failures, 4);
        assert_eq!(s.last_error.as_deref(), Some("HTTP 503"));
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        let ok = after_success_state(&s, &Response::default(), None, 0, &settings(), at(9), 0.5);
        assert_eq!((ok.status, ok.consecutive_failures), (FeedStatus::Ok, 0));
        assert_eq!((ok.last_error, ok.error_kind), (None, None));
    }

    #[test]
    fn retry_after_is_honoured_and_gone_is_final() {
        let s = after_failure_state(
            &feed(),
            &Failure {
                kind: ErrorKind::RateLimited,
                message: "HTTP 429",
                gone: false,
                retry_after: Some("7200"),
            },
            &settings(),
            at(0),
            0.0,
        );
        assert!(s.next_poll.unwrap() >= at(7200));
        let gone = Failure {
            kind: ErrorKind::Http4xx,
            message: "HTTP 410",
            gone: true,
            retry_after: None,
        };
        let s = after_failure_state(&feed(), &gone, &settings(), at(0), 0.0);
        assert_eq!((s.status, s.next_poll), (FeedStatus::Gone, None));
    }

    #[test]
    fn a_pinned_interval_is_kept_and_jitter_moves_the_next_poll() {
        let pinned = Settings {
            pinned: Some(Duration::from_secs(3600)),
            ..settings()
        };
        let r = Response::default();
        let lo = after_success_state(&feed(), &r, None, 0, &pinned, at(0), 0.0);
        let hi = after_success_state(&feed(), &r, None, 0, &pinned, at(0), 0.999);
        let (lo, hi) = (lo.next_poll.unwrap() - at(0), hi.next_poll.unwrap() - at(0));
        assert!(lo < hi, "{lo} {hi}");
        assert!((3000..=4000).contains(&lo.num_seconds()), "{lo}");
        assert!((3000..=4000).contains(&hi.num_seconds()), "{hi}");
    }

    #[test]
    fn a_permanent_move_is_remembered_until_it_points_home() {
        let moved = Response {
            moved_to: Some("http://b.test/feed"),
            ..Response::default()
        };
        let s = after_success_state(&feed(), &moved, None, 0, &settings(), at(0), 0.5);
        assert_eq!(s.moved_to.as_deref(), Some("http://b.test/feed"));
        assert_eq!(s.status, FeedStatus::Moved);
        let home = Response {
            moved_to: Some("http://a.test/feed"),
            ..Response::default()
        };
        let s = after_success_state(&s, &home, None, 0, &settings(), at(60), 0.5);
        assert_eq!((s.moved_to, s.status), (None, FeedStatus::Ok));
    }
}
