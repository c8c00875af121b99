//! The SQLite file: opening it safely (owner-only permissions, foreign keys,
//! a 60-second busy timeout, WAL), bringing its schema up to date, and the
//! reads and writes the commands need. SQL lives here and nowhere else.

/// Which ledger holds which record, as one table of (kind, record, ledger,
/// added) for every kind: the rows of `holds`, and each delivery's first
/// hold, kept in the delivery's own row (schema 8 on SQLite, 9 on
/// PostgreSQL: `deliveries.ledger`, the hold's import its `added`). Read
/// holds through this, never `holds` alone, where a delivery's may be
/// asked; both engines push a query's conditions into each half. (Both
/// macros are in scope in every module of the store, declared below.)
macro_rules! held {
    () => {
        "(SELECT kind, record, ledger, added FROM holds
          UNION ALL SELECT 3, key, ledger, added FROM deliveries WHERE ledger IS NOT NULL)"
    };
}

/// Whether the delivery `$d` (a table alias) is held by ledger `$ledger`
/// (a parameter), by a hold made before import `$before` if given: in its
/// own row or in `holds` ([`held!`]), asked of a delivery at hand.
macro_rules! held_by {
    ($d:literal, $ledger:literal) => {
        concat!(
            "(",
            $d,
            ".ledger = ",
            $ledger,
            " OR EXISTS (SELECT 1 FROM holds x WHERE x.kind = 3 AND x.record = ",
            $d,
            ".key AND x.ledger = ",
            $ledger,
            "))"
        )
    };
    ($d:literal, $ledger:literal, before $n:literal) => {
        concat!(
            "(",
            $d,
            ".ledger = ",
            $ledger,
            " AND ",
            $d,
            ".added < ",
            $n,
            " OR EXISTS (SELECT 1 FROM holds x WHERE x.kind = 3 AND x.record = ",
            $d,
            ".key AND x.ledger = ",
            $ledger,
            " AND x.added < ",
            $n,
            "))"
        )
    };
}

pub mod error;
pub mod ids;
pub mod log;
pub mod lookup;
pub mod merge;
pub mod pg;
pub mod query;
mod renormalise;
pub mod schema;
pub mod sql;
pub mod undo;
pub mod write;

pub use error::{Doing, StoreError};
pub use query::Db;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An open bangfu database.
pub struct Store {
    conn: sql::Conn,
    name: String,
    /// The schema version an older bangfu left, if this open upgraded it.
    upgraded_from: Option<i64>,
    /// The file this open created (by [`Store::create`]), if it did.
    created: Option<PathBuf>,
    /// Whether this open made bangfu's schema on a PostgreSQL server.
    made_schema: bool,
}

/// How long bangfu waits for another bangfu (an import, a first use of a
/// new file) to let go of the database before saying it is busy.
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(60);

/// The page size of a new database, in bytes.
const PAGE_SIZE: i64 = 64 * 1024;

/// The file a connection reads, unless its database lives in memory.
pub(crate) fn file_of(conn: &Connection) -> Option<&str> {
    conn.path().filter(|p| !p.is_empty())
}

/// Whether SQLite would read `path` as something other than the file of
/// that name: a `file:` URI (the bundled SQLite is built to take them
/// whatever the open flags say), `:memory:`, or the empty name of a
/// temporary database.
pub fn is_special_name(path: &Path) -> bool {
    let name = path.as_os_str().as_encoded_bytes();
    name.is_empty() || name == b":memory:" || name.starts_with(b"file:")
}

/// The name to give SQLite for the file at `path`: the path itself, or,
/// where SQLite would read it as a URI or `:memory:`, the same file as
/// `./NAME`, which it cannot. Every open goes through here, so that the
/// data always lands in the file whose name is shown.
fn file_name(path: &Path) -> std::borrow::Cow<'_, Path> {
    if is_special_name(path) {
        std::borrow::Cow::Owned(Path::new(".").join(path))
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// Record how many records of each kind the database holds, inside the transaction
/// of an import or undo, just before it commits ([`Store::for_reports`]
/// checks it).
pub(crate) fn seal(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE seal SET households = (SELECT count(*) FROM households NOT INDEXED),
             members = (SELECT count(*) FROM members NOT INDEXED),
             pairings = (SELECT count(*) FROM pairings NOT INDEXED),
             deliveries = (SELECT count(*) FROM deliveries NOT INDEXED)",
        [],
    )?;
    Ok(())
}

/// A second, read-only connection to an open database, for reading part of
/// a report's scan on another thread.
pub(crate) fn open_for_reading(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        file_name(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_WAIT)?;
    check_cells(&conn)?;
    Ok(conn)
}

/// Have SQLite check the layout of every page as it reads it. Without it,
/// a page whose cell pointers were overwritten is read as rows of garbage
/// (a `summary` printed 41,813.00 yuan of 71,350.00 and exit 0); with it,
/// the read fails as damaged, and every report says so instead of printing
/// figures. Reports used to map the file into memory (`mmap_size`), but a
/// mapped page is checked again each time it is fetched, not once per read
/// from disk, which cost several times more than the mapping saved (the
/// figures are in docs/BENCHMARKS.md). Right figures come before fast ones.
fn check_cells(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "cell_size_check", "ON")
}

impl Store {
    /// The SQLite connection underneath (the store is moving onto
    /// [`sql::Conn`], which speaks to both backends).
    pub(crate) fn lite(&self) -> &Connection {
        self.conn.as_sqlite().expect("a SQLite store")
    }

    pub(crate) fn lite_mut(&mut self) -> &mut Connection {
        self.conn.as_sqlite_mut().expect("a SQLite store")
    }

    /// Open the bangfu database at `path`, which must exist (contract §4: only
    /// `import` and `demo --db` create one), and bring its schema up to
    /// date. A missing file is not created, an empty one not filled, and a
    /// file of another program's is refused untouched.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        refuse_mistyped(path)?;
        if let Some(url) = server_url(path) {
            return Store::on_server(url, false);
        }
        let name = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: name });
        }
        let conn = Connection::open_with_flags(
            file_name(path),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Store::setup(conn, name, false)
    }

    /// Open the database at `path` as [`Store::open`] does, first creating
    /// it (readable by its owner only) if there is none; an empty file
    /// becomes a bangfu database too.
    /// [`Store::created`] says whether this call made the file.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        refuse_mistyped(path)?;
        if let Some(url) = server_url(path) {
            return Store::on_server(url, true);
        }
        let name = path.display().to_string();
        let mut created = None;
        if !path.exists() {
            // SQLite follows a link to a file not there yet (a dangling
            // `--db` link): make the private file where the link leads.
            let file = crate::output::resolve_links(path);
            match create_private(&file) {
                Ok(()) => created = Some(file),
                // Another bangfu created it a moment ago: fine.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => {
                    return Err(StoreError::Create {
                        path: name.clone(),
                        error,
                    })
                }
            }
        }
        let conn = Connection::open_with_flags(
            file_name(path),
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        match Store::setup(conn, name, true) {
            Ok(mut store) => {
                store.created = created;
                Ok(store)
            }
            Err(e) => {
                if let Some(file) = &created {
                    remove_database(file);
                }
                Err(e)
            }
        }
    }

    /// Close a database [`Store::create`] created and remove its file,
    /// for a command that ends without committing anything to it (a
    /// mistyped `--db` must not leave an empty database that reports
    /// zeros). A store that did not create its file is only closed.
    ///
    /// Only a file no other connection has open goes: another bangfu may
    /// have opened the new file meanwhile and be importing into it, and
    /// removing a file under a live connection loses what it writes. SQLite
    /// leaves WAL mode only with the file to itself, so that is the test;
    /// the file must also still hold no record and no logged import.
    pub fn discard_created(self) {
        if self.made_schema {
            let _ = pg::drop_if_unused(&self.conn);
            return;
        }
        let Some(file) = self.created.clone() else {
            return;
        };
        let alone = self.lite().busy_timeout(Duration::ZERO).is_ok()
            && self
                .lite()
                .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                    r.get::<_, String>(0)
                })
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("delete"));
        let empty = alone
            && !query::holds_records(self.reports()).unwrap_or(true)
            && self
                .conn
                .value("SELECT NOT EXISTS (SELECT 1 FROM imports)", crate::args![])
                .unwrap_or(false);
        drop(self);
        if empty {
            remove_database(&file);
        }
    }

    /// The database [`Store::create`] created, if it did (no file was
    /// there, or the server's database held no bangfu schema), as said.
    pub fn created(&self) -> Option<String> {
        match self.made_schema {
            true => Some(self.name.clone()),
            false => self.created.as_ref().map(|f| f.display().to_string()),
        }
    }

    /// A database that lives in memory only (for `demo` and tests).
    pub fn in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?, ":memory:".into(), true)
    }

    /// A database in memory with one household (key 1, H1 of 工农乡) and
    /// one member (key 1, M1 of 区委): what the writer's tests write to.
    #[cfg(test)]
    pub(crate) fn with_one_pair() -> Store {
        let store = Store::in_memory().expect("a database in memory");
        store
            .lite()
            .execute_batch(
                "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
                 INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');",
            )
            .expect("one household and one member");
        store
    }

    /// For a dry run against a database an older bangfu made: a copy in
    /// memory, upgraded there (its [`Store::upgraded_from`] says from
    /// what), so that checking a file writes nothing to the database, not
    /// even its upgrade. `None` when the file needs no upgrade (up to date,
    /// newer, or not a database at all): open it as usual, which says what
    /// is wrong with it. The copy takes the file's size in memory, once.
    pub fn upgraded_copy(path: &Path) -> Result<Option<Store>, StoreError> {
        if server_url(path).is_some() {
            return Ok(None);
        }
        let Ok(file) = open_for_reading(path) else {
            return Ok(None);
        };
        match file.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) {
            Ok(v) if v < schema::current_version() => {}
            _ => return Ok(None),
        }
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&file, &mut copy)?.run_to_completion(
            1024,
            Duration::ZERO,
            None,
        )?;
        Store::setup(copy, path.display().to_string(), true).map(Some)
    }

    /// The bangfu database on a PostgreSQL server (contract §9), its
    /// schema made first when `may_create` and there is none yet.
    fn on_server(url: &str, may_create: bool) -> Result<Store, StoreError> {
        let target = pg::connect::Target::parse(url).map_err(StoreError::Connect)?;
        let conn = pg::session(&target).map_err(StoreError::Connect)?;
        let name = target.shown().to_string();
        let mut found = pg::found(&conn)?;
        let mut made_schema = false;
        if found == pg::Found::Nothing && may_create {
            (found, made_schema) = pg::create(&conn)?;
        }
        // Schema 7 or 8 is brought to 9 by the tables' owner, whatever the
        // command (as a SQLite file is upgraded by any that opens it).
        // Read again either way: the owner's migration may have found that
        // another bangfu migrated it meanwhile (attacker review 3, finding
        // 13: it was refused as "an older form"); a login that may not
        // migrate finds 7 still.
        let mut upgraded_from = None;
        if let pg::Found::Version(v @ (7 | 8)) = found {
            if pg::migrate(&conn)? {
                upgraded_from = Some(v);
            }
            found = pg::found(&conn)?;
        }
        if may_create && found == pg::Found::Version(pg::schema::VERSION) {
            pg::tune(&conn)?;
        }
        match found {
            pg::Found::Version(v) if v == pg::schema::VERSION => Ok(Store {
                conn,
                name,
                upgraded_from,
                created: None,
                made_schema,
            }),
            pg::Found::Version(v) if v < pg::schema::VERSION => Err(StoreError::OlderOnServer {
                path: name,
                found: v,
                known: pg::schema::VERSION,
            }),
            pg::Found::Version(v) => Err(StoreError::Newer {
                path: name,
                found: v,
                known: pg::schema::VERSION,
            }),
            pg::Found::Nothing => Err(StoreError::NothingYet { path: name }),
            pg::Found::Foreign => Err(StoreError::Foreign {
                path: name,
                reason: error::Foreign::MissingTables {
                    version: 0,
                    names: error::Tables::of(&[&"bangfu.version".to_string()]),
                },
            }),
        }
    }

    /// Ready an open connection; `may_fill` lets an empty database become
    /// a bangfu one.
    fn setup(conn: Connection, name: String, may_fill: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_WAIT)?;
        // Refuse a newer database, and a file that is not bangfu's, before
        // anything below writes to it.
        let version = schema::readable_version(&conn, &name, may_fill)?;
        if version == 0 {
            // A new database (the size cannot change once the file has
            // pages). SQLite's largest pages: fewer b-tree levels and fewer,
            // larger frames to copy at commit, so a large import writes and
            // commits faster (docs/BENCHMARKS.md); notes of up to about
            // 16,000 bytes stay inside the table's pages. The cost: an
            // almost empty database takes about 1 MB. Databases made with
            // smaller pages keep them.
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        }
        if file_of(&conn).is_some() {
            // Switching a new file to WAL needs it to itself for a moment,
            // and SQLite answers "busy" at once instead of waiting, so wait
            // here (another bangfu may be opening the same new file).
            retry_while_busy(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        check_cells(&conn)?;
        // 16 MiB of page cache (the default is 2 MiB): a million-row
        // import keeps the pages it writes to and the parent tables its
        // foreign keys check in memory, well inside contract §7's 64 MiB.
        conn.pragma_update(None, "cache_size", -16 * 1024)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Store {
            conn: sql::Conn::sqlite(conn),
            name,
            upgraded_from: None,
            created: None,
            made_schema: false,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Run every pending migration in one transaction; refuse a database
    /// from a newer bangfu without touching it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = schema::current_version();
        let version: i64 = self
            .lite()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > known {
            return Err(StoreError::Newer {
                path: self.name.clone(),
                found: version,
                known,
            });
        }
        if version == known {
            return Ok(());
        }
        // A migration that copies a table drops the old one, which with
        // foreign keys on is a row-by-row delete (46 s for a million
        // deliveries). SQLite's own procedure for changing a table's schema
        // turns them off for the change.
        let found = self.without_foreign_keys(Store::migrate_in_transaction)?;
        if found > 0 && found < known {
            self.upgraded_from = Some(found);
            // A copied table leaves the old one's pages free inside the file
            // (almost doubling it); give them back once. It is only tidying:
            // should it fail (no room on the disk for its copy, say), the
            // database is whole and merely larger, so the command goes on.
            if self.file().is_some() && schema::COPIES_A_TABLE.iter().any(|&v| v > found) {
                let _ = self.lite().execute_batch("VACUUM");
            }
        }
        Ok(())
    }

    /// The database file, unless the database lives in memory.
    pub fn file(&self) -> Option<PathBuf> {
        file_of(self.conn.as_sqlite()?).map(PathBuf::from)
    }

    /// The schema version this open upgraded the file from, if it did.
    pub fn upgraded_from(&self) -> Option<i64> {
        self.upgraded_from
    }

    /// Run `work` with SQLite's foreign key checks off, and turn them on
    /// again whatever it returns. For work that keeps the references right
    /// itself: a migration copying a table, an import resolving every
    /// reference against its own maps. (The pragma cannot change inside a
    /// transaction, so this wraps one.)
    ///
    /// On a PostgreSQL server the checks stay on (only its owner could
    /// turn them off), each at the end of its statement: `work` must write
    /// in an order in which every reference holds after each statement.
    pub fn without_foreign_keys<T, E: From<rusqlite::Error>>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let Some(lite) = self.conn.as_sqlite() else {
            return work(self);
        };
        lite.pragma_update(None, "foreign_keys", "OFF")?;
        let done = work(self);
        self.lite().pragma_update(None, "foreign_keys", "ON")?;
        done
    }

    /// Bring the schema up to date; the version found under the lock.
    fn migrate_in_transaction(&mut self) -> Result<i64, StoreError> {
        let name = self.name.clone();
        let tx = self
            .lite_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (index, sql) in schema::MIGRATIONS.iter().enumerate() {
            let target = index as i64 + 1;
            if target > version {
                tx.execute_batch(sql)?;
                schema::after_migration(&tx, target)?;
                tx.pragma_update(None, "user_version", target)?;
            }
        }
        // The migrations ran with foreign keys off: a reference they broke
        // (or that an older file held broken) undoes the upgrade.
        if version > 0 && version < schema::current_version() {
            if let Some((table, rows)) = schema::broken_references(&tx)? {
                return Err(StoreError::UpgradeBroken {
                    path: name,
                    from: version,
                    table,
                    rows,
                });
            }
        }
        tx.commit()?;
        Ok(version)
    }

    /// Ready the store for one report: open one read transaction that lasts
    /// until the store is dropped, so that every part of the report (names,
    /// pairings, deliveries, totals) sees one state of the database, however
    /// many imports commit meanwhile. (Not mapped into memory: see
    /// [`check_cells`].)
    ///
    /// A database whose records read as another number of rows than the
    /// last import or undo left ([`seal`]) is damaged: refused, so that no
    /// report prints short totals with exit 0. (Counting the rows reads the
    /// header of every page of the table, not its rows: about 20 ms a
    /// million.)
    pub fn for_reports(self) -> Result<Store, StoreError> {
        self.conn.begin_read()?;
        self.check_seal(Doing::Reporting)?;
        Ok(self)
    }

    /// Refuse, as damaged, a database whose records read as another number
    /// of rows than the last import or undo left ([`seal`]). Reports check
    /// it before they read, imports and undos before they write: a write
    /// seals the counts it finds again, and would otherwise make the damage
    /// pass for the database's state from then on.
    pub fn check_seal(&self, doing: Doing) -> Result<(), StoreError> {
        // A server keeps its own pages whole (and has no seal).
        if self.conn.as_sqlite().is_none() {
            return Ok(());
        }
        let counts: Vec<(String, i64, i64)> = self
            .lite()
            .prepare(
                "SELECT 'households', (SELECT count(*) FROM households NOT INDEXED), households FROM seal
                 UNION ALL SELECT 'members', (SELECT count(*) FROM members NOT INDEXED), members FROM seal
                 UNION ALL SELECT 'pairings', (SELECT count(*) FROM pairings NOT INDEXED), pairings FROM seal
                 UNION ALL SELECT 'deliveries', (SELECT count(*) FROM deliveries NOT INDEXED), deliveries FROM seal",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        match counts.into_iter().find(|(_, f, s)| f != s) {
            None => Ok(()),
            Some((table, found, sealed)) => Err(StoreError::Failed {
                path: self.name.clone(),
                trouble: error::Trouble::Damaged(error::Damage::RowsMissing {
                    table,
                    found,
                    sealed,
                }),
                doing,
            }),
        }
    }

    /// SQLite's integrity check of the whole file, for `check`: damage
    /// found is an error that says so, with SQLite's first finding. A
    /// server checks its own pages (and its foreign keys on every write):
    /// on PostgreSQL there is no file to check, and `check`'s findings
    /// across records are the logical checks, the same on both backends.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let found = query::integrity_problems(self.reports(), 100)?;
        let Some(first) = found.first() else {
            return Ok(());
        };
        Err(StoreError::Failed {
            path: self.name.clone(),
            trouble: error::Trouble::Damaged(error::Damage::Integrity {
                first: first.clone(),
                more: found.len() - 1,
            }),
            doing: Doing::Reporting,
        })
    }

    /// The database, for the report queries of [`query`].
    pub fn reports(&self) -> query::Db<'_> {
        query::Db(&self.conn)
    }

    /// The schema version of the open database.
    pub fn version(&self) -> Result<i64, StoreError> {
        if self.conn.as_sqlite().is_none() {
            return Ok(pg::schema::VERSION);
        }
        Ok(self
            .lite()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// The server `path` names, if it is a `postgres://` URL.
fn server_url(path: &Path) -> Option<&str> {
    path.to_str().filter(|p| pg::connect::is_url(p))
}

/// A `--db` that looks like a server's address mistyped is refused (exit
/// 2), rather than made a new file named like it.
fn refuse_mistyped(path: &Path) -> Result<(), StoreError> {
    match path.to_str().filter(|p| pg::connect::is_mistyped_url(p)) {
        Some(text) => Err(StoreError::Connect(pg::connect::ConnectError {
            target: pg::connect::masked(text),
            reason: pg::connect::Reason::NotAUrl,
        })),
        None => Ok(()),
    }
}

/// Run `step` again while SQLite says the database is busy, for up to the
/// same 60 seconds the busy timeout allows.
fn retry_while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match step() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Remove a database file and SQLite's `-wal` and `-shm` files beside it.
fn remove_database(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Create the file at `path`, which must not exist yet, readable and
/// writable by its owner only (where the system has such permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_sees_one_state_of_the_database_while_imports_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let count = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM members", [], |r| r.get(0))
                .unwrap()
        };
        let report = Store::create(&path).unwrap().for_reports().unwrap();
        assert_eq!(count(report.lite()), 0);
        let import = Store::open(&path).unwrap();
        import
            .lite()
            .execute(
                "INSERT INTO members (id, name, unit) VALUES ('M1', 'a', 'u')",
                [],
            )
            .unwrap();
        // As an import does before it commits.
        seal(import.lite()).unwrap();
        assert_eq!(count(import.lite()), 1);
        assert_eq!(count(report.lite()), 0, "the report saw an import land");
        // The next report sees it.
        drop(report);
        let report = Store::open(&path).unwrap().for_reports().unwrap();
        assert_eq!(count(report.lite()), 1);
    }

    #[test]
    fn a_new_database_has_large_pages_and_an_old_one_keeps_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |store: &Store| -> i64 {
            store
                .lite()
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap()
        };
        let new = Store::create(&dir.path().join("new.db")).unwrap();
        assert_eq!(page_size(&new), PAGE_SIZE);
        let old_path = dir.path().join("old.db");
        Connection::open(&old_path)
            .unwrap()
            .execute_batch(&format!(
                "PRAGMA page_size = 4096; {}; PRAGMA user_version = 1;",
                schema::MIGRATIONS[0]
            ))
            .unwrap();
        let old = Store::open(&old_path).unwrap();
        assert_eq!(page_size(&old), 4096);
        assert_eq!(old.version().unwrap(), schema::current_version());
    }

    #[test]
    fn migrations_run_once_and_again_without_harm() {
        let mut store = Store::in_memory().unwrap();
        assert_eq!(store.version().unwrap(), schema::current_version());
        store.migrate().unwrap();
        assert_eq!(store.version().unwrap(), schema::current_version());
    }

    #[test]
    fn an_upgrade_holds_each_older_delivery_by_the_file_its_batch_number_names() {
        // A plain batch number (before version 6) and a chunk's mark (the
        // file's number in the high half) both name the file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &schema::MIGRATIONS[..5] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "PRAGMA user_version = 5;
                 INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'a', 't');
                 INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'b', 'u');
                 INSERT INTO imports (key, at, file, kind, rows_read, new, updated, unchanged, skipped, rejected)
                 VALUES (3, '2024-01-01 08:00:00', 'dir/三月.csv', 'deliveries', 1, 1, 0, 0, 0, 0),
                        (7, '2024-02-01 08:00:00', '四月.xlsx', 'deliveries', 1, 1, 0, 0, 0, 0);
                 INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category, batch)
                 VALUES (1, 11, 1, 1, 1, 0, 7), (2, 12, 1, 1, 1, 0, (3 << 32) | 2);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let held: Vec<(i64, String)> = store
            .lite()
            .prepare(concat!(
                "SELECT d.day, l.name FROM deliveries d
                 JOIN ",
                held!(),
                " h ON h.kind = 3 AND h.record = d.key
                 JOIN ledgers l ON l.key = h.ledger ORDER BY d.day"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(held, [(1, "四月".to_string()), (2, "三月".to_string())]);
        // Version 8 keeps each delivery's one hold in its own row.
        let rows_of_holds: i64 = (store.lite())
            .query_row("SELECT count(*) FROM holds WHERE kind = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(rows_of_holds, 0);
        // The marks are gone with the column, and so is the table that
        // carried them across the copy.
        let columns: Vec<String> = store
            .lite()
            .prepare("SELECT name FROM pragma_table_info('deliveries')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(!columns.iter().any(|c| c == "batch"), "{columns:?}");
        let temporary: i64 = store
            .lite()
            .query_row("SELECT count(*) FROM temp.sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temporary, 0);
    }

    #[test]
    fn version_8_keeps_the_hold_by_the_ledger_of_a_delivery_s_import_in_its_row_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &schema::MIGRATIONS[..7] {
                conn.execute_batch(sql).unwrap();
            }
            // Delivery 1, added by import 2, held by its ledger (1) and by a
            // second one (2, import 3); delivery 2, added by import 2, held
            // by ledger 1 again only after a --replace dropped its first
            // hold (import 4); delivery 3 held by none.
            conn.execute_batch(
                "PRAGMA user_version = 7;
                 INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'a', 't');
                 INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'b', 'u');
                 INSERT INTO ledgers (key, name) VALUES (1, '三月'), (2, '乡里');
                 INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household,
                                         category, added)
                 VALUES (1, 1, 11, 1, 1, 1, 0, 2), (2, 2, 12, 1, 1, 1, 0, 2),
                        (3, 3, 13, 1, 1, 1, 0, 2);
                 INSERT INTO holds (kind, record, ledger, added)
                 VALUES (3, 1, 1, 2), (3, 1, 2, 3), (3, 2, 1, 4), (0, 1, 1, 1);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let strings = |sql: &str| -> Vec<String> {
            (store.lite().prepare(sql).unwrap())
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(
            strings("SELECT key || ':' || coalesce(ledger, '-') FROM deliveries ORDER BY key"),
            ["1:1", "2:-", "3:-"]
        );
        assert_eq!(
            strings(
                "SELECT kind || ' ' || record || ' ' || ledger || ' ' || added FROM holds
                 ORDER BY 1"
            ),
            ["0 1 1 1", "3 1 2 3", "3 2 1 4"]
        );
        // Read as one, the holds are what version 7 had.
        assert_eq!(
            strings(concat!(
                "SELECT kind || ' ' || record || ' ' || ledger || ' ' || added FROM ",
                held!(),
                " h ORDER BY 1"
            )),
            ["0 1 1 1", "3 1 1 2", "3 1 2 3", "3 2 1 4"]
        );
    }

    #[test]
    fn a_created_file_another_connection_has_open_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let created = Store::create(&path).unwrap();
        assert!(created.created().is_some());
        let other = Store::open(&path).unwrap();
        created.discard_created();
        assert!(path.exists(), "removed under another connection");
        other
            .lite()
            .execute(
                "INSERT INTO members (id, name, unit) VALUES ('M1', 'a', 'u')",
                [],
            )
            .unwrap();
        drop(other);
        assert!(path.exists());
        // Alone and empty, it goes.
        let path = dir.path().join("alone.db");
        Store::create(&path).unwrap().discard_created();
        assert!(!path.exists());
    }

    #[test]
    fn refuses_a_database_from_a_newer_bangfu() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::Newer { found: 99, .. }));
    }

    #[test]
    fn names_sqlite_would_read_otherwise_are_given_as_files() {
        for special in ["file:z2.db", ":memory:", "file:a.db?mode=memory"] {
            assert!(is_special_name(Path::new(special)));
            assert_eq!(file_name(Path::new(special)), Path::new(".").join(special));
        }
        for plain in ["z2.db", "./file:z2.db", "/tmp/file:z2.db", "a:memory:"] {
            assert!(!is_special_name(Path::new(plain)));
            assert_eq!(file_name(Path::new(plain)), Path::new(plain));
        }
    }

    #[cfg(unix)]
    #[test]
    fn creates_the_file_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        Store::create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
