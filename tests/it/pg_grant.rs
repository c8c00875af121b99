//! `bangfu grant ROLE [--township T]` (contract §9): login roles the
//! server holds to one township's records by row-level security, seen
//! through SQL as the role and through the `bangfu` binary's reports.
//!
//! Runs against the server of `BANGFU_TEST_PG` (an admin URL, see
//! .ci/postgres): each test makes its own database and roles, and drops
//! them. Without it, the tests that need a server say "skipped" and pass.
//!
//! The district is imported into a SQLite file by `bangfu import`, as
//! clerks' GBK sheets with Chinese headers, and copied row by row into the
//! server: so the records on the server are exactly an import's. What
//! each township's role must see is what a SQLite file holding only that
//! township's households (and every member) shows.

use crate::common::{path_str, run_on as run, PgDatabase as Server, Workdir, HELD};
use postgres::Client;

/// The households' township whose role the tests make first.
const GONGNONG: &str = "工农乡";
/// The other township.
const XIANGYANG: &str = "向阳街道";

/// A database of its own on the test server, and the roles a test made;
/// `None` (the test says "skipped") without a server.
fn new_server() -> Option<Server> {
    Server::on_server("bangfu_grant", "pg_grant's tests")
}

/// The district's sheets: households of two townships, every member,
/// pairings and deliveries; `only`: just the rows of that township's
/// households (the members all the same).
fn sheets(w: &Workdir, folder: &str, only: Option<&str>) -> Vec<String> {
    std::fs::create_dir_all(w.path(folder)).expect("folder");
    let keep = |township: &str| only.is_none_or(|t| t == township);
    let rows = |header: &str, rows: &[(&str, &str)]| {
        let mut text = format!("{header}\n");
        for (township, row) in rows {
            if keep(township) {
                text.push_str(row);
                text.push('\n');
            }
        }
        text
    };
    let (g, x) = (GONGNONG, XIANGYANG);
    let households = rows(
        "户编号,户主,乡镇,村,脱贫状态",
        &[
            (g, "H1,张三,工农乡,红旗村,贫困"),
            (g, "H2,李四,工农乡,大坪村,贫困"),
            (g, "H5,孙七,工农乡,大坪村,贫困"),
            (x, "H3,王五,向阳街道,向阳社区,已脱贫"),
            (x, "H4,赵大,向阳街道,向阳社区,贫困"),
        ],
    );
    let members = "编号,姓名,工作单位\nM1,赵六,区农业局\nM2,钱七,区教育局\nM3,孙八,区民政局\n";
    let pairings = rows(
        "帮扶人编号,户编号,结对日期",
        &[
            (g, "M1,H1,2003/1/1"),
            (g, "M1,H2,2003/1/1"),
            (x, "M2,H3,2003/2/1"),
            (x, "M3,H4,2003/2/1"),
        ],
    );
    let deliveries = rows(
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）",
        &[
            (g, "2003年3月5日,M1,H1,送温暖,100,"),
            (g, "2003年4月29日,M1,H2,送温暖,200,50"),
            (x, "2003年3月6日,M2,H3,送科技,,500"),
            (x, "2003年6月1日,M3,H4,送温暖,80,"),
        ],
    );
    [
        ("贫困户.csv", households.as_str()),
        ("帮扶人.csv", members),
        ("结对.csv", pairings.as_str()),
        ("帮扶记录.csv", deliveries.as_str()),
    ]
    .iter()
    .map(|(name, text)| path_str(&w.gbk(&format!("{folder}/{name}"), text)).to_string())
    .collect()
}

/// A SQLite database of the district (or of one township's part of it),
/// imported as a clerk would, in the file of `w` (named with `--db`
/// whichever backend the suite's own databases are on).
fn imported(only: Option<&str>) -> Workdir {
    let w = Workdir::new();
    let files = sheets(&w, "sheets", only);
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = lite(&w, &args);
    assert_eq!(code, Some(0), "{out}{err}");
    w
}

/// `bangfu ARGS` on the SQLite file of `w`.
fn lite(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    run(w, path_str(&w.db()), args)
}

/// Every row of the SQLite database of `w` into the server's (made by a
/// first `bangfu` command), as the admin.
fn copy_to_server(w: &Workdir, server: &Server) {
    crate::common::copy_file_to_server(&w.db(), &server.url);
}

/// `bangfu --db DB grant ARGS`, which must succeed; its stdout.
fn grant(w: &Workdir, db: &str, args: &[&str]) -> String {
    let mut all = vec!["grant"];
    all.extend(args);
    let (code, out, err) = run(w, db, &all);
    assert_eq!(code, Some(0), "grant {args:?}: {out}{err}");
    out
}

/// The server's district, with a role for each township and one for
/// every township.
struct District {
    server: Server,
    w: Workdir,
    gongnong: String,
    xiangyang: String,
    everyone: String,
}

fn district() -> Option<District> {
    let mut server = new_server()?;
    let w = imported(None);
    let (gongnong, xiangyang, everyone) = (
        server.role("gongnong"),
        server.role("xiangyang"),
        server.role("all"),
    );
    let url = server.url.clone();
    // The first grant makes bangfu's schema on the empty database.
    grant(&w, &url, &[&gongnong, "--township", GONGNONG]);
    grant(&w, &url, &[&xiangyang, "--township", XIANGYANG]);
    grant(&w, &url, &[&everyone]);
    copy_to_server(&w, &server);
    Some(District {
        server,
        w,
        gongnong,
        xiangyang,
        everyone,
    })
}

/// The ids of the households `client` sees, in order.
fn households(client: &mut Client) -> Vec<String> {
    client
        .query("SELECT id FROM households ORDER BY id", &[])
        .expect("households")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn count(client: &mut Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .expect("count")
        .get(0)
}

/// The server's error for `sql`, run as the role of `client`, which must
/// fail.
fn refused(client: &mut Client, sql: &str) -> postgres::Error {
    match client.batch_execute(sql) {
        Ok(()) => panic!("the server let this through: {sql}"),
        Err(e) => e,
    }
}

#[test]
fn grant_on_a_sqlite_file_is_a_usage_error() {
    let w = imported(None);
    let before = std::fs::read(w.db()).expect("the file");
    let (code, _, err) = lite(&w, &["grant", "zhang", "--township", GONGNONG]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("grant makes a login role on a PostgreSQL server")
            && err.contains("is a SQLite file")
            && err.contains("postgres://ADMIN@HOST:PORT/DBNAME"),
        "{err}"
    );
    let (code, _, err) = lite(&w, &["--lang", "zh", "grant", "zhang"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("是 SQLite 文件，没有登录角色"), "{err}");
    assert_eq!(
        std::fs::read(w.db()).expect("the file"),
        before,
        "the file was changed"
    );
    // A file that is not there is not made.
    let out = w
        .bangfu()
        .args(["--db", "none.db", "grant", "zhang"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(!w.path("none.db").exists());
}

#[test]
fn each_township_role_sees_only_its_households_and_their_records() {
    let Some(d) = district() else { return };
    let mut g = d.server.as_role(&d.gongnong);
    let mut x = d.server.as_role(&d.xiangyang);
    let mut all = d.server.as_role(&d.everyone);
    assert_eq!(households(&mut g), ["H1", "H2", "H5"]);
    assert_eq!(households(&mut x), ["H3", "H4"]);
    assert_eq!(households(&mut all), ["H1", "H2", "H3", "H4", "H5"]);
    for (client, pairings, deliveries) in [(&mut g, 2, 2), (&mut x, 2, 2), (&mut all, 4, 4)] {
        assert_eq!(count(client, "pairings"), pairings);
        assert_eq!(count(client, "deliveries"), deliveries);
        // Members have no township: every role reads them all.
        assert_eq!(count(client, "members"), 3);
        // The log is everyone's.
        assert_eq!(count(client, "imports"), 4);
        assert_eq!(count(client, "commands"), 1);
    }
    // Which ledger holds what: the role's records' holds and every
    // member's.
    let holds = |c: &mut Client| -> Vec<(i64, i64)> {
        c.query(
            &format!("SELECT kind, count(*) FROM {HELD} h GROUP BY kind ORDER BY kind"),
            &[],
        )
        .expect("holds")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    };
    assert_eq!(holds(&mut g), [(0, 3), (1, 3), (2, 2), (3, 2)]);
    assert_eq!(holds(&mut x), [(0, 2), (1, 3), (2, 2), (3, 2)]);
    assert_eq!(holds(&mut all), [(0, 5), (1, 3), (2, 4), (3, 4)]);
    // Each role reads its own row of the grants, and no other.
    let grants = |c: &mut Client| -> Vec<(String, Option<String>)> {
        c.query("SELECT role, township FROM grants", &[])
            .expect("grants")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    assert_eq!(
        grants(&mut g),
        [(d.gongnong.clone(), Some(GONGNONG.to_string()))]
    );
    assert_eq!(grants(&mut all), [(d.everyone.clone(), None)]);
}

#[test]
fn writing_another_townships_household_is_refused_by_the_server() {
    let Some(d) = district() else { return };
    let mut g = d.server.as_role(&d.gongnong);
    let h3: i64 = d
        .server
        .client()
        .query_one("SELECT key FROM bangfu.households WHERE id = 'H3'", &[])
        .expect("H3")
        .get(0);
    let m1: i64 = g
        .query_one("SELECT key FROM members WHERE id = 'M1'", &[])
        .expect("M1")
        .get(0);
    let denied = [
        "INSERT INTO households (id, head, township) VALUES ('H9', '周九', '向阳街道')".to_string(),
        "UPDATE households SET township = '向阳街道' WHERE id = 'H1'".to_string(),
        format!(
            "INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category, goods)
             VALUES (12000, 1, 1, {m1}, {h3}, 0, 100)"
        ),
        format!("INSERT INTO pairings (member, household, since) VALUES ({m1}, {h3}, 12000)"),
        // (Ledger 2, 帮扶人, holds only members.)
        format!("INSERT INTO holds (kind, record, ledger, added) VALUES (0, {h3}, 2, 2)"),
        // Deliveries 1 to 4: its own two and the other township's.
        "INSERT INTO holds (kind, record, ledger, added)
         SELECT 3, key, 2, 2 FROM generate_series(1, 4) AS key"
            .to_string(),
        format!(
            "INSERT INTO history (kind, record, field, command, day, old, new)
             VALUES (0, {h3}, 'head', 1, 12000, '王五', '王六')"
        ),
        // Members and the grants are read, never written.
        "INSERT INTO members (id, name, unit) VALUES ('M9', '吴九', '区委')".to_string(),
        "UPDATE members SET unit = '区委'".to_string(),
        "UPDATE grants SET township = NULL".to_string(),
        // The log of another's import (here the admin's): an undo of it
        // would find none of its records to take back.
        "UPDATE commands SET undone = '2003-06-30T10:00:00+08:00' WHERE number = 1".to_string(),
        "TRUNCATE deliveries".to_string(),
    ];
    for sql in &denied {
        let e = refused(&mut g, sql);
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {e}"
        );
        // What bangfu says of such a refusal.
        let said = bangfu::store::StoreError::failed(
            "postgres://…/district",
            bangfu::store::Doing::Importing,
            &bangfu::store::sql::SqlError::Postgres(e),
        )
        .to_string();
        assert!(
            said.starts_with("the server refused: ") && said.ends_with("nothing was imported"),
            "{said}"
        );
        // In Chinese, in the catalogue's words: none of the server's
        // English inside the sentence.
        let zh = bangfu::store::StoreError::failed(
            "postgres://…/district",
            bangfu::store::Doing::Importing,
            &bangfu::store::sql::SqlError::Postgres(refused(&mut g, sql)),
        )
        .text(bangfu::report::Lang::Zh);
        assert!(
            zh.starts_with("服务器拒绝：")
                && !["violates", "permission", "denied", "policy", "table"]
                    .iter()
                    .any(|w| zh.contains(w)),
            "{sql}: {zh}"
        );
    }
    // Another township's household cannot be changed or deleted either:
    // the role does not see it.
    let changed = g
        .execute("UPDATE households SET head = '王六' WHERE id = 'H3'", &[])
        .expect("update");
    assert_eq!(changed, 0);
    let deleted = g
        .execute("DELETE FROM deliveries WHERE household = $1", &[&h3])
        .expect("delete");
    assert_eq!(deleted, 0);
    let head: String = d
        .server
        .client()
        .query_one("SELECT head FROM bangfu.households WHERE id = 'H3'", &[])
        .expect("H3")
        .get(0);
    assert_eq!(head, "王五");
    assert_eq!(count(&mut d.server.client(), "bangfu.deliveries"), 4);
}

/// Begin a transaction as store::sql::Conn::begin_write does: the write
/// lock, then every key sequence after the largest key.
fn begin_write(client: &mut Client) {
    client
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED;
             SELECT pg_advisory_xact_lock({});
             SELECT bangfu.sync_keys()",
            bangfu::store::sql::WRITE_LOCK
        ))
        .expect("the write lock");
}

#[test]
fn a_township_role_writes_its_own_under_the_write_lock_with_keys_after_every_row() {
    let Some(d) = district() else { return };
    let mut admin = d.server.client();
    let max: i64 = admin
        .query_one("SELECT max(key) FROM bangfu.households", &[])
        .expect("max")
        .get(0);
    let mut g = d.server.as_role(&d.gongnong);
    // The 向阳街道 households have the largest keys: the role does not see
    // them, and its new household still comes after them (sync_keys runs
    // as the owner).
    let seen: i64 = g
        .query_one("SELECT max(key) FROM households", &[])
        .expect("max")
        .get(0);
    assert!(seen < max, "{seen} {max}");
    begin_write(&mut g);
    let key: i64 = g
        .query_one(
            "INSERT INTO households (id, head, township, added) VALUES ('H6', '周六', '工农乡', 2)
             RETURNING key",
            &[],
        )
        .expect("insert its own household")
        .get(0);
    assert_eq!(key, max + 1);
    let pairing: i64 = g
        .query_one(
            "INSERT INTO pairings (member, household, since, added)
             VALUES ((SELECT key FROM members WHERE id = 'M2'), $1, 12000, 2) RETURNING key",
            &[&key],
        )
        .expect("pair it")
        .get(0);
    g.execute(
        "INSERT INTO holds (kind, record, ledger, added) VALUES (0, $1, 1, 2), (2, $2, 1, 2)",
        &[&key, &pairing],
    )
    .expect("hold them");
    // Its log entry (run by itself), and its own household's history
    // under it (attacker review 3: never under another's import).
    g.execute(
        "INSERT INTO commands (number, at, \"user\", day) VALUES (2, 'now', current_user, 12000)",
        &[],
    )
    .expect("the log");
    g.execute(
        "INSERT INTO history (kind, record, field, command, day, old, new)
         VALUES (0, (SELECT key FROM households WHERE id = 'H1'), 'head', 2, 12000, '张三', '张山')",
        &[],
    )
    .expect("history of its own household");
    g.batch_execute("COMMIT").expect("commit");
    let mut x = d.server.as_role(&d.xiangyang);
    assert_eq!(households(&mut x), ["H3", "H4"]);
    assert_eq!(count(&mut x, "history"), 0);
    assert_eq!(households(&mut g), ["H1", "H2", "H5", "H6"]);
    assert_eq!(count(&mut g, "history"), 1);
}

#[test]
fn a_role_of_every_township_reads_and_writes_all() {
    let Some(d) = district() else { return };
    let mut all = d.server.as_role(&d.everyone);
    begin_write(&mut all);
    all.batch_execute(
        "INSERT INTO members (id, name, unit) VALUES ('M9', '吴九', '区委');
         UPDATE households SET village = '新村' WHERE id IN ('H1', 'H3');
         COMMIT",
    )
    .expect("write members and every township");
    assert_eq!(count(&mut all, "members"), 4);
    let villages: i64 = d
        .server
        .client()
        .query_one(
            "SELECT count(*) FROM bangfu.households WHERE village = '新村'",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(villages, 2);
}

#[test]
fn granting_a_role_again_changes_its_township() {
    let Some(d) = district() else { return };
    let url = d.server.url.clone();
    let out = grant(&d.w, &url, &[&d.gongnong, "--township", XIANGYANG]);
    assert!(
        out.starts_with(&format!(
            "updated login role {}: it writes only the households of 向阳街道",
            d.gongnong
        )),
        "{out}"
    );
    assert!(out.contains("password: unchanged"), "{out}");
    let mut g = d.server.as_role(&d.gongnong);
    assert_eq!(households(&mut g), ["H3", "H4"]);
    // Every township's role held to one: it no longer writes members.
    grant(&d.w, &url, &[&d.everyone, "--township", GONGNONG]);
    let mut all = d.server.as_role(&d.everyone);
    assert_eq!(households(&mut all), ["H1", "H2", "H5"]);
    let e = refused(&mut all, "UPDATE members SET unit = '区委'");
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    // And back to every township.
    grant(&d.w, &url, &[&d.everyone]);
    let mut all = d.server.as_role(&d.everyone);
    assert_eq!(households(&mut all).len(), 5);
    all.batch_execute("UPDATE members SET unit = '区委' WHERE id = 'M3'")
        .expect("members again");
}

#[test]
fn grant_says_what_it_made_in_both_languages_and_takes_the_password_from_a_file_or_the_environment()
{
    let Some(mut server) = new_server() else {
        return;
    };
    let w = Workdir::new();
    let url = server.url.clone();
    let (a, b) = (server.role("a"), server.role("b"));
    let out = grant(&w, &url, &[&a, "--township", GONGNONG]);
    let host = server.base.rsplit_once('@').map_or("", |(_, h)| h);
    assert_eq!(
        out,
        format!(
            "created login role {a}: it writes only the households of 工农乡, their pairings and deliveries, and reads those, the households that moved away from 工农乡, and every member\n\
             password: none; the role logs in only where the server's pg_hba.conf lets it in without one (give it one with --password-file FILE)\n\
             the clerk logs in with --db postgres://{a}@{host}/{}\n",
            server.name
        )
    );
    let password = |role: &str| -> Option<String> {
        server
            .client()
            .query_one(
                "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                &[&role],
            )
            .expect("pg_authid")
            .get(0)
    };
    assert_eq!(password(&a), None);
    let file = w.utf8("口令.txt", "Gn-2003!\r\nnot this\n");
    let mut cmd = w.bangfu();
    let out = cmd
        .args([
            "--db",
            &url,
            "--lang",
            "zh",
            "grant",
            &a,
            "--township",
            GONGNONG,
        ])
        .arg("--password-file")
        .arg(&file)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with(&format!(
            "已更新登录角色 {a}：只能改动工农乡的贫困户及其结对、帮扶记录，可查看这些、从工农乡迁出的贫困户和所有帮扶人\n密码：已设为 "
        )),
        "{text}"
    );
    // The server keeps (and was sent) the verifier, never the password.
    let stored = password(&a).expect("a password");
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    assert!(!stored.contains("Gn-2003"));
    let out = w
        .bangfu()
        .env("BANGFU_ROLE_PASSWORD", "Xy-2003")
        .args(["--db", &url, "grant", &b])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "created login role {b}: it reads and writes every township's records\npassword: set from $BANGFU_ROLE_PASSWORD\n"
        )),
        "{text}"
    );
    assert!(password(&b).is_some_and(|p| p.starts_with("SCRAM-SHA-256$")));
    // No household has the township: said, and the role made all the same.
    let out = w
        .bangfu()
        .args(["--db", &url, "grant", &b, "--township", "城关镇"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: no household's township is \"城关镇\" yet"),
        "{err}"
    );
    // An empty password file is refused, nothing changed.
    let empty = w.utf8("空.txt", "\n");
    let out = w
        .bangfu()
        .args(["--db", &url, "grant", &b, "--password-file"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no password on its first line"));
}

#[test]
fn a_role_the_server_shows_everything_is_refused() {
    let Some(server) = new_server() else { return };
    let w = Workdir::new();
    let url = server.url.clone();
    // The admin itself: a superuser, and the owner of the tables.
    let admin = server
        .base
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(user, _)| user.to_string())
        .expect("the admin's name");
    let (code, out, err) = run(&w, &url, &["grant", &admin, "--township", GONGNONG]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!(
            "{admin} is a superuser: the server shows it every township's records"
        )),
        "{err}"
    );
    // A role name the server would cut short.
    let long = "x".repeat(64);
    let (code, _, err) = run(&w, &url, &["grant", &long]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot be a role's name"), "{err}");
}

#[test]
fn a_township_role_may_not_grant() {
    let Some(d) = district() else { return };
    // Exit 2: the wrong login for the command (clerk review, finding 12).
    let (code, out, err) = run(&d.w, &d.server.url_of(&d.gongnong), &["grant", &d.gongnong]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("the server refused: ")
            && err.contains("grant must be run as the database's admin")
            && err.contains("nothing was changed"),
        "{err}"
    );
    let mut g = d.server.as_role(&d.gongnong);
    assert_eq!(households(&mut g), ["H1", "H2", "H5"]);
}

/// The reports that take `--township`, in several formats: every one a
/// clerk prints, the member-counting ones (summary, totals by unit and by
/// member, check) among them.
const REPORTS: &[&[&str]] = &[
    &["summary"],
    &["summary", "--format", "json"],
    &["totals", "--by", "township"],
    &["totals", "--by", "township,village", "--format", "json"],
    &["totals", "--by", "unit"],
    &["totals", "--by", "member", "--format", "csv"],
    &["unpaired"],
    &["overdue", "--days", "60"],
    &["overdue", "--days", "60", "--format", "csv"],
    &["check"],
    &["check", "--format", "json"],
];

/// A township's login's report is the district's report of that
/// township: whatever it reads of the shared records (every member), it
/// counts what `--township T` counts for the district's login — members
/// and units through the township's pairings, no member of another
/// township "with no household" (attacker review, finding 06: its
/// summary counted every member and unit of the district, its check
/// found a member paired elsewhere). A login of every township reports
/// the district.
#[test]
fn each_township_roles_reports_are_the_districts_reports_of_its_township() {
    let Some(d) = district() else { return };
    let admin = d.server.url.clone();
    for (role, township) in [
        (&d.gongnong, Some(GONGNONG)),
        (&d.xiangyang, Some(XIANGYANG)),
        (&d.everyone, None),
    ] {
        let url = d.server.url_of(role);
        for args in REPORTS {
            let mut district = args.to_vec();
            district.extend(township.map(|t| ["--township", t]).into_iter().flatten());
            let (code, want, _) = run(&d.w, &admin, &district);
            let (got_code, got, err) = run(&d.w, &url, args);
            assert_eq!(
                (got_code, &got),
                (code, &want),
                "{role} ({township:?}): bangfu {args:?}\n{err}"
            );
            // Its own township named: the same report.
            let (named_code, named, err) = run(&d.w, &url, &district);
            assert_eq!((named_code, named), (code, want), "{err}");
        }
    }
    // The members' figures of the township, not the district's (M1 is
    // 工农乡's only member).
    let (_, out, _) = run(
        &d.w,
        &d.server.url_of(&d.gongnong),
        &["summary", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (json["members"].as_i64(), json["units"].as_i64()),
        (Some(1), Some(1)),
        "{out}"
    );
}

/// A township's login asking for another township's report is told it is
/// the district's (exit 2), in both languages; a login whose township has
/// no household yet reports zeros, not an unknown township.
#[test]
fn a_township_login_reports_its_own_township_only_even_before_its_first_household() {
    let Some(mut d) = district() else { return };
    let url = d.server.url_of(&d.gongnong);
    let (code, out, err) = run(
        &d.w,
        &url,
        &["totals", "--by", "unit", "--township", XIANGYANG],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("this login reports only the township \"工农乡\"")
            && err.contains("for the district's login"),
        "{err}"
    );
    let (code, _, err) = run(
        &d.w,
        &url,
        &["--lang", "zh", "summary", "--township", XIANGYANG],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("此登录名只能出乡镇“工农乡”的报表"), "{err}");
    let new = d.server.role("new");
    grant(
        &d.w,
        &d.server.url.clone(),
        &[&new, "--township", "新乡", "--new-township"],
    );
    let (code, out, err) = run(
        &d.w,
        &d.server.url_of(&new),
        &["summary", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["households"].as_i64(), Some(0), "{out}");
    assert_eq!(json["members"].as_i64(), Some(0), "{out}");
    assert_eq!(json["deliveries"].as_i64(), Some(0), "{out}");
}

/// The record cards a clerk prints (no `--township`): those of a
/// database of the township's households alone (and every member).
const CARDS: &[&[&str]] = &[
    &["show", "household", "H1"],
    &["show", "household", "H3"],
    &["show", "member", "M1"],
];

#[test]
fn each_roles_record_cards_are_those_of_a_database_of_its_township_alone() {
    let Some(d) = district() else { return };
    for (role, only) in [
        (&d.gongnong, Some(GONGNONG)),
        (&d.xiangyang, Some(XIANGYANG)),
        (&d.everyone, None),
    ] {
        let alone = imported(only);
        let url = d.server.url_of(role);
        for args in CARDS {
            let want = {
                let (code, out, _) = lite(&alone, args);
                (code, out)
            };
            let (code, got, err) = run(&d.w, &url, args);
            assert_eq!(
                (code, got),
                want,
                "{role} ({only:?}): bangfu {args:?}\n{err}"
            );
        }
    }
}

#[test]
fn importing_as_a_township_role_writes_its_township_only() {
    let Some(d) = district() else { return };
    let url = d.server.url_of(&d.gongnong);
    let before = count(&mut d.server.client(), "bangfu.households");
    let roster = d.w.gbk(
        "新增贫困户.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH1,张三,工农乡,红旗村,贫困\nH9,周九,向阳街道,向阳社区,贫困\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&roster)]);
    assert_eq!(code, Some(1), "{out}{err}");
    // A row problem naming the file, line and column (clerk review 2,
    // finding 3: the server's refusal named none).
    assert!(
        err.contains(&format!(
            "{}:3: township: this row's household is of 向阳街道, and this login imports only 工农乡's households",
            path_str(&roster)
        )) && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(count(&mut d.server.client(), "bangfu.households"), before);
    // Another township's household id, given as if it were its own: the
    // server's unique index refuses it, said as such.
    let taken = d.w.gbk(
        "重号.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH3,王五,工农乡,红旗村,贫困\n",
    );
    let (code, out, err) = run(&d.w, &url, &["--lang", "zh", "import", path_str(&taken)]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("已属于其他乡镇的贫困户") && err.contains("没有导入"),
        "{err}"
    );
    assert_eq!(count(&mut d.server.client(), "bangfu.households"), before);
    // The township's monthly sheets, its own part of them, the district's
    // members sheet among them, unchanged: all go in (a member is held in
    // the ledger, never written).
    let monthly = sheets(&d.w, "monthly", Some(GONGNONG));
    let mut args = vec!["import"];
    args.extend(monthly.iter().map(String::as_str));
    let (code, out, err) = run(&d.w, &url, &args);
    assert_eq!(code, Some(0), "{out}{err}");
    let changed = d.w.gbk(
        "monthly/改单位.csv",
        "编号,姓名,工作单位\nM1,赵六,区财政局\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&changed)]);
    assert_eq!(
        code,
        Some(1),
        "a member is the district's to change: {out}{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:2: id: member \"M1\" differs from the stored one",
            path_str(&changed)
        )),
        "{err}"
    );
    // Its own township's households, changed and new, and their
    // deliveries go in, with their history and holds.
    let own = d.w.gbk(
        "新增贫困户2.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH1,张三,工农乡,新村,贫困\nH8,郑八,工农乡,红旗村,贫困\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&own)]);
    assert_eq!(code, Some(0), "{out}{err}");
    let deliveries = d.w.gbk(
        "六月帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n2003年6月2日,M1,H1,送温暖,50,\n2003年6月3日,M1,H8,送温暖,60,\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&deliveries)]);
    assert_eq!(code, Some(0), "{out}{err}");
    let mut admin = d.server.client();
    assert_eq!(count(&mut admin, "bangfu.deliveries"), 6);
    assert_eq!(count(&mut admin, "bangfu.history"), 1);
    let roles: Vec<String> = admin
        .query("SELECT role FROM bangfu.commands ORDER BY number", &[])
        .expect("log")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        roles[1..],
        [d.gongnong.clone(), d.gongnong.clone(), d.gongnong.clone()]
    );
    // Another township's household is not there for it to deliver to.
    let theirs = d.w.gbk(
        "七月帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n2003年6月4日,M2,H3,送温暖,70,\n",
    );
    // Said as out of this login's sight, with no near id of its own
    // township to book the row on instead (clerk review, finding 3).
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&theirs)]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("no household of 工农乡 has the id or head \"H3\" (this login sees only 工农乡's households); if it is another township's household, it is not this login's to write")
            && !err.contains("did you mean"),
        "{err}"
    );
    let (code, out, err) = run(&d.w, &url, &["--lang", "zh", "show", "household", "H3"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("工农乡没有户编号或户主为“H3”的贫困户（此登录名只能看到工农乡的贫困户）；如该户属于其他乡镇，不能用此登录名导入，请交区里办理")
            && !err.contains("是不是要找"),
        "{err}"
    );
    // The district's login is still told of the nearest.
    let (_, _, err) = run(&d.w, &d.server.url.clone(), &["show", "household", "H33"]);
    assert!(
        err.contains("no household has the id or head \"H33\"; did you mean"),
        "{err}"
    );
    assert_eq!(count(&mut admin, "bangfu.deliveries"), 6);
    // The new version of the district's roster ledger, as this township
    // sees it: what it no longer lists of its own households is removed,
    // the other township's are not its to drop.
    std::fs::create_dir_all(d.w.path("new")).expect("folder");
    let version = d.w.gbk(
        "new/贫困户.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH1,张三,工农乡,新村,贫困\nH2,李四,工农乡,大坪村,贫困\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", "--replace", path_str(&version)]);
    assert_eq!(code, Some(0), "{out}{err}");
    let removed: Vec<String> = admin
        .query(
            "SELECT id FROM bangfu.households WHERE removed = 1 ORDER BY id",
            &[],
        )
        .expect("removed")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(removed, ["H5"]);
    let held: i64 = admin
        .query_one(
            "SELECT count(*) FROM bangfu.holds h JOIN bangfu.ledgers l ON l.key = h.ledger
             WHERE l.name = '贫困户' AND h.kind = 0",
            &[],
        )
        .expect("holds")
        .get(0);
    assert_eq!(held, 4, "H1, H2 and the other township's H3, H4");
    let mut x = d.server.as_role(&d.xiangyang);
    assert_eq!(households(&mut x), ["H3", "H4"]);
    assert_eq!(count(&mut x, "deliveries"), 2);
    assert_eq!(count(&mut x, "history"), 0);
}

#[test]
fn a_township_role_undoes_its_own_import_and_not_anothers() {
    let Some(d) = district() else { return };
    let url = d.server.url_of(&d.gongnong);
    let own = d.w.gbk(
        "新增贫困户.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH1,张三,工农乡,新村,贫困\nH8,郑八,工农乡,红旗村,贫困\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&own)]);
    assert_eq!(code, Some(0), "{out}{err}");
    let mut admin = d.server.client();
    let before = |admin: &mut Client| -> Vec<String> {
        admin
            .query(
                "SELECT id || ' ' || coalesce(village, '') FROM bangfu.households ORDER BY id",
                &[],
            )
            .expect("households")
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let changed = before(&mut admin);
    assert!(changed.contains(&"H1 新村".to_string()), "{changed:?}");
    // Its own import, taken back.
    let (code, out, err) = run(&d.w, &url, &["undo", "2"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let undone = before(&mut admin);
    assert_eq!(
        undone,
        [
            "H1 红旗村",
            "H2 大坪村",
            "H3 向阳社区",
            "H4 向阳社区",
            "H5 大坪村"
        ]
    );
    // The admin's import: another login's, refused as that, a dry run
    // too, and nothing of it is taken back (clerk review, finding 11: it
    // was said as a household moved away).
    let admin_role = d
        .server
        .base
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(user, _)| user.to_string())
        .expect("the admin's name");
    for args in [&["undo", "1"][..], &["undo", "1", "--dry-run"]] {
        let (code, out, err) = run(&d.w, &url, args);
        assert_eq!(code, Some(1), "{out}{err}");
        assert!(
            err.contains(&format!(
                "import 1 was made by the login {admin_role}: this login undoes only its own imports; nothing was changed"
            )),
            "{err}"
        );
    }
    let (_, _, err) = run(&d.w, &url, &["--lang", "zh", "undo", "1"]);
    assert!(
        err.contains(&format!(
            "第1次导入是登录名 {admin_role} 做的，此登录名只能撤销自己的导入"
        )),
        "{err}"
    );
    assert_eq!(before(&mut admin), undone);
    assert_eq!(count(&mut admin, "bangfu.deliveries"), 4);
}

/// The shared bookkeeping — ledgers, the per-file log, the log's entries,
/// members' history and dropped holds — is the district's to change: a
/// township's login, with SQL of its own over its login, can neither
/// rename a ledger (so that `--replace` keeps rows its sheet dropped), nor
/// change another's log entry or its role, nor take back a member's
/// history or a dropped member hold (attacker review, findings 01, 03,
/// 08, 09). It still reads them all.
#[test]
fn a_township_role_cannot_change_the_shared_bookkeeping() {
    let Some(d) = district() else { return };
    // A member's history and a dropped member hold, as the district's
    // imports leave them: so that each write below has a row to reach.
    let mut admin = d.server.client();
    admin
        .batch_execute(
            "INSERT INTO bangfu.history (kind, record, field, command, day, old, new)
                 SELECT 1, key, 'unit', 1, 12000, '区委', unit FROM bangfu.members WHERE id = 'M1';
             INSERT INTO bangfu.undo_holds (command, kind, record, ledger, added)
                 SELECT 1, 1, key, (SELECT min(key) FROM bangfu.ledgers), 1
                 FROM bangfu.members WHERE id = 'M2'",
        )
        .expect("plant");
    let shared = |admin: &mut postgres::Client| -> Vec<i64> {
        [
            "SELECT count(*) FROM bangfu.ledgers",
            "SELECT count(*) FROM bangfu.imports",
            "SELECT count(*) FROM bangfu.history WHERE kind = 1 AND day = 12000",
            "SELECT count(*) FROM bangfu.undo_holds WHERE kind = 1",
        ]
        .iter()
        .map(|q| admin.query_one(*q, &[]).expect(q).get(0))
        .collect()
    };
    let before_writes = shared(&mut admin);
    assert!(before_writes.iter().all(|n| *n > 0), "{before_writes:?}");
    let mut g = d.server.as_role(&d.gongnong);
    for (sql, what) in [
        ("UPDATE ledgers SET name = name || 'x'", "ledgers"),
        ("DELETE FROM ledgers", "ledgers"),
        ("UPDATE imports SET new = 0", "the per-file log"),
        ("DELETE FROM imports", "the per-file log"),
        ("DELETE FROM history WHERE kind = 1", "members' history"),
        (
            "UPDATE history SET day = 0 WHERE kind = 1",
            "members' history",
        ),
        (
            "DELETE FROM undo_holds WHERE kind = 1",
            "dropped member holds",
        ),
    ] {
        let changed = g.execute(sql, &[]).unwrap_or(0);
        assert_eq!(changed, 0, "{what}: {sql}");
    }
    for sql in [
        "UPDATE commands SET undone = 'now' WHERE number = 1",
        "UPDATE commands SET undone = 'now', role = current_user WHERE number = 1",
    ] {
        refused(&mut g, sql);
    }
    assert_eq!(
        shared(&mut admin),
        before_writes,
        "changed by a township's login"
    );
    assert_eq!(
        admin
            .query_one(
                "SELECT count(*) FROM bangfu.ledgers WHERE name LIKE '%x'",
                &[]
            )
            .expect("ledgers")
            .get::<_, i64>(0),
        0
    );
    // A made-up undo row under another township's delivery's key, with a
    // household of its own (attacker review, finding 02: the holds' check
    // then let it hold that delivery).
    let theirs: i64 = admin
        .query_one(
            "SELECT d.key FROM bangfu.deliveries d JOIN bangfu.households h ON h.key = d.household
             WHERE h.id = 'H3' LIMIT 1",
            &[],
        )
        .expect("H3's delivery")
        .get(0);
    let (own, member): (i64, i64) = {
        let r = admin
            .query_one(
                "SELECT h.key, (SELECT key FROM bangfu.members WHERE id = 'M1')
                 FROM bangfu.households h WHERE h.id = 'H1'",
                &[],
            )
            .expect("H1");
        (r.get(0), r.get(1))
    };
    refused(
        &mut g,
        &format!(
            "INSERT INTO undo_deliveries (command, key, removed, day, fingerprint, occurrence,
                 member, household, category, goods, cash, added)
             VALUES (99, {theirs}, 1, 12000, 1, 1, {member}, {own}, 0, 0, 0, 0)"
        ),
    );
    let undone: Option<String> = admin
        .query_one("SELECT undone FROM bangfu.commands WHERE number = 1", &[])
        .expect("log")
        .get(0);
    assert_eq!(undone, None);
    assert!(count(&mut g, "ledgers") > 0 && count(&mut g, "imports") > 0);
}

/// A township's login cannot undo its import once part of it is out of
/// its sight (a household moved to another township since): undone by it,
/// the rest would have stayed counted with exit 0 (attacker review,
/// finding 04). The district's login can.
#[test]
fn a_township_role_cannot_undo_an_import_part_of_which_it_no_longer_sees() {
    let Some(d) = district() else { return };
    let url = d.server.url_of(&d.gongnong);
    let deliveries = d.w.gbk(
        "六月帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n2003年6月2日,M1,H1,送温暖,50,\n2003年6月3日,M1,H2,送温暖,60,\n",
    );
    let (code, out, err) = run(&d.w, &url, &["import", path_str(&deliveries)]);
    assert_eq!(code, Some(0), "{out}{err}");
    let mut admin = d.server.client();
    let n: i64 = admin
        .query_one("SELECT max(number) FROM bangfu.commands", &[])
        .expect("log")
        .get(0);
    admin
        .batch_execute("UPDATE bangfu.households SET township = '向阳街道' WHERE id = 'H1'")
        .expect("move H1");
    let before = count(&mut admin, "bangfu.deliveries");
    let (code, out, err) = run(&d.w, &url, &["--lang", "zh", "undo", &n.to_string()]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("此登录名不能撤销") && err.contains("什么也没有改动"),
        "{err}"
    );
    assert_eq!(count(&mut admin, "bangfu.deliveries"), before);
    let (code, out, err) = run(&d.w, &d.server.url.clone(), &["undo", &n.to_string()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(count(&mut admin, "bangfu.deliveries"), before - 2);
}

/// Keys are reused after the newest delivery is deleted (as SQLite's
/// rowid): a township's `--replace` deletes its newest delivery, another
/// township's next import takes that key. The first township's undo of
/// its `--replace` is refused, as the district's is, for the later import
/// that took the place, which is another login's to undo — not stopped by
/// the server as a write of another township's records (attacker review,
/// finding 10) — and nothing changes.
#[test]
fn a_township_undo_after_another_township_took_a_freed_key_is_refused_for_that_import() {
    let Some(d) = district() else { return };
    let g = d.server.url_of(&d.gongnong);
    let x = d.server.url_of(&d.xiangyang);
    let sheet = |name: &str, rows: &str| {
        let path = d.w.gbk(
            name,
            &format!("日期,帮扶人,户编号,类别,物资（元）,资金（元）\n{rows}"),
        );
        path_str(&path).to_string()
    };
    let two = sheet(
        "七月.csv",
        "2003年6月1日,M1,H1,送温暖,100,\n2003年6月2日,M1,H1,送温暖,200,\n",
    );
    let one = sheet("七月改.csv", "2003年6月1日,M1,H1,送温暖,100,\n");
    let theirs = sheet("向阳七月.csv", "2003年6月5日,M3,H4,送政策,7,\n");
    for (url, args) in [
        (&g, vec!["import", "--ledger", "K", &two]),
        (
            &g,
            vec!["import", "--ledger", "K", "--replace", "--force", &one],
        ),
        (&x, vec!["import", "--ledger", "W", &theirs]),
    ] {
        let (code, out, err) = run(&d.w, url, &args);
        assert_eq!(code, Some(0), "{args:?}: {out}{err}");
    }
    let mut admin = d.server.client();
    let reused: i64 = admin
        .query_one(
            "SELECT count(*) FROM bangfu.deliveries d JOIN bangfu.undo_deliveries u ON u.key = d.key
             WHERE u.command = 3",
            &[],
        )
        .expect("keys")
        .get(0);
    assert_eq!(
        reused, 1,
        "the other township's delivery took the freed key"
    );
    let state = |admin: &mut Client| -> Vec<String> {
        admin
            .query(
                "SELECT 'd' || key || ':' || household || ':' || added FROM bangfu.deliveries
                 UNION ALL SELECT 'h' || kind || ':' || record || ':' || ledger FROM bangfu.holds
                 UNION ALL SELECT 'u' || command || ':' || key FROM bangfu.undo_deliveries
                 UNION ALL SELECT 'c' || number || ':' || coalesce(undone, '') FROM bangfu.commands
                 ORDER BY 1",
                &[],
            )
            .expect("state")
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let before = state(&mut admin);
    let (want_code, _, want) = run(&d.w, &d.server.url.clone(), &["undo", "3", "--dry-run"]);
    assert_eq!(want_code, Some(1), "{want}");
    assert!(want.contains("later import 4"), "{want}");
    for lang in ["en", "zh"] {
        let (code, out, err) = run(&d.w, &g, &["--lang", lang, "undo", "3"]);
        assert_eq!(code, Some(1), "{out}{err}");
        let said = match lang {
            "en" => &format!("import 3 cannot be undone: later import 4 changed, removed, newly held or listed again records it added or changed, or took their places; they are to be undone first, and some are other logins' (4 by {}), which this login may not undo", d.xiangyang),
            _ => &format!("第3次导入不能撤销：其后的第4次导入又用到了它导入或改动的记录，要先撤销；其中有其他登录名做的导入（第4次由 {}），此登录名不能撤销", d.xiangyang),
        };
        assert!(
            err.contains(said) && !err.contains("服务器拒绝") && !err.contains("server refused"),
            "{err}"
        );
    }
    let (_, _, admins) = run(&d.w, &d.server.url.clone(), &["undo", "3", "--dry-run"]);
    assert_eq!(admins, want);
    assert_eq!(state(&mut admin), before, "nothing changed");
}

/// A login writes the households of its township now and reads every
/// household ever in it; the reports date each delivery by its day's
/// township (contract §11): after the district moves H4 from 向阳街道 to
/// 工农乡, 工农乡's login reads H4's whole record, its past visits
/// included, but counts none of 向阳街道's past in its totals (they equal
/// the district's `--township 工农乡`; attacker review, finding 07, where
/// they showed a 向阳街道 row); 向阳街道's login still reads H4 and counts
/// its past visit, as the district's `--township 向阳街道` does (clerk
/// review 2, finding 1, where it lost it).
#[test]
fn after_a_household_moves_its_new_township_reads_its_past_and_counts_only_its_own() {
    let Some(d) = district() else { return };
    let admin = d.server.url.clone();
    let (g, x) = (d.server.url_of(&d.gongnong), d.server.url_of(&d.xiangyang));
    let moved = d.w.gbk(
        "迁移.csv",
        "户编号,户主,乡镇,村,脱贫状态\nH4,赵大,工农乡,大坪村,贫困\n",
    );
    let (code, out, err) = run(
        &d.w,
        &admin,
        &["import", "--ledger", "迁移", path_str(&moved)],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    // H4's visit of 2003-06-01 was 向阳街道's (the move is dated today).
    let (code, card, err) = run(&d.w, &g, &["show", "household", "H4", "--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        card.contains("2003-06-01") && card.contains("80.00"),
        "{card}"
    );
    let by_township = ["totals", "--by", "township", "--format", "csv"];
    let (_, own, _) = run(&d.w, &g, &by_township);
    let mut district = by_township.to_vec();
    district.extend(["--township", GONGNONG]);
    let (_, want, _) = run(&d.w, &admin, &district);
    assert_eq!(own, want);
    assert!(!own.contains(XIANGYANG) && !own.contains("80.00"), "{own}");
    // The old township's login reads H4 and its past still, and counts
    // the visit of its day, as the district's report of 向阳街道 does.
    let (code, old_card, err) = run(&d.w, &x, &["show", "household", "H4", "--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(old_card, card);
    let (_, theirs, _) = run(&d.w, &x, &by_township);
    let mut district = by_township.to_vec();
    district.extend(["--township", XIANGYANG]);
    let (_, districts, _) = run(&d.w, &admin, &district);
    assert_eq!(theirs, districts);
    assert!(districts.contains("580.00"), "{districts}");
}
