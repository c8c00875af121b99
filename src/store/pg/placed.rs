//! The deliveries without id of one line of `import OTHER.db` (contract
//! §9), written into PostgreSQL in bulk: each at the place (day,
//! fingerprint, occurrence) the other file stored it, not numbered again
//! as a file's rows are ([`super::deliveries`] numbers occurrences by file
//! order; the other file may hold occurrence 2 of a row without its
//! occurrence 1). The rows are staged on the server ([`super::staging`]);
//! one statement then settles the line ([`SETTLE`]): a stored place is
//! that delivery (unchanged), a free one a new delivery added by the
//! import; every one held by the line's
//! ledger (none for ledger 0, the records no ledger holds). New deliveries
//! take their keys in the order the rows came, as SQLite's path, a row at
//! a time, gives them (store/write/merge.rs), and the key sequence then
//! goes on after the last.
//!
//! A merge runs under the write lock, inside the import's transaction
//! (the staging table goes with it); one line at a time on a session.

use super::deliveries::Settled;
use super::staging::Stager;
use crate::store::sql::{Conn, Result};

/// A delivery of the other file at its place, its member and household
/// keys of the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedRow {
    pub day: i64,
    pub fingerprint: i64,
    pub occurrence: i64,
    pub member: i64,
    pub household: i64,
    pub category: i64,
    pub goods: i64,
    pub cash: i64,
    pub note: Option<String>,
}

/// One line's rows, staged ([`super::staging`]).
#[derive(Debug)]
pub struct Placing(Stager<8>);

impl Default for Placing {
    fn default() -> Placing {
        Placing(Stager::new(
            "bangfu_placed",
            [
                "day",
                "fingerprint",
                "occurrence",
                "member",
                "household",
                "category",
                "goods",
                "cash",
            ],
        ))
    }
}

impl Placing {
    pub fn new() -> Placing {
        Placing::default()
    }

    /// Whether no row waits to be settled.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A row of the line, in the order the other file gives them.
    pub fn push(&mut self, conn: &Conn, row: PlacedRow) -> Result<()> {
        let values = [
            row.day,
            row.fingerprint,
            row.occurrence,
            row.member,
            row.household,
            row.category,
            row.goods,
            row.cash,
        ];
        self.push_values(conn, values, row.note.as_deref())
    }

    /// A row as [`PlacedRow`]'s values in its order (day, fingerprint,
    /// occurrence, member, household, category, goods, cash) and its note.
    pub(super) fn push_values(
        &mut self,
        conn: &Conn,
        values: [i64; 8],
        note: Option<&str>,
    ) -> Result<()> {
        self.0.push(conn, values, note)
    }

    /// Settle every row pushed (see the module's header): held by `ledger`
    /// unless it is 0, new ones added by import `command`. Ready for the
    /// next line, whatever the outcome.
    pub fn settle(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        self.0.settle(conn, SETTLE, command, ledger)
    }
}

/// The part of a statement that holds its matched deliveries, after a
/// `placed` of the staged rows, each with the delivery `stored` at its
/// place (if any) and the ledger `stored_ledger` that delivery's own row
/// says holds it: each such delivery held by ledger ?2 (0: none), made by
/// import ?1, unless its own row holds it for the ledger or `holds` does
/// already (the conflict on the hold's key, which keeps the import of a
/// hold the ledger had).
///   Not looked up beforehand with an anti-join: the server could plan
/// one as a scan of every hold of the ledger, and of every one the
/// statement had inserted so far, for each matched row — minutes for
/// 100,000 rows held by another ledger (attacker review).
macro_rules! held_by_the_ledger {
    () => {
        "held AS (
    INSERT INTO holds (kind, record, ledger, added)
    SELECT 3, p.stored, CAST(?2 AS BIGINT), CAST(?1 AS BIGINT)
    FROM placed p
    WHERE p.stored IS NOT NULL AND CAST(?2 AS BIGINT) <> 0
      AND p.stored_ledger IS DISTINCT FROM CAST(?2 AS BIGINT)
    ON CONFLICT DO NOTHING
)"
    };
}
pub(super) use held_by_the_ledger;

/// Settle a line's staged rows: ?1 the import, ?2 the ledger (0: none),
/// ?3 the first free key. `placed`: each row with the delivery stored at
/// its place, if any, and the ledger that delivery's own row says holds
/// it. `fresh`: the rows at free places, each with how many of them up to
/// it (in line order) there are: a new row's key is ?3 on by that count
/// (numbered after the join, only the new rows are sorted: a re-import's
/// million stored ones are not). `inserted`: the new deliveries, each held
/// by the ledger in its own row (schema 9). `held`: every stored delivery
/// the line lists held by the ledger ([`held_by_the_ledger`]). The answer:
/// the stored deliveries the line matched.
pub(super) const SETTLE: &str = concat!(
    "
WITH placed AS (
    SELECT s.*, d.key AS stored, d.ledger AS stored_ledger
    FROM pg_temp.bangfu_placed s
    LEFT JOIN deliveries d
      ON d.day = s.day AND d.fingerprint = s.fingerprint AND d.occurrence = s.occurrence
), fresh AS (
    SELECT p.*, row_number() OVER (ORDER BY p.seq) AS nth_new
    FROM placed p
    WHERE p.stored IS NULL
), inserted AS (
    INSERT INTO deliveries
        (key, day, fingerprint, occurrence, member, household, category, goods, cash, note, added,
         ledger)
    SELECT CAST(?3 AS BIGINT) - 1 + nth_new, day, fingerprint, occurrence, member, household,
           category, goods, cash, note, CAST(?1 AS BIGINT), nullif(CAST(?2 AS BIGINT), 0)
    FROM fresh
), ",
    held_by_the_ledger!(),
    "
SELECT stored FROM placed WHERE stored IS NOT NULL"
);
