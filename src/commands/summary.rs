//! `bangfu summary`: the headline figures and the one-sentence report.

use super::{Context, Status};
use crate::cli::SummaryArgs;
use crate::report::summary;
use crate::values::Date;
use std::io::Write;

pub fn run(ctx: &Context, args: &SummaryArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let filters = super::for_login(&store, super::filters(&args.filters))?;
    let figures = summary::compute(store.reports(), &filters, Date::today())?;
    out.write_all(summary::render(&figures, ctx.lang, args.format.format).as_bytes())?;
    Ok(Status::Ok)
}
