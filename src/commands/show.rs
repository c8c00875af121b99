//! `bangfu show household REF` / `bangfu show member REF`: one record card.

use super::{Context, Status};
use crate::cli::{ShowArgs, ShowWhat};
use crate::report::show::{card, Subject};
use crate::report::{Format, Lang};
use std::io::Write;

pub fn run(ctx: &Context, args: &ShowArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let store = ctx.open_store()?.for_reports()?;
    let (subject, reference) = match &args.what {
        ShowWhat::Household { reference } => (Subject::Household, reference),
        ShowWhat::Member { reference } => (Subject::Member, reference),
    };
    let format = args.format.format;
    // JSON speaks in keys (categories, statuses), whatever --lang says.
    let lang = if format == Format::Json {
        Lang::En
    } else {
        ctx.lang
    };
    let card = card(
        store.reports(),
        subject,
        reference,
        args.ledger.ledger.as_deref(),
        lang,
        ctx.reveal,
    )?;
    out.write_all(card.render(lang, format).as_bytes())?;
    Ok(Status::Ok)
}
