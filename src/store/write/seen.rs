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

    /// How many keys the set holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

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
        }
    }
}
