//! End-to-end: the report workbook (`export --xlsx`, contract §6) read back as
//! a clerk's spreadsheet program reads it — a title line on every sheet
//! saying the place, the period and the filters; the header below it bold
//! and frozen; dates as date cells; money as numbers in `#,##0.00`; IDs and
//! phones as text; charts over the rows that hold the data.

use crate::common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{id_number, path_str, Workdir};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Two townships' ledgers as a clerk exports them from Excel on Chinese
/// Windows: GBK CSV with Chinese headers, 户编号 as long digit strings,
/// phone numbers; one pairing never visited.
fn import_district(w: &Workdir) {
    let households = w.gbk(
        "贫困户.csv",
        &format!(
            "户编号,户主,身份证号,乡镇（街道）,村（社区）,联系电话\r\n\
             430523102001001,张三,{},工农乡,红旗村,13812345678\r\n\
             430523102001002,李四,,工农乡,红旗村,\r\n\
             430523202001001,王五,,向阳街道,向阳社区,13900001111\r\n",
            id_number(1)
        ),
    );
    let members = w.gbk(
        "帮扶人.csv",
        "编号,姓名,单位,手机\r\nM1,赵六,区财政局,13700002222\r\nM2,钱七,区教育局,\r\n",
    );
    let pairings = w.gbk(
        "结对.csv",
        "帮扶人,户编号,结对日期\r\n\
         M1,430523102001001,2001-01-01\r\n\
         M1,430523102001002,2001-01-01\r\n\
         M2,430523202001001,2001-02-01\r\n\
         M2,430523102001001,2002-01-01\r\n",
    );
    let deliveries = w.gbk(
        "帮扶记录.csv",
        "帮扶日期,帮扶人,户编号,帮扶类别,物资(元),资金(元)\r\n\
         2001-03-05,M1,430523102001001,送温暖,\"1,200.50\",300\r\n\
         2001-04-01,M1,430523102001002,办好事实事,8000,0\r\n\
         2002-11-20,M2,430523202001001,送政策,50,0\r\n",
    );
    w.stdout(&[
        "import",
        path_str(&households),
        path_str(&members),
        path_str(&pairings),
        path_str(&deliveries),
    ]);
}

/// `bangfu [--lang LANG] export --xlsx report.xlsx ARGS`, the workbook's path.
fn export(w: &Workdir, lang: &str, args: &[&str]) -> PathBuf {
    let out = w.path("report.xlsx");
    let mut all = vec!["--lang", lang, "export", "--xlsx", path_str(&out)];
    all.extend_from_slice(args);
    w.stdout(&all);
    out
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("the workbook opens")
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The text of one cell (row, column from 0) of a sheet.
fn cell(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str, at: (u32, u32)) -> Data {
    let range = book.worksheet_range(sheet).expect("sheet");
    range.get_value(at).cloned().unwrap_or(Data::Empty)
}

/// A file inside the workbook (an xlsx is a zip of XML files).
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut xml = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut xml)
        .expect("UTF-8 XML");
    xml
}

const ZH_SHEETS: [&str; 6] = ["汇总", "分类", "单位", "乡镇", "月份", "逾期未访"];

#[test]
fn every_sheet_opens_with_a_title_line_naming_the_district_the_period_and_the_filters() {
    let w = Workdir::new();
    import_district(&w);
    let out = export(
        &w,
        "zh",
        &[
            "--title",
            "龙山区",
            "--from",
            "2001-01-01",
            "--to",
            "2001-12-31",
        ],
    );
    let mut book = open(&out);
    assert_eq!(book.sheet_names(), ZH_SHEETS);
    let titles = [
        "龙山区 2001年1月1日至2001年12月31日 帮扶情况汇总",
        "龙山区 2001年1月1日至2001年12月31日 帮扶情况（按类别）",
        "龙山区 2001年1月1日至2001年12月31日 帮扶情况（按单位）",
        "龙山区 2001年1月1日至2001年12月31日 帮扶情况（按乡镇）",
        "龙山区 2001年1月1日至2001年12月31日 帮扶情况（按月份）",
        "龙山区 截至2003年6月30日 超过90天未帮扶的结对",
    ];
    let headers = ["项目", "类别", "单位", "乡镇", "月份", "帮扶人编号"];
    for (i, sheet) in ZH_SHEETS.iter().enumerate() {
        let range = book.worksheet_range(sheet).unwrap();
        assert_eq!(text(range.get_value((0, 0))), titles[i], "{sheet}");
        let filters = if i == 5 {
            "筛选条件：无（本表不按日期、类别筛选）"
        } else {
            "筛选条件：无"
        };
        assert_eq!(text(range.get_value((1, 0))), filters, "{sheet}");
        // The header row is the third, bold, and the panes are frozen
        // under it.
        assert_eq!(text(range.get_value((2, 0))), headers[i], "{sheet}");
        let styles = book.worksheet_style(sheet).unwrap();
        let bold = |at| {
            styles
                .get(at)
                .and_then(|s| s.font.as_ref())
                .is_some_and(|f| f.is_bold())
        };
        assert!(
            bold((0, 0)) && bold((2, 0)),
            "{sheet}: title and header bold"
        );
        let xml = part(&out, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(
            xml.contains(r#"ySplit="3""#) && xml.contains(r#"topLeftCell="A4""#),
            "{sheet}: frozen under the header: {xml}"
        );
    }
    // The period is the one asked for: 2002's delivery is not counted.
    let total = book.worksheet_range("分类").unwrap();
    let last = total.rows().next_back().unwrap();
    assert_eq!(text(last.first()), "合计");
    assert_eq!(last.get(5), Some(&Data::Float(9500.5)));
}

#[test]
fn without_a_title_the_sheets_name_the_townships_the_span_of_the_data_and_the_filters() {
    let w = Workdir::new();
    import_district(&w);
    let out = export(&w, "zh", &[]);
    let mut book = open(&out);
    assert_eq!(
        text(Some(&cell(&mut book, "汇总", (0, 0)))),
        "工农乡、向阳街道 2001年3月5日至2002年11月20日 帮扶情况汇总"
    );

    let out = export(
        &w,
        "en",
        &["--township", "工农乡", "--category", "办好事实事"],
    );
    let mut book = open(&out);
    assert_eq!(
        text(Some(&cell(&mut book, "By unit", (0, 0)))),
        "Aid by unit: 工农乡, 2001-04-01 to 2001-04-01"
    );
    assert_eq!(
        text(Some(&cell(&mut book, "By unit", (1, 0)))),
        "Filters: township=工农乡, category=deeds"
    );
    assert_eq!(
        text(Some(&cell(&mut book, "Overdue", (0, 0)))),
        "Pairings with no delivery for more than 90 days: 工农乡, as of 2003-06-30"
    );
    assert_eq!(
        text(Some(&cell(&mut book, "Overdue", (1, 0)))),
        "Filters: township=工农乡 (dates and category do not apply to this sheet)"
    );
}

#[test]
fn last_deliveries_on_the_overdue_sheet_are_date_cells() {
    let w = Workdir::new();
    import_district(&w);
    let out = export(&w, "zh", &[]);
    let mut book = open(&out);
    let range = book.worksheet_range("逾期未访").unwrap();
    assert_eq!(text(range.get_value((2, 5))), "最近帮扶");
    let column: Vec<Data> = (3..7)
        .map(|r| range.get_value((r, 5)).cloned().unwrap_or(Data::Empty))
        .collect();
    // Never visited first (as text), then the longest since, as dates:
    // Excel's day numbers of 2001-03-05, 2001-04-01, 2002-11-20.
    assert_eq!(column[0], Data::String("从未".to_string()));
    let days: Vec<f64> = column[1..]
        .iter()
        .map(|c| match c {
            Data::DateTime(d) => d.as_f64(),
            other => panic!("not a date cell: {other:?}"),
        })
        .collect();
    assert_eq!(days, vec![36955.0, 36982.0, 37580.0]);
    let styles = book.worksheet_style("逾期未访").unwrap();
    let format = styles
        .get((4, 5))
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone());
    assert_eq!(format.as_deref(), Some("yyyy-mm-dd"));
}

#[test]
fn money_is_numbers_and_ids_and_phones_are_text_masked_unless_revealed() {
    let w = Workdir::new();
    import_district(&w);
    for reveal in [false, true] {
        let mut args = vec!["--lang", "zh"];
        if reveal {
            args.push("--reveal");
        }
        let out = w.path("report.xlsx");
        args.extend(["export", "--xlsx", path_str(&out)]);
        w.stdout(&args);
        let mut book = open(&out);

        let by_category = book.worksheet_range("分类").unwrap();
        let styles = book.worksheet_style("分类").unwrap();
        let warmth = (3..by_category.height() as u32)
            .find(|&r| text(by_category.get_value((r, 0))) == "送温暖")
            .expect("a warmth row");
        assert_eq!(
            by_category.get_value((warmth, 3)),
            Some(&Data::Float(1200.5))
        );
        assert_eq!(
            by_category.get_value((warmth, 5)),
            Some(&Data::Float(1500.5))
        );
        for col in 3..6 {
            let format = styles
                .get((warmth, col))
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.clone());
            assert_eq!(format.as_deref(), Some("#,##0.00"), "column {col}");
        }

        let overdue = book.worksheet_range("逾期未访").unwrap();
        let styles = book.worksheet_style("逾期未访").unwrap();
        let header: Vec<String> = (0..9).map(|c| text(overdue.get_value((2, c)))).collect();
        assert_eq!(header[3], "户编号");
        assert_eq!(header[7], "帮扶人电话");
        assert_eq!(header[8], "户主电话");
        let rows: Vec<u32> = (3..7).collect();
        // 户编号 as written, text, never a number that lost digits.
        let households: Vec<Data> = rows
            .iter()
            .map(|&r| overdue.get_value((r, 3)).cloned().unwrap_or(Data::Empty))
            .collect();
        assert!(
            households.contains(&Data::String("430523102001001".to_string())),
            "{households:?}"
        );
        assert!(households.iter().all(|h| matches!(h, Data::String(_))));
        let phones: Vec<Data> = rows
            .iter()
            .flat_map(|&r| [7, 8].map(|c| overdue.get_value((r, c)).cloned()))
            .flatten()
            .filter(|c| *c != Data::Empty)
            .collect();
        let expected = if reveal { "13812345678" } else { "138****5678" };
        assert!(
            phones.contains(&Data::String(expected.to_string())),
            "{phones:?}"
        );
        for phone in &phones {
            let Data::String(p) = phone else {
                panic!("a phone that is not text: {phone:?}")
            };
            assert_eq!(p.contains("****"), !reveal, "{p}");
        }
        for &r in &rows {
            for c in [0, 3, 7, 8] {
                if overdue.get_value((r, c)).is_none_or(|v| *v == Data::Empty) {
                    continue;
                }
                let format = styles
                    .get((r, c))
                    .and_then(|s| s.number_format.as_ref())
                    .map(|f| f.format_code.clone());
                assert_eq!(format.as_deref(), Some("@"), "row {r} column {c}");
            }
        }
    }
}

/// The first and last row (from 1) and the column letter of a chart
/// reference such as `分类!$A$4:$A$10`.
fn rows_of(reference: &str) -> (String, u32, u32) {
    let cells = reference.rsplit('!').next().unwrap().replace('$', "");
    let (a, b) = cells.split_once(':').unwrap();
    let split = |c: &str| {
        let at = c.find(|ch: char| ch.is_ascii_digit()).unwrap();
        (c[..at].to_string(), c[at..].parse::<u32>().unwrap())
    };
    let ((col, first), (_, last)) = (split(a), split(b));
    (col, first, last)
}

#[test]
fn the_charts_plot_the_rows_that_hold_the_data_under_the_title_and_header() {
    let w = Workdir::new();
    import_district(&w);
    let out = export(&w, "zh", &[]);
    let mut book = open(&out);
    let charts = [
        ("xl/charts/chart1.xml", "分类", "类别"),
        ("xl/charts/chart2.xml", "月份", "月份"),
    ];
    for (name, sheet, dimension) in charts {
        let xml = part(&out, name);
        let refs: Vec<&str> = xml
            .split("<c:f>")
            .skip(1)
            .filter_map(|s| s.split("</c:f>").next())
            .collect();
        assert_eq!(refs.len(), 2, "categories and values: {xml}");
        let range = book.worksheet_range(sheet).unwrap();
        let total_row = range.end().unwrap().0 + 1;
        for reference in &refs {
            assert!(reference.starts_with(sheet), "{reference}");
            let (col, first, last) = rows_of(reference);
            // The first data row is the one under the header (row 3), the
            // last the one above the total.
            assert_eq!(first, 4, "{reference}");
            assert_eq!(last, total_row - 1, "{reference}");
            assert_eq!(text(range.get_value((total_row - 1, 0))), "合计");
            // The categories are the first column, the values the total.
            let (at, named) = match col.as_str() {
                "A" => (0, dimension),
                "F" => (5, "合计"),
                other => panic!("column {other}: {reference}"),
            };
            assert_eq!(text(range.get_value((2, at))), named, "{reference}");
        }
    }
    // Title, filters, header; all seven categories; the total.
    let category = book.worksheet_range("分类").unwrap();
    assert_eq!(category.end().unwrap().0 + 1, 3 + 7 + 1);
}
