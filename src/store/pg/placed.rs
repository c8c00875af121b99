//! The deliveries without id of one line of `import OTHER.db` (contract
//! §9), written into PostgreSQL in bulk: each at the place (day,
//! fingerprint, occurrence) the other file stored it, not numbered again
//! as a file's rows are ([`super::deliveries`] numbers occurrences by file
//! order; the other file may hold occurrence 2 of a row without its
//! occurrence 1). The rows go to the server by binary COPY, [`CHUNK`] at
//! a time, into a temporary staging table; one statement then settles the
//! line ([`SETTLE`]): a stored place is that delivery (unchanged), a free
//! one a new delivery added by the import; every one held by the line's
//! ledger (none for ledger 0, the records no ledger holds). New deliveries
//! take their keys in the order the rows came, as SQLite's path, a row at
//! a time, gives them (store/write/merge.rs), and the key sequence then
//! goes on after the last.
//!
//! A merge runs under the write lock, inside the import's transaction
//! (the staging table goes with it); one line at a time on a session.

use super::deliveries::{postgres_only, settle_staged, Settled};
use crate::store::sql::{Conn, Result};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};

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

/// Rows sent with one COPY; what bangfu holds of a line.
const CHUNK: usize = 32 * 1024;

/// One line's rows: those of the chunk not yet copied, and how many went
/// before them.
#[derive(Debug, Default)]
pub struct Placing {
    chunk: Vec<PlacedRow>,
    copied: u64,
}

impl Placing {
    pub fn new() -> Placing {
        Placing::default()
    }

    /// Whether no row waits to be settled.
    pub fn is_empty(&self) -> bool {
        self.chunk.is_empty() && self.copied == 0
    }

    /// A row of the line, in the order the other file gives them.
    pub fn push(&mut self, conn: &Conn, row: PlacedRow) -> Result<()> {
        self.chunk.push(row);
        if self.chunk.len() >= CHUNK {
            self.copy(conn)?;
        }
        Ok(())
    }

    /// Settle every row pushed (see the module's header): held by `ledger`
    /// unless it is 0, new ones added by import `command`. Ready for the
    /// next line, whatever the outcome.
    pub fn settle(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        let settled = self.settle_all(conn, command, ledger);
        self.chunk.clear();
        self.copied = 0;
        settled
    }

    fn settle_all(&mut self, conn: &Conn, command: i64, ledger: i64) -> Result<Settled> {
        self.copy(conn)?;
        settle_staged(conn, SETTLE, "bangfu_placed", self.copied, command, ledger)
    }

    /// Send the chunk: one binary COPY into the staging table, made by the
    /// line's first chunk; each row with its place in the line.
    fn copy(&mut self, conn: &Conn) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        if self.copied == 0 {
            conn.batch(STAGING)?;
        }
        let (chunk, first) = (&self.chunk, self.copied);
        let copied = postgres_only(conn, |pg| {
            let sink = pg.client.copy_in(COPY)?;
            let mut writer = BinaryCopyInWriter::new(sink, &COLUMNS);
            for (seq, row) in (first..).zip(chunk) {
                let seq = seq as i64;
                let values: [&(dyn ToSql + Sync); 10] = [
                    &seq,
                    &row.day,
                    &row.fingerprint,
                    &row.occurrence,
                    &row.member,
                    &row.household,
                    &row.category,
                    &row.goods,
                    &row.cash,
                    &row.note,
                ];
                writer.write(&values)?;
            }
            Ok(writer.finish()?)
        })?;
        self.copied += copied;
        self.chunk.clear();
        Ok(())
    }
}

/// The staging table, the session's own, gone at the end of the
/// transaction at the latest (emptied should a line have left rows).
const STAGING: &str = r#"
CREATE TEMP TABLE IF NOT EXISTS bangfu_placed (
    seq          BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    fingerprint  BIGINT NOT NULL,
    occurrence   BIGINT NOT NULL,
    member       BIGINT NOT NULL,
    household    BIGINT NOT NULL,
    category     BIGINT NOT NULL,
    goods        BIGINT NOT NULL,
    cash         BIGINT NOT NULL,
    note         TEXT COLLATE "C"
) ON COMMIT DROP;
TRUNCATE pg_temp.bangfu_placed
"#;

const COPY: &str = "COPY pg_temp.bangfu_placed
    (seq, day, fingerprint, occurrence, member, household, category, goods, cash, note)
    FROM STDIN (FORMAT binary)";

const COLUMNS: [Type; 10] = [
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
];

/// Settle a line's staged rows: ?1 the import, ?2 the ledger (0: none),
/// ?3 the first free key. `placed`: each row with the delivery stored at
/// its place, if any, and how many rows up to it (in line order) are at
/// free places: a new row's key is ?3 on by that count. `inserted`: the
/// rows at free places. `held`: every row's delivery held by the ledger.
/// The answer: the stored deliveries the line matched.
const SETTLE: &str = "
WITH placed AS (
    SELECT s.*, d.key AS stored,
           count(*) FILTER (WHERE d.key IS NULL) OVER (ORDER BY s.seq ROWS UNBOUNDED PRECEDING)
             AS nth_new
    FROM pg_temp.bangfu_placed s
    LEFT JOIN deliveries d
      ON d.day = s.day AND d.fingerprint = s.fingerprint AND d.occurrence = s.occurrence
), inserted AS (
    INSERT INTO deliveries
        (key, day, fingerprint, occurrence, member, household, category, goods, cash, note, added)
    SELECT CAST(?3 AS BIGINT) - 1 + nth_new, day, fingerprint, occurrence, member, household,
           category, goods, cash, note, CAST(?1 AS BIGINT)
    FROM placed
    WHERE stored IS NULL
), held AS (
    INSERT INTO holds (kind, record, ledger, added)
    SELECT 3, coalesce(stored, CAST(?3 AS BIGINT) - 1 + nth_new), CAST(?2 AS BIGINT),
           CAST(?1 AS BIGINT)
    FROM placed
    WHERE CAST(?2 AS BIGINT) <> 0
    ON CONFLICT DO NOTHING
)
SELECT stored FROM placed WHERE stored IS NOT NULL ORDER BY seq";
