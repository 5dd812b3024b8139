//! The same-story rule: what a story's entries say together ([`Story`]), how rare each word is
//! ([`WordFrequencies`]), and whether a new entry joins a story ([`Scorer`]), with the vetoes that
//! keep apart what is told alike and the reasons in words ([`explain`]).

use super::fingerprint::Fingerprint;
use super::{
    ALIKE_GAP_HOURS, GAP_HOURS, LATE_HOURS, MIN_EVENT_WORDS, MIN_SHARED, MIN_TITLE_SHARED,
    SPAN_HOURS, Script, across, common, lexicon,
};
use std::sync::OnceLock;

/// Stories assumed to have been counted before any (see [`WordFrequencies::weight`]).
pub const PRIOR_STORIES: f64 = 5.0;

/// In how many stories each word occurs: what makes a word rare. Stories, not entries, are
/// counted: ten outlets carrying one event must not make its words look common.
#[derive(Clone, Debug, Default)]
pub struct WordFrequencies {
    /// By word hash (already a hash: Fx, not SipHash, to look it up).
    stories: rustc_hash::FxHashMap<u32, u32>,
    counted: u32,
}

impl WordFrequencies {
    /// Counts a new story's words.
    pub fn add_story(&mut self, words: &[u32]) {
        self.counted += 1;
        self.add_words(words);
    }

    /// Counts the words an entry brings to a story that did not have them yet.
    pub fn add_to_story(&mut self, words: &[u32], story: &Story) {
        let new: Vec<u32> = words
            .iter()
            .copied()
            .filter(|w| story.words.binary_search(w).is_err())
            .collect();
        self.add_words(&new);
    }

    fn add_words(&mut self, words: &[u32]) {
        for w in words {
            *self.stories.entry(*w).or_default() += 1;
        }
    }

    /// How many stories were counted.
    pub fn stories(&self) -> u32 {
        self.counted
    }

    /// The weight of a word: ln((N + P) / (n + ½)) for a word in n of N stories, so a word
    /// every story has weighs little and one never seen before the most. P ([`PRIOR_STORIES`])
    /// stories without the word are assumed besides those counted: until many are counted, no
    /// word is taken for common because two of three stories have it.
    pub fn weight(&self, word: u32) -> f64 {
        let n = self.stories.get(&word).copied().unwrap_or(0);
        let all = f64::from(self.counted) + PRIOR_STORIES;
        // ln(N + P) − ln(n + ½), the logarithms of small counts looked up: a story's words are
        // weighed thousands of times while entries are grouped.
        (ln_count(all) - ln_count(f64::from(n) + 0.5)).max(0.0)
    }
}

/// ln(x) for a count `x` (a whole number, or one and a half): looked up below 4,096.
fn ln_count(x: f64) -> f64 {
    const KNOWN: usize = 4096;
    static LN: OnceLock<Vec<f64>> = OnceLock::new();
    let twice = (x * 2.0) as usize;
    if twice < 2 * KNOWN && twice as f64 == x * 2.0 {
        LN.get_or_init(|| (0..2 * KNOWN).map(|k| (k as f64 / 2.0).ln()).collect())[twice]
    } else {
        x.ln()
    }
}

/// What a story's entries say, together: the union of their fingerprints, and when its first
/// and last entries were published (hours, on any fixed clock).
#[derive(Clone, Debug, Default)]
pub struct Story {
    pub(super) words: Vec<u32>,
    /// The words of its headlines ([`Fingerprint::title_words`]) and the names they write
    /// ([`Fingerprint::head_names`]).
    title_words: Vec<u32>,
    head_names: Vec<u32>,
    title_names: Vec<u32>,
    mentions: Vec<u32>,
    pub(super) numbers: Vec<u32>,
    pub(super) days: u8,
    /// The acts its headlines report ([`lexicon::acts`]).
    acts: u8,
    /// Each entry, to compare each with a newcomer ([`Scorer::join`]).
    pub(super) members: Vec<Member>,
    /// The feeds of its entries, sorted, distinct.
    sources: Vec<i64>,
    first: Option<i64>,
    last: i64,
    /// The first and last hour of its burst ([`Story::find_burst`]), found when first needed
    /// after entries were added.
    burst: std::cell::OnceCell<(i64, i64)>,
}

/// An entry of a story: its fingerprint, the hour it was published and the feed it came from
/// (any number that is the same for every entry of one feed).
#[derive(Clone, Debug)]
pub(super) struct Member {
    pub(super) fp: Fingerprint,
    pub(super) hours: i64,
    source: i64,
}

fn union(into: &mut Vec<u32>, more: &[u32]) {
    into.extend_from_slice(more);
    into.sort_unstable();
    into.dedup();
}

impl Story {
    /// Adds an entry published at `hours` by feed `source`.
    pub fn add(&mut self, fp: &Fingerprint, hours: i64, source: i64) {
        let mut alone = Story::alone(fp, hours, source);
        self.say_also(&alone);
        self.members.append(&mut alone.members);
    }

    /// The story of one entry, published at `hours` by feed `source`.
    fn alone(fp: &Fingerprint, hours: i64, source: i64) -> Story {
        Story {
            words: fp.words.clone(),
            title_words: fp.title_words.clone(),
            head_names: fp.head_names.clone(),
            title_names: fp.title_names.clone(),
            mentions: fp.mentions.clone(),
            numbers: fp.numbers.clone(),
            days: fp.days,
            acts: fp.acts,
            members: vec![Member {
                fp: fp.clone(),
                hours,
                source,
            }],
            sources: vec![source],
            first: Some(hours),
            last: hours,
            burst: std::cell::OnceCell::new(),
        }
    }

    /// Every word its entries use, sorted, distinct.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// Adds every entry of `other`.
    pub fn absorb(&mut self, other: &Story) {
        self.say_also(other);
        self.members.extend_from_slice(&other.members);
    }

    /// Adds what `other` says and when to what it says and when (not its members).
    fn say_also(&mut self, other: &Story) {
        union(&mut self.words, &other.words);
        union(&mut self.title_words, &other.title_words);
        union(&mut self.head_names, &other.head_names);
        union(&mut self.title_names, &other.title_names);
        union(&mut self.mentions, &other.mentions);
        union(&mut self.numbers, &other.numbers);
        self.sources.extend_from_slice(&other.sources);
        self.sources.sort_unstable();
        self.sources.dedup();
        self.days |= other.days;
        self.acts |= other.acts;
        if let Some(f) = other.first {
            self.last = match self.first {
                Some(_) => self.last.max(other.last),
                None => other.last,
            };
            self.first = Some(self.first.map_or(f, |s| s.min(f)));
        }
        self.burst.take();
    }

    /// Hours from its first entry to its last, with one more at `hours`.
    pub(super) fn span_with(&self, hours: i64) -> i64 {
        match self.first {
            Some(f) => self.last.max(hours) - f.min(hours),
            None => 0,
        }
    }

    /// Hours from `hours` to its burst: 0 within it (or when it has no entries), else to its
    /// first or last hour.
    fn gap_to(&self, hours: i64) -> i64 {
        if self.members.is_empty() {
            return 0;
        }
        let (from, to) = self.burst();
        (from - hours).max(hours - to).max(0)
    }

    /// The first and last hour of its burst: the most entries that lie together without
    /// [`GAP_HOURS`] of silence between any two (the earliest such run if several hold as many).
    /// An entry that joined late ([`LATE_HOURS`]) does not move it, so one late report does not
    /// draw the next day's news in after it.
    fn find_burst(&self) -> (i64, i64) {
        let mut hours: Vec<i64> = self.members.iter().map(|m| m.hours).collect();
        hours.sort_unstable();
        let Some(&first) = hours.first() else {
            return (0, 0);
        };
        let (mut best, mut best_n) = ((first, first), 0);
        let (mut start, mut n) = (first, 0);
        for (i, &h) in hours.iter().enumerate() {
            if i > 0 && h - hours[i - 1] > GAP_HOURS {
                (start, n) = (h, 0);
            }
            n += 1;
            if n > best_n {
                (best, best_n) = ((start, h), n);
            }
        }
        best
    }

    /// The first and last hour of its burst.
    fn burst(&self) -> (i64, i64) {
        *self.burst.get_or_init(|| self.find_burst())
    }

    /// Hours between its burst and `other`'s (0 when they overlap).
    fn burst_gap(&self, other: &Story) -> i64 {
        let ((a0, a1), (b0, b1)) = (self.burst(), other.burst());
        (b0 - a1).max(a0 - b1).max(0)
    }

    /// Whether a feed's entry is in it.
    fn has_source(&self, source: i64) -> bool {
        self.sources.binary_search(&source).is_ok()
    }

    /// Whether one of its headlines in `script` says someone acts whom `mentions` (sorted), of
    /// entries in that script, never mentions (a copy in another language names people in its
    /// own letters).
    fn acts_unmentioned_in(&self, mentions: &[u32], script: Script) -> bool {
        self.members
            .iter()
            .any(|m| m.fp.script == script && acts_unmentioned(&m.fp, mentions))
    }

    /// Whether one of its entries' headlines is written in `script`.
    fn has_script(&self, script: Script) -> bool {
        self.members.iter().any(|m| m.fp.script == script)
    }

    /// Whether one of its headlines says someone acts whom `other`'s entries in its script
    /// never mention.
    fn acts_unmentioned_by(&self, other: &Story) -> bool {
        self.members
            .iter()
            .any(|m| other.has_script(m.fp.script) && acts_unmentioned(&m.fp, &other.mentions))
    }

    /// Whether this story and `other` may be one: together they span at most [`SPAN_HOURS`],
    /// their headlines do not report different acts (an entry told like both, "Russian
    /// defence minister vows to strengthen ties", does not make Kim's meeting and his weapons
    /// show one story) nor someone's acts whom the other never mentions, and their bursts lie
    /// within [`GAP_HOURS`] of each other, or, further apart, one is a late report of the other
    /// ([`late_veto`]: no outlet in both, no one named whom the other never mentions, the same
    /// acts): a late report that joined the one does not make the next day's news of a saga,
    /// which the other holds, one story with it.
    pub fn fits_with(&self, other: &Story) -> bool {
        let span = match (self.first, other.first) {
            (Some(a), Some(b)) => self.last.max(other.last) - a.min(b),
            _ => 0,
        };
        if span > SPAN_HOURS || different_acts(self.acts, other.acts) {
            return false;
        }
        if self.members.is_empty() || other.members.is_empty() {
            return true;
        }
        if self.acts_unmentioned_by(other) || other.acts_unmentioned_by(self) {
            return false;
        }
        let gap = self.burst_gap(other);
        gap <= GAP_HOURS
            || (gap <= LATE_HOURS
                && !other.sources.iter().any(|s| self.has_source(*s))
                && brings_news(
                    (&self.title_names, &self.mentions, self.acts),
                    (&other.title_names, &other.mentions, other.acts),
                )
                .is_none())
    }

    /// Whether this story is now told in the words of `grown`, a story that an entry just
    /// joined: it fits with it, and one of its entries would join it as a new entry would. The
    /// entry that grew `grown` need not be told like any of this story's entries (no bridge),
    /// only the stories together: an outlet's rewording of the event ("US warns N Korea against
    /// selling weapons to Russia") that came before the copies it shares its words with stays
    /// apart otherwise, as whether it joins would depend on the order entries arrive in.
    pub fn drawn_into(&self, grown: &Story, weights: &WordFrequencies) -> bool {
        self.fits_with(grown)
            && self.members.iter().any(|m| {
                Scorer::new(&m.fp, m.hours, m.source, weights)
                    .joins_story(grown)
                    .is_some()
            })
    }
}

/// Why a new entry does or does not join a story (see [`explain`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The weighted share of the entry's words that the story uses.
    pub shared: f64,
    /// The same, of its title's words.
    pub title_shared: f64,
    /// The words both use, rarest first (hashes; [`stems`](super::stems) names them).
    pub common: Vec<u32>,
    /// What keeps them apart whatever the words, if anything.
    pub veto: Option<&'static str>,
    /// The score the closest of the story's entries would join a story of this entry alone
    /// with, if one would (joining either way round, see [`Scorer::join`]).
    pub reverse: Option<f64>,
    /// The acts the entry's headline reports, and those of the story's headlines
    /// ([`act_names`] names them).
    pub acts: (u8, u8),
    /// Whether it may join across languages ([`across::joins`]), if it is the only story it
    /// so fits.
    pub across: bool,
    /// The names in the entry's headline the story never mentions, and those in the story's
    /// headlines the entry never mentions (hashes; [`stems`](super::stems) names them): who keeps them apart
    /// when a veto says the headlines name different people.
    pub unmentioned: (Vec<u32>, Vec<u32>),
}

impl Comparison {
    /// The score it joins with, if it joins.
    pub fn joins(&self) -> Option<f64> {
        let forward = if self.veto.is_some() {
            None
        } else {
            joins(self.shared, self.title_shared)
        };
        forward.or(self.reverse)
    }
}

/// A new entry's words with their weights, computed once for all the stories it is compared
/// with.
pub struct Scorer<'a> {
    fp: &'a Fingerprint,
    /// When the entry was published.
    hours: i64,
    /// The feed it came from.
    source: i64,
    /// A story of the entry alone, for the other way round (made when first needed: most
    /// scorers only score one way).
    alone: std::cell::OnceCell<Story>,
    weights: &'a WordFrequencies,
    word_weights: Vec<f64>,
    title_weights: Vec<f64>,
}

impl<'a> Scorer<'a> {
    /// The scorer of entry `fp`, published at `hours` by feed `source`.
    pub fn new(
        fp: &'a Fingerprint,
        hours: i64,
        source: i64,
        weights: &'a WordFrequencies,
    ) -> Scorer<'a> {
        let weigh = |words: &[u32]| words.iter().map(|w| weights.weight(*w)).collect();
        Scorer {
            fp,
            hours,
            source,
            alone: std::cell::OnceCell::new(),
            weights,
            word_weights: weigh(&fp.words),
            title_weights: weigh(&fp.title_words),
        }
    }

    /// A story of the entry alone.
    fn alone(&self) -> &Story {
        self.alone
            .get_or_init(|| Story::alone(self.fp, self.hours, self.source))
    }

    /// The weighted shares of the entry's words and of its title's words that `story` uses.
    fn shares(&self, story: &Story) -> (f64, f64) {
        let share = |words: &[u32], weights: &[f64]| {
            let (mut known, mut all) = (0.0, 0.0);
            for (w, x) in words.iter().zip(weights) {
                all += x;
                if story.words.binary_search(w).is_ok() {
                    known += x;
                }
            }
            if all > 0.0 { known / all } else { 0.0 }
        };
        (
            share(&self.fp.words, &self.word_weights),
            share(&self.fp.title_words, &self.title_weights),
        )
    }

    /// The score the entry (published at `hours`) joins `story` with, if it joins it: told in
    /// the story's words ([`Scorer::joins_story`]), or one of the story's entries told in the
    /// entry's words, as that entry would have joined a story of this one alone had this one
    /// come first. Either way round, so that which of two entries arrives first does not decide
    /// whether they are one story.
    pub fn join(&self, story: &Story) -> Option<f64> {
        self.joins_story(story).or_else(|| self.reverse(story))
    }

    /// The score the closest of `story`'s entries joins a story of this entry alone with, if
    /// one does, and the entry reports no act other than the story's: an entry that reports
    /// none is told like the meeting and the weapons show alike, and must not let one into the
    /// other's story. Lying further than [`ALIKE_GAP_HOURS`] from the story's burst, it must
    /// also be a late report of it ([`late_veto`]): one of the story's own late reports does not
    /// bring it in.
    fn reverse(&self, story: &Story) -> Option<f64> {
        if self.fp.words.is_empty()
            || story.span_with(self.hours) > SPAN_HOURS
            || different_acts(self.fp.acts, story.acts)
            || (story.gap_to(self.hours) > ALIKE_GAP_HOURS
                && late_veto(self.fp, self.hours, self.source, story).is_some())
        {
            return None;
        }
        story
            .members
            .iter()
            .filter_map(|m| {
                Scorer::new(&m.fp, m.hours, m.source, self.weights).joins_story(self.alone())
            })
            .max_by(f64::total_cmp)
    }

    /// Whether it lies beyond `story`'s burst, so that joining it makes a late report
    /// ([`LATE_HOURS`]): stories it joins within their bursts come first.
    pub fn is_late(&self, story: &Story) -> bool {
        story.gap_to(self.hours) > GAP_HOURS
    }

    /// The score the entry joins `story` with when compared with the story's words, if it
    /// does.
    fn joins_story(&self, story: &Story) -> Option<f64> {
        if self.fp.words.is_empty() {
            return None;
        }
        let (all, title) = self.shares(story);
        if veto(self.fp, self.hours, self.source, story, all, title).is_some() {
            return None;
        }
        joins(all, title)
    }
}

/// The veto of entries whose headlines each name someone the other never mentions
/// ([`Comparison::unmentioned`] says whom).
pub const DIFFERENT_PEOPLE: &str = "headlines name different people or places";

/// The veto of entries one of whose headlines says someone acts whom the other never mentions
/// (not in a meeting, where host and guest may each lead the headline).
pub const DIFFERENT_SUBJECTS: &str = "a headline says someone acts whom the other never mentions";

/// The veto of a late report whose headline names someone the story never mentions, or the
/// other way round ([`Comparison::unmentioned`] says whom).
pub const LATE_NEW_NAMES: &str =
    "half a day from the story's burst, and a headline names someone the other never mentions";

/// The veto of an entry whose headline tells other news than the story's headlines, though the
/// texts tell the same (a newsletter, a roundup, an analysis whose lede recalls the event): its
/// headline uses no word of the story, or the story's headlines say nothing of it but names.
pub const HEADLINES_APART: &str = "the headlines tell other news (this one's uses no word of the story, or the story's say nothing of it but names)";

/// The veto of entries whose headlines report different acts ([`Comparison::acts`] says which).
pub const DIFFERENT_ACTS: &str = "headlines report different acts";

/// What each act of `acts` (a headline's or a story's, [`Comparison::acts`]) is, in words:
/// "meeting someone", "showing or touring something", ...
pub fn act_names(acts: u8) -> Vec<&'static str> {
    lexicon::names(acts)
}

/// Whether two sets of acts ([`lexicon::acts`]) report different ones: both report some, and
/// none in common.
fn different_acts(a: u8, b: u8) -> bool {
    a != 0 && b != 0 && a & b == 0
}

fn joins(shared: f64, title_shared: f64) -> Option<f64> {
    if shared >= MIN_SHARED {
        Some(shared)
    } else if title_shared >= MIN_TITLE_SHARED {
        Some(title_shared)
    } else {
        None
    }
}

/// How a new entry (published at `hours`) compares with `story`: the weighted shares of its
/// words and its title's words the story uses, the words in common, and any veto (see the
/// module's rules).
pub fn explain(
    fp: &Fingerprint,
    hours: i64,
    source: i64,
    story: &Story,
    weights: &WordFrequencies,
) -> Comparison {
    let scorer = Scorer::new(fp, hours, source, weights);
    let (shared, title_shared) = scorer.shares(story);
    let mut common: Vec<u32> = fp
        .words
        .iter()
        .copied()
        .filter(|w| story.words.binary_search(w).is_ok())
        .collect();
    common.sort_by(|a, b| weights.weight(*b).total_cmp(&weights.weight(*a)));
    let reverse = match scorer.joins_story(story) {
        Some(_) => None,
        None => scorer.reverse(story),
    };
    Comparison {
        shared,
        title_shared,
        common,
        veto: veto(fp, hours, source, story, shared, title_shared),
        reverse,
        acts: (fp.acts, story.acts),
        across: across::joins(fp, hours, story),
        unmentioned: (
            missing(&fp.title_names, &story.mentions),
            missing(&story.title_names, &fp.mentions),
        ),
    }
}

/// Whether the one an entry's headline says acts ([`Fingerprint::subject`]) is missing from
/// `mentions` (sorted): neither the first nor the last word of the name is there ("Vladimir
/// Putin" is mentioned by "Putin", "Kim Jong Un" by "Kim"); not in a meeting, where host and
/// guest may each lead the headline.
fn acts_unmentioned(fp: &Fingerprint, mentions: &[u32]) -> bool {
    let said = |w: Option<&u32>| w.is_some_and(|w| mentions.binary_search(w).is_ok());
    !fp.subject.is_empty()
        && fp.acts & lexicon::MEETING == 0
        && !said(fp.subject.first())
        && !said(fp.subject.last())
}

/// Those of `names` missing from `mentions` (sorted).
fn missing(names: &[u32], mentions: &[u32]) -> Vec<u32> {
    names
        .iter()
        .copied()
        .filter(|n| mentions.binary_search(n).is_err())
        .collect()
}

/// Whether any of `names` is missing from `mentions` (both sorted).
fn unknown(names: &[u32], mentions: &[u32]) -> bool {
    names.iter().any(|n| mentions.binary_search(n).is_err())
}

/// What keeps an entry (published at `hours` by feed `source`) lying beyond `story`'s burst
/// from joining it as a late report ([`LATE_HOURS`]), if anything.
pub(super) fn late_veto(
    fp: &Fingerprint,
    hours: i64,
    source: i64,
    story: &Story,
) -> Option<&'static str> {
    if story.gap_to(hours) > LATE_HOURS {
        Some("more than a day from the story's burst of entries")
    } else if story.has_source(source) {
        Some("half a day from the story's burst, from an outlet already in it: a later development")
    } else {
        brings_news(
            (&fp.title_names, &fp.mentions, fp.acts),
            (&story.title_names, &story.mentions, story.acts),
        )
    }
}

/// Whether one of two reports (each its headlines' names, what it mentions and its acts) says
/// something the other does not, so that the later cannot be a late report of the earlier: a
/// headline names someone the other never mentions, or they report other acts.
fn brings_news(a: (&[u32], &[u32], u8), b: (&[u32], &[u32], u8)) -> Option<&'static str> {
    if unknown(a.0, b.1) || unknown(b.0, a.1) {
        Some(LATE_NEW_NAMES)
    } else if a.2 != b.2 {
        Some("half a day from the story's burst, and the headlines report other acts")
    } else {
        None
    }
}

/// What keeps an entry (published at `hours` by feed `source`) out of a story whatever their
/// words.
fn veto(
    fp: &Fingerprint,
    hours: i64,
    source: i64,
    story: &Story,
    shared: f64,
    title_shared: f64,
) -> Option<&'static str> {
    if story.span_with(hours) > SPAN_HOURS {
        return Some("more than a day apart");
    }
    // Told nearly alike (both shares), it may lie a little further off: an outlet half a world
    // away reports the same event in its own morning. Further still, it is a late report.
    let alike = shared >= MIN_SHARED && title_shared >= MIN_TITLE_SHARED;
    let gap = if alike { ALIKE_GAP_HOURS } else { GAP_HOURS };
    if story.gap_to(hours) > gap
        && let Some(why) = late_veto(fp, hours, source, story)
    {
        return Some(why);
    }
    let event_words = fp
        .words
        .iter()
        .filter(|w| fp.names.binary_search(w).is_err() && story.words.binary_search(w).is_ok())
        .count();
    if event_words < MIN_EVENT_WORDS {
        return Some("only names in common");
    }
    // "Kim meets Shoigu" and "Kim shows Shoigu his missiles": two events of one visit.
    if different_acts(fp.acts, story.acts) {
        return Some(DIFFERENT_ACTS);
    }
    // "On Wednesday" and "on Friday" are two events, however alike the words.
    if fp.days != 0 && story.days != 0 && fp.days & story.days == 0 {
        return Some("different weekdays");
    }
    // So are "1,500 troops" and "10,000 more troops".
    if !fp.numbers.is_empty()
        && !story.numbers.is_empty()
        && common(&fp.numbers, &story.numbers) == 0
    {
        return Some("different numbers");
    }
    // "Putin meets Kim" and "Putin meets Xi": each headline names someone the other side
    // never mentions.
    if unknown(&fp.title_names, &story.mentions) && unknown(&story.title_names, &fp.mentions) {
        return Some(DIFFERENT_PEOPLE);
    }
    // "Putin welcomes Xi to Kremlin" and "Blinken slams Xi for ...": who acts in one headline,
    // the other never mentions: someone else's act, or a reaction to the news.
    if story.has_script(fp.script)
        && (acts_unmentioned(fp, &story.mentions)
            || story.acts_unmentioned_in(&fp.mentions, fp.script))
    {
        return Some(DIFFERENT_SUBJECTS);
    }
    // "FirstFT: Country Garden reveals $7bn loss ..." is not the story of "US warns of
    // 'advancing' arms talks between Russia and North Korea", though its lede's second item is:
    // the entry's headline must use a word of the story's, and one of the story's headlines must
    // say something the entry's text says besides a name both write (written so in the story's
    // headlines, and anywhere in the entry: "Defense Minister" before a name in a lede is a
    // title, which a headline writes in lower case).
    let named =
        |w: &u32| story.head_names.binary_search(w).is_ok() && fp.names.binary_search(w).is_ok();
    let told_by_headline = fp
        .title_words
        .iter()
        .any(|w| story.words.binary_search(w).is_ok());
    if !story.members.is_empty()
        && (!told_by_headline
            || !story
                .title_words
                .iter()
                .any(|w| !named(w) && fp.words.binary_search(w).is_ok()))
    {
        return Some(HEADLINES_APART);
    }
    None
}

/// How closely a new entry (published at `hours`) is told in the words of `story`, if it joins
/// it (see [`explain`]).
pub fn join_score(
    fp: &Fingerprint,
    hours: i64,
    source: i64,
    story: &Story,
    weights: &WordFrequencies,
) -> Option<f64> {
    Scorer::new(fp, hours, source, weights).join(story)
}
