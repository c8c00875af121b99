//! `bangfu demo`: the sample district (data/, built into the binary) loaded
//! into memory — or into `--db` — and its report printed, so a newcomer sees
//! what bangfu does from any directory with one command.

use super::{Context, Status};
use crate::i18n::report::ReportMsg;
use crate::import::Input;
use crate::input::{ReadOptions, Source};
use crate::problem::{report_problems, UsageError};
use crate::report::{summary, Format};
use crate::store::Store;
use crate::values::Date;
use std::io::{Cursor, Write};

/// The sample files, as shipped in data/.
pub const SAMPLE: [(&str, &[u8]); 4] = [
    (
        "data/households.csv",
        include_bytes!("../../data/households.csv"),
    ),
    ("data/members.csv", include_bytes!("../../data/members.csv")),
    (
        "data/pairings.csv",
        include_bytes!("../../data/pairings.csv"),
    ),
    (
        "data/deliveries.csv",
        include_bytes!("../../data/deliveries.csv"),
    ),
];

/// The sample files as import inputs.
pub fn sample_inputs() -> Vec<Input> {
    SAMPLE
        .iter()
        .map(|(name, bytes)| {
            let source = Source::from_reader(Cursor::new(*bytes), &ReadOptions::default());
            Input::new((*name).to_string(), source, None)
        })
        .collect()
}

pub fn run(ctx: &Context, out: &mut dyn Write) -> anyhow::Result<Status> {
    let mut store = match &ctx.db_flag {
        Some(_) => ctx.create_store()?,
        None => Store::in_memory()?,
    };
    // The invented district must not mix into a real one.
    if crate::store::query::holds_records(store.reports())? {
        let path = ctx.db_shown();
        return Err(UsageError::said(ReportMsg::DemoIntoRecords { path }).into());
    }
    let report = super::import::import_into(&mut store, sample_inputs())?;
    if !report.problems.is_empty() {
        report_problems(&report.problems, 100, ctx.lang, ctx.reveal);
        return Err(ReportMsg::SampleNotClean.into());
    }
    let figures = summary::compute(store.reports(), &Default::default(), Date::today())?;
    let text = summary::render(&figures, ctx.lang, Format::Table);
    out.write_all(text.as_bytes())?;
    for table in crate::report::totals::demo_tables(store.reports(), ctx.lang)? {
        writeln!(out)?;
        out.write_all(table.to_text().as_bytes())?;
    }
    Ok(Status::Ok)
}
