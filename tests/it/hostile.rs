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
