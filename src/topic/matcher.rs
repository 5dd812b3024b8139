//! The compiled matcher: every topic at once, over one entry.
//!
//! An entry becomes a [`Doc`]: each field normalised once (see `text`), or borrowed as it is
//! when only its ASCII case differs from its normal form. The distinct words of every topic's
//! terms are compiled into one word index (`index`); one pass over the words of each field
//! looks each up there and finds every occurrence of every term word of every topic, as a whole
//! word or (for prefix terms) the start of one. Each topic's tree is then evaluated over those
//! hits: a phrase's words start where each previous one's next word does, `NEAR` counts the
//! words between two places. The cost of the pass does not grow with the number of topics, only
//! with the text.

use super::Topic;
use super::ast::{Field, Pattern, Query};
use super::index;
use crate::text;
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
/// (most English text): its words are then looked up ASCII-case-insensitively, so that text is
/// scanned without being copied.
#[derive(Clone, Debug, Default)]
struct FieldText<'a> {
    text: Cow<'a, str>,
    /// The text differs from its normal form in ASCII case only, so its words are the runs of
    /// ASCII letters and digits (see `text::for_each_ascii_word`).
    ascii_case: bool,
}

/// `s` normalised (or as it is when only ASCII case differs), and whether its words are ASCII (so
/// that the result differs from its normal form in ASCII case at most).
fn normalized(s: &str) -> (Cow<'_, str>, bool) {
    if text::is_normal_but_case(s) {
        (Cow::Borrowed(s), true)
    } else {
        // Often a few accented names in English text: once their accents are gone, the
        // words are ASCII again and the fast word finder applies.
        let n = text::normalize(s);
        let ascii = text::is_normal_but_case(&n);
        (Cow::Owned(n), ascii)
    }
}

impl<'a> FieldText<'a> {
    fn one(value: &'a str) -> FieldText<'a> {
        let (text, ascii_case) = normalized(value);
        FieldText { text, ascii_case }
    }

    fn many(values: impl IntoIterator<Item = &'a str>) -> FieldText<'a> {
        let values: Vec<(Cow<'a, str>, bool)> = values.into_iter().map(normalized).collect();
        // Values kept as given differ from their normal form in ASCII case: in a field where
        // some value had to be normalised, they are lower-cased too, so the whole field is in
        // normal form.
        let ascii_case = values.iter().all(|(_, ascii)| *ascii);
        let mut text = String::new();
        for (i, (v, ascii)) in values.iter().enumerate() {
            if i > 0 {
                text.push(SEPARATOR);
            }
            if *ascii && !ascii_case {
                text.push_str(&v.to_ascii_lowercase());
            } else {
                text.push_str(v);
            }
        }
        FieldText {
            text: Cow::Owned(text),
            ascii_case,
        }
    }

    fn into_owned(self) -> FieldText<'static> {
        FieldText {
            text: Cow::Owned(self.text.into_owned()),
            ascii_case: self.ascii_case,
        }
    }
}

/// One entry, normalised field by field (borrowing what needs no normalising).
#[derive(Clone, Debug, Default)]
pub struct Doc<'a> {
    /// Every field but the lede, which is made from title and summary when a term needs it.
    fields: [FieldText<'a>; Field::ALL.len()],
    lede: std::cell::OnceCell<FieldText<'static>>,
}

impl<'a> Doc<'a> {
    pub fn new(input: &DocInput<'a>) -> Doc<'a> {
        let mut fields: [FieldText<'a>; Field::ALL.len()] = Default::default();
        fields[Field::Title.index()] = FieldText::one(input.title);
        fields[Field::Summary.index()] = FieldText::one(input.text);
        fields[Field::Author.index()] = FieldText::many(input.authors.iter().map(String::as_str));
        fields[Field::Category.index()] =
            FieldText::many(input.categories.iter().map(String::as_str));
        fields[Field::Feed.index()] = FieldText::many([input.feed_title, input.feed_url]);
        fields[Field::Url.index()] = FieldText::one(input.url);
        Doc {
            fields,
            lede: std::cell::OnceCell::new(),
        }
    }

    /// The text of `field`: the lede (the title, then the first sentence of the normalised
    /// summary, as a field of two values) is made on first use.
    fn field(&self, field: usize) -> &FieldText<'_> {
        if field != Field::Lede.index() {
            return &self.fields[field];
        }
        self.lede.get_or_init(|| {
            let summary = &self.fields[Field::Summary.index()].text;
            FieldText::many([
                &*self.fields[Field::Title.index()].text,
                crate::text::first_sentence(summary),
            ])
            .into_owned()
        })
    }

    /// The same document, owning its text.
    pub fn into_owned(self) -> Doc<'static> {
        Doc {
            fields: self.fields.map(FieldText::into_owned),
            lede: self.lede,
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
    /// Distance, the two sides, and the fields both sides search (the only ones where they
    /// can be near).
    Near(u32, Box<Plan>, Box<Plan>, Vec<Field>),
}

/// Distinct words of all terms, numbered, and which of them some term uses as a prefix.
#[derive(Debug, Default)]
struct Vocab {
    ids: HashMap<String, u32>,
    words: Vec<String>,
    /// Per word: whether some term has it as its last word and a prefix.
    prefix: Vec<bool>,
}

impl Vocab {
    fn id(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(w.to_string());
        self.prefix.push(false);
        self.ids.insert(w.to_string(), id);
        id
    }

    fn term(&mut self, field: Option<Field>, p: &Pattern) -> Term {
        let words: Vec<u32> = p.words.iter().map(|w| self.id(w)).collect();
        if p.prefix {
            self.prefix[*words.last().expect("a pattern has words") as usize] = true;
        }
        Term {
            fields: Field::searched(field),
            words,
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
            } => {
                let (left, right) = (self.plan(left), self.plan(right));
                let fields = Field::ALL
                    .into_iter()
                    .filter(|f| left.searches(*f) && right.searches(*f))
                    .collect();
                Plan::Near(*distance, Box::new(left), Box::new(right), fields)
            }
        }
    }
}

impl Plan {
    /// Marks the fields some term of this plan searches.
    fn mark_searched(&self, searched: &mut [bool; Field::ALL.len()]) {
        match self {
            Plan::Terms(terms) => {
                for f in terms.iter().flat_map(|t| t.fields) {
                    searched[f.index()] = true;
                }
            }
            Plan::And(items) | Plan::Or(items) => {
                for i in items {
                    i.mark_searched(searched);
                }
            }
            Plan::Not(p) => p.mark_searched(searched),
            Plan::Near(_, a, b, _) => {
                a.mark_searched(searched);
                b.mark_searched(searched);
            }
        }
    }

    /// Whether a positional plan (terms, or OR of terms: what `NEAR` takes) has a term that
    /// searches `field`.
    fn searches(&self, field: Field) -> bool {
        match self {
            Plan::Terms(terms) => terms.iter().any(|t| t.fields.contains(&field)),
            Plan::Or(items) => items.iter().any(|i| i.searches(field)),
            _ => false,
        }
    }
}

/// Where the vocabulary's words occur in one document: for each field and word id, the byte
/// offsets where it is a whole word (`exact`) or the start of one. Stored flat and sorted, so a
/// lookup is a binary search, with no hashing and no table as large as the vocabulary. Word
/// positions are never computed for the whole text: a phrase checks that each word starts where
/// the previous one's next word starts, and `NEAR` counts the words between two places only
/// when it has both.
struct Hits<'d> {
    /// (field, word id, start byte, exact), sorted.
    all: Vec<(u8, u32, u32, bool)>,
    /// Bit `field * vocabulary + word` is set when the word occurs in the field: most terms
    /// do not occur in most entries, and this answers that without a search.
    present: Vec<u64>,
    /// Vocabulary size.
    n: usize,
    index: &'d index::WordIndex,
    texts: [&'d str; Field::ALL.len()],
}

type Occurrence = (u8, u32, u32, bool);

impl<'d> Hits<'d> {
    fn scan(compiled: &'d Compiled, doc: &'d Doc<'_>) -> Hits<'d> {
        let texts: [&str; Field::ALL.len()] = std::array::from_fn(|i| {
            if compiled.searched[i] {
                &*doc.field(i).text
            } else {
                ""
            }
        });
        let n = compiled.index.len();
        let mut all = Vec::new();
        let mut present = vec![0u64; (Field::ALL.len() * n).div_ceil(64)];
        if n > 0 {
            for fi in (0..Field::ALL.len()).filter(|i| compiled.searched[*i]) {
                let field = doc.field(fi);
                let bytes = field.text.as_bytes();
                let mut found = |(word, start, exact): index::Found| {
                    let bit = fi * n + word as usize;
                    present[bit / 64] |= 1 << (bit % 64);
                    all.push((fi as u8, word, start as u32, exact));
                };
                if field.ascii_case {
                    text::for_each_ascii_word(bytes, |s, e| {
                        compiled.index.lookup(bytes, s, e, true, &mut found)
                    });
                } else {
                    text::for_each_word(&field.text, |s, e| {
                        compiled.index.lookup(bytes, s, e, false, &mut found);
                        true
                    });
                }
            }
        }
        all.sort_unstable();
        Hits {
            all,
            present,
            n,
            index: &compiled.index,
            texts,
        }
    }

    fn slice(&self, field: Field, word: u32) -> &[Occurrence] {
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

    /// Each place `term` occurs in `field`, in order, as (start of its first word, start of its
    /// last word) in bytes; stops early when `each` returns false.
    fn each_span(&self, term: &Term, field: Field, mut each: impl FnMut((u32, u32)) -> bool) {
        let n = term.words.len();
        let first = self.slice(field, term.words[0]);
        if first.is_empty() {
            return;
        }
        // The occurrences of the phrase's other words, looked up once.
        let mut rest: Vec<&[Occurrence]> = Vec::new();
        for &w in &term.words[1..] {
            let occurrences = self.slice(field, w);
            if occurrences.is_empty() {
                return;
            }
            rest.push(occurrences);
        }
        let text = self.texts[field.index()];
        for &(_, _, start, exact) in first {
            if !(exact || (term.prefix && n == 1)) {
                continue;
            }
            let mut end = start + self.index.word_len(term.words[0]);
            let mut last = start;
            let follows = rest.iter().enumerate().all(|(k, occurrences)| {
                let Some(next) = next_word_start(text, end as usize) else {
                    return false;
                };
                let next = next as u32;
                // Sorted by (start, exact): a whole word, or for the last word of a prefix
                // phrase, the start of one.
                let prefix_ok = term.prefix && k + 2 == n;
                let found = occurrences
                    .binary_search_by(|h| (h.2, h.3).cmp(&(next, true)))
                    .is_ok()
                    || (prefix_ok
                        && occurrences
                            .binary_search_by(|h| (h.2, h.3).cmp(&(next, false)))
                            .is_ok());
                end = next + self.index.word_len(term.words[k + 1]);
                last = next;
                found
            });
            if follows && !each((start, last)) {
                return;
            }
        }
    }

    /// Whether `term` occurs in `field`.
    fn found(&self, term: &Term, field: Field) -> bool {
        let mut found = false;
        self.each_span(term, field, |_| {
            found = true;
            false
        });
        found
    }

    /// Spans of `term` in `field`.
    fn term_spans(&self, term: &Term, field: Field, out: &mut Vec<(u32, u32)>) {
        self.each_span(term, field, |span| {
            if out.last() != Some(&span) {
                out.push(span);
            }
            true
        });
    }

    /// Whether two spans (byte offsets of first and last word starts) in `field` are at most
    /// `distance` words apart: as word positions count, with a value separator counting as one.
    fn within(&self, field: Field, a: (u32, u32), b: (u32, u32), distance: u32) -> bool {
        let text = self.texts[field.index()];
        let (from, to) = if b.0 > a.1 {
            (a.1, b.0)
        } else if a.0 > b.1 {
            (b.1, a.0)
        } else {
            return true;
        };
        words_after(text, from as usize, to as usize, distance + 1) <= distance
    }
}

/// Where the word after byte `end` starts, if one does before a value separator.
fn next_word_start(text: &str, end: usize) -> Option<usize> {
    for (i, c) in text[end..].char_indices() {
        if c == SEPARATOR {
            return None;
        }
        if c.is_alphanumeric() {
            return Some(end + i);
        }
    }
    None
}

/// Word starts in `(from, to]` plus value separators in between, counting no further than
/// `limit`. `from` is a word start.
fn words_after(text: &str, from: usize, to: usize, limit: u32) -> u32 {
    let mut count = text.as_bytes()[from..to]
        .iter()
        .filter(|&&b| b == SEPARATOR as u8)
        .count() as u32;
    text::for_each_word(&text[from..], |s, _| {
        if s == 0 {
            return true;
        }
        if from + s > to || count >= limit {
            return false;
        }
        count += 1;
        true
    });
    count
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
        Plan::Near(distance, left, right, fields) => {
            let mut found = false;
            for &f in fields {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                spans(left, hits, f, &mut a);
                if a.is_empty() {
                    continue;
                }
                spans(right, hits, f, &mut b);
                if a.iter()
                    .any(|x| b.iter().any(|y| hits.within(f, *x, *y, *distance)))
                {
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
    index: index::WordIndex,
    plans: Vec<Plan>,
    /// Whether some term searches each field (by [`Field::index`]): a document's other fields
    /// are not scanned.
    searched: [bool; Field::ALL.len()],
}

impl Compiled {
    fn new<'a>(queries: impl IntoIterator<Item = &'a Query>) -> Compiled {
        let mut vocab = Vocab::default();
        let plans: Vec<Plan> = queries.into_iter().map(|q| vocab.plan(q)).collect();
        let index = index::WordIndex::new(&vocab.words, &vocab.prefix);
        let mut searched = [false; Field::ALL.len()];
        for plan in &plans {
            plan.mark_searched(&mut searched);
        }
        Compiled {
            index,
            plans,
            searched,
        }
    }

    fn hits<'d>(&'d self, doc: &'d Doc<'_>) -> Hits<'d> {
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
            if !t.covers(feed.url, feed.tags) {
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
