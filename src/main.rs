//! The `bangfu` binary: parse the command line, run, map the outcome to an
//! exit status (0 ok, 1 data problems, 2 wrong usage). All logic lives in
//! the library.

use bangfu::commands::{self, Status};
use bangfu::i18n::{self, Lang};
use bangfu::problem::say;
use bangfu::UsageError;
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // The language is known before clap parses, for its help and errors.
    let args: Vec<OsString> = std::env::args_os().collect();
    let lang = Lang::from_args_or_env(&args);
    // A usage error may echo an argument: an ID or phone number in it is
    // masked, unless --reveal is among the arguments.
    let reveal_arg = args.iter().any(|a| a == "--reveal");
    let cli = match i18n::help::parse(lang, args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
            i18n::usage::print(e, lang, reveal_arg);
            return code;
        }
    };
    let reveal = cli.reveal;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = commands::run(cli, &mut out).and_then(|s| {
        out.flush()?;
        Ok(s)
    });
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Problems) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            let usage = e.downcast_ref::<UsageError>();
            // A usage error said in the user's language (unless wrapped).
            let text = match usage {
                Some(usage) if e.chain().count() == 1 => usage.text(lang),
                _ => format!("{e:#}"),
            };
            say(&format!("bangfu: {text}"), reveal);
            if usage.is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// A reader that stopped reading (`bangfu totals | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
