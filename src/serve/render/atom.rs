//! Atom 1.0 (RFC 4287): every entry has an author (its own, else its outlet's name), an
//! `<atom:source>` naming the outlet, and the other outlets as `related` links.

use super::{NAMESPACE, PREFIX, Page, story_id, title_of, xml_prolog};
use crate::store::StoryItem;
use atom_syndication as atom;
use atom_syndication::extension::{Extension, ExtensionMap};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

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

fn person(name: &str) -> atom::Person {
    atom::Person {
        name: name.to_string(),
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
        authors: vec![person("feedsift")],
        links,
        generator: Some(atom::Generator {
            value: "feedsift".to_string(),
            uri: Some(env!("CARGO_PKG_REPOSITORY").to_string()),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        namespaces: BTreeMap::from([(PREFIX.to_string(), NAMESPACE.to_string())]),
        entries,
        ..Default::default()
    };
    let config = atom::WriteConfig {
        write_document_declaration: false,
        indent_size: None,
    };
    let out = feed
        .write_with_config(xml_prolog().into_bytes(), config)
        .expect("writing to memory cannot fail");
    let s = String::from_utf8(out).expect("atom_syndication writes UTF-8");
    // Ingest drops what XML forbids; entries stored before it did are cleaned here (a copy only
    // when there is something to drop).
    let mut s = match crate::text::xml_legal(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(legal) => legal,
    };
    s.push('\n');
    s
}

/// The terms a story matched, as `<feedsift:matched>` elements.
pub(super) fn matched_extensions(terms: &[String]) -> BTreeMap<String, Vec<Extension>> {
    let name = format!("{PREFIX}:matched");
    let elements = terms
        .iter()
        .map(|t| Extension {
            name: name.clone(),
            value: Some(t.clone()),
            ..Default::default()
        })
        .collect();
    BTreeMap::from([("matched".to_string(), elements)])
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
    let categories = item
        .categories
        .iter()
        .map(|c| atom::Category {
            term: c.clone(),
            ..Default::default()
        })
        .collect();
    let source_title = page.source_title(item);
    let mut source_links = vec![link(&item.feed_url, "self", None)];
    if let Some(site) = &item.site_url {
        source_links.push(link(site, "alternate", None));
    }
    let authors = if item.authors.is_empty() {
        vec![person(source_title)]
    } else {
        item.authors.iter().map(|a| person(a)).collect()
    };
    let mut extensions = ExtensionMap::new();
    if !item.terms.is_empty() {
        extensions.insert(PREFIX.to_string(), matched_extensions(&item.terms));
    }
    atom::Entry {
        title: atom::Text::plain(title_of(item)),
        id: story_id(item),
        updated: fixed(item.updated.max(item.sort_time)),
        published: Some(fixed(item.sort_time)),
        authors,
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
        extensions,
        ..Default::default()
    }
}
