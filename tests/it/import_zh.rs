//! End-to-end: every problem and warning of an import in Chinese under
//! `--lang zh` (issue 15), the column named as the file's own header names
//! it (`帮扶记录.csv:5: 帮扶人: …`, contract §5); in English as before, the
//! column by bangfu's own name of it. The rejects file's error column is
//! in the language of the run.

use crate::common;

use common::{import_small_district, Workdir};
use std::process::Output;

fn run(w: &Workdir, args: &[&str]) -> Output {
    w.bangfu()
        .env_remove("LC_MESSAGES")
        .args(args)
        .output()
        .expect("run bangfu")
}

/// A clerk's deliveries sheet as WPS exports it: a title row, Chinese
/// headers (one bangfu does not know, 经办人), a bad date, bad money, a
/// member nobody has, a totals row that does not add up, and a sign-off.
fn clerks_deliveries(w: &Workdir) {
    w.utf8_bom(
        "帮扶记录.csv",
        "2001年工农乡帮扶记录台账,,,,,,\n\
         日期,帮扶人,户编号,类别,物资（元）,资金（元）,经办人\n\
         2001-03-05,M1,H1,温暖,100,50,孙八\n\
         2001-02-30,M1,H2,温暖,100,,孙八\n\
         2001-03-07,M9,H1,温暖,100,,孙八\n\
         2001-03-08,M2,H3,温暖,abc,,孙八\n\
         合计,,,,999,50,\n\
         填表人：王五,,审核人：赵六,,,,\n",
    );
}

/// A households sheet with an empty head and an id given twice (found by
/// the store), and one without its 类别 column, and one whose quote is
/// never closed.
fn other_files(w: &Workdir) {
    w.utf8(
        "贫困户.csv",
        "户编号,户主姓名,乡镇\n\
         H4,,工农乡\n\
         H5,孙九,工农乡\n\
         H5,孙九,工农乡\n",
    );
    w.utf8(
        "无类别.csv",
        "日期,帮扶人,户编号,物资\n\
         2001-03-05,M1,H1,100\n",
    );
    w.utf8(
        "引号.csv",
        "日期,帮扶人,户编号,类别,物资\n\
         2001-03-05,M1,H1,温暖,100\n\
         2001-03-06,M1,\"H1,温暖,100\n\
         2001-03-07,M1,H1,温暖,100\n",
    );
}

const FILES: [&str; 4] = ["帮扶记录.csv", "贫困户.csv", "无类别.csv", "引号.csv"];

#[test]
fn every_problem_and_warning_of_an_import_in_english_and_chinese() {
    let w = Workdir::new();
    import_small_district(&w);
    clerks_deliveries(&w);
    other_files(&w);
    let args: Vec<&str> = ["import"].into_iter().chain(FILES).collect();
    let en = run(&w, &args);
    assert_eq!(en.status.code(), Some(1));
    insta::assert_snapshot!("import_problems_en", common::outcome(&w, &en));

    let zh_args: Vec<&str> = ["--lang", "zh"].into_iter().chain(args).collect();
    let zh = run(&w, &zh_args);
    assert_eq!(zh.status.code(), Some(1));
    let text = String::from_utf8_lossy(&zh.stderr).into_owned();
    // The column as the file's own header names it.
    assert!(
        text.contains("帮扶记录.csv:5: 帮扶人: 没有编号或姓名为“M9”的帮扶人"),
        "{text}"
    );
    assert!(text.contains("贫困户.csv:2: 户主姓名: 为空"), "{text}");
    for english in ["warning:", ": member:", ": date:", "missing", "cannot"] {
        assert!(!text.contains(english), "{english:?} in\n{text}");
    }
    insta::assert_snapshot!("import_problems_zh", common::outcome(&w, &zh));
}

#[test]
fn the_rejects_file_says_what_is_wrong_in_the_language_of_the_run() {
    let w = Workdir::new();
    import_small_district(&w);
    clerks_deliveries(&w);
    let out = run(
        &w,
        &[
            "--lang",
            "zh",
            "import",
            "--rejects",
            "rejects.csv",
            "帮扶记录.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::outcome(&w, &out));
    let text = std::fs::read_to_string(w.path("rejects.csv")).expect("rejects file");
    insta::assert_snapshot!(
        "rejects_zh",
        text.trim_start_matches('\u{feff}').to_string()
    );
}

/// A workbook with two sheets, as Excel writes one.
fn two_sheets(w: &Workdir) -> std::path::PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in ["贫困户", "记录"] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("sheet name");
        sheet.write_string(0, 0, "户编号").expect("cell");
    }
    let path = w.path("台账.xlsx");
    book.save(&path).expect("save workbook");
    path
}

#[test]
fn a_file_that_cannot_be_opened_is_said_in_chinese() {
    let w = Workdir::new();
    two_sheets(&w);
    let sheet = run(&w, &["import", "--sheet", "不存在", "台账.xlsx"]);
    let missing = run(&w, &["import", "没有.csv"]);
    let zh_sheet = run(
        &w,
        &["--lang", "zh", "import", "--sheet", "不存在", "台账.xlsx"],
    );
    let zh_missing = run(&w, &["--lang", "zh", "import", "没有.csv"]);
    let all = [sheet, missing, zh_sheet, zh_missing]
        .iter()
        .map(|out| common::outcome(&w, out))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("cannot_open", all);
}
