//! The records a ledger's new version lists (contract §8): for each ledger
//! and kind an import writes, the keys of the records its files inserted
//! or matched. `--replace` drops the ledger's holds on every record of that
//! kind not in the set. A set of bits over the keys, which are small
//! integers handed out in order: one bit a record, 125 KB for a million
//! deliveries, whatever order the file's rows came in.

/// A set of record keys (1, 2, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    bits: Vec<u64>,
    len: u64,
}

impl Seen {
    /// Add `key`; whether it was not in the set before. Keys below 0 are
    /// no record's and are not kept.
    pub fn insert(&mut self, key: i64) -> bool {
        let Ok(key) = usize::try_from(key) else {
            return false;
        };
        let (word, bit) = (key / 64, key % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        let mask = 1u64 << bit;
        let new = self.bits[word] & mask == 0;
        self.bits[word] |= mask;
        self.len += u64::from(new);
        new
    }

    /// Take `key` out; whether it was in the set.
    pub fn remove(&mut self, key: i64) -> bool {
        if !self.contains(key) {
            return false;
        }
        let key = key as usize;
        self.bits[key / 64] &= !(1u64 << (key % 64));
        self.len -= 1;
        true
    }

    pub fn contains(&self, key: i64) -> bool {
        usize::try_from(key).is_ok_and(|key| {
            self.bits
                .get(key / 64)
                .is_some_and(|w| w & (1u64 << (key % 64)) != 0)
        })
    }

    /// How many keys of `from` or above the set holds.
    pub fn count_from(&self, from: i64) -> u64 {
        let from = usize::try_from(from).unwrap_or(0);
        let (word, bit) = (from / 64, from % 64);
        let Some(first) = self.bits.get(word) else {
            return 0;
        };
        let first = u64::from((first >> bit).count_ones());
        let rest: u64 = self.bits[word + 1..]
            .iter()
            .map(|w| u64::from(w.count_ones()))
            .sum();
        first + rest
    }

    /// Add every key of `other`.
    pub fn absorb(&mut self, other: &Seen) {
        if other.bits.len() > self.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (word, theirs) in self.bits.iter_mut().zip(&other.bits) {
            *word |= theirs;
        }
        self.len = self.bits.iter().map(|w| u64::from(w.count_ones())).sum();
    }

    /// How many keys the set holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A file's [`Seen`] kept to compare later files with: its words from the
/// first that holds a key (a file of new rows lists the last keys only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    first: usize,
    bits: Vec<u64>,
    len: u64,
    /// The first and last day of its rows, if known.
    pub days: Option<(i32, i32)>,
}

impl From<Seen> for Listing {
    fn from(seen: Seen) -> Listing {
        let first = seen
            .bits
            .iter()
            .position(|&w| w != 0)
            .unwrap_or(seen.bits.len());
        let last = seen
            .bits
            .iter()
            .rposition(|&w| w != 0)
            .map_or(first, |l| l + 1);
        Listing {
            first,
            bits: seen.bits[first..last].to_vec(),
            len: seen.len,
            days: None,
        }
    }
}

impl Listing {
    /// How many keys it holds.
    pub fn keys(&self) -> u64 {
        self.len
    }

    /// The memory its keys take.
    pub fn bytes(&self) -> usize {
        self.bits.len() * 8
    }

    /// At most `most` of its keys `seen` does not hold, the lowest first.
    pub fn not_in(&self, seen: &Seen, most: usize) -> Vec<i64> {
        let mut keys = Vec::new();
        for (at, &word) in self.bits.iter().enumerate() {
            let theirs = seen.bits.get(self.first + at).copied().unwrap_or(0);
            push_bits(&mut keys, self.first + at, word & !theirs, most);
        }
        keys
    }

    /// At most `most` of the keys of `seen` it does not hold, the lowest
    /// first.
    pub fn missing_of(&self, seen: &Seen, most: usize) -> Vec<i64> {
        let mut keys = Vec::new();
        for (at, &word) in seen.bits.iter().enumerate() {
            let mine = at
                .checked_sub(self.first)
                .and_then(|i| self.bits.get(i))
                .copied()
                .unwrap_or(0);
            push_bits(&mut keys, at, word & !mine, most);
        }
        keys
    }

    /// How many of its keys `seen` holds too.
    pub fn shared_with(&self, seen: &Seen) -> u64 {
        let theirs = seen.bits.iter().skip(self.first);
        let both = self
            .bits
            .iter()
            .zip(theirs)
            .map(|(a, b)| (a & b).count_ones());
        both.map(u64::from).sum()
    }
}

/// The keys of the set bits of `word`, the `at`th word, onto `keys` while
/// it holds fewer than `most`.
fn push_bits(keys: &mut Vec<i64>, at: usize, mut word: u64, most: usize) {
    while word != 0 && keys.len() < most {
        let bit = word.trailing_zeros() as usize;
        keys.push((at * 64 + bit) as i64);
        word &= word - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The set of `keys`.
    fn of(keys: &[i64]) -> Seen {
        let mut seen = Seen::default();
        keys.iter().for_each(|&k| {
            seen.insert(k);
        });
        seen
    }

    proptest! {
        #[test]
        fn holds_what_was_put_in_and_nothing_else(
            keys in prop::collection::vec(-3i64..5000, 0..300),
            probes in prop::collection::vec(-3i64..6000, 0..300),
        ) {
            let mut seen = Seen::default();
            let mut model = BTreeSet::new();
            for &k in &keys {
                let new = seen.insert(k);
                prop_assert_eq!(new, k >= 0 && model.insert(k));
            }
            for &k in keys.iter().chain(&probes) {
                prop_assert_eq!(seen.contains(k), model.contains(&k));
            }
            prop_assert_eq!(seen.len(), model.len() as u64);
            for &from in probes.iter().chain(&keys) {
                let above = model.iter().filter(|&&k| k >= from.max(0)).count() as u64;
                prop_assert_eq!(seen.count_from(from), above);
            }
            for &k in probes.iter().chain(&keys) {
                prop_assert_eq!(seen.remove(k), model.remove(&k));
                prop_assert!(!seen.contains(k));
            }
            prop_assert_eq!(seen.len(), 0);
        }

        #[test]
        fn a_set_absorbs_every_key_of_another_once(
            mine in prop::collection::vec(0i64..3000, 0..200),
            theirs in prop::collection::vec(0i64..5000, 0..200),
        ) {
            let (mut a, b) = (of(&mine), of(&theirs));
            a.absorb(&b);
            let both: BTreeSet<i64> = mine.iter().chain(&theirs).copied().collect();
            prop_assert_eq!(a.len(), both.len() as u64);
            for k in 0..5000 {
                prop_assert_eq!(a.contains(k), both.contains(&k));
            }
        }

        #[test]
        fn a_listing_counts_the_keys_it_shares_with_a_set(
            mine in prop::collection::vec(0i64..3000, 0..200),
            theirs in prop::collection::vec(0i64..3000, 0..200),
        ) {
            let (a, b) = (of(&mine), of(&theirs));
            let (mine, theirs): (BTreeSet<i64>, BTreeSet<i64>) =
                (mine.into_iter().collect(), theirs.into_iter().collect());
            let listing = Listing::from(a);
            prop_assert_eq!(listing.keys(), mine.len() as u64);
            prop_assert_eq!(listing.shared_with(&b), mine.intersection(&theirs).count() as u64);
            prop_assert!(listing.bytes() <= 8 * (3000 / 64 + 1));
            let only_mine: Vec<i64> = mine.difference(&theirs).copied().take(7).collect();
            prop_assert_eq!(listing.not_in(&b, 7), only_mine);
            let only_theirs: Vec<i64> = theirs.difference(&mine).copied().take(7).collect();
            prop_assert_eq!(listing.missing_of(&b, 7), only_theirs);
        }
    }
}
