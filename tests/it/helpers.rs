//! Test scaffolding: a feed server on 127.0.0.1:0 whose documents tests change at will (with
//! ETag / 304 support and per-path hit counts), and a daemon started in-process on port 0.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use feedsift::config::{self, Config};
use feedsift::daemon::{self, Control};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What the fixture server answers at one path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A document with its content type; served with an ETag and honouring If-None-Match.
    Doc { body: Vec<u8>, content_type: String },
    /// A bare status with headers.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// A 200 whose body comes one byte every `every`, forever.
    Drip { every: Duration },
    /// `body` sent as is with extra headers (e.g. a pre-compressed body).
    Raw {
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    },
    /// A document answered only after `delay`.
    Slow { body: Vec<u8>, delay: Duration },
}

#[derive(Default)]
struct Inner {
    replies: HashMap<String, Reply>,
    /// path → (requests, 304 answers)
    hits: HashMap<String, (usize, usize)>,
    /// Requests being answered now, and the most at once.
    in_flight: usize,
    max_in_flight: usize,
}

/// A local feed server.
#[derive(Clone)]
pub struct FeedServer {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

fn etag_of(body: &[u8]) -> String {
    use sha2::Digest;
    format!("\"{}\"", hex::encode(&sha2::Sha256::digest(body)[..8]))
}

async fn answer(
    State(shared): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    req: Request,
) -> Response {
    let path = req.uri().path().to_string();
    let reply = {
        let mut inner = shared.lock().unwrap();
        let reply = inner.replies.get(&path).cloned();
        inner.hits.entry(path.clone()).or_default().0 += 1;
        reply
    };
    match reply {
        Some(Reply::Slow { body, delay }) => {
            {
                let mut inner = shared.lock().unwrap();
                inner.in_flight += 1;
                inner.max_in_flight = inner.max_in_flight.max(inner.in_flight);
            }
            tokio::time::sleep(delay).await;
            shared.lock().unwrap().in_flight -= 1;
            return Response::builder()
                .header(header::CONTENT_TYPE, "application/rss+xml")
                .body(Body::from(body))
                .unwrap();
        }
        Some(Reply::Drip { every }) => {
            let stream = futures_util::stream::unfold((), move |()| async move {
                tokio::time::sleep(every).await;
                Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")),
                    (),
                ))
            });
            return Response::builder()
                .header(header::CONTENT_TYPE, "application/rss+xml")
                .body(Body::from_stream(stream))
                .unwrap();
        }
        _ => {}
    }
    let mut inner = shared.lock().unwrap();
    let hit = inner.hits.entry(path).or_default();
    match reply {
        Some(Reply::Slow { .. }) | Some(Reply::Drip { .. }) => unreachable!("answered above"),
        Some(Reply::Raw { body, headers }) => {
            let mut b = Response::builder();
            for (k, v) in headers {
                b = b.header(k, v);
            }
            b.body(Body::from(body)).unwrap()
        }
        None => Response::builder()
            .status(404)
            .body(Body::from("not found"))
            .unwrap(),
        Some(Reply::Status { status, headers }) => {
            let mut b = Response::builder().status(status);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            b.body(Body::empty()).unwrap()
        }
        Some(Reply::Doc { body, content_type }) => {
            let etag = etag_of(&body);
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(etag.as_str())
            {
                hit.1 += 1;
                return Response::builder()
                    .status(StatusCode::NOT_MODIFIED)
                    .header(header::ETAG, etag)
                    .body(Body::empty())
                    .unwrap();
            }
            Response::builder()
                .header(header::CONTENT_TYPE, content_type)
                .header(header::ETAG, etag)
                .body(Body::from(body))
                .unwrap()
        }
    }
}

impl FeedServer {
    pub async fn start() -> FeedServer {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new().fallback(answer).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FeedServer { addr, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.inner.lock().unwrap().replies.insert(
            path.to_string(),
            Reply::Doc {
                body: body.into(),
                content_type: content_type.to_string(),
            },
        );
    }

    /// Serves at `path` a feed "A" of one item, "Kim meets Shoigu".
    pub fn set_one_item(&self, path: &str) {
        self.set(
            path,
            "application/rss+xml",
            rss(
                "A",
                &[("1", "Kim meets Shoigu", "https://a.example/1", "Talks.")],
            ),
        );
    }

    pub fn set_status(&self, path: &str, status: u16, headers: &[(&str, &str)]) {
        self.inner.lock().unwrap().replies.insert(
            path.to_string(),
            Reply::Status {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
        );
    }

    pub fn set_reply(&self, path: &str, reply: Reply) {
        self.inner
            .lock()
            .unwrap()
            .replies
            .insert(path.to_string(), reply);
    }

    /// The most slow requests answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.lock().unwrap().max_in_flight
    }

    /// (requests, 304 answers) at `path`.
    pub fn hits(&self, path: &str) -> (usize, usize) {
        self.inner
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or_default()
    }
}

/// Waits for `cond` to hold, checking every 50 ms; panics after 30 s (a hang, not a timing
/// assertion).
pub async fn wait_for<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !cond().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A config written into a fresh temporary folder.
pub struct TestConfig {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestConfig {
    pub fn new(toml: &str) -> TestConfig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedsift.toml");
        std::fs::write(&path, toml).unwrap();
        TestConfig { dir, path }
    }

    pub fn write(&self, toml: &str) {
        std::fs::write(&self.path, toml).unwrap();
    }

    pub fn load(&self) -> Config {
        config::load(&self.path, None).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// A daemon running in-process.
pub struct TestDaemon {
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    reload: tokio::sync::mpsc::UnboundedSender<Option<daemon::ReloadReply>>,
    pub task: JoinHandle<Result<(), daemon::DaemonError>>,
}

impl TestDaemon {
    pub async fn start(cfg: &TestConfig) -> TestDaemon {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = feedsift::telemetry::init(&Default::default(), "debug");
        }
        let config = cfg.load();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let (reload, reload_rx) = tokio::sync::mpsc::unbounded_channel();
        let control = Control {
            shutdown: shutdown.clone(),
            reload: reload_rx,
            config_path: cfg.path.clone(),
            state_dir: None,
        };
        let task = tokio::spawn(daemon::run(config, listener, control));
        TestDaemon {
            addr,
            shutdown,
            reload,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(self.url(path)).await.unwrap()
    }

    /// Asks for a reload (as SIGHUP does) and returns its outcome.
    pub async fn reload(&self) -> Result<(), String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.reload.send(Some(tx)).unwrap();
        rx.await.unwrap().map_err(|e| e.to_string())
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
    }
}

/// Polls every configured feed once, in-process, as `feedsift poll` does; returns the store.
pub async fn poll_once(
    cfg: &TestConfig,
) -> (
    Arc<feedsift::store::Store>,
    Vec<feedsift::poll::PollOutcome>,
) {
    let config = Arc::new(cfg.load());
    let mut outcomes = Vec::new();
    let (store, _) = daemon::poll_once(config, None, |_, _, o| outcomes.push(o.clone()))
        .await
        .unwrap();
    (store, outcomes)
}

/// The stored state of the feed at `url`.
pub fn state_of(store: &feedsift::store::Store, url: &str) -> feedsift::model::FeedState {
    store
        .feed_states()
        .unwrap()
        .into_iter()
        .find(|s| s.url == url)
        .unwrap_or_else(|| panic!("no feed {url}"))
}

/// An RSS 2.0 document with `(guid, title, link, description)` items.
pub fn rss(title: &str, items: &[(&str, &str, &str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>https://example.com/</link>\n"
    );
    for (i, (guid, t, link, desc)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{t}</title><link>{link}</link><description>{desc}</description><pubDate>Fri, 13 Sep 2024 {:02}:00:00 GMT</pubDate></item>\n",
            10 + i
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// The rows of a tab-separated fixture in `tests/fixtures/` (lines starting with `#` and blank
/// lines skipped), each split into its columns.
pub fn tsv_fixture(name: &str) -> Vec<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

/// The `feedsift` binary, without the environment a developer's shell may set for it.
pub fn feedsift_bin() -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_feedsift"));
    c.env_remove("FEEDSIFT_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .env_remove("NOTIFY_SOCKET");
    c
}

/// Runs the `feedsift` binary with `cfg` and `args`.
pub async fn feedsift(cfg: &TestConfig, args: &[&str]) -> std::process::Output {
    feedsift_bin()
        .arg("--config")
        .arg(&cfg.path)
        .args(args)
        .output()
        .await
        .unwrap()
}
