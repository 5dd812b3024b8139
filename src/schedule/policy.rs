//! When a feed is next polled: a pure function of its interval, the outcome of the poll, what the
//! server asked for and a jitter value, tested without a clock.

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
    fn first_polls_are_spread() {
        let spread = Duration::from_secs(60);
        assert_eq!(first_poll(now(), spread, 0.0), now());
        assert_eq!((first_poll(now(), spread, 0.5) - now()).num_seconds(), 30);
    }
}
