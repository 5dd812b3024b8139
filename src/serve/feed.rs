//! The output feeds: a topic's (`/topics/{id}.atom|.rss|.json`) and the combined feed of public
//! topics (`/feed.atom|.rss|.json`), with paging, private-topic tokens, and conditional GET
//! answered from the render cache.

use super::cache::{Key, Rendered};
use super::render::{self, Page};
use super::{AppState, reply};
use crate::config::Config;
use crate::store::{Store, StoreError};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tracing::warn;

/// Largest page a reader may ask for.
pub const MAX_LIMIT: u32 = 500;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    pub fn from_ext(ext: &str) -> Option<Format> {
        match ext {
            "atom" => Some(Format::Atom),
            "rss" => Some(Format::Rss),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    /// How pages name the format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Atom => "Atom",
            Format::Rss => "RSS",
            Format::Json => "JSON Feed",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
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
    /// The blocking task that reads the store did not finish.
    Internal(String),
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::NotFound(m) | FeedError::BadRequest(m) => f.write_str(m),
            FeedError::Unauthorized => f.write_str("this topic is private: a token is required"),
            FeedError::Store(e) => write!(f, "{e}"),
            FeedError::Internal(m) => f.write_str(m),
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
            FeedError::Internal(m) => {
                warn!(error = %m, "serving failed");
                StatusCode::INTERNAL_SERVER_ERROR
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

pub(super) fn cursor_text(sort_time: i64, story_id: i64) -> String {
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
pub(super) fn same_secret(a: &str, b: &str) -> bool {
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
    let sel = selection(config, topic, query, bearer)?;
    render_selection(config, store, sel, format, query)
}

/// Renders the feed of a selection the reader may see. Blocking.
fn render_selection(
    config: &Config,
    store: &Store,
    sel: Selection,
    format: Format,
    query: &FeedQuery,
) -> Result<Rendered, FeedError> {
    let base = &config.daemon.public_url;
    let limit = query.limit.unwrap_or(sel.limit);
    let mut items = store
        .topic_page(&sel.topics, limit + 1, query.before)
        .map_err(FeedError::Store)?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let own_url = format!("{base}{}.{}", sel.path, format.ext());
    // A private feed's links must work for the reader that followed them.
    let token = query.token.as_deref().filter(|_| sel.private);
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
        title: sel.title,
        id: own_url.clone(),
        self_url,
        html_url: format!("{base}{}", sel.path),
        next_url,
        items: &items,
    };
    let body = match format {
        Format::Atom => render::atom(&page),
        Format::Rss => render::rss(&page),
        Format::Json => render::json_feed(&page),
    };
    Ok(Rendered::new(body, format.content_type(), page.updated()))
}

/// What a feed or page shows, once the reader may see it.
#[derive(Clone, Debug)]
pub(super) struct Selection {
    pub title: String,
    pub topics: Vec<String>,
    /// The URL path without format: `/topics/ID`, or `/feed` for the combined feed.
    pub path: String,
    pub limit: u32,
    pub private: bool,
}

/// The selection of `topic`'s feed (or of all public topics'); 404 for an unknown topic, 401
/// for a private one without its token.
pub(super) fn selection(
    config: &Config,
    topic: Option<&str>,
    query: &FeedQuery,
    bearer: Option<&str>,
) -> Result<Selection, FeedError> {
    let Some(id) = topic else {
        let public = config.topics.iter().filter(|t| !t.is_private());
        return Ok(Selection {
            title: "feedsift: all topics".to_string(),
            topics: public.map(|t| t.id.clone()).collect(),
            path: "/feed".to_string(),
            limit: 50,
            private: false,
        });
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
    Ok(Selection {
        title: t.title.clone(),
        topics: vec![t.id.clone()],
        path: format!("/topics/{}", t.id),
        limit: t.limit,
        private: t.is_private(),
    })
}

/// The URL of a page of a feed: its page size if the reader chose one, its cursor, and a
/// private topic's token.
pub(super) fn page_url(
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

/// The version of what a selection shows, known without reading the store.
pub(super) fn version_of(store: &Store, sel: &Selection) -> u64 {
    store
        .changes()
        .newest(sel.topics.iter().map(String::as_str))
}

/// A request for a topic's output (or the combined feed's) that the reader may see: its
/// query, the running config and what it selects.
pub(super) struct Admitted {
    pub query: FeedQuery,
    pub config: Arc<Config>,
    pub sel: Selection,
}

impl Admitted {
    /// Reads the query (400), the topic (404) and the token (401).
    pub fn new(
        state: &AppState,
        topic: Option<&str>,
        raw_query: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<Admitted, FeedError> {
        let query = parse_query(raw_query)?;
        let config = state.config();
        let sel = selection(&config, topic, &query, reply::bearer(headers))?;
        Ok(Admitted { query, config, sel })
    }

    /// The cache key of this request's output of `kind`.
    pub fn key(&self, kind: &'static str, topic: Option<String>, minute: i64) -> Key {
        Key {
            kind,
            topic,
            limit: self.query.limit,
            before: self.query.before,
            token_links: self.query.token.is_some() && self.sel.private,
            minute,
        }
    }
}

/// The output for `key` from the cache if what it shows is unchanged, else `render` run on a
/// blocking thread, kept and sent; conditional requests are answered either way.
///
/// The render runs in a task of its own that holds the key's render lock and keeps its result
/// in the cache even when the request that started it is gone (the client hung up, or the
/// request timed out with 503): requests that were dropped never cost more than one render
/// per change of what the output shows, and the next request finds the work done.
pub(super) async fn cached_or_rendered(
    state: &AppState,
    admitted: &Admitted,
    key: Key,
    headers: &HeaderMap,
    render: impl FnOnce() -> Result<Rendered, FeedError> + Send + 'static,
) -> Response {
    let version = version_of(&state.store, &admitted.sel);
    let config = admitted.config.clone();
    if let Some(r) = state.cache.get(&key, &config, version) {
        return reply::conditional(&r, headers);
    }
    let (cache, metrics) = (state.cache.clone(), state.metrics.clone());
    let task = tokio::spawn(async move {
        let lock = cache.render_lock(&key);
        let guard = lock.clone().lock_owned().await;
        // Another request may have rendered it while this one waited.
        let done = match cache.get(&key, &config, version) {
            Some(r) => Ok(Ok(r)),
            None => {
                metrics.rendered();
                let done = tokio::task::spawn_blocking(render)
                    .await
                    .map(|r| r.map(Arc::new));
                if let Ok(Ok(r)) = &done {
                    cache.put(key.clone(), config, version, r.clone());
                }
                done
            }
        };
        drop(guard);
        cache.release(&key, lock);
        done
    });
    match task.await {
        Ok(Ok(Ok(r))) => reply::conditional(&r, headers),
        Ok(Ok(Err(e))) => e.into_response(),
        Ok(Err(e)) | Err(e) => {
            FeedError::Internal(format!("rendering {}: {e}", admitted.sel.path)).into_response()
        }
    }
}

/// Serves one output feed.
async fn serve_feed(
    state: AppState,
    topic: Option<String>,
    format: Format,
    raw_query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let admitted = match Admitted::new(&state, topic.as_deref(), raw_query.as_deref(), &headers) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let key = admitted.key(format.ext(), topic.clone(), 0);
    let (config, store) = (admitted.config.clone(), state.store.clone());
    let (query, sel) = (admitted.query.clone(), admitted.sel.clone());
    cached_or_rendered(&state, &admitted, key, &headers, move || {
        let max_age = reply::max_age(&config, &sel.topics);
        render_selection(&config, &store, sel, format, &query).map(|r| r.with_max_age(max_age))
    })
    .await
}

fn split_file(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    Some((name, Format::from_ext(ext)?))
}

/// `/topics/{file}`: a topic's feed (`ID.atom|.rss|.json`) or its page (`ID`).
pub(super) async fn topic_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if !file.contains('.') {
        return super::pages::topic_page(state, file, raw, headers).await;
    }
    match split_file(&file) {
        Some((id, format)) => serve_feed(state, Some(id.to_string()), format, raw, headers).await,
        None => FeedError::NotFound(format!(
            "no such feed {file:?}: topic feeds end in .atom, .rss or .json"
        ))
        .into_response(),
    }
}

/// `/feed.atom|.rss|.json`: the combined feed.
pub(super) async fn combined_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    match split_file(&file) {
        Some(("feed", format)) => serve_feed(state, None, format, raw, headers).await,
        _ => super::not_found().await,
    }
}
