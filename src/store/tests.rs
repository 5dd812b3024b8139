use super::*;
use crate::dedup;
use crate::model::{Entry, FeedState};
use crate::topic::TopicHit;
use chrono::{DateTime, TimeZone, Utc};

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 13, h, 0, 0).unwrap()
}

fn new_entry(
    feed: &str,
    guid: &str,
    link: &str,
    title: &str,
    published: DateTime<Utc>,
    topic: Option<&str>,
) -> NewEntry {
    let entry = Entry {
        guid: Some(guid.into()),
        link: Some(link.into()),
        title: title.into(),
        text: title.into(),
        published: Some(published),
        ..Default::default()
    };
    let key = format!("g:{guid}");
    NewEntry {
        known: false,
        uid: dedup::entry_uid(feed, &key),
        key,
        canonical_url: dedup::canonical_url(link),
        content_hash: dedup::content_hash(&entry),
        entry,
        topics: topic
            .map(|t| {
                vec![TopicHit {
                    topic: t.into(),
                    terms: vec!["title:kim".into()],
                }]
            })
            .unwrap_or_default(),
        fingerprint: topic.map(|_| dedup::story::fingerprint(title, title)),
    }
}

/// A fresh store (in a temporary folder, kept alive by the first value) with one feed
/// `https://{name}.example/rss` for each name: their URLs and states, in order.
fn store_with_feeds(names: &[&str]) -> (tempfile::TempDir, Store, Vec<String>, Vec<FeedState>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("feedsift.db")).unwrap();
    let urls: Vec<String> = names
        .iter()
        .map(|f| format!("https://{f}.example/rss"))
        .collect();
    let feeds = store.ensure_feeds(&urls, at(0)).unwrap();
    (dir, store, urls, feeds)
}

#[test]
fn polls_are_stored_once_and_stories_group_by_canonical_url() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sub/feedsift.db")).unwrap();
    let urls = vec![
        "https://a.example/rss".to_string(),
        "https://b.example/rss".to_string(),
    ];
    let feeds = store.ensure_feeds(&urls, at(0)).unwrap();
    let (a, b) = (feeds[0].clone(), feeds[1].clone());

    let first = PollWrite {
        state: a.clone(),
        entries: vec![
            new_entry(
                &a.url,
                "1",
                "https://news.example/kim?utm_source=a",
                "Kim meets Shoigu",
                at(9),
                Some("kr"),
            ),
            new_entry(
                &a.url,
                "2",
                "https://news.example/other",
                "Weather",
                at(10),
                None,
            ),
        ],
        listed: None,
        now: at(12),
    };
    let stats = store.apply_poll(first.clone()).unwrap();
    assert_eq!(
        stats,
        WriteStats {
            new_entries: 2,
            updated_entries: 0,
            new_matches: 1,
            ..WriteStats::default()
        }
    );
    // The same write again (the poll now knows the keys) changes nothing.
    let mut first = first;
    first.entries.iter_mut().for_each(|e| e.known = true);
    let again = store.apply_poll(first.clone()).unwrap();
    assert_eq!(again, WriteStats::default());

    // Another feed carries the same page under a tracking link, earlier.
    let second = PollWrite {
        state: b.clone(),
        entries: vec![new_entry(
            &b.url,
            "x",
            "https://www.news.example/kim?fbclid=1",
            "Kim, Shoigu meet",
            at(8),
            Some("kr"),
        )],
        listed: None,
        now: at(12),
    };
    assert_eq!(store.apply_poll(second).unwrap().new_entries, 1);
    let page = store.topic_page(&["kr".to_string()], 10, None).unwrap();
    assert_eq!(page.len(), 1, "one story");
    assert_eq!(
        page[0].title, "Kim, Shoigu meet",
        "shown through its earliest entry"
    );
    assert_eq!(page[0].also.len(), 1);
    assert_eq!(page[0].also[0].feed_url, "https://a.example/rss");
    assert_eq!(store.counts().unwrap(), (3, 2));
}

#[test]
fn pages_follow_the_cursor_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("feedsift.db")).unwrap();
    let feed = store
        .ensure_feeds(&["https://a.example/rss".to_string()], at(0))
        .unwrap()
        .remove(0);
    let entries = (0..5)
        .map(|i| {
            new_entry(
                &feed.url,
                &i.to_string(),
                &format!("https://a.example/{i}"),
                "Kim",
                at(i),
                Some("kr"),
            )
        })
        .collect();
    store
        .apply_poll(PollWrite {
            state: feed,
            entries,
            listed: None,
            now: at(12),
        })
        .unwrap();
    let topics = ["kr".to_string()];
    let p1 = store.topic_page(&topics, 2, None).unwrap();
    assert_eq!(
        p1.iter().map(|s| s.sort_time).collect::<Vec<_>>(),
        [at(4), at(3)]
    );
    let last = p1.last().unwrap();
    let p2 = store
        .topic_page(
            &topics,
            2,
            Some((last.sort_time.timestamp(), last.story_id)),
        )
        .unwrap();
    assert_eq!(
        p2.iter().map(|s| s.sort_time).collect::<Vec<_>>(),
        [at(2), at(1)]
    );
}

#[test]
fn reopening_keeps_data_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    {
        let store = Store::open(&path).unwrap();
        store
            .ensure_feeds(&["https://a.example/rss".to_string()], at(0))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.feed_states().unwrap().len(), 1);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer than this feedsift knows"), "{err}");
}

/// The bytes of the database file, to prove a refused file was not changed.
fn bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn another_programs_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'x');")
        .unwrap();
    drop(conn);
    let before = bytes(&path);
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("not a feedsift database (it holds 1 tables of another program)"),
        "{err}"
    );
    assert_eq!(bytes(&path), before);

    let path = dir.path().join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", 0x1234).unwrap();
    conn.execute_batch("CREATE TABLE feeds (x); CREATE TABLE entries (y);")
        .unwrap();
    drop(conn);
    let before = bytes(&path);
    for err in [
        Store::open(&path).unwrap_err().to_string(),
        Store::open_read_only(&path).unwrap_err().to_string(),
    ] {
        assert!(err.contains("its SQLite application id is 0x1234"), "{err}");
    }
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_damaged_database_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    {
        let store = Store::open(&path).unwrap();
        let urls: Vec<String> = (0..400)
            .map(|i| format!("https://f{i}.example/rss"))
            .collect();
        store.ensure_feeds(&urls, at(0)).unwrap();
    }
    // Checkpointed and closed: the file alone holds everything. Garble pages past the first.
    let mut data = bytes(&path);
    let page = 4096;
    assert!(data.len() > 6 * page, "{}", data.len());
    for b in &mut data[3 * page..5 * page] {
        *b = 0xA5;
    }
    std::fs::write(&path, &data).unwrap();
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("the database is damaged (quick_check: "),
        "{err}"
    );
    assert!(err.contains("restore it from a backup"), "{err}");
    assert_eq!(bytes(&path), data, "the damaged file was written to");
}

#[test]
fn databases_get_feedsifts_application_id_and_older_ones_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    drop(Store::open(&path).unwrap());
    let app = |p: &std::path::Path| -> i32 {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(app(&path), migrations::APPLICATION_ID);
    // A database written before the application id existed.
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    drop(Store::open(&path).unwrap());
    assert_eq!(app(&path), migrations::APPLICATION_ID);
}

#[test]
fn backfilled_matches_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("feedsift.db")).unwrap();
    let feed = store
        .ensure_feeds(&["https://a.example/rss".to_string()], at(0))
        .unwrap()
        .remove(0);
    let entries = (0..3)
        .map(|i| {
            new_entry(
                &feed.url,
                &i.to_string(),
                &format!("https://a.example/{i}"),
                "Kim",
                at(i),
                None,
            )
        })
        .collect();
    store
        .apply_poll(PollWrite {
            state: feed,
            entries,
            listed: None,
            now: at(12),
        })
        .unwrap();
    // A page read before the backfill must not pin a stale snapshot.
    assert!(
        store
            .topic_page(&["new".to_string()], 10, None)
            .unwrap()
            .is_empty()
    );
    let mut found = Vec::new();
    store
        .scan_entries(None, |row| {
            found.push(TopicMatch {
                story_id: row.story_id,
                entry_id: row.id,
                terms: vec![],
                sort_time: row.sort_time,
            });
            true
        })
        .unwrap();
    assert_eq!(
        store
            .replace_topic_matches("new", "h1", &found, at(13))
            .unwrap(),
        3
    );
    let page = store.topic_page(&["new".to_string()], 10, None).unwrap();
    assert_eq!(page.len(), 3);
    assert_eq!(store.topic_hashes().unwrap()["new"], "h1");
}

#[test]
fn a_failing_write_rolls_back_alone_even_when_batched_with_others() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open(&dir.path().join("feedsift.db")).unwrap());
    let handles: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                store.write("test write", move |c| {
                    c.execute(
                        "INSERT INTO feeds (url, created_at) VALUES (?1, 0)",
                        [format!("https://f{i}.example/")],
                    )?;
                    if i % 2 == 1 {
                        // Fails after writing: its row must not survive.
                        c.execute("INSERT INTO no_such_table VALUES (1)", [])?;
                    }
                    Ok(i)
                })
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let r = h.join().unwrap();
        assert_eq!(r.is_ok(), i % 2 == 0, "{r:?}");
    }
    let urls: Vec<String> = store
        .feed_states()
        .unwrap()
        .into_iter()
        .map(|f| f.url)
        .collect();
    assert_eq!(urls.len(), 12);
    assert!(urls.iter().all(|u| {
        let n: usize = u
            .trim_start_matches("https://f")
            .trim_end_matches(".example/")
            .parse()
            .unwrap();
        n.is_multiple_of(2)
    }));
}

#[test]
fn retention_keeps_matched_listed_and_recent_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    let store = Store::open(&path).unwrap();
    let feed = store
        .ensure_feeds(&["https://a.example/rss".to_string()], at(0))
        .unwrap()
        .remove(0);
    let e = |guid: &str, topic: Option<&str>| {
        new_entry(
            &feed.url,
            guid,
            &format!("https://a.example/{guid}"),
            guid,
            at(1),
            topic,
        )
    };
    // Seen at 12:00: an unmatched entry, a matched one, and one the feed still lists.
    store
        .apply_poll(PollWrite {
            state: feed.clone(),
            entries: vec![e("old", None), e("matched", Some("kr")), e("listed", None)],
            listed: Some(vec!["g:listed".into()]),
            now: at(12),
        })
        .unwrap();
    // Seen at 20:00: a recent unmatched entry.
    store
        .apply_poll(PollWrite {
            state: feed.clone(),
            entries: vec![e("recent", None)],
            listed: Some(vec!["g:listed".into(), "g:recent".into()]),
            now: at(20),
        })
        .unwrap();
    assert_eq!(
        store.expire(at(13)).unwrap(),
        1,
        "only the old, unmatched, unlisted entry goes"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut keys: Vec<String> = conn
        .prepare("SELECT key FROM entries ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, ["g:listed", "g:matched", "g:recent"]);
    let stories: i64 = conn
        .query_row("SELECT COUNT(*) FROM stories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stories, 3, "the deleted entry's story went with it");
    assert_eq!(
        store
            .topic_page(&["kr".to_string()], 10, None)
            .unwrap()
            .len(),
        1
    );
    // Nothing left to expire: a second run deletes nothing.
    assert_eq!(store.expire(at(13)).unwrap(), 0);
}

/// An entry of `feed` about the Vladivostok summit (or not), with its lede as text.
fn summit(feed: &str, guid: &str, link: &str, title: &str, lede: &str, hour: u32) -> NewEntry {
    let mut n = new_entry(feed, guid, link, title, at(hour), Some("kr"));
    n.entry.text = lede.into();
    n.fingerprint = Some(dedup::story::fingerprint(title, lede));
    n
}

#[test]
fn stories_told_in_other_words_join_whatever_order_they_arrive_in() {
    let lede_a = "North Korean leader Kim Jong Un arrived in Russia's Far East on Tuesday by armoured train ahead of a summit with President Vladimir Putin, Russian state media reported.";
    let lede_b = "Kim Jong Un's armoured train crossed into Russia and arrived in Vladivostok on Tuesday ahead of his summit with President Vladimir Putin, Russian state media reported.";
    let title_a = "Kim Jong Un arrives in Russia for Putin summit";
    let orders: [[usize; 3]; 3] = [[0, 1, 2], [2, 1, 0], [1, 2, 0]];
    for order in orders {
        let (_dir, store, _, feeds) = store_with_feeds(&["a", "b", "d"]);
        let entries = [
            summit(
                &feeds[0].url,
                "a1",
                "https://a.example/kim-summit",
                title_a,
                lede_a,
                2,
            ),
            summit(
                &feeds[1].url,
                "b1",
                "https://b.example/vladivostok",
                "North Korea's Kim reaches Vladivostok by armoured train",
                lede_b,
                3,
            ),
            // A Google Alert: the same page as a1 behind a redirect, with a cut-off lede.
            summit(
                &feeds[2].url,
                "d1",
                "https://www.google.com/url?url=https://a.example/kim-summit&ct=ga",
                title_a,
                "North Korean leader Kim Jong Un arrived in Russia's Far East ...",
                4,
            ),
        ];
        for i in order {
            let write = PollWrite {
                state: feeds[i].clone(),
                entries: vec![entries[i].clone()],
                listed: None,
                now: at(12),
            };
            store.apply_poll(write).unwrap();
        }
        let page = store.topic_page(&["kr".to_string()], 10, None).unwrap();
        assert_eq!(page.len(), 1, "order {order:?}: {page:#?}");
        assert_eq!(page[0].title, title_a, "shown through the earliest entry");
        assert_eq!(page[0].also.len(), 2, "order {order:?}");
        // Settled in the order of publication, the story is the one it already is.
        assert_eq!(
            store.settle_stories(at(0)).unwrap(),
            (0, 0),
            "order {order:?}"
        );
        let settled = store.topic_page(&["kr".to_string()], 10, None).unwrap();
        assert_eq!(settled.len(), 1, "order {order:?}: {settled:#?}");
        assert_eq!(settled[0].also.len(), 2, "order {order:?}");
    }
}

#[test]
fn stories_written_before_link_keys_still_gather_their_link_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    let urls = vec![
        "https://a.example/rss".to_string(),
        "https://b.example/rss".to_string(),
    ];
    let link = "https://news.example/2024/kim-shoigu?utm_source=rss";
    {
        let store = Store::open(&path).unwrap();
        let feeds = store.ensure_feeds(&urls, at(0)).unwrap();
        store
            .apply_poll(PollWrite {
                state: feeds[0].clone(),
                entries: vec![new_entry(
                    &urls[0],
                    "a1",
                    link,
                    "Kim meets Shoigu",
                    at(1),
                    None,
                )],
                listed: None,
                now: at(2),
            })
            .unwrap();
    }
    // The database as migration 6 left it: stories indexed by their link's text, no key.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX stories_url_key; ALTER TABLE stories DROP COLUMN url_key;
         CREATE INDEX stories_canonical_url ON stories(canonical_url); PRAGMA user_version = 6;",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let feeds = store.feed_states().unwrap();
    let b = feeds.iter().find(|f| f.url == urls[1]).unwrap().clone();
    let same_link = new_entry(
        &urls[1],
        "b1",
        "https://news.example/2024/kim-shoigu",
        "Kim, Shoigu meet",
        at(3),
        None,
    );
    assert_eq!(
        store
            .apply_poll(PollWrite {
                state: b,
                entries: vec![same_link],
                listed: None,
                now: at(4),
            })
            .unwrap()
            .new_entries,
        1
    );
    assert_eq!(store.counts().unwrap(), (2, 1), "two entries, one story");
}

#[test]
fn a_rolled_back_poll_leaves_no_trace_in_the_story_search() {
    // X and Y are told in the same words, Y and Z too, X and Z not (see dedup::story).
    let words = |from: usize, to: usize| {
        [
            "kappa", "lambda", "omicron", "sigma", "upsilon", "epsilon", "theta", "zeta", "iota",
            "gamma", "delta", "omega", "alpha", "bravo", "charlie", "echo",
        ][from..to]
            .join(" ")
    };
    let (x, y, z) = (words(0, 8), words(0, 10), words(6, 12));
    let (fx, fy, fz) = (
        dedup::story::fingerprint(&x, &x),
        dedup::story::fingerprint(&y, &y),
        dedup::story::fingerprint(&z, &z),
    );
    let joins = |a: &dedup::story::Fingerprint, b: &dedup::story::Fingerprint| {
        let g = dedup::story::group(&[(a.clone(), 0), (b.clone(), 1)]);
        g[0] == g[1]
    };
    assert!(joins(&fx, &fy) && joins(&fy, &fz));
    assert!(!joins(&fx, &fz));

    let (_dir, store, urls, feeds) = store_with_feeds(&["a", "b", "c"]);
    let poll = |feed: usize, entries: Vec<NewEntry>| PollWrite {
        state: feeds[feed].clone(),
        entries,
        listed: None,
        now: at(4),
    };
    let entry = |feed: usize, guid: &str, title: &str| {
        let link = format!("https://{guid}.example/story");
        new_entry(&urls[feed], guid, &link, title, at(2), Some("t"))
    };
    store.apply_poll(poll(0, vec![entry(0, "x", &x)])).unwrap();
    // Y joins X's story, then the poll fails (two entries under one key) and is rolled back.
    let failed = store.apply_poll(poll(1, vec![entry(1, "y", &y), entry(1, "y", &y)]));
    assert!(failed.is_err());
    assert_eq!(store.counts().unwrap(), (1, 1));
    // Z resembles only the entry that was rolled back: it is a story of its own.
    store.apply_poll(poll(2, vec![entry(2, "z", &z)])).unwrap();
    assert_eq!(store.counts().unwrap(), (2, 2));
}

#[test]
fn one_process_writes_a_database_and_readers_open_beside_it_without_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedsift.db");
    let missing = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(missing.cause, Cause::Missing), "{missing}");
    assert!(!path.exists(), "a read-only open created the database");

    let writer = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap_err();
    assert!(
        second
            .to_string()
            .contains(&format!("pid {}", std::process::id())),
        "{second}"
    );
    let reader = Store::open_read_only(&path).unwrap();
    reader.ping().unwrap();
    assert!(matches!(
        reader.save_feed_state(&crate::model::FeedState::new(crate::model::FeedId(1), "x")),
        Err(StoreError {
            cause: Cause::ReadOnly,
            ..
        })
    ));
    drop(writer);
    Store::open(&path).expect("the lock is released when the writer closes");
}

#[test]
fn a_story_names_each_other_outlet_once() {
    let (_dir, store, urls, feeds) = store_with_feeds(&["a", "b"]);
    let write = |feed: usize, entries: Vec<NewEntry>| {
        store
            .apply_poll(PollWrite {
                state: feeds[feed].clone(),
                entries,
                listed: None,
                now: at(12),
            })
            .unwrap();
    };
    // Outlet a carries the story first; outlet b twice (the page and its tracking-link repost);
    // a's own second copy must not be listed as another outlet either.
    write(
        0,
        vec![
            new_entry(
                &urls[0],
                "1",
                "https://news.example/kim",
                "Kim meets Shoigu",
                at(8),
                Some("kr"),
            ),
            new_entry(
                &urls[0],
                "2",
                "https://news.example/kim?utm_source=rss",
                "Kim meets Shoigu",
                at(9),
                Some("kr"),
            ),
        ],
    );
    write(
        1,
        vec![
            new_entry(
                &urls[1],
                "x",
                "https://www.news.example/kim",
                "Kim, Shoigu meet",
                at(10),
                Some("kr"),
            ),
            new_entry(
                &urls[1],
                "y",
                "https://news.example/kim?fbclid=2",
                "Kim, Shoigu meet",
                at(11),
                Some("kr"),
            ),
        ],
    );
    let page = store.topic_page(&["kr".to_string()], 10, None).unwrap();
    assert_eq!(page.len(), 1, "one story");
    let also: Vec<&str> = page[0].also.iter().map(|a| a.feed_url.as_str()).collect();
    assert_eq!(also, vec![urls[1].as_str()]);
}
