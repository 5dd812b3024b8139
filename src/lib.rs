//! feedsift: polls many RSS, Atom and JSON feeds, stores and deduplicates their entries in
//! SQLite, matches them against topic queries and serves one output feed per topic.
//!
//! # Layout
//! Dependencies point downward only:
//! `cli → daemon → {poll, serve} → runtime → {config, fetch, parse, dedup, store, topic, schedule}
//! → text → model`; `poll` and `serve` never import each other, and `schedule` is handed its
//! work instead of importing `poll`. ARCHITECTURE.md lists the few edges inside the middle row.

pub mod cli;
pub mod config;
pub mod daemon;
pub mod dedup;
pub mod fetch;
pub mod model;
pub mod parse;
pub mod poll;
pub mod runtime;
pub mod schedule;
pub mod serve;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod topic;
