//! What a roster's import reads of the stored households, members and
//! pairings, read once for the import instead of once a row. On
//! PostgreSQL every read is a round trip to the server: with the holds
//! written in bulk, the reads were most of a roster's import (56,628 rows
//! unchanged: about 57,000 round trips). A small file still reads row by
//! row ([`WHOLE_AFTER`] reads before the whole table is read); a record
//! this import wrote is read again from the database, never from here.
//!
//! The rows are kept packed ([`pack`]: a byte string a row), about a
//! hundred bytes a household, so that a city's roster fits the memory
//! an import may take.

use crate::store::sql::Result;
use rusqlite::types::Value;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::Hash;

/// Reads of one table row by row before the whole table is read.
const WHOLE_AFTER: u32 = 64;

/// The stored rows of one table, by key, once the import has read
/// enough of them ([`WHOLE_AFTER`]).
#[derive(Debug)]
pub(super) struct Cache<K, V> {
    reads: u32,
    all: Option<HashMap<K, V>>,
    /// Keys this import wrote since the table was read.
    written: HashSet<K>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            reads: 0,
            all: None,
            written: HashSet::default(),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// The stored row of `key`, `None` if there is none: from the table
    /// read whole (by `whole`, once enough rows were asked), else by
    /// `one`.
    pub(super) fn get(
        &mut self,
        key: K,
        whole: impl FnOnce() -> Result<HashMap<K, V>>,
        one: impl FnOnce() -> Result<Option<V>>,
    ) -> Result<Option<V>> {
        if self.all.is_none() {
            self.reads += 1;
            if self.reads > WHOLE_AFTER {
                self.all = Some(whole()?);
            }
        }
        match &self.all {
            Some(all) if !self.written.contains(&key) => Ok(all.get(&key).cloned()),
            _ => one(),
        }
    }

    /// This import wrote the row of `key` (inserted or changed it).
    pub(super) fn wrote(&mut self, key: K) {
        if self.all.is_some() {
            self.written.insert(key);
        }
    }
}

/// Values as one byte string: a tag a value (0 null, 1 integer, 2 real,
/// 3 text, 4 bytes), then its eight bytes or its length (four bytes) and
/// bytes.
pub(super) fn pack(values: &[Value]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(values.len() * 8);
    for value in values {
        match value {
            Value::Null => out.push(0),
            Value::Integer(i) => {
                out.push(1);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Real(f) => {
                out.push(2);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Text(t) => {
                out.push(3);
                out.extend_from_slice(&(t.len() as u32).to_le_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            Value::Blob(b) => {
                out.push(4);
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }
    out.into_boxed_slice()
}

/// The values [`pack`] packed, in order.
pub(super) fn unpack(mut bytes: &[u8]) -> Vec<Value> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> &'a [u8] {
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        head
    }
    fn eight(bytes: &mut &[u8]) -> [u8; 8] {
        let mut b = [0; 8];
        b.copy_from_slice(take(bytes, 8));
        b
    }
    fn counted<'a>(bytes: &mut &'a [u8]) -> &'a [u8] {
        let mut n = [0; 4];
        n.copy_from_slice(take(bytes, 4));
        take(bytes, u32::from_le_bytes(n) as usize)
    }
    let mut values = Vec::new();
    while let Some((&tag, rest)) = bytes.split_first() {
        bytes = rest;
        values.push(match tag {
            1 => Value::Integer(i64::from_le_bytes(eight(&mut bytes))),
            2 => Value::Real(f64::from_le_bytes(eight(&mut bytes))),
            3 => Value::Text(String::from_utf8_lossy(counted(&mut bytes)).into_owned()),
            4 => Value::Blob(counted(&mut bytes).to_vec()),
            _ => Value::Null,
        });
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::Integer),
            any::<f64>()
                .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
                .prop_map(Value::Real),
            ".*".prop_map(Value::Text),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(Value::Blob),
        ]
    }

    proptest! {
        #[test]
        fn values_come_back_as_they_were_packed(values in prop::collection::vec(value(), 0..12)) {
            prop_assert_eq!(unpack(&pack(&values)), values);
        }
    }

    #[test]
    fn a_small_file_reads_row_by_row_and_a_written_row_again() {
        let mut cache: Cache<i64, &str> = Cache::default();
        let whole = || Ok([(1, "stored")].into_iter().collect());
        for _ in 0..WHOLE_AFTER {
            assert_eq!(
                cache
                    .get(1, || panic!("read whole"), || Ok(Some("one")))
                    .unwrap(),
                Some("one")
            );
        }
        assert_eq!(
            cache.get(1, whole, || panic!("one")).unwrap(),
            Some("stored")
        );
        assert_eq!(cache.get(2, || panic!(), || panic!("one")).unwrap(), None);
        cache.wrote(2);
        assert_eq!(
            cache.get(2, || panic!(), || Ok(Some("new"))).unwrap(),
            Some("new")
        );
    }
}
