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

static SPORT: std::sync::LazyLock<[String; 1]> = std::sync::LazyLock::new(|| ["Sport".to_string()]);

fn err(s: &str) -> String {
    parse(s, &aliases()).unwrap_err().to_string()
}

fn doc<'a>(title: &'a str, text: &'a str) -> Doc<'a> {
    Doc::new(&DocInput {
        title,
        text,
        ..Default::default()
    })
}

fn matches(query: &str, title: &str, text: &str) -> bool {
    QueryMatcher::new(&q(query))
        .explain(&doc(title, text))
        .is_some()
}

fn holds(query: &str, d: &Doc) -> bool {
    QueryMatcher::new(&q(query)).explain(d).is_some()
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
        categories: &SPORT[..],
        ..Default::default()
    });
    assert!(holds("korea russia", &d));
    assert!(!holds("korea russia NOT category:sport", &d));
    assert!(holds("title:korea", &d));
    assert!(!holds("title:football", &d));
    assert!(holds("summary:football", &d));
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
    let hits = QueryMatcher::new(&q("@dprk AND @russia"))
        .explain(&d)
        .unwrap();
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

#[test]
fn one_matcher_serves_many_topics_with_scopes_and_exclusions() {
    use std::sync::Arc;
    let topic = |id: &str, query: &str, exclude: Option<&str>, scope: Vec<Scope>| {
        Arc::new(Topic {
            id: id.into(),
            title: id.into(),
            query: q(query),
            exclude: exclude.map(q),
            scope,
            limit: 50,
            token: None,
        })
    };
    let m = Matcher::new(vec![
        topic("kr", "@dprk AND @russia", Some("category:sport"), vec![]),
        topic("wire-only", "shoigu", None, vec![Scope::Tag("wire".into())]),
        topic("prefix", "sanction*", None, vec![]),
    ]);
    let d = Doc::new(&DocInput {
        title: "Kim Jong Un receives Shoigu",
        text: "New sanctions expected.",
        ..Default::default()
    });
    let tags = ["wire".to_string()];
    let ids = |feed: FeedRef<'_>| -> Vec<String> {
        m.match_doc(&d, feed).into_iter().map(|h| h.topic).collect()
    };
    assert_eq!(
        ids(FeedRef {
            url: "https://w.example/",
            tags: &tags
        }),
        ["kr", "wire-only", "prefix"]
    );
    assert_eq!(
        ids(FeedRef {
            url: "https://w.example/",
            tags: &[]
        }),
        ["kr", "prefix"]
    );
    let sport = Doc::new(&DocInput {
        title: "Kim Jong Un receives Shoigu",
        categories: &SPORT[..],
        ..Default::default()
    });
    assert!(
        m.match_doc(&sport, FeedRef { url: "", tags: &[] })
            .iter()
            .all(|h| h.topic != "kr")
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text over a small vocabulary, so random queries often hit.
    fn small_text() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            Just("korea"),
            Just("korean"),
            Just("russia"),
            Just("Россия"),
            Just("kim"),
            Just("jong"),
            Just("un"),
            Just("러시아를"),
            Just("north"),
            Just("the"),
            Just("-"),
            Just("Kim-Jong-un"),
            Just("北朝鮮"),
            Just("北朝鮮とロシア"),
            Just("sanctions"),
            Just("KOREA"),
            Just("Korea’s"),
            Just("russia—korea"),
            Just("koreas"),
            Just("un,"),
            Just("kim2"),
            Just("korea.russia"),
            Just("Sanctions…"),
            Just("Pyongyang"),
        ];
        let sep = prop_oneof![
            Just(" "),
            Just(" "),
            Just(""),
            Just(", "),
            Just("–"),
            Just(". "),
            Just("N. ")
        ];
        (prop::collection::vec((word, sep), 0..25))
            .prop_map(|w| w.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
    }

    fn small_query() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("korea"),
            Just("korea*"),
            Just("russia"),
            Just("\"kim jong un\""),
            Just("@dprk"),
            Just("@russia"),
            Just("north"),
            Just("sanction*"),
            Just("AND"),
            Just("OR"),
            Just("NOT"),
            Just("NEAR/2"),
            Just("("),
            Just(")"),
            Just("title:"),
            Just("summary:"),
            Just("author:"),
            Just("lede:"),
            Just("\"北朝鮮\""),
            Just("\"north korea\""),
            Just("pyong*"),
        ];
        prop::collection::vec(piece, 1..10).prop_map(|p| p.join(" ").replace(": ", ":"))
    }

    proptest! {
        #[test]
        fn compiled_matcher_agrees_with_the_reference(
            query in small_query(),
            title in small_text(),
            text in small_text(),
            authors in prop::collection::vec(small_text(), 0..3),
        ) {
            if let Ok(tree) = parse(&query, &aliases()) {
                let input = DocInput { title: &title, text: &text, authors: &authors, ..Default::default() };
                let reference = super::super::reference::RefDoc::new(&input);
                let mut want = std::collections::BTreeSet::new();
                let want_match = super::super::reference::eval(&tree, &reference, None);
                if want_match {
                    super::super::reference::eval(&tree, &reference, Some(&mut want));
                }
                let got = QueryMatcher::new(&tree).explain(&Doc::new(&input));
                prop_assert_eq!(got.is_some(), want_match, "{} on {:?} / {:?}", tree, title, text);
                if let Some(got) = got {
                    prop_assert_eq!(got, want);
                }
            }
        }
    }

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

#[test]
fn near_and_phrases_count_a_value_separator_as_a_word() {
    let authors = ["kim jong".to_string(), "un shoigu".to_string()];
    let doc = Doc::new(&DocInput {
        title: "t",
        authors: &authors,
        ..Default::default()
    });
    let m = |query: &str| QueryMatcher::new(&q(query)).explain(&doc).is_some();
    assert!(
        !m("author:\"jong un\""),
        "a phrase never runs from one author into the next"
    );
    assert!(
        !m("author:(jong NEAR/1 un)"),
        "the separator counts as a word"
    );
    assert!(m("author:(jong NEAR/2 un)"));
    assert!(m("author:(kim NEAR/4 shoigu)"));
    assert!(!m("author:(kim NEAR/3 shoigu)"));
}

#[test]
fn a_field_of_many_values_matches_whatever_script_each_value_is_in() {
    let authors = vec!["北朝鮮 ".to_string(), "Pyongyang Desk".to_string()];
    let input = DocInput {
        authors: &authors,
        ..Default::default()
    };
    for query in [
        "author:pyong*",
        "author:\"pyongyang desk\"",
        "author:北朝鮮",
    ] {
        let tree = parse(query, &aliases()).unwrap();
        assert!(holds_input(&tree, &input), "{query}");
    }
}

fn holds_input(tree: &Query, input: &DocInput) -> bool {
    QueryMatcher::new(tree).explain(&Doc::new(input)).is_some()
}

#[test]
fn lede_is_the_headline_and_the_first_sentence() {
    let aliases = aliases();
    let q = parse("lede:(@dprk AND @russia)", &aliases).unwrap();
    assert_eq!(q.to_string(), "(lede:@dprk AND lede:@russia)");
    let m = QueryMatcher::new(&q);
    let doc = |title: &str, text: &str| {
        let input = DocInput {
            title,
            text,
            ..Default::default()
        };
        m.explain(&Doc::new(&input))
    };
    // Russia in the lead sentence: about both.
    assert!(
        doc(
            "North Korea fires missile",
            "The launch came as Russia's Shoigu visited. More later."
        )
        .is_some()
    );
    // Russia only further down: not in the lede, though the summary has it.
    assert!(
        doc(
            "North Korea fires missile",
            "The launch came on Monday. Russia said nothing of it."
        )
        .is_none()
    );
    // An initial does not end the sentence.
    assert!(
        doc(
            "Missile launch",
            "The U.S. said North Korea fired it as Russia watched."
        )
        .is_some()
    );
    let hits = doc("Shoigu meets Kim Jong Un", "He arrived in North Korea.").unwrap();
    assert!(hits.iter().all(|h| h.field == Field::Lede), "{hits:?}");
}
