//! The PostgreSQL backend (contract §9): reaching the server
//! ([`connect`]), bangfu's schema there ([`schema`]), and what only this
//! backend does. Everything else runs the store's shared SQL through
//! [`crate::store::sql::Conn`].

pub mod connect;
pub mod deliveries;
pub mod grant;
pub mod placed;
pub mod schema;
mod staging;

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
///   On PostgreSQL 14 and later the server also looks every few seconds
/// whether bangfu is still there while a statement runs
/// (`client_connection_check_interval`): a bangfu killed during an import
/// otherwise left its statement running, and its write lock held, until
/// the statement ended — the next import waited 60 s for the lock and
/// failed as busy (attacker review).
///   A bangfu stopped between two statements of its transaction (a laptop
/// put to sleep, a process stopped) holds the write lock too, and the
/// server waits for it for ever: every other clerk's import failed as
/// busy after 60 s (township-login probe, session 18). After
/// [`IDLE_IN_WRITE`] minutes the server ends such a session, its transaction
/// rolled back whole; a bangfu at work is never that long between two
/// statements (the longest wait is its reading a file before one COPY:
/// about a second a million rows).
pub fn session(target: &connect::Target) -> Result<Conn, connect::ConnectError> {
    let client = target.connect()?;
    let conn = Conn::postgres(client);
    conn.batch(&format!(
        "SET search_path = bangfu; SET client_min_messages = warning; SET jit = off;
         SET idle_in_transaction_session_timeout = '{IDLE_IN_WRITE}min';
         SELECT set_config('client_connection_check_interval', '2s', false)
         WHERE current_setting('server_version_num')::int >= 140000"
    ))
    .map_err(|e| connect::ConnectError {
        target: target.shown().to_string(),
        reason: connect::Reason::Refused(e.to_string()),
    })?;
    Ok(conn)
}

/// How long, in minutes, the server lets a session sit idle inside a
/// transaction.
pub const IDLE_IN_WRITE: u32 = 10;

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

/// Bring schema 7 as a bangfu first released it on this server to what
/// [`schema::CREATE`] makes now ([`schema::TUNE`]: fewer indexes on
/// deliveries and holds, cheaper reference checks; the same tables and
/// results), in one write transaction ([`Conn::begin_write`]), when the
/// session's role owns the tables; any other role goes on with the schema
/// as it is (the same results, a slower import). Asked by every import
/// (one read); whether this call changed it.
pub fn tune(conn: &Conn) -> Result<bool> {
    let owner = format!(
        "SELECT NOT ({}) AND pg_has_role(relowner, 'USAGE')
         FROM pg_class WHERE oid = 'bangfu.deliveries'::regclass",
        schema::TUNED
    );
    if !conn.value::<bool>(&owner, crate::args![])? {
        return Ok(false);
    }
    conn.begin_write()?;
    // Dropping an index waits for the reports reading its table: as long
    // as a writer waits for the write lock, then "busy".
    let wait = crate::store::BUSY_WAIT.as_secs();
    let tuned = conn.batch(&format!(
        "SET LOCAL lock_timeout = '{wait}s'; {}",
        schema::TUNE
    ));
    match tuned {
        Ok(()) => {
            conn.commit()?;
            Ok(true)
        }
        Err(e) => {
            let _ = conn.rollback();
            Err(e)
        }
    }
}

/// Bring a server's schema 7 or 8 to 9 ([`schema::MIGRATE_8`], then
/// [`schema::MIGRATE_9`]) in one write transaction, when the session's
/// role owns the tables (the district's admin who made it); whether it
/// did. Any other role finds the schema
/// as it was, and is refused by [`crate::store::Store::open`] until the
/// owner has run bangfu once: schema 7's access rules would give a
/// township's login reports short of the district's (contract §11).
pub fn migrate(conn: &Conn) -> Result<bool> {
    let owner: bool = conn.value(
        "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class
         WHERE oid = 'bangfu.households'::regclass",
        crate::args![],
    )?;
    if !owner {
        return Ok(false);
    }
    conn.begin_write()?;
    let wait = crate::store::BUSY_WAIT.as_secs();
    let done = (|| {
        // Another bangfu may have migrated it while this one waited.
        let from = match found(conn)? {
            Found::Version(v @ (7 | 8)) => v,
            _ => return Ok(false),
        };
        conn.batch(&format!("SET LOCAL lock_timeout = '{wait}s'"))?;
        if from == 7 {
            conn.batch(schema::MIGRATE_8)?;
        }
        conn.batch(schema::MIGRATE_9)?;
        Ok(true)
    })();
    match done {
        Ok(made) => {
            conn.commit()?;
            Ok(made)
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
    /// .ci/postgres), dropped when the guard goes; `None`, said once here,
    /// when no server is named. A server named but not usable fails the
    /// test: it used to skip it, as if none were named.
    pub struct Scratch {
        admin: String,
        pub url: String,
        name: String,
    }

    impl Scratch {
        pub fn new() -> Option<Scratch> {
            let Ok(admin) = std::env::var("BANGFU_TEST_PG") else {
                eprintln!("skipped: no PostgreSQL server (set BANGFU_TEST_PG, see .ci/postgres)");
                return None;
            };
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "bangfu_unit_{}_{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut client =
                postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
                    panic!("BANGFU_TEST_PG names a server bangfu cannot reach: {e}")
                });
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap_or_else(|e| panic!("a test database on BANGFU_TEST_PG: {e}"));
            let (base, _) = admin
                .rsplit_once('/')
                .expect("BANGFU_TEST_PG is a URL ending in /DATABASE");
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

    /// A session without JIT, and, on PostgreSQL 14 and later, with the
    /// server looking every 2 s whether bangfu is still there (a killed
    /// bangfu's statement and write lock then go within seconds).
    #[test]
    fn a_session_is_set_as_bangfu_needs_it() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        let setting = |name: &str| -> String {
            conn.value(&format!("SELECT current_setting('{name}')"), crate::args![])
                .unwrap()
        };
        assert_eq!(setting("jit"), "off");
        assert_eq!(
            setting("idle_in_transaction_session_timeout"),
            format!("{IDLE_IN_WRITE}min")
        );
        let version: i64 = setting("server_version_num").parse().unwrap();
        if version >= 140_000 {
            assert_eq!(setting("client_connection_check_interval"), "2s");
        }
    }

    /// A bangfu stopped inside its transaction (a laptop asleep) held the
    /// write lock for ever; the server now ends its session, and bangfu,
    /// woken, says why in the clerk's words (a second here, not ten
    /// minutes).
    #[test]
    fn a_session_left_idle_in_its_transaction_is_ended_and_said_so() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        conn.batch("SET idle_in_transaction_session_timeout = '300ms'; BEGIN")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let e = conn.batch("SELECT 1").unwrap_err();
        assert_eq!(
            crate::store::error::Trouble::of(&e),
            crate::store::error::Trouble::Stalled,
            "{e}"
        );
    }

    #[test]
    fn a_new_database_gets_the_schema_once_and_keys_follow_the_largest() {
        let Some(db) = Scratch::new() else {
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

    /// Schema 7 as a bangfu first released it on a server: its indexes
    /// and its reference checks a row at a time.
    const RELEASED: &str = "
        CREATE INDEX deliveries_household ON deliveries(household);
        CREATE INDEX deliveries_member ON deliveries(member);
        CREATE INDEX deliveries_added ON deliveries(added);
        CREATE INDEX holds_added ON holds(added);
        CREATE OR REPLACE FUNCTION deliveries_refer() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
        BEGIN
            IF EXISTS (SELECT FROM new_rows n
                       WHERE NOT EXISTS (SELECT FROM bangfu.members m WHERE m.key = n.member)
                          OR NOT EXISTS (SELECT FROM bangfu.households h WHERE h.key = n.household))
            THEN
                RAISE EXCEPTION 'a delivery refers to a member or household that does not exist'
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE FUNCTION holds_refer() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
        BEGIN
            IF EXISTS (SELECT FROM new_rows n
                       WHERE NOT EXISTS (SELECT FROM bangfu.ledgers l WHERE l.key = n.ledger))
            THEN
                RAISE EXCEPTION 'a hold refers to a ledger that does not exist'
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN NULL;
        END $$;";

    /// The indexes of deliveries and holds, by name, and whether the
    /// reference checks look each reference up once.
    fn shape(conn: &Conn) -> (Vec<String>, bool) {
        let indexes = conn
            .collect(
                "SELECT CAST(indexname AS TEXT) FROM pg_indexes
                 WHERE schemaname = 'bangfu' AND tablename IN ('deliveries', 'holds')
                 ORDER BY 1",
                crate::args![],
                |r| r.get::<_, String>(0),
            )
            .unwrap();
        let once: bool = conn
            .value(
                "SELECT bool_and(prosrc LIKE '%DISTINCT%') FROM pg_proc
                 WHERE proname IN ('deliveries_refer', 'holds_refer')",
                crate::args![],
            )
            .unwrap();
        (indexes, once)
    }

    #[test]
    fn a_server_of_schema_7_as_released_is_tuned_by_its_owner_once() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        create(&conn).unwrap();
        let now = shape(&conn);
        let kept: Vec<&str> = [
            "deliveries_id",
            "deliveries_pkey",
            "deliveries_place",
            "holds_pkey",
        ]
        .into();
        assert_eq!(
            (now.0.iter().map(String::as_str).collect::<Vec<_>>(), now.1),
            (kept.clone(), true)
        );
        assert!(!tune(&conn).unwrap(), "a schema made as now needs nothing");
        conn.batch(RELEASED).unwrap();
        assert_eq!(shape(&conn).0.len(), 8);
        // Another role (a township's login) goes on with it as it is.
        let role = format!("bangfu_unit_tuner_{}", std::process::id());
        conn.batch(&format!(
            "CREATE ROLE {role}; GRANT USAGE ON SCHEMA bangfu TO {role}; SET ROLE {role}"
        ))
        .unwrap();
        let by_other = tune(&conn);
        conn.batch(&format!(
            "RESET ROLE; DROP OWNED BY {role}; DROP ROLE {role}"
        ))
        .unwrap();
        assert!(!by_other.unwrap());
        assert_eq!(shape(&conn).0.len(), 8);
        // Its owner: once.
        assert!(tune(&conn).unwrap());
        assert_eq!(shape(&conn), now);
        assert!(!tune(&conn).unwrap());
    }

    /// Schema 7 as the bangfu that first made it on a server left it
    /// (src/store/pg/released7.sql, then [`RELEASED`]'s indexes).
    fn released_7(conn: &Conn) {
        conn.batch(&format!(
            "BEGIN; {} {RELEASED}; COMMIT",
            include_str!("released7.sql")
        ))
        .unwrap();
        assert_eq!(found(conn).unwrap(), Found::Version(7));
    }

    /// Every policy, function and trigger of bangfu's schema, as the
    /// server keeps them, and who besides the owner may execute each
    /// function of it.
    fn access(conn: &Conn) -> Vec<String> {
        conn.collect(
            "SELECT concat_ws(' | ', tablename, policyname, permissive, cmd, qual, with_check)
             FROM pg_policies WHERE schemaname = 'bangfu'
             UNION ALL
             SELECT concat_ws(' | ', proname, prosecdef, provolatile, proconfig::text, prosrc,
                              has_function_privilege('public', p.oid, 'EXECUTE'))
             FROM pg_proc p WHERE pronamespace = 'bangfu'::regnamespace
             UNION ALL
             SELECT concat_ws(' | ', tgname, pg_get_triggerdef(t.oid))
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relnamespace = 'bangfu'::regnamespace AND NOT t.tgisinternal
             ORDER BY 1",
            crate::args![],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    }

    #[test]
    fn a_server_of_schema_7_is_migrated_by_its_owner_to_what_a_new_one_gets() {
        let (Some(old), Some(new)) = (Scratch::new(), Scratch::new()) else {
            return;
        };
        let conn = session(&connect::Target::parse(&old.url).unwrap()).unwrap();
        released_7(&conn);
        // A household moved from 工农乡 to 寿山乡 by import 1, and a role
        // of 工农乡 as schema 7's grant made it.
        let role = format!("bangfu_unit_migrated_{}", std::process::id());
        conn.batch(&format!(
            "INSERT INTO commands (number, at, \"user\", day) VALUES (1, 't', 'u', 12000);
             INSERT INTO households (key, id, head, township) VALUES
                 (1, 'H1', '张三', '寿山乡'), (2, 'H2', '李四', '工农乡'), (3, 'H3', '王五', '寿山乡');
             INSERT INTO history (kind, record, field, command, day, old, new)
                 VALUES (0, 1, 'township', 1, 12000, '工农乡', '寿山乡');
             CREATE ROLE {role};
             GRANT USAGE ON SCHEMA bangfu TO {role};
             GRANT SELECT ON ALL TABLES IN SCHEMA bangfu TO {role};
             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA bangfu TO {role};
             INSERT INTO grants VALUES ('{role}', '工农乡');"
        ))
        .unwrap();
        let seen = |conn: &Conn| -> Vec<String> {
            conn.batch(&format!("SET ROLE {role}")).unwrap();
            let ids = conn.collect(
                "SELECT id FROM households ORDER BY id",
                crate::args![],
                |r| r.get::<_, String>(0),
            );
            conn.batch("RESET ROLE").unwrap();
            ids.unwrap()
        };
        assert_eq!(seen(&conn), ["H2"], "schema 7: its township now only");
        // The role cannot migrate it; its owner does, once.
        conn.batch(&format!("SET ROLE {role}")).unwrap();
        let by_role = migrate(&conn);
        conn.batch("RESET ROLE").unwrap();
        assert!(!by_role.unwrap());
        assert_eq!(found(&conn).unwrap(), Found::Version(7));
        assert!(migrate(&conn).unwrap());
        assert_eq!(found(&conn).unwrap(), Found::Version(schema::VERSION));
        assert!(!migrate(&conn).unwrap());
        assert_eq!(seen(&conn), ["H1", "H2"], "and the one that moved away");
        // What grant gives now: touched_by, nextval and not setval.
        let may = |what: &str| -> bool {
            conn.value(&format!("SELECT {what}"), crate::args![role.as_str()])
                .unwrap()
        };
        assert!(may(
            "has_function_privilege(CAST(?1 AS TEXT), 'bangfu.touched_by(bigint)', 'EXECUTE')"
        ));
        assert!(may(
            "has_sequence_privilege(CAST(?1 AS TEXT), 'bangfu.households_key_seq', 'USAGE')"
        ));
        assert!(!may(
            "has_sequence_privilege(CAST(?1 AS TEXT), 'bangfu.households_key_seq', 'UPDATE')"
        ));
        assert!(!may(
            "has_sequence_privilege(CAST(?1 AS TEXT), 'bangfu.deliveries_key_seq', 'SELECT')"
        ));
        // Its first import tunes it as a schema 7 as first released.
        assert!(tune(&conn).unwrap());
        let fresh = session(&connect::Target::parse(&new.url).unwrap()).unwrap();
        create(&fresh).unwrap();
        assert_eq!(access(&conn), access(&fresh));
        conn.batch(&format!(
            "RESET ROLE; DROP OWNED BY {role}; DROP ROLE {role}"
        ))
        .unwrap();
    }

    /// Schema 8 to 9: each delivery's hold by the ledger of the import
    /// that added it moves into its row, every other hold stays, and the
    /// holds read as one are what 8 had.
    #[test]
    fn a_server_of_schema_8_keeps_each_delivery_s_first_hold_in_its_row() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        released_7(&conn);
        conn.batch(&format!("BEGIN; {} COMMIT", schema::MIGRATE_8))
            .unwrap();
        assert_eq!(found(&conn).unwrap(), Found::Version(8));
        conn.batch(
            "BEGIN;
             INSERT INTO households (key, id, head, township) VALUES (1, 'H1', 'a', 't');
             INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', 'b', 'u');
             INSERT INTO ledgers (key, name) VALUES (1, '三月'), (2, '乡里');
             INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household,
                                     category, added)
             VALUES (1, 1, 11, 1, 1, 1, 0, 2), (2, 2, 12, 1, 1, 1, 0, 2), (3, 3, 13, 1, 1, 1, 0, 2);
             INSERT INTO holds (kind, record, ledger, added)
             VALUES (3, 1, 1, 2), (3, 1, 2, 3), (3, 2, 1, 4), (0, 1, 1, 1);
             COMMIT",
        )
        .unwrap();
        assert!(migrate(&conn).unwrap());
        assert_eq!(found(&conn).unwrap(), Found::Version(schema::VERSION));
        let strings =
            |sql: &str| -> Vec<String> { conn.collect(sql, crate::args![], |r| r.get(0)).unwrap() };
        assert_eq!(
            strings(
                "SELECT key || ':' || coalesce(ledger::text, '-') FROM deliveries ORDER BY key"
            ),
            ["1:1", "2:-", "3:-"]
        );
        assert_eq!(
            strings(concat!(
                "SELECT kind || ' ' || record || ' ' || ledger || ' ' || added FROM ",
                held!(),
                " h ORDER BY 1"
            )),
            ["0 1 1 1", "3 1 1 2", "3 1 2 3", "3 2 1 4"]
        );
        // And a server made new has the same rules as one brought up.
        let new = Scratch::new().unwrap();
        let fresh = session(&connect::Target::parse(&new.url).unwrap()).unwrap();
        create(&fresh).unwrap();
        assert_eq!(access(&conn), access(&fresh));
    }

    /// The migration takes schema 7's policies only: one the district's
    /// IT person added to bangfu's tables stays (attacker review 3,
    /// finding 16: every policy of the schema went, without a word).
    #[test]
    fn a_policy_the_district_added_outlives_the_migration() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        released_7(&conn);
        conn.batch(
            "CREATE POLICY it_no_delete ON bangfu.deliveries AS RESTRICTIVE FOR DELETE
             USING (current_user = 'nobody')",
        )
        .unwrap();
        assert!(migrate(&conn).unwrap());
        let kept: i64 = conn
            .value(
                "SELECT count(*) FROM pg_policies WHERE policyname = 'it_no_delete'",
                crate::args![],
            )
            .unwrap();
        assert_eq!(kept, 1);
    }

    /// A migration that fails leaves schema 7 whole: one transaction.
    #[test]
    fn a_failed_migration_leaves_schema_7_as_it_was() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        released_7(&conn);
        let before = access(&conn);
        // A function of the name the migration makes, returning
        // something else: the migration fails at it, past its first steps.
        conn.batch("CREATE FUNCTION bangfu.ever_in(t TEXT) RETURNS SETOF TEXT LANGUAGE sql AS $$ SELECT t $$")
            .unwrap();
        let before_with = access(&conn);
        assert_ne!(before, before_with);
        assert!(migrate(&conn).is_err());
        assert_eq!(found(&conn).unwrap(), Found::Version(7));
        assert_eq!(access(&conn), before_with);
    }

    #[test]
    fn a_delivery_or_hold_may_refer_only_to_records_that_exist_and_those_stay() {
        let Some(db) = Scratch::new() else {
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
        // A delivery's own row may name only a ledger that exists, and
        // keeps that ledger (schema 9).
        refused(
            "INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category,
                                     ledger)
             VALUES (2, 11000, 8, 1, 1, 1, 4, 9)",
        );
        conn.batch(
            "DELETE FROM holds;
             INSERT INTO ledgers (key, name) VALUES (2, '乡里');
             INSERT INTO deliveries (key, day, fingerprint, occurrence, member, household, category,
                                     ledger)
             VALUES (2, 11000, 8, 1, 1, 1, 4, 2)",
        )
        .unwrap();
        refused("UPDATE deliveries SET ledger = 9 WHERE key = 2");
        refused("DELETE FROM ledgers WHERE key = 2");
        // Nor is that hold repeated in `holds`: the ledger would count the
        // delivery twice.
        let e = (conn.batch("INSERT INTO holds (kind, record, ledger, added) VALUES (3, 2, 2, 0)"))
            .expect_err("a second hold of one ledger");
        assert_eq!(
            e.pg_code(),
            Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            "{e}"
        );
        conn.batch("INSERT INTO holds (kind, record, ledger, added) VALUES (3, 2, 1, 0)")
            .unwrap();
        // Once nothing refers to them, they may go.
        conn.batch(
            "DELETE FROM holds; DELETE FROM deliveries;
             DELETE FROM households; DELETE FROM members; DELETE FROM ledgers",
        )
        .unwrap();
    }
}
