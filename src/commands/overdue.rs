//! `bangfu overdue` and `bangfu unpaired`: the follow-up lists.

use super::{Context, Status};
use crate::cli::{OverdueArgs, UnpairedArgs};
use crate::report::group::World;
use crate::report::overdue;
use crate::values::Date;
use std::io::Write;

pub fn run_overdue(
    ctx: &Context,
    args: &OverdueArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let as_of = args.as_of.unwrap_or_else(Date::today);
    let filters = super::record_filters(&args.households, &args.members);
    let (world, rows) = overdue::load_and_overdue(store.reports(), as_of, args.days, &filters)?;
    let text = overdue::render_overdue(
        &world,
        &rows,
        as_of,
        args.days,
        ctx.lang,
        args.format.format,
        ctx.reveal,
    );
    out.write_all(text.as_bytes())?;
    Ok(Status::Ok)
}

pub fn run_unpaired(
    ctx: &Context,
    args: &UnpairedArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let world = World::load(store.reports())?;
    let as_of = args.as_of.unwrap_or_else(Date::today);
    // Unpaired households have no member to filter by.
    let filters = super::record_filters(&args.households, &Default::default());
    let rows = overdue::unpaired(store.reports(), &world, as_of, &filters)?;
    out.write_all(
        overdue::render_unpaired(&world, &rows, ctx.lang, args.format.format, ctx.reveal)
            .as_bytes(),
    )?;
    Ok(Status::Ok)
}
