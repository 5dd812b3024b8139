//! What output feeds read: a page of a topic's stories, newest first, each shown through its
//! earliest entry with the other outlets that reported it.

use super::{Result, Store, parse_list, ts};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::collections::BTreeSet;

/// Another outlet that carried a story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlsoReported {
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub link: Option<String>,
}

/// One story of an output feed, shown through its earliest entry.
#[derive(Clone, Debug)]
pub struct StoryItem {
    pub story_id: i64,
    pub uid: String,
    pub sort_time: DateTime<Utc>,
    pub matched_at: DateTime<Utc>,
    pub terms: Vec<String>,
    pub title: String,
    pub link: Option<String>,
    /// HTML as the feed gave it: untrusted, to be sanitised (against `html_base`) for output.
    pub summary_html: Option<String>,
    pub content_html: Option<String>,
    pub html_base: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    /// The entry's own update time; or when we saw it (or its story) change after first
    /// seeing it.
    pub updated: DateTime<Utc>,
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub site_url: Option<String>,
    pub also: Vec<AlsoReported>,
}

/// A story on a page, before its entry is read: id, sort time, first match time, terms.
struct Head {
    story_id: i64,
    sort: i64,
    matched_at: i64,
    terms: Vec<String>,
}

impl Store {
    /// One page of the stories matched by any of `topics`, newest first, strictly before the
    /// cursor `(sort_time, story_id)` when one is given.
    pub fn topic_page(
        &self,
        topics: &[String],
        limit: u32,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<StoryItem>> {
        if topics.is_empty() {
            return Ok(Vec::new());
        }
        self.read("reading a topic feed", |c| {
            let mut out = Vec::new();
            for head in page_heads(c, topics, limit, before)? {
                if let Some(item) = story_item(c, head)? {
                    out.push(item);
                }
            }
            Ok(out)
        })
    }
}

/// The stories of one page, newest first, with the terms any of `topics` matched.
fn page_heads(
    c: &Connection,
    topics: &[String],
    limit: u32,
    before: Option<(i64, i64)>,
) -> rusqlite::Result<Vec<Head>> {
    let placeholders = vec!["?"; topics.len()].join(",");
    let (bt, bs) = before.unwrap_or((i64::MAX, i64::MAX));
    let sql = format!(
        "SELECT m.story_id, MAX(m.sort_time) AS st, MIN(m.matched_at), json_group_array(m.terms)
         FROM matches m WHERE m.topic IN ({placeholders})
         GROUP BY m.story_id
         HAVING st < ? OR (st = ? AND m.story_id < ?)
         ORDER BY st DESC, m.story_id DESC LIMIT ?"
    );
    let mut args: Vec<rusqlite::types::Value> = topics.iter().map(|t| t.clone().into()).collect();
    args.extend([bt.into(), bt.into(), bs.into(), i64::from(limit).into()]);
    let mut stmt = c.prepare(&sql)?;
    stmt.query_map(params_from_iter(args), |r| {
        let terms_json: String = r.get(3)?;
        let mut terms = BTreeSet::new();
        for t in serde_json::from_str::<Vec<String>>(&terms_json).unwrap_or_default() {
            terms.extend(parse_list(&t));
        }
        Ok(Head {
            story_id: r.get(0)?,
            sort: r.get(1)?,
            matched_at: r.get(2)?,
            terms: terms.into_iter().collect(),
        })
    })?
    .collect()
}

/// A story of a page through its earliest entry, with the other outlets that also reported it
/// (each once).
fn story_item(c: &Connection, head: Head) -> rusqlite::Result<Option<StoryItem>> {
    let item = c
        .prepare_cached(
            "SELECT s.uid, e.id, e.title, e.link, e.summary_html, e.content_html, e.authors, e.categories,
                    e.published,
                    CASE WHEN MAX(e.changed_at, s.updated_at) > e.first_seen
                         THEN MAX(e.changed_at, s.updated_at)
                         ELSE MAX(e.sort_time, COALESCE(e.updated, e.sort_time)) END,
                    f.url, f.title, f.site_url, e.html_base
             FROM stories s JOIN entries e ON e.id = s.first_entry_id JOIN feeds f ON f.id = e.feed_id
             WHERE s.id = ?1",
        )?
        .query_row([head.story_id], |r| {
            Ok((
                r.get::<_, i64>(1)?,
                StoryItem {
                    story_id: head.story_id,
                    uid: r.get(0)?,
                    sort_time: ts(head.sort),
                    matched_at: ts(head.matched_at),
                    terms: head.terms.clone(),
                    title: r.get(2)?,
                    link: r.get(3)?,
                    summary_html: r.get(4)?,
                    content_html: r.get(5)?,
                    html_base: r.get(13)?,
                    authors: parse_list(&r.get::<_, String>(6)?),
                    categories: parse_list(&r.get::<_, String>(7)?),
                    published: r.get::<_, Option<i64>>(8)?.map(ts),
                    updated: ts(r.get(9)?),
                    feed_url: r.get(10)?,
                    feed_title: r.get(11)?,
                    site_url: r.get(12)?,
                    also: Vec::new(),
                },
            ))
        })
        .optional()?;
    let Some((entry_id, mut item)) = item else {
        return Ok(None);
    };
    item.also = c
        .prepare_cached(
            "SELECT f.url, f.title, e.link FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE e.story_id = ?1 AND e.id != ?2 ORDER BY e.sort_time, e.id",
        )?
        .query_map(params![head.story_id, entry_id], |r| {
            Ok(AlsoReported {
                feed_url: r.get(0)?,
                feed_title: r.get(1)?,
                link: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<AlsoReported>>>()?;
    // Each other outlet once, through its earliest entry; the story's own outlet not again.
    let mut seen = std::collections::HashSet::from([item.feed_url.clone()]);
    item.also.retain(|a| seen.insert(a.feed_url.clone()));
    Ok(Some(item))
}

/// Every entry of a story, earliest first.
fn story_entries(c: &Connection, story_id: i64) -> rusqlite::Result<Vec<StoryEntry>> {
    c.prepare_cached(
        "SELECT f.url, f.title, e.title, e.link, e.canonical_url, e.sort_time,
                e.summary_html, e.content_html
         FROM entries e JOIN feeds f ON f.id = e.feed_id
         WHERE e.story_id = ?1 ORDER BY e.sort_time, e.id",
    )?
    .query_map([story_id], |r| {
        Ok(StoryEntry {
            feed_url: r.get(0)?,
            feed_title: r.get(1)?,
            title: r.get(2)?,
            link: r.get(3)?,
            canonical_url: r.get(4)?,
            sort_time: ts(r.get(5)?),
            summary_html: r.get(6)?,
            content_html: r.get(7)?,
        })
    })?
    .collect()
}

/// One entry of a story, for `feedsift stories`.
#[derive(Clone, Debug)]
pub struct StoryEntry {
    pub feed_url: String,
    pub feed_title: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub canonical_url: Option<String>,
    pub sort_time: DateTime<Utc>,
    pub summary_html: Option<String>,
    pub content_html: Option<String>,
}

/// A story a topic matched, with every entry it holds, earliest first.
#[derive(Clone, Debug)]
pub struct TopicStory {
    pub story_id: i64,
    pub uid: String,
    pub sort_time: DateTime<Utc>,
    pub entries: Vec<StoryEntry>,
}

impl Store {
    /// The newest `limit` stories `topic` matched, each with all its entries.
    pub fn topic_stories(&self, topic: &str, limit: u32) -> Result<Vec<TopicStory>> {
        self.read("reading a topic's stories", |c| {
            let heads: Vec<(i64, String, i64)> = c
                .prepare(
                    "SELECT s.id, s.uid, m.sort_time FROM matches m JOIN stories s ON s.id = m.story_id
                     WHERE m.topic = ?1 ORDER BY m.sort_time DESC, s.id DESC LIMIT ?2",
                )?
                .query_map(params![topic, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(heads.len());
            for (story_id, uid, sort) in heads {
                out.push(TopicStory {
                    story_id,
                    uid,
                    sort_time: ts(sort),
                    entries: story_entries(c, story_id)?,
                });
            }
            Ok(out)
        })
    }

    /// The story holding the entry with this link (as published, or canonical), with all its
    /// entries; `None` when no stored entry has it.
    pub fn story_of_link(&self, link: &str) -> Result<Option<TopicStory>> {
        let canonical = crate::dedup::canonical_url(link);
        self.read("finding an entry by its link", |c| {
            let head: Option<(i64, String, i64)> = c
                .prepare(
                    "SELECT s.id, s.uid, s.sort_time FROM entries e JOIN stories s ON s.id = e.story_id
                     WHERE e.link = ?1 OR e.canonical_url = ?2 ORDER BY e.id LIMIT 1",
                )?
                .query_row(params![link, canonical], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((story_id, uid, sort)) = head else {
                return Ok(None);
            };
            Ok(Some(TopicStory {
                story_id,
                uid,
                sort_time: ts(sort),
                entries: story_entries(c, story_id)?,
            }))
        })
    }

    /// How often each word occurs among the stories, as the writer weighs words.
    pub fn word_frequencies(&self) -> Result<crate::dedup::story::WordFrequencies> {
        self.read(
            "reading word frequencies",
            super::stories::load_word_frequencies,
        )
    }
}
