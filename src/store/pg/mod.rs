//! The PostgreSQL backend (contract §9): reaching the server
//! ([`connect`]), bangfu's schema there ([`schema`]), and what only this
//! backend does. Everything else runs the store's shared SQL through
//! [`crate::store::sql::Conn`].

pub mod connect;
pub mod deliveries;
pub mod grant;
pub mod placed;
pub mod schema;

use crate::store::sql::{Conn, Result, WRITE_LOCK};

/// What [`open`] found on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// bangfu's schema at this version.
    Version(i64),
    /// No `bangfu` schema in the database.
    Nothing,
    /// A `bangfu` schema without bangfu's version table: not ours.
    Foreign,
}

/// A session on `target`, its search path on bangfu's schema.
///
/// Without JIT compilation: under row-level security every table a
/// query names brings its policies' subqueries along, and the planner's
/// cost of such a plan passes the server's `jit_above_cost` even on a
/// handful of rows. Compiling it then took the time: a township login's
/// undo ran 28 s, 18 of them compiling one query that runs in 16 ms.
pub fn session(target: &connect::Target) -> Result<Conn, connect::ConnectError> {
    let client = target.connect()?;
    let conn = Conn::postgres(client);
    conn.batch("SET search_path = bangfu; SET client_min_messages = warning; SET jit = off")
        .map_err(|e| connect::ConnectError {
            target: target.shown().to_string(),
            reason: connect::Reason::Refused(e.to_string()),
        })?;
    Ok(conn)
}

/// Which schema version the database holds; reads only.
pub fn found(conn: &Conn) -> Result<Found> {
    let schema: bool = conn.value(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bangfu')",
        crate::args![],
    )?;
    if !schema {
        return Ok(Found::Nothing);
    }
    let table: bool = conn.value(
        "SELECT to_regclass('bangfu.version') IS NOT NULL",
        crate::args![],
    )?;
    if !table {
        return Ok(Found::Foreign);
    }
    Ok(Found::Version(conn.value(
        "SELECT max(version) FROM bangfu.version",
        crate::args![],
    )?))
}

/// Make bangfu's schema in an empty database, in one transaction, unless
/// another bangfu made it meanwhile. What the database then holds, and
/// whether this call made it.
pub fn create(conn: &Conn) -> Result<(Found, bool)> {
    conn.batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
    ))?;
    let done = (|| {
        let made = found(conn)? == Found::Nothing;
        if made {
            conn.batch(schema::CREATE)?;
        }
        Ok((found(conn)?, made))
    })();
    match done {
        Ok(f) => {
            conn.commit()?;
            Ok(f)
        }
        Err(e) => {
            let _ = conn.rollback();
            Err(e)
        }
    }
}

/// Take away the schema an import made and then did not commit to, so
/// that a mistyped `--db` leaves no empty bangfu database to report zeros
/// (as a file made for nothing is removed). Only while it holds no record,
/// no logged command and no role's grant, under the write lock (another
/// bangfu may have begun importing into it meanwhile). Whether it went.
pub fn drop_if_unused(conn: &Conn) -> Result<bool> {
    conn.batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
    ))?;
    let unused: Result<bool> = conn.value(
        "SELECT NOT EXISTS (SELECT 1 FROM bangfu.commands)
            AND NOT EXISTS (SELECT 1 FROM bangfu.households)
            AND NOT EXISTS (SELECT 1 FROM bangfu.members)
            AND NOT EXISTS (SELECT 1 FROM bangfu.grants)",
        crate::args![],
    );
    match unused {
        Ok(true) => {
            conn.batch("DROP SCHEMA bangfu CASCADE; COMMIT")?;
            Ok(true)
        }
        Ok(false) => {
            conn.rollback()?;
            Ok(false)
        }
        Err(e) => {
            let _ = conn.rollback();
            Err(e)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A new, empty database on the test server (`BANGFU_TEST_PG`, see
    /// .ci/postgres), dropped when the guard goes; `None` without a server.
    pub struct Scratch {
        admin: String,
        pub url: String,
        name: String,
    }

    impl Scratch {
        pub fn new() -> Option<Scratch> {
            let admin = std::env::var("BANGFU_TEST_PG").ok()?;
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "bangfu_unit_{}_{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).ok()?;
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .ok()?;
            let (base, _) = admin.rsplit_once('/')?;
            Some(Scratch {
                url: format!("{base}/{name}"),
                admin,
                name,
            })
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    #[test]
    fn a_new_database_gets_the_schema_once_and_keys_follow_the_largest() {
        let Some(db) = Scratch::new() else {
            eprintln!("skipped: no PostgreSQL server (set BANGFU_TEST_PG, see .ci/postgres)");
            return;
        };
        let target = connect::Target::parse(&db.url).unwrap();
        let conn = session(&target).unwrap();
        assert_eq!(found(&conn).unwrap(), Found::Nothing);
        assert_eq!(
            create(&conn).unwrap(),
            (Found::Version(schema::VERSION), true)
        );
        assert_eq!(
            create(&conn).unwrap(),
            (Found::Version(schema::VERSION), false)
        );
        conn.begin_write().unwrap();
        conn.execute(
            "INSERT INTO ledgers (key, name) VALUES (?1, ?2)",
            crate::args![5i64, "三月"],
        )
        .unwrap();
        conn.commit().unwrap();
        conn.begin_write().unwrap();
        let key: i64 = conn
            .value(
                "INSERT INTO ledgers (name) VALUES (?1) RETURNING key",
                crate::args!["四月"],
            )
            .unwrap();
        assert_eq!(key, 6, "the next key follows the largest, as a rowid");
        let names = conn
            .collect(
                "SELECT name FROM ledgers ORDER BY name",
                crate::args![],
                |r| r.get::<_, String>(0),
            )
            .unwrap();
        assert_eq!(names, ["三月", "四月"]);
        conn.rollback().unwrap();
    }

    #[test]
    fn a_delivery_or_hold_may_refer_only_to_records_that_exist_and_those_stay() {
        let Some(db) = Scratch::new() else {
            eprintln!("skipped: no PostgreSQL server (set BANGFU_TEST_PG, see .ci/postgres)");
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        create(&conn).unwrap();
        conn.batch(
            "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
             INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区财政局');
             INSERT INTO ledgers (key, name) VALUES (1, '台账');
             INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category)
                 VALUES (1, 11000, 7, 1, 1, 1, 4);
             INSERT INTO holds (kind, record, ledger, added) VALUES (3, 1, 1, 0);",
        )
        .unwrap();
        let refused = |sql: &str| {
            let e = conn.batch(sql).expect_err(sql);
            assert_eq!(
                e.pg_code(),
                Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION),
                "{sql}: {e}"
            );
        };
        refused(
            "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category)
             VALUES (2, 11000, 8, 1, 1, 99, 4)",
        );
        refused(
            "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category)
             VALUES (2, 11000, 8, 1, 99, 1, 4)",
        );
        refused("UPDATE deliveries SET household = 5");
        refused("INSERT INTO holds (kind, record, ledger, added) VALUES (3, 1, 9, 0)");
        refused("DELETE FROM households");
        refused("DELETE FROM members");
        refused("DELETE FROM ledgers");
        // Once nothing refers to them, they may go.
        conn.batch(
            "DELETE FROM holds; DELETE FROM deliveries;
             DELETE FROM households; DELETE FROM members; DELETE FROM ledgers",
        )
        .unwrap();
    }
}
