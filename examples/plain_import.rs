//! The plainest possible Rust import: the baseline of contract §7.
//!
//! ```text
//! cargo run --release --example plain_import -- DB CSV [TABLE]
//! ```
//!
//! Reads CSV with the csv crate and inserts every row, as text and without
//! any check, through one prepared `INSERT` in one transaction, into TABLE
//! (by default named after the file: `deliveries` for `deliveries.csv`)
//! with one TEXT column per header, created when missing; rows already in
//! the table stay, so the benchmark can also time a million rows added to
//! four million. The database gets the pragmas bangfu uses (WAL journal,
//! synchronous NORMAL), so the two differ only in what they do per row.

use std::error::Error;
use std::path::Path;

use rusqlite::{params_from_iter, Connection};

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (db, csv_path, table) = match args.as_slice() {
        [db, csv_path] => (db, csv_path, None),
        [db, csv_path, table] => (db, csv_path, Some(table.clone())),
        _ => {
            eprintln!("usage: plain_import DB CSV [TABLE]");
            std::process::exit(2);
        }
    };
    let table = table.unwrap_or_else(|| {
        Path::new(csv_path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("rows")
            .to_string()
    });

    let mut conn = Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;

    let mut reader = csv::Reader::from_path(csv_path)?;
    let headers = reader.headers()?.clone();
    let columns: Vec<String> = headers.iter().map(|h| quote(h.trim())).collect();
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {} ({});",
        quote(&table),
        columns
            .iter()
            .map(|c| format!("{c} TEXT"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(&table),
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );

    let tx = conn.transaction()?;
    let mut rows = 0u64;
    {
        let mut stmt = tx.prepare(&insert)?;
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            stmt.execute(params_from_iter(record.iter()))?;
            rows += 1;
        }
    }
    tx.commit()?;
    eprintln!("{rows} rows into {table}");
    Ok(())
}
