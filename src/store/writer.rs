//! The single writer: a thread that owns the write connection and applies jobs in order.
//!
//! Jobs that queue up while a commit is in progress are applied together in one transaction,
//! each inside its own savepoint (group commit): a job that fails is rolled back alone, the
//! others commit, and every caller learns its own result only after the commit. This keeps
//! "each poll is all or nothing" while one commit (WAL write) serves many polls when they
//! arrive faster than commits can be made.

use super::changes::{Changes, Touched};
use super::stories::PrintCache;
use super::{Cause, Result, StoreError};
use rusqlite::Connection;
use std::sync::{Arc, mpsc};

/// Most jobs applied in one transaction.
const MAX_BATCH: usize = 64;

/// What a job runs with: the write connection (inside the job's savepoint) and what the writer
/// keeps between jobs. Derefs to the connection.
pub(super) struct Tx<'a> {
    pub conn: &'a Connection,
    /// Story fingerprints the writer has read or written (see [`PrintCache`]); only jobs change
    /// it, and the writer empties it whenever a job or a commit is rolled back.
    pub prints: &'a mut PrintCache,
    /// What this job changed that output feeds show; raised in [`Changes`] once committed.
    pub touched: &'a mut Touched,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// Called after the transaction ends, with the error if the transaction could not be started
/// or committed.
type Finish = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
/// Runs inside a savepoint (or is told why it cannot run); says whether it succeeded and how to
/// report back.
type Job =
    Box<dyn FnOnce(std::result::Result<&mut Tx<'_>, &rusqlite::Error>) -> (bool, Finish) + Send>;

/// A copy of `e` for each of the callers that share one failed transaction (rusqlite's error
/// is not `Clone`; what SQLite said is kept, code and message).
fn shared(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

/// Handle to the writer thread; dropping it lets the thread finish its queue and exit.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Stops the checkpointer when dropped.
    stop_checkpoints: Option<mpsc::Sender<()>>,
    checkpointer: Option<std::thread::JoinHandle<()>>,
}

/// How often the background checkpointer copies the WAL back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

impl Writer {
    /// Starts the writer on `conn`, and a checkpointer on `checkpoints`: copying the WAL into
    /// the database (a PASSIVE checkpoint, which never blocks the writer) happens on its own
    /// thread, so the writer's commits stay short.
    pub(super) fn start(
        conn: Connection,
        checkpoints: Connection,
        changes: Arc<Changes>,
    ) -> std::io::Result<Writer> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("feedsift-writer".into())
            .spawn(move || run(conn, rx, &changes))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let checkpointer = std::thread::Builder::new()
            .name("feedsift-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    if let Err(e) =
                        checkpoints.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "background checkpoint failed");
                    }
                }
            })?;
        Ok(Writer {
            jobs,
            thread: Some(thread),
            stop_checkpoints: Some(stop),
            checkpointer: Some(checkpointer),
        })
    }

    /// Runs `f` in the writer's transaction and waits until it is committed.
    pub(super) fn write<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Tx<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = mpsc::sync_channel::<Result<T>>(1);
        let context = what.to_string();
        let job: Job = Box::new(move |tx| match tx.map_err(shared).and_then(f) {
            Ok(value) => (
                true,
                Box::new(move |failed: Option<&rusqlite::Error>| {
                    let _ = reply.send(match failed {
                        None => Ok(value),
                        Some(e) => Err(StoreError::new(context, shared(e))),
                    });
                }),
            ),
            Err(e) => (
                false,
                Box::new(move |_| {
                    let _ = reply.send(Err(StoreError::new(context, e)));
                }),
            ),
        });
        let gone = || StoreError::new(what, Cause::WriterStopped);
        self.jobs.send(job).map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread once the queue is drained.
        let (closed, _) = mpsc::channel();
        self.jobs = closed;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.stop_checkpoints.take();
        if let Some(t) = self.checkpointer.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Job>, changes: &Changes) {
    let mut prints = PrintCache::default();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::error!(error = %e, "database write failed: cannot start a transaction");
            for job in batch {
                let (_, finish) = job(Err(&e));
                finish(Some(&e));
            }
            continue;
        }
        let mut finishers = Vec::with_capacity(batch.len());
        let mut committed = Touched::default();
        for job in batch {
            if let Err(e) = conn.execute_batch("SAVEPOINT job") {
                finishers.push(job(Err(&e)).1);
                continue;
            }
            let mut touched = Touched::default();
            let mut tx = Tx {
                conn: &conn,
                prints: &mut prints,
                touched: &mut touched,
            };
            let (ok, finish) = job(Ok(&mut tx));
            let end = if ok {
                if let Err(e) = touched.resolve(&conn) {
                    tracing::warn!(error = %e, "cannot tell which topics a write changed");
                    touched.everything();
                }
                committed.absorb(touched);
                "RELEASE job"
            } else {
                // What the job cached of the rows it wrote is gone with them.
                prints.clear();
                "ROLLBACK TO job; RELEASE job"
            };
            if let Err(e) = conn.execute_batch(end) {
                tracing::error!(error = %e, "cannot end a savepoint");
            }
            finishers.push(finish);
        }
        let commit_error = conn.execute_batch("COMMIT").err();
        if commit_error.is_some() {
            let _ = conn.execute_batch("ROLLBACK");
            prints.clear();
        } else {
            changes.commit(&committed);
        }
        for finish in finishers {
            finish(commit_error.as_ref());
        }
    }
}
