//! Reads for the reports. Each function answers one question in one or a
//! few queries over integer columns, in the SQL both backends speak
//! (src/store/sql.rs): whatever is printed in an order is ordered here, in
//! Rust, never by the database's ordering of text (contract §9), so that a
//! SQLite file and a PostgreSQL server give every report byte for byte.

use super::sql::{Cell, Conn, Result, Row, SqlError};
use crate::args;
use crate::values::{Fen, Status};
use rusqlite::Connection;

/// The database as the reports read it: handed to the queries here and
/// nowhere else, so that SQL stays in the store.
#[derive(Clone, Copy)]
pub struct Db<'c>(pub(super) &'c Conn);

/// The township the login reading is held to, if any
/// ([`super::pg::grant::login_township`]).
pub fn login_township(db: Db<'_>) -> Result<Option<String>> {
    super::pg::grant::login_township(db.0)
}
use std::sync::atomic::{AtomicI64, Ordering};

/// The headline counts of `summary` on `today` straight from the tables,
/// for a database whose dated fields never changed (no history of them, so
/// every record's stored values are those of every day): households on
/// the roster, of them paired and lifted, members on the roster, their
/// units, pairings. `None` when there is such history.
pub fn roster_counts(db: Db<'_>, today: i32) -> Result<Option<[i64; 6]>> {
    let removed = i64::from(Status::Removed.index());
    let lifted = i64::from(Status::Lifted.index());
    // A household lifted with a lifted_on after `today` was poor then,
    // history or not (report::world::lifted_since_first).
    let dated: bool = db.0.value(
        "SELECT EXISTS (SELECT 1 FROM history
             WHERE (kind = 0 AND field IN ('township', 'village', 'status', 'removed'))
                OR (kind = 1 AND field IN ('unit', 'removed')))
             OR EXISTS (SELECT 1 FROM households WHERE status = ?1 AND lifted_on > ?2)",
        args![lifted, today],
    )?;
    if dated {
        return Ok(None);
    }
    db.0.query_row(
        "WITH roster AS (SELECT key, status FROM households WHERE status <> ?2 AND removed = 0)
         SELECT
            (SELECT count(*) FROM roster),
            (SELECT count(DISTINCT household) FROM pairings
              WHERE (since IS NULL OR since <= ?1) AND (until IS NULL OR until >= ?1)
                AND household IN (SELECT key FROM roster)
                AND member IN (SELECT key FROM members WHERE removed = 0)),
            (SELECT count(*) FROM roster WHERE status = ?3),
            (SELECT count(*) FROM members WHERE removed = 0),
            (SELECT count(DISTINCT unit) FROM members WHERE removed = 0),
            (SELECT count(*) FROM pairings)",
        args![today, removed, lifted],
        |r| {
            Ok(Some([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ]))
        },
    )
}

/// The count and the money of every delivery (of those `ledger` holds,
/// when given): the deliveries part of `summary` without filters, in one
/// pass the database makes over the table. A sum past an `i64` of fen is
/// an error ([`is_sum_overflow`]), never a wrong figure.
pub fn delivery_sums(db: Db<'_>, ledger: Option<i64>) -> Result<(i64, Fen, Fen)> {
    let sums = |r: &Row<'_>| Ok((r.get(0)?, Fen(r.get(1)?), Fen(r.get(2)?)));
    // PostgreSQL sums BIGINT as NUMERIC: the cast back fails past i64.
    let found = match ledger {
        None => db.0.query_opt(
            "SELECT count(*), CAST(coalesce(sum(goods), 0) AS BIGINT),
                    CAST(coalesce(sum(cash), 0) AS BIGINT)
             FROM deliveries",
            args![],
            sums,
        )?,
        Some(ledger) => db.0.query_opt(
            concat!(
                "SELECT count(*), CAST(coalesce(sum(d.goods), 0) AS BIGINT),
                        CAST(coalesce(sum(d.cash), 0) AS BIGINT)
                 FROM deliveries d WHERE ",
                held_by!("d", "?1")
            ),
            args![ledger],
            sums,
        )?,
    };
    Ok(found.unwrap_or((0, Fen(0), Fen(0))))
}

/// Whether `e` is a sum of money past what an `i64` of fen holds: SQLite's
/// `sum()` of integers stops with "integer overflow", PostgreSQL's cast of
/// its NUMERIC sum back to BIGINT with "bigint out of range".
pub fn is_sum_overflow(e: &SqlError) -> bool {
    match e {
        SqlError::Sqlite(rusqlite::Error::SqliteFailure(_, Some(message))) => {
            message == "integer overflow"
        }
        _ => e.pg_code() == Some(&postgres::error::SqlState::NUMERIC_VALUE_OUT_OF_RANGE),
    }
}

/// A household as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdInfo {
    pub key: i64,
    pub id: String,
    pub head: String,
    pub id_number: Option<String>,
    pub township: String,
    pub village: Option<String>,
    pub size: Option<i64>,
    pub cause: Option<String>,
    /// 0 poor, 1 lifted, 2 removed ([`Status::index`]).
    pub status: u8,
    pub lifted_on: Option<i32>,
    pub phone: Option<String>,
    /// No ledger holds it any more (销户 by a replace, contract §8).
    pub removed: bool,
}

impl HouseholdInfo {
    /// Its status; a number bangfu never stores reads as poor.
    pub fn status(&self) -> Status {
        Status::from_index(self.status).unwrap_or(Status::Poor)
    }

    /// Whether it is off the roster today (销户: its status says so, or no
    /// ledger holds it): kept for its past deliveries, left out of current
    /// counts, `unpaired` and `overdue` (contract §2, §8).
    pub fn off_roster(&self) -> bool {
        self.removed || self.status() == Status::Removed
    }
}

/// A member as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInfo {
    pub key: i64,
    pub id: String,
    pub name: String,
    pub unit: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    /// No ledger holds it any more (contract §8).
    pub removed: bool,
}

/// Every household, in id order. (Read in storage order and sorted here:
/// SQLite's id order is an index walk with a table lookup per row, several
/// times slower, and a server's order of text is its collation's. Rust
/// orders strings by their bytes, as SQLite does.)
pub fn households(db: Db<'_>) -> Result<Vec<HouseholdInfo>> {
    let mut households = db.0.collect(
        "SELECT key, id, head, id_number, township, village, size, cause, status, lifted_on, phone,
                removed
         FROM households",
        args![],
        |r| {
            Ok(HouseholdInfo {
                key: r.get(0)?,
                id: r.get(1)?,
                head: r.get(2)?,
                id_number: r.get(3)?,
                township: r.get(4)?,
                village: r.get(5)?,
                size: r.get(6)?,
                cause: r.get(7)?,
                status: r.get(8)?,
                lifted_on: r.get(9)?,
                phone: r.get(10)?,
                removed: r.get::<_, i64>(11)? != 0,
            })
        },
    )?;
    households.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Ok(households)
}

/// Every member, in id order (sorted here, as households are).
pub fn members(db: Db<'_>) -> Result<Vec<MemberInfo>> {
    let mut members = db.0.collect(
        "SELECT key, id, name, unit, role, phone, removed FROM members",
        args![],
        |r| {
            Ok(MemberInfo {
                key: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                unit: r.get(3)?,
                role: r.get(4)?,
                phone: r.get(5)?,
                removed: r.get::<_, i64>(6)? != 0,
            })
        },
    )?;
    members.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Ok(members)
}

/// One delivery as the grouping reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub day: i32,
    pub member: i64,
    pub household: i64,
    pub category: u8,
    pub goods: i64,
    pub cash: i64,
}

/// Which deliveries a scan reads: a day range and, optionally, one
/// member, one household, one category, one ledger's (`ledgers.key`).
/// SQLite tests the first while it reads, so rows left out never reach
/// Rust; a ledger's holds are read first, into a bitset the scan tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    pub from: i32,
    pub to: i32,
    pub member: Option<i64>,
    pub household: Option<i64>,
    pub category: Option<u8>,
    pub ledger: Option<i64>,
}

impl Default for Scan {
    fn default() -> Scan {
        Scan {
            from: i32::MIN,
            to: i32::MAX,
            member: None,
            household: None,
            category: None,
            ledger: None,
        }
    }
}

/// The records of one kind a ledger holds: a bitset over their keys
/// (SQLite's row ids, dense from 1), and the few keys too large for it (a
/// database edited by hand) in a set.
#[derive(Debug, Default)]
pub struct Held {
    bits: Vec<u64>,
    large: rustc_hash::FxHashSet<i64>,
}

impl Held {
    /// Keys up to this go into the bitset (8 MiB at most).
    const DENSE: i64 = 1 << 26;

    pub fn contains(&self, key: i64) -> bool {
        match usize::try_from(key) {
            Ok(k) if key < Self::DENSE => self
                .bits
                .get(k / 64)
                .is_some_and(|w| w & (1 << (k % 64)) != 0),
            _ => self.large.contains(&key),
        }
    }

    fn insert(&mut self, key: i64) {
        match usize::try_from(key) {
            Ok(k) if key < Self::DENSE => {
                if k / 64 >= self.bits.len() {
                    self.bits.resize(k / 64 + 1, 0);
                }
                if let Some(w) = self.bits.get_mut(k / 64) {
                    *w |= 1 << (k % 64);
                }
            }
            _ => {
                self.large.insert(key);
            }
        }
    }
}

/// The records of `kind` (0 households, 1 members, 2 pairings, 3
/// deliveries) that ledger `ledger` holds.
pub fn held(db: Db<'_>, kind: i64, ledger: i64) -> Result<Held> {
    let mut held = Held::default();
    db.0.stream(
        concat!(
            "SELECT record FROM ",
            held!(),
            " h WHERE kind = ?1 AND ledger = ?2"
        ),
        args![kind, ledger],
        |r| {
            held.insert(r.get(0)?);
            Ok(())
        },
    )?;
    Ok(held)
}

/// Every ledger: (key, name), in key order.
pub fn ledgers(db: Db<'_>) -> Result<Vec<(i64, String)>> {
    db.0.collect("SELECT key, name FROM ledgers ORDER BY key", args![], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// The names of the ledgers that hold record `record` of `kind`, sorted
/// by their bytes.
pub fn ledgers_holding(db: Db<'_>, kind: i64, record: i64) -> Result<Vec<String>> {
    let mut names: Vec<String> = db.0.collect(
        concat!(
            "SELECT l.name FROM ",
            held!(),
            " h JOIN ledgers l ON l.key = h.ledger WHERE h.kind = ?1 AND h.record = ?2"
        ),
        args![kind, record],
        |r| r.get(0),
    )?;
    names.sort_unstable();
    Ok(names)
}

/// A value as the history table keeps it (its columns have no type in a
/// SQLite file, and are text on a server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Null,
    Int(i64),
    Text(String),
}

/// The fields whose history values bangfu writes as integers (the others
/// are text).
const INTEGER_FIELDS: [&str; 4] = ["size", "status", "lifted_on", "removed"];

impl Stored {
    /// A history value of `field`. SQLite keeps an integer as one; a
    /// server keeps every value as text, so there the text of an integer
    /// field that is a number is read back as the integer SQLite holds,
    /// and the two backends give the same `Stored`.
    fn of(field: &str, cell: Cell<'_>) -> Stored {
        match cell {
            Cell::Null => Stored::Null,
            Cell::Int(n) => Stored::Int(n),
            Cell::Real(x) => Stored::Text(x.to_string()),
            Cell::Text(t) => match t.parse::<i64>() {
                Ok(n) if INTEGER_FIELDS.contains(&field) && n.to_string() == t => Stored::Int(n),
                _ => Stored::Text(t.to_string()),
            },
            Cell::Blob(b) => Stored::Text(String::from_utf8_lossy(b).into_owned()),
        }
    }

    /// The text, if it is one (a number written as text: its digits).
    pub fn text(&self) -> Option<String> {
        match self {
            Stored::Null => None,
            Stored::Int(n) => Some(n.to_string()),
            Stored::Text(t) => Some(t.clone()),
        }
    }
}

/// One change an import made to a field of a household (kind 0) or a
/// member (kind 1): from `day` on, `new` instead of `old`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: i64,
    pub record: i64,
    pub field: String,
    pub command: i64,
    pub day: i32,
    pub old: Stored,
    pub new: Stored,
}

impl Change {
    fn from_row(r: &Row<'_>) -> Result<Change> {
        let field: String = r.get(2)?;
        Ok(Change {
            kind: r.get(0)?,
            record: r.get(1)?,
            command: r.get(3)?,
            day: r.get(4)?,
            old: Stored::of(&field, r.cell(5)?),
            new: Stored::of(&field, r.cell(6)?),
            field,
        })
    }
}

/// The history of the fields the reports date by (township, village,
/// status and `removed` of households; unit and `removed` of members), and
/// of households' lifted_on (the first one dates a first status of lifted),
/// by record. History is small: a row a change, none for a record never
/// changed.
pub fn dated_history(db: Db<'_>) -> Result<Vec<Change>> {
    db.0.collect(
        "SELECT kind, record, field, command, day, old, new FROM history
         WHERE (kind = 0 AND field IN ('township', 'village', 'status', 'removed', 'lifted_on'))
            OR (kind = 1 AND field IN ('unit', 'removed'))
         ORDER BY kind, record",
        args![],
        Change::from_row,
    )
}

/// Every change to one record (kind 0 household, 1 member), oldest first:
/// by day, then import.
pub fn history_of(db: Db<'_>, kind: i64, record: i64) -> Result<Vec<Change>> {
    db.0.collect(
        "SELECT kind, record, field, command, day, old, new FROM history
         WHERE kind = ?1 AND record = ?2 ORDER BY day, command",
        args![kind, record],
        Change::from_row,
    )
}

/// Call `each` for every delivery `scan` selects, in storage order: one
/// sequential pass over the table (on a server, streamed as it arrives,
/// in bounded memory). No rusqlite path of its own: on SQLite
/// [`Conn::stream`] is the same cached statement stepped by rusqlite, each
/// column read through one more match (a million rows: 2.4–3.5 s either
/// way in a debug build on the shared machine, within its noise).
pub fn scan_deliveries(db: Db<'_>, scan: &Scan, mut each: impl FnMut(DeliveryFacts)) -> Result<()> {
    // Only the conditions in use, so an unfiltered report reads the table
    // with no per-row test at all.
    let mut conditions = Vec::new();
    let mut values: Vec<i64> = Vec::new();
    if scan.from != i32::MIN {
        conditions.push("day >= ?");
        values.push(scan.from.into());
    }
    if scan.to != i32::MAX {
        conditions.push("day <= ?");
        values.push(scan.to.into());
    }
    let optional = [
        ("member = ?", scan.member),
        ("household = ?", scan.household),
        ("category = ?", scan.category.map(i64::from)),
    ];
    for (condition, value) in optional {
        if let Some(v) = value {
            conditions.push(condition);
            values.push(v);
        }
    }
    let held = scan.ledger.map(|l| held(db, 3, l)).transpose()?;
    let mut sql =
        String::from("SELECT day, member, household, category, goods, cash, key FROM deliveries");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    let args: Vec<&dyn super::sql::ToArg> =
        values.iter().map(|v| v as &dyn super::sql::ToArg).collect();
    db.0.stream(&sql, &args, |r| {
        if let Some(held) = &held {
            if !held.contains(r.get(6)?) {
                return Ok(());
            }
        }
        each(DeliveryFacts::from_row(r)?);
        Ok(())
    })
}

impl DeliveryFacts {
    /// From a row whose first columns are day, member, household,
    /// category, goods, cash.
    fn from_row(r: &Row<'_>) -> Result<DeliveryFacts> {
        let category: i64 = r.get(3)?;
        // bangfu writes the seven categories only: anything else is a
        // damaged value, never a group of its own. (Said as SQLite says
        // a value out of range, on either backend.)
        let category = u8::try_from(category)
            .ok()
            .filter(|&c| usize::from(c) < crate::values::Category::ALL.len())
            .ok_or(SqlError::Sqlite(rusqlite::Error::IntegralValueOutOfRange(
                3, category,
            )))?;
        Ok(DeliveryFacts {
            day: r.get(0)?,
            member: r.get(1)?,
            household: r.get(2)?,
            category,
            goods: r.get(4)?,
            cash: r.get(5)?,
        })
    }
}

/// The database size (bytes) from which a scan is shared between threads
/// (about 200,000 deliveries): smaller ones are read faster by one.
const PARALLEL_FROM: i64 = 16 << 20;

/// Pieces a shared scan is cut into, by key: each thread takes the next
/// piece not yet taken, so neither waits long for the other. Many small
/// pieces (each one short seek) keep the share even where keys were freed
/// in bulk (an undo of a large import leaves a gap in them).
const PIECES: i64 = 1024;

/// Call `each(state, member, household, day)` for every delivery on or
/// before `to`: the narrow scan `overdue` needs, with `meanwhile` run on
/// this thread as the scan starts (a report loads its names then).
///
/// A large table on disk is read by two threads at once, the second with a
/// read-only connection of its own, each taking the next piece of the keys
/// until none is left; each thread has its own `state`, from `start`. The
/// table is stored in key order, so a piece is one stretch of it, whatever
/// order the deliveries were added in. (Cut by day through the place index
/// instead, each day's rows were one stretch only while the table was in
/// day order: on a database built a sorted run at a time, or by several
/// imports over the same months, every row was a seek into the table,
/// and `overdue` took 0.7 s instead of 0.26 s.)
/// Every row is read exactly once, as the database stood when the scan
/// began, whatever imports commit during it. Should the second thread get
/// no connection, or find the database already changed by the time it
/// starts, this one reads every piece.
///
/// That is SQLite's way, through rusqlite: a second connection to the
/// file, its size in pages and its schema cookie have no counterpart on a
/// server, and sharing the scan took `overdue` on a million deliveries
/// from 0.41 s to 0.20–0.29 s (docs/BENCHMARKS.md), under contract §7's
/// 0.3 s. On PostgreSQL the one session streams the deliveries as they
/// arrive, after `meanwhile` (which reads through the same session, and
/// must not while the stream is open).
pub fn scan_visits<S: Send, R>(
    db: Db<'_>,
    to: i32,
    start: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, i64, i64, i32) + Sync,
    meanwhile: impl FnOnce() -> R,
) -> Result<(Vec<S>, R)> {
    if let Some(conn) = db.0.as_sqlite() {
        return Ok(scan_visits_shared_from(
            conn,
            to,
            PARALLEL_FROM,
            start,
            each,
            meanwhile,
        )?);
    }
    let done = meanwhile();
    let mut state = start();
    db.0.stream(
        "SELECT member, household, day FROM deliveries WHERE day <= ?1",
        args![to],
        |r| {
            each(&mut state, r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(())
        },
    )?;
    Ok((vec![state], done))
}

/// [`scan_visits`], sharing databases of `parallel_from` bytes or more.
fn scan_visits_shared_from<S: Send, R>(
    conn: &Connection,
    to: i32,
    parallel_from: i64,
    start: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, i64, i64, i32) + Sync,
    meanwhile: impl FnOnce() -> R,
) -> rusqlite::Result<(Vec<S>, R)> {
    // One read transaction: the day range, the names `meanwhile` loads and
    // every piece this thread reads see one state of the database, however
    // many imports commit meanwhile. (An import may move a delivery to
    // another day, so pieces read at different moments could miss it or
    // read it twice.)
    let _reading = match conn.is_autocommit() {
        true => Some(conn.unchecked_transaction()?),
        false => None,
    };
    let (low, high, size): (Option<i64>, Option<i64>, i64) =
        // Apart, each is one step down the tree; together, a whole scan.
        conn.query_row(
            "SELECT (SELECT min(key) FROM deliveries), (SELECT max(key) FROM deliveries),
                    (SELECT page_count * page_size FROM pragma_page_count, pragma_page_size)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok((vec![start()], meanwhile()));
    };
    let path = super::file_of(conn).map(str::to_string);
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let shared = match path {
        Some(path) if two_cores && size >= parallel_from && low < high => Some(path),
        _ => None,
    };
    let Some(path) = shared else {
        let done = meanwhile();
        let mut state = start();
        scan_visit_range(conn, (low, high), to, |m, h, d| each(&mut state, m, h, d))?;
        return Ok((vec![state], done));
    };
    // Read in this thread's snapshot, for the other thread to compare.
    let snapshot = database_state(conn)?;
    let next = AtomicI64::new(0);
    let take_pieces = |conn: &Connection, state: &mut S| -> rusqlite::Result<()> {
        while let Some(keys) = piece(low, high, next.fetch_add(1, Ordering::Relaxed)) {
            scan_visit_range(conn, keys, to, |m, h, d| each(state, m, h, d))?;
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let other = scope.spawn(|| -> rusqlite::Result<Option<S>> {
            let Ok(conn) = super::open_for_reading(std::path::Path::new(&path)) else {
                return Ok(None);
            };
            // This connection must see the state the first one sees, or
            // the first thread reads every piece itself.
            let _reading = conn.unchecked_transaction()?;
            if database_state(&conn)? != snapshot {
                return Ok(None);
            }
            let mut state = start();
            take_pieces(&conn, &mut state)?;
            Ok(Some(state))
        });
        let done = meanwhile();
        let mut state = start();
        take_pieces(conn, &mut state)?;
        let other = match other.join() {
            Ok(other) => other?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok((std::iter::once(state).chain(other).collect(), done))
    })
}

/// What tells two connections' views of the database apart: the last
/// import-log row (every import that commits deliveries adds one in the
/// same transaction) and the schema cookie (which every change of tables,
/// such as a migration, moves on). Two views with the same state hold the
/// same deliveries.
fn database_state(conn: &Connection) -> rusqlite::Result<(Option<i64>, i64)> {
    conn.query_row(
        "SELECT (SELECT max(key) FROM imports), (SELECT schema_version FROM pragma_schema_version)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The keys of piece `index` of `low..=high` cut into [`PIECES`], both ends
/// included; `None` past the last. Worked out in `i128`: keys may be any
/// `i64` in a database edited by hand.
fn piece(low: i64, high: i64, index: i64) -> Option<(i64, i64)> {
    let (low, high) = (i128::from(low), i128::from(high));
    let size = (high - low) / i128::from(PIECES) + 1;
    let first = low + i128::from(index) * size;
    if !(0..PIECES).contains(&index) || first > high {
        return None;
    }
    let last = (first + size - 1).min(high);
    Some((i64::try_from(first).ok()?, i64::try_from(last).ok()?))
}

/// The deliveries of the keys `keys` (both ends included) on or before
/// `to`.
fn scan_visit_range(
    conn: &Connection,
    keys: (i64, i64),
    to: i32,
    mut each: impl FnMut(i64, i64, i32),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT member, household, day FROM deliveries
         WHERE key BETWEEN ?1 AND ?2 AND day <= ?3",
    )?;
    let mut rows = stmt.query(rusqlite::params![keys.0, keys.1, to])?;
    while let Some(r) = rows.next()? {
        each(r.get(0)?, r.get(1)?, r.get(2)?);
    }
    Ok(())
}

/// A pairing as the reports see it (keys and day numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairingFacts {
    pub member: i64,
    pub household: i64,
    pub since: Option<i32>,
    pub until: Option<i32>,
}

impl PairingFacts {
    /// Active on `day`: since empty or not after it, until empty or not before it.
    pub fn active_on(&self, day: i32) -> bool {
        self.since.is_none_or(|s| s <= day) && self.until.is_none_or(|u| u >= day)
    }
}

/// Every pairing, by member, household and since (an empty since first).
pub fn pairings(db: Db<'_>) -> Result<Vec<PairingFacts>> {
    pairings_held(db, None)
}

/// Every pairing ledger `ledger` holds (every pairing, for `None`), by
/// member, household and since (an empty since first). Sorted here: a
/// server puts NULL last, SQLite first.
pub fn pairings_held(db: Db<'_>, ledger: Option<i64>) -> Result<Vec<PairingFacts>> {
    let facts = |r: &Row<'_>| {
        Ok(PairingFacts {
            member: r.get(0)?,
            household: r.get(1)?,
            since: r.get(2)?,
            until: r.get(3)?,
        })
    };
    let mut pairings = match ledger {
        None => db.0.collect(
            "SELECT member, household, since, until FROM pairings",
            args![],
            facts,
        )?,
        Some(ledger) => db.0.collect(
            "SELECT member, household, since, until FROM pairings
             WHERE key IN (SELECT record FROM holds WHERE kind = 2 AND ledger = ?1)",
            args![ledger],
            facts,
        )?,
    };
    // (member, household, since) is unique: no two pairings tie.
    pairings.sort_unstable_by_key(|p| (p.member, p.household, p.since));
    Ok(pairings)
}

/// One delivery as `show` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub facts: DeliveryFacts,
    pub note: Option<String>,
}

/// The deliveries of one household (`of_member` false) or one member
/// (those ledger `ledger` holds, when given), by date; on one day, in the
/// order of the categories, then by the other side's key, then by value.
pub fn deliveries_of(
    db: Db<'_>,
    of_member: bool,
    key: i64,
    ledger: Option<i64>,
) -> Result<Vec<DeliveryRecord>> {
    let whose = if of_member { "member" } else { "household" };
    let sql = format!(
        "SELECT day, member, household, category, goods, cash, note FROM deliveries d
         WHERE {whose} = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR {})",
        held_by!("d", "?2")
    );
    let mut list = db.0.collect(&sql, args![key, ledger], |r| {
        Ok(DeliveryRecord {
            facts: DeliveryFacts::from_row(r)?,
            note: r.get(6)?,
        })
    })?;
    // Sorted here, the note by its bytes (an empty one first), as SQLite
    // orders: rows that tie are the same in every column.
    let order = |r: &DeliveryRecord| {
        let d = r.facts;
        let other = if of_member { d.household } else { d.member };
        (d.day, d.category, other, d.goods, d.cash)
    };
    list.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.note.cmp(&b.note)));
    Ok(list)
}

/// What SQLite's integrity check of the whole file finds, at most `limit`
/// problems; none when the file is whole. A server checks its own pages:
/// there is nothing to find on PostgreSQL.
pub fn integrity_problems(db: Db<'_>, limit: u32) -> Result<Vec<String>> {
    let Some(conn) = db.0.as_sqlite() else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare(&format!("PRAGMA integrity_check({limit})"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut found = Vec::new();
    for row in rows {
        // The check may stop at a page it cannot read after saying what
        // it found: what it said is the clearer news.
        let row = match row {
            Ok(row) => row,
            Err(e) if found.is_empty() => return Err(e.into()),
            Err(_) => break,
        };
        if row == "ok" {
            continue;
        }
        // A row may hold several lines, and a heading that is no problem.
        found.extend(
            row.lines()
                .filter(|line| !line.starts_with("*** in database "))
                .map(str::to_string),
        );
    }
    Ok(found)
}

/// Members with no pairing at all, by id (its bytes).
pub fn members_without_households(db: Db<'_>) -> Result<Vec<i64>> {
    let mut members: Vec<(String, i64)> = db.0.collect(
        "SELECT m.id, m.key FROM members m
         WHERE NOT EXISTS (SELECT 1 FROM pairings p WHERE p.member = m.key)",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    members.sort_unstable();
    Ok(members.into_iter().map(|(_, key)| key).collect())
}

/// Deliveries one ledger holds more than once, identical in every value
/// (day, member, household, category, goods, cash, note: pasted twice?),
/// among those `scan` selects: the ledger's name, the values, and how many
/// times. Rows without an id of their own share a day and fingerprint
/// only when every value is the same; within one file the k-th copy takes
/// occurrence k (contract §3.4). So the candidates are the (day,
/// fingerprint) groups of more than one row — few, and found along the
/// deduplication index — and only their holds are read. (Rows no ledger
/// holds, which only a database edited by hand has, count as one ledger
/// without a name.)
///
/// By day, member, household, category and ledger name (its bytes), then
/// amounts and times, sorted here (as is every order of text, contract
/// §9).
pub fn repeated_deliveries(db: Db<'_>, scan: &Scan) -> Result<Vec<(String, DeliveryFacts, u32)>> {
    let mut found: Vec<(String, DeliveryFacts, u32)> = db.0.collect(
        "WITH twice AS (
             SELECT day, fingerprint FROM deliveries
             WHERE id IS NULL AND occurrence > 0 AND day BETWEEN ?1 AND ?2
             GROUP BY day, fingerprint HAVING count(*) > 1),
         candidates AS (
             SELECT d.key, d.day, d.member, d.household, d.category, d.goods, d.cash, d.note,
                    d.ledger
             FROM twice t
             JOIN deliveries d ON d.day = t.day AND d.fingerprint = t.fingerprint
             WHERE d.id IS NULL AND d.occurrence > 0
               AND (CAST(?3 AS BIGINT) IS NULL OR d.member = ?3)
               AND (CAST(?4 AS BIGINT) IS NULL OR d.household = ?4)
               AND (CAST(?5 AS BIGINT) IS NULL OR d.category = ?5)),
         -- The candidates' holds: in their own rows, and in `holds`.
         held AS (
             SELECT key AS record, ledger FROM candidates WHERE ledger IS NOT NULL
             UNION ALL
             SELECT c.key, h.ledger FROM candidates c JOIN holds h ON h.kind = 3 AND h.record = c.key)
         SELECT d.day, d.member, d.household, d.category, d.goods, d.cash, count(*),
                coalesce(l.name, '')
         FROM candidates d
         LEFT JOIN held h ON h.record = d.key
         LEFT JOIN ledgers l ON l.key = h.ledger
         WHERE CAST(?6 AS BIGINT) IS NULL OR h.ledger = ?6
         GROUP BY h.ledger, l.name, d.day, d.member, d.household, d.category, d.goods, d.cash,
                  d.note
         HAVING count(*) > 1",
        args![
            scan.from,
            scan.to,
            scan.member,
            scan.household,
            scan.category,
            scan.ledger
        ],
        |r| Ok((r.get(7)?, DeliveryFacts::from_row(r)?, r.get(6)?)),
    )?;
    type Repeat = (String, DeliveryFacts, u32);
    fn order((name, d, times): &Repeat) -> (i32, i64, i64, u8, &str, i64, i64, u32) {
        let name = name.as_str();
        (
            d.day,
            d.member,
            d.household,
            d.category,
            name,
            d.goods,
            d.cash,
            *times,
        )
    }
    found.sort_by(|a, b| order(a).cmp(&order(b)));
    Ok(found)
}

/// Whether the database holds any record: a household, member, pairing or
/// delivery (`demo --db` loads its invented district only into a
/// database that holds none).
pub fn holds_records(db: Db<'_>) -> Result<bool> {
    db.0.value(
        "SELECT EXISTS (SELECT 1 FROM households) OR EXISTS (SELECT 1 FROM members)
             OR EXISTS (SELECT 1 FROM pairings) OR EXISTS (SELECT 1 FROM deliveries)",
        args![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Visits as (member, household, day), sorted, from every part.
    fn visits(parts: Vec<Vec<(i64, i64, i32)>>) -> Vec<(i64, i64, i32)> {
        let mut all: Vec<_> = parts.into_iter().flatten().collect();
        all.sort_unstable();
        all
    }

    /// A database file with 302 deliveries, one of them on the earliest
    /// day a report can read (a database edited by hand).
    fn visits_store(dir: &std::path::Path) -> Store {
        let store = Store::create(&dir.join("t.db")).unwrap();
        store
            .lite()
            .execute_batch(
                "INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'a', 'u'), (2, 'M2', 'b', 'u');
                 INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'c', 't');
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 301)
                 INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category)
                     SELECT 100 + i, i, 1, 1 + i % 2, 1, 0 FROM n;
                 INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category)
                     VALUES (-2147483648, 7, 1, 2, 1, 0);",
            )
            .unwrap();
        store
    }

    /// The scan's parts, sharing databases of `parallel_from` bytes or more.
    fn read(store: &Store, parallel_from: i64, to: i32) -> Vec<Vec<(i64, i64, i32)>> {
        let (parts, done) = scan_visits_shared_from(
            store.lite(),
            to,
            parallel_from,
            Vec::new,
            |v, m, h, d| v.push((m, h, d)),
            || "meanwhile",
        )
        .unwrap();
        assert_eq!(done, "meanwhile");
        parts
    }

    #[test]
    fn a_split_scan_reads_every_delivery_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = visits_store(dir.path());
        let whole = read(&store, i64::MAX, 1000);
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].len(), 302);
        let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        let parts = read(&store, 10, 1000);
        assert_eq!(parts.len(), if two_cores { 2 } else { 1 });
        assert_eq!(visits(parts), visits(whole));
        // The day limit holds in both halves.
        let early = visits(read(&store, 10, 250));
        assert_eq!(early.len(), 151);
        assert!(early.iter().all(|&(_, _, d)| d <= 250));
    }

    #[test]
    fn a_split_scan_reads_the_database_as_it_stood_when_it_began() {
        // An import commits while the scan runs, moving one delivery from
        // the last day to the first (a piece already read) and another from
        // the second day to the second-last (a piece not yet read).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::create(&path).unwrap();
        store
            .lite()
            .execute_batch(
                "INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'a', 'u');
                 INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'c', 't');
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
                 INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category)
                     SELECT 100 + i, i, 1, 1, 1, 0 FROM n;",
            )
            .unwrap();
        let before: Vec<(i64, i64, i32)> = (101..=400).map(|d| (1, 1, d)).collect();
        let import = std::sync::Once::new();
        let (parts, ()) = scan_visits_shared_from(
            store.lite(),
            1000,
            0,
            Vec::new,
            |v: &mut Vec<(i64, i64, i32)>, m, h, d| {
                import.call_once(|| {
                    Connection::open(&path)
                        .unwrap()
                        .execute_batch(
                            "BEGIN;
                             UPDATE deliveries SET day = 101 WHERE day = 400;
                             UPDATE deliveries SET day = 399 WHERE day = 102;
                             INSERT INTO imports
                                 (at, file, rows_read, new, updated, unchanged, skipped, rejected)
                                 VALUES ('now', 'moved.csv', 2, 0, 2, 0, 0, 0);
                             COMMIT;",
                        )
                        .unwrap();
                });
                v.push((m, h, d));
            },
            || (),
        )
        .unwrap();
        assert!(import.is_completed());
        assert_eq!(visits(parts), before);
        // The next scan sees the import.
        let after = visits(read(&store, 0, 1000));
        assert_eq!(after.iter().filter(|v| v.2 == 101).count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_split_scan_whose_second_thread_cannot_open_the_file_is_read_whole_by_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = visits_store(dir.path());
        let whole = read(&store, i64::MAX, 1000);
        // The open connection keeps reading the file under its new name; a
        // second connection by the old name finds nothing to open.
        std::fs::rename(dir.path().join("t.db"), dir.path().join("moved.db")).unwrap();
        let parts = read(&store, 10, 1000);
        assert_eq!(parts.len(), 1);
        assert_eq!(visits(parts), visits(whole));
    }

    #[test]
    fn pieces_cover_every_key_once_even_at_the_ends_of_i64() {
        for (low, high) in [
            (1, 1),
            (1, 31),
            (1, 1_000_000),
            (-5, i64::MAX),
            (i64::MIN, i64::MAX),
            (i64::MAX - 807, i64::MAX),
            (1, i64::MAX),
        ] {
            let pieces: Vec<(i64, i64)> = (0..).map_while(|i| piece(low, high, i)).collect();
            assert!(pieces.len() as i64 <= PIECES, "{low}..={high}");
            assert_eq!(pieces.first().map(|p| p.0), Some(low), "{low}..={high}");
            assert_eq!(pieces.last().map(|p| p.1), Some(high), "{low}..={high}");
            for w in pieces.windows(2) {
                assert!(
                    w[0].0 <= w[0].1 && w[0].1.checked_add(1) == Some(w[1].0),
                    "{w:?}"
                );
            }
        }
        assert_eq!(piece(1, 10, -1), None);
        assert_eq!(piece(1, 10, PIECES), None);
    }

    #[test]
    fn a_ledger_s_holds_are_found_by_key_small_or_huge() {
        let store = Store::in_memory().unwrap();
        store
            .lite()
            .execute_batch(
                "INSERT INTO ledgers (key, name) VALUES (1, 'a'), (2, 'b');
                 INSERT INTO holds (kind, record, ledger, added) VALUES
                     (3, 1, 1, 1), (3, 64, 1, 1), (3, 9223372036854775807, 1, 1),
                     (3, -5, 1, 1), (3, 2, 2, 1), (0, 3, 1, 1);",
            )
            .unwrap();
        let held = held(store.reports(), 3, 1).unwrap();
        for key in [1, 64, i64::MAX, -5] {
            assert!(held.contains(key), "{key}");
        }
        for key in [0, 2, 3, 63, 65, i64::MIN] {
            assert!(!held.contains(key), "{key}");
        }
    }

    /// A household, a member, deliveries whose goods add up past i64,
    /// and history of an integer field and of a text one whose value
    /// looks like a number, planted through `conn` on either backend.
    fn plant(conn: &Conn) {
        conn.batch(
            "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'c', 't');
             INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'a', 'u');
             INSERT INTO ledgers (key, name) VALUES (1, 'l');
             INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category, goods)
                 VALUES (1, 1, 1, 1, 1, 0, 9223372036854775807), (2, 2, 1, 1, 1, 0, 1);
             INSERT INTO holds (kind, record, ledger, added) VALUES (3, 2, 1, 1);
             INSERT INTO commands (number, at, \"user\", day) VALUES (1, 'now', 'me', 1);",
        )
        .unwrap();
        for (field, old, new) in [
            ("status", "0", "1"),
            ("village", "007", "12"),
            ("size", "", "4"),
        ] {
            let old = (!old.is_empty()).then_some(old);
            conn.execute(
                "INSERT INTO history (kind, record, field, command, day, old, new)
                 VALUES (0, 1, ?1, 1, 5, ?2, ?3)",
                args![field, old, new],
            )
            .unwrap();
        }
        // SQLite keeps the integers bangfu writes as integers.
        if conn.dialect() == crate::store::sql::Dialect::Sqlite {
            conn.batch(
                "UPDATE history SET old = CAST(old AS INTEGER), new = CAST(new AS INTEGER)
                 WHERE field IN ('status', 'size')",
            )
            .unwrap();
        }
    }

    /// Whether the sum overflowed, one ledger's sums, the history.
    type Reads = (bool, (i64, Fen, Fen), Vec<(String, Stored, Stored)>);

    /// What [`plant`]'s records read as.
    fn reads(db: Db<'_>) -> Reads {
        let overflow = delivery_sums(db, None).map_err(|e| is_sum_overflow(&e));
        let held = delivery_sums(db, Some(1)).unwrap();
        let mut history: Vec<_> = history_of(db, 0, 1)
            .unwrap()
            .into_iter()
            .map(|c| (c.field, c.old, c.new))
            .collect();
        // One day, one import: no order among them.
        history.sort_by(|a, b| a.0.cmp(&b.0));
        (overflow == Err(true), held, history)
    }

    #[test]
    fn sums_past_i64_and_history_values_read_alike_on_both_backends() {
        let store = Store::in_memory().unwrap();
        plant(store.reports().0);
        let lite = reads(store.reports());
        assert_eq!(
            lite.2,
            [
                ("size".to_string(), Stored::Null, Stored::Int(4)),
                ("status".to_string(), Stored::Int(0), Stored::Int(1)),
                (
                    "village".to_string(),
                    Stored::Text("007".into()),
                    Stored::Text("12".into())
                ),
            ]
        );
        assert!(lite.0, "the sum past i64 is an overflow");
        assert_eq!(lite.1, (1, Fen(1), Fen(0)));
        let Some(server) = crate::store::pg::tests::Scratch::new() else {
            eprintln!("skipped on PostgreSQL: no server (set BANGFU_TEST_PG, see .ci/postgres)");
            return;
        };
        let target = crate::store::pg::connect::Target::parse(&server.url).unwrap();
        crate::store::pg::create(&crate::store::pg::session(&target).unwrap()).unwrap();
        let store = Store::open(std::path::Path::new(&server.url)).unwrap();
        plant(store.reports().0);
        assert_eq!(reads(store.reports()), lite);
    }

    #[test]
    fn an_empty_table_is_one_empty_part() {
        let store = Store::in_memory().unwrap();
        let (parts, ()) =
            scan_visits(store.reports(), 0, || 0u32, |n, _, _, _| *n += 1, || ()).unwrap();
        assert_eq!(parts, vec![0]);
    }
}
