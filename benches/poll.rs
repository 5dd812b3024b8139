//! Poll benchmark: generates N feeds (RSS 2.0, Atom, RSS 1.0/RDF, JSON Feed; 20–100 entries
//! each), serves them on 127.0.0.1 from this process, and runs the real `feedsift poll` binary
//! twice into a fresh database: a first cycle that stores everything, and a second where 30 %
//! of the feeds carry 5 new entries and the rest answer 304. For each cycle it prints wall
//! time, feeds/s, entries/s, the child's CPU seconds and peak RSS, and feedsift's own split of
//! where the time went; then checks the database holds every entry exactly once.
//!
//! ```sh
//! cargo bench --bench poll -- --feeds 2000     # also: --seed N, --concurrency N
//! FEEDSIFT_BENCH_BIN=/path/to/other/feedsift cargo bench --bench poll   # measure another build
//! ```

mod workload;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use sha2::Digest;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use workload::{Feed, VOCAB, make_entry, render};

struct Args {
    feeds: usize,
    seed: u64,
    concurrency: usize,
}

fn args() -> Args {
    let mut a = Args {
        feeds: 2000,
        seed: 42,
        concurrency: 32,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let value = || argv.get(i + 1).and_then(|v| v.parse().ok());
        match argv[i].as_str() {
            "--feeds" => a.feeds = value().expect("--feeds N"),
            "--seed" => a.seed = value().expect("--seed N") as u64,
            "--concurrency" => a.concurrency = value().expect("--concurrency N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

#[derive(Clone)]
struct Doc {
    body: Arc<Vec<u8>>,
    etag: String,
    content_type: &'static str,
}

type Docs = Arc<RwLock<HashMap<String, Doc>>>;

fn publish(docs: &Docs, feeds: &[Feed]) -> u64 {
    let mut bytes = 0;
    let mut map = docs.write().unwrap();
    for f in feeds {
        let (body, content_type) = render(f);
        bytes += body.len() as u64;
        let etag = format!(
            "\"{}\"",
            hex::encode(&sha2::Sha256::digest(body.as_bytes())[..8])
        );
        map.insert(
            f.path.clone(),
            Doc {
                body: Arc::new(body.into_bytes()),
                etag,
                content_type,
            },
        );
    }
    bytes
}

async fn serve_doc(State(docs): State<Docs>, req: Request) -> Response {
    let doc = docs.read().unwrap().get(req.uri().path()).cloned();
    let Some(doc) = doc else {
        return Response::builder().status(404).body(Body::empty()).unwrap();
    };
    let inm = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if inm == Some(doc.etag.as_str()) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, doc.etag)
            .body(Body::empty())
            .unwrap();
    }
    Response::builder()
        .header(header::CONTENT_TYPE, doc.content_type)
        .header(header::ETAG, doc.etag)
        .body(Body::from(doc.body.as_ref().clone()))
        .unwrap()
}

struct Cycle {
    wall: f64,
    cpu: f64,
    max_rss_mib: f64,
    summary: String,
}

/// Runs `feedsift poll` and measures that child alone (wait4 gives its own rusage).
/// The feedsift binary to measure: this build's, or `FEEDSIFT_BENCH_BIN` (to compare builds).
fn binary() -> String {
    std::env::var("FEEDSIFT_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_feedsift").to_string())
}

fn run_poll(config: &std::path::Path, cycle: usize) -> Cycle {
    let started = Instant::now();
    // FEEDSIFT_BENCH_WRAP="perf record -g -o perf-{cycle}.data" runs each poll under a profiler.
    let wrap: Vec<String> = std::env::var("FEEDSIFT_BENCH_WRAP")
        .map(|w| {
            w.replace("{cycle}", &cycle.to_string())
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut cmd = match wrap.split_first() {
        Some((prog, rest)) => {
            let mut c = std::process::Command::new(prog);
            c.args(rest).arg(binary());
            c
        }
        None => std::process::Command::new(binary()),
    };
    #[allow(clippy::zombie_processes)] // reaped below with wait4, which also gives its rusage
    let child = cmd
        .args(["poll", "--config"])
        .arg(config)
        .env("FEEDSIFT_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start feedsift");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    // Peak RSS is sampled from /proc (VmHWM, the child's own high-water mark) rather than taken
    // from rusage: a forked child's ru_maxrss starts at this (large) process's RSS.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak_kib = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
                    .ok()
                    .and_then(|status| {
                        status
                            .lines()
                            .find_map(|l| l.strip_prefix("VmHWM:"))
                            .and_then(|v| {
                                v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
                            })
                    });
                peak_kib = peak_kib.max(kib.unwrap_or(0));
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            peak_kib
        })
    };
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; `usage` is a valid out-pointer.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let wall = started.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak_kib = sampler.join().unwrap();
    let summary = reader.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "feedsift poll failed:\n{summary}"
    );
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Cycle {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_mib: peak_kib as f64 / 1024.0,
        summary,
    }
}

fn report(name: &str, feeds: usize, entries: usize, c: &Cycle) {
    println!(
        "{name}: {:.2} s wall, {:.0} feeds/s, {:.0} entries/s, {:.2} CPU s, peak RSS {:.1} MiB",
        c.wall,
        feeds as f64 / c.wall,
        entries as f64 / c.wall,
        c.cpu,
        c.max_rss_mib
    );
    for line in c.summary.lines().filter(|l| !l.starts_with("warning")) {
        println!("    {line}");
    }
}

fn main() {
    let a = args();
    let mut rng = fastrand::Rng::with_seed(a.seed);
    let (mut feeds, shared) = workload::generate(&mut rng, a.feeds);
    let docs: Docs = Arc::default();
    let bytes = publish(&docs, &feeds);
    let first_entries: usize = feeds.iter().map(|f| f.entries.len()).sum();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(serve_doc).with_state(docs.clone());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let mut config = format!(
        "[daemon]\ndatabase = \"bench.db\"\nconcurrency = {c}\nper_host = {c}\nmin_interval = \"1s\"\n\n",
        c = a.concurrency
    );
    config.push_str(
        "[aliases]\ndprk = [\"north korea\", \"north korean\", \"kim jong un\", \"pyongyang\"]\nrussia = [\"russia\", \"russian\", \"putin\", \"shoigu\", \"lavrov\", \"vostochny\"]\n\n",
    );
    config.push_str("[[topic]]\nid = \"korea-russia\"\nquery = \"@dprk AND @russia\"\n\n");
    // 19 more topics on words of middling frequency, as real topics are on names and places.
    VOCAB.with(|v| {
        for i in 0..19 {
            let (a, b, c) = (&v[400 + i * 40], &v[410 + i * 40], &v[420 + i * 40]);
            let _ = write!(
                config,
                "[[topic]]\nid = \"t{i}\"\nquery = '''\"{a} {b}\" OR ({c} NEAR/5 {a}*)'''\n\n"
            );
        }
    });
    for f in &feeds {
        let _ = write!(config, "[[feed]]\nurl = \"http://{addr}{}\"\n", f.path);
    }
    let config_path = dir.path().join("feedsift.toml");
    std::fs::write(&config_path, config).unwrap();

    println!(
        "workload: {} feeds, {:.0} MB, {} entries, 20 topics (seed {}, concurrency {})",
        a.feeds,
        bytes as f64 / 1e6,
        first_entries,
        a.seed,
        a.concurrency
    );
    let first = run_poll(&config_path, 1);
    report("first poll ", a.feeds, first_entries, &first);

    // 30 % of the feeds get 5 new entries; the rest will answer 304.
    let mut changed = 0;
    let mut added = 0;
    for (i, f) in feeds.iter_mut().enumerate() {
        if rng.f64() < 0.3 {
            let base = f.entries.len();
            for k in 0..5 {
                f.entries
                    .insert(0, make_entry(&mut rng, i, base + k, &shared));
            }
            changed += 1;
            added += 5;
        }
    }
    publish(&docs, &feeds);
    let second = run_poll(&config_path, 2);
    report(
        &format!(
            "second poll ({changed} changed, {} unchanged)",
            a.feeds - changed
        ),
        a.feeds,
        added,
        &second,
    );

    let db = dir.path().join("bench.db");
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!("database: {:.0} MB", size as f64 / 1e6);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    let expected = first_entries + added;
    println!("stored {stored} entries (expected {expected})");
    assert_eq!(stored as usize, expected, "every entry stored exactly once");
}
