//! The query parser: any text parses or fails with a position inside it; a query that parses
//! prints in its canonical form, which parses back to the same query.
#![no_main]
use feedsift::topic::{Aliases, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    let aliases = Aliases::new();
    match parse(src, &aliases) {
        Ok(q) => {
            let printed = q.to_string();
            let again = parse(&printed, &aliases)
                .unwrap_or_else(|e| panic!("canonical form {printed:?} of {src:?} does not parse: {e}"));
            assert_eq!(again, q, "{src:?} printed as {printed:?}");
        }
        Err(e) => {
            let lines = src.split('\n').count().max(1);
            assert!(e.line >= 1 && e.line <= lines, "{e} for {src:?}");
        }
    }
});
