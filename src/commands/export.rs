//! `bangfu export --xlsx FILE [FILTERS]`: the report workbook.

use super::{Context, Status};
use crate::cli::ExportArgs;
use crate::report::xlsx::{export, ExportSpec};
use crate::values::Date;
use anyhow::Context as _;
use std::io::Write;

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let spec = ExportSpec {
        filters: super::filters(&args.filters),
        lang: ctx.lang,
        reveal: ctx.reveal,
        today: Date::today(),
        overdue_days: args.days,
    };
    let bytes = export(&store.conn, &spec)?;
    super::import::create_private(&args.xlsx)
        .and_then(|mut file| file.write_all(&bytes))
        .with_context(|| format!("writing {}", args.xlsx.display()))?;
    writeln!(out, "{}", args.xlsx.display())?;
    Ok(Status::Ok)
}
