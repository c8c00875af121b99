//! `bangfu export --xlsx FILE [FILTERS]`: the report workbook.

use super::{Context, Status};
use crate::cli::ExportArgs;
use crate::report::xlsx::{export, ExportSpec};
use crate::values::Date;
use std::io::Write;

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let target = ctx.guard(&[]).target(&args.xlsx)?;
    let store = ctx.open_store()?.for_reports()?;
    let spec = ExportSpec {
        filters: super::for_login(&store, super::filters(&args.filters))?,
        lang: ctx.lang,
        reveal: ctx.reveal,
        today: Date::today(),
        overdue_days: args.days,
        title: args.title.clone(),
    };
    let mut workbook = target.begin()?;
    export(store.reports(), &spec, &mut workbook)?;
    workbook.finish()?;
    writeln!(out, "{}", args.xlsx.display())?;
    Ok(Status::Ok)
}
