//! `bangfu totals --by DIM[,DIM...]`: totals per group, plain or crossed.

use super::{Context, Status};
use crate::cli::TotalsArgs;
use crate::report::totals::{compute, TotalsSpec};
use std::io::Write;

pub fn run(ctx: &Context, args: &TotalsArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let spec = TotalsSpec {
        by: args.by.clone(),
        across: args.across,
        measure: args.measure,
        filters: super::for_login(&store, super::filters(&args.filters))?,
        sort: args.sort,
        top: args.top,
    };
    let totals = compute(store.reports(), spec)?;
    out.write_all(
        totals
            .render(ctx.lang, args.format.format, ctx.reveal)
            .as_bytes(),
    )?;
    Ok(Status::Ok)
}
