//! The table that turns a household's or member's id into its key, for
//! every reference of an import.
//!
//! A million deliveries look up two ids each, in no useful order, in tables
//! of tens of thousands of entries: larger than the processor's nearest
//! caches, so each lookup used to wait for memory (a sixth of the reading
//! thread's time). This table can say where an id's entry is before it is
//! needed, so that the reading thread asks for the entries of the next row
//! while it checks the current one ([`IdTable::prefetch`]). Open addressing
//! with linear probing, at most half full; entries are only ever added or
//! replaced, never removed.

use compact_str::CompactString;

/// Ids and their keys.
#[derive(Clone)]
pub struct IdTable {
    /// A power of two long, at least twice the number of entries.
    slots: Vec<Option<(CompactString, i64)>>,
    len: usize,
}

impl Default for IdTable {
    fn default() -> IdTable {
        IdTable {
            slots: vec![None; 16],
            len: 0,
        }
    }
}

impl IdTable {
    /// The key of `id`, if the table has it.
    pub fn get(&self, id: &str) -> Option<i64> {
        let mut i = self.start(id);
        loop {
            match &self.slots[i] {
                None => return None,
                Some((stored, key)) if stored == id => return Some(*key),
                Some(_) => i = (i + 1) & self.mask(),
            }
        }
    }

    /// Give `id` the key `key`, replacing any key it had.
    pub fn insert(&mut self, id: &str, key: i64) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mut i = self.start(id);
        loop {
            match &mut self.slots[i] {
                slot @ None => {
                    *slot = Some((CompactString::from(id), key));
                    self.len += 1;
                    return;
                }
                Some((stored, old)) if stored == id => {
                    *old = key;
                    return;
                }
                Some(_) => i = (i + 1) & self.mask(),
            }
        }
    }

    /// Ask the processor to fetch the place where `id`'s entry would be,
    /// without waiting for it; a later [`IdTable::get`] of `id` then finds
    /// it in the cache. Changes nothing and reads nothing.
    pub fn prefetch(&self, id: &str) {
        let slot: *const Option<(CompactString, i64)> = &self.slots[self.start(id)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint to the cache; it does not read or
        // write memory as the program sees it and cannot fault. The address
        // is inside `slots` anyway.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(slot.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Where the search for `id` starts: the top bits of its xxh3 hash
    /// (64 bits on every platform; FxHash's are a `usize`, whose top 32
    /// bits a 32-bit build leaves zero).
    fn start(&self, id: &str) -> usize {
        let hash = xxhash_rust::xxh3::xxh3_64(id.as_bytes());
        let bits = self.slots.len().trailing_zeros();
        (hash >> (64 - bits)) as usize
    }

    fn grow(&mut self) {
        let larger = vec![None; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, larger);
        self.len = 0;
        for (id, key) in old.into_iter().flatten() {
            self.insert(&id, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut table = IdTable::default();
        for i in 0..10_000 {
            table.insert(&format!("H{i:010}"), i);
        }
        for i in 0..10_000 {
            assert_eq!(table.get(&format!("H{i:010}")), Some(i));
            table.prefetch(&format!("M{i}"));
            assert_eq!(table.get(&format!("M{i}")), None);
        }
        assert!(table.slots.len() >= 2 * 10_000);
    }

    proptest! {
        #[test]
        fn answers_as_a_hash_map_does(
            inserts in prop::collection::vec(("[a-c]{0,3}", any::<i64>()), 0..200),
            lookups in prop::collection::vec("[a-c]{0,3}", 0..50),
        ) {
            let mut table = IdTable::default();
            let mut map = HashMap::new();
            for (id, key) in &inserts {
                table.insert(id, *key);
                map.insert(id.clone(), *key);
            }
            prop_assert_eq!(table.len, map.len());
            for id in inserts.iter().map(|(id, _)| id).chain(&lookups) {
                prop_assert_eq!(table.get(id), map.get(id).copied());
            }
        }
    }
}
