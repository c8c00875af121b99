//! bangfu (帮扶): the records of a paired poverty-aid campaign, imported from
//! clerks' spreadsheet exports into one SQLite file and totalled for reports.
//!
//! The modules follow the data's path: [`input`] turns a file into decoded raw
//! rows, [`records`] checks each row into a typed record using the value types
//! of [`values`], [`store`] writes and reads the SQLite file, and [`report`]
//! groups and renders what the commands in [`commands`] ask for; every other
//! file a command writes goes through [`output`].
//!
//! What the program promises is written in `docs/contract.md`; comments cite
//! its sections as `contract §N`, and measurements live in
//! `docs/BENCHMARKS.md`.

pub mod cli;
pub mod commands;
pub mod i18n;
pub mod import;
pub mod input;
pub mod output;
pub mod problem;
pub mod records;
pub mod report;
pub mod store;
pub mod values;

pub use problem::{Problem, UsageError};
