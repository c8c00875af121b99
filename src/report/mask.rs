//! Personal numbers in human output: ID and phone numbers are masked
//! (`4301**********123X`, `138****5678`) unless the user asks for `--reveal`.
//!
//! Columns that hold them are masked by [`id_number`] and [`phone`]. Text
//! that may quote one — a problem, a warning, a usage error echoing an
//! argument, a name or a note in a report — goes through [`text`], which
//! finds them inside it ([`crate::values::personal`]); a report's tables and
//! JSON through [`table`] and [`json`], which leave records' own ids whole.

use super::render::{Cell, Table};
use crate::values::personal::numbers_in;
use crate::values::text::mask_digits;
use crate::values::{Date, IdNumber, Phone};
use serde_json::Value;
use std::borrow::Cow;

/// An ID number as shown.
pub fn id_number(stored: &str, reveal: bool) -> String {
    if reveal {
        return stored.to_string();
    }
    // Checked against the day it was imported; any birth date will do here.
    IdNumber::parse(stored, Date::last()).map_or_else(|_| unreadable(stored), |n| n.masked())
}

/// A phone number as shown.
pub fn phone(stored: &str, reveal: bool) -> String {
    if reveal {
        return stored.to_string();
    }
    Phone::parse(stored).map_or_else(|_| unreadable(stored), |p| p.masked())
}

/// A stored ID or phone number that does not read as one (a database
/// edited by hand): its digits masked all the same, whatever their shape.
fn unreadable(stored: &str) -> String {
    let digits: String = stored.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 7 {
        mask_digits(&digits)
    } else {
        "*".repeat(stored.chars().count())
    }
}

/// Text a person reads, with the ID and phone numbers in it masked, unless
/// `reveal`.
pub fn text(text: &str, reveal: bool) -> Cow<'_, str> {
    if reveal {
        Cow::Borrowed(text)
    } else {
        numbers_in(text)
    }
}

/// The keys of columns and JSON fields that hold a record's own id, which
/// is never masked, whatever its digits (contract §5).
const RECORD_IDS: [&str; 3] = ["id", "household", "member"];

/// A report cell as shown: text with its numbers masked, unless `reveal`.
pub fn cell(cell: &mut Cell, reveal: bool) {
    if let Cell::Text(s) = cell {
        if let Cow::Owned(masked) = text(s, reveal) {
            *s = masked;
        }
    }
}

/// A report table as shown: the numbers in its text cells masked, unless
/// `reveal`, except in the columns of records' own ids.
pub fn table(table: &mut Table, reveal: bool) {
    if reveal {
        return;
    }
    let keep: Vec<bool> = table
        .columns
        .iter()
        .map(|c| RECORD_IDS.contains(&c.key.as_str()))
        .collect();
    for row in table.rows.iter_mut().chain(table.total.iter_mut()) {
        for (i, c) in row.iter_mut().enumerate() {
            if !keep.get(i).copied().unwrap_or(false) {
                cell(c, reveal);
            }
        }
    }
}

/// A JSON report as shown: the numbers in its strings masked, unless
/// `reveal`, except in the fields of records' own ids.
pub fn json(value: &mut Value, reveal: bool) {
    if reveal {
        return;
    }
    match value {
        Value::String(s) => {
            if let Cow::Owned(masked) = numbers_in(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| json(v, reveal)),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if !RECORD_IDS.contains(&key.as_str()) {
                    json(v, reveal);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::Column;

    /// A valid ID number (GB 11643's own example).
    const ID: &str = "11010519491231002X";

    #[test]
    fn masks_unless_revealed() {
        assert_eq!(id_number(ID, false), "1101**********002X");
        assert_eq!(id_number(ID, true), ID);
        assert_eq!(phone("13812345678", false), "138****5678");
        assert_eq!(phone("13812345678", true), "13812345678");
        assert_eq!(phone("tel 13812345678", false), "138****5678");
        assert_eq!(id_number("1101051949", false), "****1949");
    }

    #[test]
    fn reveal_shows_the_text_whole() {
        assert_eq!(text("13812345678", true), "13812345678");
        assert_eq!(text("13812345678", false), "138****5678");
    }

    #[test]
    fn tables_and_json_keep_records_own_ids_whole() {
        let mut t = Table {
            columns: vec![
                Column::new("household", "户编号"),
                Column::new("head", "户主"),
            ],
            rows: vec![vec![Cell::text(ID), Cell::text(format!("张三 {ID}"))]],
            total: None,
        };
        table(&mut t, false);
        assert_eq!(
            t.rows[0],
            vec![Cell::text(ID), Cell::text("张三 1101**********002X")]
        );
        let mut v = serde_json::json!({"rows": [{"id": ID, "household": ID, "note": ID}]});
        json(&mut v, false);
        assert_eq!(v["rows"][0]["id"], ID);
        assert_eq!(v["rows"][0]["household"], ID);
        assert_eq!(v["rows"][0]["note"], "1101**********002X");
        let mut v = serde_json::json!({"note": ID});
        json(&mut v, true);
        assert_eq!(v["note"], ID);
    }
}
