//! One table model for every report, rendered four ways: an aligned text
//! table (CJK characters count two columns), CSV in the same layout,
//! Markdown, and JSON objects keyed by English column keys. Money is exact
//! fen throughout and only formatted here.

use crate::problem::printable_lines;
use crate::values::{formula, Date, Fen};
use clap::ValueEnum;
use serde_json::{Map, Value};
use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The widest line of a cell in a drawn table, in display columns.
pub const CELL_WIDTH: usize = 60;
/// The most lines of one cell in a drawn table.
pub const CELL_LINES: usize = 8;

/// A cell's text as a drawn table shows it: each line cut at
/// [`CELL_WIDTH`] display columns and the cell at [`CELL_LINES`] lines,
/// a cut marked with `…`, so that one long note cannot widen every row of
/// its table. (CSV and JSON keep every cell whole.)
pub fn fit(text: &str) -> Cow<'_, str> {
    let lines = text.split('\n').take(CELL_LINES + 1);
    if lines.clone().count() <= CELL_LINES && lines.clone().all(fits) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for (n, line) in lines.enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if n == CELL_LINES {
            out.push('…');
            break;
        }
        out.push_str(&cut_line(line));
    }
    Cow::Owned(out)
}

/// Whether a line is at most [`CELL_WIDTH`] display columns wide (a
/// character is at most as wide as its bytes are many).
fn fits(line: &str) -> bool {
    line.len() <= CELL_WIDTH || line.width() <= CELL_WIDTH
}

/// One line cut at [`CELL_WIDTH`] display columns, `…` included.
fn cut_line(line: &str) -> Cow<'_, str> {
    if fits(line) {
        return Cow::Borrowed(line);
    }
    let mut width = 0;
    for (i, c) in line.char_indices() {
        let w = c.width().unwrap_or(0);
        if width + w > CELL_WIDTH - 1 {
            return Cow::Owned(format!("{}…", &line[..i]));
        }
        width += w;
    }
    Cow::Borrowed(line)
}

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
    /// A day: `2001-03-05` in text, CSV and JSON; a date cell in a
    /// workbook.
    Date(Date),
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
            Cell::Date(d) => d.to_string(),
            Cell::Null => String::new(),
        }
    }

    /// As JSON: money as a two-decimal string.
    pub fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Money(f) => Value::String(f.yuan_string()),
            Cell::Date(d) => Value::String(d.to_string()),
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
    /// Drawn tables show this column's cells whole, never cut by [`fit`]:
    /// names the user gave and looks for, such as files.
    pub whole: bool,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
            whole: false,
        }
    }

    /// A column whose cells a drawn table never cuts.
    pub fn whole(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            whole: true,
            ..Column::new(key, label)
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

    /// Cell `c` of column `i` as a drawn table shows it: [`Cell::human`],
    /// long text cut by [`fit`] unless its column is [`Column::whole`], and
    /// no control character left to act on the terminal
    /// ([`printable_lines`]).
    fn shown(&self, i: usize, c: &Cell) -> String {
        match c {
            Cell::Text(s) => {
                let s = printable_lines(s);
                match self.columns.get(i).is_some_and(|c| c.whole) {
                    true => s.into_owned(),
                    false => fit(&s).into_owned(),
                }
            }
            other => other.human(),
        }
    }

    /// The aligned text table, drawn by comfy-table: ASCII borders
    /// (`ASCII_FULL_CONDENSED`: Chinese Windows consoles draw box-drawing
    /// characters two columns wide), one space of padding, text left and
    /// numbers right, columns as wide as their widest line in display
    /// columns (a CJK character counts two), never wrapped
    /// (`ContentArrangement::Disabled`: long cells are cut beforehand by
    /// [`fit`]).
    pub fn to_text(&self) -> String {
        use comfy_table::{presets, CellAlignment, ContentArrangement};
        let mut table = comfy_table::Table::new();
        table
            .load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            // A cross-tab's labels are values (a unit's name, say).
            .set_header(
                self.columns
                    .iter()
                    .map(|c| printable_lines(&c.label).into_owned()),
            );
        for row in self.all_rows() {
            table.add_row(row.iter().enumerate().map(|(i, c)| {
                let cell = comfy_table::Cell::new_owned(self.shown(i, c));
                if c.is_number() {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                }
            }));
        }
        let mut out = String::new();
        for line in table.lines() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// CSV in the table's layout, with human labels as headers. A text
    /// cell a spreadsheet would run gets a `'` before it
    /// ([`formula::guard`]); numbers are numbers, and stay as they are.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let write = |w: &mut csv::Writer<Vec<u8>>, cells: Vec<String>| {
            // Writing to a Vec cannot fail.
            let _ = w.write_record(cells);
        };
        write(
            &mut w,
            self.columns
                .iter()
                .map(|c| formula::guard(&c.label).into_owned())
                .collect(),
        );
        for row in self.all_rows() {
            write(
                &mut w,
                row.iter()
                    .map(|c| match c {
                        Cell::Money(f) => f.yuan_string(),
                        Cell::Text(s) => formula::guard(s).into_owned(),
                        other => other.human(),
                    })
                    .collect(),
            );
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// A Markdown table. A cell's `|` is escaped and its line breaks are
    /// `<br>`, so that a note of several lines stays one row.
    pub fn to_markdown(&self) -> String {
        let escape = |s: String| {
            s.replace('|', "\\|")
                .replace("\r\n", "<br>")
                .replace(['\n', '\r'], "<br>")
        };
        let mut out = String::new();
        out.push_str("| ");
        out.push_str(
            &self
                .columns
                .iter()
                .map(|c| escape(printable_lines(&c.label).into_owned()))
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
                    .enumerate()
                    .map(|(i, c)| escape(self.shown(i, c)))
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
    use proptest::prelude::*;

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

    fn any_cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            prop::sample::select(vec![
                "",
                " ",
                "x",
                "区委",
                "龙山区农业农村局",
                "李　四",
                "two\nlines",
                "三\n行\n字",
                "¥",
                "é",
                "a b",
                "送温暖",
            ])
            .prop_map(Cell::text),
            "[a-z送温暖0-9 ]{0,12}".prop_map(Cell::text),
            any::<i64>().prop_map(Cell::Int),
            (-10_000_000_000i64..10_000_000_000).prop_map(|f| Cell::Money(Fen(f))),
            Just(Cell::Null),
        ]
    }

    fn any_table() -> impl Strategy<Value = Table> {
        (1usize..5).prop_flat_map(|width| {
            (
                prop::collection::vec("[a-z单位合计\n]{0,6}", width),
                prop::collection::vec(prop::collection::vec(any_cell(), width), 0..6),
                prop::option::of(prop::collection::vec(any_cell(), width)),
            )
                .prop_map(|(labels, rows, total)| Table {
                    columns: labels.into_iter().map(|l| Column::new("k", l)).collect(),
                    rows,
                    total,
                })
        })
    }

    proptest! {
        /// Whatever the cells — Chinese, mixed, several lines, empty —
        /// every line of a drawn table is equally wide in display columns.
        #[test]
        fn text_tables_line_up_whatever_the_cells(table in any_table()) {
            let text = table.to_text();
            let widths: Vec<usize> = text.lines().map(UnicodeWidthStr::width).collect();
            prop_assert!(widths.windows(2).all(|w| w[0] == w[1]), "{}", text);
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
    fn long_cells_are_cut_in_drawn_tables_only() {
        let note = "送温暖".repeat(1000);
        let table = Table {
            columns: vec![Column::new("note", "note")],
            rows: vec![vec![Cell::text(note.clone())]],
            total: None,
        };
        let text = table.to_text();
        assert!(text.lines().all(|l| l.width() <= CELL_WIDTH + 4), "{text}");
        assert!(text.contains('…'));
        assert!(table.to_csv().contains(&note));
        let whole = Table {
            columns: vec![Column::whole("file", "file")],
            ..table.clone()
        };
        assert!(whole.to_text().contains(&note));
        assert_eq!(fit("short"), "short");
        let long = "x".repeat(100);
        let cut = fit(&long);
        assert_eq!(cut.width(), CELL_WIDTH);
        assert!(cut.ends_with('…'));
        let many = "a\n".repeat(100);
        assert_eq!(fit(&many).lines().count(), CELL_LINES + 1);
        // Wide characters are cut on a character, within the width.
        let wide = "温".repeat(100);
        let cjk = fit(&wide);
        assert!(cjk.width() <= CELL_WIDTH && cjk.ends_with('…'), "{cjk}");
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
    fn csv_writes_text_a_spreadsheet_would_run_as_text_and_numbers_as_numbers() {
        let table = Table {
            columns: vec![Column::new("village", "村"), Column::new("n", "-")],
            rows: vec![vec![Cell::text("=1+1"), Cell::Int(-3)]],
            total: None,
        };
        assert_eq!(table.to_csv(), "村,'-\n'=1+1,-3\n");
    }

    #[test]
    fn markdown_keeps_a_cell_of_several_lines_in_its_row() {
        let table = Table {
            columns: vec![Column::new("note", "note")],
            rows: vec![vec![Cell::text("a\r\nb\nc\rd | e")]],
            total: None,
        };
        assert_eq!(
            table.to_markdown(),
            "| note |\n|---|\n| a<br>b<br>c<br>d \\| e |\n"
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
