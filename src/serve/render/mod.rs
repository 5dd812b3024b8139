//! Output feeds: Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1 from one page of stories. Pure:
//! takes values, returns text, so `feedsift export` and the HTTP server print the same bytes.
//!
//! One story has one id in every format, forever (`urn:feedsift:story:UID`). The terms a story
//! matched travel in feedsift's own namespace ([`NAMESPACE`]), never as categories: the entry's
//! own categories stay what its outlet gave. Atom and RSS link [`STYLESHEET`], so a browser
//! opening a feed shows a readable page with a subscribe hint.

mod atom;
mod json;
mod rss;

pub use atom::atom;
pub use json::json_feed;
pub use rss::rss;

use super::html::clean_entry_html;
use crate::config::Config;
use crate::parse::html::escape_text;

use crate::store::StoryItem;
use chrono::{DateTime, Utc};

/// feedsift's XML namespace: `<feedsift:matched>` elements carry the terms a story matched.
pub const NAMESPACE: &str = "urn:feedsift:1";
/// The prefix bound to [`NAMESPACE`].
pub const PREFIX: &str = "feedsift";
/// Where the server keeps the XSLT stylesheet that Atom and RSS outputs link.
pub const STYLESHEET: &str = "/static/feed.xsl";

/// The XML declaration and the stylesheet instruction that open an Atom or RSS output.
fn xml_prolog() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"{STYLESHEET}\"?>\n"
    )
}

/// One page of an output feed.
pub struct Page<'a> {
    pub config: &'a Config,
    pub title: String,
    /// Stable id of the feed (its URL without query).
    pub id: String,
    /// This page's own URL.
    pub self_url: String,
    /// The HTML view of the same stories.
    pub html_url: String,
    pub next_url: Option<String>,
    pub items: &'a [StoryItem],
}

impl Page<'_> {
    /// Newest change among the items (or the epoch for an empty feed).
    pub fn updated(&self) -> DateTime<Utc> {
        self.items
            .iter()
            .map(|i| i.updated.max(i.matched_at))
            .max()
            .unwrap_or_default()
    }

    pub(crate) fn source_title<'b>(&'b self, item: &'b StoryItem) -> &'b str {
        self.config
            .feed_title(&item.feed_url, item.feed_title.as_deref())
    }

    /// The other outlets of a story, named.
    pub(crate) fn also(&self, item: &StoryItem) -> Vec<(String, Option<String>)> {
        item.also
            .iter()
            .map(|a| {
                let t = self.config.feed_title(&a.feed_url, a.feed_title.as_deref());
                (t.to_string(), a.link.clone())
            })
            .collect()
    }

    /// The story's HTML body: its content (or summary), sanitised, and the list of other
    /// outlets. Every entry HTML that leaves feedsift goes through here.
    pub(crate) fn body_html(&self, item: &StoryItem) -> Option<String> {
        let raw = item.content_html.as_ref().or(item.summary_html.as_ref());
        let mut html = raw
            .map(|raw| clean_entry_html(raw, item.html_base.as_deref()))
            .unwrap_or_default();
        let also = self.also(item);
        if !also.is_empty() {
            let list: Vec<String> = also
                .iter()
                .map(|(t, link)| match link {
                    Some(l) => format!(
                        "<a href=\"{}\">{}</a>",
                        escape_text(l).replace('"', "&quot;"),
                        escape_text(t)
                    ),
                    None => escape_text(t),
                })
                .collect();
            html.push_str(&format!("<p>Also reported by: {}</p>", list.join(", ")));
        }
        (!html.is_empty()).then_some(html)
    }
}

/// The story's title, or a placeholder where its outlet gave none (every format needs one).
fn title_of(item: &StoryItem) -> String {
    if item.title.is_empty() {
        "(untitled)".to_string()
    } else {
        item.title.clone()
    }
}

/// The story's id, the same in every format and across restarts.
fn story_id(item: &StoryItem) -> String {
    format!("urn:feedsift:story:{}", item.uid)
}

#[cfg(test)]
mod tests;
