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
    /// `first`, `link`, `words` (it joins the entries before it), `names` (in another
    /// language: it names the same alias sets as one of them, and fits no other story),
    /// `story` (it joins the story as later entries grew it: told in the words of all the
    /// others together), or `bridge` (it does not on its own: a later entry told like both
    /// brought it in).
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
    veto: Option<String>,
    /// When it joins the other way round: the score an earlier entry joins a story of this
    /// one alone with.
    #[serde(skip_serializing_if = "Option::is_none")]
    reverse: Option<f64>,
    /// For `names`: the alias sets it names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    names: Vec<String>,
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

/// The configuration, when it has `topic`.
fn config_with_topic(config_path: &Path, topic: &str) -> Result<Config, Failure> {
    let config = load_config(config_path)?;
    if config.topic(topic).is_none() {
        let known: Vec<&str> = config.topics.iter().map(|t| t.id.as_str()).collect();
        return Err(Failure::usage(format!(
            "no topic {topic:?} (configured: {})",
            known.join(", ")
        )));
    }
    Ok(config)
}

pub fn run(config_path: &Path, topic: &str, limit: u32, json: bool) -> CliResult {
    let config = config_with_topic(config_path, topic)?;
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

/// The feed an entry came from, as the stories compare it (the same number for every entry of
/// one feed).
fn source(e: &StoryEntry) -> i64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.feed_url.hash(&mut h);
    h.finish() as i64
}

fn story_view(config: &Config, s: &TopicStory, weights: &WordFrequencies) -> StoryView {
    let texts: Vec<(Fingerprint, String)> = s
        .entries
        .iter()
        .map(|e| {
            let text =
                crate::parse::entry_text(e.summary_html.as_deref(), e.content_html.as_deref());
            (
                story::fingerprint_with(&e.title, &text, &config.name_sets),
                text,
            )
        })
        .collect();
    let mut before = Story::default();
    let mut entries = Vec::new();
    for (i, e) in s.entries.iter().enumerate() {
        let (fp, text) = &texts[i];
        let hours = e.sort_time.timestamp() / 3600;
        // Every other entry of the story, for one a later entry's words drew in.
        let others = || {
            let mut others = Story::default();
            for (k, (other, _)) in texts.iter().enumerate().filter(|(k, _)| *k != i) {
                let k_entry = &s.entries[k];
                others.add(other, k_entry.sort_time.timestamp() / 3600, source(k_entry));
            }
            others
        };
        let joined = joined(
            config,
            &s.entries[..i],
            e,
            (fp, text),
            hours,
            (&before, others),
            weights,
        );
        before.add(fp, hours, source(e));
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

/// Why entry `e` (with its fingerprint and text) is in the story whose earlier entries are
/// `earlier` (their words: `before`; of all its other entries: `others()`, worked out only
/// when needed).
fn joined(
    config: &Config,
    earlier: &[StoryEntry],
    e: &StoryEntry,
    (fp, text): (&Fingerprint, &str),
    hours: i64,
    (before, others): (&Story, impl FnOnce() -> Story),
    weights: &WordFrequencies,
) -> Joined {
    let none = |by| Joined {
        by,
        same_link_as: None,
        shared: None,
        title_shared: None,
        words: Vec::new(),
        veto: None,
        reverse: None,
        names: Vec::new(),
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
    let mut c = story::explain(fp, hours, source(e), before, weights);
    let names = story::stems(&e.title, text);
    let by = if c.joins().is_some() {
        "words"
    } else if c.across {
        "names"
    } else {
        let whole = story::explain(fp, hours, source(e), &others(), weights);
        if whole.veto.is_none() && whole.joins().is_some() {
            c = whole;
            "story"
        } else {
            "bridge"
        }
    };
    Joined {
        by,
        same_link_as: None,
        shared: Some(round(c.shared)),
        title_shared: Some(round(c.title_shared)),
        words: named(&c, &names),
        veto: veto_text(&c, &names, || names_of(earlier)),
        reverse: c.reverse.map(round),
        names: if by == "names" {
            config.name_sets.names_of(&fp.sets)
        } else {
            Vec::new()
        },
    }
}

/// The words a comparison found in common, rarest first, as the entry writes them.
fn named(c: &story::Comparison, names: &std::collections::HashMap<u32, String>) -> Vec<String> {
    c.common
        .iter()
        .filter_map(|h| names.get(h).cloned())
        .take(WORDS_SHOWN)
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
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
        "words" => match j.reverse {
            Some(r) => format!(
                "an earlier entry is told in its words ({r:.2} of that entry's; alone: {score}): {words}"
            ),
            None => format!("told in the same words ({score}): {words}"),
        },
        "names" => format!(
            "in another language, names what an entry within {} h names ({}), and fits no other story",
            story::GAP_HOURS,
            j.names.join(", ")
        ),
        "story" => format!(
            "told in the words of the story's other entries together, as later ones grew it ({score}): {words}"
        ),
        _ => format!(
            "brought in by a later entry told like both (alone: {score}{}): {words}",
            j.veto
                .as_ref()
                .map(|v| format!("; {v}"))
                .unwrap_or_default()
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

/// How one entry compares with the story of another (`feedsift stories --why`).
#[derive(Debug, Serialize)]
struct Against {
    entry: String,
    source: String,
    story: String,
    story_entries: usize,
    /// Whether the entry is in that story already.
    same_story: bool,
    shared: f64,
    title_shared: f64,
    /// What the writer requires of one or the other.
    needs_shared: f64,
    needs_title_shared: f64,
    words: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    veto: Option<String>,
    /// The score one of the story's entries joins a story of this entry alone with, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    reverse: Option<f64>,
    joins: bool,
    /// Whether it would join across languages by the names alone, were that story the only
    /// one of the time it so fits.
    across_languages: bool,
}

/// `feedsift stories TOPIC --why A B`: the entries with links `A` and `B`, each compared with
/// the other's story (without itself), as the writer compares a new entry.
pub fn why(config_path: &Path, topic: &str, links: &[String], json: bool) -> CliResult {
    let config = config_with_topic(config_path, topic)?;
    let store = Store::open_read_only(&config.daemon.database).map_err(Failure::runtime)?;
    let weights = store.word_frequencies().map_err(Failure::runtime)?;
    let mut found = Vec::new();
    for link in links {
        let story = store
            .story_of_link(link)
            .map_err(Failure::runtime)?
            .ok_or_else(|| Failure::usage(format!("no stored entry has the link {link}")))?;
        let canonical = crate::dedup::canonical_url(link);
        let entry = story
            .entries
            .iter()
            .find(|e| e.link.as_deref() == Some(link.as_str()) || e.canonical_url == canonical)
            .cloned()
            .expect("the story holds the entry it was found by");
        found.push((entry, story));
    }
    let views: Vec<Against> = [(0, 1), (1, 0)]
        .into_iter()
        .map(|(a, b)| against(&config, &found[a].0, &found[b].1, &found[a].1, &weights))
        .collect();
    if json {
        return out(&(serde_json::to_string_pretty(&views).expect("JSON") + "\n"));
    }
    let mut s = String::new();
    for v in &views {
        let verdict = match (v.same_story, v.joins) {
            (true, true) => "they are one story: it joins by its words",
            (true, false) if v.across_languages => {
                "they are one story: across languages, by the alias sets both name"
            }
            (true, false) => {
                "they are one story, though not by these words: the story's other entries brought them together"
            }
            (false, true) => "it would join",
            (false, false) if v.across_languages => {
                "it would join across languages, if it fitted no other story"
            }
            (false, false) => "it does not join",
        };
        let _ = writeln!(
            s,
            "{} ({})\n  against the story of {:?} ({} {}):\n    {:.2} of its words and {:.2} of its title's are the story's (joining takes {:.2} or {:.2}){}\n    shared, rarest first: {}\n    {}{verdict}",
            v.entry,
            v.source,
            v.story,
            v.story_entries,
            if v.story_entries == 1 {
                "entry"
            } else {
                "entries"
            },
            v.shared,
            v.title_shared,
            v.needs_shared,
            v.needs_title_shared,
            v.reverse
                .map(|r| format!("; one of its entries is told in this one's words ({r:.2})"))
                .unwrap_or_default(),
            if v.words.is_empty() {
                "none".to_string()
            } else {
                v.words.join(", ")
            },
            v.veto
                .as_ref()
                .map(|x| format!("veto: {x}; "))
                .unwrap_or_default(),
        );
    }
    out(&s)
}

/// What keeps an entry out of a story, if anything, in words: for different acts, which
/// ("headlines report different acts: this one meeting someone; the story showing or touring
/// something"); for different people, whom, as the entry's words (`own`) and the story's
/// (`story`, read only for such a veto) write them ("... (named in this one's headline only:
/// kim; in the story's headlines only: none)").
fn veto_text(c: &story::Comparison, own: &Names, story: impl FnOnce() -> Names) -> Option<String> {
    let v = c.veto?;
    if v == story::DIFFERENT_ACTS {
        return Some(format!(
            "{v}: this one {}; the story {}",
            story::act_names(c.acts.0).join(" and "),
            story::act_names(c.acts.1).join(" or ")
        ));
    }
    if v == story::DIFFERENT_PEOPLE || v == story::LATE_NEW_NAMES || v == story::DIFFERENT_SUBJECTS
    {
        let list = |hashes: &[u32], names: &Names| {
            let mut words: Vec<&str> = hashes
                .iter()
                .filter_map(|h| names.get(h).map(String::as_str))
                .collect();
            words.dedup();
            if words.is_empty() {
                "none".to_string()
            } else {
                words.join(", ")
            }
        };
        return Some(format!(
            "{v} (named in this one's headline only: {}; in the story's headlines only: {})",
            list(&c.unmentioned.0, own),
            list(&c.unmentioned.1, &story())
        ));
    }
    Some(v.to_string())
}

/// Words by the hashes of their stems ([`story::stems`]).
type Names = std::collections::HashMap<u32, String>;

/// The words of `entries`, by the hashes of their stems, to name what their fingerprints keep.
fn names_of<'a>(entries: impl IntoIterator<Item = &'a StoryEntry>) -> Names {
    let mut out = Names::new();
    for x in entries {
        let text = crate::parse::entry_text(x.summary_html.as_deref(), x.content_html.as_deref());
        for (h, w) in story::stems(&x.title, &text) {
            out.entry(h).or_insert(w);
        }
    }
    out
}

/// Entry `e` (of story `own`) compared with story `other`, leaving `e` out of it.
fn against(
    config: &Config,
    e: &StoryEntry,
    other: &TopicStory,
    own: &TopicStory,
    weights: &WordFrequencies,
) -> Against {
    let text_of = |x: &StoryEntry| {
        crate::parse::entry_text(x.summary_html.as_deref(), x.content_html.as_deref())
    };
    let text = text_of(e);
    let fp = story::fingerprint_with(&e.title, &text, &config.name_sets);
    let mut s = Story::default();
    let rest: Vec<&StoryEntry> = other
        .entries
        .iter()
        .filter(|x| !(x.link == e.link && x.feed_url == e.feed_url))
        .collect();
    for x in &rest {
        s.add(
            &story::fingerprint_with(&x.title, &text_of(x), &config.name_sets),
            x.sort_time.timestamp() / 3600,
            source(x),
        );
    }
    let c = story::explain(&fp, e.sort_time.timestamp() / 3600, source(e), &s, weights);
    let names = story::stems(&e.title, &text);
    Against {
        entry: e.title.clone(),
        source: config
            .feed_title(&e.feed_url, e.feed_title.as_deref())
            .to_string(),
        story: other
            .entries
            .first()
            .map(|x| x.title.clone())
            .unwrap_or_default(),
        story_entries: rest.len(),
        same_story: own.story_id == other.story_id,
        shared: round(c.shared),
        title_shared: round(c.title_shared),
        needs_shared: story::MIN_SHARED,
        needs_title_shared: story::MIN_TITLE_SHARED,
        words: named(&c, &names),
        veto: veto_text(&c, &names, || names_of(rest.iter().copied())),
        reverse: c.reverse.map(round),
        joins: c.joins().is_some(),
        across_languages: c.across && c.joins().is_none(),
    }
}
