//! One file per subcommand. Here: the settings every command shares,
//! resolved once from the raw flags, and the dispatch.

pub mod check;
pub mod demo;
pub mod export;
pub mod grant;
pub mod import;
pub mod log;
pub mod overdue;
pub mod show;
pub mod summary;
pub mod totals;
pub mod undo;

use crate::cli::{Cli, Command, FilterArgs, FormatArg, HouseholdFilterArgs, MemberFilterArgs};
use crate::i18n::report::ReportMsg;
use crate::i18n::Msg;
use crate::output::Guard;
use crate::problem::UsageError;
use crate::report::group::Filters;
use crate::report::{Format, Lang};
use crate::store::{Doing, Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a command ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Ok,
    /// Exit 1: the data has problems (they were reported).
    Problems,
}

/// Settings shared by every command.
pub struct Context {
    /// `--db` as given; `None` when it was not.
    pub db_flag: Option<PathBuf>,
    pub lang: Lang,
    pub reveal: bool,
    pub quiet: bool,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Context {
        Context {
            db_flag: cli.db.clone(),
            lang: cli.lang.unwrap_or_else(Lang::from_env),
            reveal: cli.reveal,
            quiet: cli.quiet,
        }
    }

    /// `--db`, else `$BANGFU_DB`, else `./bangfu.db`.
    pub fn db_path(&self) -> PathBuf {
        self.db_flag
            .clone()
            .or_else(|| {
                std::env::var_os("BANGFU_DB")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from("bangfu.db"))
    }

    /// The database as messages name it: a server's URL with its
    /// password masked (a clerk's screen or a pasted message must not
    /// show it), a file's path as given.
    pub fn db_shown(&self) -> String {
        let name = self.db_path().display().to_string();
        if crate::store::pg::connect::is_url(&name) {
            crate::store::pg::connect::masked(&name)
        } else {
            name
        }
    }

    /// Where this command may write, reading `inputs` (contract §10).
    pub fn guard(&self, inputs: &[PathBuf]) -> Guard {
        Guard::new(&self.db_path(), inputs)
    }

    /// Open the database, which must exist and be bangfu's: a wrong path
    /// is a usage error, and nothing is created.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        self.announced(Store::open(&self.db_path()))
    }

    /// Open the database, creating it if need be: for `import` and
    /// `demo --db` only (contract §4).
    pub fn create_store(&self) -> anyhow::Result<Store> {
        self.announced(Store::create(&self.db_path()))
    }

    /// An opened store, its upgrade said once; a wrong database given is a
    /// usage error.
    fn announced(&self, opened: Result<Store, StoreError>) -> anyhow::Result<Store> {
        let store = match opened {
            Ok(store) => store,
            Err(e) if e.is_usage() => return Err(UsageError::new(e.text(self.lang)).into()),
            Err(e) => return Err(e.said(self.lang)),
        };
        if let Some(from) = store.upgraded_from() {
            // Said once, by the command whose open upgraded the file: its
            // records are untouched, but an older bangfu cannot read it now.
            // (A dry run upgrades a copy in memory instead.)
            let notice = crate::i18n::Msg::Upgraded {
                path: self.db_shown(),
                from,
                to: store.version()?,
            };
            crate::problem::say(&notice.text(self.lang), self.reveal);
        }
        Ok(store)
    }

    /// A command's failure, with any SQLite error in it said in full: the
    /// database's name, what happened, and what became of the data.
    fn explained(&self, e: anyhow::Error, name: &str, doing: Doing) -> anyhow::Error {
        let failed = e.chain().find_map(|cause| {
            use crate::store::error::Trouble;
            let trouble = match cause.downcast_ref::<rusqlite::Error>() {
                Some(e) => Trouble::of_sqlite(e),
                None => Trouble::of(
                    cause
                        .downcast_ref::<crate::store::sql::SqlError>()
                        .or_else(|| cause.downcast_ref::<StoreError>()?.sql())?,
                ),
            };
            Some(StoreError::Failed {
                path: name.to_string(),
                trouble,
                doing,
            })
        });
        match failed {
            Some(failed) => failed.said(self.lang),
            None => e,
        }
    }
}

/// Run the command the user asked for, writing its report to `out` — or,
/// with `--output FILE`, to FILE, whole or not at all.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Status> {
    let ctx = Context::from_cli(&cli);
    let doing = match &cli.command {
        Command::Import(args) if args.dry_run => Doing::Checking,
        Command::Import(_) | Command::Demo => Doing::Importing,
        Command::Undo(args) if args.dry_run => Doing::Checking,
        Command::Undo(_) => Doing::Undoing,
        // One transaction: a failure leaves the roles as they were.
        Command::Grant(_) => Doing::Checking,
        _ => Doing::Reporting,
    };
    // `demo` without --db loads the sample into memory.
    let name = match (&cli.command, &ctx.db_flag) {
        (Command::Demo, None) => "the sample database in memory".to_string(),
        _ => {
            // The database must be the file whose name is shown: a `file:`
            // URI or `:memory:` would put the data somewhere else.
            let path = ctx.db_path();
            if crate::store::is_special_name(&path) {
                let given = path.display().to_string();
                return Err(UsageError::said(Msg::SpecialDbName { given }).into());
            }
            ctx.db_shown()
        }
    };
    let explained = |e| ctx.explained(e, &name, doing);
    let mut command = cli.command;
    let Some(FormatArg {
        given,
        format,
        output,
    }) = report_format(&mut command)
    else {
        return dispatch(&ctx, command, out).map_err(explained);
    };
    // A workbook's name is refused whatever --format says.
    let by_name = output.as_deref().map(format_of).transpose()?;
    *format = given.or(by_name).unwrap_or_default();
    let Some(path) = output.clone() else {
        return dispatch(&ctx, command, out).map_err(explained);
    };
    let format = *format;
    // Refused before the database is opened; written once the report is
    // complete, so that a failing report leaves no file.
    let target = ctx.guard(&[]).target(&path)?;
    let mut report = Vec::new();
    if format == Format::Csv {
        // So that Excel and WPS open it without garbling the Chinese.
        report.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let status = dispatch(&ctx, command, &mut report).map_err(explained)?;
    target.write(&report)?;
    Ok(status)
}

/// The format `--output FILE` asks for by its extension, when `--format`
/// is not given: a clerk's `--output report.csv` wants csv, not the box
/// table. A workbook is `export`'s, refused here (usage), with or without
/// `--format`.
fn format_of(path: &Path) -> Result<Format, UsageError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some("md" | "markdown") => Format::Markdown,
        Some("xlsx" | "xls") => {
            return Err(UsageError::said(ReportMsg::WorkbookOutput {
                path: path.display().to_string(),
            }))
        }
        _ => Format::Table,
    })
}

/// `--format` and `--output` of a report command.
fn report_format(command: &mut Command) -> Option<&mut FormatArg> {
    match command {
        Command::Summary(args) => Some(&mut args.format),
        Command::Totals(args) => Some(&mut args.format),
        Command::Overdue(args) => Some(&mut args.format),
        Command::Unpaired(args) => Some(&mut args.format),
        Command::Show(args) => Some(&mut args.format),
        Command::Check(args) => Some(&mut args.format),
        Command::Log(args) => Some(&mut args.format),
        Command::Import(_)
        | Command::Export(_)
        | Command::Demo
        | Command::Undo(_)
        | Command::Grant(_) => None,
    }
}

fn dispatch(ctx: &Context, command: Command, out: &mut dyn Write) -> anyhow::Result<Status> {
    match command {
        Command::Import(args) => import::run(ctx, &args, out),
        Command::Summary(args) => summary::run(ctx, &args, out),
        Command::Totals(args) => totals::run(ctx, &args, out),
        Command::Overdue(args) => overdue::run_overdue(ctx, &args, out),
        Command::Unpaired(args) => overdue::run_unpaired(ctx, &args, out),
        Command::Show(args) => show::run(ctx, &args, out),
        Command::Check(args) => check::run(ctx, &args, out),
        Command::Export(args) => export::run(ctx, &args, out),
        Command::Demo => demo::run(ctx, out),
        Command::Log(args) => log::run(ctx, &args, out),
        Command::Undo(args) => undo::run(ctx, &args, out),
        Command::Grant(args) => grant::run(ctx, &args, out),
    }
}

/// FILTERS as the reports take them.
pub fn filters(args: &FilterArgs) -> Filters {
    Filters {
        from: args.from,
        to: args.to,
        category: args.category,
        ledger: args.ledger.ledger.clone(),
        ..record_filters(&args.households, &args.members)
    }
}

/// The FILTERS of a report as this login may make it: a server's login
/// held to one township (`bangfu grant ROLE --township T`) reports that
/// township, as `--township T` does for the district's login, whatever
/// else of the district it reads (every member, contract §11); another
/// township asked for is a usage error. Elsewhere the filters as given.
/// A `--from` after the `--to` is a usage error too: it printed an empty
/// report, exit 0 (review 6).
pub fn for_login(store: &Store, mut filters: Filters) -> anyhow::Result<Filters> {
    if let (Some(from), Some(to)) = (filters.from, filters.to) {
        if from > to {
            let (from, to) = (from.to_string(), to.to_string());
            return Err(UsageError::said(ReportMsg::EmptyPeriod { from, to }).into());
        }
    }
    let Some(own) = store.login_township()? else {
        return Ok(filters);
    };
    let clean = crate::values::text::clean;
    match &filters.township {
        Some(given) if clean(given.trim()) != clean(own.trim()) => {
            return Err(UsageError::said(ReportMsg::NotThisLogin {
                given: given.clone(),
                own,
            })
            .into());
        }
        Some(_) => {}
        None => {
            filters.township = Some(own);
            filters.township_of_login = true;
        }
    }
    Ok(filters)
}

/// The FILTERS on households and members that a command takes.
pub fn record_filters(households: &HouseholdFilterArgs, members: &MemberFilterArgs) -> Filters {
    Filters {
        township: households.township.clone(),
        village: households.village.clone(),
        household: households.household.clone(),
        unit: members.unit.clone(),
        member: members.member.clone(),
        ..Filters::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_is_named_with_its_password_masked_and_a_file_as_given() {
        let named = |db: &str| {
            Context {
                db_flag: Some(PathBuf::from(db)),
                lang: Lang::En,
                reveal: false,
                quiet: false,
            }
            .db_shown()
        };
        assert_eq!(
            named("postgres://clerk:s3cret@h:5432/district"),
            "postgres://clerk:***@h:5432/district"
        );
        assert_eq!(
            named("postgresql://clerk@h/district?password=s3cret"),
            "postgresql://clerk@h/district?password=***"
        );
        assert_eq!(named("台账/bangfu.db"), "台账/bangfu.db");
    }
}
