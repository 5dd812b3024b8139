//! What the person running feedsift sees: log lines in a file, in the journal and as JSON, a
//! failure said once, the man page, completions, tables and `check`'s paths.

use crate::helpers::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_feedsift"));
    c.env_remove("FEEDSIFT_CONFIG")
        .env_remove("FEEDSIFT_LOG")
        .env_remove("RUST_LOG")
        .env_remove("STATE_DIRECTORY")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("JOURNAL_STREAM")
        .env_remove("NO_COLOR");
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `serve` with stderr written to `log` and `env` set, until it says it is serving, then
/// stops it with SIGTERM; returns what it logged.
fn serve_logging_to(cfg: &TestConfig, log: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let file = std::fs::File::create(log).unwrap();
    let mut cmd = bin();
    cmd.arg("--config")
        .arg(&cfg.path)
        .args(args)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    // JOURNAL_STREAM must name the log file itself, so it is computed after creating it.
    let mut child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(log)
        .unwrap_or_default()
        .contains("serving")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "serve exited with {status}: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "serve exited with {status}");
    std::fs::read_to_string(log).unwrap()
}

fn serving_config() -> TestConfig {
    TestConfig::new("[daemon]\nlisten = \"127.0.0.1:0\"\ndatabase = \"feedsift.db\"\n")
}

/// `device:inode` of a file, as systemd puts it in `JOURNAL_STREAM`.
fn stream_id(path: &Path) -> String {
    let m = std::fs::metadata(path).unwrap();
    format!("{}:{}", m.dev(), m.ino())
}

#[test]
fn serve_logging_to_a_file_writes_no_escape_codes() {
    let cfg = serving_config();
    let log = cfg.dir.path().join("serve.log");
    let out = serve_logging_to(&cfg, &log, &[], &[]);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.lines()
            .any(|l| l.contains(" INFO ") && l.contains("serving")),
        "{out}"
    );
    // Text lines start with an RFC 3339 timestamp outside the journal.
    assert!(out.lines().all(|l| l.starts_with("20")), "{out}");
}

#[test]
fn under_the_journal_each_line_starts_with_its_syslog_priority_and_no_timestamp() {
    let cfg = serving_config();
    let log = cfg.dir.path().join("journal.log");
    // Create the file first so JOURNAL_STREAM can name it; serve_logging_to truncates it, which
    // keeps the inode.
    std::fs::write(&log, "").unwrap();
    let id = stream_id(&log);
    let out = serve_logging_to(&cfg, &log, &[], &[("JOURNAL_STREAM", id)]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("<6>") || l.starts_with("<4>") || l.starts_with("<3>"),
            "{l:?}"
        );
        assert!(!l.contains(" INFO ") && !l[3..].starts_with("20"), "{l:?}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("<6>") && l.contains("serving")),
        "{out}"
    );

    // A service whose stderr was sent elsewhere inherits the variable, not the stream.
    let other = cfg.dir.path().join("elsewhere.log");
    let out = serve_logging_to(&cfg, &other, &[], &[("JOURNAL_STREAM", "1:2".into())]);
    assert!(out.lines().all(|l| l.starts_with("20")), "{out}");
}

#[test]
fn json_logs_are_one_object_a_line() {
    let cfg = serving_config();
    let log = cfg.dir.path().join("serve.json");
    let out = serve_logging_to(
        &cfg,
        &log,
        &["--log-format", "json", "--log-level", "debug"],
        &[],
    );
    let mut serving = false;
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["timestamp"].is_string() && v["level"].is_string(), "{l}");
        serving |= v["fields"]["message"] == "serving" && v["level"] == "INFO";
    }
    assert!(serving, "{out}");
}

#[test]
fn a_log_level_that_is_not_one_is_a_usage_error() {
    let cfg = serving_config();
    for (args, env, named) in [
        (
            vec!["--log-level", "verbose", "check"],
            None,
            "--log-level \"verbose\"",
        ),
        (
            vec!["check"],
            Some("feedsift=loud"),
            "FEEDSIFT_LOG \"feedsift=loud\"",
        ),
    ] {
        let mut cmd = bin();
        cmd.arg("--config").arg(&cfg.path).args(&args);
        if let Some(e) = env {
            cmd.env("FEEDSIFT_LOG", e);
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = text(&o.stderr);
        assert!(
            err.contains(named) && err.contains("is not a log level"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn poll_says_each_failure_once_on_stdout_and_logs_nothing_of_it() {
    let server = FeedServer::start().await;
    server.set_status("/gone.xml", 404, &[]);
    server.set_one_item("/a.xml");
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n",
        server.url("/a.xml"),
        server.url("/gone.xml")
    ));
    let o = tokio::task::spawn_blocking(move || {
        let o = bin()
            .arg("--config")
            .arg(&cfg.path)
            .arg("poll")
            .output()
            .unwrap();
        (o, cfg)
    })
    .await
    .unwrap()
    .0;
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    let gone = server.url("/gone.xml");
    assert_eq!(
        out.lines().filter(|l| l.contains(&gone)).count(),
        1,
        "{out}"
    );
    assert!(!err.contains(&gone), "{err}");
    assert!(
        out.contains("2 feeds polled: 1 ok (0 unchanged), 1 failed; 1 new entry,"),
        "{out}"
    );
}

#[test]
fn the_man_page_names_every_command_and_renders() {
    let o = bin().arg("man").output().unwrap();
    assert!(o.status.success());
    let page = text(&o.stdout);
    assert!(page.contains(".TH feedsift 1"), "{page}");
    for command in [
        "serve",
        "poll",
        "check",
        "query",
        "stories",
        "import\\-opml",
        "man",
    ] {
        assert!(
            page.contains(&format!("feedsift\\-{command}(1)")),
            "{command}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("man")
        .arg("--dir")
        .arg(dir.path().join("man1"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let poll = std::fs::read_to_string(dir.path().join("man1/feedsift-poll.1")).unwrap();
    assert!(poll.contains("Poll only this configured feed"), "{poll}");

    // Rendered as `feedsift man | man -l -` does, where man-db is installed (CI installs it).
    let Ok(mut man) = std::process::Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var_os("FEEDSIFT_REQUIRE_CLIENTS").is_none(),
            "man is not installed"
        );
        return;
    };
    use std::io::Write;
    man.stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let shown = man.wait_with_output().unwrap();
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let shown = text(&shown.stdout);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "FEEDSIFT_CONFIG",
    ] {
        assert!(shown.contains(section), "{section}: {shown}");
    }
}

#[test]
fn completions_are_scripts_each_shell_reads() {
    let o = bin().args(["completions", "bash"]).output().unwrap();
    assert!(o.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("feedsift.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&o.stdout).contains("import-opml"));
    let zsh = text(&bin().args(["completions", "zsh"]).output().unwrap().stdout);
    assert!(zsh.starts_with("#compdef feedsift"), "{zsh}");
    let fish = text(&bin().args(["completions", "fish"]).output().unwrap().stdout);
    assert!(fish.contains("complete -c feedsift"), "{fish}");
}

#[test]
fn every_argument_and_flag_has_help_text() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            if a.get_help().is_none() && a.get_long_help().is_none() {
                missing.push(format!("{path} {}", a.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {}", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    use clap::CommandFactory;
    let mut cmd = feedsift::cli::Cli::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, "feedsift", &mut missing);
    assert!(missing.is_empty(), "no help text: {missing:?}");
}

#[tokio::test]
async fn check_prints_absolute_paths_and_counts_in_words() {
    let cfg = TestConfig::new(
        "[daemon]\ndatabase = \"data/feedsift.db\"\n[[feed]]\nurl = \"https://a.example/feed\"\n[[topic]]\nid = \"t\"\nquery = \"korea\"\n",
    );
    let o = bin()
        .current_dir(cfg.dir.path())
        .args(["--config", "feedsift.toml", "check"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let dir = cfg.dir.path().canonicalize().unwrap();
    assert!(
        out.contains(&format!(
            "config {} is valid",
            dir.join("feedsift.toml").display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "database   {}",
            dir.join("data/feedsift.db").display()
        )),
        "{out}"
    );
    assert!(
        out.contains("\n1 feed:\n") && out.contains("\n1 topic:\n"),
        "{out}"
    );
}

#[tokio::test]
async fn feeds_and_topics_print_aligned_columns_without_colour_when_piped() {
    let server = FeedServer::start().await;
    server.set(
        "/a.xml",
        "application/rss+xml",
        rss(
            "A",
            &[(
                "1",
                "Kim meets Shoigu in Pyongyang",
                "https://a.example/1",
                "Russia.",
            )],
        ),
    );
    server.set_status("/a-longer-name-that-fails.xml", 500, &[]);
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n[[topic]]\nid = \"korea-russia-relations\"\nquery = \"shoigu\"\n",
        server.url("/a.xml"),
        server.url("/a-longer-name-that-fails.xml")
    ));
    let path = cfg.path.clone();
    let (feeds, topics) = tokio::task::spawn_blocking(move || {
        bin()
            .arg("--config")
            .arg(&path)
            .arg("poll")
            .output()
            .unwrap();
        let feeds = bin()
            .arg("--config")
            .arg(&path)
            .arg("feeds")
            .output()
            .unwrap();
        let topics = bin()
            .arg("--config")
            .arg(&path)
            .arg("topics")
            .output()
            .unwrap();
        (feeds, topics)
    })
    .await
    .unwrap();
    for o in [&feeds, &topics] {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(!o.stdout.contains(&0x1b));
    }
    assert_columns_line_up(
        &text(&feeds.stdout),
        &["STATUS", "LAST SUCCESS", "NEXT POLL", "FEED"],
    );
    let feeds = text(&feeds.stdout);
    assert!(feeds.lines().any(|l| l.starts_with("ok ")), "{feeds}");
    assert!(
        feeds
            .lines()
            .any(|l| l.starts_with("failing ") && l.contains("[http_5xx ×1]")),
        "{feeds}"
    );
    assert_columns_line_up(&text(&topics.stdout), &["TOPIC", "NEWEST", "URL"]);
    assert!(
        text(&topics.stdout).contains("korea-russia-relations        1  "),
        "{}",
        text(&topics.stdout)
    );
}

/// Each left-aligned header starts its column: every row has a space before that offset and
/// text at it.
fn assert_columns_line_up(table: &str, headers: &[&str]) {
    let mut lines = table.lines();
    let head = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{table}");
    for h in headers {
        let at = head.find(h).unwrap_or_else(|| panic!("{h} in {head}"));
        for r in &rows {
            let chars: Vec<char> = r.chars().collect();
            assert!(at == 0 || chars[at - 1] == ' ', "{h} in {r:?}\n{table}");
            assert!(
                chars.get(at).is_some_and(|c| *c != ' '),
                "{h} in {r:?}\n{table}"
            );
        }
    }
}
