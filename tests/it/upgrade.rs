//! A database written by the last bangfu before ledgers (schema 6, in
//! tests/fixtures/v6) upgrades in place: every report prints what that
//! bangfu printed, and every row is held by the ledger of the file that
//! wrote it (contract §8).

use crate::common::{scalar, Workdir};
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
    let w = upgraded_copy();
    // The first command upgrades the file and says so, once.
    let first = printed(&w, &["summary"]);
    assert!(first.contains("upgraded from schema 6 to 7"), "{first}");
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
            "SELECT count(DISTINCT record) || '/' || count(*) FROM holds WHERE kind = 3"
        ),
        "602/602"
    );
    let held_by = |ledger: &str| {
        scalar(
            &w,
            &format!(
                "SELECT count(*) FROM holds h JOIN ledgers l ON l.key = h.ledger
                 WHERE h.kind = 3 AND l.name = '{ledger}'"
            ),
        )
    };
    assert_eq!(held_by("帮扶记录上半年"), "298");
    assert_eq!(held_by("帮扶记录下半年"), "304");
    // Households by both ledgers that imported households, members and
    // pairings by theirs.
    assert_eq!(
        scalar(&w, "SELECT count(*) FROM holds WHERE kind = 0"),
        "400"
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
