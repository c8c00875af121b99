//! The deliveries without id of one file, imported into PostgreSQL in bulk
//! (issue 17 item 3), inside the import's one transaction. The file's rows
//! are sorted by place on the client, in bounded memory, by the sorter
//! SQLite's path uses ([`crate::store::write::sorted`]); at the end of the
//! file they go to the server one of three ways:
//! - **straight in** ([`Staged::copy_new`]): where no delivery is stored
//!   on any day of the file (a first import, a new period) and the session
//!   is not under row-level security, every row is new. The sorted rows,
//!   their occurrences counted in the stream and their keys given in
//!   order, go by one binary COPY into `deliveries` itself, and their holds
//!   by one statement over the keys. This is most of a first import's
//!   server time saved: no staging table written and read, no sort and
//!   window on the server, COPY's batched heap inserts instead of an
//!   INSERT … SELECT a row at a time (docs/BENCHMARKS.md). (COPY into a
//!   table under row-level security is refused by the server.)
//! - **matched, then the new ones straight in**
//!   ([`Staged::match_then_copy`]): where some days of the file hold
//!   deliveries (the same file again, a corrected one, another township's
//!   of the same month) and the session is not under row-level security.
//!   Only the places go to a temporary table (by binary COPY, a chunk at a
//!   time, [`super::staging`]); one statement matches them against the
//!   stored ones and holds each matched delivery; then the sorted rows are
//!   read a second time and those not matched go straight in as above.
//! - **staged and settled** under row-level security: each row at its
//!   place, by binary COPY into a temporary table, then one set-based
//!   statement against the stored places that also inserts the new rows,
//!   the one `import OTHER.db` settles its rows at their places with
//!   ([`super::placed`]).
//!
//! The rules are SQLite's sorted path's (store/write/deliveries.rs, contract
//! §3.4 and §8): the k-th row of a (day, fingerprint) in the file is
//! occurrence k, whatever order the file's rows come in (rows of one
//! place hold the same values: the fingerprint hashes them all); a row
//! whose place (day, fingerprint, occurrence) is stored is that delivery,
//! unchanged; a free place is a new delivery, added by the import; every
//! delivery the file inserts or matches is held by the file's ledger (a
//! hold it had keeps its import). New deliveries take their keys in the
//! order of their places, the keys SQLite's sorted path gives them, and the
//! key sequence then continues after the last (contract §9: both backends
//! number records alike).
//!
//! Imports run one after the other under the write lock
//! ([`crate::store::sql::Conn::begin_write`]): what a settle reads of the
//! stored places is what it writes against (also the test that a file's
//! days hold no delivery). A `Staged` works inside that transaction (the
//! staging table goes with it, also when the import fails), one file at a
//! time on a session: a new one empties the staging table a file left
//! unsettled.

use super::placed::{held_by_the_ledger, Placing};
use super::staging::{postgres_only, Stager};
use crate::store::sql::{Conn, Result, SqlError};
use crate::store::write::place_taken_twice;
use crate::store::write::sorted::{spill_failed, Row, Sorter};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};

/// A delivery without id of the current file, resolved.
#[derive(Debug, Clone, Copy)]
pub struct StagedRow<'a> {
    pub day: i32,
    pub fingerprint: i64,
    pub member: i64,
    pub household: i64,
    pub category: u8,
    pub goods: i64,
    pub cash: i64,
    pub note: Option<&'a str>,
}

/// What settling a file's staged rows did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Rows at a free place: inserted.
    pub new: u64,
    /// Rows at a stored place: that delivery.
    pub unchanged: u64,
    /// Every delivery the rows inserted or matched, each once: the new
    /// ones first, in key order.
    pub keys: Vec<i64>,
}

/// One file's rows without id, sorted by place as they come.
#[derive(Debug)]
pub struct Staged {
    sorter: Sorter,
    /// The first and last day of the rows.
    days: Option<(i32, i32)>,
    /// Settle every file on the server, as under row-level security (the
    /// tests of that way, on a session that is not).
    on_the_server: bool,
}

impl Default for Staged {
    fn default() -> Staged {
        // The system's temporary folder: a server's client has no database
        // folder of its own.
        Staged {
            sorter: Sorter::new(None),
            days: None,
            on_the_server: false,
        }
    }
}

/// The columns a new delivery is copied with, in this order.
const COPY_NEW: &str = "COPY bangfu.deliveries
    (key, day, fingerprint, occurrence, member, household, category, goods, cash, note, added,
     ledger)
    FROM STDIN (FORMAT binary)";

/// For a file whose rows lie from day ?1 to day ?2: whether the session
/// is under row-level security (which refuses COPY, and under which the
/// stored rows in sight need not be all), and whether a delivery is
/// stored on one of those days (the place index's day prefix).
const SEEN_FROM_HERE: &str = "SELECT row_security_active('bangfu.deliveries'),
    EXISTS (SELECT 1 FROM deliveries WHERE day BETWEEN ?1 AND ?2)";

/// The session's table of a file's places ([`Staged::match_then_copy`]).
const MATCHED_TABLE: &str = "bangfu_places";

/// The staged places that are stored: each one's rank in the sorted
/// stream (`seq`) and the delivery's key, each such delivery held by the
/// file's ledger ([`held_by_the_ledger`]). A place is stored at most once,
/// and the file's places are each once: every delivery is matched by one
/// row at most. Every staged place is joined (LEFT JOIN) and the
/// unmatched filtered out after: an inner join on three columns the server
/// estimates at a row or two, and plans what follows on that.
const MATCH: &str = concat!(
    "
WITH placed AS (
    SELECT s.seq, d.key AS stored, d.ledger AS stored_ledger
    FROM pg_temp.bangfu_places s
    LEFT JOIN deliveries d
      ON d.day = s.day AND d.fingerprint = s.fingerprint AND d.occurrence = s.occurrence
), ",
    held_by_the_ledger!(),
    "
SELECT seq, stored FROM placed WHERE stored IS NOT NULL"
);

/// The rows of a file's sorted stream that are stored deliveries: a bit a
/// row (by rank), and their keys.
#[derive(Debug, Default)]
struct Matched {
    rows: Vec<u64>,
    keys: Vec<i64>,
    /// How many rows were matched against, if any were.
    staged: Option<u64>,
}

impl Matched {
    /// None of `rows` rows matched yet.
    fn new(rows: u64) -> Matched {
        let words = usize::try_from(rows.div_ceil(64)).unwrap_or(usize::MAX);
        Matched {
            rows: vec![0; words],
            keys: Vec::new(),
            staged: Some(rows),
        }
    }

    /// Whether a second pass of `rows` rows is the one matched (always
    /// so, as a pass hands the same rows: the test of a fault, which
    /// would copy rows as new that were matched, or leave some out).
    fn same_rows(&self, rows: u64) -> Result<()> {
        match self.staged {
            Some(staged) if staged != rows => Err(SqlError::from(place_taken_twice())),
            _ => Ok(()),
        }
    }

    /// The row of rank `seq` is delivery `key`. A rank outside the file,
    /// or one matched twice, would count a row wrong: an error.
    fn add(&mut self, seq: u64, key: i64) -> Result<()> {
        let (word, bit) = (seq / 64, 1_u64 << (seq % 64));
        let in_file = self.staged.is_some_and(|rows| seq < rows);
        let slot = usize::try_from(word)
            .ok()
            .filter(|_| in_file)
            .and_then(|w| self.rows.get_mut(w))
            .filter(|slot| **slot & bit == 0)
            .ok_or_else(|| SqlError::from(place_taken_twice()))?;
        *slot |= bit;
        self.keys.push(key);
        Ok(())
    }

    /// Whether the row of rank `seq` is a stored delivery.
    fn has(&self, seq: u64) -> bool {
        usize::try_from(seq / 64)
            .ok()
            .and_then(|w| self.rows.get(w))
            .is_some_and(|word| word & (1 << (seq % 64)) != 0)
    }
}

impl Staged {
    pub fn new() -> Staged {
        Staged::default()
    }

    /// A row without id of the current file, in file order. An empty note
    /// is no note, as on SQLite's path.
    pub fn push(&mut self, row: &StagedRow<'_>) -> Result<()> {
        let sorted = Row {
            day: row.day,
            fingerprint: row.fingerprint,
            member: row.member,
            household: row.household,
            category: row.category,
            goods: row.goods,
            cash: row.cash,
        };
        (self.sorter)
            .push(sorted, row.note.unwrap_or(""))
            .map_err(spill_failed)?;
        self.days = Some(match self.days {
            None => (row.day, row.day),
            Some((first, last)) => (first.min(row.day), last.max(row.day)),
        });
        Ok(())
    }

    /// The end of the file: settle every staged row (contract §3.4), hold
    /// each by `ledger`, new ones added by import `command`. This `Staged`
    /// is then empty, ready for the next file, whatever the outcome (a
    /// failure fails the import's transaction).
    pub fn settle(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        let Some((first, last)) = self.days.take() else {
            return Ok(Settled::default());
        };
        let settled = conn
            .query_row(SEEN_FROM_HERE, crate::args![first, last], |r| {
                Ok((r.get::<_, bool>(0)?, r.get::<_, bool>(1)?))
            })
            .and_then(
                |(secured, stored)| match (secured || self.on_the_server, stored) {
                    (false, false) => self.copy_new(conn, command, ledger, &Matched::default()),
                    (false, true) => self.match_then_copy(conn, command, ledger),
                    (true, _) => self.stage(conn, command, ledger),
                },
            );
        self.sorter.clear();
        settled
    }

    /// Some days of the file hold deliveries, and every stored row is in
    /// sight: the places alone (four numbers a row) staged and matched
    /// against the stored ones by the server, every matched delivery held
    /// by `ledger` in the same statement ([`MATCH`]); then the rows again,
    /// the new ones copied in as [`Staged::copy_new`] copies a first
    /// import's. Inserting them with the settle's INSERT … SELECT instead
    /// took 7.7–8.1 s of the server's for a million new rows on days that
    /// held others (a township's file beside another's of the same month),
    /// against about 2 s by COPY (docs/BENCHMARKS.md).
    fn match_then_copy(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        let mut stager = Stager::new(MATCHED_TABLE, ["day", "fingerprint", "occurrence"]);
        let mut places = Places::default();
        self.sorter.pass(
            |e| SqlError::from(spill_failed(e)),
            |row, _| {
                let place = [i64::from(row.day), row.fingerprint, places.next(row)];
                stager.push(conn, place, None)
            },
        )?;
        let staged = stager.copy_all(conn)?;
        let mut matched = Matched::new(staged);
        conn.stream(MATCH, crate::args![command, ledger], |r| {
            matched.add(r.get(0)?, r.get(1)?)
        })?;
        conn.batch(&format!("DROP TABLE pg_temp.{MATCHED_TABLE}"))?;
        self.copy_new(conn, command, ledger, &matched)
    }

    /// Every row but the `matched` ones new: copied into `deliveries` in
    /// place order, each at occurrence k of its place (the k-th of the
    /// sorted stream), keyed from the next free key on, held by `ledger`
    /// in its own row (schema 9: no row of `holds` to write).
    fn copy_new(
        &mut self,
        conn: &Conn,
        command: i64,
        ledger: i64,
        matched: &Matched,
    ) -> Result<Settled> {
        let own = crate::store::write::own_hold(ledger);
        let base: i64 = conn.value(
            "SELECT nextval(pg_get_serial_sequence('deliveries', 'key'))",
            crate::args![],
        )?;
        let sorter = &mut self.sorter;
        let copied = postgres_only(conn, |pg| {
            let sink = pg.client.copy_in(COPY_NEW)?;
            let mut types = vec![Type::INT8; 9];
            types.extend([Type::TEXT, Type::INT8, Type::INT8]);
            let mut writer = BinaryCopyInWriter::new(sink, &types);
            let (mut key, mut places, mut nth) = (base, Places::default(), 0);
            sorter.finish(
                |e| SqlError::from(spill_failed(e)),
                |row, note| {
                    let occurrence = places.next(row);
                    let seq = nth;
                    nth += 1;
                    if matched.has(seq) {
                        return Ok(());
                    }
                    let note = Some(note).filter(|n| !n.is_empty());
                    let values: [&(dyn ToSql + Sync); 12] = [
                        &key,
                        &i64::from(row.day),
                        &row.fingerprint,
                        &occurrence,
                        &row.member,
                        &row.household,
                        &i64::from(row.category),
                        &row.goods,
                        &row.cash,
                        &note,
                        &command,
                        &own,
                    ];
                    writer.write(&values)?;
                    key += 1;
                    Ok(())
                },
            )?;
            matched.same_rows(nth)?;
            Ok(writer.finish()?)
        })?;
        let next = base.saturating_add(copied as i64);
        conn.batch("SELECT bangfu.sync_keys()")?;
        let mut keys: Vec<i64> = (base..next).collect();
        keys.extend_from_slice(&matched.keys);
        Ok(Settled {
            new: copied,
            unchanged: matched.keys.len() as u64,
            keys,
        })
    }

    /// Some days of the file hold deliveries: the sorted rows, each at
    /// its place, staged on the server in place order and settled there
    /// against the stored places (the merge's statement, [`super::placed`]:
    /// new rows keyed in the order they were staged).
    fn stage(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        let mut placing = Placing::new();
        let mut places = Places::default();
        self.sorter.finish(
            |e| SqlError::from(spill_failed(e)),
            |row, note| {
                let values = [
                    i64::from(row.day),
                    row.fingerprint,
                    places.next(row),
                    row.member,
                    row.household,
                    i64::from(row.category),
                    row.goods,
                    row.cash,
                ];
                placing.push_values(conn, values, Some(note).filter(|n| !n.is_empty()))
            },
        )?;
        placing.settle(conn, command, ledger)
    }
}

/// The occurrences of the sorted stream of a file's rows: the k-th row of
/// a (day, fingerprint) in a row is occurrence k (contract §3.4).
#[derive(Debug, Default)]
struct Places {
    last: Option<(i32, i64, i64)>,
}

impl Places {
    /// The occurrence of the next row of the stream.
    fn next(&mut self, row: &Row) -> i64 {
        let occurrence = match self.last {
            Some((day, fingerprint, k)) if (day, fingerprint) == row.key() => k + 1,
            _ => 1,
        };
        self.last = Some((row.day, row.fingerprint, occurrence));
        occurrence
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::{self, connect::Target, tests::Scratch};
    use crate::store::write::sorted::RUN_ROWS;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A database with bangfu's schema, one household, one member and two
    /// ledgers (1: 三月, 2: 乡里); the session goes before the database.
    struct Db {
        conn: Conn,
        _scratch: Scratch,
    }

    fn database() -> Option<Db> {
        let scratch = Scratch::new()?;
        let conn = pg::session(&Target::parse(&scratch.url).unwrap()).unwrap();
        pg::create(&conn).unwrap();
        conn.batch(
            "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
             INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');
             INSERT INTO ledgers (key, name) VALUES (1, '三月'), (2, '乡里')",
        )
        .unwrap();
        Some(Db {
            conn,
            _scratch: scratch,
        })
    }

    /// A row on `day` whose values hash to `fingerprint` (the settle trusts
    /// the fingerprint it is given); every other one has a note.
    fn row(day: i32, fingerprint: i64) -> StagedRow<'static> {
        StagedRow {
            day,
            fingerprint,
            member: 1,
            household: 1,
            category: 4,
            goods: fingerprint.wrapping_mul(100),
            cash: 0,
            note: (fingerprint % 2 == 0).then_some("走访"),
        }
    }

    /// Import `files`, their rows as (day, fingerprint), in one transaction
    /// as import `command`, each file into its ledger; each file's outcome.
    fn import(conn: &Conn, command: i64, files: &[(i64, &[(i32, i64)])]) -> Vec<Settled> {
        import_settled(conn, command, files, false)
    }

    /// [`import`], every file settled on the server if `on_the_server`.
    fn import_settled(
        conn: &Conn,
        command: i64,
        files: &[(i64, &[(i32, i64)])],
        on_the_server: bool,
    ) -> Vec<Settled> {
        conn.begin_write().unwrap();
        let mut staged = Staged::new();
        staged.on_the_server = on_the_server;
        let settled = files
            .iter()
            .map(|&(ledger, rows)| {
                for &(day, fingerprint) in rows {
                    staged.push(&row(day, fingerprint)).unwrap();
                }
                staged.settle(conn, command, ledger).unwrap()
            })
            .collect();
        conn.commit().unwrap();
        settled
    }

    fn import_one(conn: &Conn, command: i64, ledger: i64, rows: &[(i32, i64)]) -> Settled {
        import(conn, command, &[(ledger, rows)]).remove(0)
    }

    /// Per place (day, fingerprint): the occurrences stored.
    fn stored(conn: &Conn) -> BTreeMap<(i32, i64), Vec<i64>> {
        let mut places: BTreeMap<(i32, i64), Vec<i64>> = BTreeMap::new();
        conn.each(
            "SELECT day, fingerprint, occurrence FROM deliveries ORDER BY 1, 2, 3",
            crate::args![],
            |r| {
                places
                    .entry((r.get(0)?, r.get(1)?))
                    .or_default()
                    .push(r.get(2)?);
                Ok(())
            },
        )
        .unwrap();
        places
    }

    /// Every hold of a delivery: (key, ledger, added), in order.
    fn holds(conn: &Conn) -> Vec<(i64, i64, i64)> {
        conn.collect(
            concat!(
                "SELECT record, ledger, added FROM ",
                held!(),
                " h WHERE kind = 3 ORDER BY 1, 2"
            ),
            crate::args![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    }

    /// Every delivery's key, in place order.
    fn keys_by_place(conn: &Conn) -> Vec<i64> {
        conn.collect(
            "SELECT key FROM deliveries ORDER BY day, fingerprint, occurrence",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// The model of contract §3.4: per place, the occurrences a file of
    /// `rows` leaves stored over `before`, and its (new, unchanged).
    fn model(before: &mut BTreeMap<(i32, i64), u64>, rows: &[(i32, i64)]) -> (u64, u64) {
        let mut counts: BTreeMap<(i32, i64), u64> = BTreeMap::new();
        for &place in rows {
            *counts.entry(place).or_default() += 1;
        }
        let (mut new, mut unchanged) = (0, 0);
        for (place, k) in counts {
            let stored = before.entry(place).or_default();
            unchanged += k.min(*stored);
            new += k.saturating_sub(*stored);
            *stored = (*stored).max(k);
        }
        (new, unchanged)
    }

    fn occurrences(model: &BTreeMap<(i32, i64), u64>) -> BTreeMap<(i32, i64), Vec<i64>> {
        model
            .iter()
            .filter(|&(_, &n)| n > 0)
            .map(|(&place, &n)| (place, (1..=n as i64).collect()))
            .collect()
    }

    /// `rows` in another order, the same every run.
    fn shuffled(rows: &[(i32, i64)], seed: u64) -> Vec<(i32, i64)> {
        let mut rows = rows.to_vec();
        let mut state = seed | 1;
        for i in (1..rows.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            rows.swap(i, (state % (i as u64 + 1)) as usize);
        }
        rows
    }

    /// Rows over 3 days and 5 fingerprints a day, some places several times.
    fn a_file() -> Vec<(i32, i64)> {
        (0..60_i32).map(|i| (i % 3, i64::from(i * i % 5))).collect()
    }

    #[test]
    fn a_row_matched_twice_or_outside_the_file_or_a_pass_of_another_length_fails() {
        let mut matched = Matched::new(70);
        matched.add(0, 10).unwrap();
        matched.add(69, 11).unwrap();
        assert!(matched.has(0) && matched.has(69) && !matched.has(1));
        assert!(matched.add(69, 12).is_err(), "matched twice");
        assert!(matched.add(70, 13).is_err(), "outside the file");
        assert!(matched.add(128, 13).is_err(), "outside the file");
        assert_eq!(matched.keys, [10, 11]);
        matched.same_rows(70).unwrap();
        assert!(matched.same_rows(69).is_err());
        assert!(matched.same_rows(71).is_err());
        // A file copied without matching has no rows to agree with.
        Matched::default().same_rows(5).unwrap();
    }

    #[test]
    fn a_file_is_new_then_unchanged_and_so_in_any_order() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let file = a_file();
        let mut want = BTreeMap::new();
        let first = import_one(conn, 1, 1, &file);
        assert_eq!((first.new, first.unchanged), model(&mut want, &file));
        assert_eq!((first.new, first.unchanged), (60, 0));
        assert_eq!(stored(conn), occurrences(&want));
        let mut all = keys_by_place(conn);
        all.sort_unstable();
        assert_eq!(first.keys, all);
        for (command, rows) in [(2, file.clone()), (3, shuffled(&file, 7))] {
            let again = import_one(conn, command, 1, &rows);
            assert_eq!((again.new, again.unchanged), (0, 60), "{rows:?}");
            let mut keys = again.keys.clone();
            keys.sort_unstable();
            assert_eq!(keys, all, "every delivery matched, each once");
            assert_eq!(stored(conn), occurrences(&want));
        }
    }

    #[test]
    fn identical_rows_are_occurrences_one_to_k_and_one_more_is_new() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let five = vec![(7, 2); 5];
        let first = import_one(conn, 1, 1, &five);
        assert_eq!((first.new, first.unchanged), (5, 0));
        assert_eq!(
            stored(conn),
            BTreeMap::from([((7, 2), vec![1, 2, 3, 4, 5])])
        );
        let again = import_one(conn, 2, 1, &five);
        assert_eq!((again.new, again.unchanged), (0, 5));
        // The sheet with one row more of it, among others.
        let mut six = vec![(7, 2); 6];
        six.extend([(7, 3), (8, 2)]);
        let six = shuffled(&six, 3);
        let more = import_one(conn, 3, 1, &six);
        assert_eq!((more.new, more.unchanged), (3, 5));
        assert_eq!(
            stored(conn),
            BTreeMap::from([
                ((7, 2), vec![1, 2, 3, 4, 5, 6]),
                ((7, 3), vec![1]),
                ((8, 2), vec![1]),
            ])
        );
        // Fewer rows than stored: the first occurrences, nothing new.
        let two = import_one(conn, 4, 2, &[(7, 2), (7, 2)]);
        assert_eq!((two.new, two.unchanged), (0, 2));
        let held_by_two: Vec<i64> = holds(conn)
            .iter()
            .filter(|h| h.1 == 2)
            .map(|h| h.0)
            .collect();
        let first_two: Vec<i64> = keys_by_place(conn).into_iter().take(2).collect();
        assert_eq!(held_by_two, first_two);
    }

    #[test]
    fn rows_of_one_place_far_apart_are_its_occurrences_straight_in_and_staged() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        // Rows at one place with more than a sorter's run of other rows
        // between them (the runs are spilled and merged).
        let others = RUN_ROWS as i64 / 2 + 10;
        let apart = |times: i64| {
            let mut rows = Vec::new();
            for n in 0..times {
                rows.push((7, 1));
                rows.extend((0..others).map(|i| (8, n * others + i)));
            }
            rows
        };
        let occurrences = |conn: &Conn| -> Vec<i64> {
            conn.collect(
                "SELECT occurrence FROM deliveries WHERE day = 7 ORDER BY 1",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap()
        };
        let others = others as u64;
        // No delivery on days 7 and 8 yet: straight in.
        let first = import_one(conn, 1, 1, &apart(3));
        assert_eq!((first.new, first.unchanged), (3 + 3 * others, 0));
        assert_eq!(occurrences(conn), [1, 2, 3]);
        // Against the stored ones: staged, one more at the place is new.
        let again = import_one(conn, 2, 1, &apart(4));
        assert_eq!((again.new, again.unchanged), (1 + others, 3 + 3 * others));
        assert_eq!(occurrences(conn), [1, 2, 3, 4]);
        assert_eq!(holds(conn).len() as u64, 4 + 4 * others);
    }

    #[test]
    fn holds_are_made_once_per_ledger_and_keep_their_import() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let file = a_file();
        import_one(conn, 1, 1, &file);
        import_one(conn, 2, 1, &shuffled(&file, 5));
        let once = holds(conn);
        assert_eq!(once.len(), 60);
        assert!(once
            .iter()
            .all(|&(_, ledger, added)| (ledger, added) == (1, 1)));
        import_one(conn, 3, 2, &file);
        let both = holds(conn);
        assert_eq!(both.len(), 120);
        let by_two: Vec<(i64, i64)> = both
            .iter()
            .filter(|h| h.1 == 2)
            .map(|h| (h.0, h.2))
            .collect();
        let want: Vec<(i64, i64)> = once.iter().map(|h| (h.0, 3)).collect();
        assert_eq!(by_two, want);
        // Every delivery was added by the first import.
        let added: Vec<i64> = conn
            .collect(
                "SELECT DISTINCT added FROM deliveries",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(added, [1]);
    }

    #[test]
    fn new_rows_are_keyed_in_place_order_and_the_next_key_follows() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        // Matched by the client (and copied), and settled on the server
        // (as under row-level security): the same keys and holds.
        for on_the_server in [false, true] {
            conn.batch("TRUNCATE holds, deliveries").unwrap();
            // Stored before: (5, 3) once, and a delivery with an id at
            // occurrence 0 of (5, 4), which no row without id matches.
            conn.batch(
                "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category)
                 VALUES (10, 5, 3, 1, 1, 1, 4);
                 INSERT INTO deliveries (key, id, day, fingerprint, occurrence, member, household, category)
                 VALUES (11, 'R1', 5, 4, 0, 1, 1, 4);
                 INSERT INTO holds (kind, record, ledger, added) VALUES (3, 10, 1, 0), (3, 11, 1, 0)",
            )
            .unwrap();
            let file = [(6, 1), (5, 4), (5, 3), (5, 3), (4, 9), (6, 0), (5, 4)];
            conn.begin_write().unwrap();
            let mut staged = Staged::new();
            staged.on_the_server = on_the_server;
            for &(day, fingerprint) in &file {
                staged.push(&row(day, fingerprint)).unwrap();
            }
            let settled = staged.settle(conn, 1, 1).unwrap();
            let next: i64 = conn
                .value(
                    "INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category)
                     VALUES (9, 9, 1, 1, 1, 4) RETURNING key",
                    crate::args![],
                )
                .unwrap();
            conn.commit().unwrap();
            assert_eq!((settled.new, settled.unchanged), (6, 1));
            assert_eq!(
                settled.keys,
                [12, 13, 14, 15, 16, 17, 10],
                "{on_the_server}"
            );
            assert_eq!(next, 18, "the key sequence goes on after the settle's keys");
            let places = conn
                .collect(
                    "SELECT key, day, fingerprint, occurrence FROM deliveries
                     WHERE key BETWEEN 12 AND 17 ORDER BY key",
                    crate::args![],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap();
            assert_eq!(
                places,
                [
                    (12_i64, 4_i64, 9_i64, 1_i64),
                    (13, 5, 3, 2),
                    (14, 5, 4, 1),
                    (15, 5, 4, 2),
                    (16, 6, 0, 1),
                    (17, 6, 1, 1)
                ]
            );
            // A new row's values, its note (or none) and its import.
            let values = conn
                .collect(
                    "SELECT key, member, household, category, goods, cash, note, added
                     FROM deliveries WHERE key IN (16, 17) ORDER BY key",
                    crate::args![],
                    |r| {
                        Ok(format!(
                            "{} {} {} {} {} {} {:?} {}",
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, i64>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, Option<String>>(6)?,
                            r.get::<_, i64>(7)?,
                        ))
                    },
                )
                .unwrap();
            assert_eq!(
                values,
                ["16 1 1 4 0 0 Some(\"走访\") 1", "17 1 1 4 100 0 None 1"]
            );
            // The stored row kept its hold of import 0; all the file's are held.
            let held: Vec<(i64, i64)> = holds(conn).iter().map(|h| (h.0, h.2)).collect();
            assert_eq!(
                held,
                [
                    (10, 0),
                    (11, 0),
                    (12, 1),
                    (13, 1),
                    (14, 1),
                    (15, 1),
                    (16, 1),
                    (17, 1)
                ]
            );
        }
    }

    #[test]
    fn a_second_file_of_one_import_meets_the_first_files_rows() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let a = [(1, 1), (1, 1), (2, 2)];
        let b = [(1, 1), (2, 2), (2, 2), (3, 3)];
        let empty: [(i32, i64); 0] = [];
        let got = import(conn, 1, &[(1, &a), (2, &empty), (2, &b)]);
        let counts: Vec<(u64, u64)> = got.iter().map(|s| (s.new, s.unchanged)).collect();
        assert_eq!(counts, [(3, 0), (0, 0), (2, 2)]);
        assert_eq!(got[1], Settled::default());
        assert_eq!(
            stored(conn),
            BTreeMap::from([
                ((1, 1), vec![1, 2]),
                ((2, 2), vec![1, 2]),
                ((3, 3), vec![1])
            ])
        );
        // An empty file takes no key.
        assert_eq!(keys_by_place(conn).iter().max(), Some(&5));
    }

    /// The matching statement's plan once the server has statistics, for
    /// a file whose stored rows another ledger holds: `holds` is not read
    /// beside the rows it gets — the server planned a loop that scanned
    /// every hold of the ledger, and every one the statement inserted so
    /// far, for each matched row, which took minutes for 100,000 rows
    /// (attacker review of the match) — and the places are joined at the
    /// file's size.
    #[test]
    fn the_match_looks_holds_up_once_not_once_a_row_over_all_of_them() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let file: Vec<(i32, i64)> = (0..20_000_i64).map(|i| ((i % 300) as i32, i)).collect();
        import_one(conn, 1, 1, &file);
        conn.batch("ANALYZE deliveries; ANALYZE holds").unwrap();
        conn.begin_write().unwrap();
        let mut stager = Stager::new(MATCHED_TABLE, ["day", "fingerprint", "occurrence"]);
        for &(day, fingerprint) in &file {
            stager
                .push(conn, [i64::from(day), fingerprint, 1], None)
                .unwrap();
        }
        stager.copy_all(conn).unwrap();
        let plan = conn
            .collect(
                &format!("EXPLAIN {MATCH}"),
                crate::args![2_i64, 2_i64],
                |r| r.get::<_, String>(0),
            )
            .unwrap()
            .join("\n");
        conn.rollback().unwrap();
        assert!(!plan.contains("on holds h"), "{plan}");
        assert!(plan.contains("Left Join"), "{plan}");
    }

    #[test]
    fn whether_the_dropped_records_are_still_held_is_asked_by_the_holds_key() {
        use crate::store::write::replace::{STILL_HELD, STILL_HELD_DELIVERY};
        let Some(db) = database() else { return };
        let conn = &db.conn;
        conn.begin_write().unwrap();
        // Many holds of every kind (their references are not what is
        // asked here: the triggers that check them are off for this), and
        // a few records a version drops, staged and analysed as
        // `--replace` stages them.
        conn.batch(
            "SET LOCAL session_replication_role = replica;
             INSERT INTO holds (kind, record, ledger, added)
                 SELECT i % 4, i, 1, 1 FROM generate_series(1, 40000) i;
             ANALYZE holds;
             CREATE TEMP TABLE replace_dropped (record BIGINT NOT NULL, added BIGINT NOT NULL);
             INSERT INTO replace_dropped SELECT i * 97, 1 FROM generate_series(1, 12) i;
             ANALYZE replace_dropped",
        )
        .unwrap();
        for (sql, kind) in [(STILL_HELD, 0_i64), (STILL_HELD_DELIVERY, 3)] {
            let plan = conn
                .collect(&format!("EXPLAIN {sql}"), crate::args![kind], |r| {
                    r.get::<_, String>(0)
                })
                .unwrap()
                .join("\n");
            assert!(!plan.contains("Seq Scan on holds"), "{plan}");
            assert!(plan.contains("holds_pkey"), "{plan}");
        }
        conn.rollback().unwrap();
    }

    #[test]
    fn a_big_file_goes_in_whole() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let rows = 200_000;
        conn.begin_write().unwrap();
        let mut staged = Staged::new();
        for i in 0..rows {
            staged.push(&row((i % 365) as i32, i / 365 % 50)).unwrap();
        }
        let started = std::time::Instant::now();
        let settled = staged.settle(conn, 1, 1).unwrap();
        eprintln!("settled {rows} rows in {:?}", started.elapsed());
        conn.commit().unwrap();
        assert_eq!((settled.new, settled.unchanged), (rows as u64, 0));
        assert_eq!(settled.keys.len(), rows as usize);
        let places: (i64, i64) = conn
            .query_row(
                "SELECT count(DISTINCT (day, fingerprint)), max(occurrence) FROM deliveries",
                crate::args![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(places, (365 * 50, rows / 365 / 50 + 1));
    }

    #[test]
    fn settling_nothing_writes_nothing() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let nothing = import(conn, 1, &[(1, &[])]);
        assert_eq!(nothing, [Settled::default()]);
        assert_eq!(holds(conn), []);
    }

    #[test]
    fn the_settle_counts_and_stores_as_the_model() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let place = (0..3i32, 0..4i64);
        let strategy = (
            prop::collection::vec(prop::collection::vec(place.clone(), 0..40), 1..4),
            prop::collection::vec(place, 0..12),
        );
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 12,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        runner
            .run(&strategy, |(files, older)| {
                conn.batch("TRUNCATE holds, deliveries").unwrap();
                // What an earlier import stored: each place's occurrences
                // 1 to n.
                let mut want: BTreeMap<(i32, i64), u64> = BTreeMap::new();
                for p in older {
                    *want.entry(p).or_default() += 1;
                }
                for (&(day, fingerprint), &n) in &want {
                    for occurrence in 1..=n as i64 {
                        conn.execute(
                            "INSERT INTO deliveries
                             (day, fingerprint, occurrence, member, household, category)
                             VALUES (?1, ?2, ?3, 1, 1, 4)",
                            crate::args![day, fingerprint, occurrence],
                        )
                        .unwrap();
                    }
                }
                // Matched by the client, or settled on the server (as
                // under row-level security), file by file.
                for (command, rows) in (1..).zip(&files) {
                    let ledger = 1 + command % 2;
                    let on_the_server = command % 3 == 0;
                    let got = import_settled(conn, command, &[(ledger, rows)], on_the_server);
                    prop_assert_eq!((got[0].new, got[0].unchanged), model(&mut want, rows));
                }
                prop_assert_eq!(stored(conn), occurrences(&want));
                Ok(())
            })
            .unwrap();
    }

    /// The measurement of issue 17 item 3 (bench/pg.sh runs it): a file of
    /// `BANGFU_BENCH_ROWS` (default 1,000,000) deliveries shaped as the
    /// reference file's (examples/bench_data.rs: 20,000 households, 10,000
    /// members, five years of days, a note on a third), staged and settled
    /// into an empty database, then again (all unchanged); prints the times.
    #[test]
    #[ignore = "a measurement: bench/pg.sh"]
    fn measure_a_reference_file() {
        let Some(db) = database() else { return };
        let conn = &db.conn;
        let rows: i64 = std::env::var("BANGFU_BENCH_ROWS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000_000);
        conn.batch(
            "INSERT INTO households (key, id, head, township)
             SELECT g, 'H' || g, '户主', '城关镇' FROM generate_series(2, 20000) g;
             INSERT INTO members (key, id, name, unit)
             SELECT g, 'M' || g, '干部', '区委' FROM generate_series(2, 10000) g;
             ANALYZE",
        )
        .unwrap();
        let notes = ["看望慰问，送米面油", "", "", "了解生产生活情况"];
        let file = |i: i64| {
            let h = xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()) as i64;
            let day = 18262 + (i * 1827 / rows) as i32;
            StagedRow {
                day,
                fingerprint: h,
                member: 1 + (h >> 8).rem_euclid(10_000),
                household: 1 + (h >> 24).rem_euclid(20_000),
                category: (h >> 40).rem_euclid(7) as u8,
                goods: (h >> 44).rem_euclid(50_000),
                cash: 0,
                note: notes.get((i % 4) as usize).copied(),
            }
        };
        for (command, want) in [(1, (rows as u64, 0)), (2, (0, rows as u64))] {
            conn.begin_write().unwrap();
            let started = std::time::Instant::now();
            let mut staged = Staged::new();
            for i in 0..rows {
                staged.push(&file(i)).unwrap();
            }
            let copied = started.elapsed();
            let settled = staged.settle(conn, command, 1).unwrap();
            let settling = started.elapsed() - copied;
            conn.commit().unwrap();
            let total = started.elapsed();
            assert_eq!((settled.new, settled.unchanged), want);
            eprintln!(
                "import {command}: {rows} rows sorted in {:.2} s, settled in {:.2} s, \
                 committed: {:.2} s in all",
                copied.as_secs_f64(),
                settling.as_secs_f64(),
                total.as_secs_f64()
            );
        }
    }
}
