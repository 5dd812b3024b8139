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

/// What an OPML file lists: feeds with their folders, and outlines that are not feeds.
#[derive(Default)]
struct Listing {
    feeds: Vec<Found>,
    /// Outlines that are not feeds, with why: a site link and no feed URL (some readers
    /// export bookmarks so), or a type no feed reader reads as a feed (FreshRSS's scraped
    /// `HTML+XPath` pages).
    not_feeds: Vec<(String, String)>,
}

/// A feed found in an OPML file: its URL, title and the folders above it.
struct Found {
    url: String,
    title: Option<String>,
    folders: Vec<String>,
}

fn collect(outlines: &[Outline], folders: &mut Vec<String>, into: &mut Listing) {
    let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    for o in outlines {
        let title = nonempty(o.title.as_deref()).or_else(|| nonempty(Some(&o.text)));
        let kind = nonempty(o.r#type.as_deref()).unwrap_or_default();
        match nonempty(o.xml_url.as_deref()) {
            Some(url) if !is_feed_type(&kind) => into
                .not_feeds
                .push((url, format!("type {kind:?} is not a feed"))),
            Some(url) => into.feeds.push(Found {
                url,
                title,
                folders: folders.clone(),
            }),
            None if o.outlines.is_empty() => {
                if let Some(site) = nonempty(o.html_url.as_deref()) {
                    let why = "a site, not a feed: the outline has no xmlUrl";
                    into.not_feeds.push((site, why.to_string()));
                }
            }
            None => {
                if let Some(name) = &title {
                    folders.push(name.clone());
                }
                collect(&o.outlines, folders, into);
                if title.is_some() {
                    folders.pop();
                }
            }
        }
    }
}

/// Whether an outline's `type` names a feed: `rss` in OPML 2.0, the format's name in some
/// exporters, or none at all (Miniflux writes none).
fn is_feed_type(kind: &str) -> bool {
    ["", "rss", "atom", "rdf", "feed", "json", "jsonfeed"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(kind))
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

/// Attribute names exporters spell in other cases (`xmlurl`, `xmlURL`, `HTMLUrl`), written as
/// OPML 2.0 spells them so the parser sees them. Only names directly inside a tag are
/// touched: attribute values and text are copied as they are.
fn normalise_attribute_names(xml: &str) -> String {
    const NAMES: [&str; 5] = ["xmlUrl", "htmlUrl", "text", "title", "type"];
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        // Comments, CDATA, declarations and processing instructions are copied whole.
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<![CDATA[") {
            rest.find("]]>").map(|i| i + 3)
        } else {
            tag_end(rest)
        };
        let Some(end) = end else { break };
        let tag = &rest[..end];
        if tag.starts_with("<outline") {
            out.push_str(&respell_attributes(tag, &NAMES));
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the tag at the start of `s` (through its `>`), quotes respected.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// One `<outline …>` tag with the attribute names in `names` matched case-insensitively and
/// written in their canonical case.
fn respell_attributes(tag: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut quote = None;
    let mut word_start = None;
    for (i, c) in tag.char_indices() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                out.push(c);
            }
            c if c.is_alphanumeric() || c == ':' || c == '-' || c == '_' => {
                word_start.get_or_insert(i);
            }
            _ => {
                if let Some(start) = word_start.take() {
                    let is_attribute = tag[i..].trim_start().starts_with('=');
                    out.push_str(canonical(&tag[start..i], names, is_attribute));
                }
                out.push(c);
            }
        }
    }
    if let Some(start) = word_start {
        out.push_str(&tag[start..]);
    }
    out
}

fn canonical<'a>(word: &'a str, names: &[&'a str], is_attribute: bool) -> &'a str {
    if is_attribute && let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(word)) {
        return name;
    }
    word
}

/// A file that is not well-formed XML, with the line and column of the first fault (for a
/// malformed attribute, of its tag).
fn well_formed(xml: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let place = |at: u64, e: &dyn std::fmt::Display| {
        let at = (at as usize).min(xml.len());
        let at = (0..=at)
            .rev()
            .find(|&i| xml.is_char_boundary(i))
            .unwrap_or(0);
        let before = &xml[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: {e}")
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = true;
    loop {
        let tag_at = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Eof) if root => return Err("the file is empty".into()),
            Ok(Event::Eof) => return Ok(()),
            Ok(Event::Start(tag) | Event::Empty(tag)) => {
                let name = tag.name().into_inner().to_string();
                if std::mem::take(&mut root) && name != "opml" {
                    return Err(place(
                        tag_at,
                        &format!("the document is <{name}>, not <opml>"),
                    ));
                }
                for attr in tag.attributes().with_checks(true) {
                    if let Err(e) = attr {
                        // Its own offset counts from the tag; the line is the tag's.
                        let e = e.to_string();
                        let e = e
                            .split_once(": ")
                            .filter(|(p, _)| p.starts_with("position "));
                        return Err(place(
                            tag_at,
                            &e.map_or(String::new(), |(_, m)| m.to_string()),
                        ));
                    }
                }
            }
            Ok(_) => {}
            Err(e) => return Err(place(reader.error_position(), &e)),
        }
    }
}

/// Reads an OPML file: an error names the file and, for XML faults, the line.
fn read_opml(file: &Path) -> Result<Listing, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
    let not_opml = |why: String| Failure::usage(format!("{} is not OPML: {why}", file.display()));
    well_formed(&text).map_err(not_opml)?;
    let doc =
        OPML::from_str(&normalise_attribute_names(&text)).map_err(|e| not_opml(e.to_string()))?;
    let mut listing = Listing::default();
    collect(&doc.body.outlines, &mut Vec::new(), &mut listing);
    Ok(listing)
}

/// Adds the OPML file's feeds to the config file; prints one line per feed added or skipped,
/// then the counts. With `dry_run`, says the same and writes nothing.
pub fn import(config_path: &Path, file: &Path, dry_run: bool) -> CliResult {
    let config = load_config(config_path)?;
    let listing = read_opml(file)?;

    let source = std::fs::read_to_string(config_path)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", config_path.display())))?;
    let mut edit: toml_edit::DocumentMut = source
        .parse()
        .map_err(|e| Failure::usage(format!("{}: {e}", config_path.display())))?;
    // A configured feed that has moved (a permanent redirect the store followed) is
    // configured under its new URL too.
    let moved: Vec<String> = Store::open_read_only(&config.daemon.database)
        .and_then(|s| s.feed_states())
        .map(|states| states.into_iter().filter_map(|s| s.moved_to).collect())
        .unwrap_or_default();
    let configured: HashSet<String> = config
        .feeds
        .iter()
        .map(|f| same_feed_key(&f.url))
        .chain(moved.iter().map(|u| same_feed_key(u)))
        .collect();
    let mut seen = HashSet::new();
    let mut report = String::new();
    let (mut added, mut skipped) = (0usize, 0usize);
    let mut skip = |report: &mut String, url: &str, why: &str| {
        skipped += 1;
        report.push_str(&format!("skipped {url} ({why})\n"));
    };
    for (url, why) in &listing.not_feeds {
        skip(&mut report, url, why);
    }
    for f in listing.feeds {
        let key = same_feed_key(&f.url);
        if !(f.url.starts_with("http://") || f.url.starts_with("https://")) {
            skip(&mut report, &f.url, "not an http or https URL");
            continue;
        }
        if configured.contains(&key) {
            skip(&mut report, &f.url, "already configured");
            continue;
        }
        if !seen.insert(key) {
            skip(&mut report, &f.url, "listed twice in the file");
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
        added += 1;
        report.push_str(&format!(
            "{} {}\n",
            if dry_run { "would add" } else { "added" },
            f.url
        ));
    }
    if added > 0 {
        let new_text = edit.to_string();
        // The result must still be a valid config before it replaces the old one.
        crate::config::parse(&new_text, config_path, None).map_err(|e| {
            Failure::usage(format!(
                "the config would not be valid after the import, so it is left as it was: {e}"
            ))
        })?;
        if !dry_run {
            replace_file(config_path, &new_text)?;
        }
    }
    let feeds = super::count(added, "feed", "feeds");
    report.push_str(&match (dry_run, added) {
        (true, _) => format!(
            "{feeds} would be added to {}, {skipped} skipped (dry run: nothing written)\n",
            config_path.display()
        ),
        (false, 0) => format!(
            "0 feeds added to {}, {skipped} skipped\n",
            config_path.display()
        ),
        (false, _) => format!(
            "{feeds} added to {}, {skipped} skipped (a running daemon picks them up on reload: SIGHUP)\n",
            config_path.display()
        ),
    });
    out(&report)
}

/// Replaces a file by writing a temporary file beside it, syncing it, and renaming it over the
/// old one, so the file is always either the old text or the new. The temporary file keeps the
/// old file's permissions.
fn replace_file(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let fail =
        |e: std::io::Error| Failure::runtime(format!("cannot write {}: {e}", path.display()));
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".import-tmp");
    let tmp = path.with_file_name(name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_in_other_cases_are_respelled_values_untouched() {
        let xml = r#"<outline text="xmlurl=" XMLURL="https://a/XMLURL" htmlurl = 'h' type="rss"/>"#;
        assert_eq!(
            normalise_attribute_names(xml),
            r#"<outline text="xmlurl=" xmlUrl="https://a/XMLURL" htmlUrl = 'h' type="rss"/>"#
        );
        let other = r#"<head><title>xmlURL</title></head><!-- <outline xmlURL="x"> -->"#;
        assert_eq!(normalise_attribute_names(other), other);
    }

    #[test]
    fn a_fault_is_placed_by_line_and_column() {
        let e =
            well_formed("<opml>\n<body>\n  <outline text=\"a\" <b/>\n</body></opml>").unwrap_err();
        assert!(e.starts_with("line 3, column "), "{e}");
        assert!(well_formed("<opml><body/></opml>").is_ok());
    }
}
