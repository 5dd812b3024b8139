//! Whatever text an entry holds, Atom and RSS outputs are XML a strict parser accepts.

use super::*;
use crate::store::AlsoReported;
use proptest::prelude::*;
use std::path::Path;

fn config() -> Config {
    crate::config::parse(
        "[[feed]]\nurl = \"https://wire.example/rss\"\n",
        Path::new("feedsift.toml"),
        None,
    )
    .unwrap()
}

fn item(text: &[String; 6]) -> StoryItem {
    let [title, summary, content, author, category, outlet] = text.clone();
    StoryItem {
        story_id: 1,
        uid: "abc".into(),
        sort_time: Utc::now(),
        matched_at: Utc::now(),
        terms: vec!["korea".into()],
        title,
        link: Some("https://wire.example/1".into()),
        summary_html: Some(summary),
        content_html: Some(content),
        html_base: Some("https://wire.example/".into()),
        authors: vec![author],
        categories: vec![category],
        published: Some(Utc::now()),
        updated: Utc::now(),
        feed_url: "https://other.example/feed".into(),
        feed_title: Some(outlet.clone()),
        site_url: None,
        also: vec![AlsoReported {
            feed_url: "https://third.example/feed".into(),
            feed_title: Some(outlet),
            link: Some("https://third.example/1".into()),
        }],
    }
}

/// Text that is mostly what XML forbids or makes hard: controls, non-characters, markup,
/// entities, CDATA ends, and any other character.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\u{1b}".to_string()),
        Just("\u{0b}".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{fffe}".to_string()),
        Just("\u{ffff}".to_string()),
        Just("]]>".to_string()),
        Just("<b>".to_string()),
        Just("&amp;".to_string()),
        Just("&#27;".to_string()),
        Just("&".to_string()),
        Just("\"'<>".to_string()),
        any::<char>().prop_map(String::from),
        "[a-z ]{1,8}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn atom_and_rss_are_well_formed_whatever_the_entry_holds(
        text in [nasty(), nasty(), nasty(), nasty(), nasty(), nasty()]
    ) {
        let config = config();
        let items = [item(&text)];
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
                panic!("{format} output is not XML: {e}\n{xml}");
            }
        }
    }
}
