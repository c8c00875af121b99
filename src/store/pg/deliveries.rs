//! PLACEHOLDER — the pg-deliveries branch replaces this file whole with
//! the bulk path (binary COPY into a staging table, one set-based settle a
//! file). Until it lands, the same interface (PG.md, "The delivery seam"),
//! correct but simple, so that the import runs on PostgreSQL end to end:
//! a file's rows are kept in memory and settled row by row through
//! [`Conn`].
//!
//! The rule kept is contract §3.4, as SQLite's sorted path keeps it: the
//! k-th row of one (day, fingerprint) in file order is occurrence k; a
//! stored place is that row (unchanged), a free one is inserted (new).
//! Rows are settled in order of (day, fingerprint, occurrence), so that new
//! rows take their keys in that order, as on SQLite. Every row's delivery
//! is held by the file's ledger (a hold it had keeps its import).

use crate::args;
use crate::store::sql::{Conn, Result};

/// One file's rows without id, staged.
#[derive(Debug, Default)]
pub struct Staged {
    rows: Vec<Owned>,
}

/// A row without id of the current file.
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    pub new: u64,
    pub unchanged: u64,
    /// Every delivery the rows inserted or matched.
    pub keys: Vec<i64>,
}

#[derive(Debug, Clone)]
struct Owned {
    day: i32,
    fingerprint: i64,
    member: i64,
    household: i64,
    category: u8,
    goods: i64,
    cash: i64,
    note: Option<String>,
}

impl Staged {
    pub fn new() -> Staged {
        Staged::default()
    }

    /// A row without id of the current file, in file order.
    pub fn push(&mut self, _conn: &Conn, row: &StagedRow<'_>) -> Result<()> {
        self.rows.push(Owned {
            day: row.day,
            fingerprint: row.fingerprint,
            member: row.member,
            household: row.household,
            category: row.category,
            goods: row.goods,
            cash: row.cash,
            note: row.note.map(str::to_string),
        });
        Ok(())
    }

    /// The end of the file: settle every staged row (contract §3.4), each
    /// held by `ledger`, new ones added by import `command`.
    pub fn settle(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        let mut rows = std::mem::take(&mut self.rows);
        // Stable: the rows of one (day, fingerprint) stay in file order.
        rows.sort_by_key(|r| (r.day, r.fingerprint));
        let mut settled = Settled::default();
        let mut last: Option<(i32, i64, i64)> = None;
        for r in &rows {
            let occurrence = match last {
                Some((day, fingerprint, k)) if (day, fingerprint) == (r.day, r.fingerprint) => {
                    k + 1
                }
                _ => 1,
            };
            last = Some((r.day, r.fingerprint, occurrence));
            let stored: Option<i64> = conn.query_opt(
                "SELECT key FROM deliveries
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3",
                args![r.day, r.fingerprint, occurrence],
                |row| row.get(0),
            )?;
            let key = match stored {
                Some(key) => {
                    settled.unchanged += 1;
                    key
                }
                None => {
                    settled.new += 1;
                    conn.value(
                        "INSERT INTO deliveries
                         (day, member, household, category, goods, cash, note, fingerprint,
                          occurrence, added)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                         RETURNING key",
                        args![
                            r.day,
                            r.member,
                            r.household,
                            r.category,
                            r.goods,
                            r.cash,
                            r.note,
                            r.fingerprint,
                            occurrence,
                            command
                        ],
                    )?
                }
            };
            conn.execute(
                "INSERT INTO holds (kind, record, ledger, added) VALUES (3, ?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                args![key, ledger, command],
            )?;
            settled.keys.push(key);
        }
        Ok(settled)
    }
}
