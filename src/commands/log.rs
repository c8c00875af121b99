//! `bangfu log`: the import log, newest first (contract §8).

use super::{Context, Status};
use crate::cli::LogArgs;
use crate::report::log;
use crate::store::log::commands;
use std::io::Write;

pub fn run(ctx: &Context, args: &LogArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let log = commands(store.reports())?;
    let text = log::render(&log, ctx.lang, args.format.format, ctx.reveal);
    out.write_all(text.as_bytes())?;
    Ok(Status::Ok)
}
