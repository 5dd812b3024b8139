//! `feedsift stories TOPIC`: a topic's stories, newest first, each with its entries, outlets and
//! times, and why each entry is in it: the first one, the same link as an earlier one, or told
//! in the same words (the share of its words the story's earlier entries use, and the rarest
//! of them). The reasons are worked out again from the stored text with the store's current
//! word weights, so they say why the entries belong together now.

use super::{CliResult, Failure, load_config, out, short_time};
use crate::config::Config;
use crate::dedup::story::{self, Fingerprint, Story, WordFrequencies};
use crate::store::{Store, StoryEntry, TopicStory};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// Words named per reason.
const WORDS_SHOWN: usize = 8;

#[derive(Debug, Serialize)]
struct Joined {
    /// `first`, `link`, `words` (it joins the entries before it), or `bridge` (it does not
    /// on its own: a later entry told like both brought it in).
    by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    same_link_as: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_shared: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    words: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    veto: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct EntryView {
    published: String,
    source: String,
    title: String,
    link: Option<String>,
    joined: Joined,
}

#[derive(Debug, Serialize)]
struct StoryView {
    id: String,
    published: String,
    title: String,
    outlets: usize,
    entries: Vec<EntryView>,
}

pub fn run(config_path: &Path, topic: &str, limit: u32, json: bool) -> CliResult {
    let config = load_config(config_path)?;
    if config.topic(topic).is_none() {
        let known: Vec<&str> = config.topics.iter().map(|t| t.id.as_str()).collect();
        return Err(Failure::usage(format!(
            "no topic {topic:?} (configured: {})",
            known.join(", ")
        )));
    }
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let stories = store
        .topic_stories(topic, limit)
        .map_err(Failure::runtime)?;
    let weights = store.word_frequencies().map_err(Failure::runtime)?;
    let views: Vec<StoryView> = stories
        .iter()
        .map(|s| story_view(&config, s, &weights))
        .collect();
    if json {
        return out(&(serde_json::to_string_pretty(&views).expect("JSON") + "\n"));
    }
    out(&text(&views))
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn story_view(config: &Config, s: &TopicStory, weights: &WordFrequencies) -> StoryView {
    let texts: Vec<(Fingerprint, String)> = s
        .entries
        .iter()
        .map(|e| {
            let text =
                crate::parse::entry_text(e.summary_html.as_deref(), e.content_html.as_deref());
            (story::fingerprint(&e.title, &text), text)
        })
        .collect();
    let mut before = Story::default();
    let mut entries = Vec::new();
    for (i, e) in s.entries.iter().enumerate() {
        let (fp, text) = &texts[i];
        let hours = e.sort_time.timestamp() / 3600;
        let joined = joined(
            config,
            &s.entries[..i],
            e,
            fp,
            text,
            hours,
            &before,
            weights,
        );
        before.add(fp, hours);
        entries.push(EntryView {
            published: time(e.sort_time),
            source: config
                .feed_title(&e.feed_url, e.feed_title.as_deref())
                .to_string(),
            title: e.title.clone(),
            link: e.link.clone(),
            joined,
        });
    }
    let outlets: std::collections::BTreeSet<&str> =
        s.entries.iter().map(|e| e.feed_url.as_str()).collect();
    StoryView {
        id: format!("urn:feedsift:story:{}", s.uid),
        published: time(s.sort_time),
        title: s
            .entries
            .first()
            .map(|e| e.title.clone())
            .unwrap_or_default(),
        outlets: outlets.len(),
        entries,
    }
}

/// Why entry `e` (with fingerprint `fp`) is in the story whose earlier entries are `earlier`
/// (their words: `before`).
#[allow(clippy::too_many_arguments)]
fn joined(
    config: &Config,
    earlier: &[StoryEntry],
    e: &StoryEntry,
    fp: &Fingerprint,
    text: &str,
    hours: i64,
    before: &Story,
    weights: &WordFrequencies,
) -> Joined {
    let none = |by| Joined {
        by,
        same_link_as: None,
        shared: None,
        title_shared: None,
        words: Vec::new(),
        veto: None,
    };
    if earlier.is_empty() {
        return none("first");
    }
    if let Some(same) = earlier
        .iter()
        .find(|o| o.canonical_url.is_some() && o.canonical_url == e.canonical_url)
    {
        let mut j = none("link");
        j.same_link_as = Some(
            config
                .feed_title(&same.feed_url, same.feed_title.as_deref())
                .to_string(),
        );
        return j;
    }
    let c = story::explain(fp, hours, before, weights);
    let names = story::stems(&e.title, text);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Joined {
        by: if c.joins().is_some() {
            "words"
        } else {
            "bridge"
        },
        same_link_as: None,
        shared: Some(round(c.shared)),
        title_shared: Some(round(c.title_shared)),
        words: c
            .common
            .iter()
            .filter_map(|h| names.get(h).cloned())
            .take(WORDS_SHOWN)
            .collect(),
        veto: c.veto,
    }
}

fn reason(j: &Joined) -> String {
    let words = j.words.join(", ");
    let score = format!(
        "{:.2} of its words, {:.2} of its title's",
        j.shared.unwrap_or(0.0),
        j.title_shared.unwrap_or(0.0)
    );
    match j.by {
        "first" => "first entry".to_string(),
        "link" => format!(
            "same link as {}",
            j.same_link_as.as_deref().unwrap_or("an earlier entry")
        ),
        "words" => format!("told in the same words ({score}): {words}"),
        _ => format!(
            "brought in by a later entry told like both (alone: {score}{}): {words}",
            j.veto.map(|v| format!("; {v}")).unwrap_or_default()
        ),
    }
}

fn text(views: &[StoryView]) -> String {
    let mut s = String::new();
    for v in views {
        let when = chrono::DateTime::parse_from_rfc3339(&v.published)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
        let outlets = if v.outlets == 1 { "outlet" } else { "outlets" };
        let _ = writeln!(
            s,
            "{}  {}  ({} {outlets})",
            short_time(when),
            v.title,
            v.outlets
        );
        if v.entries.len() == 1 {
            let e = &v.entries[0];
            let _ = writeln!(s, "    {}: {}", e.source, e.link.as_deref().unwrap_or("-"));
            continue;
        }
        for e in &v.entries {
            let _ = writeln!(
                s,
                "    {}  {}: {}\n        {}",
                &e.published[..16].replace('T', " "),
                e.source,
                e.title,
                reason(&e.joined)
            );
        }
    }
    s
}
