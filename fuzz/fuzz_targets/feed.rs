//! The feed front end: any bytes, with any Content-Type, become entries or a parse error;
//! never a panic (this calls the parser without the guard polls run it under, so a panic in
//! feed-rs or in our repairs is found here).
#![no_main]
use libfuzzer_sys::fuzz_target;

const TYPES: [Option<&str>; 6] = [
    None,
    Some("application/rss+xml"),
    Some("application/atom+xml; charset=utf-16"),
    Some("text/xml; charset=windows-1251"),
    Some("application/feed+json"),
    Some("text/html; charset=euc-kr"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let content_type = TYPES[pick as usize % TYPES.len()];
    if let Ok(feed) = feedsift::parse::parse_http(body, "https://fuzz.example/feed.xml", content_type) {
        for e in &feed.entries {
            assert!(e.link.as_deref().is_none_or(|l| l.starts_with("http") || l.starts_with("mailto:")));
        }
    }
});
