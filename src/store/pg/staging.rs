//! Rows staged on a PostgreSQL server for a set-based settle, each at its
//! place (day, fingerprint, occurrence): the one mechanism under both
//! bulk paths that meet stored deliveries, a file's whose days hold some
//! already ([`super::deliveries`], its rows sorted and numbered on the
//! client) and a merge's ([`super::placed`]). The rows go to the server
//! by binary COPY (`postgres::binary_copy`), [`CHUNK`] at a time, into a
//! temporary table of the session's, each with its rank in the order they
//! came (`seq`); bangfu holds at most a chunk. At the end one statement
//! settles them all, under the import's write lock and inside its
//! transaction (the staging table goes with it, also when the import
//! fails).
//!
//! A staged row is a few integers (BIGINT) and a note (TEXT COLLATE "C",
//! or none); the notes of a chunk are kept one after another in one
//! string, not a string a row.

use super::deliveries::Settled;
use crate::store::sql::{Conn, Result, SqlError};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use std::ops::Range;

/// Rows sent to the server with one COPY; what bangfu holds of a file.
pub(super) const CHUNK: usize = 32 * 1024;

/// The memory the server may give the settle's sorts and hashes, for that
/// statement only (`SET LOCAL`, then back to the session's). At the
/// server's default (4 MB) the sort that numbers a million rows'
/// occurrences went to disk; in memory it takes about 160 MB. Imports run
/// one at a time (the write lock), so one session at a time uses it.
const SETTLE_MEMORY: &str = "256MB";

/// The rows of one file with `N` integer columns and a note: those of the
/// chunk not yet copied, and how many went before them.
#[derive(Debug)]
pub(super) struct Stager<const N: usize> {
    /// The staging table (in `pg_temp`).
    table: &'static str,
    /// Its integer columns, after `seq`; then `note`.
    columns: [&'static str; N],
    chunk: Vec<([i64; N], Option<Range<usize>>)>,
    /// The chunk's notes, one after another.
    notes: String,
    /// Rows of the file already on the server.
    copied: u64,
}

impl<const N: usize> Stager<N> {
    pub(super) fn new(table: &'static str, columns: [&'static str; N]) -> Stager<N> {
        Stager {
            table,
            columns,
            chunk: Vec::new(),
            notes: String::new(),
            copied: 0,
        }
    }

    /// Whether no row waits to be settled.
    pub(super) fn is_empty(&self) -> bool {
        self.chunk.is_empty() && self.copied == 0
    }

    /// A row of the file, in file order.
    pub(super) fn push(&mut self, conn: &Conn, values: [i64; N], note: Option<&str>) -> Result<()> {
        let note = note.map(|n| {
            let start = self.notes.len();
            self.notes.push_str(n);
            start..self.notes.len()
        });
        self.chunk.push((values, note));
        if self.chunk.len() >= CHUNK {
            self.copy(conn)?;
        }
        Ok(())
    }

    /// The end of the file: copy what is left, settle every row with
    /// `settle` (?1 the import, ?2 the ledger, ?3 the first free key; a
    /// new row's key is ?3 on by its count among the new ones; the answer:
    /// the stored deliveries the rows matched), and make ready for the
    /// next file whatever the outcome (a failure fails the transaction).
    /// The key sequence then goes on after the largest key, as after any
    /// insert (sync_keys: also for a role that sees only some rows), and
    /// the staging table goes.
    pub(super) fn settle(
        &mut self,
        conn: &Conn,
        settle: &str,
        command: i64,
        ledger: i64,
    ) -> Result<Settled> {
        let settled = self
            .copy(conn)
            .and_then(|()| self.settle_copied(conn, settle, command, ledger));
        self.chunk.clear();
        self.notes.clear();
        self.copied = 0;
        settled
    }

    fn settle_copied(
        &self,
        conn: &Conn,
        settle: &str,
        command: i64,
        ledger: i64,
    ) -> Result<Settled> {
        let rows = self.copied;
        if rows == 0 {
            return Ok(Settled::default());
        }
        let base: i64 = conn.value(
            "SELECT nextval(pg_get_serial_sequence('deliveries', 'key'))",
            crate::args![],
        )?;
        conn.batch(&format!("SET LOCAL work_mem = '{SETTLE_MEMORY}'"))?;
        let mut matched = Vec::new();
        conn.stream(settle, crate::args![command, ledger, base], |r| {
            matched.push(r.get::<_, i64>(0)?);
            Ok(())
        })?;
        let unchanged = matched.len() as u64;
        let new = rows.saturating_sub(unchanged);
        let next = base.saturating_add(new as i64);
        conn.batch(&format!(
            "SET LOCAL work_mem TO DEFAULT; SELECT bangfu.sync_keys(); DROP TABLE pg_temp.{}",
            self.table
        ))?;
        let mut keys = Vec::with_capacity(rows as usize);
        keys.extend(base..next);
        keys.extend(matched);
        Ok(Settled {
            new,
            unchanged,
            keys,
        })
    }

    /// Send what is left of the chunk to the server; how many rows are
    /// staged in all. The staging table then holds every row, for a
    /// statement of the caller's (which drops it, or the transaction's end
    /// does).
    pub(super) fn copy_all(&mut self, conn: &Conn) -> Result<u64> {
        self.copy(conn)?;
        Ok(self.copied)
    }

    /// Send the chunk to the server: one binary COPY into the staging
    /// table, made (empty) by the file's first chunk — emptied in case an
    /// earlier file on this session staged rows it never settled. Each row
    /// carries its place in the file.
    pub(super) fn copy(&mut self, conn: &Conn) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let table = self.table;
        let columns = self.columns.join(", ");
        if self.copied == 0 {
            let definitions: String = self
                .columns
                .iter()
                .map(|c| format!("{c} BIGINT NOT NULL, "))
                .collect();
            conn.batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {table} (
                     seq BIGINT NOT NULL, {definitions}note TEXT COLLATE \"C\"
                 ) ON COMMIT DROP;
                 TRUNCATE pg_temp.{table}"
            ))?;
        }
        let mut types = vec![Type::INT8; N + 1];
        types.push(Type::TEXT);
        let (chunk, notes, first) = (&self.chunk, &self.notes, self.copied);
        let copied = postgres_only(conn, |pg| {
            let sink = pg.client.copy_in(&format!(
                "COPY pg_temp.{table} (seq, {columns}, note) FROM STDIN (FORMAT binary)"
            ))?;
            let mut writer = BinaryCopyInWriter::new(sink, &types);
            for (seq, (values, note)) in (first..).zip(chunk) {
                let seq = seq as i64;
                let note = note.clone().and_then(|n| notes.get(n));
                let mut row: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(N + 2);
                row.push(&seq);
                row.extend(values.iter().map(|v| v as &(dyn ToSql + Sync)));
                row.push(&note);
                writer.write(&row)?;
            }
            Ok(writer.finish()?)
        })?;
        self.copied += copied;
        self.chunk.clear();
        self.notes.clear();
        Ok(())
    }
}

/// Run `f` on the PostgreSQL session; the bulk paths have no SQLite side
/// (the writer takes them on PostgreSQL only).
pub(super) fn postgres_only<T>(
    conn: &Conn,
    f: impl FnOnce(&mut crate::store::sql::Pg) -> Result<T>,
) -> Result<T> {
    conn.with_pg(f).unwrap_or(Err(SqlError::Type {
        column: String::new(),
        wanted: "a PostgreSQL connection",
        found: "a SQLite one",
    }))
}
