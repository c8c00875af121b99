//! The one connection the store talks through, to a SQLite file or to a
//! PostgreSQL server (contract §9). The store's SQL is written once, in the
//! part of the language both speak: `?1`-style parameters (rewritten to
//! `$1` for PostgreSQL), `INSERT … ON CONFLICT DO NOTHING`, `RETURNING`,
//! `IS NOT DISTINCT FROM`, `CAST(… AS BIGINT)`, `coalesce`. Where the two
//! differ — the schema, the bulk import, the damage checks — each
//! backend's text lives in its own place (`store/pg/`, the SQLite modules)
//! and [`Conn::dialect`] chooses.
//!
//! Values cross as SQLite sees them: integers, reals, text, blobs and
//! NULL ([`Arg`], [`Cell`]). PostgreSQL's stricter types are met here, once:
//! an integer argument fits whatever integer or text column the server
//! expects, and text that is a number fits an integer column, as SQLite's
//! column affinity does.

use rusqlite::types::{ToSqlOutput, ValueRef};
use std::cell::RefCell;
use std::collections::HashMap;

pub type Result<T, E = SqlError> = std::result::Result<T, E>;

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Postgres(#[from] postgres::Error),
    /// A query that must give a row gave none.
    #[error("the query returned no row")]
    NoRows,
    /// A column did not hold what the code reads from it.
    #[error("column {column} holds {found}, not {wanted}")]
    Type {
        /// The column's name, else its number.
        column: String,
        wanted: &'static str,
        found: &'static str,
    },
}

impl SqlError {
    /// The SQLite error inside, if this is one.
    pub fn sqlite(&self) -> Option<&rusqlite::Error> {
        match self {
            SqlError::Sqlite(e) => Some(e),
            _ => None,
        }
    }

    /// The server's SQLSTATE, if PostgreSQL answered with an error.
    pub fn pg_code(&self) -> Option<&postgres::error::SqlState> {
        match self {
            SqlError::Postgres(e) => e.code(),
            _ => None,
        }
    }

    /// A unique or primary key that would have held two rows.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            SqlError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

/// Which SQL the other end speaks, where the store must say it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One value handed to a statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A Rust value that can be a statement's argument.
pub trait ToArg {
    fn arg(&self) -> Arg<'_>;
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn arg(&self) -> Arg<'_> {
                Arg::Int(i64::from(*self))
            }
        }
    )*};
}
int_arg!(i64, i32, i16, i8, u32, u16, u8, bool);

impl ToArg for f64 {
    fn arg(&self) -> Arg<'_> {
        Arg::Real(*self)
    }
}
impl ToArg for str {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for String {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for [u8] {
    fn arg(&self) -> Arg<'_> {
        Arg::Blob(self)
    }
}
impl ToArg for Vec<u8> {
    fn arg(&self) -> Arg<'_> {
        Arg::Blob(self)
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn arg(&self) -> Arg<'_> {
        (**self).arg()
    }
}
impl<T: ToArg> ToArg for Option<T> {
    fn arg(&self) -> Arg<'_> {
        match self {
            Some(v) => v.arg(),
            None => Arg::Null,
        }
    }
}
impl ToArg for Arg<'_> {
    fn arg(&self) -> Arg<'_> {
        *self
    }
}

/// A statement's arguments: `args![a, b]` for `?1, ?2`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::store::sql::ToArg] };
    ($($v:expr),+ $(,)?) => { &[$(&$v as &dyn $crate::store::sql::ToArg),+] as &[&dyn $crate::store::sql::ToArg] };
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Arg::Null => ValueRef::Null,
            Arg::Int(i) => ValueRef::Integer(i),
            Arg::Real(f) => ValueRef::Real(f),
            Arg::Text(s) => ValueRef::Text(s.as_bytes()),
            Arg::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

mod pg_arg {
    use super::Arg;
    use bytes::BytesMut;
    use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
    use std::error::Error;

    type Outcome = Result<IsNull, Box<dyn Error + Sync + Send>>;

    fn is_text(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        )
    }

    fn int(i: i64, ty: &Type, out: &mut BytesMut) -> Outcome {
        match *ty {
            Type::INT8 => i.to_sql(ty, out),
            Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
            Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
            Type::BOOL => (i != 0).to_sql(ty, out),
            Type::FLOAT8 => (i as f64).to_sql(ty, out),
            _ if is_text(ty) => i.to_string().as_str().to_sql(ty, out),
            _ => Err(format!("an integer cannot be a {ty}").into()),
        }
    }

    impl ToSql for Arg<'_> {
        fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Outcome {
            match *self {
                Arg::Null => Ok(IsNull::Yes),
                Arg::Int(i) => int(i, ty, out),
                Arg::Real(f) => match *ty {
                    Type::FLOAT8 => f.to_sql(ty, out),
                    Type::FLOAT4 => (f as f32).to_sql(ty, out),
                    _ if is_text(ty) => f.to_string().as_str().to_sql(ty, out),
                    _ => Err(format!("a real number cannot be a {ty}").into()),
                },
                Arg::Text(s) => match *ty {
                    Type::BYTEA => s.as_bytes().to_sql(ty, out),
                    _ if is_text(ty) => s.to_sql(ty, out),
                    // SQLite's integer affinity: text that is a number.
                    _ => match s.parse::<i64>() {
                        Ok(i) => int(i, ty, out),
                        Err(_) => Err(format!("text cannot be a {ty}").into()),
                    },
                },
                Arg::Blob(b) => match *ty {
                    Type::BYTEA => b.to_sql(ty, out),
                    _ => Err(format!("bytes cannot be a {ty}").into()),
                },
            }
        }

        fn accepts(_: &Type) -> bool {
            true
        }

        to_sql_checked!();
    }
}

/// One value read from a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            // SQLite's names of its types, as its own errors say them.
            Cell::Null => "null",
            Cell::Int(_) => "integer",
            Cell::Real(_) => "real",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "blob",
        }
    }
}

/// A Rust value a column can be read as.
pub trait FromCell: Sized {
    const WANTED: &'static str;
    fn from_cell(cell: Cell<'_>) -> Option<Self>;
}

macro_rules! int_cell {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            const WANTED: &'static str = stringify!($t);
            fn from_cell(cell: Cell<'_>) -> Option<$t> {
                match cell {
                    Cell::Int(i) => <$t>::try_from(i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
int_cell!(i64, i32, i16, u64, u32, u16, u8, usize);

impl FromCell for bool {
    const WANTED: &'static str = "0 or 1";
    fn from_cell(cell: Cell<'_>) -> Option<bool> {
        match cell {
            Cell::Int(i) => Some(i != 0),
            _ => None,
        }
    }
}
impl FromCell for f64 {
    const WANTED: &'static str = "a number";
    fn from_cell(cell: Cell<'_>) -> Option<f64> {
        match cell {
            Cell::Real(f) => Some(f),
            Cell::Int(i) => Some(i as f64),
            _ => None,
        }
    }
}
impl FromCell for String {
    const WANTED: &'static str = "text";
    fn from_cell(cell: Cell<'_>) -> Option<String> {
        match cell {
            Cell::Text(s) => Some(s.to_string()),
            _ => None,
        }
    }
}
impl FromCell for Vec<u8> {
    const WANTED: &'static str = "bytes";
    fn from_cell(cell: Cell<'_>) -> Option<Vec<u8>> {
        match cell {
            Cell::Blob(b) => Some(b.to_vec()),
            Cell::Text(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        }
    }
}
impl<T: FromCell> FromCell for Option<T> {
    const WANTED: &'static str = T::WANTED;
    fn from_cell(cell: Cell<'_>) -> Option<Option<T>> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A column's number; a trait, as rusqlite's, so that `get(0)` reads.
pub trait ColumnIndex {
    fn index(self) -> usize;
}
impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of a query's answer.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0) as it is stored.
    pub fn cell(&self, i: usize) -> Result<Cell<'_>> {
        match self {
            Row::Sqlite(r) => Ok(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(f) => Cell::Real(f),
                ValueRef::Text(t) => match std::str::from_utf8(t) {
                    Ok(s) => Cell::Text(s),
                    Err(_) => Cell::Blob(t),
                },
                ValueRef::Blob(b) => Cell::Blob(b),
            }),
            Row::Postgres(r) => pg_cell(r, i),
        }
    }

    /// Column `i` (from 0) as a `T`: `r.get::<_, i64>(0)`, as rusqlite's.
    pub fn get<I: ColumnIndex, T: FromCell>(&self, i: I) -> Result<T> {
        let i = i.index();
        let cell = self.cell(i)?;
        T::from_cell(cell).ok_or_else(|| SqlError::Type {
            column: self.name(i),
            wanted: T::WANTED,
            found: cell.kind(),
        })
    }

    /// Column `i`'s name, for a message.
    fn name(&self, i: usize) -> String {
        let name = match self {
            Row::Sqlite(r) => r.as_ref().column_name(i).ok().map(str::to_string),
            Row::Postgres(r) => r.columns().get(i).map(|c| c.name().to_string()),
        };
        name.unwrap_or_else(|| format!("#{i}"))
    }

    /// How many columns the row has.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Postgres(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn pg_cell(r: &postgres::Row, i: usize) -> Result<Cell<'_>> {
    use postgres::types::Type;
    // Built lazily: a report reads millions of cells through here.
    let ty = r
        .columns()
        .get(i)
        .map(|c| c.type_())
        .ok_or_else(|| SqlError::Type {
            column: format!("#{i}"),
            wanted: "a column",
            found: "no such column",
        })?;
    let int = |v: Option<i64>| v.map_or(Cell::Null, Cell::Int);
    Ok(match *ty {
        Type::INT8 => int(r.try_get::<_, Option<i64>>(i)?),
        Type::INT4 => int(r.try_get::<_, Option<i32>>(i)?.map(i64::from)),
        Type::INT2 => int(r.try_get::<_, Option<i16>>(i)?.map(i64::from)),
        Type::BOOL => int(r.try_get::<_, Option<bool>>(i)?.map(i64::from)),
        Type::FLOAT8 => r
            .try_get::<_, Option<f64>>(i)?
            .map_or(Cell::Null, Cell::Real),
        Type::FLOAT4 => r
            .try_get::<_, Option<f32>>(i)?
            .map_or(Cell::Null, |f| Cell::Real(f64::from(f))),
        Type::BYTEA => r
            .try_get::<_, Option<&[u8]>>(i)?
            .map_or(Cell::Null, Cell::Blob),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => r
            .try_get::<_, Option<&str>>(i)?
            .map_or(Cell::Null, Cell::Text),
        _ => {
            return Err(SqlError::Type {
                column: r
                    .columns()
                    .get(i)
                    .map_or(format!("#{i}"), |c| c.name().to_string()),
                wanted: "an integer, real, text or bytes column (CAST it)",
                found: "another PostgreSQL type",
            })
        }
    })
}

/// A PostgreSQL session and the statements it has prepared.
pub struct Pg {
    pub client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl Pg {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let prepared = self.client.prepare(&dollar_params(sql))?;
        if self.statements.len() >= 256 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<Pg>>),
}

/// A connection to either backend.
pub struct Conn {
    backend: Backend,
    /// How many statements (and batches) it was given: a test can see
    /// that work meant to be set-based does not go row by row.
    statements: std::cell::Cell<u64>,
}

type PgArgs<'a> = Vec<&'a (dyn postgres::types::ToSql + Sync)>;

fn pg_args<'a>(args: &'a [Arg<'a>]) -> PgArgs<'a> {
    args.iter()
        .map(|a| a as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

fn collect_args<'a>(args: &'a [&'a dyn ToArg]) -> Vec<Arg<'a>> {
    args.iter().map(|a| a.arg()).collect()
}

impl Conn {
    pub fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn {
            backend: Backend::Sqlite(conn),
            statements: std::cell::Cell::new(0),
        }
    }

    pub fn postgres(client: postgres::Client) -> Conn {
        Conn {
            backend: Backend::Postgres(Box::new(RefCell::new(Pg {
                client,
                statements: HashMap::new(),
            }))),
            statements: std::cell::Cell::new(0),
        }
    }

    /// How many statements and batches this connection has been given.
    pub fn statements(&self) -> u64 {
        self.statements.get()
    }

    fn count(&self) {
        self.statements.set(self.statements.get() + 1);
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite does (its pragmas, its
    /// files, the sorted delivery writes).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Postgres(_) => None,
        }
    }

    pub fn as_sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL session, for what only PostgreSQL does (COPY). Do not
    /// call back into this connection inside `f`.
    pub fn with_pg<T>(&self, f: impl FnOnce(&mut Pg) -> Result<T>) -> Option<Result<T>> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(pg) => Some(f(&mut pg.borrow_mut())),
        }
    }

    /// Run one statement; how many rows it changed.
    pub fn execute(&self, sql: &str, args: &[&dyn ToArg]) -> Result<u64> {
        self.count();
        let args = collect_args(args);
        match &self.backend {
            Backend::Sqlite(c) => {
                let n = c
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(args.iter()))?;
                Ok(n as u64)
            }
            Backend::Postgres(pg) => {
                let mut pg = pg.borrow_mut();
                let statement = pg.statement(sql)?;
                Ok(pg.client.execute(&statement, &pg_args(&args))?)
            }
        }
    }

    /// Run statements separated by `;`, without arguments.
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.count();
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Postgres(pg) => Ok(pg.borrow_mut().client.batch_execute(sql)?),
        }
    }

    /// Call `f` on every row of the answer, in order. `f` may use this
    /// connection (with PostgreSQL the answer is read whole first; see
    /// [`Conn::stream`] for answers too big for memory).
    pub fn each(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        self.count();
        let args = collect_args(args);
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(args.iter()))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            Backend::Postgres(pg) => {
                let rows = {
                    let mut pg = pg.borrow_mut();
                    let statement = pg.statement(sql)?;
                    pg.client.query(&statement, &pg_args(&args))?
                };
                for r in &rows {
                    f(&Row::Postgres(r))?;
                }
                Ok(())
            }
        }
    }

    /// Call `f` on every row as it arrives, for answers of any size. `f`
    /// must not use this connection.
    pub fn stream(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(_) => self.each(sql, args, f),
            Backend::Postgres(pg) => {
                self.count();
                let args = collect_args(args);
                let mut pg = pg.borrow_mut();
                let statement = pg.statement(sql)?;
                let mut rows = pg.client.query_raw(&statement, pg_args(&args))?;
                use postgres::fallible_iterator::FallibleIterator;
                while let Some(r) = rows.next()? {
                    f(&Row::Postgres(&r))?;
                }
                Ok(())
            }
        }
    }

    /// Every row of the answer, each made by `f`.
    pub fn collect<T>(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        self.each(sql, args, |r| {
            all.push(f(r)?);
            Ok(())
        })?;
        Ok(all)
    }

    /// The first row of the answer, made by `f`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        self.count();
        let args = collect_args(args);
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(args.iter()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)).map(Some),
                    None => Ok(None),
                }
            }
            Backend::Postgres(pg) => {
                let rows = {
                    let mut pg = pg.borrow_mut();
                    let statement = pg.statement(sql)?;
                    pg.client.query(&statement, &pg_args(&args))?
                };
                match rows.first() {
                    Some(r) => f(&Row::Postgres(r)).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first row of the answer, made by `f`; [`SqlError::NoRows`] if
    /// there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, args, f)?.ok_or(SqlError::NoRows)
    }

    /// The first column of the first row, as a `T`.
    pub fn value<T: FromCell>(&self, sql: &str, args: &[&dyn ToArg]) -> Result<T> {
        self.query_row(sql, args, |r| r.get(0))
    }

    /// Begin the transaction a command that writes runs in. SQLite takes
    /// the file's write lock at once (`BEGIN IMMEDIATE`). PostgreSQL takes
    /// one advisory lock for every bangfu that writes the database, so
    /// that imports by many clerks run one after the other, each whole,
    /// and an import's counts, occurrences and record keys are decided
    /// against every row committed before it (contract §9: overlapping
    /// files imported at the same time never double count).
    pub fn begin_write(&self) -> Result<()> {
        match self.dialect() {
            Dialect::Sqlite => self.batch("BEGIN IMMEDIATE"),
            Dialect::Postgres => {
                // READ COMMITTED: every statement after the lock sees
                // every import committed before it. `bangfu.writing`: a
                // township's login reads only what it may write (the
                // server's access rules, store/pg/schema.rs).
                // Waiting for the lock as long as SQLite waits for its
                // file (contract §3.5), then "busy" (lock_not_available).
                let wait = crate::store::BUSY_WAIT.as_secs();
                self.batch(&format!(
                    "BEGIN ISOLATION LEVEL READ COMMITTED;
                     SET LOCAL lock_timeout = '{wait}s';
                     SELECT pg_advisory_xact_lock({WRITE_LOCK});
                     SET LOCAL lock_timeout = 0;
                     SET LOCAL bangfu.writing = 'on';
                     SELECT bangfu.sync_keys()"
                ))
            }
        }
    }

    /// Begin a read-only transaction: one view of the database for a whole
    /// report, however many queries it makes.
    pub fn begin_read(&self) -> Result<()> {
        match self.dialect() {
            Dialect::Sqlite => self.batch("BEGIN DEFERRED"),
            Dialect::Postgres => self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        }
    }

    pub fn commit(&self) -> Result<()> {
        self.batch("COMMIT")
    }

    pub fn rollback(&self) -> Result<()> {
        self.batch("ROLLBACK")
    }
}

/// The advisory lock every writing bangfu takes on a PostgreSQL database
/// (a fixed number: "bangfu" in ASCII).
pub const WRITE_LOCK: i64 = 0x0000_6261_6e67_6675;

/// `sql` with SQLite's `?1` and `?` parameters as PostgreSQL's `$1`; text
/// inside quotes and comments is left alone.
pub fn dollar_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1u32;
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '-' if chars.peek() == Some(&'-') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            out.push('\n');
                            break;
                        }
                    }
                }
                '?' => {
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        digits.push(*d);
                        chars.next();
                    }
                    out.push('$');
                    if digits.is_empty() {
                        out.push_str(&next.to_string());
                        next += 1;
                    } else {
                        out.push_str(&digits);
                    }
                }
                _ => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollars_outside_quotes_and_comments() {
        assert_eq!(
            dollar_params("SELECT ?1, ?2 FROM t WHERE a = '?3' AND \"b?\" = ?12 -- ?9\n AND c = ?"),
            "SELECT $1, $2 FROM t WHERE a = '?3' AND \"b?\" = $12 \n AND c = $1"
        );
        assert_eq!(dollar_params("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
    }

    #[test]
    fn sqlite_rows_read_as_their_types() {
        let conn = Conn::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        conn.batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
            .unwrap();
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            args![7i64, "七", vec![1u8, 2]],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            args![None::<i64>, None::<String>, None::<Vec<u8>>],
        )
        .unwrap();
        let rows = conn
            .collect("SELECT a, b, c FROM t ORDER BY a IS NULL", args![], |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<Vec<u8>>>(2)?,
                ))
            })
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (Some(7), Some("七".to_string()), Some(vec![1, 2])),
                (None, None, None)
            ]
        );
        let wrong = conn.value::<i64>("SELECT b FROM t WHERE a = 7", args![]);
        assert!(
            matches!(&wrong, Err(SqlError::Type { column, .. }) if column == "b"),
            "{wrong:?}"
        );
        assert!(matches!(
            conn.value::<i64>("SELECT a FROM t WHERE a = 8", args![]),
            Err(SqlError::NoRows)
        ));
    }
}
