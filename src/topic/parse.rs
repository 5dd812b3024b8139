//! Recursive-descent parser: `or := and (OR and)*`, `and := unary (AND? unary)*`,
//! `unary := NOT unary | near`, `near := primary (NEAR/n primary)*`,
//! `primary := field: primary | '(' or ')' | word | "phrase" | @alias`.
//! Precedence NOT > AND > OR (NEAR binds tighter than all three).

use super::QueryError;
use super::ast::{Field, Pattern, Query};
use super::lex::{Tok, Token, lex};
use std::collections::BTreeMap;

/// Named term sets usable as `@name`.
pub type Aliases = BTreeMap<String, Vec<Pattern>>;

/// Deepest nesting of groups and NOTs accepted, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    aliases: &'a Aliases,
    depth: usize,
}

pub fn parse(src: &str, aliases: &Aliases) -> Result<Query, QueryError> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        aliases,
        depth: 0,
    };
    if p.toks.is_empty() {
        return Err(QueryError::new(0, "expected a term: the query is empty"));
    }
    let q = p.parse_or(None)?;
    if let Some(t) = p.peek() {
        let what = match t.tok {
            Tok::RParen => "unexpected ')' with no matching '('".to_string(),
            _ => format!("unexpected {}", p.describe(t)),
        };
        return Err(QueryError::new(t.start, what));
    }
    if !has_positive(&q) {
        // Nothing but exclusions would match almost everything: refuse it.
        return Err(QueryError::new(
            0,
            "the query only excludes: add what to match, as in \"korea NOT sport\"",
        ));
    }
    Ok(q)
}

/// Whether every way of matching `q` needs some term to be present.
fn has_positive(q: &Query) -> bool {
    match q {
        Query::Term { .. } | Query::Alias { .. } | Query::Near { .. } => true,
        Query::Not(_) => false,
        Query::And(items) => items.iter().any(has_positive),
        Query::Or(items) => items.iter().all(has_positive),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn describe(&self, t: &Token) -> String {
        format!("\"{}\"", &self.src[t.start..t.end])
    }

    /// "after X" for the previous token, or "at the start".
    fn after_prev(&self) -> String {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => format!("after {}", self.describe(t)),
            None => "at the start".into(),
        }
    }

    fn error_here(&self, expected: &str) -> QueryError {
        let at = self.peek().map(|t| t.start).unwrap_or(self.src.len());
        let found = match self.peek() {
            Some(t) => format!(", found {}", self.describe(t)),
            None => String::new(),
        };
        QueryError::new(
            at,
            format!("expected {expected} {}{found}", self.after_prev()),
        )
    }

    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let at = self.peek().map(|t| t.start).unwrap_or(self.src.len());
            return Err(QueryError::new(
                at,
                format!("query nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self, field: Option<Field>) -> Result<Query, QueryError> {
        let mut items = vec![self.parse_and(field)?];
        while matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            self.pos += 1;
            items.push(self.parse_and(field)?);
        }
        Ok(flatten(items, true))
    }

    fn starts_unary(tok: &Tok) -> bool {
        matches!(
            tok,
            Tok::Not
                | Tok::LParen
                | Tok::Word(_)
                | Tok::Phrase { .. }
                | Tok::Alias(_)
                | Tok::Field(_)
        )
    }

    fn parse_and(&mut self, field: Option<Field>) -> Result<Query, QueryError> {
        let mut items = vec![self.parse_unary(field)?];
        loop {
            match self.peek() {
                Some(Token { tok: Tok::And, .. }) => {
                    self.pos += 1;
                    items.push(self.parse_unary(field)?);
                }
                Some(t) if Self::starts_unary(&t.tok) => items.push(self.parse_unary(field)?),
                _ => break,
            }
        }
        Ok(flatten(items, false))
    }

    fn parse_unary(&mut self, field: Option<Field>) -> Result<Query, QueryError> {
        if matches!(self.peek(), Some(Token { tok: Tok::Not, .. })) {
            self.pos += 1;
            self.enter()?;
            let inner = self.parse_unary(field)?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        self.parse_near(field)
    }

    fn parse_near(&mut self, field: Option<Field>) -> Result<Query, QueryError> {
        let left_start = self.peek().map(|t| t.start).unwrap_or(self.src.len());
        let mut left = self.parse_primary(field)?;
        while let Some(Token {
            tok: Tok::Near(n), ..
        }) = self.peek()
        {
            let distance = *n;
            if !left.is_positional() {
                return Err(QueryError::new(
                    left_start,
                    "NEAR needs a term, phrase, @alias or OR-group of those on each side",
                ));
            }
            self.pos += 1;
            let right_start = self.peek().map(|t| t.start).unwrap_or(self.src.len());
            let right = self.parse_primary(field)?;
            if !right.is_positional() {
                return Err(QueryError::new(
                    right_start,
                    "NEAR needs a term, phrase, @alias or OR-group of those on each side",
                ));
            }
            left = Query::Near {
                distance,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        Ok(left)
    }

    fn parse_primary(&mut self, field: Option<Field>) -> Result<Query, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.error_here("a term, phrase, @alias or '('"));
        };
        match t.tok {
            Tok::Field(f) => {
                self.pos += 1;
                self.field_prefix(&t, f, field)?;
                self.parse_primary(Some(f))
            }
            Tok::LParen => {
                self.pos += 1;
                self.enter()?;
                let inner = self.parse_or(field)?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(self.error_here("')'")),
                }
            }
            Tok::Word(ref w) => {
                self.pos += 1;
                if w.contains('*') && !w.ends_with('*') || w.ends_with("**") {
                    return Err(QueryError::new(
                        t.start,
                        "'*' is only allowed once, at the end of a word (prefix search)",
                    ));
                }
                let pattern = Pattern::from_text(w).ok_or_else(|| {
                    QueryError::new(
                        t.start,
                        format!("{} has no letters or digits to match", self.describe(&t)),
                    )
                })?;
                Ok(Query::Term { field, pattern })
            }
            Tok::Phrase { ref text, prefix } => {
                self.pos += 1;
                let mut pattern = Pattern::from_text(text).ok_or_else(|| {
                    QueryError::new(t.start, "the phrase has no letters or digits to match")
                })?;
                pattern.prefix |= prefix;
                Ok(Query::Term { field, pattern })
            }
            Tok::Alias(ref name) => {
                self.pos += 1;
                let patterns = self.alias(&t, name)?;
                Ok(Query::Alias {
                    field,
                    name: name.clone(),
                    patterns,
                })
            }
            Tok::RParen if self.pos == 0 => Err(QueryError::new(
                t.start,
                "unexpected ')' with no matching '('",
            )),
            _ => Err(self.error_here("a term, phrase, @alias or '('")),
        }
    }

    /// Checks a `field:` prefix at token `t`: not inside another field, and followed at once
    /// by what it applies to.
    fn field_prefix(&self, t: &Token, f: Field, outer: Option<Field>) -> Result<(), QueryError> {
        if let Some(outer) = outer
            && outer != f
        {
            return Err(QueryError::new(
                t.start,
                format!(
                    "field {}: inside {}: can never match",
                    f.name(),
                    outer.name()
                ),
            ));
        }
        match self.peek() {
            Some(n) if !matches!(n.tok, Tok::Field(_)) && n.start == t.end => Ok(()),
            _ => Err(QueryError::new(
                t.end,
                format!(
                    "expected a term, phrase or '(' right after \"{}:\", with no space",
                    f.name()
                ),
            )),
        }
    }

    /// The patterns of `@name` (at token `t`), or an error listing the aliases there are.
    fn alias(&self, t: &Token, name: &str) -> Result<Vec<Pattern>, QueryError> {
        self.aliases.get(name).cloned().ok_or_else(|| {
            let known: Vec<_> = self.aliases.keys().map(|k| format!("@{k}")).collect();
            let known = if known.is_empty() {
                "no aliases are defined in [aliases]".to_string()
            } else {
                format!("defined: {}", known.join(", "))
            };
            QueryError::new(t.start, format!("unknown alias @{name} ({known})"))
        })
    }
}

/// One item stays itself; nested operators of the same kind are merged, so that
/// `a OR (b OR c)` and `a OR b OR c` are the same tree.
fn flatten(items: Vec<Query>, or: bool) -> Query {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match (item, or) {
            (Query::Or(inner), true) | (Query::And(inner), false) => out.extend(inner),
            (other, _) => out.push(other),
        }
    }
    if or { Query::Or(out) } else { Query::And(out) }
}
