//! URL canonicalisation: any link canonicalises to an http(s) URL or to nothing, and a
//! canonical URL is its own canonical form.
#![no_main]
use feedsift::dedup::canonical_url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|link: &str| {
    if let Some(c) = canonical_url(link) {
        assert!(c.starts_with("http://") || c.starts_with("https://"), "{link:?} → {c:?}");
        assert_eq!(canonical_url(&c).as_deref(), Some(c.as_str()), "{link:?} → {c:?}");
    }
});
