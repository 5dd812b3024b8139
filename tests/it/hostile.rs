//! Feeds and clients that mean harm, or are broken in ways that hurt: what they send stays
//! theirs (the outputs stay valid, nothing is stored twice, nothing hangs).

use crate::helpers::*;

fn topic_config(server: &FeedServer, path: &str) -> TestConfig {
    TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n[[feed]]\nurl = \"{}\"\n[[topic]]\nid = \"kr\"\nquery = \"shoigu\"\n",
        server.url(path)
    ))
}

#[tokio::test]
async fn characters_xml_forbids_in_a_feed_never_reach_the_outputs() {
    let server = FeedServer::start().await;
    // Raw ESC and VT, U+FFFE, and ESC again as an escaped tag's text.
    server.set(
        "/ctl.xml",
        "application/rss+xml",
        rss(
            "Ctl",
            &[(
                "1",
                "Kim meets \u{1b}Shoigu",
                "https://a.example/1",
                "Russia\u{1b}[31m and \u{0b}Korea \u{fffe}talk &lt;b&gt;\u{1b}bold&lt;/b&gt;",
            )],
        ),
    );
    let cfg = topic_config(&server, "/ctl.xml");
    poll_once(&cfg).await;
    let daemon = TestDaemon::start(&cfg).await;
    for path in [
        "/topics/kr.atom",
        "/topics/kr.rss",
        "/feed.atom",
        "/feed.rss",
    ] {
        let resp = daemon.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let body = resp.text().await.unwrap();
        if let Err(e) = roxmltree::Document::parse(&body) {
            panic!("{path} is not XML: {e}\n{body}");
        }
        assert!(body.contains("Kim meets Shoigu"), "{path}: {body}");
        assert!(body.contains("[31m and Korea talk"), "{path}: {body}");
    }
    daemon.stop().await;
}

/// Opens a connection and sends a request's headers one byte at a time, never finishing;
/// returns when the server closes it (or after `give_up`).
async fn trickle(addr: std::net::SocketAddr, give_up: std::time::Duration) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: feedsift.test\r\nX-Slow: ")
        .await
        .is_err()
    {
        return true;
    }
    let deadline = tokio::time::Instant::now() + give_up;
    let mut buf = [0u8; 256];
    loop {
        tokio::select! {
            r = s.read(&mut buf) => match r {
                // The server's answer to a timed-out request, or the close itself.
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            },
            () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                if s.write_all(b"a").await.is_err() {
                    return true;
                }
            }
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifteen_hundred_trickling_clients_do_not_stop_the_others_and_are_cut_off() {
    use std::time::{Duration, Instant};
    let server = FeedServer::start().await;
    server.set_one_item("/a.xml");
    let cfg = topic_config(&server, "/a.xml");
    poll_once(&cfg).await;
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the daemon", || async {
        daemon.get("/healthz").await.status() == 200
    })
    .await;
    let addr: std::net::SocketAddr = daemon
        .url("")
        .trim_start_matches("http://")
        .parse()
        .unwrap();

    let started = Instant::now();
    let tricklers: Vec<_> = (0..1500)
        .map(|_| tokio::spawn(trickle(addr, Duration::from_secs(40))))
        .collect();
    // Let them all connect and start trickling.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let client = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    for round in 0..5 {
        for path in ["/healthz", "/topics/kr.atom"] {
            let t = Instant::now();
            let resp =
                tokio::time::timeout(Duration::from_secs(5), client.get(daemon.url(path)).send())
                    .await
                    .unwrap_or_else(|_| {
                        panic!("{path} did not answer beside 1,500 slow clients (round {round})")
                    })
                    .unwrap();
            assert_eq!(resp.status(), 200, "{path}");
            slowest = slowest.max(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    eprintln!("slowest answer beside 1,500 trickling clients: {slowest:?}");

    // Each trickler is cut off once its headers have taken longer than the deadline.
    let mut cut = 0;
    for t in tricklers {
        cut += usize::from(t.await.unwrap());
    }
    assert_eq!(
        cut,
        1500,
        "clients still connected after {:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() >= feedsift::serve::listener::HEADER_READ_TIMEOUT,
        "cut off before the deadline"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = FeedServer::start().await;
    let cfg = topic_config(&server, "/a.xml");
    let daemon = TestDaemon::start(&cfg).await;
    let addr = daemon.url("").trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: feedsift.test\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Then nothing: the server closes the connection after the deadline, not before.
    let started = std::time::Instant::now();
    let limit = feedsift::serve::listener::HEADER_READ_TIMEOUT * 3;
    let n = tokio::time::timeout(limit, s.read(&mut buf))
        .await
        .expect("never closed");
    assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    assert!(started.elapsed() >= feedsift::serve::listener::HEADER_READ_TIMEOUT / 2);
    daemon.stop().await;
}

#[tokio::test]
async fn request_headers_over_16_kib_are_refused_with_431() {
    let server = FeedServer::start().await;
    let cfg = topic_config(&server, "/a.xml");
    let daemon = TestDaemon::start(&cfg).await;
    let client = reqwest::Client::new();
    for kib in [17, 20, 60, 100] {
        let resp = client
            .get(daemon.url("/healthz"))
            .header("X-Big", "a".repeat(kib * 1024))
            .send()
            .await;
        match resp {
            Ok(r) => assert_eq!(r.status(), 431, "{kib} KiB"),
            // Past hyper's buffer the connection may be closed after the 431 is written.
            Err(e) => panic!("{kib} KiB: {e}"),
        }
    }
    let spread: Vec<(String, String)> = (0..40)
        .map(|i| (format!("x-h{i}"), "b".repeat(500)))
        .collect();
    let mut req = client.get(daemon.url("/healthz"));
    for (k, v) in &spread {
        req = req.header(k, v);
    }
    assert_eq!(
        req.send().await.unwrap().status(),
        431,
        "20 KB over 40 headers"
    );
    assert_eq!(daemon.get("/healthz").await.status(), 200);
    daemon.stop().await;
}

/// A feed configured on `localhost` (trusted: the operator configured it) redirecting to
/// another server, the canary, written in each other spelling of a loopback address; a feed on
/// 127.0.0.1 redirecting to the name `localhost`. Each is refused with kind `refused` and the
/// canary is never asked; a redirect within the host is followed; the operator can lift the
/// rule.
#[tokio::test]
async fn redirects_into_the_private_network_are_refused_in_every_spelling() {
    let server = FeedServer::start().await;
    let canary = FeedServer::start().await;
    canary.set(
        "/admin.xml",
        "application/rss+xml",
        rss(
            "Internal",
            &[("1", "Kim meets Shoigu", "https://i.example/1", "Secret.")],
        ),
    );
    let port = canary
        .url("/")
        .split(':')
        .nth(2)
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let spellings = [
        format!("http://127.1:{port}/admin.xml"),
        format!("http://2130706433:{port}/admin.xml"),
        format!("http://0x7f000001:{port}/admin.xml"),
        format!("http://0177.0.0.1:{port}/admin.xml"),
        format!("http://[::1]:{port}/admin.xml"),
        format!("http://[::ffff:127.0.0.1]:{port}/admin.xml"),
    ];
    let on_localhost = |path: &str| server.url(path).replace("127.0.0.1", "localhost");
    let mut literal_feeds = String::new();
    for (i, to) in spellings.iter().enumerate() {
        let path = format!("/r{i}.xml");
        server.set_status(&path, 302, &[("Location", to)]);
        literal_feeds.push_str(&format!("[[feed]]\nurl = \"{}\"\n", on_localhost(&path)));
    }
    let named = canary.url("/admin.xml").replace("127.0.0.1", "localhost");
    server.set_status("/to-name.xml", 301, &[("Location", &named)]);
    server.set_status("/old.xml", 301, &[("Location", &server.url("/a.xml"))]);
    server.set_one_item("/a.xml");
    let named_feeds = format!(
        "[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n",
        server.url("/to-name.xml"),
        server.url("/old.xml")
    );
    let refused = |store: &feedsift::store::Store, url: &str, to: &str| {
        let st = state_of(store, url);
        assert_eq!(
            st.error_kind,
            Some(feedsift::model::ErrorKind::Refused),
            "{url} → {to}: {st:?}"
        );
        let err = st.last_error.clone().unwrap_or_default();
        assert!(
            err.starts_with("redirect ") && err.contains("address not allowed"),
            "{url} → {to}: {err}"
        );
    };

    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n{literal_feeds}"
    ));
    let (store, _) = poll_once(&cfg).await;
    for (i, to) in spellings.iter().enumerate() {
        refused(&store, &on_localhost(&format!("/r{i}.xml")), to);
    }
    let cfg2 = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n{named_feeds}"
    ));
    let (store2, _) = poll_once(&cfg2).await;
    refused(&store2, &server.url("/to-name.xml"), &named);
    assert_eq!(canary.hits("/admin.xml"), (0, 0), "the canary was fetched");
    let moved = state_of(&store2, &server.url("/old.xml"));
    assert_eq!(
        moved.status,
        feedsift::model::FeedStatus::Moved,
        "{moved:?}"
    );
    assert!(moved.error_kind.is_none(), "{moved:?}");
    assert_eq!(
        moved.moved_to.as_deref(),
        Some(server.url("/a.xml").as_str())
    );

    // The operator can lift the rule.
    drop(store);
    cfg.write(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\nallow_private_redirects = true\n{literal_feeds}"
    ));
    let (store, _) = poll_once(&cfg).await;
    let lifted = state_of(&store, &on_localhost("/r0.xml"));
    assert_eq!(lifted.status, feedsift::model::FeedStatus::Ok, "{lifted:?}");
    assert!(canary.hits("/admin.xml").0 > 0);
}

/// The document sequence that stored one item twice: first its guid once, then the same item
/// twice over under that guid.
#[tokio::test]
async fn an_item_repeated_under_its_guid_is_stored_once() {
    let server = FeedServer::start().await;
    let item = (
        "wire-1",
        "Kim meets Shoigu",
        "https://a.example/1",
        "Talks.",
    );
    server.set("/a.xml", "application/rss+xml", rss("A", &[item]));
    let cfg = topic_config(&server, "/a.xml");
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(store.counts().unwrap().0, 1);
    drop(store);
    let other = (
        "wire-2",
        "Shoigu leaves Pyongyang",
        "https://a.example/2",
        "Done.",
    );
    server.set(
        "/a.xml",
        "application/rss+xml",
        rss("A", &[item, other, item]),
    );
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(
        store.counts().unwrap().0,
        2,
        "the repeated item was stored again"
    );
    drop(store);
    // And when one guid names two different items, both are kept (by their links).
    let clash = ("wire-2", "Another story", "https://a.example/3", "Else.");
    server.set(
        "/a.xml",
        "application/rss+xml",
        rss("A", &[item, other, clash]),
    );
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(store.counts().unwrap().0, 3);
}

/// A document that reads as no entries while it holds items is a `parse` problem on the feed,
/// never an empty feed that is fine; a real empty feed stays fine.
#[tokio::test]
async fn a_feed_misread_as_empty_is_a_parse_problem_not_a_silent_ok() {
    let server = FeedServer::start().await;
    server.set(
        "/odd.xml",
        "application/rss+xml",
        r#"<rss version="2.0" xmlns="urn:some-other-namespace"><channel><title>Odd</title><item><title>Kim meets Shoigu</title></item></channel></rss>"#,
    );
    server.set(
        "/empty.xml",
        "application/rss+xml",
        r#"<rss version="2.0"><channel><title>Quiet</title></channel></rss>"#,
    );
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n",
        server.url("/odd.xml"),
        server.url("/empty.xml")
    ));
    let (store, _) = poll_once(&cfg).await;
    let odd = state_of(&store, &server.url("/odd.xml"));
    assert_eq!(
        odd.error_kind,
        Some(feedsift::model::ErrorKind::Parse),
        "{odd:?}"
    );
    assert!(
        odd.last_error
            .as_deref()
            .unwrap_or("")
            .contains("holds 1 <item> or <entry> elements"),
        "{odd:?}"
    );
    let empty = state_of(&store, &server.url("/empty.xml"));
    assert_eq!(empty.status, feedsift::model::FeedStatus::Ok, "{empty:?}");
}

/// `feedsift_renders_total` as `/metrics` shows it.
async fn renders(daemon: &TestDaemon) -> u64 {
    let text = daemon.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("feedsift_renders_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no renders counter in {text}"))
}

/// An entry of 50,000 nested `<div>`s (0.3 MB) used to cost seconds of CPU on every request:
/// it is kept as text at ingest, the topic feed answers, and asking again renders nothing.
#[tokio::test]
async fn a_deeply_nested_entry_is_flattened_and_rendered_once() {
    let server = FeedServer::start().await;
    let deep = "<div>".repeat(50_000) + "Shoigu in Pyongyang" + &"</div>".repeat(50_000);
    let escaped = deep.replace('<', "&lt;").replace('>', "&gt;");
    server.set(
        "/deep.xml",
        "application/rss+xml",
        rss(
            "Deep",
            &[("1", "Kim meets Shoigu", "https://a.example/1", &escaped)],
        ),
    );
    let cfg = topic_config(&server, "/deep.xml");
    let (store, outcomes) = poll_once(&cfg).await;
    assert!(
        outcomes[0]
            .warnings
            .iter()
            .any(|w| w.contains("nested 50000 elements deep") && w.contains("kept as text")),
        "{:?}",
        outcomes[0].warnings
    );
    drop(store);
    let daemon = TestDaemon::start(&cfg).await;
    let before = renders(&daemon).await;
    let client = reqwest::Client::new();
    let resp = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        client.get(daemon.url("/topics/kr.atom")).send(),
    )
    .await
    .expect("the topic feed did not answer")
    .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(body.contains("Shoigu in Pyongyang"), "{body}");
    assert_eq!(renders(&daemon).await, before + 1);
    for _ in 0..3 {
        assert_eq!(daemon.get("/topics/kr.atom").await.status(), 200);
    }
    assert_eq!(
        renders(&daemon).await,
        before + 1,
        "an unchanged topic was rendered again"
    );
    daemon.stop().await;
}

/// Requests whose clients hang up while their output renders cost one render between them,
/// not one each, and the render they started is kept for the next request.
#[tokio::test]
async fn requests_dropped_while_rendering_cost_one_render_between_them() {
    let server = FeedServer::start().await;
    let para = "<p>Shoigu met <b>Kim</b> in <a href=\"https://a.example/x\">Pyongyang</a>.</p>";
    // Within the caps (not flattened), and slow to sanitise: ~0.5 MB of markup per entry.
    let html = para.repeat(480 * 1024 / para.len());
    let escaped = html
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let words = ["tanks", "rifles", "ports", "grain", "satellites", "drills"];
    let items: Vec<(String, String, String)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                i.to_string(),
                format!("Shoigu {w} {i}"),
                format!("https://a.example/{w}"),
            )
        })
        .collect();
    let rows: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|(g, t, l)| (g.as_str(), t.as_str(), l.as_str(), escaped.as_str()))
        .collect();
    server.set("/big.xml", "application/rss+xml", rss("Big", &rows));
    let cfg = topic_config(&server, "/big.xml");
    let (store, outcomes) = poll_once(&cfg).await;
    assert!(
        outcomes[0].warnings.is_empty(),
        "{:?}",
        outcomes[0].warnings
    );
    drop(store);
    let daemon = TestDaemon::start(&cfg).await;
    let before = renders(&daemon).await;
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(30))
        .build()
        .unwrap();
    let dropped = (0..4).map(|_| impatient.get(daemon.url("/topics/kr.atom")).send());
    for r in futures_util::future::join_all(dropped).await {
        assert!(r.is_err(), "a request finished within 30 ms: {r:?}");
    }
    let resp = daemon.get("/topics/kr.atom").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Shoigu drills"));
    assert_eq!(
        renders(&daemon).await,
        before + 1,
        "dropped requests each rendered the same output"
    );
    daemon.stop().await;
}

/// A database deleted under a running daemon is not "ok": writes would go nowhere.
#[tokio::test]
async fn healthz_says_503_when_the_database_file_is_gone() {
    let server = FeedServer::start().await;
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"data/feedsift.db\"\n[[feed]]\nurl = \"{}\"\n",
        server.url("/a.xml")
    ));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the daemon", || async {
        daemon.get("/healthz").await.status() == 200
    })
    .await;
    std::fs::remove_dir_all(cfg.dir.path().join("data")).unwrap();
    let resp = daemon.get("/healthz").await;
    assert_eq!(resp.status(), 503);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("database not answering") && text.contains("feedsift.db"),
        "{text}"
    );
    daemon.stop().await;
}

/// `feedsift poll` killed with SIGKILL at seeded random moments while it writes, 24 times:
/// after each kill the database passes `integrity_check` and holds no item twice; a last poll
/// that runs to the end holds every item once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_never_damages_loses_or_doubles_entries() {
    const FEEDS: usize = 30;
    const KILLS: usize = 24;
    let server = FeedServer::start().await;
    let items_of = |round: usize, feed: usize| -> String {
        // Each round adds 5 items to every feed and changes the text of the older ones, so
        // every poll writes.
        let items: Vec<(String, String, String, String)> = (0..(round + 1) * 5)
            .map(|i| {
                (
                    format!("f{feed}-i{i}"),
                    // One item in ten matches the topic: stories are made, but few.
                    if i % 10 == 0 {
                        format!("Kim meets Shoigu, part {i} of feed {feed}")
                    } else {
                        format!("Market report number {i} of feed {feed}")
                    },
                    format!("https://f{feed}.example/{i}"),
                    format!("Round {round}: talks in Pyongyang, day {i}."),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str, &str)> = items
            .iter()
            .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
            .collect();
        rss(&format!("Feed {feed}"), &refs)
    };
    let mut toml = "[daemon]\ndatabase = \"feedsift.db\"\nper_host = 8\n[[topic]]\nid = \"kr\"\nquery = \"shoigu\"\n".to_string();
    for f in 0..FEEDS {
        toml.push_str(&format!(
            "[[feed]]\nurl = \"{}\"\n",
            server.url(&format!("/f{f}.xml"))
        ));
    }
    let cfg = TestConfig::new(&toml);
    let db = cfg.dir.path().join("feedsift.db");
    let check = |db: &std::path::Path| {
        let conn = rusqlite::Connection::open(db).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let doubled: i64 = conn
            .query_row(
                "SELECT count(*) FROM (SELECT feed_id, guid FROM entries GROUP BY feed_id, guid HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        assert_eq!(doubled, 0, "an item stored twice");
        conn.query_row("SELECT count(*) FROM entries", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
    };
    // How long a whole poll of the last round's items takes on this machine, into a database
    // of its own: each round's kill lands at a random moment of its poll, scaled by the share
    // of those items the round writes (a fixed range of delays would miss the poll on a fast
    // machine and the writes on a slow one).
    for f in 0..FEEDS {
        server.set(
            &format!("/f{f}.xml"),
            "application/rss+xml",
            items_of(KILLS - 1, f),
        );
    }
    let calibration = TestConfig::new(&toml);
    let clock = std::time::Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_feedsift"))
        .env_remove("FEEDSIFT_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .arg("--config")
        .arg(&calibration.path)
        .arg("poll")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let whole_poll = clock.elapsed();
    eprintln!("a whole poll of the last round: {whole_poll:?}");
    let mut rng = fastrand::Rng::with_seed(0x5eed_f00d);
    let mut killed_mid_write = 0;
    for round in 0..KILLS {
        for f in 0..FEEDS {
            server.set(
                &format!("/f{f}.xml"),
                "application/rss+xml",
                items_of(round, f),
            );
        }
        let path = cfg.path.clone();
        let share = (round + 1) as f64 / KILLS as f64;
        let delay = whole_poll
            .mul_f64(share * rng.f64())
            .max(std::time::Duration::from_millis(5));
        let finished = tokio::task::spawn_blocking(move || {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_feedsift"))
                .env_remove("FEEDSIFT_CONFIG")
                .env_remove("STATE_DIRECTORY")
                .arg("--config")
                .arg(&path)
                .arg("poll")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let done = child.try_wait().unwrap().is_some();
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            child.wait().unwrap();
            done
        })
        .await
        .unwrap();
        killed_mid_write += usize::from(!finished);
        if db.exists() {
            let n = check(&db);
            eprintln!("round {round}: killed after {delay:?}, {n} entries");
        }
    }
    // Most kills must land while the poll runs, or the test proves nothing.
    assert!(
        killed_mid_write >= KILLS / 2,
        "only {killed_mid_write} of {KILLS} kills hit a running poll"
    );
    // A poll to the end stores every item of the last round once.
    let (store, _) = poll_once(&cfg).await;
    drop(store);
    assert_eq!(check(&db), (FEEDS * KILLS * 5) as i64);
    eprintln!("{killed_mid_write} of {KILLS} SIGKILLs hit a running poll");
}

/// A database that cannot grow (here `max_database_size`, as a full disk would) fails the
/// polls that need room with a `store` error, keeps what it holds, and keeps serving it.
#[tokio::test]
async fn a_full_database_fails_the_poll_clearly_and_reads_go_on() {
    let server = FeedServer::start().await;
    server.set_one_item("/a.xml");
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\nmax_database_size = \"400KiB\"\n[[feed]]\nurl = \"{}\"\n[[topic]]\nid = \"kr\"\nquery = \"shoigu\"\n",
        server.url("/a.xml")
    ));
    let (store, _) = poll_once(&cfg).await;
    assert_eq!(store.counts().unwrap().0, 1);
    drop(store);
    // Then 200 entries of 4 KB each: more than the file may hold.
    let big: Vec<(String, String, String, String)> = (0..200)
        .map(|i| {
            (
                format!("b{i}"),
                format!("Shoigu report {i}"),
                format!("https://a.example/b{i}"),
                format!("{i} ").repeat(1500),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str, &str)> = big
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    server.set("/a.xml", "application/rss+xml", rss("A", &refs));
    let (store, outcomes) = poll_once(&cfg).await;
    match &outcomes[0].result {
        feedsift::poll::PollResult::Failed { kind, message } => {
            assert_eq!(*kind, feedsift::model::ErrorKind::Store, "{message}");
            assert!(message.contains("full"), "{message}");
        }
        other => panic!("the poll did not fail: {other:?}"),
    }
    assert_eq!(store.counts().unwrap().0, 1, "what was stored is kept");
    drop(store);
    let daemon = TestDaemon::start(&cfg).await;
    let atom = daemon.get("/topics/kr.atom").await;
    assert_eq!(atom.status(), 200);
    assert!(atom.text().await.unwrap().contains("Kim meets Shoigu"));
    daemon.stop().await;
}
