//! Reading a sheet of an .xlsx, .xls or .ods workbook directly (calamine),
//! so clerks need not export CSV first. Each cell becomes the text the
//! value parsers already read: date cells as `2001-03-05`, numbers in their
//! shortest exact decimal form (so money that is not a whole number of fen
//! is caught by the money rules), and numbers of 16 or more digits in
//! scientific notation — the spreadsheet has already lost their last digits,
//! and the ID number rules say so. Only the cells a sheet holds are read:
//! memory follows them, not the used range the file claims.
//!
//! An .xlsx or .xlsb sheet is read on a thread of its own, a piece of whole
//! rows at a time, while the rows before are checked and written: reading
//! the sheet first and checking it after took the 100,000-row workbook of
//! the benchmark 3.1 times as long as the same rows as CSV (contract §7
//! allows 3), calamine's unzipping and XML alone on one core for
//! two thirds of it (docs/BENCHMARKS.md). .xls and .ods sheets, which
//! calamine reads whole anyway, are handed on from memory. Every sheet's
//! rows start at column A, as the sheet shows them and as Excel exports it
//! to CSV: where a row starts cannot hang on cells not read yet, and one
//! sheet saved in two formats gives the same rows and rejects.

mod extent;

use super::{FileError, RawRow};
use crate::i18n::import::ImportMsg;
use crate::i18n::Msg;
use crate::problem::UsageError;
use crate::values::Date;
use calamine::{open_workbook_auto, Data, DataRef, DataType, Reader, Sheets};
use csv::StringRecord;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc;

/// Whether a file name says workbook.
pub fn is_workbook_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"))
}

/// The chosen sheet of a workbook: its name and the cells it holds.
pub struct Sheet {
    pub name: String,
    pub format: String,
    /// The cells in hand: all of them, or none yet where they come from
    /// `feed`.
    cells: Cells,
    /// The pieces of an .xlsx or .xlsb sheet, read on their own thread.
    feed: Option<mpsc::Receiver<Piece>>,
    /// The last row holding a value, as far as is known before reading
    /// (a streamed sheet: the used range the file states).
    height: u64,
    /// Without `--sheet`: the workbook's other sheets that hold cells,
    /// which are not read (contract §6: the first sheet).
    pub unread: Vec<String>,
}

/// The non-empty cells of a sheet as the text the parsers read, sorted by
/// row and column: each cell's place and the span of its text in one
/// string. Kept as text from the moment each is read, a cell takes 16
/// bytes and its text; as calamine's value it took 40 and, for text, an
/// allocation of its own: the 100,000-row workbook of the benchmark peaked
/// at 64 MiB so, the limit of contract §7 (issue 16).
#[derive(Debug, Default)]
struct Cells {
    at: Vec<Cell>,
    text: String,
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    row: u32,
    column: u32,
    start: u32,
    len: u32,
}

impl Cells {
    /// Keep a cell with a value, or say why not.
    fn keep_or_refuse(&mut self, at: (u32, u32), value: Value<'_>) -> Result<(), Unread> {
        if self.keep(at, value) {
            Ok(())
        } else {
            Err(Unread::TooLarge)
        }
    }

    /// Keep a cell with a value, its text written straight after the
    /// others'; false if the sheet's text passed 4 GiB.
    fn keep(&mut self, (row, column): (u32, u32), value: Value<'_>) -> bool {
        let start = self.text.len();
        value.write(&mut self.text);
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(self.text.len())) else {
            return false;
        };
        self.at.push(Cell {
            row,
            column,
            start,
            len: end - start,
        });
        true
    }
}

/// Open `sheet` (or the first sheet) of the workbook at `path`.
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Result<Sheet, FileError>, UsageError> {
    match extent::look(path) {
        extent::Look::Fine => {}
        extent::Look::Far(far) => {
            return Ok(Err(FileError::FarCell {
                sheet: crate::values::printable(&far.sheet).into_owned(),
                cell: far.cell,
                held: far.held,
            }))
        }
    }
    let Some(opened) = unpanicked(|| open_workbook_auto(path)) else {
        return Ok(Err(FileError::DamagedWorkbook));
    };
    let mut workbook = match opened {
        Ok(w) => w,
        Err(e) => {
            if !path.exists() {
                return Err(UsageError::said(Msg::Import(ImportMsg::CannotOpen {
                    path: path.display().to_string(),
                    not_found: true,
                    cause: "no such file".into(),
                })));
            }
            return Ok(Err(unreadable(&e, None)));
        }
    };
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => match names.iter().find(|n| n.trim() == wanted.trim()) {
            Some(n) => n.clone(),
            None => {
                return Err(UsageError::said(Msg::Import(ImportMsg::NoSuchSheet {
                    path: path.display().to_string(),
                    sheet: wanted.to_string(),
                    sheets: names.clone(),
                })))
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => return Ok(Err(FileError::Empty)),
        },
    };
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .map_or_else(|| "workbook".to_string(), str::to_ascii_lowercase);
    // The clerk who keeps a month a sheet must hear that only the first
    // was read (review 4, clerk 1c). An empty sheet (Excel's Sheet2) is
    // not named; one that cannot be read is. (Asked first: an .xlsx goes
    // to its reading thread.)
    let unread = match sheet {
        Some(_) => Vec::new(),
        None => names
            .iter()
            .filter(|n| **n != name)
            .filter(|n| unpanicked(|| holds_cells(&mut workbook, n)).unwrap_or(true))
            .map(|n| crate::values::printable(n).into_owned())
            .collect(),
    };
    let (cells, feed, height) = match workbook {
        Sheets::Xlsx(_) | Sheets::Xlsb(_) => match stream(workbook, &name) {
            Ok((feed, height)) => (Cells::default(), Some(feed), height),
            Err(e) => return Ok(Err(e)),
        },
        mut book => {
            let mut cells = Cells::default();
            let read = unpanicked(|| {
                each_cell(
                    &mut book,
                    &name,
                    |_| {},
                    |at, value| cells.keep_or_refuse(at, value),
                )
            });
            match read {
                None => return Ok(Err(FileError::DamagedWorkbook)),
                Some(Err(unread)) => return Ok(Err(unread.said(&name))),
                Some(Ok(())) => {}
            }
            cells.at.sort_unstable_by_key(|c| (c.row, c.column));
            let height = cells.at.last().map_or(0, |c| u64::from(c.row) + 1);
            (cells, None, height)
        }
    };
    Ok(Ok(Sheet {
        name,
        format,
        cells,
        feed,
        height,
        unread,
    }))
}

/// Whether a stream of cells (each: whether it is empty) has one with a
/// value before it ends; a stream that fails has, as far as can be told.
fn any_value<E>(mut next: impl FnMut() -> Result<Option<bool>, E>) -> bool {
    loop {
        match next() {
            Ok(Some(true)) => {}
            Ok(None) => return false,
            Ok(Some(false)) | Err(_) => return true,
        }
    }
}

/// Whether sheet `name` holds a cell with a value (or cannot be read):
/// for .xlsx and .xlsb the stream read up to its first such cell (a
/// template's styled empty cells hold none), for the formats calamine has
/// read whole on opening the sheet's range.
fn holds_cells<RS: std::io::Read + std::io::Seek>(workbook: &mut Sheets<RS>, name: &str) -> bool {
    match workbook {
        Sheets::Xlsx(book) => book.worksheet_cells_reader(name).map_or(true, |mut r| {
            any_value(|| r.next_cell().map(|c| c.map(|c| c.get_value().is_empty())))
        }),
        Sheets::Xlsb(book) => book.worksheet_cells_reader(name).map_or(true, |mut r| {
            any_value(|| r.next_cell().map(|c| c.map(|c| c.get_value().is_empty())))
        }),
        book => book
            .worksheet_range(name)
            .map_or(true, |r| r.used_cells().next().is_some()),
    }
}

std::thread_local! {
    /// Set while calamine reads on this thread: a panic then is the
    /// file's fault, said as such, not a crash ([`quiet_panics`]).
    static IN_CALAMINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run calamine's `work`; `None` if it panicked. calamine indexes into a
/// file's records by the offsets the file states (a sheet's offset past
/// the end of an .xls stream panics in 0.38), and a clerk's damaged file
/// must be an error at that file (contract §3.5), never a crash or a
/// half-read import.
fn unpanicked<T>(work: impl FnOnce() -> T) -> Option<T> {
    quiet_panics();
    IN_CALAMINE.with(|c| c.set(true));
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
    IN_CALAMINE.with(|c| c.set(false));
    done
}

/// Install, once, a panic hook that stays silent for a panic inside
/// calamine (the file is then reported as damaged) and otherwise prints
/// what the standard hook prints.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let standard = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_CALAMINE.with(std::cell::Cell::get) {
                standard(info);
            }
        }));
    });
}

/// Why the cells of a sheet were not read.
#[derive(Debug)]
enum Unread {
    /// A formula cell with no value stored, at (row, column).
    Uncalculated((u32, u32)),
    /// A cell with a value, at (row, column), stored after rows below it
    /// that were already handed on.
    OutOfOrder((u32, u32)),
    /// An error of calamine's own reading of a whole sheet.
    Calamine(calamine::Error),
    Other(String),
    /// The sheet's text passed 4 GiB.
    TooLarge,
    /// The rows are no longer wanted (the import stopped reading).
    Unwanted,
}

impl Unread {
    /// The problem with sheet `sheet`, for the user.
    fn said(self, sheet: &str) -> FileError {
        let printable = || crate::values::printable(sheet).into_owned();
        match self {
            Unread::Uncalculated((row, column)) => FileError::Uncalculated {
                line: u64::from(row) + 1,
                cell: cell_name(row, column),
            },
            Unread::OutOfOrder((row, column)) => FileError::OutOfOrder {
                line: u64::from(row) + 1,
                cell: cell_name(row, column),
            },
            Unread::TooLarge => FileError::SheetTooLarge { sheet: printable() },
            Unread::Other(cause) => FileError::SheetUnreadable {
                sheet: printable(),
                cause,
            },
            Unread::Calamine(e) => unreadable(&e, Some(printable())),
            // Never said: the reading thread stops without a word when
            // no one reads its rows any more.
            Unread::Unwanted => FileError::DamagedWorkbook,
        }
    }
}

/// Why calamine could not read a workbook or sheet, for the user. calamine
/// reads .xls and .ods sheets into a dense range; [`extent`] has refused
/// the sheets whose range is far larger than their cells, but calamine
/// still refuses an .ods range of over 100 million cells (a sheet that
/// holds some 25 million). That refusal is said in words rather than in
/// its figures (which would also read like a phone number).
fn unreadable(e: &calamine::Error, sheet: Option<String>) -> FileError {
    match (e, sheet) {
        (calamine::Error::Ods(calamine::OdsError::CellLimitExceeded { .. }), _) => {
            FileError::FarUsedRange
        }
        (e, None) => FileError::NotAWorkbook {
            cause: e.to_string(),
        },
        (e, Some(sheet)) => FileError::SheetUnreadable {
            sheet,
            cause: e.to_string(),
        },
    }
}

/// Each cell of sheet `name` that holds a value, in the order the file
/// stores them, to `each` (which may stop the reading), after `dimensions`
/// has had the used range the file states (an .xlsx or .xlsb sheet only).
/// An .xlsx or .xlsb sheet is read cell by cell: a dense range spans the
/// used range the file claims, and one stray value at XFD1048576 makes
/// that 17 billion cells. (calamine reads .xls and .ods sheets into a
/// range itself, when it opens the file: [`extent`] has looked at them
/// before.) An .xlsx formula cell without a stored value (a program that
/// writes formulas but does not calculate them, as openpyxl does) would
/// read as empty, so as 0 in a money column: it is an error.
fn each_cell<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
    dimensions: impl FnOnce(calamine::Dimensions),
    mut each: impl FnMut((u32, u32), Value<'_>) -> Result<(), Unread>,
) -> Result<(), Unread> {
    let other = |e: &dyn std::fmt::Display| Unread::Other(e.to_string());
    match workbook {
        Sheets::Xlsx(book) => {
            let mut reader = book.worksheet_cells_reader(name).map_err(|e| other(&e))?;
            dimensions(reader.dimensions());
            while let Some(cell) = reader
                .next_cell_with_formula_metadata()
                .map_err(|e| other(&e))?
            {
                match Value::of_ref(&cell.value) {
                    Some(value) => each(cell.pos, value)?,
                    None if cell.formula.is_some() => return Err(Unread::Uncalculated(cell.pos)),
                    None => {}
                }
            }
        }
        Sheets::Xlsb(book) => {
            let mut reader = book.worksheet_cells_reader(name).map_err(|e| other(&e))?;
            dimensions(reader.dimensions());
            while let Some(cell) = reader.next_cell().map_err(|e| other(&e))? {
                if let Some(value) = Value::of_ref(cell.get_value()) {
                    each(cell.get_position(), value)?;
                }
            }
        }
        book => {
            let range = book.worksheet_range(name).map_err(Unread::Calamine)?;
            let (row0, col0) = range.start().unwrap_or((0, 0));
            for (r, c, value) in range.used_cells() {
                // A range is at most u32 rows and columns from its start.
                let at = (row0 + r as u32, col0 + c as u32);
                if let Some(value) = Value::of(value) {
                    each(at, value)?;
                }
            }
        }
    }
    Ok(())
}

/// What the thread reading an .xlsx or .xlsb sheet sends: first the rows
/// the file states it uses, then pieces of whole rows, each sorted by row
/// and column, then the end or what stopped it. Nothing after the last
/// piece but `Done` is the whole sheet: a thread gone without it stopped
/// part-way.
enum Piece {
    Height(u64),
    Cells(Cells),
    Failed(FileError),
    Done,
}

/// Cells in a piece (it ends at the first row after these).
const PIECE_CELLS: usize = 16 * 1024;

/// Pieces read ahead of the rows being built: with [`PIECE_CELLS`] of
/// seven cells a row, some 7,000 rows, a few MiB at most.
const PIECES_AHEAD: usize = 2;

/// Read sheet `name` of `workbook` on a thread of its own; its pieces and
/// its height. A sheet that cannot be opened fails here, as before any row.
fn stream(
    mut workbook: Sheets<BufReader<File>>,
    name: &str,
) -> Result<(mpsc::Receiver<Piece>, u64), FileError> {
    let (pieces, feed) = mpsc::sync_channel(PIECES_AHEAD);
    let sheet = name.to_string();
    let spawned = std::thread::Builder::new()
        .name("bangfu-sheet".into())
        .spawn(move || {
            let mut cut = Cutter::new(&pieces);
            let read = unpanicked(|| {
                each_cell(
                    &mut workbook,
                    &sheet,
                    |used| {
                        let _ = pieces.send(Piece::Height(u64::from(used.end.0) + 1));
                    },
                    |at, value| cut.cell(at, value),
                )
                .and_then(|()| cut.send())
            });
            let last = match read {
                None => Piece::Failed(FileError::DamagedWorkbook),
                Some(Ok(())) => Piece::Done,
                Some(Err(Unread::Unwanted)) => return,
                Some(Err(unread)) => Piece::Failed(unread.said(&sheet)),
            };
            let _ = pieces.send(last);
        });
    if let Err(e) = spawned {
        return Err(FileError::Read {
            cause: e.to_string(),
        });
    }
    match feed.recv() {
        Ok(Piece::Height(height)) => Ok((feed, height)),
        Ok(Piece::Failed(e)) => Err(e),
        Ok(Piece::Cells(_) | Piece::Done) | Err(_) => Err(FileError::DamagedWorkbook),
    }
}

/// Cuts a sheet's cells into pieces of whole rows and sends them.
struct Cutter<'a> {
    piece: Cells,
    /// The last row of the pieces sent: no cell may come before it.
    sent_to: Option<u32>,
    pieces: &'a mpsc::SyncSender<Piece>,
}

impl<'a> Cutter<'a> {
    fn new(pieces: &'a mpsc::SyncSender<Piece>) -> Cutter<'a> {
        Cutter {
            piece: Cells::default(),
            sent_to: None,
            pieces,
        }
    }

    /// A cell with a value, in the order stored. Rows and cells out of
    /// order within a piece are put in order, as a sheet read whole is;
    /// a cell of a row already sent cannot be.
    fn cell(&mut self, at: (u32, u32), value: Value<'_>) -> Result<(), Unread> {
        let row_ends = self.piece.at.last().is_some_and(|c| c.row != at.0);
        if self.piece.at.len() >= PIECE_CELLS && row_ends {
            self.send()?;
        }
        // Checked after the cut: the cell that starts a piece may belong
        // to a row of the piece just sent.
        if self.sent_to.is_some_and(|row| at.0 <= row) {
            return Err(Unread::OutOfOrder(at));
        }
        self.piece.keep_or_refuse(at, value)
    }

    /// Send the cells in hand, in order, if any.
    fn send(&mut self) -> Result<(), Unread> {
        let mut piece = std::mem::take(&mut self.piece);
        if piece.at.is_empty() {
            return Ok(());
        }
        piece.at.sort_unstable_by_key(|c| (c.row, c.column));
        self.sent_to = piece.at.last().map(|c| c.row);
        self.pieces
            .send(Piece::Cells(piece))
            .map_err(|_| Unread::Unwanted)
    }
}

/// A cell's name as a spreadsheet shows it: `E2` for (1, 4).
fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let digit = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + digit));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

impl Sheet {
    /// Number of rows, to the last one holding a value (for a sheet read
    /// a piece at a time, the last of the used range its file states: the
    /// progress bar's length only).
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The sheet's rows, numbered as the spreadsheet numbers them; rows
    /// without a value are left out (they would be blank rows).
    pub fn rows(self) -> SheetRows {
        let Cells { at, text } = self.cells;
        SheetRows {
            cells: at.into_iter().peekable(),
            text,
            feed: self.feed,
            width: 0,
        }
    }
}

/// The rows of a sheet, built from its cells in one pass: each row takes
/// the cells of its row number off the front.
pub struct SheetRows {
    cells: std::iter::Peekable<std::vec::IntoIter<Cell>>,
    /// The cells' text ([`Cells`]).
    text: String,
    /// Where the cells after these come from, a piece at a time, if not
    /// all are in hand.
    feed: Option<mpsc::Receiver<Piece>>,
    /// Cells in the header row, once it is found: rows are padded to it,
    /// as a dense range would have given them.
    width: usize,
}

impl SheetRows {
    /// The header has `width` cells.
    pub fn header_found(&mut self, width: usize) {
        self.width = width;
    }
}

impl Iterator for SheetRows {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = loop {
            if let Some(cell) = self.cells.peek() {
                break cell.row;
            }
            let next = self.feed.as_ref()?.recv();
            match next {
                Ok(Piece::Cells(piece)) => {
                    self.cells = piece.at.into_iter().peekable();
                    self.text = piece.text;
                }
                Ok(Piece::Done) => {
                    self.feed = None;
                    return None;
                }
                Ok(Piece::Failed(e)) => {
                    self.feed = None;
                    return Some(Err(e));
                }
                // The reading thread ended without saying the sheet was
                // whole: never taken for its end.
                Ok(Piece::Height(_)) | Err(_) => {
                    self.feed = None;
                    return Some(Err(FileError::DamagedWorkbook));
                }
            }
        };
        let mut cells = StringRecord::new();
        let mut column = 0;
        while let Some(cell) = self.cells.next_if(|c| c.row == row) {
            for _ in column..cell.column {
                cells.push_field("");
            }
            let start = cell.start as usize;
            cells.push_field(
                self.text
                    .get(start..start + cell.len as usize)
                    .unwrap_or(""),
            );
            column = cell.column.saturating_add(1);
        }
        while cells.len() < self.width {
            cells.push_field("");
        }
        Some(Ok(RawRow {
            line: u64::from(row) + 1,
            pos: u64::from(row),
            cells,
        }))
    }
}

/// A cell's value, borrowed from either of calamine's forms (a sheet read
/// whole gives `Data`, a streamed one `DataRef`), so that its text is
/// written straight into the text of the cells kept: no string of its own
/// a cell, and none made twice (a fifth of the reading thread's time on an
/// .xlsx sheet).
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(&'a calamine::ExcelDateTime),
    Error(&'a calamine::CellErrorType),
}

impl<'a> Value<'a> {
    /// The value of a cell of a sheet read whole; `None` if it is empty.
    fn of(data: &'a Data) -> Option<Value<'a>> {
        Some(match data {
            Data::Empty => return None,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s),
            Data::Int(n) => Value::Int(*n),
            Data::Float(f) => Value::Float(*f),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(d) => Value::DateTime(d),
            Data::Error(e) => Value::Error(e),
        })
    }

    /// The value of a streamed cell; `None` if it is empty.
    fn of_ref(data: &'a DataRef<'_>) -> Option<Value<'a>> {
        Some(match data {
            DataRef::Empty => return None,
            DataRef::SharedString(s) => Value::Text(s),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Value::Text(s)
            }
            DataRef::Int(n) => Value::Int(*n),
            DataRef::Float(f) => Value::Float(*f),
            DataRef::Bool(b) => Value::Bool(*b),
            DataRef::DateTime(d) => Value::DateTime(d),
            DataRef::Error(e) => Value::Error(e),
        })
    }

    /// Write the cell as the text the value parsers read to `out`.
    fn write(self, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = match self {
            Value::Text(s) => {
                out.push_str(s);
                Ok(())
            }
            Value::Int(n) => {
                write_number(out, n as f64, Some(n));
                Ok(())
            }
            Value::Float(f) => {
                write_number(out, f, None);
                Ok(())
            }
            Value::Bool(b) => {
                out.push_str(if b { "TRUE" } else { "FALSE" });
                Ok(())
            }
            Value::DateTime(d) if d.is_datetime() => {
                let serial = serial_1900(d);
                match Date::from_excel_serial(serial) {
                    Some(day) => write!(out, "{day}"),
                    None => write!(out, "{serial}"),
                }
            }
            Value::DateTime(d) => write!(out, "{}", d.as_f64()),
            // As the sheet shows it, and as Excel writes it into a CSV
            // export: `#DIV/0!`, `#N/A`.
            Value::Error(e) => write!(out, "{e}"),
        };
    }
}

/// A cell as the text the value parsers read.
#[cfg(test)]
fn cell_text(cell: &Data) -> String {
    let mut text = String::new();
    if let Some(value) = Value::of(cell) {
        value.write(&mut text);
    }
    text
}

/// Days between Excel's two date systems: 1904-01-01 is serial 0 in the
/// 1904 system (Mac Excel's) and 1462 in the 1900 system.
const DAYS_1900_TO_1904: f64 = 1462.0;

/// A date cell's serial in the 1900 date system, whichever system its
/// workbook uses. (calamine keeps the system in the value but has no
/// getter for it: a value equal to the same serial in the 1900 system is
/// in that system.)
fn serial_1900(d: &calamine::ExcelDateTime) -> f64 {
    let in_1900 =
        calamine::ExcelDateTime::new(d.as_f64(), calamine::ExcelDateTimeType::DateTime, false);
    if *d == in_1900 {
        d.as_f64()
    } else {
        d.as_f64() + DAYS_1900_TO_1904
    }
}

/// A number's text: 16 or more integer digits in scientific notation (the
/// digits past the 15th are already lost), otherwise the number as Excel
/// and WPS show it, to 15 significant digits: a cell computed as 12.8 × 3
/// holds 38.400000000000006 and shows 38.4, which is what the clerk typed
/// the formula for and reads in the sheet. (Every amount bangfu accepts,
/// up to 10¹² yuan to the fen, has at most 15 significant digits, so none
/// is changed by it.) A number too small for that is given in full, and
/// is refused as money.
fn write_number(out: &mut String, f: f64, exact: Option<i64>) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = if f.abs() >= 1e15 {
        write!(out, "{f:E}")
    } else if let Some(n) = exact {
        write!(out, "{n}")
    } else if f == 0.0 {
        write!(out, "0")
    } else {
        let magnitude = f.abs().log10().floor();
        if (-15.0..15.0).contains(&magnitude) {
            // 15 significant digits: 14 after the first. In range by the
            // test above.
            let decimals = (14.0 - magnitude) as usize;
            let start = out.len();
            let written = write!(out, "{f:.decimals$}");
            if let Some(text) = out.get(start..).filter(|t| t.contains('.')) {
                let kept = text.trim_end_matches('0').trim_end_matches('.').len();
                out.truncate(start + kept);
            }
            written
        } else {
            write!(out, "{f}")
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_past_4_gib_of_text_is_refused_in_the_clerks_language() {
        // It was a cause in English words inside the Chinese message.
        let e = Unread::TooLarge.said("台账");
        assert_eq!(
            e,
            FileError::SheetTooLarge {
                sheet: "台账".into()
            }
        );
        let zh = e.message().text(crate::i18n::Lang::Zh);
        assert!(zh.contains("台账") && zh.contains("4 GiB"), "{zh}");
        assert!(!zh.contains("more than"), "{zh}");
    }

    #[test]
    fn numbers_keep_their_shortest_exact_form() {
        assert_eq!(cell_text(&Data::Float(1200.5)), "1200.5");
        assert_eq!(cell_text(&Data::Float(13812345678.0)), "13812345678");
        assert_eq!(cell_text(&Data::Int(36955)), "36955");
    }

    #[test]
    fn numbers_read_as_the_sheet_shows_them_to_15_significant_digits() {
        // Price × quantity as Excel stores it (clerk and attacker review 4).
        for (stored, shown) in [
            (12.8 * 3.0, "38.4"),
            (4.35 * 100.0, "435"),
            (0.07 * 100.0, "7"),
            (33.3 * 3.0, "99.9"),
            (2.55 * 3.0, "7.65"),
            (0.57 * 100.0, "57"),
            (0.1 + 0.2, "0.3"),
            (36.900000000000006, "36.9"),
            (114.99999999999999, "115"),
            (139.29999999999998, "139.3"),
            (999_999_999_999.99, "999999999999.99"),
            (-20.5, "-20.5"),
            (1e-20, "0.00000000000000000001"),
        ] {
            assert_eq!(cell_text(&Data::Float(stored)), shown, "{stored:?}");
        }
        // Beyond a cent's worth of digits it is still refused as money.
        assert!(crate::values::Fen::parse(&cell_text(&Data::Float(0.123))).is_err());
        assert!(crate::values::Fen::parse(&cell_text(&Data::Float(1e-300))).is_err());
    }

    #[test]
    fn a_formula_error_reads_as_the_sheet_shows_it() {
        use calamine::CellErrorType;
        for (error, shown) in [
            (CellErrorType::Div0, "#DIV/0!"),
            (CellErrorType::NA, "#N/A"),
            (CellErrorType::Value, "#VALUE!"),
            (CellErrorType::Ref, "#REF!"),
        ] {
            assert_eq!(cell_text(&Data::Error(error)), shown);
        }
    }

    #[test]
    fn an_id_number_stored_as_a_number_reads_as_scientific_notation() {
        let text = cell_text(&Data::Float(430102198001011234.0));
        assert!(text.contains('E'), "{text}");
        assert!(matches!(
            crate::values::IdNumber::parse(&text, crate::values::Date::last()),
            Err(crate::values::ValueError::IdNumberScientific)
        ));
    }

    fn sheet(cells: Vec<(u32, u32, Data)>) -> Sheet {
        let mut kept = Cells::default();
        for (row, column, value) in cells {
            assert!(Value::of(&value).is_none_or(|v| kept.keep((row, column), v)));
        }
        let height = kept.at.last().map_or(0, |c| u64::from(c.row) + 1);
        Sheet {
            name: "s".into(),
            format: "xlsx".into(),
            cells: kept,
            feed: None,
            height,
            unread: Vec::new(),
        }
    }

    /// The rows of a sheet whose pieces come from `feed`.
    fn streamed(feed: mpsc::Receiver<Piece>) -> SheetRows {
        Sheet {
            name: "s".into(),
            format: "xlsx".into(),
            cells: Cells::default(),
            feed: Some(feed),
            height: 0,
            unread: Vec::new(),
        }
        .rows()
    }

    /// The rows' lines and first cells, until the end or an error.
    fn lines(rows: SheetRows) -> (Vec<(u64, String)>, Option<FileError>) {
        let mut seen = Vec::new();
        for row in rows {
            match row {
                Ok(row) => seen.push((row.line, row.cells.iter().collect::<Vec<_>>().join("|"))),
                Err(e) => return (seen, Some(e)),
            }
        }
        (seen, None)
    }

    #[test]
    fn a_streamed_sheet_is_cut_into_pieces_of_whole_rows_in_order() {
        let (pieces, feed) = mpsc::sync_channel(64);
        let mut cut = Cutter::new(&pieces);
        let text = |s: String| s;
        // Rows of three cells, the second row's cells stored backwards and
        // row 3 stored before row 2: within a piece they are put in order.
        cut.cell((0, 0), Value::Text(&text("a".into()))).unwrap();
        cut.cell((2, 0), Value::Text(&text("c".into()))).unwrap();
        cut.cell((1, 2), Value::Text(&text("b2".into()))).unwrap();
        cut.cell((1, 0), Value::Text(&text("b0".into()))).unwrap();
        for row in 3..(PIECE_CELLS as u32 + 10) {
            for column in 0..3 {
                cut.cell((row, column), Value::Text(&text(format!("{row}.{column}"))))
                    .unwrap();
            }
        }
        cut.send().unwrap();
        pieces.send(Piece::Done).unwrap();
        drop(pieces);
        let mut sizes = Vec::new();
        let mut cells = Vec::new();
        let mut rows_of_pieces = Vec::new();
        while let Ok(Piece::Cells(piece)) = feed.try_recv() {
            sizes.push(piece.at.len());
            let rows = piece.at.iter().map(|c| c.row);
            rows_of_pieces.push((rows.clone().min(), rows.max()));
            cells.extend(piece.at.iter().map(|c| (c.row, c.column)));
        }
        // No row is split between two pieces.
        for pair in rows_of_pieces.windows(2) {
            assert!(pair[0].1 < pair[1].0, "{rows_of_pieces:?}");
        }
        assert!(sizes.len() >= 3, "{sizes:?}");
        assert!(sizes.iter().all(|&n| n <= PIECE_CELLS + 3), "{sizes:?}");
        let mut sorted = cells.clone();
        sorted.sort_unstable();
        assert_eq!(cells, sorted);
        assert_eq!(cells.len(), 4 + 3 * (PIECE_CELLS + 7));
    }

    #[test]
    fn a_cell_stored_after_its_rows_were_handed_on_stops_the_sheet_at_that_cell() {
        let (pieces, _feed) = mpsc::sync_channel(64);
        let mut cut = Cutter::new(&pieces);
        for row in 0..=(PIECE_CELLS as u32) {
            cut.cell((row, 0), Value::Int(1)).unwrap();
        }
        // Row 3 again, after the first piece (rows 0 to PIECE_CELLS - 1)
        // went: it cannot be put back among them.
        let Err(unread) = cut.cell((3, 1), Value::Int(1)) else {
            panic!("a cell of a row handed on was taken");
        };
        assert_eq!(
            unread.said("s"),
            FileError::OutOfOrder {
                line: 4,
                cell: "B4".into(),
            }
        );
    }

    #[test]
    fn the_cell_that_starts_a_piece_is_checked_against_the_piece_before() {
        // Row 5 stored in two parts, the second after row 6: when that
        // part starts a new piece, it must stop the sheet, not become a
        // row of its own (attacker review: a note or cash cell lost).
        let (pieces, _feed) = mpsc::sync_channel(64);
        let mut cut = Cutter::new(&pieces);
        for row in 0..(PIECE_CELLS as u32) {
            cut.cell((row + 10, 0), Value::Int(1)).unwrap();
        }
        let Err(unread) = cut.cell((12, 6), Value::Text("合计")) else {
            panic!("the part of a row already sent was taken as a row");
        };
        assert_eq!(
            unread.said("s"),
            FileError::OutOfOrder {
                line: 13,
                cell: "G13".into(),
            }
        );
    }

    #[test]
    fn a_reading_thread_gone_without_saying_the_sheet_ended_is_an_error_not_the_end() {
        // What a panic in bangfu's own code on that thread would leave:
        // the rows before, then nothing. Taken for the end, the rest of
        // the sheet would be lost without a word.
        let (pieces, feed) = mpsc::sync_channel(4);
        let mut piece = Cells::default();
        assert!(Value::of(&Data::String("户编号".into())).is_none_or(|v| piece.keep((0, 0), v)));
        assert!(Value::of(&Data::String("H1".into())).is_none_or(|v| piece.keep((1, 0), v)));
        pieces.send(Piece::Cells(piece)).unwrap();
        drop(pieces);
        let (seen, error) = lines(streamed(feed));
        assert_eq!(seen, [(1, "户编号".to_string()), (2, "H1".to_string())]);
        assert_eq!(error, Some(FileError::DamagedWorkbook));

        // Said ended, it ended; a failure is handed on as the row after
        // the last.
        let (pieces, feed) = mpsc::sync_channel(4);
        let mut piece = Cells::default();
        assert!(Value::of(&Data::String("x".into())).is_none_or(|v| piece.keep((0, 1), v)));
        pieces.send(Piece::Cells(piece)).unwrap();
        pieces.send(Piece::Done).unwrap();
        assert_eq!(lines(streamed(feed)), (vec![(1, "|x".to_string())], None));
        let (pieces, feed) = mpsc::sync_channel(4);
        let broke = FileError::Uncalculated {
            line: 2,
            cell: "A2".into(),
        };
        pieces.send(Piece::Failed(broke.clone())).unwrap();
        assert_eq!(lines(streamed(feed)), (vec![], Some(broke)));
    }

    #[test]
    fn a_cell_is_kept_in_16_bytes_and_its_text() {
        // What keeps a 100,000-row workbook under contract §7's 64 MiB.
        assert_eq!(std::mem::size_of::<Cell>(), 16);
        let mut cells = Cells::default();
        assert!(Value::of(&Data::Float(1.5)).is_none_or(|v| cells.keep((0, 0), v)));
        assert!(Value::of(&Data::Empty).is_none_or(|v| cells.keep((0, 1), v)));
        assert!(Value::of(&Data::String("走访".into())).is_none_or(|v| cells.keep((0, 2), v)));
        assert_eq!((cells.at.len(), cells.text.as_str()), (2, "1.5走访"));
    }

    #[test]
    fn rows_are_built_from_the_cells_in_one_pass_and_padded_to_the_header() {
        let text = |s: &str| Data::String(s.into());
        let mut rows = sheet(vec![
            (0, 1, text("户编号")),
            (0, 2, text("户主")),
            (0, 3, text("乡镇")),
            (1, 1, text("H1")),
            (4, 2, text("李四")),
            (1_048_575, 16_383, text("x")),
        ])
        .rows();
        rows.header_found(4);
        let left = |rows: &SheetRows| rows.cells.len();
        let header = rows.next().unwrap().unwrap();
        // From column A, as the sheet shows the row.
        assert_eq!((header.line, header.cells.len()), (1, 4));
        // Each row takes exactly its own cells off the front: no row
        // looks at the cells of another, so reading is linear.
        assert_eq!(left(&rows), 3);
        let h1 = rows.next().unwrap().unwrap();
        assert_eq!(
            (h1.line, h1.cells.iter().collect::<Vec<_>>()),
            (2, vec!["", "H1", "", ""])
        );
        assert_eq!(left(&rows), 2);
        let h2 = rows.next().unwrap().unwrap();
        assert_eq!(
            (h2.line, h2.cells.iter().collect::<Vec<_>>()),
            (5, vec!["", "", "李四", ""])
        );
        let stray = rows.next().unwrap().unwrap();
        assert_eq!((stray.line, stray.cells.len()), (1_048_576, 16_384));
        assert!(rows.next().is_none());
    }

    #[test]
    fn date_cells_of_the_1904_date_system_keep_their_day() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        let in_1900 = Data::DateTime(ExcelDateTime::new(36955.0, DateTime, false));
        let in_1904 = Data::DateTime(ExcelDateTime::new(35493.0, DateTime, true));
        assert_eq!(cell_text(&in_1900), "2001-03-05");
        assert_eq!(cell_text(&in_1904), "2001-03-05");
    }

    #[test]
    fn names_cells_as_spreadsheets_do() {
        assert_eq!(cell_name(1, 4), "E2");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn knows_workbook_names() {
        assert!(is_workbook_name(Path::new("a.XLSX")));
        assert!(is_workbook_name(Path::new("a.ods")));
        assert!(!is_workbook_name(Path::new("a.csv")));
    }
}
