//! The compiled matcher: every topic at once, over one entry.
//!
//! An entry becomes a [`Doc`]: each field normalised once (see `text`) with the byte span and
//! position of each word. The distinct words of every topic's terms are compiled into one
//! Aho-Corasick automaton; one overlapping scan of each field finds every occurrence of every
//! term word of every topic, kept only where it starts a word (and ends it, unless the term is a
//! prefix). Each topic's tree is then evaluated over those hits: phrases are consecutive
//! positions, `NEAR` a distance between positions. The cost of the scan does not grow with the
//! number of topics, only with the text.

use super::ast::{Field, Pattern, Query};
use super::{Scope, Topic};
use crate::text;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

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

/// One word of a field: its bytes in the normalised text and its position. Positions jump by
/// two between the values of a multi-valued field, so a phrase never runs from one author
/// into the next.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: u32,
    end: u32,
    pos: u32,
}

#[derive(Clone, Debug, Default)]
struct FieldText {
    text: String,
    words: Vec<Word>,
}

impl FieldText {
    fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> FieldText {
        let mut f = FieldText::default();
        let mut pos = 0u32;
        for v in values {
            if !f.text.is_empty() {
                f.text.push('\u{1}');
                pos += 1;
            }
            let base = f.text.len();
            f.text.push_str(&text::normalize(v));
            for (s, e) in text::word_spans(&f.text[base..]) {
                f.words.push(Word {
                    start: (base + s) as u32,
                    end: (base + e) as u32,
                    pos,
                });
                pos += 1;
            }
        }
        f
    }

    /// The word starting at byte `start`, if any.
    fn word_at(&self, start: u32) -> Option<&Word> {
        self.words
            .binary_search_by_key(&start, |w| w.start)
            .ok()
            .map(|i| &self.words[i])
    }
}

/// One entry, normalised and split into words, field by field.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    fields: [FieldText; 6],
}

impl Doc {
    pub fn new(input: &DocInput<'_>) -> Doc {
        let mut fields: [FieldText; 6] = Default::default();
        fields[Field::Title.index()] = FieldText::new([input.title]);
        fields[Field::Summary.index()] = FieldText::new([input.text]);
        fields[Field::Author.index()] = FieldText::new(input.authors.iter().map(String::as_str));
        fields[Field::Category.index()] =
            FieldText::new(input.categories.iter().map(String::as_str));
        fields[Field::Feed.index()] = FieldText::new([input.feed_title, input.feed_url]);
        fields[Field::Url.index()] = FieldText::new([input.url]);
        Doc { fields }
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

/// A term compiled to vocabulary ids.
#[derive(Clone, Debug)]
struct Term {
    fields: &'static [Field],
    words: Vec<u32>,
    prefix: bool,
    label: String,
}

/// A query compiled: terms point into the shared vocabulary.
#[derive(Clone, Debug)]
enum Plan {
    /// Any of these terms (a single term, or an alias's set).
    Terms(Vec<Term>),
    And(Vec<Plan>),
    Or(Vec<Plan>),
    Not(Box<Plan>),
    Near(u32, Box<Plan>, Box<Plan>),
}

/// Distinct words of all terms, and the automaton that finds them.
#[derive(Debug, Default)]
struct Vocab {
    ids: HashMap<String, u32>,
    words: Vec<String>,
}

impl Vocab {
    fn id(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(w.to_string());
        self.ids.insert(w.to_string(), id);
        id
    }

    fn term(&mut self, field: Option<Field>, p: &Pattern) -> Term {
        Term {
            fields: Field::searched(field),
            words: p.words.iter().map(|w| self.id(w)).collect(),
            prefix: p.prefix,
            label: p.to_string(),
        }
    }

    fn plan(&mut self, q: &Query) -> Plan {
        match q {
            Query::Term { field, pattern } => Plan::Terms(vec![self.term(*field, pattern)]),
            Query::Alias {
                field, patterns, ..
            } => Plan::Terms(patterns.iter().map(|p| self.term(*field, p)).collect()),
            Query::And(items) => Plan::And(items.iter().map(|i| self.plan(i)).collect()),
            Query::Or(items) => Plan::Or(items.iter().map(|i| self.plan(i)).collect()),
            Query::Not(inner) => Plan::Not(Box::new(self.plan(inner))),
            Query::Near {
                distance,
                left,
                right,
            } => Plan::Near(
                *distance,
                Box::new(self.plan(left)),
                Box::new(self.plan(right)),
            ),
        }
    }
}

/// Where the vocabulary's words occur in one document: for each field and word id, the
/// positions where it is a whole word (`exact`) or the start of one. Stored flat and sorted, with
/// an offset table indexed by `field * vocabulary + word`: lookups need no hashing.
struct Hits {
    /// (field, word id, position, exact), sorted.
    all: Vec<(u8, u32, u32, bool)>,
    /// `offsets[f * n + w] .. offsets[f * n + w + 1]` is the slice of `all` for field f, word w.
    offsets: Vec<u32>,
    /// Vocabulary size.
    n: usize,
}

impl Hits {
    fn scan(ac: Option<&AhoCorasick>, doc: &Doc) -> Hits {
        let n = ac.map_or(0, |a| a.patterns_len());
        let mut all = Vec::new();
        if let Some(ac) = ac {
            for (fi, field) in doc.fields.iter().enumerate() {
                for m in ac.find_overlapping_iter(field.text.as_str()) {
                    if let Some(w) = field.word_at(m.start() as u32) {
                        let exact = m.end() as u32 == w.end;
                        all.push((fi as u8, m.pattern().as_u32(), w.pos, exact));
                    }
                }
            }
        }
        all.sort_unstable();
        let mut offsets = vec![0u32; 6 * n + 1];
        for &(f, w, _, _) in &all {
            offsets[f as usize * n + w as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        Hits { all, offsets, n }
    }

    /// Sorted (position, exact) of `word` in `field`.
    fn of(&self, field: Field, word: u32) -> impl Iterator<Item = (u32, bool)> + '_ {
        self.slice(field, word).iter().map(|&(_, _, p, e)| (p, e))
    }

    fn slice(&self, field: Field, word: u32) -> &[(u8, u32, u32, bool)] {
        if self.n == 0 {
            return &[];
        }
        let i = field.index() * self.n + word as usize;
        &self.all[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    fn has(&self, field: Field, word: u32, pos: u32, prefix: bool) -> bool {
        let v = self.slice(field, word);
        let key = |exact| (field.index() as u8, word, pos, exact);
        v.binary_search(&key(true)).is_ok() || (prefix && v.binary_search(&key(false)).is_ok())
    }

    /// Start positions of `term` in `field`.
    fn term_starts(&self, term: &Term, field: Field, out: &mut Vec<(u32, u32)>) {
        let n = term.words.len() as u32;
        let single = n == 1;
        for (pos, exact) in self.of(field, term.words[0]) {
            if !(exact || (term.prefix && single)) {
                continue;
            }
            let rest = term.words[1..].iter().enumerate().all(|(k, &w)| {
                let last = k as u32 + 2 == n;
                self.has(field, w, pos + k as u32 + 1, term.prefix && last)
            });
            if rest && out.last() != Some(&(pos, pos + n - 1)) {
                out.push((pos, pos + n - 1));
            }
        }
    }
}

/// Words between two spans (0 when they touch or overlap).
pub(super) fn gap(a: (u32, u32), b: (u32, u32)) -> u32 {
    b.0.saturating_sub(a.1).max(a.0.saturating_sub(b.1))
}

/// Spans of a positional plan (terms, OR of terms) in one field.
fn spans(plan: &Plan, hits: &Hits, field: Field, out: &mut Vec<(u32, u32)>) {
    match plan {
        Plan::Terms(terms) => {
            for t in terms.iter().filter(|t| t.fields.contains(&field)) {
                hits.term_starts(t, field, out);
            }
        }
        Plan::Or(items) => items.iter().for_each(|i| spans(i, hits, field, out)),
        _ => {}
    }
}

/// Evaluates `plan`; when `explain` is given, records the positive terms that matched.
fn eval(plan: &Plan, hits: &Hits, mut explain: Option<&mut BTreeSet<Hit>>) -> bool {
    match plan {
        Plan::Terms(terms) => {
            let mut found = false;
            let mut buf = Vec::new();
            for t in terms {
                for &f in t.fields {
                    buf.clear();
                    hits.term_starts(t, f, &mut buf);
                    if buf.is_empty() {
                        continue;
                    }
                    found = true;
                    match explain.as_deref_mut() {
                        Some(h) => {
                            h.insert(Hit {
                                field: f,
                                term: t.label.clone(),
                            });
                        }
                        None => return true,
                    }
                }
            }
            found
        }
        Plan::And(items) => {
            if explain.is_none() {
                return items.iter().all(|i| eval(i, hits, None));
            }
            let mut local = BTreeSet::new();
            for i in items {
                if !eval(i, hits, Some(&mut local)) {
                    return false;
                }
            }
            if let Some(h) = explain {
                h.extend(local);
            }
            true
        }
        Plan::Or(items) => {
            let mut found = false;
            for i in items {
                if eval(i, hits, explain.as_deref_mut()) {
                    found = true;
                    if explain.is_none() {
                        return true;
                    }
                }
            }
            found
        }
        Plan::Not(inner) => !eval(inner, hits, None),
        Plan::Near(distance, left, right) => {
            let mut found = false;
            for f in Field::ALL {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                spans(left, hits, f, &mut a);
                if a.is_empty() {
                    continue;
                }
                spans(right, hits, f, &mut b);
                if a.iter().any(|x| b.iter().any(|y| gap(*x, *y) <= *distance)) {
                    found = true;
                    match explain.as_deref_mut() {
                        Some(h) => {
                            let mut local = BTreeSet::new();
                            eval(left, hits, Some(&mut local));
                            eval(right, hits, Some(&mut local));
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

/// A set of queries compiled over one vocabulary.
#[derive(Debug)]
struct Compiled {
    ac: Option<AhoCorasick>,
    plans: Vec<Plan>,
}

impl Compiled {
    fn new<'a>(queries: impl IntoIterator<Item = &'a Query>) -> Compiled {
        let mut vocab = Vocab::default();
        let plans: Vec<Plan> = queries.into_iter().map(|q| vocab.plan(q)).collect();
        let ac = (!vocab.words.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&vocab.words)
                .expect("term words are short, non-empty strings")
        });
        Compiled { ac, plans }
    }

    fn hits(&self, doc: &Doc) -> Hits {
        Hits::scan(self.ac.as_ref(), doc)
    }
}

/// One query on its own (`feedsift query`).
#[derive(Debug)]
pub struct QueryMatcher(Compiled);

impl QueryMatcher {
    pub fn new(q: &Query) -> QueryMatcher {
        QueryMatcher(Compiled::new([q]))
    }

    /// `None` when `doc` does not match; else the terms that matched, by field.
    pub fn explain(&self, doc: &Doc) -> Option<BTreeSet<Hit>> {
        let hits = self.0.hits(doc);
        if !eval(&self.0.plans[0], &hits, None) {
            return None;
        }
        let mut out = BTreeSet::new();
        eval(&self.0.plans[0], &hits, Some(&mut out));
        Some(out)
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

/// All configured topics, compiled together: one scan of an entry serves them all.
#[derive(Debug)]
pub struct Matcher {
    topics: Vec<Arc<Topic>>,
    /// Per topic: its query's plan at `2i`, its exclude's (or an always-false plan) at `2i + 1`.
    compiled: Compiled,
}

impl Default for Matcher {
    fn default() -> Matcher {
        Matcher::new(Vec::new())
    }
}

impl Matcher {
    pub fn new(topics: Vec<Arc<Topic>>) -> Matcher {
        let never = Query::Or(Vec::new());
        let compiled = Compiled::new(
            topics
                .iter()
                .flat_map(|t| [&t.query, t.exclude.as_ref().unwrap_or(&never)]),
        );
        Matcher { topics, compiled }
    }

    /// The topics `doc` (from `feed`) belongs to, with the terms that matched.
    pub fn match_doc(&self, doc: &Doc, feed: FeedRef<'_>) -> Vec<TopicHit> {
        let mut hits: Option<Hits> = None;
        let mut out = Vec::new();
        for (i, t) in self.topics.iter().enumerate() {
            if !in_scope(&t.scope, feed) {
                continue;
            }
            let hits = hits.get_or_insert_with(|| self.compiled.hits(doc));
            let (query, exclude) = (&self.compiled.plans[2 * i], &self.compiled.plans[2 * i + 1]);
            if !eval(query, hits, None) || eval(exclude, hits, None) {
                continue;
            }
            let mut terms = BTreeSet::new();
            eval(query, hits, Some(&mut terms));
            out.push(TopicHit {
                topic: t.id.clone(),
                terms: terms.iter().map(Hit::label).collect(),
            });
        }
        out
    }
}

fn in_scope(scope: &[Scope], feed: FeedRef<'_>) -> bool {
    scope.is_empty()
        || scope.iter().any(|s| match s {
            Scope::Tag(t) => feed.tags.iter().any(|ft| ft == t),
            // Both sides are the configured URL strings.
            Scope::Url(u) => u == feed.url,
        })
}
