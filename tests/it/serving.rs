//! What a reader polling the daemon sees: a topic's output answers 304 while nothing it shows
//! has changed (whatever happens to other topics), and the new stories as soon as it has; the
//! same story keeps one id in every format; bodies come compressed when asked; `/metrics`
//! counts what happened.

use crate::helpers::*;
use std::io::Read;

fn config(server: &FeedServer) -> String {
    format!(
        r#"
[daemon]
database = "data/feedsift.db"
public_url = "http://feedsift.test"
poll_interval = "1s"
min_interval = "1s"

[[feed]]
url = "{wire}"
title = "Wire (test)"
interval = "1s"

[[topic]]
id = "korea"
query = "title:korea"

[[topic]]
id = "weather"
query = "title:weather"
"#,
        wire = server.url("/wire.xml"),
    )
}

type Item = (&'static str, &'static str, &'static str, &'static str);

const KOREA_1: Item = ("k1", "Korea talks open", "https://w.example/k1", "Talks.");
const WEATHER_1: Item = ("w1", "Weather: rain", "https://w.example/w1", "Rain.");
const WEATHER_2: Item = ("w2", "Weather: snow", "https://w.example/w2", "Snow.");
const KOREA_2: Item = ("k2", "Korea talks close", "https://w.example/k2", "Done.");

async fn conditional(daemon: &TestDaemon, path: &str, etag: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(daemon.url(path))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap()
}

fn etag(r: &reqwest::Response) -> String {
    r.headers()["etag"].to_str().unwrap().to_string()
}

async fn shows(daemon: &TestDaemon, path: &str, title: &str) -> bool {
    daemon.get(path).await.text().await.unwrap().contains(title)
}

#[tokio::test]
async fn an_unchanged_topic_answers_304_whatever_other_topics_do_and_a_change_shows_at_once() {
    let server = FeedServer::start().await;
    server.set(
        "/wire.xml",
        "application/rss+xml",
        rss("Wire", &[KOREA_1, WEATHER_1]),
    );
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the first poll", || {
        shows(&daemon, "/topics/korea.rss", "Korea talks open")
    })
    .await;
    let first = daemon.get("/topics/korea.rss").await;
    assert_eq!(
        first.headers()["content-type"],
        "application/rss+xml; charset=utf-8"
    );
    let korea_etag = etag(&first);

    // Only the other topic changes: the reader of this one keeps getting 304.
    server.set(
        "/wire.xml",
        "application/rss+xml",
        rss("Wire", &[KOREA_1, WEATHER_1, WEATHER_2]),
    );
    wait_for("the weather topic to show snow", || {
        shows(&daemon, "/topics/weather.atom", "Weather: snow")
    })
    .await;
    assert_eq!(
        conditional(&daemon, "/topics/korea.rss", &korea_etag)
            .await
            .status(),
        304
    );

    // This topic changes: the same conditional GET now gets the new story.
    server.set(
        "/wire.xml",
        "application/rss+xml",
        rss("Wire", &[KOREA_1, WEATHER_1, WEATHER_2, KOREA_2]),
    );
    wait_for("the korea topic to change", || async {
        conditional(&daemon, "/topics/korea.rss", &korea_etag)
            .await
            .status()
            == 200
    })
    .await;
    let changed = conditional(&daemon, "/topics/korea.rss", &korea_etag).await;
    assert_ne!(etag(&changed), korea_etag);
    assert!(changed.text().await.unwrap().contains("Korea talks close"));
    daemon.stop().await;
}

#[tokio::test]
async fn one_story_has_one_id_in_every_format_and_bodies_are_compressed_when_asked() {
    let server = FeedServer::start().await;
    server.set("/wire.xml", "application/rss+xml", rss("Wire", &[KOREA_1]));
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the first poll", || {
        shows(&daemon, "/topics/korea.atom", "Korea talks open")
    })
    .await;

    let atom = daemon.get("/topics/korea.atom").await.text().await.unwrap();
    let rss = daemon.get("/topics/korea.rss").await.text().await.unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&daemon.get("/topics/korea.json").await.text().await.unwrap())
            .unwrap();
    let atom_id = feed_rs::parser::parse(atom.as_bytes()).unwrap().entries[0]
        .id
        .clone();
    assert!(atom_id.starts_with("urn:feedsift:story:"), "{atom_id}");
    assert!(
        rss.contains(&format!("<guid isPermaLink=\"false\">{atom_id}</guid>")),
        "{rss}"
    );
    assert_eq!(json["items"][0]["id"], atom_id.as_str());
    // feed-rs reads every format back to the same story.
    for (format, body) in [("rss", &rss), ("json", &json.to_string())] {
        let back =
            feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(back.entries.len(), 1, "{format}");
        assert_eq!(
            back.entries[0].title.as_ref().unwrap().content,
            "Korea talks open",
            "{format}"
        );
    }
    // Atom names an author for every entry (RFC 4287), the outlet when the entry has none;
    // matched terms travel in feedsift's namespace, not as categories.
    assert!(
        atom.contains("<author><name>Wire (test)</name></author>"),
        "{atom}"
    );
    assert!(
        atom.contains("<feedsift:matched>title:korea</feedsift:matched>"),
        "{atom}"
    );
    assert!(!atom.contains("<category"), "{atom}");

    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let gz = raw
        .get(daemon.url("/topics/korea.atom"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let bytes = gz.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, atom);

    // What happened is counted.
    let metrics = daemon.get("/metrics").await.text().await.unwrap();
    let value = |prefix: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{prefix} in\n{metrics}"))
    };
    assert!(value("feedsift_polls_total{outcome=\"fetched\"}") >= 1.0);
    assert!(value("feedsift_http_requests_total{route=\"topic_feed\",status=\"200\"}") >= 4.0);
    assert_eq!(value("feedsift_matches_total{topic=\"korea\"}"), 1.0);
    assert_eq!(value("feedsift_feeds{status=\"ok\"}"), 1.0);
    daemon.stop().await;
}
