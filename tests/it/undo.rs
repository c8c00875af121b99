//! End-to-end: `bangfu log` lists every import, and `bangfu undo N` takes
//! one back so that every report is what it was before it (contract §8),
//! or refuses, naming why, with the database byte for byte as it was.

use crate::bangfu_snapshot;
use crate::common::{scalar, Workdir};
use std::path::{Path, PathBuf};

/// The dimensions of `totals --by`.
const DIMS: [&str; 11] = [
    "category",
    "unit",
    "member",
    "household",
    "township",
    "village",
    "cause",
    "status",
    "year",
    "quarter",
    "month",
];

/// A township's roster as its clerk exports it from Excel: GBK, Chinese
/// headers, dates written out in Chinese.
fn district(w: &Workdir) -> [PathBuf; 3] {
    let households = w.gbk(
        "贫困户.csv",
        "户编号,户主,乡镇,村,致贫原因,状态\r\n\
         H1,张三,工农乡,红旗村,因病,贫困\r\n\
         H2,李四,工农乡,大坪村,缺技术,贫困\r\n\
         H3,王五,向阳街道,向阳社区,因学,已脱贫\r\n",
    );
    let members = w.gbk(
        "帮扶人.csv",
        "编号,姓名,单位\r\nM1,赵六,区财政局\r\nM2,钱七,区教育局\r\n",
    );
    let pairings = w.gbk(
        "结对.csv",
        "帮扶人,贫困户,开始日期\r\nM1,H1,2001年1月1日\r\nM1,H2,2001年1月1日\r\nM2,H3,2001年2月1日\r\n",
    );
    [households, members, pairings]
}

/// A month's deliveries, two of them identical (one visit entered twice
/// in the sheet is still two rows).
const DELIVERIES: &str = "日期,帮扶人,贫困户,类别,物资,资金,备注\r\n\
    2003年3月5日,M1,H1,送温暖,800,0,米和油\r\n\
    2003年3月5日,M1,H1,送温暖,800,0,米和油\r\n\
    2003年3月6日,M1,H2,送政策,0,0,\r\n\
    2003年4月2日,M2,H3,送科技,0,1500,\r\n";

/// Import `files` as a clerk does, by their names in the working folder
/// (the log keeps the path as given).
fn import(w: &Workdir, files: &[&Path]) {
    let mut args = vec!["import"];
    args.extend(files.iter().map(|f| name(f)));
    w.stdout(&args);
}

fn name(file: &Path) -> &str {
    file.file_name()
        .and_then(|n| n.to_str())
        .expect("a file name")
}

/// Every report's JSON (summary, totals by every dimension, overdue,
/// unpaired) and the records: what must be the same before an import and
/// after it is undone.
fn reports(w: &Workdir) -> Vec<(String, String)> {
    let mut all: Vec<Vec<&str>> = vec![vec!["summary"], vec!["overdue"], vec!["unpaired"]];
    all.extend(DIMS.iter().map(|d| vec!["totals", "--by", d]));
    let mut out: Vec<(String, String)> = all
        .into_iter()
        .map(|args| (args.join(" "), w.json(&args).to_string()))
        .collect();
    out.push(("records".into(), w.records()));
    out
}

/// Every row of the database but the log's (which an undo marks) and the
/// ledgers' names (which the log refers to).
fn state(w: &Workdir) -> String {
    w.dump()
        .lines()
        .filter(|l| {
            !["commands:", "imports:", "ledgers:"]
                .iter()
                .any(|t| l.starts_with(t))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Run bangfu: exit code, stdout, stderr.
fn run(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The log's times and users fixed, so that snapshots hold whatever the
/// clock and the login.
fn fix_log_times(w: &Workdir) {
    // Two digits of the number: the SQL both backends speak (no printf).
    let minute = "CASE WHEN number < 10 THEN '0' ELSE '' END || number";
    w.sql(&format!(
        r#"UPDATE commands SET at = '2003-06-30T09:' || {minute} || ':00+08:00', "user" = 'clerk';
           UPDATE commands SET undone = '2003-06-30T17:' || {minute} || ':00+08:00'
               WHERE undone IS NOT NULL;"#
    ));
}

#[test]
fn undoing_an_import_of_deliveries_gives_back_every_report_as_before_it() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    let before = reports(&w);
    let state_before = state(&w);
    let deliveries = w.gbk("帮扶记录.csv", DELIVERIES);
    import(&w, &[&deliveries]);
    let after = reports(&w);
    assert_ne!(after, before);
    assert_eq!(scalar(&w, "SELECT count(*) FROM deliveries"), "4");

    let dry = w.stdout(&["undo", "2", "--dry-run"]);
    assert!(dry.contains("deliveries: delete 4"), "{dry}");
    assert_eq!(reports(&w), after, "a dry run changed something");

    let out = w.stdout(&["undo", "2"]);
    assert!(out.contains("deliveries: 4 deleted"), "{out}");
    for ((name, was), (_, now)) in before.iter().zip(reports(&w)) {
        assert_eq!(was, &now, "{name} after undo 2");
    }
    assert_eq!(state(&w), state_before);
    assert_ne!(
        scalar(&w, "SELECT undone FROM commands WHERE number = 2"),
        "NULL"
    );
    // The log keeps the undone import, and the next import takes a new number.
    assert_eq!(scalar(&w, "SELECT count(*) FROM imports"), "4");
    import(&w, &[&deliveries]);
    assert_eq!(scalar(&w, "SELECT max(number) FROM commands"), "3");
    assert_eq!(reports(&w), after);
}

#[test]
fn undoing_an_undone_import_is_refused_and_changes_nothing() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    import(&w, &[&w.gbk("帮扶记录.csv", DELIVERIES)]);
    w.stdout(&["undo", "2"]);
    fix_log_times(&w);
    let dump = w.dump();
    bangfu_snapshot!("undo_twice_en", w, &["undo", "2"]);
    bangfu_snapshot!("undo_twice_zh", w, &["--lang", "zh", "undo", "2"]);
    assert_eq!(w.dump(), dump);
}

#[test]
fn an_import_not_in_the_log_is_refused_naming_the_numbers_there_are() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    import(&w, &[&w.gbk("帮扶记录.csv", DELIVERIES)]);
    let dump = w.dump();
    bangfu_snapshot!("undo_unknown_en", w, &["undo", "7"]);
    bangfu_snapshot!("undo_unknown_zh", w, &["--lang", "zh", "undo", "0"]);
    assert_eq!(w.dump(), dump);
    // Not a number at all: wrong usage.
    assert_eq!(run(&w, &["undo", "二"]).0, Some(2));
    assert_eq!(run(&w, &["undo", "-1"]).0, Some(2));
    // No database: nothing is created.
    let none = Workdir::new();
    assert_eq!(run(&none, &["undo", "1"]).0, Some(2));
    assert!(!none.made());
}

#[test]
fn an_import_an_older_bangfu_made_is_listed_honestly_and_not_undone() {
    crate::sqlite_only!("the upgrade of a v6 file");
    let w = Workdir::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v6/bangfu-v6.db");
    std::fs::copy(&fixture, w.db()).unwrap();
    // A dry run leaves even the old file as it is.
    let (code, _, err) = run(&w, &["undo", "4", "--dry-run"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("upgraded copy in memory"), "{err}");
    assert!(err.contains("older bangfu"), "{err}");
    assert_eq!(
        std::fs::read(w.db()).unwrap(),
        std::fs::read(&fixture).unwrap()
    );
    // The first other command upgrades the file; the log is then as it stays.
    bangfu_snapshot!("log_v6_en", w, &["log"]);
    bangfu_snapshot!("log_v6_zh", w, &["--lang", "zh", "log"]);
    let json = w.json(&["log"]);
    assert_eq!(json["rows"][0]["import"], 4);
    assert_eq!(json["rows"][0]["user"], serde_json::Value::Null);
    assert_eq!(
        json["rows"][0]["files"][0]["sha256"],
        serde_json::Value::Null
    );
    let dump = w.dump();
    bangfu_snapshot!("undo_older_en", w, &["undo", "3"]);
    bangfu_snapshot!(
        "undo_older_zh",
        w,
        &["--lang", "zh", "undo", "1", "--dry-run"]
    );
    assert_eq!(w.dump(), dump);
}

#[test]
fn a_later_import_of_the_same_ledger_that_listed_its_rows_blocks_until_undone() {
    // The April export lists March's rows unchanged. Undoing March under
    // it would delete rows a standing import's sheet lists (reports not as
    // if March had never been imported): refused, naming April; undone
    // newest first, both go.
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    let before = reports(&w);
    let deliveries = w.gbk("帮扶记录.csv", DELIVERIES);
    import(&w, &[&deliveries]);
    let after_march = reports(&w);
    import(&w, &[&deliveries]);
    assert_eq!(
        scalar(&w, "SELECT sum(unchanged) FROM imports WHERE command = 3"),
        "4"
    );
    let unchanged = w.dump();
    let out = w.bangfu().args(["undo", "2"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("later import 3"), "{err}");
    assert_eq!(w.dump(), unchanged);
    assert_eq!(reports(&w), after_march);
    // Import 3 changed nothing to undo; then March goes.
    let out = w.stdout(&["undo", "3"]);
    assert!(out.contains("change nothing"), "{out}");
    w.stdout(&["undo", "2"]);
    assert_eq!(reports(&w), before);
}

/// Whether this bangfu's imports mark the households they add with their
/// number (the rosters' writer does once ledgers land): only then can a
/// later import be seen building on them.
fn rosters_carry_their_import(w: &Workdir) -> bool {
    scalar(w, "SELECT coalesce(max(added), 0) FROM households") != "0"
}

#[test]
fn a_later_import_building_on_households_the_import_added_blocks_it() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    if !rosters_carry_their_import(&w) {
        eprintln!("skipped: imports do not mark the households they add yet");
        return;
    }
    let newcomer = w.gbk(
        "新增贫困户.csv",
        "户编号,户主,乡镇,村,状态\r\nH4,孙八,工农乡,红旗村,贫困\r\n",
    );
    import(&w, &[&newcomer]);
    import(
        &w,
        &[&w.gbk(
            "四月帮扶记录.csv",
            "日期,帮扶人,贫困户,类别,物资\r\n2003年4月9日,M1,H4,送温暖,300\r\n",
        )],
    );
    fix_log_times(&w);
    let dump = w.dump();
    bangfu_snapshot!("undo_blocked_en", w, &["undo", "2"]);
    bangfu_snapshot!("undo_blocked_zh", w, &["--lang", "zh", "undo", "2"]);
    assert_eq!(w.dump(), dump);
    w.stdout(&["undo", "3"]);
    w.stdout(&["undo", "2"]);
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM households WHERE id = 'H4'"),
        "0"
    );
}

#[test]
fn the_log_reads_its_times_in_the_readers_time_zone() {
    // Clerk review, session 20: made on a laptop set to UTC, read in
    // Beijing time, the log said +00:00.
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    w.sql("UPDATE commands SET at = '2003-06-30T01:05:00+00:00'");
    let json = w.json(&["log"]);
    assert_eq!(json["rows"][0]["at"], "2003-06-30T09:05:00+08:00");
    let out = w.bangfu().env("TZ", "UTC").args(["log"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("2003-06-30T01:05:00+00:00"));
}

#[test]
fn the_log_lists_every_import_newest_first_in_every_format() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    let deliveries = w.gbk("帮扶记录.csv", DELIVERIES);
    import(&w, &[&deliveries]);
    w.stdout(&["undo", "2"]);
    w.stdout(&["import", "--ledger", "三月台账", name(&deliveries)]);
    fix_log_times(&w);
    for format in ["table", "csv", "json", "markdown"] {
        bangfu_snapshot!(format!("log_{format}_en"), w, &["log", "--format", format]);
        bangfu_snapshot!(
            format!("log_{format}_zh"),
            w,
            &["--lang", "zh", "log", "--format", format]
        );
    }
    // --output: the format by its extension, csv with a BOM for Excel.
    w.stdout(&["--lang", "zh", "log", "--output", "导入记录.csv"]);
    let written = std::fs::read_to_string(w.path("导入记录.csv")).unwrap();
    assert!(
        written.starts_with("\u{FEFF}导入编号,时间,用户,撤销,文件"),
        "{written}"
    );
    // An import not undone can be; JSON says which were.
    let json = w.json(&["log"]);
    let undone: Vec<bool> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["undone"].as_bool().unwrap())
        .collect();
    assert_eq!(undone, [false, true, false]);
}

#[test]
fn a_file_name_that_looks_like_a_phone_number_is_masked_like_any_output() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    let file = w.gbk("13812345678.csv", DELIVERIES);
    import(&w, &[&file]);
    let table = w.stdout(&["log"]);
    assert!(table.contains("138****5678.csv"), "{table}");
    assert!(!table.contains("13812345678"), "{table}");
    let json = w.json(&["log"]).to_string();
    assert!(!json.contains("13812345678"), "{json}");
    assert!(w.stdout(&["--reveal", "log"]).contains("13812345678.csv"));
}

#[test]
fn undoing_the_first_import_empties_the_database_and_the_log_keeps_it() {
    let w = Workdir::new();
    let [h, m, p] = district(&w);
    import(&w, &[&h, &m, &p]);
    if !rosters_carry_their_import(&w) {
        eprintln!("skipped: imports do not mark the households they add yet");
        return;
    }
    // A database whose one import was undone: the log still lists it.
    w.stdout(&["undo", "1"]);
    assert_eq!(scalar(&w, "SELECT count(*) FROM households"), "0");
    assert_eq!(w.json(&["log"])["rows"].as_array().unwrap().len(), 1);
    let (code, _, err) = run(&w, &["undo", "1"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("undone already"), "{err}");
}
