//! JSON Feed 1.1, with feedsift's extension `_feedsift`: the outlet (`source`), the other
//! outlets (`also_reported_by`) and the terms the story matched (`matched`).

use super::{Page, story_id, title_of};
use crate::store::StoryItem;
use serde_json::{Value, json};

/// JSON Feed 1.1.
pub fn json_feed(page: &Page<'_>) -> String {
    let items: Vec<_> = page.items.iter().map(|i| json_item(page, i)).collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": page.title,
        "home_page_url": page.html_url,
        "feed_url": page.self_url,
        "authors": [{"name": "feedsift"}],
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

fn json_item(page: &Page<'_>, item: &StoryItem) -> Value {
    let also: Vec<_> = page
        .also(item)
        .into_iter()
        .map(|(title, url)| json!({"title": title, "url": url}))
        .collect();
    let source_title = page.source_title(item);
    let authors: Vec<_> = if item.authors.is_empty() {
        vec![json!({"name": source_title})]
    } else {
        item.authors.iter().map(|a| json!({"name": a})).collect()
    };
    let mut obj = json!({
        "id": story_id(item),
        "title": title_of(item),
        "date_published": item.sort_time.to_rfc3339(),
        "date_modified": item.updated.max(item.sort_time).to_rfc3339(),
        "authors": authors,
        "_feedsift": {
            "source": {"title": source_title, "feed_url": item.feed_url, "home_page_url": item.site_url},
            "also_reported_by": also,
            "matched": item.terms,
        },
    });
    let o = obj.as_object_mut().expect("object");
    if let Some(l) = &item.link {
        o.insert("url".into(), json!(l));
    }
    // JSON Feed requires content_html or content_text on every item.
    match page.body_html(item) {
        Some(html) => o.insert("content_html".into(), json!(html)),
        None => o.insert("content_text".into(), json!("")),
    };
    if !item.categories.is_empty() {
        o.insert("tags".into(), json!(item.categories));
    }
    obj
}
