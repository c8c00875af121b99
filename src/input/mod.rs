//! From a file on disk to raw rows: the encoding told (or given), the text
//! decoded while streaming, the delimiter sniffed from the header line, the
//! header row found, and every later row handed out with its line number.
//! This is the one place that builds a CSV reader; nothing here judges the
//! values in the cells — that is [`crate::records`]' job.

pub mod digest;
pub mod encoding;
pub mod headers;
pub mod workbook;

use crate::i18n::import::ImportMsg;
use crate::i18n::Msg;
use crate::problem::UsageError;
use crate::values::text::trim;
use csv::StringRecord;
use digest::{Digest, Hashing};
use encoding::Sniffed;
use encoding_rs::Encoding;
use headers::{detect_kind, Kind};
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// How many rows may stand above the header (a sheet title, a date line).
const MAX_TITLE_ROWS: usize = 10;

/// What the user said about reading files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: Option<&'static Encoding>,
    pub delimiter: Option<u8>,
    pub kind: Option<Kind>,
    /// The sheet of a workbook (default: the first).
    pub sheet: Option<String>,
}

/// One row of cells as the file holds them, untrimmed.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// 1-based line of the row's first character in the file.
    pub line: u64,
    /// How far into the source the row starts (bytes of text for CSV,
    /// rows for a sheet), for the progress bar.
    pub pos: u64,
    pub cells: StringRecord,
}

impl RawRow {
    /// A row whose cells are all empty after trimming.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| trim(c).is_empty())
    }

    /// The first non-empty cell, trimmed.
    pub fn first_value(&self) -> Option<&str> {
        self.cells.iter().map(trim).find(|c| !c.is_empty())
    }
}

/// Why a file could not be read as a table at all. These are data problems
/// (exit 1), reported as `FILE:1: file: message`.
/// Its texts, in both languages, are in [`crate::i18n::import`]; `Display`
/// is the English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    NoHeader,
    /// A workbook without a workbook's name.
    Workbook,
    /// NUL bytes: not text.
    Binary,
    /// The operating system could not read it (its own words in `cause`).
    Read {
        cause: String,
    },
    /// Not a workbook calamine can open (its words in `cause`).
    /// A workbook whose records point outside the file: the spreadsheet
    /// reader broke down on it.
    DamagedWorkbook,
    NotAWorkbook {
        cause: String,
    },
    /// The sheet could not be read (calamine's words in `cause`).
    SheetUnreadable {
        sheet: String,
        cause: String,
    },
    /// A workbook's sheet whose cells hold more text than bangfu keeps
    /// of one sheet (4 GiB).
    SheetTooLarge {
        sheet: String,
    },
    /// A workbook's sheet claims a used range far beyond its data, more
    /// cells than can be read.
    FarUsedRange,
    /// A sheet of an .xls or .ods whose used range reaches `cell`, far
    /// beyond the `held` cells it holds: calamine would build all of that
    /// range in memory (found before it opens the file).
    FarCell {
        sheet: String,
        cell: String,
        held: u64,
    },
    /// A workbook's formula cell holds no value: the program that wrote
    /// the file never calculated it.
    Uncalculated {
        line: u64,
        cell: String,
    },
    /// A workbook's cell `cell`, on `line`, stored after rows below it:
    /// its rows were read in the order stored, and those below it are
    /// already read (a sheet is read a piece at a time, see
    /// [`workbook`]).
    OutOfOrder {
        line: u64,
        cell: String,
    },
    /// The file could not be read past `line` (the CSV reader's words).
    Broken {
        line: u64,
        cause: String,
    },
    /// A quote opened on `line` swallows the lines after it.
    UnclosedQuote {
        line: u64,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().text(crate::i18n::Lang::En))
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// The line the problem is reported on.
    pub fn line(&self) -> u64 {
        match self {
            FileError::Broken { line, .. }
            | FileError::UnclosedQuote { line }
            | FileError::Uncalculated { line, .. }
            | FileError::OutOfOrder { line, .. } => (*line).max(1),
            _ => 1,
        }
    }
}

/// A file opened for reading rows.
pub struct Source {
    /// The encoding found or given, as reported to the user.
    pub encoding: String,
    /// The header row.
    pub header: RawRow,
    /// The kind told from the header (or given with `--kind`).
    pub kind: Option<Kind>,
    /// Non-blank rows above the header that were passed over.
    pub title_rows: usize,
    /// The unit of the sheet's amounts, where a title row states one
    /// (`单位：万元`).
    pub title_unit: Option<crate::values::money::MoneyUnit>,
    /// Whether cells may hold U+FFFD from undecodable bytes.
    pub lossy: bool,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    /// A workbook's other sheets holding cells, not read (no `--sheet`).
    pub unread_sheets: Vec<String>,
    /// The size of the source in the unit of [`RawRow::pos`], when known.
    pub total: u64,
    /// The SHA-256 of its bytes, known once they were all read.
    pub digest: Digest,
    /// Rows read while looking for the header, to be handed out first.
    pending: VecDeque<Result<RawRow, FileError>>,
    rows: Rows,
}

/// The rows of a sheet, or of a text export.
pub enum Rows {
    Csv(Box<CsvRows>),
    Sheet(Box<workbook::SheetRows>),
}

impl Rows {
    fn next(&mut self) -> Option<Result<RawRow, FileError>> {
        match self {
            Rows::Csv(rows) => rows.next(),
            Rows::Sheet(rows) => rows.next(),
        }
    }

    /// The header has `width` cells: a row of the text that a quoted cell
    /// swallowed can be told by its delimiters.
    fn header_found(&mut self, width: usize) {
        match self {
            Rows::Csv(rows) => rows.width = width,
            Rows::Sheet(rows) => rows.header_found(width),
        }
    }
}

impl Source {
    /// Open a CSV/TSV text export. A file that cannot be opened is a
    /// usage error; a file that cannot be read as a table is a data problem.
    pub fn open(
        path: &Path,
        options: &ReadOptions,
    ) -> Result<Result<Source, FileError>, UsageError> {
        let file = File::open(path).map_err(|e| {
            UsageError::said(Msg::Import(ImportMsg::CannotOpen {
                path: path.display().to_string(),
                not_found: e.kind() == io::ErrorKind::NotFound,
                cause: e.to_string(),
            }))
        })?;
        let is_workbook = workbook::is_workbook_name(path)
            || (options.encoding.is_none()
                && matches!(encoding::sniff_head(&file), Ok(Sniffed::Zip | Sniffed::Ole)));
        if !is_workbook {
            return Ok(Source::from_reader(file, options));
        }
        let sheet = match workbook::open(path, options.sheet.as_deref())? {
            Ok(sheet) => sheet,
            Err(e) => return Ok(Err(e)),
        };
        // calamine reads the workbook itself: its bytes are hashed apart.
        let digest = match digest::of_file(path) {
            Ok(hex) => Digest::known(hex),
            Err(e) => {
                let cause = e.to_string();
                return Ok(Err(FileError::Read { cause }));
            }
        };
        let name = sheet.name.clone();
        let format = sheet.format.clone();
        let unread = sheet.unread.clone();
        let total = sheet.height();
        Ok(Source::from_rows(
            format,
            false,
            options.kind,
            Rows::Sheet(Box::new(sheet.rows())),
        )
        .map(|mut s| {
            // Named in every message about the file: never raw.
            s.sheet = Some(crate::values::printable(&name).into_owned());
            s.unread_sheets = unread;
            s.total = total;
            s.digest = digest;
            s
        }))
    }

    /// Read a CSV/TSV text export from any seekable stream.
    pub fn from_reader<R: Read + Seek + Send + 'static>(
        mut file: R,
        options: &ReadOptions,
    ) -> Result<Source, FileError> {
        let read_error = |e: io::Error| FileError::Read {
            cause: e.to_string(),
        };
        let total = file.seek(SeekFrom::End(0)).map_err(read_error)?;
        file.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let sniffed = encoding::sniff(&mut file).map_err(read_error)?;
        let (encoding, bom) = match (options.encoding, sniffed) {
            (_, Sniffed::Empty) => return Err(FileError::Empty),
            (Some(enc), _) => (enc, 0),
            (None, Sniffed::Text { encoding, bom }) => (encoding, bom),
            (None, Sniffed::TruncatedUtf8) => (encoding_rs::UTF_8, 0),
            (None, Sniffed::Zip | Sniffed::Ole) => return Err(FileError::Workbook),
            (None, Sniffed::Binary) => return Err(FileError::Binary),
        };
        file.seek(SeekFrom::Start(0)).map_err(read_error)?;
        // A forced encoding keeps its own BOM (if the file has one) out of the text.
        let bom = if options.encoding.is_some() {
            let mut head = [0u8; 4];
            let n = file.read(&mut head).map_err(read_error)?;
            encoding::bom_length(&head[..n], encoding)
        } else {
            bom
        };
        // Every byte goes through the hash from here, in the one pass that
        // reads the rows; the BOM's too, read past before the text.
        file.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let (mut file, digest) = Hashing::new(file);
        io::copy(&mut (&mut file).take(bom as u64), &mut io::sink()).map_err(read_error)?;
        // Only a file checked to be valid UTF-8 throughout is passed through
        // as it is; a UTF-8 BOM says nothing about the bytes after it.
        let detected_utf8 = options.encoding.is_none()
            && encoding == encoding_rs::UTF_8
            && bom == 0
            && sniffed != Sniffed::TruncatedUtf8;
        let text: Box<dyn Read + Send> = if detected_utf8 {
            // Already checked to be valid UTF-8: pass the bytes through.
            Box::new(file)
        } else {
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding))
                    .build(file),
            )
        };
        // Every line end reads as LF (contract §3.1: LF, CRLF and CR alone, in
        // any mix), so that rows split and line numbers count alike.
        let quote_open = Arc::new(AtomicBool::new(false));
        let tail = Arc::new(Tail::default());
        let mut text: Box<dyn Read + Send> =
            Box::new(LfLineEnds::new(text).watching(Arc::clone(&quote_open), Arc::clone(&tail)));
        // Read ahead to the end of the first lines to sniff the delimiter,
        // then hand the text read so far and the rest to the CSV reader.
        let mut head = Vec::with_capacity(64 * 1024);
        let mut chunk = [0u8; 8 * 1024];
        let lines = |h: &[u8]| h.iter().filter(|&&b| b == b'\n').count();
        while lines(&head) <= MAX_TITLE_ROWS && head.len() < 1024 * 1024 {
            match text.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => head.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_error(e)),
            }
        }
        let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&head));
        let text: CsvText = BufReader::with_capacity(256 * 1024, io::Cursor::new(head).chain(text));
        // Records end at LF, the only line end left in the text.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(text);
        let mut source = Source::from_rows(
            encoding::display_name(encoding, bom),
            !detected_utf8,
            options.kind,
            Rows::Csv(Box::new(CsvRows {
                reader,
                spare: Vec::new(),
                delimiter,
                width: 0,
                ahead: None,
                quote_open,
                tail,
            })),
        )?;
        source.total = total;
        source.digest = digest;
        Ok(source)
    }

    /// Find the header among the first rows: the first row from which a
    /// kind can be told (or, with `--kind`, the first row naming one of that
    /// kind's required columns); failing that, the first non-blank row.
    pub fn from_rows(
        encoding: String,
        lossy: bool,
        forced: Option<Kind>,
        mut rows: Rows,
    ) -> Result<Source, FileError> {
        let mut seen: VecDeque<RawRow> = VecDeque::new();
        let mut found: Option<(usize, Option<Kind>)> = None;
        while seen.len() < MAX_TITLE_ROWS {
            let Some(row) = rows.next() else { break };
            let row = row?;
            if row.is_blank() {
                continue;
            }
            let cells: Vec<&str> = row.cells.iter().collect();
            let kind = match forced {
                Some(k) => headers::Layout::new(k, &cells).ok().map(|_| k),
                None => detect_kind(&cells),
            };
            seen.push_back(row);
            if kind.is_some() {
                found = Some((seen.len() - 1, kind));
                break;
            }
        }
        let (index, kind) = match found {
            Some(f) => f,
            None if seen.is_empty() => return Err(FileError::NoHeader),
            None => (0, forced),
        };
        let title_rows = index;
        let title_unit = seen
            .iter()
            .take(index)
            .flat_map(|row| row.cells.iter())
            .find_map(headers::unit_in_title);
        let mut header = seen
            .drain(..=index)
            .next_back()
            .ok_or(FileError::NoHeader)?;
        let mut pending: VecDeque<Result<RawRow, FileError>> = seen.into_iter().map(Ok).collect();
        // A header over two rows: the row under it names the columns of
        // its groups.
        let mut kind = kind;
        rows.header_found(header.cells.len());
        if let Some(known) = kind {
            let next = pending.pop_front().or_else(|| rows.next());
            let merged = match &next {
                Some(Ok(second)) => {
                    let first: Vec<&str> = header.cells.iter().collect();
                    let under: Vec<&str> = second.cells.iter().collect();
                    headers::two_row_header(known, &first, &under)
                        .or_else(|| headers::units_row(&first, &under))
                }
                _ => None,
            };
            match merged {
                Some(names) => {
                    header.cells = StringRecord::from(names);
                    if forced.is_none() {
                        kind = detect_kind(&header.cells.iter().collect::<Vec<_>>()).or(kind);
                    }
                }
                None => pending.extend(next),
            }
            rows.header_found(header.cells.len());
        }
        Ok(Source {
            encoding,
            header,
            kind,
            title_rows,
            title_unit,
            lossy,
            sheet: None,
            unread_sheets: Vec::new(),
            total: 0,
            digest: Digest::default(),
            pending,
            rows,
        })
    }

    /// The header cells, trimmed.
    pub fn header_cells(&self) -> Vec<String> {
        self.header
            .cells
            .iter()
            .map(|c| c.trim().to_string())
            .collect()
    }

    /// Hand back a row that is done with: its cells' memory holds the next
    /// rows read, instead of being allocated for each row afresh. A long
    /// row's memory is freed instead: kept, a record holds on to the
    /// largest row it ever read, and over a long file with a few huge notes
    /// the thousands of records in flight would all grow to that size.
    pub fn recycle(&mut self, row: RawRow) {
        if let Rows::Csv(rows) = &mut self.rows {
            if rows.spare.len() < MAX_SPARE_ROWS
                && row.cells.as_byte_record().as_slice().len() <= MAX_RECYCLED_BYTES
            {
                rows.spare.push(row.cells);
            }
        }
    }
}

/// Rows kept for reuse by [`Source::recycle`]: more than a batch or two in
/// flight between the threads.
const MAX_SPARE_ROWS: usize = 1024;

/// The longest row whose memory is reused; exports' rows are a few
/// hundred bytes.
const MAX_RECYCLED_BYTES: usize = 4096;

/// The decoded text a CSV reader reads.
type CsvText = BufReader<io::Chain<io::Cursor<Vec<u8>>, Box<dyn Read + Send>>>;

impl Iterator for Source {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(row) = self.pending.pop_front() {
            return Some(row);
        }
        self.rows.next()
    }
}

/// The rows of a text export.
pub struct CsvRows {
    reader: csv::Reader<CsvText>,
    /// Records of rows done with, to read into.
    spare: Vec<StringRecord>,
    delimiter: u8,
    /// Cells in the header row, once it is found (0 before).
    width: usize,
    /// The row read ahead of a row with a line break in a cell, to tell
    /// whether that row ran on to the end of the file.
    ahead: Option<Option<Result<RawRow, FileError>>>,
    /// Whether the text read so far holds an odd number of quotes: at the
    /// end of the file, a quote left open.
    quote_open: Arc<AtomicBool>,
    /// How the text read so far ends.
    tail: Arc<Tail>,
}

impl CsvRows {
    fn read(&mut self) -> Option<Result<RawRow, FileError>> {
        let mut cells = self.spare.pop().unwrap_or_default();
        match self.reader.read_record(&mut cells) {
            Ok(false) => None,
            Ok(true) => {
                let (line, pos) = cells.position().map_or((0, 0), |p| (p.line(), p.byte()));
                let line = line.saturating_add(self.blank_lines_before(line, &cells));
                Some(Ok(RawRow { line, pos, cells }))
            }
            Err(e) => Some(Err(FileError::Broken {
                line: e.position().map_or(0, |p| p.line()),
                cause: e.to_string(),
            })),
        }
    }
}

impl CsvRows {
    /// The blank lines the reader skipped before the row it just read,
    /// whose position says line `line`: the csv crate gives such a row the
    /// first blank line's number (rust-csv issue 208), and contract §3.5
    /// names a row by its own line. The line ends read since `line` are
    /// the blank lines', the row's own (inside its quoted cells, the only
    /// place a row holds one) and the one that ends it, unless the row ran
    /// to the end of the text.
    fn blank_lines_before(&self, line: u64, cells: &StringRecord) -> u64 {
        let after = self.reader.position();
        let read = after.line().saturating_sub(line);
        let inside = cells
            .as_byte_record()
            .as_slice()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let ended = u64::from(!self.tail.unterminated_at(after.byte()));
        read.saturating_sub(inside as u64).saturating_sub(ended)
    }
}

impl Iterator for CsvRows {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = match self.ahead.take() {
            Some(ahead) => ahead?,
            None => self.read()?,
        };
        let Ok(row) = row else { return Some(row) };
        // Only a quoted cell holds a line break; nearly no row has one.
        if !row.cells.as_byte_record().as_slice().contains(&b'\n') {
            return Some(Ok(row));
        }
        let ahead = self.read();
        let last = ahead.is_none();
        self.ahead = Some(ahead);
        // At the end of the text, a quote still open ran on to the end of
        // the file even where the file has no last line end.
        let open = last && self.quote_open.load(Ordering::Relaxed);
        match runaway_quote(&row, self.width, self.delimiter, last, open) {
            Some(e) => Some(Err(e)),
            None => Some(Ok(row)),
        }
    }
}

/// Whether a row's quoted cell has swallowed the lines after it: a quote
/// opened and never closed runs on to the end of the file (the file's last
/// line end then falls inside the cell, or the text ends with the quote
/// still open: `open`), and a stray quote takes in whole rows until the
/// next quote — lines of the cell that hold as many delimiters as a row of
/// the file does and begin with a value shaped like the row's own first
/// value ([`shape`]: `2001-03-06` like `2001-03-05`, `M2` like `M1`). A note
/// written over a few lines does neither, nor does a list of households
/// over two lines (`H1` then `H2,H3,H1,H2` in a row that begins `M1`). The
/// error is at the line where the quote opened.
fn runaway_quote(
    row: &RawRow,
    width: usize,
    delimiter: u8,
    last: bool,
    open: bool,
) -> Option<FileError> {
    let mut line = row.line;
    let first = row.cells.get(0).map(shape);
    for (i, cell) in row.cells.iter().enumerate() {
        let like_a_row = |l: &&str| {
            let first_value = l.split(char::from(delimiter)).next().map(shape);
            i == 0 || first_value == first
        };
        let holds_rows = width >= 2
            && cell
                .split('\n')
                .skip(1)
                .filter(like_a_row)
                .any(|l| l.bytes().filter(|&b| b == delimiter).count() + 1 >= width);
        let to_the_end = last && (cell.ends_with('\n') || (open && cell.contains('\n')));
        if holds_rows || to_the_end {
            return Some(FileError::UnclosedQuote { line });
        }
        line += count_line_ends(cell);
    }
    None
}

/// The shape of a value, to tell a row's first value from text: digits as
/// `9` and other letters as `字` (each run as one), ASCII letters upper-cased
/// and kept, punctuation kept: `2001-03-05` and `2001/3/6` differ, `M1` and
/// `M22` are alike, `H1` and `M1` are not.
fn shape(value: &str) -> String {
    let mut out = String::new();
    for c in trim(value).chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_ascii_alphabetic() {
            c.to_ascii_uppercase()
        } else if c.is_alphanumeric() {
            '字'
        } else {
            c
        };
        if !(matches!(class, '9' | '字') && out.ends_with(class)) {
            out.push(class);
        }
    }
    out
}

fn count_line_ends(cell: &str) -> u64 {
    cell.bytes().filter(|&b| b == b'\n').count() as u64
}

/// Text whose line ends — LF, CRLF or CR alone, in any mix — are read as
/// LF: a CRLF becomes one LF, a CR alone becomes LF. Old Mac exports end
/// lines with CR, and a file edited on two systems mixes them.
struct LfLineEnds {
    inner: Box<dyn Read + Send>,
    /// The last byte handed out was a CR turned LF: an LF right after it
    /// is the second half of a CRLF.
    after_cr: bool,
    /// Flipped at each quote handed out: set, a quote is open.
    quote_open: Arc<AtomicBool>,
    /// How the text handed out so far ends.
    tail: Arc<Tail>,
}

/// How much text [`LfLineEnds`] has handed out, and how it ends: what
/// [`CsvRows`] needs to tell a last row without a line end.
#[derive(Debug, Default)]
struct Tail {
    bytes: AtomicU64,
    ends_in_lf: AtomicBool,
    ended: AtomicBool,
}

impl Tail {
    /// Whether a row the CSV reader left at byte `at` ran to the end of
    /// the text without a line end.
    fn unterminated_at(&self, at: u64) -> bool {
        self.ended.load(Ordering::Relaxed)
            && self.bytes.load(Ordering::Relaxed) == at
            && !self.ends_in_lf.load(Ordering::Relaxed)
    }
}

impl LfLineEnds {
    fn new(inner: Box<dyn Read + Send>) -> LfLineEnds {
        LfLineEnds {
            inner,
            after_cr: false,
            quote_open: Arc::default(),
            tail: Arc::default(),
        }
    }

    /// Keep count of the quotes in `quote_open`, and of the text in `tail`.
    fn watching(self, quote_open: Arc<AtomicBool>, tail: Arc<Tail>) -> LfLineEnds {
        LfLineEnds {
            quote_open,
            tail,
            ..self
        }
    }

    /// Rewrite `bytes` in place; the length of the text left.
    fn convert(&mut self, bytes: &mut [u8]) -> usize {
        if bytes.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            self.quote_open.fetch_xor(true, Ordering::Relaxed);
        }
        if !self.after_cr && !bytes.contains(&b'\r') {
            return bytes.len();
        }
        let mut kept = 0;
        for i in 0..bytes.len() {
            let b = bytes[i];
            if b == b'\n' && self.after_cr {
                self.after_cr = false;
                continue;
            }
            self.after_cr = b == b'\r';
            bytes[kept] = if b == b'\r' { b'\n' } else { b };
            kept += 1;
        }
        kept
    }
}

impl Read for LfLineEnds {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?.min(buf.len());
            if n == 0 {
                self.tail.ended.store(true, Ordering::Relaxed);
                return Ok(0);
            }
            // A read that held only the LF of a CRLF is read again: 0 would
            // say the text ended.
            let kept = self.convert(&mut buf[..n]);
            if kept > 0 {
                let last = buf.get(kept - 1) == Some(&b'\n');
                self.tail.ends_in_lf.store(last, Ordering::Relaxed);
                self.tail.bytes.fetch_add(kept as u64, Ordering::Relaxed);
                return Ok(kept);
            }
        }
    }
}

/// Tell the delimiter from the first lines of text (the header may sit
/// under a title row): for each of tab, comma and semicolon, the most it
/// occurs outside quotes on one line; the highest wins, tab before comma
/// before semicolon on a tie; comma when none occurs.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b'\t', b',', b';'];
    let mut best = [0usize; 3];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut lines = 0;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                for i in 0..3 {
                    best[i] = best[i].max(counts[i]);
                }
                counts = [0; 3];
                lines += 1;
                if lines > MAX_TITLE_ROWS {
                    break;
                }
            }
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    for i in 0..3 {
        best[i] = best[i].max(counts[i]);
    }
    let winner = (0..3).max_by_key(|&i| (best[i], 3 - i)).unwrap_or(1);
    if best[winner] == 0 {
        b','
    } else {
        CANDIDATES[winner]
    }
}

/// Parse `--delimiter`: one ASCII character, or `tab`, `\t`, `comma`,
/// `semicolon`.
pub fn parse_delimiter(s: &str) -> Result<u8, crate::i18n::Msg> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(crate::i18n::Msg::BadDelimiter {
            given: crate::values::redact(s),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bytes: &[u8], options: &ReadOptions) -> Source {
        Source::from_reader(std::io::Cursor::new(bytes.to_vec()), options).unwrap()
    }

    fn rows(source: Source) -> Vec<(u64, Vec<String>)> {
        source
            .map(|r| {
                let r = r.unwrap();
                (
                    r.line,
                    r.cells.iter().map(|c| c.trim().to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn sniffs_comma_tab_and_semicolon() {
        assert_eq!(sniff_delimiter(b"id,head,township"), b',');
        assert_eq!(sniff_delimiter(b"id\thead\ttownship"), b'\t');
        assert_eq!(sniff_delimiter(b"id;head;township"), b';');
        assert_eq!(sniff_delimiter(b"\"a;b\",c,d"), b',');
        assert_eq!(sniff_delimiter(b"id"), b',');
    }

    #[test]
    fn sniffs_the_delimiter_of_a_header_under_a_title_row() {
        assert_eq!(
            sniff_delimiter("龙山区帮扶记录\n日期\t帮扶人\t户编号\t类别\n".as_bytes()),
            b'\t'
        );
        assert_eq!(
            sniff_delimiter("\"帮扶\n日期\"\t帮扶人\t类别\n".as_bytes()),
            b'\t'
        );
    }

    #[test]
    fn reads_gbk_with_crlf_and_reports_the_encoding() {
        let (bytes, _, _) = encoding_rs::GBK.encode("户编号,户主,乡镇\r\nH1,张三,工农乡\r\n");
        let s = source(&bytes, &ReadOptions::default());
        assert_eq!(s.encoding, "GB18030");
        assert_eq!(s.kind, Some(Kind::Households));
        assert_eq!(s.header_cells(), vec!["户编号", "户主", "乡镇"]);
        assert_eq!(
            rows(s),
            vec![(2, vec!["H1".into(), "张三".into(), "工农乡".into()])]
        );
    }

    #[test]
    fn reads_utf16_tab_separated_text() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "户编号\t户主\t乡镇\r\nH1\t李四\t工农乡\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let s = source(&bytes, &ReadOptions::default());
        assert_eq!(s.encoding, "UTF-16LE (BOM)");
        assert_eq!(rows(s)[0].1[1], "李四");
    }

    #[test]
    fn keeps_line_numbers_of_quoted_multiline_cells() {
        let s = source(
            "id,head,township\nH1,\"two\nlines\",T\nH2,x,T\n".as_bytes(),
            &ReadOptions::default(),
        );
        let r = rows(s);
        assert_eq!(r[0].0, 2);
        assert_eq!(r[1].0, 4);
    }

    #[test]
    fn a_row_after_blank_lines_keeps_its_own_line_number() {
        // The csv crate gives the first record after blank lines the first
        // blank line's number (rust-csv issue 208).
        for (text, lines) in [
            ("id,head,township\nH1,a,T\n\nH2,b,T\n", vec![2, 4]),
            (
                "id,head,township\nH1,a,T\n\n\nH2,b,T\nH3,c,T\n",
                vec![2, 5, 6],
            ),
            ("id,head,township\n\nH2,b,T\n", vec![3]),
            ("id,head,township\n\nH2,b,T", vec![3]),
            (
                "id,head,township\r\n\r\n\r\nH2,\"x\r\ny\",T\r\n\r\nH3,c,T",
                vec![4, 7],
            ),
            ("id,head,township\nH1,a,T", vec![2]),
            ("\n\nid,head,township\n\nH1,a,T\n", vec![5]),
        ] {
            let s = source(text.as_bytes(), &ReadOptions::default());
            let got: Vec<u64> = rows(s).iter().map(|r| r.0).collect();
            assert_eq!(got, lines, "{text:?}");
        }
    }

    #[test]
    fn reads_cr_only_line_ends_as_rows() {
        let s = source(
            b"id,head,township\rH1,a,T\r\"two\rlines\",b,T\rH3,c,T\r",
            &ReadOptions::default(),
        );
        assert_eq!(s.kind, Some(Kind::Households));
        let r = rows(s);
        let lines: Vec<u64> = r.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert_eq!(r[1].1[0], "two\nlines");
    }

    #[test]
    fn reads_cr_crlf_and_lf_alike_in_any_mix() {
        let s = source(
            b"id,head,township\r\nH1,a,T\rH2,\"x\ny\",T\r\nH3,\"p\r\nq\",T\nH4,d,T\r",
            &ReadOptions::default(),
        );
        let r = rows(s);
        let lines: Vec<u64> = r.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 7]);
        assert_eq!(r[2].1[1], "p\nq");
    }

    /// A reader that hands out one byte at a time.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&b), Some(slot)) => {
                    *slot = b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn a_crlf_split_between_two_reads_is_one_line_end() {
        let mut text = LfLineEnds::new(Box::new(Trickle(b"a\r\nb\r\r\nc\n".to_vec(), 0)));
        let mut out = String::new();
        text.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nb\n\nc\n");
    }

    #[test]
    fn a_quote_that_runs_to_the_end_of_the_file_is_an_error_where_it_opened() {
        for text in [
            "id,head,township\nH1,a,T\nH2,\"b,T\nH3,c,T\nH4,d,T\n",
            "id,head,township\r\nH1,a,T\r\nH2,b,\"T\r\n",
            "id,head,township\nH1,a,T\nH2,\"b\nnote,T\nH3,c,T\nH4,\"d,T\n",
        ] {
            let s = source(text.as_bytes(), &ReadOptions::default());
            let got: Vec<Result<RawRow, FileError>> = s.collect();
            let last = got.last().unwrap();
            assert!(
                matches!(last, Err(FileError::UnclosedQuote { line: 3 })),
                "{text:?}: {last:?}"
            );
        }
    }

    #[test]
    fn a_quote_open_at_the_end_of_a_file_without_a_last_line_end_is_an_error() {
        let s = source(
            "id,head,township\nH1,a,T\nH2,b,\"T\n填表人：王五".as_bytes(),
            &ReadOptions::default(),
        );
        let got: Vec<Result<RawRow, FileError>> = s.collect();
        assert!(
            matches!(got.last(), Some(Err(FileError::UnclosedQuote { line: 3 }))),
            "{got:?}"
        );
        // Closed, the same cell is a note over two lines.
        let s = source(
            "id,head,township\nH1,a,T\nH2,b,\"T\n填表人：王五\"".as_bytes(),
            &ReadOptions::default(),
        );
        assert_eq!(rows(s).len(), 2);
    }

    #[test]
    fn a_list_over_two_lines_that_looks_like_a_row_is_no_runaway_quote() {
        let s = source(
            "编号,姓名,单位,结对户\nM1,a,U,\"H001\nH002,H003,H001,H002\"\nM2,b,U,H3\n".as_bytes(),
            &ReadOptions::default(),
        );
        assert_eq!(rows(s).len(), 2);
    }

    #[test]
    fn shapes_first_values() {
        assert_eq!(shape("2001-03-05"), shape("2001-3-6"));
        assert_eq!(shape("M1"), shape("m22"));
        assert_ne!(shape("M1"), shape("H1"));
        assert_eq!(shape("张三"), "字");
    }

    #[test]
    fn a_quoted_cell_over_several_lines_is_not_a_runaway_quote() {
        let s = source(
            "id,head,township,cause\nH1,a,T,\"因病\n因残, 缺劳力\"\nH2,b,T,\"x\ny\"\n".as_bytes(),
            &ReadOptions::default(),
        );
        let r = rows(s);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].0, 4);
    }

    #[test]
    fn reads_a_header_over_two_rows() {
        let s = source(
            "日期,帮扶人,户编号,类别,帮扶金额（元）,,备注\n,,,,物资,资金,\n2001-03-05,M1,H1,law,1,2,x\n"
                .as_bytes(),
            &ReadOptions::default(),
        );
        assert_eq!(s.header.line, 1);
        assert_eq!(
            s.header_cells(),
            vec!["日期", "帮扶人", "户编号", "类别", "物资", "资金", "备注"]
        );
        assert_eq!(rows(s)[0].0, 3);
    }

    #[test]
    fn passes_over_a_title_row_above_the_header() {
        let s = source(
            "龙山区贫困户花名册,,\n户编号,户主,乡镇\nH1,张三,工农乡\n".as_bytes(),
            &ReadOptions::default(),
        );
        assert_eq!(s.title_rows, 1);
        assert_eq!(s.header.line, 2);
        assert_eq!(rows(s)[0].0, 3);
    }

    #[test]
    fn forced_encoding_overrides_detection() {
        let (bytes, _, _) = encoding_rs::GBK.encode("id,head,township\nH1,张三,工农乡\n");
        let options = ReadOptions {
            encoding: Some(encoding_rs::GBK),
            ..Default::default()
        };
        let s = source(&bytes, &options);
        assert_eq!(rows(s)[0].1[1], "张三");
    }

    #[test]
    fn an_unknown_header_still_gives_a_source_without_kind() {
        let s = source(b"foo,bar\n1,2\n", &ReadOptions::default());
        assert_eq!(s.kind, None);
        assert_eq!(s.header.line, 1);
    }

    #[test]
    fn reuses_the_memory_of_short_rows_only() {
        let long = "长".repeat(5000);
        let text = format!("id,head,township\nH1,张三,工农乡\nH2,{long},工农乡\nH3,李四,工农乡\n");
        let mut s = source(text.as_bytes(), &ReadOptions::default());
        let rows: Vec<RawRow> = s.by_ref().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        for row in rows {
            s.recycle(row);
        }
        let Rows::Csv(csv) = &s.rows else {
            panic!("a CSV source")
        };
        assert_eq!(csv.spare.len(), 2, "the long row's memory is freed");
    }

    #[test]
    fn parses_delimiter_names() {
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert!(parse_delimiter("ab").is_err());
    }
}
