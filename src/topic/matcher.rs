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
use std::borrow::Cow;
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

/// The separator between the values of a multi-valued field. It is no word character, and it
/// counts as one word position, so a phrase never runs from one author into the next.
const SEPARATOR: char = '\u{1}';

/// One field's text, normalised, or as given when normalising would change only ASCII case
/// (most English text): the automaton matches ASCII case-insensitively, so that text is scanned
/// without being copied.
#[derive(Clone, Debug, Default)]
struct FieldText<'a> {
    text: Cow<'a, str>,
    /// Byte offsets of the separators between values.
    separators: Vec<u32>,
}

fn normalized(s: &str) -> Cow<'_, str> {
    if text::is_normal_but_case(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(text::normalize(s))
    }
}

impl<'a> FieldText<'a> {
    fn one(value: &'a str) -> FieldText<'a> {
        FieldText {
            text: normalized(value),
            separators: Vec::new(),
        }
    }

    fn many(values: impl IntoIterator<Item = &'a str>) -> FieldText<'a> {
        let mut text = String::new();
        let mut separators = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                separators.push(text.len() as u32);
                text.push(SEPARATOR);
            }
            text.push_str(&normalized(v));
        }
        FieldText {
            text: Cow::Owned(text),
            separators,
        }
    }

    fn into_owned(self) -> FieldText<'static> {
        FieldText {
            text: Cow::Owned(self.text.into_owned()),
            separators: self.separators,
        }
    }

    /// Word positions of `hits` (this field's, sorted by start byte), written over their
    /// start bytes: one pass over the words up to the last hit.
    fn assign_positions(&self, hits: &mut [(u8, u32, u32, bool)]) {
        let Some(last) = hits.last().map(|h| h.2 as usize) else {
            return;
        };
        let mut word = 0u32;
        let mut sep = 0;
        let mut next = 0;
        text::for_each_word(&self.text, |start, _| {
            while sep < self.separators.len() && (self.separators[sep] as usize) < start {
                sep += 1;
                word += 1;
            }
            while next < hits.len() && hits[next].2 as usize == start {
                hits[next].2 = word;
                next += 1;
            }
            word += 1;
            start < last
        });
    }
}

/// One entry, normalised field by field (borrowing what needs no normalising).
#[derive(Clone, Debug, Default)]
pub struct Doc<'a> {
    fields: [FieldText<'a>; 6],
}

impl<'a> Doc<'a> {
    pub fn new(input: &DocInput<'a>) -> Doc<'a> {
        let mut fields: [FieldText<'a>; 6] = Default::default();
        fields[Field::Title.index()] = FieldText::one(input.title);
        fields[Field::Summary.index()] = FieldText::one(input.text);
        fields[Field::Author.index()] = FieldText::many(input.authors.iter().map(String::as_str));
        fields[Field::Category.index()] =
            FieldText::many(input.categories.iter().map(String::as_str));
        fields[Field::Feed.index()] = FieldText::many([input.feed_title, input.feed_url]);
        fields[Field::Url.index()] = FieldText::one(input.url);
        Doc { fields }
    }

    /// The same document, owning its text.
    pub fn into_owned(self) -> Doc<'static> {
        Doc {
            fields: self.fields.map(FieldText::into_owned),
        }
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
/// positions where it is a whole word (`exact`) or the start of one. Stored flat and sorted, so
/// a lookup is a binary search, with no hashing and no table as large as the vocabulary.
struct Hits {
    /// (field, word id, position, exact), sorted.
    all: Vec<(u8, u32, u32, bool)>,
    /// Bit `field * vocabulary + word` is set when the word occurs in the field: most terms
    /// do not occur in most entries, and this answers that without a search.
    present: Vec<u64>,
    /// Vocabulary size.
    n: usize,
}

impl Hits {
    fn scan(compiled: &Compiled, doc: &Doc<'_>) -> Hits {
        let mut all = Vec::new();
        let Some(ac) = compiled.ac.as_ref() else {
            return Hits {
                all,
                present: Vec::new(),
                n: 0,
            };
        };
        let n = ac.patterns_len();
        let mut present = vec![0u64; (6 * n).div_ceil(64)];
        for (fi, field) in doc.fields.iter().enumerate() {
            let text: &str = &field.text;
            let from = all.len();
            for m in ac.find_overlapping_iter(text) {
                if text::is_word_start(text, m.start()) {
                    let exact = text::is_word_end(text, m.end());
                    let word = m.pattern().as_u32();
                    let bit = fi * n + word as usize;
                    present[bit / 64] |= 1 << (bit % 64);
                    all.push((fi as u8, word, m.start() as u32, exact));
                }
            }
            // Without phrases or NEAR, any increasing number serves as a position.
            if compiled.positional && all.len() > from {
                let mine = &mut all[from..];
                mine.sort_unstable_by_key(|h| h.2);
                field.assign_positions(mine);
            }
        }
        all.sort_unstable();
        Hits { all, present, n }
    }

    fn slice(&self, field: Field, word: u32) -> &[(u8, u32, u32, bool)] {
        let bit = field.index() * self.n + word as usize;
        if self
            .present
            .get(bit / 64)
            .is_none_or(|b| b & (1 << (bit % 64)) == 0)
        {
            return &[];
        }
        let key = (field.index() as u8, word);
        let from = self.all.partition_point(|h| (h.0, h.1) < key);
        let to = from + self.all[from..].partition_point(|h| (h.0, h.1) == key);
        &self.all[from..to]
    }

    /// Start positions of `term` in `field`, in order; stops early when `each` returns false.
    fn each_start(&self, term: &Term, field: Field, mut each: impl FnMut(u32) -> bool) {
        let n = term.words.len();
        let first = self.slice(field, term.words[0]);
        if first.is_empty() {
            return;
        }
        // The occurrences of the phrase's other words, looked up once.
        let mut rest: [&[(u8, u32, u32, bool)]; 8] = [&[]; 8];
        let rest: &[&[(u8, u32, u32, bool)]] = if n <= 9 {
            for (k, &w) in term.words[1..].iter().enumerate() {
                rest[k] = self.slice(field, w);
                if rest[k].is_empty() {
                    return;
                }
            }
            &rest[..n - 1]
        } else {
            return self.each_start_long(term, field, each);
        };
        let mut last = None;
        for &(_, _, pos, exact) in first {
            if !(exact || (term.prefix && n == 1)) || last == Some(pos) {
                continue;
            }
            let follows = rest.iter().enumerate().all(|(k, occurrences)| {
                let want = pos + k as u32 + 1;
                let prefix_ok = term.prefix && k + 2 == n;
                // Sorted by (position, exact): a whole word, or for the last word of a
                // prefix phrase, the start of one.
                occurrences
                    .binary_search_by(|h| (h.2, h.3).cmp(&(want, true)))
                    .is_ok()
                    || (prefix_ok
                        && occurrences
                            .binary_search_by(|h| (h.2, h.3).cmp(&(want, false)))
                            .is_ok())
            });
            if follows {
                last = Some(pos);
                if !each(pos) {
                    return;
                }
            }
        }
    }

    /// [`Hits::each_start`] for phrases of more than nine words.
    fn each_start_long(&self, term: &Term, field: Field, mut each: impl FnMut(u32) -> bool) {
        let n = term.words.len() as u32;
        let has = |word: u32, pos: u32, prefix: bool| {
            let v = self.slice(field, word);
            let key = |exact| (field.index() as u8, word, pos, exact);
            v.binary_search(&key(true)).is_ok() || (prefix && v.binary_search(&key(false)).is_ok())
        };
        let mut last = None;
        for &(_, _, pos, exact) in self.slice(field, term.words[0]) {
            if !exact || last == Some(pos) {
                continue;
            }
            let rest = term.words[1..]
                .iter()
                .enumerate()
                .all(|(k, &w)| has(w, pos + k as u32 + 1, term.prefix && k as u32 + 2 == n));
            if rest {
                last = Some(pos);
                if !each(pos) {
                    return;
                }
            }
        }
    }

    /// Whether `term` occurs in `field`.
    fn found(&self, term: &Term, field: Field) -> bool {
        let mut found = false;
        self.each_start(term, field, |_| {
            found = true;
            false
        });
        found
    }

    /// Spans of `term` in `field`.
    fn term_spans(&self, term: &Term, field: Field, out: &mut Vec<(u32, u32)>) {
        let len = term.words.len() as u32 - 1;
        self.each_start(term, field, |pos| {
            out.push((pos, pos + len));
            true
        });
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
                hits.term_spans(t, field, out);
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
            for t in terms {
                for &f in t.fields {
                    if !hits.found(t, f) {
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
    /// Some plan has a phrase or `NEAR`: hits need word positions.
    positional: bool,
}

fn is_positional(plan: &Plan) -> bool {
    match plan {
        Plan::Terms(terms) => terms.iter().any(|t| t.words.len() > 1),
        Plan::And(items) | Plan::Or(items) => items.iter().any(is_positional),
        Plan::Not(inner) => is_positional(inner),
        Plan::Near(..) => true,
    }
}

impl Compiled {
    fn new<'a>(queries: impl IntoIterator<Item = &'a Query>) -> Compiled {
        let mut vocab = Vocab::default();
        let plans: Vec<Plan> = queries.into_iter().map(|q| vocab.plan(q)).collect();
        // Vocabulary words are normalised (lower case); text is either normalised too or
        // differs from its normal form only in ASCII case.
        let ac = (!vocab.words.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(&vocab.words)
                .expect("term words are short, non-empty strings")
        });
        let positional = plans.iter().any(is_positional);
        Compiled {
            ac,
            plans,
            positional,
        }
    }

    fn hits(&self, doc: &Doc<'_>) -> Hits {
        Hits::scan(self, doc)
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
    pub fn explain(&self, doc: &Doc<'_>) -> Option<BTreeSet<Hit>> {
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
    pub fn match_doc(&self, doc: &Doc<'_>, feed: FeedRef<'_>) -> Vec<TopicHit> {
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
