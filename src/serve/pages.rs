//! The HTML pages, server-rendered with maud (checked at compile time, escaped by default), no
//! JavaScript: `/` (topics, subscribe links, newest matches, feed health), `/topics/{id}` (a
//! topic's stories, paged) and `/feeds` (feed health, also as JSON). Entry HTML never reaches a
//! page: titles and names are text.

use super::cache::Rendered;
use super::feed::{
    Admitted, FeedError, FeedQuery, Format, Selection, cached_or_rendered, cursor_text, page_url,
};
use super::{AppState, reply};
use crate::config::Config;
use crate::model::{ErrorKind, FeedState, FeedStatus};
use crate::store::{Store, StoryItem, TopicStats};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use std::collections::HashMap;

/// The stylesheet every page links, served by the binary.
pub const STYLE_PATH: &str = "/static/style.css";
/// Newest matches of each public topic on `/`.
const NEWEST_ON_INDEX: u32 = 5;
/// Stories on one page of `/topics/{id}`.
const TOPIC_PAGE: u32 = 30;

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) }
                link rel="stylesheet" href=(STYLE_PATH);
            }
            body {
                header.site { a href="/" { "feedsift" } nav { a href="/" { "Topics" } " " a href="/feeds" { "Feeds" } } }
                main { (body) }
                footer { "feedsift " (env!("CARGO_PKG_VERSION")) " · " a href="/metrics" { "metrics" } " · " a href="/healthz" { "health" } }
            }
        }
    }
}

/// "3 h ago", for a person; the full time goes in the element's title.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    match s {
        s if s < 0 => "just now".to_string(),
        s if s < 60 => "just now".to_string(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s if s < 2 * 86_400 => "yesterday".to_string(),
        s if s < 30 * 86_400 => format!("{} days ago", s / 86_400),
        _ => t.format("%-d %b %Y").to_string(),
    }
}

/// "in 12 min", for the next poll.
fn due(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (t - now).num_seconds();
    match s {
        s if s <= 60 => "now".to_string(),
        s if s < 3600 => format!("in {} min", s / 60),
        s if s < 86_400 => format!("in {} h", s / 3600),
        _ => format!("in {} days", s / 86_400),
    }
}

fn time(t: DateTime<Utc>, now: DateTime<Utc>) -> Markup {
    html! { time datetime=(t.to_rfc3339()) title=(t.format("%Y-%m-%d %H:%M UTC")) { (ago(t, now)) } }
}

/// What went wrong with a feed, in words.
pub fn in_words(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "the server did not answer in time",
        ErrorKind::Connect => "could not connect to the server",
        ErrorKind::Dns => "the host name does not resolve",
        ErrorKind::Tls => "the secure connection failed",
        ErrorKind::Http4xx => "the server refused the request (4xx)",
        ErrorKind::Http5xx => "the server failed (5xx)",
        ErrorKind::RateLimited => "the server asked us to slow down",
        ErrorKind::TooLarge => "the feed is larger than the configured limit",
        ErrorKind::Redirects => "too many redirects",
        ErrorKind::Truncated => "the download was cut short",
        ErrorKind::InvalidResponse => "the server sent something that is not a feed",
        ErrorKind::Refused => "the address is not allowed",
        ErrorKind::Parse => "the feed could not be read",
        ErrorKind::Empty => "the feed is empty",
        ErrorKind::Store => "feedsift could not store it (database error)",
    }
}

/// The subscribe links of a topic, one per format.
fn subscribe(base: &str, path: &str) -> Markup {
    html! {
        ul.subscribe {
            @for f in Format::ALL {
                @let url = format!("{base}{path}.{}", f.ext());
                li { span.format { (f.name()) } " " a href=(url) { code { (url) } } }
            }
        }
    }
}

/// One story: title (linked), outlet and time, the other outlets, and (on a topic's own page)
/// the terms it matched.
fn story(item: &StoryItem, config: &Config, now: DateTime<Utc>, terms: bool) -> Markup {
    let source = config.feed_title(&item.feed_url, item.feed_title.as_deref());
    let title = if item.title.is_empty() {
        "(untitled)"
    } else {
        item.title.as_str()
    };
    html! {
        article.story {
            h3 {
                @match &item.link {
                    Some(l) => a href=(l) rel="noopener noreferrer nofollow" { (title) },
                    None => (title),
                }
            }
            p.meta {
                span.source { (source) } " · " (time(item.sort_time, now))
            }
            @if !item.also.is_empty() {
                p.also {
                    "Also reported by "
                    @for (i, a) in item.also.iter().enumerate() {
                        @if i > 0 { ", " }
                        @let name = config.feed_title(&a.feed_url, a.feed_title.as_deref());
                        @match &a.link {
                            Some(l) => a href=(l) rel="noopener noreferrer nofollow" { (name) },
                            None => (name),
                        }
                    }
                }
            }
            @if terms && !item.terms.is_empty() {
                p.terms { "Matched: " @for t in &item.terms { code { (t) } " " } }
            }
        }
    }
}

/// What `/` shows, read from the store.
struct IndexData {
    stats: HashMap<String, TopicStats>,
    newest: HashMap<String, Vec<StoryItem>>,
    feeds: Vec<FeedState>,
}

fn read_index(config: &Config, store: &Store) -> Result<IndexData, FeedError> {
    let stats = store.topic_stats().map_err(FeedError::Store)?;
    let mut newest = HashMap::new();
    for t in config.topics.iter().filter(|t| !t.is_private()) {
        let items = store
            .topic_page(std::slice::from_ref(&t.id), NEWEST_ON_INDEX, None)
            .map_err(FeedError::Store)?;
        newest.insert(t.id.clone(), items);
    }
    Ok(IndexData {
        stats,
        newest,
        feeds: configured_feeds(config, store)?,
    })
}

fn configured_feeds(config: &Config, store: &Store) -> Result<Vec<FeedState>, FeedError> {
    let mut feeds: Vec<FeedState> = store
        .feed_states()
        .map_err(FeedError::Store)?
        .into_iter()
        .filter(|f| config.feed(&f.url).is_some())
        .collect();
    // Failing first, then by title.
    feeds.sort_by_key(|f| {
        (
            f.status != FeedStatus::Failing,
            f.status != FeedStatus::Silent,
            config.feed_title(&f.url, f.title.as_deref()).to_lowercase(),
        )
    });
    Ok(feeds)
}

fn health_summary(feeds: &[FeedState]) -> Markup {
    let count = |s: FeedStatus| feeds.iter().filter(|f| f.status == s).count();
    let failing = count(FeedStatus::Failing);
    html! {
        p.health {
            (feeds.len()) " feeds: " (count(FeedStatus::Ok)) " ok"
            @if failing > 0 { ", " strong.bad { (failing) " failing" } }
            @let silent = count(FeedStatus::Silent);
            @if silent > 0 { ", " (silent) " silent" }
            @let new = count(FeedStatus::New);
            @if new > 0 { ", " (new) " not polled yet" }
            ". " a href="/feeds" { "Feed health" }
        }
    }
}

fn index_html(config: &Config, data: &IndexData, now: DateTime<Utc>) -> String {
    let base = &config.daemon.public_url;
    let body = html! {
        h1 { "Topics" }
        (health_summary(&data.feeds))
        @for t in &config.topics {
            @let path = format!("/topics/{}", t.id);
            @let stories = data.stats.get(&t.id).map_or(0, |s| s.matches);
            section.topic {
                h2 { a href=(path) { (t.title) } @if t.is_private() { " " span.badge { "private" } } }
                p.meta { (stories) " stories" }
                @if t.is_private() {
                    p { "Subscribing needs the topic's token (" code { "?token=" } ")." }
                } @else {
                    (subscribe(base, &path))
                    @match data.newest.get(&t.id) {
                        Some(items) if !items.is_empty() => {
                            @for item in items { (story(item, config, now, false)) }
                        }
                        _ => p.empty { "No stories yet." },
                    }
                }
            }
        }
        section.topic {
            h2 { "All public topics" }
            (subscribe(base, "/feed"))
        }
    };
    layout("feedsift", body).into_string()
}

/// `GET /`.
pub(super) async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let config = state.config();
    let (c, store) = (config.clone(), state.store.clone());
    let done = tokio::task::spawn_blocking(move || {
        read_index(&c, &store).map(|d| index_html(&c, &d, Utc::now()))
    })
    .await;
    match done {
        Ok(Ok(body)) => html_reply(body, &headers),
        Ok(Err(e)) => e.into_response(),
        Err(e) => FeedError::Internal(format!("rendering /: {e}")).into_response(),
    }
}

fn html_reply(body: String, headers: &HeaderMap) -> Response {
    page_reply(body, "text/html; charset=utf-8", headers)
}

/// A page rendered for this request (validators still answer 304), never kept by the browser
/// without asking.
fn page_reply(body: String, content_type: &'static str, headers: &HeaderMap) -> Response {
    let r = Rendered::new(body, content_type, Utc::now());
    let mut resp = reply::conditional(&r, headers);
    // Pages show relative times and health: a browser asks again every time.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    resp
}

fn topic_html(
    config: &Config,
    sel: &Selection,
    query: &FeedQuery,
    items: &[StoryItem],
    more: bool,
    now: DateTime<Utc>,
) -> String {
    let base = &config.daemon.public_url;
    let token = query.token.as_deref().filter(|_| sel.private);
    let next = more.then(|| items.last()).flatten().map(|l| {
        page_url(
            &sel.path,
            None,
            Some(cursor_text(l.sort_time.timestamp(), l.story_id)),
            token,
        )
    });
    let body = html! {
        h1 { (sel.title) }
        @if !sel.private { (subscribe(base, &sel.path)) }
        @if items.is_empty() {
            p.empty { "No stories yet." }
        }
        @for item in items { (story(item, config, now, true)) }
        nav.paging {
            @if query.before.is_some() { a href=(page_url(&sel.path, None, None, token)) { "Newest" } " " }
            @if let Some(n) = &next { a href=(n) rel="next" { "Older stories" } }
        }
    };
    layout(&sel.title, body).into_string()
}

/// `GET /topics/{id}`.
pub(super) async fn topic_page(
    state: AppState,
    id: String,
    raw: Option<String>,
    headers: HeaderMap,
) -> Response {
    let admitted = match Admitted::new(&state, Some(&id), raw.as_deref(), &headers) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let now = Utc::now();
    // Relative times change by the minute.
    let key = admitted.key("html", Some(id), now.timestamp() / 60);
    let (c, store) = (admitted.config.clone(), state.store.clone());
    let (sel, query) = (admitted.sel.clone(), admitted.query.clone());
    cached_or_rendered(&state, &admitted, key, &headers, move || {
        let limit = query.limit.unwrap_or(TOPIC_PAGE);
        let mut items = store
            .topic_page(&sel.topics, limit + 1, query.before)
            .map_err(FeedError::Store)?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let body = topic_html(&c, &sel, &query, &items, more, now);
        Ok(Rendered::new(body, "text/html; charset=utf-8", now))
    })
    .await
}

fn feeds_html(config: &Config, feeds: &[FeedState], now: DateTime<Utc>) -> String {
    let body = html! {
        h1 { "Feeds" }
        (health_summary(feeds))
        div.table {
            table {
                thead { tr { th { "Feed" } th { "Status" } th { "Last error" } th { "Last success" } th { "Next poll" } th.num { "Entries" } } }
                tbody {
                    @for f in feeds {
                        tr class=(f.status.as_str()) {
                            td.name { a href=(f.url) { (config.feed_title(&f.url, f.title.as_deref())) } }
                            td data-label="Status" { span.status { (f.status.as_str()) } }
                            td.error data-label="Last error" {
                                @if f.status == FeedStatus::Failing || f.status == FeedStatus::Silent {
                                    @if let Some(k) = f.error_kind { (in_words(k)) }
                                    @if let Some(e) = &f.last_error { br; small { (e) } }
                                }
                            }
                            td data-label="Last success" { @if let Some(t) = f.last_success { (time(t, now)) } @else { "never" } }
                            td data-label="Next poll" { @if let Some(t) = f.next_poll { (due(t, now)) } }
                            td.num data-label="Entries" { (f.entries) }
                        }
                    }
                }
            }
        }
    };
    layout("feedsift: feeds", body).into_string()
}

fn feeds_json(config: &Config, feeds: &[FeedState]) -> String {
    let list: Vec<_> = feeds
        .iter()
        .map(|f| {
            serde_json::json!({
                "url": f.url,
                "title": config.feed_title(&f.url, f.title.as_deref()),
                "status": f.status.as_str(),
                "error_kind": f.error_kind.map(ErrorKind::as_str),
                "error": f.error_kind.map(in_words),
                "last_error": f.last_error,
                "last_success": f.last_success.map(|t| t.to_rfc3339()),
                "last_poll": f.last_poll.map(|t| t.to_rfc3339()),
                "next_poll": f.next_poll.map(|t| t.to_rfc3339()),
                "entries": f.entries,
                "consecutive_failures": f.consecutive_failures,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "feeds": list }))
        .expect("JSON serialises");
    s.push('\n');
    s
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// `GET /feeds`: HTML, or JSON with `Accept: application/json`.
pub(super) async fn feeds(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let config = state.config();
    let (c, store) = (config.clone(), state.store.clone());
    let json = wants_json(&headers);
    let done = tokio::task::spawn_blocking(move || {
        configured_feeds(&c, &store).map(|feeds| {
            if json {
                feeds_json(&c, &feeds)
            } else {
                feeds_html(&c, &feeds, Utc::now())
            }
        })
    })
    .await;
    match done {
        Ok(Ok(body)) if json => page_reply(body, "application/json; charset=utf-8", &headers),
        Ok(Ok(body)) => html_reply(body, &headers),
        Ok(Err(e)) => e.into_response(),
        Err(e) => FeedError::Internal(format!("rendering /feeds: {e}")).into_response(),
    }
}
