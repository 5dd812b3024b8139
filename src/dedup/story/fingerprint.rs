//! An entry read for comparison: its [`Fingerprint`] (headline and lede as stems, names,
//! mentions, weekdays, numbers, script, alias sets and the acts of the headline's main clause),
//! and the same words named as the entry writes them ([`stems`]) for `feedsift stories`.

use super::across::{NameSets, Script};
use super::words::{STOP_WORDS, WEEKDAYS, weekday};
use super::{LEDE_WORDS, lexicon, spelling};
use crate::text;
use std::collections::HashMap;

/// What [`join_score`](super::join_score) compares of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hashes of the stems of the distinctive words, sorted, distinct.
    pub words: Vec<u32>,
    /// The same, of the title alone.
    pub title_words: Vec<u32>,
    /// Hashes of the stems of the names (see [`Fingerprint::title_names`]; of the lede too),
    /// sorted, distinct: the people and places a story is about, which say little of which of
    /// their events it is ([`MIN_EVENT_WORDS`](super::MIN_EVENT_WORDS)).
    pub names: Vec<u32>,
    /// Hashes of the stems of the names the title writes (not those only the lede capitalizes:
    /// "Defense Minister" before a name in the lede is a title, not who it is about), sorted,
    /// distinct: what a headline says besides who is the rest of its words.
    pub head_names: Vec<u32>,
    /// Hashes of the stems of the names in the title, demonyms folded (`korean` → `korea`,
    /// `Defense Ministers` → `defens`, `minist`), a country's other names as the country
    /// (`White House` → the US, [`lexicon::place_hash`]), sorted, distinct.
    pub title_names: Vec<u32>,
    /// Hashes of every word of title and lede, as written, demonyms folded, and as stems (so a
    /// name spelled the British way or in the plural is one already mentioned), and of the
    /// countries they name, sorted, distinct: what the entry mentions at all.
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
    /// Who the headline says acts, when a person or a body rather than a country: the hashes
    /// of the first of its title names in its main clause and of those written right after it,
    /// the words of one name ("Blinken slams Xi ..." → `blinken`; "Vladimir Putin hosts ..."
    /// → `vladimir`, `putin`; "North Korea's Kim ..." → none).
    pub subject: Vec<u32>,
}

impl Fingerprint {
    /// Compact bytes for the store: a byte of format and days, the lengths of the lists, then
    /// the hashes (little-endian); then, when the headline's script is known, the entry names
    /// alias sets, its acts are not those of all its title's words or its title names anyone, a
    /// byte of script, the number of sets, their hashes, a byte of acts, and, when the title
    /// names anyone, the number of the title's names and their hashes, and then, when it says
    /// who acts, a list of the hashes of that name's words.
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
            || !self.head_names.is_empty()
            || !self.subject.is_empty()
        {
            out.push(self.script as u8);
            push_list(&mut out, &self.sets);
            out.push(self.acts);
            if !self.head_names.is_empty() {
                push_list(&mut out, &self.head_names);
                if !self.subject.is_empty() {
                    push_list(&mut out, &self.subject);
                }
            }
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

    /// Reads the script, alias sets, acts and title names [`Fingerprint::to_bytes`] appends
    /// (fingerprints stored before acts were kept end after the sets, those stored before title
    /// names were kept after the acts: they compare as their title named no one).
    fn read_sets(&mut self, b: &[u8]) -> bool {
        let Some(&script) = b.first() else {
            return false;
        };
        let Some(rest) = read_list(&b[1..], &mut self.sets) else {
            return false;
        };
        match rest {
            [] => {}
            [acts] => self.acts = *acts,
            [acts, names @ ..] => {
                self.acts = *acts;
                let Some(rest) = read_list(names, &mut self.head_names) else {
                    return false;
                };
                if !rest.is_empty() {
                    let mut who = Vec::new();
                    if read_list(rest, &mut who) != Some(&[]) || who.is_empty() {
                        return false;
                    }
                    self.subject = who;
                }
            }
        }
        self.script = Script::from_byte(script);
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
        self.head_names.clear();
        self.subject.clear();
        for list in self.lists_mut() {
            list.clear();
        }
    }
}

/// Appends a list: its length (two bytes) and its hashes.
fn push_list(out: &mut Vec<u8>, list: &[u32]) {
    let n = list.len().min(u16::MAX as usize);
    out.extend_from_slice(&(n as u16).to_le_bytes());
    for h in &list[..n] {
        out.extend_from_slice(&h.to_le_bytes());
    }
}

/// Reads a list [`push_list`] wrote into `into`, and what follows it; `None` when `b` is too
/// short.
fn read_list<'b>(b: &'b [u8], into: &mut Vec<u32>) -> Option<&'b [u8]> {
    let n = u16::from_le_bytes([*b.first()?, *b.get(1)?]) as usize;
    let hashes = b.get(2..2 + 4 * n)?;
    into.extend(hashes.chunks_exact(4).map(le_u32));
    Some(&b[2 + 4 * n..])
}

fn le_u32(c: &[u8]) -> u32 {
    u32::from_le_bytes(c.try_into().expect("4 bytes"))
}

/// Set in the first byte of a fingerprint with stemmed words and title words (days use the
/// low seven bits).
const FORMAT_2: u8 = 0x80;

/// FNV-1a: short, stable across builds and platforms (fingerprints may be stored).
pub(super) fn hash(word: &str) -> u32 {
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
pub(super) fn stem(w: &str) -> std::borrow::Cow<'_, str> {
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

pub(super) fn sorted(mut v: Vec<u32>) -> Vec<u32> {
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
    // A headline's first word counts as who acts ("Japan summons ..."), but not a participle
    // the lede never writes with a capital: "Downed North Korean satellite ...", "Crashed ...".
    let spans = text::word_spans(&head);
    let first = spans.first().copied().unwrap_or_default();
    let participle = |name: &String, at: usize| {
        let written = &head[first.0..first.1];
        at == first.0
            && name.chars().count() >= 5
            && (name.ends_with("ed") || name.ends_with("ing"))
            && !text::word_spans(&lede)
                .iter()
                .any(|&(s, e)| &lede[s..e] == written)
    };
    // A country the headline names by its people, its capital or its government ("White
    // House warns ...", "Pyongyang says ...") is the country, for the veto; a place the news
    // happens in is the place ("... is in Pyongyang").
    let countries = places(&head);
    // Who acts and what they do come before the setting ("US citizen detained after crossing
    // DMZ"; "Kim receives Shoigu amid anniversary celebrations").
    let acts_clause = acts_clause(&head);
    let mut subject_read = false;
    // Where the name of who acts ends while its next word may still be part of it.
    let mut subject_end: Option<usize> = None;
    for (name, at) in part_names(&head, true)
        .iter()
        .filter(|(n, at)| named(n) && !participle(n, *at))
    {
        let h = hash(&stem(name));
        names.push(h);
        f.head_names.push(h);
        if *at < about {
            let country = countries.iter().find(|(bytes, _)| bytes.contains(at));
            let h = country.map_or_else(
                || hash(&stem(demonym(name))),
                |(_, c)| lexicon::place_hash(c),
            );
            f.title_names.push(h);
            let end = spans.iter().find(|(s, _)| s == at).map_or(*at, |&(_, e)| e);
            // Who acts: the first name of the main clause, unless a country, or a headline's
            // first word the lede does not write as a name ("Arms talks ... advancing"), with
            // the names written right after it ("Vladimir Putin").
            if let Some(from) = subject_end.take()
                && country.is_none()
                && head[from..*at].trim().is_empty()
            {
                f.subject.push(h);
                subject_end = Some(end);
            }
            if !subject_read && acts_clause.contains(at) {
                subject_read = true;
                let proven = *at != first.0 || lede_names.iter().any(|(n, _)| n == name);
                if country.is_none() && proven {
                    f.subject.push(h);
                    subject_end = Some(end);
                }
            }
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
    for part in [&whole, &lede] {
        let countries = places(part).into_iter();
        f.mentions
            .extend(countries.map(|(_, c)| lexicon::place_hash(c)));
    }
    let mut main_words = Vec::new();
    for (k, part) in [&head, &lede].into_iter().enumerate() {
        for (s, e) in text::word_spans(part) {
            let w = text::normalize(&part[s..e]);
            let main_word = k == 0 && acts_clause.contains(&s) && e <= acts_clause.end;
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
    f.head_names = sorted(std::mem::take(&mut f.head_names));
    f.title_words = sorted(std::mem::take(&mut f.title_words));
    f.mentions = sorted(std::mem::take(&mut f.mentions));
    f.words = sorted(words);
    f.names = sorted(names);
    f.numbers = sorted(numbers);
    f
}

/// Prepositions before a place the news happens in, comes from or goes to.
const LOCATIVES: &[&str] = &[
    "in", "at", "to", "into", "from", "near", "outside", "inside", "across", "toward", "towards",
];

/// The countries a part names as who acts or speaks ([`lexicon::places`]: "White House warns
/// ...", "Pyongyang says ..."), each with the bytes that name it; not a place the news happens
/// in, comes from or goes to ("... is in Pyongyang").
fn places(part: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let spans = text::word_spans(part);
    let words: Vec<String> = spans
        .iter()
        .map(|&(s, e)| text::normalize(&part[s..e]))
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    lexicon::places(&words)
        .into_iter()
        .filter(|(at, _)| at.start == 0 || !LOCATIVES.contains(&words[at.start - 1]))
        .map(|(at, c)| (spans[at.start].0..spans[at.end - 1].1, c))
        .collect()
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
pub(super) fn main_clause(head: &str) -> std::ops::Range<usize> {
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

/// Where a headline's acts are told (bytes): its main clause ([`main_clause`]) up to its first
/// word of [`SETTING`].
fn acts_clause(head: &str) -> std::ops::Range<usize> {
    let main = main_clause(head);
    let setting = text::word_spans(&head[main.clone()])
        .into_iter()
        .find(|&(s, e)| {
            SETTING.contains(&text::normalize(&head[main.start + s..main.start + e]).as_str())
        })
        .map_or(main.end, |(s, _)| main.start + s);
    main.start..setting
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
        for (_, c) in places(&part) {
            out.entry(lexicon::place_hash(c))
                .or_insert_with(|| c.to_string());
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
/// Korea, says US"; "... food for North Korean weapons - US"; "... into East Sea: JCS"; "...
/// over Syria - US Air Force"; "... 'no military utility': South Korean officials"), or the
/// words after a quote that say who said it ("... 'actively advancing' says National Security
/// Council"). The source is who speaks, not who the news is about.
pub(super) fn told(head: &str) -> &str {
    &head[..after_quote_source(head).unwrap_or_else(|| clause_source(head))]
}

/// Whether a headline's character at byte `at` is a quotation mark closing a quote: after a
/// word, before a space.
fn closes_quote(head: &str, at: usize) -> bool {
    head[at..].starts_with(QUOTES)
        && head[..at]
            .chars()
            .last()
            .is_some_and(|c| !c.is_whitespace())
        && head[at..]
            .chars()
            .nth(1)
            .is_none_or(|c| c.is_whitespace() || c.is_ascii_punctuation())
}

const QUOTES: [char; 4] = ['\'', '’', '"', '”'];

/// Where a source named after a headline's last quote starts: "'...' says National Security
/// Council", "'...' Kirby says".
fn after_quote_source(head: &str) -> Option<usize> {
    let (q, c) = head
        .char_indices()
        .rev()
        .find(|&(_, c)| QUOTES.contains(&c))?;
    let end = q + c.len_utf8();
    let tail = text::words(&head[end..]);
    (closes_quote(head, q)
        && head[end..].starts_with(char::is_whitespace)
        && !tail.is_empty()
        && tail.len() <= SOURCE_WORDS
        && tail.iter().any(|w| SOURCE_VERBS.contains(&w.as_str()))
        && text::words(&head[..q]).len() >= 3)
        .then_some(end)
}

/// Where a last clause that attributes the headline starts ([`told`]), or its end.
fn clause_source(head: &str) -> usize {
    let Some(cut) = head.rfind([',', ':', '-', '–', '—']) else {
        return head.len();
    };
    let tail = text::words(&head[cut..]);
    let before = text::words(&head[..cut]).len();
    let colon_or_dash = !head[cut..].starts_with(',');
    // After a dash or a colon, a name alone ("- US Air Force"; in a headline In Title Case
    // every word has a capital), or anything after a quote ("'...': South Korean officials").
    let a_name = || {
        !is_title_case(head)
            && text::word_spans(&head[cut..])
                .iter()
                .all(|&(s, _)| head[cut + s..].starts_with(char::is_uppercase))
    };
    let after_quote = || {
        let quoted = head[..cut].trim_end();
        quoted
            .char_indices()
            .last()
            .is_some_and(|(at, _)| closes_quote(quoted, at))
    };
    let attributes = tail.iter().any(|w| SOURCE_VERBS.contains(&w.as_str()))
        // A dash or a colon before one or two words: "- US", ": JCS".
        || (colon_or_dash && (tail.len() <= 2 || a_name() || after_quote()));
    let is_dash = head[cut..].starts_with(['-', '–', '—']);
    // A hyphen inside a word ("North Korea-Russia") cuts nothing.
    let spaced = !is_dash || head[cut..].chars().nth(1).is_some_and(char::is_whitespace);
    if !tail.is_empty() && tail.len() <= SOURCE_WORDS && before >= 3 && attributes && spaced {
        cut
    } else {
        head.len()
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
