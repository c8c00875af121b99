//! Writing checked records inside one import's transaction: upserts that
//! never double count (contract §3.4), and the per-record outcome (new,
//! updated, unchanged) the import summary counts. One file per concern:
//! - [`refs`]: references, by id else by exactly one name (contract §3.2);
//! - [`rosters`]: households, members and pairings;
//! - [`deliveries`]: deliveries, by id, or sorted ([`sorted`]) and settled
//!   by fingerprint and occurrence.
//!
//! Here: the writer itself, what writing a record can come to, and the
//! transaction an import writes in, with its log.

mod deliveries;
mod refs;
mod rosters;
mod seen;
mod sorted;

pub use deliveries::{fingerprint, id_fingerprint, Resolved};
pub use refs::Refs;
pub use seen::Seen;

use crate::i18n::store::StoreMsg;
use crate::input::headers::{Field, Kind};
use crate::records::CellProblem;
pub use crate::records::Columns;
use crate::values::{Date, LedgerName};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rustc_hash::FxHashMap as HashMap;

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    New,
    Updated,
    Unchanged,
}

/// What the records of a file did, counted by the writer: a delivery
/// without id is written in key order, once the rows before it are known
/// (as its day ends in a file by day, else at the end of the file,
/// [`Writer::end_file`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl Tally {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::New => self.new += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// Why a record was not written: its own problems, which reject the row
/// while the import goes on, or the database failing, which ends it.
#[derive(Debug)]
pub enum WriteError {
    Rejected(Vec<CellProblem>),
    Failed(rusqlite::Error),
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> WriteError {
        WriteError::Failed(e)
    }
}

impl From<Vec<CellProblem>> for WriteError {
    fn from(problems: Vec<CellProblem>) -> WriteError {
        WriteError::Rejected(problems)
    }
}

impl Writer<'_> {
    /// A row rejected for one problem in `column`.
    fn rejected(&self, column: Field, message: StoreMsg) -> WriteError {
        WriteError::Rejected(vec![refs::problem(column, message)])
    }
}

/// Writes records of one import into an open transaction.
pub struct Writer<'c> {
    conn: &'c Connection,
    refs: Refs,
    id_numbers: HashMap<String, i64>,
    /// Per file: where each household or member id was first seen.
    seen_ids: HashMap<String, u64>,
    /// This import's number (contract §8): one above every number the log
    /// has given, undone imports included. Every record this import adds
    /// carries it in `added`; every hold, history row and undo row it
    /// writes, too.
    command: i64,
    /// The day this import's changes hold from (today or `BANGFU_TODAY`).
    #[allow(dead_code)] // read by the history the rosters write (coming with ledgers)
    day: i32,
    /// The current file's ledger (`ledgers.key`).
    ledger: i64,
    /// Per ledger and kind this import wrote: the records its files listed
    /// ([`Writer::saw`]), the version `--replace` makes current.
    versions: HashMap<(i64, Kind), Seen>,
    tally: Tally,
    /// The current file's deliveries without id, waiting to be sorted, and
    /// the statements a million-row import runs a million times, prepared
    /// once (a cached statement costs a hash of its SQL on every use).
    deliveries: deliveries::Deliveries<'c>,
}

impl<'c> Writer<'c> {
    /// Load the reference maps from the database.
    pub fn new(conn: &'c Connection, today: Date) -> rusqlite::Result<Writer<'c>> {
        let (refs, id_numbers) = Refs::load(conn)?;
        let command: i64 = conn.query_row(
            "SELECT coalesce(max(number), 0) + 1 FROM commands",
            [],
            |r| r.get(0),
        )?;
        Ok(Writer {
            conn,
            refs,
            id_numbers,
            seen_ids: HashMap::default(),
            command,
            day: today.days(),
            ledger: 0,
            versions: HashMap::default(),
            tally: Tally::default(),
            deliveries: deliveries::Deliveries::new(conn, command)?,
        })
    }

    /// Start a new file of `ledger` (made if it is new): ids and
    /// fingerprints are counted per file.
    pub fn begin_file(&mut self, ledger: &LedgerName) -> rusqlite::Result<()> {
        self.ledger = self
            .conn
            .prepare_cached(
                "INSERT INTO ledgers (name) VALUES (?1)
                 ON CONFLICT (name) DO UPDATE SET name = name RETURNING key",
            )?
            .query_row([ledger.as_str()], |r| r.get(0))?;
        self.seen_ids.clear();
        self.deliveries.begin_file();
        self.tally = Tally::default();
        Ok(())
    }

    /// This import's number.
    pub fn command(&self) -> i64 {
        self.command
    }

    /// Note that the current file listed record `key` of `kind` (inserted
    /// or matched it): it is in its ledger's new version.
    fn saw(&mut self, kind: Kind, key: i64) {
        self.versions
            .entry((self.ledger, kind))
            .or_default()
            .insert(key);
    }

    /// Write the file's deliveries without id, sorted; what all the file's
    /// records did.
    pub fn end_file(&mut self) -> rusqlite::Result<Tally> {
        self.end_deliveries()?;
        Ok(std::mem::take(&mut self.tally))
    }

    /// The households and members as they stand now.
    pub fn refs(&self) -> Refs {
        self.refs.clone()
    }

    /// Count what writing a record did in the file's tally.
    fn counted(&mut self, settled: Result<Outcome, WriteError>) -> Result<(), WriteError> {
        settled.map(|outcome| self.tally.count(outcome))
    }
}

/// What became of one file's rows: the counts the per-file table shows and
/// the import log keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub rejected: u64,
}

/// One file of an import, as the import log keeps it.
#[derive(Debug, Clone, Copy)]
pub struct LoggedFile<'a> {
    pub file: &'a str,
    pub ledger: &'a LedgerName,
    /// The kind's key (`households` …), unless the kind was never told.
    pub kind: Option<&'static str>,
    pub encoding: &'a str,
    pub counts: Counts,
}

/// The transaction of one import: taken at once (a second bangfu waits),
/// written through a [`Writer`], logged, and committed or rolled back as
/// a whole (contract §3.5).
pub struct Import<'s> {
    tx: Transaction<'s>,
}

impl super::Store {
    /// Begin an import's transaction.
    pub fn begin_import(&mut self) -> rusqlite::Result<Import<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Import { tx })
    }
}

impl Import<'_> {
    /// A writer of records into this transaction, which says the rows'
    /// problems in `lang`.
    pub fn writer(&self, today: Date) -> rusqlite::Result<Writer<'_>> {
        Writer::new(&self.tx, today)
    }

    /// Record the import as command `command`, dated `today`, and each of
    /// its files in the `imports` table, then commit.
    pub fn log_and_commit(
        self,
        command: i64,
        today: Date,
        files: &[LoggedFile<'_>],
    ) -> rusqlite::Result<()> {
        let now = chrono::Local::now();
        let at = now.format("%Y-%m-%d %H:%M:%S").to_string();
        self.tx.execute(
            "INSERT INTO commands (number, at, user, day) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                command,
                now.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                "",
                today.days()
            ],
        )?;
        {
            let mut stmt = self.tx.prepare_cached(
                "INSERT INTO imports (at, file, kind, encoding, rows_read, new, updated, unchanged, skipped, rejected, command, ledger)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT key FROM ledgers WHERE name = ?12))",
            )?;
            for f in files {
                let c = f.counts;
                stmt.execute(rusqlite::params![
                    at,
                    f.file,
                    f.kind,
                    f.encoding,
                    c.read as i64,
                    c.new as i64,
                    c.updated as i64,
                    c.unchanged as i64,
                    c.skipped as i64,
                    c.rejected as i64,
                    command,
                    f.ledger.as_str(),
                ])?;
            }
        }
        self.tx.commit()
    }

    /// Write nothing of the import.
    pub fn rollback(self) -> rusqlite::Result<()> {
        self.tx.rollback()
    }
}
