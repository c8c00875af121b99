//! `bangfu check`: findings across records; exit 1 where there are any.

use super::{Context, Status};
use crate::cli::CheckArgs;
use crate::i18n::report::ReportMsg;
use crate::report::check;
use crate::report::group::World;
use std::io::Write;

pub fn run(ctx: &Context, args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    // Findings read from a damaged file would be wrong.
    store.check_integrity()?;
    let world = World::load(store.reports())?;
    let filters = super::for_login(&store, super::filters(&args.filters))?;
    let findings = check::findings(
        store.reports(),
        &world,
        &filters,
        crate::values::Date::today(),
    )?;
    out.write_all(
        check::render(&world, &findings, ctx.lang, args.format.format, ctx.reveal).as_bytes(),
    )?;
    if findings.is_empty() {
        Ok(Status::Ok)
    } else {
        let verdict = ReportMsg::Findings {
            count: findings.len(),
        };
        crate::problem::say(&verdict.text(ctx.lang), ctx.reveal);
        Ok(Status::Problems)
    }
}
