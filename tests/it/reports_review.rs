//! Reports after the outside review (issue 12) and the clerks' habits
//! (issue 15): villages known by township and name, every sheet of a
//! workbook under its FILTERS, sums that never saturate, personal numbers
//! masked in every message, long notes cut in tables, all seven categories,
//! pinyin order, and FILTERS on overdue, unpaired and check.

use crate::common;

use calamine::{open_workbook_auto, Data, Reader};
use common::{id_number, path_str, Workdir};
use serde_json::Value;
use std::fmt::Write as _;

/// Run and return (status code, stdout, stderr).
fn run(w: &Workdir, args: &[&str]) -> (i32, String, String) {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn import(w: &Workdir, files: &[(&str, String)]) {
    let paths: Vec<_> = files
        .iter()
        .map(|(name, text)| w.utf8(name, text))
        .collect();
    let mut args = vec!["import"];
    args.extend(paths.iter().map(|p| path_str(p)));
    w.stdout(&args);
}

/// Two townships, each with a 大坪村, as the district's roster has them;
/// a member of each township's unit paired with its households; one
/// delivery each, none recent.
fn two_daping(w: &Workdir) {
    import(
        w,
        &[
            (
                "贫困户.csv",
                "户编号,户主,乡镇,村,联系电话\n\
                 T01,张三,塘渡口镇,大坪村,13812345678\n\
                 T02,李四,塘渡口镇,金竹村,13812340001\n\
                 B01,王五,白仓镇,大坪村,13912345678\n\
                 B02,赵六,白仓镇,大坪村,13912340002\n"
                    .to_string(),
            ),
            (
                "帮扶人.csv",
                "编号,姓名,单位,联系电话\nM1,钱七,塘渡口镇政府,13700001111\nM2,孙八,白仓镇政府,13700002222\n"
                    .to_string(),
            ),
            (
                "结对.csv",
                "帮扶人,贫困户,开始日期\nM1,T01,2001-01-01\nM1,T02,2001-01-01\nM2,B01,2001-01-01\nM2,B02,2001-01-01\n"
                    .to_string(),
            ),
            (
                "帮扶记录.csv",
                "日期,帮扶人,贫困户,类别,物资,资金\n\
                 2002-03-01,M1,T01,送温暖,100,0\n\
                 2002-03-02,M1,T02,送温暖,20,0\n\
                 2002-03-03,M2,B01,送温暖,3,0\n\
                 2002-03-04,M2,B02,送温暖,0,0.5\n"
                    .to_string(),
            ),
        ],
    );
}

fn rows(json: &Value) -> Vec<Value> {
    json["rows"].as_array().cloned().unwrap_or_default()
}

#[test]
fn villages_of_one_name_in_two_townships_are_two_groups() {
    let w = Workdir::new();
    two_daping(&w);
    let json = w.json(&["totals", "--by", "village"]);
    let groups: Vec<(String, String, String)> = rows(&json)
        .iter()
        .map(|r| {
            (
                r["township"].as_str().unwrap_or("").to_string(),
                r["village"].as_str().unwrap_or("").to_string(),
                r["total"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let g = |t: &str, v: &str, total: &str| (t.to_string(), v.to_string(), total.to_string());
    // 白仓镇 sorts before 塘渡口镇 (bai before tang).
    assert_eq!(
        groups,
        vec![
            g("白仓镇", "大坪村", "3.50"),
            g("塘渡口镇", "大坪村", "100.00"),
            g("塘渡口镇", "金竹村", "20.00"),
        ]
    );
    let table = w.stdout(&["totals", "--by", "village"]);
    let header = table.lines().nth(1).unwrap_or("");
    assert!(
        header.contains("township") && header.contains("village"),
        "{table}"
    );
    // --village alone: that name in every township; with --township, both.
    let all = w.json(&["totals", "--by", "village", "--village", "大坪村"]);
    assert_eq!(rows(&all).len(), 2, "{all}");
    assert_eq!(all["total"]["total"], "103.50");
    let one = w.json(&[
        "totals",
        "--by",
        "village",
        "--village",
        "大坪村",
        "--township",
        "白仓镇",
    ]);
    assert_eq!(rows(&one).len(), 1, "{one}");
    assert_eq!(one["total"]["total"], "3.50");
}

/// Every string cell of a sheet.
fn sheet_text(path: &std::path::Path, sheet: &str) -> Vec<String> {
    let mut book = open_workbook_auto(path).expect("open workbook");
    let range = book.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .flat_map(|r| {
            r.iter()
                .filter_map(|c| match c {
                    Data::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn an_export_of_one_township_holds_only_that_township_on_every_sheet() {
    let w = Workdir::new();
    two_daping(&w);
    let out = w.path("白仓镇.xlsx");
    w.stdout(&[
        "--reveal",
        "export",
        "--xlsx",
        path_str(&out),
        "--township",
        "白仓镇",
    ]);
    let overdue = sheet_text(&out, "Overdue");
    assert!(overdue.iter().any(|c| c == "B01"), "{overdue:?}");
    assert!(overdue.iter().any(|c| c == "13912345678"), "{overdue:?}");
    for other in ["T01", "T02", "13812345678", "13812340001", "13700001111"] {
        assert!(!overdue.iter().any(|c| c == other), "{other}: {overdue:?}");
    }
    let township = sheet_text(&out, "By township");
    assert!(!township.iter().any(|c| c == "塘渡口镇"), "{township:?}");
}

/// A deliveries file of `n` rows, each with goods and cash of one trillion
/// yuan: the most one amount may be (Fen::MAX).
fn huge_deliveries(n: usize) -> String {
    let mut text = String::from("id,date,member,household,category,goods,cash\n");
    for i in 0..n {
        let _ = writeln!(
            text,
            "D{i},2002-{:02}-{:02},M1,T01,warmth,1000000000000,1000000000000",
            i % 12 + 1,
            i % 28 + 1
        );
    }
    text
}

#[test]
fn money_past_the_64_bit_limit_is_an_error_never_a_wrong_figure() {
    let w = Workdir::new();
    two_daping(&w);
    // 46,200 × 10¹⁴ fen = 4.62 × 10¹⁸ fen of goods and as much of cash:
    // each fits in an i64 (9.22 × 10¹⁸), their total does not.
    import(&w, &[("huge.csv", huge_deliveries(46_200))]);
    for args in [
        vec!["totals", "--by", "category"],
        vec!["totals", "--by", "township", "--format", "json"],
        vec!["totals", "--by", "month", "--across", "category"],
        vec!["summary"],
        vec!["summary", "--township", "塘渡口镇"],
        vec!["show", "household", "T01"],
    ] {
        let (code, stdout, stderr) = run(&w, &args);
        assert_eq!(code, 1, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{args:?} printed a figure: {stdout}");
        assert!(
            stderr.contains("too much to count exactly"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_sum_sqlite_cannot_hold_is_an_error_too() {
    let w = Workdir::new();
    two_daping(&w);
    // 92,300 × 10¹⁴ fen of goods alone is past the i64 limit: SQLite's
    // sum() stops with "integer overflow".
    import(&w, &[("huge.csv", huge_deliveries(92_300))]);
    let (code, stdout, stderr) = run(&w, &["summary"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("too much to count exactly"), "{stderr}");
}

#[test]
fn id_and_phone_numbers_are_masked_in_every_message_unless_revealed() {
    let w = Workdir::new();
    two_daping(&w);
    let id = id_number(7);
    let masked_id = format!("{}**********{}", &id[..4], &id[14..]);
    let phone = "13812345678";
    let cases: Vec<Vec<&str>> = vec![
        vec!["show", "household", &id],
        vec!["show", "member", phone],
        vec!["totals", "--by", "category", "--household", phone],
        vec!["summary", "--member", &id],
        // clap's own usage error echoes the argument.
        vec!["show", "household", "T01", &id],
    ];
    for args in &cases {
        let (code, _, stderr) = run(&w, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            !stderr.contains(&id) && !stderr.contains(phone),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains(&masked_id) || stderr.contains("138****5678"),
            "{args:?}: {stderr}"
        );
        let mut revealed = vec!["--reveal"];
        revealed.extend(args.iter());
        let (_, _, stderr) = run(&w, &revealed);
        assert!(
            stderr.contains(&id) || stderr.contains(phone),
            "{args:?}: {stderr}"
        );
    }
    // A file without a header: its first row is quoted as the header.
    let headless = w.utf8(
        "无表头.csv",
        &format!("T09,张九,{id},{phone}\nT10,李十,,\n"),
    );
    let (code, _, stderr) = run(&w, &["import", path_str(&headless)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the header is"), "{stderr}");
    assert!(!stderr.contains(&id) && !stderr.contains(phone), "{stderr}");
    assert!(
        stderr.contains(&masked_id) && stderr.contains("138****5678"),
        "{stderr}"
    );
    // A warning naming a column whose header is a phone number (a row
    // of data pasted over the header row).
    let pasted = w.utf8(
        "粘贴.csv",
        &format!("户编号,户主,乡镇,{phone}\nT11,张十一,白仓镇,x\n"),
    );
    let (code, _, stderr) = run(&w, &["import", path_str(&pasted)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("138****5678"),
        "{stderr}"
    );
    assert!(!stderr.contains(phone), "{stderr}");
    // Numbers that are neither are quoted as written.
    for reference in [
        "3.14159260001",
        "9.2233720368547758E16",
        "20010305",
        "H0011",
    ] {
        let (_, _, stderr) = run(&w, &["show", "household", reference]);
        assert!(stderr.contains(reference), "{reference}: {stderr}");
    }
}

#[test]
fn a_long_note_is_cut_in_the_table_and_kept_whole_in_csv_and_json() {
    let w = Workdir::new();
    two_daping(&w);
    let note = "入户走访，了解生产生活情况。".repeat(20_000);
    import(
        &w,
        &[(
            "长备注.csv",
            format!(
                "日期,帮扶人,贫困户,类别,物资,资金,备注\n2003-01-01,M1,T01,送温暖,1,0,{note}\n"
            ),
        )],
    );
    let table = w.stdout(&["show", "household", "T01"]);
    assert!(table.len() < 20_000, "{} bytes", table.len());
    assert!(table.contains("入户走访") && table.contains('…'));
    let widest = table
        .lines()
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    assert!(widest < 200, "a line {widest} columns wide");
    let csv = w.stdout(&["show", "household", "T01", "--format", "csv"]);
    assert!(csv.contains(&note));
    let json = w.json(&["show", "household", "T01"]);
    let notes: Vec<&str> = json["deliveries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["note"].as_str())
        .collect();
    assert!(notes.contains(&note.as_str()));
}

fn categories(json: &Value) -> Vec<String> {
    rows(json)
        .iter()
        .map(|r| r["category"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn by_category_alone_lists_all_seven_categories_zeros_included() {
    let w = Workdir::new();
    two_daping(&w);
    let all = bangfu::values::Category::ALL.map(|c| c.key());
    let json = w.json(&["totals", "--by", "category"]);
    assert_eq!(categories(&json), all);
    let ideas = &rows(&json)[0];
    assert_eq!(ideas["deliveries"], 0);
    assert_eq!(ideas["total"], "0.00");
    // Under --across too: seven rows in the table.
    let table = w.stdout(&["totals", "--by", "category", "--across", "township"]);
    for c in all {
        assert!(table.contains(&format!("| {c} ")), "{c}: {table}");
    }
    // --category and --top still select.
    let one = w.json(&["totals", "--by", "category", "--category", "law"]);
    assert_eq!(categories(&one), ["law"]);
    let top = w.json(&["totals", "--by", "category", "--top", "2"]);
    assert_eq!(categories(&top), ["ideas", "policy"]);
    let top = w.json(&[
        "totals", "--by", "category", "--sort", "total", "--top", "1",
    ]);
    assert_eq!(categories(&top), ["warmth"]);
}

#[test]
fn chinese_names_sort_by_pinyin_in_tables_and_json() {
    let w = Workdir::new();
    import(
        &w,
        &[
            (
                "h.csv",
                "户编号,户主,乡镇\nH1,甲,塘渡口镇\nH2,乙,白仓镇\nH3,丙,黄桥镇\n".to_string(),
            ),
            (
                "m.csv",
                "编号,姓名,单位\nM1,张一,县委\nM2,李二,区委\nM3,王三,农业局\n".to_string(),
            ),
            (
                "d.csv",
                "日期,帮扶人,贫困户,类别,物资\n2003-01-01,M1,H1,送温暖,1\n\
                 2003-01-01,M2,H2,送温暖,2\n2003-01-01,M3,H3,送温暖,3\n"
                    .to_string(),
            ),
        ],
    );
    let names = |dim: &str| -> Vec<String> {
        rows(&w.json(&["totals", "--by", dim]))
            .iter()
            .map(|r| r[dim].as_str().unwrap_or("").to_string())
            .collect()
    };
    // Code-point order would be 塘 白 黄 and 农 区 县.
    assert_eq!(names("township"), ["白仓镇", "黄桥镇", "塘渡口镇"]);
    assert_eq!(names("unit"), ["农业局", "区委", "县委"]);
    let table = w.stdout(&["totals", "--by", "township"]);
    let at = |s: &str| table.find(s).unwrap_or(usize::MAX);
    assert!(
        at("白仓镇") < at("黄桥镇") && at("黄桥镇") < at("塘渡口镇"),
        "{table}"
    );
}

#[test]
fn overdue_unpaired_and_check_take_the_filters() {
    let w = Workdir::new();
    two_daping(&w);
    import(
        &w,
        &[(
            "more.csv",
            "户编号,户主,乡镇,村\nT03,周九,塘渡口镇,大坪村\nB03,吴十,白仓镇,金竹村\n".to_string(),
        )],
    );
    let households = |json: &Value| -> Vec<String> {
        rows(json)
            .iter()
            .map(|r| r["household"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let overdue = w.json(&["overdue", "--township", "白仓镇"]);
    assert_eq!(households(&overdue), ["B01", "B02"]);
    let overdue = w.json(&["overdue", "--unit", "塘渡口镇政府"]);
    assert_eq!(households(&overdue), ["T01", "T02"]);
    let overdue = w.json(&["overdue", "--village", "大坪村", "--member", "M1"]);
    assert_eq!(households(&overdue), ["T01"]);
    let unpaired = w.json(&["unpaired", "--village", "大坪村"]);
    assert_eq!(households(&unpaired), ["T03"]);
    let unpaired = w.json(&["unpaired", "--township", "白仓镇"]);
    assert_eq!(households(&unpaired), ["B03"]);
    // A delivery outside any pairing in each township; check one township.
    import(
        &w,
        &[(
            "outside.csv",
            "日期,帮扶人,贫困户,类别,物资\n2003-05-01,M1,B01,送温暖,1\n2003-05-02,M2,T01,送温暖,1\n"
                .to_string(),
        )],
    );
    let (code, stdout, _) = run(&w, &["check", "--township", "白仓镇", "--format", "json"]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["finding"].as_str().unwrap_or("").to_string(),
                f["household"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("delivery_outside_pairing".to_string(), "B01".to_string())],
        "{json}"
    );
    let (code, _, _) = run(&w, &["check", "--household", "B02", "--from", "2003-01-01"]);
    assert_eq!(code, 1, "B02's pairing has no delivery in 2003");
}

#[test]
fn numbers_in_names_and_notes_are_masked_in_reports_but_record_ids_never() {
    let w = Workdir::new();
    // Some clerks number households by the head's ID number, and write a
    // phone number into the head's cell or a note.
    let id = id_number(11);
    let masked_id = format!("{}**********{}", &id[..4], &id[14..]);
    import(
        &w,
        &[
            (
                "h.csv",
                format!("户编号,户主,乡镇\n{id},张三 13812345678,白仓镇\n"),
            ),
            ("m.csv", format!("编号,姓名,单位,结对户\nM1,钱七,区委,{id}\n")),
            (
                "d.csv",
                format!(
                    "日期,帮扶人,贫困户,类别,物资,备注\n2002-01-01,M1,{id},送温暖,10,电话回访13912345678\n"
                ),
            ),
        ],
    );
    for args in [
        vec!["show", "household", id.as_str()],
        vec!["show", "household", id.as_str(), "--format", "json"],
        vec!["show", "member", "M1", "--format", "csv"],
        vec!["totals", "--by", "household"],
        vec!["totals", "--by", "household", "--format", "json"],
        vec!["overdue"],
        vec!["overdue", "--format", "json"],
    ] {
        let (_, stdout, stderr) = run(&w, &args);
        assert!(
            stdout.contains(&id),
            "{args:?}: the record's id is shown whole: {stdout}"
        );
        assert!(
            !stdout.contains("13812345678") && !stdout.contains("13912345678"),
            "{args:?}: {stdout}"
        );
        assert!(!stdout.contains(&masked_id), "{args:?}: {stdout}");
        assert!(
            stderr.is_empty() || !stderr.contains("13812345678"),
            "{stderr}"
        );
        let mut revealed = vec!["--reveal"];
        revealed.extend(args.iter());
        let (_, stdout, _) = run(&w, &revealed);
        assert!(stdout.contains("13812345678"), "{revealed:?}: {stdout}");
    }
    let (_, note, _) = run(&w, &["show", "household", id.as_str()]);
    assert!(note.contains("电话回访139****5678"), "{note}");
}

#[test]
fn numbers_quoted_from_bad_cells_are_masked_only_when_they_are_personal() {
    let w = Workdir::new();
    two_daping(&w);
    // A clerk pasted a phone number and two spreadsheet numbers into the
    // date column.
    let bad = w.utf8(
        "乱.csv",
        "日期,帮扶人,贫困户,类别,物资\n\
         13812345678,M1,T01,送温暖,1\n\
         9.2233720368547758E16,M1,T01,送温暖,1\n\
         3.14159260001,M1,T01,送温暖,1\n",
    );
    let (code, _, stderr) = run(&w, &["import", path_str(&bad)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("乱.csv:2: date") && stderr.contains("138****5678"),
        "{stderr}"
    );
    assert!(!stderr.contains("13812345678"), "{stderr}");
    assert!(stderr.contains("\"9.2233720368547758E16\""), "{stderr}");
    assert!(stderr.contains("\"3.14159260001\""), "{stderr}");
}

#[test]
fn a_long_file_name_is_shown_whole_in_the_import_table() {
    let w = Workdir::new();
    let dir = w.path("二〇〇三年六月各乡镇上报的贫困户花名册（第二次修订，以此为准）");
    std::fs::create_dir(&dir).expect("mkdir");
    let file = dir.join("塘渡口镇、白仓镇、黄桥镇贫困户花名册.csv");
    std::fs::write(&file, "户编号,户主,乡镇\nH1,张三,白仓镇\n").expect("write");
    let out = w.stdout(&["import", path_str(&file)]);
    assert!(out.contains(path_str(&file)), "{out}");
}
