//! The query tree and its canonical, fully parenthesised printing.

use std::fmt;

/// Where a term looks. Without a field, a term searches title, summary and content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Title,
    /// Summary and content.
    Summary,
    Author,
    Category,
    /// The source feed's title and URL.
    Feed,
    /// The entry's link.
    Url,
    /// The headline and the first sentence of the summary ([`crate::text::first_sentence`]):
    /// what the story is about, rather than everything it mentions.
    Lede,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Title,
        Field::Summary,
        Field::Author,
        Field::Category,
        Field::Feed,
        Field::Url,
        Field::Lede,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Author => "author",
            Field::Category => "category",
            Field::Feed => "feed",
            Field::Url => "url",
            Field::Lede => "lede",
        }
    }

    pub fn from_name(s: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The fields a term with this field scope looks in: its own, or title and summary.
    pub(crate) fn searched(field: Option<Field>) -> &'static [Field] {
        match field {
            Some(Field::Title) => &[Field::Title],
            Some(Field::Summary) => &[Field::Summary],
            Some(Field::Author) => &[Field::Author],
            Some(Field::Category) => &[Field::Category],
            Some(Field::Feed) => &[Field::Feed],
            Some(Field::Url) => &[Field::Url],
            Some(Field::Lede) => &[Field::Lede],
            None => &[Field::Title, Field::Summary],
        }
    }
}

/// A term as words: one word, a phrase, or either with the last word a prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// Normalised words (see `text`), never empty.
    pub words: Vec<String>,
    /// The last word matches any word it begins (`sanction*`).
    pub prefix: bool,
}

impl Pattern {
    /// Builds a pattern from written text: normalised and split like entry text. A trailing `*`
    /// makes the last word a prefix. `None` when the text holds no letter or digit.
    pub fn from_text(raw: &str) -> Option<Pattern> {
        let trimmed = raw.trim();
        let (body, prefix) = match trimmed.strip_suffix('*') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        let body = body.trim_matches('"');
        let words = crate::text::words(body);
        if words.is_empty() {
            return None;
        }
        Some(Pattern { words, prefix })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.words.len() == 1 {
            f.write_str(&self.words[0])?;
        } else {
            write!(f, "\"{}\"", self.words.join(" "))?;
        }
        if self.prefix {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// A parsed topic query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Query {
    Term {
        field: Option<Field>,
        pattern: Pattern,
    },
    /// `@name`: any of the alias's patterns.
    Alias {
        field: Option<Field>,
        name: String,
        patterns: Vec<Pattern>,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    /// Both sides within `distance` words of each other, in the same field.
    Near {
        distance: u32,
        left: Box<Query>,
        right: Box<Query>,
    },
}

impl Query {
    /// Whether this node yields word positions (needed on both sides of NEAR).
    pub(crate) fn is_positional(&self) -> bool {
        match self {
            Query::Term { .. } | Query::Alias { .. } => true,
            Query::Or(items) => items.iter().all(Query::is_positional),
            _ => false,
        }
    }
}

fn write_field(f: &mut fmt::Formatter<'_>, field: Option<Field>) -> fmt::Result {
    if let Some(field) = field {
        write!(f, "{}:", field.name())?;
    }
    Ok(())
}

/// Canonical form: every operator explicit, every group parenthesised, words normalised.
/// Parsing the printed form gives back the same tree.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Term { field, pattern } => {
                write_field(f, *field)?;
                write!(f, "{pattern}")
            }
            Query::Alias { field, name, .. } => {
                write_field(f, *field)?;
                write!(f, "@{name}")
            }
            Query::And(items) | Query::Or(items) => {
                let op = if matches!(self, Query::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Query::Not(inner) => write!(f, "NOT {inner}"),
            Query::Near {
                distance,
                left,
                right,
            } => write!(f, "({left} NEAR/{distance} {right})"),
        }
    }
}
