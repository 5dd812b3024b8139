//! When a feed is next polled: a pure function of its interval, the outcome of the poll, what the
//! server asked for and a jitter value, tested without a clock.

mod state;

pub use state::{Failure, Response, Settings, after_failure_state, after_success_state};

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The bounds every interval is kept within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub min: Duration,
    pub max: Duration,
}

/// What the server said about how often to come back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerHints {
    /// `Cache-Control: max-age` (or `s-maxage`).
    pub max_age: Option<Duration>,
    /// `Expires`.
    pub expires: Option<DateTime<Utc>>,
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    /// `Retry-After` on 429/503.
    pub retry_after: Option<DateTime<Utc>>,
}

/// Reads `Cache-Control` and `Expires` header values.
pub fn cache_hints(cache_control: Option<&str>, expires: Option<&str>) -> ServerHints {
    let max_age = cache_control.and_then(|cc| {
        cc.split(',').find_map(|d| {
            let (k, v) = d.trim().split_once('=')?;
            matches!(
                k.trim().to_ascii_lowercase().as_str(),
                "max-age" | "s-maxage"
            )
            .then(|| v.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
        })
    });
    let expires = expires
        .and_then(|e| httpdate::parse_http_date(e).ok())
        .map(DateTime::<Utc>::from);
    ServerHints {
        max_age,
        expires,
        ..Default::default()
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(now + chrono::Duration::seconds(secs.min(i64::MAX as u64 / 2) as i64));
    }
    httpdate::parse_http_date(v).ok().map(DateTime::<Utc>::from)
}

fn clamp(d: Duration, b: Bounds) -> Duration {
    d.clamp(b.min, b.max.max(b.min))
}

/// `d` varied by up to ±10 %; `jitter` is uniform in [0, 1).
fn jittered(d: Duration, jitter: f64) -> Duration {
    d.mul_f64(0.9 + 0.2 * jitter.clamp(0.0, 1.0))
}

fn add(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
}

/// Weight of the newest observation in the moving average of time between new entries.
const RATE_WEIGHT: f64 = 0.3;

/// The interval a feed is polled at: before anything is known, the configured one; then half
/// the observed time between new entries (so a new entry waits half its gap on average),
/// stretched while the feed stays quiet longer than usual, always within `bounds`.
pub fn adapted_interval(
    configured: Duration,
    avg_new: Option<Duration>,
    since_last_new: Option<Duration>,
    bounds: Bounds,
) -> Duration {
    let Some(avg) = avg_new else {
        return clamp(configured, bounds);
    };
    let rate = match since_last_new {
        Some(quiet) if quiet > avg => quiet,
        _ => avg,
    };
    clamp(rate / 2, bounds)
}

/// Folds one observed gap between new entries into the moving average.
pub fn update_rate(previous: Option<Duration>, gap: Duration) -> Duration {
    match previous {
        None => gap,
        Some(p) => p.mul_f64(1.0 - RATE_WEIGHT) + gap.mul_f64(RATE_WEIGHT),
    }
}

/// A first estimate of a feed's rate from its entries' dates: the average gap between them.
/// Needs at least three dates not in the future.
pub fn rate_from_dates(dates: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    let mut d: Vec<_> = dates.iter().copied().filter(|d| *d <= now).collect();
    if d.len() < 3 {
        return None;
    }
    d.sort();
    let span = (*d.last()? - *d.first()?).to_std().ok()?;
    let gap = span / (d.len() as u32 - 1);
    (!gap.is_zero()).then_some(gap)
}

/// Whether a feed that fetches fine has said nothing for far longer than usual: ten times
/// its usual gap, and at least six hours (a wire posting hourly, silent for ten hours).
pub fn is_silent(avg_new: Option<Duration>, since_last_new: Option<Duration>) -> bool {
    match (avg_new, since_last_new) {
        (Some(avg), Some(quiet)) => quiet > (avg * 10).max(Duration::from_secs(6 * 3600)),
        _ => false,
    }
}

/// Moves `t` out of the hours and days the feed asked not to be polled (RSS `<skipHours>`,
/// `<skipDays>`, in GMT), to the start of the next allowed hour. A feed that skips every
/// hour is polled as if it skipped none.
pub fn avoid_skipped(t: DateTime<Utc>, skip_hours: u32, skip_days: u8) -> DateTime<Utc> {
    use chrono::{Datelike, Timelike};
    let all_hours = (1u32 << 24) - 1;
    if (skip_hours & all_hours) == all_hours || skip_days & 0x7f == 0x7f {
        return t;
    }
    let skipped = |t: DateTime<Utc>| {
        skip_hours & (1 << t.hour()) != 0
            || skip_days & (1 << t.weekday().num_days_from_monday()) != 0
    };
    if !skipped(t) {
        return t;
    }
    let mut next = t
        .with_minute(0)
        .and_then(|x| x.with_second(0))
        .and_then(|x| x.with_nanosecond(0))
        .unwrap_or(t);
    for _ in 0..(8 * 24) {
        next += chrono::Duration::hours(1);
        if !skipped(next) {
            return next;
        }
    }
    t
}

/// The first poll of a feed never polled: spread over `spread` so a start does not poll
/// everything at once.
pub fn first_poll(now: DateTime<Utc>, spread: Duration, jitter: f64) -> DateTime<Utc> {
    add(now, spread.mul_f64(jitter.clamp(0.0, 1.0)))
}

/// After a successful poll: the feed's interval, but never sooner than the server asked (and
/// never later than `bounds.max`).
pub fn after_success(
    now: DateTime<Utc>,
    interval: Duration,
    bounds: Bounds,
    hints: &ServerHints,
    jitter: f64,
) -> DateTime<Utc> {
    let mut wait = clamp(jittered(interval, jitter), bounds);
    let asked = [
        hints.max_age,
        hints.ttl,
        hints.expires.and_then(|e| (e - now).to_std().ok()),
    ];
    for a in asked.into_iter().flatten() {
        wait = wait.max(a.min(bounds.max));
    }
    add(now, wait)
}

/// After a failed poll: exponential backoff from the interval, doubled per consecutive
/// failure, capped at `bounds.max` (never given up), and never sooner than `Retry-After`.
pub fn after_failure(
    now: DateTime<Utc>,
    interval: Duration,
    bounds: Bounds,
    failures: u32,
    hints: &ServerHints,
    jitter: f64,
) -> DateTime<Utc> {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
    let backoff = interval.saturating_mul(factor);
    let mut wait = clamp(jittered(backoff, jitter), bounds);
    if let Some(ra) = hints.retry_after.and_then(|r| (r - now).to_std().ok()) {
        wait = wait.max(ra.min(bounds.max));
    }
    add(now, wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 13, 12, 0, 0).unwrap()
    }
    const B: Bounds = Bounds {
        min: Duration::from_secs(300),
        max: Duration::from_secs(86_400),
    };
    fn mins(t: DateTime<Utc>) -> i64 {
        (t - now()).num_minutes()
    }

    #[test]
    fn success_waits_the_interval_within_bounds() {
        let h = ServerHints::default();
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(1800), B, &h, 0.5)),
            30
        );
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(60), B, &h, 0.5)),
            5
        );
        // Jitter stays within ±10 %.
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(6000), B, &h, 0.0)),
            90
        );
        assert_eq!(
            mins(after_success(
                now(),
                Duration::from_secs(6000),
                B,
                &h,
                0.999
            )),
            109
        );
    }

    #[test]
    fn success_honours_what_the_server_asked_up_to_max() {
        let h = cache_hints(Some("public, max-age=3600"), None);
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(600), B, &h, 0.5)),
            60
        );
        let h = ServerHints {
            ttl: Some(Duration::from_secs(7 * 86_400)),
            ..Default::default()
        };
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(600), B, &h, 0.5)),
            24 * 60
        );
        let h = cache_hints(None, Some("Fri, 13 Sep 2024 14:00:00 GMT"));
        assert_eq!(
            mins(after_success(now(), Duration::from_secs(600), B, &h, 0.5)),
            120
        );
    }

    #[test]
    fn failures_back_off_exponentially_and_never_give_up() {
        let h = ServerHints::default();
        let i = Duration::from_secs(600);
        assert_eq!(mins(after_failure(now(), i, B, 1, &h, 0.5)), 10);
        assert_eq!(mins(after_failure(now(), i, B, 2, &h, 0.5)), 20);
        assert_eq!(mins(after_failure(now(), i, B, 4, &h, 0.5)), 80);
        assert_eq!(mins(after_failure(now(), i, B, 1000, &h, 0.5)), 24 * 60);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let ra = parse_retry_after("7200", now());
        let h = ServerHints {
            retry_after: ra,
            ..Default::default()
        };
        assert_eq!(
            mins(after_failure(
                now(),
                Duration::from_secs(600),
                B,
                1,
                &h,
                0.5
            )),
            120
        );
        let ra = parse_retry_after("Fri, 13 Sep 2024 15:00:00 GMT", now()).unwrap();
        assert_eq!(mins(ra), 180);
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn intervals_adapt_to_the_observed_rate_within_bounds() {
        let cfg = Duration::from_secs(1800);
        let h = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(adapted_interval(cfg, None, None, B), cfg);
        // A feed with a new entry every 2 h is polled hourly.
        assert_eq!(adapted_interval(cfg, Some(h(2)), Some(h(1)), B), h(1));
        // A busy wire (every 4 min) is polled at the 5-minute floor.
        assert_eq!(
            adapted_interval(cfg, Some(Duration::from_secs(240)), None, B),
            B.min
        );
        // Quiet for 10 h although it usually posts every 2 h: slows down to 5 h.
        assert_eq!(adapted_interval(cfg, Some(h(2)), Some(h(10)), B), h(5));
        // Never beyond max.
        assert_eq!(adapted_interval(cfg, Some(h(24 * 30)), None, B), B.max);
    }

    #[test]
    fn rates_come_from_dates_then_a_moving_average() {
        let d = |h: i64| now() - chrono::Duration::hours(h);
        assert_eq!(
            rate_from_dates(&[d(0), d(2), d(4), d(6)], now()),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(rate_from_dates(&[d(0), d(2)], now()), None);
        let future = now() + chrono::Duration::days(3);
        assert_eq!(rate_from_dates(&[d(0), d(1), future], now()), None);
        let avg = update_rate(Some(Duration::from_secs(1000)), Duration::from_secs(2000));
        assert_eq!(avg, Duration::from_secs(1300));
        assert_eq!(
            update_rate(None, Duration::from_secs(5)),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn silence_is_relative_to_the_usual_rate() {
        let h = |n: u64| Some(Duration::from_secs(n * 3600));
        assert!(is_silent(h(1), h(12)), "hourly wire silent for 12 h");
        assert!(!is_silent(h(1), h(5)));
        assert!(
            !is_silent(h(24), h(100)),
            "a daily blog quiet for 4 days is normal"
        );
        assert!(is_silent(h(24), h(241)));
        assert!(!is_silent(None, h(1000)));
    }

    #[test]
    fn skipped_hours_and_days_are_avoided() {
        // 2024-09-13 is a Friday; now() is 12:00.
        let noon_to_two = (1 << 12) | (1 << 13);
        assert_eq!(
            avoid_skipped(now(), noon_to_two, 0),
            Utc.with_ymd_and_hms(2024, 9, 13, 14, 0, 0).unwrap()
        );
        assert_eq!(avoid_skipped(now(), 0, 0), now());
        let friday = 1 << 4;
        assert_eq!(
            avoid_skipped(now(), 0, friday),
            Utc.with_ymd_and_hms(2024, 9, 14, 0, 0, 0).unwrap()
        );
        assert_eq!(
            avoid_skipped(now(), (1 << 24) - 1, 0),
            now(),
            "skipping everything is ignored"
        );
    }

    #[test]
    fn first_polls_are_spread() {
        let spread = Duration::from_secs(60);
        assert_eq!(first_poll(now(), spread, 0.0), now());
        assert_eq!((first_poll(now(), spread, 0.5) - now()).num_seconds(), 30);
    }
}
