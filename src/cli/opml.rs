//! `feedsift export-opml` and `feedsift import-opml FILE`: the configured feeds as OPML 2.0
//! (grouped by their first tag), and an OPML file's feeds added to the config file with its
//! comments and layout kept (toml_edit); folders become tags, feeds already configured are
//! skipped.

use super::{CliResult, Failure, load_config, out};
use crate::config::FeedConfig;
use crate::store::Store;
use opml::{Body, Head, OPML, Outline};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The configured feeds as OPML 2.0: one folder per first tag, untagged feeds at the top.
pub fn export(config_path: &Path) -> CliResult {
    let config = load_config(config_path)?;
    // Site links come from the store when there is one; it is never created for this.
    let sites: HashMap<String, (Option<String>, Option<String>)> =
        match Store::open_read_only(&config.daemon.database) {
            Ok(store) => store
                .feed_states()
                .map_err(Failure::runtime)?
                .into_iter()
                .map(|s| (s.url, (s.title, s.site_url)))
                .collect(),
            Err(_) => HashMap::new(),
        };
    let outline = |f: &FeedConfig| {
        let (stored_title, site) = sites.get(&f.url).cloned().unwrap_or_default();
        let title = config
            .feed_title(&f.url, stored_title.as_deref())
            .to_string();
        Outline {
            text: title.clone(),
            title: Some(title),
            r#type: Some("rss".to_string()),
            xml_url: Some(f.url.clone()),
            html_url: site,
            ..Default::default()
        }
    };
    let mut top = Vec::new();
    let mut folders: BTreeMap<&str, Vec<Outline>> = BTreeMap::new();
    for f in &config.feeds {
        match f.tags.first() {
            Some(tag) => folders.entry(tag).or_default().push(outline(f)),
            None => top.push(outline(f)),
        }
    }
    top.extend(folders.into_iter().map(|(tag, outlines)| Outline {
        text: tag.to_string(),
        title: Some(tag.to_string()),
        outlines,
        ..Default::default()
    }));
    let doc = OPML {
        version: "2.0".to_string(),
        head: Some(Head {
            title: Some("feedsift feeds".to_string()),
            ..Default::default()
        }),
        body: Body { outlines: top },
    };
    let xml = doc
        .to_string()
        .map_err(|e| Failure::runtime(format!("writing OPML: {e}")))?;
    out(&format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{xml}\n"
    ))
}

/// A feed URL as compared for "already configured": parsed, so that scheme and host are
/// lower-cased (and the rest normalised as URLs are).
fn same_feed_key(url: &str) -> String {
    url::Url::parse(url.trim()).map_or_else(|_| url.trim().to_string(), |u| u.to_string())
}

/// A feed found in an OPML file: its URL, title and the folders above it.
struct Found {
    url: String,
    title: Option<String>,
    folders: Vec<String>,
}

fn collect(outlines: &[Outline], folders: &mut Vec<String>, into: &mut Vec<Found>) {
    for o in outlines {
        match o
            .xml_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => into.push(Found {
                url: url.to_string(),
                title: o
                    .title
                    .clone()
                    .or_else(|| Some(o.text.clone()))
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
                folders: folders.clone(),
            }),
            None => {
                let name = o.title.clone().unwrap_or_else(|| o.text.clone());
                let name = name.trim();
                if !name.is_empty() {
                    folders.push(name.to_string());
                }
                collect(&o.outlines, folders, into);
                if !name.is_empty() {
                    folders.pop();
                }
            }
        }
    }
}

/// A folder name as a tag: lower case, words joined by `-`.
fn tag_of(folder: &str) -> String {
    folder
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Adds the OPML file's feeds to the config file; prints one line per feed added, then a count.
pub fn import(config_path: &Path, file: &Path) -> CliResult {
    let config = load_config(config_path)?;
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
    let doc = OPML::from_str(&text)
        .map_err(|e| Failure::usage(format!("{} is not OPML: {e}", file.display())))?;
    let mut found = Vec::new();
    collect(&doc.body.outlines, &mut Vec::new(), &mut found);

    let source = std::fs::read_to_string(config_path)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", config_path.display())))?;
    let mut edit: toml_edit::DocumentMut = source
        .parse()
        .map_err(|e| Failure::usage(format!("{}: {e}", config_path.display())))?;
    let mut known: HashSet<String> = config.feeds.iter().map(|f| same_feed_key(&f.url)).collect();
    let mut added = Vec::new();
    for f in found {
        if !(f.url.starts_with("http://") || f.url.starts_with("https://")) {
            eprintln!("skipped (not an http or https URL): {}", f.url);
            continue;
        }
        if !known.insert(same_feed_key(&f.url)) {
            continue;
        }
        let mut table = toml_edit::Table::new();
        table["url"] = toml_edit::value(f.url.clone());
        if let Some(t) = &f.title {
            table["title"] = toml_edit::value(t.clone());
        }
        let tags: toml_edit::Array = f
            .folders
            .iter()
            .map(|d| tag_of(d))
            .filter(|t| !t.is_empty())
            .collect();
        if !tags.is_empty() {
            table["tags"] = toml_edit::value(tags);
        }
        let feeds = edit
            .entry("feed")
            .or_insert(toml_edit::Item::ArrayOfTables(Default::default()))
            .as_array_of_tables_mut()
            .ok_or_else(|| {
                Failure::usage(format!(
                    "{}: `feed` is not a list of [[feed]] tables",
                    config_path.display()
                ))
            })?;
        feeds.push(table);
        added.push(f.url);
    }
    if !added.is_empty() {
        let new_text = edit.to_string();
        // The result must still be a valid config before it replaces the old one.
        crate::config::parse(&new_text, config_path, None).map_err(|e| {
            Failure::usage(format!(
                "the config would not be valid after the import: {e}"
            ))
        })?;
        let tmp = config_path.with_extension("toml.tmp");
        std::fs::write(&tmp, &new_text)
            .and_then(|_| std::fs::rename(&tmp, config_path))
            .map_err(|e| {
                Failure::runtime(format!("cannot write {}: {e}", config_path.display()))
            })?;
    }
    let mut report: String = added.iter().map(|u| format!("added {u}\n")).collect();
    report.push_str(&format!(
        "{} feed{} added to {}{}\n",
        added.len(),
        if added.len() == 1 { "" } else { "s" },
        config_path.display(),
        if added.is_empty() {
            ""
        } else {
            " (a running daemon picks them up on reload: SIGHUP)"
        }
    ));
    out(&report)
}
