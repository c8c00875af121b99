//! One visit given with its record id by one ledger and without by another
//! — a township's sheet numbers its rows (记录编号), the department's export
//! of the same visits does not — is one delivery, counted once (contract
//! §8). Rows without an id are matched by their place (day, fingerprint,
//! occurrence: §3.4), rows with one by their id, so the two never meet
//! where they are written. Here, once an import's files are written, each
//! row with an id it added or changed is looked for at the place its
//! values have without the id, and each row without an id it added among
//! the stored rows with one on its day. Of such a pair one row goes: the
//! new one (of two new ones, or two stored ones, the one without the id).
//! The one that stays takes what the other had — its id, or its place —
//! so that both sheets find it again next month, each its own way (the
//! township's by id, the department's at its place), and the ledgers that
//! held the other hold it. Undo puts every row back as it was.
//!
//! Never one visit: two rows one ledger's version in this import lists
//! (a row with an id and a like one without in one sheet are two visits,
//! as two like rows are; the sheet given with and without its ids in one
//! command is refused, [`Writer::id_switches`]); two stored rows whose
//! ledgers all hold both.
//!
//! What it reads: nothing where the database holds rows of one kind only.
//! Else the rows with an id this import added or changed, each looked up
//! at its place without the id, and where it added rows without an id,
//! the stored rows with one on their days, through the id index.

use super::deliveries::Content;
use super::Writer;
use crate::args;
use crate::input::headers::Kind;
use crate::store::sql::{self, Dialect, Result};
use crate::values::LedgerName;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Rows with an id read a statement at a time: their place lookups follow
/// each read, and PostgreSQL's answer to one statement is read whole.
const CHUNK: usize = 1 << 14;

/// New rows of one file that were visits another ledger had the other way:
/// they count as unchanged rows of the file, held by its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneVisit {
    /// The file's number in the import ([`super::Overlap::file`]).
    pub file: u32,
    /// A ledger that held them (none: only a merged file's rows no ledger
    /// holds), and whether it had them with an id.
    pub ledger: Option<LedgerName>,
    pub with_ids: bool,
    pub count: u64,
}

/// A row that goes, and the row that is the same visit.
#[derive(Debug, Clone, Copy)]
struct Pair {
    goer: i64,
    stayer: i64,
}

/// The pairs found so far, every row in one, and the rows without an id
/// found at each place (in occurrence order; those before the cursor are
/// all taken).
#[derive(Default)]
struct Found {
    pairs: Vec<Pair>,
    taken: HashSet<i64>,
    at: HashMap<(i32, i64), (Vec<i64>, usize)>,
}

impl Writer<'_> {
    /// Pair every row this import added or changed with the row another
    /// ledger has of the same visit the other way, with or without an id,
    /// and keep one of each pair; per file, its new rows that went.
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
        // Every row with an id is written by `Writer::delivery` or
        // `Writer::placed_delivery`, which say so.
        let mut touched: Vec<i64> = Vec::new();
        if self.sent.with_id {
            touched = self.conn.collect(
                "SELECT key FROM deliveries WHERE key > ?1 AND id IS NOT NULL ORDER BY key",
                args![before],
                |r| r.get(0),
            )?;
            if stored_with {
                touched.extend(self.conn.collect(
                    "SELECT d.key FROM undo_deliveries u JOIN deliveries d ON d.key = u.key
                     WHERE u.command = ?1 AND u.removed = 0 AND d.id IS NOT NULL ORDER BY d.key",
                    args![self.command],
                    |r| r.get::<_, i64>(0),
                )?);
            }
        }
        let new_without = (!touched.is_empty() || stored_with) && ask(NEW_WITHOUT_IDS)?;
        let mut found = Found::default();
        if !touched.is_empty() && (new_without || ask(STORED_WITHOUT_IDS)?) {
            self.found_without_ids(&touched, &mut found)?;
        }
        if new_without && stored_with {
            self.found_with_ids(&mut found)?;
        }
        self.keep_one(found.pairs)
    }

    /// The rows `touched` (with an id), each looked up at its place
    /// without it: a row without an id there is the same visit. New rows
    /// are read by ranges of keys, changed ones by lists.
    fn found_without_ids(&self, touched: &[i64], found: &mut Found) -> Result<()> {
        let before = self.deliveries_before;
        let (new, changed): (Vec<i64>, Vec<i64>) = touched.iter().partition(|&&k| k > before);
        let read = |sql: &str, args: &[&dyn sql::ToArg]| {
            self.conn.collect(sql, args, |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i32>(1)?, content_key(r, 1)?))
            })
        };
        for chunk in new.chunks(CHUNK) {
            let (first, last) = (chunk[0], chunk[chunk.len() - 1]);
            for (key, day, fingerprint) in read(NEW_WITH_IDS_CONTENT, args![first, last])? {
                self.pair_at(found, key, (day, fingerprint), false)?;
            }
        }
        for chunk in changed.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!("{CHANGED_WITH_IDS_CONTENT} ({})", list.join(","));
            for (key, day, fingerprint) in read(&sql, args![])? {
                self.pair_at(found, key, (day, fingerprint), false)?;
            }
        }
        Ok(())
    }

    /// The stored rows with an id on the days of this import's new rows
    /// without one, each looked up at its place without the id among
    /// those new rows.
    fn found_with_ids(&self, found: &mut Found) -> Result<()> {
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
                let place = (r.get(1)?, content_key(r, 1)?);
                if places.binary_search(&place).is_ok() {
                    candidates.push((key, place));
                }
                Ok(())
            })?;
        drop(places);
        for (key, place) in candidates {
            self.pair_at(found, key, place, true)?;
        }
        Ok(())
    }

    /// Pair the row with an id `key` with the first free row without one
    /// at `place` (only new ones if `new_only`) that is the same visit.
    fn pair_at(
        &self,
        found: &mut Found,
        key: i64,
        place: (i32, i64),
        new_only: bool,
    ) -> Result<()> {
        if found.taken.contains(&key) {
            return Ok(());
        }
        if let std::collections::hash_map::Entry::Vacant(at) = found.at.entry(place) {
            let alike =
                (self.conn).collect(WITHOUT_IDS_AT, args![place.0, place.1], |r| r.get(0))?;
            at.insert((alike, 0));
        }
        let before = self.deliveries_before;
        let (alike, cursor) = &found.at[&place];
        let mut skip = *cursor;
        while alike.get(skip).is_some_and(|k| found.taken.contains(k)) {
            skip += 1;
        }
        let mut chosen = None;
        for &other in &alike[skip..] {
            if found.taken.contains(&other) || (new_only && other <= before) {
                continue;
            }
            // The new one goes; of two new or two stored, the one without.
            let pair = match (key > before, other > before) {
                (true, false) => Pair {
                    goer: key,
                    stayer: other,
                },
                _ => Pair {
                    goer: other,
                    stayer: key,
                },
            };
            if self.one_visit(pair)? {
                chosen = Some(pair);
                break;
            }
        }
        if let Some(entry) = found.at.get_mut(&place) {
            entry.1 = skip;
        }
        if let Some(pair) = chosen {
            found.taken.extend([pair.goer, pair.stayer]);
            found.pairs.push(pair);
        }
        Ok(())
    }

    /// Whether the two rows of `pair` are one visit: no version of this
    /// import lists both, and a stored goer is held by a ledger that does
    /// not hold the stayer.
    fn one_visit(&self, pair: Pair) -> Result<bool> {
        let listed_together = (self.versions.iter()).any(|((_, kind), seen)| {
            *kind == Kind::Deliveries && seen.contains(pair.goer) && seen.contains(pair.stayer)
        });
        if listed_together {
            return Ok(false);
        }
        if pair.goer > self.deliveries_before {
            return Ok(true);
        }
        let stayers = self.holders(pair.stayer)?;
        Ok(self
            .holders(pair.goer)?
            .iter()
            .any(|l| !stayers.contains(l)))
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

    /// Of each pair, keep the stayer: it takes the goer's id or place, and
    /// the goer's ledgers hold it, in their versions too (a `--replace`
    /// keeps what its file listed). A stored row changed or deleted here
    /// is kept for undo first, as a replace keeps it.
    fn keep_one(&mut self, pairs: Vec<Pair>) -> Result<Vec<OneVisit>> {
        let before = self.deliveries_before;
        let mut by_file: HashMap<(u32, Option<i64>, bool), u64> = HashMap::default();
        for Pair { goer, stayer } in pairs {
            let goers = self.holders(goer)?;
            let stayers = self.holders(stayer)?;
            let (id, fingerprint, occurrence): (Option<String>, i64, i64) = self.conn.query_row(
                "SELECT id, fingerprint, occurrence FROM deliveries WHERE key = ?1",
                args![goer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if stayer <= before {
                self.conn
                    .execute(KEEP_CHANGED, args![self.command, stayer])?;
            }
            if goer <= before {
                self.conn.execute(KEEP_HOLDS, args![self.command, goer])?;
                self.conn.execute(KEEP_REMOVED, args![self.command, goer])?;
            }
            self.conn
                .execute(HOLD_AS, args![goer, stayer, self.command])?;
            self.conn.execute(
                "DELETE FROM holds WHERE kind = 3 AND record = ?1",
                args![goer],
            )?;
            self.conn
                .execute("DELETE FROM deliveries WHERE key = ?1", args![goer])?;
            match &id {
                // The stayer has none: it takes the goer's.
                Some(id) => self.conn.execute(
                    "UPDATE deliveries SET id = ?1 WHERE key = ?2",
                    args![id.as_str(), stayer],
                )?,
                // The stayer has one: it takes the goer's place, where the
                // sheet without ids finds it.
                None => self.conn.execute(
                    "UPDATE deliveries SET fingerprint = ?1, occurrence = ?2 WHERE key = ?3",
                    args![fingerprint, occurrence, stayer],
                )?,
            };
            for ((_, kind), seen) in self.versions.iter_mut() {
                if *kind == Kind::Deliveries && seen.remove(goer) {
                    seen.insert(stayer);
                }
            }
            if goer > before {
                if let Some(file) = self.file_of(goer) {
                    let other = stayers
                        .iter()
                        .copied()
                        .find(|l| *l != 0 && !goers.contains(l));
                    let other = other.or_else(|| stayers.iter().copied().find(|l| *l != 0));
                    *by_file.entry((file, other, id.is_none())).or_default() += 1;
                }
            }
        }
        if !by_file.is_empty() && self.conn.dialect() == Dialect::Postgres {
            // The next import's keys as SQLite's: after the largest left.
            self.conn.batch("SELECT bangfu.sync_keys()")?;
        }
        let mut all = Vec::with_capacity(by_file.len());
        for ((file, ledger, with_ids), count) in by_file {
            let ledger = match ledger {
                Some(key) => Some(self.ledger_name(key)?),
                None => None,
            };
            all.push(OneVisit {
                file,
                ledger,
                with_ids,
                count,
            });
        }
        all.sort_unstable_by(|a, b| (a.file, &a.ledger).cmp(&(b.file, &b.ledger)));
        Ok(all)
    }
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

/// Whether this import (keys above ?1) added a row without an id.
const NEW_WITHOUT_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key > ?1 AND id IS NULL)";
/// Whether a row without one was stored before it.
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
/// The rows with an id of keys ?1 to ?2 (new rows: they are all an
/// import's from some key on).
const NEW_WITH_IDS_CONTENT: &str = content!(
    "deliveries d",
    "d.key BETWEEN ?1 AND ?2 AND d.id IS NOT NULL"
);
/// The rows with an id of the keys in the list that follows.
const CHANGED_WITH_IDS_CONTENT: &str = content!("deliveries d", "d.id IS NOT NULL AND d.key IN");
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
/// The ledgers that hold delivery ?1: its own row's, and its holds'.
const HOLDERS: &str = "SELECT coalesce(ledger, 0) FROM deliveries WHERE key = ?1
     UNION SELECT ledger FROM holds WHERE kind = 3 AND record = ?1";
/// Every ledger that holds delivery ?1 and is one, held by import ?3 to
/// hold delivery ?2 (where its own row does not say so already).
const HOLD_AS: &str = "INSERT INTO holds (kind, record, ledger, added)
     SELECT 3, CAST(?2 AS BIGINT), l.ledger, CAST(?3 AS BIGINT)
     FROM (SELECT coalesce(ledger, 0) AS ledger FROM deliveries WHERE key = ?1
           UNION SELECT ledger FROM holds WHERE kind = 3 AND record = ?1) l
     WHERE l.ledger <> 0
       AND l.ledger <> (SELECT coalesce(ledger, 0) FROM deliveries WHERE key = ?2)
     ON CONFLICT DO NOTHING";
/// Stored delivery ?2 as it was before import ?1 changed it (the first
/// change kept: a row changed twice goes back to before both).
const KEEP_CHANGED: &str = "INSERT INTO undo_deliveries
     (command, key, removed, day, fingerprint, occurrence, id, member, household,
      category, goods, cash, note, added)
     SELECT CAST(?1 AS BIGINT), key, 0, day, fingerprint, occurrence, id, member, household,
            category, goods, cash, note, added
     FROM deliveries WHERE key = ?2
     ON CONFLICT DO NOTHING";
/// Stored delivery ?2, deleted by import ?1, for undo to put back.
const KEEP_REMOVED: &str = "INSERT INTO undo_deliveries
     (command, key, removed, day, fingerprint, occurrence, id, member, household,
      category, goods, cash, note, added)
     SELECT CAST(?1 AS BIGINT), key, 1, day, fingerprint, occurrence, id, member, household,
            category, goods, cash, note, added
     FROM deliveries WHERE key = ?2
     ON CONFLICT (command, key) DO UPDATE SET removed = 1";
/// The holds of stored delivery ?2 that import ?1 drops, its own row's
/// among them, for undo to put back.
const KEEP_HOLDS: &str = "INSERT INTO undo_holds (command, kind, record, ledger, added)
     SELECT CAST(?1 AS BIGINT), 3, record, ledger, added FROM (
         SELECT key AS record, ledger, added FROM deliveries WHERE key = ?2 AND ledger IS NOT NULL
         UNION ALL SELECT record, ledger, added FROM holds WHERE kind = 3 AND record = ?2) h
     WHERE true
     ON CONFLICT DO NOTHING";
