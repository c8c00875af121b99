//! Reading a sheet of an .xlsx, .xls or .ods workbook directly (calamine),
//! so clerks need not export CSV first. Each cell becomes the text the
//! value parsers already read: date cells as `2001-03-05`, numbers in their
//! shortest exact decimal form (so money that is not a whole number of fen
//! is caught by the money rules), and numbers of 16 or more digits in
//! scientific notation — the spreadsheet has already lost their last digits,
//! and the ID number rules say so.

use super::{FileError, RawRow};
use crate::problem::UsageError;
use crate::values::Date;
use calamine::{open_workbook_auto, Data, Range, Reader};
use csv::StringRecord;
use std::path::Path;

/// Whether a file name says workbook.
pub fn is_workbook_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"))
}

/// The chosen sheet of a workbook: its name and its cells.
pub struct Sheet {
    pub name: String,
    pub format: String,
    range: Range<Data>,
}

/// Open `sheet` (or the first sheet) of the workbook at `path`.
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Result<Sheet, FileError>, UsageError> {
    let mut workbook = match open_workbook_auto(path) {
        Ok(w) => w,
        Err(e) => {
            if !path.exists() {
                return Err(UsageError::new(format!(
                    "cannot open {}: no such file",
                    path.display()
                )));
            }
            return Ok(Err(FileError::Read(format!(
                "not a readable workbook: {e}"
            ))));
        }
    };
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => match names.iter().find(|n| n.trim() == wanted.trim()) {
            Some(n) => n.clone(),
            None => {
                return Err(UsageError::new(format!(
                    "{} has no sheet {wanted:?}; its sheets are: {}",
                    path.display(),
                    names.join(", ")
                )))
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => return Ok(Err(FileError::Empty)),
        },
    };
    let range = match workbook.worksheet_range(&name) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(FileError::Read(format!(
                "cannot read sheet {name:?}: {e}"
            ))))
        }
    };
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .map_or_else(|| "workbook".to_string(), str::to_ascii_lowercase);
    Ok(Ok(Sheet {
        name,
        format,
        range,
    }))
}

impl Sheet {
    /// Number of rows.
    pub fn height(&self) -> u64 {
        self.range.height() as u64
    }

    /// The sheet's rows, numbered as the spreadsheet numbers them.
    pub fn rows(self) -> impl Iterator<Item = Result<RawRow, FileError>> {
        let first_row = self.range.start().map_or(0, |(r, _)| r);
        let height = self.range.height();
        let range = self.range;
        (0..height).map(move |i| {
            let mut cells = StringRecord::new();
            if let Some(row) = range.rows().nth(i) {
                for cell in row {
                    cells.push_field(&cell_text(cell));
                }
            }
            Ok(RawRow {
                line: u64::from(first_row) + i as u64 + 1,
                pos: i as u64,
                cells,
            })
        })
    }
}

/// A cell as the text the value parsers read.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => number_text(*n as f64, Some(*n)),
        Data::Float(f) => number_text(*f, None),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => Date::from_excel_serial(d.as_f64())
            .map_or_else(|| d.as_f64().to_string(), |day| day.to_string()),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number's text: 16 or more integer digits in scientific notation (the
/// digits past the 15th are already lost), otherwise the shortest decimal.
fn number_text(f: f64, exact: Option<i64>) -> String {
    if f.abs() >= 1e15 {
        return format!("{f:E}");
    }
    match exact {
        Some(n) => n.to_string(),
        None => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_shortest_exact_form() {
        assert_eq!(cell_text(&Data::Float(1200.5)), "1200.5");
        assert_eq!(cell_text(&Data::Float(13812345678.0)), "13812345678");
        assert_eq!(cell_text(&Data::Int(36955)), "36955");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30000000000000004");
    }

    #[test]
    fn an_id_number_stored_as_a_number_reads_as_scientific_notation() {
        let text = cell_text(&Data::Float(430102198001011234.0));
        assert!(text.contains('E'), "{text}");
        assert!(matches!(
            crate::values::IdNumber::parse(&text),
            Err(crate::values::ValueError::IdNumberScientific)
        ));
    }

    #[test]
    fn knows_workbook_names() {
        assert!(is_workbook_name(Path::new("a.XLSX")));
        assert!(is_workbook_name(Path::new("a.ods")));
        assert!(!is_workbook_name(Path::new("a.csv")));
    }
}
