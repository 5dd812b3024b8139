//! Whether a new entry tells a story already stored, in other words ("North Korea condemns US
//! sending battle tanks to Ukraine" / "North Korea slams US over decision to send tanks to
//! Ukraine"). Pure: a [`Fingerprint`] of each entry's headline and lede, a [`Story`] (what its
//! entries say, together), and [`join_score`].
//!
//! The fingerprint keeps what distinguishes one event from another:
//! - **words**: the normalised words of the title and the first [`LEDE_WORDS`] words of the
//!   text, without function words ([`STOP_WORDS`]) and one- or two-letter words (but `US`,
//!   `U.N.`), each folded to its English stem after British spellings are written the American
//!   way (`sending` → `send`, `defence` → `defens`) and wire synonyms to one (`weapons`,
//!   `munitions` → `arm`: [`lexicon`]); **title words** apart;
//! - **names**: words written with a capital letter that do not open a sentence (people,
//!   places, agencies; in a headline In Title Case only those the lede capitalises too);
//! - **days**: the weekdays the copy names ("on Friday"), and **numbers** (`1,500`, `11.4`).
//!
//! A word counts by how rare it is among the stories (its inverse story frequency,
//! [`WordFrequencies`]): within a topic, "north", "korea" and "russia" are in every story and
//! prove little, while "tanks" or "Vostochny" name the event. A new entry joins a story when,
//! weighted so, [`MIN_SHARED`] of its words (or [`MIN_TITLE_SHARED`] of its title's words) are
//! among the story's, taken over all the story's entries, or when one of the story's entries
//! would so join the new entry (either way round: which arrives first does not decide), with at
//! least [`MIN_EVENT_WORDS`] shared words that are not names; when it would join several, they
//! are one story and merge, if they fit together ([`Story::fits_with`]), and so does any other
//! story then told in the words of the story it grew ([`Story::drawn_into`]). Nothing may veto it:
//! the story would then span more than [`SPAN_HOURS`], the entry would lie more than
//! [`GAP_HOURS`] from the story's burst of entries (told nearly alike, [`ALIKE_GAP_HOURS`])
//! without being a late report of it ([`LATE_HOURS`]: another outlet's, within a day, bringing
//! no one and no act new; not the next day's news of a saga), the headlines' main clauses would report different acts
//! ("meets" / "shows off" / "celebrates"; [`main_clause`](fingerprint::main_clause): "amid celebrations" is the setting,
//! not the news), two different weekdays, numbers with
//! none in common, or headlines that each name someone the other never mentions ("Putin meets
//! Kim" / "Putin meets Xi"; the source a headline ends on, "..., says US", "'...' says
//! National Security Council", "...: South Korean officials", is not who it is about, nor is a
//! participle opening it, "Downed ...", and a label it opens with, "North Korea: ...", still
//! counts as mentioned; a country is named by its people, its capital or its government, "White
//! House warns ..." / "..., U.S. says", but "in Pyongyang" is a place: [`lexicon`]), a
//! headline whose actor (the first name of its main clause, not a country; "Vladimir Putin" is
//! mentioned by "Putin") the other never mentions ("Putin welcomes Xi to Kremlin" / "Blinken
//! slams Xi ...": a reaction; not in a meeting, where host and guest may each lead), or
//! headlines that tell other news than the texts (the entry's uses no word of the story, or the
//! story's say nothing of it but names: a newsletter whose lede's second item is the story). An entry
//! in another script joins by the names of the configured aliases instead, when only one story
//! fits ([`across`]). Precision comes first: a story shown twice is a nuisance, two stories
//! merged into one hide news. The thresholds were chosen on real labelled news
//! (`../shared/news-dev`, January–August 2023; `cargo run --release --example stories_eval`)
//! and the wire-copy fixtures (`tests/fixtures/stories.tsv`).
//!
//! Here: the thresholds, and grouping a list of entries as the writer does ([`group_by_source`]).
//! `fingerprint.rs` reads an entry into its fingerprint; `rule.rs` holds the rule (stories, word
//! weights, scores, vetoes and their reasons); `across.rs` the joins across languages.

pub mod across;
mod fingerprint;
mod lexicon;
mod rule;
mod spelling;
mod words;

pub use across::{NameSets, Script};
pub use fingerprint::{Fingerprint, fingerprint, fingerprint_with, stems};
pub use rule::{
    Comparison, DIFFERENT_ACTS, DIFFERENT_PEOPLE, DIFFERENT_SUBJECTS, HEADLINES_APART,
    LATE_NEW_NAMES, PRIOR_STORIES, Scorer, Story, WordFrequencies, act_names, explain, join_score,
};
pub use words::STOP_WORDS;

use fingerprint::hash;

/// Stories whose entries lie further apart than this are never one story by wording (the same
/// link still is): wire copy of one event arrives within hours, and a follow-up the next day
/// is another story.
pub const SPAN_HOURS: i64 = 30;
/// Words besides names (people, places, agencies) an entry must share with a story to join
/// it: "North Korea fires missile" and "North Korea and Russia pledge closer ties" share only
/// who they are about, however large a share of a short headline that is.
pub const MIN_EVENT_WORDS: usize = 2;
/// A story's entries come in a burst (its most entries without this much silence between any
/// two, [`Story::find_burst`]): an entry published more than this after (or before) it reports
/// the next day's news, however alike the words (Russia's defence minister arriving in
/// Pyongyang one day, Kim receiving him the next), unless it is a late report of the same event
/// ([`LATE_HOURS`]). On the labelled real news two in three groups of one event have their
/// entries within ten hours of each other.
pub const GAP_HOURS: i64 = 10;
/// How far from a story's burst an entry told nearly alike may lie and still join as within it,
/// not as a late report ([`LATE_HOURS`]) (its words and
/// its title's words both shared over their thresholds, [`MIN_SHARED`] and
/// [`MIN_TITLE_SHARED`]): an outlet in another time zone reports the event in its own morning
/// ("North Korea slams US over decision to send tanks to Ukraine", twelve hours after
/// "North Korea condemns US sending battle tanks to Ukraine"). On the labelled real news the
/// five pairs of entries 11 to 13 hours apart told so alike each report one event, while 18
/// hours apart the next day's event of a saga is told as alike (the two defence ministers
/// meeting, then Kim receiving the Russian one); at 16 hours, one such saga merges.
pub const ALIKE_GAP_HOURS: i64 = 14;
/// How far beyond a story's burst of entries ([`GAP_HOURS`]) a late report may lie: an outlet
/// that had not yet reported the event carries it in its own next morning ("Russia resumes oil
/// exports to North Korea after pandemic hiatus", 25 hours after "Russia Turns Oil Tap for North
/// Korea Back On"). Such a report joins only when it brings nothing new: it is by an outlet not
/// yet in the story (an outlet's own later article is a new development), names no one the story
/// never mentions nor the other way round, and reports the acts the story's headlines report
/// ([`late_veto`](rule::late_veto)). On the labelled real news, copies of one event lie up to 25 hours from their
/// story's burst, while from 27 hours the next day's news of a saga is told as alike ("North
/// Korea condemns US sending battle tanks to Ukraine", then a senior official's "N. Korea Calls
/// US Battle Tank Donations 'Crime'").
pub const LATE_HOURS: i64 = 26;
/// Words of the text read after the title: the lede, where wire copy says what happened.
pub const LEDE_WORDS: usize = 40;
/// The weighted share of a new entry's words (title and lede) that must be among a story's for
/// it to join (or, the other way round, of one of the story's entries' words among the new
/// entry's). Under a third: outlets rewrite headlines and ledes range from nothing to a
/// paragraph, so copies of one event share few words, but the rare ones. What keeps apart the
/// different events of one saga, which share many, is not this share but the vetoes (a
/// half-day's silence, different acts, numbers, weekdays, people). Chosen on the labelled real
/// news (`../shared/news-dev`, January–August 2023): at 0.3 with [`MIN_TITLE_SHARED`] 0.5 the
/// topic's stories are shown once most often with no false merge; 0.35 and above split more,
/// 0.25 merged analysis pieces into the events they discuss.
pub const MIN_SHARED: f64 = 0.3;
/// The same share of its title's words alone, for entries whose lede says little or nothing:
/// a headline that carries the event's rare words joins on them.
pub const MIN_TITLE_SHARED: f64 = 0.5;

/// |a ∩ b| of two sorted, distinct lists.
fn common(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// Groups entries, each of a feed of its own, into stories as the writer does (see
/// [`group_by_source`]).
pub fn group(entries: &[(Fingerprint, i64)]) -> Vec<usize> {
    let sourced: Vec<(Fingerprint, i64, i64)> = entries
        .iter()
        .enumerate()
        .map(|(i, (fp, hours))| (fp.clone(), *hours, i as i64))
        .collect();
    group_by_source(&sourced)
}

/// Groups entries into stories as the writer does, one entry at a time in the order given:
/// each `(fingerprint, hours, source)` joins the story it is told most closely like (see
/// [`join_score`]; a story whose burst it lies in before one it would join as a late report),
/// and when it would join several, they are one story and merge if they fit together (so that
/// the grouping does not depend on the order entries arrive in); the only story besides those
/// it may join across languages ([`across`]), if one, is joined or merged the same way. Returns
/// each entry's story number.
pub fn group_by_source(entries: &[(Fingerprint, i64, i64)]) -> Vec<usize> {
    let mut weights = WordFrequencies::default();
    let mut stories: Vec<Option<Story>> = Vec::new();
    let mut story_of: Vec<usize> = Vec::new();
    for (fp, hours, source) in entries {
        let scorer = Scorer::new(fp, *hours, *source, &weights);
        let mut joins: Vec<(bool, f64, usize)> = stories
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                // Beyond the span nothing joins: not worth weighing the words.
                let s = s.as_ref().filter(|s| s.span_with(*hours) <= SPAN_HOURS)?;
                Some((scorer.is_late(s), scorer.join(s)?, i))
            })
            .collect();
        joins.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut joins: Vec<(f64, usize)> = joins.into_iter().map(|(_, s, i)| (s, i)).collect();
        // In another language, told only by the names of the only story it fits: joined when
        // the entry joins none by its words, merged into the one it joins when it does.
        let fits = stories.iter().enumerate().map(|(i, s)| {
            s.as_ref().is_some_and(|s| {
                !joins.iter().any(|(_, j)| *j == i) && across::joins(fp, *hours, s)
            })
        });
        if let Some(i) = across::sole(fits) {
            joins.push((0.0, i));
        }
        let Some(&(_, into)) = joins.first() else {
            weights.add_story(&fp.words);
            let mut s = Story::default();
            s.add(fp, *hours, *source);
            stories.push(Some(s));
            story_of.push(stories.len() - 1);
            continue;
        };
        for &(_, other) in &joins[1..] {
            let (Some(a), Some(b)) = (&stories[into], &stories[other]) else {
                continue;
            };
            if !a.fits_with(b) {
                continue;
            }
            let b = stories[other].take().expect("checked");
            stories[into].as_mut().expect("checked").absorb(&b);
            for s in story_of.iter_mut().filter(|s| **s == other) {
                *s = into;
            }
        }
        let story = stories[into].as_mut().expect("joined");
        weights.add_to_story(&fp.words, story);
        story.add(fp, *hours, *source);
        story_of.push(into);
        regroup(&mut stories, &mut story_of, into, &weights);
    }
    story_of
}

/// Merges into story `into`, grown by an entry, every other story that is now told in its
/// words ([`Story::drawn_into`]), until none is.
fn regroup(
    stories: &mut [Option<Story>],
    story_of: &mut [usize],
    into: usize,
    weights: &WordFrequencies,
) {
    loop {
        let grown = stories[into].as_ref().expect("alive");
        let found = stories
            .iter()
            .enumerate()
            .find_map(|(i, s)| (i != into && s.as_ref()?.drawn_into(grown, weights)).then_some(i));
        let Some(other) = found else { return };
        let b = stories[other].take().expect("found");
        stories[into].as_mut().expect("alive").absorb(&b);
        for s in story_of.iter_mut().filter(|s| **s == other) {
            *s = into;
        }
    }
}

#[cfg(test)]
mod tests;
