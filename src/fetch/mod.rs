//! One shared HTTP client: conditional GET, redirects followed by hand (at most
//! [`MAX_REDIRECTS`], http/https only, permanent moves reported), the whole request bounded by
//! the configured timeout, bodies (after decompression) capped at `max_body`, and every failure
//! classified into an [`ErrorKind`] that is stored on the feed. Never parses, never writes.
//! Redirects into the private network are refused ([`guard`]).

pub mod guard;

use crate::model::ErrorKind;
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use std::collections::HashSet;
use std::time::Duration;
use url::Url;

/// Redirects followed before a fetch fails with `redirects`.
pub const MAX_REDIRECTS: usize = 5;

const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/rdf+xml, \
application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

/// Validators from the previous successful fetch, sent back so an unchanged feed costs a 304.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response worth looking at: a 2xx with its body, or a 304.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// Set when every redirect on the way was permanent (301/308): where the feed now lives.
    pub moved_to: Option<String>,
    pub status: u16,
    /// `None` for 304 Not Modified.
    pub body: Option<Vec<u8>>,
    pub validators: Validators,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
}

impl Fetched {
    pub fn not_modified(&self) -> bool {
        self.body.is_none()
    }
}

/// A failed fetch: of which URL, what kind of failure, in words, and what the server asked of us.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fetching {url}: {kind}: {message}")]
pub struct FetchError {
    /// The URL the fetch started from (redirects, if any, are named in `message`).
    pub url: String,
    pub kind: ErrorKind,
    pub message: String,
    pub status: Option<u16>,
    /// `Retry-After` as sent (seconds or an HTTP date), on 429 and 503.
    pub retry_after: Option<String>,
}

impl FetchError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> FetchError {
        FetchError {
            url: String::new(),
            kind,
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }

    /// 410 Gone: the feed is not coming back.
    pub fn is_gone(&self) -> bool {
        self.status == Some(410)
    }
}

/// The HTTP client could not be built (no TLS roots, a user agent that is no header value).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client")]
pub struct FetcherError(#[source] reqwest::Error);

/// Settings of the shared client.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    pub timeout: Duration,
    pub max_body: u64,
    pub user_agent: String,
    /// Hosts of the configured feeds (and of `inspect`'s URL): they, and redirects within
    /// them, may be on private addresses.
    pub trusted_hosts: HashSet<String>,
    /// Follow redirects to private addresses on any host.
    pub allow_private_redirects: bool,
}

impl FetchOptions {
    /// Options trusting the hosts of `urls`.
    pub fn trusting<'a>(
        timeout: Duration,
        max_body: u64,
        user_agent: String,
        urls: impl IntoIterator<Item = &'a str>,
        allow_private_redirects: bool,
    ) -> FetchOptions {
        let trusted_hosts = urls
            .into_iter()
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| u.host_str().map(guard::host_key))
            .collect();
        FetchOptions {
            timeout,
            max_body,
            user_agent,
            trusted_hosts,
            allow_private_redirects,
        }
    }
}

/// The shared HTTP client.
#[derive(Clone, Debug)]
pub struct Fetcher {
    client: Client,
    options: FetchOptions,
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Maps a transport error to a kind the user can act on.
fn classify(err: &reqwest::Error) -> FetchError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&e.to_string());
        source = e.source();
    }
    if let Some(at) = chain.find(guard::NOT_ALLOWED) {
        return FetchError::new(ErrorKind::Refused, chain[at..].to_string());
    }
    let lower = chain.to_ascii_lowercase();
    let kind = if err.is_timeout() || lower.contains("timed out") {
        ErrorKind::Timeout
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
    {
        ErrorKind::Dns
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        ErrorKind::Tls
    } else if err.is_connect() {
        ErrorKind::Connect
    } else if err.is_body() || err.is_decode() {
        ErrorKind::Truncated
    } else {
        ErrorKind::InvalidResponse
    };
    FetchError::new(kind, chain)
}

fn size_text(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{}MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{}KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

impl Fetched {
    /// What a response at `url` said, without its body.
    fn from_response(
        url: &Url,
        moved_to: Option<String>,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Fetched {
        Fetched {
            final_url: url.to_string(),
            moved_to,
            status: status.as_u16(),
            body: None,
            validators: Validators {
                etag: header_string(headers, header::ETAG),
                last_modified: header_string(headers, header::LAST_MODIFIED),
            },
            content_type: header_string(headers, header::CONTENT_TYPE),
            cache_control: header_string(headers, header::CACHE_CONTROL),
            expires: header_string(headers, header::EXPIRES),
        }
    }
}

/// Where a redirect from `current` leads, unless it is malformed, loops back to a URL already
/// `seen`, or would be one hop too many.
fn redirect_target(
    status: StatusCode,
    headers: &HeaderMap,
    current: &Url,
    seen: &HashSet<String>,
    hops: usize,
) -> Result<Url, FetchError> {
    let location = header_string(headers, header::LOCATION).ok_or_else(|| {
        FetchError::new(
            ErrorKind::InvalidResponse,
            format!("{status} without a Location header"),
        )
    })?;
    let next = current.join(&location).map_err(|e| {
        FetchError::new(
            ErrorKind::InvalidResponse,
            format!("{status} to an invalid Location {location:?}: {e}"),
        )
    })?;
    if seen.contains(next.as_str()) {
        return Err(FetchError::new(
            ErrorKind::Redirects,
            format!("redirect loop: {current} redirects back to {next}"),
        ));
    }
    if hops + 1 > MAX_REDIRECTS {
        return Err(FetchError::new(
            ErrorKind::Redirects,
            format!("more than {MAX_REDIRECTS} redirects (last to {next})"),
        ));
    }
    Ok(next)
}

/// A status that is neither success, redirect nor 304, as an error of its kind.
fn status_error(url: &str, status: StatusCode, headers: &HeaderMap) -> FetchError {
    let kind = match status.as_u16() {
        429 => ErrorKind::RateLimited,
        400..=499 => ErrorKind::Http4xx,
        500..=599 => ErrorKind::Http5xx,
        _ => ErrorKind::InvalidResponse,
    };
    FetchError {
        url: String::new(),
        kind,
        message: format!("{url} answered {status}"),
        status: Some(status.as_u16()),
        retry_after: header_string(headers, header::RETRY_AFTER),
    }
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Fetcher, FetcherError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        let client = Client::builder()
            .user_agent(&options.user_agent)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(guard::resolver(
                options.trusted_hosts.clone(),
                options.allow_private_redirects,
            ))
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(FetcherError)?;
        Ok(Fetcher { client, options })
    }

    /// Fetches `url`, sending `validators` as If-None-Match / If-Modified-Since. The whole
    /// exchange, redirects and body included, is bounded by the configured timeout.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let named = |mut e: FetchError| {
            e.url = url.to_string();
            e
        };
        match tokio::time::timeout(self.options.timeout, self.fetch_inner(url, validators)).await {
            Ok(r) => r.map_err(named),
            Err(_) => Err(named(FetchError::new(
                ErrorKind::Timeout,
                format!(
                    "no complete response within {}",
                    crate::config::units::format_duration(self.options.timeout)
                ),
            ))),
        }
    }

    async fn fetch_inner(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut current = Url::parse(url).map_err(|e| {
            FetchError::new(ErrorKind::Refused, format!("invalid URL {url:?}: {e}"))
        })?;
        let mut seen = HashSet::new();
        let mut permanent = true;
        let mut hops = 0;
        loop {
            if !matches!(current.scheme(), "http" | "https") {
                return Err(FetchError::new(
                    ErrorKind::Refused,
                    format!("only http and https URLs are fetched, not {current}"),
                ));
            }
            seen.insert(current.to_string());
            let mut req = self.client.get(current.clone());
            if let Some(etag) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
            let resp = req.send().await.map_err(|e| {
                let mut e = classify(&e);
                if hops > 0 && e.kind == ErrorKind::Refused {
                    e.message = format!("redirect to {current}: {}", e.message);
                }
                e
            })?;
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let next = redirect_target(status, resp.headers(), &current, &seen, hops)?;
                self.check_redirect(&current, &next)?;
                hops += 1;
                permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                current = next;
                continue;
            }
            let moved_to = (hops > 0 && permanent).then(|| current.to_string());
            let mut fetched = Fetched::from_response(&current, moved_to, status, resp.headers());
            if status == StatusCode::NOT_MODIFIED {
                // A 304 may omit validators: keep the ones we sent.
                let v = &mut fetched.validators;
                v.etag = v.etag.take().or_else(|| validators.etag.clone());
                v.last_modified = v
                    .last_modified
                    .take()
                    .or_else(|| validators.last_modified.clone());
                return Ok(fetched);
            }
            if !status.is_success() {
                return Err(status_error(&fetched.final_url, status, resp.headers()));
            }
            let body = self.read_body(resp).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(FetchError::new(
                    ErrorKind::Empty,
                    format!("{} answered {status} with an empty body", fetched.final_url),
                ));
            }
            fetched.body = Some(body);
            return Ok(fetched);
        }
    }

    /// Refuses a redirect to an address written in the URL (`127.1`, `[::1]`, …) that is not
    /// public, unless its host is trusted or the rule is lifted. Names are checked when they
    /// are resolved, by the client's resolver.
    fn check_redirect(&self, from: &Url, to: &Url) -> Result<(), FetchError> {
        let ip: std::net::IpAddr = match to.host() {
            Some(url::Host::Ipv4(v4)) => v4.into(),
            Some(url::Host::Ipv6(v6)) => v6.into(),
            _ => return Ok(()),
        };
        let host = to.host_str().unwrap_or_default();
        if self.options.allow_private_redirects
            || self.options.trusted_hosts.contains(&guard::host_key(host))
        {
            return Ok(());
        }
        match guard::private_kind(ip) {
            None => Ok(()),
            Some(kind) => Err(FetchError::new(
                ErrorKind::Refused,
                format!(
                    "redirect from {from} to {to}: {}",
                    guard::refusal(host, ip, kind)
                ),
            )),
        }
    }

    /// Reads the (decompressed) body, stopping as soon as it passes `max_body`.
    async fn read_body(&self, resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let max = self.options.max_body;
        let too_large = || {
            FetchError::new(
                ErrorKind::TooLarge,
                format!("response larger than max_body ({})", size_text(max)),
            )
        };
        if resp.content_length().is_some_and(|n| n > max) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| classify(&e))?;
            if body.len() as u64 + chunk.len() as u64 > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
