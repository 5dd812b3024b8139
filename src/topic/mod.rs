//! Topics: the query language (lexer, tree, parser with positioned errors) and the matcher that
//! evaluates every topic over each entry. Pure: no store, no HTTP, no clock.
//!
//! ```
//! use feedsift::topic::{parse, Aliases};
//! let q = parse(r#"(@dprk OR korea) AND russia*"#, &Aliases::from([(
//!     "dprk".to_string(),
//!     vec![feedsift::topic::Pattern::from_text("kim jong un").unwrap()],
//! )])).unwrap();
//! assert_eq!(q.to_string(), "((@dprk OR korea) AND russia*)");
//! let err = parse("(korea AND russia", &Aliases::new()).unwrap_err();
//! assert_eq!(err.to_string(), "query:1:18: expected ')' after \"russia\"");
//! ```

mod ast;
mod index;
mod lex;
mod matcher;
mod parse;
#[cfg(test)]
mod reference;

pub use ast::{Field, Pattern, Query};
pub use matcher::{Doc, DocInput, FeedRef, Hit, Matcher, QueryMatcher, TopicHit};
pub use parse::Aliases;

use sha2::{Digest, Sha256};
use std::fmt;

/// A malformed query: where (byte offset into the query text) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
    /// Line and column (1-based, in characters), filled in by [`QueryError::locate`].
    pub line: usize,
    pub column: usize,
}

impl QueryError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            offset,
            message: message.into(),
            line: 0,
            column: 0,
        }
    }

    /// Fills in line and column of the offset within `src`.
    pub fn locate(mut self, src: &str) -> QueryError {
        let before = &src[..self.offset.min(src.len())];
        self.line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        self.column = before[line_start..].chars().count() + 1;
        self
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query:{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for QueryError {}

/// Parses `src`, with line and column set on any error.
pub fn parse(src: &str, aliases: &Aliases) -> Result<Query, QueryError> {
    parse::parse(src, aliases).map_err(|e| e.locate(src))
}

/// Which feeds a topic looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Feeds carrying this tag.
    Tag(String),
    /// The feed with this URL.
    Url(String),
}

/// One compiled topic, as configured.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    /// `[a-z0-9-]+`, used in URLs.
    pub id: String,
    pub title: String,
    pub query: Query,
    /// Entries matching this never appear, even when they match `query`.
    pub exclude: Option<Query>,
    /// Empty: all feeds.
    pub scope: Vec<Scope>,
    /// Entries in the output feed.
    pub limit: u32,
    /// When set, readers must present it.
    pub token: Option<String>,
}

impl Topic {
    /// A fingerprint of everything that decides which entries match. When it changes, the
    /// topic's stored matches are recomputed.
    pub fn match_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.query.to_string());
        h.update("\0");
        if let Some(ex) = &self.exclude {
            h.update(ex.to_string());
        }
        h.update("\0");
        for s in &self.scope {
            match s {
                Scope::Tag(t) => h.update(format!("tag:{t}\0")),
                Scope::Url(u) => h.update(format!("url:{u}\0")),
            }
        }
        // Aliases print by name: include their expansion.
        collect_alias_patterns(&self.query, &mut h);
        if let Some(ex) = &self.exclude {
            collect_alias_patterns(ex, &mut h);
        }
        hex::encode(&h.finalize()[..16])
    }

    pub fn is_private(&self) -> bool {
        self.token.is_some()
    }

    /// Whether the topic looks at the feed with this configured URL and these tags.
    pub fn covers(&self, url: &str, tags: &[String]) -> bool {
        self.scope.is_empty()
            || self.scope.iter().any(|s| match s {
                Scope::Tag(t) => tags.iter().any(|ft| ft == t),
                // Both sides are the configured URL strings.
                Scope::Url(u) => u == url,
            })
    }
}

fn collect_alias_patterns(q: &Query, h: &mut Sha256) {
    match q {
        Query::Alias { patterns, .. } => {
            for p in patterns {
                h.update(p.to_string());
                h.update("\0");
            }
        }
        Query::And(items) | Query::Or(items) => {
            items.iter().for_each(|i| collect_alias_patterns(i, h))
        }
        Query::Not(inner) => collect_alias_patterns(inner, h),
        Query::Near { left, right, .. } => {
            collect_alias_patterns(left, h);
            collect_alias_patterns(right, h);
        }
        Query::Term { .. } => {}
    }
}

#[cfg(test)]
mod tests;
