//! `export --xlsx`: one workbook for the monthly report — the summary, totals
//! by category, unit, township and month, and the overdue list — with native
//! Excel charts, money as numbers in `#,##0.00`, bold frozen header rows and
//! columns wide enough for Chinese text. Opens in Excel, WPS and LibreOffice.

use super::group::{Dim, Feed, Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::overdue::{overdue, overdue_table};
use super::render::{Cell, Column, Table};
use super::summary;
use super::totals::{compute_many, TotalsSpec};
use crate::store::Db;
use crate::values::Date;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};
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
}

struct Styles {
    header: Format,
    money: Format,
    total_text: Format,
    total_money: Format,
    total_number: Format,
    text: Format,
}

impl Styles {
    fn new() -> Styles {
        let money = "#,##0.00";
        Styles {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format(money),
            total_text: Format::new().set_bold(),
            total_money: Format::new().set_bold().set_num_format(money),
            total_number: Format::new().set_bold(),
            text: Format::new().set_num_format("@"),
        }
    }
}

/// Write `table` at the top of `sheet`: bold frozen header, money as
/// numbers, text as text, widths from the widest cell.
fn write_table(sheet: &mut Worksheet, table: &Table, styles: &Styles) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.label.width()).collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, &column.label, &styles.header)?;
    }
    let rows = table
        .rows
        .iter()
        .map(|r| (r, false))
        .chain(table.total.iter().map(|r| (r, true)));
    for (index, (row, is_total)) in rows.enumerate() {
        let r = index as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell.human().width());
            }
            match cell {
                Cell::Text(s) if is_total => {
                    sheet.write_string_with_format(r, c, s, &styles.total_text)?;
                }
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, s, &styles.text)?;
                }
                Cell::Int(n) if is_total => {
                    sheet.write_number_with_format(r, c, *n as f64, &styles.total_number)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Money(f) => {
                    // Excel holds numbers as doubles; the fen are exact to
                    // well past any district's budget.
                    let style = if is_total {
                        &styles.total_money
                    } else {
                        &styles.money
                    };
                    sheet.write_number_with_format(r, c, f.0 as f64 / 100.0, style)?;
                }
                Cell::Null => {}
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
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
    let last = table.rows.len() as u32;
    if last == 0 {
        return None;
    }
    let mut chart = Chart::new(kind);
    chart
        .add_series()
        .set_categories((sheet_name, 1, 0, last, 0))
        .set_values((sheet_name, 1, value_col, last, value_col))
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

    // Summary: the table, then the sentence under it.
    let figures = summary::compute(conn, &spec.filters, spec.today)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(names[0])?;
    let table = summary::table(&figures, lang);
    write_table(sheet, &table, &styles)?;
    let sentence_row = table.rows.len() as u32 + 2;
    sheet.write_string_with_format(
        sentence_row,
        0,
        summary::sentence(&figures, lang),
        &styles.header,
    )?;

    // Totals by category, unit, township, month, from one scan; charts on
    // two of them.
    let world = Rc::new(World::load(conn)?);
    let dims = [Dim::Category, Dim::Unit, Dim::Township, Dim::Month];
    let all = compute_many(
        Feed::Scan(conn),
        Rc::clone(&world),
        &spec.filters,
        dims.iter()
            .map(|dim| TotalsSpec {
                by: vec![*dim],
                ..TotalsSpec::default()
            })
            .collect(),
    )?;
    for ((dim, name), totals) in dims.iter().zip(&names[1..5]).zip(all) {
        let mut table = totals.table(lang);
        mask::table(&mut table, spec.reveal);
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name)?;
        write_table(sheet, &table, &styles)?;
        let title = format!("{} — {}", Label::Total.text(lang), name);
        let kind = match dim {
            Dim::Category => Some(ChartType::Column),
            Dim::Month => Some(ChartType::Line),
            _ => None,
        };
        if let Some(chart) = kind.and_then(|k| chart(k, name, &table, "total", &title)) {
            sheet.insert_chart(1, table.columns.len() as u16 + 1, &chart)?;
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
    write_table(sheet, &table, &styles)?;

    workbook.save_to_writer(to)?;
    Ok(())
}
