//! End-to-end: the reading path's findings of the outside review (issue 12)
//! and clerks' habits (issue 15) — unclosed quotes, CR-only line ends,
//! numeric ids in workbooks, two-row headers, invisible characters, stray
//! cells far out in a sheet, footer rows, status spellings.

use crate::common;

use common::{import, import_small_district, logged, path_str, scalar, Workdir};
use rust_xlsxwriter::Workbook;

/// Ten deliveries to H1 by M1, one a day, with `note(i)` as the note of row i.
fn ten_deliveries(note: impl Fn(usize) -> String) -> String {
    let mut text = String::from("日期,帮扶人,户编号,类别,物资,资金,备注\n");
    for i in 0..10 {
        text.push_str(&format!(
            "2001-03-{:02},M1,H1,送温暖,100,,{}\n",
            i + 1,
            note(i)
        ));
    }
    text
}

// Finding 5: an unclosed quote swallowed the rows after it.

#[test]
fn an_unclosed_quote_is_an_error_at_its_line_and_nothing_is_written() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.dump();
    let d = w.utf8(
        "d.csv",
        &ten_deliveries(|i| {
            if i == 2 {
                "\"送米 10斤".into()
            } else {
                "走访".into()
            }
        }),
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:4:") && err.contains("quote"), "{err}");
    assert_eq!(w.dump(), before);
    // With --rejects the rows after the quote cannot be accounted for.
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(w.dump(), before);
}

#[test]
fn a_quoted_note_over_several_lines_still_imports() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        &ten_deliveries(|i| match i {
            2 => "\"送米 10斤\n送油 2桶\"".into(),
            9 => "\"最后一行\n两行\"".into(),
            _ => "走访".into(),
        }),
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(logged(&w, "d.csv")[..2], [10, 10]);
    assert_eq!(
        scalar(&w, "SELECT note FROM deliveries WHERE note LIKE '送米%'"),
        "送米 10斤\n送油 2桶"
    );
}

// Finding 6: CR-only line ends read as one row.

#[test]
fn cr_only_line_ends_read_as_rows_with_their_line_numbers() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,电话\rH1,张三,工农乡,13812345678\rH2,,工农乡,13912345678\rH3,王五,工农乡,\r",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("h.csv:3: head:"), "{err}");
    assert!(!err.contains("ignored"), "{err}");
    assert!(!err.contains("13812345678"), "{err}");
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,电话\rH1,张三,工农乡,13812345678\rH3,王五,工农乡,\r",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(logged(&w, "h.csv")[..2], [2, 2]);
}

// Finding 8: a numeric id cell of 16 digits has lost digits.

fn households_book(w: &Workdir, name: &str, id: f64) -> std::path::PathBuf {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, head) in ["户编号", "户主", "乡镇"].iter().enumerate() {
        s.write_string(0, c as u16, *head).unwrap();
    }
    s.write_number(1, 0, id).unwrap();
    s.write_string(1, 1, "张三").unwrap();
    s.write_string(1, 2, "工农乡").unwrap();
    let path = w.path(name);
    book.save(&path).unwrap();
    path
}

#[test]
fn a_sixteen_digit_numeric_id_in_a_workbook_is_an_error() {
    let w = Workdir::new();
    let book = households_book(&w, "h.xlsx", 4305231020010001.0);
    let (code, _, err) = import(&w, &[path_str(&book)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(":2: id:"), "{err}");
    assert!(err.contains("format the column as text"), "{err}");
    assert_eq!(w.dump(), "");
}

#[test]
fn a_fifteen_digit_numeric_id_in_a_workbook_reads_as_its_digits() {
    let w = Workdir::new();
    let book = households_book(&w, "h.xlsx", 430523102001001.0);
    let (code, _, err) = import(&w, &[path_str(&book)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(scalar(&w, "SELECT id FROM households"), "430523102001001");
}

// Finding 9: a two-row header dropped the money.

#[test]
fn a_two_row_header_keeps_the_money_and_the_line_numbers() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,帮扶金额（元）,,备注\n\
         ,,,,物资,资金,\n\
         2001-03-05,M1,H1,送温暖,200,100,米\n\
         2001-03-06,M1,H1,送法律,50,,讲座\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("ignored"), "{err}");
    assert_eq!(scalar(&w, "SELECT sum(goods) FROM deliveries"), "25000");
    assert_eq!(scalar(&w, "SELECT sum(cash) FROM deliveries"), "10000");
    let bad = w.utf8(
        "bad.csv",
        "日期,帮扶人,户编号,类别,帮扶金额（元）,,备注\n\
         ,,,,物资,资金,\n\
         2001-03-05,M1,H1,送温暖,200,100,米\n\
         2001-02-30,M1,H1,送法律,50,,讲座\n",
    );
    let (code, _, err) = import(&w, &[path_str(&bad)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("bad.csv:4: date:"), "{err}");
}

#[test]
fn a_money_column_that_is_not_understood_is_never_dropped() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.records();
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,帮扶金额（元）,备注\n2001-03-05,M1,H1,送温暖,200,米\n",
    );
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("帮扶金额"), "{err}");
    assert_eq!(w.records(), before);
}

// Finding 13: invisible characters made look-alike records.

#[test]
fn invisible_characters_and_unicode_forms_do_not_make_second_records() {
    let w = Workdir::new();
    let first = w.utf8(
        "h1.csv",
        "户编号,户主,乡镇\n\
         LS-H001,张三,工农乡\n\
         LS-H002,李四,工农乡\n\
         LS-Hé,王\u{202e}五,工农乡\n",
    );
    let again = w.utf8(
        "h2.csv",
        "户编号,户主,乡镇\n\
         LS-H001\u{200b},张三,工农乡\n\
         LS-H003,李\u{200b}四,工农乡\n\
         LS-He\u{301},王五,工农乡\n",
    );
    let (code, _, err) = import(&w, &[path_str(&first)]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = import(&w, &[path_str(&again)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(logged(&w, "h2.csv"), [3, 1, 0, 2, 0, 0]);
    assert_eq!(scalar(&w, "SELECT count(*) FROM households"), "4");
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM households WHERE head = '李四'"),
        "2"
    );
    assert_eq!(
        scalar(&w, "SELECT head FROM households WHERE id = 'LS-Hé'"),
        "王五"
    );
    let m = w.utf8("m.csv", "编号,姓名,单位\nM1,赵六,区财政局\n");
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别\n2001-03-05,M1,李四,送温暖\n",
    );
    let (code, _, err) = import(&w, &[path_str(&m), path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:2: household:"), "{err}");
    assert!(err.contains("LS-H002") && err.contains("LS-H003"), "{err}");
}

#[test]
fn control_characters_in_a_cell_are_an_error_and_never_printed_raw() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,\u{1b}[31m备注\n\
         H1,张\u{1b}[2J三,工农乡,x\n",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("h.csv:2: head:"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert_eq!(w.dump(), "");
}

// Finding 14: a stray value at XFD1048576.

#[test]
fn a_stray_cell_at_the_end_of_the_sheet_is_read_in_little_memory() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, head) in ["户编号", "户主", "乡镇"].iter().enumerate() {
        s.write_string(0, c as u16, *head).unwrap();
    }
    for (c, v) in ["H1", "张三", "工农乡"].iter().enumerate() {
        s.write_string(1, c as u16, *v).unwrap();
    }
    s.write_string(1_048_575, 16_383, "x").unwrap();
    let path = w.path("h.xlsx");
    book.save(&path).unwrap();
    let (code, _, err) = import(&w, &[path_str(&path)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(":1048576: row:"), "{err}");
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&path)]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(scalar(&w, "SELECT id FROM households"), "H1");
}

// Finding 22: a bad layout's file that breaks off part-way.

#[test]
fn a_file_with_a_bad_header_that_breaks_off_commits_nothing() {
    let w = Workdir::new();
    let h = w.utf8("h.csv", "户编号,户主,乡镇\nH1,张三,工农乡\n");
    // No category column, and an unclosed quote on line 3.
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,物资\n2001-03-05,M1,H1,1\n2001-03-06,M1,\"H1,1\n2001-03-07,M1,H1,1\n",
    );
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&h), path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:3:"), "{err}");
    assert_eq!(w.dump(), "");
}

// Finding 21: a header of many unknown columns.

#[test]
fn many_unknown_columns_are_named_a_few_at_a_time() {
    let w = Workdir::new();
    let mut header = String::from("户编号,户主,乡镇");
    let mut row = String::from("H1,张三,工农乡");
    for i in 0..1000 {
        header.push_str(&format!(",extra{i}"));
        row.push(',');
    }
    let h = w.utf8("h.csv", &format!("{header}\n{row}\n"));
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    let warning = err.lines().find(|l| l.contains("extra0")).expect(&err);
    assert!(warning.contains("and 995 more"), "{warning}");
    assert!(!warning.contains("extra999"), "{warning}");
}

// Issue 15 item 6: footer rows, and status spellings.

#[test]
fn footer_rows_after_the_records_are_skipped_with_one_warning() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,备注\n\
         2001-03-05,M1,H1,送温暖,200,100,米\n\
         2001-03-06,M1,H2,送法律,,,讲座\n\
         合计：2次,,,,200,100,\n\
         填表人：王五,,,审核人：赵六,,,\n\
         填报日期：2003年6月1日,,,,,,\n\
         单位负责人：钱七,,,,,,\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("footer")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("4") && warnings[0].contains("7"),
        "{err}"
    );
    assert_eq!(logged(&w, "d.csv"), [6, 2, 0, 0, 4, 0]);
}

#[test]
fn every_status_spelling_of_the_spec_is_read() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,户状态\n\
         H1,甲,工农乡,返贫\n\
         H2,乙,工农乡,脱贫户\n\
         H3,丙,工农乡,销户\n\
         H4,丁,工农乡,注销\n\
         H5,戊,工农乡,自然减少\n",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("ignored"), "{err}");
    assert_eq!(
        w.rows("SELECT status FROM households ORDER BY id").concat(),
        "01222"
    );
}
