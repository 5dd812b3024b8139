//! The text a topic sees: the one builder of a matching document, used by polls, topic
//! backfill, `feedsift query` and `feedsift inspect`, so that the four cannot disagree on what
//! an entry says (its title, plain text, authors, categories and link) or which feed it came
//! from (`feed:` terms see the feed's title as configured, else as the feed gives it, and its
//! URL as configured; scopes see the configured tags).

use crate::config::Config;
use crate::model::Entry;
use crate::store::EntryRow;
use crate::topic::{Doc, DocInput, FeedRef, Matcher, TopicHit};

/// The feed an entry came from, as matching sees it.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The feed's URL as configured (not where a redirect sent the request).
    pub url: &'a str,
    /// The title the feed itself gives, if known.
    pub own_title: Option<&'a str>,
}

/// The document `entry` of feed `source` is matched as.
pub fn entry_doc<'a>(config: &'a Config, source: Source<'a>, entry: &'a Entry) -> Doc<'a> {
    Doc::new(&DocInput {
        title: &entry.title,
        text: &entry.text,
        authors: &entry.authors,
        categories: &entry.categories,
        feed_title: config.feed_title(source.url, source.own_title),
        feed_url: source.url,
        url: entry.link.as_deref().unwrap_or(""),
    })
}

/// The document a stored entry is matched as: the same as when it was polled, with its plain
/// text derived again from the stored HTML.
pub fn stored_doc(config: &Config, row: &EntryRow) -> Doc<'static> {
    let text = crate::parse::entry_text(row.summary_html.as_deref(), row.content_html.as_deref());
    Doc::new(&DocInput {
        title: &row.title,
        text: &text,
        authors: &row.authors,
        categories: &row.categories,
        feed_title: config.feed_title(&row.feed_url, row.feed_title.as_deref()),
        feed_url: &row.feed_url,
        url: row.link.as_deref().unwrap_or(""),
    })
    .into_owned()
}

/// What topic scopes (`feeds = [...]`, tags) see of the feed at `url`.
pub fn feed_ref<'a>(config: &'a Config, url: &'a str) -> FeedRef<'a> {
    FeedRef {
        url,
        tags: config.feed(url).map(|f| f.tags.as_slice()).unwrap_or(&[]),
    }
}

/// The topics of `matcher` that `doc`, from the feed at `feed_url`, matches.
pub fn topics_of(
    matcher: &Matcher,
    config: &Config,
    feed_url: &str,
    doc: &Doc<'_>,
) -> Vec<TopicHit> {
    matcher.match_doc(doc, feed_ref(config, feed_url))
}
