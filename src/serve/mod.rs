//! HTTP: the output feeds of each topic and the combined feed (Atom, RSS, JSON Feed) with
//! paging, conditional GET and private-topic tokens; the HTML pages; `/metrics`, `/healthz`
//! and the static files pages and feeds link. Reads the store only; never fetches, never logs
//! a token (request spans record the path without its query).
//!
//! Rendered outputs are kept in a cache keyed by the store's version of what they show
//! ([`cache`]), so a reader polling an unchanged topic is answered from memory.

pub mod cache;
pub mod feed;
pub mod html;
pub mod listener;
mod pages;
pub mod render;
mod reply;

pub use feed::{FeedError, FeedQuery, Format, MAX_LIMIT, parse_query, render_feed};
pub use pages::ago;

use crate::config::Config;
use crate::runtime::Live;
use crate::runtime::metrics::Metrics;
use crate::schedule::Heartbeat;
use crate::store::Store;
use axum::Router;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cache::RenderCache;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tracing::{Instrument, warn};

/// Largest total size of a request's headers (SPEC: 431 above).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest a request may take to be answered.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once; more wait their turn.
const MAX_IN_FLIGHT: usize = 512;
/// How stale the scheduler's heartbeat may be before `/healthz` says it is not running.
const HEARTBEAT_LIMIT: Duration = Duration::from_secs(60);

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub live: Arc<Live>,
    pub heartbeat: Arc<Heartbeat>,
    pub metrics: Arc<Metrics>,
    pub cache: Arc<RenderCache>,
}

impl AppState {
    pub fn new(
        store: Arc<Store>,
        live: Arc<Live>,
        heartbeat: Arc<Heartbeat>,
        metrics: Arc<Metrics>,
    ) -> AppState {
        AppState {
            store,
            live,
            heartbeat,
            metrics,
            cache: Arc::new(RenderCache::default()),
        }
    }

    fn config(&self) -> Arc<Config> {
        self.live.get().config.clone()
    }
}

pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    Router::new()
        .route("/", get(pages::index))
        .route("/topics/{file}", get(feed::topic_file))
        .route("/feeds", get(pages::feeds))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/static/{file}", get(static_file))
        .route("/{file}", get(feed::combined_feed))
        .route_layer(middleware::from_fn(tag_route))
        .fallback(not_found)
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
        .layer(middleware::from_fn(limit_headers))
        .layer(middleware::from_fn(move |req, next| {
            trace_request(metrics.clone(), req, next)
        }))
}

/// The route a request took, as metrics name it.
fn route_name(req: &Request) -> &'static str {
    let Some(path) = req.extensions().get::<MatchedPath>() else {
        return "other";
    };
    match path.as_str() {
        "/" => "index",
        "/topics/{file}" if req.uri().path().contains('.') => "topic_feed",
        "/topics/{file}" => "topic_page",
        "/feeds" => "feeds",
        "/healthz" => "healthz",
        "/metrics" => "metrics",
        "/static/{file}" => "static",
        "/{file}" => "combined_feed",
        _ => "other",
    }
}

/// Carries the route name out to [`trace_request`] on the response.
#[derive(Clone, Copy)]
struct Route(&'static str);

/// Names the route of a request the router matched (only there is `MatchedPath` known).
async fn tag_route(req: Request, next: Next) -> Response {
    let route = route_name(&req);
    let mut resp = next.run(req).await;
    resp.extensions_mut().insert(Route(route));
    resp
}

/// One span per request, and its count in `feedsift_http_requests_total` (requests refused
/// before routing count as route "other"); the path is logged without its query, which may
/// hold a token.
async fn trace_request(metrics: Arc<Metrics>, req: Request, next: Next) -> Response {
    let span = tracing::info_span!("request", method = %req.method(), path = %req.uri().path());
    async move {
        let started = std::time::Instant::now();
        let resp = next.run(req).await;
        let route = resp.extensions().get::<Route>().map_or("other", |r| r.0);
        metrics.request(route, resp.status().as_u16());
        tracing::debug!(
            route,
            status = resp.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "answered"
        );
        resp
    }
    .instrument(span)
    .await
}

/// 431 when the request's headers are larger than [`MAX_HEADER_BYTES`].
async fn limit_headers(req: Request, next: Next) -> Response {
    let size: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if size > MAX_HEADER_BYTES {
        return (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request headers are larger than {MAX_HEADER_BYTES} bytes\n"),
        )
            .into_response();
    }
    next.run(req).await
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let db = tokio::task::spawn_blocking(move || store.ping().map_err(|e| e.to_string()))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let alive = state.heartbeat.alive(Utc::now(), HEARTBEAT_LIMIT);
    match (db, alive) {
        (Ok(()), true) => (StatusCode::OK, "ok\n").into_response(),
        (Err(e), _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database not answering: {e}\n"),
        )
            .into_response(),
        (Ok(()), false) => {
            (StatusCode::SERVICE_UNAVAILABLE, "scheduler not running\n").into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let (config, store, metrics) = (state.config(), state.store.clone(), state.metrics.clone());
    let done = tokio::task::spawn_blocking(move || metrics.render(&store, &config)).await;
    match done {
        Ok(Ok(text)) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Ok(Err(e)) => {
            warn!(error = %e, "database error while reading metrics");
            (StatusCode::SERVICE_UNAVAILABLE, "database not answering\n").into_response()
        }
        Err(e) => {
            warn!(error = %e, "reading metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The stylesheet of the pages and the XSLT of the feeds: built in, cached for a day by
/// readers (their URLs do not change within a version).
async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "style.css" => (include_str!("assets/style.css"), "text/css; charset=utf-8"),
        "feed.xsl" => (include_str!("assets/feed.xsl"), "text/xsl; charset=utf-8"),
        _ => return not_found().await,
    };
    let mut resp = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    resp
}
