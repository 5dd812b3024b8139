//! Feeds in legacy encodings, declared in the HTTP header, in the prolog, or wrongly, polled over
//! HTTP: the stored titles are the right text.

use crate::helpers::*;

fn doc(prolog: Option<&str>, title: &str) -> String {
    let decl = prolog
        .map(|e| format!("<?xml version=\"1.0\" encoding=\"{e}\"?>"))
        .unwrap_or_default();
    format!(
        "{decl}<rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><title>{title}</title></item></channel></rss>"
    )
}

#[tokio::test]
async fn titles_come_out_right_whatever_the_encoding_and_where_it_is_declared() {
    let server = FeedServer::start().await;
    let enc = |e: &'static encoding_rs::Encoding, s: &str| e.encode(s).0.into_owned();
    // (path, content type, body, expected title)
    let cases: Vec<(&str, String, Vec<u8>, &str)> = vec![
        (
            "/euckr-header",
            "application/rss+xml; charset=EUC-KR".into(),
            enc(encoding_rs::EUC_KR, &doc(None, "러시아 국방장관")),
            "러시아 국방장관",
        ),
        (
            "/euckr-prolog",
            "application/rss+xml".into(),
            enc(encoding_rs::EUC_KR, &doc(Some("euc-kr"), "러시아")),
            "러시아",
        ),
        (
            "/cp1251-header",
            "text/xml; charset=windows-1251".into(),
            enc(encoding_rs::WINDOWS_1251, &doc(None, "Россия и КНДР")),
            "Россия и КНДР",
        ),
        (
            "/koi8-prolog",
            "text/xml".into(),
            enc(encoding_rs::KOI8_R, &doc(Some("KOI8-R"), "Россия")),
            "Россия",
        ),
        (
            "/sjis-header",
            "text/xml; charset=Shift_JIS".into(),
            enc(encoding_rs::SHIFT_JIS, &doc(None, "北朝鮮とロシア")),
            "北朝鮮とロシア",
        ),
        (
            "/utf8-says-latin1",
            "text/xml; charset=ISO-8859-1".into(),
            doc(Some("ISO-8859-1"), "Россия").into_bytes(),
            "Россия",
        ),
        (
            "/utf16le",
            "application/rss+xml".into(),
            [0xFF, 0xFE]
                .into_iter()
                .chain(
                    doc(Some("utf-16"), "러시아")
                        .encode_utf16()
                        .flat_map(|u| u.to_le_bytes()),
                )
                .collect(),
            "러시아",
        ),
    ];
    let mut toml = String::new();
    for (path, ct, body, _) in &cases {
        server.set(path, ct, body.clone());
        toml.push_str(&format!("[[feed]]\nurl = \"{}\"\n", server.url(path)));
    }
    let cfg = TestConfig::new(&toml);
    let (_store, outcomes) = poll_once(&cfg).await;
    assert!(outcomes.iter().all(|o| !o.is_failure()), "{outcomes:?}");
    let conn = rusqlite::Connection::open(cfg.dir.path().join("feedsift.db")).unwrap();
    for (path, _, _, want) in &cases {
        let title: String = conn
            .query_row(
                "SELECT e.title FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = ?1",
                [server.url(path)],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(&title, want, "{path}");
    }
}
