//! One table model for every report, rendered four ways: an aligned text
//! table (CJK characters count two columns), CSV in the same layout,
//! Markdown, and JSON objects keyed by English column keys. Money is exact
//! fen throughout and only formatted here.

use crate::values::Fen;
use clap::ValueEnum;
use comfy_table::{presets, CellAlignment, ContentArrangement};
use serde_json::{Map, Value};

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    Markdown,
}

/// One value of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Money(Fen),
    Null,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// As a human reads it: money with thousands separators.
    pub fn human(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(f) => f.display(),
            Cell::Null => String::new(),
        }
    }

    /// As JSON: money as a two-decimal string.
    pub fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Money(f) => Value::String(f.yuan_string()),
            Cell::Null => Value::Null,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Money(_))
    }
}

/// A column: its JSON key and its human label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub label: String,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// A report table: columns, rows, and an optional total row (printed last).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<Vec<Cell>>,
}

impl Table {
    fn all_rows(&self) -> impl Iterator<Item = &Vec<Cell>> {
        self.rows.iter().chain(self.total.iter())
    }

    /// The aligned text table.
    pub fn to_text(&self) -> String {
        let mut t = comfy_table::Table::new();
        t.load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(self.columns.iter().map(|c| c.label.clone()));
        for row in self.all_rows() {
            t.add_row(row.iter().map(|c| {
                let cell = comfy_table::Cell::new(c.human());
                if c.is_number() {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                }
            }));
        }
        let mut out = t.to_string();
        out.push('\n');
        out
    }

    /// CSV in the table's layout, with human labels as headers.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let write = |w: &mut csv::Writer<Vec<u8>>, cells: Vec<String>| {
            // Writing to a Vec cannot fail.
            let _ = w.write_record(cells);
        };
        write(
            &mut w,
            self.columns.iter().map(|c| c.label.clone()).collect(),
        );
        for row in self.all_rows() {
            write(
                &mut w,
                row.iter()
                    .map(|c| match c {
                        Cell::Money(f) => f.yuan_string(),
                        other => other.human(),
                    })
                    .collect(),
            );
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// A Markdown table.
    pub fn to_markdown(&self) -> String {
        let escape = |s: String| s.replace('|', "\\|");
        let mut out = String::new();
        out.push_str("| ");
        out.push_str(
            &self
                .columns
                .iter()
                .map(|c| escape(c.label.clone()))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        out.push_str(" |\n|");
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .any(|r| r.get(i).is_some_and(Cell::is_number))
            })
            .collect();
        for n in &numeric {
            out.push_str(if *n { "---:|" } else { "---|" });
        }
        out.push('\n');
        for row in self.all_rows() {
            out.push_str("| ");
            out.push_str(
                &row.iter()
                    .map(|c| escape(c.human()))
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
            out.push_str(" |\n");
        }
        out
    }

    /// One JSON object for a row, keyed by the column keys.
    pub fn row_object(&self, row: &[Cell]) -> Value {
        let mut map = Map::new();
        for (column, cell) in self.columns.iter().zip(row) {
            map.insert(column.key.clone(), cell.json());
        }
        Value::Object(map)
    }

    /// Render in a non-JSON format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.to_text(),
            Format::Csv => self.to_csv(),
            Format::Markdown => self.to_markdown(),
            Format::Json => {
                let rows: Vec<Value> = self.rows.iter().map(|r| self.row_object(r)).collect();
                let mut out = serde_json::to_string_pretty(&Value::Array(rows)).unwrap_or_default();
                out.push('\n');
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    fn sample() -> Table {
        Table {
            columns: vec![Column::new("unit", "单位"), Column::new("total", "合计")],
            rows: vec![
                vec![Cell::text("区农业局"), Cell::Money(Fen(1_466_100))],
                vec![Cell::text("区委"), Cell::Money(Fen(181_500))],
            ],
            total: Some(vec![Cell::text("合计"), Cell::Money(Fen(1_647_600))]),
        }
    }

    #[test]
    fn text_table_lines_up_with_chinese_text() {
        let text = sample().to_text();
        let widths: Vec<usize> = text.lines().map(UnicodeWidthStr::width).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert!(text.contains("14,661.00"));
    }

    #[test]
    fn csv_keeps_the_layout_and_plain_money() {
        let csv = sample().to_csv();
        assert_eq!(
            csv,
            "单位,合计\n区农业局,14661.00\n区委,1815.00\n合计,16476.00\n"
        );
    }

    #[test]
    fn markdown_right_aligns_numbers() {
        let md = sample().to_markdown();
        assert!(md.starts_with("| 单位 | 合计 |\n|---|---:|\n"));
    }

    #[test]
    fn json_money_is_a_two_decimal_string() {
        let t = sample();
        let v = t.row_object(&t.rows[1]);
        assert_eq!(v["total"], "1815.00");
    }
}
