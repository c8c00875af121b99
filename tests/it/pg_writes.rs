//! End-to-end, on both backends (contract §9): every import is run on a
//! SQLite file and on a fresh PostgreSQL database, and must give the same
//! exit status, stdout and stderr, and leave the same records, holds,
//! history, undo rows and log (but the log's times and users). Runs where
//! `BANGFU_TEST_PG` names a server (an admin URL, see .ci/postgres);
//! says "skipped" otherwise.

use crate::common::{id_number, Workdir};
use std::process::Output;

/// Every table the import writes, and the columns compared (the log's
/// times and users differ by design; everything else must not).
const TABLES: &[(&str, &str)] = &[
    (
        "households",
        "key, id, head, id_number, township, village, size, cause, status, lifted_on, phone, removed, added",
    ),
    ("members", "key, id, name, unit, role, phone, removed, added"),
    ("pairings", "key, member, household, since, until, added"),
    ("ledgers", "key, name"),
    ("commands", "number, day, undoable, undone"),
    (
        "imports",
        "key, file, kind, encoding, rows_read, new, updated, unchanged, skipped, rejected, command, ledger, sha256, removed",
    ),
    (
        "deliveries",
        "key, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added",
    ),
    ("holds", "kind, record, ledger, added"),
    ("history", "kind, record, field, command, day, old, new"),
    (
        "undo_deliveries",
        "command, key, removed, day, fingerprint, occurrence, id, member, household, category, goods, cash, note, added",
    ),
    (
        "undo_pairings",
        "command, key, removed, member, household, since, until, added",
    ),
    ("undo_holds", "command, kind, record, ledger, added"),
];

/// The `SELECT` of one table's compared columns, each as text, in key
/// order (every column, so the order is total).
fn select(table: &str, columns: &str) -> String {
    let cast: Vec<String> = columns
        .split(", ")
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect();
    let order: Vec<String> = (1..=cast.len()).map(|i| i.to_string()).collect();
    format!(
        "SELECT {} FROM {table} ORDER BY {}",
        cast.join(", "),
        order.join(", ")
    )
}

fn line(cells: Vec<Option<String>>) -> String {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| c.unwrap_or_else(|| "NULL".into()))
        .collect();
    cells.join("|")
}

/// A fresh database on the test server, dropped with the guard.
struct Server {
    admin: String,
    url: String,
    name: String,
}

impl Server {
    fn new() -> Option<Server> {
        let admin = std::env::var("BANGFU_TEST_PG").ok()?;
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "bangfu_pgw_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("the server");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database");
        let (base, _) = admin.rsplit_once('/')?;
        Some(Server {
            url: format!("{base}/{name}"),
            admin,
            name,
        })
    }

    /// Every compared row of every table, as text; empty without a schema.
    fn tables(&self) -> String {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).expect("connect");
        let schema: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bangfu')",
                &[],
            )
            .expect("schema")
            .get(0);
        if !schema {
            return String::new();
        }
        client
            .batch_execute("SET search_path = bangfu")
            .expect("search path");
        let mut out = String::new();
        for (table, columns) in TABLES {
            for row in client.query(&select(table, columns), &[]).expect(table) {
                let cells = (0..row.len()).map(|i| row.get(i)).collect();
                out.push_str(&format!("{table}: {}\n", line(cells)));
            }
        }
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// One working directory, its SQLite file and a PostgreSQL database: each
/// command is run on both.
struct Both {
    w: Workdir,
    pg: Server,
}

/// What one run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn of(out: &Output) -> Ran {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        // Only a file is created (and said so); a server's database is
        // there already.
        let stderr: Vec<&str> = std::str::from_utf8(&out.stderr)
            .unwrap_or("")
            .lines()
            .filter(|l| !l.starts_with("created a new database") && !l.starts_with("已新建数据库"))
            .collect();
        Ran {
            code: out.status.code(),
            stdout: text(&out.stdout),
            stderr: stderr.join("\n"),
        }
    }
}

impl Both {
    /// `None`, and "skipped" said, without a server.
    fn new() -> Option<Both> {
        let Some(pg) = Server::new() else {
            eprintln!("skipped: no PostgreSQL server (set BANGFU_TEST_PG, see .ci/postgres)");
            return None;
        };
        Some(Both {
            w: Workdir::new(),
            pg,
        })
    }

    /// `bangfu ARGS` on the file, then on the server: what each did.
    fn runs(&self, args: &[&str]) -> (Ran, Ran) {
        let run = |db: &str| {
            let out = self.w.bangfu().arg("--db").arg(db).args(args).output();
            Ran::of(&out.expect("run bangfu"))
        };
        let file = run(&self.w.db().to_string_lossy());
        let server = run(&self.pg.url);
        (file, server)
    }

    /// `bangfu ARGS` on both: the same outcome, and the same tables after
    /// it. The outcome.
    fn same(&self, args: &[&str]) -> Ran {
        let (file, server) = self.runs(args);
        assert_eq!(file, server, "bangfu {args:?}: SQLite, then PostgreSQL");
        self.same_tables();
        file
    }

    /// The SQLite file's tables, as [`Server::tables`] shows the server's.
    fn file_tables(&self) -> String {
        if !self.w.db().exists() {
            return String::new();
        }
        let conn = rusqlite::Connection::open(self.w.db()).expect("open db");
        let mut out = String::new();
        for (table, columns) in TABLES {
            let mut stmt = conn.prepare(&select(table, columns)).expect(table);
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                .expect(table);
            for row in rows {
                out.push_str(&format!("{table}: {}\n", line(row.expect(table))));
            }
        }
        out
    }

    fn same_tables(&self) {
        let (file, server) = (self.file_tables(), self.pg.tables());
        if file != server {
            let diff: Vec<String> = diff_lines(&file, &server);
            panic!(
                "the tables differ (- SQLite, + PostgreSQL):\n{}",
                diff.join("\n")
            );
        }
    }

    /// Write `rows` under `header` as a GBK CSV with CRLF lines, as Excel
    /// on Chinese Windows saves one.
    fn sheet(&self, name: &str, header: &str, rows: &[&str]) -> String {
        let mut text = format!("{header}\r\n");
        for row in rows {
            text.push_str(row);
            text.push_str("\r\n");
        }
        self.w.gbk(name, &text);
        name.to_string()
    }
}

/// The lines only one of two texts has.
fn diff_lines(a: &str, b: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out: Vec<String> = a
        .iter()
        .filter(|l| !b.contains(l))
        .map(|l| format!("- {l}"))
        .collect();
    out.extend(
        b.iter()
            .filter(|l| !a.contains(l))
            .map(|l| format!("+ {l}")),
    );
    out
}

const HOUSEHOLDS: &str = "户编号,户主,身份证号,乡镇,村,状态,脱贫日期,联系电话";
const MEMBERS: &str = "编号,姓名,单位,职务,电话";
const PAIRINGS: &str = "帮扶人,贫困户,结对日期";
const DELIVERIES: &str = "日期,帮扶人,贫困户,类别,物资,资金,内容";
const DELIVERIES_WITH_ID: &str = "记录编号,日期,帮扶人,贫困户,类别,物资,资金,内容";

/// The district in March: households of two townships, their members and
/// pairings.
fn district(b: &Both) -> [String; 3] {
    let households = b.sheet(
        "贫困户.csv",
        HOUSEHOLDS,
        &[
            &format!("H1,张三,{},工农乡,双江村,贫困,,13800138000", id_number(1)),
            &format!("H2,赵六,{},工农乡,红旗村,贫困,,", id_number(2)),
            "H3,孙七,,向阳街道,向阳社区,已脱贫,2002年12月1日,",
            "H4,周八,,向阳街道,向阳社区,贫困,,",
        ],
    );
    let members = b.sheet(
        "帮扶人.csv",
        MEMBERS,
        &[
            "M1,李四,区财政局,科员,13900139000",
            "M2,王芳,区教育局,副局长,",
        ],
    );
    let pairings = b.sheet(
        "结对.csv",
        PAIRINGS,
        &[
            "李四,张三,2001年1月1日",
            "M1,H2,2001-01-01",
            "王芳,孙七,",
            "M2,H4,2001-02-01",
        ],
    );
    [households, members, pairings]
}

impl Both {
    /// A new pair with the district imported into both.
    fn with_district() -> Option<Both> {
        let b = Both::new()?;
        let [h, m, p] = district(&b);
        b.same(&["import", &h, &m, &p]);
        Some(b)
    }
}

/// The March deliveries of both townships, one row pasted twice.
const MARCH: [&str; 5] = [
    "2003年3月5日,李四,张三,办好事实事,800,,送果苗",
    "2003-03-06,李四,赵六,送温暖,200,100,送米面油",
    "2003-03-06,李四,赵六,送温暖,200,100,送米面油",
    "2003-03-07,王芳,孙七,送政策,,50,讲解低保政策",
    "2003-03-08,王芳,周八,送温暖,300,,送棉被",
];

#[test]
fn rosters_new_updated_and_unchanged_and_deliveries_again_match() {
    let Some(b) = Both::new() else { return };
    let [h, m, p] = district(&b);
    let march = b.sheet("三月.csv", DELIVERIES, &MARCH);
    let first = b.same(&["import", &h, &m, &p, &march]);
    assert_eq!(first.code, Some(0), "{first:?}");
    // The same files again: all unchanged, nothing doubled.
    let again = b.same(&["import", &h, &m, &p, &march]);
    assert!(
        again.stdout.contains("|   0 |       0 |         5 |"),
        "{again:?}"
    );
    // A household moved and lifted, a phone changed, a pairing dated,
    // a member's unit changed; a new household and member.
    let households = b.sheet(
        "贫困户.csv",
        HOUSEHOLDS,
        &[
            &format!(
                "H1,张三,{},工农乡,红旗村,已脱贫,2003年5月1日,13800138001",
                id_number(1)
            ),
            &format!("H2,赵六,{},工农乡,红旗村,贫困,,", id_number(2)),
            "H3,孙七,,向阳街道,向阳社区,已脱贫,2002年12月1日,",
            "H4,周八,,向阳街道,向阳社区,贫困,,",
            "H5,吴九,,向阳街道,新华社区,贫困,,",
        ],
    );
    let members = b.sheet(
        "帮扶人.csv",
        MEMBERS,
        &[
            "M1,李四,区农业局,科员,13900139000",
            "M2,王芳,区教育局,局长,",
            "M3,郑十,区民政局,,",
        ],
    );
    let pairings = b.sheet(
        "结对.csv",
        PAIRINGS,
        &["王芳,孙七,2001年3月1日", "M3,H5,2003-06-01"],
    );
    let changed = b.same(&["import", &households, &members, &pairings]);
    assert_eq!(changed.code, Some(0), "{changed:?}");
    // One file changing a field twice in one import: one history row.
    let members2 = b.sheet(
        "帮扶人2.csv",
        MEMBERS,
        &["M1,李四,区财政局,科员,13900139000"],
    );
    b.same(&["import", "--ledger", "帮扶人", &members, &members2]);
    // In Chinese too.
    b.same(&["--lang", "zh", "import", &households, &members, &pairings]);
}

#[test]
fn rejected_rows_say_the_same_and_rejects_files_match() {
    let Some(b) = Both::with_district() else {
        return;
    };
    // A household id twice, an ID number another household has, a
    // member's household that is not there; deliveries naming nobody,
    // a bad date, a bad amount.
    let households = b.sheet(
        "贫困户2.csv",
        HOUSEHOLDS,
        &[
            "H6,钱一,,工农乡,双江村,贫困,,",
            "H6,钱二,,工农乡,双江村,贫困,,",
            &format!("H7,孙三,{},工农乡,双江村,贫困,,", id_number(1)),
        ],
    );
    let members = b.sheet(
        "帮扶人2.csv",
        MEMBERS,
        &["M4,刘一,区财政局,,", "M4,刘二,区财政局,,"],
    );
    let deliveries = b.sheet(
        "四月.csv",
        DELIVERIES,
        &[
            "2003-04-01,李四,张三,送温暖,100,,",
            "2003-04-02,无名,张三,送温暖,100,,",
            "2003-13-02,李四,张三,送温暖,100,,",
            "2003-04-03,李四,孙三,送温暖,abc,,",
        ],
    );
    let failed = b.same(&["import", &households, &members, &deliveries]);
    assert_eq!(failed.code, Some(1), "{failed:?}");
    assert!(
        failed.stderr.contains("H7") || failed.stderr.contains("H1"),
        "{failed:?}"
    );
    let zh = b.same(&["--lang", "zh", "import", &households, &members, &deliveries]);
    assert_eq!(zh.code, Some(1));
    // With --rejects: the valid rows land, the others go to the file,
    // alike on both (each run writes the file again).
    let rejects_of = |db: String| {
        let out =
            b.w.bangfu()
                .args(["--db", &db, "import", "--rejects", "退回.csv"])
                .args([&households, &members, &deliveries])
                .output()
                .expect("run bangfu");
        let written: Vec<Vec<u8>> = ["退回.csv", "退回.2.csv", "退回.3.csv"]
            .iter()
            .map(|name| std::fs::read(b.w.path(name)).unwrap_or_default())
            .collect();
        (Ran::of(&out), written)
    };
    let file = rejects_of(b.w.db().to_string_lossy().into_owned());
    let server = rejects_of(b.pg.url.clone());
    assert_eq!(file, server);
    assert!(file.0.stderr.contains("退回.3.csv"), "{:?}", file.0);
    assert!(file.1.iter().all(|w| !w.is_empty()));
    b.same_tables();
}

#[test]
fn an_id_number_another_household_has_is_refused_alike() {
    let Some(b) = Both::with_district() else {
        return;
    };
    let taken = b.sheet(
        "贫困户3.csv",
        HOUSEHOLDS,
        &[&format!("H9,冯五,{},工农乡,双江村,贫困,,", id_number(2))],
    );
    let out = b.same(&["import", &taken]);
    assert_eq!(out.code, Some(1), "{out:?}");
    // Given up by its household in the same file, it may move.
    let moved = b.sheet(
        "贫困户.csv",
        HOUSEHOLDS,
        &[
            &format!("H2,赵六,{},工农乡,红旗村,贫困,,", id_number(3)),
            &format!("H9,冯五,{},工农乡,双江村,贫困,,", id_number(2)),
        ],
    );
    let out = b.same(&["import", &moved]);
    assert_eq!(out.code, Some(0), "{out:?}");
}

#[test]
fn replace_refusals_and_force_match() {
    let Some(b) = Both::new() else { return };
    let [h, m, p] = district(&b);
    let march = b.sheet("帮扶记录.csv", DELIVERIES, &MARCH);
    b.same(&["import", &h, &m, &p, &march]);
    // 工农乡's own sheet of the same name: drops 向阳街道's rows, of which
    // it has none (and more than half of the ledger).
    std::fs::create_dir_all(b.w.path("工农乡")).expect("folder");
    let own = b.sheet("工农乡/帮扶记录.csv", DELIVERIES, &MARCH[..2]);
    let refused = b.same(&["import", "--replace", &own]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(refused.stderr.contains("--force"), "{refused:?}");
    // A corrected amount and a deleted row: a replace within bounds.
    let corrected = b.sheet(
        "帮扶记录.csv",
        DELIVERIES,
        &[
            MARCH[0],
            MARCH[1],
            MARCH[3],
            "2003-03-08,王芳,周八,送温暖,350,,送棉被",
        ],
    );
    let replaced = b.same(&["import", "--replace", &corrected]);
    assert_eq!(replaced.code, Some(0), "{replaced:?}");
    // The households roster replaced by one township's: refused, then
    // forced (removed households, their history).
    let roster = b.sheet(
        "贫困户.csv",
        HOUSEHOLDS,
        &[&format!(
            "H1,张三,{},工农乡,双江村,贫困,,13800138000",
            id_number(1)
        )],
    );
    let refused = b.same(&["import", "--replace", &roster]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    let forced = b.same(&["import", "--replace", "--force", &roster]);
    assert_eq!(forced.code, Some(0), "{forced:?}");
    // The pairings replaced: deleted pairings kept for undo.
    let pairings = b.sheet("结对.csv", PAIRINGS, &["李四,张三,2001年1月1日"]);
    b.same(&["import", "--replace", "--force", &pairings]);
    // Listed again, a removed household comes back.
    b.same(&["import", &h]);
    // The forced roster with --force on the other ledger's file of the same rows.
    b.same(&[
        "import",
        "--replace",
        "--force",
        "--ledger",
        "帮扶记录",
        &own,
    ]);
}

#[test]
fn a_dry_run_writes_nothing_on_either() {
    let Some(b) = Both::new() else { return };
    let [h, m, p] = district(&b);
    let march = b.sheet("三月.csv", DELIVERIES, &MARCH);
    // Into no database yet: a file is not created, nor a schema.
    let dry = b.same(&["import", "--dry-run", &h, &m, &p, &march]);
    assert_eq!(dry.code, Some(0), "{dry:?}");
    assert!(!b.w.db().exists());
    assert_eq!(b.pg.tables(), "");
    b.same(&["import", &h, &m, &p]);
    let before = b.pg.tables();
    let dry = b.same(&["import", "--dry-run", "--replace", &march]);
    assert_eq!(dry.code, Some(0), "{dry:?}");
    assert_eq!(b.pg.tables(), before);
}

#[test]
fn correction_and_other_ledger_hints_match() {
    let Some(b) = Both::new() else { return };
    let [h, m, p] = district(&b);
    let march = b.sheet("帮扶记录.csv", DELIVERIES, &MARCH);
    b.same(&["import", &h, &m, &p, &march]);
    // The sheet again with an amount corrected: a warning, both kept.
    let corrected = b.sheet(
        "帮扶记录.csv",
        DELIVERIES,
        &[
            MARCH[0],
            MARCH[1],
            MARCH[2],
            MARCH[3],
            "2003-03-08,王芳,周八,送温暖,350,,送棉被",
        ],
    );
    let warned = b.same(&["import", &corrected]);
    assert!(warned.stderr.contains("--replace"), "{warned:?}");
    b.same(&["--lang", "zh", "import", &corrected]);
    // The same rows under another name: another ledger's, says the hint;
    // with --replace, refused.
    let april = b.sheet("帮扶记录2003年4月.csv", DELIVERIES, &MARCH);
    let other = b.same(&["import", &april]);
    assert!(other.stderr.contains("--ledger"), "{other:?}");
    let april2 = b.sheet("帮扶记录2003年5月.csv", DELIVERIES, &MARCH);
    let refused = b.same(&["import", "--replace", &april2]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
}

#[test]
fn two_files_of_one_ledger_are_one_version_and_ids_match() {
    let Some(b) = Both::with_district() else {
        return;
    };
    let a = b.sheet("工农乡.csv", DELIVERIES, &MARCH[..3]);
    let c = b.sheet("向阳街道.csv", DELIVERIES, &MARCH[2..]);
    let both = b.same(&["import", "--ledger", "三月", &a, &c]);
    assert_eq!(both.code, Some(0), "{both:?}");
    // Replaced by the two files again, one row fewer: one removed.
    let c2 = b.sheet("向阳街道.csv", DELIVERIES, &MARCH[2..4]);
    let replaced = b.same(&["import", "--replace", "--ledger", "三月", &a, &c2]);
    assert!(replaced.stdout.contains("|       1 |"), "{replaced:?}");
    // Rows with their own ids: new, unchanged, changed in place (its old
    // row kept for undo), twice in one file.
    let ids = b.sheet(
        "编号记录.csv",
        DELIVERIES_WITH_ID,
        &[
            "R1,2003-04-01,李四,张三,送温暖,100,,",
            "R2,2003-04-01,李四,张三,送温暖,100,,",
            "R3,2003-04-02,王芳,孙七,送政策,,30,",
        ],
    );
    b.same(&["import", &ids]);
    let ids2 = b.sheet(
        "编号记录.csv",
        DELIVERIES_WITH_ID,
        &[
            "R1,2003-04-01,李四,张三,送温暖,100,,",
            "R2,2003-04-05,李四,赵六,送温暖,120,,改",
            "R3,2003-04-02,王芳,孙七,送政策,,30,",
            "R3,2003-04-02,王芳,孙七,送政策,,30,",
        ],
    );
    let twice = b.same(&["import", &ids2]);
    assert_eq!(twice.code, Some(1), "{twice:?}");
    let ids2 = b.sheet(
        "编号记录.csv",
        DELIVERIES_WITH_ID,
        &[
            "R1,2003-04-01,李四,张三,送温暖,100,,",
            "R2,2003-04-05,李四,赵六,送温暖,120,,改",
            "R3,2003-04-02,王芳,孙七,送政策,,30,",
        ],
    );
    let changed = b.same(&["import", &ids2]);
    assert!(
        changed.stdout.contains("|   0 |       1 |         2 |"),
        "{changed:?}"
    );
}

#[test]
fn two_imports_at_once_into_the_server_both_land_without_double_counting() {
    let Some(b) = Both::with_district() else {
        return;
    };
    // Two clerks' overlapping files, many rows, imported at the same time.
    let rows: Vec<String> = (0..400)
        .map(|i| {
            format!(
                "2003-03-{:02},李四,张三,送温暖,{},,第{i}次",
                1 + i % 28,
                100 + i
            )
        })
        .collect();
    let first: Vec<&str> = rows[..300].iter().map(String::as_str).collect();
    let second: Vec<&str> = rows[100..].iter().map(String::as_str).collect();
    let a = b.sheet("甲.csv", DELIVERIES, &first);
    let c = b.sheet("乙.csv", DELIVERIES, &second);
    let spawn = |file: &str| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"));
        cmd.current_dir(b.w.dir.path())
            .env("BANGFU_TODAY", crate::common::TODAY)
            .env("LANG", "C")
            .args(["--db", &b.pg.url, "import", file])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn bangfu")
    };
    let (one, two) = (spawn(&a), spawn(&c));
    let (one, two) = (
        one.wait_with_output().expect("bangfu"),
        two.wait_with_output().expect("bangfu"),
    );
    assert!(one.status.success(), "{one:?}");
    assert!(two.status.success(), "{two:?}");
    // Whichever came second found the 200 rows they share.
    let counts = |out: &Output| -> (u64, u64) {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let row = text
            .lines()
            .find(|l| l.contains(".csv"))
            .unwrap_or("")
            .to_string();
        let cells: Vec<u64> = row
            .split('|')
            .filter_map(|c| c.trim().parse().ok())
            .collect();
        (
            cells.get(1).copied().unwrap_or(0),
            cells.get(3).copied().unwrap_or(0),
        )
    };
    let (n1, u1) = counts(&one);
    let (n2, u2) = counts(&two);
    assert_eq!((n1 + n2, u1 + u2), (400, 200), "{one:?} {two:?}");
    let mut client = postgres::Client::connect(&b.pg.url, postgres::NoTls).expect("connect");
    let stored: i64 = client
        .query_one("SELECT count(*) FROM bangfu.deliveries", &[])
        .expect("count")
        .get(0);
    assert_eq!(stored, 400);
    let logged: i64 = client
        .query_one(
            "SELECT count(DISTINCT number) FROM bangfu.commands WHERE at <> ''",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(logged, 3);
    // The same files one after the other into the SQLite file, in the
    // order they landed: the same tables.
    let order = if n1 == 300 { [&a, &c] } else { [&c, &a] };
    for file in order {
        let db = b.w.db().to_string_lossy().into_owned();
        let out = b.w.bangfu().args(["--db", &db, "import", file]).output();
        assert!(out.expect("run bangfu").status.success());
    }
    b.same_tables();
}

#[test]
fn a_delivery_whose_place_another_id_holds_takes_the_next_alike() {
    // Two ids with one 64-bit hash are not to be found: the test plants
    // rows at the places R1 will want, on the day it is new and on the day
    // it moves to, on both backends. (A write that fails on the place
    // would end the PostgreSQL transaction: the free place is asked first.)
    let Some(b) = Both::with_district() else {
        return;
    };
    let hash = bangfu::store::write::id_fingerprint("R1");
    let (march_5, march_9) = (11386_i64, 11390_i64);
    let plant = "INSERT INTO deliveries (day, fingerprint, occurrence, id, member, household, category, goods)
                 VALUES ($1, $3, 0, 'OTHER1', 1, 1, 4, 100), ($2, $3, 0, 'OTHER2', 1, 1, 4, 200)";
    let file = rusqlite::Connection::open(b.w.db()).expect("open db");
    file.execute(
        &plant.replace('$', "?"),
        rusqlite::params![march_5, march_9, hash],
    )
    .expect("plant");
    file.execute("UPDATE seal SET deliveries = deliveries + 2", [])
        .expect("seal");
    let mut server = postgres::Client::connect(&b.pg.url, postgres::NoTls).expect("connect");
    server
        .batch_execute("SET search_path = bangfu")
        .expect("search path");
    server
        .execute(plant, &[&march_5, &march_9, &hash])
        .expect("plant");
    b.same_tables();
    let v1 = b.sheet(
        "v1.csv",
        DELIVERIES_WITH_ID,
        &["R1,2001年3月5日,李四,张三,送温暖,50,,"],
    );
    let new = b.same(&["import", &v1]);
    assert!(new.stdout.contains("|    1 |   1 |       0 |"), "{new:?}");
    let v2 = b.sheet(
        "v1.csv",
        DELIVERIES_WITH_ID,
        &["R1,2001-03-09,李四,张三,送温暖,50,,"],
    );
    let moved = b.same(&["import", &v2]);
    assert!(
        moved.stdout.contains("|    1 |   0 |       1 |"),
        "{moved:?}"
    );
    let place: (i64, i64) = {
        let row = server
            .query_one(
                "SELECT day, occurrence FROM deliveries WHERE id = 'R1'",
                &[],
            )
            .expect("R1");
        (row.get(0), row.get(1))
    };
    assert_eq!(place, (march_9, -1));
}
