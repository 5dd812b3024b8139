//! feedsift: polls many RSS, Atom and JSON feeds, stores and deduplicates their entries in
//! SQLite, matches them against topic queries and serves one output feed per topic.
//!
//! # Layout
//! Dependencies point downward only:
//! `cli → daemon → {schedule, poll, serve} → {fetch, parse, dedup, store, topic} → text → model`;
//! `config` calls only `topic` (to compile queries). See ARCHITECTURE.md.

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
