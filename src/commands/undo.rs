//! `bangfu undo N [--dry-run]`: import N taken back (contract §8), or
//! refused with nothing written (exit 1), saying why.

use super::{Context, Status};
use crate::cli::UndoArgs;
use crate::i18n::undo::{undone_lines, UndoMsg};
use crate::problem::say;
use std::io::Write;

pub fn run(ctx: &Context, args: &UndoArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let mut store = ctx.open_store()?;
    // A number beyond any the log can hold is one it does not have.
    let number = i64::try_from(args.number).unwrap_or(i64::MAX);
    match store.undo(number, args.dry_run)? {
        Ok(undone) => {
            for line in undone_lines(&undone, args.dry_run) {
                writeln!(out, "{}", line.text(ctx.lang))?;
            }
            Ok(Status::Ok)
        }
        Err(refusal) => {
            say(&UndoMsg::Refused(refusal).text(ctx.lang), ctx.reveal);
            Ok(Status::Problems)
        }
    }
}
