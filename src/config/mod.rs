//! Configuration: TOML read into [`raw`] structs (unknown keys rejected), then validated into an
//! immutable [`Config`]: durations, sizes and paths resolved, topic queries compiled. Every error
//! names the file, line and column. Nothing here is global; the result is passed explicitly.

mod raw;
pub mod units;

use crate::dedup::feed_url_key;
use crate::topic::{self, Aliases, Pattern, Scope, Topic};
use raw::{RawConfig, RawDaemon, RawTopic};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;
use url::Url;

/// The User-Agent sent with every request unless the config sets one.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "feedsift/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// Settings of the daemon as a whole (`[daemon]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Daemon {
    pub database: PathBuf,
    pub listen: SocketAddr,
    /// Base of self links in output feeds, without a trailing slash.
    pub public_url: String,
    pub poll_interval: Duration,
    pub min_interval: Duration,
    pub max_interval: Duration,
    pub concurrency: usize,
    pub per_host: usize,
    pub timeout: Duration,
    pub max_body: u64,
    pub retention: Duration,
    pub user_agent: String,
    /// Follow redirects to other hosts on loopback, private, link-local or unspecified
    /// addresses (refused by default: a public feed must not make us fetch inside the network).
    pub allow_private_redirects: bool,
    /// The most the database file may grow to; writes past it fail (a `store` error on the
    /// poll) while reads go on. `None`: as large as the disk allows.
    pub max_database_size: Option<u64>,
}

/// One `[[feed]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedConfig {
    pub url: String,
    /// Overrides the feed's own title.
    pub title: Option<String>,
    pub interval: Option<Duration>,
    pub tags: Vec<String>,
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub daemon: Daemon,
    pub feeds: Vec<FeedConfig>,
    pub aliases: Aliases,
    /// The aliases that name one thing in several scripts, for joining stories across
    /// languages ([`crate::dedup::story::across`]).
    pub name_sets: crate::dedup::story::NameSets,
    pub topics: Vec<Arc<Topic>>,
    /// `feeds` by [`feed_url_key`], for lookups by URL.
    index: HashMap<String, usize>,
}

impl Config {
    pub fn topic(&self, id: &str) -> Option<&Arc<Topic>> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// The polling interval of `feed` before any adaptation.
    pub fn interval_of(&self, feed: &FeedConfig) -> Duration {
        feed.interval.unwrap_or(self.daemon.poll_interval)
    }

    /// The title entries of the feed at `url` are shown and matched with: the configured one,
    /// else the feed's own (`own`), else the URL itself.
    pub fn feed_title<'a>(&'a self, url: &'a str, own: Option<&'a str>) -> &'a str {
        self.feed(url)
            .and_then(|f| f.title.as_deref())
            .or(own)
            .filter(|t| !t.is_empty())
            .unwrap_or(url)
    }

    /// The configured feed at `url` (scheme and host compared case-blind).
    pub fn feed(&self, url: &str) -> Option<&FeedConfig> {
        self.index
            .get(url)
            .or_else(|| self.index.get(&feed_url_key(url)))
            .map(|&i| &self.feeds[i])
    }
}

/// One problem in a config file, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a config file was rejected: every problem found, each with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<Diagnostic>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if d.line == 0 {
                write!(f, "{}: {}", self.path.display(), d.message)?;
            } else {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.path.display(),
                    d.line,
                    d.column,
                    d.message
                )?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Reads and validates the config at `path`. `state_dir` is systemd's `$STATE_DIRECTORY`, where
/// the database goes when the config names none.
pub fn load(path: &Path, state_dir: Option<&Path>) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        problems: vec![Diagnostic {
            line: 0,
            column: 0,
            message: format!("cannot read the config file: {e}"),
        }],
    })?;
    parse(&text, path, state_dir)
}

/// Validates config `text` as if read from `path`.
pub fn parse(text: &str, path: &Path, state_dir: Option<&Path>) -> Result<Config, ConfigError> {
    let mut v = Validator {
        text,
        problems: Vec::new(),
    };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            v.push(offset, e.message().trim().to_string());
            return Err(v.into_error(path));
        }
    };
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let daemon = v.daemon(&raw.daemon, &base, state_dir);
    let feeds = v.feeds(&raw, &daemon);
    let aliases = v.aliases(&raw);
    let topics = v.topics(&raw, &feeds, &aliases);
    if v.problems.is_empty() {
        let mut index = HashMap::with_capacity(feeds.len() * 2);
        for (i, f) in feeds.iter().enumerate() {
            index.insert(f.url.clone(), i);
            index.insert(feed_url_key(&f.url), i);
        }
        let name_sets = crate::dedup::story::NameSets::new(aliases.iter().map(|(name, terms)| {
            (
                name.as_str(),
                terms.iter().map(|t| (t.words.as_slice(), t.prefix)),
            )
        }));
        Ok(Config {
            path: path.to_path_buf(),
            daemon,
            feeds,
            aliases,
            name_sets,
            topics,
            index,
        })
    } else {
        Err(v.into_error(path))
    }
}

struct Validator<'a> {
    text: &'a str,
    problems: Vec<Diagnostic>,
}

/// Offset of a string value's first character, past its opening quotes (and the newline that
/// may follow a multi-line opening quote).
fn value_start(text: &str, span_start: usize) -> usize {
    let rest = &text[span_start.min(text.len())..];
    let skip = if rest.starts_with("'''") || rest.starts_with("\"\"\"") {
        let after = &rest[3..];
        3 + if after.starts_with("\r\n") {
            2
        } else if after.starts_with('\n') {
            1
        } else {
            0
        }
    } else if rest.starts_with('\'') || rest.starts_with('"') {
        1
    } else {
        0
    };
    span_start + skip
}

impl Validator<'_> {
    fn push(&mut self, offset: usize, message: String) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        self.problems.push(Diagnostic {
            line,
            column,
            message,
        });
    }

    fn at<T>(&mut self, s: &Spanned<T>, message: String) {
        self.push(s.span().start, message);
    }

    fn into_error(self, path: &Path) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            problems: self.problems,
        }
    }

    fn duration(&mut self, v: &Option<Spanned<String>>, key: &str, default: Duration) -> Duration {
        match v {
            None => default,
            Some(s) => units::parse_duration(s.get_ref()).unwrap_or_else(|e| {
                self.at(s, format!("{key}: {e}"));
                default
            }),
        }
    }

    fn count(&mut self, v: &Option<Spanned<i64>>, key: &str, default: usize) -> usize {
        match v {
            None => default,
            Some(s) if (1..=100_000).contains(s.get_ref()) => *s.get_ref() as usize,
            Some(s) => {
                self.at(s, format!("{key} must be between 1 and 100000"));
                default
            }
        }
    }

    fn daemon(&mut self, raw: &RawDaemon, base: &Path, state_dir: Option<&Path>) -> Daemon {
        let database = self.database(raw, base, state_dir);
        let listen = self.listen(raw);
        let public_url = self.public_url(raw, listen);
        let (poll_interval, min_interval, max_interval) = self.intervals(raw);
        let concurrency = self.count(&raw.concurrency, "concurrency", 32);
        let per_host = self.count(&raw.per_host, "per_host", 2);
        let timeout = self.duration(&raw.timeout, "timeout", Duration::from_secs(30));
        let max_body = match &raw.max_body {
            None => 8 * 1024 * 1024,
            Some(s) => units::parse_size(s.get_ref()).unwrap_or_else(|e| {
                self.at(s, format!("max_body: {e}"));
                0
            }),
        };
        let retention = self.duration(
            &raw.retention,
            "retention",
            Duration::from_secs(90 * 86_400),
        );
        let user_agent = self.user_agent(raw);
        let max_database_size =
            raw.max_database_size
                .as_ref()
                .and_then(|s| match units::parse_size(s.get_ref()) {
                    Ok(n) if n >= 64 * 1024 => Some(n),
                    Ok(_) => {
                        self.at(s, "max_database_size must be at least 64KiB".into());
                        None
                    }
                    Err(e) => {
                        self.at(s, format!("max_database_size: {e}"));
                        None
                    }
                });
        Daemon {
            database,
            listen,
            public_url,
            poll_interval,
            min_interval,
            max_interval,
            concurrency,
            per_host,
            timeout,
            max_body,
            retention,
            user_agent,
            allow_private_redirects: raw
                .allow_private_redirects
                .as_ref()
                .is_some_and(|b| *b.get_ref()),
            max_database_size,
        }
    }

    /// The database file: as given (relative to the config file), else in systemd's state
    /// directory, else beside the config.
    fn database(&mut self, raw: &RawDaemon, base: &Path, state_dir: Option<&Path>) -> PathBuf {
        match &raw.database {
            Some(s) if s.get_ref().trim().is_empty() => {
                self.at(s, "database must name a file".into());
                PathBuf::new()
            }
            Some(s) => base.join(s.get_ref()),
            None => match state_dir {
                Some(dir) => dir.join("feedsift.db"),
                None => base.join("feedsift.db"),
            },
        }
    }

    fn listen(&mut self, raw: &RawDaemon) -> SocketAddr {
        match &raw.listen {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(s) => s.get_ref().parse().unwrap_or_else(|e| {
                self.at(
                    s,
                    format!(
                        "listen: {e} in {:?}; write an address and port like \"127.0.0.1:8080\"",
                        s.get_ref()
                    ),
                );
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }),
        }
    }

    /// The URL readers reach the server at, without a trailing slash.
    fn public_url(&mut self, raw: &RawDaemon, listen: SocketAddr) -> String {
        match &raw.public_url {
            None => format!("http://{listen}"),
            Some(s) => match Url::parse(s.get_ref()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    s.get_ref().trim_end_matches('/').to_string()
                }
                _ => {
                    self.at(
                        s,
                        format!(
                            "public_url {:?} is not an absolute http(s) URL",
                            s.get_ref()
                        ),
                    );
                    String::new()
                }
            },
        }
    }

    /// `poll_interval`, `min_interval` and `max_interval`, checked against each other; the
    /// poll interval is kept within the bounds.
    fn intervals(&mut self, raw: &RawDaemon) -> (Duration, Duration, Duration) {
        let poll_interval = self.duration(
            &raw.poll_interval,
            "poll_interval",
            Duration::from_secs(1800),
        );
        let min_interval =
            self.duration(&raw.min_interval, "min_interval", Duration::from_secs(300));
        let max_interval = self.duration(
            &raw.max_interval,
            "max_interval",
            Duration::from_secs(86_400),
        );
        if min_interval > max_interval {
            let span = raw.min_interval.as_ref().or(raw.max_interval.as_ref());
            let msg = format!(
                "min_interval ({}) is longer than max_interval ({})",
                units::format_duration(min_interval),
                units::format_duration(max_interval)
            );
            match span {
                Some(s) => self.at(s, msg),
                None => self.push(0, msg),
            }
        }
        if let Some(s) = &raw.poll_interval
            && (poll_interval < min_interval || poll_interval > max_interval)
        {
            self.at(
                s,
                format!(
                    "poll_interval ({}) is outside [min_interval, max_interval] = [{}, {}]",
                    units::format_duration(poll_interval),
                    units::format_duration(min_interval),
                    units::format_duration(max_interval)
                ),
            );
        }
        let poll_interval = poll_interval.clamp(min_interval, max_interval.max(min_interval));
        (poll_interval, min_interval, max_interval)
    }

    fn user_agent(&mut self, raw: &RawDaemon) -> String {
        match &raw.user_agent {
            None => DEFAULT_USER_AGENT.to_string(),
            Some(s) => {
                let ua = s.get_ref().trim();
                if ua.is_empty() || reqwest::header::HeaderValue::from_str(ua).is_err() {
                    self.at(s, "user_agent must be non-empty printable ASCII".into());
                }
                ua.to_string()
            }
        }
    }

    fn feeds(&mut self, raw: &RawConfig, daemon: &Daemon) -> Vec<FeedConfig> {
        let mut out: Vec<FeedConfig> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in &raw.feeds {
            let url = f.url.get_ref().trim();
            match Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                Ok(u) => {
                    self.at(
                        &f.url,
                        format!(
                            "feed url {url:?}: only http and https URLs can be polled, not {:?}",
                            u.scheme()
                        ),
                    );
                    continue;
                }
                Err(e) => {
                    self.at(&f.url, format!("feed url {url:?} is not a valid URL: {e}"));
                    continue;
                }
            }
            if !seen.insert(feed_url_key(url)) {
                self.at(&f.url, format!("feed {url:?} is configured twice"));
                continue;
            }
            let interval = f.interval.as_ref().map(|s| {
                let d = units::parse_duration(s.get_ref()).unwrap_or_else(|e| {
                    self.at(s, format!("interval: {e}"));
                    daemon.poll_interval
                });
                if d < daemon.min_interval || d > daemon.max_interval {
                    self.at(
                        s,
                        format!(
                            "interval ({}) is outside [min_interval, max_interval] = [{}, {}]",
                            units::format_duration(d),
                            units::format_duration(daemon.min_interval),
                            units::format_duration(daemon.max_interval)
                        ),
                    );
                }
                d
            });
            let mut tags = Vec::new();
            for t in &f.tags {
                let tag = t.get_ref().trim();
                if tag.is_empty() || tag.chars().any(char::is_whitespace) {
                    self.at(t, format!("tag {tag:?} must be one word"));
                } else {
                    tags.push(tag.to_string());
                }
            }
            let title = f
                .title
                .as_ref()
                .map(|t| crate::text::clean_line(t.get_ref()))
                .filter(|t| !t.is_empty());
            out.push(FeedConfig {
                url: url.to_string(),
                title,
                interval,
                tags,
            });
        }
        out
    }

    fn aliases(&mut self, raw: &RawConfig) -> Aliases {
        let mut out = Aliases::new();
        for (name, values) in &raw.aliases {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                self.at(
                    values,
                    format!("alias name {name:?} may hold only letters, digits, '_' and '-'"),
                );
                continue;
            }
            let mut patterns = Vec::new();
            for v in values.get_ref() {
                match Pattern::from_text(v.get_ref()) {
                    Some(p) => patterns.push(p),
                    None => self.at(
                        v,
                        format!(
                            "alias @{name}: {:?} has no letters or digits to match",
                            v.get_ref()
                        ),
                    ),
                }
            }
            if values.get_ref().is_empty() {
                self.at(values, format!("alias @{name} is empty"));
            }
            out.insert(name.clone(), patterns);
        }
        out
    }

    fn query(
        &mut self,
        s: &Spanned<String>,
        aliases: &Aliases,
        what: &str,
    ) -> Option<topic::Query> {
        match topic::parse(s.get_ref(), aliases) {
            Ok(q) => Some(q),
            Err(e) => {
                let offset = value_start(self.text, s.span().start) + e.offset;
                self.push(offset, format!("{what}: {}", e.message));
                None
            }
        }
    }

    fn topics(
        &mut self,
        raw: &RawConfig,
        feeds: &[FeedConfig],
        aliases: &Aliases,
    ) -> Vec<Arc<Topic>> {
        let mut out: Vec<Arc<Topic>> = Vec::new();
        let mut ids = BTreeSet::new();
        for t in &raw.topics {
            let id = t.id.get_ref().as_str();
            let valid_id = !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid_id {
                self.at(
                    &t.id,
                    format!(
                        "topic id {id:?} must be 1 to 64 characters of a-z, 0-9 and '-' (it is used in URLs)"
                    ),
                );
            } else if !ids.insert(id.to_string()) {
                self.at(&t.id, format!("topic id {id:?} is used twice"));
            }
            let query = self.query(&t.query, aliases, &format!("topic {id:?} query"));
            // `Some(None)`: no exclude; `None`: an exclude that failed to parse.
            let exclude = match &t.exclude {
                None => Some(None),
                Some(e) => self
                    .query(e, aliases, &format!("topic {id:?} exclude"))
                    .map(Some),
            };
            let scope = self.scope(t, id, feeds);
            let limit = match &t.limit {
                None => 50,
                Some(l) if (1..=500).contains(l.get_ref()) => *l.get_ref() as u32,
                Some(l) => {
                    self.at(l, format!("topic {id:?}: limit must be between 1 and 500"));
                    50
                }
            };
            let token = match &t.token {
                None => None,
                Some(tok) => {
                    let v = tok.get_ref();
                    if v.len() < 8 || !v.chars().all(|c| c.is_ascii_graphic()) {
                        self.at(
                            tok,
                            format!(
                                "topic {id:?}: token must be at least 8 printable ASCII characters without spaces"
                            ),
                        );
                    }
                    Some(v.clone())
                }
            };
            let title = t
                .title
                .as_ref()
                .map(|s| crate::text::clean_line(s.get_ref()))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| id.to_string());
            if let (Some(query), Some(exclude)) = (query, exclude) {
                out.push(Arc::new(Topic {
                    id: id.to_string(),
                    title,
                    query,
                    exclude,
                    scope,
                    limit,
                    token,
                }));
            }
        }
        out
    }

    /// The feeds a topic is limited to (`feeds = ["tag:NAME", URL, ...]`), each checked
    /// against the configured feeds.
    fn scope(&mut self, t: &RawTopic, id: &str, feeds: &[FeedConfig]) -> Vec<Scope> {
        let mut scope = Vec::new();
        for f in t.feeds.iter().flatten() {
            let s = f.get_ref().trim();
            if let Some(tag) = s.strip_prefix("tag:") {
                if feeds.iter().any(|fc| fc.tags.iter().any(|t| t == tag)) {
                    scope.push(Scope::Tag(tag.to_string()));
                } else {
                    self.at(
                        f,
                        format!("topic {id:?}: no configured feed has the tag {tag:?}"),
                    );
                }
            } else if let Some(fc) = {
                let key = feed_url_key(s);
                feeds.iter().find(|fc| feed_url_key(&fc.url) == key)
            } {
                scope.push(Scope::Url(fc.url.clone()));
            } else {
                self.at(
                    f,
                    format!(
                        "topic {id:?}: {s:?} is neither \"tag:NAME\" nor the URL of a configured feed"
                    ),
                );
            }
        }
        if matches!(&t.feeds, Some(v) if v.is_empty()) {
            self.at(
                &t.id,
                format!(
                    "topic {id:?}: feeds = [] would match nothing; leave it out to use all feeds"
                ),
            );
        }
        scope
    }
}

#[cfg(test)]
mod tests;
