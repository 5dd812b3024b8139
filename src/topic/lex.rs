//! Query tokens with their byte spans.

use super::QueryError;
use super::ast::Field;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Near(u32),
    /// A bare word as written, possibly ending in `*`.
    Word(String),
    /// The inside of a quoted phrase; `prefix` when a `*` follows the closing quote.
    Phrase {
        text: String,
        prefix: bool,
    },
    Alias(String),
    /// `name:` before a term, phrase or group.
    Field(Field),
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn is_bare_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

/// Largest NEAR distance accepted.
pub const MAX_NEAR: u32 = 1000;

pub fn lex(src: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().expect("in bounds");
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let (tok, end) = match c {
            '(' => (Tok::LParen, i + 1),
            ')' => (Tok::RParen, i + 1),
            '"' => phrase(src, i)?,
            '@' => alias(src, i)?,
            _ => bare(src, i)?,
        };
        out.push(Token { tok, start: i, end });
        i = end;
    }
    Ok(out)
}

/// A quoted phrase starting at `start`, with a `*` after it for a prefix; and where it ends.
fn phrase(src: &str, start: usize) -> Result<(Tok, usize), QueryError> {
    let close = src[start + 1..]
        .find('"')
        .ok_or_else(|| QueryError::new(start, "unterminated phrase: expected a closing '\"'"))?;
    let text = src[start + 1..start + 1 + close].to_string();
    let mut end = start + 1 + close + 1;
    let prefix = src.as_bytes().get(end) == Some(&b'*');
    if prefix {
        end += 1;
    }
    Ok((Tok::Phrase { text, prefix }, end))
}

/// An `@alias` starting at `start`, and where it ends.
fn alias(src: &str, start: usize) -> Result<(Tok, usize), QueryError> {
    let rest = &src[start + 1..];
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if len == 0 {
        return Err(QueryError::new(start, "expected an alias name after '@'"));
    }
    Ok((Tok::Alias(rest[..len].to_string()), start + 1 + len))
}

/// A bare word starting at `start` (an operator, `field:`, `NEAR/n` or a term), and where it
/// ends. A bare word runs to whitespace, a parenthesis or a quote; `field:` ends it early.
fn bare(src: &str, start: usize) -> Result<(Tok, usize), QueryError> {
    let mut j = start;
    while j < src.len() {
        let c = src[j..].chars().next().expect("in bounds");
        if is_bare_end(c) {
            break;
        }
        if c == ':'
            && let Some(f) = Field::from_name(&src[start..j])
        {
            return Ok((Tok::Field(f), j + 1));
        }
        j += c.len_utf8();
    }
    let tok = match &src[start..j] {
        "AND" => Tok::And,
        "OR" => Tok::Or,
        "NOT" => Tok::Not,
        w if w == "NEAR" || w.starts_with("NEAR/") => near(w, start)?,
        w => Tok::Word(w.to_string()),
    };
    Ok((tok, j))
}

/// `NEAR/n` at `start`, its distance checked.
fn near(w: &str, start: usize) -> Result<Tok, QueryError> {
    let n = w
        .strip_prefix("NEAR/")
        .ok_or_else(|| QueryError::new(start, "expected a distance after NEAR, as in NEAR/10"))?;
    let n: u32 = n.parse().map_err(|_| {
        QueryError::new(
            start + 5,
            format!("expected a number of words after \"NEAR/\", found {n:?}"),
        )
    })?;
    if n == 0 || n > MAX_NEAR {
        return Err(QueryError::new(
            start + 5,
            format!("NEAR distance must be between 1 and {MAX_NEAR}"),
        ));
    }
    Ok(Tok::Near(n))
}
