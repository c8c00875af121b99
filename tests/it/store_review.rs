//! The database layer, after an outside review (issue 12; issue 13 item 8):
//! stored values kept as stored, damage reported instead of wrong figures,
//! identical rows counted, no database made by a mistyped --db, other
//! programs' SQLite files left alone, and an upgrade that breaks a
//! reference undone.

use crate::common;

use common::{import_small_district, path_str, Workdir};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

fn sql(db: &Path, query: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(query, [], |r| {
        Ok(match r.get_ref(0)? {
            rusqlite::types::ValueRef::Null => "NULL".to_string(),
            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
            rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            other => format!("{other:?}"),
        })
    })
    .unwrap()
}

/// The binary on the database `db`.
fn on(w: &Workdir, db: &Path) -> assert_cmd::Command {
    let mut cmd = w.bangfu();
    cmd.arg("--db").arg(db);
    cmd
}

/// The row of the import table for file `name`.
fn line_of<'o>(out: &'o str, name: &str) -> &'o str {
    out.lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("no line for {name}:\n{out}"))
}

/// A valid ID number of someone born on 2001-05-05 (GB 11643).
fn born_2001() -> String {
    let first17 = "43010220010505123";
    let check = bangfu::values::id_number::check_char(first17).unwrap();
    format!("{first17}{check}")
}

#[test]
fn a_stored_id_number_survives_a_later_import_without_that_column() {
    // Imported with its ID number; then the sheet comes back without that
    // column, the village changed, on a PC whose clock says 2000: the ID
    // number (born 2001) does not pass today's rules, but it is stored and
    // must stay as it is.
    let w = Workdir::new();
    let first = w.utf8(
        "h.csv",
        &format!(
            "id,head,id_number,township,village,phone\nH1,张三,{},工农乡,红旗村,138 1234 5678\n",
            born_2001()
        ),
    );
    w.stdout(&["import", path_str(&first)]);
    let later = w.utf8(
        "h2.csv",
        "id,head,township,village\nH1,张三,工农乡,向阳村\n",
    );
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2000-01-01")
        .args(["import", path_str(&later)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        line_of(&out, "h2.csv").contains("|    1 |   0 |       1 |         0 |"),
        "{out}"
    );
    let sql = |query| common::scalar(&w, query);
    assert_eq!(sql("SELECT village FROM households"), "向阳村");
    assert_eq!(sql("SELECT id_number FROM households"), born_2001());
    assert_eq!(sql("SELECT phone FROM households"), "138 1234 5678");
}

/// Overwrite `bytes` bytes of the root page of `table` with `byte`, from
/// `offset(page size)` on.
fn damage_root_page(db: &Path, table: &str, offset: impl Fn(u64) -> u64, byte: u8, bytes: usize) {
    let (root, page_size): (u64, u64) = {
        let conn = rusqlite::Connection::open(db).unwrap();
        // Every page in the file itself, none left in the write-ahead log.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        conn.query_row(
            "SELECT rootpage, (SELECT page_size FROM pragma_page_size)
             FROM sqlite_master WHERE name = ?1",
            [table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    use std::io::{Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    file.seek(SeekFrom::Start((root - 1) * page_size + offset(page_size)))
        .unwrap();
    file.write_all(&vec![byte; bytes]).unwrap();
}

/// The small district with 400 deliveries (one page of the table).
fn four_hundred_deliveries() -> Workdir {
    let w = Workdir::new();
    import_small_district(&w);
    let mut rows = String::from("date,member,household,category,goods,note\n");
    for i in 0..400 {
        rows.push_str(&format!(
            "2001-{:02}-{:02},M1,H{},warmth,{},走访第{i}次\n",
            1 + i % 12,
            1 + i % 28,
            1 + i % 2,
            10 + i
        ));
    }
    let d = w.utf8("d.csv", &rows);
    w.stdout(&["import", path_str(&d)]);
    w
}

#[test]
fn a_damaged_page_of_deliveries_fails_every_report_instead_of_printing_figures() {
    crate::sqlite_only!("damaged pages");
    let w = four_hundred_deliveries();
    // The cell pointers of the table's page: its rows are read from wrong
    // places.
    damage_root_page(&w.db(), "deliveries", |_| 100, 0xff, 512);
    for args in [
        &["summary"][..],
        &["totals", "--by", "category"],
        &["overdue"],
        &["check"],
    ] {
        let out = w.bangfu().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed figures: {out:?}");
        assert!(
            stderr.contains(&format!("the database {} is damaged", w.db().display())),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("Error code"), "{args:?}: {stderr}");
    }
}

#[test]
fn check_runs_the_integrity_check_of_the_whole_file() {
    crate::sqlite_only!("damaged pages");
    // A damaged page of an index only imports read (deliveries by their
    // own id): the reports go on, but `check` says the file is damaged.
    let w = Workdir::new();
    import_small_district(&w);
    // (The small district has findings of its own: exit 1 either way.)
    w.bangfu()
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("damaged").not());
    damage_root_page(&w.db(), "deliveries_id", |_| 0, 0xff, 8);
    w.stdout(&["summary"]);
    let out = w.bangfu().arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr.contains(&format!(
            "the database {} is damaged (SQLite's integrity check: ",
            w.db().display()
        )),
        "{stderr}"
    );
}

#[test]
fn identical_rows_are_each_a_delivery_and_a_reimport_adds_none() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n\
         2001-03-05,M1,H1,warmth,10\n\
         2001-03-05,M1,H1,warmth,10\n\
         2001-03-05,M1,H1,warmth,10\n",
    );
    let out = w.stdout(&["import", path_str(&d)]);
    assert!(
        line_of(&out, "d.csv").contains("|    3 |   3 |       0 |         0 |"),
        "{out}"
    );
    let again = w.stdout(&["import", path_str(&d)]);
    assert!(
        line_of(&again, "d.csv").contains("|    3 |   0 |       0 |         3 |"),
        "{again}"
    );
    assert_eq!(common::scalar(&w, "SELECT count(*) FROM deliveries"), "3");
}

#[test]
fn a_mistyped_db_is_an_error_naming_it_and_creates_nothing() {
    crate::sqlite_only!("--db paths");
    let w = Workdir::new();
    import_small_district(&w);
    let typo = w.path("tset.db");
    for args in [
        &["summary"][..],
        &["totals", "--by", "category"],
        &["overdue"],
        &["unpaired"],
        &["show", "household", "H1"],
        &["check"],
        &["export", "--xlsx", "out.xlsx"],
    ] {
        on(&w, &typo)
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(typo.display().to_string()))
            .stderr(contains("no database"));
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
        assert!(!w.path("out.xlsx").exists());
    }
    // A dry run creates nothing either; an import does create it.
    let [h, _, _] = common::small_district(&w);
    on(&w, &typo)
        .args(["import", "--dry-run", path_str(&h)])
        .assert()
        .success();
    assert!(!typo.exists());
    on(&w, &typo)
        .args(["import", path_str(&h)])
        .assert()
        .success();
    assert!(typo.exists());
}

/// A SQLite file made by `sql`, as another program leaves it.
fn other_programs_file(w: &Workdir, name: &str, sql: &str) -> std::path::PathBuf {
    let path = w.path(name);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    path
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_byte_for_byte() {
    crate::sqlite_only!("other programs' SQLite files");
    let w = Workdir::new();
    let [h, _, _] = common::small_district(&w);
    let files = [
        other_programs_file(
            &w,
            "notes.db",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
             INSERT INTO notes (text) VALUES ('buy rice');",
        ),
        // Tables of bangfu's names, but never given a schema version.
        other_programs_file(
            &w,
            "lookalike.db",
            "CREATE TABLE households (id TEXT, head TEXT);
             CREATE TABLE members (id TEXT);
             INSERT INTO households VALUES ('H1', '张三');",
        ),
        // A schema version of its own, and tables that are not bangfu's.
        other_programs_file(
            &w,
            "versioned.db",
            "CREATE TABLE notes (text TEXT); PRAGMA user_version = 3;",
        ),
    ];
    for file in &files {
        let before = std::fs::read(file).unwrap();
        for args in [&["import", path_str(&h)][..], &["summary"]] {
            let out = on(&w, file).args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Exit 1, as for a file that is not SQLite at all (tests/schema.rs).
            assert_eq!(out.status.code(), Some(1), "{args:?} {file:?}: {out:?}");
            assert!(
                stderr.contains(&format!("{} is not a bangfu database", file.display())),
                "{stderr}"
            );
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert_eq!(std::fs::read(file).unwrap(), before, "{file:?} changed");
            let mut wal = file.as_os_str().to_owned();
            wal.push("-wal");
            assert!(!Path::new(&wal).exists(), "{file:?} got a write-ahead log");
        }
    }
}

#[test]
fn an_empty_file_becomes_a_database_by_import_only() {
    crate::sqlite_only!("an empty file as --db");
    let w = Workdir::new();
    let [h, _, _] = common::small_district(&w);
    let empty = w.write("empty.db", b"");
    on(&w, &empty)
        .arg("summary")
        .assert()
        .code(2)
        .stderr(contains("is empty"));
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
    on(&w, &empty)
        .args(["import", path_str(&h)])
        .assert()
        .success();
    assert_eq!(sql(&empty, "SELECT count(*) FROM households"), "3");
}

#[test]
fn an_upgrade_that_leaves_a_reference_broken_is_undone() {
    crate::sqlite_only!("the upgrade of a schema-1 file");
    // A first-schema database (tests/fixtures) holding a delivery to a
    // household that is not there.
    let w = Workdir::new();
    let db = w.db();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    std::fs::copy(fixture, &db).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO deliveries (day, member, household, category, goods, cash, fingerprint, occurrence)
             SELECT 11000, min(key), 99999, 4, 100, 0, 1, 1 FROM members;",
        )
        .unwrap();
    let before = common::Workdir::dump(&w);
    w.bangfu()
        .arg("summary")
        .assert()
        .code(1)
        .stderr(contains("the upgrade from schema 1 was undone"))
        .stderr(contains("deliveries"));
    assert_eq!(sql(&db, "PRAGMA user_version"), "1");
    assert_eq!(w.dump(), before);
}

/// Whether any phrase of three words or more stands twice in `text`.
fn has_doubled_phrase(text: &str) -> bool {
    let parts: Vec<&str> = text.split(": ").map(str::trim).collect();
    parts.iter().enumerate().any(|(i, a)| {
        parts[i + 1..].iter().any(|b| {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            a.split(' ').count() >= 3 && (a.contains(&b) || b.contains(&a))
        })
    })
}

#[test]
fn a_database_that_cannot_be_opened_or_created_is_said_once_with_its_path() {
    crate::sqlite_only!("--db paths");
    let w = Workdir::new();
    let [h, _, _] = common::small_district(&w);
    let folder = w.path("a folder");
    std::fs::create_dir(&folder).unwrap();
    let nowhere = w.path("no such folder/bangfu.db");
    for (db, args, says) in [
        (
            &folder,
            &["summary"][..],
            format!("cannot open {}", folder.display()),
        ),
        (
            &nowhere,
            &["import", path_str(&h)],
            format!("cannot create the database file {}", nowhere.display()),
        ),
    ] {
        let out = on(&w, db).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(stderr.contains(&says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("Error code"), "{stderr}");
        assert!(!has_doubled_phrase(&stderr), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn a_database_named_by_a_dangling_link_is_created_private_where_the_link_leads() {
    crate::sqlite_only!("a database file named by a link");
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new();
    std::fs::create_dir(w.path("real")).unwrap();
    std::os::unix::fs::symlink("real/new.db", w.path("new.db")).unwrap();
    let households = w.utf8("h.csv", "id,head,township\nH1,张三,城关镇\n");
    on(&w, &w.path("new.db"))
        .arg("import")
        .arg(&households)
        .assert()
        .success();
    let mode = std::fs::metadata(w.path("real/new.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the database behind the link is {mode:o}"
    );
}

#[test]
fn a_category_bangfu_never_writes_fails_the_report_instead_of_making_a_group() {
    let w = Workdir::new();
    w.bangfu()
        .args(["demo", "--db", &w.target()])
        .assert()
        .success();
    w.sql("UPDATE deliveries SET category = 117 WHERE key = (SELECT min(key) FROM deliveries)");
    for args in [
        &["totals", "--by", "category"][..],
        &["totals", "--by", "unit", "--format", "json"],
    ] {
        let out = w.bangfu().args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}");
        assert!(
            !stdout.contains("71,350.00"),
            "{args:?} printed figures: {stdout}"
        );
    }
}

#[test]
fn a_page_whose_row_count_was_overwritten_fails_every_report_instead_of_printing_short_totals() {
    crate::sqlite_only!("damaged pages");
    // The count of rows in the header of the table's page, lowered by 10:
    // SQLite then reads 10 rows fewer without any error, and every report
    // printed short totals with exit 0 (the outside review's finding 12).
    let w = four_hundred_deliveries();
    let cells = {
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.query_row("SELECT count(*) FROM deliveries", [], |r| {
            r.get::<_, u16>(0)
        })
        .unwrap()
    };
    assert_eq!(cells, 400, "the table is one page (its root) for this test");
    // Big-endian u16 at offset 3 of the page header (page 1 has the file
    // header before it; the deliveries' root is never page 1).
    let lowered = (cells - 10).to_be_bytes();
    {
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    damage_root_page(&w.db(), "deliveries", |_| 3, lowered[0], 1);
    damage_root_page(&w.db(), "deliveries", |_| 4, lowered[1], 1);
    for args in [
        &["summary"][..],
        &["totals", "--by", "category"],
        &["overdue"],
        &["show", "household", "H1"],
    ] {
        let out = w.bangfu().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed figures: {out:?}");
        assert!(stderr.contains("read as 390 rows"), "{args:?}: {stderr}");
    }
    // Nor does a write seal the damage as the database's state: an import
    // and an undo are refused as well, and the reports stay refused.
    let more = w.utf8(
        "more.csv",
        "date,member,household,category,goods
2002-01-05,M1,H1,warmth,5
",
    );
    let before = std::fs::read(w.db()).unwrap();
    for args in [&["import", path_str(&more)][..], &["undo", "2"]] {
        let out = w.bangfu().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(stderr.contains("read as 390 rows"), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read(w.db()).unwrap(), before);
    let out = w.bangfu().args(["summary"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// A value of a type bangfu never writes into a column (a file edited by
/// another program) is said as damage naming the column, in both
/// languages; no figure is printed.
#[test]
fn a_value_of_the_wrong_type_names_its_column() {
    crate::sqlite_only!("a text value in an integer column");
    let w = four_hundred_deliveries();
    w.sql("UPDATE deliveries SET day = 'gestern' WHERE key = 7");
    for (lang, said) in [
        (
            "en",
            "column day holds text, which bangfu never writes there",
        ),
        ("zh", "day"),
    ] {
        let out = w
            .bangfu()
            .args(["--lang", lang, "totals", "--by", "month"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(said), "{err}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
