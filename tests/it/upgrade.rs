//! A database written by the last bangfu before ledgers (schema 6, in
//! tests/fixtures/v6) upgrades in place: every report prints what that
//! bangfu printed, and every row is held by the ledger of the file that
//! wrote it (contract §8).

use crate::common::{scalar, Workdir, HELD};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v6")
        .join(name)
}

/// The fixture's database, copied into a fresh working directory.
fn upgraded_copy() -> Workdir {
    let w = Workdir::new();
    std::fs::copy(fixture("bangfu-v6.db"), w.db()).unwrap();
    w
}

/// What bangfu prints for `args` on the database, as the fixture's
/// expected files hold it: stdout and stderr, then `exit N`.
fn printed(w: &Workdir, args: &[&str]) -> String {
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2024-07-31")
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}exit {}\n",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(-1)
    )
}

const DIMS: [&str; 11] = [
    "category",
    "unit",
    "member",
    "household",
    "township",
    "village",
    "cause",
    "status",
    "year",
    "quarter",
    "month",
];

#[test]
fn every_report_prints_what_the_older_bangfu_printed() {
    crate::sqlite_only!("the upgrade of a v6 file");
    let w = upgraded_copy();
    // The first command upgrades the file and says so, once.
    let first = printed(&w, &["summary"]);
    assert!(first.contains("upgraded from schema 6 to 8"), "{first}");
    let mut cases: Vec<(String, Vec<String>)> = vec![
        (
            "summary".into(),
            vec!["summary".into(), "--format".into(), "json".into()],
        ),
        (
            "across".into(),
            [
                "totals", "--by", "category", "--across", "month", "--format", "csv",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "overdue".into(),
            ["overdue", "--format", "json"].map(String::from).to_vec(),
        ),
        (
            "unpaired".into(),
            ["unpaired", "--format", "json"].map(String::from).to_vec(),
        ),
    ];
    for dim in DIMS {
        cases.push((
            format!("totals-{dim}"),
            ["totals", "--by", dim, "--format", "json"]
                .map(String::from)
                .to_vec(),
        ));
    }
    for (name, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expected = std::fs::read_to_string(fixture(&format!("expected/{name}.out"))).unwrap();
        assert_eq!(printed(&w, &args), expected, "{name}");
    }
    assert_eq!(
        scalar(&w, "PRAGMA user_version"),
        bangfu::store::schema::current_version().to_string()
    );
}

#[test]
fn every_row_is_held_by_the_ledger_of_the_file_that_wrote_it() {
    crate::sqlite_only!("the upgrade of a v6 file");
    let w = upgraded_copy();
    // Opening it upgrades it.
    printed(&w, &["summary"]);
    let ledgers = scalar(
        &w,
        "SELECT group_concat(name, ',') FROM (SELECT name FROM ledgers ORDER BY name)",
    );
    assert_eq!(
        ledgers,
        "households,members,pairings,帮扶记录上半年,帮扶记录下半年,户籍调整"
    );
    // Every delivery in exactly one ledger: the file that last inserted or
    // matched it. The 51 rows both halves list were matched by the second.
    assert_eq!(scalar(&w, "SELECT count(*) FROM deliveries"), "602");
    assert_eq!(
        scalar(
            &w,
            &format!(
                "SELECT count(DISTINCT record) || '/' || count(*) FROM {HELD} h WHERE kind = 3"
            )
        ),
        "602/602"
    );
    let held_by = |ledger: &str| {
        scalar(
            &w,
            &format!(
                "SELECT count(*) FROM {HELD} h JOIN ledgers l ON l.key = h.ledger
                 WHERE h.kind = 3 AND l.name = '{ledger}'"
            ),
        )
    };
    assert_eq!(held_by("帮扶记录上半年"), "298");
    assert_eq!(held_by("帮扶记录下半年"), "304");
    // Households by the ledger whose file added them (not by 户籍调整, a
    // file that changed one), members and pairings by theirs.
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM holds WHERE kind = 0"),
        "200"
    );
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM holds WHERE kind = 1"),
        "110"
    );
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM holds WHERE kind = 2"),
        "203"
    );
    // Four import commands, numbered by time, none of them undoable.
    assert_eq!(
        scalar(&w, "SELECT group_concat(number || ':' || n, ',') FROM (SELECT c.number, count(*) AS n FROM commands c JOIN imports i ON i.command = c.number GROUP BY 1 ORDER BY 1)"),
        "1:3,2:1,3:1,4:1"
    );
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM commands WHERE undoable = 0"),
        "4"
    );
}

/// A database of schema 6 made here, holding one household and member
/// and the deliveries `notes` (one a note) as a bangfu before today's text
/// rules stored them: the note as the cell had it, fingerprinted so.
fn older_database_with_notes(w: &Workdir, notes: &[&str]) {
    use bangfu::records::Delivery;
    use bangfu::store::schema::MIGRATIONS;
    use bangfu::values::{Category, Date, Fen};
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    for sql in &MIGRATIONS[..6] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 6;
         INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
         INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');
         INSERT INTO imports (key, at, file, kind, rows_read, new, updated, unchanged, skipped, rejected)
         VALUES (1, '2024-03-31 10:00:00', '帮扶记录.csv', 'deliveries', 2, 2, 0, 0, 0, 0);",
    )
    .unwrap();
    let mut occurrences = std::collections::HashMap::new();
    for note in notes {
        let d = Delivery {
            id: None,
            date: Date::parse("2024-03-05").unwrap(),
            member: "M1".into(),
            household: "H1".into(),
            category: Category::Warmth,
            goods: Fen(80_000),
            cash: Fen(0),
            note: Some((*note).into()),
        };
        let print = bangfu::store::write::fingerprint(&d, "M1", "H1") as i64;
        let occurrence = occurrences.entry(print).or_insert(0);
        *occurrence += 1;
        conn.execute(
            "INSERT INTO deliveries (day, fingerprint, occurrence, member, household, category, goods, note, batch)
             VALUES (?1, ?2, ?3, 1, 1, 4, 80000, ?4, 1 << 32)",
            rusqlite::params![d.date.days(), print, *occurrence, note],
        )
        .unwrap();
    }
}

#[test]
fn a_note_stored_before_today_s_text_rules_matches_its_row_again() {
    crate::sqlite_only!("the upgrade of a v6 file");
    // The same visit typed twice, once with a zero-width space pasted from
    // a chat, and a note in decomposed form: today's import reads all
    // three cells as the clean note, so the monthly re-export must find
    // them stored, not add them again.
    let w = Workdir::new();
    older_database_with_notes(&w, &["送米\u{200b}面", "送米面", "cafe\u{301}"]);
    let file = w.utf8(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资,备注\n\
         2024-03-05,M1,H1,送温暖,800,送米\u{200b}面\n\
         2024-03-05,M1,H1,送温暖,800,送米面\n\
         2024-03-05,M1,H1,送温暖,800,cafe\u{301}\n",
    );
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2024-03-31")
        .args(["import", crate::common::path_str(&file)])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("|    3 |   0 |       0 |         3 |"),
        "{out}"
    );
    assert_eq!(scalar(&w, "SELECT count(*) FROM deliveries"), "3");
    assert_eq!(
        scalar(&w, "SELECT group_concat(note || ':' || occurrence, ',') FROM (SELECT note, occurrence FROM deliveries ORDER BY note, occurrence)"),
        "café:1,送米面:1,送米面:2"
    );
}

#[test]
fn a_roster_replaced_after_the_upgrade_removes_what_it_no_longer_lists() {
    crate::sqlite_only!("the upgrade of a v6 file");
    // 户籍调整.csv changed one household of the roster: after the upgrade it
    // must not hold the whole roster, or the roster's --replace could never
    // take a household off it.
    let w = upgraded_copy();
    let roster =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/households.csv")).unwrap();
    let mut lines: Vec<&[u8]> = roster.split_inclusive(|&b| b == b'\n').collect();
    lines.pop();
    let file = w.write("households.csv", lines.concat());
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", "2024-07-31")
        .args(["import", "--replace", crate::common::path_str(&file)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = printed(&w, &["summary", "--format", "json"]);
    assert!(summary.contains("\"households\": 199"), "{summary}");
}
