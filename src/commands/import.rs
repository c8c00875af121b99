//! `bangfu import FILE...`: read every file, check every row, and write all
//! of it in one transaction — or none of it, reporting every problem.

use super::{Context, Status};
use crate::cli::ImportArgs;
use crate::i18n::import::ImportMsg;
use crate::i18n::merge::MergeMsg;
use crate::i18n::Msg;
use crate::import::merge::{self, OtherInput};
use crate::import::{import, FileResult, ImportOptions, ImportReport, Input, Rejected};
use crate::input::{ReadOptions, Source};
use crate::output::Guard;
use crate::output::{Pending, Target};
use crate::problem::{report_problems, say, UsageError};
use crate::report::log::{count_cells, count_columns};
use crate::report::{Cell, Column, Label, Lang, Table};
use crate::store::pg::connect::is_url;
use crate::store::{Store, StoreError};
use crate::values::{formula, Date};
use anyhow::Context as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// At most this many problems are printed in full.
const PROBLEM_LIMIT: usize = 100;

/// The reading flags (clap has parsed and checked each).
pub fn read_options(args: &ImportArgs) -> ReadOptions {
    ReadOptions {
        encoding: args.encoding,
        delimiter: args.delimiter,
        kind: args.kind,
        sheet: args.sheet.clone(),
    }
}

pub fn run(ctx: &Context, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let options = read_options(args);
    let databases = merge::databases(&args.files, &ctx.db_path(), &merge_flags(args))?;
    // A rejected row is not in its file's version of the ledger, so a
    // replace would remove the stored record it stands for (a delivery
    // without an id cannot even be told from its rejected cells): with
    // rejects, no file would be a whole version. Refused, rather than
    // taking a rejected row's record as listed where it can be told.
    if args.replace && args.rejects.is_some() {
        return Err(UsageError::said(Msg::Import(ImportMsg::ReplaceWithRejects)).into());
    }
    // Refused before the database is opened (or created).
    let rejects = args
        .rejects
        .as_deref()
        .map(|path| rejects_targets(&ctx.guard(&args.files), path, args.files.len()))
        .transpose()?;
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in args.files.iter().filter(|_| databases.is_none()) {
        let source = Source::open(path, &options)?;
        let name = match source.as_ref().ok().and_then(|s| s.sheet.as_deref()) {
            Some(sheet) => format!("{}[{sheet}]", path.display()),
            None => path.display().to_string(),
        };
        inputs.push(Input::new(name, source, Some(path)));
    }
    // A dry run against a database that does not exist yet checks against
    // an empty one in memory, so that it creates no file — nor, on a
    // PostgreSQL server, bangfu's schema.
    let path = ctx.db_path();
    let on_server = path.to_str().is_some_and(is_url);
    let mut store = if args.dry_run && on_server {
        match Store::open(&path) {
            Err(StoreError::NothingYet { .. }) => Store::in_memory()?,
            opened => ctx.announced(opened)?,
        }
    } else if args.dry_run && !path.exists() {
        Store::in_memory()?
    } else if let Some(copy) = args
        .dry_run
        .then(|| Store::upgraded_copy(&path))
        .transpose()
        .with_context(|| {
            let path = path.display().to_string();
            ImportMsg::CopyingDatabase { path }.text(ctx.lang)
        })?
        .flatten()
    {
        // A dry run writes nothing, not even the upgrade of the file.
        if let Some(version) = copy.upgraded_from() {
            let path = path.display().to_string();
            let notice = Msg::DryRunOnOlderSchema { path, version };
            say(&notice.text(ctx.lang), ctx.reveal);
        }
        copy
    } else {
        ctx.create_store()?
    };
    let import_options = ImportOptions {
        dry_run: args.dry_run,
        keep_valid: args.rejects.is_some(),
        progress: (!ctx.quiet && std::io::stderr().is_terminal()).then_some(ctx.lang),
        ledger: args.ledger.clone(),
        replace: args.replace,
        force: args.force,
    };
    // The rejects files are written (and synced) just before the commit,
    // so that a full disk stops the import; they take their names only once
    // the import has committed. Any failure before drops them unnamed.
    let mut written = Vec::new();
    let report = match &databases {
        Some(dbs) => {
            let how = merge::How {
                dry_run: args.dry_run,
                replace: args.replace,
                force: args.force,
            };
            merge_databases(ctx, &mut store, dbs, how)
        }
        None => import(
            &mut store,
            inputs,
            &import_options,
            Date::today(),
            |report| {
                if let Some(targets) = &rejects {
                    written = write_rejects(targets, &report.rejected, ctx.lang)
                        .with_context(|| ImportMsg::WritingRejects.text(ctx.lang))?;
                }
                Ok(())
            },
        ),
    };
    // A database this import created holds nothing unless it committed: it
    // goes again, so that a mistyped --db leaves no empty database behind
    // to report zeros. One it did create is said, so that a clerk in the
    // wrong folder notices.
    match (&report, store.created()) {
        (Ok(report), Some(path)) if report.committed => {
            say(&Msg::CreatedDatabase { path }.text(ctx.lang), ctx.reveal);
        }
        (_, Some(_)) => store.discard_created(),
        (_, None) => {}
    }
    let report = report?;
    let mut names = Vec::new();
    if report.committed {
        names = finish_rejects(written)
            .with_context(|| ImportMsg::CommittedWithoutRejects.text(ctx.lang))?;
    }
    let run = Run {
        dry_run: args.dry_run,
        replace: args.replace,
    };
    finish(ctx, &report, run, &names, out)
}

/// How the import was asked for, as its verdict says it.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub dry_run: bool,
    pub replace: bool,
}

/// Where the rejected rows of an import of `inputs` files may go: `path`
/// for those of the first header, and its siblings `STEM.2.EXT`,
/// `STEM.3.EXT` … for those of each other header, one file per header so
/// that each imports back as written (a file has one header, so there are
/// at most as many as files). All are checked now, before any work.
fn rejects_targets(guard: &Guard, path: &Path, inputs: usize) -> anyhow::Result<Vec<Target>> {
    let mut targets = vec![guard.target(path)?];
    for n in 2..=inputs {
        targets.push(guard.target(&sibling(path, n))?);
    }
    Ok(targets)
}

/// `rejects.csv` → `rejects.2.csv` (`rejects` → `rejects.2`).
fn sibling(path: &Path, n: usize) -> PathBuf {
    let mut name = path.file_stem().unwrap_or_default().to_owned();
    name.push(format!(".{n}"));
    if let Some(ext) = path.extension() {
        name.push(".");
        name.push(ext);
    }
    path.with_file_name(name)
}

/// Put every rejects file written in place, even when one cannot be (its
/// rows would be lost with it): the names of all, or the first failure
/// (said in the user's language, naming the file kept in its place).
fn finish_rejects(written: Vec<Pending>) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut failed = None;
    for file in written {
        let name = file.path().display().to_string();
        match file.finish_after_commit() {
            Ok(()) => names.push(name),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        None => Ok(names),
        Some(e) => Err(e.into()),
    }
}

/// Print warnings, problems and the per-file table; decide the status.
pub fn finish(
    ctx: &Context,
    report: &ImportReport,
    run: Run,
    rejects: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<Status> {
    let lang = ctx.lang;
    for warning in &report.warnings {
        let text = warning.text(lang);
        say(&Msg::Warning { text }.text(lang), ctx.reveal);
    }
    report_problems(&report.problems, PROBLEM_LIMIT, lang, ctx.reveal);
    // The table goes out before the verdict, so that on a terminal the
    // verdict is the last line (stdout is buffered, stderr is not).
    out.write_all(results_table(&report.files, lang).to_text().as_bytes())?;
    out.flush()?;
    let problems = report.problems.len() as u64;
    let verdict = if run.dry_run {
        Some(Msg::DryRunVerdict { problems })
    } else if report.refused && run.replace {
        Some(Msg::Import(ImportMsg::NothingReplaced { problems }))
    } else if !report.committed {
        // --rejects imports the valid rows: worth saying only where there
        // are rows it would reject and rows it would import.
        let counts = report.files.iter().map(|f| f.counts);
        let (rejected, valid) = counts.fold((0, 0), |(r, v), c| {
            (r + c.rejected, v + c.new + c.updated + c.unchanged)
        });
        let rejects_helps =
            !run.replace && rejects.is_empty() && !report.refused && rejected > 0 && valid > 0;
        Some(Msg::NothingImported {
            problems,
            rejects_helps,
        })
    } else if !rejects.is_empty() && report.rejected_rows() > 0 {
        let mut ledgers = report.files.iter().filter(|f| f.counts.rejected > 0);
        let first = ledgers.next().map(|f| f.ledger.clone());
        let one = first.filter(|l| ledgers.all(|f| &f.ledger == l));
        Some(Msg::ImportedValidRows {
            rejected: report.rejected_rows(),
            rejects: rejects.to_vec(),
            ledger: one,
        })
    } else {
        None
    };
    if let Some(verdict) = verdict {
        say(&verdict.text(lang), ctx.reveal);
    }
    Ok(if problems == 0 {
        Status::Ok
    } else {
        Status::Problems
    })
}

/// The per-file result table.
pub fn results_table(files: &[FileResult], lang: Lang) -> Table {
    // A file's name is shown whole, however long its path.
    let columns = [
        Column::whole("file", Label::File.text(lang)),
        Column::new("kind", Label::Kind.text(lang)),
        Column::new("encoding", Label::Encoding.text(lang)),
    ];
    Table {
        columns: columns.into_iter().chain(count_columns(lang)).collect(),
        rows: files
            .iter()
            .map(|f| {
                let kind = f.kind.map_or("?", |k| match lang {
                    Lang::En => k.key(),
                    Lang::Zh => k.zh(),
                });
                let cells = [
                    Cell::text(f.name.clone()),
                    Cell::text(kind),
                    Cell::text(f.encoding.clone()),
                ];
                cells.into_iter().chain(count_cells(&f.counts)).collect()
            })
            .collect(),
        total: None,
    }
}

/// Write rejected rows as UTF-8 CSV with a BOM (so Excel shows the Chinese),
/// one file per header (the first to the first target, and so on), each
/// beside its target, synced, for the caller to put in place: the header
/// plus `error`, then the rejected rows of every file with that header,
/// each with its problems in `lang`. With no rejected row, the first target is
/// written empty. The cells are as the files have them, untrimmed; cells a
/// spreadsheet would run get a `'` before them.
pub fn write_rejects(
    targets: &[Target],
    rejected: &[Rejected],
    lang: Lang,
) -> anyhow::Result<Vec<Pending>> {
    let mut groups: Vec<(&[String], Vec<&Rejected>)> = Vec::new();
    for block in rejected {
        match groups
            .iter_mut()
            .find(|(header, _)| *header == &block.header[..])
        {
            Some((_, blocks)) => blocks.push(block),
            None => groups.push((&block.header, vec![block])),
        }
    }
    if groups.len() > targets.len() {
        anyhow::bail!(
            "rejected rows of {} headers, and {} rejects files for them",
            groups.len(),
            targets.len()
        );
    }
    let mut written = Vec::new();
    for (n, target) in targets.iter().enumerate() {
        let group = groups.get(n);
        if group.is_none() && n > 0 {
            break;
        }
        let mut file = target.begin()?;
        file.write_all(b"\xEF\xBB\xBF").map_err(|e| file.error(e))?;
        if let Some((header, blocks)) = group {
            write_block(&mut file, header, blocks, lang)?;
        }
        file.sync()?;
        written.push(file);
    }
    Ok(written)
}

/// One header plus `error`, and the rows of `blocks` under it.
fn write_block(
    file: &mut Pending,
    header: &[String],
    blocks: &[&Rejected],
    lang: Lang,
) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(file);
    let record = |w: &mut csv::Writer<_>, cells: &[String], last: &str| {
        w.write_record(
            cells
                .iter()
                .map(String::as_str)
                .chain([last])
                .map(|cell| formula::guard(cell).into_owned()),
        )
    };
    // A rejects file rejected again keeps its one error column, its old
    // problems replaced by the new ones (clerk review 5).
    let again = header
        .last()
        .is_some_and(|h| crate::import::is_error_column(h));
    let header = if again {
        &header[..header.len() - 1]
    } else {
        header
    };
    record(&mut w, header, crate::import::ERROR_COLUMN)?;
    for (cells, problems) in blocks.iter().flat_map(|b| &b.rows) {
        let error = problems
            .iter()
            .map(|p| p.text(lang))
            .collect::<Vec<_>>()
            .join("; ");
        let mut row = cells.clone();
        // The CR of a CRLF line, which the reader leaves in the last cell.
        if let Some(last) = row.last_mut() {
            if last.ends_with('\r') {
                last.pop();
            }
        }
        // A rejects file's old error cell goes; a short row is padded so
        // that the error lands in its column (a long one keeps every cell).
        if again && row.len() == header.len() + 1 {
            row.pop();
        }
        if row.len() < header.len() {
            row.resize(header.len(), String::new());
        }
        record(&mut w, &row, &error)?;
    }
    w.flush()?;
    Ok(())
}

/// Import with default options into a store the caller already holds
/// (`demo` loads its sample so).
pub fn import_into(store: &mut Store, inputs: Vec<Input>) -> anyhow::Result<ImportReport> {
    import(
        store,
        inputs,
        &ImportOptions::default(),
        Date::today(),
        |_| Ok(()),
    )
}

/// The flags given that only a file's rows take, which `import OTHER.db`
/// refuses.
fn merge_flags(args: &ImportArgs) -> Vec<&'static str> {
    [
        ("--kind", args.kind.is_some()),
        ("--encoding", args.encoding.is_some()),
        ("--delimiter", args.delimiter.is_some()),
        ("--sheet", args.sheet.is_some()),
        ("--ledger", args.ledger.is_some()),
        ("--rejects", args.rejects.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect()
}

/// `import OTHER.db …`: each database opened (an older one's upgrade in
/// memory said), all merged as one import.
fn merge_databases(
    ctx: &Context,
    store: &mut Store,
    paths: &[PathBuf],
    how: merge::How,
) -> anyhow::Result<ImportReport> {
    let mut others = Vec::with_capacity(paths.len());
    for path in paths {
        let other = OtherInput::open(path)?;
        if let Some(version) = other.other.upgraded_from() {
            let path = other.name.clone();
            say(
                &MergeMsg::Older { path, version }.text(ctx.lang),
                ctx.reveal,
            );
        }
        others.push(other);
    }
    let merged = merge::merge(store, &others, how, Date::today())?;
    for collapsed in &merged.collapsed {
        let text = collapsed.text(ctx.lang);
        say(&Msg::Warning { text }.text(ctx.lang), ctx.reveal);
    }
    Ok(merged.report)
}
