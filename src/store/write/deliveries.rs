//! Deliveries: resolved on the reading thread, written in chunks of
//! [`CHUNK`] rows a statement, and settled one by one by fingerprint and
//! occurrence where a chunk meets rows already stored (contract §3.4); a
//! delivery with an id of its own is matched by that id.

use super::{Outcome, Refs, WriteError, Writer};
use crate::i18n::store::StoreMsg;
use crate::input::headers::Field;
use crate::records::{CellProblem, Delivery};
use crate::values::{Category, Fen};
use rusqlite::{params, Connection, OptionalExtension, Statement};
use rustc_hash::FxHashMap as HashMap;

impl Refs {
    /// A delivery with its references resolved and, without an id of its
    /// own, its fingerprint.
    pub fn delivery(&self, d: &Delivery<'_>) -> Result<Resolved, Vec<CellProblem>> {
        let ((member, member_id), (household, household_id)) =
            self.pair(&d.member, &d.household)?;
        let fingerprint = match d.id.as_deref() {
            None => fingerprint(d, member_id, household_id) as i64,
            Some(id) => id_fingerprint(id),
        };
        Ok(Resolved {
            id: d.id.as_deref().map(str::to_string),
            day: d.date.days(),
            member,
            household,
            category: d.category,
            goods: d.goods,
            cash: d.cash,
            fingerprint,
        })
    }
}

/// A delivery ready to be written, all but its note (which the writer
/// reads from the row, rather than copying it between threads).
#[derive(Debug, Clone)]
pub struct Resolved {
    id: Option<String>,
    day: i32,
    member: i64,
    household: i64,
    category: Category,
    pub goods: Fen,
    pub cash: Fen,
    fingerprint: i64,
}

impl<'c> Writer<'c> {
    /// Insert or update a delivery: by its id where it has one, else by
    /// fingerprint and occurrence within the file.
    pub fn delivery(&mut self, r: &Resolved, note: Option<&str>) -> Result<(), WriteError> {
        match &r.id {
            Some(id) => {
                let settled = self.delivery_with_id(r, id, note);
                self.counted(settled)
            }
            None => Ok(self.enqueue(r, note)?),
        }
    }

    /// A delivery with the file's own record id: inserted, or updated in
    /// place, and claimed for this file (an id may stand once in a file).
    /// Its place in the table is (day, the id's hash, occurrence 0); should
    /// another id's hash share the day, it takes occurrence -1, -2, ….
    fn delivery_with_id(
        &mut self,
        r: &Resolved,
        id: &str,
        note: Option<&str>,
    ) -> Result<Outcome, WriteError> {
        let batch = self.mark(0);
        let claimed: Option<i64> = self
            .conn
            .prepare_cached("SELECT batch FROM deliveries WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        let Some(claimed) = claimed else {
            let insert = &mut self.insert_delivery;
            bind_delivery(insert, r, note, batch)?;
            for occurrence in 0_i64.. {
                insert.raw_bind_parameter(10, -occurrence)?;
                if insert.raw_execute()? > 0 {
                    break;
                }
            }
            return Ok(Outcome::New);
        };
        if marked_by(claimed, self.batch) {
            let id = id.to_string();
            return Err(self.rejected(Field::Id, StoreMsg::RecordIdAgain { id }));
        }
        let mut update = self.conn.prepare_cached(
            "UPDATE deliveries SET day = ?1, member = ?2, household = ?3, category = ?4,
             goods = ?5, cash = ?6, note = ?7, batch = ?8, fingerprint = ?9, occurrence = ?10
             WHERE id = ?11 AND (day, member, household, category, goods, cash, note)
                 IS NOT (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        bind_delivery(&mut update, r, note, batch)?;
        for occurrence in 0_i64.. {
            update.raw_bind_parameter(10, -occurrence)?;
            match update.raw_execute() {
                Ok(0) => break,
                Ok(_) => return Ok(Outcome::Updated),
                // Its new day holds another id's row at this place.
                Err(e) if place_taken(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.conn
            .prepare_cached("UPDATE deliveries SET batch = ?2 WHERE id = ?1")?
            .execute(params![id, batch])?;
        Ok(Outcome::Unchanged)
    }

    /// Queue a delivery without id; a full queue is inserted as one chunk.
    fn enqueue(&mut self, r: &Resolved, note: Option<&str>) -> rusqlite::Result<()> {
        let start = self.queue_notes.len();
        self.queue_notes.push_str(note.unwrap_or(""));
        self.queue.push((r.clone(), start..self.queue_notes.len()));
        if self.queue.len() == CHUNK {
            self.insert_chunk()?;
        }
        Ok(())
    }

    /// Insert the queued deliveries, each at occurrence 1, with one
    /// statement: a million single-row inserts spend a fifth of their time
    /// starting and ending statements, and each one finds its place from
    /// the root of the table, where one statement keeps its place on the
    /// last page. When every row went in, each is new. When some place was
    /// taken (a row stored before, or a repeat within the chunk), each row
    /// of the chunk is settled in order as if written alone, the rows the
    /// chunk did insert told by the chunk's mark.
    fn insert_chunk(&mut self) -> rusqlite::Result<()> {
        self.chunks += 1;
        let mark = self.mark(self.chunks);
        let stmt = &mut self.insert_chunk;
        stmt.raw_bind_parameter(1, mark)?;
        for (i, (r, note)) in self.queue.iter().enumerate() {
            let at = 2 + i * CHUNK_COLUMNS;
            let note = self.queue_notes.get(note.clone()).filter(|n| !n.is_empty());
            stmt.raw_bind_parameter(at, r.day)?;
            stmt.raw_bind_parameter(at + 1, r.member)?;
            stmt.raw_bind_parameter(at + 2, r.household)?;
            stmt.raw_bind_parameter(at + 3, r.category.index())?;
            stmt.raw_bind_parameter(at + 4, r.goods.0)?;
            stmt.raw_bind_parameter(at + 5, r.cash.0)?;
            stmt.raw_bind_parameter(at + 6, note)?;
            stmt.raw_bind_parameter(at + 7, r.fingerprint)?;
        }
        if stmt.raw_execute()? < CHUNK {
            return self.settle_queue(Some(mark));
        }
        self.tally.new += CHUNK as u64;
        self.queue.clear();
        self.queue_notes.clear();
        Ok(())
    }

    /// Settle the queued deliveries one by one, in order (see [`settle`]),
    /// and empty the queue.
    pub(super) fn settle_queue(&mut self, chunk: Option<i64>) -> rusqlite::Result<()> {
        let mut s = Settling {
            file: self.batch,
            claim: self.mark(0),
            insert: &mut self.insert_delivery,
            stored_mark: &mut self.stored_mark,
            mark: &mut self.mark_delivery,
            repeats: &mut self.repeats,
        };
        for (r, note) in &self.queue {
            let note = self.queue_notes.get(note.clone()).filter(|n| !n.is_empty());
            self.tally.count(settle(&mut s, r, note, chunk)?);
        }
        self.queue.clear();
        self.queue_notes.clear();
        // TEMP deliveries hook: at the end of the file, every delivery it
        // inserted or matched (marked with its batch) is held and listed.
        if chunk.is_none() {
            let keys: Vec<i64> = (self
                .conn
                .prepare_cached("SELECT key FROM deliveries WHERE batch >> 32 = ?1")?)
            .query_map([self.batch], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
            for key in keys {
                self.hold(crate::input::headers::Kind::Deliveries, key)?;
            }
        }
        Ok(())
    }
}

/// What settling a delivery without id needs from the writer.
struct Settling<'w, 'c> {
    /// The file's batch number, and the mark of the rows it claims.
    file: i64,
    claim: i64,
    insert: &'w mut Statement<'c>,
    stored_mark: &'w mut Statement<'c>,
    mark: &'w mut Statement<'c>,
    repeats: &'w mut HashMap<(i32, i64), i64>,
}

/// A delivery without id, by fingerprint and occurrence (contract §3.4): the
/// k-th row of a file with one fingerprint is occurrence k. Rather than
/// counting every fingerprint of the file in memory, each stored row a
/// file inserts or matches carries the file's mark: the row takes the
/// first occurrence that no row of this file has taken. A free place is
/// inserted (new); a row of an earlier import is claimed (unchanged); and
/// a row that `chunk`, this row's own chunk, inserted is this row's (new),
/// claimed so that a repeat of it in the chunk goes on to the next.
///
/// The occurrences a file has taken at a place are always 1 to some k (each
/// row takes the first one free to it), so a place taken more than once
/// goes in [`Settling::repeats`] with k + 1, where its next row starts:
/// counting from 1 each time made a file of n identical rows n²/2 lookups
/// (docs/BENCHMARKS.md has the figures). Only places a
/// file repeats are held, few in clerks' files, one for a file of
/// identical rows.
fn settle(
    s: &mut Settling<'_, '_>,
    r: &Resolved,
    note: Option<&str>,
    chunk: Option<i64>,
) -> rusqlite::Result<Outcome> {
    let at = (r.day, r.fingerprint);
    let mut occurrence: i64 = s.repeats.get(&at).copied().unwrap_or(1);
    let outcome = loop {
        let place = (r.day, r.fingerprint, occurrence);
        let stored: Option<i64> = s
            .stored_mark
            .query_row(place, |row| row.get(0))
            .optional()?;
        let outcome = match stored {
            None => {
                bind_delivery(s.insert, r, note, s.claim)?;
                s.insert.raw_bind_parameter(10, occurrence)?;
                if s.insert.raw_execute()? > 0 {
                    break Outcome::New;
                }
                // Taken by a row the lookup does not see (one with an id
                // at this occurrence, which no schema writes): move on.
                occurrence += 1;
                continue;
            }
            Some(mark) if Some(mark) == chunk => Outcome::New,
            Some(mark) if !marked_by(mark, s.file) => Outcome::Unchanged,
            Some(_) => {
                occurrence += 1;
                continue;
            }
        };
        s.mark
            .execute(params![place.0, place.1, place.2, s.claim])?;
        break outcome;
    };
    if occurrence > 1 {
        s.repeats.insert(at, occurrence + 1);
    }
    Ok(outcome)
}

/// Deliveries without id are inserted this many to a statement; 64 was the
/// fastest of 8, 64 and 256 on a million rows.
pub(super) const CHUNK: usize = 64;

/// The values of each row of a chunk: day, member, household, category,
/// goods, cash, note, fingerprint.
const CHUNK_COLUMNS: usize = 8;

/// The parameter of a chunk's insert that holds the import's number.
const ADDED: usize = 2 + CHUNK * CHUNK_COLUMNS;

/// Insert a full chunk of deliveries without id at occurrence 1; ?1 is the
/// chunk's mark. `OR IGNORE` rather than `ON CONFLICT DO NOTHING`: with it
/// no row can fail the statement halfway, so SQLite keeps no statement
/// journal (with one, every page a chunk touched was copied first).
fn insert_chunk_sql() -> String {
    let rows: Vec<String> = (0..CHUNK)
        .map(|i| {
            let at = 2 + i * CHUNK_COLUMNS;
            let values: Vec<String> = (at..at + CHUNK_COLUMNS).map(|p| format!("?{p}")).collect();
            format!("({}, ?1, 1, ?{ADDED})", values.join(", "))
        })
        .collect();
    format!(
        "INSERT OR IGNORE INTO deliveries
         (day, member, household, category, goods, cash, note, fingerprint, batch, occurrence, added)
         VALUES {}",
        rows.join(", ")
    )
}

/// Every new delivery, at its place (day, fingerprint, occurrence), with
/// or without an id. A place already taken inserts nothing: the caller
/// tries the next occurrence or claims the stored row.
const INSERT_DELIVERY: &str = "INSERT INTO deliveries
     (day, member, household, category, goods, cash, note, batch, fingerprint, occurrence, id, added)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
     ON CONFLICT (day, fingerprint, occurrence) DO NOTHING";

/// The statements every delivery without id runs, prepared once per
/// import.
pub(super) struct Statements<'c> {
    pub insert_delivery: Statement<'c>,
    pub insert_chunk: Statement<'c>,
    pub stored_mark: Statement<'c>,
    pub mark_delivery: Statement<'c>,
}

impl<'c> Statements<'c> {
    /// The statements of import number `command`, which every row they
    /// add carries (bound once: bindings stay until bound again).
    pub fn prepare(conn: &'c Connection, command: i64) -> rusqlite::Result<Statements<'c>> {
        let mut insert_delivery = conn.prepare(INSERT_DELIVERY)?;
        insert_delivery.raw_bind_parameter(12, command)?;
        let mut insert_chunk = conn.prepare(&insert_chunk_sql())?;
        insert_chunk.raw_bind_parameter(ADDED, command)?;
        Ok(Statements {
            insert_delivery,
            insert_chunk,
            stored_mark: conn.prepare(
                "SELECT batch FROM deliveries
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3 AND id IS NULL",
            )?,
            mark_delivery: conn.prepare(
                "UPDATE deliveries SET batch = ?4
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3 AND id IS NULL",
            )?,
        })
    }
}

/// Bind a delivery's values, its note, its mark, its fingerprint and its
/// id to ?1–?9 and ?11, their places in every statement that writes one
/// row; ?10, the occurrence, is bound by the caller, which may try several.
/// (Bindings stay until bound again.)
fn bind_delivery(
    stmt: &mut Statement<'_>,
    r: &Resolved,
    note: Option<&str>,
    mark: i64,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, r.day)?;
    stmt.raw_bind_parameter(2, r.member)?;
    stmt.raw_bind_parameter(3, r.household)?;
    stmt.raw_bind_parameter(4, r.category.index())?;
    stmt.raw_bind_parameter(5, r.goods.0)?;
    stmt.raw_bind_parameter(6, r.cash.0)?;
    stmt.raw_bind_parameter(7, note)?;
    stmt.raw_bind_parameter(8, mark)?;
    stmt.raw_bind_parameter(9, r.fingerprint)?;
    stmt.raw_bind_parameter(11, r.id.as_deref())
}

/// Whether `mark` is one that the file numbered `file` gave (see
/// [`Writer::mark`]).
fn marked_by(mark: i64, file: i64) -> bool {
    mark >> 32 == file
}

/// Whether a write failed because its (day, fingerprint, occurrence) is
/// another row's.
fn place_taken(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Where a delivery with an id of its own is stored among a day's
/// deliveries: the id's hash (xxh3), in place of a fingerprint.
pub fn id_fingerprint(id: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes()) as i64
}

/// The fingerprint of a delivery without id: its normalised values, with
/// references resolved to ids (contract §3.4). Stable across versions: xxh3 of
/// a length-prefixed encoding, laid out in one buffer and hashed at once
/// (the same value as feeding the parts to a streaming hasher, at a third
/// of the cost).
pub fn fingerprint(d: &Delivery<'_>, member_id: &str, household_id: &str) -> u64 {
    let texts = [member_id, household_id, d.note.as_deref().unwrap_or("")];
    let mut bytes =
        Vec::with_capacity(4 + 1 + 16 + texts.iter().map(|t| 4 + t.len()).sum::<usize>());
    bytes.extend_from_slice(&d.date.days().to_le_bytes());
    for text in texts {
        bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    bytes.push(d.category.index());
    bytes.extend_from_slice(&d.goods.0.to_le_bytes());
    bytes.extend_from_slice(&d.cash.0.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::write::Tally;
    use crate::store::Store;
    use crate::values::Date;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A delivery without id on `day` whose values hash to `fingerprint`
    /// (the writer trusts the fingerprint it is given).
    fn row(day: i32, fingerprint: i64) -> Resolved {
        Resolved {
            id: None,
            day,
            member: 1,
            household: 1,
            category: Category::Warmth,
            goods: Fen(fingerprint * 100),
            cash: Fen(0),
            fingerprint,
        }
    }

    /// Import `files` (rows as (day, fingerprint)) in turn, `per_import`
    /// files to an import (one transaction, as `bangfu import a b c`); the
    /// tally of each file.
    fn import_all(store: &mut Store, files: &[Vec<(i32, i64)>], per_import: usize) -> Vec<Tally> {
        let mut tallies = Vec::new();
        for group in files.chunks(per_import.max(1)) {
            let tx = store.conn.transaction().unwrap();
            {
                let mut writer = Writer::new(&tx, Date::parse("2003-06-30").unwrap()).unwrap();
                for file in group {
                    writer
                        .begin_file(&crate::values::LedgerName::default())
                        .unwrap();
                    for &(day, fingerprint) in file {
                        let written = writer.delivery(&row(day, fingerprint), Some("走访"));
                        written.unwrap();
                    }
                    tallies.push(writer.end_file().unwrap());
                }
                // One log row a file, as the importer writes: the next
                // import's batch numbers come from it.
                for _ in group {
                    log_one_file(&tx);
                }
            }
            tx.commit().unwrap();
        }
        tallies
    }

    fn log_one_file(conn: &Connection) {
        conn.execute(
            "INSERT INTO imports (at, file, kind, rows_read, new, updated, unchanged, skipped, rejected)
             VALUES ('', 'f', 'deliveries', 0, 0, 0, 0, 0, 0)",
            [],
        )
        .unwrap();
    }

    /// What an earlier bangfu, which marked rows with the plain batch
    /// number, left after importing a file with `counts` of each place.
    fn stored_by_an_older_bangfu(store: &Store, counts: &BTreeMap<(i32, i64), u64>) {
        for (&(day, fingerprint), &n) in counts {
            for occurrence in 1..=n as i64 {
                store
                    .conn
                    .execute(
                        "INSERT INTO deliveries
                         (day, member, household, category, goods, note, batch, fingerprint, occurrence)
                         VALUES (?1, 1, 1, 4, ?2, '走访', 1, ?2, ?3)",
                        params![day, fingerprint, occurrence],
                    )
                    .unwrap();
            }
        }
        log_one_file(&store.conn);
    }

    fn store_with_one_pair() -> Store {
        let store = Store::in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
                 INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');",
            )
            .unwrap();
        store
    }

    /// Per place (day, fingerprint): the occurrences stored.
    fn stored(store: &Store) -> BTreeMap<(i32, i64), Vec<i64>> {
        let mut stmt = store
            .conn
            .prepare("SELECT day, fingerprint, occurrence FROM deliveries ORDER BY 1, 2, 3")
            .unwrap();
        let mut places: BTreeMap<(i32, i64), Vec<i64>> = BTreeMap::new();
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .unwrap();
        for row in rows {
            let (place, occurrence) = row.unwrap();
            places.entry(place).or_default().push(occurrence);
        }
        places
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// contract §3.4 as a model: a file holding a row k times leaves it
        /// stored max(k, stored before) times, occurrences 1 to that; of
        /// the file's k, min(k, stored before) are unchanged and the rest
        /// new — however the rows fall into chunks, repeats within one
        /// chunk, across chunks and in the rows left at the file's end.
        #[test]
        fn chunked_inserts_count_repeats_as_rows_written_one_by_one(
            spread in prop::sample::select(vec![6_i64, 60, 1 << 40]),
            drawn in prop::collection::vec(
                (prop::collection::vec((0..3i32, any::<i64>()), 0..300), 0..200usize),
                1..5,
            ),
            older in prop::collection::vec((0..3i32, any::<i64>()), 0..100),
            per_import in 1..3usize,
        ) {
            // Each file: rows over `spread` fingerprints a day (few: every
            // chunk repeats a row; many: chunks go in whole), then its
            // first rows again, so that rows a whole chunk inserted come
            // back later in the file.
            let place = |(d, f): (i32, i64)| (d, f.rem_euclid(spread));
            let files: Vec<Vec<(i32, i64)>> = drawn
                .into_iter()
                .map(|(rows, again)| {
                    let rows: Vec<(i32, i64)> = rows.into_iter().map(place).collect();
                    let again = again.min(rows.len());
                    [&rows[..], &rows[..again]].concat()
                })
                .collect();
            let mut store = store_with_one_pair();
            // The model: how many rows each place holds.
            let mut model: BTreeMap<(i32, i64), u64> = BTreeMap::new();
            for &p in &older {
                *model.entry(place(p)).or_default() += 1;
            }
            stored_by_an_older_bangfu(&store, &model);
            let tallies = import_all(&mut store, &files, per_import);
            for (file, tally) in files.iter().zip(&tallies) {
                let mut counts: BTreeMap<(i32, i64), u64> = BTreeMap::new();
                for &place in file {
                    *counts.entry(place).or_default() += 1;
                }
                let mut expected = Tally::default();
                for (place, k) in counts {
                    let before = model.entry(place).or_default();
                    expected.unchanged += k.min(*before);
                    expected.new += k.saturating_sub(*before);
                    *before = (*before).max(k);
                }
                prop_assert_eq!(*tally, expected);
            }
            let want: BTreeMap<(i32, i64), Vec<i64>> = model
                .into_iter()
                .filter(|&(_, n)| n > 0)
                .map(|(place, n)| (place, (1..=n as i64).collect()))
                .collect();
            prop_assert_eq!(stored(&store), want);
        }
    }

    #[test]
    fn fingerprints_stay_what_earlier_versions_stored() {
        // Stored fingerprints must match the rows of later files: these
        // values were computed by the version that first stored them.
        let delivery = |note| Delivery {
            id: None,
            date: Date::parse("2024-03-05").unwrap(),
            member: "M001".into(),
            household: "H4307000001".into(),
            category: Category::Warmth,
            goods: Fen(68_810),
            cash: Fen(0),
            note,
        };
        let print = |d: &Delivery<'_>| fingerprint(d, "M001", "H4307000001");
        assert_eq!(print(&delivery(None)), 0x6f3f9da8bae44c60);
        assert_eq!(
            print(&delivery(Some("看望生病老人，已登记台账".into()))),
            0x843103338aa5dff7
        );
        let long = "送慰问品".repeat(100);
        assert_eq!(
            print(&delivery(Some(long.as_str().into()))),
            0x303c5eee36e703d5
        );
    }

    #[test]
    fn a_file_of_identical_rows_looks_up_each_row_about_once() {
        // Each row of n identical ones once started from occurrence 1:
        // n²/2 lookups. Now about one a row, in a first import and again.
        let mut store = store_with_one_pair();
        let n = 2_000;
        let tx = store.conn.transaction().unwrap();
        let mut writer = Writer::new(&tx, Date::parse("2003-06-30").unwrap()).unwrap();
        for expected in [(n, 0), (0, n)] {
            writer
                .begin_file(&crate::values::LedgerName::default())
                .unwrap();
            for _ in 0..n {
                writer.delivery(&row(7, 1), Some("走访")).unwrap();
            }
            let tally = writer.end_file().unwrap();
            assert_eq!((tally.new, tally.unchanged), expected);
        }
        let lookups = writer
            .stored_mark
            .get_status(rusqlite::StatementStatus::Run);
        assert!(lookups <= 2 * 2 * n as i32 + 10, "{lookups} lookups");
    }

    #[test]
    fn a_full_chunk_of_new_rows_is_marked_with_its_chunk_and_all_new() {
        let mut store = store_with_one_pair();
        let file: Vec<(i32, i64)> = (0..CHUNK as i64).map(|f| (7, f)).collect();
        let marks = |store: &Store| -> Vec<i64> {
            store
                .conn
                .prepare("SELECT DISTINCT batch FROM deliveries")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let all = |new, unchanged| Tally {
            new,
            updated: 0,
            unchanged,
        };
        let first = import_all(&mut store, std::slice::from_ref(&file), 1);
        assert_eq!(first, [all(CHUNK as u64, 0)]);
        // File 1, chunk 1.
        assert_eq!(marks(&store), [(1 << 32) | 1]);
        let again = import_all(&mut store, &[file], 1);
        assert_eq!(again, [all(0, CHUNK as u64)]);
        // File 2 claimed every row: chunk 0.
        assert_eq!(marks(&store), [2 << 32]);
    }
}
