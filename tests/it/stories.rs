//! Story grouping over a labelled corpus of wire copy (`tests/fixtures/stories.tsv`): the same
//! event through several outlets (tracking links, syndicated copies, Google Alerts links,
//! reworded headlines) should be one story; look-alike events must never be.

use crate::helpers::*;
use feedsift::dedup::{canonical_url, story};
use feedsift::parse::html::html_text;
use std::collections::{BTreeMap, BTreeSet};

struct Item {
    story: String,
    hours: i64,
    link: String,
    fingerprint: story::Fingerprint,
}

/// The example config's aliases that name one thing in several scripts.
fn example_name_sets() -> story::NameSets {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/feedsift.toml");
    let dir = tempfile::tempdir().unwrap();
    feedsift::config::load(&path, Some(dir.path()))
        .expect("the example config loads")
        .name_sets
}

fn corpus() -> Vec<Item> {
    let sets = example_name_sets();
    tsv_fixture("stories.tsv")
        .into_iter()
        .map(|c| {
            assert_eq!(c.len(), 6, "bad corpus line: {c:?}");
            Item {
                story: c[0].clone(),
                hours: c[2].parse().unwrap(),
                link: c[3].clone(),
                fingerprint: story::fingerprint_with(&html_text(&c[4]), &html_text(&c[5]), &sets),
            }
        })
        .collect()
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while parent[r] != r {
        r = parent[r];
    }
    parent[i] = r;
    r
}

/// Stories as the writer forms them: entries joined by wording ([`story::group`], with the
/// entries in `order`), and by canonical link.
fn stories(items: &[Item], order: &[usize]) -> Vec<usize> {
    let n = items.len();
    let list: Vec<_> = order
        .iter()
        .map(|&i| (items[i].fingerprint.clone(), items[i].hours))
        .collect();
    let by_words = story::group(&list);
    let mut parent: Vec<usize> = (0..n).collect();
    for (k, &i) in order.iter().enumerate() {
        if let Some(first) = (0..k).find(|&j| by_words[j] == by_words[k]) {
            let (ra, rb) = (find(&mut parent, i), find(&mut parent, order[first]));
            parent[ra] = rb;
        }
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&items[i], &items[j]);
            if canonical_url(&a.link).is_some() && canonical_url(&a.link) == canonical_url(&b.link)
            {
                let (ra, rb) = (find(&mut parent, i), find(&mut parent, j));
                parent[ra] = rb;
            }
        }
    }
    (0..n).map(|i| find(&mut parent, i)).collect()
}

#[test]
fn one_story_once_and_look_alikes_apart_in_any_order() {
    let items = corpus();
    assert!(items.len() >= 60, "{} entries", items.len());
    let n = items.len();
    // As listed, reversed, and shuffled a few ways (a fixed seed).
    let mut orders: Vec<Vec<usize>> = vec![(0..n).collect(), (0..n).rev().collect()];
    let mut rng = fastrand::Rng::with_seed(11);
    for _ in 0..4 {
        let mut o: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut o);
        orders.push(o);
    }
    for order in orders {
        let root = stories(&items, &order);
        let mut groups: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        let mut roots: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            groups
                .entry(item.story.as_str())
                .or_default()
                .insert(root[i]);
            roots
                .entry(root[i])
                .or_default()
                .insert(item.story.as_str());
        }
        let multi: Vec<&str> = groups
            .keys()
            .copied()
            .filter(|s| items.iter().filter(|i| i.story == *s).count() > 1)
            .collect();
        let split: Vec<&str> = multi
            .iter()
            .copied()
            .filter(|s| groups[s].len() > 1)
            .collect();
        let mixed: Vec<_> = roots.values().filter(|s| s.len() > 1).collect();
        let share = 1.0 - split.len() as f64 / multi.len() as f64;
        println!(
            "stories: {} of {} multi-outlet stories shown once ({:.0} %); split: {split:?}",
            multi.len() - split.len(),
            multi.len(),
            share * 100.0,
        );
        assert!(mixed.is_empty(), "false merges: {mixed:?}");
        // The Russian copy of Kim's arrival joins the English story through the example
        // config's aliases (named both sides, on the same Tuesday, the only such story).
        let ria = items
            .iter()
            .position(|i| i.link.contains("ria.example"))
            .unwrap();
        assert!(
            items
                .iter()
                .enumerate()
                .any(|(i, it)| i != ria && it.story == "vladivostok" && root[i] == root[ria]),
            "the Russian arrival stays apart"
        );
        // A ratchet at what the rule chosen on real news reaches on these fixtures, in every
        // order (15 of 16: in the listed order Putin's arrival in Pyongyang is two English
        // stories when its Korean copy comes, which then fits both and joins neither), not a rate: the
        // rate is measured on ../shared/news-dev (`real_news_dev_split_holds_its_figures`).
        assert!(
            share >= 15.0 / 16.0,
            "only {:.0} % of multi-outlet stories shown once",
            share * 100.0
        );
    }
}

const SUMMIT_A: &str = r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire A</title>
<item><guid>a-1</guid><title>Kim Jong Un arrives in Russia for Putin summit</title><link>https://a.example/world/kim-russia-summit?utm_source=rss</link>
<description>North Korean leader Kim Jong Un arrived in Russia's Far East on Tuesday by armoured train ahead of a summit with President Vladimir Putin, Russian state media reported.</description>
<pubDate>Tue, 10 Sep 2024 02:00:00 GMT</pubDate></item>
<item><guid>a-2</guid><title>Putin to meet Xi Jinping in Beijing next month</title><link>https://a.example/world/putin-xi</link>
<description>President Vladimir Putin will travel to Beijing next month for talks with Chinese President Xi Jinping, the Kremlin said on Tuesday.</description>
<pubDate>Tue, 10 Sep 2024 05:00:00 GMT</pubDate></item>
</channel></rss>"#;

const SUMMIT_B: &str = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Outlet B</title><id>urn:b</id><updated>2024-09-10T12:00:00Z</updated>
<entry><id>urn:b:1</id><title>North Korea's Kim reaches Vladivostok by armoured train</title><link href="https://b.example/news/world-asia-66781234"/>
<updated>2024-09-10T03:00:00Z</updated><summary>Kim Jong Un's armoured train crossed into Russia and arrived in Vladivostok on Tuesday ahead of his summit with President Vladimir Putin, Russian state media reported.</summary></entry>
<entry><id>urn:b:2</id><title>Kim Jong Un oversees cruise missile test</title><link href="https://b.example/news/world-asia-66790000"/>
<updated>2024-09-13T03:00:00Z</updated><summary>North Korean leader Kim Jong Un watched a test of new cruise missiles on Friday, state media said, days after returning from his summit in Russia.</summary></entry>
</feed>"#;

const SUMMIT_C: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Outlet C","items":[
{"id":"c-1","url":"https://c.example/article/kim-jong-un-russia-putin-summit-7f3e","title":"Kim arrives in Russia ahead of summit with Putin","content_html":"<p>North Korean leader Kim Jong Un arrived in Russia on Tuesday by armoured train for a summit with President Vladimir Putin, as the United States warned against an arms deal.</p>","date_published":"2024-09-10T04:00:00Z"}
]}"#;

const SUMMIT_D: &str = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Google Alert - kim putin</title><id>urn:d</id><updated>2024-09-10T12:00:00Z</updated>
<entry><id>tag:google.com,2013:googlealerts/feed:1</id><title type="html">Kim Jong Un arrives in &lt;b&gt;Russia&lt;/b&gt; for &lt;b&gt;Putin&lt;/b&gt; summit</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://www.a.example/world/kim-russia-summit&amp;ct=ga&amp;usg=AOvVaw"/>
<updated>2024-09-10T06:00:00Z</updated><content type="html">North Korean leader Kim Jong Un arrived in &lt;b&gt;Russia&lt;/b&gt;&amp;#39;s Far East ...</content></entry>
</feed>"#;

#[tokio::test]
async fn one_story_through_four_outlets_is_shown_once_naming_them_all() {
    let server = FeedServer::start().await;
    server.set("/a.xml", "application/rss+xml", SUMMIT_A);
    server.set("/b.xml", "application/atom+xml", SUMMIT_B);
    server.set("/c.json", "application/feed+json", SUMMIT_C);
    server.set("/d.xml", "application/atom+xml", SUMMIT_D);
    let feeds: String = ["/a.xml", "/b.xml", "/c.json", "/d.xml"]
        .iter()
        .map(|p| {
            format!(
                "[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n\n",
                server.url(p)
            )
        })
        .collect();
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"data/feedsift.db\"\nmin_interval = \"1s\"\npoll_interval = \"1s\"\n\n{feeds}\
         [[topic]]\nid = \"leaders\"\nquery = \"putin OR kim\"\n"
    ));
    let daemon = TestDaemon::start(&cfg).await;
    // Every feed polled twice: the second answered 304, so the first was stored.
    wait_for("every feed polled twice", || async {
        ["/a.xml", "/b.xml", "/c.json", "/d.xml"]
            .iter()
            .all(|p| server.hits(p).1 >= 1)
    })
    .await;
    let body = daemon
        .get("/topics/leaders.atom")
        .await
        .text()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("valid Atom");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    // The summit once, through its earliest entry; the look-alikes (Putin and Xi; Kim's
    // missile test three days later) on their own.
    assert_eq!(
        titles,
        [
            "Kim Jong Un oversees cruise missile test",
            "Putin to meet Xi Jinping in Beijing next month",
            "Kim Jong Un arrives in Russia for Putin summit",
        ],
        "{body}"
    );
    let summit = &feed.entries[2];
    let related: Vec<&str> = summit
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("related"))
        .map(|l| l.href.as_str())
        .collect();
    assert_eq!(related.len(), 3, "{body}");
    assert!(
        related.iter().any(|l| l.contains("b.example")),
        "{related:?}"
    );
    assert!(
        related.iter().any(|l| l.contains("c.example")),
        "{related:?}"
    );
    assert!(
        related.iter().any(|l| l.contains("google.com")),
        "{related:?}"
    );
    assert!(body.contains("Also reported by"), "{body}");

    // Re-polls store nothing new.
    let db = cfg.dir.path().join("data/feedsift.db");
    let count = || {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT COUNT(*), COUNT(DISTINCT story_id) FROM entries",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .unwrap()
    };
    assert_eq!(count(), (6, 3));
    wait_for("two more 304s everywhere", || async {
        ["/a.xml", "/b.xml", "/c.json", "/d.xml"]
            .iter()
            .all(|p| server.hits(p).1 >= 3)
    })
    .await;
    assert_eq!(count(), (6, 3));
    daemon.stop().await;
}

#[tokio::test]
async fn a_feed_whose_guids_change_every_poll_stores_each_entry_once() {
    let server = FeedServer::start().await;
    let cfg = TestConfig::new(&format!(
        "[daemon]\ndatabase = \"feedsift.db\"\n\n[[feed]]\nurl = \"{}\"\n",
        server.url("/rss.xml")
    ));
    let db = cfg.dir.path().join("feedsift.db");
    let mut uids = Vec::new();
    for poll in 0..3 {
        // The same two pages each time, under guids that carry the time of the request.
        server.set(
            "/rss.xml",
            "application/rss+xml",
            rss(
                "Shifty",
                &[
                    (
                        &format!("urn:x:{poll}:1"),
                        "Kim meets Shoigu",
                        "https://shifty.example/a?utm_source=rss",
                        "Talks.",
                    ),
                    (
                        &format!("urn:x:{poll}:2"),
                        "Lavrov in Pyongyang",
                        "https://shifty.example/b",
                        "Visit.",
                    ),
                ],
            ),
        );
        poll_once(&cfg).await;
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT uid FROM entries ORDER BY uid")
            .unwrap();
        let now: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(now.len(), 2, "poll {poll}: {now:?}");
        uids.push(now);
    }
    assert!(uids.windows(2).all(|w| w[0] == w[1]), "ids stay: {uids:?}");
}

/// `feedsift stories` lists a topic's stories with why each entry is in its story: the first,
/// the same link as an earlier one, or the words it shares with the story.
#[tokio::test]
async fn stories_command_says_why_each_entry_joined() {
    let server = FeedServer::start().await;
    let paths = ["/a.xml", "/b.xml", "/c.json", "/d.xml"];
    for (p, (t, body)) in paths.iter().zip([
        ("application/rss+xml", SUMMIT_A),
        ("application/atom+xml", SUMMIT_B),
        ("application/feed+json", SUMMIT_C),
        ("application/atom+xml", SUMMIT_D),
    ]) {
        server.set(p, t, body);
    }
    let feeds: String = paths
        .iter()
        .map(|p| format!("[[feed]]\nurl = \"{}\"\n\n", server.url(p)))
        .collect();
    let cfg = TestConfig::new(&format!(
        "{feeds}[[topic]]\nid = \"leaders\"\nquery = \"putin OR kim\"\n"
    ));
    assert!(feedsift(&cfg, &["poll"]).await.status.success());
    let o = feedsift(&cfg, &["stories", "leaders", "--json"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stories: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let summit = stories
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Kim Jong Un arrives in Russia for Putin summit")
        .expect("the summit story");
    assert_eq!(summit["outlets"], 4, "{summit}");
    let by: Vec<&str> = summit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["joined"]["by"].as_str().unwrap())
        .collect();
    assert_eq!(by[0], "first", "{summit}");
    assert!(
        by.contains(&"link"),
        "the Google Alert carries wire A's link: {summit}"
    );
    let worded = summit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["joined"]["by"] == "words")
        .expect("an entry joined by its words");
    let words: Vec<&str> = worded["joined"]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        words.contains(&"train") && words.contains(&"arrived"),
        "{worded}"
    );
    assert!(
        worded["joined"]["shared"].as_f64().unwrap() >= 0.5,
        "{worded}"
    );
    // The text form says the same in words.
    let text = feedsift(&cfg, &["stories", "leaders"]).await.stdout;
    let text = String::from_utf8_lossy(&text).into_owned();
    assert!(
        text.contains("(4 outlets)") && text.contains("same link as"),
        "{text}"
    );
    assert!(text.contains("told in the same words"), "{text}");
    let o = feedsift(&cfg, &["stories", "nope"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no topic \"nope\""));

    // Two entries a reader sees apart: --why says, both ways round, what keeps them apart.
    let views = why_views(
        &cfg,
        "leaders",
        "https://b.example/news/world-asia-66781234",
        "https://b.example/news/world-asia-66790000",
    )
    .await;
    for v in &views {
        assert_eq!(v["same_story"], false, "{v}");
        assert_eq!(v["joins"], false, "{v}");
        assert_eq!(v["veto"], "more than a day apart", "{v}");
    }
    assert_eq!(
        views[0]["entry"],
        "North Korea's Kim reaches Vladivostok by armoured train"
    );
    assert_eq!(
        views[0]["story"],
        "Kim Jong Un oversees cruise missile test"
    );
    // Two of one story: they are one, and the words they share are named.
    let one = feedsift(
        &cfg,
        &[
            "stories",
            "leaders",
            "--why",
            "https://a.example/world/kim-russia-summit",
            "https://b.example/news/world-asia-66781234",
        ],
    )
    .await;
    let one = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(
        one.contains("they are one story: it joins by its words") && one.contains("train"),
        "{one}"
    );
    // A link nothing stored has is a usage error naming it.
    let o = feedsift(
        &cfg,
        &[
            "stories",
            "leaders",
            "--why",
            "https://nowhere.example/x",
            "https://a.example/world/kim-russia-summit",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("https://nowhere.example/x"));
}

/// After one poll, the titles of a topic's Atom feed as the daemon serves it, and the feed.
/// What `feedsift stories TOPIC --why A B --json` says of two entries: one view each way round.
async fn why_views(cfg: &TestConfig, topic: &str, a: &str, b: &str) -> Vec<serde_json::Value> {
    let o = feedsift(cfg, &["stories", topic, "--why", a, b, "--json"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let views: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(views.len(), 2, "{views:?}");
    views
}

async fn polled_titles(cfg: &TestConfig, topic: &str) -> (Vec<String>, String) {
    poll_once(cfg).await;
    let daemon = TestDaemon::start(cfg).await;
    let body = daemon
        .get(&format!("/topics/{topic}.atom"))
        .await
        .text()
        .await
        .unwrap();
    daemon.stop().await;
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("valid Atom");
    let titles = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    (titles, body)
}

const SUMMIT_RU: &str = r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Лента</title>
<item><guid>ru-1</guid><title>Ким Чен Ын прибыл во Владивосток</title><link>https://ru.example/20240910/kim.html</link>
<description>Бронепоезд лидера КНДР прибыл во Владивосток во вторник, сообщили российские власти.</description>
<pubDate>Tue, 10 Sep 2024 03:00:00 GMT</pubDate></item>
</channel></rss>"#;

/// A Russian outlet's copy of the summit names Kim and Russia through the configured aliases,
/// on the same Tuesday: it is the English story's, shown once, and `feedsift stories` says why.
#[tokio::test]
async fn a_copy_in_another_language_joins_the_story_its_aliases_name() {
    let server = FeedServer::start().await;
    server.set("/a.xml", "application/rss+xml", SUMMIT_A);
    server.set("/ru.xml", "application/rss+xml", SUMMIT_RU);
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n\n[[feed]]\nurl = \"{}\"\n\n\
         [aliases]\ndprk = [\"north korean\", \"kim jong un\", \"kim\", \"кндр\", \"ким чен ын\"]\n\
         russia = [\"russia\", \"putin\", \"росси*\", \"путин*\"]\n\n\
         [[topic]]\nid = \"kr\"\nquery = \"@dprk AND @russia\"\n",
        server.url("/a.xml"),
        server.url("/ru.xml")
    ));
    let (titles, body) = polled_titles(&cfg, "kr").await;
    assert_eq!(
        titles,
        ["Kim Jong Un arrives in Russia for Putin summit"],
        "{body}"
    );
    assert!(
        body.contains("https://ru.example/20240910/kim.html"),
        "{body}"
    );

    let o = feedsift(&cfg, &["stories", "kr", "--json"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stories: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = stories[0]["entries"].as_array().unwrap();
    let ru = entries
        .iter()
        .find(|e| e["title"] == "Ким Чен Ын прибыл во Владивосток")
        .expect("the Russian entry in the story");
    assert_eq!(ru["joined"]["by"], "names", "{ru}");
    assert_eq!(
        ru["joined"]["names"],
        serde_json::json!(["@dprk", "@russia"]),
        "{ru}"
    );
}

/// One outlet's two reports of one announcement, an hour apart, are one story; its report of
/// another event the same morning is not.
#[tokio::test]
async fn one_outlets_two_reports_of_one_event_are_one_story() {
    let server = FeedServer::start().await;
    server.set(
        "/nbc.xml",
        "application/rss+xml",
        rss(
            "NBC",
            &[
                (
                    "n-1",
                    "Arms talks between Russia and North Korea advancing, U.S. says",
                    "https://nbc.example/news/arms-talks-advancing-1",
                    "Arms negotiations between Russia and North Korea are actively advancing, the White House said, as Moscow seeks artillery shells for its war in Ukraine.",
                ),
                (
                    "n-2",
                    "Russia and North Korea are 'actively advancing' in arms talks, U.S. warns",
                    "https://nbc.example/news/arms-talks-advancing-2",
                    "Arms negotiations between Russia and North Korea are actively advancing, a White House spokesman said, warning Pyongyang against selling artillery shells to Moscow.",
                ),
                (
                    "n-3",
                    "North Korea fires two ballistic missiles into the sea",
                    "https://nbc.example/news/missiles",
                    "North Korea fired two short-range ballistic missiles off its east coast, South Korea's military said.",
                ),
            ],
        ),
    );
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n\n[[topic]]\nid = \"nk\"\nquery = \"north korea\"\n",
        server.url("/nbc.xml")
    ));
    let (mut titles, body) = polled_titles(&cfg, "nk").await;
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Arms talks between Russia and North Korea advancing, U.S. says",
            "North Korea fires two ballistic missiles into the sea",
        ],
        "{body}"
    );
}

/// One visit's two events of one day, told in nearly the same words: a meeting (amid the
/// anniversary's celebrations, which are its setting, not its news) and a weapons show. They
/// are two stories, and `--why` names the acts that keep them apart.
#[tokio::test]
async fn a_meeting_and_a_weapons_show_of_one_visit_are_two_stories_and_why_names_the_acts() {
    let server = FeedServer::start().await;
    let cfg = two_wires(
        &server,
        ("visit", "shoigu"),
        (
            "Wire M",
            "Kim Jong Un meets Russian defence minister Shoigu in Pyongyang amid anniversary celebrations",
            "https://m.example/kim-meets-shoigu",
            "North Korean leader Kim Jong Un met Russian Defence Minister Sergei Shoigu in Pyongyang as the country marks the 70th anniversary of the Korean War armistice.",
        ),
        (
            "Wire S",
            "Kim Jong Un shows off missiles to Russian defence minister Shoigu in Pyongyang",
            "https://s.example/kim-shows-shoigu-missiles",
            "North Korean leader Kim Jong Un showed Russian Defence Minister Sergei Shoigu banned ballistic missiles in Pyongyang, during the 70th anniversary of the Korean War armistice.",
        ),
    );
    let (titles, _) = polled_titles(&cfg, "visit").await;
    assert_eq!(titles.len(), 2, "{titles:?}");
    let views = why_views(
        &cfg,
        "visit",
        "https://m.example/kim-meets-shoigu",
        "https://s.example/kim-shows-shoigu-missiles",
    )
    .await;
    assert_eq!(
        views[0]["veto"],
        "headlines report different acts: this one meeting someone; the story showing or touring something",
        "{views:?}"
    );
    assert_eq!(
        views[1]["veto"],
        "headlines report different acts: this one showing or touring something; the story meeting someone",
        "{views:?}"
    );
}

/// An RSS document of `(guid, title, link, description, pubDate)` items.
fn rss_dated(title: &str, items: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>https://example.com/</link>\n"
    );
    for (guid, t, link, desc, date) in items {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{t}</title><link>{link}</link><description>{desc}</description><pubDate>{date}</pubDate></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// As a daemon sees them arrive: an outlet that reports an event the next morning (23 hours
/// after the first report, nothing new in it) joins its story; the first outlet's own article
/// the next day, told in the same words, is a new development and a story of its own; and
/// `--why` says so.
#[tokio::test]
async fn a_late_report_joins_its_story_but_an_outlets_next_day_article_does_not() {
    const FIRST: (&str, &str, &str, &str, &str) = (
        "a-1",
        "Russia resumes oil shipments to North Korea after pandemic pause",
        "https://a.example/oil-resumes",
        "Russia has resumed sending refined oil to North Korea by rail for the first time since 2020, customs data show.",
        "Fri, 13 Sep 2024 10:00:00 GMT",
    );
    const LATE: (&str, &str, &str, &str, &str) = (
        "b-1",
        "Russia restarts oil exports to North Korea after pandemic hiatus",
        "https://b.example/oil-exports",
        "Russian refined oil is again reaching North Korea by rail, the first shipments since 2020 according to customs data.",
        "Sat, 14 Sep 2024 09:00:00 GMT",
    );
    const NEXT_DAY: (&str, &str, &str, &str, &str) = (
        "a-2",
        "Russia sends more oil to North Korea after pandemic pause",
        "https://a.example/oil-more",
        "Russia has sent more refined oil to North Korea by rail since shipments resumed, customs data show.",
        "Sat, 14 Sep 2024 10:00:00 GMT",
    );
    let server = FeedServer::start().await;
    server.set(
        "/a.xml",
        "application/rss+xml",
        rss_dated("Wire A", &[FIRST]),
    );
    server.set("/b.xml", "application/rss+xml", rss_dated("Wire B", &[]));
    let cfg = TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n\n[[feed]]\nurl = \"{}\"\n\n[[topic]]\nid = \"oil\"\nquery = \"oil AND \\\"north korea\\\"\"\n",
        server.url("/a.xml"),
        server.url("/b.xml")
    ));
    poll_once(&cfg).await;
    server.set(
        "/b.xml",
        "application/rss+xml",
        rss_dated("Wire B", &[LATE]),
    );
    poll_once(&cfg).await;
    server.set(
        "/a.xml",
        "application/rss+xml",
        rss_dated("Wire A", &[NEXT_DAY, FIRST]),
    );
    let (mut titles, body) = polled_titles(&cfg, "oil").await;
    titles.sort_unstable();
    assert_eq!(titles, [FIRST.1, NEXT_DAY.1], "{body}");
    assert!(
        body.contains(LATE.2),
        "the late report is the first's story: {body}"
    );
    let views = why_views(&cfg, "oil", NEXT_DAY.2, FIRST.2).await;
    assert_eq!(
        views[0]["veto"],
        "half a day from the story's burst, from an outlet already in it: a later development",
        "{views:?}"
    );
}

/// Two meetings of one host on one day, told alike but with another guest each, are two
/// stories, and `--why` names the guests that keep them apart.
#[tokio::test]
async fn why_names_the_people_that_keep_two_meetings_apart() {
    let server = FeedServer::start().await;
    let cfg = two_wires(
        &server,
        ("putin", "putin"),
        (
            "Wire K",
            "Putin holds talks with Kim at Vostochny cosmodrome",
            "https://k.example/putin-kim",
            "Russian President Vladimir Putin held talks with Kim Jong Un at the Vostochny cosmodrome in the Amur region.",
        ),
        (
            "Wire L",
            "Putin holds talks with Lukashenko at Vostochny cosmodrome",
            "https://l.example/putin-lukashenko",
            "Russian President Vladimir Putin held talks with Alexander Lukashenko at the Vostochny cosmodrome in the Amur region.",
        ),
    );
    let (titles, _) = polled_titles(&cfg, "putin").await;
    assert_eq!(titles.len(), 2, "{titles:?}");
    let views = why_views(
        &cfg,
        "putin",
        "https://k.example/putin-kim",
        "https://l.example/putin-lukashenko",
    )
    .await;
    assert_eq!(
        views[0]["veto"],
        "headlines name different people or places (named in this one's headline only: kim; in the story's headlines only: lukashenko)",
        "{views:?}"
    );
}

/// A reaction to the news, told in its words, is another story: `--why` names who acts in its
/// headline, whom the other report never mentions.
#[tokio::test]
async fn why_names_who_acts_in_a_reaction_to_the_news() {
    let server = FeedServer::start().await;
    let cfg = two_wires(
        &server,
        ("xi", "xi"),
        (
            "Wire P",
            "Putin welcomes Chinese leader Xi to the Kremlin for talks",
            "https://p.example/xi-kremlin",
            "Russian President Vladimir Putin welcomed Chinese leader Xi Jinping to the Kremlin on Monday for talks on the war in Ukraine.",
        ),
        (
            "Wire B",
            "Blinken slams Xi for giving Putin diplomatic cover during Moscow talks",
            "https://b.example/blinken-xi",
            "US Secretary of State Antony Blinken said Chinese leader Xi Jinping's talks with Vladimir Putin in the Kremlin on Monday gave Russia diplomatic cover for the war in Ukraine.",
        ),
    );
    let (titles, _) = polled_titles(&cfg, "xi").await;
    assert_eq!(titles.len(), 2, "{titles:?}");
    let views = why_views(
        &cfg,
        "xi",
        "https://b.example/blinken-xi",
        "https://p.example/xi-kremlin",
    )
    .await;
    let veto = views[0]["veto"].as_str().unwrap();
    assert!(
        veto.starts_with(story::DIFFERENT_SUBJECTS) && veto.contains("headline only: blinken"),
        "{views:?}"
    );
}

/// A newsletter whose lede's second item is a story the other feed reports is told in the
/// story's words, but its headline is other news: two stories, and `--why` says so both ways.
#[tokio::test]
async fn a_newsletter_whose_lede_recalls_a_story_is_not_in_it() {
    let server = FeedServer::start().await;
    let cfg = two_wires(
        &server,
        ("arms", "russia"),
        (
            "Wire W",
            "US warns Russia and North Korea are advancing arms talks",
            "https://w.example/arms-talks",
            "The White House said on Wednesday that arms negotiations between Russia and North Korea are actively advancing.",
        ),
        (
            "Daily Briefing",
            "Morning briefing: Chip maker's quarterly profit falls on weak demand",
            "https://briefing.example/today",
            "Good morning. A chip maker reported that its quarterly profit fell on weak demand. Also today: the White House said on Wednesday that arms negotiations between Russia and North Korea are actively advancing.",
        ),
    );
    let (titles, _) = polled_titles(&cfg, "arms").await;
    assert_eq!(titles.len(), 2, "{titles:?}");
    let views = why_views(
        &cfg,
        "arms",
        "https://w.example/arms-talks",
        "https://briefing.example/today",
    )
    .await;
    for view in &views {
        assert_eq!(view["veto"], story::HEADLINES_APART, "{views:?}");
    }
}

/// Two reports that share only who they are about are two stories, until a third, told like
/// the first, grows its story into one told in the second's words (the first's arms and the
/// third's halt): then the one the story does not open with is drawn in, and `feedsift
/// stories` says it is told in the words of the story's other entries together.
#[tokio::test]
async fn a_story_grown_by_a_later_copy_draws_in_a_report_told_in_its_words() {
    let server = FeedServer::start().await;
    let a: Wire<'_> = (
        "Wire A",
        "Russia and North Korea advance arms talks, US says",
        "https://a.example/talks",
        "Arms negotiations between Russia and North Korea are actively advancing, the White House said.",
    );
    let b: Wire<'_> = (
        "Wire B",
        "North Korea told to halt weapons sales to Russia",
        "https://b.example/sales",
        "The United States urged North Korea to halt weapons sales to Russia.",
    );
    let cfg = two_wires(&server, ("arms", "russia"), a, b);
    let (titles, _) = polled_titles(&cfg, "arms").await;
    assert_eq!(
        titles.len(),
        2,
        "only who they are about in common: {titles:?}"
    );
    server.set(
        "/c.xml",
        "application/rss+xml",
        rss(
            "Wire C",
            &[(
                "/c.xml-1",
                "North Korea called on to halt advancing Russia talks",
                "https://c.example/halt",
                "The White House called on North Korea to halt its advancing negotiations with Russia.",
            )],
        ),
    );
    let text = std::fs::read_to_string(&cfg.path).unwrap();
    cfg.write(&format!(
        "[[feed]]\nurl = \"{}\"\n\n{text}",
        server.url("/c.xml")
    ));
    let (titles, _) = polled_titles(&cfg, "arms").await;
    assert_eq!(titles.len(), 1, "one story: {titles:?}");
    let o = feedsift(&cfg, &["stories", "arms", "--json"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stories: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = stories[0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{stories}");
    let by = |link: &str| {
        let e = entries.iter().find(|e| e["link"] == link).unwrap();
        e["joined"]["by"].as_str().unwrap().to_string()
    };
    assert_eq!(by("https://c.example/halt"), "words", "{stories}");
    // Whichever of the first two the story opens with, the other is drawn in.
    let mut first_two = [by("https://a.example/talks"), by("https://b.example/sales")];
    first_two.sort();
    assert_eq!(first_two, ["first", "story"], "{stories}");
}

/// A feed's entry: the feed's title, and the entry's title, link and text.
type Wire<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Two feeds of one entry each on `server`, and a config that polls them with one topic
/// (`(id, query)`).
fn two_wires(server: &FeedServer, topic: (&str, &str), a: Wire<'_>, b: Wire<'_>) -> TestConfig {
    for (path, (feed, title, link, text)) in [("/a.xml", a), ("/b.xml", b)] {
        server.set(
            path,
            "application/rss+xml",
            rss(feed, &[(&format!("{path}-1"), title, link, text)]),
        );
    }
    TestConfig::new(&format!(
        "[[feed]]\nurl = \"{}\"\n\n[[feed]]\nurl = \"{}\"\n\n[[topic]]\nid = \"{}\"\nquery = \"{}\"\n",
        server.url("/a.xml"),
        server.url("/b.xml"),
        topic.0,
        topic.1
    ))
}
