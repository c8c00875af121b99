//! `bangfu log`: the import log, newest first (contract §8).

use super::{Context, Status};
use crate::cli::LogArgs;
use crate::i18n::undo::LogMsg;
use crate::problem::say;
use crate::report::log;
use crate::store::log::{commands, unlisted};
use std::io::Write;

pub fn run(ctx: &Context, args: &LogArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let log = commands(store.reports())?;
    let unlisted = unlisted(store.reports())?;
    let text = log::render(&log, ctx.lang, args.format.format, ctx.reveal);
    out.write_all(text.as_bytes())?;
    out.flush()?;
    // After the table, on stderr: the table (and JSON) stay the log's.
    if let Some((township, numbers)) = unlisted.filter(|(_, numbers)| !numbers.is_empty()) {
        say(
            &LogMsg::Unlisted { township, numbers }.text(ctx.lang),
            ctx.reveal,
        );
    }
    Ok(Status::Ok)
}
