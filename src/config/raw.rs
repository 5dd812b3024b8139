//! The config file as written: serde structs that reject unknown keys, with spans kept on every
//! value that validation may complain about.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub daemon: RawDaemon,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<RawFeed>,
    #[serde(default)]
    pub aliases: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default, rename = "topic")]
    pub topics: Vec<RawTopic>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaemon {
    pub database: Option<Spanned<String>>,
    pub listen: Option<Spanned<String>>,
    pub public_url: Option<Spanned<String>>,
    pub poll_interval: Option<Spanned<String>>,
    pub min_interval: Option<Spanned<String>>,
    pub max_interval: Option<Spanned<String>>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host: Option<Spanned<i64>>,
    pub timeout: Option<Spanned<String>>,
    pub max_body: Option<Spanned<String>>,
    pub retention: Option<Spanned<String>>,
    pub user_agent: Option<Spanned<String>>,
    pub allow_private_redirects: Option<Spanned<bool>>,
    pub max_database_size: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeed {
    pub url: Spanned<String>,
    pub title: Option<Spanned<String>>,
    pub interval: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: Spanned<String>,
    pub title: Option<Spanned<String>>,
    pub query: Spanned<String>,
    pub exclude: Option<Spanned<String>>,
    pub feeds: Option<Vec<Spanned<String>>>,
    pub limit: Option<Spanned<i64>>,
    pub token: Option<Spanned<String>>,
}
