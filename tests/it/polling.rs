//! Polite, fault-tolerant polling: HTTP semantics, limits, and one failure affecting one feed.

use crate::helpers::*;
use chrono::Utc;
use feedsift::model::{ErrorKind, FeedStatus};
use std::io::Write;
use std::time::Duration;

fn doc(title: &str) -> String {
    rss(
        title,
        &[("1", "Kim meets Shoigu", "https://wire.example/1", "")],
    )
}

fn gzip_bomb(size: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..(size >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

fn redirect(server: &FeedServer, from: &str, status: u16, to: &str) {
    server.set_status(from, status, &[("Location", to)]);
}

#[tokio::test]
async fn each_http_case_is_stored_on_its_feed_and_affects_no_other() {
    let server = FeedServer::start().await;
    server.set("/ok.xml", "application/rss+xml", doc("ok"));
    redirect(&server, "/moved", 301, "/moved-target.xml");
    server.set("/moved-target.xml", "application/rss+xml", doc("moved"));
    redirect(&server, "/temp", 302, "/temp-target.xml");
    server.set("/temp-target.xml", "application/rss+xml", doc("temp"));
    server.set_status("/gone", 410, &[]);
    server.set_status("/ratelimited", 429, &[("Retry-After", "3600")]);
    let in_two_hours = httpdate::fmt_http_date((Utc::now() + chrono::Duration::hours(2)).into());
    server.set_status("/unavailable", 503, &[("Retry-After", &in_two_hours)]);
    server.set_status("/notfound", 404, &[]);
    redirect(&server, "/loop-a", 302, "/loop-b");
    redirect(&server, "/loop-b", 302, "/loop-a");
    for i in 0..7 {
        redirect(&server, &format!("/hop{i}"), 302, &format!("/hop{}", i + 1));
    }
    redirect(&server, "/to-ftp", 302, "ftp://example.com/feed.xml");
    let huge = rss(
        "huge",
        &[("1", "big", "https://x.example/1", &"x".repeat(200_000))],
    );
    server.set("/huge.xml", "application/rss+xml", huge);
    server.set_reply(
        "/bomb.xml",
        Reply::Raw {
            body: gzip_bomb(16 << 20),
            headers: vec![
                ("Content-Type".into(), "application/rss+xml".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
        },
    );
    server.set_reply(
        "/drip.xml",
        Reply::Drip {
            every: Duration::from_millis(100),
        },
    );

    let paths = [
        "/ok.xml",
        "/moved",
        "/temp",
        "/gone",
        "/ratelimited",
        "/unavailable",
        "/notfound",
        "/loop-a",
        "/hop0",
        "/to-ftp",
        "/huge.xml",
        "/bomb.xml",
        "/drip.xml",
    ];
    let mut toml = String::from(
        "[daemon]\nmin_interval = \"1s\"\npoll_interval = \"10m\"\ntimeout = \"2s\"\nmax_body = \"64KiB\"\nper_host = 16\n",
    );
    for p in paths {
        toml.push_str(&format!("[[feed]]\nurl = \"{}\"\n", server.url(p)));
    }
    let cfg = TestConfig::new(&toml);
    let started = Utc::now();
    let (store, outcomes) = poll_once(&cfg).await;
    assert_eq!(outcomes.len(), paths.len());
    let st = |p: &str| state_of(&store, &server.url(p));

    let ok = st("/ok.xml");
    assert_eq!((ok.status, ok.entries), (FeedStatus::Ok, 1));

    let moved = st("/moved");
    assert_eq!(moved.status, FeedStatus::Moved);
    assert_eq!(
        moved.moved_to.as_deref(),
        Some(server.url("/moved-target.xml").as_str())
    );
    assert_eq!(moved.entries, 1);
    let temp = st("/temp");
    assert_eq!(
        (temp.status, temp.moved_to.as_deref()),
        (FeedStatus::Ok, None)
    );

    let gone = st("/gone");
    assert_eq!((gone.status, gone.next_poll), (FeedStatus::Gone, None));

    let limited = st("/ratelimited");
    assert_eq!(limited.error_kind, Some(ErrorKind::RateLimited));
    assert!(
        limited.next_poll.unwrap() >= started + chrono::Duration::seconds(3590),
        "{limited:?}"
    );
    let unavailable = st("/unavailable");
    assert_eq!(unavailable.error_kind, Some(ErrorKind::Http5xx));
    assert!(
        unavailable.next_poll.unwrap() >= started + chrono::Duration::seconds(7190),
        "{unavailable:?}"
    );

    let nf = st("/notfound");
    assert_eq!(
        (nf.status, nf.error_kind, nf.consecutive_failures),
        (FeedStatus::Failing, Some(ErrorKind::Http4xx), 1)
    );
    assert!(nf.next_poll.unwrap() > started);

    let looped = st("/loop-a");
    assert_eq!(looped.error_kind, Some(ErrorKind::Redirects));
    assert!(looped.last_error.unwrap().contains("redirect loop"));
    let hops = st("/hop0");
    assert_eq!(hops.error_kind, Some(ErrorKind::Redirects));
    assert!(hops.last_error.unwrap().contains("more than 5 redirects"));
    assert_eq!(st("/to-ftp").error_kind, Some(ErrorKind::Refused));

    assert_eq!(st("/huge.xml").error_kind, Some(ErrorKind::TooLarge));
    let bomb = st("/bomb.xml");
    assert_eq!(bomb.error_kind, Some(ErrorKind::TooLarge), "{bomb:?}");
    assert_eq!(st("/drip.xml").error_kind, Some(ErrorKind::Timeout));

    // A second poll: permanent moves go straight to the new URL, temporary ones do not, and
    // the gone feed is not polled unless asked. (The first store is closed first: one process
    // writes a database at a time.)
    drop(store);
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(server.hits("/moved").0, 1);
    assert_eq!(server.hits("/moved-target.xml").0, 2);
    assert_eq!(server.hits("/temp").0, 2);
    assert_eq!(
        state_of(&store, &server.url("/notfound")).consecutive_failures,
        2
    );
    assert_eq!(
        server.hits("/ok.xml"),
        (2, 1),
        "the good feed answered 304 the second time"
    );
}

#[tokio::test]
async fn a_failing_feed_recovers_by_itself() {
    let server = FeedServer::start().await;
    server.set_status("/flaky.xml", 500, &[]);
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n",
        server.url("/flaky.xml")
    ));
    let (store, _) = poll_once(&cfg).await;
    let s = state_of(&store, &server.url("/flaky.xml"));
    assert_eq!((s.status, s.consecutive_failures), (FeedStatus::Failing, 1));
    drop(store);
    server.set("/flaky.xml", "application/rss+xml", doc("back"));
    let (store, _) = poll_once(&cfg).await;
    let s = state_of(&store, &server.url("/flaky.xml"));
    assert_eq!(
        (s.status, s.consecutive_failures, s.error_kind),
        (FeedStatus::Ok, 0, None)
    );
    assert_eq!(s.entries, 1);
}

#[tokio::test]
async fn per_host_limit_is_honoured_and_other_hosts_go_on() {
    let server = FeedServer::start().await;
    let body = doc("slow").into_bytes();
    let mut toml = String::from("[daemon]\nper_host = 2\nconcurrency = 32\n");
    for i in 0..6 {
        let path = format!("/slow{i}.xml");
        server.set_reply(
            &path,
            Reply::Slow {
                body: body.clone(),
                delay: Duration::from_millis(300),
            },
        );
        toml.push_str(&format!("[[feed]]\nurl = \"{}\"\n", server.url(&path)));
    }
    // The same server under another host name is another host.
    server.set("/other.xml", "application/rss+xml", doc("other"));
    let other = format!("http://localhost:{}/other.xml", server.addr.port());
    toml.push_str(&format!("[[feed]]\nurl = \"{other}\"\n"));
    let cfg = TestConfig::new(&toml);
    let (store, outcomes) = poll_once(&cfg).await;
    assert_eq!(outcomes.len(), 7);
    assert!(outcomes.iter().all(|o| !o.is_failure()), "{outcomes:?}");
    assert_eq!(
        server.max_in_flight(),
        2,
        "never more than per_host requests to one host"
    );
    assert_eq!(state_of(&store, &other).status, FeedStatus::Ok);
}

#[tokio::test]
async fn a_restart_resumes_the_schedule_instead_of_polling_everything() {
    let server = FeedServer::start().await;
    server.set("/old.xml", "application/rss+xml", doc("old"));
    server.set("/new.xml", "application/rss+xml", doc("new"));
    let head = "[daemon]\nmin_interval = \"1s\"\npoll_interval = \"1h\"\n";
    let old = format!("[[feed]]\nurl = \"{}\"\n", server.url("/old.xml"));
    let cfg = TestConfig::new(&format!("{head}{old}"));
    let (store, _) = poll_once(&cfg).await;
    drop(store);
    assert_eq!(server.hits("/old.xml").0, 1);

    // Restart with one feed added: the new one is polled at once, the old one waits its hour.
    cfg.write(&format!(
        "{head}{old}[[feed]]\nurl = \"{}\"\n",
        server.url("/new.xml")
    ));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the new feed's first poll", || async {
        server.hits("/new.xml").0 >= 1
    })
    .await;
    daemon.stop().await;
    assert_eq!(server.hits("/old.xml").0, 1, "the old feed was not due");
}

#[tokio::test]
async fn a_feed_that_breaks_keeps_what_it_stored() {
    let server = FeedServer::start().await;
    server.set("/wire.xml", "application/rss+xml", doc("wire"));
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n[[topic]]\nid = \"kr\"\nquery = \"kim shoigu\"\n",
        server.url("/wire.xml")
    ));
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(store.topic_page(&["kr".into()], 10, None).unwrap().len(), 1);
    drop(store);
    // The server now sends an HTML error page, then a truncated document.
    for broken in [
        "<html><body>502 Bad Gateway</body></html>",
        "<rss version=\"2.0\"><channel><item><title>Ki",
    ] {
        server.set("/wire.xml", "text/html", broken);
        let (store, outcomes) = poll_once(&cfg).await;
        assert!(outcomes[0].is_failure());
        let s = state_of(&store, &server.url("/wire.xml"));
        assert_eq!(s.error_kind, Some(ErrorKind::Parse), "{s:?}");
        assert_eq!(s.entries, 1, "the stored entry is kept");
        assert_eq!(
            store.topic_page(&["kr".into()], 10, None).unwrap().len(),
            1,
            "and still served"
        );
    }
}

/// When our own database fails while storing a poll, the feed is recorded as failing with the
/// kind `store` (not blamed on the server), and what was stored before stays.
#[tokio::test]
async fn a_database_failure_during_a_poll_is_a_store_error_on_the_feed() {
    let server = FeedServer::start().await;
    server.set("/wire.xml", "application/rss+xml", doc("first"));
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n",
        server.url("/wire.xml")
    ));
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(store.counts().unwrap().0, 1);
    drop(store);
    // Every new entry is now refused by the database itself.
    let db = cfg.load().daemon.database;
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON entries
             BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END;",
        )
        .unwrap();
    let two = rss(
        "wire",
        &[
            ("1", "Kim meets Shoigu", "https://wire.example/1", ""),
            ("2", "Shoigu leaves Pyongyang", "https://wire.example/2", ""),
        ],
    );
    server.set("/wire.xml", "application/rss+xml", two);
    let (store, outcomes) = poll_once(&cfg).await;
    match &outcomes[0].result {
        feedsift::poll::PollResult::Failed { kind, message } => {
            assert_eq!(*kind, ErrorKind::Store);
            assert!(message.contains("the disk is on fire"), "{message}");
        }
        other => panic!("expected a store failure, got {other:?}"),
    }
    let s = state_of(&store, &server.url("/wire.xml"));
    assert_eq!(
        (s.status, s.error_kind, s.consecutive_failures),
        (FeedStatus::Failing, Some(ErrorKind::Store), 1)
    );
    assert!(s.next_poll.is_some(), "retried later");
    assert_eq!(store.counts().unwrap().0, 1, "the stored entry is kept");
}
