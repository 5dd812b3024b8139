//! The benchmarks' synthetic workload: news-like feeds in RSS 2.0, Atom, RSS 1.0 and JSON Feed,
//! 20–100 entries each with 200–2,000 bytes of HTML, a tenth of them syndicated stories that
//! several feeds carry under tracking links, 2 % about Korea–Russia (and look-alike decoys).
#![allow(dead_code)]

use std::fmt::Write as _;

pub const WORDS: &[&str] = &[
    "government",
    "minister",
    "talks",
    "economy",
    "security",
    "border",
    "trade",
    "election",
    "report",
    "officials",
    "said",
    "week",
    "agreement",
    "military",
    "energy",
    "market",
    "prices",
    "court",
    "police",
    "city",
    "plan",
    "budget",
    "president",
    "parliament",
    "summit",
    "climate",
    "health",
    "workers",
    "strike",
    "vote",
    "bank",
    "rates",
    "exports",
    "region",
    "crisis",
];

pub const KR_TITLES: &[&str] = &[
    "Kim Jong Un receives Russian defence minister Shoigu in Pyongyang",
    "North Korea and Russia sign military cooperation pact",
    "Putin hosts Kim at Vostochny cosmodrome",
    "Lavrov visits Pyongyang for talks with North Korean officials",
];
pub const DECOYS: &[&str] = &[
    "North Korea fires ballistic missile into the sea",
    "Russia raises interest rates again",
    "South Korea's exports climb for sixth month",
];

pub struct Entry {
    pub id: String,
    pub title: String,
    pub link: String,
    pub html: String,
    pub hour: u32,
}

pub struct Feed {
    pub path: String,
    pub kind: usize,
    pub title: String,
    pub entries: Vec<Entry>,
}

pub const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "ten", "sa", "lo", "ve", "dar", "in", "cu", "po", "rel", "ta", "ni", "gos",
    "bre", "an", "ti", "mon", "el", "sur", "pa", "di", "vor", "le", "qua", "si", "tro", "ban", "e",
];

/// A vocabulary of news-like size: the common words above, then 3,000 made-up ones.
pub fn vocabulary() -> Vec<String> {
    let mut v: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
    let n = SYLLABLES.len();
    for i in 0..3000 {
        let (a, b, c) = (i % n, (i / n) % n, (i / (n * n)) % n);
        v.push(format!("{}{}{}", SYLLABLES[a], SYLLABLES[b], SYLLABLES[c]));
    }
    v
}

thread_local! {
    pub static VOCAB: Vec<String> = vocabulary();
}

/// Words drawn with a Zipf-like skew: a few common, most rare, as in real text.
pub fn sentence(rng: &mut fastrand::Rng, words: usize) -> String {
    VOCAB.with(|v| {
        (0..words)
            .map(|_| v[(rng.f64().powi(3) * v.len() as f64) as usize].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

pub fn make_entry(
    rng: &mut fastrand::Rng,
    feed: usize,
    n: usize,
    shared: &[(String, String)],
) -> Entry {
    // RSS 1.0 items have no guid: their identity is their link, so they get links of their own.
    let roll = if feed_kind(feed) == 2 { 0.5 } else { rng.f64() };
    let (title, link) = if roll < 0.02 {
        let t = if rng.bool() {
            KR_TITLES[rng.usize(..KR_TITLES.len())]
        } else {
            DECOYS[rng.usize(..DECOYS.len())]
        };
        (t.to_string(), format!("https://news{feed}.example/kr/{n}"))
    } else if roll < 0.12 {
        // A syndicated story: the same page with the outlet's own tracking parameters.
        let (t, l) = &shared[rng.usize(..shared.len())];
        (
            t.clone(),
            format!("{l}?utm_source=feed{feed}&utm_medium=rss"),
        )
    } else {
        (
            sentence(rng, 8),
            format!("https://news{feed}.example/{n}/{}", rng.u32(..)),
        )
    };
    let len = rng.usize(200..2000);
    let mut html = String::new();
    while html.len() < len {
        let _ = write!(
            html,
            "<p>{}. <a href=\"/x/{}\">more</a></p>",
            sentence(rng, 12),
            rng.u16(..)
        );
    }
    Entry {
        id: format!("feed{feed}-entry{n}"),
        title,
        link,
        html,
        hour: rng.u32(0..24),
    }
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn render(f: &Feed) -> (String, &'static str) {
    let mut s = String::new();
    match f.kind {
        0 => {
            let _ = write!(
                s,
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{}</title><link>https://example.com/</link>",
                esc(&f.title)
            );
            for e in &f.entries {
                let _ = write!(
                    s,
                    "<item><guid isPermaLink=\"false\">{}</guid><title>{}</title><link>{}</link><description>{}</description><pubDate>Fri, 13 Sep 2024 {:02}:00:00 GMT</pubDate></item>",
                    e.id,
                    esc(&e.title),
                    esc(&e.link),
                    esc(&e.html),
                    e.hour
                );
            }
            s.push_str("</channel></rss>");
            (s, "application/rss+xml")
        }
        1 => {
            let _ = write!(
                s,
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{}</title><id>urn:{}</id><updated>2024-09-13T12:00:00Z</updated>",
                esc(&f.title),
                f.path
            );
            for e in &f.entries {
                let _ = write!(
                    s,
                    "<entry><id>urn:{}</id><title>{}</title><link href=\"{}\"/><updated>2024-09-13T{:02}:00:00Z</updated><content type=\"html\">{}</content></entry>",
                    e.id,
                    esc(&e.title),
                    esc(&e.link),
                    e.hour,
                    esc(&e.html)
                );
            }
            s.push_str("</feed>");
            (s, "application/atom+xml")
        }
        2 => {
            let _ = write!(
                s,
                "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"https://example.com/\"><title>{}</title><link>https://example.com/</link></channel>",
                esc(&f.title)
            );
            for e in &f.entries {
                let _ = write!(
                    s,
                    "<item rdf:about=\"{0}\"><title>{1}</title><link>{0}</link><description>{2}</description><dc:date>2024-09-13T{3:02}:00:00Z</dc:date></item>",
                    esc(&e.link),
                    esc(&e.title),
                    esc(&e.html),
                    e.hour
                );
            }
            s.push_str("</rdf:RDF>");
            (s, "application/rdf+xml")
        }
        _ => {
            let items: Vec<_> = f
                .entries
                .iter()
                .map(|e| serde_json::json!({"id": e.id, "url": e.link, "title": e.title, "content_html": e.html, "date_published": format!("2024-09-13T{:02}:00:00Z", e.hour)}))
                .collect();
            let doc = serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": f.title, "items": items});
            (doc.to_string(), "application/feed+json")
        }
    }
}

/// The format of feed `i`: 55 % RSS 2.0, 25 % Atom, 10 % RSS 1.0, 10 % JSON Feed.
pub fn feed_kind(i: usize) -> usize {
    match i % 20 {
        0..=10 => 0,
        11..=15 => 1,
        16..=17 => 2,
        _ => 3,
    }
}

/// `n` feeds drawn from `seed`, with 500 shared (syndicated) stories among them.
pub fn generate(rng: &mut fastrand::Rng, n: usize) -> (Vec<Feed>, Vec<(String, String)>) {
    let shared: Vec<(String, String)> = (0..500)
        .map(|i| (sentence(rng, 9), format!("https://wire.example/story/{i}")))
        .collect();
    let feeds = (0..n)
        .map(|i| {
            let kind = feed_kind(i);
            let entries = rng.usize(20..=100);
            Feed {
                path: format!("/feeds/{i}"),
                kind,
                title: format!("Outlet {i}"),
                entries: (0..entries)
                    .map(|k| make_entry(rng, i, k, &shared))
                    .collect(),
            }
        })
        .collect();
    (feeds, shared)
}
