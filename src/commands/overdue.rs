//! `bangfu overdue` and `bangfu unpaired`: the follow-up lists.

use super::{Context, Status};
use crate::cli::{OverdueArgs, UnpairedArgs};
use crate::i18n::report::ReportMsg;
use crate::report::group::{Filters, World};
use crate::report::overdue;
use crate::report::{Format, Lang};
use crate::values::Date;
use std::io::Write;

pub fn run_overdue(
    ctx: &Context,
    args: &OverdueArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let as_of = args.as_of.unwrap_or_else(Date::today);
    let filters = super::for_login(
        &store,
        Filters {
            ledger: args.ledger.ledger.clone(),
            ..super::record_filters(&args.households, &args.members)
        },
    )?;
    let (world, rows) = overdue::load_and_overdue(store.reports(), as_of, args.days, &filters)?;
    let format = args.format.format;
    let count = ReportMsg::OverdueCount {
        count: rows.len(),
        days: args.days,
        as_of: as_of.to_string(),
    };
    if !(format == Format::Table && rows.is_empty()) {
        let text = overdue::render_overdue(
            &world, &rows, as_of, args.days, ctx.lang, format, ctx.reveal,
        );
        out.write_all(text.as_bytes())?;
    }
    count_line(out, format, &count, ctx.lang)?;
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
    let filters = super::for_login(
        &store,
        Filters {
            ledger: args.ledger.ledger.clone(),
            ..super::record_filters(&args.households, &Default::default())
        },
    )?;
    let rows = overdue::unpaired(store.reports(), &world, as_of, &filters)?;
    let format = args.format.format;
    if !(format == Format::Table && rows.is_empty()) {
        let text = overdue::render_unpaired(&world, &rows, as_of, ctx.lang, format, ctx.reveal);
        out.write_all(text.as_bytes())?;
    }
    let count = ReportMsg::UnpairedCount {
        count: rows.len(),
        as_of: as_of.to_string(),
    };
    count_line(out, format, &count, ctx.lang)?;
    Ok(Status::Ok)
}

/// A table ends with how many rows it lists and as of when, in the
/// report's language (the sentence a clerk copies into a report; it stays
/// in the table's file with `--output`). An empty list is that line alone.
/// Other formats are data, left as they are.
fn count_line(
    out: &mut dyn Write,
    format: Format,
    count: &ReportMsg,
    lang: Lang,
) -> std::io::Result<()> {
    if format == Format::Table {
        writeln!(out, "{}", count.text(lang))?;
    }
    Ok(())
}
