//! A working directory for end-to-end tests: input files written as clerks'
//! exports really are (GBK bytes, BOMs, UTF-16, CRLF), a private database,
//! a fixed "today", and the `bangfu` binary run against them.
//!
//! One suite, two backends (contract §9): without `BANGFU_TEST_PG` every
//! test's database is a SQLite file in its directory; with it (an admin
//! URL, see .ci/postgres) every `Workdir` gets a fresh, uniquely named
//! database on that server instead, dropped with the `Workdir`. What reads
//! the database (`dump`, `records`, `scalar`, `rows`, `sql`) works on both;
//! a test that can only mean something on a file says so with
//! [`sqlite_only!`](crate::sqlite_only).

use assert_cmd::Command;
use rusqlite::types::ValueRef;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The day every test runs on.
pub const TODAY: &str = "2003-06-30";

/// The variable that points the suite at a PostgreSQL server.
pub const SERVER: &str = "BANGFU_TEST_PG";

/// Which ledger holds which record, every kind, as bangfu reads it: the
/// rows of `holds` and each delivery's first hold, kept in its own row
/// (`deliveries.ledger`, since SQLite schema 8 and server schema 9).
pub const HELD: &str = "(SELECT kind, record, ledger, added FROM holds
     UNION ALL SELECT 3, key, ledger, added FROM deliveries WHERE ledger IS NOT NULL)";

/// The admin URL of the PostgreSQL server the suite runs on, if any.
pub fn server() -> Option<String> {
    std::env::var(SERVER).ok().filter(|url| !url.is_empty())
}

/// Whether this run's databases are on PostgreSQL.
pub fn on_postgres() -> bool {
    server().is_some()
}

/// Say on the terminal, past the test harness's capture of `eprintln!`,
/// that the test `here` (a path from [`sqlite_only!`]) was skipped.
pub fn skipped(here: &str, why: &str) {
    let test = here.strip_prefix("it::").unwrap_or(here);
    let test = test.strip_suffix("::here").unwrap_or(test);
    let _ = writeln!(
        std::io::stderr(),
        "skipped on PostgreSQL: {test} ({why}: SQLite only)"
    );
}

/// Skip the rest of the test on PostgreSQL, with one line saying why:
/// `sqlite_only!("damaged pages");` first in a test that is about the
/// file itself (its pages, journals, permissions, paths, the seal).
#[macro_export]
macro_rules! sqlite_only {
    ($why:expr) => {
        if $crate::common::on_postgres() {
            fn here() {}
            $crate::common::skipped(std::any::type_name_of_val(&here), $why);
            return;
        }
    };
}

/// Said once in every run: which backend this run's half is, and how to
/// run the other one.
#[test]
fn postgresql_half() {
    let line = match server() {
        Some(url) => format!("end-to-end tests on PostgreSQL at {url} ({SERVER})"),
        None => format!(
            "PostgreSQL half skipped: {SERVER} is not set, these tests ran on SQLite only; \
             run the other half with: eval \"$(.ci/postgres start)\" && cargo test --test it"
        ),
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The harness itself: what reads the database gives the same text on
/// both backends (a sum is NUMERIC on the server, a comparison boolean).
#[test]
fn dump_rows_and_scalar_read_both_backends_alike() {
    let w = Workdir::new();
    assert!(!w.made());
    assert_eq!(w.dump(), "");
    if w.on_postgres() {
        w.sql("CREATE SCHEMA bangfu");
    }
    w.sql(
        r#"CREATE TABLE households (key BIGINT PRIMARY KEY, id TEXT, head TEXT, added BIGINT);
           CREATE TABLE commands (number BIGINT, "user" TEXT);
           INSERT INTO households VALUES (2, 'H2', '李四', 1), (1, 'H1', NULL, 1);
           INSERT INTO commands VALUES (1, 'clerk');"#,
    );
    assert!(w.made());
    assert_eq!(
        w.dump(),
        "commands:1|clerk\nhouseholds:1|H1|NULL|1\nhouseholds:2|H2|李四|1\n"
    );
    assert_eq!(
        w.rows("SELECT id, head FROM households ORDER BY key"),
        ["H1|NULL", "H2|李四"]
    );
    assert_eq!(scalar(&w, "SELECT sum(key) FROM households"), "3");
    assert_eq!(
        scalar(&w, "SELECT head IS NULL FROM households WHERE key = 1"),
        "1"
    );
    assert_eq!(scalar(&w, r#"SELECT "user" FROM commands;"#), "clerk");
}

/// The harness itself: a message naming the database reads the same on
/// both backends, so that one snapshot serves both.
#[test]
fn a_message_naming_the_database_reads_the_same_on_both_backends() {
    let w = Workdir::new();
    // A file is not there; a server's database is, empty.
    let name = match w.on_postgres() {
        true => "no_database_on_server",
        false => "no_database",
    };
    crate::bangfu_snapshot!(name, w, &["summary"]);
    assert!(!w.made());
}

/// A database of its own on the test server, and the login roles a test
/// made for it: all dropped with it. Every test that needs a server of its
/// own (besides [`Workdir`]'s) makes one with [`PgDatabase::on_server`].
pub struct PgDatabase {
    admin: String,
    /// `postgres://USER@HOST:PORT` of the server, without a database.
    pub base: String,
    pub name: String,
    pub url: String,
    roles: Vec<String>,
}

impl PgDatabase {
    /// A new database named `PREFIX_PID_N` on the server of `admin`.
    pub fn new(admin: String, prefix: &str) -> PgDatabase {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        // The admin URL with this database's name, its parameters kept.
        let (path, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let (base, _) = path
            .rsplit_once('/')
            .filter(|(base, _)| base.contains("://"))
            .unwrap_or_else(|| panic!("{SERVER}={admin}: not a postgres:// URL"));
        let base = base.to_string();
        let url = match query {
            "" => format!("{base}/{name}"),
            query => format!("{base}/{name}?{query}"),
        };
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{SERVER}={admin}: cannot connect: {e}"));
        // From PostgreSQL 15 on, copying the template's files is several
        // times faster for a small database than writing it through the
        // log (the default); a test server runs without fsync.
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int", &[])
            .and_then(|row| row.try_get(0))
            .unwrap_or(0);
        let strategy = if version >= 150_000 {
            " STRATEGY = FILE_COPY"
        } else {
            ""
        };
        client
            .batch_execute(&format!("CREATE DATABASE {name}{strategy}"))
            .unwrap_or_else(|e| panic!("{SERVER}={admin}: CREATE DATABASE {name}: {e}"));
        PgDatabase {
            admin,
            base,
            name,
            url,
            roles: Vec::new(),
        }
    }

    /// A new database on the test server, or `None` when the suite runs
    /// without one: the test (`what`) then says once, past the harness's
    /// capture, that it was skipped, and passes.
    pub fn on_server(prefix: &str, what: &str) -> Option<PgDatabase> {
        match server() {
            Some(admin) => Some(PgDatabase::new(admin, prefix)),
            None => {
                // Once per kind of test, past the harness's capture.
                static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
                let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
                if !said.iter().any(|w| w == what) {
                    said.push(what.to_string());
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipped: {what} need a PostgreSQL server (set {SERVER}, see .ci/postgres)"
                    );
                }
                None
            }
        }
    }

    /// A session on the database as its admin, on bangfu's schema.
    pub fn client(&self) -> postgres::Client {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{}: cannot connect: {e}", self.url));
        client
            .batch_execute("SET search_path = bangfu; SET client_min_messages = warning")
            .expect("search path");
        client
    }

    /// The database as a server of bangfu's schema 7 was left by the
    /// release before schema 8 (src/store/pg/released7.sql, frozen): what
    /// the migration tests start from. A session as its admin.
    pub fn schema_7_as_released(&self) -> postgres::Client {
        let mut admin = self.client();
        admin
            .batch_execute(&format!(
                "BEGIN; {} COMMIT",
                include_str!("../../src/store/pg/released7.sql")
            ))
            .expect("schema 7 as released");
        admin
    }

    /// A bangfu session on the database as its admin (store::pg::session).
    pub fn conn(&self) -> bangfu::store::sql::Conn {
        let target = bangfu::store::pg::connect::Target::parse(&self.url).expect("URL");
        bangfu::store::pg::session(&target).expect("session")
    }

    /// A role name no other test (or process) uses, dropped at the end.
    pub fn role(&mut self, what: &str) -> String {
        let role = format!("{}_{what}", self.name);
        self.roles.push(role.clone());
        role
    }

    /// The URL `role` logs in with (the test server trusts local logins).
    pub fn url_of(&self, role: &str) -> String {
        let host = self.base.rsplit_once('@').map_or("", |(_, h)| h);
        format!("postgres://{role}@{host}/{}", self.name)
    }

    /// A session as `role`, on bangfu's schema as bangfu's sessions are.
    pub fn as_role(&self, role: &str) -> postgres::Client {
        let mut c = postgres::Client::connect(&self.url_of(role), postgres::NoTls)
            .expect("connect as role");
        c.batch_execute("SET search_path = bangfu")
            .expect("search path");
        c
    }

    /// Whether bangfu made its schema here.
    fn made(&self) -> bool {
        self.client()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bangfu')",
                &[],
            )
            .expect("schema")
            .get(0)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
            for role in &self.roles {
                let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""));
            }
        }
    }
}

/// bangfu's tables, each after those it refers to.
pub const TABLES: &[&str] = bangfu::store::pg::grant::WRITE;

/// A value in COPY's text format.
fn copy_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "\\N".into(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => {
            let mut out = String::new();
            for c in String::from_utf8_lossy(t).chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out
        }
        ValueRef::Blob(_) => panic!("bangfu stores no bytes"),
    }
}

/// The columns of `table` in a SQLite file.
fn file_columns(file: &rusqlite::Connection, table: &str) -> Vec<String> {
    let stmt = file
        .prepare(&format!("SELECT * FROM {table}"))
        .expect("table");
    stmt.column_names()
        .into_iter()
        .map(|c| c.to_string())
        .collect()
}

/// bangfu's schema made on the server's database `url` (unless there)
/// and every row of the SQLite file `file` copied into it, as its admin,
/// last key first (so that nothing can lean on the order rows are stored
/// in); then the keys synced after the largest, as a writer does. A
/// server of a schema before 9 (made as released: `schema_7_as_released`)
/// keeps every hold in `holds`: a delivery's own-row hold goes there.
pub fn copy_file_to_server(file: &Path, url: &str) {
    let target = bangfu::store::pg::connect::Target::parse(url).expect("URL");
    let conn = bangfu::store::pg::session(&target).expect("session");
    bangfu::store::pg::create(&conn).expect("schema");
    drop(conn);
    let lite = rusqlite::Connection::open(file).expect("the file");
    let mut pg = postgres::Client::connect(url, postgres::NoTls).expect("the server");
    pg.batch_execute("SET search_path = bangfu")
        .expect("search path");
    let own_holds: bool = pg
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = 'bangfu' AND table_name = 'deliveries'
               AND column_name = 'ledger')",
            &[],
        )
        .expect("columns")
        .get(0);
    for table in TABLES {
        let mut columns = file_columns(&lite, table);
        if *table == "deliveries" && !own_holds {
            columns.retain(|c| c != "ledger");
        }
        let list = columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // Some tables have no rowid: by every column, descending.
        let order = (1..=columns.len())
            .map(|i| format!("{i} DESC"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut text = String::new();
        let mut rows = 0;
        let mut stmt = lite
            .prepare(&format!("SELECT {list} FROM {table} ORDER BY {order}"))
            .expect("select");
        let mut found = stmt.query([]).expect("rows");
        while let Some(r) = found.next().expect("row") {
            let cells: Vec<String> = (0..columns.len())
                .map(|i| copy_text(r.get_ref(i).expect("cell")))
                .collect();
            text.push_str(&cells.join("\t"));
            text.push('\n');
            rows += 1;
        }
        let mut writer = pg
            .copy_in(&format!("COPY {table} ({list}) FROM STDIN"))
            .expect("COPY");
        writer.write_all(text.as_bytes()).expect("COPY");
        let copied = writer.finish().expect("COPY");
        assert_eq!(copied, rows, "{table}");
    }
    if !own_holds {
        let mut stmt = lite
            .prepare("SELECT key, ledger, added FROM deliveries WHERE ledger IS NOT NULL")
            .expect("own holds");
        let mut found = stmt.query([]).expect("rows");
        while let Some(r) = found.next().expect("row") {
            let (key, ledger, added): (i64, i64, i64) = (
                r.get(0).expect("key"),
                r.get(1).expect("ledger"),
                r.get(2).expect("added"),
            );
            pg.execute(
                "INSERT INTO holds (kind, record, ledger, added) VALUES (3, $1, $2, $3)",
                &[&key, &ledger, &added],
            )
            .expect("hold");
        }
    }
    pg.batch_execute("SELECT bangfu.sync_keys()").expect("keys");
}

/// Every row of every table of the SQLite file `file` and of the server's
/// database `url`, each cell as text (history's integers are text on a
/// server), sorted: the server's columns named as the file's (a server
/// has more: the log's `role`). Equal when the two hold the same rows.
pub fn dump_file_and_server(file: &Path, url: &str) -> (String, String) {
    let lite = rusqlite::Connection::open(file).expect("open db");
    let selects: Vec<(&str, String)> = TABLES
        .iter()
        .map(|&table| {
            let list: Vec<String> = file_columns(&lite, table)
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect();
            (table, format!("SELECT {} FROM {table}", list.join(", ")))
        })
        .collect();
    let dump = |mut session: Session| {
        let mut out = String::new();
        for (table, sql) in &selects {
            let mut rows: Vec<String> = session
                .query(sql)
                .1
                .into_iter()
                .map(|cells| cells.join("|"))
                .collect();
            rows.sort();
            for row in rows {
                out.push_str(&format!("{table}:{row}\n"));
            }
        }
        out
    };
    let mut pg = postgres::Client::connect(url, postgres::NoTls).expect("the server");
    pg.batch_execute("SET search_path = bangfu")
        .expect("search path");
    (dump(Session::Lite(lite)), dump(Session::Pg(pg)))
}

/// A PostgreSQL cell as the SQLite side prints it: integers as decimals,
/// text as it is, NULL as `NULL` (booleans as 0/1, as bangfu stores them).
fn pg_cell(row: &postgres::Row, i: usize) -> String {
    use postgres::types::Type;
    let column = &row.columns()[i];
    let text = match *column.type_() {
        Type::INT8 => row.get::<_, Option<i64>>(i).map(|v| v.to_string()),
        Type::INT4 => row.get::<_, Option<i32>>(i).map(|v| v.to_string()),
        Type::INT2 => row.get::<_, Option<i16>>(i).map(|v| v.to_string()),
        Type::BOOL => row
            .get::<_, Option<bool>>(i)
            .map(|v| i64::from(v).to_string()),
        Type::FLOAT8 => row.get::<_, Option<f64>>(i).map(|v| v.to_string()),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => row.get::<_, Option<String>>(i),
        Type::BYTEA => row
            .get::<_, Option<Vec<u8>>>(i)
            .map(|b| format!("{b:02x?}")),
        ref other => panic!(
            "column {} is {other}: CAST it AS BIGINT or TEXT",
            column.name()
        ),
    };
    text.unwrap_or_else(|| "NULL".to_string())
}

/// A SQLite cell as text.
fn lite_cell(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("{b:02x?}"),
    }
}

pub struct Workdir {
    pub dir: tempfile::TempDir,
    server: Option<PgDatabase>,
}

impl Workdir {
    /// A new directory, and a new database on the test server if there is
    /// one (`BANGFU_TEST_PG`).
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temporary directory"),
            server: server().map(|admin| PgDatabase::new(admin, "bangfu_it")),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SQLite file of this directory (`$BANGFU_DB` on SQLite; on
    /// PostgreSQL no file: see [`Workdir::target`]).
    pub fn db(&self) -> PathBuf {
        self.path("test.db")
    }

    /// The database bangfu is pointed at (`$BANGFU_DB`): the file's path
    /// on SQLite, the database's URL on PostgreSQL.
    pub fn target(&self) -> String {
        match &self.server {
            Some(pg) => pg.url.clone(),
            None => path_str(&self.db()).to_string(),
        }
    }

    /// Whether the database is on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.server.is_some()
    }

    /// Whether bangfu has made its database: the file on SQLite, the
    /// `bangfu` schema on PostgreSQL.
    pub fn made(&self) -> bool {
        match &self.server {
            Some(pg) => pg.made(),
            None => self.db().exists(),
        }
    }

    /// Write a file of raw bytes.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write input");
        path
    }

    /// Write text as UTF-8.
    pub fn utf8(&self, name: &str, text: &str) -> PathBuf {
        self.write(name, text.as_bytes())
    }

    /// Write text as UTF-8 with a BOM.
    pub fn utf8_bom(&self, name: &str, text: &str) -> PathBuf {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(text.as_bytes());
        self.write(name, bytes)
    }

    /// Write text as GBK, the way Excel on Chinese Windows saves CSV.
    pub fn gbk(&self, name: &str, text: &str) -> PathBuf {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable, "text not representable in GBK");
        self.write(name, bytes)
    }

    /// Write text as UTF-16LE with a BOM, as Excel's "Unicode text" does.
    pub fn utf16le(&self, name: &str, text: &str) -> PathBuf {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        self.write(name, bytes)
    }

    /// The binary with this directory's database, a fixed today and a
    /// clerk's time zone (the log's times are read in it).
    pub fn bangfu(&self) -> Command {
        let mut cmd = Command::cargo_bin("bangfu").expect("binary");
        cmd.current_dir(self.dir.path())
            .env("BANGFU_DB", self.target())
            .env("BANGFU_TODAY", TODAY)
            .env("TZ", "Asia/Shanghai")
            .env("LANG", "C")
            .env_remove("LC_ALL");
        cmd
    }

    /// Run `bangfu ARGS` and return stdout, asserting success.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.bangfu().args(args).output().expect("run bangfu");
        assert!(
            out.status.success(),
            "bangfu {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Run `bangfu ARGS --format json` and parse it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.stdout(&all)).expect("JSON output")
    }

    /// Every row of every table, as text: equal before and after means the
    /// database was not changed.
    pub fn dump(&self) -> String {
        self.dump_of(&[])
    }

    /// The records (households, members, pairings, deliveries) without the
    /// bookkeeping of which import or ledger wrote them (`added`, `batch`,
    /// a delivery's `ledger`): equal for
    /// two databases that hold the same records, however imported.
    pub fn records(&self) -> String {
        self.dump_of(&["households", "members", "pairings", "deliveries"])
    }

    /// Every row of `tables` (all tables when empty), sorted, as text;
    /// with named tables, without their bookkeeping columns.
    fn dump_of(&self, tables: &[&str]) -> String {
        if !self.made() {
            return String::new();
        }
        let mut db = self.session();
        let records = !tables.is_empty();
        let tables: Vec<String> = if records {
            tables.iter().map(|t| t.to_string()).collect()
        } else {
            let (_, names) = db.query(match db {
                Session::Pg(_) => "SELECT tablename FROM pg_tables WHERE schemaname = 'bangfu'",
                Session::Lite(_) => "SELECT name FROM sqlite_master WHERE type = 'table'",
            });
            let mut all: Vec<String> = names.into_iter().flatten().collect();
            all.sort();
            all
        };
        let mut out = String::new();
        for table in tables {
            let (names, _) = db.query(&format!("SELECT * FROM {table} LIMIT 0"));
            let order: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
            let (_, rows) = db.query(&format!(
                "SELECT * FROM {table} ORDER BY {}",
                order.join(", ")
            ));
            let keep: Vec<usize> = (0..names.len())
                .filter(|&i| {
                    !(records && ["added", "batch", "ledger"].contains(&names[i].as_str()))
                })
                .collect();
            for row in rows {
                let cells: Vec<&str> = keep.iter().map(|&i| row[i].as_str()).collect();
                out.push_str(&table);
                out.push(':');
                out.push_str(&cells.join("|"));
                out.push('\n');
            }
        }
        out
    }

    /// A connection to the test database (on SQLite, never making the
    /// file: a test that reads a database bangfu did not make fails).
    fn session(&self) -> Session {
        match &self.server {
            Some(pg) => Session::Pg(pg.client()),
            None => {
                let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
                Session::Lite(
                    rusqlite::Connection::open_with_flags(self.db(), flags)
                        .unwrap_or_else(|e| panic!("{}: {e}", self.db().display())),
                )
            }
        }
    }

    /// A query's rows on either backend, each as its cells joined by `|`
    /// (write the SQL both speak: see PG.md's rules; no `rowid`, no
    /// `group_concat`, `"user"` quoted).
    pub fn rows(&self, sql: &str) -> Vec<String> {
        self.session()
            .query(sql)
            .1
            .into_iter()
            .map(|cells| cells.join("|"))
            .collect()
    }

    /// Run SQL statements on the test database, on either backend (a test
    /// that changes the database behind bangfu's back; on SQLite it makes
    /// the file if need be).
    pub fn sql(&self, batch: &str) {
        let done = match &self.server {
            Some(pg) => pg.client().batch_execute(batch).map_err(|e| e.to_string()),
            None => rusqlite::Connection::open(self.db())
                .and_then(|conn| conn.execute_batch(batch))
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = done {
            panic!("{batch}: {e}");
        }
    }
}

/// A connection to a test database, of either backend.
enum Session {
    Lite(rusqlite::Connection),
    Pg(postgres::Client),
}

impl Session {
    /// The column names and every row of a query, each cell as text.
    fn query(&mut self, sql: &str) -> (Vec<String>, Vec<Vec<String>>) {
        match self {
            Session::Pg(client) => {
                use postgres::types::Type;
                let sql = sql.trim().trim_end_matches(';');
                let mut prepare =
                    |sql: &str| client.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let stmt = prepare(sql);
                let columns: Vec<String> = stmt
                    .columns()
                    .iter()
                    .map(|c| c.name().to_string())
                    .collect();
                // A sum is NUMERIC here, which has no Rust type: as text.
                let numeric = |i: usize| *stmt.columns()[i].type_() == Type::NUMERIC;
                let stmt = if (0..columns.len()).any(numeric) {
                    let cells: Vec<String> = (0..columns.len())
                        .map(|i| match numeric(i) {
                            true => format!("CAST(c{i} AS TEXT)"),
                            false => format!("c{i}"),
                        })
                        .collect();
                    let names: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
                    prepare(&format!(
                        "SELECT {} FROM ({sql}) AS q({})",
                        cells.join(", "),
                        names.join(", ")
                    ))
                } else {
                    stmt
                };
                let rows = client
                    .query(&stmt, &[])
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                let rows = rows
                    .iter()
                    .map(|r| (0..r.len()).map(|i| pg_cell(r, i)).collect())
                    .collect();
                (columns, rows)
            }
            Session::Lite(conn) => {
                let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let n = stmt.column_count();
                let columns = stmt.column_names().iter().map(|c| c.to_string()).collect();
                let rows = stmt
                    .query_map([], |r| {
                        (0..n).map(|i| r.get_ref(i).map(lite_cell)).collect()
                    })
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
                    .collect::<Result<_, _>>()
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                (columns, rows)
            }
        }
    }
}

/// A valid 18-character resident ID number for a serial (GB 11643).
pub fn id_number(serial: u32) -> String {
    let first17 = format!("430102{}{:03}", 19_600_101 + serial % 28, serial % 1000);
    let check = bangfu::values::id_number::check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A small district in canonical English headers: 3 households, 2 members,
/// pairings, and the files' paths.
pub fn small_district(w: &Workdir) -> [PathBuf; 3] {
    let households = w.utf8(
        "households.csv",
        &format!(
            "id,head,id_number,township,village,status\n\
             H1,张三,{},工农乡,红旗村,poor\n\
             H2,李四,{},工农乡,红旗村,poor\n\
             H3,王五,,向阳街道,向阳社区,lifted\n",
            id_number(1),
            id_number(2)
        ),
    );
    let members = w.utf8(
        "members.csv",
        "id,name,unit,role\nM1,赵六,区财政局,科员\nM2,钱七,区教育局,副局长\n",
    );
    let pairings = w.utf8(
        "pairings.csv",
        "member,household,since\nM1,H1,2001-01-01\nM1,H2,2001-01-01\nM2,H3,2001-02-01\n",
    );
    [households, members, pairings]
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Write the small district and import it.
pub fn import_small_district(w: &Workdir) {
    let [h, m, p] = small_district(w);
    w.stdout(&["import", path_str(&h), path_str(&m), path_str(&p)]);
}

/// The whole outcome of a run, for a snapshot: exit code, stdout and
/// stderr, with the temporary directory written as `[DIR]` so that the
/// snapshot is the same on every machine, and on PostgreSQL the database's
/// URL written as the file's path (`[DIR]/test.db`) so that it is the same
/// on both backends.
pub fn outcome(w: &Workdir, out: &Output) -> String {
    let text = |b: &[u8]| normalise(w, &String::from_utf8_lossy(b));
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Text bangfu printed, as a snapshot holds it: the directory as `[DIR]`;
/// on PostgreSQL the URL as `[DIR]/test.db`, the database's bare name as
/// `test.db`.
pub fn normalise(w: &Workdir, text: &str) -> String {
    let mut text = text.to_string();
    if let Some(pg) = &w.server {
        text = text.replace(&pg.url, "[DIR]/test.db");
        let shown = bangfu::store::pg::connect::masked(&pg.url);
        text = text.replace(&shown, "[DIR]/test.db");
        text = text.replace(&pg.name, "test.db");
    }
    let dir = w.dir.path().to_string_lossy().into_owned();
    text.replace(&dir, "[DIR]")
}

/// Snapshot the whole outcome (exit code, stdout, stderr) of `bangfu ARGS`
/// in `w`: `bangfu_snapshot!(name, w, &["totals", "--by", "unit"])`.
#[macro_export]
macro_rules! bangfu_snapshot {
    ($name:expr, $w:expr, $args:expr) => {{
        let out = $w.bangfu().args($args).output().expect("run bangfu");
        insta::assert_snapshot!($name, $crate::common::outcome(&$w, &out));
    }};
}

/// Run `bangfu import ARGS`: exit code, stdout, stderr.
pub fn import(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    ran(w.bangfu().arg("import").args(args))
}

/// Run `bangfu ARGS` in `w` against the database `db` (a file's path or a
/// server's URL, with a login of its own) instead of `w`'s: exit code,
/// stdout, stderr.
pub fn run_on(w: &Workdir, db: &str, args: &[&str]) -> (Option<i32>, String, String) {
    ran(w.bangfu().env("BANGFU_DB", db).args(args))
}

/// A command's exit code, stdout and stderr.
fn ran(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("run bangfu");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A stored day number (days since 1970-01-01, as text) as an ISO date:
/// what SQLite's `date(day * 86400, 'unixepoch')` gives, on either backend.
pub fn iso_day(day: &str) -> String {
    let days: i32 = day
        .parse()
        .unwrap_or_else(|_| panic!("{day}: not a day number"));
    bangfu::values::Date::from_days(days)
        .unwrap_or_else(|| panic!("{day}: no such day"))
        .to_string()
}

/// The counts logged for the last committed import of a file whose name
/// ends with `file`: read, new, updated, unchanged, skipped, rejected.
pub fn logged(w: &Workdir, file: &str) -> [i64; 6] {
    let rows = w.rows(
        "SELECT file, rows_read, new, updated, unchanged, skipped, rejected FROM imports
         ORDER BY key DESC",
    );
    let row = rows
        .iter()
        .find_map(|r| r.split_once('|').filter(|(name, _)| name.ends_with(file)))
        .map(|(_, counts)| counts)
        .unwrap_or_else(|| panic!("no import of {file} was logged"));
    let counts: Vec<i64> = row
        .split('|')
        .map(|c| c.parse().expect("a count"))
        .collect();
    counts.try_into().expect("six counts")
}

/// The one value a query of the test database gives, as text, on either
/// backend.
pub fn scalar(w: &Workdir, sql: &str) -> String {
    w.rows(sql)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{sql}: no row"))
}
