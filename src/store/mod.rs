//! The only SQL in feedsift. SQLite in WAL mode: one writer connection (each feed's poll is one
//! transaction, so a crash loses at most the poll in flight) and a small pool of readers that
//! never block it. Every method blocks: async callers run them with `spawn_blocking`.

mod changes;
mod entries;
mod feeds;
mod matches;
mod migrations;
mod pages;
mod retention;
mod settle;
mod stories;
mod writer;

pub use changes::Changes;
pub use entries::{EntryRow, NewEntry, PollWrite, StoredEntries, WriteStats, sort_time};
pub use matches::{TopicMatch, TopicStats};
pub use pages::{AlsoReported, StoryEntry, StoryItem, TopicStory};

use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A store failure: what was being done, and the underlying cause (its `source()`).
#[derive(Debug, thiserror::Error)]
#[error("{context}: {cause}")]
pub struct StoreError {
    pub context: String,
    #[source]
    pub cause: Cause,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The file holds a schema this feedsift cannot use.
    #[error("{0}")]
    Schema(String),
    #[error("migration {step} failed: {source}")]
    Migration {
        step: usize,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the database writer has stopped")]
    WriterStopped,
    /// Another process holds the database's write lock.
    #[error(
        "another feedsift process{} is writing this database (`feedsift serve` polls on its own; stop it first, or reload it with SIGHUP)",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked { pid: Option<u32> },
    /// A read-only command found no database.
    #[error("there is no database yet: `feedsift poll` or `feedsift serve` creates it")]
    Missing,
    /// This store was opened read-only.
    #[error("the database was opened read-only")]
    ReadOnly,
    /// The file is an SQLite database of another program.
    #[error(
        "it is not a feedsift database ({0}); nothing was changed: point [daemon] database at another file"
    )]
    Foreign(String),
    /// `PRAGMA quick_check` found damage.
    #[error(
        "the database is damaged ({0}); nothing was changed: restore it from a backup, or move it aside and let feedsift start a new one (feeds are then polled anew)"
    )]
    Damaged(String),
    /// The file (or its folder) cannot be written.
    #[error(
        "the database file cannot be written (read-only file or file system); nothing was changed"
    )]
    Unwritable,
}

impl StoreError {
    pub(crate) fn new(context: impl Into<String>, cause: impl Into<Cause>) -> StoreError {
        StoreError {
            context: context.into(),
            cause: cause.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

trait Context<T> {
    fn context(self, what: &str) -> Result<T>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn context(self, what: &str) -> Result<T> {
        self.map_err(|e| StoreError::new(what, e))
    }
}

fn ts(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).expect("strings serialise")
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Takes the write lock beside the database at `path`, writing this process's pid into it.
fn lock(path: &Path) -> std::result::Result<std::fs::File, Cause> {
    use std::io::{Read, Seek, Write};
    let mut p = path.as_os_str().to_owned();
    p.push(".lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&p)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            return Err(Cause::Locked {
                pid: text.trim().parse().ok(),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Cause::Io(e)),
    }
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{}", std::process::id())?;
    Ok(file)
}

/// Readers kept open for reuse.
const READER_POOL: usize = 8;

pub struct Store {
    path: PathBuf,
    /// None when opened read-only.
    writer: Option<writer::Writer>,
    readers: Mutex<Vec<Connection>>,
    changes: Arc<Changes>,
    /// The write lock (`DATABASE.lock`), held while the store is open for writing.
    _lock: Option<std::fs::File>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // One plan per statement, whatever values are bound. Without this, a statement whose plan
    // SQLite could tune to the values bound to it (a range over `?`, `LIMIT ?`) is compiled
    // again on every execution: that was a third of the writer's time on a large first poll.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl Store {
    /// Opens (creating it and its folder if missing) and migrates the database at `path`, for
    /// writing: one process at a time holds its write lock (`PATH.lock`, with the holder's pid).
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_limited(path, None)
    }

    /// [`Store::open`], with the file kept to at most `max_bytes` (SQLite's `max_page_count`):
    /// past it, writes fail with "database or disk is full" and reads go on.
    pub fn open_limited(path: &Path, max_bytes: Option<u64>) -> Result<Store> {
        let what = format!("opening the database {}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::new(format!("{what}: creating its folder"), e))?;
        }
        let lock = lock(path).map_err(|cause| StoreError {
            context: what.clone(),
            cause,
        })?;
        let mut conn = Connection::open(path).context(&what)?;
        // Before anything is written: the file must be ours (or new), whole, and writable.
        migrations::check_before_writing(&conn).map_err(|cause| StoreError {
            context: what.clone(),
            cause,
        })?;
        Self::configure_writer(&conn).context(&what)?;
        migrations::migrate(&mut conn).map_err(|cause| StoreError {
            context: what.clone(),
            cause,
        })?;
        if let Some(max) = max_bytes {
            let page: i64 = conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .context(&what)?;
            let pages = max.div_ceil(page.max(512) as u64);
            conn.pragma_update(
                None,
                "max_page_count",
                i64::try_from(pages).unwrap_or(i64::MAX),
            )
            .context(&what)?;
        }
        let checkpoints = Connection::open(path).context(&what)?;
        configure(&checkpoints).context(&what)?;
        let changes = Arc::new(Changes::default());
        let writer = writer::Writer::start(conn, checkpoints, changes.clone())
            .map_err(|e| StoreError::new(format!("{what}: starting the writer thread"), e))?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Some(writer),
            readers: Mutex::new(Vec::new()),
            changes,
            _lock: Some(lock),
        })
    }

    /// Opens the database at `path` for reading only, beside a running daemon: no lock, no
    /// migration, and a missing database is an error, never created.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let what = format!("opening the database {}", path.display());
        if !path.exists() {
            return Err(StoreError::new(what, Cause::Missing));
        }
        let store = Store {
            path: path.to_path_buf(),
            writer: None,
            readers: Mutex::new(Vec::new()),
            changes: Arc::new(Changes::default()),
            _lock: None,
        };
        let (version, app): (i64, i32) = store.read(&what, |c| {
            Ok((
                c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                c.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            ))
        })?;
        if app != 0 && app != migrations::APPLICATION_ID {
            return Err(StoreError::new(
                what,
                Cause::Foreign(format!("its SQLite application id is {app:#x}")),
            ));
        }
        let known = migrations::MIGRATIONS.len() as i64;
        if version != known {
            let why = if version < known {
                format!(
                    "it has schema {version} of {known}: run `feedsift poll` or `feedsift serve` once to upgrade it"
                )
            } else {
                format!(
                    "it was written by a newer feedsift (schema {version}, this one knows {known})"
                )
            };
            return Err(StoreError::new(what, Cause::Schema(why)));
        }
        Ok(store)
    }

    fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        configure(conn)?;
        // Space freed by retention is returned a little at a time (see `expire`); this only
        // takes effect on a new database, before its first table.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        // The writer gets a larger page cache (12 MB: index pages stay hot across polls; 32 MB
        // was no faster and cost 20 MB of peak memory). Checkpoints run in the background
        // (see `writer`); the writer checkpoints itself only if the WAL passes 64 MiB anyway,
        // and the WAL file is cut back to 64 MiB after each reset.
        conn.pragma_update(None, "cache_size", -12_000)?;
        conn.pragma_update(None, "wal_autocheckpoint", 16_000)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("opening a database reader")?;
        configure(&conn).context("configuring a database reader")?;
        Ok(conn)
    }

    /// Runs `f` on a reader connection.
    pub(crate) fn read<T>(
        &self,
        what: &str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let pooled = self.readers.lock().expect("reader pool").pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let out = f(&conn).context(what);
        let mut pool = self.readers.lock().expect("reader pool");
        if pool.len() < READER_POOL {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` on the writer, all or nothing, and returns once it is committed.
    fn write<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&mut writer::Tx<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        match &self.writer {
            Some(w) => w.write(what, f),
            None => Err(StoreError::new(what, Cause::ReadOnly)),
        }
    }

    /// Output versions per topic, raised by every commit that changes what a topic shows.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Bytes the database takes on disk: the file, its WAL and its shared-memory index.
    pub fn size_on_disk(&self) -> u64 {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                std::fs::metadata(p).ok()
            })
            .map(|m| m.len())
            .sum()
    }

    /// Whether the database answers (for `/healthz`).
    /// Whether the database answers, and its file is still there and writable (an open
    /// connection keeps working on a file deleted under it, while nothing it writes would be
    /// found again).
    pub fn ping(&self) -> Result<()> {
        let what = format!("checking the database {}", self.path.display());
        match std::fs::metadata(&self.path) {
            Err(e) => return Err(StoreError::new(what, e)),
            Ok(m) if self.writer.is_some() && m.permissions().readonly() => {
                return Err(StoreError::new(what, Cause::Unwritable));
            }
            Ok(_) => {}
        }
        self.read(&what, |c| c.query_row("SELECT 1", [], |_| Ok(())))
    }
}

#[cfg(test)]
mod tests;
