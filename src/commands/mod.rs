//! One file per subcommand. Here: the settings every command shares,
//! resolved once from the raw flags, and the dispatch.

pub mod check;
pub mod demo;
pub mod export;
pub mod import;
pub mod overdue;
pub mod show;
pub mod summary;
pub mod totals;

use crate::cli::{Cli, Command, FilterArgs};
use crate::problem::UsageError;
use crate::report::group::Filters;
use crate::report::Lang;
use crate::store::{Doing, Store, StoreError};
use std::io::Write;
use std::path::PathBuf;

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

    /// Open the database, which must exist and be bangfu's: a wrong path
    /// is a usage error, and nothing is created.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        self.announced(Store::open(&self.db_path()))
    }

    /// Open the database, creating it if need be: for `import` and
    /// `demo --db` only (SPEC §4).
    pub fn create_store(&self) -> anyhow::Result<Store> {
        self.announced(Store::create(&self.db_path()))
    }

    /// An opened store, its upgrade said once; a wrong database given is a
    /// usage error.
    fn announced(&self, opened: Result<Store, StoreError>) -> anyhow::Result<Store> {
        let store = match opened {
            Ok(store) => store,
            Err(e) if e.is_usage() => return Err(UsageError::new(e.to_string()).into()),
            Err(e) => return Err(e.into()),
        };
        if let Some(from) = store.upgraded_from() {
            // Said once, by the command whose open upgraded the file: its
            // records are untouched, but an older bangfu cannot read it now.
            // (A dry run upgrades a copy in memory instead.)
            eprintln!(
                "{}: upgraded from schema {from} to {} (a one-off change of format; every record is kept)",
                self.db_path().display(),
                crate::store::schema::current_version()
            );
        }
        Ok(store)
    }

    /// A command's failure, with any SQLite error in it said in full: the
    /// database's name, what happened, and what became of the data.
    fn explained(&self, e: anyhow::Error, name: &str, doing: Doing) -> anyhow::Error {
        let sqlite = e.chain().find_map(|cause| {
            cause
                .downcast_ref::<rusqlite::Error>()
                .or_else(|| cause.downcast_ref::<StoreError>()?.sqlite())
        });
        match sqlite {
            Some(sqlite) => StoreError::failed(name, doing, sqlite).into(),
            None => e,
        }
    }
}

/// Run the command the user asked for, writing its report to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Status> {
    let ctx = Context::from_cli(&cli);
    let doing = match &cli.command {
        Command::Import(args) if args.dry_run => Doing::Checking,
        Command::Import(_) | Command::Demo => Doing::Importing,
        _ => Doing::Reporting,
    };
    // `demo` without --db loads the sample into memory.
    let name = match (&cli.command, &ctx.db_flag) {
        (Command::Demo, None) => "the sample database in memory".to_string(),
        _ => ctx.db_path().display().to_string(),
    };
    let done = match cli.command {
        Command::Import(args) => import::run(&ctx, &args, out),
        Command::Summary(args) => summary::run(&ctx, &args, out),
        Command::Totals(args) => totals::run(&ctx, &args, out),
        Command::Overdue(args) => overdue::run_overdue(&ctx, &args, out),
        Command::Unpaired(args) => overdue::run_unpaired(&ctx, &args, out),
        Command::Show(args) => show::run(&ctx, &args, out),
        Command::Check(args) => check::run(&ctx, &args, out),
        Command::Export(args) => export::run(&ctx, &args, out),
        Command::Demo => demo::run(&ctx, out),
    };
    done.map_err(|e| ctx.explained(e, &name, doing))
}

/// FILTERS as the reports take them.
pub fn filters(args: &FilterArgs) -> Filters {
    Filters {
        from: args.from,
        to: args.to,
        township: args.township.clone(),
        village: args.village.clone(),
        unit: args.unit.clone(),
        member: args.member.clone(),
        household: args.household.clone(),
        category: args.category,
    }
}
