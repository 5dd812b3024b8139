//! Fingerprints, weights and grouping on small made-up cases.

use super::fingerprint::{sorted, stem, told};
use super::*;

/// Whether two entries, `hours` apart, end up one story.
fn same_story(a: &Fingerprint, b: &Fingerprint, hours: i64) -> bool {
    let g = group(&[(a.clone(), 0), (b.clone(), hours)]);
    g[0] == g[1]
}

#[test]
fn reworded_headlines_of_one_event_are_one_story() {
    let a = fingerprint(
        "Kim Jong Un arrives in Russia for Putin summit",
        "North Korean leader Kim Jong Un arrived in Russia's Far East on Tuesday by armoured train ahead of a summit with President Vladimir Putin, Russian state media reported.",
    );
    let b = fingerprint(
        "North Korea's Kim reaches Vladivostok by armoured train",
        "Kim Jong Un's armoured train crossed into Russia and arrived in Vladivostok on Tuesday ahead of his summit with President Vladimir Putin, Russian state media reported.",
    );
    assert!(same_story(&a, &b, 1));
    assert!(!same_story(&a, &b, 100), "outside the span");
}

#[test]
fn look_alikes_stay_apart() {
    let ballistic = fingerprint(
        "N. Korea fires ballistic missiles into East Sea: JCS",
        "North Korea fired several short-range ballistic missiles toward the East Sea on Wednesday morning, South Korea's Joint Chiefs of Staff said.",
    );
    let cruise = fingerprint(
        "N. Korea fires cruise missiles into Yellow Sea: JCS",
        "North Korea fired several cruise missiles toward the Yellow Sea on Friday, South Korea's Joint Chiefs of Staff said.",
    );
    assert_eq!(ballistic.days, 1 << 2);
    assert!(!same_story(&ballistic, &cruise, 48), "different days");
    let kim = fingerprint(
        "Putin meets Kim in Pyongyang",
        "Vladimir Putin held talks with Kim Jong Un in Pyongyang.",
    );
    let xi = fingerprint(
        "Putin meets Xi in Beijing",
        "Vladimir Putin held talks with Xi Jinping in Beijing.",
    );
    assert!(!same_story(&kim, &xi, 0));
    let few = fingerprint(
        "N. Korea sent 1,500 special forces to Russia",
        "North Korea has sent 1,500 special forces troops to Russia, the spy agency said.",
    );
    let more = fingerprint(
        "N. Korea to send 10,000 more troops to Russia",
        "North Korea plans to send 10,000 more troops to Russia, the spy agency said.",
    );
    assert!(!same_story(&few, &more, 24), "different numbers");
}

#[test]
fn word_forms_fold_to_one_stem() {
    let a = fingerprint(
        "North Korea condemns US sending battle tanks to Ukraine",
        "",
    );
    let b = fingerprint(
        "North Korea slams US over decision to send tanks to Ukraine",
        "",
    );
    for w in ["send", "tank"] {
        let h = hash(w);
        assert!(
            a.title_words.contains(&h) && b.title_words.contains(&h),
            "{w}"
        );
    }
}

#[test]
fn rare_words_count_more_than_the_words_every_story_has() {
    // Five stories of one topic: "north korea russia" in each, the event in one.
    let mut weights = WordFrequencies::default();
    let others = [
        "Kim visits a farm",
        "A parade in Pyongyang",
        "Talks on oil",
        "Lavrov calls",
    ];
    for t in others {
        weights.add_story(&fingerprint(&format!("North Korea and Russia, {t}"), "").words);
    }
    let tanks = fingerprint("North Korea condemns Russia-bound tanks", "");
    weights.add_story(&tanks.words);
    let korea = hash(&stem("korea"));
    assert!(weights.weight(korea) < weights.weight(hash(&stem("tanks"))) / 3.0);
    let mut story = Story::default();
    story.add(&tanks, 0, 0);
    let reworded = fingerprint("North Korea slams tanks bound for Russia", "");
    let other = fingerprint("North Korea and Russia hold talks", "");
    assert!(join_score(&reworded, 2, 1, &story, &weights).is_some());
    assert_eq!(join_score(&other, 2, 1, &story, &weights), None);
}

#[test]
fn grouping_does_not_depend_on_arrival_order() {
    // A and C share too little to be one story; B is told like each: whichever comes
    // last, B joins or bridges them, and the three are one story.
    let a = fingerprint("falcon harbor meadow orchard", "");
    let b = fingerprint("meadow orchard glacier canyon", "");
    let c = fingerprint("glacier canyon tundra willow", "");
    assert!(!same_story(&a, &c, 1) && same_story(&a, &b, 1) && same_story(&b, &c, 1));
    let entries = [(a, 0), (b, 1), (c, 2)];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let list: Vec<_> = order.iter().map(|&i| entries[i].clone()).collect();
        let g = group(&list);
        assert!(g.iter().all(|s| *s == g[0]), "order {order:?}: {g:?}");
    }
}

#[test]
fn which_of_two_entries_comes_first_does_not_decide_whether_they_join() {
    // A short headline whose words are all in a long one: the long one's words are mostly
    // not in the short one, yet the two are one story in either order.
    let short = fingerprint("Russia resumes oil exports to North Korea", "");
    let long = fingerprint(
        "Russia turns oil tap for North Korea back on as US warns on weapons",
        "Russia has resumed sending oil to sanctions-hit North Korea for the first time since 2020, deepening cooperation between the two nations.",
    );
    assert!(same_story(&short, &long, 3));
    assert!(same_story(&long, &short, 3));
}

#[test]
fn one_visit_s_different_acts_and_days_stay_apart() {
    let meets = fingerprint(
        "Kim Jong Un meets Russian defence minister Shoigu in Pyongyang",
        "North Korean leader Kim Jong Un met Russian Defense Minister Sergei Shoigu in Pyongyang.",
    );
    let shows = fingerprint(
        "Kim Jong Un shows off missiles to Russian defence minister Shoigu",
        "North Korean leader Kim Jong Un showed Russian Defense Minister Sergei Shoigu missiles in Pyongyang.",
    );
    assert!(!same_story(&meets, &shows, 2), "different acts");
    let greets = fingerprint(
        "Kim greets Russian defense minister Shoigu in Pyongyang",
        "Kim Jong Un met Sergei Shoigu, Russia's defence minister, in Pyongyang.",
    );
    assert!(
        same_story(&meets, &greets, 2),
        "British and American spelling, one act"
    );
    assert!(
        same_story(&meets, &greets, GAP_HOURS + 2),
        "told alike, an outlet's own morning half a world away"
    );
    assert!(
        same_story(&meets, &greets, ALIKE_GAP_HOURS + 2),
        "a late report by another outlet, bringing nothing new"
    );
    let by = |a: &Fingerprint, b: &Fingerprint, hours: i64, sources: (i64, i64)| {
        let g = group_by_source(&[(a.clone(), 0, sources.0), (b.clone(), hours, sources.1)]);
        g[0] == g[1]
    };
    assert!(
        !by(&meets, &greets, ALIKE_GAP_HOURS + 2, (1, 1)),
        "the same outlet's later article is a new development"
    );
    assert!(by(&meets, &greets, LATE_HOURS, (1, 2)));
    assert!(
        !by(&meets, &greets, LATE_HOURS + 1, (1, 2)),
        "more than a day from the story's burst"
    );
    let with_choe = fingerprint(
        "Kim Jong Un meets Russian defence minister Shoigu and Choe Son Hui in Pyongyang",
        "North Korean leader Kim Jong Un met Russian Defense Minister Sergei Shoigu and Choe Son Hui in Pyongyang.",
    );
    assert!(same_story(&meets, &with_choe, 2));
    assert!(
        !same_story(&meets, &with_choe, ALIKE_GAP_HOURS + 2),
        "late, and naming someone the story never mentions"
    );
    let receives = fingerprint(
        "Russian delegation led by Shoigu holds talks with Kim",
        "Kim Jong Un met the Russian defence minister, Sergei Shoigu, in Pyongyang.",
    );
    assert!(same_story(&meets, &receives, 2), "told less alike");
    assert!(
        !same_story(&meets, &receives, GAP_HOURS + 2),
        "told less alike, half a day from the story, and reporting no act of its"
    );
    // An entry that reports no act, told like both, does not make them one.
    let vows = fingerprint(
        "Russian defence minister Shoigu vows ties with Kim Jong Un in Pyongyang",
        "Russian Defense Minister Sergei Shoigu met North Korean leader Kim Jong Un and showed support.",
    );
    let g = group(&[(meets.clone(), 0), (shows.clone(), 1), (vows.clone(), 2)]);
    assert_ne!(g[0], g[1], "{g:?}");
    // Nor, come first, does it let one act's entry join the other's story through it.
    let g = group(&[(vows, 0), (shows, 1), (meets, 2)]);
    assert_ne!(g[1], g[2], "{g:?}");
}

#[test]
fn a_title_case_headline_names_nobody_by_its_capitals() {
    let f = fingerprint(
        "U.S. Puts Sanctions on Man Accused of Working on Arms Deal",
        "The White House said the man would be in violation of U.N. resolutions.",
    );
    // "Puts", "Sanctions", "Working" are capitalised only by the headline's style.
    assert!(!f.title_names.contains(&hash("puts")));
    assert!(!f.title_names.contains(&hash("sanctions")));
    // U.S. and U.N. are words, as US and UN are.
    assert!(f.title_words.contains(&hash("us")));
    assert!(f.words.contains(&hash("un")));
    // In a headline in sentence case, a capital inside it still names someone.
    let plain = fingerprint("US sanctions Kim's man accused of arms deal", "");
    assert!(plain.title_names.contains(&hash("kim")));
}

#[test]
fn fingerprints_round_trip_through_bytes() {
    let f = fingerprint(
        "Seoul says 1,500 troops sent",
        "South Korea's spy agency said on Friday that Pyongyang sent 1,500 troops.",
    );
    assert!(!f.words.is_empty() && !f.names.is_empty() && !f.numbers.is_empty());
    assert!(!f.mentions.is_empty() && f.days != 0);
    assert_eq!(Fingerprint::from_bytes(&f.to_bytes()), Some(f.clone()));
    // A fingerprint stored before title words: five lists.
    let mut old = vec![f.days, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    old.extend_from_slice(&7u32.to_le_bytes());
    let read = Fingerprint::from_bytes(&old).unwrap();
    assert_eq!(
        (read.words, read.days, read.title_words),
        (vec![7], f.days, vec![])
    );
    assert_eq!(Fingerprint::from_bytes(&[1, 2]), None);
    assert_eq!(
        Fingerprint::from_bytes(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
        None
    );
    // The acts of the main clause are kept; a fingerprint stored before they were reads them
    // from all its title's words.
    let setting = fingerprint("Kim meets Shoigu amid parade celebrations", "");
    assert_eq!(
        Fingerprint::from_bytes(&setting.to_bytes()),
        Some(setting.clone())
    );
    assert!(!setting.head_names.is_empty());
    // Stored before the title's names were kept: read as naming no one.
    let before_names = Fingerprint {
        head_names: Vec::new(),
        ..setting.clone()
    };
    let mut bytes = before_names.to_bytes();
    assert_eq!(Fingerprint::from_bytes(&bytes), Some(before_names));
    bytes.pop();
    let read = Fingerprint::from_bytes(&bytes).unwrap();
    assert_eq!(read.acts, lexicon::acts(&setting.title_words));
    assert_ne!(read.acts, setting.acts);
    // A list of names cut short is no fingerprint.
    let mut cut = setting.to_bytes();
    cut.pop();
    assert_eq!(Fingerprint::from_bytes(&cut), None);
}

#[test]
fn a_headline_s_setting_is_not_its_act() {
    let acts = |title: &str| fingerprint(title, "").acts;
    let meets = acts("Kim meets Russian defence minister in Pyongyang");
    assert_ne!(meets, 0);
    // "amid celebrations", "for commemorations": when and why, not what happened.
    assert_eq!(
        acts("North Korean, Russian defense ministers hold meeting in Pyongyang amid celebrations"),
        meets
    );
    assert_eq!(
        acts("Russian Defense Minister is in Pyongyang for Korean War commemorations"),
        0
    );
    let celebrates =
        acts("North Korea and Partners China, Russia Celebrate Korean War Anniversary");
    assert!(celebrates != 0 && celebrates & meets == 0);
    // Where it happens is setting too: "in show of support" is no showing off.
    assert_eq!(
        acts("South Korean president makes surprise visit to Ukraine in show of support"),
        0
    );
    // A setting it opens with is skipped up to the comma; a live blog's second item is not
    // its first item's act.
    assert_eq!(acts("After the parade, Kim meets Shoigu"), meets);
    assert_eq!(
        acts(
            "Ukraine war live: Russian defence minister meets Kim; Moldova orders diplomats to leave"
        ),
        meets
    );
}

#[test]
fn a_celebration_and_a_meeting_on_it_are_two_stories() {
    // A preview of the anniversary, the evening before the minister meets Kim: the words of the
    // occasion are the same, the news is not.
    let preview = fingerprint(
        "North Korea and partners China, Russia celebrate Korean War anniversary",
        "Kim Jong Un will parade new weaponry through Pyongyang for the 70th anniversary of the end of the Korean War as he hosts delegations from China and Russia.",
    );
    let meets = fingerprint(
        "North Korea's Kim Jong Un meets Russian defence minister in Pyongyang",
        "Sergei Shoigu's visit comes as North Korea marks the 70th anniversary of the armistice that ended the Korean War.",
    );
    let meeting_amid = fingerprint(
        "Kim Jong Un meets Russian defence minister Shoigu amid anniversary celebrations",
        "North Korean leader Kim Jong Un met Sergei Shoigu in Pyongyang as the country marks the 70th anniversary of the Korean War armistice.",
    );
    assert!(!same_story(&preview, &meets, 4));
    assert!(
        same_story(&meets, &meeting_amid, 2),
        "celebrations are its setting"
    );
    assert!(!same_story(&preview, &meeting_amid, 4));
}

#[test]
fn names_are_capitalised_words_inside_sentences() {
    let f = fingerprint(
        "Kim receives Shoigu",
        "On Friday Shoigu met Kim. Talks went well.",
    );
    // Kim (title start) and On/Talks (sentence starts) are not names; Shoigu and Kim are.
    assert_eq!(f.names, sorted(vec![hash("shoigu"), hash("kim")]));
    assert_eq!(f.days, 1 << 4);
}

#[test]
fn a_headline_label_is_not_the_event() {
    let live = fingerprint(
        "Ukraine live briefing: Russia and North Korea advancing arms talks",
        "",
    );
    let plain = fingerprint("Russia and North Korea advancing arms talks", "");
    assert_eq!(live.title_words, plain.title_words);
    // A colon that ends a headline with its source keeps the headline whole.
    let jcs = fingerprint("N. Korea fires ballistic missiles into East Sea: JCS", "");
    assert!(jcs.title_words.contains(&hash(&stem("ballistic"))));
}

#[test]
fn the_source_a_headline_ends_on_is_not_who_it_is_about() {
    assert_eq!(
        told("Russia seeking weapons from North Korea, says US"),
        "Russia seeking weapons from North Korea"
    );
    assert_eq!(
        told("Russia to offer food for North Korean weapons - US"),
        "Russia to offer food for North Korean weapons "
    );
    assert_eq!(
        told("North Korea fires missile into East Sea: JCS"),
        "North Korea fires missile into East Sea"
    );
    // A name alone after a dash, anything short after a quote, and who says a quote.
    assert_eq!(
        told("Russian jets 'harassing' US aircraft over Syria - US Air Force"),
        "Russian jets 'harassing' US aircraft over Syria "
    );
    assert_eq!(
        told("Downed satellite had 'no military utility': South Korean officials"),
        "Downed satellite had 'no military utility'"
    );
    assert_eq!(
        told("North Korea, Russia arms deal 'actively advancing' says National Security Council"),
        "North Korea, Russia arms deal 'actively advancing'"
    );
    // Not a source: a hyphenated name, a list, a short headline.
    for head in [
        "Arms deal between North Korea-Russia inches closer",
        "Putin meets Kim, Shoigu and Lavrov",
        "Kim, says US",
        "Kim meets Shoigu - and shows him missiles",
        "Russia's 'shadow fleet' ships oil to North Korea",
    ] {
        assert_eq!(told(head), head);
    }
    // Two outlets name different sources of one warning: not different people.
    let a = fingerprint(
        "Russia and North Korea are 'actively advancing' in arms talks, U.S. warns",
        "Arms negotiations between Russia and North Korea are actively advancing, the White House said on Wednesday.",
    );
    let b = fingerprint(
        "North Korea, Russia arms deal 'actively advancing' says National Security Council",
        "Arms negotiations between Russia and North Korea are actively advancing, a spokesman said on Wednesday.",
    );
    assert!(same_story(&a, &b, 1));
    // While the people a headline is about still keep two events apart.
    let kim = fingerprint("Putin meets Kim in Vladivostok, Kremlin says", "");
    let xi = fingerprint("Putin meets Xi in Vladivostok, Kremlin says", "");
    assert!(!same_story(&kim, &xi, 1));
}

#[test]
fn a_participle_opening_a_headline_is_nobody() {
    // "Crashed" and "Downed" open the headlines as the first word does who acts ("Japan
    // summons ..."), but they are no one: the two report one finding.
    let crashed = fingerprint(
        "Crashed North Korea satellite had 'no military utility,' South Korea says",
        "South Korea's military said on Wednesday it had recovered parts of the satellite.",
    );
    let downed = fingerprint(
        "Downed North Korean satellite had 'no military utility': South Korean officials",
        "Wreckage of the satellite recovered from the sea showed it had no military use.",
    );
    assert!(same_story(&crashed, &downed, 10));
    // A first word the lede writes with a capital is still a name, whatever its ending.
    let beijing = fingerprint(
        "Beijing summons envoy over balloon",
        "China said on Monday that Beijing had summoned the envoy.",
    );
    let seoul = fingerprint(
        "Seoul summons envoy over balloon",
        "South Korea said on Monday that Seoul had summoned the envoy.",
    );
    assert!(!same_story(&beijing, &seoul, 1));
}

#[test]
fn a_headline_label_still_counts_as_mentioned() {
    // "North Korea:" labels one headline and is not compared, but it names North Korea: the
    // other headline's "North Korea's Kim" is no one the first never mentions.
    let labelled = fingerprint(
        "North Korea: Kim Jong Un shows off missiles to Russia defence chief Shoigu",
        "Kim showed the visiting minister banned ballistic missiles on Wednesday.",
    );
    let plain = fingerprint(
        "North Korea's Kim shows off banned missiles to Russian minister",
        "Kim Jong Un showed Russia's defence minister banned missiles on Wednesday.",
    );
    assert!(same_story(&labelled, &plain, 2));
}

#[test]
fn a_name_spelled_the_british_way_or_in_the_plural_is_one_already_mentioned() {
    // "Defense Minister" in one headline, "defence ministers" in the other's copy: the same
    // people, whichever side of the Atlantic spells them; each headline also names a place the
    // other never mentions, so a second unknown name on either side would keep them apart.
    let us = fingerprint(
        "Russian Defense Minister Shoigu holds talks in Pyongyang for Korean War commemorations",
        "Russian Defense Minister Sergei Shoigu held talks in Pyongyang on Wednesday ahead of commemorations of the Korean War armistice.",
    );
    let uk = fingerprint(
        "Shoigu holds talks with North Korean counterpart in Pyongyang",
        "Russia's defence ministers Sergei Shoigu held talks in Pyongyang on Wednesday with his North Korean counterpart ahead of the war armistice commemorations.",
    );
    assert!(same_story(&us, &uk, 2));
}

#[test]
fn a_late_report_does_not_draw_the_next_day_s_news_in_after_it() {
    let ministers = fingerprint(
        "North Korean and Russian defence ministers hold talks in Pyongyang",
        "The defence ministers of North Korea and Russia held talks in Pyongyang on military cooperation.",
    );
    let counterpart = fingerprint(
        "Russian defence minister holds talks with North Korean counterpart in Pyongyang",
        "Russia's defence minister held talks in Pyongyang on military cooperation with his North Korean counterpart.",
    );
    let late = fingerprint(
        "Russian defence minister vows military cooperation with North Korea after Pyongyang talks",
        "Russia's defence minister held talks in Pyongyang on military cooperation with North Korea's defence minister.",
    );
    let kim = fingerprint(
        "Kim Jong Un holds talks with Russian defence minister in Pyongyang",
        "North Korean leader Kim Jong Un held talks with Russia's defence minister in Pyongyang on military cooperation.",
    );
    let g = group_by_source(&[
        (ministers, 0, 1),
        (counterpart, 1, 2),
        (late, 16, 3),
        (kim, 17, 4),
    ]);
    assert_eq!(g[0], g[1], "{g:?}");
    assert_eq!(g[0], g[2], "another outlet's late report joins: {g:?}");
    assert_ne!(
        g[0], g[3],
        "the next day's news, an hour after the late report, is not drawn in: {g:?}"
    );
}

#[test]
fn a_newsletter_whose_lede_tells_the_story_is_not_in_it() {
    let warns = fingerprint(
        "US warns Russia and North Korea are advancing arms talks",
        "The White House said on Wednesday that arms negotiations between Russia and North Korea are actively advancing.",
    );
    let briefing = fingerprint(
        "Morning briefing: Chip maker's quarterly profit falls on weak demand",
        "Good morning. A chip maker reported that its quarterly profit fell on weak demand. Also today: the White House said on Wednesday that arms negotiations between Russia and North Korea are actively advancing.",
    );
    // Its lede's second item is the story, told in the story's words.
    let weights = WordFrequencies::default();
    let mut story = Story::default();
    story.add(&briefing, 0, 1);
    let c = explain(&warns, 1, 2, &story, &weights);
    assert!(c.shared >= MIN_SHARED, "{c:?}");
    assert_eq!(c.veto, Some(HEADLINES_APART));
    assert!(!same_story(&warns, &briefing, 1));
    assert!(!same_story(&briefing, &warns, 1));
}

#[test]
fn hours_before_the_clock_s_zero_read_as_any_others() {
    // Hours on any fixed clock: a story whose entries all lie before its zero spans what they
    // span, not up to zero.
    let a = fingerprint(
        "North Korea condemns US sending battle tanks to Ukraine",
        "North Korea on Friday condemned the United States for sending battle tanks to Ukraine.",
    );
    let b = fingerprint(
        "North Korea slams US over decision to send tanks to Ukraine",
        "North Korea on Friday slammed the US decision to send battle tanks to Ukraine.",
    );
    let at = |h: i64| group(&[(a.clone(), h), (b.clone(), h + 1)]);
    assert_eq!(at(100), vec![0, 0]);
    assert_eq!(at(-100), vec![0, 0]);
    assert_eq!(at(-1), vec![0, 0]);
}

#[test]
fn a_country_named_by_its_capital_or_its_government_is_the_country() {
    let white_house = (
        "White House warns Russia and North Korea arms talks are advancing",
        "Arms negotiations between Russia and North Korea are actively advancing, a US official said on Wednesday.",
    );
    let capitals = (
        "Arms talks between Pyongyang and Moscow advancing, US says",
        "Arms negotiations between the two countries are actively advancing, the United States said on Wednesday.",
    );
    let a = fingerprint(white_house.0, white_house.1);
    let b = fingerprint(capitals.0, capitals.1);
    let mut story = Story::default();
    story.add(&b, 0, 1);
    let c = explain(&a, 1, 2, &story, &WordFrequencies::default());
    assert_eq!(c.unmentioned, (vec![], vec![]), "{c:?}");
    assert!(same_story(&a, &b, 1));
    assert!(same_story(&b, &a, 1));

    // A place the news happens in is the place: "in Pyongyang" is not who acts.
    let visit = fingerprint(
        "Russian defence minister is in Pyongyang for war anniversary",
        "Russia's defence minister has arrived for celebrations of the armistice anniversary.",
    );
    let ties = (
        "Russian defence minister vows closer military ties with North Korea",
        "Russia's defence minister promised stronger military ties during his visit to Pyongyang.",
    );
    let names = stems(ties.0, ties.1);
    let ties = fingerprint(ties.0, ties.1);
    let mut story = Story::default();
    story.add(&visit, 0, 1);
    let c = explain(&ties, 16, 2, &story, &WordFrequencies::default());
    let missing: Vec<&str> = c.unmentioned.0.iter().map(|h| names[h].as_str()).collect();
    assert_eq!(missing, ["north korea"], "{c:?}");
}

#[test]
fn a_headline_whose_actor_the_other_never_mentions_is_another_story() {
    let welcome = fingerprint(
        "Putin welcomes Chinese leader Xi to the Kremlin for talks",
        "Russian President Vladimir Putin welcomed Chinese leader Xi Jinping to the Kremlin on Monday for talks on the war in Ukraine.",
    );
    let reaction = fingerprint(
        "Blinken slams Xi for giving Putin diplomatic cover during Moscow talks",
        "US Secretary of State Antony Blinken said Chinese leader Xi Jinping's talks with Vladimir Putin in the Kremlin on Monday gave Russia diplomatic cover for the war in Ukraine.",
    );
    assert_eq!(reaction.subject, [hash(&stem("blinken"))]);
    assert_eq!(welcome.subject, [hash(&stem("putin"))]);
    let mut story = Story::default();
    story.add(&welcome, 0, 1);
    let c = explain(&reaction, 1, 2, &story, &WordFrequencies::default());
    assert!(c.shared >= MIN_SHARED, "told in its words: {c:?}");
    assert_eq!(c.veto, Some(DIFFERENT_SUBJECTS));
    assert!(!same_story(&welcome, &reaction, 1));
    assert!(!same_story(&reaction, &welcome, 1));
    // Kept through the store.
    assert_eq!(
        Fingerprint::from_bytes(&reaction.to_bytes()),
        Some(reaction.clone())
    );

    // Who acts is mentioned by either end of the name: "Vladimir Putin" by "Putin".
    let full = fingerprint(
        "Vladimir Putin hails invincible ties with North Korea in letter to Kim",
        "Russian President Vladimir Putin hailed the invincible ties of Russia and North Korea in a letter to Kim Jong Un on Liberation Day, state media said.",
    );
    let short = fingerprint(
        "Putin hails invincible North Korea ties in Liberation Day letter to Kim",
        "The Russian president wrote to North Korean leader Kim Jong Un that the two countries' ties are invincible, state media said on Tuesday.",
    );
    assert_eq!(
        full.subject,
        [hash(&stem("vladimir")), hash(&stem("putin"))]
    );
    let mut story = Story::default();
    story.add(&short, 0, 1);
    let c = explain(&full, 1, 2, &story, &WordFrequencies::default());
    assert_eq!(c.veto, None, "{c:?}");
    assert!(same_story(&full, &short, 1));
    assert!(same_story(&short, &full, 1));
    assert_eq!(
        Fingerprint::from_bytes(&full.to_bytes()),
        Some(full.clone())
    );

    // A country, or someone in the setting, is not who acts.
    let country = fingerprint("North Korea's Kim receives Shoigu", "");
    assert!(country.subject.is_empty());
    let setting = fingerprint(
        "US citizen detained after crossing DMZ into North Korea",
        "",
    );
    assert!(setting.subject.is_empty());

    // In a meeting host and guest may each lead the headline.
    let host = fingerprint(
        "Kim greets Russian defence minister Shoigu in Pyongyang",
        "North Korean leader Kim Jong Un greeted Russian Defence Minister Sergei Shoigu in Pyongyang on Wednesday as he arrived for armistice anniversary celebrations.",
    );
    let guest = fingerprint(
        "Russian defence minister Shoigu in Pyongyang for armistice anniversary celebrations",
        "Russian Defence Minister Sergei Shoigu is in Pyongyang on Wednesday for celebrations of the armistice anniversary, North Korean state media said.",
    );
    let mut story = Story::default();
    story.add(&guest, 0, 1);
    let c = explain(&host, 1, 2, &story, &WordFrequencies::default());
    assert_eq!(c.veto, None, "{c:?}");
    assert!(same_story(&host, &guest, 1));
}
