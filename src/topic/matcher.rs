//! Evaluating compiled topics against one entry.
//!
//! An entry becomes a [`Doc`]: the normalised words of each field. Each topic's tree is evaluated
//! over it; word positions are kept so that `NEAR` and phrases work and `--explain` can say what
//! matched where.

use super::ast::{Field, Pattern, Query};
use super::{Scope, Topic};
use crate::text;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Never equal to a query word (words hold only letters and digits): separates the values of a
/// multi-valued field so that a phrase cannot run from one author into the next.
const GAP: &str = "\u{1}";

/// What a document is built from: one entry and its source feed.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocInput<'a> {
    pub title: &'a str,
    /// Plain text of summary and content.
    pub text: &'a str,
    pub authors: &'a [String],
    pub categories: &'a [String],
    pub feed_title: &'a str,
    pub feed_url: &'a str,
    pub url: &'a str,
}

/// The normalised words of each field of one entry.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    fields: [Vec<String>; 6],
}

fn multi<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        if !out.is_empty() {
            out.push(GAP.to_string());
        }
        out.extend(text::words(v));
    }
    out
}

impl Doc {
    pub fn new(input: &DocInput<'_>) -> Doc {
        let mut fields: [Vec<String>; 6] = Default::default();
        fields[Field::Title.index()] = text::words(input.title);
        fields[Field::Summary.index()] = text::words(input.text);
        fields[Field::Author.index()] = multi(input.authors.iter().map(String::as_str));
        fields[Field::Category.index()] = multi(input.categories.iter().map(String::as_str));
        fields[Field::Feed.index()] = multi([input.feed_title, input.feed_url]);
        fields[Field::Url.index()] = text::words(input.url);
        Doc { fields }
    }

    fn words(&self, field: Field) -> &[String] {
        &self.fields[field.index()]
    }
}

/// A word span `[start, end]` (inclusive) in one field.
type Span = (u32, u32);

fn word_matches(word: &str, pat: &str, prefix: bool) -> bool {
    if prefix {
        word.starts_with(pat)
    } else {
        word == pat
    }
}

/// Every place `pattern` occurs in `words`.
fn pattern_spans(pattern: &Pattern, words: &[String], out: &mut Vec<Span>) {
    let n = pattern.words.len();
    if n == 0 || words.len() < n {
        return;
    }
    let last = n - 1;
    'outer: for start in 0..=(words.len() - n) {
        for (k, pw) in pattern.words.iter().enumerate() {
            let prefix = pattern.prefix && k == last;
            if !word_matches(&words[start + k], pw, prefix) {
                continue 'outer;
            }
        }
        out.push((start as u32, (start + last) as u32));
    }
}

/// The fields a term looks in: its own field, or title and summary.
fn scope(field: Option<Field>) -> &'static [Field] {
    match field {
        Some(Field::Title) => &[Field::Title],
        Some(Field::Summary) => &[Field::Summary],
        Some(Field::Author) => &[Field::Author],
        Some(Field::Category) => &[Field::Category],
        Some(Field::Feed) => &[Field::Feed],
        Some(Field::Url) => &[Field::Url],
        None => &[Field::Title, Field::Summary],
    }
}

/// One matched term, for explain and for the `matched` list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub field: Field,
    /// The term as printed in canonical form (`"kim jong un"`, `sanction*`).
    pub term: String,
}

impl Hit {
    pub fn label(&self) -> String {
        format!("{}:{}", self.field.name(), self.term)
    }
}

/// Spans of a positional node (term, alias, OR of those) in one field.
fn node_spans(q: &Query, doc: &Doc, field: Field, out: &mut Vec<Span>) {
    match q {
        Query::Term { field: f, pattern } if scope(*f).contains(&field) => {
            pattern_spans(pattern, doc.words(field), out);
        }
        Query::Alias {
            field: f, patterns, ..
        } if scope(*f).contains(&field) => {
            for p in patterns {
                pattern_spans(p, doc.words(field), out);
            }
        }
        Query::Or(items) => items.iter().for_each(|i| node_spans(i, doc, field, out)),
        _ => {}
    }
}

fn gap(a: Span, b: Span) -> u32 {
    if b.0 > a.1 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

/// Evaluates `q` over `doc`; when `hits` is given, records the positive terms that matched.
pub fn eval(q: &Query, doc: &Doc, mut hits: Option<&mut BTreeSet<Hit>>) -> bool {
    match q {
        Query::Term { field, pattern } => {
            let mut found = false;
            for &f in scope(*field) {
                let mut spans = Vec::new();
                pattern_spans(pattern, doc.words(f), &mut spans);
                if !spans.is_empty() {
                    found = true;
                    match hits.as_deref_mut() {
                        Some(h) => {
                            h.insert(Hit {
                                field: f,
                                term: pattern.to_string(),
                            });
                        }
                        None => return true,
                    }
                }
            }
            found
        }
        Query::Alias {
            field, patterns, ..
        } => {
            let mut found = false;
            for p in patterns {
                let t = Query::Term {
                    field: *field,
                    pattern: p.clone(),
                };
                if eval(&t, doc, hits.as_deref_mut()) {
                    found = true;
                    if hits.is_none() {
                        return true;
                    }
                }
            }
            found
        }
        Query::And(items) => {
            if hits.is_none() {
                return items.iter().all(|i| eval(i, doc, None));
            }
            // Only record hits of a conjunction that holds as a whole.
            let mut local = BTreeSet::new();
            for i in items {
                if !eval(i, doc, Some(&mut local)) {
                    return false;
                }
            }
            if let Some(h) = hits {
                h.extend(local);
            }
            true
        }
        Query::Or(items) => {
            let mut found = false;
            for i in items {
                if eval(i, doc, hits.as_deref_mut()) {
                    found = true;
                    if hits.is_none() {
                        return true;
                    }
                }
            }
            found
        }
        Query::Not(inner) => !eval(inner, doc, None),
        Query::Near {
            distance,
            left,
            right,
        } => {
            let mut found = false;
            for f in Field::ALL {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                node_spans(left, doc, f, &mut a);
                if a.is_empty() {
                    continue;
                }
                node_spans(right, doc, f, &mut b);
                if a.iter().any(|x| b.iter().any(|y| gap(*x, *y) <= *distance)) {
                    found = true;
                    match hits.as_deref_mut() {
                        Some(h) => {
                            let mut local = BTreeSet::new();
                            eval(left, doc, Some(&mut local));
                            eval(right, doc, Some(&mut local));
                            h.extend(local.into_iter().filter(|hit| hit.field == f));
                        }
                        None => return true,
                    }
                }
            }
            found
        }
    }
}

/// The source feed of an entry, for topic scopes.
#[derive(Clone, Copy, Debug)]
pub struct FeedRef<'a> {
    pub url: &'a str,
    pub tags: &'a [String],
}

/// One topic an entry matched, with the terms that made it match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicHit {
    pub topic: String,
    pub terms: Vec<String>,
}

/// All configured topics, compiled, evaluated together over each entry.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    topics: Vec<Arc<Topic>>,
}

impl Matcher {
    pub fn new(topics: Vec<Arc<Topic>>) -> Matcher {
        Matcher { topics }
    }

    pub fn topics(&self) -> &[Arc<Topic>] {
        &self.topics
    }

    /// The topics `doc` (from `feed`) belongs to.
    pub fn match_doc(&self, doc: &Doc, feed: FeedRef<'_>) -> Vec<TopicHit> {
        self.topics
            .iter()
            .filter_map(|t| topic_hit(t, doc, feed))
            .collect()
    }
}

/// Whether `topic` takes `doc`, and with which terms.
pub fn topic_hit(topic: &Topic, doc: &Doc, feed: FeedRef<'_>) -> Option<TopicHit> {
    if !in_scope(&topic.scope, feed) || !eval(&topic.query, doc, None) {
        return None;
    }
    if let Some(ex) = &topic.exclude
        && eval(ex, doc, None)
    {
        return None;
    }
    let mut hits = BTreeSet::new();
    eval(&topic.query, doc, Some(&mut hits));
    Some(TopicHit {
        topic: topic.id.clone(),
        terms: hits.iter().map(Hit::label).collect(),
    })
}

fn in_scope(scope: &[Scope], feed: FeedRef<'_>) -> bool {
    scope.is_empty()
        || scope.iter().any(|s| match s {
            Scope::Tag(t) => feed.tags.iter().any(|ft| ft == t),
            // Both sides are the configured URL strings.
            Scope::Url(u) => u == feed.url,
        })
}
