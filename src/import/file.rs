//! One file of an import, as it is read: what it has come to so far (the
//! counts of its result, its rejected rows, its problems and warnings, the
//! sums its totals rows are checked against, its footer rows), and a small
//! method for each thing a row can be. The pipeline hands each row here, so
//! that it only has to read, check and write.

use super::check::{Checked, Record};
use super::totals::Totals;
use super::{FileResult, ImportReport, Rejected};
use crate::i18n::import::ImportMsg;
use crate::input::digest::Digest;
use crate::input::headers::{Field, Kind, Layout, MissingColumn};
use crate::input::{FileError, RawRow, Source};
use crate::problem::{Column, Problem, Warning};
use crate::records::{CellProblem, Columns};
use crate::store::lookup::RefKind;
use crate::store::write::{WriteError, Writer};
use crate::values::money::MoneyUnit;
use crate::values::text::clean;
use crate::values::{Fen, LedgerName};

/// The state of one file being imported.
pub struct FileImport {
    name: String,
    result: FileResult,
    rejected: Rejected,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
    totals: Totals,
    footer_lines: Vec<u64>,
    /// The file broke off part-way ([`ImportReport::unreadable`]).
    unreadable: bool,
    /// Per header cell that names nothing ([`Layout::unnamed`]): how many
    /// rows hold a value under it.
    unnamed: Vec<(usize, u64)>,
}

impl FileImport {
    /// A file opened as `source`, its title rows passed over.
    pub fn new(name: String, ledger: LedgerName, source: &Source) -> FileImport {
        let mut file = FileImport {
            result: FileResult {
                name: name.clone(),
                ledger,
                kind: source.kind,
                encoding: source.encoding.clone(),
                digest: source.digest.clone(),
                ..FileResult::default()
            },
            name,
            rejected: Rejected {
                header: source.header_cells(),
                rows: Vec::new(),
            },
            problems: Vec::new(),
            warnings: Vec::new(),
            totals: Totals::default(),
            footer_lines: Vec::new(),
            unreadable: false,
            unnamed: Vec::new(),
        };
        if let (Some(sheet), false) = (&source.sheet, source.unread_sheets.is_empty()) {
            file.warn(ImportMsg::OtherSheets {
                sheet: sheet.clone(),
                others: source.unread_sheets.clone(),
            });
        }
        if source.title_rows > 0 {
            file.warn(ImportMsg::HeaderOnLine {
                line: source.header.line,
                title_rows: source.title_rows,
            });
        }
        file
    }

    /// A file that could not be opened as a table: one problem.
    pub fn unopened(
        name: String,
        ledger: LedgerName,
        digest: Digest,
        e: &FileError,
        report: &mut ImportReport,
    ) {
        let problem = Problem::new(&name, e.line(), Column::File, e.message());
        report.problems.push(problem);
        report.files.push(FileResult {
            name,
            ledger,
            digest,
            ..FileResult::default()
        });
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The ledger the file goes into.
    pub fn ledger(&self) -> &LedgerName {
        &self.result.ledger
    }

    fn warn(&mut self, message: ImportMsg) {
        self.warnings.push(Warning::File {
            file: self.name.clone(),
            message: message.into(),
        });
    }

    /// Which cell holds which field — or, for a file whose kind or columns
    /// are wrong, the header's problems. Money is never dropped unread: a
    /// deliveries file whose money columns are not understood is refused
    /// like one missing a column.
    pub fn layout(&mut self, source: &Source) -> Result<Layout, Vec<CellProblem>> {
        let header = &self.rejected.header;
        let Some(kind) = source.kind else {
            let header = header.clone();
            let cannot_tell = ImportMsg::CannotTellKind { header };
            return Err(vec![CellProblem {
                column: Column::File,
                message: cannot_tell.into(),
            }]);
        };
        let layout = Layout::new(kind, header).map_err(|missing| {
            let problem = |m: &MissingColumn| CellProblem::new(m.field, m.message());
            missing.iter().map(problem).collect::<Vec<_>>()
        })?;
        let money = layout.unread_money();
        if !money.is_empty() {
            let headers = money.iter().map(|h| h.to_string()).collect();
            let unread = ImportMsg::UnreadMoney { headers };
            return Err(vec![CellProblem::new(Field::Goods, unread)]);
        }
        // Amounts in a unit other than yuan, or in two columns of one kind,
        // would be read wrong or lost (clerk and attacker review 4).
        let mut wrong: Vec<CellProblem> = layout
            .not_money
            .iter()
            .map(|(header, unit)| {
                let (header, unit) = (header.clone(), unit.clone());
                CellProblem::new(Field::Goods, ImportMsg::NotYuan { header, unit })
            })
            .collect();
        wrong.extend(layout.unclear.iter().map(|(header, unit)| {
            let (header, unit) = (header.clone(), unit.clone());
            CellProblem::new(Field::Goods, ImportMsg::UnclearUnit { header, unit })
        }));
        wrong.extend(layout.money_twice.iter().map(|(used, unused)| {
            let (used, unused) = (used.clone(), unused.clone());
            CellProblem::new(Field::Goods, ImportMsg::MoneyTwice { used, unused })
        }));
        if !wrong.is_empty() {
            return Err(wrong);
        }
        let layout = match source.title_unit.or(layout.row_unit) {
            Some(unit) if unit != MoneyUnit::Yuan => {
                let (layout, headers) = layout.with_title_unit(unit);
                if !headers.is_empty() {
                    self.warn(ImportMsg::TitleUnit {
                        unit: unit.name(),
                        headers,
                    });
                }
                layout
            }
            _ => layout,
        };
        // A rejects file bangfu wrote ends in its error column: not
        // named as ignored, and told apart (ledgers::rejects_again).
        let errors = |h: &String| super::is_error_column(h);
        self.result.rejects_file = layout.ignored.last().is_some_and(errors);
        let ignored: Vec<String> = layout
            .ignored
            .iter()
            .filter(|h| !errors(h))
            .cloned()
            .collect();
        let pairings = crate::input::headers::pairing_columns(layout.kind, &ignored);
        if !ignored.is_empty() {
            self.warn(ImportMsg::IgnoredColumns { headers: ignored });
        }
        if !pairings.is_empty() {
            let kind = layout.kind;
            self.warn(ImportMsg::PairingsNotRead {
                kind,
                headers: pairings,
            });
        }
        for (unused, used) in layout.shadowed.iter().filter(|(unused, _)| {
            !layout.money_twice.iter().any(|(_, u)| u == unused) && !layout.is_second(unused)
        }) {
            let (used, unused) = (used.clone(), unused.clone());
            self.warn(ImportMsg::ShadowedColumn { used, unused });
        }
        Ok(layout)
    }

    /// A file whose header is wrong: the header's problems (once), and
    /// every row rejected with them.
    pub fn reject_all(&mut self, source: Source, problems: &[CellProblem]) {
        let header_line = source.header.line;
        let name = self.name.clone();
        let at = |line: u64| -> Vec<Problem> {
            let at = |p: &CellProblem| Problem::new(&name, line, p.column, p.message.clone());
            problems.iter().map(at).collect()
        };
        self.problems.extend(at(header_line));
        for row in source {
            match row {
                Ok(row) if row.is_blank() => {}
                Ok(row) => {
                    self.result.counts.read += 1;
                    self.result.counts.rejected += 1;
                    self.rejected.rows.push((as_written(&row), at(row.line)));
                }
                Err(e) => return self.broke_off(&e),
            }
        }
    }

    /// The rest of the file can be neither imported nor rejected: nothing
    /// is committed.
    pub fn broke_off(&mut self, e: &FileError) {
        let problem = Problem::new(&self.name, e.line(), Column::File, e.message());
        self.problems.push(problem);
        self.unreadable = true;
    }

    /// A row with problems of its own: they are reported, and the row goes
    /// to the rejects.
    fn reject(&mut self, row: &RawRow, problems: Vec<Problem>) {
        self.result.counts.rejected += 1;
        self.problems.extend(problems.iter().cloned());
        self.rejected.rows.push((as_written(row), problems));
    }

    /// Count the values `row` holds under header cells that name nothing.
    fn count_unnamed(&mut self, layout: &Layout, row: &RawRow) {
        if self.unnamed.is_empty() {
            self.unnamed = layout.unnamed.iter().map(|&i| (i, 0)).collect();
        }
        for (at, count) in &mut self.unnamed {
            let value = row.cells.get(*at).is_some_and(|c| !c.trim().is_empty());
            *count += u64::from(value);
        }
    }

    /// Rows read so far.
    pub fn read(&self) -> u64 {
        self.result.counts.read
    }

    /// One row, checked by the reading thread: skipped, written or
    /// rejected. `notes` holds its batch's delivery notes.
    pub fn row(
        &mut self,
        writer: &mut Writer<'_>,
        layout: &Layout,
        row: &RawRow,
        checked: Checked,
        notes: &str,
    ) -> anyhow::Result<()> {
        self.result.counts.read += 1;
        if !layout.unnamed.is_empty() {
            self.count_unnamed(layout, row);
        }
        let record = match checked {
            Checked::Row(record) => record,
            Checked::Footer => {
                self.result.counts.skipped += 1;
                self.footer_lines.push(row.line);
                return Ok(());
            }
            Checked::Totals {
                subtotal,
                goods,
                cash,
            } => {
                self.result.counts.skipped += 1;
                if layout.kind == Kind::Deliveries {
                    self.totals.row(row.line, subtotal, goods, cash);
                }
                return Ok(());
            }
        };
        let written = match record {
            Ok(record) => write(writer, layout, row, record, notes)?,
            Err(problems) => Err(problems),
        };
        match written {
            Ok(money) => self.totals.add(money),
            Err(problems) => {
                remember_rejected(writer, layout, row, &self.name, &problems);
                let at = |p: CellProblem| p.at(&self.name, row.line, layout);
                let problems = problems.into_iter().map(at).collect();
                self.reject(row, problems);
            }
        }
        Ok(())
    }

    /// The end of the file: what the writer counted, the footer and totals
    /// warnings, all of it into `report`.
    pub fn finish(
        mut self,
        writer: Option<&mut Writer<'_>>,
        layout: Option<&Layout>,
        report: &mut ImportReport,
    ) -> anyhow::Result<()> {
        if let Some(writer) = writer {
            let tally = writer.end_file()?;
            (
                self.result.counts.new,
                self.result.counts.updated,
                self.result.counts.unchanged,
            ) = (tally.new, tally.updated, tally.unchanged);
            self.result.overlap = tally.overlap;
        }
        if !self.footer_lines.is_empty() {
            let lines = std::mem::take(&mut self.footer_lines);
            self.warn(ImportMsg::FooterRows { lines });
        }
        // Values under a header cell that names nothing: read by no field
        // (review 6: an amount under an empty header cell went unread, exit 0).
        for (at, rows) in std::mem::take(&mut self.unnamed) {
            if rows > 0 {
                self.warn(ImportMsg::UnnamedColumn {
                    column: at + 1,
                    rows,
                });
            }
        }
        if let Some(layout) = layout {
            for (line, field, message) in self.totals.reconcile() {
                let at = CellProblem::new(field, message).at(&self.name, line, layout);
                self.warnings.push(Warning::At(at));
            }
        }
        report.problems.append(&mut self.problems);
        report.warnings.append(&mut self.warnings);
        report.unreadable |= self.unreadable;
        if !self.rejected.rows.is_empty() {
            report.rejected.push(self.rejected);
        }
        report.files.push(self.result);
        Ok(())
    }
}

/// A row's cells as the rejects file keeps them: untrimmed, as the file
/// has them (as main has had it since the branch 'i18nrep').
fn as_written(row: &RawRow) -> Vec<String> {
    row.cells.iter().map(str::to_string).collect()
}

/// Write a record; on success, the goods and cash it holds.
fn write(
    writer: &mut Writer<'_>,
    layout: &Layout,
    row: &RawRow,
    record: Record,
    notes: &str,
) -> anyhow::Result<Result<(Fen, Fen), Vec<CellProblem>>> {
    let zero = (Fen(0), Fen(0));
    let has = Columns::of(layout);
    let written = match record {
        Record::Household(h) => writer.household(has, row.line, &h).map(|()| zero),
        Record::Member(m) => writer.member(has, row.line, &m).map(|()| zero),
        Record::Pairing(p) => writer.pairing(has, &p).map(|()| zero),
        Record::Delivery(r, note) => {
            let note = notes.get(note).filter(|n| !n.is_empty());
            writer.delivery(&r, note).map(|()| (r.goods, r.cash))
        }
    };
    match written {
        Ok(money) => Ok(Ok(money)),
        Err(WriteError::Rejected(problems)) => Ok(Err(problems)),
        Err(WriteError::Failed(e)) => Err(e.into()),
    }
}

/// A rejected household or member row, told to the writer: a later
/// reference to its id or name that matches nothing says it was rejected
/// and why, not merely that there is no such record.
fn remember_rejected(
    writer: &mut Writer<'_>,
    layout: &Layout,
    row: &RawRow,
    file: &str,
    problems: &[CellProblem],
) {
    let (kind, name) = match layout.kind {
        Kind::Households => (RefKind::Household, Field::Head),
        Kind::Members => (RefKind::Member, Field::Name),
        Kind::Pairings | Kind::Deliveries => return,
    };
    let cell = |field| clean(layout.get(&row.cells, field));
    writer.rejected_row(
        kind,
        &cell(Field::Id),
        &cell(name),
        file,
        row.line,
        problems,
    );
}
