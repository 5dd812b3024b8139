//! `import-opml` and `export-opml` with subscription lists in the styles of other readers
//! (`tests/fixtures/opml/`), a real newsboat export, and bad input that must leave the config
//! as it was.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::Output;

fn feedsift(config: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_feedsift"))
        .env_remove("FEEDSIFT_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .env_remove("FEEDSIFT_LOG")
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/opml")
        .join(name)
}

/// A copy of the example config with one more feed, which every fixture also lists (in
/// another case).
fn example_config() -> (TestConfig, String) {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/feedsift.toml"))
            .unwrap();
    let original = format!(
        "{example}\n# added by the test\n[[feed]]\nurl = \"https://wire.example/rss.xml\"\n"
    );
    (TestConfig::new(&original), original)
}

/// The configured feeds as (url, title, tags), read as the daemon reads them.
fn feeds_of(cfg: &TestConfig) -> Vec<(String, Option<String>, Vec<String>)> {
    cfg.load()
        .feeds
        .iter()
        .map(|f| (f.url.clone(), f.title.clone(), f.tags.clone()))
        .collect()
}

/// `original`'s lines all appear in `now`, in their order (comments, blank lines, layout).
fn assert_keeps_every_line(original: &str, now: &str) {
    let mut rest = now.lines();
    for line in original.lines() {
        assert!(
            rest.any(|l| l == line),
            "line {line:?} of the config is gone or moved"
        );
    }
}

#[test]
fn each_readers_export_adds_exactly_its_new_feeds_keeps_the_config_and_a_second_run_adds_nothing() {
    type Want = &'static [(&'static str, Option<&'static str>, &'static [&'static str])];
    let cases: [(&str, Want, usize); 5] = [
        (
            "miniflux.opml",
            &[
                (
                    "https://peninsula.example/feed/",
                    Some("Peninsula Daily"),
                    &["all"],
                ),
                (
                    "https://moscow.example/rss/news",
                    Some("Moscow Times (example)"),
                    &["russia-eurasia"],
                ),
                (
                    "https://steppe.example/atom.xml",
                    Some("Steppe Review"),
                    &["russia-eurasia"],
                ),
            ],
            1,
        ),
        (
            "freshrss.opml",
            &[
                (
                    "https://seoulherald.example/rss/allArticle.xml",
                    Some("Seoul Herald"),
                    &["asia"],
                ),
                (
                    "https://pywatch.example/feed",
                    Some("Pyongyang Watch"),
                    &["asia"],
                ),
            ],
            2, // the configured wire feed, the scraped page
        ),
        (
            "feedly.opml",
            &[
                (
                    "https://yeouido.example/rss/economy.xml",
                    Some("Yeouido Business"),
                    &["korea"],
                ),
                (
                    "http://arctic.example/index.rdf",
                    Some("Arctic Letters"),
                    &["must-read"],
                ),
            ],
            2, // the configured wire feed, the second copy of Yeouido
        ),
        (
            "inoreader.opml",
            &[
                (
                    "https://fareast.example/rss",
                    Some("Far East Monitor"),
                    &["world", "asia-desk"],
                ),
                (
                    "https://vlport.example/feed.xml",
                    Some("Vladivostok Port News"),
                    &["world", "asia-desk"],
                ),
            ],
            2, // the configured wire feed, the site without a feed
        ),
        (
            "newsboat.opml",
            &[
                ("https://dmz.example/news/rss", Some("DMZ News"), &[]),
                (
                    "https://kremlin-watch.example/feed.atom",
                    Some("Kremlin Watch"),
                    &[],
                ),
            ],
            1,
        ),
    ];
    for (file, want, skipped) in cases {
        let (cfg, original) = example_config();
        let before = feeds_of(&cfg);
        let o = feedsift(&cfg.path, &["import-opml", fixture(file).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", text(&o.stderr));
        let out = text(&o.stdout);
        let added: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("added "))
            .collect();
        let want_urls: Vec<&str> = want.iter().map(|w| w.0).collect();
        assert_eq!(added, want_urls, "{file}: {out}");
        assert!(
            out.contains("skipped https://WIRE.example/rss.xml (already configured)"),
            "{file}: {out}"
        );
        assert_eq!(
            out.lines().filter(|l| l.starts_with("skipped ")).count(),
            skipped,
            "{file}: {out}"
        );
        assert!(
            out.contains(&format!("{} feeds added to ", want.len()))
                && out.contains(&format!(", {skipped} skipped")),
            "{file}: {out}"
        );

        let now = std::fs::read_to_string(&cfg.path).unwrap();
        assert_keeps_every_line(&original, &now);
        let after = feeds_of(&cfg);
        assert_eq!(
            after[..before.len()],
            before[..],
            "{file}: configured feeds changed"
        );
        let new: Vec<(String, Option<String>, Vec<String>)> = want
            .iter()
            .map(|(u, t, tags)| {
                (
                    u.to_string(),
                    t.map(String::from),
                    tags.iter().map(|t| t.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(after[before.len()..], new[..], "{file}");

        let again = feedsift(&cfg.path, &["import-opml", fixture(file).to_str().unwrap()]);
        assert!(
            text(&again.stdout).contains("0 feeds added to "),
            "{file}: {}",
            text(&again.stdout)
        );
        assert_eq!(
            std::fs::read_to_string(&cfg.path).unwrap(),
            now,
            "{file}: second run"
        );
    }
}

#[test]
fn export_then_import_into_an_empty_config_gives_the_same_feeds() {
    let (cfg, _) = example_config();
    for file in ["miniflux.opml", "inoreader.opml"] {
        let o = feedsift(&cfg.path, &["import-opml", fixture(file).to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let exported = feedsift(&cfg.path, &["export-opml"]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let empty = TestConfig::new("# nothing yet\n");
    let opml = empty.dir.path().join("exported.opml");
    std::fs::write(&opml, &exported.stdout).unwrap();
    let o = feedsift(&empty.path, &["import-opml", opml.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Export groups by the first tag, so that is the tag that comes back.
    let first_tag = |feeds: Vec<(String, Option<String>, Vec<String>)>| {
        let mut v: Vec<_> = feeds
            .into_iter()
            .map(|(u, t, tags)| (u, t, tags.into_iter().next()))
            .collect();
        v.sort();
        v
    };
    let there = first_tag(feeds_of(&cfg));
    let back = first_tag(feeds_of(&empty));
    assert_eq!(back.len(), there.len());
    for ((u1, t1, g1), (u2, t2, g2)) in there.iter().zip(&back) {
        assert_eq!(u1, u2);
        assert_eq!(g1, g2, "{u1}");
        // A feed without a title of its own is exported under the name feedsift shows for it.
        assert!(t1.is_none() || t1 == t2, "{u1}: {t1:?} vs {t2:?}");
    }
}

#[test]
fn a_real_newsboat_export_imports_with_its_titles() {
    let dir = tempfile::tempdir().unwrap();
    let urls = dir.path().join("urls");
    std::fs::write(
        &urls,
        "https://alpha.example/rss \"korea\" \"~Alpha News\"\nhttps://beta.example/feed.xml russia\n",
    )
    .unwrap();
    let Ok(export) = std::process::Command::new("newsboat")
        .env("HOME", dir.path())
        .arg("-u")
        .arg(&urls)
        .arg("-c")
        .arg(dir.path().join("cache.db"))
        .arg("-e")
        .output()
    else {
        assert!(
            std::env::var_os("FEEDSIFT_REQUIRE_CLIENTS").is_none(),
            "newsboat is not installed"
        );
        return;
    };
    assert!(export.status.success(), "{}", text(&export.stderr));
    let cfg = TestConfig::new("");
    let opml = cfg.dir.path().join("newsboat.opml");
    std::fs::write(&opml, &export.stdout).unwrap();
    let o = feedsift(&cfg.path, &["import-opml", opml.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "{}\n{}",
        text(&o.stderr),
        text(&export.stdout)
    );
    assert_eq!(
        feeds_of(&cfg),
        vec![
            (
                "https://alpha.example/rss".into(),
                Some("Alpha News".into()),
                vec![]
            ),
            ("https://beta.example/feed.xml".into(), None, vec![]),
        ]
    );
}

#[test]
fn a_dry_run_says_what_it_would_add_and_writes_nothing() {
    let (cfg, original) = example_config();
    let o = feedsift(
        &cfg.path,
        &[
            "import-opml",
            "--dry-run",
            fixture("feedly.opml").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("would add https://yeouido.example/rss/economy.xml\n"),
        "{out}"
    );
    assert!(
        out.contains("2 feeds would be added to ") && out.contains("nothing written"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&cfg.path).unwrap(), original);
}

#[test]
fn a_feed_that_moved_counts_as_configured_under_its_new_url() {
    let (cfg, _) = example_config();
    let config = cfg.load();
    let store = feedsift::store::Store::open(&config.daemon.database).unwrap();
    let mut state = store
        .ensure_feeds(
            &["https://wire.example/rss.xml".to_string()],
            chrono::Utc::now(),
        )
        .unwrap()
        .remove(0);
    state.moved_to = Some("https://dmz.example/news/rss".into());
    store.save_feed_state(&state).unwrap();
    drop(store);
    let o = feedsift(
        &cfg.path,
        &["import-opml", fixture("newsboat.opml").to_str().unwrap()],
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("skipped https://dmz.example/news/rss (already configured)"),
        "{out}"
    );
    assert!(out.contains("1 feed added to "), "{out}");
}

#[test]
fn bad_input_is_a_clear_error_and_the_config_is_untouched() {
    let (cfg, original) = example_config();
    let bad = cfg.dir.path().join("bad.opml");
    let untouched = |what: &str| {
        assert_eq!(
            std::fs::read_to_string(&cfg.path).unwrap(),
            original,
            "{what}"
        );
        let names: Vec<_> = std::fs::read_dir(cfg.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.contains("tmp")),
            "{what}: {names:?}"
        );
    };

    // Malformed XML: the line of the fault.
    std::fs::write(&bad, "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n<outline text=\"a\" xmlUrl=\"https://x.example/\"\n  <outline/>\n</body></opml>\n").unwrap();
    let o = feedsift(&cfg.path, &["import-opml", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(&format!(
            "{} is not OPML: line 3, column 1: ",
            bad.display()
        )),
        "{}",
        text(&o.stderr)
    );
    untouched("malformed");

    // Not OPML at all.
    std::fs::write(&bad, "<html><body><p>hello</p></body></html>").unwrap();
    let o = feedsift(&cfg.path, &["import-opml", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("the document is <html>, not <opml>"),
        "{}",
        text(&o.stderr)
    );
    untouched("html");

    // A feed URL the config cannot hold: the result would not validate.
    std::fs::write(&bad, "<opml version=\"2.0\"><body><outline text=\"x\" xmlUrl=\"https://exa mple.com/feed\"/></body></opml>").unwrap();
    let o = feedsift(&cfg.path, &["import-opml", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr)
            .contains("the config would not be valid after the import, so it is left as it was"),
        "{}",
        text(&o.stderr)
    );
    untouched("invalid result");

    // A config that cannot be written (here the temporary file's name is taken by a directory,
    // which stops root too).
    let blocker = cfg.dir.path().join("feedsift.toml.import-tmp");
    std::fs::create_dir(&blocker).unwrap();
    let o = feedsift(
        &cfg.path,
        &["import-opml", fixture("newsboat.opml").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains(&format!("cannot write {}", cfg.path.display())),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_dir(&blocker).unwrap();
    untouched("unwritable");
}
