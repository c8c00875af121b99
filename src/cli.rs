//! The command line, as clap derive types. Raw flags only: commands resolve
//! them into settings (the database path, the language) once, in
//! [`crate::commands`].

use crate::i18n::Msg;
use crate::input::headers::Kind;
use crate::input::{encoding, parse_delimiter};
use crate::report::group::{Dim, Measure};
use crate::report::totals::SortBy;
use crate::report::{Format, Lang};
use crate::values::{redact, Category, Date, LedgerName, ValueError};
use clap::{Args, Parser, Subcommand};
use encoding_rs::Encoding;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "bangfu",
    version,
    about = "Paired poverty-aid records (结对帮扶, 六送一办): import spreadsheet exports into a SQLite file or a PostgreSQL server, print report totals",
    after_help = "Exit status: 0 ok, 1 data problems, 2 wrong usage.\nThe database is --db, else $BANGFU_DB, else ./bangfu.db."
)]
pub struct Cli {
    /// The database: a file, or a server as postgres://USER@HOST:PORT/DBNAME [default: $BANGFU_DB, else ./bangfu.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Language of human output [default: zh where the first set of LC_ALL, LC_MESSAGES, LANG starts with zh, else en]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,

    /// Show ID and phone numbers whole instead of masked
    #[arg(long, global = true)]
    pub reveal: bool,

    /// No progress bar
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import households, members, pairings and deliveries from CSV/TSV exports
    Import(ImportArgs),
    /// The headline figures and the one-sentence report
    Summary(SummaryArgs),
    /// Totals of deliveries per group, with a grand total row
    Totals(TotalsArgs),
    /// Pairings whose last visit is too long ago (or never happened)
    Overdue(OverdueArgs),
    /// Poor households with no active pairing
    Unpaired(UnpairedArgs),
    /// One household or member: the record, its pairings and deliveries
    Show(ShowArgs),
    /// Findings across records: deliveries outside a pairing, pairings without deliveries, members without households
    Check(CheckArgs),
    /// Write a report workbook (.xlsx) with charts
    Export(ExportArgs),
    /// Load the built-in sample district into memory (or into --db PATH) and print its report
    Demo,
    /// The import log, newest first: each import's number, time, user and files
    Log(LogArgs),
    /// Take back import N exactly: what it added is deleted, what it changed or removed is put back
    Undo(UndoArgs),
    /// Make (or update) a PostgreSQL login role that reads and writes only one township's records, or every township's
    #[command(after_help = GRANT_AFTER_HELP)]
    Grant(GrantArgs),
}

/// How a clerk logs in with the role `grant` made (its Chinese is in
/// src/i18n/help.rs).
pub const GRANT_AFTER_HELP: &str = "Run it as the database's admin (the role that made bangfu's tables): --db postgres://ADMIN@HOST:PORT/DBNAME.\n\
The server holds the role to its township (row-level security): it writes only the households whose current township is the --township, their pairings and deliveries, and reads those and the households that moved away from the township; it reads every member and writes none; it reads the import log (its own imports and the district's) and writes that of its own imports. Its reports are its township's: each is the report --township gives the district's login, also after a household moved away. A township no household has or had is refused, with the near name, unless --new-township. Without --township it reads and writes everything. Granting a role again changes its township, and its password if one is given.\n\
The password is never given on the command line: it is the first line of --password-file FILE, else $BANGFU_ROLE_PASSWORD. The clerk then uses --db postgres://ROLE@HOST:PORT/DBNAME with the password in PGPASSWORD or ~/.pgpass. A role without a password logs in only where the server's pg_hba.conf lets it in without one (peer, cert); give it one by granting it again with a password.";

// The value parsers return the catalogue's errors, which the usage error
// then renders in the user's language (crate::i18n::usage).

fn date_arg(s: &str) -> Result<Date, ValueError> {
    Date::parse(s)
}

fn category_arg(s: &str) -> Result<Category, ValueError> {
    Category::parse(s)
}

fn kind_arg(s: &str) -> Result<Kind, Msg> {
    Kind::parse(s).ok_or_else(|| Msg::UnknownKind { given: redact(s) })
}

fn ledger_arg(s: &str) -> Result<LedgerName, Msg> {
    LedgerName::parse(s).ok_or(Msg::EmptyLedger)
}

fn encoding_arg(s: &str) -> Result<&'static Encoding, Msg> {
    encoding::from_label(s).ok_or_else(|| Msg::UnknownEncoding { given: redact(s) })
}

fn delimiter_arg(s: &str) -> Result<u8, Msg> {
    parse_delimiter(s).map_err(|_| Msg::BadDelimiter { given: redact(s) })
}

/// FILTERS: which deliveries (and records) a report counts.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only deliveries on or after DATE
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub from: Option<Date>,
    /// Only deliveries on or before DATE
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub to: Option<Date>,
    #[command(flatten)]
    pub households: HouseholdFilterArgs,
    #[command(flatten)]
    pub members: MemberFilterArgs,
    /// Only this category (key or Chinese name)
    #[arg(long, value_name = "CATEGORY", value_parser = category_arg)]
    pub category: Option<Category>,
    #[command(flatten)]
    pub ledger: LedgerFilterArg,
}

/// The FILTER on ledgers, which every report takes. (Global, so that
/// `show` takes it after its subcommand too.)
#[derive(Debug, Args, Clone, Default)]
pub struct LedgerFilterArg {
    /// Only the records this ledger (台账) holds
    #[arg(long, value_name = "NAME", global = true)]
    pub ledger: Option<String>,
}

/// The FILTERS on households: what `unpaired` takes.
#[derive(Debug, Args, Clone, Default)]
pub struct HouseholdFilterArgs {
    /// Only households of this township
    #[arg(long, value_name = "NAME")]
    pub township: Option<String>,
    /// Only households of villages of this name (in every township, unless --township)
    #[arg(long, value_name = "NAME")]
    pub village: Option<String>,
    /// Only this household (id or head)
    #[arg(long, value_name = "REF")]
    pub household: Option<String>,
}

/// The FILTERS on members; with those on households, what `overdue` takes.
#[derive(Debug, Args, Clone, Default)]
pub struct MemberFilterArgs {
    /// Only members of this unit
    #[arg(long, value_name = "NAME")]
    pub unit: Option<String>,
    /// Only this member (id or name)
    #[arg(long, value_name = "REF")]
    pub member: Option<String>,
}

/// How and where a report is written. (Global, so that `show` takes them
/// after its subcommand too: `show household H1 --format csv`.)
#[derive(Debug, Args)]
pub struct FormatArg {
    /// Output format [default: by --output's extension (.csv, .json, .md, .txt), else table]
    #[arg(
        long = "format",
        id = "format",
        value_name = "FORMAT",
        value_enum,
        global = true
    )]
    pub given: Option<Format>,
    /// The format to write: `--format`, else chosen by `--output`'s
    /// extension, else table (set by [`crate::commands::run`]).
    #[arg(skip)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (csv there starts with a UTF-8 BOM)
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TotalsArgs {
    /// Group by these dimensions, comma-separated
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        required = true,
        value_name = "DIM[,DIM...]"
    )]
    pub by: Vec<Dim>,
    /// Cross-tab: one column per value of DIM
    #[arg(long, value_enum, value_name = "DIM")]
    pub across: Option<Dim>,
    /// What the cross-tab cells hold (with --across only)
    #[arg(long, value_enum, default_value_t = Measure::Total, requires = "across")]
    pub measure: Measure,
    /// Order of the rows
    #[arg(long, value_enum, default_value_t = SortBy::Key)]
    pub sort: SortBy,
    /// Only the first N rows (the total row still covers all)
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The workbook to write
    #[arg(long, value_name = "FILE", required = true)]
    pub xlsx: PathBuf,
    /// Days after which a pairing counts as overdue on the overdue sheet
    #[arg(long, default_value_t = 90, value_name = "N")]
    pub days: u32,
    /// The district's name, heading each sheet's title line [default: the
    /// --township, else the townships the deliveries come from]
    #[arg(long, value_name = "NAME")]
    pub title: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

#[derive(Debug, Args)]
pub struct OverdueArgs {
    /// A pairing is overdue when its last delivery is more than N days old
    #[arg(long, default_value_t = 90, value_name = "N")]
    pub days: u32,
    /// The day to judge from [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub as_of: Option<Date>,
    #[command(flatten)]
    pub households: HouseholdFilterArgs,
    #[command(flatten)]
    pub members: MemberFilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
    #[command(flatten)]
    pub ledger: LedgerFilterArg,
}

#[derive(Debug, Args)]
pub struct UnpairedArgs {
    /// The day to judge from [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub as_of: Option<Date>,
    #[command(flatten)]
    pub households: HouseholdFilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
    #[command(flatten)]
    pub ledger: LedgerFilterArg,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(subcommand)]
    pub what: ShowWhat,
    #[command(flatten)]
    pub format: FormatArg,
    #[command(flatten)]
    pub ledger: LedgerFilterArg,
}

#[derive(Debug, Subcommand)]
pub enum ShowWhat {
    /// A household, by id or head
    Household {
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// A member, by id or name
    Member {
        #[arg(value_name = "REF")]
        reference: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files hold (households, members, pairings, deliveries); told from the headers when not given
    #[arg(long, value_name = "KIND", value_parser = kind_arg)]
    pub kind: Option<Kind>,

    /// Text encoding (utf-8, gbk, gb18030, utf-16le, utf-16be); detected when not given
    #[arg(long, value_name = "ENCODING", value_parser = encoding_arg)]
    pub encoding: Option<&'static Encoding>,

    /// Cell delimiter (a character, or tab, comma, semicolon); sniffed from the header line when not given
    #[arg(long, value_name = "CHAR", value_parser = delimiter_arg)]
    pub delimiter: Option<u8>,

    /// The sheet to read from .xlsx, .xls or .ods files [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// The ledger (台账) the files go into [default: each file's name without folder and extension]
    #[arg(long, value_name = "NAME", value_parser = ledger_arg)]
    pub ledger: Option<LedgerName>,

    /// Each file is the whole new version of its ledger for its kind: what it no longer lists, the ledger stops holding (deliveries and pairings no ledger holds are deleted, households and members removed)
    #[arg(long)]
    pub replace: bool,

    /// Replace even where --replace would remove more than half of what the ledger held, or rows of a township the file has no row of
    #[arg(long, requires = "replace")]
    pub force: bool,

    /// Check everything, write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Import the valid rows and write every rejected row, with an error column, to FILE
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// The files to import, in any order
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The import's number, as `bangfu log` shows it
    #[arg(value_name = "N")]
    pub number: u64,
    /// Say what undoing it would delete and put back, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The login role's name: the clerk's login on the server
    #[arg(value_name = "ROLE")]
    pub role: String,
    /// The township whose households, and their pairings and deliveries, the role may read and write [default: every township]
    #[arg(long, value_name = "NAME")]
    pub township: Option<String>,
    /// The township's households are imported later: grant --township although no household has it yet
    #[arg(long, requires = "township")]
    pub new_township: bool,
    /// Set the role's password to the first line of FILE [default: $BANGFU_ROLE_PASSWORD, else the password stays as it is (a new role has none)]
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
