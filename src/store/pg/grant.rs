//! `bangfu grant ROLE [--township T]` on the server (contract §9): make or
//! update a PostgreSQL login role and give it bangfu's tables. Which rows
//! it then reads and writes is not decided here but by the server, with
//! the row-level security policies of the schema (store/pg/schema.rs,
//! "Access"), from the role's row in `bangfu.grants`: here the role gets
//! its table privileges and that row.
//!
//! One transaction, under the write lock every writing bangfu takes, so
//! that two grants of one role do not interleave. The password travels as
//! its SCRAM-SHA-256 verifier, made here: the server and its logs never
//! see it in clear.

use crate::store::sql::{Conn, Result};
use crate::store::Store;

/// Tables every granted role reads and none writes (the owner's).
pub const READ: &[&str] = &["version", "grants"];

/// Tables every granted role reads and writes: the records, under
/// row-level security (members too: a township's role reads them and
/// writes none), and the log (commands under row-level security,
/// imports, ledgers). No TRUNCATE (it passes by row-level security),
/// REFERENCES or TRIGGER. Parents before children.
pub const WRITE: &[&str] = &[
    "ledgers",
    "commands",
    "imports",
    "households",
    "members",
    "pairings",
    "deliveries",
    "holds",
    "history",
    "undo_deliveries",
    "undo_pairings",
    "undo_holds",
];

/// What to make of a role.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub role: &'a str,
    /// The township whose records it may read and write; `None`: all.
    pub township: Option<&'a str>,
    /// A new password, in clear (sent as its verifier); `None` leaves a
    /// role's password as it is (a new role has none).
    pub password: Option<&'a [u8]>,
    /// The township's households come later: grant it although the
    /// district's households have other townships and never this one.
    pub new_township: bool,
}

/// What the grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    /// The role is new (else it was there and is updated).
    pub created: bool,
    /// How many households have the township now (`None` for all).
    pub households: Option<u64>,
}

/// Why a grant was refused, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role would see every row whatever it is granted.
    Bypass(Bypass),
    /// The role, to be held to a township, could act as a role that is
    /// not (`--township` only).
    Escalates(Escalation),
    /// No household has ever been in the township, while the district's
    /// households have these townships (a mistyped name, most likely).
    NoSuchTownship { known: Vec<String> },
}

/// Why a role cannot be held to a township: the server lets it see every
/// row whatever it is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bypass {
    Superuser,
    /// It has BYPASSRLS.
    BypassesSecurity,
    /// It owns bangfu's tables (or is a member of the role that does).
    Owner,
}

/// How an existing role could step out of its township: the server lets
/// it become (SET ROLE), or make itself a member of, a role that sees or
/// writes more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escalation {
    /// It has CREATEROLE: on PostgreSQL 15 it may make itself a member of
    /// any role but a superuser, the tables' owner among them.
    CreatesRoles,
    /// It is a member of `role` (directly or through others), which has
    /// `power`.
    MemberOf { role: String, power: Power },
}

/// What the role an [`Escalation::MemberOf`] names may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    Superuser,
    BypassesSecurity,
    CreatesRoles,
    /// Another login `bangfu grant` made: another township's, or every
    /// township's.
    Granted,
}

impl Store {
    /// Make or update the login role `request.role` (contract §9). A role
    /// the server would show every row anyway is refused, nothing changed.
    pub fn grant(&self, request: &Request<'_>) -> Result<Result<Granted, Refusal>> {
        let conn = &self.conn;
        conn.begin_write()?;
        match grant_in_transaction(conn, request) {
            Ok(Ok(granted)) => {
                conn.commit()?;
                Ok(Ok(granted))
            }
            other => {
                let _ = conn.rollback();
                other
            }
        }
    }
}

impl Store {
    /// The township this login is held to ([`login_township`]).
    pub fn login_township(&self) -> Result<Option<String>> {
        login_township(&self.conn)
    }
}

/// The township the login of `conn` is held to: on a server, the
/// township of its role's row in `grants` (`bangfu grant ROLE --township
/// T`); `None` on a file, for a login of every township, and for the
/// schema's owner. Its reports are that township's, and a household it
/// does not find may be another township's (contract §11).
pub fn login_township(conn: &Conn) -> Result<Option<String>> {
    if conn.dialect() != crate::store::sql::Dialect::Postgres {
        return Ok(None);
    }
    let found: Option<Option<String>> = conn.query_opt(
        "SELECT township FROM bangfu.grants WHERE role = CAST(current_user AS TEXT)",
        crate::args![],
        |r| r.get(0),
    )?;
    Ok(found.flatten())
}

fn grant_in_transaction(conn: &Conn, request: &Request<'_>) -> Result<Result<Granted, Refusal>> {
    let role = request.role;
    if let Some(township) = request.township.filter(|_| !request.new_township) {
        let known = townships(conn)?;
        if !known.is_empty() && !known.iter().any(|k| k == township) {
            return Ok(Err(Refusal::NoSuchTownship { known }));
        }
    }
    let found = conn.query_opt(
        "SELECT rolsuper, rolbypassrls,
                pg_has_role(rolname, (SELECT relowner FROM pg_class
                                      WHERE oid = CAST('bangfu.households' AS regclass)), 'MEMBER')
         FROM pg_roles WHERE rolname = ?1",
        crate::args![role],
        |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, bool>(2)?,
            ))
        },
    )?;
    let bypass = match found {
        Some((true, _, _)) => Some(Bypass::Superuser),
        Some((_, true, _)) => Some(Bypass::BypassesSecurity),
        Some((_, _, true)) => Some(Bypass::Owner),
        _ => None,
    };
    if let Some(why) = bypass {
        return Ok(Err(Refusal::Bypass(why)));
    }
    if found.is_some() && request.township.is_some() {
        if let Some(how) = escalation(conn, role)? {
            return Ok(Err(Refusal::Escalates(how)));
        }
    }
    let verb = match found {
        Some(_) => "ALTER",
        None => "CREATE",
    };
    match request.password {
        Some(password) => {
            let verifier = postgres_protocol::password::scram_sha_256(password);
            ddl(
                conn,
                &format!("{verb} ROLE %I LOGIN PASSWORD %L"),
                &[role, &verifier],
            )?;
        }
        None => ddl(conn, &format!("{verb} ROLE %I LOGIN"), &[role])?,
    }
    // Whatever the role held before (another township's, every
    // township's) goes first.
    for sql in [
        "REVOKE ALL ON ALL TABLES IN SCHEMA bangfu FROM %I",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA bangfu FROM %I",
        "GRANT USAGE ON SCHEMA bangfu TO %I",
        // nextval only: the keys an import hands out itself (the bulk
        // deliveries) follow one nextval, and sync_keys (the owner's,
        // under the write lock) sets every sequence after the largest
        // key. With setval (UPDATE) a login could set one back while
        // another township imports, failing its import; with SELECT read
        // how many records the district holds.
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA bangfu TO %I",
        "GRANT EXECUTE ON FUNCTION bangfu.sync_keys() TO %I",
        // Its undo's count of what the import touched (store/undo.rs).
        "GRANT EXECUTE ON FUNCTION bangfu.touched_by(BIGINT) TO %I",
        // What a township's login reads beyond its township's households
        // now: those that moved away (schema.rs, "Access").
        "GRANT EXECUTE ON FUNCTION bangfu.ever_in(TEXT) TO %I",
        // Whose imports its log lists (store/log.rs).
        "GRANT EXECUTE ON FUNCTION bangfu.township_logins() TO %I",
    ] {
        ddl(conn, sql, &[role])?;
    }
    ddl(
        conn,
        "GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I",
        &[
            &conn.value::<String>("SELECT CAST(current_database() AS TEXT)", crate::args![])?,
            role,
        ],
    )?;
    // Both kinds of role get the same privileges: which rows each may
    // read and write is row-level security's, by its row of `grants`.
    let tables = |names: &[&str]| {
        names
            .iter()
            .map(|t| format!("bangfu.{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    ddl(
        conn,
        &format!("GRANT SELECT ON {} TO %I", tables(READ)),
        &[role],
    )?;
    ddl(
        conn,
        &format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO %I",
            tables(WRITE)
        ),
        &[role],
    )?;
    conn.execute(
        "INSERT INTO bangfu.grants (role, township) VALUES (?1, ?2)
         ON CONFLICT (role) DO UPDATE SET township = excluded.township",
        crate::args![role, request.township],
    )?;
    let households = match request.township {
        Some(t) => Some(conn.value::<u64>(
            "SELECT count(*) FROM bangfu.households WHERE township = ?1",
            crate::args![t],
        )?),
        None => None,
    };
    Ok(Ok(Granted {
        created: found.is_none(),
        households,
    }))
}

/// How the existing role `role` could act beyond what row-level security
/// holds it to, if it could: its own CREATEROLE, or a role it is a member
/// of (the first by name) that is a superuser, has BYPASSRLS or
/// CREATEROLE, or is another login `grant` made. (A member of the tables'
/// owner is [`Bypass::Owner`].)
fn escalation(conn: &Conn, role: &str) -> Result<Option<Escalation>> {
    let creates: bool = conn.value(
        "SELECT rolcreaterole FROM pg_roles WHERE rolname = ?1",
        crate::args![role],
    )?;
    if creates {
        return Ok(Some(Escalation::CreatesRoles));
    }
    let member = conn.query_opt(
        "SELECT CAST(r.rolname AS TEXT), r.rolsuper, r.rolbypassrls, r.rolcreaterole
         FROM pg_roles r
         WHERE r.rolname <> ?1 AND pg_has_role(CAST(CAST(?1 AS TEXT) AS NAME), r.oid, 'MEMBER')
           AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole
                OR CAST(r.rolname AS TEXT) IN (SELECT g.role FROM bangfu.grants g))
         ORDER BY 1 LIMIT 1",
        crate::args![role],
        |r| {
            let power = match (r.get(1)?, r.get(2)?, r.get(3)?) {
                (true, _, _) => Power::Superuser,
                (_, true, _) => Power::BypassesSecurity,
                (_, _, true) => Power::CreatesRoles,
                _ => Power::Granted,
            };
            Ok(Escalation::MemberOf {
                role: r.get(0)?,
                power,
            })
        },
    )?;
    Ok(member)
}

/// Every township a household has now or had before a change of
/// township (history), as stored; any order.
fn townships(conn: &Conn) -> Result<Vec<String>> {
    conn.collect(
        "SELECT township FROM bangfu.households
         UNION SELECT t FROM bangfu.history h, LATERAL (VALUES (h.old), (h.new)) AS v(t)
         WHERE h.kind = 0 AND h.field = 'township' AND t IS NOT NULL",
        crate::args![],
        |r| r.get(0),
    )
}

/// Run the statement `template` with its `%I` (identifier) and `%L`
/// (literal) places filled in by the server's own quoting (`format`), in
/// the order of `values`: role statements take no parameters.
fn ddl(conn: &Conn, template: &str, values: &[&str]) -> Result<()> {
    let value = |i: usize| values.get(i).copied().unwrap_or("");
    let sql: String = conn.value(
        "SELECT format(CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT))",
        crate::args![template, value(0), value(1)],
    )?;
    conn.batch(&sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::{self, connect, tests::Scratch};

    #[test]
    fn every_table_is_granted_once_and_every_township_table_is_under_row_level_security() {
        let Some(db) = Scratch::new() else {
            return;
        };
        let conn = pg::session(&connect::Target::parse(&db.url).unwrap()).unwrap();
        pg::create(&conn).unwrap();
        let tables = conn
            .collect(
                "SELECT CAST(c.relname AS TEXT), c.relrowsecurity, c.relforcerowsecurity
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'bangfu' AND c.relkind = 'r' ORDER BY 1",
                crate::args![],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                },
            )
            .unwrap();
        let mut granted: Vec<&str> = READ.iter().chain(WRITE).copied().collect();
        granted.sort_unstable();
        let names: Vec<&str> = tables.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(names, granted, "a table no grant names, or named twice");
        // The owner must see every row (sync_keys, the admin's reports):
        // enabled, never forced.
        let open = ["version"];
        for (table, secured, forced) in &tables {
            assert!(!forced, "{table}");
            assert_eq!(*secured, !open.contains(&table.as_str()), "{table}");
        }
    }
}
