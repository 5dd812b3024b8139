//! Conformance runner: parses every file under a folder the way `feedsift poll` parses a fetched
//! document, and prints counts by outcome (per top-level folder), the files that failed, and any
//! parser crash. Exits 1 if the parser crashed (panicked) on any file; nothing is stored.
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
        let result = feedsift::parse::parse_guarded(&bytes, &url, None);
        if t.elapsed() > Duration::from_secs(1) {
            c.slow += 1;
            failures.push(format!(
                "slow    {} ({:.1} s)",
                rel.display(),
                t.elapsed().as_secs_f64()
            ));
        }
        match result {
            Ok(f) if f.entries.is_empty() => {
                c.ok += 1;
                c.ok_empty += 1;
            }
            Ok(_) => c.ok += 1,
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
        "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "folder", "files", "ok", "error", "panic", "slow"
    );
    let mut total = Counts::default();
    for (g, c) in &by_group {
        println!(
            "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6}",
            g, c.files, c.ok, c.error, c.panic, c.slow
        );
        total.files += c.files;
        total.ok += c.ok;
        total.ok_empty += c.ok_empty;
        total.error += c.error;
        total.panic += c.panic;
        total.slow += c.slow;
    }
    println!(
        "{:<36} {:>6} {:>6} {:>6} {:>6} {:>6}   ({} read as feeds with no entries; {:.1} s)",
        "total",
        total.files,
        total.ok,
        total.error,
        total.panic,
        total.slow,
        total.ok_empty,
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
