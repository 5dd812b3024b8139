//! The reference evaluator: the query tree walked directly over each field's word list, term
//! by term. Simple enough to be obviously right; the compiled [`super::matcher`] must agree
//! with it (a property test checks that on random queries and texts).

use super::ast::{Field, Pattern, Query};
use super::matcher::{DocInput, Hit};
use crate::text;
use std::collections::BTreeSet;

/// Never equal to a query word (words hold only letters and digits): separates the values of a
/// multi-valued field so that a phrase cannot run from one author into the next.
const GAP: &str = "\u{1}";

/// The normalised words of each field of one entry.
#[derive(Clone, Debug, Default)]
pub struct RefDoc {
    fields: [Vec<String>; Field::ALL.len()],
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

impl RefDoc {
    pub fn new(input: &DocInput<'_>) -> RefDoc {
        let mut fields: [Vec<String>; Field::ALL.len()] = Default::default();
        fields[Field::Title.index()] = text::words(input.title);
        fields[Field::Summary.index()] = text::words(input.text);
        fields[Field::Author.index()] = multi(input.authors.iter().map(String::as_str));
        fields[Field::Category.index()] = multi(input.categories.iter().map(String::as_str));
        fields[Field::Feed.index()] = multi([input.feed_title, input.feed_url]);
        fields[Field::Url.index()] = text::words(input.url);
        fields[Field::Lede.index()] = multi([
            input.title,
            text::first_sentence(&text::normalize(input.text)),
        ]);
        RefDoc { fields }
    }

    fn words(&self, field: Field) -> &[String] {
        &self.fields[field.index()]
    }
}

/// Words between two spans (0 when they touch or overlap).
fn gap(a: (u32, u32), b: (u32, u32)) -> u32 {
    b.0.saturating_sub(a.1).max(a.0.saturating_sub(b.1))
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

/// Spans of a positional node (term, alias, OR of those) in one field.
fn node_spans(q: &Query, doc: &RefDoc, field: Field, out: &mut Vec<Span>) {
    match q {
        Query::Term { field: f, pattern } if Field::searched(*f).contains(&field) => {
            pattern_spans(pattern, doc.words(field), out);
        }
        Query::Alias {
            field: f, patterns, ..
        } if Field::searched(*f).contains(&field) => {
            for p in patterns {
                pattern_spans(p, doc.words(field), out);
            }
        }
        Query::Or(items) => items.iter().for_each(|i| node_spans(i, doc, field, out)),
        _ => {}
    }
}

/// Evaluates `q` over `doc`; when `hits` is given, records the positive terms that matched.
pub fn eval(q: &Query, doc: &RefDoc, mut hits: Option<&mut BTreeSet<Hit>>) -> bool {
    match q {
        Query::Term { field, pattern } => eval_term(*field, pattern, doc, hits),
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
        } => eval_near(*distance, left, right, doc, hits),
    }
}

/// A term in its field (or every field it searches).
fn eval_term(
    field: Option<Field>,
    pattern: &Pattern,
    doc: &RefDoc,
    mut hits: Option<&mut BTreeSet<Hit>>,
) -> bool {
    let mut found = false;
    for &f in Field::searched(field) {
        let mut spans = Vec::new();
        pattern_spans(pattern, doc.words(f), &mut spans);
        if spans.is_empty() {
            continue;
        }
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
    found
}

/// `left NEAR/distance right`, within one field.
fn eval_near(
    distance: u32,
    left: &Query,
    right: &Query,
    doc: &RefDoc,
    mut hits: Option<&mut BTreeSet<Hit>>,
) -> bool {
    let mut found = false;
    for f in Field::ALL {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        node_spans(left, doc, f, &mut a);
        if a.is_empty() {
            continue;
        }
        node_spans(right, doc, f, &mut b);
        if !a.iter().any(|x| b.iter().any(|y| gap(*x, *y) <= distance)) {
            continue;
        }
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
    found
}
