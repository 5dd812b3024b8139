//! The whole pipeline through the daemon: config → poll → store → match → output feed.

use crate::helpers::*;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>TASS (test)</title><id>urn:tass</id><updated>2024-09-13T12:00:00Z</updated>
<entry><id>urn:tass:1</id><title>Шойгу прибыл в Пхеньян</title><link href="https://tass.example/1"/><updated>2024-09-13T09:00:00Z</updated><summary>Секретарь Совбеза России встретился с Ким Чен Ыном.</summary></entry>
<entry><id>urn:tass:2</id><title>Moscow weather</title><link href="https://tass.example/2"/><updated>2024-09-13T08:00:00Z</updated><summary>Rain in Moscow.</summary></entry>
</feed>"#;

const JSON: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Seoul Daily (test)","items":[
{"id":"sd-1","url":"https://seoul.example/a","title":"김정은, 러시아 국방장관 접견","content_html":"<p onclick=\"steal()\">North Korea and Russia pledge closer military ties.<script>alert(1)</script> <a href=\"/more\">More</a> <a href=\"javascript:alert(2)\">x</a></p>","date_published":"2024-09-13T07:00:00Z"},
{"id":"sd-2","url":"https://seoul.example/b","title":"K-pop tour announced","content_html":"<p>Seoul concert.</p>","date_published":"2024-09-13T06:00:00Z"}
]}"#;

fn config(server: &FeedServer) -> String {
    format!(
        r#"
[daemon]
database = "data/feedsift.db"
public_url = "http://feedsift.test"
poll_interval = "1s"
min_interval = "1s"
max_interval = "1h"

[[feed]]
url = "{rss}"
title = "Wire (test)"
tags = ["wire"]
interval = "1s"

[[feed]]
url = "{atom}"
interval = "1s"

[[feed]]
url = "{json}"
interval = "1s"

[aliases]
dprk = ["north korea", "kim jong un", "pyongyang", "김정은", "ким чен ын", "пхеньян"]
russia = ["russia", "shoigu", "россия", "россии", "шойгу", "러시아*"]

[[topic]]
id = "korea-russia"
title = "Korea–Russia relations"
query = "@dprk AND @russia"
exclude = "category:sport"

[[topic]]
id = "private"
query = "weather"
token = "s3cret-token"
"#,
        rss = server.url("/rss.xml"),
        atom = server.url("/atom.xml"),
        json = server.url("/feed.json"),
    )
}

fn serve_fixtures(server: &FeedServer) {
    server.set(
        "/rss.xml",
        "application/rss+xml",
        rss(
            "Wire",
            &[
                (
                    "w-1",
                    "Kim Jong Un receives Russia&apos;s Shoigu in Pyongyang",
                    "https://wire.example/kim-shoigu?utm_source=rss",
                    "Talks on military cooperation.",
                ),
                (
                    "w-2",
                    "North Korea fires missile",
                    "https://wire.example/missile",
                    "The launch came days after talks with Russia.",
                ),
                (
                    "w-3",
                    "Putin visits China",
                    "https://wire.example/putin-xi",
                    "Russia and China sign deals.",
                ),
                (
                    "w-4",
                    "Korea beat Russia 2-1",
                    "https://wire.example/football",
                    "North Korea football.",
                ),
            ],
        )
        .replace(
            "<title>Korea beat Russia 2-1</title>",
            "<title>Korea beat Russia 2-1</title><category>Sport</category>",
        ),
    );
    server.set("/atom.xml", "application/atom+xml", ATOM);
    server.set("/feed.json", "application/feed+json", JSON);
}

const FIXTURES: [&str; 3] = ["/rss.xml", "/atom.xml", "/feed.json"];

/// Waits until every fixture feed was polled twice: a 304 means its first poll was stored.
async fn every_feed_stored(server: &FeedServer) {
    wait_for("every feed polled twice", || async {
        FIXTURES.iter().all(|p| server.hits(p).1 >= 1)
    })
    .await;
}

async fn entry_titles(body: &str) -> Vec<String> {
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("valid Atom");
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect()
}

#[tokio::test]
async fn topic_feed_holds_exactly_the_matching_entries_once_after_two_polls() {
    let server = FeedServer::start().await;
    serve_fixtures(&server);
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;

    // Two polls of every feed; the second is answered 304 (unchanged).
    every_feed_stored(&server).await;
    let resp = daemon.get("/topics/korea-russia.atom").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let body = resp.text().await.unwrap();
    let mut titles = entry_titles(&body).await;
    titles.sort();
    assert_eq!(
        titles,
        [
            "Kim Jong Un receives Russia's Shoigu in Pyongyang",
            "North Korea fires missile",
            "Шойгу прибыл в Пхеньян",
            "김정은, 러시아 국방장관 접견",
        ],
        "{body}"
    );
    // Each entry names its source; the wire's configured title wins over the feed's own.
    assert!(
        body.contains("<source><title>Wire (test)</title>"),
        "{body}"
    );
    assert!(body.contains("<title>TASS (test)</title>"), "{body}");
    // The feeds' HTML is served sanitised: no script, handler or javascript: URL; relative
    // links made absolute against the feed's URL.
    for bad in ["script", "onclick", "steal()", "javascript:"] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    assert!(
        body.contains(&format!("{}/more", server.url("").trim_end_matches('/'))),
        "{body}"
    );
    // Stable ids, and links kept as the feed gave them.
    assert!(body.contains("urn:feedsift:story:"));
    assert!(body.contains("https://wire.example/kim-shoigu?utm_source=rss"));

    // The combined feed has them too, but not the private topic's entry.
    let all = daemon.get("/feed.atom").await.text().await.unwrap();
    assert_eq!(entry_titles(&all).await.len(), 4, "{all}");
    assert!(!all.contains("Moscow weather"));

    daemon.stop().await;
}

#[tokio::test]
async fn a_re_poll_answered_304_stores_nothing_new() {
    let server = FeedServer::start().await;
    serve_fixtures(&server);
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the RSS feed to be stored", || async {
        server.hits("/rss.xml").0 >= 1
    })
    .await;
    let store_path = cfg.dir.path().join("data/feedsift.db");
    let count = || {
        let conn = rusqlite::Connection::open(&store_path).unwrap();
        conn.query_row("SELECT COUNT(*), MAX(changed_at) FROM entries", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
        })
        .unwrap()
    };
    wait_for("all three feeds stored", || async { count().0 == 8 }).await;
    let before = count();
    wait_for("three 304s of the RSS feed", || async {
        server.hits("/rss.xml").1 >= 3
    })
    .await;
    assert_eq!(count(), before, "304s wrote no entry");

    // A changed document adds just the new entry.
    server.set(
        "/rss.xml",
        "application/rss+xml",
        rss(
            "Wire",
            &[(
                "w-5",
                "Lavrov in Pyongyang: Russia and North Korea sign pact",
                "https://wire.example/pact",
                "",
            )],
        ),
    );
    wait_for("the new entry", || async { count().0 == 9 }).await;
    let feed = daemon
        .get("/topics/korea-russia.atom")
        .await
        .text()
        .await
        .unwrap();
    assert!(feed.contains("Lavrov in Pyongyang"), "{feed}");
    daemon.stop().await;
}

#[tokio::test]
async fn http_contract_of_output_feeds() {
    let server = FeedServer::start().await;
    serve_fixtures(&server);
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    every_feed_stored(&server).await;

    // Conditional GET.
    let first = daemon.get("/topics/korea-russia.atom").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(first.headers().contains_key("last-modified"));
    let again = reqwest::Client::new()
        .get(daemon.url("/topics/korea-russia.atom"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // Paging: two pages of 2 cover the 4 stories; the last page has no next link.
    let p1 = daemon
        .get("/topics/korea-russia.atom?limit=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(entry_titles(&p1).await.len(), 2);
    let feed = feed_rs::parser::parse(p1.as_bytes()).unwrap();
    let next = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("next"))
        .expect("next link")
        .href
        .clone();
    let next_path = next.strip_prefix("http://feedsift.test").unwrap();
    let p2 = daemon.get(next_path).await.text().await.unwrap();
    let t2 = entry_titles(&p2).await;
    assert_eq!(t2.len(), 2);
    assert!(entry_titles(&p1).await.iter().all(|t| !t2.contains(t)));
    assert!(!p2.contains("rel=\"next\""));

    // JSON Feed.
    let json: serde_json::Value = serde_json::from_str(
        &daemon
            .get("/topics/korea-russia.json")
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"].as_array().unwrap().len(), 4);
    assert!(json["items"][0]["_feedsift"]["source"]["title"].is_string());

    // Bad requests are 4xx, never 500.
    assert_eq!(daemon.get("/topics/nope.atom").await.status(), 404);
    assert_eq!(
        daemon
            .get("/topics/korea-russia.atom?limit=0")
            .await
            .status(),
        400
    );
    assert_eq!(
        daemon
            .get("/topics/korea-russia.atom?limit=501")
            .await
            .status(),
        400
    );
    assert_eq!(
        daemon
            .get("/topics/korea-russia.atom?before=garbage")
            .await
            .status(),
        400
    );
    assert_eq!(daemon.get("/topics/korea-russia.xml").await.status(), 404);
    let post = reqwest::Client::new()
        .post(daemon.url("/topics/korea-russia.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);

    // A private topic answers 401 without its token, 200 with it.
    assert_eq!(daemon.get("/topics/private.atom").await.status(), 401);
    assert_eq!(
        daemon
            .get("/topics/private.atom?token=wrong")
            .await
            .status(),
        401
    );
    let ok = daemon.get("/topics/private.atom?token=s3cret-token").await;
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("Moscow weather"));
    let bearer = reqwest::Client::new()
        .get(daemon.url("/topics/private.atom"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);

    let health = daemon.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok\n");
    daemon.stop().await;
}

#[tokio::test]
async fn one_broken_feed_affects_nothing_else() {
    let server = FeedServer::start().await;
    serve_fixtures(&server);
    server.set(
        "/atom.xml",
        "text/html",
        "<html><body>Oops, this is a web page</body></html>",
    );
    server.set_status("/feed.json", 503, &[]);
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    wait_for("the good feed's matches", || async {
        daemon
            .get("/topics/korea-russia.atom")
            .await
            .text()
            .await
            .unwrap()
            .contains("receives Russia")
    })
    .await;
    wait_for("the broken feeds polled", || async {
        server.hits("/atom.xml").0 >= 1 && server.hits("/feed.json").0 >= 1
    })
    .await;
    daemon.stop().await;
    let config = cfg.load();
    let store = feedsift::store::Store::open(&config.daemon.database).unwrap();
    let states = store.feed_states().unwrap();
    let by = |p: &str| {
        states
            .iter()
            .find(|s| s.url == server.url(p))
            .unwrap()
            .clone()
    };
    assert_eq!(by("/rss.xml").status, feedsift::model::FeedStatus::Ok);
    let atom = by("/atom.xml");
    assert_eq!(atom.status, feedsift::model::FeedStatus::Failing);
    assert_eq!(atom.error_kind, Some(feedsift::model::ErrorKind::Parse));
    let json = by("/feed.json");
    assert_eq!(json.error_kind, Some(feedsift::model::ErrorKind::Http5xx));
    assert!(json.last_error.unwrap().contains("503"));
}

#[tokio::test]
async fn reload_applies_a_good_config_and_keeps_the_old_on_a_bad_one() {
    let server = FeedServer::start().await;
    serve_fixtures(&server);
    let cfg = TestConfig::new(&config(&server));
    let daemon = TestDaemon::start(&cfg).await;
    every_feed_stored(&server).await;

    // A broken config is rejected whole: the old topics keep being served.
    cfg.write(&config(&server).replace("@dprk AND @russia", "@dprk AND (@russia"));
    let err = daemon.reload().await.unwrap_err();
    assert!(err.contains("expected ')' after"), "{err}");
    assert_eq!(daemon.get("/topics/korea-russia.atom").await.status(), 200);

    // A new topic is backfilled from stored entries at once.
    let added = format!(
        "{}\n[[topic]]\nid = \"putin\"\nquery = \"putin\"\n",
        config(&server)
    );
    cfg.write(&added);
    daemon.reload().await.unwrap();
    let body = daemon.get("/topics/putin.atom").await.text().await.unwrap();
    assert!(body.contains("Putin visits China"), "{body}");
    daemon.stop().await;
}
