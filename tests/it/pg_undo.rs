//! End-to-end: `bangfu undo N [--dry-run]` on a PostgreSQL server says and
//! does what it does on a SQLite file (contract §8, §9): the same exit
//! status, stdout and stderr, and afterwards the same rows in every table.
//!
//! Each state is built by importing clerks' files into a SQLite file, and
//! then copied, every table, into a new database on the test server
//! (`BANGFU_TEST_PG`, see .ci/postgres; without it the tests say
//! "skipped"). The same undos then run against both, one after the other,
//! and each outcome and each database are compared.

use crate::common::{id_number, path_str, PgDatabase as Server, Workdir};

/// A database of its own on the test server; `None` (the test says
/// "skipped") without one.
fn new_server() -> Option<Server> {
    Server::on_server("pg_undo", "pg_undo's tests")
}

/// bangfu's schema made on `server`, and every row of the SQLite file of
/// `w` copied into it.
fn copy_to(w: &Workdir, server: &Server) {
    crate::common::copy_file_to_server(&w.db(), &server.url);
}

/// The server's log given the file's times of undoing: the two undos of
/// one import ran a second apart, maybe, and what the log says of them
/// after is to be the same.
fn same_undo_times(w: &Workdir, server: &Server) {
    let file = rusqlite::Connection::open(w.db()).expect("open db");
    let undone: Vec<(i64, String)> = file
        .prepare("SELECT number, undone FROM commands WHERE undone IS NOT NULL")
        .expect("log")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("log")
        .collect::<Result<_, _>>()
        .expect("log");
    let conn = server.conn();
    for (number, at) in undone {
        conn.execute(
            "UPDATE commands SET undone = ?2 WHERE number = ?1 AND undone IS NOT NULL",
            bangfu::args![number, at],
        )
        .expect("log");
    }
}

/// Every row of every table of the file of `w`, and of `server`.
fn dumps(w: &Workdir, server: &Server) -> (String, String) {
    crate::common::dump_file_and_server(&w.db(), &server.url)
}

/// `bangfu ARGS` against the file, or with `--db URL` against the server:
/// exit status, stdout, stderr.
fn run(w: &Workdir, server: Option<&Server>, args: &[&str]) -> (Option<i32>, String, String) {
    // The file, also when the suite's own databases are on a server.
    let file = w.db();
    let db = server.map_or_else(|| path_str(&file).to_string(), |s| s.url.clone());
    crate::common::run_on(w, &db, args)
}

/// The state `w`'s file holds copied to a server; then each of `undos`
/// (arguments, the exit status expected) run against the file and the
/// server: the same outcome, and the same rows after it. The outcomes,
/// for the caller to look at further.
fn same_on_both(w: &Workdir, undos: &[(&[&str], i32)]) -> Vec<(String, String)> {
    let Some(server) = new_server() else {
        return Vec::new();
    };
    copy_to(w, &server);
    let (file, copied) = dumps(w, &server);
    assert_eq!(copied, file, "the copy");
    let mut outcomes = Vec::new();
    for (args, code) in undos {
        let before = dumps(w, &server).0;
        let on_file = run(w, None, args);
        let on_server = run(w, Some(&server), args);
        assert_eq!(on_file.0, Some(*code), "{args:?} on the file: {on_file:?}");
        assert_eq!(on_server, on_file, "{args:?}: the server, the file");
        same_undo_times(w, &server);
        let (after, on_server) = dumps(w, &server);
        assert_eq!(on_server, after, "{args:?}: the rows");
        if *code != 0 || args.contains(&"--dry-run") {
            assert_eq!(after, before, "{args:?} wrote");
        } else {
            assert_ne!(after, before, "{args:?} changed nothing");
        }
        outcomes.push((on_file.1, on_file.2));
    }
    outcomes
}

/// Run bangfu on the file; assert the exit status.
fn on_file(w: &Workdir, args: &[&str], code: i32) {
    let out = run(w, None, args);
    assert_eq!(out.0, Some(code), "{args:?}: {out:?}");
}

/// A township's rosters as its clerk exports them: GBK, Chinese headers,
/// dates written out in Chinese, a phone, sizes; imported (import 1).
fn district(w: &Workdir) {
    let households = w.gbk(
        "贫困户.csv",
        &format!(
            "户编号,户主,身份证号,乡镇,村,人口,致贫原因,状态,电话\r\n\
             H1,张三,{},工农乡,红旗村,3,因病,贫困,13812345678\r\n\
             H2,李四,{},工农乡,大坪村,,缺技术,贫困,\r\n\
             H3,王五,,向阳街道,向阳社区,2,因学,已脱贫,\r\n",
            id_number(1),
            id_number(2)
        ),
    );
    let members = w.gbk(
        "帮扶人.csv",
        "编号,姓名,单位\r\nM1,赵六,区财政局\r\nM2,钱七,区教育局\r\n",
    );
    let pairings = w.gbk(
        "结对.csv",
        "帮扶人,贫困户,开始日期\r\nM1,H1,2001年1月1日\r\nM1,H2,2001年1月1日\r\nM2,H3,2001年2月1日\r\n",
    );
    on_file(
        w,
        &[
            "import",
            path_str(&households),
            path_str(&members),
            path_str(&pairings),
        ],
        0,
    );
}

/// A month's deliveries, two of them identical.
const DELIVERIES: &str = "日期,帮扶人,贫困户,类别,物资,资金,备注\r\n\
    2003年3月5日,M1,H1,送温暖,800,0,米和油\r\n\
    2003年3月5日,M1,H1,送温暖,800,0,米和油\r\n\
    2003年3月6日,M1,H2,送政策,0,0,\r\n\
    2003年4月2日,M2,H3,送科技,0,1500,\r\n";

#[test]
fn undoing_deliveries_and_then_the_rosters_is_the_same_on_a_server() {
    let w = Workdir::new();
    district(&w);
    let deliveries = w.gbk("帮扶记录.csv", DELIVERIES);
    on_file(&w, &["import", path_str(&deliveries)], 0);
    let said = same_on_both(
        &w,
        &[
            (&["undo", "2", "--dry-run"], 0),
            (&["--lang", "zh", "undo", "2", "--dry-run"], 0),
            (&["undo", "2"], 0),
            (&["undo", "2"], 1),
            (&["--lang", "zh", "undo", "2"], 1),
            (&["undo", "7"], 2),
            (&["--lang", "zh", "undo", "0"], 2),
            // The first import: the database is left without records.
            (&["undo", "1", "--dry-run"], 0),
            (&["undo", "1"], 0),
        ],
    );
    if let Some((out, _)) = said.get(2) {
        assert!(out.contains("deliveries: 4 deleted"), "{out}");
    }
    if let Some((_, err)) = said.get(5) {
        assert!(err.contains("imports 1 to 2"), "{err}");
    }
}

#[test]
fn corrections_to_the_rosters_go_back_field_by_field_on_a_server() {
    // Import 2 corrects H1 (village, size to none, phone, ID number),
    // lifts H2 out of poverty on a date, gives H3 a size, and — the
    // members' ledger replaced — takes M2 off the roster; import 3 ends a
    // pairing. Text, integers, dates and empty values all go back.
    let w = Workdir::new();
    district(&w);
    let households = w.gbk(
        "贫困户.csv",
        &format!(
            "户编号,户主,身份证号,乡镇,村,人口,致贫原因,状态,脱贫日期,电话\r\n\
             H1,张三,{},工农乡,青山村,,因病,贫困,,13900001111\r\n\
             H2,李四,{},工农乡,大坪村,,缺技术,已脱贫,2003年5月1日,\r\n\
             H3,王五,,向阳街道,向阳社区,4,因学,已脱贫,,\r\n",
            id_number(9),
            id_number(2)
        ),
    );
    let members = w.gbk("帮扶人.csv", "编号,姓名,单位\r\nM1,赵六,区农业局\r\n");
    on_file(
        &w,
        &[
            "import",
            "--replace",
            "--force",
            path_str(&households),
            path_str(&members),
        ],
        0,
    );
    let ended = w.gbk(
        "结对.csv",
        "帮扶人,贫困户,开始日期,结束日期\r\nM1,H1,2001年1月1日,2003年6月1日\r\n",
    );
    on_file(&w, &["import", path_str(&ended)], 0);
    same_on_both(
        &w,
        &[
            (&["undo", "3", "--dry-run"], 0),
            (&["undo", "2", "--dry-run"], 0),
            (&["--lang", "zh", "undo", "2", "--dry-run"], 0),
            (&["undo", "2"], 0),
            (&["undo", "3"], 0),
        ],
    );
}

#[test]
fn a_later_import_building_on_what_the_import_added_blocks_it_on_a_server() {
    let w = Workdir::new();
    district(&w);
    let newcomer = w.gbk(
        "新增贫困户.csv",
        "户编号,户主,乡镇,村,状态\r\nH4,孙八,工农乡,红旗村,贫困\r\n",
    );
    on_file(&w, &["import", path_str(&newcomer)], 0);
    let april = w.gbk(
        "四月帮扶记录.csv",
        "日期,帮扶人,贫困户,类别,物资\r\n2003年4月9日,M1,H4,送温暖,300\r\n",
    );
    on_file(&w, &["import", path_str(&april)], 0);
    // The same file again (import 4) lists import 3's rows unchanged.
    on_file(&w, &["import", path_str(&april)], 0);
    let said = same_on_both(
        &w,
        &[
            (&["undo", "2"], 1),
            (&["--lang", "zh", "undo", "2", "--dry-run"], 1),
            (&["undo", "3"], 1),
            (&["undo", "4"], 0),
            (&["undo", "3"], 0),
            (&["undo", "2"], 0),
        ],
    );
    if let Some((_, err)) = said.first() {
        assert!(err.contains("later import 3 "), "{err}");
    }
}

/// Rosters for the refusals of a restore meeting a later row (import 1).
fn roster(w: &Workdir) {
    let h = w.utf8(
        "households.csv",
        "户编号,户主,乡镇,村\nH1,张三,工农乡,红旗村\nH2,李四,工农乡,红旗村\nH3,王五,向阳街道,向阳社区\n",
    );
    let m = w.utf8(
        "members.csv",
        "编号,姓名,单位\nM1,赵六,区财政局\nM2,钱七,区教育局\n",
    );
    on_file(w, &["import", path_str(&h), path_str(&m)], 0);
}

/// Import 2 adds three rows to ledger A, import 3 (`--replace`) deletes
/// the first, import 4 (ledger B) adds `again` in its place: undoing 3
/// would put the old row back where the new one is.
fn deleted_then_listed_again(w: &Workdir, header: &str, rows: [&str; 3], again: &str) {
    roster(w);
    let [r1, r2, r3] = rows;
    let a = w.utf8("a.csv", &format!("{header}\n{r1}\n{r2}\n{r3}\n"));
    on_file(w, &["import", "--ledger", "A", path_str(&a)], 0);
    let a2 = w.utf8("a2.csv", &format!("{header}\n{r2}\n{r3}\n"));
    on_file(
        w,
        &["import", "--ledger", "A", "--replace", path_str(&a2)],
        0,
    );
    let b = w.utf8("b.csv", &format!("{header}\n{again}\n"));
    on_file(w, &["import", "--ledger", "B", path_str(&b)], 0);
}

/// The refusal of a restore that meets a later row, the same on both,
/// and then the later import undone first and the earlier after it.
fn refused_then_undone_newest_first(w: &Workdir) {
    let said = same_on_both(
        w,
        &[
            (&["undo", "3"], 1),
            (&["undo", "3", "--dry-run"], 1),
            (&["--lang", "zh", "undo", "3"], 1),
            (&["undo", "4"], 0),
            (&["undo", "3"], 0),
        ],
    );
    if let Some((_, err)) = said.first() {
        assert!(err.contains("later import 4"), "{err}");
    }
}

#[test]
fn a_restore_meeting_a_later_row_with_the_same_record_id_is_refused_on_a_server() {
    let w = Workdir::new();
    deleted_then_listed_again(
        &w,
        "记录编号,日期,帮扶人,户编号,类别,物资",
        [
            "R1,2003-03-05,M1,H1,送温暖,800",
            "R2,2003-03-06,M1,H2,送温暖,100",
            "R3,2003-03-07,M2,H1,送政策,50",
        ],
        "R1,2003-03-05,M1,H1,送温暖,880",
    );
    refused_then_undone_newest_first(&w);
}

#[test]
fn a_restore_meeting_a_later_row_in_the_same_place_is_refused_on_a_server() {
    let w = Workdir::new();
    deleted_then_listed_again(
        &w,
        "日期,帮扶人,户编号,类别,物资",
        [
            "2003-03-05,M1,H1,送温暖,800",
            "2003-03-06,M1,H2,送温暖,100",
            "2003-03-07,M2,H1,送政策,50",
        ],
        "2003-03-05,M1,H1,送温暖,800",
    );
    refused_then_undone_newest_first(&w);
}

#[test]
fn a_restore_meeting_a_later_pairing_is_refused_on_a_server() {
    let w = Workdir::new();
    deleted_then_listed_again(
        &w,
        "帮扶人编号,户编号,结对日期",
        ["M1,H1,2003-01-01", "M2,H2,2003-01-01", "M2,H3,2003-01-01"],
        "M1,H1,2003-01-01",
    );
    refused_then_undone_newest_first(&w);
}

#[test]
fn a_restore_giving_an_id_number_back_to_a_household_that_lost_it_is_refused_on_a_server() {
    let w = Workdir::new();
    let (a, b) = (id_number(7), id_number(8));
    let h1 = w.utf8(
        "h1.csv",
        &format!("户编号,户主,身份证号,乡镇\nH1,张三,{a},工农乡\nH2,李四,,工农乡\n"),
    );
    on_file(&w, &["import", "--ledger", "户", path_str(&h1)], 0);
    let h2 = w.utf8(
        "h2.csv",
        &format!("户编号,户主,身份证号,乡镇\nH1,张三,{b},工农乡\nH2,李四,,工农乡\n"),
    );
    on_file(&w, &["import", "--ledger", "户", path_str(&h2)], 0);
    let h3 = w.utf8(
        "h3.csv",
        &format!("户编号,户主,身份证号,乡镇\nH2,李四,{a},工农乡\n"),
    );
    on_file(&w, &["import", "--ledger", "户2", path_str(&h3)], 0);
    let said = same_on_both(
        &w,
        &[
            (&["undo", "2"], 1),
            (&["--lang", "zh", "undo", "2", "--dry-run"], 1),
            (&["undo", "3"], 0),
            (&["undo", "2"], 0),
        ],
    );
    if let Some((_, err)) = said.first() {
        assert!(err.contains("later import 3"), "{err}");
    }
}

#[test]
fn an_import_an_older_bangfu_made_is_refused_on_a_server_too() {
    let w = Workdir::new();
    district(&w);
    rusqlite::Connection::open(w.db())
        .expect("open db")
        .execute("UPDATE commands SET undoable = 0", [])
        .expect("mark");
    same_on_both(
        &w,
        &[
            (&["undo", "1"], 1),
            (&["--lang", "zh", "undo", "1", "--dry-run"], 1),
        ],
    );
}

#[test]
fn a_dry_run_on_a_server_waits_for_the_write_lock_and_reads_what_was_committed_under_it() {
    // Another bangfu holds the write lock (an import, say) and undoes
    // import 2 meanwhile: the dry run waits, and then says what is true
    // once it has the lock — that import 2 is undone — not what it would
    // have read before.
    let w = Workdir::new();
    district(&w);
    let deliveries = w.gbk("帮扶记录.csv", DELIVERIES);
    on_file(&w, &["import", path_str(&deliveries)], 0);
    let Some(server) = new_server() else {
        return;
    };
    copy_to(&w, &server);
    let writer = server.conn();
    writer.begin_write().expect("the write lock");
    writer
        .batch("UPDATE commands SET undone = '2003-06-30T17:02:00+08:00' WHERE number = 2")
        .expect("undone");
    // Workdir's command, spawned (assert_cmd's only runs to the end).
    let mut dry_run = std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
        .current_dir(w.dir.path())
        .env("BANGFU_TODAY", crate::common::TODAY)
        .env("TZ", "Asia/Shanghai")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .args(["--db", &server.url, "undo", "2", "--dry-run"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run bangfu");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        dry_run.try_wait().expect("wait").is_none(),
        "the dry run did not wait for the write lock"
    );
    writer.commit().expect("commit");
    let out = dry_run.wait_with_output().expect("run bangfu");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("import 2 was undone already, at 2003-06-30T17:02:00+08:00"),
        "{err}"
    );
}
