//! HTTP: the output feed of each topic and the combined feed, with paging, conditional GET and
//! private-topic tokens; `/healthz`; a small HTML index. Reads the store only; never fetches,
//! never logs a token (request spans record the path without its query).

pub mod html;
pub mod render;

use crate::config::Config;
use crate::runtime::Live;
use crate::schedule::Heartbeat;
use crate::store::{Store, StoreError};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use render::Page;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tracing::{Instrument, warn};

/// Largest page a reader may ask for.
pub const MAX_LIMIT: u32 = 500;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Atom,
    Json,
}

impl Format {
    pub fn from_ext(ext: &str) -> Option<Format> {
        match ext {
            "atom" => Some(Format::Atom),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// What a reader asked for.
#[derive(Clone, Debug, Default)]
pub struct FeedQuery {
    pub limit: Option<u32>,
    /// Paging cursor from a previous page's `next` link.
    pub before: Option<(i64, i64)>,
    pub token: Option<String>,
}

/// Why a feed request was refused.
#[derive(Debug)]
pub enum FeedError {
    NotFound(String),
    BadRequest(String),
    Unauthorized,
    Store(StoreError),
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::NotFound(m) | FeedError::BadRequest(m) => f.write_str(m),
            FeedError::Unauthorized => f.write_str("this topic is private: a token is required"),
            FeedError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl IntoResponse for FeedError {
    fn into_response(self) -> Response {
        let status = match &self {
            FeedError::NotFound(_) => StatusCode::NOT_FOUND,
            FeedError::BadRequest(_) => StatusCode::BAD_REQUEST,
            FeedError::Unauthorized => StatusCode::UNAUTHORIZED,
            FeedError::Store(e) => {
                warn!(error = %e, "database error while serving");
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        let mut resp = (status, format!("{self}\n")).into_response();
        if matches!(self, FeedError::Unauthorized) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"feedsift\""),
            );
        }
        resp
    }
}

/// A rendered output feed.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub body: String,
    pub content_type: &'static str,
    pub etag: String,
    pub last_modified: DateTime<Utc>,
}

fn cursor_text(sort_time: i64, story_id: i64) -> String {
    format!("{sort_time}.{story_id}")
}

fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Reads `limit`, `before` and `token` from a query string; anything malformed is a 400.
pub fn parse_query(raw: Option<&str>) -> Result<FeedQuery, FeedError> {
    let mut q = FeedQuery::default();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "limit" => {
                let n: u32 = v.parse().map_err(|_| {
                    FeedError::BadRequest(format!(
                        "limit must be a number from 1 to {MAX_LIMIT}, not {v:?}"
                    ))
                })?;
                if !(1..=MAX_LIMIT).contains(&n) {
                    return Err(FeedError::BadRequest(format!(
                        "limit must be from 1 to {MAX_LIMIT}, not {n}"
                    )));
                }
                q.limit = Some(n);
            }
            "before" => {
                q.before = Some(parse_cursor(&v).ok_or_else(|| {
                    FeedError::BadRequest("before is not a cursor from a 'next' link".into())
                })?);
            }
            "token" => q.token = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok(q)
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from timings.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Renders a topic's feed (`topic = Some(id)`) or the combined feed of public topics. Blocking.
pub fn render_feed(
    config: &Config,
    store: &Store,
    topic: Option<&str>,
    format: Format,
    query: &FeedQuery,
    bearer: Option<&str>,
) -> Result<Rendered, FeedError> {
    let base = &config.daemon.public_url;
    let (title, topics, path, default_limit) = selection(config, topic, query, bearer)?;
    let limit = query.limit.unwrap_or(default_limit);
    let mut items = store
        .topic_page(&topics, limit + 1, query.before)
        .map_err(FeedError::Store)?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let own_url = format!("{base}{path}.{}", format.ext());
    // A private feed's links must work for the reader that followed them.
    let token = query
        .token
        .as_deref()
        .filter(|_| topic.is_some_and(|id| config.topic(id).is_some_and(|t| t.is_private())));
    let limit_param = query.limit.map(|_| limit);
    let extra = |before: Option<String>| page_url(&own_url, limit_param, before, token);
    let next_url = if more {
        items
            .last()
            .map(|l| extra(Some(cursor_text(l.sort_time.timestamp(), l.story_id))))
    } else {
        None
    };
    let self_url = extra(query.before.map(|(a, b)| cursor_text(a, b)));
    let page = Page {
        config,
        title,
        id: own_url.clone(),
        self_url,
        html_url: format!("{base}{path}"),
        next_url,
        items: &items,
    };
    let body = match format {
        Format::Atom => render::atom(&page),
        Format::Json => render::json_feed(&page),
    };
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..12])
    );
    Ok(Rendered {
        last_modified: page.updated(),
        body,
        content_type: format.content_type(),
        etag,
    })
}

/// The title, topics, URL path and default page size of the feed of `topic` (or of all public
/// topics), once the reader may see it.
fn selection(
    config: &Config,
    topic: Option<&str>,
    query: &FeedQuery,
    bearer: Option<&str>,
) -> Result<(String, Vec<String>, String, u32), FeedError> {
    let Some(id) = topic else {
        let public = config.topics.iter().filter(|t| !t.is_private());
        return Ok((
            "feedsift: all topics".to_string(),
            public.map(|t| t.id.clone()).collect(),
            "/feed".to_string(),
            50,
        ));
    };
    let t = config
        .topic(id)
        .ok_or_else(|| FeedError::NotFound(format!("no topic {id:?}")))?;
    if let Some(secret) = &t.token {
        let given = query.token.as_deref().or(bearer);
        if !given.is_some_and(|g| same_secret(g, secret)) {
            return Err(FeedError::Unauthorized);
        }
    }
    Ok((
        t.title.clone(),
        vec![t.id.clone()],
        format!("/topics/{}", t.id),
        t.limit,
    ))
}

/// The URL of a page of a feed: its page size if the reader chose one, its cursor, and a
/// private topic's token.
fn page_url(
    own_url: &str,
    limit: Option<u32>,
    before: Option<String>,
    token: Option<&str>,
) -> String {
    let mut params = Vec::new();
    if let Some(limit) = limit {
        params.push(format!("limit={limit}"));
    }
    if let Some(b) = before {
        params.push(format!("before={b}"));
    }
    if let Some(tok) = token {
        params.push(format!(
            "token={}",
            url::form_urlencoded::byte_serialize(tok.as_bytes()).collect::<String>()
        ));
    }
    if params.is_empty() {
        own_url.to_string()
    } else {
        format!("{own_url}?{}", params.join("&"))
    }
}

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub live: Arc<Live>,
    pub heartbeat: Arc<Heartbeat>,
}

impl AppState {
    fn config(&self) -> Arc<Config> {
        self.live.get().config.clone()
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/topics/{file}", get(topic_feed))
        .route("/{file}", get(combined_feed))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .layer(middleware::from_fn(trace_request))
        .with_state(state)
}

/// One span per request; the path is logged without its query, which may hold a token.
async fn trace_request(req: Request, next: Next) -> Response {
    let span = tracing::info_span!("request", method = %req.method(), path = %req.uri().path());
    async move {
        let resp = next.run(req).await;
        tracing::debug!(status = resp.status().as_u16(), "answered");
        resp
    }
    .instrument(span)
    .await
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn serve_feed(
    state: AppState,
    topic: Option<String>,
    format: Format,
    raw_query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let query = match parse_query(raw_query.as_deref()) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let config = state.config();
    let store = state.store.clone();
    let bearer = bearer(&headers).map(str::to_string);
    let rendered = tokio::task::spawn_blocking(move || {
        render_feed(
            &config,
            &store,
            topic.as_deref(),
            format,
            &query,
            bearer.as_deref(),
        )
    })
    .await;
    let r = match rendered {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return e.into_response(),
        Err(e) => {
            warn!(error = %e, "rendering a feed failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let last_modified = httpdate::fmt_http_date(std::time::SystemTime::from(r.last_modified));
    let not_modified = match headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(inm) => inm.split(',').any(|t| {
            let t = t.trim();
            t == r.etag || t == "*" || t.strip_prefix("W/") == Some(r.etag.as_str())
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| {
                DateTime::<Utc>::from(since).timestamp() >= r.last_modified.timestamp()
            }),
    };
    let mut builder = Response::builder()
        .header(header::ETAG, &r.etag)
        .header(header::LAST_MODIFIED, last_modified)
        .header(header::CACHE_CONTROL, "no-cache");
    if not_modified {
        builder = builder.status(StatusCode::NOT_MODIFIED);
        return builder.body(Body::empty()).expect("valid response");
    }
    builder
        .header(header::CONTENT_TYPE, r.content_type)
        .body(Body::from(r.body))
        .expect("valid response")
}

fn split_file(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    Some((name, Format::from_ext(ext)?))
}

async fn topic_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    match split_file(&file) {
        Some((id, format)) => serve_feed(state, Some(id.to_string()), format, raw, headers).await,
        None => FeedError::NotFound(format!(
            "no such feed {file:?}: topic feeds end in .atom or .json"
        ))
        .into_response(),
    }
}

async fn combined_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    match split_file(&file) {
        Some(("feed", format)) => serve_feed(state, None, format, raw, headers).await,
        _ => not_found().await,
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let db_ok = tokio::task::spawn_blocking(move || store.ping().is_ok())
        .await
        .unwrap_or(false);
    let alive = state.heartbeat.alive(Utc::now(), Duration::from_secs(60));
    match (db_ok, alive) {
        (true, true) => (StatusCode::OK, "ok\n").into_response(),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database not answering\n").into_response(),
        (true, false) => {
            (StatusCode::SERVICE_UNAVAILABLE, "scheduler not running\n").into_response()
        }
    }
}

async fn index(State(state): State<AppState>) -> Response {
    let config = state.config();
    let store = state.store.clone();
    let stats = tokio::task::spawn_blocking(move || store.topic_stats())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let esc = crate::parse::html::escape_text;
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>feedsift</title></head><body><h1>feedsift</h1><ul>",
    );
    for t in &config.topics {
        let s = stats.get(&t.id).cloned().unwrap_or_default();
        let lock = if t.is_private() { " (private)" } else { "" };
        html.push_str(&format!(
            "<li>{}{lock}: {} stories — <a href=\"/topics/{id}.atom\">Atom</a> · <a href=\"/topics/{id}.json\">JSON Feed</a></li>",
            esc(&t.title),
            s.matches,
            id = t.id,
        ));
    }
    html.push_str("</ul><p><a href=\"/feed.atom\">All topics (Atom)</a></p></body></html>\n");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
