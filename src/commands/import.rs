//! `bangfu import FILE...`: read every file, check every row, and write all
//! of it in one transaction — or none of it, reporting every problem.

use super::{Context, Status};
use crate::cli::ImportArgs;
use crate::import::{import, FileResult, ImportOptions, ImportReport, Input, Rejected};
use crate::input::headers::Kind;
use crate::input::{encoding, parse_delimiter, ReadOptions, Source};
use crate::problem::{report_problems, UsageError};
use crate::report::{Cell, Column, Label, Lang, Table};
use crate::store::Store;
use crate::values::Date;
use anyhow::Context as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// At most this many problems are printed in full.
const PROBLEM_LIMIT: usize = 100;

/// Resolve the reading flags; any wrong one is a usage error.
pub fn read_options(args: &ImportArgs) -> Result<ReadOptions, UsageError> {
    let kind = match &args.kind {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            UsageError::new(format!(
                "unknown --kind {k:?}; use households, members, pairings or deliveries"
            ))
        })?),
    };
    let encoding = match &args.encoding {
        None => None,
        Some(e) => Some(encoding::from_label(e).ok_or_else(|| {
            UsageError::new(format!(
                "unknown --encoding {e:?}; use utf-8, gbk, gb18030, utf-16le or utf-16be"
            ))
        })?),
    };
    let delimiter = match &args.delimiter {
        None => None,
        Some(d) => Some(parse_delimiter(d).map_err(UsageError::new)?),
    };
    Ok(ReadOptions {
        encoding,
        delimiter,
        kind,
        sheet: args.sheet.clone(),
    })
}

pub fn run(ctx: &Context, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let options = read_options(args)?;
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let source = Source::open(path, &options)?;
        let name = match source.as_ref().ok().and_then(|s| s.sheet.as_deref()) {
            Some(sheet) => format!("{}[{sheet}]", path.display()),
            None => path.display().to_string(),
        };
        inputs.push(Input { name, source });
    }
    // A dry run against a database that does not exist yet checks against
    // an empty one in memory, so that it creates no file.
    let path = ctx.db_path();
    let mut store = if args.dry_run && !path.exists() {
        Store::in_memory()?
    } else if let Some(copy) = args
        .dry_run
        .then(|| Store::upgraded_copy(&path))
        .transpose()
        .with_context(|| format!("copying {}", path.display()))?
        .flatten()
    {
        // A dry run writes nothing, not even the upgrade of the file.
        if let Some(version) = copy.upgraded_from() {
            eprintln!(
                "{}: made by an older bangfu (schema {version}); the dry run checks against an upgraded copy in memory and leaves the file as it is",
                path.display()
            );
        }
        copy
    } else {
        ctx.create_store()?
    };
    let import_options = ImportOptions {
        dry_run: args.dry_run,
        keep_valid: args.rejects.is_some(),
        progress: !ctx.quiet && std::io::stderr().is_terminal(),
    };
    let report = import(
        &mut store,
        inputs,
        &import_options,
        Date::today(),
        |report| match &args.rejects {
            Some(path) => write_rejects(path, &report.rejected)
                .with_context(|| format!("writing the rejects file {}", path.display())),
            None => Ok(()),
        },
    )?;
    finish(ctx, &report, args.dry_run, args.rejects.as_deref(), out)
}

/// Print warnings, problems and the per-file table; decide the status.
pub fn finish(
    ctx: &Context,
    report: &ImportReport,
    dry_run: bool,
    rejects: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<Status> {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    report_problems(&report.problems, PROBLEM_LIMIT);
    out.write_all(results_table(&report.files, ctx.lang).to_text().as_bytes())?;
    let problems = report.problems.len();
    if dry_run {
        eprintln!(
            "dry run: nothing was written ({problems} problem{})",
            plural(problems)
        );
    } else if !report.committed {
        eprintln!(
            "nothing was imported: {problems} problem{} (fix them and import again, or use --rejects FILE to import the valid rows)",
            plural(problems)
        );
    } else if let (Some(path), true) = (rejects, report.rejected_rows() > 0) {
        eprintln!(
            "imported the valid rows; {} rejected row{} written to {}",
            report.rejected_rows(),
            plural(report.rejected_rows() as usize),
            path.display()
        );
    }
    Ok(if problems == 0 {
        Status::Ok
    } else {
        Status::Problems
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The per-file result table.
pub fn results_table(files: &[FileResult], lang: Lang) -> Table {
    let labels = [
        ("file", Label::File),
        ("kind", Label::Kind),
        ("encoding", Label::Encoding),
        ("read", Label::Read),
        ("new", Label::New),
        ("updated", Label::Updated),
        ("unchanged", Label::Unchanged),
        ("skipped", Label::Skipped),
        ("rejected", Label::Rejected),
    ];
    Table {
        columns: labels
            .iter()
            .map(|(key, label)| Column::new(*key, label.text(lang)))
            .collect(),
        rows: files
            .iter()
            .map(|f| {
                let n = |v: u64| Cell::Int(v as i64);
                vec![
                    Cell::text(f.name.clone()),
                    Cell::text(f.kind.map_or("?", |k| match lang {
                        Lang::En => k.key(),
                        Lang::Zh => k.zh(),
                    })),
                    Cell::text(f.encoding.clone()),
                    n(f.read),
                    n(f.new),
                    n(f.updated),
                    n(f.unchanged),
                    n(f.skipped),
                    n(f.rejected),
                ]
            })
            .collect(),
        total: None,
    }
}

/// Write rejected rows as UTF-8 CSV with a BOM (so Excel shows the Chinese),
/// readable by its owner only: for each file, its header plus `error`, then
/// its rejected rows with the problems.
pub fn write_rejects(path: &Path, rejected: &[Rejected]) -> anyhow::Result<()> {
    let mut file = create_private(path)?;
    file.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(file);
    for (index, block) in rejected.iter().enumerate() {
        if index > 0 {
            w.write_record(None::<&[u8]>)?;
        }
        let mut header = block.header.clone();
        header.push("error".into());
        w.write_record(&header)?;
        for (cells, error) in &block.rows {
            // A short row is padded so that the error lands in its column.
            let mut row = cells.clone();
            if row.len() < block.header.len() {
                row.resize(block.header.len(), String::new());
            }
            row.push(error.clone());
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Create (or truncate) a file readable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
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
