//! All integration tests, in one binary. Every server they talk to runs on 127.0.0.1 in the
//! test itself; nothing touches the internet.

mod cli;
mod clients;
mod encodings;
mod helpers;
mod hostile;
mod operators;
mod opml;
mod pipeline;
mod polling;
mod real_news;
mod serving;
mod stories;
mod topic_quality;
