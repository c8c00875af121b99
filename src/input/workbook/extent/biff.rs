//! The sheets of an .xls (BIFF records in the `Workbook` stream of a
//! compound file) and their extents, read record by record: the globals
//! name each sheet and where its records start (BOUNDSHEET); each sheet's
//! records, from its BOF to its EOF, give the cells it holds (each cell
//! record starts with its row and column) and the range its DIMENSIONS
//! record claims. Records of charts and other substreams nested in a
//! sheet are skipped, as calamine skips them. One record (at most 64 KB)
//! is in memory at a time.

use super::Extent;
use encoding_rs::{BIG5, GBK, WINDOWS_1252};
use std::io::{BufReader, Read, Seek, SeekFrom};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const CODEPAGE: u16 = 0x0042;
const DIMENSIONS: u16 = 0x0200;
/// Records of one cell, starting with its row and column (u16 each):
/// FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING.
const CELLS: [u16; 8] = [
    0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6,
];
/// Records of a run of cells in one row: row, first column, …, last
/// column (u16 at the end): MULRK, MULBLANK.
const RUNS: [u16; 2] = [0x00BD, 0x00BE];

/// Each sheet's name and extent, in the order of the workbook's globals;
/// None when the file is not an .xls that can be looked at.
pub fn sheets<R: Read + Seek>(file: R) -> Option<Vec<(String, Extent)>> {
    let mut cfb = cfb::CompoundFile::open(file).ok()?;
    // calamine's order: the BIFF8 stream, else the BIFF5 one.
    let stream = cfb
        .open_stream("/Workbook")
        .or_else(|_| cfb.open_stream("/Book"))
        .ok()?;
    let mut records = Records {
        stream: BufReader::new(stream),
        data: Vec::new(),
    };
    let bound = globals(&mut records);
    let mut sheets = Vec::with_capacity(bound.len());
    for (pos, name) in bound {
        records.stream.seek(SeekFrom::Start(u64::from(pos))).ok()?;
        sheets.push((name, sheet(&mut records)?));
    }
    Some(sheets)
}

/// The records of a stream, one at a time.
struct Records<R> {
    stream: R,
    /// The current record's data.
    data: Vec<u8>,
}

impl<R: Read> Records<R> {
    /// The next record's type, its data in `self.data`; None at the end of
    /// the stream (or of what can be read of it).
    fn next(&mut self) -> Option<u16> {
        let mut head = [0u8; 4];
        self.stream.read_exact(&mut head).ok()?;
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        self.data.resize(len, 0);
        self.stream.read_exact(&mut self.data).ok()?;
        Some(u16::from_le_bytes([head[0], head[1]]))
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let bytes = self.data.get(at..at.checked_add(2)?)?;
        Some(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let bytes = self.data.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

/// Where each sheet's records start and its name, from the globals up to
/// their EOF.
fn globals<R: Read>(records: &mut Records<R>) -> Vec<(u32, String)> {
    let mut sheets = Vec::new();
    let mut biff8 = true;
    let mut codepage = 1252;
    while let Some(typ) = records.next() {
        match typ {
            BOF => {
                // calamine's reading of the version: BIFF2 to BIFF5 spell
                // names in the code page, BIFF8 (and anything else) in
                // Unicode.
                let version = records.u16_at(0).unwrap_or(0x0600);
                let kind = records.u16_at(2).unwrap_or(0);
                let before_biff8 =
                    matches!(version, 0x0002 | 0x0007 | 0x0200 | 0x0300 | 0x0400 | 0x0500);
                biff8 = !(before_biff8 || version == 0 && kind == 0x1000);
            }
            CODEPAGE => codepage = records.u16_at(0).unwrap_or(codepage),
            BOUNDSHEET => {
                if let Some(pos) = records.u32_at(0) {
                    let name = sheet_name(records.data.get(6..).unwrap_or(&[]), biff8, codepage);
                    sheets.push((pos, name));
                }
            }
            EOF => break,
            _ => {}
        }
    }
    sheets
}

/// A BOUNDSHEET's name: a count of characters, then (BIFF8) a flag byte
/// saying whether they are UTF-16 or one byte each, then the characters.
fn sheet_name(d: &[u8], biff8: bool, codepage: u16) -> String {
    let Some((&count, rest)) = d.split_first() else {
        return String::new();
    };
    let count = usize::from(count);
    let name: String = match rest.split_first() {
        Some((&flags, chars)) if biff8 && flags & 1 != 0 => {
            let units = chars
                .chunks_exact(2)
                .take(count)
                .map(|u| u16::from_le_bytes([u[0], u[1]]));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        Some((_, chars)) if biff8 => chars.iter().take(count).map(|&b| char::from(b)).collect(),
        _ => {
            let encoding = match codepage {
                936 => GBK,
                950 => BIG5,
                _ => WINDOWS_1252,
            };
            let bytes = rest.get(..count.min(rest.len())).unwrap_or(rest);
            encoding.decode_without_bom_handling(bytes).0.into_owned()
        }
    };
    name.replace('\0', "")
}

/// One sheet's extent, from the records at the stream's position (its
/// BOF) to its EOF; None on a cell record too short to name its cell.
fn sheet<R: Read>(records: &mut Records<R>) -> Option<Extent> {
    let mut extent = Extent::default();
    let mut seen_bof = false;
    let mut nested = 0usize;
    while let Some(typ) = records.next() {
        if nested > 0 {
            match typ {
                BOF => nested += 1,
                EOF => nested -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => nested += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => dimensions(records, &mut extent)?,
            t if CELLS.contains(&t) => {
                let (row, col) = (records.u16_at(0)?, records.u16_at(2)?);
                extent.hold((row.into(), row.into()), (col.into(), col.into()));
            }
            t if RUNS.contains(&t) => {
                let row = records.u16_at(0)?;
                let first = records.u16_at(2)?;
                let last = records.u16_at(records.data.len().checked_sub(2)?)?;
                if last < first || records.data.len() < 6 {
                    return None;
                }
                extent.hold((row.into(), row.into()), (first.into(), last.into()));
            }
            _ => {}
        }
    }
    Some(extent)
}

/// What a DIMENSIONS record makes calamine reserve: first row, one past
/// the last row, first column, one past the last column (rows u32 in
/// BIFF8, u16 before). The arithmetic is calamine's, wrapping as its
/// release build does: a record whose last row is before its first makes
/// it reserve some four billion rows.
fn dimensions<R: Read>(records: &Records<R>, extent: &mut Extent) -> Option<()> {
    let (first_row, past_row, mut first_col, past_col) = match records.data.len() {
        10 => (
            u32::from(records.u16_at(0)?),
            u32::from(records.u16_at(2)?),
            u32::from(records.u16_at(4)?),
            u32::from(records.u16_at(6)?),
        ),
        14 | 16 => (
            records.u32_at(0)?,
            records.u32_at(4)?,
            u32::from(records.u16_at(8)?),
            u32::from(records.u16_at(10)?),
        ),
        // calamine refuses the file.
        _ => return None,
    };
    if first_col > 0xFF || past_col < first_col {
        first_col = 0;
    }
    let (last_row, last_col) = if past_row >= 1 && past_col >= 1 {
        (past_row - 1, past_col - 1)
    } else {
        (first_row, first_col)
    };
    let rows = last_row.wrapping_sub(first_row).wrapping_add(1);
    let cols = last_col.wrapping_sub(first_col).wrapping_add(1);
    extent.claim(u64::from(rows) * u64::from(cols), (last_row, last_col));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend_from_slice(&(data.len() as u16).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    fn cell(typ: u16, row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&[0; 10]);
        record(typ, &d)
    }

    fn run(typ: u16, row: u16, first: u16, last: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&first.to_le_bytes());
        let each = if typ == 0x00BD { 6 } else { 2 };
        d.extend(std::iter::repeat_n(0, each * usize::from(last - first + 1)));
        d.extend_from_slice(&last.to_le_bytes());
        record(typ, &d)
    }

    fn dims(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
        let mut d = rows.0.to_le_bytes().to_vec();
        d.extend_from_slice(&rows.1.to_le_bytes());
        d.extend_from_slice(&cols.0.to_le_bytes());
        d.extend_from_slice(&cols.1.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        record(DIMENSIONS, &d)
    }

    fn extent_of(body: &[Vec<u8>]) -> Extent {
        let mut bytes = record(BOF, &[0, 6, 0x10, 0]);
        bytes.extend(body.concat());
        bytes.extend(record(EOF, &[]));
        let mut records = Records {
            stream: Cursor::new(bytes),
            data: Vec::new(),
        };
        sheet(&mut records).expect("a sheet")
    }

    #[test]
    fn cell_records_and_runs_are_held_where_they_say() {
        let e = extent_of(&[
            dims((0, 3), (0, 4)),
            cell(0x00FD, 0, 0),
            cell(0x0203, 1, 1),
            run(0x00BD, 2, 1, 3),
            run(0x00BE, 2, 4, 4),
            cell(0x0201, 1, 0),
            // A record that is no cell.
            record(0x0208, &[9; 16]),
        ]);
        assert_eq!(e.held(), 7);
        let mut expected = Extent::default();
        for (r, c) in [(0, 0), (1, 1), (1, 0)] {
            expected.hold((r, r), (c, c));
        }
        expected.hold((2, 2), (1, 3));
        expected.hold((2, 2), (4, 4));
        expected.claim(12, (2, 3));
        assert_eq!(e, expected);
        assert_eq!(e.far_cell(), None);
    }

    #[test]
    fn a_stray_cell_and_a_far_claim_are_far() {
        let stray = extent_of(&[cell(0x0204, 0, 0), cell(0x027E, 65_535, 255)]);
        assert_eq!(stray.far_cell().as_deref(), Some("IV65536"));
        let claimed = extent_of(&[dims((0, 65_536), (0, 256)), cell(0x0204, 0, 0)]);
        assert_eq!(claimed.far_cell().as_deref(), Some("IV65536"));
        // A last row before the first: calamine reserves four billion rows.
        let backwards = extent_of(&[dims((10, 5), (0, 1)), cell(0x0204, 0, 0)]);
        assert!(backwards.far_cell().is_some());
    }

    #[test]
    fn nested_substreams_are_skipped() {
        let chart = [
            record(BOF, &[0, 6, 0x20, 0]),
            cell(0x0203, 60_000, 200),
            record(EOF, &[]),
        ]
        .concat();
        let e = extent_of(&[cell(0x0204, 0, 0), chart, cell(0x0204, 1, 1)]);
        assert_eq!(e.held(), 2);
        assert_eq!(e.far_cell(), None);
    }

    #[test]
    fn a_short_cell_record_is_left_to_calamine() {
        let mut records = Records {
            stream: Cursor::new([record(BOF, &[0, 6, 0x10, 0]), record(0x0203, &[1])].concat()),
            data: Vec::new(),
        };
        assert_eq!(sheet(&mut records), None);
    }

    #[test]
    fn sheet_names_in_unicode_and_in_the_code_page() {
        let wide: Vec<u8> = [2, 1]
            .into_iter()
            .chain("台账".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(sheet_name(&wide, true, 1200), "台账");
        assert_eq!(
            sheet_name(&[6, 0, b'S', b'h', b'e', b'e', b't', b'1'], true, 1200),
            "Sheet1"
        );
        let (gbk, _, _) = GBK.encode("台账");
        let biff5: Vec<u8> = [4].into_iter().chain(gbk.iter().copied()).collect();
        assert_eq!(sheet_name(&biff5, false, 936), "台账");
    }
}
