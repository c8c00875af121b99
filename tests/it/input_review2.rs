//! End-to-end: the second review of the reading path (an attacker's and a
//! clerk's findings) — line ends in any mix, two-row headers that lost a
//! money column, Mac workbooks' 1904 dates, formulas never calculated,
//! quotes left open at the end of the file, clerks' footers and spellings,
//! sheets that claim far more cells than they hold.

use crate::common;

use common::{import, import_small_district, path_str, scalar, Workdir};

/// The deliveries in the database: "date|goods|note" per row, by date.
fn deliveries(w: &Workdir) -> String {
    let rows = w.rows("SELECT day, goods, coalesce(note, '') FROM deliveries ORDER BY day, note");
    let rows: Vec<String> = rows
        .iter()
        .map(|row| {
            let (day, rest) = row.split_once('|').expect("cells");
            format!("{}|{rest}", common::iso_day(day))
        })
        .collect();
    rows.join(";")
}

// 1. Line ends: CR alone, CRLF and LF in any mix.

#[test]
fn cr_line_ends_with_a_stray_lf_read_every_row_in_every_encoding() {
    let texts = [
        // A final CRLF.
        "日期,帮扶人,户编号,类别,物资,资金,备注\r2001-01-02,M1,H2,送温暖,200,0,a\r\
         2001-01-03,M1,H2,送温暖,300,0,c\r\n",
        // An LF inside a quoted note.
        "日期,帮扶人,户编号,类别,物资,资金,备注\r2001-01-02,M1,H2,送温暖,200,0,a\r\
         2001-01-03,M1,H2,送温暖,300,0,\"c\nd\"\r",
        // CR and CRLF mixed.
        "日期,帮扶人,户编号,类别,物资,资金,备注\r\n2001-01-02,M1,H2,送温暖,200,0,a\r\
         2001-01-03,M1,H2,送温暖,300,0,c\r\n",
    ];
    for (i, text) in texts.iter().enumerate() {
        for encoding in ["utf8", "gbk", "utf16"] {
            let w = Workdir::new();
            import_small_district(&w);
            let d = match encoding {
                "utf8" => w.utf8("d.csv", text),
                "gbk" => w.gbk("d.csv", text),
                _ => w.utf16le("d.csv", text),
            };
            let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&d)]);
            assert_eq!(code, Some(0), "{i} {encoding}: {err}");
            let got = deliveries(&w);
            assert!(
                got.starts_with("2001-01-02|20000|a;2001-01-03|30000|c"),
                "{i} {encoding}: {got}"
            );
        }
    }
}

#[test]
fn line_numbers_count_cr_crlf_and_lf_alike() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,备注\r\n\
         2001-01-02,M1,H2,送温暖,200,0,\"a\rb\"\r\
         2001-01-03,M1,H2,送温暖,300,0,c\n\
         2001-02-30,M1,H2,送温暖,300,0,c\r\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:5: date:"), "{err}");
}

// 2. Two-row headers and money columns that are not read.

#[test]
fn a_goods_column_under_a_money_group_is_read_or_refused_never_dropped() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,帮扶金额（元）,,备注\n\
         ,,,,实物,现金,\n\
         2001-03-05,M1,H1,送温暖,200,100,米\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(deliveries(&w), "2001-03-05|20000|米");
    // A name under the money group that is no money column is an error
    // naming it: its amounts are never dropped.
    let before = w.records();
    let d = w.utf8(
        "d2.csv",
        "日期,帮扶人,户编号,类别,帮扶金额（元）,,备注\n\
         ,,,,慰问品,现金,\n\
         2001-03-06,M1,H1,送温暖,200,100,米\n",
    );
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("慰问品"), "{err}");
    assert_eq!(w.records(), before);
}

#[test]
fn a_total_column_holding_the_only_amounts_is_not_read_as_zero() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.dump();
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,金额合计\n\
         2001-03-05,M1,H1,送温暖,,,500\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("d.csv:2: total:") && err.contains("500.00"),
        "{err}"
    );
    assert_eq!(w.dump(), before);
    // A total that agrees with the goods and cash is fine.
    let d = w.utf8(
        "ok.csv",
        "日期,帮扶人,户编号,类别,物资,资金,金额合计\n\
         2001-03-05,M1,H1,送温暖,200,300,500\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_header_with_two_groups_is_read() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,帮扶对象,,类别,帮扶金额（元）,,备注\n\
         ,,户编号,村,,物资,资金,\n\
         2001-03-05,M1,H1,红旗村,送温暖,200,100,米\n\
         2001-02-30,M1,H1,红旗村,送温暖,200,100,米\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:4: date:"), "{err}");
    assert!(!err.contains("no goods or cash"), "{err}");
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,帮扶对象,,类别,帮扶金额（元）,,备注\n\
         ,,户编号,村,,物资,资金,\n\
         2001-03-05,M1,H1,红旗村,送温暖,200,100,米\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(deliveries(&w), "2001-03-05|20000|米");
}

// 3. and 4. Workbooks from Mac Excel and from programs that write formulas.

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_workbook_in_the_1904_date_system_keeps_its_dates() {
    let w = Workdir::new();
    import_small_district(&w);
    let (code, _, err) = import(&w, &[&fixture("deliveries-1904.xlsx")]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(deliveries(&w), "2001-03-05|20000|米;2002-12-31|5000|讲座");
}

#[test]
fn a_formula_never_calculated_is_an_error_not_zero() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.records();
    let (code, _, err) = import(
        &w,
        &["--rejects", "r.csv", &fixture("deliveries-formula.xlsx")],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("deliveries-formula.xlsx:2:"), "{err}");
    assert!(
        err.contains("formula") && err.contains("never calculated"),
        "{err}"
    );
    assert_eq!(w.records(), before);
}

// 5. Quotes at the end of the file, and multi-line cells that look like rows.

#[test]
fn an_unclosed_quote_on_the_last_line_without_a_line_end_is_an_error() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.dump();
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,备注\n\
         2001-03-05,M1,H1,送温暖,200,0,米\n\
         2001-03-06,M1,H1,送温暖,100,0,\"送油\n\
         填表人：王五",
    );
    let (code, _, err) = import(&w, &["--rejects", "r.csv", path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:3:") && err.contains("quote"), "{err}");
    assert_eq!(w.dump(), before);
}

#[test]
fn a_household_list_over_two_lines_is_not_a_runaway_quote() {
    let w = Workdir::new();
    let [h, _, _] = common::small_district(&w);
    w.stdout(&["import", path_str(&h)]);
    let m = w.utf8(
        "m.csv",
        "编号,姓名,单位,结对户\n\
         M1,赵六,区财政局,\"H1\nH2,H3,H1,H2\"\n\
         M2,钱七,区教育局,H3\n",
    );
    let (code, _, err) = import(&w, &[path_str(&m)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(scalar(&w, "SELECT count(*) FROM pairings"), "4");
}

// 6. Clerks' habits.

#[test]
fn sign_off_and_note_footers_are_skipped() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,备注\n\
         2001-03-05,M1,H1,送温暖,200,100,米\n\
         备注：金额单位为元,,,,,,\n\
         分管领导：张三,,,,,,\n\
         主要负责人：李四,,,,,,\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("footer"), "{err}");
    assert_eq!(scalar(&w, "SELECT count(*) FROM deliveries"), "1");
}

#[test]
fn a_slash_or_dash_in_a_money_cell_means_none() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金,备注\n\
         2001-03-01,M1,H1,送温暖,/,200,a\n\
         2001-03-02,M1,H1,送温暖,无,200,b\n\
         2001-03-03,M1,H1,送温暖,—,200,c\n\
         2001-03-04,M1,H1,送温暖,-,200,d\n\
         2001-03-05,M1,H1,送温暖,／,200,e\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        scalar(&w, "SELECT sum(goods) || '/' || sum(cash) FROM deliveries"),
        "0/100000"
    );
}

#[test]
fn common_ledger_headers_are_read() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,所在乡镇,行政村,联系方式\nH1,张三,工农乡,红旗村,13812345678\n",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("ignored"), "{err}");
    assert_eq!(
        scalar(&w, "SELECT township || village FROM households"),
        "工农乡红旗村"
    );
    let [_, m, _] = common::small_district(&w);
    w.stdout(&["import", path_str(&m)]);
    let d = w.utf8(
        "d.csv",
        "日期,帮扶干部,户编号,类别,物资,资金,帮扶措施\n2001-03-05,M1,H1,送温暖,200,0,送米\n",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("ignored"), "{err}");
    assert_eq!(deliveries(&w), "2001-03-05|20000|送米");
}

#[test]
fn back_in_poverty_with_an_old_lifted_date_is_read() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,户状态,脱贫日期\nH1,张三,工农乡,返贫,2002-06-01\n",
    );
    let (code, _, err) = import(&w, &[path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        scalar(&w, "SELECT status FROM households")
            + "|"
            + &common::iso_day(&scalar(&w, "SELECT lifted_on FROM households")),
        "0|2002-06-01"
    );
}

// 7. Sheets whose used range claims far more cells than they hold.

/// An .ods whose one stray value sits a million rows and a thousand
/// columns past its table.
fn far_ods(w: &Workdir) -> std::path::PathBuf {
    use std::io::Write;
    let cell = |s: &str| {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{s}</text:p></table:table-cell>")
    };
    let row = |cells: &[&str]| {
        let cells: String = cells.iter().map(|s| cell(s)).collect();
        format!("<table:table-row>{cells}</table:table-row>")
    };
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Sheet1\">{}{}\
         <table:table-row table:number-rows-repeated=\"1048000\">\
         <table:table-cell table:number-columns-repeated=\"3\"/></table:table-row>\
         <table:table-row><table:table-cell table:number-columns-repeated=\"1020\"/>{}</table:table-row>\
         </table:table></office:spreadsheet></office:body></office:document-content>",
        row(&["户编号", "户主", "乡镇"]),
        row(&["H1", "张三", "工农乡"]),
        cell("x"),
    );
    let path = w.path("far.ods");
    let file = std::fs::File::create(&path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).expect("zip");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip");
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip");
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
          <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" \
          manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" \
          manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
          </manifest:manifest>",
    )
    .expect("zip");
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .expect("zip");
    zip.write_all(content.as_bytes()).expect("zip");
    zip.finish().expect("zip");
    path
}

#[test]
fn a_far_stray_cell_in_an_ods_is_refused_in_words() {
    let w = Workdir::new();
    let ods = far_ods(&w);
    let (code, _, err) = import(&w, &[path_str(&ods)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("far.ods:1: file:"), "{err}");
    assert!(
        err.contains("used range reaches far beyond its data"),
        "{err}"
    );
    assert!(
        !err.contains("****") && !err.contains("cells requested"),
        "{err}"
    );
}
