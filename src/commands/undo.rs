//! `bangfu undo N [--dry-run]`: import N taken back (contract §8), or
//! refused with nothing written (exit 1; a number the log does not have,
//! exit 2), saying why.

use super::{Context, Status};
use crate::cli::UndoArgs;
use crate::i18n::undo::{undone_lines, UndoMsg};
use crate::i18n::Msg;
use crate::problem::say;
use crate::problem::UsageError;
use crate::store::undo::Refusal;
use crate::store::Store;
use std::io::Write;

pub fn run(ctx: &Context, args: &UndoArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let mut store = match args.dry_run {
        true => dry_run_store(ctx)?,
        false => ctx.open_store()?,
    };
    store.check_seal(crate::store::Doing::Undoing)?;
    // A number beyond any the log can hold is one it does not have.
    let number = i64::try_from(args.number).unwrap_or(i64::MAX);
    match store.undo(number, args.dry_run)? {
        Ok(undone) => {
            for line in undone_lines(&undone, args.dry_run) {
                writeln!(out, "{}", line.text(ctx.lang))?;
            }
            Ok(Status::Ok)
        }
        // A number the log does not have is a wrong reference on the
        // command line, as an unknown household is to `show` (exit 2).
        Err(refusal @ Refusal::Unknown { .. }) => {
            Err(UsageError::said(UndoMsg::Refused(refusal)).into())
        }
        Err(refusal) => {
            say(&UndoMsg::Refused(refusal).text(ctx.lang), ctx.reveal);
            Ok(Status::Problems)
        }
    }
}

/// The database a dry run reads: a file an older bangfu made is upgraded
/// in a copy in memory (said once), so that a dry run writes nothing, not
/// even the upgrade; any other is opened as usual.
fn dry_run_store(ctx: &Context) -> anyhow::Result<Store> {
    let path = ctx.db_path();
    match Store::upgraded_copy(&path)? {
        Some(copy) => {
            if let Some(version) = copy.upgraded_from() {
                let path = path.display().to_string();
                say(
                    &Msg::DryRunOnOlderSchema { path, version }.text(ctx.lang),
                    ctx.reveal,
                );
            }
            Ok(copy)
        }
        None => ctx.open_store(),
    }
}
