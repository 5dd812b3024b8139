//! The real binary, as a user runs it: exit codes, messages, output.

use crate::helpers::*;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn check_accepts_the_example_config() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config/feedsift.toml");
    let o = feedsift_bin()
        .args(["check", "--config", example])
        .output()
        .await
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("korea-russia"), "{out}");
    assert!(
        out.contains(
            "query:   (((title:@dprk OR title:@rok OR title:korea OR title:korean OR title:@korean_firms) AND title:@russia) OR "
        ),
        "{out}"
    );
}

#[tokio::test]
async fn check_rejects_a_typo_naming_file_line_and_column() {
    let cfg = TestConfig::new("[daemon]\nlisten = \"127.0.0.1:8080\"\npoll_intervall = \"10m\"\n");
    let o = feedsift(&cfg, &["check"]).await;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:3:1: unknown field `poll_intervall`",
            cfg.path.display()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn check_rejects_a_bad_query_with_its_position() {
    let cfg = TestConfig::new("[[topic]]\nid = \"t\"\nquery = \"korea AND (russia\"\n");
    let o = feedsift(&cfg, &["check"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(":3:27: topic \"t\" query: expected ')' after \"russia\""),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn poll_then_export_prints_the_topic_as_atom() {
    let server = FeedServer::start().await;
    server.set(
        "/wire.xml",
        "application/rss+xml",
        rss(
            "Wire",
            &[
                (
                    "1",
                    "Kim Jong Un receives Shoigu",
                    "https://wire.example/1",
                    "Russia&apos;s defence minister in Pyongyang.",
                ),
                (
                    "2",
                    "Seoul stocks rise",
                    "https://wire.example/2",
                    "Markets.",
                ),
            ],
        ),
    );
    server.set_status("/gone.xml", 404, &[]);
    let cfg = TestConfig::new(&format!(
        r#"
[[feed]]
url = "{}"
[[feed]]
url = "{}"
[[topic]]
id = "korea-russia"
query = '''("kim jong un" OR "north korea") AND (russia OR shoigu)'''
"#,
        server.url("/wire.xml"),
        server.url("/gone.xml")
    ));
    let o = feedsift(&cfg, &["poll"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("2 feeds polled: 1 ok (0 unchanged), 1 failed; 2 new entries, 0 updated, 1 new topic match"), "{out}");
    assert!(
        out.contains(&format!("failed  {}  http_4xx", server.url("/gone.xml"))),
        "{out}"
    );

    let o = feedsift(&cfg, &["poll"]).await;
    assert!(
        stdout(&o).contains("1 ok (1 unchanged), 1 failed; 0 new entries"),
        "{}",
        stdout(&o)
    );

    let o = feedsift(&cfg, &["export", "korea-russia"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let atom = stdout(&o);
    let feed = feed_rs::parser::parse(atom.as_bytes()).expect("valid Atom");
    let titles: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(titles, ["Kim Jong Un receives Shoigu"]);

    let o = feedsift(&cfg, &["query", "seoul", "--json"]).await;
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["title"], "Seoul stocks rise");
    assert_eq!(rows[0]["matched"][0], "title:seoul");

    let o = feedsift(&cfg, &["query", "seoul AND (", "--json"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("query:1:12: expected a term"),
        "{}",
        stderr(&o)
    );

    let o = feedsift(&cfg, &["export", "nope"]).await;
    assert_eq!(o.status.code(), Some(2));

    let o = feedsift(&cfg, &["feeds", "--json"]).await;
    let feeds: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(feeds[0]["status"], "ok");
    assert_eq!(feeds[0]["entries"], 2);
    assert_eq!(feeds[1]["status"], "failing");
    assert_eq!(feeds[1]["error_kind"], "http_4xx");
    assert_eq!(feeds[1]["consecutive_failures"], 2);
}

#[tokio::test]
async fn poll_exits_1_only_when_every_feed_failed() {
    let server = FeedServer::start().await;
    server.set_status("/a.xml", 500, &[]);
    let cfg = TestConfig::new(&format!("[[feed]]\nurl = \"{}\"\n", server.url("/a.xml")));
    let o = feedsift(&cfg, &["poll"]).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("every feed failed"), "{}", stderr(&o));
}

#[tokio::test]
async fn gc_deletes_old_unmatched_entries_the_feed_no_longer_lists() {
    let server = FeedServer::start().await;
    let items = |ids: &[&str]| {
        let all = [
            (
                "1",
                "Kim Jong Un receives Shoigu",
                "https://wire.example/1",
                "In Pyongyang.",
            ),
            (
                "2",
                "Seoul stocks rise",
                "https://wire.example/2",
                "Markets.",
            ),
            ("3", "Rain in Busan", "https://wire.example/3", "Weather."),
        ];
        let kept: Vec<_> = all.into_iter().filter(|i| ids.contains(&i.0)).collect();
        rss("Wire", &kept)
    };
    server.set("/wire.xml", "application/rss+xml", items(&["1", "2", "3"]));
    let cfg = TestConfig::new(&format!(
        "[daemon]\nretention = \"1s\"\n\n[[feed]]\nurl = \"{}\"\n\n[[topic]]\nid = \"kr\"\nquery = \"shoigu\"\n",
        server.url("/wire.xml")
    ));
    assert!(feedsift(&cfg, &["poll"]).await.status.success());
    // The feed drops entries 1 and 2; 3 is still listed.
    server.set("/wire.xml", "application/rss+xml", items(&["3"]));
    assert!(feedsift(&cfg, &["poll"]).await.status.success());
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let o = feedsift(&cfg, &["gc"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("deleted 1 entry "), "{}", stdout(&o));
    assert!(stdout(&o).contains("; 2 entries kept"), "{}", stdout(&o));
    // The matched entry is still served.
    let o = feedsift(&cfg, &["export", "kr"]).await;
    assert!(
        stdout(&o).contains("Kim Jong Un receives Shoigu"),
        "{}",
        stdout(&o)
    );
}

/// `inspect` and `poll` build the same text for a topic to see: the configured feed title and
/// URL for `feed:` terms, the configured tags for scopes. (Before they shared one builder,
/// `inspect` matched `feed:` against the feed's own title and its final URL.)
#[tokio::test]
async fn inspect_matches_a_feed_as_poll_does() {
    let server = FeedServer::start().await;
    server.set(
        "/own.xml",
        "application/rss+xml",
        rss(
            "The Outlet's Own Title",
            &[
                ("1", "Missile launch reported", "https://o.example/1", "x"),
                ("2", "Harvest festival", "https://o.example/2", "y"),
                ("3", "Shoigu in Pyongyang", "https://o.example/3", "z"),
            ],
        ),
    );
    let url = server.url("/own.xml");
    let cfg = TestConfig::new(&format!(
        r#"
[[feed]]
url = "{url}"
title = "Korea Watch"
tags = ["asia"]
[[topic]]
id = "by-feed"
query = '''feed:"korea watch" AND (missile OR shoigu)'''
[[topic]]
id = "scoped"
query = "harvest"
feeds = ["tag:asia"]
"#
    ));
    let o = feedsift(&cfg, &["inspect", &url, "--json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let inspected: Vec<(String, Vec<String>)> = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let topics = e["topics"].as_array().unwrap().iter();
            let topics = topics.map(|t| t.as_str().unwrap().to_string()).collect();
            (e["title"].as_str().unwrap().to_string(), topics)
        })
        .collect();
    assert_eq!(
        inspected,
        [
            (
                "Missile launch reported".to_string(),
                vec!["by-feed".to_string()]
            ),
            ("Harvest festival".to_string(), vec!["scoped".to_string()]),
            (
                "Shoigu in Pyongyang".to_string(),
                vec!["by-feed".to_string()]
            ),
        ]
    );
    let o = feedsift(&cfg, &["poll"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    for (topic, want) in [
        (
            "by-feed",
            vec!["Missile launch reported", "Shoigu in Pyongyang"],
        ),
        ("scoped", vec!["Harvest festival"]),
    ] {
        let o = feedsift(&cfg, &["export", topic, "--format", "json"]).await;
        assert!(o.status.success(), "{}", stderr(&o));
        let feed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut polled: Vec<&str> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap())
            .collect();
        polled.sort();
        assert_eq!(polled, want, "{topic}");
    }
}

#[tokio::test]
async fn poll_beside_a_running_daemon_stops_naming_it_and_reading_commands_still_work() {
    let server = FeedServer::start().await;
    server.set_one_item("/a.xml");
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n[[feed]]\nurl = \"{}\"\n",
        server.url("/a.xml")
    ));
    let o = feedsift(&cfg, &["feeds"]).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no database yet"), "{}", stderr(&o));
    assert!(!cfg.dir.path().join("feedsift.db").exists());

    assert_eq!(feedsift(&cfg, &["poll"]).await.status.code(), Some(0));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the daemon to hold the database", || async {
        daemon.get("/healthz").await.status() == 200
    })
    .await;
    let o = feedsift(&cfg, &["poll"]).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "another feedsift process (pid {})",
            std::process::id()
        )),
        "{}",
        stderr(&o)
    );
    let o = feedsift(&cfg, &["feeds"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&server.url("/a.xml")), "{}", stdout(&o));
    daemon.stop().await;
}

#[tokio::test]
async fn opml_import_adds_new_feeds_with_folders_as_tags_keeps_the_config_and_exports_back() {
    let cfg = TestConfig::new(
        "# my feeds\n[daemon]\ndatabase = \"feedsift.db\"\n\n[[feed]]\n# kept as it is\nurl = \"https://Example.COM/rss\"\n\n[[topic]]\nid = \"t\"\nquery = \"korea\"\n",
    );
    let opml = cfg.dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="Asia News"><outline text="Yonhap" type="rss" xmlUrl="https://en.yna.example/rss.xml" htmlUrl="https://en.yna.example/"/></outline>
<outline text="Same" type="rss" xmlUrl="https://example.com/rss"/>
</body></opml>"#,
    )
    .unwrap();
    let o = feedsift(&cfg, &["import-opml", opml.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().next(),
        Some("added https://en.yna.example/rss.xml")
    );
    assert!(stdout(&o).contains("1 feed added"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&cfg.path).unwrap();
    assert!(
        text.starts_with("# my feeds\n") && text.contains("# kept as it is"),
        "{text}"
    );
    assert!(text.contains("tags = [\"asia-news\"]"), "{text}");
    assert_eq!(feedsift(&cfg, &["check"]).await.status.code(), Some(0));
    let again = feedsift(&cfg, &["import-opml", opml.to_str().unwrap()]).await;
    assert!(
        stdout(&again).contains("0 feeds added"),
        "{}",
        stdout(&again)
    );

    // A subscription list written by others (the W3C validator's test files), when present.
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/feedvalidator/opml/clean/subscriptionList.opml");
    if real.exists() {
        let o = feedsift(&cfg, &["import-opml", real.to_str().unwrap()]).await;
        assert!(stdout(&o).contains("13 feeds added"), "{}", stdout(&o));
    }

    let o = feedsift(&cfg, &["export-opml"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let back = stdout(&o);
    assert!(back.contains("<opml version=\"2.0\">"), "{back}");
    assert!(
        back.contains(r#"<outline text="asia-news" title="asia-news"><outline text="Yonhap" type="rss" xmlUrl="https://en.yna.example/rss.xml""#),
        "{back}"
    );
    assert!(
        !cfg.dir.path().join("feedsift.db").exists(),
        "export-opml created a database"
    );
}

#[tokio::test]
async fn a_broken_opml_file_is_a_usage_error_and_leaves_the_config_as_it_was() {
    let toml = "[[feed]]\nurl = \"https://example.com/rss\"\n";
    let cfg = TestConfig::new(toml);
    let opml = cfg.dir.path().join("broken.opml");
    std::fs::write(&opml, "<opml version=\"2.0\"><body><outline text=").unwrap();
    let o = feedsift(&cfg, &["import-opml", opml.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not OPML"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&cfg.path).unwrap(), toml);
    let o = feedsift(&cfg, &["import-opml", "/nonexistent/subs.opml"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read /nonexistent/subs.opml"),
        "{}",
        stderr(&o)
    );
}
