//! End-to-end: a ledger's life month to month (contract §8, issue 14). The
//! clerk exports the same sheet every month into another folder under the
//! same name, after correcting an amount, deleting a row pasted twice,
//! inserting one, moving and lifting a household, dropping one from the
//! roster; `--replace` follows the sheet, its refusals guard against
//! another township's file of the same name, and an import without it
//! warns of what looks like a correction or another ledger's file.

use crate::bangfu_snapshot;
use crate::common::{self, scalar, Workdir, HELD};
use std::process::Output;

const HOUSEHOLDS: &str = "户编号,户主,乡镇,村,状态,脱贫日期\n";
const MEMBERS: &str = "编号,姓名,单位\n";
const DELIVERIES: &str = "日期,帮扶人,贫困户,类别,物资,资金,内容\n";

/// The households of the district in March: two townships.
const ROSTER: [&str; 4] = [
    "H1,张三,工农乡,双江村,贫困,",
    "H2,赵六,工农乡,红旗村,贫困,",
    "H3,孙七,向阳街道,向阳社区,贫困,",
    "H4,周八,向阳街道,向阳社区,贫困,",
];

/// Write `header` and `rows` to `path` (its folders made) as a GBK CSV,
/// as Excel on Chinese Windows saves one; the path as given.
fn sheet(w: &Workdir, path: &str, header: &str, rows: &[&str]) -> String {
    if let Some(dir) = std::path::Path::new(path).parent() {
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

/// Run `bangfu ARGS` on `day` (BANGFU_TODAY).
fn run_on(w: &Workdir, day: &str, args: &[&str]) -> Output {
    let out = w.bangfu().env("BANGFU_TODAY", day).args(args).output();
    out.expect("run bangfu")
}

/// Run `bangfu ARGS`: its exit status and its whole outcome, as text.
fn run(w: &Workdir, args: &[&str]) -> (Option<i32>, String) {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    (out.status.code(), common::outcome(w, &out))
}

/// Run `bangfu ARGS`, asserting that it fails on data problems (exit 1):
/// its stderr.
fn fails(w: &Workdir, args: &[&str]) -> String {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "bangfu {args:?}: {err}");
    err
}

/// Run `bangfu ARGS`, asserting success; stdout and stderr.
fn ok(w: &Workdir, args: &[&str]) -> (String, String) {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(
        out.status.success(),
        "bangfu {args:?}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

/// The district's households and members (their own ledgers).
fn district(w: &Workdir) {
    let households = sheet(w, "2003年3月/贫困户.csv", HOUSEHOLDS, &ROSTER);
    let members = sheet(
        w,
        "2003年3月/帮扶人.csv",
        MEMBERS,
        &["M1,李四,区财政局", "M2,王芳,区教育局"],
    );
    ok(w, &["import", &households, &members]);
}

/// The grand total of every delivery, as `totals` prints it in JSON.
fn total(w: &Workdir) -> String {
    let totals = w.json(&["totals", "--by", "category"]);
    totals["total"]["total"].as_str().unwrap_or("?").to_string()
}

/// One query's rows, each as its cells joined by `|`.
fn rows(w: &Workdir, sql: &str) -> Vec<String> {
    w.rows(sql)
}

/// The March deliveries sheet of 工农乡 and 向阳街道 together.
const MARCH: [&str; 4] = [
    "2003-03-05,李四,张三,办好事实事,800,,送果苗",
    "2003-03-06,李四,赵六,送温暖,200,100,送米面油",
    "2003-03-07,王芳,孙七,送政策,,50,讲解低保政策",
    "2003-03-08,王芳,周八,送温暖,300,,送棉被",
];

#[test]
fn a_corrected_amount_with_replace_moves_the_total_by_the_difference() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    assert_eq!(total(&w), "1450.00");
    let mut april_rows = MARCH;
    april_rows[0] = "2003-03-05,李四,张三,办好事实事,880,,送果苗";
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &april_rows);
    bangfu_snapshot!(
        "corrected_with_replace_en",
        w,
        &["import", "--replace", &april]
    );
    // 800 → 880: the total grows by 80, not by 880.
    assert_eq!(total(&w), "1530.00");
    // The old row is kept for undo, its hold too.
    assert_eq!(
        rows(&w, "SELECT removed, goods FROM undo_deliveries"),
        ["1|80000"]
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM undo_holds"), "1");
    assert_eq!(
        scalar(&w, "SELECT removed FROM imports ORDER BY key DESC"),
        "1"
    );
}

#[test]
fn a_corrected_amount_without_replace_is_named_in_a_warning() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    let mut april_rows = MARCH;
    april_rows[0] = "2003-03-05,李四,张三,办好事实事,880,,送果苗";
    april_rows[3] = "2003-03-08,王芳,周八,送温暖,300,20,送棉被";
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &april_rows);
    // The dry run warns as the import does; the Chinese run is dry too.
    bangfu_snapshot!(
        "corrected_without_replace_zh",
        w,
        &["--lang", "zh", "import", "--dry-run", &april]
    );
    bangfu_snapshot!("corrected_without_replace_en", w, &["import", &april]);
    // Both rows are kept: the total grew by 880 and 20.
    assert_eq!(total(&w), "2650.00");
    // Imported again with --replace, the sheet's figures.
    let (out, _) = ok(&w, &["import", "--replace", &april]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(total(&w), "1550.00");
}

/// March's 22 days, one delivery a day, as one ledger's sheet.
fn march_by_day() -> Vec<String> {
    by_day(3, 100)
}

/// 22 visits to the same household in `month` of 2003, one a day, of
/// `base` + the day yuan each.
fn by_day(month: u32, base: u32) -> Vec<String> {
    (1..=22)
        .map(|d| {
            format!(
                "2003-{month:02}-{d:02},李四,张三,送温暖,{},,送米面油",
                base + d
            )
        })
        .collect()
}

/// The district, and March's sheet imported as ledger 帮扶记录: its rows.
fn march_imported(w: &Workdir) -> Vec<String> {
    district(w);
    let march = march_by_day();
    let rows: Vec<&str> = march.iter().map(String::as_str).collect();
    let sheet_one = sheet(w, "一月/帮扶记录.csv", DELIVERIES, &rows);
    ok(w, &["import", &sheet_one]);
    march
}

#[test]
fn a_large_batch_of_the_same_month_is_not_its_ledgers_sheet_again_but_a_corrected_sheet_is() {
    let w = Workdir::new();
    let march = march_imported(&w);
    let march: Vec<&str> = march.iter().map(String::as_str).collect();
    // A batch of 70,000 new visits over the same days (more than a sorting
    // run and than BATCH_NEW), one of them of the same values as a stored
    // one (the same delivery), others on a stored row's day, member,
    // household and category with another amount.
    let mut batch: Vec<String> = (0..70_000)
        .map(|i| format!("2003-03-{:02},李四,张三,送温暖,1,,第{i}次", 1 + i % 22))
        .collect();
    batch.push(march[4].to_string());
    let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
    let batch = sheet(&w, "二月/帮扶记录.csv", DELIVERIES, &batch);
    let (_, err) = ok(&w, &["import", &batch]);
    // Listing 1 of the ledger's 22 rows on its days beside 70,000 new
    // ones, it is a batch: no warning that the ledger's other rows or a
    // correction would be counted twice.
    assert!(!err.contains("--replace"), "{err}");
    assert_eq!(total(&w), "72453.00");
    // The sheet again, one row corrected and one deleted: both warnings,
    // though it lists 20 of the ledger's 70,022 rows on its days (one
    // village's sheet in a ledger that every village's file of one name
    // feeds).
    let mut again = march.clone();
    again[2] = "2003-03-03,李四,张三,送温暖,150,,送米面油";
    again.remove(10);
    let again = sheet(&w, "三月/帮扶记录.csv", DELIVERIES, &again);
    let (_, err) = ok(&w, &["import", &again]);
    assert!(err.contains("look like corrections"), "{err}");
    assert!(err.contains("are not in this file"), "{err}");
}

#[test]
fn a_sheet_again_with_every_row_edited_is_told_but_the_next_month_of_the_ledger_is_not() {
    let w = Workdir::new();
    let march = march_imported(&w);
    let march: Vec<&str> = march.iter().map(String::as_str).collect();
    // April under the same ledger: every row new, none on a stored row's
    // day: the ledger grows, and nothing is said.
    let april = by_day(4, 100);
    let april: Vec<&str> = april.iter().map(String::as_str).collect();
    let april = sheet(&w, "二月/帮扶记录.csv", DELIVERIES, &april);
    let (_, err) = ok(&w, &["import", &april]);
    assert!(!err.contains("--replace"), "{err}");
    // March again, （已核实） added to every note: no row matches a stored
    // one, so every row is new and counted a second time. Said, with the
    // way out, and the count of the ledger's March rows the file does not
    // list (the ledger's April rows are outside the file's days).
    let verified: Vec<String> = march.iter().map(|r| format!("{r}（已核实）")).collect();
    let verified: Vec<&str> = verified.iter().map(String::as_str).collect();
    let verified = sheet(&w, "三月/帮扶记录.csv", DELIVERIES, &verified);
    let (_, err) = ok(&w, &["import", &verified]);
    assert!(err.contains("22 deliveries"), "{err}");
    assert!(err.contains("are not in this file"), "{err}");
    assert!(err.contains("--replace"), "{err}");
    // Every amount corrected: the corrections are named too.
    let raised = by_day(3, 200);
    let raised: Vec<&str> = raised.iter().map(String::as_str).collect();
    let raised = sheet(&w, "四月/帮扶记录.csv", DELIVERIES, &raised);
    let (_, err) = ok(&w, &["import", &raised]);
    assert!(err.contains("look like corrections"), "{err}");
    assert!(err.contains("are not in this file"), "{err}");
}

#[test]
fn a_growing_sheet_with_its_old_rows_edited_is_told_and_a_note_edit_is_no_correction() {
    // March's rows with （已核实） on every note, beside a longer April (25
    // rows): 22 of the 47 rows stand on the ledger's rows, which are all
    // 22 it held on the file's days.
    let w = Workdir::new();
    let march = march_imported(&w);
    let mut grown: Vec<String> = march.iter().map(|r| format!("{r}（已核实）")).collect();
    grown.extend((1..=25).map(|d| format!("2003-04-{d:02},李四,张三,送温暖,5,,走访")));
    let grown: Vec<&str> = grown.iter().map(String::as_str).collect();
    let grown = sheet(&w, "二月/帮扶记录.csv", DELIVERIES, &grown);
    let (_, err) = ok(&w, &["import", &grown]);
    assert!(err.contains("22 deliveries"), "{err}");
    assert!(err.contains("are not in this file"), "{err}");
    // Two visits of one day and category, of other amounts; the sheet
    // again with its notes edited: no amount changed, so no correction is
    // named (the two were once paired the wrong way round).
    let two = [
        "2003-05-02,李四,张三,送温暖,100,,上午",
        "2003-05-02,李四,张三,送温暖,,500,下午",
    ];
    let first = sheet(&w, "五月/走访.csv", DELIVERIES, &two);
    ok(&w, &["import", &first]);
    let edited: Vec<String> = two.iter().map(|r| format!("{r}（已核实）")).collect();
    let edited: Vec<&str> = edited.iter().map(String::as_str).collect();
    let edited = sheet(&w, "六月/走访.csv", DELIVERIES, &edited);
    let (_, err) = ok(&w, &["import", &edited]);
    assert!(!err.contains("look like corrections"), "{err}");
    assert!(err.contains("2 deliveries"), "{err}");
}

#[test]
fn a_row_pasted_twice_and_deleted_is_removed_and_inserted_rows_shift_nothing() {
    let w = Workdir::new();
    district(&w);
    let twice = "2003-03-06,李四,赵六,送温暖,200,100,送米面油";
    let march = sheet(
        &w,
        "2003年3月/帮扶记录.csv",
        DELIVERIES,
        &[MARCH[0], twice, twice, MARCH[2], MARCH[3]],
    );
    ok(&w, &["import", &march]);
    assert_eq!(total(&w), "1750.00");
    // April: the row pasted twice is there once, a row is inserted in the
    // middle, and a third identical row at the end (its occurrence 2).
    let inserted = "2003-03-06,李四,赵六,送科技,,,讲授果树修剪";
    let april = sheet(
        &w,
        "2003年4月/帮扶记录.csv",
        DELIVERIES,
        &[MARCH[0], twice, inserted, MARCH[2], MARCH[3]],
    );
    let (out, _) = ok(&w, &["import", "--replace", &april]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(total(&w), "1450.00");
    assert_eq!(scalar(&w, "SELECT count(*) FROM deliveries"), "5");
    // May: the row twice again, with one inserted before it: the sheet's
    // total, and the same file again changes nothing.
    let may = sheet(
        &w,
        "2003年5月/帮扶记录.csv",
        DELIVERIES,
        &[MARCH[0], inserted, twice, MARCH[3], twice, MARCH[2]],
    );
    ok(&w, &["import", "--replace", &may]);
    assert_eq!(total(&w), "1750.00");
    let before = w.records();
    let (out, _) = ok(&w, &["import", "--replace", &may]);
    assert_eq!(w.records(), before, "{out}");
    let counts = rows(
        &w,
        "SELECT new, unchanged, removed FROM imports ORDER BY key DESC LIMIT 3",
    );
    assert_eq!(counts, ["0|6|0", "1|5|0", "1|4|1"]);
}

#[test]
fn a_household_moved_and_lifted_and_a_member_changing_unit_keep_their_history() {
    let w = Workdir::new();
    district(&w);
    let mut april = ROSTER;
    april[0] = "H1,张三,工农乡,大坪村,已脱贫,2003-04-15";
    let households = sheet(&w, "2003年4月/贫困户.csv", HOUSEHOLDS, &april);
    let members = sheet(
        &w,
        "2003年4月/帮扶人.csv",
        MEMBERS,
        &["M1,李四,区农业农村局", "M2,王芳,区教育局"],
    );
    let out = run_on(&w, "2003-04-30", &["import", &households, &members]);
    assert!(out.status.success(), "{}", common::outcome(&w, &out));
    let history: Vec<String> = rows(
        &w,
        "SELECT h.kind, h.field, h.day, h.old, h.new, h.command
         FROM history h ORDER BY h.kind, h.field",
    )
    .into_iter()
    .map(|row| {
        let mut cells: Vec<String> = row.split('|').map(str::to_string).collect();
        cells[2] = common::iso_day(&cells[2]);
        cells.join("|")
    })
    .collect();
    assert_eq!(
        history,
        [
            "0|lifted_on|2003-04-30|NULL|12157|2",
            "0|status|2003-04-15|0|1|2",
            "0|village|2003-04-30|双江村|大坪村|2",
            "1|unit|2003-04-30|区财政局|区农业农村局|2",
        ]
    );
    assert_eq!(
        rows(
            &w,
            "SELECT updated, unchanged FROM imports WHERE command = 2 ORDER BY key"
        ),
        ["1|3", "1|1"]
    );
    // The day the import was made on, in the log.
    assert_eq!(
        common::iso_day(&scalar(&w, "SELECT day FROM commands WHERE number = 2")),
        "2003-04-30"
    );
}

#[test]
fn a_household_dropped_from_the_roster_is_removed_and_keeps_its_deliveries() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    // 周八 moved away: the April roster lists the others.
    let households = sheet(&w, "2003年4月/贫困户.csv", HOUSEHOLDS, &ROSTER[..3]);
    bangfu_snapshot!(
        "household_dropped_en",
        w,
        &["import", "--replace", &households]
    );
    assert_eq!(
        scalar(&w, "SELECT removed FROM households WHERE id = 'H4'"),
        "1"
    );
    assert_eq!(
        rows(&w, "SELECT field, old, new FROM history"),
        ["removed|0|1"]
    );
    // Its delivery is still counted.
    assert_eq!(total(&w), "1450.00");
    // Listed again, it is back: counted updated, one more history row.
    let households = sheet(&w, "2003年5月/贫困户.csv", HOUSEHOLDS, &ROSTER);
    bangfu_snapshot!(
        "household_back_zh",
        w,
        &["--lang", "zh", "import", &households]
    );
    assert_eq!(
        scalar(&w, "SELECT removed FROM households WHERE id = 'H4'"),
        "0"
    );
    assert_eq!(
        rows(
            &w,
            "SELECT field, old, new, command FROM history ORDER BY command"
        ),
        ["removed|0|1|3", "removed|1|0|4"]
    );
}

#[test]
fn two_townships_files_of_one_name_do_not_erase_each_other() {
    let w = Workdir::new();
    district(&w);
    let gongnong = sheet(&w, "工农乡/帮扶记录.csv", DELIVERIES, &MARCH[..2]);
    ok(&w, &["import", &gongnong]);
    let xiangyang = sheet(&w, "向阳街道/帮扶记录.csv", DELIVERIES, &MARCH[2..]);
    let before = w.dump();
    bangfu_snapshot!(
        "other_township_refused_en",
        w,
        &["import", "--replace", &xiangyang]
    );
    assert_eq!(w.dump(), before, "nothing written");
    bangfu_snapshot!(
        "other_township_refused_zh",
        w,
        &["--lang", "zh", "import", "--replace", &xiangyang]
    );
    assert_eq!(w.dump(), before, "nothing written");
    // --force replaces all the same: the ledger is 向阳街道's file now.
    let (out, _) = ok(&w, &["import", "--replace", "--force", &xiangyang]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(total(&w), "350.00");
}

#[test]
fn a_replace_dropping_a_township_it_has_no_row_of_is_refused_even_when_small() {
    let w = Workdir::new();
    district(&w);
    // One township's rows and a few of another's in one ledger.
    let mut rows_both: Vec<&str> = MARCH.to_vec();
    let more = [
        "2003-03-09,李四,张三,送温暖,10,,a",
        "2003-03-10,李四,张三,送温暖,10,,b",
        "2003-03-11,李四,张三,送温暖,10,,c",
        "2003-03-12,李四,赵六,送温暖,10,,d",
    ];
    rows_both.extend(more);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &rows_both);
    ok(&w, &["import", &march]);
    // April lists only 工农乡's rows: 2 of 8 dropped, all of 向阳街道.
    let mut gongnong: Vec<&str> = MARCH[..2].to_vec();
    gongnong.extend(more);
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &gongnong);
    let before = w.dump();
    let (status, text) = run(&w, &["import", "--replace", &april]);
    assert_eq!(status, Some(1), "{text}");
    assert!(
        text.contains("2 deliveries of ledger 帮扶记录 in 向阳街道"),
        "{text}"
    );
    assert!(!text.contains("more than half"), "{text}");
    assert_eq!(w.dump(), before);
}

#[test]
fn a_months_sheet_of_the_ledgers_name_does_not_erase_another_month_when_replacing() {
    // 一月/帮扶记录.csv is March, 二月/帮扶记录.csv April: one ledger, a
    // month a sheet (clerk review). March again with one row corrected,
    // with --replace as the warning advises: it would remove the old row
    // and April's ten, 11 of the 32 held (less than half), and April has no
    // row in it.
    let w = Workdir::new();
    let march = march_imported(&w);
    let april = by_day(4, 100);
    let april: Vec<&str> = april.iter().take(10).map(String::as_str).collect();
    let april = sheet(&w, "二月/帮扶记录.csv", DELIVERIES, &april);
    ok(&w, &["import", &april]);
    let mut corrected: Vec<&str> = march.iter().map(String::as_str).collect();
    corrected[2] = "2003-03-03,李四,张三,送温暖,150,,送米面油";
    let corrected = sheet(&w, "三月/帮扶记录.csv", DELIVERIES, &corrected);
    let before = w.dump();
    let (status, text) = run(&w, &["import", "--replace", &corrected]);
    assert_eq!(status, Some(1), "{text}");
    assert!(
        text.contains("10 deliveries of ledger 帮扶记录 in 2003-04, more than the file keeps"),
        "{text}"
    );
    assert_eq!(w.dump(), before);
    let (status, text) = run(&w, &["--lang", "zh", "import", "--replace", &corrected]);
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("比文件在这个月里保留的还多"), "{text}");
    assert!(!text.contains("超过一半"), "{text}");
    // The same sheet with one row dated a month on (a late entry, or a
    // typo): April keeps one row and would lose ten, and is refused too.
    let mut straggler: Vec<&str> = march.iter().map(String::as_str).collect();
    straggler[2] = "2003-03-03,李四,张三,送温暖,150,,送米面油";
    straggler.push("2003-04-28,李四,张三,送温暖,5,,补录");
    let straggler = sheet(&w, "五月/帮扶记录.csv", DELIVERIES, &straggler);
    let (status, text) = run(&w, &["import", "--replace", &straggler]);
    assert_eq!(status, Some(1), "{text}");
    assert!(
        text.contains("10 deliveries of ledger 帮扶记录 in 2003-04"),
        "{text}"
    );
    assert_eq!(w.dump(), before);
    // The whole ledger, March and April, with its last row deleted and one
    // corrected: the month is still in it, and the replace goes through.
    let mut whole: Vec<String> = march.clone();
    whole[2] = "2003-03-03,李四,张三,送温暖,150,,送米面油".to_string();
    whole.extend(by_day(4, 100).into_iter().take(9));
    let whole: Vec<&str> = whole.iter().map(String::as_str).collect();
    let whole = sheet(&w, "四月/帮扶记录.csv", DELIVERIES, &whole);
    let (out, _) = ok(&w, &["import", "--replace", &whole]);
    assert!(out.contains("removed"), "{out}");
    // Row 3 was 103 yuan, 150 now.
    let expected =
        (1..=22).map(|d| 100 + d).sum::<u32>() + 47 + (1..=9).map(|d| 100 + d).sum::<u32>();
    assert_eq!(total(&w), format!("{expected}.00"));
}

#[test]
fn a_replace_removing_more_than_half_is_refused_unless_forced() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    // April's sheet lost 工农乡's second row and both of 向阳街道's rows.
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &MARCH[..1]);
    let before = w.dump();
    bangfu_snapshot!(
        "more_than_half_refused_en",
        w,
        &["import", "--replace", &april]
    );
    assert_eq!(w.dump(), before);
    bangfu_snapshot!(
        "more_than_half_refused_zh",
        w,
        &["--lang", "zh", "import", "--dry-run", "--replace", &april]
    );
    assert_eq!(w.dump(), before);
    // Half is not more than half.
    let half = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &MARCH[..2]);
    let (_, text) = run(&w, &["import", "--dry-run", "--replace", &half]);
    assert!(!text.contains("more than half"), "{text}");
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &MARCH[..1]);
    ok(&w, &["import", "--replace", "--force", &april]);
    assert_eq!(total(&w), "800.00");
    assert_eq!(
        scalar(&w, "SELECT removed FROM imports ORDER BY key DESC"),
        "3"
    );
}

#[test]
fn a_dry_run_replace_shows_what_it_would_remove_and_writes_nothing() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &MARCH[1..]);
    let households = sheet(&w, "2003年4月/贫困户.csv", HOUSEHOLDS, &ROSTER[..3]);
    let before = w.dump();
    bangfu_snapshot!(
        "dry_run_replace_en",
        w,
        &["import", "--dry-run", "--replace", &households, &april]
    );
    bangfu_snapshot!(
        "dry_run_replace_zh",
        w,
        &[
            "--lang",
            "zh",
            "import",
            "--dry-run",
            "--replace",
            &households,
            &april
        ]
    );
    assert_eq!(w.dump(), before);
}

/// A sheet and its corrected copy imported by one command (`bangfu import
/// 台账/*.csv` over a folder holding both, which lists 三月(修改).csv
/// before 三月.csv): the corrected row was counted beside the one it
/// corrects, with no warning and exit 0 (session 19). Now the second file,
/// in either order, is warned of as sharing its rows with the first,
/// without guessing which corrects which; the advice, followed, gives the
/// corrected figures. With `--replace` the command is refused.
#[test]
fn a_sheet_and_its_corrected_copy_in_one_command_are_warned_of() {
    let mut corrected: Vec<String> = MARCH.iter().map(|r| r.to_string()).collect();
    corrected[0] = corrected[0].replacen(",800,", ",900,", 1);
    let corrected: Vec<&str> = corrected.iter().map(String::as_str).collect();
    for copy_first in [false, true] {
        let w = Workdir::new();
        district(&w);
        let march = sheet(&w, "台账/三月.csv", DELIVERIES, &MARCH);
        let copy = sheet(&w, "台账/三月(修改).csv", DELIVERIES, &corrected);
        let files = if copy_first {
            [copy.clone(), march.clone()]
        } else {
            [march.clone(), copy.clone()]
        };
        let err = fails(
            &w,
            &["--lang", "en", "import", "--replace", &files[0], &files[1]],
        );
        assert!(err.contains("whose file is in the same command"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        let (_, err) = ok(&w, &["--lang", "en", "import", &files[0], &files[1]]);
        assert!(
            err.contains("rows are also in ledger") && err.contains("bangfu undo 2"),
            "{err}"
        );
        assert_eq!(total(&w), "2350.00", "both counted, as the warning says");
        // As it says: take the import back, import the corrected file alone
        // as the new version of the ledger it corrects.
        ok(&w, &["undo", "2"]);
        ok(&w, &["import", &march]);
        ok(&w, &["import", "--ledger", "三月", "--replace", &copy]);
        assert_eq!(total(&w), "1550.00");
    }
    // The pairings a members file lists are no version of pairings: its
    // pairings sheet in the same command is no other ledger's.
    let roster = Workdir::new();
    let households = sheet(&roster, "贫困户.csv", HOUSEHOLDS, &ROSTER);
    let members = sheet(
        &roster,
        "帮扶人.csv",
        "编号,姓名,单位,结对户\n",
        &["M1,李四,区财政局,H1 H2"],
    );
    let pairings = sheet(
        &roster,
        "结对.csv",
        "帮扶人,贫困户,结对时间\n",
        &["M1,H1,2002-01-01", "M1,H2,2002-01-01"],
    );
    let (_, err) = ok(
        &roster,
        &["--lang", "en", "import", &households, &members, &pairings],
    );
    assert!(!err.contains("warning"), "{err}");
}

/// `import --ledger 三月 台账/*.csv` over a folder holding 三月.csv and
/// its corrected copy: both files are one ledger's, so neither is another
/// ledger's and no row was held before: the corrected row was counted
/// beside the row it corrects, exit 0, without a word (clerk review,
/// session 19, F2). The same with the ledger held before, and with
/// `--replace`, whose version was the two files together.
#[test]
fn a_sheet_and_its_corrected_copy_into_one_ledger_in_one_command_are_warned_of() {
    let mut corrected: Vec<String> = MARCH.iter().map(|r| r.to_string()).collect();
    corrected[0] = corrected[0].replacen(",800,", ",900,", 1);
    let corrected: Vec<&str> = corrected.iter().map(String::as_str).collect();
    for (copy_first, held_before) in [(false, false), (true, false), (false, true)] {
        let w = Workdir::new();
        district(&w);
        let march = sheet(&w, "台账/三月.csv", DELIVERIES, &MARCH);
        let copy = sheet(&w, "台账/三月(修改).csv", DELIVERIES, &corrected);
        if held_before {
            ok(&w, &["import", "--ledger", "三月", &march]);
        }
        let files = if copy_first {
            [copy.clone(), march.clone()]
        } else {
            [march.clone(), copy.clone()]
        };
        let import = ["--lang", "en", "import", "--ledger", "三月"];
        let err = fails(
            &w,
            &[&import[..], &["--replace", &files[0], &files[1]][..]].concat(),
        );
        assert!(
            err.contains("3 of its 4 rows are also in") && err.contains("add --force"),
            "{err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
        // A dry run says what to leave out, not what to undo: nothing was
        // imported.
        let (_, err) = ok(
            &w,
            &[&import[..], &["--dry-run", &files[0], &files[1]]].concat(),
        );
        assert!(
            err.contains("Leave out the file the corrected one replaces") && !err.contains("undo"),
            "{err}"
        );
        let (_, err) = ok(&w, &[&import[..], &[&files[0], &files[1]]].concat());
        let n = if held_before { "3" } else { "2" };
        assert!(
            err.contains("of ledger 三月 earlier in this import")
                && err.contains(&format!("bangfu undo {n}) and give the same command again with --replace, without the file")),
            "{err}"
        );
        assert_eq!(total(&w), "2350.00", "both counted, as the warning says");
        // As it says: take the import back, import the corrected file alone.
        ok(&w, &["undo", n]);
        let (_, err) = ok(&w, &["import", "--ledger", "三月", "--replace", &copy]);
        assert!(!err.contains("warning"), "{err}");
        assert_eq!(total(&w), "1550.00");
    }
    // The whole of what a clerk reads, in Chinese.
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "台账/三月.csv", DELIVERIES, &MARCH);
    let copy = sheet(&w, "台账/三月(修改).csv", DELIVERIES, &corrected);
    let import = ["--lang", "zh", "import", "--ledger", "三月"];
    bangfu_snapshot!(
        "copy_in_ledger_replace_zh",
        w,
        &[&import[..], &["--replace", &march, &copy]].concat()
    );
    bangfu_snapshot!(
        "copy_in_ledger_zh",
        w,
        &[&import[..], &[&march, &copy]].concat()
    );
    // A sheet exported again with the next month's rows added lists all of
    // the earlier one's: no copy, nothing counted twice. Nor two months.
    let w = Workdir::new();
    district(&w);
    let mut april: Vec<&str> = MARCH.to_vec();
    april.push("2003-04-02,李四,张三,送信息,,,介绍务工岗位");
    let march = sheet(&w, "三月.csv", DELIVERIES, &MARCH);
    let until_april = sheet(&w, "三至四月.csv", DELIVERIES, &april);
    let only_april = sheet(&w, "四月.csv", DELIVERIES, &april[4..]);
    let (_, err) = ok(
        &w,
        &[
            "import",
            "--ledger",
            "台账",
            &march,
            &until_april,
            &only_april,
        ],
    );
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1450.00");
}

#[test]
fn a_copy_that_deletes_a_row_or_corrects_half_is_warned_of_and_overlapping_ranges_are_not() {
    // Attacker review, session 20: a copy within its sheet (a row pasted
    // twice deleted), a small sheet half corrected, a ledger of monthly
    // files beside the copy: each counted the old rows too, exit 0.
    let import = ["--lang", "en", "import", "--ledger"];
    let twice: Vec<&str> = [&MARCH[..], &MARCH[1..2]].concat();
    let mut half: Vec<String> = MARCH[..2].iter().map(|r| r.to_string()).collect();
    half[0] = half[0].replacen(",800,", ",900,", 1);
    let half: Vec<&str> = half.iter().map(String::as_str).collect();
    for (sheet_rows, copy_rows, both) in [
        (&twice[..], &MARCH[..], "1750.00"),
        (&MARCH[..2], &half[..], "2000.00"),
    ] {
        let w = Workdir::new();
        district(&w);
        let march = sheet(&w, "台账/三月.csv", DELIVERIES, sheet_rows);
        let copy = sheet(&w, "台账/三月(修改).csv", DELIVERIES, copy_rows);
        let err = fails(
            &w,
            &[&import[..], &["三月", "--replace", &copy, &march][..]].concat(),
        );
        assert!(
            err.contains("台账/三月.csv:1: file: ") && err.contains("add --force"),
            "{err}"
        );
        let (_, err) = ok(&w, &[&import[..], &["三月", &copy, &march]].concat());
        assert!(err.contains("also in 台账/三月(修改).csv"), "{err}");
        assert_eq!(total(&w), both);
    }
    // A ledger of months, the copy among them: named with the file it
    // shares rows with; the advice followed gives the sheet's figures.
    let w = Workdir::new();
    district(&w);
    let mut corrected: Vec<String> = MARCH.iter().map(|r| r.to_string()).collect();
    corrected[0] = corrected[0].replacen(",800,", ",900,", 1);
    let corrected: Vec<&str> = corrected.iter().map(String::as_str).collect();
    let months = [
        sheet(
            &w,
            "台账/一月.csv",
            DELIVERIES,
            &["2003-01-10,李四,张三,送温暖,100,,慰问"],
        ),
        sheet(
            &w,
            "台账/二月.csv",
            DELIVERIES,
            &["2003-02-10,王芳,孙七,送温暖,200,,慰问"],
        ),
        sheet(&w, "台账/三月(修改).csv", DELIVERIES, &corrected),
        sheet(&w, "台账/三月.csv", DELIVERIES, &MARCH),
    ];
    let months: Vec<&str> = months.iter().map(String::as_str).collect();
    let (_, err) = ok(&w, &[&import[..], &["2003年"], &months[..]].concat());
    assert!(
        err.contains(
            "warning: 台账/三月.csv: 3 of its 4 rows are also in 台账/三月(修改).csv (4 rows)"
        ) && err.contains("bangfu undo 2)"),
        "{err}"
    );
    assert!(!err.contains("一月"), "{err}");
    ok(&w, &["undo", "2"]);
    let (_, err) = ok(
        &w,
        &[&import[..], &["2003年", "--replace"], &months[..3]].concat(),
    );
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1850.00");
    // Exports of overlapping date ranges are one ledger's rows, said once.
    let w = Workdir::new();
    district(&w);
    let late: Vec<&str> = [&MARCH[2..], &["2003-04-02,李四,张三,送信息,,,介绍务工岗位"]].concat();
    let march = sheet(&w, "2003-03.csv", DELIVERIES, &MARCH);
    let range = sheet(&w, "2003-03-07至04-02.csv", DELIVERIES, &late);
    let (_, err) = ok(&w, &["import", "--ledger", "台账", &march, &range]);
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1450.00");
    // Overlapping ranges, most rows shared, as the ledger's version; and
    // a sheet grown by a month under the same name in the next folder.
    let w = Workdir::new();
    district(&w);
    let early = sheet(&w, "导出0305-0307.csv", DELIVERIES, &MARCH[..3]);
    let later = sheet(&w, "导出0306-0308.csv", DELIVERIES, &MARCH[1..]);
    ok(
        &w,
        &["import", "--ledger", "台账", "--replace", &early, &later],
    );
    let mut april: Vec<&str> = MARCH.to_vec();
    april.push("2003-04-02,李四,张三,送温暖,100,,慰问");
    let march = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    let grown = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &april);
    let (_, err) = ok(
        &w,
        &["import", "--ledger", "台账", "--replace", &march, &grown],
    );
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1550.00");
}

#[test]
fn a_household_two_rosters_of_one_import_give_other_values_is_refused() {
    // Second attacker review, session 20: 贫困户(修改).csv lifting H4, with
    // 贫困户.csv after it in the shell's order: the old status won, exit 0.
    let w = Workdir::new();
    let mut lifted: Vec<String> = ROSTER.iter().map(|r| r.to_string()).collect();
    lifted[3] = "H4,周八,向阳街道,向阳社区,已脱贫,2003-03-01".into();
    let lifted: Vec<&str> = lifted.iter().map(String::as_str).collect();
    let copy = sheet(&w, "hz/贫困户(修改).csv", HOUSEHOLDS, &lifted);
    let roster = sheet(&w, "hz/贫困户.csv", HOUSEHOLDS, &ROSTER);
    let err = fails(
        &w,
        &[
            "--lang",
            "en",
            "import",
            "--ledger",
            "贫困户",
            &copy,
            &roster,
        ],
    );
    assert!(
        err.contains(
            "hz/贫困户.csv:5: id: household \"H4\" is also in an earlier file of this import"
        ),
        "{err}"
    );
    // A list of the households lifted, of other columns, updates the
    // roster before it, as it always did.
    let list = sheet(
        &w,
        "脱贫名单.csv",
        "户编号,户主,乡镇,村,状态\n",
        &["H4,周八,向阳街道,向阳社区,已脱贫"],
    );
    ok(&w, &["import", &roster, &list]);
    let summary = w.json(&["summary"]);
    assert_eq!(summary["lifted_households"], 1);
}

#[test]
fn a_pairings_sheet_and_its_copy_in_one_ledger_are_refused_with_replace() {
    // Second attacker review, session 20: the copy dropped 王芳–周八; both
    // in one --replace, the pairing stayed and 周八 was not unpaired.
    const PAIRINGS: &str = "帮扶人,贫困户,结对时间\n";
    let all = [
        "M1,H1,2003-01-01",
        "M1,H2,2003-01-01",
        "M2,H3,2003-01-01",
        "M2,H4,2003-01-01",
    ];
    let w = Workdir::new();
    district(&w);
    ok(
        &w,
        &[
            "import",
            "--ledger",
            "结对",
            &sheet(&w, "结对.csv", PAIRINGS, &all),
        ],
    );
    let copy = sheet(&w, "tz/结对(修改).csv", PAIRINGS, &all[..3]);
    let sheet = sheet(&w, "tz/结对.csv", PAIRINGS, &all);
    let replace = ["--lang", "en", "import", "--replace", "--ledger", "结对"];
    let err = fails(&w, &[&replace[..], &[&copy, &sheet]].concat());
    assert!(
        err.contains("3 of its 4 rows are also in tz/结对(修改).csv"),
        "{err}"
    );
    // As it says: without the file the corrected one replaces.
    ok(&w, &[&replace[..], &[&copy]].concat());
    let unpaired = w.json(&["unpaired"]);
    assert_eq!(unpaired["rows"][0]["household"], "H4", "{unpaired}");
}

#[test]
fn copies_named_as_clerks_and_their_machines_name_them_are_warned_of() {
    // Second attacker review, session 20: a copy that only deletes a row
    // pasted twice, named so that the copy's name was not told, or a small
    // sheet with one row of two corrected, counted the old rows, exit 0.
    let twice: Vec<&str> = [&MARCH[..], &MARCH[..1]].concat();
    for name in [
        "三月修改后",
        "三月 副本 2",
        "三月(已更新)",
        "三月-改正",
        "Copy of 三月",
    ] {
        let w = Workdir::new();
        district(&w);
        let march = sheet(&w, "台账/三月.csv", DELIVERIES, &twice);
        let copy = sheet(&w, &format!("台账/{name}.csv"), DELIVERIES, &MARCH);
        let (_, err) = ok(
            &w,
            &["--lang", "en", "import", "--ledger", "三月", &march, &copy],
        );
        assert!(
            err.contains("and the two files are not the same"),
            "{name}: {err}"
        );
    }
    let mut small: Vec<String> = MARCH[..2].iter().map(|r| r.to_string()).collect();
    small[0] = small[0].replacen(",800,", ",880,", 1);
    let small: Vec<&str> = small.iter().map(String::as_str).collect();
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "三月.csv", DELIVERIES, &MARCH[..2]);
    let copy = sheet(&w, "新表.csv", DELIVERIES, &small);
    let (_, err) = ok(
        &w,
        &["--lang", "en", "import", "--ledger", "三月", &march, &copy],
    );
    assert!(
        err.contains("1 of its 2 rows are also in 三月.csv (2 rows)"),
        "{err}"
    );
}

#[test]
fn a_record_id_two_files_of_one_import_give_other_values_is_refused() {
    // Attacker review, session 20: a sheet with 记录编号 and its corrected
    // copy in one command; the copy first, the original's old amount was
    // counted (updated back), exit 0, nothing said.
    const WITH_IDS: &str = "记录编号,日期,帮扶人,贫困户,类别,物资,资金,内容\n";
    let with_ids = |rows: &[&str]| -> Vec<String> {
        let ids = rows.iter().enumerate();
        ids.map(|(i, r)| format!("R{},{r}", i + 1)).collect()
    };
    let march = with_ids(&MARCH);
    let mut copy = march.clone();
    copy[0] = copy[0].replacen(",800,", ",900,", 1);
    copy.push("R5,2003-03-09,李四,张三,送信息,,,介绍务工岗位".into());
    for copy_first in [true, false] {
        let w = Workdir::new();
        district(&w);
        let m: Vec<&str> = march.iter().map(String::as_str).collect();
        let c: Vec<&str> = copy.iter().map(String::as_str).collect();
        let march = sheet(&w, "台账/三月.csv", WITH_IDS, &m);
        let copy = sheet(&w, "台账/三月(修改).csv", WITH_IDS, &c);
        let files = match copy_first {
            true => [copy.clone(), march.clone()],
            false => [march.clone(), copy.clone()],
        };
        let err = fails(
            &w,
            &[
                "--lang", "en", "import", "--ledger", "三月", &files[0], &files[1],
            ],
        );
        let line = format!(
            "{}:2: id: record \"R1\" is also in an earlier file",
            files[1]
        );
        assert!(err.contains(&line), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        // Overlapping exports that agree are one version, counted once.
        ok(
            &w,
            &[
                "import",
                "--ledger",
                "三月",
                &copy,
                &sheet(&w, "R5.csv", WITH_IDS, &c[4..]),
            ],
        );
        assert_eq!(total(&w), "1550.00");
    }
}

#[test]
fn two_townships_numbering_their_records_alike_in_one_command_are_told_so() {
    // Second attacker review, session 20: told "a sheet and its corrected
    // copy? Import only the file that is right", which drops a township.
    const WITH_IDS: &str = "记录编号,日期,帮扶人,贫困户,类别,物资,资金,内容\n";
    let w = Workdir::new();
    district(&w);
    let a = ["1,".to_string() + MARCH[0], "2,".to_string() + MARCH[1]];
    let b = ["1,".to_string() + MARCH[2], "2,".to_string() + MARCH[3]];
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let b: Vec<&str> = b.iter().map(String::as_str).collect();
    let a = sheet(&w, "工农乡/帮扶记录.csv", WITH_IDS, &a);
    let b = sheet(&w, "向阳街道/帮扶记录.csv", WITH_IDS, &b);
    let err = fails(&w, &["--lang", "en", "import", &a, &b]);
    assert!(
        err.contains("for another visit: two sheets that number their records alike")
            && !err.contains("corrected copy"),
        "{err}"
    );
    // As it says: without the ids.
    let a = sheet(&w, "工农乡/帮扶记录.csv", DELIVERIES, &MARCH[..2]);
    let b = sheet(&w, "向阳街道/帮扶记录.csv", DELIVERIES, &MARCH[2..]);
    ok(&w, &["import", &a, &b]);
    assert_eq!(total(&w), "1450.00");
}

#[test]
fn a_row_a_second_download_holds_too_stays_counted_and_the_replace_says_so() {
    // Clerk review, session 20: 三月(1).csv, the browser's second download
    // of the sheet, went into a ledger of its own name; the corrected
    // sheet's --replace then counted the old row removed, and the total
    // kept it, exit 0, nothing said.
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "三月.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    let copy = sheet(&w, "三月(1).csv", DELIVERIES, &MARCH);
    let (_, err) = ok(&w, &["--lang", "en", "import", &copy]);
    assert!(
        err.contains("ledger 三月(1) now holds them too") && err.contains("(bangfu undo 3)"),
        "{err}"
    );
    let mut corrected: Vec<String> = MARCH.iter().map(|r| r.to_string()).collect();
    corrected[0] = corrected[0].replacen(",800,", ",900,", 1);
    let corrected: Vec<&str> = corrected.iter().map(String::as_str).collect();
    let march = sheet(&w, "2003年4月/三月.csv", DELIVERIES, &corrected);
    let replace = ["--lang", "en", "import", "--replace", &march];
    let (_, err) = ok(&w, &[&replace[..], &["--dry-run"]].concat());
    assert!(
        err.contains("1 delivery that this file no longer lists would still be counted")
            && err.contains("take that import back first (bangfu undo 3: it takes back"),
        "{err}"
    );
    let (_, err) = ok(&w, &replace);
    assert!(
        err.contains("ledger 三月(1) holds it too (import 3)")
            && err.contains("bangfu undo 4, then bangfu undo 3"),
        "{err}"
    );
    assert_eq!(
        total(&w),
        "2350.00",
        "the old row still counted, as it says"
    );
    // As it says.
    ok(&w, &["undo", "4"]);
    ok(&w, &["undo", "3"]);
    let (_, err) = ok(&w, &replace);
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1550.00");
    // The download came in beside another file: the undo it names takes
    // that one back too, and says so (second attacker review).
    let w = Workdir::new();
    district(&w);
    ok(&w, &["import", &sheet(&w, "三月.csv", DELIVERIES, &MARCH)]);
    let april = sheet(
        &w,
        "a/四月.csv",
        DELIVERIES,
        &["2003-04-02,李四,张三,送温暖,100,,慰问"],
    );
    let copy = sheet(&w, "a/三月(1).csv", DELIVERIES, &MARCH);
    let (_, err) = ok(&w, &["--lang", "en", "import", &copy, &april]);
    assert!(
        err.contains("(bangfu undo 3 takes back all of import 3: import its other 1 file again)"),
        "{err}"
    );
    // Both ledgers' corrected sheets in one command: the old row is gone,
    // and nothing is said of it (attacker review: it was refused, 三月
    // called a new ledger, and told to undo imports never made).
    let w = Workdir::new();
    district(&w);
    ok(&w, &["import", &sheet(&w, "三月.csv", DELIVERIES, &MARCH)]);
    ok(
        &w,
        &["import", &sheet(&w, "三月(1).csv", DELIVERIES, &MARCH)],
    );
    let both = [
        sheet(&w, "b/三月.csv", DELIVERIES, &corrected),
        sheet(&w, "b/三月(1).csv", DELIVERIES, &corrected),
    ];
    // Refused by a later check (a copy beside the sheet), the replace's
    // words of rows let go of are not said: nothing was.
    let mut again: Vec<String> = corrected.iter().map(|r| r.to_string()).collect();
    again[3] = again[3].replacen(",300,", ",350,", 1);
    let again: Vec<&str> = again.iter().map(String::as_str).collect();
    let copy = sheet(&w, "b/三月(修改).csv", DELIVERIES, &again);
    let err = fails(
        &w,
        &[
            "--lang",
            "en",
            "import",
            "--ledger",
            "三月",
            "--replace",
            &both[0],
            &copy,
        ],
    );
    assert!(
        err.contains("add --force") && !err.contains("still counted"),
        "{err}"
    );
    let replace = ["--lang", "en", "import", "--replace", &both[0], &both[1]];
    let (_, err) = ok(&w, &replace);
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(total(&w), "1550.00");
    // The whole of it, in Chinese.
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "三月.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    ok(
        &w,
        &["import", &sheet(&w, "三月(1).csv", DELIVERIES, &MARCH)],
    );
    sheet(&w, "2003年4月/三月.csv", DELIVERIES, &corrected);
    bangfu_snapshot!(
        "kept_counted_zh",
        w,
        &["--lang", "zh", "import", "--replace", "2003年4月/三月.csv"]
    );
}

#[test]
fn a_month_in_the_file_name_is_named_with_the_ledger_it_belongs_to() {
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "帮扶记录2003年3月.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    let mut april_rows: Vec<&str> = MARCH.to_vec();
    april_rows.push("2003-04-02,李四,张三,送信息,,,介绍务工岗位");
    let april = sheet(&w, "帮扶记录2003年4月.csv", DELIVERIES, &april_rows);
    bangfu_snapshot!("other_ledger_zh", w, &["--lang", "zh", "import", &april]);
    let may = sheet(&w, "帮扶记录2003年5月.csv", DELIVERIES, &april_rows);
    bangfu_snapshot!("other_ledger_en", w, &["import", "--dry-run", &may]);
    // As the warning says: that ledger's new version, nothing new.
    let (_, err) = ok(
        &w,
        &["import", "--ledger", "帮扶记录2003年3月", "--replace", &may],
    );
    assert!(!err.contains("warning"), "{err}");
    // A file of its own rows is no other ledger's.
    let (_, err) = ok(&w, &["import", &march]);
    assert!(!err.contains("warning"), "{err}");
}

/// `sha256sum FILE`'s hex digest.
fn sha256sum(w: &Workdir, file: &str) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(w.path(file))
        .output()
        .expect("sha256sum");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_log_keeps_the_login_and_each_files_sha256() {
    let w = Workdir::new();
    let households = sheet(&w, "2003年3月/贫困户.csv", HOUSEHOLDS, &ROSTER);
    w.utf8_bom("帮扶人.csv", "编号,姓名,单位\nM1,李四,区财政局\n");
    let mut book = rust_xlsxwriter::Workbook::new();
    let page = book.add_worksheet();
    for (row, cells) in [
        ["帮扶人", "贫困户", "开始日期"],
        ["李四", "张三", "2003-01-01"],
    ]
    .iter()
    .enumerate()
    {
        for (col, cell) in cells.iter().enumerate() {
            page.write_string(row as u32, col as u16, *cell)
                .expect("cell");
        }
    }
    book.save(w.path("结对.xlsx")).expect("workbook");
    // An empty file, taken with --rejects: logged with its digest too.
    w.write("空.csv", b"");
    let files = [households.as_str(), "帮扶人.csv", "结对.xlsx", "空.csv"];
    let args = [&["import", "--rejects", "拒绝.csv"][..], &files].concat();
    let (status, text) = run(&w, &args);
    assert_eq!(status, Some(1), "{text}");
    let logged = rows(&w, "SELECT file, sha256 FROM imports ORDER BY key");
    let expected: Vec<String> = [
        (households.as_str(), households.as_str()),
        ("帮扶人.csv", "帮扶人.csv"),
        ("结对.xlsx[Sheet1]", "结对.xlsx"),
        ("空.csv", "空.csv"),
    ]
    .iter()
    .map(|(name, file)| format!("{name}|{}", sha256sum(&w, file)))
    .collect();
    assert_eq!(logged, expected);
    let user = scalar(&w, r#"SELECT "user" FROM commands"#);
    assert!(!user.is_empty());
    // On a server, the role that logged in (contract §9: the log's users
    // differ between backends); on a file, the computer's login.
    let login = match w.on_postgres() {
        true => scalar(&w, "SELECT current_user"),
        false => {
            let id = std::process::Command::new("id")
                .arg("-un")
                .output()
                .expect("id");
            String::from_utf8_lossy(&id.stdout).trim().to_string()
        }
    };
    assert_eq!(user, login);
}

#[test]
fn replace_with_rejects_and_force_without_replace_are_usage_errors() {
    let w = Workdir::new();
    let households = sheet(&w, "贫困户.csv", HOUSEHOLDS, &ROSTER);
    bangfu_snapshot!(
        "replace_with_rejects_en",
        w,
        &["import", "--replace", "--rejects", "拒绝.csv", &households]
    );
    bangfu_snapshot!(
        "replace_with_rejects_zh",
        w,
        &[
            "--lang",
            "zh",
            "import",
            "--replace",
            "--rejects",
            "拒绝.csv",
            &households
        ]
    );
    let (status, text) = run(&w, &["import", "--force", &households]);
    assert_eq!(status, Some(2), "{text}");
    assert!(!w.made());
}

#[test]
fn pairings_changed_in_place_or_dropped_are_kept_for_undo() {
    let w = Workdir::new();
    district(&w);
    let header = "帮扶人,贫困户,开始日期\n";
    let march = sheet(
        &w,
        "2003年3月/结对.csv",
        header,
        &["李四,张三,", "李四,赵六,2003-01-01", "王芳,孙七,2003-01-01"],
    );
    ok(&w, &["import", &march]);
    let april = sheet(
        &w,
        "2003年4月/结对.csv",
        header,
        &["李四,张三,2003-02-01", "王芳,孙七,2003-01-01"],
    );
    ok(&w, &["import", "--replace", &april]);
    assert_eq!(
        rows(
            &w,
            "SELECT command, removed, since IS NULL FROM undo_pairings ORDER BY removed"
        ),
        ["3|0|1", "3|1|0"]
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM pairings"), "2");
    assert_eq!(
        rows(
            &w,
            "SELECT new, updated, unchanged, removed FROM imports WHERE command = 3"
        ),
        ["0|1|1|1"]
    );
    // Every pairing, household and member the files listed is held, the
    // ones this import added carrying its number.
    assert_eq!(
        rows(
            &w,
            &format!("SELECT kind, count(*), max(added) FROM {HELD} h GROUP BY kind ORDER BY kind")
        ),
        ["0|4|1", "1|2|1", "2|2|2"]
    );
}

#[test]
fn a_row_another_ledger_holds_stays_when_one_ledger_drops_it() {
    let w = Workdir::new();
    district(&w);
    // The township's ledger and the finance bureau's record one visit.
    let township = sheet(&w, "2003年3月/帮扶记录.csv", DELIVERIES, &MARCH);
    let bureau = sheet(&w, "区财政局.csv", DELIVERIES, &MARCH[..1]);
    ok(&w, &["import", &township, &bureau]);
    assert_eq!(total(&w), "1450.00");
    // The township's April sheet lost that row; the bureau's still has it.
    let april = sheet(&w, "2003年4月/帮扶记录.csv", DELIVERIES, &MARCH[1..]);
    let (out, _) = ok(&w, &["import", "--replace", &april]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(total(&w), "1450.00", "counted once, still there");
    assert_eq!(scalar(&w, "SELECT count(*) FROM undo_deliveries"), "0");
    assert_eq!(
        rows(
            &w,
            "SELECT u.command, l.name FROM undo_holds u JOIN ledgers l ON l.key = u.ledger"
        ),
        ["3|帮扶记录"]
    );
    assert_eq!(
        rows(
            &w,
            &format!(
                "SELECT l.name, count(*) FROM {HELD} h JOIN ledgers l ON l.key = h.ledger
                 WHERE h.kind = 3 GROUP BY l.name ORDER BY l.name"
            )
        ),
        ["区财政局|1", "帮扶记录|3"]
    );
    assert_eq!(
        scalar(&w, "SELECT removed FROM imports ORDER BY key DESC"),
        "1"
    );
}

#[test]
fn a_replace_that_would_start_a_second_ledger_beside_the_one_holding_its_rows_is_refused() {
    // The clerk's year: 帮扶记录.csv is the ledger; May's export is saved as
    // 帮扶记录2024年5月.csv and imported with --replace. Into a ledger of its
    // own name it would hold every row a second time, and a row later
    // deleted from the sheet would stay counted through it: refused,
    // naming the --ledger to use; --force starts the new ledger anyway.
    let w = Workdir::new();
    district(&w);
    let march = sheet(&w, "帮扶记录.csv", DELIVERIES, &MARCH);
    ok(&w, &["import", &march]);
    let may = sheet(&w, "帮扶记录2003年5月.csv", DELIVERIES, &MARCH);
    let before = w.dump();
    bangfu_snapshot!(
        "second_ledger_refused_zh",
        w,
        &["--lang", "zh", "import", "--replace", &may]
    );
    assert_eq!(w.dump(), before);
    let (code, _) = run(&w, &["import", "--replace", "--dry-run", &may]);
    assert_eq!(code, Some(1));
    // As it says: that ledger's new version.
    ok(&w, &["import", "--ledger", "帮扶记录", "--replace", &may]);
    assert_eq!(
        rows(&w, "SELECT name FROM ledgers WHERE name LIKE '帮扶记录%'"),
        ["帮扶记录"]
    );
    // Or, forced, a ledger of its own.
    ok(&w, &["import", "--replace", "--force", &may]);
    assert_eq!(
        rows(
            &w,
            "SELECT count(*) FROM ledgers WHERE name = '帮扶记录2003年5月'"
        ),
        ["1"]
    );
}
