//! End-to-end: workbooks written by the test itself are imported like the
//! same records as CSV, and the exported report workbook reads back.

use crate::common;

use calamine::{open_workbook_auto, Data, Reader};
use common::{id_number, path_str, Workdir};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A workbook with households on the first sheet and deliveries on a
/// second, the way Excel stores them: date cells, money as numbers, a phone
/// as a number.
fn write_workbook(w: &Workdir, name: &str, numeric_id: bool) -> std::path::PathBuf {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let h = book.add_worksheet();
    h.set_name("贫困户").unwrap();
    for (c, head) in ["户编号", "户主", "身份证号", "乡镇", "脱贫日期", "电话"]
        .iter()
        .enumerate()
    {
        h.write_string(0, c as u16, *head).unwrap();
    }
    h.write_string(1, 0, "H1").unwrap();
    h.write_string(1, 1, "张三").unwrap();
    if numeric_id {
        h.write_number(1, 2, 430102198001011234.0).unwrap();
    } else {
        h.write_string(1, 2, id_number(11)).unwrap();
    }
    h.write_string(1, 3, "工农乡").unwrap();
    let lifted = ExcelDateTime::from_ymd(2002, 6, 1).unwrap();
    h.write_datetime_with_format(1, 4, &lifted, &date).unwrap();
    h.write_number(1, 5, 13812345678.0).unwrap();
    h.write_string(2, 0, "H2").unwrap();
    h.write_string(2, 1, "李四").unwrap();
    h.write_string(2, 3, "工农乡").unwrap();

    let d = book.add_worksheet();
    d.set_name("记录").unwrap();
    for (c, head) in ["日期", "帮扶人", "户编号", "类别", "物资", "资金"]
        .iter()
        .enumerate()
    {
        d.write_string(0, c as u16, *head).unwrap();
    }
    let rows = [
        ((2001, 3, 5), "M1", "H1", "送温暖", 1200.5, 300.0),
        ((2001, 4, 1), "M1", "H2", "办好事实事", 8000.0, 0.0),
    ];
    for (i, ((y, m, day), member, household, category, goods, cash)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let when = ExcelDateTime::from_ymd(*y, *m, *day).unwrap();
        d.write_datetime_with_format(r, 0, &when, &date).unwrap();
        d.write_string(r, 1, *member).unwrap();
        d.write_string(r, 2, *household).unwrap();
        d.write_string(r, 3, *category).unwrap();
        d.write_number(r, 4, *goods).unwrap();
        d.write_number(r, 5, *cash).unwrap();
    }
    let path = w.path(name);
    book.save(&path).unwrap();
    path
}

fn members(w: &Workdir) -> std::path::PathBuf {
    w.utf8("m.csv", "id,name,unit,households\nM1,赵六,区财政局,H1;H2\n")
}

#[test]
fn a_workbook_imports_the_same_records_as_csv() {
    let from_book = Workdir::new();
    let book = write_workbook(&from_book, "台账.xlsx", false);
    let m = members(&from_book);
    let out = from_book.stdout(&["import", path_str(&book), path_str(&m)]);
    assert!(out.contains("台账.xlsx[贫困户]"), "{out}");
    from_book.stdout(&["import", "--sheet", "记录", path_str(&book)]);

    let from_csv = Workdir::new();
    let h = from_csv.utf8(
        "h.csv",
        &format!(
            "户编号,户主,身份证号,乡镇,脱贫日期,电话\nH1,张三,{},工农乡,2002-06-01,13812345678\nH2,李四,,工农乡,,\n",
            id_number(11)
        ),
    );
    let d = from_csv.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金\n2001-03-05,M1,H1,送温暖,1200.50,300\n2001-04-01,M1,H2,办好事实事,8000,0\n",
    );
    let m = members(&from_csv);
    from_csv.stdout(&["import", path_str(&h), path_str(&m), path_str(&d)]);
    assert_eq!(from_book.records(), from_csv.records());
    assert_eq!(from_book.json(&["summary"])["total"], "9500.50");
}

#[test]
fn a_numeric_id_number_cell_has_lost_digits() {
    let w = Workdir::new();
    let book = write_workbook(&w, "book.xlsx", true);
    w.bangfu()
        .args(["import", path_str(&book)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "book.xlsx[贫困户]:2: id_number: the spreadsheet turned the ID number into a number",
        ));
    assert_eq!(w.dump(), "");
}

#[test]
fn money_cells_that_are_not_whole_fen_are_errors() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, head) in ["date", "member", "household", "category", "goods"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *head).unwrap();
    }
    s.write_string(1, 0, "2001-03-05").unwrap();
    s.write_string(1, 1, "M1").unwrap();
    s.write_string(1, 2, "H1").unwrap();
    s.write_string(1, 3, "warmth").unwrap();
    s.write_number(1, 4, 10.005).unwrap();
    let path = w.path("d.xlsx");
    book.save(&path).unwrap();
    w.bangfu()
        .args(["import", path_str(&path)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "d.xlsx[Sheet1]:2: goods: more than two decimals",
        ));
}

#[test]
fn an_unknown_sheet_is_a_usage_error_naming_the_sheets() {
    let w = Workdir::new();
    let book = write_workbook(&w, "book.xlsx", false);
    w.bangfu()
        .args(["import", "--sheet", "不存在", path_str(&book)])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("贫困户, 记录"));
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(n) => n.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn the_exported_workbook_holds_the_report() {
    let w = Workdir::new();
    let db = w.target();
    w.stdout(&["demo", "--db", &db]);
    let out = w.path("report.xlsx");
    w.stdout(&[
        "--db",
        &db,
        "--lang",
        "zh",
        "export",
        "--xlsx",
        path_str(&out),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut book = open_workbook_auto(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["汇总", "分类", "单位", "乡镇", "月份", "逾期未访"]
    );
    let by_category = book.worksheet_range("分类").unwrap();
    // Under the title lines (tests/workbook_export.rs).
    let header: Vec<String> = by_category
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(cell_text)
        .collect();
    assert_eq!(header, vec!["类别", "次数", "户数", "物资", "资金", "合计"]);
    let last = by_category.rows().next_back().unwrap();
    assert_eq!(cell_text(&last[0]), "合计");
    assert_eq!(last[5], Data::Float(71350.0));
    assert_eq!(by_category.rows().count(), 2 + 1 + 7 + 1);
    let summary = book.worksheet_range("汇总").unwrap();
    let text: Vec<String> = summary
        .rows()
        .flat_map(|r| r.iter().map(cell_text).collect::<Vec<_>>())
        .collect();
    assert!(
        text.iter()
            .any(|t| t == "共包保贫困户193户，送物资、资金共计71,350.00元"),
        "{text:?}"
    );
    let overdue = book.worksheet_range("逾期未访").unwrap();
    let phones: Vec<String> = overdue.rows().skip(3).map(|r| cell_text(&r[8])).collect();
    assert!(phones.iter().any(|p| p.contains("****")), "{phones:?}");
    assert!(
        phones.iter().all(|p| p.is_empty() || p.contains("****")),
        "{phones:?}"
    );
}

#[test]
fn the_export_takes_filters() {
    let w = Workdir::new();
    let db = w.target();
    w.stdout(&["demo", "--db", &db]);
    let out = w.path("gn.xlsx");
    w.stdout(&[
        "--db",
        &db,
        "export",
        "--xlsx",
        path_str(&out),
        "--township",
        "工农乡",
    ]);
    let expected = w.json(&[
        "--db",
        &db,
        "totals",
        "--by",
        "category",
        "--township",
        "工农乡",
    ]);
    let mut book = open_workbook_auto(&out).unwrap();
    let sheet = book.worksheet_range("By category").unwrap();
    let last = sheet.rows().next_back().unwrap();
    let total: f64 = expected["total"]["total"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(last[5], Data::Float(total));
}

/// `tests/fixtures/households.ods` and `.xls` were saved by LibreOffice
/// from the CSV below (its date cell is a real date cell there).
#[test]
fn ods_and_xls_workbooks_import_like_their_csv() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let from_csv = Workdir::new();
    let csv = from_csv.utf8(
        "households.csv",
        "户编号,户主,乡镇,村,家庭人口,脱贫日期\nH1,张三,工农乡,红旗村,4,2002-06-01\nH2,李四,工农乡,红旗村,2,\n",
    );
    from_csv.stdout(&["import", path_str(&csv)]);
    for name in ["households.ods", "households.xls"] {
        let w = Workdir::new();
        let out = w.stdout(&["import", path_str(&fixtures.join(name))]);
        assert!(out.contains(&format!("{name}[households]")), "{out}");
        assert_eq!(w.records(), from_csv.records(), "{name}");
    }
}

/// A sheet of 6,000 deliveries (the reading thread hands it on in several
/// pieces of whole rows) imports the records, the problems at the lines
/// and the rejects of the same rows as CSV, and rejects nothing twice or
/// never. A sheet whose table starts at column B reads from column A, as
/// the spreadsheet shows it and as Excel exports it to CSV.
#[test]
fn a_sheet_read_a_piece_at_a_time_imports_what_its_csv_imports_line_for_line() {
    let rows = 6_000u32;
    let bad = |r: u32| r.is_multiple_of(1_999);
    let category = |r: u32| if bad(r) { "送钱" } else { "送温暖" };
    let from_book = Workdir::new();
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let d = book.add_worksheet();
    for (c, head) in ["日期", "帮扶人", "户编号", "类别", "物资", "资金"]
        .iter()
        .enumerate()
    {
        d.write_string(0, c as u16 + 1, *head).unwrap();
    }
    let mut csv = String::from(",日期,帮扶人,户编号,类别,物资,资金\n");
    for r in 1..=rows {
        let (y, m, day) = (
            1998 + (r % 5) as u16,
            1 + (r % 12) as u8,
            1 + (r % 28) as u8,
        );
        let when = ExcelDateTime::from_ymd(y, m, day).unwrap();
        let household = if r.is_multiple_of(2) { "H1" } else { "H2" };
        let goods = f64::from(r % 97) * 10.5;
        d.write_datetime_with_format(r, 1, &when, &date).unwrap();
        d.write_string(r, 2, "M1").unwrap();
        d.write_string(r, 3, household).unwrap();
        d.write_string(r, 4, category(r)).unwrap();
        d.write_number(r, 5, goods).unwrap();
        d.write_number(r, 6, f64::from(r % 3)).unwrap();
        csv.push_str(&format!(
            ",{y}-{m:02}-{day:02},M1,{household},{},{goods},{}\n",
            category(r),
            r % 3
        ));
    }
    let path = from_book.path("台账.xlsx");
    book.save(&path).unwrap();
    let from_csv = Workdir::new();
    let text = from_csv.utf8("台账.csv", &csv);

    let mut seen = Vec::new();
    for (w, file) in [(&from_book, &path), (&from_csv, &text)] {
        let h = w.utf8(
            "h.csv",
            "户编号,户主,乡镇\nH1,张三,工农乡\nH2,李四,工农乡\n",
        );
        let m = members(w);
        w.stdout(&["import", path_str(&h), path_str(&m)]);
        let (code, _, err) = common::import(w, &["--rejects", "r.csv", path_str(file)]);
        // Each file as its name is said: the rest must be the same.
        let said = |text: &str| {
            text.replace(&format!("{}[Sheet1]", path_str(file)), "FILE")
                .replace(path_str(file), "FILE")
        };
        let rejects = said(&std::fs::read_to_string(w.path("r.csv")).unwrap());
        let problems: Vec<String> = err
            .lines()
            .filter(|l| l.contains("送钱"))
            .map(said)
            .collect();
        seen.push((code, w.records(), problems, rejects));
    }
    let (book_seen, csv_seen) = (&seen[0], &seen[1]);
    assert_eq!(book_seen.2.len(), 3, "{:?}", book_seen.2);
    assert_eq!(book_seen, csv_seen);
    assert!(
        book_seen
            .3
            .trim_start_matches('\u{feff}')
            .starts_with(",日期"),
        "{}",
        book_seen.3
    );
    assert_eq!(book_seen.1.matches("deliveries:").count(), 5_997);
}

/// An .xlsx written by hand, as no library writes one: `rows` of the
/// deliveries sheet, each `(row number, [(column, cell xml)])`, stored in
/// the order given (inline strings, no shared strings or styles).
fn hand_written_xlsx(
    w: &Workdir,
    name: &str,
    rows: &[(u32, Vec<(u32, String)>)],
) -> std::path::PathBuf {
    use std::io::Write;
    let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
              xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
    let column = |c: u32| char::from(b'A' + c as u8);
    let sheet: String = rows
        .iter()
        .map(|(r, cells)| {
            let cells: String = cells
                .iter()
                .map(|(c, xml)| format!("<c r=\"{}{r}\"{xml}</c>", column(*c)))
                .collect();
            format!("<row r=\"{r}\">{cells}</row>")
        })
        .collect();
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_string(),
        ),
        (
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook {ns}><sheets><sheet name=\"记录\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet {ns}><sheetData>{sheet}</sheetData></worksheet>"),
        ),
    ];
    let path = w.path(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (part, text) in parts {
        zip.start_file(part, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// A row of a sheet stored in two parts, its cash cell after other rows
/// (attacker review of the sheet read a piece at a time). Stored within
/// the piece it belongs to, it is put back in its row, as a sheet read
/// whole was: the figures are the CSV's. Stored after rows already handed
/// on, it stops the file at that cell and nothing is imported — never a
/// row of its own with the same number, half imported and half rejected.
#[test]
fn a_row_stored_in_two_parts_is_whole_or_the_file_is_refused_at_its_cell() {
    let text = |s: &str| format!(" t=\"inlineStr\"><is><t>{s}</t></is>");
    let number = |n: u32| format!("><v>{n}</v>");
    let header: Vec<(u32, String)> = ["日期", "帮扶人", "户编号", "类别", "物资", "资金"]
        .iter()
        .enumerate()
        .map(|(c, h)| (c as u32, text(h)))
        .collect();
    // 3,000 rows of six cells: more than one piece of 16,384 cells.
    let row = |r: u32| -> Vec<(u32, String)> {
        vec![
            (
                0,
                text(&format!("2001-{:02}-{:02}", 1 + r % 12, 1 + r % 28)),
            ),
            (1, text("M1")),
            (2, text(if r.is_multiple_of(2) { "H1" } else { "H2" })),
            (3, text("送温暖")),
            (4, number(r % 97)),
            (5, number(r % 5 + 1)),
        ]
    };
    let mut csv = String::from("日期,帮扶人,户编号,类别,物资,资金\n");
    for r in 2..=3_001u32 {
        csv.push_str(&format!(
            "2001-{:02}-{:02},M1,{},送温暖,{},{}\n",
            1 + r % 12,
            1 + r % 28,
            if r.is_multiple_of(2) { "H1" } else { "H2" },
            r % 97,
            r % 5 + 1
        ));
    }
    // Row 11 without its cash cell, which comes after row `after`.
    let split = |after: u32| {
        let mut rows = vec![(1, header.clone())];
        for r in 2..=3_001 {
            let mut cells = row(r);
            if r == 11 {
                cells.pop();
            }
            rows.push((r, cells));
            if r == after {
                rows.push((11, vec![row(11)[5].clone()]));
            }
        }
        rows
    };
    let setup = |w: &Workdir| {
        let h = w.utf8(
            "h.csv",
            "户编号,户主,乡镇\nH1,张三,工农乡\nH2,李四,工农乡\n",
        );
        let m = members(w);
        w.stdout(&["import", path_str(&h), path_str(&m)]);
    };

    let from_csv = Workdir::new();
    setup(&from_csv);
    let d = from_csv.utf8("记录.csv", &csv);
    from_csv.stdout(&["import", path_str(&d)]);

    let near = Workdir::new();
    setup(&near);
    let book = hand_written_xlsx(&near, "记录.xlsx", &split(12));
    near.stdout(&["import", path_str(&book)]);
    assert_eq!(near.records(), from_csv.records());

    // After row 2731 the first piece is full (6 + 9 × 6 + 5 + 2720 × 6 =
    // 16,385 cells): the cash cell is the first of the next piece; after
    // row 3001, the last cell of the sheet.
    for after in [2_731, 3_001] {
        let far = Workdir::new();
        setup(&far);
        let book = hand_written_xlsx(&far, "记录.xlsx", &split(after));
        let before = far.records();
        for (lang, said) in [
            ("en", "cell F11 is stored after rows below it"),
            ("zh", "单元格 F11 在文件中存放在它下方的行之后"),
        ] {
            let (code, _, err) = common::import(&far, &["--lang", lang, path_str(&book)]);
            assert_eq!(code, Some(1), "after row {after}: {err}");
            assert!(err.contains("记录.xlsx[记录]:11: "), "{err}");
            assert!(err.contains(said), "after row {after}: {err}");
            assert_eq!(far.records(), before);
        }
    }
}

/// Cells holding a formula's error (`t="e"`) read as the sheet shows them,
/// `#DIV/0!`, as Excel writes them into a CSV export: the workbook imports
/// what its export imports. A note that was `=1/0` is kept as `#DIV/0!`,
/// and an amount that was is rejected, quoting what the clerk sees (it
/// read `#Div0`, a name of calamine's, before).
#[test]
fn a_formula_error_reads_as_the_sheet_shows_it_as_in_the_csv_export() {
    let text = |s: &str| format!(" t=\"inlineStr\"><is><t>{s}</t></is>");
    let error = |e: &str| format!(" t=\"e\"><f>1/0</f><v>{e}</v>");
    let header: Vec<(u32, String)> = ["日期", "帮扶人", "户编号", "类别", "资金", "备注"]
        .iter()
        .enumerate()
        .map(|(c, h)| (c as u32, text(h)))
        .collect();
    let row = |date: &str, cash: String, note: String| {
        vec![
            (0, text(date)),
            (1, text("M1")),
            (2, text("H1")),
            (3, text("送温暖")),
            (4, cash),
            (5, note),
        ]
    };
    let rows = vec![
        (1, header),
        (2, row("2001-03-01", "><v>100</v>".into(), error("#DIV/0!"))),
        (3, row("2001-03-02", error("#N/A"), text("走访"))),
    ];
    let csv = "日期,帮扶人,户编号,类别,资金,备注\n\
               2001-03-01,M1,H1,送温暖,100,#DIV/0!\n\
               2001-03-02,M1,H1,送温暖,#N/A,走访\n";
    let mut seen = Vec::new();
    for as_book in [true, false] {
        let w = Workdir::new();
        let h = w.utf8(
            "h.csv",
            "户编号,户主,乡镇\nH1,张三,工农乡\nH2,李四,工农乡\n",
        );
        let m = members(&w);
        w.stdout(&["import", path_str(&h), path_str(&m)]);
        let file = match as_book {
            true => hand_written_xlsx(&w, "记录.xlsx", &rows),
            false => w.utf8("记录.csv", csv),
        };
        let (code, _, err) =
            common::import(&w, &["--lang", "en", "--rejects", "r.csv", path_str(&file)]);
        let problems: Vec<String> = err
            .lines()
            .filter(|l| l.contains(":3: "))
            .map(|l| l.split_once(":3: ").unwrap().1.to_string())
            .collect();
        seen.push((code, w.records(), problems));
    }
    let (book, export) = (&seen[0], &seen[1]);
    assert_eq!(book.0, Some(1), "{book:?}");
    assert!(book.1.contains("#DIV/0!"), "{}", book.1);
    assert!(book.2.iter().any(|p| p.contains("#N/A")), "{:?}", book.2);
    assert_eq!(book, export);
}
