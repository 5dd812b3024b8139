//! The output renderer: whatever an entry holds (as stored, before or after ingest's
//! cleaning), Atom and RSS outputs are well-formed XML and JSON Feed is JSON.
#![no_main]
use feedsift::serve::render::{Page, atom, json_feed, rss};
use feedsift::store::{AlsoReported, StoryItem};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let mut parts = data.split('\u{1}');
    let mut next = || parts.next().unwrap_or("").to_string();
    let (title, summary, content, author, category, outlet, link) =
        (next(), next(), next(), next(), next(), next(), next());
    let config = feedsift::config::parse(
        "[[feed]]\nurl = \"https://wire.example/rss\"\n",
        std::path::Path::new("feedsift.toml"),
        None,
    )
    .unwrap();
    let now = chrono::Utc::now();
    let item = StoryItem {
        story_id: 1,
        uid: "fuzz".into(),
        sort_time: now,
        matched_at: now,
        terms: vec![category.clone()],
        title,
        link: Some(link.clone()),
        summary_html: Some(summary),
        content_html: Some(content),
        html_base: Some(link),
        authors: vec![author],
        categories: vec![category],
        published: Some(now),
        updated: now,
        feed_url: "https://wire.example/rss".into(),
        feed_title: Some(outlet.clone()),
        site_url: None,
        also: vec![AlsoReported {
            feed_url: "https://other.example/rss".into(),
            feed_title: Some(outlet),
            link: None,
        }],
    };
    let items = [item];
    let page = Page {
        config: &config,
        title: "Topic".into(),
        id: "http://127.0.0.1:8080/topics/t.atom".into(),
        self_url: "http://127.0.0.1:8080/topics/t.atom".into(),
        html_url: "http://127.0.0.1:8080/topics/t".into(),
        next_url: None,
        items: &items,
    };
    for (format, xml) in [("atom", atom(&page)), ("rss", rss(&page))] {
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{format} is not XML: {e}");
        }
    }
    let json = json_feed(&page);
    assert!(json.starts_with('{') && json.trim_end().ends_with('}'));
});
