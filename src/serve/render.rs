//! Output feeds: Atom 1.0 (RFC 4287) and JSON Feed 1.1 from one page of stories. Pure: takes
//! values, returns text, so `feedsift export` and the HTTP server print the same bytes.

use super::html::clean_entry_html;
use crate::config::Config;
use crate::parse::html::escape_text;

use crate::store::StoryItem;
use atom_syndication as atom;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Scheme of the Atom categories that carry the terms a story matched.
pub const MATCHED_SCHEME: &str = "urn:feedsift:matched";

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

    fn source_title<'b>(&'b self, item: &'b StoryItem) -> &'b str {
        self.config
            .feed_title(&item.feed_url, item.feed_title.as_deref())
    }

    /// The other outlets of a story, named.
    fn also(&self, item: &StoryItem) -> Vec<(String, Option<String>)> {
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
    fn body_html(&self, item: &StoryItem) -> Option<String> {
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

fn fixed(d: DateTime<Utc>) -> atom::FixedDateTime {
    d.fixed_offset()
}

fn link(href: &str, rel: &str, title: Option<String>) -> atom::Link {
    atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        title,
        ..Default::default()
    }
}

/// Atom 1.0.
pub fn atom(page: &Page<'_>) -> String {
    let mut links = vec![
        link(&page.self_url, "self", None),
        link(&page.html_url, "alternate", None),
    ];
    if let Some(next) = &page.next_url {
        links.push(link(next, "next", None));
    }
    let entries = page
        .items
        .iter()
        .map(|item| atom_entry(page, item))
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(page.title.clone()),
        id: page.id.clone(),
        updated: fixed(page.updated()),
        links,
        generator: Some(atom::Generator {
            value: "feedsift".to_string(),
            uri: Some(env!("CARGO_PKG_REPOSITORY").to_string()),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        entries,
        ..Default::default()
    };
    let mut out = Vec::new();
    feed.write_to(&mut out)
        .expect("writing to memory cannot fail");
    let mut s = String::from_utf8(out).expect("atom_syndication writes UTF-8");
    s.push('\n');
    s
}

/// One story as an Atom entry: its earliest entry, the other outlets as `related` links, the
/// outlet it came from as `source`.
fn atom_entry(page: &Page<'_>, item: &StoryItem) -> atom::Entry {
    let mut links = Vec::new();
    if let Some(l) = &item.link {
        links.push(link(l, "alternate", None));
    }
    for (title, l) in page.also(item) {
        if let Some(l) = l {
            links.push(link(&l, "related", Some(title)));
        }
    }
    let mut categories: Vec<atom::Category> = item
        .categories
        .iter()
        .map(|c| atom::Category {
            term: c.clone(),
            ..Default::default()
        })
        .collect();
    categories.extend(item.terms.iter().map(|t| atom::Category {
        term: t.clone(),
        scheme: Some(MATCHED_SCHEME.to_string()),
        label: None,
    }));
    let source_title = page.source_title(item);
    let mut source_links = vec![link(&item.feed_url, "self", None)];
    if let Some(site) = &item.site_url {
        source_links.push(link(site, "alternate", None));
    }
    atom::Entry {
        title: atom::Text::plain(if item.title.is_empty() {
            "(untitled)".to_string()
        } else {
            item.title.clone()
        }),
        id: format!("urn:feedsift:story:{}", item.uid),
        updated: fixed(item.updated.max(item.sort_time)),
        published: Some(fixed(item.sort_time)),
        authors: item
            .authors
            .iter()
            .map(|a| atom::Person {
                name: a.clone(),
                ..Default::default()
            })
            .collect(),
        categories,
        links,
        source: Some(atom::Source {
            title: atom::Text::plain(source_title.to_string()),
            id: item.feed_url.clone(),
            updated: fixed(item.updated),
            links: source_links,
            ..Default::default()
        }),
        content: page.body_html(item).map(|html| atom::Content {
            value: Some(html),
            content_type: Some("html".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// JSON Feed 1.1, with feedsift's extension `_feedsift` (source, other outlets, matched terms).
pub fn json_feed(page: &Page<'_>) -> String {
    let items: Vec<_> = page
        .items
        .iter()
        .map(|item| {
            let also: Vec<_> = page
                .also(item)
                .into_iter()
                .map(|(title, url)| json!({"title": title, "url": url}))
                .collect();
            let mut obj = json!({
                "id": format!("urn:feedsift:story:{}", item.uid),
                "title": item.title,
                "date_published": item.sort_time.to_rfc3339(),
                "date_modified": item.updated.max(item.sort_time).to_rfc3339(),
                "_feedsift": {
                    "source": {"title": page.source_title(item), "feed_url": item.feed_url, "home_page_url": item.site_url},
                    "also_reported_by": also,
                    "matched": item.terms,
                },
            });
            let o = obj.as_object_mut().expect("object");
            if let Some(l) = &item.link {
                o.insert("url".into(), json!(l));
            }
            if let Some(html) = page.body_html(item) {
                o.insert("content_html".into(), json!(html));
            }
            if !item.authors.is_empty() {
                o.insert(
                    "authors".into(),
                    json!(item.authors.iter().map(|a| json!({"name": a})).collect::<Vec<_>>()),
                );
            }
            if !item.categories.is_empty() {
                o.insert("tags".into(), json!(item.categories));
            }
            obj
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": page.title,
        "home_page_url": page.html_url,
        "feed_url": page.self_url,
        "items": items,
    });
    if let Some(next) = &page.next_url {
        feed.as_object_mut()
            .expect("object")
            .insert("next_url".into(), json!(next));
    }
    let mut s = serde_json::to_string_pretty(&feed).expect("JSON serialises");
    s.push('\n');
    s
}
