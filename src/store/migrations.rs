//! Ordered schema migrations. `PRAGMA user_version` holds how many have been applied; each runs
//! in its own transaction. Append new steps; never edit a released one.

use super::Cause;
use rusqlite::Connection;

pub const MIGRATIONS: &[&str] = &[
    // 1: feeds, stories, entries, topics, matches.
    r#"
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,           -- as configured
    moved_to TEXT,                      -- permanent redirect target, polled instead of url
    title TEXT,
    site_url TEXT,
    etag TEXT,
    last_modified TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    next_poll INTEGER,                  -- unix seconds
    last_poll INTEGER,
    last_success INTEGER,
    last_new_entry INTEGER,
    last_error TEXT,
    error_kind TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- One row per real-world story; entries of several feeds may point to it.
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL,                  -- public id, from the first entry
    canonical_url TEXT,
    first_entry_id INTEGER,             -- the entry shown for the story
    sort_time INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX stories_canonical_url ON stories(canonical_url);

CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,                  -- identity within the feed (see dedup)
    uid TEXT NOT NULL,                  -- stable public id (a hash of feed URL and key)
    story_id INTEGER NOT NULL REFERENCES stories(id),
    guid TEXT,
    link TEXT,
    canonical_url TEXT,
    title TEXT NOT NULL,
    summary_html TEXT,
    content_html TEXT,
    authors TEXT NOT NULL,              -- JSON array
    categories TEXT NOT NULL,           -- JSON array
    published INTEGER,
    updated INTEGER,
    first_seen INTEGER NOT NULL,
    sort_time INTEGER NOT NULL,         -- published (never later than first_seen), else first_seen
    changed_at INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    UNIQUE (feed_id, key)
);
CREATE INDEX entries_story ON entries(story_id);
CREATE INDEX entries_sort ON entries(sort_time);

-- The query fingerprint each topic's matches were computed with.
CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    match_hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE matches (
    topic TEXT NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    terms TEXT NOT NULL,                -- JSON array of matched terms
    sort_time INTEGER NOT NULL,
    matched_at INTEGER NOT NULL,
    PRIMARY KEY (topic, story_id)
) WITHOUT ROWID;
CREATE INDEX matches_page ON matches(topic, sort_time, story_id);
CREATE INDEX matches_story ON matches(story_id);
CREATE INDEX matches_entry ON matches(entry_id);
"#,
    // 2: what the scheduler learns about each feed.
    r#"
ALTER TABLE feeds ADD COLUMN avg_new_secs INTEGER;   -- moving average time between new entries
ALTER TABLE feeds ADD COLUMN ttl_secs INTEGER;       -- RSS <ttl>
ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;  -- bit n = hour n (UTC)
ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;   -- bit 0 = Monday
"#,
    // 3: retention needs to know which entries the feed still lists.
    r#"
ALTER TABLE feeds ADD COLUMN listed TEXT;   -- JSON array of the keys in the latest document
CREATE INDEX entries_first_seen ON entries(first_seen);
"#,
    // 4: entry HTML is stored as the feed gave it and sanitised when served; its relative links
    // need the base URL they were written against. Rows from before hold sanitised HTML with
    // absolute links, for which NULL (no base) is right.
    r#"
ALTER TABLE entries ADD COLUMN html_base TEXT;
"#,
    // 5: stories told in other words join by their wording (dedup::story). Only stories that a
    // topic matched are compared, so only entries that matched a topic keep a fingerprint.
    r#"
ALTER TABLE entries ADD COLUMN fingerprint BLOB;
"#,
    // 6: comparing a new entry's wording with a story's entries reads their fingerprints from a
    // covering index instead of the entries' rows, which hold the feed's HTML and span overflow
    // pages (this was most of the writer's time on a large first poll); and whether a story
    // already has an entry of a feed is answered from the index alone.
    r#"
CREATE INDEX entries_prints ON entries(story_id, sort_time, fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX entries_story_feed ON entries(story_id, feed_id);
DROP INDEX entries_story;
"#,
    // 7: stories are found by an integer key of their canonical URL (`dedup::url_key`, filled in
    // by `fill_url_keys`, see `data_step`) instead of an index on the URL text, which outgrew the page cache
    // and made each new entry's lookup a trip to disk.
    r#"
ALTER TABLE stories ADD COLUMN url_key INTEGER;
DROP INDEX stories_canonical_url;
CREATE INDEX stories_url_key ON stories(url_key);
"#,
    // 8: a story's entries are compared with a new one together with the feed each came from
    // (an outlet's own later article is a new development, not a late report: see
    // `dedup::story::LATE_HOURS`), still from the covering index alone.
    r#"
DROP INDEX entries_prints;
CREATE INDEX entries_prints ON entries(story_id, sort_time, feed_id, fingerprint) WHERE fingerprint IS NOT NULL;
"#,
];

/// The part of a migration that SQL alone cannot do, run after its SQL in the same
/// transaction: by migration number (1-based).
fn data_step(migration: usize) -> Option<fn(&Connection) -> rusqlite::Result<()>> {
    match migration {
        7 => Some(fill_url_keys),
        _ => None,
    }
}

/// Migration 7's data: the key of every story's canonical URL.
fn fill_url_keys(tx: &Connection) -> rusqlite::Result<()> {
    let stories: Vec<(i64, String)> = tx
        .prepare("SELECT id, canonical_url FROM stories WHERE canonical_url IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare("UPDATE stories SET url_key = ?2 WHERE id = ?1")?;
    for (id, url) in stories {
        update.execute(rusqlite::params![id, crate::dedup::url_key(&url)])?;
    }
    Ok(())
}

/// Applies every migration not yet applied. Refuses a database from a newer feedsift.
/// feedsift's SQLite application id (`PRAGMA application_id`; the bytes `fsft`), written into
/// every database it creates or migrates, so that another program's file is never mistaken
/// for one.
pub const APPLICATION_ID: i32 = 0x6673_6674;

/// Refuses, before anything is written, a file that is another program's database, a
/// damaged one (`PRAGMA quick_check`), or one that cannot be written.
pub fn check_before_writing(conn: &Connection) -> Result<(), Cause> {
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let table = |name: &str| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if app != 0 && app != APPLICATION_ID {
        return Err(Cause::Foreign(format!(
            "its SQLite application id is {app:#x}"
        )));
    }
    // Databases from before the application id: ours have a schema version and our tables.
    if app == 0 && tables > 0 && (version == 0 || !(table("feeds")? && table("entries")?)) {
        return Err(Cause::Foreign(format!(
            "it holds {tables} tables of another program"
        )));
    }
    let checked: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA quick_check(5)")
        .and_then(|mut q| q.query_map([], |r| r.get::<_, String>(0))?.collect());
    let problems = match checked {
        Ok(p) => p,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            vec![e.to_string()]
        }
        Err(e) => return Err(e.into()),
    };
    if problems != ["ok"] {
        return Err(Cause::Damaged(format!(
            "quick_check: {}",
            problems.join("; ")
        )));
    }
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return Err(Cause::Unwritable);
    }
    Ok(())
}

pub fn migrate(conn: &mut Connection) -> Result<(), Cause> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(Cause::Schema(format!(
            "the database has schema version {version}, newer than this feedsift knows ({known}); \
             upgrade feedsift or use another database"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .and_then(|_| data_step(i + 1).map_or(Ok(()), |step| step(&tx)))
            .and_then(|_| tx.pragma_update(None, "user_version", (i + 1) as i64))
            .and_then(|_| tx.commit())
            .map_err(|source| Cause::Migration {
                step: i + 1,
                source,
            })?;
    }
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}
