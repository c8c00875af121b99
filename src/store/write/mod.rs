//! Writing checked records inside one import's transaction: upserts that
//! never double count (contract §3.4), and the per-record outcome (new,
//! updated, unchanged) the import summary counts. One file per concern:
//! - [`refs`]: references, by id else by exactly one name (contract §3.2);
//! - [`rosters`]: households, members and pairings, read through
//!   [`cache`];
//! - [`deliveries`]: deliveries, by id, or sorted ([`sorted`]) and settled
//!   by fingerprint and occurrence;
//! - [`replace`]: `--replace`, the ledgers following their new versions;
//! - [`hints`]: what an import without `--replace` warns of.
//!
//! Here: the writer itself, what writing a record can come to, the holds
//! and history rows every writer path writes, and the transaction an
//! import writes in, with its log.

mod cache;
mod deliveries;
mod hints;
pub mod merge;
mod one_visit;
mod refs;
pub(crate) mod replace;
mod rosters;
mod seen;
pub(crate) mod sorted;

pub use deliveries::{fingerprint, id_fingerprint, own_hold, place_taken_twice, Resolved};
pub use hints::{Correction, Corrections, IdSwitch, OtherLedger, Unlisted};
pub use one_visit::OneVisit;
pub use refs::Refs;
pub use replace::{Kept, Refusal, Replaced, Version};
use seen::Listing;
pub use seen::Seen;

use super::pg::deliveries::Staged;
use super::pg::placed::Placing;
use super::sql::{Arg, Cell, Conn, Dialect, Result, SqlError, ToArg};
use crate::args;
use crate::i18n::store::StoreMsg;
use crate::input::headers::{Field, Kind};
use crate::records::CellProblem;
pub use crate::records::Columns;
use crate::values::{Date, LedgerName};
use rusqlite::types::Value;
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
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Of a file of deliveries: what it lists beside the earlier files of
    /// its ledger in this import.
    pub overlap: Overlap,
}

/// A file of deliveries beside the earlier files of its ledger in the same
/// import, whose rows together are the ledger's version: its number among
/// the import's files (0, 1, … as begun), how many deliveries it listed,
/// and the earlier files that listed some of them. A sheet and its
/// corrected copy, both given in one command (`import --ledger 三月
/// 台账/*.csv`), share most rows, and a corrected row is counted beside
/// the row it corrects unless told ([`crate::import`]'s ledgers).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub file: Option<u32>,
    pub listed: u64,
    pub with: Vec<Shared>,
}

/// An earlier file of the import ([`Overlap`]): its number, how many
/// deliveries it listed, and how many of those the later file lists too;
/// `inside`: whether a row one of the two lists and the other does not is
/// dated within the other's first and last day — a row the other would
/// list, were both the same sheet (a corrected amount keeps its day),
/// where exports of overlapping date ranges, or a sheet grown by a month,
/// differ only outside (unknown dates count as inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shared {
    pub file: u32,
    pub listed: u64,
    pub shared: u64,
    pub inside: bool,
}

/// How many of the rows one file of a pair lists alone are looked at for
/// [`Shared::inside`].
const INSIDE_LOOKED_AT: usize = 1000;

/// At most this many bytes of earlier files' listings are kept to compare
/// later files with (the oldest go first): 125 KB a million keys a file.
const LISTINGS_KEPT: usize = 8 << 20;

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
    Failed(SqlError),
}

impl From<SqlError> for WriteError {
    fn from(e: SqlError) -> WriteError {
        WriteError::Failed(e)
    }
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> WriteError {
        WriteError::Failed(e.into())
    }
}

/// A value as a stored column holds it (a household's, a history row's):
/// either backend's, compared and written back as it was read.
impl ToArg for Value {
    fn arg(&self) -> Arg<'_> {
        match self {
            Value::Null => Arg::Null,
            Value::Integer(i) => Arg::Int(*i),
            Value::Real(f) => Arg::Real(*f),
            Value::Text(t) => Arg::Text(t),
            Value::Blob(b) => Arg::Blob(b),
        }
    }
}

/// A column read as it is stored.
fn stored(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::Integer(i),
        Cell::Real(f) => Value::Real(f),
        Cell::Text(t) => Value::Text(t.to_string()),
        Cell::Blob(b) => Value::Blob(b.to_vec()),
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
    conn: &'c Conn,
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
    day: i32,
    /// The highest delivery key before this import: every delivery with a
    /// higher one is this import's (keys are handed out in order).
    deliveries_before: i64,
    /// The current file's ledger (`ledgers.key`).
    ledger: i64,
    /// Per ledger and kind this import wrote: the records its files listed
    /// ([`Writer::saw`]), the version `--replace` makes current.
    versions: HashMap<(i64, Kind), Seen>,
    /// The (ledger, kind) of the files written ([`Writer::lists`]): the
    /// versions `--replace` makes current.
    whole: std::collections::BTreeSet<(i64, Kind)>,
    /// Per version a merge wrote: the earlier imports whose holds its
    /// `--replace` may take out ([`Writer::from_earlier_merges`]); a
    /// version not named here takes out any of its ledger's.
    replaces_only: HashMap<(i64, Kind), rustc_hash::FxHashSet<i64>>,
    tally: Tally,
    /// The households and members this import's files listed: the file
    /// and its optional columns (a later file may not give them other
    /// values in the same columns).
    roster_listed: HashMap<(Kind, i64), (u32, crate::records::Columns)>,
    /// The current file's number in the import, the deliveries it listed
    /// and their first and last day; the earlier files' listings, with
    /// their ledgers ([`Overlap`]).
    file_number: u32,
    file_kind: Option<Kind>,
    file_listed: Seen,
    file_days: Option<(i32, i32)>,
    listed_files: Vec<(i64, Kind, u32, Listing)>,
    /// Per ledger, how many of this import's files listed deliveries of
    /// it: rows of one file are never that sheet given twice
    /// ([`Writer::id_switches`]).
    delivery_files: HashMap<i64, u32>,
    /// Per file ended, its number and the largest delivery key then: the
    /// new deliveries of a file are those above the one before
    /// ([`Writer::one_visit_either_way`]).
    file_last_keys: Vec<(u32, i64)>,
    /// The rows a version lists because a row of it was paired with them
    /// ([`Writer::one_visit_either_way`]): another ledger's rows of the
    /// same visits, given the other way, which [`Writer::other_ledger`]
    /// does not count as the file being that ledger's sheet.
    paired: Seen,
    /// The current file's deliveries without id, waiting to be sorted, and
    /// the statements a million-row import runs a million times, prepared
    /// once (a cached statement costs a hash of its SQL on every use).
    /// The sorter and statements are SQLite's (on PostgreSQL the rows go
    /// to `staged` instead); the ids a file wrote are kept on both.
    deliveries: deliveries::Deliveries<'c>,
    /// On PostgreSQL: the current file's deliveries without id, sorted and
    /// written at the end of the file (contract §3.4).
    staged: Staged,
    /// On PostgreSQL: a merge's deliveries at their stored places
    /// ([`merge`]), settled likewise.
    placed: Placing,
    /// Per ledger, the first and last day of the deliveries this import
    /// gave it ([`Writer::unlisted`]).
    days: HashMap<i64, (i32, i32)>,
    /// Per ledger, whether its version of deliveries is its sheet again,
    /// once asked ([`Writer::corrections`] and [`Writer::unlisted`] both
    /// ask, after the files are written; the answer reads the new rows).
    sheet_again: std::cell::RefCell<HashMap<i64, bool>>,
    /// Per ledger, its deliveries this import matched by record id and
    /// moved to another member or household ([`Writer::unlisted`]: a sheet
    /// renumbered after a row was deleted).
    moved_by_id: HashMap<i64, u64>,
    /// Whether this import was given deliveries with a record id, and
    /// without one: [`Writer::id_switches`] looks for rows matched the
    /// other way only where there can be some.
    sent: IdKinds,
    /// The current file's roster holds (kind, record, ledger) not written
    /// yet ([`Writer::hold`]).
    holds: Vec<[i64; 3]>,
    /// The stored rosters, read once an import reads many of them.
    stored: rosters::StoredRosters,
}

/// Rows one statement of [`insert_rows`] inserts at most: a few thousand
/// arguments, well under either engine's limit.
const ROWS_AT_ONCE: usize = 500;

/// Insert `rows`, [`ROWS_AT_ONCE`] to a statement: `head` (`INSERT INTO
/// t (a, b, c) VALUES`), then a tuple a row, of the row's values and then
/// the `shared` arguments (`?1` on), then `tail`.
fn insert_rows<const W: usize>(
    conn: &Conn,
    head: &str,
    tail: &str,
    shared: &[&dyn ToArg],
    rows: &[[i64; W]],
) -> Result<()> {
    let shared_refs: String = (1..=shared.len()).map(|i| format!(", ?{i}")).collect();
    for chunk in rows.chunks(ROWS_AT_ONCE) {
        let mut sql = String::from(head);
        let mut values: Vec<&dyn ToArg> = shared.to_vec();
        for (i, row) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { " (" } else { ", (" });
            for (j, value) in row.iter().enumerate() {
                let sep = if j == 0 { "" } else { ", " };
                sql.push_str(&format!("{sep}?{}", values.len() + 1));
                values.push(value);
            }
            sql.push_str(&shared_refs);
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        conn.execute(&sql, &values)?;
    }
    Ok(())
}

/// Whether deliveries with a record id, and without one, were given.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct IdKinds {
    pub with_id: bool,
    pub without_id: bool,
}

impl<'c> Writer<'c> {
    /// Load the reference maps from the database, and enter this import
    /// in the log under its number (the history rows it writes name it;
    /// [`Import::log_and_commit`] dates it).
    pub fn new(conn: &'c Conn, today: Date) -> Result<Writer<'c>> {
        let (refs, id_numbers) = Refs::load(conn)?;
        let command: i64 =
            conn.value("SELECT coalesce(max(number), 0) + 1 FROM commands", args![])?;
        conn.execute(
            r#"INSERT INTO commands (number, at, "user", day) VALUES (?1, '', '', ?2)"#,
            args![command, today.days()],
        )?;
        let deliveries_before: i64 =
            conn.value("SELECT coalesce(max(key), 0) FROM deliveries", args![])?;
        Ok(Writer {
            conn,
            refs,
            id_numbers,
            seen_ids: HashMap::default(),
            command,
            day: today.days(),
            deliveries_before,
            ledger: 0,
            versions: HashMap::default(),
            whole: Default::default(),
            replaces_only: HashMap::default(),
            tally: Tally::default(),
            file_number: u32::MAX,
            file_kind: None,
            roster_listed: HashMap::default(),
            file_listed: Seen::default(),
            file_days: None,
            listed_files: Vec::new(),
            delivery_files: HashMap::default(),
            file_last_keys: Vec::new(),
            paired: Seen::default(),
            deliveries: deliveries::Deliveries::new(conn, command)?,
            staged: Staged::new(),
            placed: Placing::new(),
            sent: IdKinds::default(),
            days: HashMap::default(),
            sheet_again: Default::default(),
            moved_by_id: HashMap::default(),
            holds: Vec::new(),
            stored: Default::default(),
        })
    }

    /// Start a new file of `ledger` (made if it is new): ids and
    /// fingerprints are counted per file. (Looked up before it is made: a
    /// PostgreSQL insert that meets the name would use up a key.)
    pub fn begin_file(&mut self, ledger: &LedgerName) -> Result<()> {
        self.ledger = match self.ledger_key(ledger)? {
            Some(key) => key,
            None => self.insert(
                "INSERT INTO ledgers (name) VALUES (?1)",
                args![ledger.as_str()],
            )?,
        };
        self.seen_ids.clear();
        self.file_number = self.file_number.wrapping_add(1);
        self.file_listed = Seen::default();
        self.file_days = None;
        self.file_kind = None;
        self.deliveries.begin_file();
        self.staged = Staged::new();
        self.tally = Tally::default();
        Ok(())
    }

    /// Insert one record with `sql`; its key. SQLite's `RETURNING` makes
    /// it keep a statement journal for the insert (a temporary file, a
    /// page of 64 KB a row), so there the key is the row's rowid instead.
    fn insert(&self, sql: &str, args: &[&dyn ToArg]) -> Result<i64> {
        match self.conn.as_sqlite() {
            Some(file) => {
                self.conn.execute(sql, args)?;
                Ok(file.last_insert_rowid())
            }
            None => self.conn.value(&format!("{sql} RETURNING key"), args),
        }
    }

    /// This import's number.
    pub fn command(&self) -> i64 {
        self.command
    }

    /// The name of ledger `key`.
    fn ledger_name(&self, key: i64) -> Result<LedgerName> {
        let name: String = self
            .conn
            .value("SELECT name FROM ledgers WHERE key = ?1", args![key])?;
        Ok(LedgerName::parse(&name).unwrap_or_default())
    }

    /// The key of the ledger named `name`, if there is one.
    fn ledger_key(&self, name: &LedgerName) -> Result<Option<i64>> {
        self.conn.query_opt(
            "SELECT key FROM ledgers WHERE name = ?1",
            args![name.as_str()],
            |r| r.get(0),
        )
    }

    /// Note that the current file listed record `key` of `kind` (inserted
    /// or matched it): it is in its ledger's new version.
    fn saw(&mut self, kind: Kind, key: i64) {
        // A file's own kind only (not the pairings a members file lists).
        if self.file_kind == Some(kind) && matches!(kind, Kind::Deliveries | Kind::Pairings) {
            self.file_listed.insert(key);
        }
        self.versions
            .entry((self.ledger, kind))
            .or_default()
            .insert(key);
    }

    /// The current file is one of `kind`: its ledger has a version of that
    /// kind even if no row of it is written (a file of a header alone lists
    /// nothing: `--replace` would drop all the ledger held, and says so).
    /// Only the kinds of the files themselves are whole versions: a
    /// members file's 结对户 column lists pairings (held, in its ledger's
    /// pairings), but it is no whole version of the ledger's pairings, and
    /// `--replace` of a members file must not drop the pairings its
    /// ledger's pairings sheet lists.
    pub fn lists(&mut self, kind: Kind) {
        self.file_kind = Some(kind);
        self.versions.entry((self.ledger, kind)).or_default();
        self.whole.insert((self.ledger, kind));
    }

    /// The current file listed record `key` of `kind`: its ledger holds it
    /// (a hold it had already keeps the import that made it) and it is in
    /// the ledger's new version ([`Writer::saw`]). The records a merge
    /// writes held by no ledger (ledger 0, [`Writer::begin_unheld`]) get
    /// no hold. A roster record's hold is written with the file's others,
    /// [`ROWS_AT_ONCE`] to a statement ([`Writer::write_holds`]): one a
    /// row was most of a roster's import on PostgreSQL, a round trip to
    /// the server each.
    fn hold(&mut self, kind: Kind, key: i64) -> Result<()> {
        if self.ledger == 0 {
            return Ok(());
        }
        self.saw(kind, key);
        if kind != Kind::Deliveries {
            self.holds.push([kind as i64, key, self.ledger]);
            if self.holds.len() >= ROWS_AT_ONCE {
                self.write_holds()?;
            }
            return Ok(());
        }
        // A delivery's own row may hold it for the ledger (schema 8): then
        // no row of `holds` too.
        self.conn.execute(
            "INSERT INTO holds (kind, record, ledger, added)
             SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS BIGINT)
             WHERE NOT EXISTS (SELECT 1 FROM deliveries
                               WHERE ?1 = 3 AND key = ?2 AND ledger = ?3)
             ON CONFLICT DO NOTHING",
            args![kind as i64, key, self.ledger, self.command],
        )?;
        Ok(())
    }

    /// Write the roster holds [`Writer::hold`] keeps back. Called at the
    /// end of each file, before anything reads the holds again.
    fn write_holds(&mut self) -> Result<()> {
        let holds = std::mem::take(&mut self.holds);
        insert_rows(
            self.conn,
            "INSERT INTO holds (kind, record, ledger, added) VALUES",
            "ON CONFLICT DO NOTHING",
            args![self.command],
            &holds,
        )
    }

    /// Field `field` of household or member `record` changed from `old` to
    /// `new`, holding from `day`: one history row of this import. A second
    /// change of the field by a later file of the import keeps the first
    /// old value and takes the last new one and its day; a field changed
    /// back to what it was before the import has no row. (PostgreSQL keeps
    /// the values as text, so that one that is back compares equal there
    /// too.)
    fn history(
        &self,
        kind: Kind,
        record: i64,
        field: &str,
        (old, new): (&Value, &Value),
        day: i32,
    ) -> Result<()> {
        let kind = kind as i64;
        self.conn.execute(
            "INSERT INTO history (kind, record, field, command, day, old, new)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (kind, record, field, command)
             DO UPDATE SET new = excluded.new, day = excluded.day",
            args![kind, record, field, self.command, day, old, new],
        )?;
        self.conn.execute(
            "DELETE FROM history WHERE kind = ?1 AND record = ?2 AND field = ?3
             AND command = ?4 AND old IS NOT DISTINCT FROM new",
            args![kind, record, field, self.command],
        )?;
        Ok(())
    }

    /// Write the file's deliveries without id, sorted; what all the file's
    /// records did.
    pub fn end_file(&mut self) -> Result<Tally> {
        self.write_holds()?;
        self.end_placed()?;
        self.end_deliveries()?;
        self.overlap()?;
        let last = self
            .conn
            .value("SELECT coalesce(max(key), 0) FROM deliveries", args![])?;
        self.file_last_keys.push((self.file_number, last));
        Ok(std::mem::take(&mut self.tally))
    }

    /// The current file's [`Overlap`] with the earlier files of its
    /// ledger; its listing kept for the later ones.
    fn overlap(&mut self) -> Result<()> {
        let listed = std::mem::take(&mut self.file_listed);
        let days = self.file_days.take();
        let mut with = Vec::new();
        let kind = self.file_kind;
        for (ledger, of, file, earlier) in &self.listed_files {
            if *ledger != self.ledger || Some(*of) != kind {
                continue;
            }
            let shared = earlier.shared_with(&listed);
            if shared == 0 {
                continue;
            }
            let mine = earlier.missing_of(&listed, INSIDE_LOOKED_AT);
            let theirs = earlier.not_in(&listed, INSIDE_LOOKED_AT);
            let inside =
                self.dated_within(&mine, earlier.days)? || self.dated_within(&theirs, days)?;
            let (file, listed) = (*file, earlier.keys());
            with.push(Shared {
                file,
                listed,
                shared,
                inside,
            });
        }
        self.tally.overlap = Overlap {
            file: Some(self.file_number),
            listed: listed.len(),
            with,
        };
        let Some(kind) = kind.filter(|_| !listed.is_empty()) else {
            return Ok(());
        };
        if kind == Kind::Deliveries {
            *self.delivery_files.entry(self.ledger).or_default() += 1;
        }
        let mut listing = Listing::from(listed);
        listing.days = days;
        self.listed_files
            .push((self.ledger, kind, self.file_number, listing));
        let mut kept: usize = self.listed_files.iter().map(|(.., l)| l.bytes()).sum();
        while kept > LISTINGS_KEPT && self.listed_files.len() > 1 {
            kept -= self.listed_files.remove(0).3.bytes();
        }
        Ok(())
    }

    /// Whether one of the deliveries `keys` is dated from the first to the
    /// last of `days` (where those are not known: whether there are keys).
    fn dated_within(&self, keys: &[i64], days: Option<(i32, i32)>) -> Result<bool> {
        let Some((first, last)) = days else {
            return Ok(!keys.is_empty());
        };
        for chunk in keys.chunks(500) {
            // Keys of this import's own listings: numbers, not text.
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>();
            let found: bool = self.conn.value(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM deliveries
                     WHERE key IN ({}) AND day BETWEEN ?1 AND ?2)",
                    list.join(",")
                ),
                args![first, last],
            )?;
            if found {
                return Ok(true);
            }
        }
        Ok(false)
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
    /// Records of its ledger's version that `--replace` made the ledger
    /// stop holding (counted on the last file of the version).
    pub removed: u64,
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
    /// The SHA-256 of the file's bytes, in hex.
    pub sha256: Option<&'a str>,
    pub counts: Counts,
}

/// The transaction of one import: taken at once (a second bangfu waits:
/// SQLite's write lock, PostgreSQL's advisory lock, [`Conn::begin_write`]),
/// written through a [`Writer`], logged, and committed or rolled back as
/// a whole (contract §3.5). Dropped unfinished, it is rolled back.
pub struct Import<'s> {
    conn: &'s Conn,
    open: bool,
}

impl super::Store {
    /// Begin an import's transaction.
    pub fn begin_import(&mut self) -> Result<Import<'_>> {
        self.conn.begin_write()?;
        Ok(Import {
            conn: &self.conn,
            open: true,
        })
    }
}

impl Import<'_> {
    /// A writer of records into this transaction, which says the rows'
    /// problems in `lang`.
    pub fn writer(&self, today: Date) -> Result<Writer<'_>> {
        Writer::new(self.conn, today)
    }

    /// Date import `command` (its [`Writer`] entered it) as of now, run by
    /// `user` — on PostgreSQL by the role it runs as (contract §8) — log
    /// each of its files in the `imports` table, and commit.
    pub fn log_and_commit(
        mut self,
        command: i64,
        today: Date,
        user: &str,
        files: &[LoggedFile<'_>],
    ) -> Result<()> {
        let conn = self.conn;
        let now = chrono::Local::now();
        let at = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let user = match conn.dialect() {
            Dialect::Sqlite => user.to_string(),
            Dialect::Postgres => conn.value("SELECT CAST(current_user AS TEXT)", args![])?,
        };
        conn.execute(
            r#"UPDATE commands SET at = ?2, "user" = ?3, day = ?4 WHERE number = ?1"#,
            args![command, super::log::log_time(now), user, today.days()],
        )?;
        for f in files {
            let c = f.counts;
            conn.execute(
                "INSERT INTO imports (at, file, kind, encoding, rows_read, new, updated, unchanged, skipped, rejected, command, ledger, sha256, removed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT key FROM ledgers WHERE name = ?12), ?13, ?14)",
                args![
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
                    f.sha256,
                    c.removed as i64,
                ],
            )?;
        }
        // A server keeps its own pages whole: only a file has a seal.
        if let Some(file) = conn.as_sqlite() {
            super::seal(file)?;
        }
        conn.commit()?;
        self.open = false;
        Ok(())
    }

    /// Write nothing of the import.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.conn.rollback()
    }
}

impl Drop for Import<'_> {
    fn drop(&mut self) {
        if self.open {
            // Whatever failed has been said; the transaction must not
            // outlive the import either way.
            let _ = self.conn.rollback();
        }
    }
}
