//! Schema upgrades: a database made by the first schema (tests/fixtures,
//! written by bangfu at schema version 1 from the sample district) is
//! upgraded in place; one from a newer bangfu is refused and left untouched.

mod common;

use common::{path_str, Workdir};
use predicates::str::contains;

fn version(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Every delivery row, in key order, as text.
fn deliveries(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT key, id, day, member, household, category, goods, cash, note, fingerprint, occurrence
             FROM deliveries ORDER BY key",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let cells: Vec<String> = (0..11)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect();
        Ok(cells.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn indexes(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_index_list('deliveries') ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_first_schema_database_is_upgraded_in_place_with_its_data() {
    let w = Workdir::new();
    let db = w.path("old.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    std::fs::copy(fixture, &db).unwrap();
    assert_eq!(version(&db), 1);
    let before = deliveries(&db);
    let s = w.json(&["--db", path_str(&db), "summary"]);
    assert_eq!(s["households"], 200);
    assert_eq!(s["deliveries"], 602);
    assert_eq!(s["total"], "71350.00");
    assert_eq!(version(&db), bangfu::store::schema::current_version());
    // Version 4 copied the deliveries table: every row keeps its key.
    assert_eq!(deliveries(&db), before);
    assert_eq!(
        indexes(&db),
        vec!["deliveries_fingerprint", "deliveries_id"],
        "deliveries keep only their two partial unique indexes"
    );
    // Deliveries stored by the first schema are recognised: importing the
    // sample's deliveries again adds nothing.
    let deliveries = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/deliveries.csv");
    let out = w.stdout(&["--db", path_str(&db), "import", path_str(&deliveries)]);
    assert!(
        out.contains("|  602 |   0 |       0 |       602 |"),
        "{out}"
    );
    assert_eq!(
        w.json(&["--db", path_str(&db), "summary"])["deliveries"],
        602
    );
    // The new schema works: importing writes to the import log.
    let h = w.utf8("h.csv", "id,head,township\nNEW1,新户,工农乡\n");
    w.stdout(&["--db", path_str(&db), "import", path_str(&h)]);
    let logged: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(logged, 2);
}

#[test]
fn a_database_from_a_newer_bangfu_is_refused_and_left_untouched() {
    let w = Workdir::new();
    let db = w.path("new.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    w.bangfu()
        .args(["--db", path_str(&db), "summary"])
        .assert()
        .code(1)
        .stderr(contains("newer bangfu").and(contains("99")));
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the file was changed"
    );
    assert_eq!(version(&db), 99);
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let w = Workdir::new();
    let db = w.write(
        "notes.db",
        b"this is not SQLite, it is a clerk's notes file",
    );
    w.bangfu()
        .args(["--db", path_str(&db), "summary"])
        .assert()
        .code(1)
        .stderr(contains("not a bangfu database"));
}

use predicates::prelude::*;
