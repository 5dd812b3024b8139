//! Parse benchmark: feedsift's whole parse step (encoding front end, feed-rs, normalising every
//! entry: plain-text titles, absolute links, text for matching) against feed-rs alone, over
//! the same documents held in memory, on one core. Prints CPU time (of the benchmark's thread,
//! so that other load on a shared machine counts less), MB/s and entries/s for each (medians
//! of `--runs` passes) and their ratio (the target is at most 1.5).
//!
//! ```sh
//! cargo bench --bench parse                      # the synthetic workload, 500 feeds
//! cargo bench --bench parse -- --feeds 2000 --runs 5
//! cargo bench --bench parse -- --dir /tmp/feedsift-bench/n2000/feeds   # any folder of feeds
//! ```

mod workload;

use std::time::Duration;

struct Args {
    feeds: usize,
    runs: usize,
    dir: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        feeds: 500,
        runs: 3,
        dir: None,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let value = || argv.get(i + 1).cloned();
        match argv[i].as_str() {
            "--feeds" => a.feeds = value().and_then(|v| v.parse().ok()).expect("--feeds N"),
            "--runs" => a.runs = value().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--dir" => a.dir = Some(value().expect("--dir DIR")),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn load(a: &Args) -> Vec<Vec<u8>> {
    match &a.dir {
        Some(dir) => {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .expect("a readable --dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            paths.sort();
            paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
        }
        None => {
            let mut rng = fastrand::Rng::with_seed(42);
            let (feeds, _) = workload::generate(&mut rng, a.feeds);
            feeds
                .iter()
                .map(|f| workload::render(f).0.into_bytes())
                .collect()
        }
    }
}

/// CPU time of this thread: what parsing costs, without the time the shared machine gave to
/// others.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through the valid pointer it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let a = args();
    let docs = load(&a);
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let base = "http://127.0.0.1/feeds/x";

    let feed_rs = || {
        let parser = feed_rs::parser::Builder::new().base_uri(Some(base)).build();
        let mut entries = 0;
        for d in &docs {
            if let Ok(f) = parser.parse(d.as_slice()) {
                entries += f.entries.len();
            }
        }
        entries
    };
    let ours = || {
        let mut entries = 0;
        for d in &docs {
            if let Ok(f) = feedsift::parse::parse_http(d, base, Some("application/xml")) {
                entries += f.entries.len();
            }
        }
        entries
    };

    // The two alternate run by run, and the ratio is the median of per-run ratios, so that the
    // drift of a shared machine falls on both alike.
    let names = ["feed-rs alone", "feedsift parse"];
    let runs: [&dyn Fn() -> usize; 2] = [&feed_rs, &ours];
    let mut times = [Vec::new(), Vec::new()];
    let mut entries = [0, 0];
    let mut ratios = Vec::new();
    for _ in 0..a.runs {
        for (k, f) in runs.iter().enumerate() {
            let t = thread_cpu();
            entries[k] = f();
            times[k].push(thread_cpu() - t);
        }
        ratios
            .push(times[1].last().unwrap().as_secs_f64() / times[0].last().unwrap().as_secs_f64());
    }
    for k in 0..2 {
        let t = median(times[k].clone());
        println!(
            "{:<15} {:>8.3} CPU s  {:>7.1} MB/s  {:>8.0} entries/s  ({} documents, {} entries)",
            names[k],
            t.as_secs_f64(),
            bytes as f64 / 1e6 / t.as_secs_f64(),
            entries[k] as f64 / t.as_secs_f64(),
            docs.len(),
            entries[k]
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "ratio feedsift / feed-rs: {:.2} (median of {} alternating runs; range {:.2}–{:.2})",
        ratios[ratios.len() / 2],
        a.runs,
        ratios[0],
        ratios[ratios.len() - 1]
    );
}
