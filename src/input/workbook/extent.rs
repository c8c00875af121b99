//! How far each sheet of an .xls or .ods reaches, and how many cells it
//! holds, looked at before calamine opens the file. calamine builds every
//! sheet of these two formats into a dense range the moment it opens the
//! workbook (one 32-byte value for each cell of the rectangle from the
//! first to the last cell holding anything, filled or not; for .xls it
//! also reserves room for each cell the sheet's DIMENSIONS record claims).
//! One stray value at IV65536 or XFD1048576 makes that rectangle tens of
//! millions of cells, a gigabyte or more. The look here streams the file
//! and keeps a few numbers per sheet, so a sheet that would take memory
//! out of proportion to the cells it holds is refused in words instead.
//! (.xlsx is read cell by cell and needs no look: see `used_cells`.)

mod biff;
mod ods;

use super::cell_name;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The cells a sheet holds and the rectangle calamine would build for it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Cells the file holds for the sheet (a repeated cell counts as many
    /// times as it is repeated; an .xls BLANK, a formatted empty cell the
    /// file writes one record for, counts as held).
    held: u64,
    /// First and last row, first and last column of the cells held.
    bounds: Option<[u32; 4]>,
    /// Cells calamine allocates on the file's word besides the rectangle
    /// (an .xls DIMENSIONS record), and the last cell that word claims.
    claimed: Option<(u64, (u32, u32))>,
}

/// Empty cells of a dense range that are allowed whatever a sheet holds.
const SLACK: u64 = 1_000_000;
/// How many times the cells it holds a sheet's rectangle may be, past the
/// slack.
const RATIO: u64 = 4;

impl Extent {
    /// The sheet holds every cell of rows `rows` and columns `cols`
    /// (both inclusive).
    pub fn hold(&mut self, rows: (u32, u32), cols: (u32, u32)) {
        let span = |(a, b): (u32, u32)| u64::from(b.saturating_sub(a)) + 1;
        self.held = self.held.saturating_add(span(rows) * span(cols));
        self.bounds = Some(match self.bounds {
            None => [rows.0, rows.1, cols.0, cols.1],
            Some([r0, r1, c0, c1]) => [
                r0.min(rows.0),
                r1.max(rows.1),
                c0.min(cols.0),
                c1.max(cols.1),
            ],
        });
    }

    /// calamine allocates `cells` cells for the sheet on the file's word,
    /// which claims cells up to `last` (row, column).
    pub fn claim(&mut self, cells: u64, last: (u32, u32)) {
        if self.claimed.is_none_or(|(most, _)| cells > most) {
            self.claimed = Some((cells, last));
        }
    }

    /// Cells of the rectangle from the first to the last cell held.
    fn rectangle(&self) -> u64 {
        self.bounds.map_or(0, |[r0, r1, c0, c1]| {
            (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
        })
    }

    /// The last cell of a range too large for what the sheet holds, as a
    /// spreadsheet names it (`XFD1048576`: Ctrl+End goes there), or None
    /// when the sheet is read in memory in proportion to its cells.
    ///
    /// The rule: the cells calamine allocates may be up to four times the
    /// cells held, plus a million. The million (32 MB of empty values) lets
    /// any sheet keep empty corners, a blank margin or a few cells typed
    /// off to the side, as before. Past it, a sheet in which one cell in
    /// four is filled (a roster whose optional columns are mostly empty)
    /// still reads, while the empty range never costs more than about 128
    /// bytes per cell held, the order of what a held cell costs anyway. A
    /// full sheet of 100,000 rows by 10 columns holds all of its million
    /// cells and is never refused; the same rows with one stray value in
    /// column IV (25.6 million cells) are.
    pub fn far_cell(&self) -> Option<String> {
        let allowed = self.held.saturating_mul(RATIO).saturating_add(SLACK);
        let corner = self.bounds.map(|[_, r1, _, c1]| (r1, c1));
        let (cells, (row, column)) = match self.claimed {
            Some((claimed, last)) if claimed > self.rectangle() => (claimed, last),
            _ => (self.rectangle(), corner?),
        };
        (cells > allowed).then(|| cell_name(row, column))
    }

    /// The cells the sheet holds.
    pub fn held(&self) -> u64 {
        self.held
    }
}

/// A sheet that calamine would build in memory far beyond its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarSheet {
    pub sheet: String,
    /// The last cell of its used range, `XFD1048576`.
    pub cell: String,
    pub held: u64,
}

/// What looking at an .xls or .ods before calamine opens it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Look {
    /// Every sheet calamine would build is in proportion to its cells (or
    /// the file is no compound file or zip to look at: calamine says what
    /// is wrong with it).
    Fine,
    /// The first sheet that calamine would build far beyond its cells.
    /// calamine builds every sheet of both formats when it opens the file,
    /// so every sheet is looked at.
    Far(FarSheet),
}

/// Look at the .xls or .ods at `path` (anything else is [`Look::Fine`]).
pub fn look(path: &Path) -> Look {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let Ok(file) = File::open(path) else {
        return Look::Fine;
    };
    let file = BufReader::new(file);
    let sheets = match ext.as_deref() {
        Some("xls" | "xla") => biff::sheets(file),
        Some("ods") => match ods::sheets(file) {
            ods::Content::Tables(sheets) => Some(sheets),
            // A content.xml this look cannot follow goes to calamine as
            // it is, which says what is wrong with it (refusing it here
            // could refuse a file calamine reads).
            ods::Content::Missing | ods::Content::Broken => None,
        },
        _ => None,
    };
    let far = sheets.into_iter().flatten().find_map(|(sheet, extent)| {
        extent.far_cell().map(|cell| FarSheet {
            sheet,
            cell,
            held: extent.held(),
        })
    });
    far.map_or(Look::Fine, Look::Far)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixtures LibreOffice saved are looked at, cell by cell.
    #[test]
    fn real_workbooks_are_looked_at_and_not_far() {
        let fixture = |name: &str| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name);
            BufReader::new(File::open(path).expect("fixture"))
        };
        for sheets in [
            biff::sheets(fixture("households.xls")),
            match ods::sheets(fixture("households.ods")) {
                ods::Content::Tables(sheets) => Some(sheets),
                _ => None,
            },
        ] {
            let sheets = sheets.expect("looked at");
            assert!(!sheets.is_empty());
            let (name, extent) = &sheets[0];
            assert!(!name.is_empty() && extent.held() > 3, "{name}: {extent:?}");
            assert!(
                sheets.iter().all(|(_, e)| e.far_cell().is_none()),
                "{sheets:?}"
            );
        }
    }

    #[test]
    fn a_full_sheet_is_never_far() {
        let mut e = Extent::default();
        e.hold((0, 99_999), (0, 9));
        assert_eq!(e.held(), 1_000_000);
        assert_eq!(e.far_cell(), None);
    }

    #[test]
    fn a_stray_cell_makes_the_rectangle_far() {
        let mut e = Extent::default();
        e.hold((0, 2), (0, 2));
        assert_eq!(e.far_cell(), None);
        e.hold((1_048_575, 1_048_575), (16_383, 16_383));
        assert_eq!(e.held(), 10);
        assert_eq!(e.far_cell().as_deref(), Some("XFD1048576"));
    }

    #[test]
    fn the_rule_allows_four_times_the_cells_held_and_a_million() {
        // 100,000 rows by 10 columns, and one cell in column AN (40 wide):
        // 4 million cells for 1,000,001 held: allowed; one in column BI
        // (61 wide, 6.1 million cells) is not.
        let mut e = Extent::default();
        e.hold((0, 99_999), (0, 9));
        e.hold((5, 5), (39, 39));
        assert_eq!(e.far_cell(), None);
        e.hold((5, 5), (60, 60));
        assert_eq!(e.far_cell().as_deref(), Some("BI100000"));
        // An empty sheet, or a small one, is never far.
        assert_eq!(Extent::default().far_cell(), None);
        let mut small = Extent::default();
        small.hold((0, 0), (0, 0));
        small.hold((999, 999), (999, 999));
        assert_eq!(small.far_cell(), None);
    }

    #[test]
    fn a_claim_larger_than_the_cells_is_far_at_its_last_cell() {
        let mut e = Extent::default();
        e.hold((0, 2), (0, 2));
        e.claim(65_536 * 256, (65_535, 255));
        assert_eq!(e.far_cell().as_deref(), Some("IV65536"));
        let mut fair = Extent::default();
        fair.hold((0, 2), (0, 2));
        fair.claim(9, (2, 2));
        assert_eq!(fair.far_cell(), None);
    }
}
