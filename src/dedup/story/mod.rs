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
//! ("meets" / "shows off" / "celebrates"; [`main_clause`]: "amid celebrations" is the setting,
//! not the news), two different weekdays, numbers with
//! none in common, or headlines that each name someone the other never mentions ("Putin meets
//! Kim" / "Putin meets Xi"; the source a headline ends on, "..., says US", is not who it is
//! about, and a label it opens with, "North Korea: ...", still counts as mentioned). An entry
//! in another script joins by the names of the configured aliases instead, when only one story
//! fits ([`across`]). Precision comes first: a story shown twice is a nuisance, two stories
//! merged into one hide news. The thresholds were chosen on real labelled news
//! (`../shared/news-dev`, January–August 2023; `cargo run --release --example stories_eval`)
//! and the wire-copy fixtures (`tests/fixtures/stories.tsv`).

pub mod across;
mod lexicon;
mod spelling;
mod words;

pub use across::{NameSets, Script};
pub use words::STOP_WORDS;
use words::{WEEKDAYS, weekday};

use crate::text;
use std::collections::HashMap;

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
/// ([`late_veto`]). On the labelled real news, copies of one event lie up to 25 hours from their
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

/// What [`join_score`] compares of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hashes of the stems of the distinctive words, sorted, distinct.
    pub words: Vec<u32>,
    /// The same, of the title alone.
    pub title_words: Vec<u32>,
    /// Hashes of the stems of the names (see [`Fingerprint::title_names`]; of the lede too),
    /// sorted, distinct: the people and places a story is about, which say little of which of
    /// their events it is ([`MIN_EVENT_WORDS`]).
    pub names: Vec<u32>,
    /// Hashes of the stems of the names in the title, demonyms folded (`korean` → `korea`,
    /// `Defense Ministers` → `defens`, `minist`), sorted, distinct.
    pub title_names: Vec<u32>,
    /// Hashes of every word of title and lede, as written, demonyms folded, and as stems (so a
    /// name spelled the British way or in the plural is one already mentioned), sorted,
    /// distinct: what the entry mentions at all.
    pub mentions: Vec<u32>,
    /// Weekdays named (bit 0 = Monday).
    pub days: u8,
    /// Hashes of the numbers, sorted, distinct.
    pub numbers: Vec<u32>,
    /// The script most of the headline is written in.
    pub script: Script,
    /// The alias sets that give help across languages ([`NameSets`]) the title and lede name
    /// (hashes of the sets' names), sorted.
    pub sets: Vec<u32>,
    /// The acts the headline's main clause reports ([`lexicon::acts`], [`main_clause`]).
    pub acts: u8,
}

impl Fingerprint {
    /// Compact bytes for the store: a byte of format and days, the lengths of the lists, then
    /// the hashes (little-endian); then, when the headline's script is known, the entry names
    /// alias sets or its acts are not those of all its title's words, a byte of script, the
    /// number of sets, their hashes and a byte of acts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![FORMAT_2 | self.days];
        let lists = self.lists();
        for list in lists {
            out.extend_from_slice(&(list.len().min(u16::MAX as usize) as u16).to_le_bytes());
        }
        for list in lists {
            for h in list.iter().take(u16::MAX as usize) {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        if self.script != Script::Unknown
            || !self.sets.is_empty()
            || self.acts != lexicon::acts(&self.title_words)
        {
            out.push(self.script as u8);
            let n = self.sets.len().min(u16::MAX as usize);
            out.extend_from_slice(&(n as u16).to_le_bytes());
            for h in &self.sets[..n] {
                out.extend_from_slice(&h.to_le_bytes());
            }
            out.push(self.acts);
        }
        out
    }

    fn lists(&self) -> [&Vec<u32>; 6] {
        [
            &self.words,
            &self.names,
            &self.numbers,
            &self.title_names,
            &self.mentions,
            &self.title_words,
        ]
    }

    /// The fingerprint [`Fingerprint::to_bytes`] wrote; `None` for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Fingerprint> {
        let mut fp = Fingerprint::default();
        fp.read(b).then_some(fp)
    }

    /// Makes this the fingerprint [`Fingerprint::to_bytes`] wrote, reusing its lists' memory
    /// (comparing a new entry with hundreds of stored ones allocates nothing); false, leaving
    /// it empty, for anything else. Fingerprints stored before words were stemmed (five lists,
    /// no title words) or before scripts and alias sets were kept are read too: they compare
    /// less well, and age out of the span.
    pub fn read(&mut self, b: &[u8]) -> bool {
        self.clear();
        let Some(&head) = b.first() else {
            return false;
        };
        let n_lists = if head & FORMAT_2 != 0 { 6 } else { 5 };
        let mut lens = [0usize; 6];
        for (i, len) in lens.iter_mut().enumerate().take(n_lists) {
            let Some(bytes) = b.get(1 + 2 * i..3 + 2 * i) else {
                return false;
            };
            *len = u16::from_le_bytes([bytes[0], bytes[1]]) as usize;
        }
        let Some(mut rest) = b.get(1 + 2 * n_lists..) else {
            return false;
        };
        let listed = 4 * lens.iter().sum::<usize>();
        if rest.len() < listed {
            return false;
        }
        let (lists, extra) = rest.split_at(listed);
        rest = lists;
        self.days = head & !FORMAT_2;
        for (list, n) in self.lists_mut().into_iter().zip(lens) {
            let (head, tail) = rest.split_at(4 * n);
            rest = tail;
            list.extend(head.chunks_exact(4).map(le_u32));
        }
        // Fingerprints stored before acts were kept read them from all the title's words.
        self.acts = lexicon::acts(&self.title_words);
        if !extra.is_empty() && !self.read_sets(extra) {
            self.clear();
            return false;
        }
        true
    }

    /// Reads the script, alias sets and acts [`Fingerprint::to_bytes`] appends (fingerprints
    /// stored before acts were kept end after the sets).
    fn read_sets(&mut self, b: &[u8]) -> bool {
        let (Some(&script), Some(n)) = (b.first(), b.get(1..3)) else {
            return false;
        };
        let n = u16::from_le_bytes([n[0], n[1]]) as usize;
        let sets = 3 + 4 * n;
        match b.len().checked_sub(sets) {
            Some(0) => {}
            Some(1) => self.acts = b[sets],
            _ => return false,
        }
        self.script = Script::from_byte(script);
        self.sets.extend(b[3..sets].chunks_exact(4).map(le_u32));
        true
    }

    /// The lists in the order [`Fingerprint::to_bytes`] writes them.
    fn lists_mut(&mut self) -> [&mut Vec<u32>; 6] {
        [
            &mut self.words,
            &mut self.names,
            &mut self.numbers,
            &mut self.title_names,
            &mut self.mentions,
            &mut self.title_words,
        ]
    }

    fn clear(&mut self) {
        self.days = 0;
        self.acts = 0;
        self.script = Script::Unknown;
        self.sets.clear();
        for list in self.lists_mut() {
            list.clear();
        }
    }
}

fn le_u32(c: &[u8]) -> u32 {
    u32::from_le_bytes(c.try_into().expect("4 bytes"))
}

/// Set in the first byte of a fingerprint with stemmed words and title words (days use the
/// low seven bits).
const FORMAT_2: u8 = 0x80;

/// FNV-1a: short, stable across builds and platforms (fingerprints may be stored).
fn hash(word: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in word.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The English stem of a (normalised) word, British spellings first written the American way
/// and synonyms folded ([`lexicon`]): `sending` → `send`, `tanks` → `tank`, `defence` →
/// `defens`, `negotiations` → `talk`, `weapons` → `arm`. Words in other scripts are left as they are.
fn stem(w: &str) -> std::borrow::Cow<'_, str> {
    thread_local! {
        static ENGLISH: rust_stemmers::Stemmer =
            rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    }
    if !w.is_ascii() {
        return std::borrow::Cow::Borrowed(w);
    }
    let w = spelling::american(w);
    let stem = ENGLISH.with(|s| s.stem(&w).into_owned());
    std::borrow::Cow::Owned(lexicon::canonical(&stem).to_string())
}

/// The place a demonym names, crudely: `korean` → `korea`, `russian` → `russia`.
fn demonym(w: &str) -> &str {
    if w.len() > 4 && (w.ends_with("ean") || w.ends_with("ian")) {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The fingerprint of an entry: its title and the lede of its text (plain text), with no alias
/// sets to name (see [`fingerprint_with`]).
pub fn fingerprint(title: &str, text_body: &str) -> Fingerprint {
    fingerprint_with(title, text_body, &NameSets::default())
}

/// The fingerprint of an entry, with the alias sets of `sets` its title and lede name.
pub fn fingerprint_with(title: &str, text_body: &str, sets: &NameSets) -> Fingerprint {
    let head = undotted(headline(title));
    let lede = undotted(lede(text_body));
    let mut f = Fingerprint {
        script: Script::of(&head),
        sets: sets.named(&[&head, &lede]),
        ..Fingerprint::default()
    };
    let (mut words, mut names, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
    let lede_names = part_names(&lede, false);
    // In a headline In Title Case every word has a capital: there, a capital names someone
    // only when the lede writes the word with one too.
    let title_case = is_title_case(&head);
    let named = |name: &String| !title_case || lede_names.iter().any(|(n, _)| n == name);
    // Who the headline is about, for the veto: not the source it ends on ("..., says US").
    let about = told(&head).len();
    for (name, at) in part_names(&head, true).iter().filter(|(n, _)| named(n)) {
        names.push(hash(&stem(name)));
        if *at < about {
            f.title_names.push(hash(&stem(demonym(name))));
        }
    }
    names.extend(lede_names.iter().map(|(n, _)| hash(&stem(n))));
    // A label the comparison leaves out ("North Korea: ...") is still mentioned.
    let whole = undotted(title);
    for (s, e) in text::word_spans(&whole) {
        let w = text::normalize(&whole[s..e]);
        f.mentions.push(hash(demonym(&w)));
        f.mentions.push(hash(&w));
    }
    // The headline's main clause, whose words report its acts: from where it starts up to its
    // first word of setting.
    let main = main_clause(&head);
    let mut in_main = true;
    let mut main_words = Vec::new();
    for (k, part) in [&head, &lede].into_iter().enumerate() {
        for (s, e) in text::word_spans(part) {
            let w = text::normalize(&part[s..e]);
            let main_word = if k == 0 && main.contains(&s) && e <= main.end {
                in_main &= !SETTING.contains(&w.as_str());
                in_main
            } else {
                false
            };
            let place = demonym(&w);
            let stemmed = stem(&w);
            f.mentions.push(hash(&w));
            f.mentions.push(hash(place));
            f.mentions.push(hash(&stemmed));
            if place.len() != w.len() {
                f.mentions.push(hash(&stem(place)));
            }
            if let Some(d) = weekday(&w) {
                f.days |= 1 << d;
            } else if let Some(n) = number(&w) {
                numbers.push(hash(n));
            } else if is_compared(&part[s..e], &w) {
                let h = hash(&stemmed);
                words.push(h);
                if k == 0 {
                    f.title_words.push(h);
                }
                if main_word {
                    main_words.push(h);
                }
            }
        }
    }
    f.acts = lexicon::acts(&main_words);
    f.title_names = sorted(std::mem::take(&mut f.title_names));
    f.title_words = sorted(std::mem::take(&mut f.title_words));
    f.mentions = sorted(std::mem::take(&mut f.mentions));
    f.words = sorted(words);
    f.names = sorted(names);
    f.numbers = sorted(numbers);
    f
}

/// Words that open what a headline says of the time, the place or the setting of its news
/// rather than the news: "... hold meeting *in* Pyongyang amid celebrations", "... *as* US warns
/// on weapons", "... makes surprise visit to Ukraine *in* show of support". The act comes
/// before them in a headline's main clause.
const SETTING: &[&str] = &[
    "amid",
    "in",
    "as",
    "after",
    "before",
    "ahead",
    "during",
    "while",
    "following",
    "for",
    "despite",
    "since",
    "until",
];

/// Where a headline's main clause, whose acts are its news, lies (bytes): after a setting it
/// opens with, up to the first comma ("After summit, Kim tours factory"), and before a second
/// item after a semicolon, as live blogs list theirs ("...; Moldova orders Moscow diplomats to
/// leave"). It ends earlier still, at its first word of [`SETTING`] ("Kim receives Shoigu amid
/// anniversary celebrations").
fn main_clause(head: &str) -> std::ops::Range<usize> {
    let opens_with_setting = text::word_spans(head)
        .first()
        .is_some_and(|&(s, e)| SETTING.contains(&text::normalize(&head[s..e]).as_str()));
    let start = if opens_with_setting {
        head.find(',').map_or(head.len(), |c| c + 1)
    } else {
        0
    };
    let end = head[start..].find(';').map_or(head.len(), |c| start + c);
    start..end
}

/// The names of a headline or a lede (normalised), each with the byte offset it starts at:
/// words written with a capital that do not open the part or a sentence (an initial, as in
/// "N. Korea", does not end one), and weekdays aside. A headline's first word is most often who
/// acts ("Japan summons ..."): it is a name for the veto too, though its capital proves nothing.
fn part_names(part: &str, headline: bool) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut prev = (0, 0);
    for (s, e) in text::word_spans(part) {
        let gap = &part[prev.1..s];
        let initial = part[prev.0..prev.1].chars().count() == 1;
        if gap.contains(['.', '!', '?', ':']) && !initial {
            sentence_start = true;
        }
        let word = &part[s..e];
        let capital = word.chars().next().is_some_and(char::is_uppercase);
        let lower = text::normalize(word);
        let weekday = WEEKDAYS.contains(&lower.as_str());
        let inside = !sentence_start && lower.chars().count() > 1;
        // A headline's first word: who acts, most often.
        let opens = headline
            && prev == (0, 0)
            && lower.chars().count() > 2
            && !STOP_WORDS.contains(&lower.as_str());
        if capital && !weekday && (inside || opens) {
            out.push((lower, s));
        }
        sentence_start = false;
        prev = (s, e);
    }
    out
}

/// The number a word writes: all digits (`1500`), or digits with a counter in another script
/// after them, as Korean and Japanese write them (`24년`, 24 years; `19일`, the 19th).
fn number(w: &str) -> Option<&str> {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &w[digits..];
    (digits > 0 && (rest.is_empty() || rest.chars().all(|c| !c.is_ascii() && c.is_alphabetic())))
        .then(|| &w[..digits])
}

/// Whether most of a headline's longer words (four letters or more, the first aside) start
/// with a capital: "U.S. Puts Sanctions on Man Accused of Working on Arms Deal".
fn is_title_case(head: &str) -> bool {
    let (mut long, mut capital) = (0, 0);
    for (s, e) in text::word_spans(head).into_iter().skip(1) {
        let w = &head[s..e];
        if w.chars().count() >= 4 && w.chars().any(char::is_alphabetic) {
            long += 1;
            capital += usize::from(w.chars().next().is_some_and(char::is_uppercase));
        }
    }
    long >= 2 && capital * 10 > long * 6
}

/// Whether a word (as written, and normalised) is one the fingerprint compares: three letters
/// or more and not a function word, or an acronym. (Weekdays and numbers are kept apart.)
fn is_compared(written: &str, normal: &str) -> bool {
    (normal.chars().count() > 2 && !STOP_WORDS.contains(&normal)) || is_acronym(written)
}

/// A two-letter word in capitals (`US`, `UN`, `EU`, `UK`): an actor, kept although short.
fn is_acronym(word: &str) -> bool {
    word.len() == 2 && word.bytes().all(|b| b.is_ascii_uppercase())
}

/// The text with dotted capitals written as one word: `U.S.` → `US`, `U.N.` → `UN`.
fn undotted(part: &str) -> std::borrow::Cow<'_, str> {
    let b = part.as_bytes();
    let dotted = |i: usize| {
        b.get(i).is_some_and(u8::is_ascii_uppercase)
            && b.get(i + 1) == Some(&b'.')
            && b.get(i + 2).is_some_and(u8::is_ascii_uppercase)
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
    };
    if !(0..b.len()).any(dotted) {
        return std::borrow::Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len());
    let mut i = 0;
    while i < b.len() {
        if dotted(i) {
            // Letters and their dots, up to the last letter's dot.
            while b.get(i).is_some_and(u8::is_ascii_uppercase) && b.get(i + 1) == Some(&b'.') {
                out.push(b[i] as char);
                i += 2;
            }
            continue;
        }
        let c = part[i..].chars().next().expect("at a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    std::borrow::Cow::Owned(out)
}

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

/// Stories assumed to have been counted before any (see [`WordFrequencies::weight`]).
pub const PRIOR_STORIES: f64 = 5.0;

/// In how many stories each word occurs: what makes a word rare. Stories, not entries, are
/// counted: ten outlets carrying one event must not make its words look common.
#[derive(Clone, Debug, Default)]
pub struct WordFrequencies {
    stories: HashMap<u32, u32>,
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
        (all / (f64::from(n) + 0.5)).ln().max(0.0)
    }
}

/// What a story's entries say, together: the union of their fingerprints, and when its first
/// and last entries were published (hours, on any fixed clock).
#[derive(Clone, Debug, Default)]
pub struct Story {
    words: Vec<u32>,
    title_names: Vec<u32>,
    mentions: Vec<u32>,
    numbers: Vec<u32>,
    days: u8,
    /// The acts its headlines report ([`lexicon::acts`]).
    acts: u8,
    /// Each entry, to compare each with a newcomer ([`Scorer::join`]).
    members: Vec<Member>,
    first: Option<i64>,
    last: i64,
    /// The first and last hour of its burst ([`Story::find_burst`]), found when first needed
    /// after entries were added.
    burst: std::cell::OnceCell<(i64, i64)>,
}

/// An entry of a story: its fingerprint, the hour it was published and the feed it came from
/// (any number that is the same for every entry of one feed).
#[derive(Clone, Debug)]
struct Member {
    fp: Fingerprint,
    hours: i64,
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
        union(&mut self.words, &fp.words);
        union(&mut self.title_names, &fp.title_names);
        union(&mut self.mentions, &fp.mentions);
        union(&mut self.numbers, &fp.numbers);
        self.days |= fp.days;
        self.acts |= fp.acts;
        self.members.push(Member {
            fp: fp.clone(),
            hours,
            source,
        });
        self.first = Some(self.first.map_or(hours, |f| f.min(hours)));
        self.last = self.last.max(hours);
        self.burst.take();
    }

    /// Every word its entries use, sorted, distinct.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// Adds every entry of `other`.
    pub fn absorb(&mut self, other: &Story) {
        union(&mut self.words, &other.words);
        union(&mut self.title_names, &other.title_names);
        union(&mut self.mentions, &other.mentions);
        union(&mut self.numbers, &other.numbers);
        self.days |= other.days;
        self.acts |= other.acts;
        self.members.extend_from_slice(&other.members);
        if let Some(f) = other.first {
            self.first = Some(self.first.map_or(f, |s| s.min(f)));
            self.last = self.last.max(other.last);
        }
        self.burst.take();
    }

    /// Hours from its first entry to its last, with one more at `hours`.
    fn span_with(&self, hours: i64) -> i64 {
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
        self.members.iter().any(|m| m.source == source)
    }

    /// Whether this story and `other` may be one: together they span at most [`SPAN_HOURS`],
    /// their headlines do not report different acts (an entry told like both, "Russian
    /// defence minister vows to strengthen ties", does not make Kim's meeting and his weapons
    /// show one story), and their bursts lie within [`GAP_HOURS`] of each other, or, further
    /// apart, one is a late report of the other ([`late_veto`]: no outlet in both, no one named
    /// whom the other never mentions, the same acts): a late report that joined the one does not
    /// make the next day's news of a saga, which the other holds, one story with it.
    pub fn fits_with(&self, other: &Story) -> bool {
        let span = match (self.first, other.first) {
            (Some(a), Some(b)) => self.last.max(other.last) - a.min(b),
            _ => 0,
        };
        if span > SPAN_HOURS || different_acts(self.acts, other.acts) {
            return false;
        }
        let gap = self.burst_gap(other);
        self.members.is_empty()
            || other.members.is_empty()
            || gap <= GAP_HOURS
            || (gap <= LATE_HOURS
                && !other.members.iter().any(|m| self.has_source(m.source))
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
    /// The words both use, rarest first (hashes; [`stems`] names them).
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
    /// headlines the entry never mentions (hashes; [`stems`] names them): who keeps them apart
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
    /// A story of the entry alone, for the other way round.
    alone: Story,
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
        let mut alone = Story::default();
        alone.add(fp, hours, source);
        Scorer {
            fp,
            hours,
            source,
            alone,
            weights,
            word_weights: weigh(&fp.words),
            title_weights: weigh(&fp.title_words),
        }
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
                Scorer::new(&m.fp, m.hours, m.source, self.weights).joins_story(&self.alone)
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

/// The veto of a late report whose headline names someone the story never mentions, or the
/// other way round ([`Comparison::unmentioned`] says whom).
pub const LATE_NEW_NAMES: &str =
    "half a day from the story's burst, and a headline names someone the other never mentions";

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
fn late_veto(fp: &Fingerprint, hours: i64, source: i64, story: &Story) -> Option<&'static str> {
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

/// An entry's fingerprinted words by the hashes of their stems, as the entry writes them (the
/// first form it uses), to name them: the fingerprint keeps only hashes.
pub fn stems(title: &str, text_body: &str) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    for part in [undotted(headline(title)), undotted(lede(text_body))] {
        for (s, e) in text::word_spans(&part) {
            let w = text::normalize(&part[s..e]);
            if is_compared(&part[s..e], &w) {
                // A name as the comparison keeps it: `Korean` → `korea`.
                out.entry(hash(&stem(demonym(&w))))
                    .or_insert_with(|| w.clone());
                out.entry(hash(&stem(&w))).or_insert(w);
            }
        }
    }
    out
}

/// Words before a colon that label a headline rather than tell it, at most.
const LABEL_WORDS: usize = 5;

/// A headline without the label a series or a live page puts before it ("Ukraine live
/// briefing: Russia and North Korea 'actively advancing' arms talks", "FirstFT: ...",
/// "Russia-Ukraine war live: ..."): the label's words are the same every day and say nothing of
/// the event. A colon later in the headline ("... into East Sea: JCS") is left alone.
fn headline(title: &str) -> &str {
    let Some((label, rest)) = title.split_once(':') else {
        return title;
    };
    let (label_words, rest_words) = (text::words(label).len(), text::words(rest).len());
    if label_words <= LABEL_WORDS && rest_words > label_words && rest_words >= 4 {
        rest
    } else {
        title
    }
}

/// Verbs that attribute a headline to its source when they end it ("..., says US", "..., U.S.
/// warns", "... - National Security Council says").
const SOURCE_VERBS: &[&str] = &[
    "says", "said", "say", "warns", "warned", "claims", "claimed", "tells", "reports", "confirms",
];
/// Words a trailing source may hold, at most.
const SOURCE_WORDS: usize = 5;

/// A headline without the source it ends on: a last clause after a comma, a dash or a colon of
/// at most [`SOURCE_WORDS`] words that attributes the rest ("Russia seeking weapons from North
/// Korea, says US"; "... food for North Korean weapons - US"; "... into East Sea: JCS"). The
/// source is who speaks, not who the news is about.
fn told(head: &str) -> &str {
    let Some(cut) = head.rfind([',', ':', '-', '–', '—']) else {
        return head;
    };
    let tail = text::words(&head[cut..]);
    let before = text::words(&head[..cut]).len();
    let attributes = tail.iter().any(|w| SOURCE_VERBS.contains(&w.as_str()))
        // A dash or a colon before one or two words: "- US", ": JCS".
        || (tail.len() <= 2 && !head[cut..].starts_with(','));
    let is_dash = head[cut..].starts_with(['-', '–', '—']);
    // A hyphen inside a word ("North Korea-Russia") cuts nothing.
    let spaced = !is_dash || head[cut..].chars().nth(1).is_some_and(char::is_whitespace);
    if !tail.is_empty() && tail.len() <= SOURCE_WORDS && before >= 3 && attributes && spaced {
        &head[..cut]
    } else {
        head
    }
}

/// The first [`LEDE_WORDS`] words of a text.
fn lede(text_body: &str) -> &str {
    let mut lede_end = text_body.len();
    let mut n = 0;
    text::for_each_word(text_body, |start, _| {
        if n == LEDE_WORDS {
            lede_end = start;
            return false;
        }
        n += 1;
        true
    });
    &text_body[..lede_end]
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
                let s = s.as_ref()?;
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
