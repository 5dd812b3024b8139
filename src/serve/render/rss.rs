//! RSS 2.0: `guid isPermaLink="false"` (the story id), RFC 822 dates, `<source url>` naming the
//! outlet, authors as `dc:creator` (RSS's own `<author>` must be an e-mail address), the other
//! outlets in the description, `atom:link` `self` and `next`.

use super::{NAMESPACE, PREFIX, Page, story_id, title_of, xml_prolog};
use crate::store::StoryItem;
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use std::collections::BTreeMap;

fn atom_link(href: &str, rel: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some("application/rss+xml".to_string()),
        ..Default::default()
    }
}

/// RSS 2.0.
pub fn rss(page: &Page<'_>) -> String {
    let mut links = vec![atom_link(&page.self_url, "self")];
    if let Some(next) = &page.next_url {
        links.push(atom_link(next, "next"));
    }
    let updated = page.updated().to_rfc2822();
    let channel = rss::Channel {
        title: page.title.clone(),
        link: page.html_url.clone(),
        description: format!(
            "{}: each story once, from the feeds feedsift watches",
            page.title
        ),
        last_build_date: Some(updated.clone()),
        pub_date: Some(updated),
        generator: Some(format!("feedsift {}", env!("CARGO_PKG_VERSION"))),
        docs: Some("https://www.rssboard.org/rss-specification".to_string()),
        items: page.items.iter().map(|i| rss_item(page, i)).collect(),
        atom_ext: Some(AtomExtension { links }),
        namespaces: BTreeMap::from([(PREFIX.to_string(), NAMESPACE.to_string())]),
        ..Default::default()
    };
    let mut out = Vec::new();
    channel
        .write_to(&mut out)
        .expect("writing to memory cannot fail");
    let text = String::from_utf8(out).expect("rss writes UTF-8");
    // The crate writes its own declaration; the stylesheet instruction goes right after it.
    let body = text
        .split_once("?>")
        .map_or(text.as_str(), |(_, rest)| rest);
    // Ingest drops what XML forbids; entries stored before it did are cleaned here.
    let body = crate::text::xml_legal(body.trim_start());
    format!("{}{body}\n", xml_prolog())
}

fn rss_item(page: &Page<'_>, item: &StoryItem) -> rss::Item {
    let mut extensions = ExtensionMap::new();
    if !item.terms.is_empty() {
        let elements = item
            .terms
            .iter()
            .map(|t| Extension {
                name: format!("{PREFIX}:matched"),
                value: Some(t.clone()),
                ..Default::default()
            })
            .collect();
        extensions.insert(
            PREFIX.to_string(),
            BTreeMap::from([("matched".to_string(), elements)]),
        );
    }
    let source_title = page.source_title(item);
    rss::Item {
        title: Some(title_of(item)),
        link: item.link.clone(),
        description: page.body_html(item),
        guid: Some(rss::Guid {
            value: story_id(item),
            permalink: false,
        }),
        pub_date: Some(item.sort_time.to_rfc2822()),
        source: Some(rss::Source {
            url: item.feed_url.clone(),
            title: Some(source_title.to_string()),
        }),
        categories: item
            .categories
            .iter()
            .map(|c| rss::Category {
                name: c.clone(),
                domain: None,
            })
            .collect(),
        dublin_core_ext: (!item.authors.is_empty()).then(|| DublinCoreExtension {
            creators: item.authors.clone(),
            ..Default::default()
        }),
        extensions,
        ..Default::default()
    }
}
