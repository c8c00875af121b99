//! End-to-end: the fourth review from outside (an attacker's and a
//! clerk's, session 11), each finding a figure bangfu printed wrong, or a
//! row it lost or counted twice, with exit 0 — amounts in a header's unit
//! (`物资（万元）`), two amounts in one cell, price × quantity in a
//! workbook, a second column of the same money.

use crate::common;

use common::{import, import_small_district, path_str, Workdir};
use rust_xlsxwriter::Workbook;

/// The deliveries in the database: "goods|cash" per row, by date.
fn amounts(w: &Workdir) -> String {
    w.rows("SELECT goods, cash FROM deliveries ORDER BY day, key")
        .join(";")
}

/// Import `text` as a GBK deliveries export into the small district;
/// exit code and stderr.
fn import_gbk(w: &Workdir, text: &str) -> (Option<i32>, String) {
    import_small_district(w);
    let d = w.gbk("d.csv", text);
    let (code, _, err) = import(w, &["--lang", "zh", path_str(&d)]);
    (code, err)
}

#[test]
fn amounts_under_a_header_in_wan_yuan_are_read_in_wan() {
    // Read as 1.50 and 2.00 yuan before, exit 0 (attacker F1, clerk 1a).
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,物资（万元）,资金[万元],合计（万元）\n\
         2001-03-05,M1,H1,送温暖,1.5,2,3.5\n\
         2001-03-06,M1,H2,送温暖,0.03,0,0.03\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "1500000|2000000;30000|0");
    let summary = w.stdout(&["summary"]);
    assert!(summary.contains("35,300.00"), "{summary}");
}

#[test]
fn a_money_group_in_wan_yuan_gives_its_unit_to_the_columns_under_it() {
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,帮扶金额（万元）,\n\
         ,,,,物资,资金\n\
         2001-03-05,M1,H1,送温暖,1.5,2\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "1500000|2000000");
}

#[test]
fn a_title_row_stating_wan_yuan_is_the_unit_of_columns_without_one() {
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "2001年帮扶台账,,,,,单位：万元\n\
         日期,帮扶人,户编号,类别,物资,资金（元）\n\
         2001-03-05,M1,H1,送温暖,1.5,200\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "1500000|20000");
    assert!(
        err.contains("表格标题写明金额单位是万元：物资 按万元读入"),
        "{err}"
    );
}

#[test]
fn a_cell_with_a_unit_of_its_own_in_a_wan_yuan_column_is_its_rows_problem() {
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,物资（万元）\n\
         2001-03-05,M1,H1,送温暖,1.5万\n\
         2001-03-06,M1,H1,送温暖,300元\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("d.csv:2: 物资（万元）: 该列金额以万元为单位（见表头或表格标题），这一格又写了单位；只写数字即可"),
        "{err}"
    );
    assert!(err.contains("d.csv:3: 物资（万元）:"), "{err}");
    assert_eq!(amounts(&w), "");
}

#[test]
fn a_goods_column_counted_in_pieces_is_refused() {
    // 物资（件） 2 (two quilts) was read as 2.00 yuan (clerk 1a).
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,物资（件）,资金\n2001-03-05,M1,H1,送温暖,2,100\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("表头“物资（件）”写明单位是“件”，不是元"),
        "{err}"
    );
    assert_eq!(amounts(&w), "");
}

#[test]
fn a_second_column_of_the_same_money_is_refused_not_dropped() {
    // 实物's 50 yuan was dropped with a warning, exit 0 (attacker F5).
    for header in ["物资,实物,资金", "物资,资金,现金"] {
        let w = Workdir::new();
        let (code, err) = import_gbk(
            &w,
            &format!("日期,帮扶人,户编号,类别,{header}\n2001-03-05,M1,H1,送温暖,100,50,1\n"),
        );
        assert_eq!(code, Some(1), "{header}: {err}");
        assert!(err.contains("两列是同一种金额"), "{header}: {err}");
        assert!(!err.contains("两列是同一项"), "{header}: {err}");
        assert_eq!(amounts(&w), "", "{header}");
    }
}

#[test]
fn two_amounts_typed_into_one_cell_are_its_rows_problem() {
    // `300 200` was read as 300,200.00 yuan, exit 0 (clerk 1b).
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,物资,资金\n\
         2001-03-05,M1,H1,送温暖,300 200,0\n\
         2001-03-06,M1,H1,送温暖,￥ 1200 元,12 00\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("d.csv:2: 物资: “300 200”的数字中间有空格：是不是两个金额？"),
        "{err}"
    );
    assert!(err.contains("d.csv:3: 资金: “12 00”"), "{err}");
    assert!(!err.contains("d.csv:3: 物资"), "{err}");
}

#[test]
fn price_times_quantity_in_a_workbook_reads_as_the_sheet_shows_it() {
    // 12.8 × 3 is stored as 38.400000000000006: refused as "more than two
    // decimals" before, while the sheet shows 38.4 (attacker F6, clerk 1j).
    let w = Workdir::new();
    import_small_district(&w);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, head) in ["日期", "帮扶人", "户编号", "类别", "物资", "资金"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *head).unwrap();
    }
    let stored = [12.8 * 3.0, 4.35 * 100.0, 0.1 + 0.2, 36.900000000000006];
    for (i, goods) in stored.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, format!("2001-03-0{r}")).unwrap();
        sheet.write_string(r, 1, "M1").unwrap();
        sheet.write_string(r, 2, "H1").unwrap();
        sheet.write_string(r, 3, "送温暖").unwrap();
        sheet.write_number(r, 4, *goods).unwrap();
        sheet.write_number(r, 5, 114.99999999999999).unwrap();
    }
    let path = w.path("d.xlsx");
    book.save(&path).unwrap();
    let (code, _, err) = import(&w, &[path_str(&path)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "3840|11500;43500|11500;30|11500;3690|11500");
}

#[test]
fn a_sheet_whose_id_column_was_dropped_or_added_is_followed_not_counted_twice() {
    // Both orders doubled every delivery, exit 0 (attacker F3); refused
    // since, and followed since session 22: the rows without ids are the
    // rows with them, which keep (or take) the ids.
    let with_ids = "记录编号,日期,帮扶人,户编号,类别,物资\n\
                    R1,2001-03-05,M1,H1,送温暖,100\n\
                    R2,2001-03-06,M1,H1,送温暖,50\n\
                    R3,2001-03-07,M1,H2,送温暖,100\n";
    let without = "日期,帮扶人,户编号,类别,物资\n\
                   2001-03-05,M1,H1,送温暖,100\n\
                   2001-03-06,M1,H1,送温暖,50\n\
                   2001-03-07,M1,H2,送温暖,100\n";
    for (first, second, words) in [
        (
            with_ids,
            without,
            "里已经有（带记录编号）：是同一次帮扶，只算一次",
        ),
        (
            without,
            with_ids,
            "里已经有（不带记录编号）：是同一次帮扶，只算一次",
        ),
    ] {
        let w = Workdir::new();
        import_small_district(&w);
        let a = w.gbk("a.csv", first);
        let b = w.gbk("b.csv", second);
        let (code, _, err) = import(&w, &["--ledger", "A", path_str(&a)]);
        assert_eq!(code, Some(0), "{err}");
        let (code, out, err) = import(&w, &["--lang", "zh", "--ledger", "A", path_str(&b)]);
        assert_eq!(code, Some(0), "{err}");
        // Its own rows again: unchanged, as a re-export is (no note: the
        // ledger held them all).
        let line = out.lines().find(|l| l.contains("b.csv")).unwrap();
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(&cells[4..8], ["3", "0", "0", "3"], "{words}: {out}");
        assert!(!err.contains("只算一次"), "{err}");
        assert_eq!(amounts(&w), "10000|0;5000|0;10000|0");
        assert_eq!(
            w.rows("SELECT count(*) FROM deliveries WHERE id IS NOT NULL"),
            ["3"]
        );
        // Again with --replace: the ledger's version, nothing taken out.
        let (code, _, err) = import(&w, &["--ledger", "A", "--replace", path_str(&b)]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(amounts(&w), "10000|0;5000|0;10000|0");
        // The same sheet again, with a row added, goes in as before.
        let again = format!(
            "{first}{}",
            if first == with_ids {
                "R4,2001-03-08,M1,H2,送温暖,7\n"
            } else {
                "2001-03-08,M1,H2,送温暖,7\n"
            }
        );
        let again = w.gbk("again.csv", &again);
        let (code, _, err) = import(&w, &["--ledger", "A", path_str(&again)]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(amounts(&w), "10000|0;5000|0;10000|0;700|0");
    }
    // A month's new rows with ids, in a ledger whose earlier rows had none,
    // are no second count: they go in.
    let w = Workdir::new();
    import_small_district(&w);
    let a = w.gbk("a.csv", without);
    let b = w.gbk(
        "b.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资
R9,2001-04-01,M1,H1,送温暖,100
",
    );
    for f in [&a, &b] {
        let (code, _, err) = import(&w, &["--ledger", "A", path_str(f)]);
        assert_eq!(code, Some(0), "{err}");
    }
    assert_eq!(amounts(&w), "10000|0;5000|0;10000|0;10000|0");
}

#[test]
fn a_row_whose_household_id_and_head_name_two_households_is_its_problem() {
    // 户编号 H1 with H2's head went to H1 without a word, the header
    // warning only (clerk 1f).
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人编号,帮扶人,户编号,户主,类别,物资\n\
         2001-03-05,M1,赵六,H1,张三,送温暖,100\n\
         2001-03-06,M1,赵六,H1,李四,送温暖,200\n\
         2001-03-07,M1,钱七,H2,李四,送温暖,300\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "d.csv:3: 户编号: “H1”是张三户，这一行另一列贫困户却写“李四”：是哪一户？请改正其中一列"
        ),
        "{err}"
    );
    assert!(
        err.contains("d.csv:4: 帮扶人编号: “M1”是帮扶人赵六，这一行另一列帮扶人却写“钱七”"),
        "{err}"
    );
    assert!(!err.contains("d.csv:2"), "{err}");
    assert!(!err.contains("两列是同一项"), "{err}");
    assert_eq!(amounts(&w), "");
    // In a pairings file as well.
    let p = w.gbk("p.csv", "帮扶人编号,帮扶人,户编号,户主\nM2,钱七,H3,张三\n");
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&p)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("p.csv:2: 户编号: “H3”是王五户，这一行另一列贫困户却写“张三”"),
        "{err}"
    );
}

#[test]
fn a_workbook_with_more_sheets_than_the_one_read_says_so() {
    // A month a sheet: only 10月 was read, without a word (clerk 1c).
    let w = Workdir::new();
    import_small_district(&w);
    let mut book = Workbook::new();
    for (month, goods) in [
        ("10月", 100.0),
        ("11月", 200.0),
        ("12月", 300.0),
        ("Sheet4", 0.0),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(month).unwrap();
        if month == "Sheet4" {
            continue;
        }
        for (c, head) in ["日期", "帮扶人", "户编号", "类别", "物资"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *head).unwrap();
        }
        for (c, cell) in ["2001-03-05", "M1", "H1", "送温暖"].iter().enumerate() {
            sheet.write_string(1, c as u16, *cell).unwrap();
        }
        sheet.write_number(1, 4, goods).unwrap();
    }
    let path = w.path("按月.xlsx");
    book.save(&path).unwrap();
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&path)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "只读了第一张工作表“10月”；工作簿里另外 2 张有内容的工作表（11月、12月）没有读"
        ),
        "{err}"
    );
    assert_eq!(amounts(&w), "10000|0");
    // With --sheet, nothing to say.
    let (code, _, err) = import(&w, &["--lang", "zh", "--sheet", "11月", path_str(&path)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("只读了第一张"), "{err}");
}

#[test]
fn a_corrected_rejects_file_whose_row_is_already_stored_is_refused_not_lost() {
    // Two identical visits, the second with a typo in its category: the
    // corrected rejects file's row matched the first, "unchanged", and the
    // second visit was lost, exit 0 (attacker F2).
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.gbk(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,备注\n\
         2001-03-01,M1,H1,送温暖,100,大米一袋\n\
         2001-03-01,M1,H1,温暧,100,大米一袋\n\
         2001-03-02,M1,H2,送温暖,50,\n",
    );
    let rejects = w.path("r.csv");
    let (code, _, err) = import(
        &w,
        &[
            "--ledger",
            "RJ",
            "--rejects",
            path_str(&rejects),
            path_str(&d),
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        text.contains(",error\n") || text.contains(",error\r\n"),
        "{text}"
    );
    let fixed = w.utf8(
        "fixed.csv",
        &text
            .trim_start_matches('\u{feff}')
            .replace("温暧", "送温暖"),
    );
    let (code, _, err) = import(&w, &["--lang", "zh", "--ledger", "RJ", path_str(&fixed)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("fixed.csv:1: 文件: 这个待改文件里有 1 行和已经导入的帮扶记录完全相同，所以什么也没有导入"),
        "{err}"
    );
    assert!(!err.contains("未知的列") && !err.contains("忽略"), "{err}");
    assert_eq!(amounts(&w), "10000|0;5000|0");
    // The whole sheet, corrected and imported again, adds the second visit.
    let sheet = w.gbk(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,备注\n\
         2001-03-01,M1,H1,送温暖,100,大米一袋\n\
         2001-03-01,M1,H1,送温暖,100,大米一袋\n\
         2001-03-02,M1,H2,送温暖,50,\n",
    );
    let (code, _, err) = import(&w, &["--ledger", "RJ", path_str(&sheet)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;10000|0;5000|0");
    // A rejects file whose rows are all new still goes in.
    let other = w.utf8(
        "other.csv",
        "日期,帮扶人,户编号,类别,物资,备注,error\n2001-04-01,M1,H1,送温暖,30,,x\n",
    );
    let (code, _, err) = import(&w, &["--ledger", "RJ", path_str(&other)]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn replacing_with_last_months_file_again_is_refused_without_force() {
    // November's file imported with --replace after December's took
    // December's rows back, exit 0 (clerk 1e).
    let w = Workdir::new();
    import_small_district(&w);
    let november = "日期,帮扶人,户编号,类别,物资\n2001-11-05,M1,H1,送温暖,100\n2001-11-06,M1,H2,送温暖,100\n2001-11-07,M1,H2,送温暖,100\n";
    let nov = w.gbk("帮扶记录.csv", november);
    let (code, _, err) = import(&w, &["--replace", path_str(&nov)]);
    assert_eq!(code, Some(0), "{err}");
    let dec = w.path("12月");
    std::fs::create_dir_all(&dec).unwrap();
    let december = format!("{november}2001-12-01,M1,H1,送温暖,7\n");
    let dec = w.gbk("12月/帮扶记录.csv", &december);
    let (code, _, err) = import(&w, &["--replace", path_str(&dec)]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = import(&w, &["--lang", "zh", "--replace", path_str(&nov)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("这个文件和第 2 次导入的台账“帮扶记录”文件一字不差，而之后第 3 次导入了更新的版本：用它 --replace 会删掉之后新增的 1 条"),
        "{err}"
    );
    assert_eq!(amounts(&w).split(';').count(), 4);
    // --force goes back to it.
    let (code, _, err) = import(&w, &["--replace", "--force", path_str(&nov)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w).split(';').count(), 3);
}

/// `bangfu ARGS` on `today`: exit code, stdout and stderr.
fn on(w: &Workdir, today: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", today)
        .args(args)
        .output()
        .expect("run bangfu");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_corrected_lifted_on_date_moves_the_day_the_household_is_lifted_from() {
    // lifted_on corrected from 2024-05-01 to 2024-08-01: unpaired and
    // totals by status went on dating the status by 05-01 (attacker F4).
    let w = Workdir::new();
    let m = w.utf8("m.csv", "id,name,unit\nM1,赵六,区财政局\n");
    let p = w.utf8("p.csv", "member,household,since\nM1,H2,2024-01-01\n");
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n2024-06-10,M1,H1,warmth,100\n2024-08-10,M1,H1,warmth,200\n",
    );
    let households = |status: &str, lifted_on: &str| {
        format!("id,head,township,status,lifted_on\nH1,张三,工农乡,{status},{lifted_on}\nH2,李四,工农乡,poor,\n")
    };
    let steps = [
        ("2024-04-01", households("poor", "")),
        ("2024-06-01", households("lifted", "2024-05-01")),
        ("2024-09-01", households("lifted", "2024-08-01")),
    ];
    for (i, (today, text)) in steps.iter().enumerate() {
        if i == 2 {
            let (code, _, err) = on(&w, "2024-08-20", &["import", path_str(&d)]);
            assert_eq!(code, Some(0), "{err}");
        }
        let h = w.utf8("h.csv", text);
        let mut args = vec!["import", path_str(&h)];
        if i == 0 {
            args.extend([path_str(&m), path_str(&p)]);
        }
        let (code, _, err) = on(&w, today, &args);
        assert_eq!(code, Some(0), "{err}");
    }
    let (_, out, err) = on(
        &w,
        "2024-10-01",
        &["unpaired", "--as-of", "2024-06-15", "--format", "csv"],
    );
    assert!(out.contains("H1"), "{out}{err}");
    let (_, out, _) = on(
        &w,
        "2024-10-01",
        &["unpaired", "--as-of", "2024-08-15", "--format", "csv"],
    );
    assert!(!out.contains("H1"), "{out}");
    let (_, out, err) = on(
        &w,
        "2024-10-01",
        &["totals", "--by", "status", "--format", "csv"],
    );
    assert!(out.contains("poor") && out.contains("100.00"), "{out}{err}");
    assert!(out.contains("lifted") && out.contains("200.00"), "{out}");
    // show's history dates the change by the corrected day too.
    let (_, out, _) = on(&w, "2024-10-01", &["show", "household", "H1"]);
    assert!(out.contains("2024-08-01"), "{out}");
    assert!(!out.contains("2024-05-01: status"), "{out}");
    // Undo of the correction puts the old day back.
    let (code, _, err) = on(&w, "2024-10-01", &["undo", "4"]);
    assert_eq!(code, Some(0), "{err}");
    let (_, out, _) = on(
        &w,
        "2024-10-01",
        &["unpaired", "--as-of", "2024-06-15", "--format", "csv"],
    );
    assert!(!out.contains("H1"), "{out}");
}

#[test]
fn a_household_a_replace_took_off_the_roster_groups_as_removed_from_that_day() {
    // Grouped as poor after --replace dropped it (attacker F7), where one
    // marked 销户 grouped as removed.
    let w = Workdir::new();
    let m = w.utf8("m.csv", "id,name,unit\nM1,赵六,区财政局\n");
    let v1 = "id,head,township\nH1,张三,工农乡\nH2,李四,工农乡\nH3,王五,工农乡\n";
    let h = w.utf8("贫困户.csv", v1);
    let (code, _, err) = on(&w, "2024-05-01", &["import", path_str(&h), path_str(&m)]);
    assert_eq!(code, Some(0), "{err}");
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n2024-05-10,M1,H3,warmth,100\n",
    );
    let (code, _, err) = on(&w, "2024-05-20", &["import", path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    let h = w.utf8(
        "贫困户.csv",
        "id,head,township\nH1,张三,工农乡\nH2,李四,工农乡\n",
    );
    let (code, _, err) = on(
        &w,
        "2024-06-01",
        &["import", "--replace", "--force", path_str(&h)],
    );
    assert_eq!(code, Some(0), "{err}");
    let d = w.utf8(
        "d2.csv",
        "date,member,household,category,goods\n2024-06-15,M1,H3,warmth,200\n",
    );
    let (code, _, err) = on(&w, "2024-06-20", &["import", path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    let (_, out, err) = on(
        &w,
        "2024-07-01",
        &["totals", "--by", "status", "--format", "csv"],
    );
    assert!(
        out.contains("poor,") && out.contains("100.00"),
        "{out}{err}"
    );
    assert!(out.contains("removed,") && out.contains("200.00"), "{out}");
}

#[test]
fn a_corrected_sheet_imported_without_replace_says_what_it_does_not_list() {
    // A date and a category corrected, a row deleted: without --replace
    // every old row stayed and the corrected ones came in beside them,
    // with no word but for amounts (clerk 1d).
    let w = Workdir::new();
    import_small_district(&w);
    let rows = |changed: &[&str]| {
        let mut text = String::from("日期,帮扶人,户编号,类别,物资\n");
        for day in 1..=6 {
            text.push_str(&format!("2001-03-0{day},M1,H1,送温暖,10\n"));
        }
        for row in changed {
            text.push_str(row);
            text.push('\n');
        }
        text
    };
    let v1 = rows(&[
        "2001-03-10,M1,H2,送温暖,100",
        "2001-03-11,M1,H2,送温暖,50",
        "2001-03-12,M1,H2,送温暖,20",
    ]);
    let f = w.gbk("帮扶记录.csv", &v1);
    let (code, _, err) = import(&w, &[path_str(&f)]);
    assert_eq!(code, Some(0), "{err}");
    let v2 = rows(&["2001-03-09,M1,H2,送温暖,100", "2001-03-11,M1,H2,送政策,50"]);
    let f = w.gbk("帮扶记录.csv", &v2);
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&f)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("台账“帮扶记录”在 2001-03-01 至 2001-03-11 之间已有的 2 条帮扶记录不在这个文件里，而文件又新增了 2 行"),
        "{err}"
    );
    // Imported again with --replace, the totals are the sheet's.
    let (code, _, err) = import(&w, &["--replace", path_str(&f)]);
    assert_eq!(code, Some(0), "{err}");
    let summary = w.stdout(&["summary"]);
    assert!(summary.contains("210.00"), "{summary}");
}

// The attacker's review of the fixes above (review 5).

#[test]
fn a_title_that_mentions_wan_yuan_without_stating_a_unit_changes_nothing() {
    // N3: amounts were read 10,000 times too large, exit 0.
    for title in [
        "填报单位：城关镇（全年帮扶资金共计12.5万元）",
        "单位：元（全年共计12.5万元）",
        "填报单位：万元乡",
    ] {
        let w = Workdir::new();
        let (code, err) = import_gbk(
            &w,
            &format!(
                "{title}\n日期,帮扶人,户编号,类别,物资,资金\n2001-03-05,M1,H1,送温暖,1500,200\n"
            ),
        );
        assert_eq!(code, Some(0), "{title}: {err}");
        assert_eq!(amounts(&w), "150000|20000", "{title}");
    }
}

#[test]
fn a_unit_in_a_spare_cell_of_the_header_row_is_read() {
    // N5: `（单位：万元）` after the last column was passed over.
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,类别,物资,资金,（单位：万元）\n2001-03-05,M1,H1,送温暖,1.5,0.02,\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "1500000|20000");
}

#[test]
fn headers_in_other_units_of_yuan_are_read_in_them_or_refused() {
    // N4: 仟元, 百元, 亿元, 万圆, 十万元 were read as yuan or 万元.
    for (header, stored) in [
        ("物资（仟元）", "150000|0"),
        ("物资（百元）", "15000|0"),
        ("物资（万圆）", "1500000|0"),
        ("物资（拾万元）", "15000000|0"),
        ("物资（亿元）", "15000000000|0"),
    ] {
        let w = Workdir::new();
        let (code, err) = import_gbk(
            &w,
            &format!("日期,帮扶人,户编号,类别,{header}\n2001-03-05,M1,H1,送温暖,1.5\n"),
        );
        assert_eq!(code, Some(0), "{header}: {err}");
        assert_eq!(amounts(&w), stored, "{header}");
    }
    for header in ["物资(元，超万元另报)", "物资（件数）", "物资（市斤）"] {
        let w = Workdir::new();
        let (code, err) = import_gbk(
            &w,
            &format!("日期,帮扶人,户编号,类别,{header}\n2001-03-05,M1,H1,送温暖,1.5\n"),
        );
        assert_eq!(code, Some(1), "{header}: {err}");
        assert_eq!(amounts(&w), "", "{header}");
    }
}

#[test]
fn a_sheets_own_last_column_named_for_errors_is_no_rejects_file() {
    // N7: a checker's column 错误（核查） made every monthly import fail.
    let w = Workdir::new();
    import_small_district(&w);
    let sheet = |rows: &str| format!("日期,帮扶人,户编号,类别,物资,错误（核查）\n{rows}");
    let first = "2001-03-05,M1,H1,送温暖,100,\n2001-03-06,M1,H2,送温暖,50,已核\n";
    let a = w.gbk("a.csv", &sheet(first));
    let (code, _, err) = import(&w, &["--ledger", "CE", path_str(&a)]);
    assert_eq!(code, Some(0), "{err}");
    let b = w.gbk(
        "b.csv",
        &sheet(&format!("{first}2001-03-07,M1,H2,送温暖,20,\n")),
    );
    let (code, _, err) = import(&w, &["--ledger", "CE", path_str(&b)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;5000|0;2000|0");
}

#[test]
fn a_head_padded_with_a_full_width_space_names_its_household() {
    // N8: 李　四, padded to line up with three-character names.
    let w = Workdir::new();
    let (code, err) = import_gbk(
        &w,
        "日期,帮扶人,户编号,户主,类别,物资\n2001-03-05,M1,H2,李　四,送温暖,100\n2001-03-06,M1,H2,李 四,送温暖,50\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;5000|0");
}

#[test]
fn one_sheet_given_with_and_without_its_ids_in_one_import_is_refused() {
    // N2: both exports in one command, one ledger: 7 deliveries for 4.
    let w = Workdir::new();
    import_small_district(&w);
    let a = w.gbk(
        "a.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资\nR1,2001-03-05,M1,H1,送温暖,100\nR2,2001-03-06,M1,H2,送温暖,50\n",
    );
    let b = w.gbk(
        "b.csv",
        "日期,帮扶人,户编号,类别,物资\n2001-03-05,M1,H1,送温暖,100\n2001-03-06,M1,H2,送温暖,50\n2001-03-07,M1,H2,送温暖,20\n",
    );
    let (code, _, err) = import(
        &w,
        &["--lang", "zh", "--ledger", "L", path_str(&a), path_str(&b)],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("这次导入的文件把台账“L”的 2 条帮扶记录给了两遍"),
        "{err}"
    );
    assert_eq!(amounts(&w), "");
}

#[test]
fn an_empty_sheet_with_formatted_cells_is_not_named_among_the_unread() {
    // N9: a template's styled empty cells are no content.
    let w = Workdir::new();
    import_small_district(&w);
    let mut book = Workbook::new();
    let first = book.add_worksheet();
    for (c, head) in ["日期", "帮扶人", "户编号", "类别", "物资"]
        .iter()
        .enumerate()
    {
        first.write_string(0, c as u16, *head).unwrap();
    }
    for (c, cell) in ["2001-03-05", "M1", "H1", "送温暖", "100"]
        .iter()
        .enumerate()
    {
        first.write_string(1, c as u16, *cell).unwrap();
    }
    let styled = book.add_worksheet();
    styled.set_name("模板").unwrap();
    let border = rust_xlsxwriter::Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    styled.write_blank(2, 2, &border).unwrap();
    let path = w.path("t.xlsx");
    book.save(&path).unwrap();
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&path)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("只读了第一张"), "{err}");
}

#[test]
fn a_rejects_file_imported_without_its_sheets_ledger_is_told_where_its_rows_went() {
    // Clerk review 5, N1: the corrected rows went into a ledger named for
    // the rejects file, out of reach of the sheet's --replace.
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.gbk(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资\n2001-03-01,M1,H1,送温暖,100\n2001-03-02,M1,H2,温暧,50\n",
    );
    let rejects = w.path("退回.csv");
    let (code, _, err) = import(&w, &["--rejects", path_str(&rejects), path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    let text = std::fs::read_to_string(&rejects).unwrap();
    let fixed = w.utf8(
        "退回.csv",
        &text
            .trim_start_matches('\u{feff}')
            .replace("温暧", "送温暖"),
    );
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&fixed)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("它的行记在了一本单独的台账“退回”里")
            && err.contains("再加 --ledger 帮扶记录 重新导入"),
        "{err}"
    );
    assert_eq!(amounts(&w), "10000|0;5000|0");
    // With the sheet's ledger, nothing to say.
    w.stdout(&["undo", "3"]);
    let (code, _, err) = import(
        &w,
        &["--lang", "zh", "--ledger", "帮扶记录", path_str(&fixed)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("单独的台账"), "{err}");
}

#[test]
fn the_verdict_suggests_rejects_only_where_it_would_import_valid_rows() {
    // Clerk review 5, N3: suggested after a --replace, and for a header
    // problem that --rejects cannot help.
    let w = Workdir::new();
    import_small_district(&w);
    let bad_header = w.gbk(
        "a.csv",
        "日期,帮扶人,户编号,类别,物资（件）\n2001-03-01,M1,H1,送温暖,2\n",
    );
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&bad_header)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("--rejects"), "{err}");
    let one_bad = w.gbk(
        "b.csv",
        "日期,帮扶人,户编号,类别,物资\n2001-03-01,M1,H1,送温暖,2\n2001-03-02,M1,H1,温暧,2\n",
    );
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&one_bad)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("或用 --rejects 文件 只导入没有问题的行"),
        "{err}"
    );
    let (code, _, err) = import(&w, &["--lang", "zh", "--replace", path_str(&one_bad)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("或用 --rejects"), "{err}");
}

#[test]
fn a_rejects_file_rejected_again_keeps_one_error_column() {
    // Clerk review 5: the old problems and the new ran together in one
    // row, under two error columns.
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资\n2001-03-01,M1,H1,送温暖,36.905\n",
    );
    let first = w.path("r1.csv");
    import(&w, &["--rejects", path_str(&first), path_str(&d)]);
    let second = w.path("r2.csv");
    import(
        &w,
        &[
            "--ledger",
            "d",
            "--rejects",
            path_str(&second),
            path_str(&first),
        ],
    );
    let text = std::fs::read_to_string(&second).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "日期,帮扶人,户编号,类别,物资,error", "{text}");
    assert_eq!(lines[1].matches("r1.csv:2").count(), 1, "{text}");
    assert!(!lines[1].contains("d.csv:2"), "{text}");
}
