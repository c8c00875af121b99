//! What went wrong with the database, said once and in full: the file, what
//! happened, and what became of the data. SQLite's own words ("database or
//! disk is full", "Error code 13") name neither the file nor the outcome,
//! and rusqlite's error repeats its message in its source, so that printing
//! the chain doubled every phrase. A command's failure is turned into one
//! [`StoreError::Failed`] at the command's edge (`commands::run`), which
//! knows the file and what the command was doing.

use super::pg::connect::ConnectError;
use super::sql::SqlError;
use rusqlite::ErrorCode;

/// Its texts, in both languages, are in [`crate::i18n::store`]; `Display`
/// is the English one.
#[derive(Debug)]
pub enum StoreError {
    /// The database failed; said in full once the command's edge names it
    /// ([`StoreError::failed`]). No source: its text is the whole message.
    Sql(SqlError),
    /// The PostgreSQL server could not be reached (exit 2).
    Connect(ConnectError),
    Failed {
        path: String,
        trouble: Trouble,
        doing: Doing,
    },
    Create {
        path: String,
        error: std::io::Error,
    },
    Missing {
        path: String,
    },
    Empty {
        path: String,
    },
    /// A database on a server that holds no bangfu schema yet: made by
    /// its admin, nothing imported into it.
    NothingYet {
        path: String,
    },
    Foreign {
        path: String,
        reason: Foreign,
    },
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    /// A server's schema of an older bangfu, which only the tables' owner
    /// (the district's admin) may bring up to date.
    OlderOnServer {
        path: String,
        found: i64,
        known: i64,
    },
    NotADatabase(String),
    UpgradeBroken {
        path: String,
        from: i64,
        table: String,
        rows: i64,
    },
}

/// Why a file is not a bangfu database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Foreign {
    NoSchema { names: Tables },
    ExtraTables { names: Tables },
    MissingTables { version: i64, names: Tables },
}

/// A few names of tables, and how many more there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub shown: Vec<String>,
    pub more: usize,
}

impl Tables {
    /// The first five of `names`, and a count of the rest.
    pub fn of(names: &[&String]) -> Tables {
        let shown: Vec<String> = names.iter().take(5).map(|n| n.to_string()).collect();
        let more = names.len() - shown.len();
        Tables { shown, more }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::store::error_text(self, crate::i18n::Lang::En))
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Create { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sql(SqlError::Sqlite(e))
    }
}

impl From<SqlError> for StoreError {
    fn from(e: SqlError) -> StoreError {
        StoreError::Sql(e)
    }
}

impl StoreError {
    /// Whether there is no database at the path given (exit 2): nothing
    /// there, or an empty file. A file that is there but not usable (not
    /// SQLite, another program's, a newer bangfu's) is exit 1, as before.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            StoreError::Missing { .. }
                | StoreError::Empty { .. }
                | StoreError::NothingYet { .. }
                | StoreError::Connect(_)
        )
    }

    /// The database's failure `e` on the database `path`, while `doing`.
    pub fn failed(path: &str, doing: Doing, e: &SqlError) -> StoreError {
        StoreError::Failed {
            path: path.to_string(),
            trouble: Trouble::of(e),
            doing,
        }
    }

    /// The database's error inside, if this is one not yet said in full.
    pub fn sql(&self) -> Option<&SqlError> {
        match self {
            StoreError::Sql(e) => Some(e),
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
    /// An undo: one transaction, so a failure leaves the import as it was.
    Undoing,
}

/// What is damaged in a database file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// SQLite's words.
    Sqlite(String),
    /// A column holding a type bangfu never writes there.
    ColumnType { name: String, found: String },
    /// A value out of range or not convertible.
    StoredValue,
    /// SQLite's integrity check's first finding, and how many more.
    Integrity { first: String, more: usize },
    /// `table` reads as `found` rows where the last import or undo left
    /// `sealed`.
    RowsMissing {
        table: String,
        found: i64,
        sealed: i64,
    },
}

/// Why SQLite failed, in a clerk's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    DiskFull,
    ReadOnly,
    Busy,
    Damaged(Damage),
    Io,
    CannotOpen,
    /// The server refused: the role may not read or write that (a
    /// township's role writing another township's household, say).
    Denied(Denied),
    /// Another transaction wrote the same rows at the same moment (the
    /// server's serialization failure or deadlock): nothing of this one
    /// was written, and running it again is the remedy.
    Conflict,
    /// The connection to the server broke off.
    Lost,
    /// The server ended the session: it had waited longer than
    /// [`crate::store::pg::IDLE_IN_WRITE`] minutes for bangfu inside the
    /// transaction (a computer put to sleep, a process stopped).
    Stalled,
    /// A household the login cannot see (another township's) already has
    /// the id or ID number the file gives: the server's unique index
    /// refused it.
    TakenElsewhere,
    Other(String),
}

/// What a server's refusal (SQLSTATE 42501) was about, read from its
/// words, so that the clerk is told in the catalogue's (src/i18n/store.rs)
/// instead of the server's English inside a Chinese sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// A row-level security policy refused a row of `table`: records of
    /// another township's household, a member (the district's to write),
    /// the log of another login's import.
    Rows { table: String },
    /// A township's login's import would change a household's township
    /// (its history of moves): the district's import only moves a
    /// household (`import OTHER.db` whose history has such a change).
    Moves,
    /// The login holds no privilege on `object` of kind `kind` (table,
    /// schema, sequence, function, database, …): its grant is missing or
    /// out of date.
    Privilege { kind: String, object: String },
    /// Making or changing a role needs CREATEROLE.
    Roles,
    /// Some other privilege the login lacks ("permission denied", "must
    /// be owner of …").
    Unprivileged,
    /// Anything else, in the server's words.
    Other(String),
}

impl Denied {
    /// The refusal the server's `message` says.
    pub fn of(message: &str) -> Denied {
        let quoted_last = |s: &str| {
            let s = s.strip_suffix('"')?;
            s.rsplit_once('"').map(|(_, t)| t.to_string())
        };
        // The words of the schema's own refusal (store/pg/schema.rs,
        // `history_moved`).
        if message.starts_with("a household's township is changed only by the district") {
            return Denied::Moves;
        }
        if message.starts_with("new row violates row-level security policy") {
            if let Some(table) = quoted_last(message) {
                return Denied::Rows { table };
            }
        }
        if let Some(rest) = message.strip_prefix("permission denied for ") {
            if let Some((kind, object)) = rest.split_once(' ') {
                return Denied::Privilege {
                    kind: kind.to_string(),
                    object: object.trim_matches('"').to_string(),
                };
            }
        }
        if message.starts_with("permission denied to create role")
            || message.starts_with("permission denied to alter role")
        {
            return Denied::Roles;
        }
        if message.starts_with("permission denied") || message.starts_with("must be owner of") {
            return Denied::Unprivileged;
        }
        Denied::Other(message.to_string())
    }
}

impl Trouble {
    pub fn of(e: &SqlError) -> Trouble {
        match e {
            SqlError::Sqlite(e) => Trouble::of_sqlite(e),
            SqlError::Postgres(e) => Trouble::of_postgres(e),
            SqlError::Type { column, found, .. } => Trouble::Damaged(Damage::ColumnType {
                name: column.clone(),
                found: found.to_string(),
            }),
            SqlError::NoRows => Trouble::Other(e.to_string()),
        }
    }

    fn of_postgres(e: &postgres::Error) -> Trouble {
        use postgres::error::SqlState as S;
        let Some(db) = e.as_db_error() else {
            return if e.is_closed() {
                Trouble::Lost
            } else {
                Trouble::Other(e.to_string())
            };
        };
        match db.code() {
            c if *c == S::DISK_FULL => Trouble::DiskFull,
            c if *c == S::READ_ONLY_SQL_TRANSACTION => Trouble::ReadOnly,
            c if *c == S::LOCK_NOT_AVAILABLE || *c == S::QUERY_CANCELED => Trouble::Busy,
            c if *c == S::INSUFFICIENT_PRIVILEGE => Trouble::Denied(Denied::of(db.message())),
            c if *c == S::T_R_SERIALIZATION_FAILURE || *c == S::T_R_DEADLOCK_DETECTED => {
                Trouble::Conflict
            }
            // bangfu matched the file's households against those it can
            // see; only a row-level-secured login fails to see one.
            c if *c == S::UNIQUE_VIOLATION && db.table() == Some("households") => {
                Trouble::TakenElsewhere
            }
            c if *c == S::DATA_CORRUPTED || *c == S::INDEX_CORRUPTED => {
                Trouble::Damaged(Damage::Sqlite(db.message().to_string()))
            }
            c if *c == S::ADMIN_SHUTDOWN || *c == S::CRASH_SHUTDOWN => Trouble::Lost,
            c if *c == S::IDLE_IN_TRANSACTION_SESSION_TIMEOUT || *c == S::IDLE_SESSION_TIMEOUT => {
                Trouble::Stalled
            }
            _ => Trouble::Other(db.message().to_string()),
        }
    }

    pub fn of_sqlite(e: &rusqlite::Error) -> Trouble {
        use rusqlite::Error as E;
        match e {
            E::SqliteFailure(f, _) => match f.code {
                ErrorCode::DiskFull => Trouble::DiskFull,
                ErrorCode::ReadOnly => Trouble::ReadOnly,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Trouble::Busy,
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    Trouble::Damaged(Damage::Sqlite(sqlite_words(e)))
                }
                ErrorCode::SystemIoFailure => Trouble::Io,
                ErrorCode::CannotOpen => Trouble::CannotOpen,
                _ => Trouble::Other(sqlite_words(e)),
            },
            // bangfu writes every column with one type; another type, or a
            // number out of range, is a page read wrong or a file edited.
            E::InvalidColumnType(_, name, ty) => Trouble::Damaged(Damage::ColumnType {
                name: name.clone(),
                found: ty.to_string().to_lowercase(),
            }),
            E::IntegralValueOutOfRange(..) | E::FromSqlConversionFailure(..) => {
                Trouble::Damaged(Damage::StoredValue)
            }
            _ => Trouble::Other(sqlite_words(e)),
        }
    }
}

/// SQLite's message, once: rusqlite shows the text SQLite gave, else the
/// code's description, and repeats the description as the source.
pub(crate) fn sqlite_words(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(text)) => text.clone(),
        rusqlite::Error::SqliteFailure(f, None) => rusqlite::ffi::code_to_str(f.extended_code)
            .trim_end_matches('.')
            .to_lowercase(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
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
            anyhow::Error::from(StoreError::Failed {
                path: "/x/bangfu.db".into(),
                trouble: Trouble::of_sqlite(e),
                doing
            })
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

    #[test]
    fn a_servers_refusals_are_read_from_its_words() {
        let of = Denied::of;
        assert_eq!(
            of("new row violates row-level security policy for table \"holds\""),
            Denied::Rows {
                table: "holds".into()
            }
        );
        assert_eq!(
            of("new row violates row-level security policy \"copied\" for table \"undo_deliveries\""),
            Denied::Rows {
                table: "undo_deliveries".into()
            }
        );
        assert_eq!(
            of("permission denied for table households"),
            Denied::Privilege {
                kind: "table".into(),
                object: "households".into()
            }
        );
        assert_eq!(
            of("a household's township is changed only by the district's import"),
            Denied::Moves
        );
        assert_eq!(of("permission denied to create role"), Denied::Roles);
        assert_eq!(of("permission denied"), Denied::Unprivileged);
        assert_eq!(of("must be owner of table x"), Denied::Unprivileged);
        assert_eq!(of("something else"), Denied::Other("something else".into()));
    }
}
