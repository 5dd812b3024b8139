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
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().expect("in bounds");
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        match c {
            '(' => {
                out.push(Token {
                    tok: Tok::LParen,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            ')' => {
                out.push(Token {
                    tok: Tok::RParen,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            '"' => {
                let close = src[i + 1..].find('"').ok_or_else(|| {
                    QueryError::new(start, "unterminated phrase: expected a closing '\"'")
                })?;
                let text = src[i + 1..i + 1 + close].to_string();
                i = i + 1 + close + 1;
                let prefix = bytes.get(i) == Some(&b'*');
                if prefix {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Phrase { text, prefix },
                    start,
                    end: i,
                });
            }
            '@' => {
                let rest = &src[i + 1..];
                let len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                if len == 0 {
                    return Err(QueryError::new(start, "expected an alias name after '@'"));
                }
                out.push(Token {
                    tok: Tok::Alias(rest[..len].to_string()),
                    start,
                    end: i + 1 + len,
                });
                i += 1 + len;
            }
            _ => {
                // A bare word runs to whitespace, a parenthesis or a quote. `field:` ends it early.
                let mut j = i;
                let mut field = None;
                while j < src.len() {
                    let c = src[j..].chars().next().expect("in bounds");
                    if is_bare_end(c) {
                        break;
                    }
                    if c == ':'
                        && let Some(f) = Field::from_name(&src[i..j])
                    {
                        field = Some(f);
                        j += 1;
                        break;
                    }
                    j += c.len_utf8();
                }
                let word = &src[i..j];
                let tok = if let Some(f) = field {
                    Tok::Field(f)
                } else {
                    match word {
                        "AND" => Tok::And,
                        "OR" => Tok::Or,
                        "NOT" => Tok::Not,
                        w if w == "NEAR" || w.starts_with("NEAR/") => {
                            let n = w.strip_prefix("NEAR/").ok_or_else(|| {
                                QueryError::new(
                                    start,
                                    "expected a distance after NEAR, as in NEAR/10",
                                )
                            })?;
                            let n: u32 = n.parse().map_err(|_| {
                                QueryError::new(
                                    start + 5,
                                    format!(
                                        "expected a number of words after \"NEAR/\", found {n:?}"
                                    ),
                                )
                            })?;
                            if n == 0 || n > MAX_NEAR {
                                return Err(QueryError::new(
                                    start + 5,
                                    format!("NEAR distance must be between 1 and {MAX_NEAR}"),
                                ));
                            }
                            Tok::Near(n)
                        }
                        w => Tok::Word(w.to_string()),
                    }
                };
                out.push(Token { tok, start, end: j });
                i = j;
            }
        }
    }
    Ok(out)
}
