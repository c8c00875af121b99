//! Reading another bangfu database for `import OTHER.db` (contract §9): a
//! township's own SQLite file, opened read-only and never written — an
//! older one upgraded in a copy in memory, as a dry run does
//! ([`Store::upgraded_copy`]); a newer one, an empty one or another
//! program's refused with the words opening a database uses. What it holds
//! comes out as plain values, ledger by ledger and kind by kind, for
//! [`crate::import::merge`] to write into the target through the writer.

use super::{open_for_reading, schema, Store, StoreError};
use crate::input::headers::Kind;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use std::path::Path;

/// Another bangfu database, open for reading.
pub struct Other {
    store: Store,
}

/// Which records of a kind to read: those a ledger (its key in the other
/// file) holds, or those no ledger holds (a record `--replace` left
/// removed, kept for its past deliveries; rows an old bangfu wrote before
/// ledgers that the upgrade could not give one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    By(i64),
    ByNone,
}

/// A household as the other file stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherHousehold {
    pub id: String,
    pub head: String,
    pub id_number: Option<String>,
    pub township: String,
    pub village: Option<String>,
    pub size: Option<i64>,
    pub cause: Option<String>,
    pub status: i64,
    pub lifted_on: Option<i32>,
    pub phone: Option<String>,
    pub removed: bool,
}

/// A member as the other file stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherMember {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub removed: bool,
}

/// A pairing, its member and household by id.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherPairing {
    pub member: String,
    pub household: String,
    pub since: Option<i32>,
    pub until: Option<i32>,
}

/// A delivery with its place (day, fingerprint, occurrence) as stored,
/// its member and household by id.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherDelivery {
    pub day: i32,
    pub fingerprint: i64,
    pub occurrence: i64,
    pub id: Option<String>,
    pub member: String,
    pub household: String,
    pub category: i64,
    pub goods: i64,
    pub cash: i64,
    pub note: Option<String>,
}

/// One history row of a household (kind 0) or member (kind 1), the
/// record named by its id.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherChange {
    pub kind: i64,
    pub id: String,
    pub field: String,
    pub day: i32,
    pub old: Value,
    pub new: Value,
}

/// The condition on a kind's holds, `x` the holds row (`?1` the ledger).
fn held_sql(kind: i64, held: Held) -> String {
    // A delivery's own row may hold it (schema 8).
    match held {
        Held::By(_) if kind == 3 => format!("WHERE {}", held_by!("r", "?1")),
        Held::ByNone if kind == 3 => "WHERE r.ledger IS NULL
               AND NOT EXISTS (SELECT 1 FROM holds x WHERE x.kind = 3 AND x.record = r.key)
               AND ?1 = ?1"
            .to_string(),
        Held::By(_) => format!(
            "JOIN holds x ON x.kind = {kind} AND x.record = r.key AND x.ledger = ?1 WHERE true"
        ),
        Held::ByNone => format!(
            "WHERE NOT EXISTS (SELECT 1 FROM holds x WHERE x.kind = {kind} AND x.record = r.key)
               AND ?1 = ?1"
        ),
    }
}

impl Other {
    /// Open the bangfu database at `path` for reading: refused as opening
    /// refuses (missing, empty, another program's, newer), an older one
    /// upgraded in memory only ([`Other::upgraded_from`]).
    pub fn open(path: &Path) -> Result<Other, StoreError> {
        let name = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: name });
        }
        let conn = open_for_reading(path).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase(name.clone()),
            _ => StoreError::from(e),
        })?;
        let version = schema::readable_version(&conn, &name, false)?;
        if version < schema::current_version() {
            drop(conn);
            // Older (version 0, empty or foreign, was refused above).
            return match Store::upgraded_copy(path)? {
                Some(store) => Ok(Other { store }),
                None => Err(StoreError::NotADatabase(name)),
            };
        }
        // One state of the file, however many imports its own bangfu
        // commits meanwhile.
        conn.execute_batch("BEGIN")?;
        let store = Store {
            conn: super::sql::Conn::sqlite(conn),
            name,
            upgraded_from: None,
            created: None,
            made_schema: false,
        };
        // A damaged file would be merged short: refused, as a report on it
        // would be.
        store.check_seal(super::Doing::Importing)?;
        Ok(Other { store })
    }

    /// The schema version the file has, if it is older than this bangfu's
    /// (it was upgraded in memory, the file left as it was).
    pub fn upgraded_from(&self) -> Option<i64> {
        self.store.upgraded_from()
    }

    fn conn(&self) -> &Connection {
        self.store.lite()
    }

    /// The ledgers, in the order they were made: key and name.
    pub fn ledgers(&self) -> rusqlite::Result<Vec<(i64, String)>> {
        self.conn()
            .prepare("SELECT key, name FROM ledgers ORDER BY key")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    }

    /// Whether `ledger` holds records of `kind`, or an import (undone
    /// since, or not) brought it some: a version of that kind, even an
    /// empty one, that `import --replace OTHER.db` follows.
    pub fn has_version(&self, kind: Kind, ledger: i64) -> rusqlite::Result<bool> {
        if self.holds_any(kind, ledger)? {
            return Ok(true);
        }
        self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE kind = ?1 AND ledger = ?2)",
            rusqlite::params![kind.key(), ledger],
            |r| r.get(0),
        )
    }

    /// Whether ledger `ledger` holds any record of `kind`.
    pub fn holds_any(&self, kind: Kind, ledger: i64) -> rusqlite::Result<bool> {
        self.conn().query_row(
            concat!(
                "SELECT EXISTS (SELECT 1 FROM ",
                held!(),
                " h WHERE kind = ?1 AND ledger = ?2)"
            ),
            [kind as i64, ledger],
            |r| r.get(0),
        )
    }

    /// Call `each` for every row `sql` gives (`?1` the ledger), read by
    /// `read`.
    fn each<T, E: From<rusqlite::Error>>(
        &self,
        sql: &str,
        held: Held,
        read: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
        mut each: impl FnMut(T) -> Result<(), E>,
    ) -> Result<u64, E> {
        let ledger = match held {
            Held::By(key) => key,
            Held::ByNone => 0,
        };
        let mut stmt = self.conn().prepare(sql)?;
        let mut rows = stmt.query([ledger])?;
        let mut read_rows = 0;
        while let Some(row) = rows.next()? {
            read_rows += 1;
            each(read(row)?)?;
        }
        Ok(read_rows)
    }

    /// The households `held` selects, in the order they were added; how
    /// many.
    pub fn households<E: From<rusqlite::Error>>(
        &self,
        held: Held,
        each: impl FnMut(OtherHousehold) -> Result<(), E>,
    ) -> Result<u64, E> {
        let sql = format!(
            "SELECT r.id, r.head, r.id_number, r.township, r.village, r.size, r.cause, r.status,
                    r.lifted_on, r.phone, r.removed
             FROM households r {} ORDER BY r.key",
            held_sql(0, held)
        );
        let read = |r: &Row<'_>| {
            Ok(OtherHousehold {
                id: r.get(0)?,
                head: r.get(1)?,
                id_number: r.get(2)?,
                township: r.get(3)?,
                village: r.get(4)?,
                size: r.get(5)?,
                cause: r.get(6)?,
                status: r.get(7)?,
                lifted_on: r.get(8)?,
                phone: r.get(9)?,
                removed: r.get(10)?,
            })
        };
        self.each(&sql, held, read, each)
    }

    /// The members `held` selects, in the order they were added.
    pub fn members<E: From<rusqlite::Error>>(
        &self,
        held: Held,
        each: impl FnMut(OtherMember) -> Result<(), E>,
    ) -> Result<u64, E> {
        let sql = format!(
            "SELECT r.id, r.name, r.unit, r.role, r.phone, r.removed
             FROM members r {} ORDER BY r.key",
            held_sql(1, held)
        );
        let read = |r: &Row<'_>| {
            Ok(OtherMember {
                id: r.get(0)?,
                name: r.get(1)?,
                unit: r.get(2)?,
                role: r.get(3)?,
                phone: r.get(4)?,
                removed: r.get(5)?,
            })
        };
        self.each(&sql, held, read, each)
    }

    /// The pairings `held` selects, in the order they were added.
    pub fn pairings<E: From<rusqlite::Error>>(
        &self,
        held: Held,
        each: impl FnMut(OtherPairing) -> Result<(), E>,
    ) -> Result<u64, E> {
        let sql = format!(
            "SELECT m.id, h.id, r.since, r.until
             FROM pairings r JOIN members m ON m.key = r.member
             JOIN households h ON h.key = r.household {} ORDER BY r.key",
            held_sql(2, held)
        );
        let read = |r: &Row<'_>| {
            Ok(OtherPairing {
                member: r.get(0)?,
                household: r.get(1)?,
                since: r.get(2)?,
                until: r.get(3)?,
            })
        };
        self.each(&sql, held, read, each)
    }

    /// The deliveries `held` selects, in the order they were added (each
    /// import's in the order of their places): read without a sort.
    pub fn deliveries<E: From<rusqlite::Error>>(
        &self,
        held: Held,
        each: impl FnMut(OtherDelivery) -> Result<(), E>,
    ) -> Result<u64, E> {
        let sql = format!(
            "SELECT r.day, r.fingerprint, r.occurrence, r.id, m.id, h.id, r.category, r.goods,
                    r.cash, r.note
             FROM deliveries r JOIN members m ON m.key = r.member
             JOIN households h ON h.key = r.household {} ORDER BY r.key",
            held_sql(3, held)
        );
        let read = |r: &Row<'_>| {
            Ok(OtherDelivery {
                day: r.get(0)?,
                fingerprint: r.get(1)?,
                occurrence: r.get(2)?,
                id: r.get(3)?,
                member: r.get(4)?,
                household: r.get(5)?,
                category: r.get(6)?,
                goods: r.get(7)?,
                cash: r.get(8)?,
                note: r.get(9)?,
            })
        };
        self.each(&sql, held, read, each)
    }

    /// Every history row of the households and members, by record and
    /// field, each record's rows of a field in the order they hold:
    /// by (day, import).
    pub fn history(&self) -> rusqlite::Result<Vec<OtherChange>> {
        self.conn()
            .prepare(
                "SELECT x.kind, coalesce(h.id, m.id), x.field, x.day, x.old, x.new
                 FROM history x
                 LEFT JOIN households h ON x.kind = 0 AND h.key = x.record
                 LEFT JOIN members m ON x.kind = 1 AND m.key = x.record
                 WHERE coalesce(h.id, m.id) IS NOT NULL
                 ORDER BY x.kind, x.record, x.field, x.day, x.command",
            )?
            .query_map([], |r| {
                Ok(OtherChange {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    field: r.get(2)?,
                    day: r.get(3)?,
                    old: r.get(4)?,
                    new: r.get(5)?,
                })
            })?
            .collect()
    }
}
