//! What went wrong with the database, said once and in full: the file, what
//! happened, and what became of the data. SQLite's own words ("database or
//! disk is full", "Error code 13") name neither the file nor the outcome,
//! and rusqlite's error repeats its message in its source, so that printing
//! the chain doubled every phrase. A command's failure is turned into one
//! [`StoreError::Failed`] at the command's edge (`commands::run`), which
//! knows the file and what the command was doing.

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed; said in full once the command's edge names the file
    /// ([`StoreError::failed`]). No source: its text is the whole message.
    #[error("{}", sqlite_words(.0))]
    Sqlite(rusqlite::Error),
    #[error("{}", failure_message(.path, .trouble, *.doing))]
    Failed {
        path: String,
        trouble: Trouble,
        doing: Doing,
    },
    #[error("cannot create the database file {path}")]
    Create {
        path: String,
        #[source]
        error: std::io::Error,
    },
    #[error("there is no database at {path}: only `bangfu import` and `bangfu demo --db` create one (check --db or BANGFU_DB); nothing was created")]
    Missing { path: String },
    #[error("{path} is empty: it holds no bangfu database yet (`bangfu import` makes one); it was left as it was")]
    Empty { path: String },
    #[error("{path} is not a bangfu database ({reason}); it was left as it was")]
    Foreign { path: String, reason: String },
    #[error("{path} was made by a newer bangfu (schema version {found}; this one knows up to {known}); upgrade bangfu — the file was left untouched")]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("{0} is not a bangfu database (or not an SQLite file at all)")]
    NotADatabase(String),
    #[error("{path}: the upgrade from schema {from} was undone and every record is as it was: {rows} row(s) of {table} refer to records that do not exist (SQLite's foreign key check); the file may have been edited by another program")]
    UpgradeBroken {
        path: String,
        from: i64,
        table: String,
        rows: i64,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    /// Whether there is no database at the path given (exit 2): nothing
    /// there, or an empty file. A file that is there but not usable (not
    /// SQLite, another program's, a newer bangfu's) is exit 1, as before.
    pub fn is_usage(&self) -> bool {
        matches!(self, StoreError::Missing { .. } | StoreError::Empty { .. })
    }

    /// SQLite's failure `e` on the database `path`, while `doing`.
    pub fn failed(path: &str, doing: Doing, e: &rusqlite::Error) -> StoreError {
        StoreError::Failed {
            path: path.to_string(),
            trouble: Trouble::of(e),
            doing,
        }
    }

    /// The SQLite error inside, if this is one not yet said in full.
    pub fn sqlite(&self) -> Option<&rusqlite::Error> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

/// What the command was doing with the database, for the message to say
/// what became of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    /// An import: one transaction, so a failure leaves nothing of it.
    Importing,
    /// A dry run, which writes nothing.
    Checking,
    /// A report, printed only once it is complete.
    Reporting,
}

impl Doing {
    fn outcome(self) -> &'static str {
        match self {
            Doing::Importing => "nothing was imported",
            Doing::Checking => "nothing was written",
            Doing::Reporting => "no report was printed",
        }
    }
}

/// Why SQLite failed, in a clerk's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    DiskFull,
    ReadOnly,
    Busy,
    /// SQLite's words, or which stored value is not one bangfu writes.
    Damaged(String),
    Io,
    CannotOpen,
    Other(String),
}

impl Trouble {
    pub fn of(e: &rusqlite::Error) -> Trouble {
        use rusqlite::Error as E;
        match e {
            E::SqliteFailure(f, _) => match f.code {
                ErrorCode::DiskFull => Trouble::DiskFull,
                ErrorCode::ReadOnly => Trouble::ReadOnly,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Trouble::Busy,
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    Trouble::Damaged(format!("SQLite: {}", sqlite_words(e)))
                }
                ErrorCode::SystemIoFailure => Trouble::Io,
                ErrorCode::CannotOpen => Trouble::CannotOpen,
                _ => Trouble::Other(sqlite_words(e)),
            },
            // bangfu writes every column with one type; another type, or a
            // number out of range, is a page read wrong or a file edited.
            E::InvalidColumnType(_, name, ty) => Trouble::Damaged(format!(
                "column {name} holds {}, which bangfu never writes there",
                ty.to_string().to_lowercase()
            )),
            E::IntegralValueOutOfRange(..) | E::FromSqlConversionFailure(..) => {
                Trouble::Damaged("a stored value is not one bangfu writes".into())
            }
            _ => Trouble::Other(sqlite_words(e)),
        }
    }
}

/// SQLite's message, once: rusqlite shows the text SQLite gave, else the
/// code's description, and repeats the description as the source.
fn sqlite_words(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(text)) => text.clone(),
        rusqlite::Error::SqliteFailure(f, None) => rusqlite::ffi::code_to_str(f.extended_code)
            .trim_end_matches('.')
            .to_lowercase(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

fn failure_message(path: &str, trouble: &Trouble, doing: Doing) -> String {
    let outcome = doing.outcome();
    match trouble {
        Trouble::DiskFull => format!("cannot write to {path}: the disk is full; {outcome}"),
        Trouble::ReadOnly => format!(
            "cannot write to {path}: the file, its folder or its disk is read-only; {outcome}"
        ),
        Trouble::Busy => format!(
            "{path} is busy: another program kept it locked for {} seconds; {outcome} (try again once it has finished)",
            super::BUSY_WAIT.as_secs()
        ),
        Trouble::Damaged(detail) => format!(
            "the database {path} is damaged ({detail}); {outcome}; restore the file from a backup copy"
        ),
        Trouble::Io => {
            format!("cannot read or write {path}: the disk reported an error; {outcome}")
        }
        Trouble::CannotOpen => format!(
            "cannot open {path} (a folder, or a file in a folder that does not exist?); {outcome}"
        ),
        Trouble::Other(words) => format!("{path}: {words}; {outcome}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{Connection, OpenFlags};
    use std::time::Duration;

    /// The message a command would print: the whole chain, as main does.
    fn said(e: &rusqlite::Error, doing: Doing) -> String {
        format!(
            "{:#}",
            anyhow::Error::from(StoreError::failed("/x/bangfu.db", doing, e))
        )
    }

    fn a_database(dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("t.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        path
    }

    #[test]
    fn a_full_disk_names_the_file_and_says_nothing_was_imported() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(a_database(dir.path())).unwrap();
        // A file that may not grow is what SQLite reports as a full disk.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
        let e = conn
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
                 INSERT INTO t SELECT randomblob(100) FROM n",
            )
            .unwrap_err();
        assert_eq!(
            said(&e, Doing::Importing),
            "cannot write to /x/bangfu.db: the disk is full; nothing was imported"
        );
    }

    #[test]
    fn a_read_only_file_names_the_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let conn =
            Connection::open_with_flags(a_database(dir.path()), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let e = conn.execute("INSERT INTO t VALUES (2)", []).unwrap_err();
        assert_eq!(
            said(&e, Doing::Importing),
            "cannot write to /x/bangfu.db: the file, its folder or its disk is read-only; nothing was imported"
        );
    }

    #[test]
    fn a_lock_held_too_long_says_the_file_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = a_database(dir.path());
        let holder = Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let waiter = Connection::open(&path).unwrap();
        waiter.busy_timeout(Duration::from_millis(10)).unwrap();
        let e = waiter.execute("INSERT INTO t VALUES (2)", []).unwrap_err();
        let text = said(&e, Doing::Reporting);
        assert_eq!(
            text,
            "/x/bangfu.db is busy: another program kept it locked for 60 seconds; no report was printed (try again once it has finished)"
        );
    }

    #[test]
    fn a_damaged_file_and_a_value_of_the_wrong_type_say_damaged() {
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        assert_eq!(
            said(&corrupt, Doing::Reporting),
            "the database /x/bangfu.db is damaged (SQLite: the database disk image is malformed); no report was printed; restore the file from a backup copy"
        );
        let conn = Connection::open_in_memory().unwrap();
        let e = conn
            .query_row("SELECT NULL AS day", [], |r| r.get::<_, i64>(0))
            .unwrap_err();
        assert_eq!(
            said(&e, Doing::Reporting),
            "the database /x/bangfu.db is damaged (column day holds null, which bangfu never writes there); no report was printed; restore the file from a backup copy"
        );
    }

    #[test]
    fn sqlite_words_stand_once_even_unexplained() {
        let conn = Connection::open_in_memory().unwrap();
        let e = conn.execute_batch("CREATE TABLE t (x); CREATE TABLE t (x);");
        let e = StoreError::from(e.unwrap_err());
        assert_eq!(
            format!("{:#}", anyhow::Error::from(e)),
            "table t already exists"
        );
    }
}
