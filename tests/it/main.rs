//! The end-to-end tests: the `bangfu` binary run on files written as
//! clerks' exports really are, one module per concern, in one test binary
//! (one link, one run). `common` holds the working directory every test
//! starts from and the snapshot helper.

mod bad_input;
mod chinese;
mod chinese_reports;
mod clerk_review;
mod common;
mod concurrent;
mod demo;
mod history;
mod import;
mod import_zh;
mod input_review;
mod input_review2;
mod ledger_model;
mod ledgers;
mod mangled;
mod merge;
mod outputs;
mod pg_attack;
mod pg_grant;
mod pg_reads;
mod pg_tls;
mod pg_undo;
mod pg_writes;
mod privacy;
mod progress;
mod reliability;
mod reports;
mod reports_review;
mod review4;
mod review6;
mod review7;
mod rosters_at_size;
mod row_order;
mod schema;
mod sheets_memory;
mod store_review;
mod store_zh;
mod township_moves;
mod undo;
mod undo_review;
mod upgrade;
mod workbook;
mod workbook_export;
