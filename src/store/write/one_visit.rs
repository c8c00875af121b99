//! One visit given with its record id by one ledger and without by another
//! — a township's sheet numbers its rows (记录编号), the department's export
//! of the same visits does not — is one delivery, counted once (contract
//! §8). Rows without an id are matched by their fingerprint (§3.4), rows
//! with one by their id, so the two never meet where they are written.
//! Here, once an import's files are written, each new row of one kind is
//! looked for among the rows of the other, at the fingerprint the row with
//! the id would have without it. A new row found so is no new delivery: it
//! is taken out, and the ledgers that listed it hold the row it is instead
//! — the stored one, or of two new ones the one with the id, which its
//! ledger's next import finds by its id.
//!
//! Not one visit: a row with an id and a like one without in one file (two
//! visits, as two like rows without ids are), and a pair no ledger holds
//! one of without the other (a ledger's own sheet given with its ids and
//! without them: [`Writer::id_switches`] refuses that).
//!
//! What it reads: nothing where the database holds rows of one kind only.
//! Else the new rows with an id, each looked up at its place without the
//! id, and where this import added rows without an id, the stored rows
//! with one on the days of those rows, through the id index.

use super::deliveries::Content;
use super::Writer;
use crate::args;
use crate::input::headers::Kind;
use crate::store::sql::{self, Dialect, Result};
use crate::values::LedgerName;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// New rows read a statement at a time: their place lookups follow each
/// read, and PostgreSQL's answer to one statement is read whole.
const CHUNK: i64 = 1 << 14;

/// New rows of one file that were visits another ledger had the other way:
/// they count as unchanged rows of the file, held by its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneVisit {
    /// The file's number in the import ([`super::Overlap::file`]).
    pub file: u32,
    /// A ledger that held them, and whether it had them with an id.
    pub ledger: LedgerName,
    pub with_ids: bool,
    pub count: u64,
}

/// A new row that goes, and the row that is the same visit.
#[derive(Debug, Clone, Copy)]
struct Pair {
    goer: i64,
    stayer: i64,
    /// A ledger that holds the stayer and not the goer.
    other: i64,
}

impl Writer<'_> {
    /// Take out every new delivery that is a row another ledger holds the
    /// other way, with or without an id; per file, what was taken.
    pub fn one_visit_either_way(&mut self) -> Result<Vec<OneVisit>> {
        // Each question asked only where the answer can matter: an import
        // of rows without ids into a database without any asks one (the
        // id index's first entry), as does one of unchanged rows.
        let before = self.deliveries_before;
        let ask = |sql: &str| -> Result<bool> { self.conn.value(sql, args![before]) };
        let stored_with = ask(match self.conn.dialect() {
            Dialect::Sqlite => super::hints::IDS_BEFORE_SQLITE,
            Dialect::Postgres => super::hints::IDS_BEFORE,
        })?;
        // Every row with an id is written by `Writer::delivery` (a merge's
        // too), which says so.
        let new_with = self.sent.with_id && ask(NEW_WITH_IDS)?;
        let new_without = (new_with || stored_with) && ask(NEW_WITHOUT_IDS)?;
        let mut found = Found::default();
        if new_with && (new_without || ask(STORED_WITHOUT_IDS)?) {
            self.new_with_ids_found_without(&mut found)?;
        }
        if new_without && stored_with {
            self.new_without_ids_found_with(&mut found)?;
        }
        self.take_out(found.pairs)
    }

    /// Each new row with an id, looked up at its place without it: a row
    /// without an id there, stored or new, is the same visit.
    fn new_with_ids_found_without(&self, found: &mut Found) -> Result<()> {
        let last: i64 = self
            .conn
            .value("SELECT coalesce(max(key), 0) FROM deliveries", args![])?;
        let mut from = self.deliveries_before;
        while from < last {
            let to = from.saturating_add(CHUNK);
            let rows = self
                .conn
                .collect(NEW_WITH_IDS_CONTENT, args![from, to], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i32>(1)?, content_key(r, 1)?))
                })?;
            for (key, day, fingerprint) in rows {
                let alike = self
                    .conn
                    .collect(WITHOUT_IDS_AT, args![day, fingerprint], |r| {
                        r.get::<_, i64>(0)
                    })?;
                for other in alike {
                    // Of two new rows, the one without the id goes.
                    let (goer, stayer) = match other > self.deliveries_before {
                        true => (other, key),
                        false => (key, other),
                    };
                    if self.try_pair(found, goer, stayer)? {
                        break;
                    }
                }
            }
            from = to;
        }
        Ok(())
    }

    /// The stored rows with an id on the days of this import's new rows
    /// without one, each looked up at its place without the id.
    fn new_without_ids_found_with(&self, found: &mut Found) -> Result<()> {
        let mut places: Vec<(i32, i64)> = Vec::new();
        self.conn
            .stream(NEW_WITHOUT_IDS_PLACES, args![self.deliveries_before], |r| {
                places.push((r.get(0)?, r.get(1)?));
                Ok(())
            })?;
        places.sort_unstable();
        places.dedup();
        let (Some(&(first, _)), Some(&(last, _))) = (places.first(), places.last()) else {
            return Ok(());
        };
        let stored = match self.conn.dialect() {
            Dialect::Sqlite => STORED_WITH_IDS_CONTENT_SQLITE,
            Dialect::Postgres => STORED_WITH_IDS_CONTENT,
        };
        let mut candidates = Vec::new();
        self.conn
            .stream(stored, args![self.deliveries_before, first, last], |r| {
                let key: i64 = r.get(0)?;
                let (day, fingerprint) = (r.get(1)?, content_key(r, 1)?);
                if places.binary_search(&(day, fingerprint)).is_ok() {
                    candidates.push((key, day, fingerprint));
                }
                Ok(())
            })?;
        drop(places);
        for (stayer, day, fingerprint) in candidates {
            let alike = self.conn.collect(
                NEW_WITHOUT_IDS_AT,
                args![day, fingerprint, self.deliveries_before],
                |r| r.get::<_, i64>(0),
            )?;
            for goer in alike {
                if self.try_pair(found, goer, stayer)? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Pair `goer` with `stayer` if both are still free and they are one
    /// visit: in two files, and some ledger holds the stayer and not the
    /// goer. Whether they were paired.
    fn try_pair(&self, found: &mut Found, goer: i64, stayer: i64) -> Result<bool> {
        if found.taken.contains(&goer) || found.taken.contains(&stayer) {
            return Ok(false);
        }
        let new = |key: i64| key > self.deliveries_before;
        if new(goer) && new(stayer) && self.file_of(goer) == self.file_of(stayer) {
            return Ok(false);
        }
        let goers = self.holders(goer)?;
        let Some(other) = (self.holders(stayer)?.into_iter()).find(|l| !goers.contains(l)) else {
            return Ok(false);
        };
        found.taken.extend([goer, stayer]);
        found.pairs.push(Pair {
            goer,
            stayer,
            other,
        });
        Ok(true)
    }

    /// The ledgers that hold delivery `key` (0: a merge's row no ledger
    /// holds).
    fn holders(&self, key: i64) -> Result<Vec<i64>> {
        self.conn.collect(HOLDERS, args![key], |r| r.get(0))
    }

    /// The number of the file of this import that wrote new delivery
    /// `key`: keys are handed out in order, file after file.
    fn file_of(&self, key: i64) -> Option<u32> {
        let at = self.file_last_keys.partition_point(|&(_, last)| last < key);
        self.file_last_keys.get(at).map(|&(file, _)| file)
    }

    /// Take the goers out: their ledgers hold the stayers instead, in their
    /// versions too (a `--replace` keeps what its file listed), and each
    /// goer counts as an unchanged row of its file.
    fn take_out(&mut self, pairs: Vec<Pair>) -> Result<Vec<OneVisit>> {
        let mut by_file: HashMap<(u32, i64, bool), u64> = HashMap::default();
        for pair in &pairs {
            let with_ids: bool = self.conn.value(HAS_ID, args![pair.stayer])?;
            self.conn
                .execute(HOLD_AS, args![pair.goer, pair.stayer, self.command])?;
            self.conn.execute(
                "DELETE FROM holds WHERE kind = 3 AND record = ?1",
                args![pair.goer],
            )?;
            self.conn
                .execute("DELETE FROM deliveries WHERE key = ?1", args![pair.goer])?;
            for ((_, kind), seen) in self.versions.iter_mut() {
                if *kind == Kind::Deliveries && seen.remove(pair.goer) {
                    seen.insert(pair.stayer);
                }
            }
            if let Some(file) = self.file_of(pair.goer) {
                *by_file.entry((file, pair.other, with_ids)).or_default() += 1;
            }
        }
        if !pairs.is_empty() && self.conn.dialect() == Dialect::Postgres {
            // The next import's keys as SQLite's: after the largest left.
            self.conn.batch("SELECT bangfu.sync_keys()")?;
        }
        let mut all = Vec::with_capacity(by_file.len());
        for ((file, ledger, with_ids), count) in by_file {
            all.push(OneVisit {
                file,
                ledger: self.ledger_name(ledger)?,
                with_ids,
                count,
            });
        }
        all.sort_unstable_by(|a, b| (a.file, &a.ledger).cmp(&(b.file, &b.ledger)));
        Ok(all)
    }
}

/// The pairs found so far, and every row in one.
#[derive(Default)]
struct Found {
    pairs: Vec<Pair>,
    taken: HashSet<i64>,
}

/// The fingerprint a row read by one of the `…_CONTENT` statements would
/// have without an id, from its columns `at` on: day, member id, household
/// id, category, goods, cash, note.
fn content_key(r: &sql::Row<'_>, at: usize) -> Result<i64> {
    let (member_id, household_id): (String, String) = (r.get(at + 1)?, r.get(at + 2)?);
    let note: Option<String> = r.get(at + 6)?;
    let content = Content {
        day: r.get(at)?,
        member_id: &member_id,
        household_id: &household_id,
        note: note.as_deref(),
        category: r.get(at + 3)?,
        goods: r.get(at + 4)?,
        cash: r.get(at + 5)?,
    };
    Ok(content.fingerprint() as i64)
}

/// Whether this import (keys above ?1) added a row with an id.
const NEW_WITH_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key > ?1 AND id IS NOT NULL)";
/// Whether it added a row without one.
const NEW_WITHOUT_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key > ?1 AND id IS NULL)";
/// Whether a row without an id was stored before it.
const STORED_WITHOUT_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key <= ?1 AND id IS NULL)";

/// A row's content, as [`content_key`] reads it from column 1 on.
macro_rules! content {
    ($from:literal, $where:literal) => {
        concat!(
            "SELECT d.key, d.day, m.id, h.id, d.category, d.goods, d.cash, d.note FROM ",
            $from,
            " JOIN members m ON m.key = d.member JOIN households h ON h.key = d.household WHERE ",
            $where
        )
    };
}
/// The new rows with an id of keys above ?1 up to ?2.
const NEW_WITH_IDS_CONTENT: &str = content!(
    "deliveries d",
    "d.key > ?1 AND d.key <= ?2 AND d.id IS NOT NULL"
);
/// The rows with an id stored before the import (keys up to ?1), on days
/// ?2 to ?3.
const STORED_WITH_IDS_CONTENT: &str = content!(
    "deliveries d",
    "d.id IS NOT NULL AND d.key <= ?1 AND d.day BETWEEN ?2 AND ?3"
);
/// [`STORED_WITH_IDS_CONTENT`] through the id index, which lists the rows
/// with an id alone.
const STORED_WITH_IDS_CONTENT_SQLITE: &str = content!(
    "deliveries d INDEXED BY deliveries_id",
    "d.id IS NOT NULL AND d.key <= ?1 AND d.day BETWEEN ?2 AND ?3"
);
/// The places of the new rows without an id.
const NEW_WITHOUT_IDS_PLACES: &str =
    "SELECT day, fingerprint FROM deliveries WHERE key > ?1 AND id IS NULL";
/// The rows without an id at day ?1, fingerprint ?2, in occurrence order.
const WITHOUT_IDS_AT: &str = "SELECT key FROM deliveries
     WHERE day = ?1 AND fingerprint = ?2 AND id IS NULL ORDER BY occurrence";
/// Those of them this import added (keys above ?3).
const NEW_WITHOUT_IDS_AT: &str = "SELECT key FROM deliveries
     WHERE day = ?1 AND fingerprint = ?2 AND id IS NULL AND key > ?3 ORDER BY occurrence";
/// The ledgers that hold delivery ?1: its own row's, and its holds'.
const HOLDERS: &str = "SELECT coalesce(ledger, 0) FROM deliveries WHERE key = ?1
     UNION SELECT ledger FROM holds WHERE kind = 3 AND record = ?1";
/// Whether delivery ?1 has an id.
const HAS_ID: &str = "SELECT id IS NOT NULL FROM deliveries WHERE key = ?1";
/// Every ledger that holds delivery ?1 and is one, held by import ?3 to
/// hold delivery ?2 (where its own row does not say so already).
const HOLD_AS: &str = "INSERT INTO holds (kind, record, ledger, added)
     SELECT 3, CAST(?2 AS BIGINT), l.ledger, CAST(?3 AS BIGINT)
     FROM (SELECT coalesce(ledger, 0) AS ledger FROM deliveries WHERE key = ?1
           UNION SELECT ledger FROM holds WHERE kind = 3 AND record = ?1) l
     WHERE l.ledger <> 0
       AND l.ledger <> (SELECT coalesce(ledger, 0) FROM deliveries WHERE key = ?2)
     ON CONFLICT DO NOTHING";
