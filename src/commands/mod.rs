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

use crate::cli::{Cli, Command, FilterArgs, HouseholdFilterArgs, MemberFilterArgs};
use crate::report::group::Filters;
use crate::report::Lang;
use crate::store::Store;
use anyhow::Context as _;
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

    /// Open the database.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        let path = self.db_path();
        let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
        if let Some(from) = store.upgraded_from() {
            // Said once, by the command whose open upgraded the file: its
            // records are untouched, but an older bangfu cannot read it now.
            // (A dry run upgrades a copy in memory instead.)
            eprintln!(
                "{}: upgraded from schema {from} to {} (a one-off change of format; every record is kept)",
                path.display(),
                crate::store::schema::current_version()
            );
        }
        Ok(store)
    }
}

/// Run the command the user asked for, writing its report to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Status> {
    let ctx = Context::from_cli(&cli);
    match cli.command {
        Command::Import(args) => import::run(&ctx, &args, out),
        Command::Summary(args) => summary::run(&ctx, &args, out),
        Command::Totals(args) => totals::run(&ctx, &args, out),
        Command::Overdue(args) => overdue::run_overdue(&ctx, &args, out),
        Command::Unpaired(args) => overdue::run_unpaired(&ctx, &args, out),
        Command::Show(args) => show::run(&ctx, &args, out),
        Command::Check(args) => check::run(&ctx, &args, out),
        Command::Export(args) => export::run(&ctx, &args, out),
        Command::Demo => demo::run(&ctx, out),
    }
}

/// FILTERS as the reports take them.
pub fn filters(args: &FilterArgs) -> Filters {
    Filters {
        from: args.from,
        to: args.to,
        category: args.category,
        ..record_filters(&args.households, &args.members)
    }
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
