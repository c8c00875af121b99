//! The findings of an outside review of `undo` and `--replace`, each as
//! the review reproduced it: an undo that would put back a row in a place a
//! later import has taken since (the same record id, the same
//! (day, fingerprint, occurrence), the same pairing, an ID number given to
//! another household) is refused naming the later import, the database
//! untouched — never a later row silently replaced, never a raw SQLite
//! error; and `--replace` of a members file leaves the ledger's pairings
//! sheet alone.

use crate::common::{path_str, scalar, Workdir, HELD};

fn setup() -> Workdir {
    let w = Workdir::new();
    let h = w.utf8(
        "households.csv",
        "户编号,户主,乡镇,村\nH1,张三,工农乡,红旗村\nH2,李四,工农乡,红旗村\nH3,王五,向阳街道,向阳社区\n",
    );
    let m = w.utf8(
        "members.csv",
        "编号,姓名,单位\nM1,赵六,区财政局\nM2,钱七,区教育局\n",
    );
    run(&w, &["import", path_str(&h), path_str(&m)], 0);
    w
}

/// Run bangfu; assert its exit status; stderr.
fn run(w: &Workdir, args: &[&str], code: i32) -> String {
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2024-06-01")
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    err
}

fn total(w: &Workdir) -> String {
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2024-06-01")
        .args(["summary", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    format!("{} {}", json["deliveries"], json["total"].as_str().unwrap())
}

/// Import 2 adds a row, import 3 (`--replace`) deletes it, import 4 (another
/// ledger) adds the same row again with 880: undoing 3 would bring the old
/// row back into the place the new one holds.
fn deleted_then_listed_again(w: &Workdir, header: &str, rows: [&str; 4]) {
    let [r1, r2, r3, r1_again] = rows;
    let a = w.utf8("a.csv", &format!("{header}\n{r1}\n{r2}\n{r3}\n"));
    run(w, &["import", "--ledger", "A", path_str(&a)], 0);
    let a2 = w.utf8("a2.csv", &format!("{header}\n{r2}\n{r3}\n"));
    run(
        w,
        &["import", "--ledger", "A", "--replace", path_str(&a2)],
        0,
    );
    let b = w.utf8("b.csv", &format!("{header}\n{r1_again}\n"));
    run(w, &["import", "--ledger", "B", path_str(&b)], 0);
}

#[test]
fn undo_never_replaces_a_later_row_with_the_same_record_id() {
    let w = setup();
    deleted_then_listed_again(
        &w,
        "记录编号,日期,帮扶人,户编号,类别,物资",
        [
            "R1,2024-03-05,M1,H1,送温暖,800",
            "R2,2024-03-06,M1,H2,送温暖,100",
            "R3,2024-03-07,M2,H1,送政策,50",
            "R1,2024-03-05,M1,H1,送温暖,880",
        ],
    );
    assert_eq!(total(&w), "3 1030.00");
    let before = w.dump();
    for args in [&["undo", "3"][..], &["undo", "3", "--dry-run"]] {
        let err = run(&w, args, 1);
        assert!(err.contains("later import 4"), "{err}");
        assert_eq!(w.dump(), before);
    }
    assert_eq!(total(&w), "3 1030.00");
}

#[test]
fn undo_never_replaces_a_later_row_in_the_same_place() {
    let w = setup();
    deleted_then_listed_again(
        &w,
        "日期,帮扶人,户编号,类别,物资",
        [
            "2024-03-05,M1,H1,送温暖,800",
            "2024-03-06,M1,H2,送温暖,100",
            "2024-03-07,M2,H1,送政策,50",
            "2024-03-05,M1,H1,送温暖,800",
        ],
    );
    assert_eq!(total(&w), "3 950.00");
    let before = w.dump();
    let err = run(&w, &["undo", "3"], 1);
    assert!(err.contains("later import 4"), "{err}");
    assert_eq!(w.dump(), before);
    // Newest first, each goes.
    run(&w, &["undo", "4"], 0);
    run(&w, &["undo", "3"], 0);
    assert_eq!(total(&w), "3 950.00");
}

#[test]
fn undo_never_replaces_a_later_pairing_of_the_same_key() {
    let w = setup();
    let pa = w.utf8(
        "pa.csv",
        "帮扶人编号,户编号,结对日期\nM1,H1,2024-01-01\nM2,H2,2024-01-01\nM2,H3,2024-01-01\n",
    );
    run(&w, &["import", "--ledger", "PA", path_str(&pa)], 0);
    let pa2 = w.utf8(
        "pa2.csv",
        "帮扶人编号,户编号,结对日期\nM2,H2,2024-01-01\nM2,H3,2024-01-01\n",
    );
    run(
        &w,
        &["import", "--ledger", "PA", "--replace", path_str(&pa2)],
        0,
    );
    let pb = w.utf8(
        "pb.csv",
        "帮扶人编号,户编号,结对日期,结束日期\nM1,H1,2024-01-01,2024-05-01\n",
    );
    run(&w, &["import", "--ledger", "PB", path_str(&pb)], 0);
    let before = w.dump();
    let err = run(&w, &["undo", "3"], 1);
    assert!(err.contains("later import 4"), "{err}");
    assert_eq!(w.dump(), before);
    assert_eq!(
        scalar(
            &w,
            "SELECT until IS NOT NULL FROM pairings WHERE member = 1 AND household = 1"
        ),
        "1"
    );
}

#[test]
fn undo_that_would_give_an_id_number_back_to_a_household_that_lost_it_is_refused_in_words() {
    let w = Workdir::new();
    let (a, b) = (crate::common::id_number(7), crate::common::id_number(8));
    let h1 = w.utf8(
        "h1.csv",
        &format!("户编号,户主,身份证号,乡镇\nH1,张三,{a},工农乡\nH2,李四,,工农乡\n"),
    );
    run(&w, &["import", "--ledger", "户", path_str(&h1)], 0);
    let h2 = w.utf8(
        "h2.csv",
        &format!("户编号,户主,身份证号,乡镇\nH1,张三,{b},工农乡\nH2,李四,,工农乡\n"),
    );
    run(&w, &["import", "--ledger", "户", path_str(&h2)], 0);
    let h3 = w.utf8(
        "h3.csv",
        &format!("户编号,户主,身份证号,乡镇\nH2,李四,{a},工农乡\n"),
    );
    run(&w, &["import", "--ledger", "户2", path_str(&h3)], 0);
    let before = w.dump();
    let err = run(&w, &["undo", "2"], 1);
    assert!(err.contains("later import 3"), "{err}");
    assert!(!err.contains("UNIQUE"), "{err}");
    let err = run(&w, &["--lang", "zh", "undo", "2"], 1);
    assert!(err.contains("第3次"), "{err}");
    assert_eq!(w.dump(), before);
}

#[test]
fn replacing_a_members_file_leaves_the_pairings_sheet_of_its_ledger_alone() {
    let w = Workdir::new();
    let h = w.utf8(
        "households.csv",
        "户编号,户主,乡镇\nH1,张三,工农乡\nH2,李四,工农乡\nH3,王五,工农乡\n",
    );
    let p = w.utf8(
        "p.csv",
        "帮扶人编号,户编号,结对日期\nM1,H1,2024-01-01\nM2,H2,2024-01-01\nM2,H3,2024-01-01\n",
    );
    let m = w.utf8(
        "m.csv",
        "编号,姓名,单位,结对户\nM1,赵六,区财政局,H1\nM2,钱七,区教育局,H2\n",
    );
    run(
        &w,
        &[
            "import",
            "--ledger",
            "台账",
            path_str(&h),
            path_str(&p),
            path_str(&m),
        ],
        0,
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM pairings"), "3");
    run(
        &w,
        &["import", "--ledger", "台账", "--replace", path_str(&m)],
        0,
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM pairings"), "3");
}

/// Every report a clerk reads, as JSON, on the review's day.
fn reports(w: &Workdir) -> Vec<String> {
    let mut all = Vec::new();
    for args in [
        &["summary"][..],
        &["totals", "--by", "category,village,status,unit"],
        &["unpaired"],
        &["overdue"],
    ] {
        let out = w
            .bangfu()
            .env("BANGFU_TODAY", "2024-06-01")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        all.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    all
}

#[test]
fn undo_of_a_replace_brings_back_what_it_removed_and_undo_of_a_move_the_village() {
    let w = setup();
    let d = w.utf8(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资\n2024-03-05,M1,H1,送温暖,800\n2024-03-06,M1,H2,送温暖,100\n2024-03-07,M2,H3,送政策,50\n",
    );
    run(&w, &["import", path_str(&d)], 0);
    let before_replace = reports(&w);
    let corrected = w.utf8(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资\n2024-03-05,M1,H1,送温暖,880\n2024-03-06,M1,H2,送温暖,100\n",
    );
    run(
        &w,
        &["import", "--replace", "--force", path_str(&corrected)],
        0,
    );
    assert_eq!(total(&w), "2 980.00");
    run(&w, &["undo", "3"], 0);
    assert_eq!(reports(&w), before_replace);
    assert_eq!(total(&w), "3 950.00");
    // A household moved to another village on 2024-06-01, then undone.
    let moved = w.utf8(
        "households.csv",
        "户编号,户主,乡镇,村\nH1,张三,工农乡,青山村\n",
    );
    run(&w, &["import", path_str(&moved)], 0);
    assert_eq!(
        scalar(&w, "SELECT village FROM households WHERE id = 'H1'"),
        "青山村"
    );
    run(&w, &["undo", "4"], 0);
    assert_eq!(
        scalar(&w, "SELECT village FROM households WHERE id = 'H1'"),
        "红旗村"
    );
    assert_eq!(reports(&w), before_replace);
}

#[test]
fn a_kill_at_any_moment_of_an_undo_leaves_all_or_nothing() {
    let mut text = String::from("日期,帮扶人,户编号,类别,物资,备注\n");
    for i in 0..30_000 {
        let day = 1 + i % 28;
        text.push_str(&format!(
            "2024-03-{day:02},M1,H{},送温暖,{},第{i}次\n",
            1 + i % 3,
            10 + i % 90
        ));
    }
    for delay_ms in [0u64, 5, 15, 40, 80, 150, 300] {
        // Each attempt on a database of its own, the import 2 in it.
        let w = setup();
        let d = w.utf8("帮扶记录.csv", &text);
        run(&w, &["import", path_str(&d)], 0);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
            .env("BANGFU_DB", w.target())
            .env("BANGFU_TODAY", "2024-06-01")
            .args(["undo", "2"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let state = (
            scalar(&w, "SELECT count(*) FROM deliveries"),
            scalar(
                &w,
                "SELECT undone IS NOT NULL FROM commands WHERE number = 2",
            ),
            scalar(&w, &format!("SELECT count(*) FROM {HELD} h WHERE kind = 3")),
        );
        let all = ("0".to_string(), "1".to_string(), "0".to_string());
        let nothing = ("30000".to_string(), "0".to_string(), "30000".to_string());
        assert!(
            state == all || state == nothing,
            "killed after {delay_ms} ms: {state:?}"
        );
        if !w.on_postgres() {
            assert_eq!(scalar(&w, "PRAGMA integrity_check"), "ok");
        }
    }
}
