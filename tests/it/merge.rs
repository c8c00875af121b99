//! End-to-end: `bangfu import OTHER.db` (contract §9). Two townships keep
//! their own files month by month; the district merges them into its
//! database, and every report on it is what importing the same sheets
//! directly gives — figures, the history reports date by, the ledgers.
//! Merging again changes nothing; a township's next month imported into
//! the district after its file was merged counts nothing twice; a file of
//! an older bangfu merges from a copy upgraded in memory, itself untouched.

use crate::common::{scalar, Workdir, HELD};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const HOUSEHOLDS: &str = "户编号,户主,乡镇,村,状态,脱贫日期\n";
const MEMBERS: &str = "编号,姓名,单位\n";
const PAIRINGS: &str = "帮扶人,贫困户,开始日期\n";
const DELIVERIES: &str = "日期,帮扶人,贫困户,类别,物资,资金,内容\n";

/// Write `header` and `rows` as a GBK CSV with CRLF lines, as Excel on
/// Chinese Windows saves one (folders made); the path as given.
fn sheet(w: &Workdir, path: &str, header: &str, rows: &[&str]) -> String {
    if let Some(dir) = Path::new(path).parent() {
        std::fs::create_dir_all(w.path(&dir.to_string_lossy())).expect("folder");
    }
    let mut text = header.replace('\n', "\r\n");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    w.gbk(path, &text);
    path.to_string()
}

/// Run `bangfu ARGS` on `day`.
fn run_on(w: &Workdir, day: &str, args: &[&str]) -> Output {
    let out = w.bangfu().env("BANGFU_TODAY", day).args(args).output();
    out.expect("run bangfu")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run `bangfu ARGS` on `day`, asserting success: stdout.
fn ok_on(w: &Workdir, day: &str, args: &[&str]) -> String {
    let out = run_on(w, day, args);
    assert!(
        out.status.success(),
        "bangfu {args:?}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// One import into the database at `db` (a path, or the Workdir's own
/// database for `None`) on `day`.
fn import_on(w: &Workdir, db: Option<&str>, day: &str, files: &[&str]) -> String {
    let mut args = Vec::new();
    if let Some(db) = db {
        args.extend(["--db", db]);
    }
    args.push("import");
    args.extend(files);
    ok_on(w, day, &args)
}

/// The sheets of one month of both townships, written into `month/`:
/// 工农乡 (its roster, members, pairings and delivery sheet) and 向阳街道
/// (likewise). Both name their delivery sheet 帮扶记录.csv: one ledger of
/// one name, holding different rows from each township.
struct Month {
    gongnong: Vec<String>,
    xiangyang: Vec<String>,
}

fn march(w: &Workdir) -> Month {
    let d = "2003年3月";
    let gongnong = vec![
        sheet(
            w,
            &format!("{d}/工农乡/工农乡贫困户.csv"),
            HOUSEHOLDS,
            &["H1,张三,工农乡,双江村,贫困,", "H2,赵六,工农乡,红旗村,贫困,"],
        ),
        sheet(
            w,
            &format!("{d}/工农乡/工农乡帮扶人.csv"),
            MEMBERS,
            &["M1,李四,区财政局"],
        ),
        sheet(
            w,
            &format!("{d}/工农乡/工农乡结对.csv"),
            PAIRINGS,
            &["M1,H1,2003年1月1日", "M1,H2,2003年1月1日"],
        ),
        sheet(
            w,
            &format!("{d}/工农乡/帮扶记录.csv"),
            DELIVERIES,
            &[
                "2003年3月5日,M1,H1,送温暖,800,0,米面",
                // Pasted twice on purpose: two bags, two deliveries.
                "2003年3月5日,M1,H1,送温暖,800,0,米面",
                "2003年3月9日,M1,H2,办好事实事,0,500,",
            ],
        ),
    ];
    let xiangyang = vec![
        sheet(
            w,
            &format!("{d}/向阳街道/向阳贫困户.csv"),
            HOUSEHOLDS,
            &[
                "H3,孙七,向阳街道,向阳社区,贫困,",
                "H4,周八,向阳街道,向阳社区,贫困,",
            ],
        ),
        sheet(
            w,
            &format!("{d}/向阳街道/向阳帮扶人.csv"),
            MEMBERS,
            &["M2,王芳,区教育局"],
        ),
        sheet(
            w,
            &format!("{d}/向阳街道/向阳结对.csv"),
            PAIRINGS,
            &["M2,H3,2003年2月1日", "M2,H4,2003年2月1日"],
        ),
        sheet(
            w,
            &format!("{d}/向阳街道/帮扶记录.csv"),
            DELIVERIES,
            &[
                "2003年3月6日,M2,H3,送温暖,300,0,",
                "2003年3月7日,M2,H4,送温暖,200,0,油",
            ],
        ),
    ];
    Month {
        gongnong,
        xiangyang,
    }
}

/// April: H1 moves to 大坪村, H2 is lifted on 15 April; 向阳街道 drops H4
/// from its roster (`--replace`: it becomes 销户, its March delivery kept).
fn april(w: &Workdir) -> Month {
    let d = "2003年4月";
    let gongnong = vec![
        sheet(
            w,
            &format!("{d}/工农乡/工农乡贫困户.csv"),
            HOUSEHOLDS,
            &[
                "H1,张三,工农乡,大坪村,贫困,",
                "H2,赵六,工农乡,红旗村,已脱贫,2003年4月15日",
            ],
        ),
        sheet(
            w,
            &format!("{d}/工农乡/帮扶记录.csv"),
            DELIVERIES,
            &[
                "2003年3月5日,M1,H1,送温暖,800,0,米面",
                "2003年3月5日,M1,H1,送温暖,800,0,米面",
                "2003年3月9日,M1,H2,办好事实事,0,500,",
                "2003年4月10日,M1,H1,送政策,0,0,",
                "2003年4月20日,M1,H2,办好事实事,0,700,",
            ],
        ),
    ];
    let xiangyang = vec![sheet(
        w,
        &format!("{d}/向阳街道/向阳贫困户.csv"),
        HOUSEHOLDS,
        &["H3,孙七,向阳街道,向阳社区,贫困,"],
    )];
    Month {
        gongnong,
        xiangyang,
    }
}

/// 工农乡's May sheet: the earlier rows again, and May's.
fn may(w: &Workdir) -> String {
    sheet(
        w,
        "2003年5月/工农乡/帮扶记录.csv",
        DELIVERIES,
        &[
            "2003年3月5日,M1,H1,送温暖,800,0,米面",
            "2003年3月5日,M1,H1,送温暖,800,0,米面",
            "2003年3月9日,M1,H2,办好事实事,0,500,",
            "2003年4月10日,M1,H1,送政策,0,0,",
            "2003年4月20日,M1,H2,办好事实事,0,700,",
            // After H1 moved (30 April) and before the merge (10 May): it
            // counts toward 大坪村 only if the move keeps its own date.
            "2003年5月5日,M1,H1,送温暖,100,0,",
        ],
    )
}

/// Import a township's month into `db`; 向阳街道's April roster with
/// `--replace`.
fn import_month(w: &Workdir, db: Option<&str>, day: &str, files: &[String], replace: bool) {
    let mut args: Vec<&str> = Vec::new();
    if replace {
        args.push("--replace");
    }
    args.extend(files.iter().map(String::as_str));
    import_on(w, db, day, &args);
}

/// Both townships' files, and the district that imported their sheets
/// directly (`direct.db`), month by month on the same days.
fn townships(w: &Workdir) {
    let (m, a) = (march(w), april(w));
    for db in ["gongnong.db", "direct.db"] {
        import_month(w, Some(db), "2003-03-31", &m.gongnong, false);
    }
    for db in ["xiangyang.db", "direct.db"] {
        import_month(w, Some(db), "2003-03-31", &m.xiangyang, false);
    }
    for db in ["gongnong.db", "direct.db"] {
        import_month(w, Some(db), "2003-04-30", &a.gongnong, false);
    }
    for db in ["xiangyang.db", "direct.db"] {
        import_month(w, Some(db), "2003-04-30", &a.xiangyang, true);
    }
}

/// Every report bangfu has on the database at `db` (`None`: the
/// Workdir's), as JSON, the history's import numbers left out (the
/// district numbers its own imports).
fn reports(w: &Workdir, db: Option<&str>) -> Vec<(String, Value)> {
    let mut asked: Vec<Vec<&str>> = vec![vec!["summary"], vec!["overdue"], vec!["unpaired"]];
    for by in [
        "category",
        "township",
        "village",
        "status",
        "unit",
        "member",
        "household",
        "month",
    ] {
        asked.push(vec!["totals", "--by", by]);
    }
    asked.push(vec!["totals", "--by", "village", "--ledger", "帮扶记录"]);
    asked.push(vec!["unpaired", "--as-of", "2003-03-31"]);
    asked.push(vec!["overdue", "--as-of", "2003-04-20", "--days", "10"]);
    for h in ["H1", "H2", "H3", "H4"] {
        asked.push(vec!["show", "household", h]);
    }
    for m in ["M1", "M2"] {
        asked.push(vec!["show", "member", m]);
    }
    asked
        .into_iter()
        .map(|args| {
            let mut all = Vec::new();
            if let Some(db) = db {
                all.extend(["--db", db]);
            }
            all.extend(args.iter().copied());
            all.extend(["--format", "json"]);
            let out = ok_on(w, "2003-05-31", &all);
            let mut json: Value = serde_json::from_str(&out).expect("JSON");
            forget_imports(&mut json);
            (args.join(" "), json)
        })
        .collect()
}

/// Drop every `import` number from a report's JSON.
fn forget_imports(json: &mut Value) {
    match json {
        Value::Object(map) => {
            map.remove("import");
            map.values_mut().for_each(forget_imports);
        }
        Value::Array(items) => items.iter_mut().for_each(forget_imports),
        _ => {}
    }
}

fn assert_same_reports(w: &Workdir, direct: &str) {
    let (merged, direct) = (reports(w, None), reports(w, Some(direct)));
    for ((asked, m), (_, d)) in merged.iter().zip(&direct) {
        assert_eq!(m, d, "`{asked}` differs:\nmerged {m:#}\ndirect {d:#}");
    }
}

/// The count of rows of `table` in the Workdir's database.
fn rows(w: &Workdir, table: &str) -> String {
    scalar(w, &format!("SELECT count(*) FROM {table}"))
}

#[test]
fn two_township_files_merged_give_every_report_the_sheets_give() {
    let w = Workdir::new();
    townships(&w);
    let out = import_on(&w, None, "2003-05-10", &["gongnong.db", "xiangyang.db"]);
    // A line per (ledger, kind) of each file.
    assert!(out.contains("gongnong.db[工农乡贫困户]"), "{out}");
    assert!(out.contains("xiangyang.db[帮扶记录]"), "{out}");
    assert_same_reports(&w, "direct.db");
    // One import in the log.
    let log = w.json(&["log"]);
    assert_eq!(log["rows"].as_array().map(Vec::len), Some(1), "{log:#}");
    // The ledger both townships named 帮扶记录 holds the rows of both.
    let held = w.json(&["totals", "--by", "township", "--ledger", "帮扶记录"]);
    assert_eq!(held["total"]["deliveries"], 7, "{held:#}");
}

#[test]
fn merging_the_same_file_again_changes_nothing() {
    let w = Workdir::new();
    townships(&w);
    import_on(&w, None, "2003-05-10", &["gongnong.db"]);
    let (before, history) = (w.records(), rows(&w, "history"));
    let holds = rows(&w, "holds");
    let out = import_on(&w, None, "2003-05-12", &["gongnong.db"]);
    for line in out.lines().filter(|l| l.contains("gongnong.db")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // file, kind, encoding, read, new, updated, unchanged …
        assert_eq!(cells.get(5..7), Some(&["0", "0"][..]), "{out}");
    }
    assert_eq!(w.records(), before);
    assert_eq!(rows(&w, "history"), history, "history added");
    assert_eq!(rows(&w, "holds"), holds);
}

#[test]
fn a_townships_next_month_after_its_file_was_merged_counts_nothing_twice() {
    let w = Workdir::new();
    townships(&w);
    import_on(&w, None, "2003-05-10", &["gongnong.db", "xiangyang.db"]);
    let may = may(&w);
    import_on(&w, None, "2003-05-31", &[&may]);
    import_on(&w, Some("direct.db"), "2003-05-31", &[&may]);
    let totals = w.json(&["totals", "--by", "village"]);
    assert_eq!(totals["total"]["deliveries"], 8, "{totals:#}");
    assert_same_reports(&w, "direct.db");
}

#[test]
fn a_file_of_an_older_bangfu_merges_and_is_left_as_it_was() {
    let w = Workdir::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v6/bangfu-v6.db");
    let bytes = std::fs::read(&fixture).expect("fixture");
    w.write("v6.db", &bytes);
    w.write("upgraded.db", &bytes);
    let out = run_on(&w, "2024-07-31", &["import", "v6.db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("schema 6"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(w.path("v6.db")).expect("v6"),
        bytes,
        "v6.db was written"
    );
    for args in [
        &["summary"][..],
        &["totals", "--by", "village"],
        &["totals", "--by", "status"],
        &["show", "household", "LS-H002"],
    ] {
        let mut merged = args.to_vec();
        merged.extend(["--format", "json"]);
        let mut upgraded = vec!["--db", "upgraded.db"];
        upgraded.extend(&merged);
        let mut m: Value = serde_json::from_str(&ok_on(&w, "2024-07-31", &merged)).unwrap();
        let mut u: Value = serde_json::from_str(&ok_on(&w, "2024-07-31", &upgraded)).unwrap();
        forget_imports(&mut m);
        forget_imports(&mut u);
        assert_eq!(m, u, "{args:?}");
    }
}

#[test]
fn a_database_is_not_merged_into_itself_nor_with_sheets_or_row_flags() {
    let w = Workdir::new();
    townships(&w);
    let before = std::fs::read(w.path("gongnong.db")).expect("file");
    let refused = |args: &[&str]| {
        let out = run_on(&w, "2003-05-10", args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stderr)
    };
    let itself = refused(&["--db", "gongnong.db", "import", "./gongnong.db"]);
    assert!(itself.contains("itself"), "{itself}");
    let march = march(&w);
    refused(&["import", "gongnong.db", &march.gongnong[0]]);
    refused(&["import", "--ledger", "x", "gongnong.db"]);
    assert_eq!(std::fs::read(w.path("gongnong.db")).expect("file"), before);
    // No district was made.
    let summary = run_on(&w, "2003-05-10", &["summary"]);
    assert_eq!(summary.status.code(), Some(2), "{}", text(&summary.stdout));
}

/// Reports that hold for a district with only March's 工农乡 sheets too.
fn some_reports(w: &Workdir, db: Option<&str>) -> Vec<Value> {
    let asked: [&[&str]; 5] = [
        &["summary"],
        &["totals", "--by", "village"],
        &["totals", "--by", "status"],
        &["show", "household", "H1"],
        &["show", "household", "H2"],
    ];
    asked
        .iter()
        .map(|args| {
            let mut all = Vec::new();
            if let Some(db) = db {
                all.extend(["--db", db]);
            }
            all.extend(args.iter().copied());
            all.extend(["--format", "json"]);
            let mut json: Value = serde_json::from_str(&ok_on(w, "2003-05-31", &all)).unwrap();
            forget_imports(&mut json);
            json
        })
        .collect()
}

#[test]
fn a_district_that_had_march_takes_april_from_the_township_file_dated_as_there() {
    let w = Workdir::new();
    townships(&w);
    let (m, a) = (march(&w), april(&w));
    // The district had imported 工农乡's March sheets itself.
    import_month(&w, None, "2003-03-31", &m.gongnong, false);
    for db in [None, Some("expected.db")] {
        import_month(&w, db, "2003-03-31", &m.xiangyang, false);
    }
    import_month(&w, Some("expected.db"), "2003-03-31", &m.gongnong, false);
    import_month(&w, Some("expected.db"), "2003-04-30", &a.gongnong, false);
    let out = import_on(&w, None, "2003-05-10", &["gongnong.db"]);
    assert!(out.contains("gongnong.db[工农乡贫困户]"), "{out}");
    // H1 moved and H2 lifted: updated, on the days the township's file
    // has them, not on the day of the merge.
    let may = may(&w);
    import_on(&w, None, "2003-05-31", &[&may]);
    import_on(&w, Some("expected.db"), "2003-05-31", &[&may]);
    assert_eq!(
        some_reports(&w, None),
        some_reports(&w, Some("expected.db"))
    );
}

#[test]
fn undoing_a_merge_leaves_every_report_as_it_was() {
    let w = Workdir::new();
    townships(&w);
    let m = march(&w);
    import_month(&w, None, "2003-03-31", &m.gongnong, false);
    let before = some_reports(&w, None);
    import_on(&w, None, "2003-05-10", &["gongnong.db"]);
    assert_ne!(some_reports(&w, None), before);
    ok_on(&w, "2003-05-11", &["undo", "2"]);
    assert_eq!(some_reports(&w, None), before);
}

#[test]
fn a_newer_or_foreign_database_is_refused_and_left_as_it_was() {
    let w = Workdir::new();
    let newer = rusqlite::Connection::open(w.path("newer.db")).expect("newer");
    newer
        .pragma_update(None, "user_version", 99)
        .expect("version");
    newer.execute_batch("CREATE TABLE t (x)").expect("table");
    drop(newer);
    let foreign = rusqlite::Connection::open(w.path("foreign.db")).expect("foreign");
    foreign
        .execute_batch("CREATE TABLE accounts (name TEXT); INSERT INTO accounts VALUES ('a')")
        .expect("table");
    drop(foreign);
    for (file, says) in [
        ("newer.db", "newer"),
        ("foreign.db", "not a bangfu database"),
    ] {
        let before = std::fs::read(w.path(file)).expect("file");
        let out = run_on(&w, "2003-05-10", &["import", file]);
        assert_ne!(out.status.code(), Some(0), "{file}");
        assert!(
            text(&out.stderr).contains(says),
            "{file}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            std::fs::read(w.path(file)).expect("file"),
            before,
            "{file} written"
        );
    }
    let summary = run_on(&w, "2003-05-10", &["summary"]);
    assert_eq!(
        summary.status.code(),
        Some(2),
        "a refused merge made the district"
    );
}

#[test]
fn a_field_the_township_changed_twice_comes_as_its_latest_change_and_is_said() {
    let w = Workdir::new();
    townships(&w);
    let moved = sheet(
        &w,
        "2003年5月/工农乡/工农乡贫困户.csv",
        HOUSEHOLDS,
        &[
            "H1,张三,工农乡,石门村,贫困,",
            "H2,赵六,工农乡,红旗村,已脱贫,2003年4月15日",
        ],
    );
    import_on(&w, Some("gongnong.db"), "2003-05-31", &[&moved]);
    let out = run_on(&w, "2003-06-10", &["import", "gongnong.db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("household H1's village changed 2 times there")
            && said.contains("from 2003-05-31"),
        "{said}"
    );
    let show = w.json(&["show", "household", "H1"]);
    let history = show["history"].to_string();
    assert!(
        history.contains("双江村") && history.contains("石门村"),
        "{show:#}"
    );
    // Said in Chinese too (a dry run into a district not made yet).
    let args = [
        "--db",
        "fresh.db",
        "--lang",
        "zh",
        "import",
        "--dry-run",
        "gongnong.db",
    ];
    let zh = text(&run_on(&w, "2003-06-11", &args).stderr);
    assert!(
        zh.contains("警告：gongnong.db：贫困户 H1 的 村 在该库中改过 2 次"),
        "{zh}"
    );
    assert!(!w.path("fresh.db").exists());
}

#[test]
fn a_record_the_district_cannot_take_stops_the_whole_merge() {
    let w = Workdir::new();
    let number = crate::common::id_number(5);
    let mine = w.utf8(
        "district.csv",
        &format!("id,head,id_number,township\nH9,钱九,{number},工农乡\n"),
    );
    let theirs = w.utf8(
        "township.csv",
        &format!("id,head,id_number,township\nH1,张三,{number},工农乡\nH2,赵六,,工农乡\n"),
    );
    import_on(
        &w,
        Some("township.db"),
        "2003-03-31",
        &[crate::common::path_str(&theirs)],
    );
    import_on(&w, None, "2003-03-31", &[crate::common::path_str(&mine)]);
    let before = w.records();
    let out = run_on(&w, "2003-05-10", &["import", "township.db"]);
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("township.db[township]:1: id_number: 4301**********"),
        "{said}"
    );
    assert!(!said.contains(&number), "a whole ID number shown: {said}");
    assert_eq!(w.records(), before);
    assert_eq!(rows(&w, "commands"), "1");
}

#[test]
fn records_no_ledger_holds_come_in_held_by_no_ledger() {
    let w = Workdir::new();
    townships(&w);
    // Pairings an older bangfu wrote from a members sheet's column: the
    // upgrade gave them no ledger.
    let township = rusqlite::Connection::open(w.path("gongnong.db")).expect("township");
    township
        .execute_batch("DELETE FROM holds WHERE kind = 2")
        .expect("holds");
    drop(township);
    let out = import_on(&w, None, "2003-05-10", &["gongnong.db"]);
    assert!(out.contains("| gongnong.db "), "{out}");
    assert_eq!(rows(&w, "pairings"), "2");
    assert_eq!(
        scalar(
            &w,
            "SELECT count(*) FROM holds WHERE ledger NOT IN (SELECT key FROM ledgers)"
        ),
        "0"
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM holds WHERE kind = 2"), "0");
}

/// The rows of `sql` in the SQLite file `file` of the Workdir, each as its
/// cells joined by `|`, as [`Workdir::rows`] gives the database's.
fn file_rows(w: &Workdir, file: &str, sql: &str) -> Vec<String> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(w.path(file)).expect(file);
    let mut stmt = conn.prepare(sql).expect(sql);
    let columns = stmt.column_count();
    let mut rows = stmt.query([]).expect(sql);
    let mut all = Vec::new();
    while let Some(row) = rows.next().expect(sql) {
        let cells: Vec<String> = (0..columns)
            .map(|i| match row.get_ref(i).expect("cell") {
                ValueRef::Null => "NULL".to_string(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => panic!("{sql}: {other:?}"),
            })
            .collect();
        all.push(cells.join("|"));
    }
    all
}

#[test]
fn a_merge_numbers_and_places_every_record_alike_on_either_backend() {
    let w = Workdir::new();
    townships(&w);
    // 工农乡's ledger 帮扶记录 then holds, in the order it added them:
    // rows without id, one with an id, and rows without id again, one of
    // them on a day before the rest (its place comes before, its key after).
    let with_id = sheet(
        &w,
        "2003年5月/工农乡/帮扶记录.csv",
        &format!("流水号,{DELIVERIES}"),
        &["GN-0501,2003年5月1日,M1,H1,送政策,0,0,"],
    );
    import_on(&w, Some("gongnong.db"), "2003-05-31", &[&with_id]);
    for (month, row) in [
        ("2003年6月", "2003年6月2日,M1,H1,送温暖,200,0,"),
        ("2003年7月", "2003年3月1日,M1,H2,送温暖,100,0,"),
    ] {
        let late = sheet(
            &w,
            &format!("{month}/工农乡/帮扶记录.csv"),
            DELIVERIES,
            &[row],
        );
        import_on(&w, Some("gongnong.db"), "2003-07-05", &[&late]);
    }
    let both = ["gongnong.db", "xiangyang.db"];
    import_on(&w, None, "2003-07-10", &both);
    import_on(&w, Some("district.db"), "2003-07-10", &both);
    for sql in [
        "SELECT key, id, day, fingerprint, occurrence, member, household, category, goods, cash,
                note, added
         FROM deliveries ORDER BY key",
        &format!("SELECT kind, record, ledger, added FROM {HELD} h ORDER BY kind, record, ledger"),
        "SELECT key, id, village, status, removed, added FROM households ORDER BY key",
        "SELECT key, id, added FROM members ORDER BY key",
        "SELECT key, member, household, since, added FROM pairings ORDER BY key",
        "SELECT kind, record, field, day FROM history ORDER BY kind, record, field, command",
        "SELECT key, name FROM ledgers ORDER BY key",
    ] {
        assert_eq!(w.rows(sql), file_rows(&w, "district.db", sql), "{sql}");
    }
    assert_eq!(rows(&w, "deliveries"), "10");
}
