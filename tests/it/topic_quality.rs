//! The example config's `korea-russia` topic over a labelled corpus of news entries
//! (`tests/fixtures/korea-russia.tsv`): precision and recall as the README reports them.

use feedsift::topic::{Doc, DocInput, FeedRef, Matcher};
use std::path::Path;

struct Labelled {
    relevant: bool,
    title: String,
    summary: String,
    categories: Vec<String>,
}

fn corpus() -> Vec<Labelled> {
    crate::helpers::tsv_fixture("korea-russia.tsv")
        .into_iter()
        .map(|cols| {
            assert!(cols.len() >= 3, "bad corpus line: {cols:?}");
            Labelled {
                relevant: cols[0] == "1",
                title: cols[1].clone(),
                summary: cols[2].clone(),
                categories: cols
                    .get(3)
                    .map(|c| {
                        c.split(';')
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[test]
fn example_topic_finds_korea_russia_stories_and_nothing_else() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/feedsift.toml");
    let config = feedsift::config::load(&path, None).unwrap_or_else(|e| panic!("{e}"));
    let topic = config
        .topic("korea-russia")
        .expect("the example topic")
        .clone();
    let matcher = Matcher::new(vec![topic]);
    let entries = corpus();
    assert!(entries.len() >= 150, "{} entries", entries.len());
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut wrong = Vec::new();
    for e in &entries {
        let doc = Doc::new(&DocInput {
            title: &e.title,
            text: &e.summary,
            categories: &e.categories,
            feed_title: "Wire",
            feed_url: "https://wire.example/rss",
            ..Default::default()
        });
        let feed = FeedRef {
            url: "https://wire.example/rss",
            tags: &[],
        };
        let matched = !matcher.match_doc(&doc, feed).is_empty();
        match (matched, e.relevant) {
            (true, true) => tp += 1,
            (true, false) => {
                fp += 1;
                wrong.push(format!("false match: {}", e.title));
            }
            (false, true) => {
                fn_ += 1;
                wrong.push(format!("missed: {}", e.title));
            }
            (false, false) => {}
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    println!(
        "korea-russia over {} entries: precision {precision:.3}, recall {recall:.3}\n{}",
        entries.len(),
        wrong.join("\n")
    );
    assert!(
        precision >= 0.95 && recall >= 0.97,
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        wrong.join("\n")
    );
}
