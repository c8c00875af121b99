//! `undo N` (contract §8): import N taken back exactly, in one transaction,
//! from what the import left for it — the rows it added carry its number
//! in `added`, the rows it deleted or changed in place are in `undo_*`, the
//! holds it dropped in `undo_holds`, the fields it changed in `history`.
//!
//! Refused, writing nothing, when N is not in the log, was undone already,
//! was made by a bangfu that kept no undo (before version 7), or when a
//! later import that is not undone touched a record N touched: undoing N
//! under it would leave that import's changes standing on rows that are
//! gone, or bring back rows it removed.

use super::Store;
use rusqlite::{params, Connection, TransactionBehavior};

/// The kinds of holds, history and `undo_holds` (`Kind as i64`).
const HOUSEHOLD: i64 = 0;
const MEMBER: i64 = 1;

/// Why an undo was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The log has no import `number`; the numbers it has, if any.
    Unknown {
        number: i64,
        range: Option<(i64, i64)>,
    },
    /// Import `number` was undone already, at `at`.
    Undone { number: i64, at: String },
    /// Import `number` was made before version 7, which kept no undo.
    Older { number: i64 },
    /// Later imports, not undone, touched records import `number` touched:
    /// they are to be undone first (newest first).
    Blocked { number: i64, by: Vec<i64> },
}

/// What an undo did, or would do, to one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows the import added, deleted.
    pub deleted: u64,
    /// Rows the import deleted (for households and members: took off the
    /// roster), put back.
    pub restored: u64,
    /// Rows the import changed, given their old values back.
    pub reverted: u64,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

/// What undoing an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    pub number: i64,
    /// When the import ran.
    pub at: String,
    pub households: Tally,
    pub members: Tally,
    pub pairings: Tally,
    pub deliveries: Tally,
    /// Ledgers' holds: the import's deleted, those it dropped restored.
    pub holds: Tally,
}

impl Store {
    /// Undo import `number`, or with `dry_run` only count what that would
    /// do. Either way, a refusal writes nothing.
    pub fn undo(
        &mut self,
        number: i64,
        dry_run: bool,
    ) -> rusqlite::Result<Result<Undone, Refusal>> {
        // The undo keeps every reference whole itself (it is refused where
        // a later row refers to one it deletes); with foreign keys on,
        // deleting a household would scan the deliveries for it.
        self.without_foreign_keys(|store| {
            let behavior = match dry_run {
                true => TransactionBehavior::Deferred,
                false => TransactionBehavior::Immediate,
            };
            let tx = store.lite_mut().transaction_with_behavior(behavior)?;
            // A dry run undoes too, and rolls back: what it says is what
            // the undo would do, refusals included.
            let outcome = match refusal(&tx, number)? {
                Some(refused) => Err(refused),
                None => match apply(&tx, number) {
                    Ok(undone) => Ok(undone),
                    // What it would put back meets a row a later import
                    // wrote in a unique place: an ID number given to
                    // another household since, a delivery or pairing with
                    // the same id or key added since. Putting it back would
                    // replace the later row (wrong figures) or fail
                    // halfway: the later imports are to be undone first.
                    Err(e) if takes_a_place(&e) => {
                        let by = later_standing(&tx, number)?;
                        Err(Refusal::Blocked { number, by })
                    }
                    Err(e) => return Err(e),
                },
            };
            match (&outcome, dry_run) {
                (Ok(_), false) => tx.commit()?,
                _ => tx.rollback()?,
            }
            Ok(outcome)
        })
    }
}

/// Why import `number` cannot be undone, if it cannot.
fn refusal(conn: &Connection, number: i64) -> rusqlite::Result<Option<Refusal>> {
    let Some(command) = super::log::command_in(conn, number)? else {
        let range = super::log::range_in(conn)?;
        return Ok(Some(Refusal::Unknown { number, range }));
    };
    if let Some(at) = command.undone {
        return Ok(Some(Refusal::Undone { number, at }));
    }
    if !command.undoable {
        return Ok(Some(Refusal::Older { number }));
    }
    let mut by = blocking(conn, number)?;
    by.extend(listed_again(conn, number)?);
    by.sort_unstable_by(|a, b| b.cmp(a));
    by.dedup();
    Ok((!by.is_empty()).then_some(Refusal::Blocked { number, by }))
}

/// Later imports standing that imported a file of the same ledger and kind
/// as one of import `n`'s and found rows stored (unchanged or updated):
/// the ledger's later version may list rows `n` added — its hold is the
/// one `n` made, so no mark of the later import is on them — and undoing
/// `n` would delete rows a standing import's sheet lists. (Contract §8 says
/// a later import that left the records unchanged does not block; but
/// then the reports after the undo would not be those had `n` never been
/// made, which §8 also promises, and which wins.)
fn listed_again(conn: &Connection, n: i64) -> rusqlite::Result<Vec<i64>> {
    conn.prepare(
        "SELECT DISTINCT m.command FROM imports m
         JOIN imports i ON i.command = ?1 AND m.ledger = i.ledger AND m.kind IS i.kind
         JOIN commands c ON c.number = m.command AND c.undone IS NULL
         WHERE m.command > ?1 AND m.updated + m.unchanged > 0",
    )?
    .query_map([n], |r| r.get(0))?
    .collect()
}

/// Every later import standing, newest first.
fn later_standing(conn: &Connection, n: i64) -> rusqlite::Result<Vec<i64>> {
    conn.prepare(
        "SELECT number FROM commands WHERE number > ?1 AND undone IS NULL ORDER BY 1 DESC",
    )?
    .query_map([n], |r| r.get(0))?
    .collect()
}

/// Whether a write failed on a unique index or key.
fn takes_a_place(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// The later imports, not undone, that touched a record import `n`
/// touched, newest first.
///
/// The records an import touched, as (kind, record): those it added
/// (`added`), those it deleted or changed (`undo_*` keys), those whose
/// fields it changed (`history`), those whose holds it made or dropped.
/// A delivery or pairing a later import touched that refers to a
/// household or member `n` added counts too (undoing `n` deletes them).
///
/// Nothing to read when no later import stands (undoing the newest, the
/// usual case). Otherwise the smaller side is walked and the other's
/// marks looked up for each of its records: a small import undone under a
/// later million-row one walks its own records, a million-row one under a
/// later small import walks the small one's ([`Walk`]). Which is smaller,
/// the log's counts of rows read tell.
fn blocking(conn: &Connection, n: i64) -> rusqlite::Result<Vec<i64>> {
    let later_stands: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM commands WHERE number > ?1 AND undone IS NULL)",
        [n],
        |r| r.get(0),
    )?;
    if !later_stands {
        return Ok(Vec::new());
    }
    let (mine, later): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT sum(CASE WHEN i.command = ?1 THEN i.rows_read + i.removed END),
                sum(CASE WHEN i.command > ?1 THEN i.rows_read + i.removed END)
         FROM commands c LEFT JOIN imports i ON i.command = c.number
         WHERE c.number >= ?1 AND c.undone IS NULL",
        [n],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let walk = match mine.unwrap_or(0) <= later.unwrap_or(0) {
        true => Walk::Mine,
        false => Walk::Later,
    };
    blocking_walking(conn, n, walk)
}

/// Which side [`blocking`] walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// The records `n` touched, looking up later imports' marks on each.
    Mine,
    /// The records later imports touched, looking up `n`'s marks.
    Later,
}

/// [`blocking`], walking `walk`'s records. Both give the same imports
/// (the unit tests check every case both ways).
fn blocking_walking(conn: &Connection, n: i64, walk: Walk) -> rusqlite::Result<Vec<i64>> {
    let sql = match walk {
        Walk::Mine => BLOCKING_WALKING_MINE,
        Walk::Later => BLOCKING_WALKING_LATER,
    };
    let by = conn
        .prepare(sql)?
        .query_map([n], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(by)
}

/// The later imports standing (not undone) whose marks are on a record
/// import ?1 touched, or on a delivery or pairing referring to a household
/// or member it added: import ?1's records walked. (Only later imports
/// write `undo_*` rows whose `added` is ?1: rows ?1 added that they deleted
/// or changed.)
const BLOCKING_WALKING_MINE: &str = "
    WITH mine (kind, record) AS (
        SELECT 3, key FROM deliveries WHERE added = ?1
        UNION SELECT 2, key FROM pairings WHERE added = ?1
        UNION SELECT 0, key FROM households WHERE added = ?1
        UNION SELECT 1, key FROM members WHERE added = ?1
        UNION SELECT 3, key FROM undo_deliveries WHERE command = ?1 OR added = ?1
        UNION SELECT 2, key FROM undo_pairings WHERE command = ?1 OR added = ?1
        UNION SELECT kind, record FROM history WHERE command = ?1
        UNION SELECT kind, record FROM holds WHERE added = ?1
        UNION SELECT kind, record FROM undo_holds WHERE command = ?1 OR added = ?1
    ),
    marks (command) AS (
        SELECT d.added FROM mine m JOIN deliveries d ON d.key = m.record
            WHERE m.kind = 3 AND d.added > ?1
        UNION ALL SELECT p.added FROM mine m JOIN pairings p ON p.key = m.record
            WHERE m.kind = 2 AND p.added > ?1
        UNION ALL SELECT u.command FROM mine m JOIN undo_deliveries u ON u.key = m.record
            WHERE m.kind = 3 AND u.command > ?1
        UNION ALL SELECT u.command FROM mine m JOIN undo_pairings u ON u.key = m.record
            WHERE m.kind = 2 AND u.command > ?1
        UNION ALL SELECT h.command FROM mine m JOIN history h
            ON h.kind = m.kind AND h.record = m.record WHERE h.command > ?1
        UNION ALL SELECT h.added FROM mine m JOIN holds h
            ON h.kind = m.kind AND h.record = m.record WHERE h.added > ?1
        UNION ALL SELECT u.command FROM mine m JOIN undo_holds u
            ON u.kind = m.kind AND u.record = m.record WHERE u.command > ?1
        -- Deliveries and pairings later imports added or changed, referring
        -- to a household or member ?1 added.
        UNION ALL SELECT d.added FROM deliveries d WHERE d.added > ?1
            AND (d.household IN (SELECT key FROM households WHERE added = ?1)
                 OR d.member IN (SELECT key FROM members WHERE added = ?1))
        UNION ALL SELECT p.added FROM pairings p WHERE p.added > ?1
            AND (p.household IN (SELECT key FROM households WHERE added = ?1)
                 OR p.member IN (SELECT key FROM members WHERE added = ?1))
        UNION ALL SELECT u.command FROM undo_deliveries u JOIN deliveries d ON d.key = u.key
            WHERE u.command > ?1
              AND (d.household IN (SELECT key FROM households WHERE added = ?1)
                   OR d.member IN (SELECT key FROM members WHERE added = ?1))
        UNION ALL SELECT u.command FROM undo_pairings u JOIN pairings p ON p.key = u.key
            WHERE u.command > ?1
              AND (p.household IN (SELECT key FROM households WHERE added = ?1)
                   OR p.member IN (SELECT key FROM members WHERE added = ?1))
    )
    SELECT DISTINCT command FROM marks
    WHERE command IN (SELECT number FROM commands WHERE number > ?1 AND undone IS NULL)
    ORDER BY command DESC";

/// The same imports, the records later imports touched walked and import
/// ?1's marks looked up on each.
const BLOCKING_WALKING_LATER: &str = "
    WITH later (kind, record, command) AS (
        SELECT 3, key, added FROM deliveries WHERE added > ?1
        UNION ALL SELECT 2, key, added FROM pairings WHERE added > ?1
        UNION ALL SELECT 0, key, added FROM households WHERE added > ?1
        UNION ALL SELECT 1, key, added FROM members WHERE added > ?1
        UNION ALL SELECT 3, key, command FROM undo_deliveries WHERE command > ?1
        UNION ALL SELECT 2, key, command FROM undo_pairings WHERE command > ?1
        UNION ALL SELECT kind, record, command FROM history WHERE command > ?1
        UNION ALL SELECT kind, record, added FROM holds WHERE added > ?1
        UNION ALL SELECT kind, record, command FROM undo_holds WHERE command > ?1
    )
    SELECT DISTINCT l.command FROM later l
    WHERE l.command IN (SELECT number FROM commands WHERE number > ?1 AND undone IS NULL)
      AND (
          (l.kind = 3 AND (
              EXISTS (SELECT 1 FROM deliveries d WHERE d.key = l.record AND (
                  d.added = ?1
                  OR EXISTS (SELECT 1 FROM households h WHERE h.key = d.household AND h.added = ?1)
                  OR EXISTS (SELECT 1 FROM members m WHERE m.key = d.member AND m.added = ?1)))
              OR EXISTS (SELECT 1 FROM undo_deliveries u WHERE u.key = l.record
                         AND (u.command = ?1 OR u.added = ?1))))
          OR (l.kind = 2 AND (
              EXISTS (SELECT 1 FROM pairings p WHERE p.key = l.record AND (
                  p.added = ?1
                  OR EXISTS (SELECT 1 FROM households h WHERE h.key = p.household AND h.added = ?1)
                  OR EXISTS (SELECT 1 FROM members m WHERE m.key = p.member AND m.added = ?1)))
              OR EXISTS (SELECT 1 FROM undo_pairings u WHERE u.key = l.record
                         AND (u.command = ?1 OR u.added = ?1))))
          OR (l.kind = 0 AND EXISTS (SELECT 1 FROM households h WHERE h.key = l.record AND h.added = ?1))
          OR (l.kind = 1 AND EXISTS (SELECT 1 FROM members m WHERE m.key = l.record AND m.added = ?1))
          OR (l.kind < 2 AND EXISTS (SELECT 1 FROM history h
                     WHERE h.kind = l.kind AND h.record = l.record AND h.command = ?1))
          OR EXISTS (SELECT 1 FROM holds h
                     WHERE h.kind = l.kind AND h.record = l.record AND h.added = ?1)
          OR EXISTS (SELECT 1 FROM undo_holds u WHERE u.kind = l.kind AND u.record = l.record
                     AND (u.command = ?1 OR u.added = ?1))
      )
    ORDER BY l.command DESC";

/// What undoing import `n` puts back: read from its undo rows and history
/// (a few rows a change, found by the command), before they go. Rows the
/// import added itself and then changed again are deleted, not put back.
fn put_back_counts(conn: &Connection, n: i64) -> rusqlite::Result<Undone> {
    let at: String = conn.query_row("SELECT at FROM commands WHERE number = ?1", [n], |r| {
        r.get(0)
    })?;
    let pair = |sql: &str| -> rusqlite::Result<(u64, u64)> {
        conn.query_row(sql, [n], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?.unwrap_or(0).max(0) as u64,
                r.get::<_, Option<i64>>(1)?.unwrap_or(0).max(0) as u64,
            ))
        })
    };
    let rows = |table: &str| {
        pair(&format!(
            "SELECT sum(removed = 1), sum(removed = 0) FROM {table}
             WHERE command = ?1 AND added <> ?1"
        ))
    };
    let records = |kind: i64, table: &str| {
        pair(&format!(
            "SELECT count(DISTINCT CASE WHEN field = 'removed' AND old = 0 THEN record END),
                    count(DISTINCT CASE WHEN field <> 'removed' OR old <> 0 THEN record END)
             FROM history
             WHERE command = ?1 AND kind = {kind}
               AND record NOT IN (SELECT key FROM {table} WHERE added = ?1)"
        ))
    };
    let tally = |(restored, reverted): (u64, u64)| Tally {
        restored,
        reverted,
        deleted: 0,
    };
    Ok(Undone {
        number: n,
        at,
        households: tally(records(HOUSEHOLD, "households")?),
        members: tally(records(MEMBER, "members")?),
        pairings: tally(rows("undo_pairings")?),
        deliveries: tally(rows("undo_deliveries")?),
        holds: tally((
            conn.query_row(
                "SELECT count(*) FROM undo_holds WHERE command = ?1 AND added <> ?1",
                [n],
                |r| r.get::<_, i64>(0),
            )?
            .max(0) as u64,
            0,
        )),
    })
}

/// Undo import `n` (known, undoable, not blocked) inside the caller's
/// transaction: what it added deleted, what it deleted or changed put
/// back, its history and undo rows gone, the log marking it undone.
///
/// The rows `n` added go before its undo rows are put back: a row it added
/// and then changed again (two files of one import) has an undo row too,
/// marked as added by `n`, which is not put back. So nothing put back
/// meets a row of `n`'s in a unique index.
fn apply(conn: &Connection, n: i64) -> rusqlite::Result<Undone> {
    let mut undone = put_back_counts(conn, n)?;
    let delete = |table: &str| -> rusqlite::Result<u64> {
        Ok(conn.execute(&format!("DELETE FROM {table} WHERE added = ?1"), [n])? as u64)
    };
    undone.holds.deleted = delete("holds")?;
    undone.deliveries.deleted = delete("deliveries")?;
    undone.pairings.deleted = delete("pairings")?;
    conn.execute(
        "INSERT OR REPLACE INTO holds (kind, record, ledger, added)
         SELECT kind, record, ledger, added FROM undo_holds WHERE command = ?1 AND added <> ?1",
        [n],
    )?;
    // Rows it changed get their old values in place, rows it deleted come
    // back under their keys; never `OR REPLACE`, which would delete any
    // later row that took the same id or place (the caller refuses then).
    conn.execute(
        "UPDATE deliveries AS d SET day = u.day, fingerprint = u.fingerprint,
             occurrence = u.occurrence, id = u.id, member = u.member, household = u.household,
             category = u.category, goods = u.goods, cash = u.cash, note = u.note, added = u.added
         FROM undo_deliveries u
         WHERE u.command = ?1 AND u.added <> ?1 AND u.removed = 0 AND d.key = u.key",
        [n],
    )?;
    conn.execute(
        "INSERT INTO deliveries
             (key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
         SELECT key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
         FROM undo_deliveries WHERE command = ?1 AND added <> ?1 AND removed <> 0",
        [n],
    )?;
    conn.execute(
        "UPDATE pairings AS p SET member = u.member, household = u.household,
             since = u.since, until = u.until, added = u.added
         FROM undo_pairings u
         WHERE u.command = ?1 AND u.added <> ?1 AND u.removed = 0 AND p.key = u.key",
        [n],
    )?;
    conn.execute(
        "INSERT INTO pairings (key, member, household, since, until, added)
         SELECT key, member, household, since, until, added
         FROM undo_pairings WHERE command = ?1 AND added <> ?1 AND removed <> 0",
        [n],
    )?;
    revert_history(conn, n)?;
    undone.households.deleted = delete("households")?;
    undone.members.deleted = delete("members")?;
    conn.execute_batch(&format!(
        "DELETE FROM history WHERE command = {n};
         DELETE FROM undo_deliveries WHERE command = {n};
         DELETE FROM undo_pairings WHERE command = {n};
         DELETE FROM undo_holds WHERE command = {n};"
    ))?;
    conn.execute(
        "UPDATE commands SET undone = ?2 WHERE number = ?1",
        params![n, super::log::log_time(chrono::Local::now())],
    )?;
    super::seal(conn)?;
    Ok(undone)
}

/// Every field import `n` changed on a household or member, set back to
/// the value it had before. A unique column (`id_number`) is emptied
/// first on every record it goes back on, so that two records whose
/// numbers the import moved between them do not meet halfway.
fn revert_history(conn: &Connection, n: i64) -> rusqlite::Result<()> {
    let changes: Vec<(i64, i64, String, rusqlite::types::Value)> = conn
        .prepare("SELECT kind, record, field, old FROM history WHERE command = ?1")?
        .query_map([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut columns = Vec::with_capacity(changes.len());
    for (kind, _, field, _) in &changes {
        columns.push(column(*kind, field)?);
    }
    for ((_, record, _, _), (table, column)) in changes.iter().zip(&columns) {
        if *column == "id_number" {
            conn.prepare_cached(&format!(
                "UPDATE {table} SET {column} = NULL WHERE key = ?1"
            ))?
            .execute([record])?;
        }
    }
    for ((_, record, _, old), (table, column)) in changes.iter().zip(&columns) {
        conn.prepare_cached(&format!("UPDATE {table} SET {column} = ?2 WHERE key = ?1"))?
            .execute(params![record, old])?;
    }
    Ok(())
}

/// The table and column a history row's (kind, field) names; any other is
/// not bangfu's (a damaged or hand-edited file), and stops the undo.
fn column(kind: i64, field: &str) -> rusqlite::Result<(&'static str, &'static str)> {
    const HOUSEHOLD_FIELDS: [&str; 10] = [
        "head",
        "id_number",
        "township",
        "village",
        "size",
        "cause",
        "status",
        "lifted_on",
        "phone",
        "removed",
    ];
    const MEMBER_FIELDS: [&str; 5] = ["name", "unit", "role", "phone", "removed"];
    let (table, fields): (&str, &[&'static str]) = match kind {
        HOUSEHOLD => ("households", &HOUSEHOLD_FIELDS),
        MEMBER => ("members", &MEMBER_FIELDS),
        _ => ("", &[]),
    };
    fields
        .iter()
        .find(|&&f| f == field)
        .map(|&f| (table, f))
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("history names field {field:?} of kind {kind}").into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database holding import 1 (a small district, all held by ledger
    /// 1): two households, one member, a pairing, two deliveries.
    fn district() -> Store {
        let store = Store::in_memory().unwrap();
        store
            .lite()
            .execute_batch(
                "INSERT INTO ledgers (key, name) VALUES (1, '帮扶记录'), (2, '民政台账');
                 INSERT INTO commands (number, at, user, day)
                     VALUES (1, '2024-03-01T09:00:00+08:00', 'clerk', 19783);
                 INSERT INTO households (key, id, head, id_number, township, village, added)
                     VALUES (1, 'H1', '张三', 'A', '工农乡', '红旗村', 1),
                            (2, 'H2', '李四', 'B', '工农乡', '红旗村', 1);
                 INSERT INTO members (key, id, name, unit, added)
                     VALUES (1, 'M1', '赵六', '区财政局', 1);
                 INSERT INTO pairings (key, member, household, since, until, added)
                     VALUES (1, 1, 1, 19000, NULL, 1);
                 INSERT INTO deliveries
                     (key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
                     VALUES (1, 19787, 11, 1, NULL, 1, 1, 1, 80000, 0, NULL, 1),
                            (2, 19788, 12, 1, 'R2', 1, 2, 1, 10000, 5000, '送米', 1);
                 INSERT INTO holds (kind, record, ledger, added)
                     VALUES (0, 1, 1, 1), (0, 2, 1, 1), (1, 1, 1, 1), (2, 1, 1, 1),
                            (3, 1, 1, 1), (3, 2, 1, 1);",
            )
            .unwrap();
        store
    }

    /// Log import `n` (as an import's commit would).
    fn command(store: &Store, n: i64) {
        store
            .lite()
            .execute(
                "INSERT INTO commands (number, at, user, day) VALUES (?1, '2024-04-30T10:00:00+08:00', 'clerk', 19843)",
                [n],
            )
            .unwrap();
    }

    /// Import 2 as its writers leave it: a household, a member, their
    /// pairing and a delivery added; H1 moved to another village, and its
    /// ID number corrected and then given to H2; H2 off the roster; M1
    /// moved to another unit; D1 corrected in place; R2 deleted with its
    /// hold; P1 ended; a delivery added and corrected again by a second
    /// file; ledger 2 holding D1 and the new records.
    fn import_two(store: &Store) {
        command(store, 2);
        store
            .lite()
            .execute_batch(
                "INSERT INTO households (key, id, head, township, village, added)
                     VALUES (3, 'H3', '王五', '向阳街道', '向阳社区', 2);
                 INSERT INTO members (key, id, name, unit, added) VALUES (2, 'M2', '钱七', '区教育局', 2);
                 INSERT INTO pairings (key, member, household, since, added) VALUES (2, 2, 3, 19800, 2);
                 INSERT INTO deliveries
                     (key, day, fingerprint, occurrence, member, household, category, goods, cash, added)
                     VALUES (3, 19800, 13, 1, 2, 3, 2, 500, 0, 2),
                            (4, 19801, 14, 1, 2, 3, 2, 700, 0, 2);
                 INSERT INTO undo_deliveries
                     (command, key, removed, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
                     VALUES (2, 4, 0, 19801, 14, 1, NULL, 2, 3, 2, 600, 0, NULL, 2);
                 INSERT INTO holds (kind, record, ledger, added)
                     VALUES (0, 3, 2, 2), (1, 2, 2, 2), (2, 2, 2, 2), (3, 3, 2, 2), (3, 4, 2, 2),
                            (3, 1, 2, 2);

                 INSERT INTO history (kind, record, field, command, day, old, new) VALUES
                     (0, 1, 'village', 2, 19843, '红旗村', '大坪村'),
                     (0, 1, 'id_number', 2, 19843, 'A', 'X'),
                     (0, 2, 'id_number', 2, 19843, 'B', 'A'),
                     (0, 2, 'removed', 2, 19843, 0, 1),
                     (1, 1, 'unit', 2, 19843, '区财政局', '区农业局');
                 UPDATE households SET village = '大坪村', id_number = 'X' WHERE key = 1;
                 UPDATE households SET id_number = 'A', removed = 1 WHERE key = 2;
                 UPDATE members SET unit = '区农业局' WHERE key = 1;

                 INSERT INTO undo_deliveries
                     (command, key, removed, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
                     SELECT 2, key, 0, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
                     FROM deliveries WHERE key = 1;
                 UPDATE deliveries SET goods = 88000 WHERE key = 1;
                 INSERT INTO undo_deliveries
                     (command, key, removed, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
                     SELECT 2, key, 1, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
                     FROM deliveries WHERE key = 2;
                 DELETE FROM deliveries WHERE key = 2;
                 INSERT INTO undo_holds SELECT 2, kind, record, ledger, added FROM holds WHERE kind = 3 AND record = 2;
                 DELETE FROM holds WHERE kind = 3 AND record = 2;
                 INSERT INTO undo_pairings SELECT 2, key, 0, member, household, since, until, added FROM pairings WHERE key = 1;
                 UPDATE pairings SET until = 19840 WHERE key = 1;",
            )
            .unwrap();
    }

    /// Every row of every table but the log, sorted, as text.
    fn records(store: &Store) -> String {
        let tables = [
            "ledgers",
            "households",
            "members",
            "pairings",
            "deliveries",
            "holds",
            "history",
            "undo_deliveries",
            "undo_pairings",
            "undo_holds",
        ];
        let mut out = String::new();
        for table in tables {
            let n = store
                .lite()
                .prepare(&format!("SELECT * FROM {table}"))
                .unwrap()
                .column_count();
            let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            let mut stmt = store
                .lite()
                .prepare(&format!(
                    "SELECT * FROM {table} ORDER BY {}",
                    order.join(", ")
                ))
                .unwrap();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .unwrap();
            for row in rows {
                out.push_str(&format!("{table}: {}\n", row.unwrap().join(" | ")));
            }
        }
        out
    }

    /// The whole log, `undone` included.
    fn log(store: &Store) -> Vec<(i64, Option<String>)> {
        store
            .lite()
            .prepare("SELECT number, undone FROM commands ORDER BY number")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn broken_references(store: &Store) -> Option<(String, i64)> {
        super::super::schema::broken_references(store.lite()).unwrap()
    }

    /// The imports a dry run of `undo n` says block it (none: it would
    /// go), the same walking either side.
    fn blocked_by(store: &mut Store, n: i64) -> Vec<i64> {
        let mine = blocking_walking(store.lite(), n, Walk::Mine).unwrap();
        let later = blocking_walking(store.lite(), n, Walk::Later).unwrap();
        assert_eq!(mine, later, "walking either side");
        match store.undo(n, true).unwrap() {
            Err(Refusal::Blocked { by, .. }) => assert_eq!(by, mine),
            Ok(_) => assert_eq!(mine, [] as [i64; 0]),
            Err(other) => panic!("refused otherwise: {other:?}"),
        }
        mine
    }

    #[test]
    fn undo_puts_back_exactly_what_the_import_found() {
        let mut store = district();
        let before = records(&store);
        import_two(&store);
        let imported = records(&store);
        assert_ne!(before, imported);
        let expected = Undone {
            number: 2,
            at: "2024-04-30T10:00:00+08:00".into(),
            households: Tally {
                deleted: 1,
                restored: 1,
                reverted: 2,
            },
            members: Tally {
                deleted: 1,
                restored: 0,
                reverted: 1,
            },
            pairings: Tally {
                deleted: 1,
                restored: 0,
                reverted: 1,
            },
            deliveries: Tally {
                deleted: 2,
                restored: 1,
                reverted: 1,
            },
            holds: Tally {
                deleted: 6,
                restored: 1,
                reverted: 0,
            },
        };
        // A dry run counts the same, and writes nothing.
        assert_eq!(store.undo(2, true).unwrap(), Ok(expected.clone()));
        assert_eq!(records(&store), imported);
        assert_eq!(log(&store), [(1, None), (2, None)]);

        assert_eq!(store.undo(2, false).unwrap(), Ok(expected));
        assert_eq!(records(&store), before);
        assert_eq!(broken_references(&store), None);
        let log = log(&store);
        assert_eq!(log[0], (1, None));
        assert!(
            log[1].1.as_deref().is_some_and(|at| at.contains('T')),
            "{log:?}"
        );
        // Once.
        let again = store.undo(2, false).unwrap();
        assert!(
            matches!(again, Err(Refusal::Undone { number: 2, .. })),
            "{again:?}"
        );
        assert_eq!(records(&store), before);
    }

    #[test]
    fn the_first_import_undone_leaves_an_empty_database() {
        let mut store = district();
        let undone = store.undo(1, false).unwrap().unwrap();
        assert_eq!(undone.deliveries.deleted, 2);
        assert_eq!(undone.households.deleted, 2);
        assert_eq!(undone.holds.deleted, 6);
        assert!(!super::super::query::holds_records(store.reports()).unwrap());
        let holds: i64 = store
            .lite()
            .query_row("SELECT count(*) FROM holds", [], |r| r.get(0))
            .unwrap();
        assert_eq!(holds, 0);
    }

    #[test]
    fn an_import_that_changed_nothing_is_undone_with_nothing_to_do() {
        let mut store = district();
        command(&store, 2);
        let before = records(&store);
        let undone = store.undo(2, false).unwrap().unwrap();
        assert_eq!(
            [
                undone.households,
                undone.members,
                undone.pairings,
                undone.deliveries,
                undone.holds
            ],
            [Tally::default(); 5]
        );
        assert_eq!(records(&store), before);
    }

    #[test]
    fn refuses_numbers_not_in_the_log_and_imports_older_bangfu_made() {
        let mut store = Store::in_memory().unwrap();
        assert_eq!(
            store.undo(1, false).unwrap(),
            Err(Refusal::Unknown {
                number: 1,
                range: None
            })
        );
        let mut store = district();
        command(&store, 2);
        for n in [0, 3, -1, i64::MAX] {
            assert_eq!(
                store.undo(n, false).unwrap(),
                Err(Refusal::Unknown {
                    number: n,
                    range: Some((1, 2))
                })
            );
        }
        store
            .lite()
            .execute("UPDATE commands SET undoable = 0 WHERE number = 1", [])
            .unwrap();
        let before = records(&store);
        assert_eq!(
            store.undo(1, false).unwrap(),
            Err(Refusal::Older { number: 1 })
        );
        assert_eq!(records(&store), before);
    }

    #[test]
    fn a_later_import_that_touched_the_same_records_blocks_until_undone() {
        let mut store = district();
        import_two(&store);
        // Import 3 moves H1 (which 2 moved) again.
        command(&store, 3);
        store
            .lite()
            .execute_batch(
                "INSERT INTO history VALUES (0, 1, 'village', 3, 19850, '大坪村', '石门村');
                 UPDATE households SET village = '石门村' WHERE key = 1;",
            )
            .unwrap();
        let blocked = records(&store);
        assert_eq!(blocked_by(&mut store, 2), [3]);
        assert_eq!(
            store.undo(2, false).unwrap(),
            Err(Refusal::Blocked {
                number: 2,
                by: vec![3]
            })
        );
        assert_eq!(records(&store), blocked);
        assert_eq!(log(&store), [(1, None), (2, None), (3, None)]);
        // Undone, 3 no longer blocks.
        store.undo(3, false).unwrap().unwrap();
        store.undo(2, false).unwrap().unwrap();
        let village: String = store
            .lite()
            .query_row("SELECT village FROM households WHERE key = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(village, "红旗村");
    }

    #[test]
    fn each_way_a_later_import_touches_a_record_blocks() {
        // Import 3 doing one thing to what import 2 added, changed or removed.
        let cases = [
            // a new ledger's hold on a delivery 2 added
            "INSERT INTO holds VALUES (3, 3, 1, 3)",
            // a delivery to a household 2 added
            "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category, added)
                 VALUES (9, 19850, 99, 1, 1, 3, 0, 3)",
            // a pairing of a member 2 added
            "INSERT INTO pairings (key, member, household, since, added) VALUES (9, 2, 1, 19850, 3)",
            // a delivery 2 added, deleted by a replace
            "INSERT INTO undo_deliveries
                 SELECT 3, key, 1, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
                 FROM deliveries WHERE key = 3;
             DELETE FROM deliveries WHERE key = 3;
             INSERT INTO undo_holds SELECT 3, kind, record, ledger, added FROM holds WHERE kind = 3 AND record = 3;
             DELETE FROM holds WHERE kind = 3 AND record = 3",
            // a hold 2 made, dropped
            "INSERT INTO undo_holds VALUES (3, 3, 3, 2, 2); DELETE FROM holds WHERE kind = 3 AND record = 3 AND ledger = 2",
            // a delivery 2 corrected, corrected again
            "INSERT INTO undo_deliveries
                 SELECT 3, key, 0, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
                 FROM deliveries WHERE key = 1;
             UPDATE deliveries SET goods = 1 WHERE key = 1",
            // the hold 2 dropped, made again by its ledger
            "INSERT INTO holds VALUES (3, 2, 1, 3)",
            // a pairing 2 ended, ended otherwise
            "INSERT INTO undo_pairings SELECT 3, key, 0, member, household, since, until, added FROM pairings WHERE key = 1",
            // a member 2 moved, renamed
            "INSERT INTO history VALUES (1, 1, 'name', 3, 19850, '赵六', '赵陆')",
            // a household 2 added, changed
            "INSERT INTO history VALUES (0, 3, 'phone', 3, 19850, NULL, '13812345678')",
        ];
        for sql in cases {
            let mut store = district();
            import_two(&store);
            command(&store, 3);
            store.lite().execute_batch(sql).unwrap();
            assert_eq!(blocked_by(&mut store, 2), [3], "{sql}");
        }
    }

    #[test]
    fn a_later_import_of_other_records_does_not_block_and_blockers_are_named_newest_first() {
        let mut store = district();
        import_two(&store);
        command(&store, 3);
        command(&store, 4);
        command(&store, 5);
        store
            .lite()
            .execute_batch(
                // 3: a new delivery of H1 and M1, which 2 did not add
                // (that 2 changed them does not matter to a delivery), and
                // a hold on H2's delivery R2's neighbour… of import 1's D1
                // by ledger 1, which already held it: nothing.
                "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category, added)
                     VALUES (10, 19850, 98, 1, 1, 1, 0, 3);
                 INSERT INTO holds VALUES (3, 10, 1, 3);
                 -- 4 and 5 change H3, which 2 added.
                 INSERT INTO history VALUES (0, 3, 'size', 4, 19850, NULL, 3);
                 INSERT INTO history VALUES (0, 3, 'size', 5, 19851, 3, 4);",
            )
            .unwrap();
        assert_eq!(blocked_by(&mut store, 2), [5, 4]);
        store.undo(5, false).unwrap().unwrap();
        assert_eq!(blocked_by(&mut store, 2), [4]);
        store.undo(4, false).unwrap().unwrap();
        let undone = store.undo(2, false).unwrap().unwrap();
        assert_eq!(undone.deliveries.deleted, 2);
        // 3's delivery stays.
        let left: i64 = store
            .lite()
            .query_row("SELECT count(*) FROM deliveries WHERE added = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(left, 1);
        assert_eq!(broken_references(&store), None);
    }

    #[test]
    fn a_history_row_naming_no_column_of_bangfus_stops_the_undo() {
        let mut store = district();
        command(&store, 2);
        store
            .lite()
            .execute(
                "INSERT INTO history VALUES (0, 1, 'key = 0, head', 2, 19843, 'x', 'y')",
                [],
            )
            .unwrap();
        let before = records(&store);
        assert!(store.undo(2, false).is_err());
        assert_eq!(records(&store), before);
        assert_eq!(log(&store), [(1, None), (2, None)]);
    }
}
