//! The words of every compiled topic, looked up whole.
//!
//! Query words and entry words are cut by the same segmentation (`text`), so a query word can
//! only ever match a whole entry word, or, as the last word of a prefix term, the start of one.
//! The matcher therefore walks an entry's words once and looks each up in an open-addressing
//! table keyed by its first eight bytes and its length: no substring search. The usual word,
//! in no query, costs one load of its head, two multiplications and two tests of 1 KiB Bloom
//! filters (one over whole words, one over the first bytes of prefix words). Prefix words sit in
//! a second table, probed at each prefix length shorter than the word only when their filter
//! says maybe.

/// Where a word was found: its vocabulary id, its start byte, and whether it is the whole word
/// (else the vocabulary word is a prefix word and begins it).
pub(super) type Found = (u32, usize, bool);

#[derive(Clone, Copy, Debug)]
struct Slot {
    head: u64,
    len: u32,
    id: u32,
}

const EMPTY: u32 = u32::MAX;

/// Open addressing, linear probing, at most one quarter full.
#[derive(Debug)]
struct Table {
    slots: Vec<Slot>,
    shift: u32,
}

impl Table {
    /// A table of `(id, head, length)` keys.
    fn from_keys(keys: &[(u32, u64, u32)]) -> Table {
        let size = (4 * keys.len()).next_power_of_two().max(8);
        let mut t = Table {
            slots: vec![
                Slot {
                    head: 0,
                    len: 0,
                    id: EMPTY
                };
                size
            ],
            shift: 64 - size.trailing_zeros(),
        };
        for &(id, head, len) in keys {
            let mut i = t.home(head, len);
            while t.slots[i].id != EMPTY {
                i = (i + 1) & (size - 1);
            }
            t.slots[i] = Slot { head, len, id };
        }
        t
    }

    fn home(&self, head: u64, len: u32) -> usize {
        (mix(head, len) >> self.shift) as usize
    }

    /// The id of the word whose first eight bytes (lower-cased) are `head` and whose length is
    /// `word.len()`, comparing any further bytes ASCII-case-insensitively.
    #[inline]
    fn get(&self, words: &[Box<[u8]>], head: u64, word: &[u8]) -> Option<u32> {
        let len = word.len() as u32;
        let mask = self.slots.len() - 1;
        let mut i = self.home(head, len);
        loop {
            let s = self.slots[i];
            if s.id == EMPTY {
                return None;
            }
            if s.head == head
                && s.len == len
                && (len <= 8 || words[s.id as usize][8..].eq_ignore_ascii_case(&word[8..]))
            {
                return Some(s.id);
            }
            i = (i + 1) & mask;
        }
    }
}

/// The hash of a word's head and length.
#[inline]
fn mix(head: u64, len: u32) -> u64 {
    head.wrapping_add(len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A one-hash Bloom filter of 8,192 bits over `mix` values: almost every entry word is in no
/// query, and one well-predicted test of this (1 KiB, always in cache) says so before any
/// probing of a table.
#[derive(Debug)]
struct Bloom([u64; 128]);

impl Bloom {
    fn new(hashes: impl Iterator<Item = u64>) -> Bloom {
        let mut b = Bloom([0; 128]);
        for h in hashes {
            let bit = (h >> 51) as usize;
            b.0[bit / 64] |= 1 << (bit % 64);
        }
        b
    }

    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        let bit = (h >> 51) as usize;
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// The first (up to) eight bytes of `text[s..s + len]` as a little-endian number, zero-padded;
/// ASCII letters lower-cased when `ascii` (a word of ASCII letters and digits, where setting
/// bit 5 of every byte lower-cases letters and leaves digits alone).
#[inline]
fn head_of(text: &[u8], s: usize, len: usize, ascii: bool) -> u64 {
    let n = len.min(8);
    let raw = match text.get(s..s + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().expect("eight bytes")),
        None => {
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&text[s..s + n]);
            u64::from_le_bytes(buf)
        }
    };
    let lower = if ascii { 0x2020_2020_2020_2020 } else { 0 };
    (raw | lower) & keep(n)
}

/// A mask of the low `n` bytes (n ≤ 8).
#[inline]
fn keep(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// All words of all terms (lower-case, normalised), indexed for whole-word lookup.
#[derive(Debug)]
pub(super) struct WordIndex {
    words: Vec<Box<[u8]>>,
    exact: Table,
    exact_bloom: Bloom,
    prefix: Table,
    /// Distinct byte lengths of prefix words, ascending.
    prefix_lens: Vec<usize>,
    /// A mask of the first bytes of a word's head the prefix filter looks at: as many as the
    /// shortest prefix word has, at most 8.
    prefix_keep: u64,
    /// Over the first `prefix_min` bytes of each prefix word.
    prefix_bloom: Bloom,
}

impl WordIndex {
    /// `words[id]` is a vocabulary word; `prefix[id]` says whether some term uses it as a prefix.
    pub(super) fn new(words: &[String], prefix: &[bool]) -> WordIndex {
        let key =
            |(id, w): (usize, &[u8])| (id as u32, head_of(w, 0, w.len(), false), w.len() as u32);
        let all: Vec<(usize, &[u8])> = words.iter().map(|w| w.as_bytes()).enumerate().collect();
        let prefix_words: Vec<(usize, &[u8])> =
            all.iter().copied().filter(|(id, _)| prefix[*id]).collect();
        let exact = Table::from_keys(&all.iter().copied().map(key).collect::<Vec<_>>());
        let prefix_table =
            Table::from_keys(&prefix_words.iter().copied().map(key).collect::<Vec<_>>());
        let mut prefix_lens: Vec<usize> = prefix_words.iter().map(|(_, w)| w.len()).collect();
        prefix_lens.sort_unstable();
        prefix_lens.dedup();
        let prefix_min = prefix_lens.first().map_or(8, |&l| l.min(8));
        let exact_bloom = Bloom::new(
            all.iter()
                .map(|(_, w)| mix(head_of(w, 0, w.len(), false), w.len() as u32)),
        );
        let prefix_bloom = Bloom::new(
            prefix_words
                .iter()
                .map(|(_, w)| mix(head_of(w, 0, prefix_min, false), 0)),
        );
        WordIndex {
            words: words.iter().map(|w| w.as_bytes().into()).collect(),
            exact,
            exact_bloom,
            prefix: prefix_table,
            prefix_lens,
            prefix_keep: keep(prefix_min),
            prefix_bloom,
        }
    }

    /// How many words the vocabulary has.
    pub(super) fn len(&self) -> usize {
        self.words.len()
    }

    /// Byte length of vocabulary word `id`.
    pub(super) fn word_len(&self, id: u32) -> u32 {
        self.words[id as usize].len() as u32
    }

    /// Calls `found` for each vocabulary word that is, or (for a prefix word) begins, the word
    /// at `text[s..e]`. `ascii` as for `head_of`: the word is ASCII letters and digits, in
    /// any case; otherwise it is already normalised. Inlined into the word loop: the usual
    /// word costs a load, two multiplications and two filter tests; tables are probed only
    /// out of line.
    #[inline(always)]
    pub(super) fn lookup(
        &self,
        text: &[u8],
        s: usize,
        e: usize,
        ascii: bool,
        found: &mut impl FnMut(Found),
    ) {
        let len = e - s;
        let head = head_of(text, s, len, ascii);
        let exact = self.exact_bloom.may_hold(mix(head, len as u32));
        // No prefix words: the filter is empty and says no.
        let prefix = self.prefix_bloom.may_hold(mix(head & self.prefix_keep, 0));
        if exact || prefix {
            self.probe(&text[s..e], s, head, exact, prefix, found);
        }
    }

    #[inline(never)]
    fn probe(
        &self,
        word: &[u8],
        s: usize,
        head: u64,
        exact: bool,
        prefix: bool,
        found: &mut impl FnMut(Found),
    ) {
        let len = word.len();
        if exact && let Some(id) = self.exact.get(&self.words, head, word) {
            found((id, s, true));
        }
        if !prefix {
            return;
        }
        for &l in &self.prefix_lens {
            if l >= len {
                break;
            }
            if let Some(id) = self.prefix.get(&self.words, head & keep(l), &word[..l]) {
                found((id, s, false));
            }
        }
    }
}
