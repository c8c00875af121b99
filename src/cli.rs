//! The command line, as clap derive types. Raw flags only: commands resolve
//! them into settings (the database path, the language) once, in
//! [`crate::commands`].

use crate::report::{Format, Lang};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "bangfu",
    version,
    about = "Paired poverty-aid records (结对帮扶, 六送一办): import spreadsheet exports into SQLite, print report totals",
    after_help = "Exit status: 0 ok, 1 data problems, 2 wrong usage.\nThe database is --db, else $BANGFU_DB, else ./bangfu.db."
)]
pub struct Cli {
    /// The database file [default: $BANGFU_DB, else ./bangfu.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Language of human output [default: zh where LANG starts with zh, else en]
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
    /// Load the built-in sample district and print its report
    Demo,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files hold (households, members, pairings, deliveries); told from the headers when not given
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Text encoding (utf-8, gbk, gb18030, utf-16le, utf-16be); detected when not given
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,

    /// Cell delimiter (a character, or tab, comma, semicolon); sniffed from the header line when not given
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

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
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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
