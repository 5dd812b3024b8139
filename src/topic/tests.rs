use super::*;

fn aliases() -> Aliases {
    let mut a = Aliases::new();
    a.insert(
        "dprk".into(),
        ["north korea", "dprk", "kim jong un", "김정은", "ким чен ын"]
            .iter()
            .map(|s| Pattern::from_text(s).unwrap())
            .collect(),
    );
    a.insert(
        "russia".into(),
        ["russia", "moscow", "shoigu", "러시아*"]
            .iter()
            .map(|s| Pattern::from_text(s).unwrap())
            .collect(),
    );
    a
}

fn q(s: &str) -> Query {
    parse(s, &aliases()).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    parse(s, &aliases()).unwrap_err().to_string()
}

fn doc(title: &str, text: &str) -> Doc {
    Doc::new(&DocInput {
        title,
        text,
        ..Default::default()
    })
}

fn matches(query: &str, title: &str, text: &str) -> bool {
    eval(&q(query), &doc(title, text), None)
}

#[test]
fn precedence_is_not_and_or() {
    assert_eq!(q("a OR b c").to_string(), "(a OR (b AND c))");
    assert_eq!(q("a b OR c").to_string(), "((a AND b) OR c)");
    assert_eq!(q("NOT a b").to_string(), "(NOT a AND b)");
    assert_eq!(q("a AND (b OR c)").to_string(), "(a AND (b OR c))");
    assert_eq!(q("a NEAR/3 b c").to_string(), "((a NEAR/3 b) AND c)");
}

#[test]
fn canonical_form_reparses_to_the_same_tree() {
    for s in [
        "(@dprk OR korea) AND @russia",
        "title:(korea OR dprk) NOT category:sport",
        r#""kim jong-un" sanction* "north kor"*"#,
        "korea NEAR/10 russia OR x",
        "summary:@russia url:tass",
    ] {
        let tree = q(s);
        assert_eq!(q(&tree.to_string()), tree, "{s} printed as {tree}");
    }
}

#[test]
fn terms_match_on_word_boundaries_case_and_accent_insensitively() {
    assert!(matches("shoigu", "Kim receives SHOIGU", ""));
    assert!(!matches("korea", "Koreans abroad", ""));
    assert!(matches("korea", "", "North Korea's leader"));
    assert!(matches("cafe", "Café talks", ""));
    assert!(matches("korea AND russia", "Korea–Russia ties", ""));
}

#[test]
fn phrases_and_prefixes() {
    assert!(matches(r#""kim jong un""#, "Kim Jong-un meets envoy", ""));
    assert!(matches(r#""kim jong-un""#, "Kim Jong Un meets envoy", ""));
    assert!(!matches(r#""kim jong un""#, "Kim meets Jong Un", ""));
    assert!(matches("sanction*", "New sanctions", ""));
    assert!(matches("@russia", "북한, 러시아와 군사협력", ""));
    assert!(matches("@dprk", "Ким Чен Ын принял Шойгу", ""));
}

#[test]
fn not_and_fields() {
    let d = Doc::new(&DocInput {
        title: "Korea beat Russia",
        text: "football match",
        categories: &["Sport".to_string()],
        ..Default::default()
    });
    assert!(eval(&q("korea russia"), &d, None));
    assert!(!eval(&q("korea russia NOT category:sport"), &d, None));
    assert!(eval(&q("title:korea"), &d, None));
    assert!(!eval(&q("title:football"), &d, None));
    assert!(eval(&q("summary:football"), &d, None));
}

#[test]
fn near_counts_words_between() {
    assert!(matches("korea NEAR/2 russia", "korea and russia", ""));
    assert!(!matches(
        "korea NEAR/2 russia",
        "korea is far from big russia",
        ""
    ));
    assert!(matches(
        r#""kim jong un" NEAR/3 shoigu"#,
        "Kim Jong Un receives Shoigu",
        ""
    ));
}

#[test]
fn explain_lists_matched_terms_by_field() {
    let d = doc(
        "Kim Jong Un meets Shoigu",
        "Russia's defence minister in Pyongyang",
    );
    let mut hits = std::collections::BTreeSet::new();
    assert!(eval(&q("@dprk AND @russia"), &d, Some(&mut hits)));
    let labels: Vec<_> = hits.iter().map(Hit::label).collect();
    assert_eq!(
        labels,
        ["title:\"kim jong un\"", "title:shoigu", "summary:russia"]
    );
}

#[test]
fn errors_name_position_and_expectation() {
    assert_eq!(
        err("(korea AND russia"),
        "query:1:18: expected ')' after \"russia\""
    );
    assert_eq!(
        err("korea AND"),
        "query:1:10: expected a term, phrase, @alias or '(' after \"AND\""
    );
    assert_eq!(
        err("korea OR OR russia"),
        "query:1:10: expected a term, phrase, @alias or '(' after \"OR\", found \"OR\""
    );
    assert_eq!(
        err("korea)"),
        "query:1:6: unexpected ')' with no matching '('"
    );
    assert_eq!(
        err(r#"korea "kim"#),
        "query:1:7: unterminated phrase: expected a closing '\"'"
    );
    assert_eq!(
        err("@nokorea"),
        "query:1:1: unknown alias @nokorea (defined: @dprk, @russia)"
    );
    assert_eq!(err(""), "query:1:1: expected a term: the query is empty");
    assert_eq!(
        err("NOT korea"),
        "query:1:1: the query only excludes: add what to match, as in \"korea NOT sport\""
    );
    assert_eq!(
        err("korea NEAR russia"),
        "query:1:7: expected a distance after NEAR, as in NEAR/10"
    );
    assert_eq!(
        err("(a AND b) NEAR/3 c"),
        "query:1:1: NEAR needs a term, phrase, @alias or OR-group of those on each side"
    );
    assert_eq!(
        err("korea\n  AND ---"),
        "query:2:7: \"---\" has no letters or digits to match"
    );
    assert_eq!(
        err("title: korea"),
        "query:1:7: expected a term, phrase or '(' right after \"title:\", with no space"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let s = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(err(&s).contains("nested more than"));
    let s = format!("{}a", "NOT ".repeat(10_000));
    assert!(err(&s).contains("nested more than"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Query-ish text: words, operators, quotes, parentheses, fields, aliases, junk.
    fn query_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("korea".to_string()),
            Just("Россия".to_string()),
            Just("러시아*".to_string()),
            Just("AND".to_string()),
            Just("OR".to_string()),
            Just("NOT".to_string()),
            Just("NEAR/3".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("\"".to_string()),
            Just("title:".to_string()),
            Just("category:".to_string()),
            Just("@dprk".to_string()),
            Just("@nope".to_string()),
            Just("*".to_string()),
            "[a-z]{1,6}",
            "\\PC{0,4}",
        ];
        prop::collection::vec((piece, prop::bool::ANY), 0..14).prop_map(|parts| {
            parts
                .into_iter()
                .map(|(p, space)| if space { format!("{p} ") } else { p })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn parser_never_panics_and_errors_point_inside_the_query(s in "\\PC{0,60}") {
            if let Err(e) = parse(&s, &aliases()) {
                prop_assert!(e.offset <= s.len());
                prop_assert!(e.line >= 1 && e.column >= 1);
            }
        }

        #[test]
        fn printing_then_parsing_gives_the_same_tree(s in query_text()) {
            if let Ok(tree) = parse(&s, &aliases()) {
                let printed = tree.to_string();
                let again = parse(&printed, &aliases());
                prop_assert_eq!(again.as_ref().ok(), Some(&tree), "{} printed as {}", s, printed);
            }
        }
    }
}
