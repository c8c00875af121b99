//! Schema upgrades: a database made by the first schema (tests/fixtures,
//! written by bangfu at schema version 1 from the sample district) is
//! upgraded in place; one from a newer bangfu is refused and left untouched.

use crate::common;

use common::{import_small_district, path_str, Workdir};
use predicates::str::contains;

fn version(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Every delivery row as text, sorted: what every schema stores (a
/// fingerprint and occurrence only for rows without id; the rowid `key` of
/// the first four schemas is gone from the fifth).
fn deliveries(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT id, day, member, household, category, goods, cash, note,
                    CASE WHEN id IS NULL THEN fingerprint END,
                    CASE WHEN id IS NULL THEN occurrence END
             FROM deliveries ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let cells: Vec<String> = (0..10)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect();
        Ok(cells.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Pages of the file that hold nothing.
fn free_pages(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap()
}

/// Whether the deliveries are a `WITHOUT ROWID` table (schemas 5 and 6;
/// from 7 a rowid table in the order rows were added).
fn without_rowid(db: &std::path::Path) -> bool {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT wr FROM pragma_table_list WHERE name = 'deliveries'",
            [],
            |r| r.get(0),
        )
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
    crate::sqlite_only!("the upgrade of a schema-1 file");
    let w = Workdir::new();
    let db = w.path("old.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    std::fs::copy(fixture, &db).unwrap();
    assert_eq!(version(&db), 1);
    let before = deliveries(&db);
    let current = bangfu::store::schema::current_version();
    w.bangfu()
        .args(["--db", path_str(&db), "summary"])
        .assert()
        .success()
        .stderr(contains(format!("upgraded from schema 1 to {current}")));
    assert_eq!(
        free_pages(&db),
        0,
        "the copied tables' pages are given back"
    );
    // Said once: the next command finds the file up to date.
    w.bangfu()
        .args(["--db", path_str(&db), "summary"])
        .assert()
        .success()
        .stderr(contains("upgraded").not());
    let s = w.json(&["--db", path_str(&db), "summary"]);
    assert_eq!(s["households"], 200);
    assert_eq!(s["deliveries"], 602);
    assert_eq!(s["total"], "71350.00");
    assert_eq!(version(&db), bangfu::store::schema::current_version());
    // Versions 4 and 5 copied the deliveries table: every row is kept.
    assert_eq!(deliveries(&db), before);
    assert!(!without_rowid(&db));
    assert_eq!(
        indexes(&db),
        vec!["deliveries_id", "deliveries_place"],
        "deliveries keep only their place and the partial index of their ids"
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
fn a_dry_run_against_an_older_database_checks_an_upgraded_copy_and_leaves_the_file_alone() {
    crate::sqlite_only!("the upgrade of a schema-1 file");
    let w = Workdir::new();
    let db = w.path("old.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    std::fs::copy(fixture, &db).unwrap();
    let before = std::fs::read(&db).unwrap();
    let deliveries = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/deliveries.csv");
    let out = w
        .bangfu()
        .args([
            "--db",
            path_str(&db),
            "import",
            "--dry-run",
            path_str(&deliveries),
        ])
        .assert()
        .success()
        .stderr(contains("upgraded copy in memory").and(contains("dry run: nothing was written")))
        .stderr(contains("upgraded from").not())
        .get_output()
        .stdout
        .clone();
    // Checked against the stored deliveries: all of them are known.
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("|  602 |   0 |       0 |       602 |"),
        "{out}"
    );
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the file was changed"
    );
    assert_eq!(version(&db), 1);
}

#[test]
fn a_dry_run_against_an_empty_file_leaves_it_empty() {
    crate::sqlite_only!("an empty file as --db");
    let w = Workdir::new();
    let db = w.write("empty.db", b"");
    let h = w.utf8("h.csv", "id,head,township\nH1,张三,工农乡\n");
    w.bangfu()
        .args(["--db", path_str(&db), "import", "--dry-run", path_str(&h)])
        .assert()
        .success()
        .stderr(contains("older bangfu").not());
    assert_eq!(std::fs::read(&db).unwrap(), b"");
}

#[test]
fn a_fourth_schema_database_keeps_its_deliveries_with_ids_and_still_matches_them() {
    crate::sqlite_only!("the upgrade of a schema-4 file");
    let w = Workdir::new();
    let db = w.path("v4.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for migration in &bangfu::store::schema::MIGRATIONS[..4] {
            conn.execute_batch(migration).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 4;
             INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
             INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');
             INSERT INTO pairings (member, household) VALUES (1, 1);
             INSERT INTO imports (key, at, file, rows_read, new, updated, unchanged, skipped, rejected)
                 VALUES (1, '2001-03-09 10:00', 'v1.csv', 3, 3, 0, 0, 0, 0);
             INSERT INTO deliveries (key, id, day, member, household, category, goods, batch)
                 VALUES (7, 'R1', 11386, 1, 1, 4, 5000, 1),
                        (8, 'R2', 11386, 1, 1, 4, 6000, 1),
                        (9, 'R3', 11387, 1, 1, 6, 7000, 1);",
        )
        .unwrap();
    }
    let before = deliveries(&db);
    assert_eq!(
        w.json(&["--db", path_str(&db), "summary"])["total"],
        "180.00"
    );
    assert_eq!(deliveries(&db), before);
    assert!(!without_rowid(&db));
    // The same records again: R1 as it was, R2 with a new amount, R3 on
    // another day, and R4 new.
    let again = w.utf8(
        "v2.csv",
        "流水号,date,member,household,category,goods\n\
         R1,2001-03-05,M1,H1,warmth,50\n\
         R2,2001-03-05,M1,H1,warmth,65\n\
         R3,2001-03-08,M1,H1,deeds,70\n\
         R4,2001-03-05,M1,H1,warmth,10\n",
    );
    // v1's ledger, as the upgrade named it: R3 on another day under another
    // ledger's name would be another sheet's record (review 6).
    let out = w.stdout(&[
        "--db",
        path_str(&db),
        "import",
        "--ledger",
        "v1",
        path_str(&again),
    ]);
    assert!(
        out.contains("|    4 |   1 |       2 |         1 |"),
        "{out}"
    );
    let s = w.json(&["--db", path_str(&db), "summary"]);
    assert_eq!(s["deliveries"], 4);
    assert_eq!(s["total"], "195.00");
}

#[test]
fn a_database_from_a_newer_bangfu_is_refused_and_left_untouched() {
    crate::sqlite_only!("a file of a newer schema");
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

/// On a server: a schema of a newer bangfu is refused, and every command
/// leaves it as it was, an import included; a `bangfu` schema that is not
/// bangfu's is refused too.
#[test]
fn a_server_database_from_a_newer_bangfu_or_another_program_is_refused_untouched() {
    let w = Workdir::new();
    if !w.on_postgres() {
        return; // the file's case is the test above
    }
    import_small_district(&w);
    w.sql("UPDATE bangfu.version SET version = 99");
    let before = w.dump();
    let households = w.path("households.csv");
    for args in [
        vec!["summary"],
        vec!["import", path_str(&households)],
        vec!["undo", "1"],
        vec!["--lang", "zh", "summary"],
    ] {
        let out = w.bangfu().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("99"), "{args:?}: {err}");
        assert!(
            err.contains("newer bangfu") || err.contains("更新版本"),
            "{err}"
        );
    }
    assert_eq!(w.dump(), before, "changed");
    w.sql("DROP TABLE bangfu.version");
    let out = w.bangfu().arg("summary").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is not a bangfu database"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    crate::sqlite_only!("a file that is not SQLite");
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
