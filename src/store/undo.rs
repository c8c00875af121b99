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
            let tx = store.conn.transaction_with_behavior(behavior)?;
            let outcome = match refusal(&tx, number)? {
                Some(refused) => Err(refused),
                None if dry_run => Ok(count(&tx, number)?),
                None => Ok(apply(&tx, number)?),
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
    let db = super::query::Db(conn);
    let Some(command) = super::log::command(db, number)? else {
        let range = super::log::range(db)?;
        return Ok(Some(Refusal::Unknown { number, range }));
    };
    if let Some(at) = command.undone {
        return Ok(Some(Refusal::Undone { number, at }));
    }
    if !command.undoable {
        return Ok(Some(Refusal::Older { number }));
    }
    let by = blocking(conn, number)?;
    Ok((!by.is_empty()).then_some(Refusal::Blocked { number, by }))
}

/// The later imports, not undone, that touched a record import `n`
/// touched, newest first.
///
/// The records an import touched, as (kind, record): those it added
/// (`added`), those it deleted or changed (`undo_*` keys), those whose
/// fields it changed (`history`), those whose holds it made or dropped.
/// A later import's touched records are read once (usually few: nothing
/// at all when `n` is the newest import) and each is looked up for `n`'s
/// marks; a delivery or pairing a later import touched that refers to a
/// household or member `n` added counts too (undoing `n` deletes them).
fn blocking(conn: &Connection, n: i64) -> rusqlite::Result<Vec<i64>> {
    let later: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM commands WHERE number > ?1 AND undone IS NULL)",
        [n],
        |r| r.get(0),
    )?;
    if !later {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(
        "WITH later (kind, record, command) AS (
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
               OR EXISTS (SELECT 1 FROM history h
                          WHERE h.kind = l.kind AND h.record = l.record AND h.command = ?1)
               OR EXISTS (SELECT 1 FROM holds h
                          WHERE h.kind = l.kind AND h.record = l.record AND h.added = ?1)
               OR EXISTS (SELECT 1 FROM undo_holds u WHERE u.kind = l.kind AND u.record = l.record
                          AND (u.command = ?1 OR u.added = ?1))
           )
         ORDER BY l.command DESC",
    )?;
    let by = stmt
        .query_map([n], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(by)
}

/// How many rows of each kind undoing import `n` would put back and
/// delete, as [`apply`] counts them.
fn count(conn: &Connection, n: i64) -> rusqlite::Result<Undone> {
    let one = |sql: &str| -> rusqlite::Result<u64> {
        conn.query_row(sql, [n], |r| r.get::<_, i64>(0))
            .map(|c| c.max(0) as u64)
    };
    let mut undone = put_back_counts(conn, n)?;
    undone.households.deleted = one("SELECT count(*) FROM households WHERE added = ?1")?;
    undone.members.deleted = one("SELECT count(*) FROM members WHERE added = ?1")?;
    undone.pairings.deleted = one("SELECT count(*) FROM pairings WHERE added = ?1")?;
    undone.deliveries.deleted = one("SELECT count(*) FROM deliveries WHERE added = ?1")?;
    undone.holds.deleted = one("SELECT count(*) FROM holds WHERE added = ?1")?;
    Ok(undone)
}

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
    conn.execute(
        "INSERT OR REPLACE INTO deliveries
             (key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added)
         SELECT key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added
         FROM undo_deliveries WHERE command = ?1 AND added <> ?1",
        [n],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO pairings (key, member, household, since, until, added)
         SELECT key, member, household, since, until, added
         FROM undo_pairings WHERE command = ?1 AND added <> ?1",
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
        params![n, local_now()],
    )?;
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

/// Now, local, ISO 8601 with the offset: as the log dates imports.
fn local_now() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
