//! `export --xlsx`: one workbook for the monthly report — the summary, totals
//! by category, unit, township and month, and the overdue list — with native
//! Excel charts, money as numbers in `#,##0.00`, dates as date cells, a
//! title line on each sheet (place, period, filters: [`super::title`]), bold
//! frozen header rows and columns wide enough for Chinese text. Opens in
//! Excel, WPS and LibreOffice.

use super::group::{Dim, Feed, Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::overdue::{overdue, overdue_table};
use super::render::{Cell, Column, Table};
use super::summary;
use super::title::{place, Period, Subject, Titles};
use super::totals::{compute_many, TotalsSpec};
use crate::store::Db;
use crate::values::Date;
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::rc::Rc;
use unicode_width::UnicodeWidthStr;

/// What goes into the workbook.
pub struct ExportSpec {
    pub filters: Filters,
    pub lang: Lang,
    pub reveal: bool,
    pub today: Date,
    /// Days after which a pairing is overdue.
    pub overdue_days: u32,
    /// The district's name for the title lines (`--title`); else one is
    /// made from the filters and the data ([`place`]).
    pub title: Option<String>,
}

/// The rows above each sheet's table: the title, then the filters.
const TITLE_ROWS: u32 = 2;

/// The formats of one kind of row's cells.
struct Kinds {
    text: Format,
    int: Format,
    money: Format,
    date: Format,
}

impl Kinds {
    fn new(base: Format) -> Kinds {
        Kinds {
            text: base.clone().set_num_format("@"),
            int: base.clone(),
            money: base.clone().set_num_format("#,##0.00"),
            date: base.set_num_format("yyyy-mm-dd"),
        }
    }
}

struct Styles {
    title: Format,
    header: Format,
    body: Kinds,
    total: Kinds,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new().set_bold(),
            body: Kinds::new(Format::new()),
            total: Kinds::new(Format::new().set_bold()),
        }
    }
}

/// Write the title lines, then `table` under them: bold frozen header,
/// money as numbers, dates as dates, text as text, widths from the widest
/// cell (the title lines run over into the empty cells beside them).
fn write_sheet(
    sheet: &mut Worksheet,
    lines: &[String; 2],
    table: &Table,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let [title, filters] = lines;
    sheet.write_string_with_format(0, 0, title, &styles.title)?;
    sheet.write_string(1, 0, filters)?;
    let top = TITLE_ROWS;
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.label.width()).collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(top, col as u16, &column.label, &styles.header)?;
    }
    let rows = table
        .rows
        .iter()
        .map(|r| (r, &styles.body))
        .chain(table.total.iter().map(|r| (r, &styles.total)));
    for (index, (row, kinds)) in rows.enumerate() {
        let r = top + 1 + index as u32;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell.human().width());
            }
            match cell {
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, s, &kinds.text)?;
                }
                Cell::Int(n) => {
                    sheet.write_number_with_format(r, c, *n as f64, &kinds.int)?;
                }
                Cell::Money(f) => {
                    // Excel holds numbers as doubles; the fen are exact to
                    // well past any district's budget.
                    sheet.write_number_with_format(r, c, f.0 as f64 / 100.0, &kinds.money)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(day) => {
                        sheet.write_datetime_with_format(r, c, day, &kinds.date)?;
                    }
                    None => {
                        sheet.write_string_with_format(r, c, d.to_string(), &kinds.text)?;
                    }
                },
                Cell::Null => {}
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    Ok(())
}

/// A day as Excel holds it (Excel has no day before 1900).
fn excel_date(d: Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// A chart of one column of a totals sheet against its first column.
fn chart(
    kind: ChartType,
    sheet_name: &str,
    table: &Table,
    value_key: &str,
    title: &str,
) -> Option<Chart> {
    let value_col = table.columns.iter().position(|c| c.key == value_key)? as u16;
    if table.rows.is_empty() {
        return None;
    }
    // The table's rows, under the title lines and the header; not the
    // total row.
    let first = TITLE_ROWS + 1;
    let last = TITLE_ROWS + table.rows.len() as u32;
    let mut chart = Chart::new(kind);
    chart
        .add_series()
        .set_categories((sheet_name, first, 0, last, 0))
        .set_values((sheet_name, first, value_col, last, value_col))
        .set_name(title);
    chart.title().set_name(title);
    chart.legend().set_hidden();
    chart.y_axis().set_num_format("#,##0");
    Some(chart)
}

/// Names of the sheets in `lang`.
fn sheet_names(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::En => [
            "Summary",
            "By category",
            "By unit",
            "By township",
            "By month",
            "Overdue",
        ],
        Lang::Zh => ["汇总", "分类", "单位", "乡镇", "月份", "逾期未访"],
    }
}

/// Build the report workbook and save it to `to`.
pub fn export(
    conn: Db<'_>,
    spec: &ExportSpec,
    to: impl std::io::Write + Send,
) -> anyhow::Result<()> {
    let lang = spec.lang;
    let styles = Styles::new();
    let names = sheet_names(lang);
    let mut workbook = Workbook::new();

    // Totals by category, unit, township, month, from one scan; charts on
    // two of them.
    let world = Rc::new(World::load(conn)?);
    let dims = [
        (Dim::Category, Label::Category),
        (Dim::Unit, Label::Unit),
        (Dim::Township, Label::Township),
        (Dim::Month, Label::Month),
    ];
    let all = compute_many(
        Feed::Scan(conn),
        Rc::clone(&world),
        &spec.filters,
        dims.iter()
            .map(|(dim, _)| TotalsSpec {
                by: vec![*dim],
                ..TotalsSpec::default()
            })
            .collect(),
    )?;
    let tables: Vec<Table> = all
        .iter()
        .map(|totals| {
            let mut table = totals.table(lang);
            mask::table(&mut table, spec.reveal);
            table
        })
        .collect();

    // The title lines: the place, from the townships the deliveries come
    // from unless named; the period, from the first and last delivery
    // unless --from and --to say.
    let blank = Label::Blank.text(lang);
    let townships: Vec<String> = dims
        .iter()
        .zip(&tables)
        .filter(|((dim, _), _)| *dim == Dim::Township)
        .flat_map(|(_, table)| table.rows.iter().filter_map(|row| row.first()))
        .map(Cell::human)
        .filter(|name| name != blank)
        .collect();
    let titles = Titles {
        lang,
        place: place(spec.title.as_deref(), &spec.filters, &townships, lang),
        filters: &spec.filters,
        reveal: spec.reveal,
    };
    let span = all.first().and_then(|totals| totals.grand.span);
    let period = Period::of(&spec.filters, span);

    // Summary: the table, then the sentence under it.
    let figures = summary::compute(conn, &spec.filters, spec.today)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(names[0])?;
    let table = summary::table(&figures, lang);
    write_sheet(
        sheet,
        &titles.lines(Subject::Summary, period),
        &table,
        &styles,
    )?;
    let sentence_row = TITLE_ROWS + table.rows.len() as u32 + 2;
    sheet.write_string_with_format(
        sentence_row,
        0,
        summary::sentence(&figures, lang),
        &styles.header,
    )?;

    for (((dim, label), name), table) in dims.iter().zip(&names[1..5]).zip(&tables) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name)?;
        write_sheet(
            sheet,
            &titles.lines(Subject::By(*label), period),
            table,
            &styles,
        )?;
        let title = format!("{} — {}", Label::Total.text(lang), name);
        let kind = match dim {
            Dim::Category => Some(ChartType::Column),
            Dim::Month => Some(ChartType::Line),
            _ => None,
        };
        if let Some(chart) = kind.and_then(|k| chart(k, name, table, "total", &title)) {
            sheet.insert_chart(TITLE_ROWS, table.columns.len() as u16 + 1, &chart)?;
        }
    }

    // The overdue list of the households and members of the FILTERS, with
    // phone numbers to call (masked unless --reveal).
    let rows = overdue(conn, &world, spec.today, spec.overdue_days, &spec.filters)?;
    let mut table = overdue_table(&world, &rows, lang);
    table
        .columns
        .push(Column::new("member_phone", Label::MemberPhone.text(lang)));
    table.columns.push(Column::new(
        "household_phone",
        Label::HouseholdPhone.text(lang),
    ));
    for (cells, row) in table.rows.iter_mut().zip(&rows) {
        let phone =
            |p: Option<&String>| p.map_or(Cell::Null, |p| Cell::text(mask::phone(p, spec.reveal)));
        cells.push(phone(
            world
                .members
                .get(row.member as usize)
                .and_then(|m| m.phone.as_ref()),
        ));
        cells.push(phone(
            world
                .households
                .get(row.household as usize)
                .and_then(|h| h.phone.as_ref()),
        ));
    }
    mask::table(&mut table, spec.reveal);
    let sheet = workbook.add_worksheet();
    sheet.set_name(names[5])?;
    write_sheet(
        sheet,
        &titles.lines(
            Subject::Overdue(spec.overdue_days),
            Period::AsOf(spec.today),
        ),
        &table,
        &styles,
    )?;

    workbook.save_to_writer(to)?;
    Ok(())
}
