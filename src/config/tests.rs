use super::*;

fn load_str(text: &str) -> Result<Config, ConfigError> {
    parse(text, Path::new("conf/feedsift.toml"), None)
}

fn err(text: &str) -> String {
    load_str(text).unwrap_err().to_string()
}

const GOOD: &str = r#"
[daemon]
listen = "127.0.0.1:9090"
poll_interval = "10m"
min_interval = "1s"
max_body = "1MiB"

[[feed]]
url = "https://example.com/a.xml"
tags = ["korea"]

[[feed]]
url = "https://example.org/b.xml"
interval = "15m"

[aliases]
dprk = ["north korea", "kim jong un", "김정은"]

[[topic]]
id = "korea-russia"
title = "Korea–Russia relations"
query = '''@dprk AND russia'''
exclude = "category:sport"
feeds = ["tag:korea", "https://EXAMPLE.org/b.xml"]
limit = 20
"#;

#[test]
fn a_good_config_resolves_defaults_and_paths() {
    let c = load_str(GOOD).unwrap();
    assert_eq!(c.daemon.database, Path::new("conf/feedsift.db"));
    assert_eq!(c.daemon.public_url, "http://127.0.0.1:9090");
    assert_eq!(c.daemon.max_body, 1024 * 1024);
    assert_eq!(c.daemon.concurrency, 32);
    assert_eq!(c.daemon.poll_interval, Duration::from_secs(600));
    assert_eq!(c.feeds.len(), 2);
    assert_eq!(c.interval_of(&c.feeds[1]), Duration::from_secs(900));
    let t = c.topic("korea-russia").unwrap();
    assert_eq!(t.limit, 20);
    assert_eq!(t.query.to_string(), "(@dprk AND russia)");
    assert_eq!(
        t.scope,
        [
            Scope::Tag("korea".into()),
            Scope::Url("https://example.org/b.xml".into())
        ]
    );
    assert!(t.exclude.is_some());
}

#[test]
fn database_goes_to_the_state_directory_under_systemd() {
    let c = parse(
        "",
        Path::new("/etc/feedsift/feedsift.toml"),
        Some(Path::new("/var/lib/feedsift")),
    )
    .unwrap();
    assert_eq!(
        c.daemon.database,
        Path::new("/var/lib/feedsift/feedsift.db")
    );
}

#[test]
fn unknown_keys_are_errors_with_line_and_column() {
    let e = err("[daemon]\nlisten = \"127.0.0.1:1\"\npoll_intervall = \"5m\"\n");
    assert!(
        e.starts_with("conf/feedsift.toml:3:1: unknown field `poll_intervall`"),
        "{e}"
    );
    let e = err("[[feed]]\nurl = \"https://x.org/\"\nintreval = \"5m\"\n");
    assert!(
        e.starts_with("conf/feedsift.toml:3:1: unknown field `intreval`"),
        "{e}"
    );
    let e = err("[[topics]]\nid = \"x\"\n");
    assert!(e.contains("unknown field `topics`"), "{e}");
}

#[test]
fn toml_syntax_errors_are_located() {
    let e = err("[daemon]\nlisten = 127.0.0.1\n");
    assert!(e.starts_with("conf/feedsift.toml:2:"), "{e}");
}

#[test]
fn bad_values_are_all_reported_with_positions() {
    let e = err(r#"[daemon]
poll_interval = "soon"
max_body = "huge"
concurrency = 0

[[feed]]
url = "ftp://example.com/feed"

[[feed]]
url = "https://example.com/a"

[[feed]]
url = "HTTPS://EXAMPLE.COM/a"
"#);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 5, "{e}");
    assert!(
        lines[0].starts_with("conf/feedsift.toml:2:17: poll_interval: invalid duration \"soon\""),
        "{e}"
    );
    assert!(
        lines[1].starts_with("conf/feedsift.toml:4:15: concurrency must be between 1 and 100000"),
        "{e}"
    );
    assert!(
        lines[2].starts_with("conf/feedsift.toml:3:12: max_body: invalid size \"huge\""),
        "{e}"
    );
    assert!(
        lines[3].starts_with(
            "conf/feedsift.toml:7:7: feed url \"ftp://example.com/feed\": only http and https"
        ),
        "{e}"
    );
    assert!(
        lines[4].starts_with(
            "conf/feedsift.toml:13:7: feed \"HTTPS://EXAMPLE.COM/a\" is configured twice"
        ),
        "{e}"
    );
}

#[test]
fn query_errors_point_into_the_file() {
    let e = err("[[topic]]\nid = \"t\"\nquery = \"korea AND (russia\"\n");
    assert_eq!(
        e,
        "conf/feedsift.toml:3:27: topic \"t\" query: expected ')' after \"russia\""
    );
    let e = err("[[topic]]\nid = \"t\"\nquery = '''\nkorea AND\n  @nope'''\n");
    assert_eq!(
        e,
        "conf/feedsift.toml:5:3: topic \"t\" query: unknown alias @nope (no aliases are defined in [aliases])"
    );
}

#[test]
fn topic_rules() {
    let base = "[[feed]]\nurl = \"https://example.com/a\"\n";
    let e = err(&format!(
        "{base}[[topic]]\nid = \"Korea Russia\"\nquery = \"korea\"\n"
    ));
    assert!(
        e.contains("topic id \"Korea Russia\" must be 1 to 64 characters"),
        "{e}"
    );
    let e = err(&format!(
        "{base}[[topic]]\nid = \"t\"\nquery = \"korea\"\nlimit = 501\n"
    ));
    assert!(e.contains("limit must be between 1 and 500"), "{e}");
    let e = err(&format!(
        "{base}[[topic]]\nid = \"t\"\nquery = \"korea\"\nfeeds = [\"tag:nope\"]\n"
    ));
    assert!(e.contains("no configured feed has the tag \"nope\""), "{e}");
    let e = err(&format!(
        "{base}[[topic]]\nid = \"t\"\nquery = \"a\"\n[[topic]]\nid = \"t\"\nquery = \"b\"\n"
    ));
    assert!(e.contains("topic id \"t\" is used twice"), "{e}");
}

#[test]
fn the_example_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/feedsift.toml");
    let c = load(&path, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.feeds.len() >= 20);
    assert!(c.topic("korea-russia").is_some());
}
