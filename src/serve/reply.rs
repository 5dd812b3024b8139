//! How a rendered output is sent: validators (`ETag`, `Last-Modified`), `304 Not Modified`,
//! the encoding the reader accepts, and how long it may keep the answer.

use super::cache::{Encoding, Rendered};
use crate::config::Config;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Shortest and longest `max-age` of an output.
const MIN_AGE: Duration = Duration::from_secs(60);
const MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// The token a reader presented in `Authorization: Bearer` (the scheme in any case, as RFC 9110
/// reads auth schemes: `bearer` and `BEARER` count too).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim_start();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// How long a reader may keep an output of `topics`: half the shortest poll interval of the
/// feeds they look at (on average, something new can arrive no sooner), from 1 to 30 minutes.
pub fn max_age(config: &Config, topics: &[String]) -> Duration {
    let shortest = config
        .feeds
        .iter()
        .filter(|f| {
            topics
                .iter()
                .any(|id| config.topic(id).is_some_and(|t| t.covers(&f.url, &f.tags)))
        })
        .map(|f| config.interval_of(f))
        .min()
        .unwrap_or(config.daemon.poll_interval);
    (shortest / 2).clamp(MIN_AGE, MAX_AGE)
}

/// Whether the reader's copy (named by `If-None-Match`, else dated by `If-Modified-Since`) is
/// this output.
fn not_modified(r: &Rendered, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        return inm.to_str().is_ok_and(|v| r.matches_etag(v));
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| {
            DateTime::<Utc>::from(since).timestamp() >= r.last_modified.timestamp()
        })
}

/// The content type to send: the output's own, except that a browser opening an Atom or RSS
/// feed (it asks for `text/html` first) gets it as `application/xml`, the one XML type
/// browsers render, so that the feed's stylesheet shows it as a page; readers get
/// `application/atom+xml` and `application/rss+xml`.
fn content_type_for(own: &'static str, headers: &HeaderMap) -> &'static str {
    let is_feed_xml =
        own.starts_with("application/atom+xml") || own.starts_with("application/rss+xml");
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.trim_start().starts_with("text/html"));
    if is_feed_xml && browser {
        "application/xml; charset=utf-8"
    } else {
        own
    }
}

/// The answer for `r`: 304 when the reader has it, else the body in the best encoding the
/// reader accepts.
pub fn conditional(r: &Rendered, headers: &HeaderMap) -> Response {
    let encoding = Encoding::choose(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let last_modified = httpdate::fmt_http_date(std::time::SystemTime::from(r.last_modified));
    let mut builder = Response::builder()
        .header(header::ETAG, r.etag_for(encoding))
        .header(header::LAST_MODIFIED, last_modified)
        .header(
            header::CACHE_CONTROL,
            format!("max-age={}", r.max_age.as_secs()),
        )
        .header(header::VARY, "Accept, Accept-Encoding");
    if not_modified(r, headers) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("valid response");
    }
    if let Some(name) = encoding.header() {
        builder = builder.header(header::CONTENT_ENCODING, name);
    }
    builder
        .header(
            header::CONTENT_TYPE,
            content_type_for(r.content_type, headers),
        )
        .body(Body::from(r.encoded(encoding)))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for (value, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer", None),
            ("Bearer ", None),
        ] {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer(&h), want, "{value:?}");
        }
    }
}
