//! The import pipeline: sources → checked records → one transaction.
//! Files are applied households → members → pairings → deliveries; every
//! problem of every row is collected (`FILE:LINE: COLUMN: message`); totals
//! rows are skipped and reconciled; and the transaction is committed only
//! when nothing is wrong — or, with `--rejects`, when every rejected row has
//! been written to the rejects file.

use crate::input::headers::{Field, Kind, Layout};
use crate::input::{FileError, RawRow, Source};
use crate::problem::Problem;
use crate::records::{self, CellProblem, Household, Member, Pairing};
use crate::store::write::{Refs, Resolved, Writer};
use crate::store::Store;
use crate::values::text::{clean, printable};
use crate::values::{Date, Fen};
use indicatif::{ProgressBar, ProgressStyle};
use rusqlite::TransactionBehavior;
use std::ops::Range;
use std::sync::mpsc;
use std::time::Instant;

/// One input, opened (or not) and named as the user named it.
pub struct Input {
    pub name: String,
    pub source: Result<Source, FileError>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Keep the valid rows and hand back the rejected ones.
    pub keep_valid: bool,
    /// Show a progress bar on stderr (the caller checks it is a terminal).
    pub progress: bool,
}

/// Rows between progress bar updates: rare enough to cost nothing.
const PROGRESS_EVERY: u64 = 4096;

fn progress_bar(name: &str, total: u64, rows_of_sheet: bool) -> ProgressBar {
    let template = if rows_of_sheet {
        "{prefix} [{bar:30}] {percent:>3}% {msg}"
    } else {
        "{prefix} [{bar:30}] {percent:>3}% {msg} {binary_bytes_per_sec}"
    };
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar
}

/// What one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileResult {
    pub name: String,
    pub kind: Option<Kind>,
    pub encoding: String,
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub rejected: u64,
}

/// Rows rejected from one file, for the rejects file.
#[derive(Debug, Clone, Default)]
pub struct Rejected {
    pub header: Vec<String>,
    /// Original cells, untrimmed (as the file has them), and the error text.
    pub rows: Vec<(Vec<String>, String)>,
}

/// The whole outcome of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub files: Vec<FileResult>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    pub rejected: Vec<Rejected>,
    /// Whether the transaction was committed.
    pub committed: bool,
    /// A file broke off part-way: even `--rejects` cannot account for its
    /// remaining rows, so nothing may be committed.
    pub unreadable: bool,
}

impl ImportReport {
    pub fn rejected_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
}

/// A row written, with the goods and cash it holds; or its problems.
type RowOutcome = Result<(Fen, Fen), Vec<CellProblem>>;

/// A totals row's figures and the sums of the section above it.
struct TotalsRow {
    line: u64,
    subtotal: bool,
    goods: TotalsCell,
    cash: TotalsCell,
    section: (Fen, Fen),
}

/// A money cell of a totals row.
enum TotalsCell {
    Empty,
    Amount(Fen),
    /// Not an amount (a formula exported as text, a note): cannot be checked.
    Other(String),
}

/// Whether a row is a totals row — its first non-empty cell is 合计, 总计,
/// 小计, Total… (spaced out or not: 合　计) — and if so, whether it is a
/// subtotal (of the rows since the previous totals row) or a grand total.
fn totals_row(row: &RawRow) -> Option<bool> {
    let first = row.first_value()?;
    // Most rows start with a date or an id: rule them out before folding.
    let lead = first.chars().next()?;
    if !"合总小共tTｔＴgGｇＧsSｓＳ".contains(lead) {
        return None;
    }
    let word: String = clean(first)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：'))
        .collect::<String>()
        .to_lowercase();
    match word.as_str() {
        "小计" | "subtotal" => Some(true),
        "合计" | "总计" | "总合计" | "共计" | "total" | "totals" | "grandtotal" => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether a row is a footer under the records — a sign-off (填表人, 审核人,
/// 制表人, 填报日期, 单位负责人, or any `…领导：`, `…负责人：`), a note on the
/// sheet (`备注：…`) or a count such as `合计：3次` in the first cell —
/// rather than a record or a totals row.
fn footer_row(row: &RawRow) -> bool {
    const SIGN_OFFS: [&str; 7] = [
        "填表人",
        "填报人",
        "审核人",
        "制表人",
        "制表",
        "填报日期",
        "单位负责人",
    ];
    const TOTALS: [&str; 4] = ["合计", "总计", "共计", "小计"];
    // Before a colon: a sign-off title (分管领导：张三, 主要负责人：…) or a
    // note on the sheet (备注：金额单位为元).
    const TITLES: [&str; 12] = [
        "领导",
        "负责人",
        "审核",
        "审批",
        "签字",
        "签名",
        "主任",
        "书记",
        "经办人",
        "联系人",
        "填表",
        "制表",
    ];
    const NOTES: [&str; 3] = ["备注", "说明", "注"];
    let Some(first) = row.first_value() else {
        return false;
    };
    let colon = first.contains([':', '：']);
    if !colon && !first.starts_with(['填', '审', '制', '单', '合', '总', '共', '小']) {
        return false;
    }
    let word: String = clean(first)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if let Some((before, _)) = word.split_once([':', '：']) {
        let titled = before.chars().count() <= 8 && TITLES.iter().any(|t| before.ends_with(t));
        if titled || NOTES.contains(&before) {
            return true;
        }
    }
    if SIGN_OFFS.iter().any(|s| word.starts_with(s)) {
        return true;
    }
    // 合计：3次 counts rows; a totals row has its amounts in their columns.
    TOTALS.iter().any(|t| {
        word.strip_prefix(t)
            .and_then(|rest| rest.strip_prefix([':', '：']))
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// At most this many names of one kind in a warning, then a count.
const NAMES_IN_A_WARNING: usize = 5;

/// `a, b, c` — the first few items, printable, then "and N more".
fn some_of<S: AsRef<str>>(items: &[S]) -> String {
    let mut text = items
        .iter()
        .take(NAMES_IN_A_WARNING)
        .map(|i| printable(i.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > NAMES_IN_A_WARNING {
        text.push_str(&format!(" and {} more", items.len() - NAMES_IN_A_WARNING));
    }
    text
}

/// Import `inputs` into `store`. `before_commit` is called with the report
/// just before the transaction would be committed (to write the rejects
/// file, which the caller puts in place only once `committed` says the
/// commit succeeded); an error from it rolls everything back.
pub fn import(
    store: &mut Store,
    inputs: Vec<Input>,
    options: &ImportOptions,
    today: Date,
    before_commit: impl FnOnce(&ImportReport) -> anyhow::Result<()>,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut inputs = inputs;
    // Households first, then members, pairings, deliveries; files whose kind
    // is unknown last (they only bring problems).
    inputs.sort_by_key(|i| match &i.source {
        Ok(s) => s.kind.map_or(4, |k| k as usize),
        Err(_) => 5,
    });
    // The writer resolves every reference itself, against this same
    // transaction; SQLite checking each foreign key again cost a third of a
    // large import's time.
    store.without_foreign_keys(|store| {
        import_in_transaction(store, inputs, options, today, before_commit, &mut report)
    })??;
    Ok(report)
}

fn import_in_transaction(
    store: &mut Store,
    inputs: Vec<Input>,
    options: &ImportOptions,
    today: Date,
    before_commit: impl FnOnce(&ImportReport) -> anyhow::Result<()>,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut writer = Writer::new(&tx)?;
        for input in inputs {
            import_file(&mut writer, input, today, options.progress, report)?;
        }
    }
    let clean_run = report.problems.is_empty();
    if options.dry_run || report.unreadable || !(clean_run || options.keep_valid) {
        tx.rollback()?;
        return Ok(());
    }
    before_commit(report)?;
    log_files(&tx, &report.files)?;
    tx.commit()?;
    report.committed = true;
    Ok(())
}

fn import_file(
    writer: &mut Writer<'_>,
    input: Input,
    today: Date,
    progress: bool,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let name = input.name;
    let mut result = FileResult {
        name: name.clone(),
        ..FileResult::default()
    };
    let source = match input.source {
        Ok(s) => s,
        Err(e) => {
            report
                .problems
                .push(Problem::new(&name, e.line(), "file", e.to_string()));
            report.files.push(result);
            return Ok(());
        }
    };
    result.encoding = source.encoding.clone();
    result.kind = source.kind;
    let header = source.header_cells();
    let header_line = source.header.line;
    if source.title_rows > 0 {
        report.warnings.push(format!(
            "{name}: the header is on line {header_line}; {} row(s) above it were passed over",
            source.title_rows
        ));
    }
    let mut rejected = Rejected {
        header: header.clone(),
        rows: Vec::new(),
    };
    // A file whose kind or columns are wrong: every row is rejected with
    // the one header problem.
    let layout = match source.kind {
        None => Err(format!(
            "cannot tell what this file holds: no header names a category (deliveries), \
             township (households), unit (members), or member and household (pairings); \
             the header is: {}; give --kind",
            some_of(&header)
        )),
        Some(kind) => Layout::new(kind, &header).map_err(|missing| {
            for m in &missing {
                report.problems.push(Problem::new(
                    &name,
                    header_line,
                    m.field.name(),
                    m.to_string(),
                ));
            }
            missing
                .iter()
                .map(|m| format!("{}: {m}", m.field.name()))
                .collect::<Vec<_>>()
                .join("; ")
        }),
    };
    // Money is never dropped unread: a deliveries file whose money columns
    // are not understood is refused like one missing a column.
    let layout = layout.and_then(|layout| {
        let money = layout.unread_money();
        if money.is_empty() {
            return Ok(layout);
        }
        let message = format!(
            "{} look(s) like money but name(s) no goods or cash column, so the amounts would not be read; name the columns 物资 (goods) and 资金 (cash)",
            some_of(&money)
        );
        report
            .problems
            .push(Problem::new(&name, header_line, "goods", message.clone()));
        Err(format!("goods: {message}"))
    });
    let layout = match layout {
        Ok(layout) => layout,
        Err(message) => {
            if source.kind.is_none() {
                report
                    .problems
                    .push(Problem::new(&name, header_line, "file", message.clone()));
            }
            for row in source {
                match row {
                    Ok(row) if row.is_blank() => {}
                    Ok(row) => {
                        result.read += 1;
                        result.rejected += 1;
                        rejected.rows.push((
                            row.cells.iter().map(str::to_string).collect(),
                            format!("{name}:{}: {message}", row.line),
                        ));
                    }
                    Err(e) => {
                        // The rest of the file can be neither imported nor
                        // rejected: nothing is committed.
                        report
                            .problems
                            .push(Problem::new(&name, e.line(), "file", e.to_string()));
                        report.unreadable = true;
                        break;
                    }
                }
            }
            push_rejected(report, rejected);
            report.files.push(result);
            return Ok(());
        }
    };
    if !layout.ignored.is_empty() {
        report.warnings.push(format!(
            "{name}: ignored column(s) that bangfu does not know: {}",
            some_of(&layout.ignored)
        ));
    }
    for (unused, used) in &layout.shadowed {
        let (unused, used) = (printable(unused), printable(used));
        report.warnings.push(format!(
            "{name}: columns {used} and {unused} name the same field; using {used}"
        ));
    }

    writer.begin_file();
    let mut sums = (Fen(0), Fen(0));
    let mut section = (Fen(0), Fen(0));
    let mut totals_rows: Vec<TotalsRow> = Vec::new();
    let mut footer_lines: Vec<String> = Vec::new();
    let bar = progress.then(|| progress_bar(&name, source.total, source.sheet.is_some()));
    let started = Instant::now();
    // Rows are read, checked and resolved on a second thread while this one
    // writes: the two halves of an import take about as long as each other,
    // and the machine has two cores.
    let (sender, receiver) = mpsc::sync_channel::<Message>(4);
    // Rows written go back to the reading thread, which reads the next rows
    // into their memory.
    let (recycle, recycled) = mpsc::channel::<Vec<RawRow>>();
    let layout_ref = &layout;
    // Pairings and deliveries add no household or member, so the reading
    // thread can resolve their references itself. (Handing it the indexes
    // while a households or members file changes them would copy them.)
    let refs = match layout.kind {
        Kind::Pairings | Kind::Deliveries => writer.refs(),
        Kind::Households | Kind::Members => Refs::default(),
    };
    std::thread::scope(|scope| -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("bangfu-reader".into())
            .spawn_scoped(scope, move || {
                let reading = Reading {
                    layout: layout_ref,
                    refs,
                    today,
                    lossy: source.lossy,
                    encoding: source.encoding.clone(),
                };
                reading.run(source, &sender, &recycled)
            })?;
        for message in receiver {
            let Batch { rows: batch, notes } = match message {
                Message::Rows(batch) => batch,
                Message::Failed(e) => {
                    // The rest of the file cannot be read, so its rows can
                    // be neither imported nor rejected: nothing is written.
                    report
                        .problems
                        .push(Problem::new(&name, e.line(), "file", e.to_string()));
                    report.unreadable = true;
                    break;
                }
            };
            let mut done = Vec::with_capacity(batch.len());
            for (row, checked) in batch {
                result.read += 1;
                if let Some(bar) = bar
                    .as_ref()
                    .filter(|_| result.read.is_multiple_of(PROGRESS_EVERY))
                {
                    let seconds = started.elapsed().as_secs_f64().max(1e-3);
                    bar.set_position(row.pos);
                    bar.set_message(format!(
                        "{} rows, {:.0} rows/s",
                        result.read,
                        result.read as f64 / seconds
                    ));
                }
                let record = match checked {
                    Checked::Row(record) => record,
                    Checked::Footer => {
                        result.skipped += 1;
                        footer_lines.push(row.line.to_string());
                        done.push(row);
                        continue;
                    }
                    Checked::Totals {
                        subtotal,
                        goods,
                        cash,
                    } => {
                        result.skipped += 1;
                        if layout.kind == Kind::Deliveries {
                            totals_rows.push(TotalsRow {
                                line: row.line,
                                subtotal,
                                goods,
                                cash,
                                section,
                            });
                            section = (Fen(0), Fen(0));
                        }
                        done.push(row);
                        continue;
                    }
                };
                let written = match record {
                    Ok(record) => write(writer, &layout, &row, record, &notes)?,
                    Err(problems) => Err(problems),
                };
                match written {
                    Ok(money) => {
                        sums = (sums.0 + money.0, sums.1 + money.1);
                        section = (section.0 + money.0, section.1 + money.1);
                    }
                    Err(problems) => {
                        result.rejected += 1;
                        let problems: Vec<Problem> = problems
                            .into_iter()
                            .map(|p| Problem::new(&name, row.line, p.column, p.message))
                            .collect();
                        let message = problems
                            .iter()
                            .map(Problem::to_string)
                            .collect::<Vec<_>>()
                            .join("; ");
                        rejected
                            .rows
                            .push((row.cells.iter().map(str::to_string).collect(), message));
                        report.problems.extend(problems);
                    }
                }
                done.push(row);
            }
            let _ = recycle.send(done);
        }
        // Rows still queued are written as any other (after an unreadable
        // file they are rolled back with the rest); the writer counted
        // what every record did.
        let tally = writer.end_file()?;
        (result.new, result.updated, result.unchanged) =
            (tally.new, tally.updated, tally.unchanged);
        Ok(())
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !footer_lines.is_empty() {
        report.warnings.push(format!(
            "{name}: line(s) {} are footer rows (填表人, 审核人, 合计：…次 and the like), not records; they were skipped",
            some_of(&footer_lines)
        ));
    }
    for t in totals_rows {
        reconcile(&name, &t, sums, &mut report.warnings);
    }
    push_rejected(report, rejected);
    report.files.push(result);
    Ok(())
}

fn push_rejected(report: &mut ImportReport, rejected: Rejected) {
    if !rejected.rows.is_empty() {
        report.rejected.push(rejected);
    }
}

fn totals_cell(layout: &Layout, row: &RawRow, field: Field) -> TotalsCell {
    let cell = layout.get(&row.cells, field);
    if cell.is_empty() {
        return TotalsCell::Empty;
    }
    match Fen::parse(cell) {
        Ok(fen) => TotalsCell::Amount(fen),
        Err(_) => TotalsCell::Other(crate::values::redact(cell)),
    }
}

/// Compare a totals row with the sums of the valid rows — of the whole file
/// for a grand total, of the rows since the previous totals row for a
/// subtotal — and warn when they differ.
fn reconcile(name: &str, t: &TotalsRow, sums: (Fen, Fen), warnings: &mut Vec<String>) {
    let (expected, scope) = if t.subtotal {
        (
            t.section,
            "the rows above it (since the previous totals row)",
        )
    } else {
        (sums, "the valid rows")
    };
    let checks = [
        ("goods", &t.goods, expected.0),
        ("cash", &t.cash, expected.1),
    ];
    for (column, stated, sum) in checks {
        match stated {
            TotalsCell::Empty => {}
            TotalsCell::Amount(stated) if *stated == sum => {}
            TotalsCell::Amount(stated) => warnings.push(format!(
                "{name}:{}: {column}: the totals row says {} but {scope} add up to {}",
                t.line,
                stated.display(),
                sum.display()
            )),
            TotalsCell::Other(text) => warnings.push(format!(
                "{name}:{}: {column}: the totals row holds {text:?}, not an amount; it was not checked",
                t.line
            )),
        }
    }
}

/// Rows travel from the reading thread in batches of this many.
const BATCH: usize = 512;

/// What the reading thread sends.
enum Message {
    Rows(Batch),
    Failed(FileError),
}

/// Rows checked on the reading thread, and the notes of their deliveries
/// side by side in one buffer: the writer reads them there in order, not
/// from each row's own memory, which has long left its processor's cache.
struct Batch {
    rows: Vec<(RawRow, Checked)>,
    notes: String,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            rows: Vec::with_capacity(BATCH),
            notes: String::with_capacity(BATCH * 32),
        }
    }
}

/// A row checked on the reading thread, without the database: a totals
/// row, or a record to write, or every problem the row has.
enum Checked {
    /// A sign-off or count under the records ([`footer_row`]).
    Footer,
    Totals {
        subtotal: bool,
        goods: TotalsCell,
        cash: TotalsCell,
    },
    Row(Result<Record, Vec<CellProblem>>),
}

/// A record ready to write.
enum Record {
    Household(Household),
    Member(Member),
    Pairing(Pairing),
    /// A delivery, and where its note is in the batch's notes.
    Delivery(Resolved, Range<usize>),
}

/// What the reading thread needs to check rows.
struct Reading<'l> {
    layout: &'l Layout,
    /// For pairings and deliveries: the households and members to resolve
    /// references against (empty for other files).
    refs: Refs,
    today: Date,
    lossy: bool,
    encoding: String,
}

impl Reading<'_> {
    /// Every non-blank row, checked, in batches. Stops when the file ends,
    /// fails, or the writer stops listening.
    fn run(
        self,
        mut source: Source,
        sender: &mpsc::SyncSender<Message>,
        recycled: &mpsc::Receiver<Vec<RawRow>>,
    ) {
        let mut batch = Batch::new();
        let mut next = source.next();
        while let Some(row) = next.take() {
            // Read one row ahead, and have its references' table entries
            // fetched while this row is checked.
            next = source.next();
            if let Some(Ok(ahead)) = &next {
                self.prefetch(ahead);
            }
            while let Ok(done) = recycled.try_recv() {
                for row in done {
                    source.recycle(row);
                }
            }
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    let _ = sender.send(Message::Rows(batch));
                    let _ = sender.send(Message::Failed(e));
                    return;
                }
            };
            if row.is_blank() {
                continue;
            }
            let checked = self.check(&row, &mut batch.notes);
            batch.rows.push((row, checked));
            if batch.rows.len() == BATCH
                && sender
                    .send(Message::Rows(std::mem::replace(&mut batch, Batch::new())))
                    .is_err()
            {
                return;
            }
        }
        let _ = sender.send(Message::Rows(batch));
    }

    /// Ask for the table entries of a pairing's or delivery's references
    /// ([`Refs::prefetch`]).
    fn prefetch(&self, row: &RawRow) {
        if matches!(self.layout.kind, Kind::Pairings | Kind::Deliveries) {
            let cell = |field| clean(self.layout.get(&row.cells, field));
            self.refs
                .prefetch(&cell(Field::Member), &cell(Field::Household));
        }
    }

    /// Check one row: its shape, its bytes, every cell, and (for deliveries)
    /// its references; a delivery's note goes to the end of `notes`.
    fn check(&self, row: &RawRow, notes: &mut String) -> Checked {
        let layout = self.layout;
        if footer_row(row) {
            return Checked::Footer;
        }
        if let Some(subtotal) = totals_row(row) {
            return Checked::Totals {
                subtotal,
                goods: totals_cell(layout, row, Field::Goods),
                cash: totals_cell(layout, row, Field::Cash),
            };
        }
        if row.cells.len() != layout.width {
            return self.bad(
                row,
                vec![CellProblem {
                    column: "row",
                    message: format!(
                        "the row has {} cells but the header has {}",
                        row.cells.len(),
                        layout.width
                    ),
                }],
            );
        }
        if self.lossy && row.cells.iter().any(|c| c.contains('\u{FFFD}')) {
            return self.bad(
                row,
                vec![CellProblem {
                    column: "row",
                    message: format!(
                        "holds bytes that are not valid {}; give the right --encoding",
                        self.encoding
                    ),
                }],
            );
        }
        let controls = records::control_characters(layout, row);
        if !controls.is_empty() {
            return self.bad(row, controls);
        }
        let record = match layout.kind {
            Kind::Households => records::household(layout, row).map(Record::Household),
            Kind::Members => records::member(layout, row).map(Record::Member),
            Kind::Pairings => records::pairing(layout, row).map(Record::Pairing),
            Kind::Deliveries => records::delivery(layout, row, self.today).and_then(|d| {
                let resolved = self.refs.delivery(&d)?;
                let start = notes.len();
                notes.push_str(d.note.as_deref().unwrap_or(""));
                Ok(Record::Delivery(resolved, start..notes.len()))
            }),
        };
        match record {
            Ok(record) => Checked::Row(Ok(record)),
            Err(problems) => self.bad(row, problems),
        }
    }

    /// A row that failed its own checks is still checked for its
    /// references, so that every problem of the row is reported at once.
    fn bad(&self, row: &RawRow, mut problems: Vec<CellProblem>) -> Checked {
        if !matches!(self.layout.kind, Kind::Pairings | Kind::Deliveries) {
            return Checked::Row(Err(problems));
        }
        let refs = &self.refs;
        for field in [Field::Member, Field::Household] {
            let reference = clean(self.layout.get(&row.cells, field));
            if reference.is_empty() || problems.iter().any(|p| p.column == field.name()) {
                continue;
            }
            let resolved = if field == Field::Member {
                refs.member(&reference)
            } else {
                refs.household(&reference)
            };
            if let Err(message) = resolved {
                problems.push(CellProblem {
                    column: field.name(),
                    message,
                });
            }
        }
        Checked::Row(Err(problems))
    }
}

/// Write a record; on success, the goods and cash it holds.
fn write(
    writer: &mut Writer<'_>,
    layout: &Layout,
    row: &RawRow,
    record: Record,
    notes: &str,
) -> anyhow::Result<RowOutcome> {
    let zero = (Fen(0), Fen(0));
    Ok(match record {
        Record::Household(h) => writer.household(layout, row.line, &h)?.map(|()| zero),
        Record::Member(m) => writer.member(layout, row.line, &m)?.map(|()| zero),
        Record::Pairing(p) => writer.pairing(layout, &p)?.map(|()| zero),
        Record::Delivery(r, note) => {
            let note = notes.get(note).filter(|n| !n.is_empty());
            writer.delivery(&r, note)?.map(|()| (r.goods, r.cash))
        }
    })
}

/// Record each file of a committed import in the `imports` table.
fn log_files(conn: &rusqlite::Connection, files: &[FileResult]) -> rusqlite::Result<()> {
    let at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO imports (at, file, kind, encoding, rows_read, new, updated, unchanged, skipped, rejected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for f in files {
        stmt.execute(rusqlite::params![
            at,
            f.name,
            f.kind.map(|k| k.key()),
            f.encoding,
            f.read as i64,
            f.new as i64,
            f.updated as i64,
            f.unchanged as i64,
            f.skipped as i64,
            f.rejected as i64,
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            line: 9,
            pos: 0,
            cells: csv::StringRecord::from(cells.to_vec()),
        }
    }

    #[test]
    fn tells_footer_rows_from_totals_rows_and_records() {
        for footer in [
            &["填表人：王五", "", "审核人：赵六"][..],
            &["分管领导：张三"][..],
            &["备注：金额单位为元", ""][..],
            &["", "审核人:"],
            &["制表人 钱七"],
            &["填报日期：2003年6月1日"],
            &["单位负责人："],
            &["合计：3次", "", "200"],
            &["总 计: 12 户"],
        ] {
            assert!(footer_row(&row(footer)), "{footer:?}");
        }
        for other in [
            &["合计", "", "200"][..],
            &["合计：", "", "200"],
            &["2001-03-05", "填表人"],
            &["H1", "张三"],
            &[""],
        ] {
            assert!(!footer_row(&row(other)), "{other:?}");
        }
    }

    #[test]
    fn names_a_few_then_counts_the_rest() {
        assert_eq!(some_of(&["a", "b"]), "a, b");
        let many: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
        assert_eq!(some_of(&many), "c0, c1, c2, c3, c4 and 3 more");
        assert_eq!(some_of(&["\u{1b}[31m"]), "\\u{1b}[31m");
    }
}
