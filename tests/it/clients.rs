//! Real clients against a running daemon: `scripts/check-clients.py` serves the labelled real
//! news of `../shared/news-dev/` on 127.0.0.1, polls it, starts `feedsift serve` on port 0 and
//! checks every output with feedparser, the W3C feed validator's rules, newsboat, headless
//! Chromium (screenshots under `target/pages/`) and the Prometheus text parser.
//!
//! Without the news folder, or without the clients (Python feedparser, prometheus-client, lxml,
//! html5lib, rdflib; Debian newsboat and chromium), the test says so and checks nothing, unless
//! `FEEDSIFT_REQUIRE_CLIENTS=1` (as `.ci/run` sets it), when a missing client is a failure.

use std::path::Path;
use std::process::Command;

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn feed_readers_validators_and_a_browser_accept_every_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("../shared/news-dev").exists() {
        println!("../shared/news-dev is not there: skipped");
        return;
    }
    let required = std::env::var("FEEDSIFT_REQUIRE_CLIENTS").is_ok_and(|v| v == "1");
    let python_ok = Command::new("python3")
        .args([
            "-c",
            "import feedparser, prometheus_client, lxml, html5lib, rdflib",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    let clients = python_ok && have("newsboat", "-v") && have("chromium", "--version");
    if !clients {
        assert!(
            !required,
            "FEEDSIFT_REQUIRE_CLIENTS=1 but a client is missing (python modules: {python_ok})"
        );
        println!("feedparser, newsboat or chromium is missing: skipped");
        return;
    }
    let out = Command::new("python3")
        .arg(root.join("scripts/check-clients.py"))
        .arg("--feedsift")
        .arg(env!("CARGO_BIN_EXE_feedsift"))
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{}\n{}",
        text.lines()
            .filter(|l| l.starts_with("FAIL"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
}
