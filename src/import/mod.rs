//! The import pipeline: sources → checked records → one transaction.
//! Files are applied households → members → pairings → deliveries; every
//! problem of every row is collected (`FILE:LINE: COLUMN: message`); totals
//! rows are skipped and reconciled; and the transaction is committed only
//! when nothing is wrong — or, with `--rejects`, when every rejected row has
//! been written to the rejects file.
//!
//! Here: the outcome of an import and the transaction around its files.
//! One file's state is [`file::FileImport`]; the thread that reads and
//! checks its rows is [`reader`] (the checks themselves in [`check`]); the
//! rows that are not records, [`totals`]; what the ledgers make of the
//! files once all are written (`--replace`, and the warnings of what looks
//! like a correction or another ledger's file), [`ledgers`].

mod check;
mod copies;
mod file;
mod ledgers;
pub mod merge;
mod progress;
mod reader;
mod totals;

use crate::i18n::Lang;
use crate::input::digest::{self, Digest};
use crate::input::headers::Kind;
use crate::input::{FileError, Source};
use crate::problem::{Problem, Warning};
use crate::store::write::{Counts, LoggedFile, Overlap, Refs, Writer};
use crate::store::Store;
use crate::values::{Date, LedgerName};
use check::Checker;
use file::FileImport;
use progress::Progress;
use std::path::Path;

/// One input, opened (or not) and named as the user named it.
pub struct Input {
    pub name: String,
    pub source: Result<Source, FileError>,
    /// The SHA-256 of its bytes, for the log.
    pub digest: Digest,
}

impl Input {
    /// An input named `name`, with its source's digest — or, for a file
    /// at `path` that could not be read as a table, the file's.
    pub fn new(name: String, source: Result<Source, FileError>, path: Option<&Path>) -> Input {
        let digest = match (&source, path) {
            (Ok(source), _) => source.digest.clone(),
            (Err(_), Some(path)) => {
                digest::of_file(path).map_or_else(|_| Digest::default(), Digest::known)
            }
            (Err(_), None) => Digest::default(),
        };
        Input {
            name,
            source,
            digest,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Keep the valid rows and hand back the rejected ones.
    pub keep_valid: bool,
    /// Show a progress bar on stderr, in this language (the caller checks
    /// that stderr is a terminal).
    pub progress: Option<Lang>,
    /// `--ledger`: the ledger every file goes into, instead of the one its
    /// name gives.
    pub ledger: Option<LedgerName>,
    /// `--replace`: each file is the whole current version of its ledger
    /// for its kind (contract §8).
    pub replace: bool,
    /// `--force`: replace even where it looks like a mistake.
    pub force: bool,
}

/// What one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileResult {
    pub name: String,
    /// The ledger the file went into (contract §8).
    pub ledger: LedgerName,
    pub kind: Option<Kind>,
    pub encoding: String,
    pub counts: Counts,
    /// The SHA-256 of the file's bytes, once they were read.
    pub digest: Digest,
    /// Whether it is a rejects file bangfu wrote (`--rejects`: its header
    /// ends in the error column), corrected and imported.
    pub rejects_file: bool,
    /// A file of deliveries beside the earlier files of its ledger in the
    /// import ([`Overlap`]).
    pub overlap: Overlap,
}

/// The header of the column a rejects file (`--rejects`) ends in:
/// `error`, as contract §3.5 names it, in every language (a sheet or
/// script that reads rejects files finds it by that name); the problems
/// in its cells are in the clerk's language.
pub const ERROR_COLUMN: &str = "error";

/// Whether `header` is that column: a corrected rejects file imported
/// again is told by it. Only by that name (a master sheet's own last
/// column `错误（核查）` is a checker's notes, not a rejects file's).
pub fn is_error_column(header: &str) -> bool {
    header.trim().eq_ignore_ascii_case(ERROR_COLUMN)
}

/// Rows rejected from one file, for the rejects file.
#[derive(Debug, Clone, Default)]
pub struct Rejected {
    pub header: Vec<String>,
    /// Original cells, untrimmed (as the file has them), and their problems.
    pub rows: Vec<(Vec<String>, Vec<Problem>)>,
}

/// The whole outcome of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub files: Vec<FileResult>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    pub rejected: Vec<Rejected>,
    /// Whether the transaction was committed.
    pub committed: bool,
    /// A file broke off part-way: even `--rejects` cannot account for its
    /// remaining rows, so nothing may be committed.
    pub unreadable: bool,
    /// `--replace` was refused: nothing may be committed.
    pub refused: bool,
}

impl ImportReport {
    pub fn rejected_rows(&self) -> u64 {
        self.files.iter().map(|f| f.counts.rejected).sum()
    }
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
    })?;
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
    let doing = match options.dry_run {
        true => crate::store::Doing::Checking,
        false => crate::store::Doing::Importing,
    };
    store.check_seal(doing)?;
    let import = store.begin_import()?;
    let command;
    {
        let mut writer = import.writer(today)?;
        command = writer.command();
        for input in inputs {
            import_file(&mut writer, input, options, today, report)?;
        }
        ledgers::rejects_again(&writer, options, report)?;
        ledgers::follow(&mut writer, options, report)?;
    }
    let clean_run = report.problems.is_empty();
    let replaced = !options.replace || clean_run;
    let whole = !(report.unreadable || report.refused) && replaced;
    if options.dry_run || !whole || !(clean_run || options.keep_valid) {
        import.rollback()?;
        return Ok(());
    }
    before_commit(report)?;
    let logged: Vec<LoggedFile<'_>> = report.files.iter().map(FileResult::logged).collect();
    import.log_and_commit(command, today, &login(), &logged)?;
    report.committed = true;
    Ok(())
}

/// Read, check and write one file, and add what it did to `report`.
fn import_file(
    writer: &mut Writer<'_>,
    input: Input,
    options: &ImportOptions,
    today: Date,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let progress = options.progress;
    let ledger = (options.ledger.clone()).unwrap_or_else(|| LedgerName::of_path(&input.name));
    let source = match input.source {
        Ok(source) => source,
        Err(e) => {
            FileImport::unopened(input.name, ledger, input.digest, &e, report);
            return Ok(());
        }
    };
    let mut file = FileImport::new(input.name, ledger, &source);
    let layout = match file.layout(&source) {
        Ok(layout) => layout,
        Err(problems) => {
            file.reject_all(source, &problems);
            return file.finish(None, None, report);
        }
    };
    writer.begin_file(file.ledger())?;
    writer.lists(layout.kind);
    let bar = Progress::new(progress, file.name(), source.total, source.sheet.is_some());
    // Pairings and deliveries add no household or member, so the reading
    // thread can resolve their references itself. (Handing it the indexes
    // while a households or members file changes them would copy them.)
    let refs = match layout.kind {
        Kind::Pairings | Kind::Deliveries => writer.refs(),
        Kind::Households | Kind::Members => Refs::default(),
    };
    let checker = Checker {
        layout: &layout,
        refs,
        today,
        lossy: source.lossy,
        encoding: source.encoding.clone(),
    };
    let failed = reader::read_rows(source, checker, |row, checked, notes| {
        file.row(writer, &layout, row, checked, notes)?;
        bar.row(file.read(), row.pos);
        Ok(())
    })?;
    bar.finish();
    // Rows handed over before a failure are written as any other (and
    // rolled back with the rest).
    if let Some(e) = failed {
        file.broke_off(&e);
    }
    file.finish(Some(writer), Some(&layout), report)
}

/// The login that runs this import, for the log (contract §8): the
/// account's name as the system knows it (the `whoami` crate: the password
/// database on Unix, the account on Windows), else `USER` or `LOGNAME`,
/// else nothing.
fn login() -> String {
    let env = |name: &str| std::env::var(name).ok().filter(|u| !u.is_empty());
    whoami::username()
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| env("USER"))
        .or_else(|| env("LOGNAME"))
        .unwrap_or_default()
}

impl FileResult {
    /// The file as the import log keeps it.
    fn logged(&self) -> LoggedFile<'_> {
        LoggedFile {
            file: &self.name,
            ledger: &self.ledger,
            kind: self.kind.map(|k| k.key()),
            encoding: &self.encoding,
            sha256: self.digest.get(),
            counts: self.counts,
        }
    }
}
