//! Story grouping on labelled entries, without a server or a database: reads a JSON Lines file
//! of entries (`id`, `source`, `published`, `title`, `summary`, `story` (a group name or null),
//! and optionally `korea_russia`), groups them with [`feedsift::dedup::story::group_by_source`] in the
//! order of publication and in several shuffled orders, and prints, per order, how many of the
//! labelled groups with two entries or more end up as one story and how many stories hold
//! entries of two groups (false merges). `--only FIELD` keeps the entries whose boolean FIELD
//! is true (what a topic would let through); `--verbose` lists the splits and false merges of
//! the first order (`--all-orders`: of every order), and each split entry compared with the
//! other stories of its group. `--vetoes` counts instead, over the pairs of entries published
//! within a story's span, what keeps apart (or joins) two entries of one group and of
//! different groups; `--pairs` lists the pairs that join, hours apart and shares.
//!
//! ```sh
//! cargo run --release --example stories_eval -- ../shared/news-dev/items.jsonl [--only korea_russia] [--orders 6] [--verbose [--all-orders]] [--vetoes [--pairs]]
//! ```

use feedsift::dedup::story::{self, Fingerprint};
use std::collections::{BTreeMap, HashMap, HashSet};

struct Item {
    id: String,
    source: String,
    /// The outlet, as a number (the same for every entry of one outlet).
    outlet: i64,
    hours: i64,
    title: String,
    group: Option<String>,
    print: Fingerprint,
    /// The entry's words as it writes them, by hash (to name who a veto says is unmentioned).
    stems: HashMap<u32, String>,
}

/// A number for an outlet's name, the same for each of its entries.
fn outlet_number(name: &str) -> i64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    h.finish() as i64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!(
            "usage: stories_eval ITEMS.jsonl [--only FIELD] [--orders N] [--by-outlet] [--verbose [--all-orders]] [--vetoes [--pairs] [--vetoed]]"
        );
        std::process::exit(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let only = flag("--only");
    let orders: usize = flag("--orders").map_or(6, |n| n.parse().expect("--orders N"));
    let verbose = args.iter().any(|a| a == "--verbose");
    let text = std::fs::read_to_string(path).expect("readable items file");
    let mut items = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        if let Some(field) = only
            && v[field.as_str()] != serde_json::Value::Bool(true)
        {
            continue;
        }
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let published =
            chrono::DateTime::parse_from_rfc3339(&s("published")).expect("RFC 3339 published time");
        let summary = feedsift::parse::html::html_text(&s("summary"));
        items.push(Item {
            id: s("id"),
            outlet: outlet_number(&s("source")),
            source: s("source"),
            hours: published.timestamp() / 3600,
            print: story::fingerprint(&s("title"), &summary),
            stems: story::stems(&s("title"), &summary),
            title: s("title"),
            group: v["story"].as_str().map(str::to_string),
        });
    }
    items.sort_by_key(|i| i.hours);
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for g in items.iter().filter_map(|i| i.group.as_deref()) {
        *sizes.entry(g).or_default() += 1;
    }
    let multi = sizes.values().filter(|n| **n > 1).count();
    println!(
        "{} entries, {multi} labelled groups of two or more",
        items.len()
    );
    if args.iter().any(|a| a == "--vetoes") {
        vetoes(
            &items,
            args.iter().any(|a| a == "--pairs"),
            args.iter().any(|a| a == "--vetoed"),
        );
        return;
    }
    let by_outlet = args.iter().any(|a| a == "--by-outlet");
    let mut rng = fastrand::Rng::with_seed(7);
    for k in 0..orders {
        let mut order: Vec<usize> = (0..items.len()).collect();
        if k > 0 && by_outlet {
            // As a first poll sees them: one outlet's feed after another, in a random order of
            // outlets, each feed newest first.
            let mut outlets: Vec<&str> = items.iter().map(|i| i.source.as_str()).collect();
            outlets.sort_unstable();
            outlets.dedup();
            rng.shuffle(&mut outlets);
            let rank = |i: usize| outlets.iter().position(|o| *o == items[i].source);
            order.sort_by_key(|&i| (rank(i), std::cmp::Reverse(items[i].hours)));
        } else if k > 0 {
            rng.shuffle(&mut order);
        }
        let input: Vec<(Fingerprint, i64, i64)> = order
            .iter()
            .map(|&i| (items[i].print.clone(), items[i].hours, items[i].outlet))
            .collect();
        let got = story::group_by_source(&input);
        let mut story_of = vec![0; items.len()];
        for (pos, &i) in order.iter().enumerate() {
            story_of[i] = got[pos];
        }
        let (once, merges, stray) = score(
            &items,
            &story_of,
            &sizes,
            verbose && (k == 0 || args.iter().any(|a| a == "--all-orders")),
        );
        println!(
            "order {k}: {once} of {multi} groups shown once ({:.2}), {merges} false merges \
             ({stray} entries in a story of another group)",
            once as f64 / multi.max(1) as f64
        );
    }
}

/// Groups shown once, stories holding entries of two groups (an entry without a group is a
/// group of its own), and how many entries such stories hold besides those of their largest
/// group: what the false merges hide.
fn score(
    items: &[Item],
    story_of: &[usize],
    sizes: &HashMap<&str, usize>,
    verbose: bool,
) -> (usize, usize, usize) {
    let mut by_story: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in story_of.iter().enumerate() {
        by_story.entry(*s).or_default().push(i);
    }
    let label = |i: usize| {
        items[i]
            .group
            .clone()
            .unwrap_or_else(|| items[i].id.clone())
    };
    let (mut merges, mut stray) = (0, 0);
    for members in by_story.values() {
        let mut labels: HashMap<String, usize> = HashMap::new();
        for &i in members {
            *labels.entry(label(i)).or_default() += 1;
        }
        if labels.len() > 1 {
            merges += 1;
            stray += members.len() - labels.values().max().copied().unwrap_or(0);
            if verbose {
                println!("false merge:");
                for &i in members {
                    print_item(&items[i], &label(i));
                }
            }
        }
    }
    let mut once = 0;
    for (g, n) in sizes.iter().filter(|(_, n)| **n > 1) {
        let stories: HashSet<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.group.as_deref() == Some(*g))
            .map(|(k, _)| story_of[k])
            .collect();
        if stories.len() == 1 {
            once += 1;
        } else if verbose {
            println!("split {g} ({n} entries in {} stories):", stories.len());
            // Each entry against each other story its group's entries went to (the whole
            // story, as the writer compares).
            let weights = frequencies(items);
            let ours: HashSet<usize> = stories.iter().copied().collect();
            for (k, a) in items.iter().enumerate() {
                if a.group.as_deref() != Some(*g) {
                    continue;
                }
                for &other in ours.iter().filter(|s| **s != story_of[k]) {
                    let mut s = story::Story::default();
                    for (j, b) in items.iter().enumerate() {
                        if story_of[j] == other {
                            s.add(&b.print, b.hours, b.outlet);
                        }
                    }
                    let c = story::explain(&a.print, a.hours, a.outlet, &s, &weights);
                    println!(
                        "    {} vs story [{other}]: shared {:.2} title {:.2} veto {:?}",
                        a.id, c.shared, c.title_shared, c.veto
                    );
                }
            }
            for (k, i) in items.iter().enumerate() {
                if i.group.as_deref() == Some(*g) {
                    print!("  [{}] ", story_of[k]);
                    print_item(i, "");
                }
            }
        }
    }
    (once, merges, stray)
}

/// Word frequencies over every entry, each its own story.
fn frequencies(items: &[Item]) -> story::WordFrequencies {
    let mut w = story::WordFrequencies::default();
    for i in items {
        w.add_story(&i.print.words);
    }
    w
}

fn print_item(i: &Item, label: &str) {
    println!(
        "  {} {:>6} {:<18.18} {:<80.80} {label}",
        i.id, i.hours, i.source, i.title
    );
}

/// How often each veto keeps apart two entries of one group, and two of different groups,
/// published within a story's span (and, with `pairs`, the pairs that join; with `vetoed`, the
/// pairs whose words would join them but a veto keeps apart).
fn vetoes(items: &[Item], pairs: bool, vetoed: bool) {
    let weights = frequencies(items);
    let mut counts: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for (k, a) in items.iter().enumerate() {
        for b in &items[k + 1..] {
            if (a.hours - b.hours).abs() > story::SPAN_HOURS {
                continue;
            }
            let same = a.group.is_some() && a.group == b.group;
            let mut s = story::Story::default();
            s.add(&b.print, b.hours, b.outlet);
            let c = story::explain(&a.print, a.hours, a.outlet, &s, &weights);
            let joins = c.joins().is_some();
            let worded = c.veto.is_some()
                && (c.shared >= story::MIN_SHARED || c.title_shared >= story::MIN_TITLE_SHARED);
            if (joins && pairs) || (worded && vetoed) {
                let named = |hashes: &[u32], item: &Item| {
                    hashes
                        .iter()
                        .filter_map(|h| item.stems.get(h).map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(",")
                };
                let who = match (&c.unmentioned.0[..], &c.unmentioned.1[..]) {
                    ([], []) => String::new(),
                    (a_only, b_only) => {
                        format!(" ({} / {})", named(a_only, a), named(b_only, b))
                    }
                };
                println!(
                    "{} {:>3}h {:.2} {:.2} {:<70.70} | {:<70.70}{}{who}",
                    if same { "SAME" } else { "diff" },
                    (a.hours - b.hours).abs(),
                    c.shared,
                    c.title_shared,
                    a.title,
                    b.title,
                    c.veto.map(|v| format!(" [{v}]")).unwrap_or_default()
                );
            }
            *counts
                .entry((
                    same,
                    c.veto
                        .unwrap_or(if joins { "joins" } else { "too few words" }),
                ))
                .or_default() += 1;
        }
    }
    for ((same, why), n) in counts {
        println!(
            "{:<10} {why:<45} {n}",
            if same { "same" } else { "different" }
        );
    }
}
