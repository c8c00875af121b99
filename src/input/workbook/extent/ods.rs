//! The sheets of an .ods (tables in the zip's content.xml) and their
//! extents, streamed one XML event at a time: each `table:table-row`
//! (repeated `table:number-rows-repeated` times) and each cell in it
//! (`table:table-cell` or `table:covered-table-cell`, repeated
//! `table:number-columns-repeated` times). A cell holds something when
//! calamine would read a value or a formula from it; runs of empty cells
//! (LibreOffice ends every row with a thousand or so) hold nothing. Rows
//! and columns stop where calamine stops them.

use super::Extent;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::XmlVersion;
use std::io::{BufReader, Read, Seek};

/// calamine's limits: rows and columns past them are dropped.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

type Xml<R> = quick_xml::Reader<R>;

/// What an .ods's content.xml holds.
pub enum Content {
    /// Each table's name and extent, in the file's order.
    Tables(Vec<(String, Extent)>),
    /// No zip, or no content.xml in it: nothing to look at.
    Missing,
    /// content.xml breaks off before its tables end, or is not XML.
    Broken,
}

pub fn sheets<R: Read + Seek>(file: R) -> Content {
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        return Content::Missing;
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Content::Missing;
    };
    let mut xml = Xml::from_reader(BufReader::new(content));
    // As calamine reads it: `<a/>` is a start and an end.
    let config = xml.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = false;
    sheets_of(&mut xml).map_or(Content::Broken, Content::Tables)
}

fn sheets_of<R: std::io::BufRead>(xml: &mut Xml<R>) -> Option<Vec<(String, Extent)>> {
    let mut sheets = Vec::new();
    let mut buf = Vec::new();
    loop {
        let name = match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.name() == QName("table:table") => attr(&e, "table:name")?,
            Event::Eof => return Some(sheets),
            _ => None,
        };
        buf.clear();
        // calamine keeps only the tables that have a name.
        if let Some(name) = name {
            sheets.push((name, table(xml)?));
        }
    }
}

/// A tag's attributes, read as calamine reads them (a repeated one is not
/// an error; checking for one costs time on every cell).
fn attributes<'a>(e: &'a BytesStart<'_>) -> quick_xml::events::attributes::Attributes<'a> {
    let mut attributes = e.attributes();
    attributes.with_checks(false);
    attributes
}

/// The value of attribute `key`; None inside when it is not there, None
/// outside when the tag is malformed.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<Option<String>> {
    for a in attributes(e) {
        let a = a.ok()?;
        if a.key == QName(key) {
            return Some(Some(
                a.normalized_value(XmlVersion::Implicit1_0)
                    .ok()?
                    .into_owned(),
            ));
        }
    }
    Some(None)
}

/// A repeat count (1 when not given); None when it is not a number,
/// which calamine refuses.
fn repeats(e: &BytesStart<'_>, key: &str) -> Option<u64> {
    match attr(e, key)? {
        Some(n) => n.trim().parse().ok(),
        None => Some(1),
    }
}

/// Whether calamine reads a value or a formula from a cell: a value
/// attribute, a string cell (whose text is its value, even empty), or a
/// formula.
fn holds(e: &BytesStart<'_>) -> Option<bool> {
    for a in attributes(e) {
        let a = a.ok()?;
        let held = match a.key.as_ref() {
            "office:value"
            | "office:string-value"
            | "office:date-value"
            | "office:time-value"
            | "office:boolean-value" => true,
            "office:value-type" => a.value == "string",
            "table:formula" => !a.value.is_empty(),
            _ => false,
        };
        if held {
            return Some(true);
        }
    }
    Some(false)
}

/// A table's extent, from after its start tag to its end.
fn table<R: std::io::BufRead>(xml: &mut Xml<R>) -> Option<Extent> {
    let mut extent = Extent::default();
    let mut row = 0u64;
    let mut buf = Vec::new();
    loop {
        let rows = match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.name() == QName("table:table-row") => {
                Some(repeats(&e, "table:number-rows-repeated")?.min(MAX_ROWS - row))
            }
            Event::End(e) if e.name() == QName("table:table") => return Some(extent),
            Event::Eof => return None,
            _ => None,
        };
        buf.clear();
        if let Some(rows) = rows {
            cells(xml, (row, rows), &mut extent)?;
            row += rows;
        }
    }
}

/// The cells of a row element, up to its end, standing for the `rows.1`
/// rows from row `rows.0`.
fn cells<R: std::io::BufRead>(
    xml: &mut Xml<R>,
    (row, rows): (u64, u64),
    extent: &mut Extent,
) -> Option<()> {
    let mut column = 0u64;
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    loop {
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e)
                if e.name() == QName("table:table-cell")
                    || e.name() == QName("table:covered-table-cell") =>
            {
                let columns =
                    repeats(&e, "table:number-columns-repeated")?.min(MAX_COLUMNS - column);
                if holds(&e)? && columns > 0 && rows > 0 {
                    // Within calamine's limits, so within u32.
                    let last = |first: u64, n: u64| {
                        (u32::try_from(first).ok(), u32::try_from(first + n - 1).ok())
                    };
                    if let ((Some(r0), Some(r1)), (Some(c0), Some(c1))) =
                        (last(row, rows), last(column, columns))
                    {
                        extent.hold((r0, r1), (c0, c1));
                    }
                }
                column += columns;
                let end = e.name().as_ref().to_owned();
                xml.read_to_end_into(QName(&end), &mut skip).ok()?;
            }
            Event::End(e) if e.name() == QName("table:table-row") => return Some(()),
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extent(rows: &str) -> Extent {
        let content = format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"台账\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        );
        let mut xml = Xml::from_reader(content.as_bytes());
        xml.config_mut().expand_empty_elements = true;
        let mut sheets = sheets_of(&mut xml).expect("content");
        assert_eq!(sheets.len(), 1);
        let (name, extent) = sheets.remove(0);
        assert_eq!(name, "台账");
        extent
    }

    const TEXT: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>户主</text:p></table:table-cell>";
    const NUMBER: &str = "<table:table-cell office:value-type=\"float\" office:value=\"12.5\"/>";
    /// What LibreOffice writes after the last cell of every row.
    const TRAILING: &str = "<table:table-cell table:number-columns-repeated=\"1016\"/>";

    #[test]
    fn trailing_runs_of_empty_cells_and_rows_hold_nothing() {
        let row = format!("<table:table-row>{TEXT}{NUMBER}{TRAILING}</table:table-row>");
        let e = extent(&format!(
            "{row}{row}<table:table-row table:number-rows-repeated=\"1048574\">\
             <table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
        ));
        let mut expected = Extent::default();
        expected.hold((0, 0), (0, 1));
        expected.hold((1, 1), (0, 1));
        assert_eq!(e, expected);
        assert_eq!(e.far_cell(), None);
    }

    #[test]
    fn repeated_cells_and_rows_hold_each_cell_they_stand_for() {
        let e = extent(&format!(
            "<table:table-row table:number-rows-repeated=\"3\">\
             <table:table-cell table:number-columns-repeated=\"2\"/>\
             <table:table-cell office:value-type=\"float\" office:value=\"1\" \
             table:number-columns-repeated=\"4\"/>{TRAILING}</table:table-row>\
             <table:table-row><table:covered-table-cell table:formula=\"of:=1\"/></table:table-row>"
        ));
        assert_eq!(e.held(), 13);
        let mut expected = Extent::default();
        expected.hold((0, 2), (2, 5));
        expected.hold((3, 3), (0, 0));
        assert_eq!(e, expected);
    }

    #[test]
    fn a_full_sheet_of_100000_rows_by_10_columns_is_not_far() {
        let e = extent(&format!(
            "<table:table-row>{}{TRAILING}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"99999\">{}{TRAILING}</table:table-row>",
            TEXT.repeat(10),
            NUMBER.repeat(10),
        ));
        assert_eq!(e.held(), 1_000_000);
        assert_eq!(e.far_cell(), None);
    }

    #[test]
    fn a_stray_cell_far_below_and_right_is_far() {
        let e = extent(&format!(
            "<table:table-row>{TEXT}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048574\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"16383\"/>{NUMBER}\
             </table:table-row>"
        ));
        assert_eq!(e.held(), 2);
        assert_eq!(e.far_cell().as_deref(), Some("XFD1048576"));
    }

    #[test]
    fn rows_and_columns_past_calamines_limits_are_dropped() {
        let e = extent(&format!(
            "<table:table-row table:number-rows-repeated=\"2000000\">{TEXT}</table:table-row>\
             <table:table-row>{TEXT}</table:table-row>\
             "
        ));
        let mut expected = Extent::default();
        expected.hold((0, 1_048_575), (0, 0));
        assert_eq!(e, expected);
    }

    #[test]
    fn a_malformed_count_is_left_to_calamine() {
        let content = "<table:table table:name=\"s\">\
             <table:table-row table:number-rows-repeated=\"many\"/></table:table>";
        let mut xml = Xml::from_reader(content.as_bytes());
        xml.config_mut().expand_empty_elements = true;
        assert_eq!(sheets_of(&mut xml), None);
    }
}
