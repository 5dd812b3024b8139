//! Conformance runner: parses every file under a folder the way `feedsift poll` parses a fetched
//! document, and prints counts by outcome (per top-level folder), the files that failed, and any
//! parser crash. Exits 1 if the parser crashed (panicked) on any file; nothing is stored.
//!
//! Files from feedparser's test suite carry their HTTP headers (`Header: Content-type: ...`)
//! and what feedparser expects (`Expect: ... feed['title'] == '...'`, `encoding == '...'`) in a
//! leading comment: the headers are passed to the parser as a poll would, and where a title or
//! an encoding is expected, the runner checks it (titles as plain text: feedsift's are plain
//! text where feedparser keeps sanitised HTML). A file read with a wrong title or encoding
//! counts as `wrong`, not `ok`.
//!
//! ```sh
//! cargo run --release --example conformance -- ../shared/corpus [--list]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counts {
    files: usize,
    ok: usize,
    ok_empty: usize,
    /// Of `ok_empty`: documents holding `<item>`/`<entry>` elements none of which was read
    /// (a poll reports them as `parse` problems).
    unread: usize,
    /// Of `ok`: files whose expected title or encoding was checked, and how many differed.
    checked: usize,
    wrong: usize,
    error: usize,
    panic: usize,
    slow: usize,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("xml" | "rss" | "atom" | "rdf" | "json")
        ) {
            out.push(p);
        }
    }
}

/// What a feedparser test file's leading comment says.
#[derive(Default)]
struct Expectations {
    content_type: Option<String>,
    feed_title: Option<String>,
    entry_title: Option<String>,
    encoding: Option<String>,
}

/// A Python string literal's value, from just after its opening quote; `None` if it never ends.
fn python_string(s: &str, quote: char) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c == quote => return Some(out),
            '\\' => match chars.next()? {
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                'x' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// The literal compared with `lhs` in an `Expect:` line (`lhs == u'...'`).
fn expected(line: &str, lhs: &str) -> Option<String> {
    let rest = line[line.find(lhs)? + lhs.len()..].trim_start();
    let rest = rest.strip_prefix("==")?.trim_start();
    let rest = rest.strip_prefix('u').unwrap_or(rest);
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    python_string(&rest[1..], quote)
}

fn expectations(bytes: &[u8]) -> Expectations {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut e = Expectations::default();
    for line in head.lines() {
        let line = line.trim();
        if let Some(h) = line.strip_prefix("Header:") {
            let h = h.trim();
            if h.to_ascii_lowercase().starts_with("content-type:") {
                e.content_type = Some(h["content-type:".len()..].trim().to_string());
            }
        } else if let Some(x) = line.strip_prefix("Expect:") {
            e.feed_title = expected(x, "feed['title']");
            e.entry_title = expected(x, "entries[0]['title']");
            e.encoding = expected(x, "encoding");
        }
    }
    e
}

/// What differs from the expectations, if anything.
fn check(
    f: &feedsift::model::ParsedFeed,
    x: &Expectations,
    bytes: &[u8],
) -> Option<Option<String>> {
    use feedsift::parse::html::html_text;
    let mut checked = false;
    if let Some(want) = &x.feed_title {
        checked = true;
        let (want, got) = (html_text(want), f.title.clone().unwrap_or_default());
        if want != got {
            return Some(Some(format!("feed title {got:?}, expected {want:?}")));
        }
    }
    if let Some(want) = &x.entry_title {
        checked = true;
        let want = html_text(want);
        let got = f
            .entries
            .first()
            .map(|e| e.title.clone())
            .unwrap_or_default();
        if want != got {
            return Some(Some(format!("entry title {got:?}, expected {want:?}")));
        }
    }
    if let Some(want) = &x.encoding {
        checked = true;
        // Right when the text is: ASCII read as UTF-8 is as right as read as us-ascii.
        let text = |label: &str| {
            encoding_rs::Encoding::for_label(label.as_bytes()).map(|e| e.decode(bytes).0)
        };
        // UTF-32 is outside the WHATWG encodings encoding_rs knows: compare names.
        let utf32 = want.to_ascii_lowercase().replace(['-', '_'], "");
        if let Some(order) = utf32.strip_prefix("utf32") {
            let ours = f.encoding.to_ascii_lowercase().replace('-', "");
            if !ours.starts_with("utf32") || !ours.ends_with(order) {
                return Some(Some(format!("read as {}, expected {want}", f.encoding)));
            }
            return Some(None);
        }
        let want_text = text(want);
        if want_text.is_none() || want_text != text(f.encoding) {
            return Some(Some(format!("read as {}, expected {want}", f.encoding)));
        }
    }
    checked.then_some(None)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = args.iter().any(|a| a == "--list");
    let Some(root) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: conformance DIR [--list]");
        std::process::exit(2);
    };
    let root = Path::new(root);
    let mut files = Vec::new();
    walk(root, &mut files);
    // Crashes are counted, not printed as they happen.
    std::panic::set_hook(Box::new(|_| {}));
    let mut by_group: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    let started = Instant::now();
    for path in &files {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let group: String = rel
            .iter()
            .take(2)
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let c = by_group.entry(group).or_default();
        c.files += 1;
        let Ok(bytes) = std::fs::read(path) else {
            c.error += 1;
            continue;
        };
        let url = format!("http://corpus.test/{}", rel.display());
        let t = Instant::now();
        let expect = expectations(&bytes);
        let result = feedsift::parse::parse_guarded(&bytes, &url, expect.content_type.as_deref());
        if t.elapsed() > Duration::from_secs(1) {
            c.slow += 1;
            failures.push(format!(
                "slow    {} ({:.1} s)",
                rel.display(),
                t.elapsed().as_secs_f64()
            ));
        }
        match result {
            Ok(f) => match check(&f, &expect, &bytes) {
                Some(Some(diff)) => {
                    c.checked += 1;
                    c.wrong += 1;
                    failures.push(format!("wrong   {}: {diff}", rel.display()));
                }
                checked => {
                    c.checked += usize::from(checked.is_some());
                    c.ok += 1;
                    c.ok_empty += usize::from(f.entries.is_empty());
                    if f.unread_items > 0 {
                        c.unread += 1;
                        failures.push(format!(
                            "unread  {}: {} items, none read",
                            rel.display(),
                            f.unread_items
                        ));
                    }
                }
            },
            Err(e) if e.panicked => {
                c.panic += 1;
                failures.push(format!("PANIC   {}: {}", rel.display(), e.message));
            }
            Err(e) => {
                c.error += 1;
                failures.push(format!("error   {}: {}", rel.display(), e.message));
            }
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "folder", "files", "ok", "wrong", "error", "panic", "slow"
    );
    let mut total = Counts::default();
    for (g, c) in &by_group {
        println!(
            "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            g, c.files, c.ok, c.wrong, c.error, c.panic, c.slow
        );
        total.files += c.files;
        total.ok += c.ok;
        total.checked += c.checked;
        total.wrong += c.wrong;
        total.ok_empty += c.ok_empty;
        total.unread += c.unread;
        total.error += c.error;
        total.panic += c.panic;
        total.slow += c.slow;
    }
    println!(
        "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}   ({} read as feeds with no entries, {} of them holding items none of which was read; {} with an expected title or encoding checked; {:.1} s)",
        "total",
        total.files,
        total.ok,
        total.wrong,
        total.error,
        total.panic,
        total.slow,
        total.ok_empty,
        total.unread,
        total.checked,
        started.elapsed().as_secs_f64()
    );
    for f in &failures {
        if list || f.starts_with("PANIC") || f.starts_with("slow") {
            println!("{f}");
        }
    }
    if total.panic > 0 {
        std::process::exit(1);
    }
}
