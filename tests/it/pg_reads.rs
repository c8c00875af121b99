//! Every report on PostgreSQL prints byte for byte what it prints on a
//! SQLite file (contract §9). A database is built by bangfu's own imports
//! into a file — the sample, a month's roster with a household moved and
//! one lifted, a member's new unit, a ledger holding a row pasted twice
//! and then its corrected version (`--replace`), an import undone — and
//! copied row for row into a fresh database on the test server
//! (`BANGFU_TEST_PG`, see .ci/postgres; the schema made by
//! `store::pg::create`), in reverse key order so that no report can lean
//! on the order rows are stored in. Every report then runs on both, in
//! every format and both languages, and must give the same exit status and
//! stdout; the workbook of `export` the same sheets. So do a database
//! without a record and the sample alone (no history: `summary` counts in
//! SQL). Without a server the test says "skipped".

use crate::common::{copy_file_to_server as copy_to_server, path_str, PgDatabase, Workdir};
use std::path::Path;

/// `bangfu` on the SQLite file of `w`, whatever database the suite's
/// working directories use.
fn on_file(w: &Workdir) -> assert_cmd::Command {
    let mut cmd = w.bangfu();
    cmd.env("BANGFU_DB", w.db());
    cmd
}

/// The sample, then a ledger's life on top of it, imported into the file.
fn build(w: &Workdir) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    on_file(w)
        .args(["demo", "--db", path_str(&w.db())])
        .assert()
        .success();
    // June's roster: 韩永树's household moved to another village, 杜月's
    // lifted out of poverty on 2002-05-20; dated from 2002-12-31.
    let bytes = std::fs::read(data.join("households.csv")).unwrap();
    let (roster, _, _) = encoding_rs::GBK.decode(&bytes);
    let roster: String = roster
        .lines()
        .map(|line| match line.split(',').next() {
            Some("LS-H001") => line.replacen("向阳社区", "新建村", 1) + "\n",
            Some("LS-H002") => line.replacen("贫困,", "已脱贫,2002年5月20日", 1) + "\n",
            _ => format!("{line}\n"),
        })
        .collect();
    let roster = w.gbk("六月花名册.csv", &roster);
    let members = std::fs::read_to_string(data.join("members.csv")).unwrap();
    let members = w.utf8(
        "六月帮扶人.csv",
        &members.replacen("宋贤洁,区委,", "宋贤洁,区政府,", 1),
    );
    on_file(w)
        .env("BANGFU_TODAY", "2002-12-31")
        .args(["import", "--ledger", "households"])
        .arg(&roster)
        .assert()
        .success();
    on_file(w)
        .env("BANGFU_TODAY", "2002-12-31")
        .args(["import", "--ledger", "members"])
        .arg(&members)
        .assert()
        .success();
    // A ledger with a row pasted twice and a visit outside any pairing,
    // then its corrected version.
    let header = "日期,帮扶人,户编号,类别,物资（元）,资金（元）,帮扶内容\n";
    for (name, cash, replace) in [
        ("七月台账.csv", 500, false),
        ("七月台账更正.csv", 600, true),
    ] {
        let file = w.utf8(
            name,
            &format!(
                "{header}2002年7月5日,LS-M001,LS-H154,送温暖,300.00,,送棉被\n\
                 2002年7月5日,LS-M001,LS-H154,送温暖,300.00,,送棉被\n\
                 2002-07-08,LS-M002,LS-H155,办好事实事,,{cash},慰问金\n\
                 2002-07-09,LS-M001,LS-H001,送政策,,,\"讲解政策\t再就业\"\n"
            ),
        );
        let mut import = on_file(w);
        import.args(["import", "--ledger", "七月台账"]);
        if replace {
            import.arg("--replace");
        }
        import.arg(&file).assert().success();
    }
    // An import taken back.
    let august = w.utf8(
        "八月台账.csv",
        &format!("{header}2002-08-01,LS-M003,LS-H158,送温暖,100,,\n"),
    );
    on_file(w)
        .args(["import", "--ledger", "八月台账"])
        .arg(&august)
        .assert()
        .success();
    let last: i64 = rusqlite::Connection::open(w.db())
        .unwrap()
        .query_row("SELECT max(number) FROM commands", [], |r| r.get(0))
        .unwrap();
    on_file(w)
        .args(["undo", &last.to_string()])
        .assert()
        .success();
}

/// Every report, as arguments after `bangfu`.
fn reports() -> Vec<Vec<&'static str>> {
    let all: &[&[&str]] = &[
        &["summary"],
        &["summary", "--township", "向阳街道"],
        &["summary", "--ledger", "七月台账"],
        &["summary", "--from", "2002-01-01", "--to", "2002-06-30"],
        &["summary", "--unit", "区政府"],
        &["totals", "--by", "category"],
        &["totals", "--by", "unit"],
        &["totals", "--by", "township,village"],
        &["totals", "--by", "member"],
        &[
            "totals",
            "--by",
            "household",
            "--sort",
            "total",
            "--top",
            "5",
        ],
        &["totals", "--by", "cause,status"],
        &["totals", "--by", "year,quarter"],
        &["totals", "--by", "month", "--across", "category"],
        &[
            "totals",
            "--by",
            "category",
            "--across",
            "township",
            "--measure",
            "households",
        ],
        &["totals", "--by", "unit", "--ledger", "七月台账"],
        &["totals", "--by", "village", "--village", "向阳社区"],
        &["totals", "--by", "status", "--from", "2002-06-01"],
        &["totals", "--by", "单位,类别", "--unit", "区委"],
        &["overdue"],
        &["overdue", "--days", "30", "--as-of", "2002-12-31"],
        &["overdue", "--township", "向阳街道", "--as-of", "2002-03-01"],
        &["unpaired"],
        &["unpaired", "--as-of", "2001-06-01"],
        &["show", "household", "LS-H001"],
        &["show", "household", "LS-H002"],
        &["show", "member", "LS-M004"],
        &["show", "household", "LS-H154", "--ledger", "七月台账"],
        &["show", "member", "LS-M001"],
        &["check"],
        &["check", "--ledger", "七月台账"],
        &["check", "--township", "向阳街道"],
        &["check", "--member", "LS-M001", "--category", "送温暖"],
        &["check", "--household", "LS-H154", "--from", "2002-07-01"],
        &[
            "totals",
            "--by",
            "month",
            "--member",
            "LS-M001",
            "--household",
            "LS-H154",
            "--category",
            "warmth",
        ],
        &["show", "member", "LS-M001", "--ledger", "七月台账"],
        &["log"],
    ];
    all.iter().map(|a| a.to_vec()).collect()
}

/// `bangfu --db DB ARGS`: exit status and stdout.
fn run(w: &Workdir, db: &str, args: &[&str]) -> (Option<i32>, String) {
    let (code, out, err) = crate::common::run_on(w, db, args);
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    (code, out)
}

/// The parts of a workbook, but for its creation time.
fn workbook_parts(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        if name == "docProps/core.xml" {
            continue;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut part, &mut bytes).unwrap();
        parts.push((name, bytes));
    }
    parts
}

/// The first line where `a` and `b` differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => return format!("line {n}:\n  sqlite:   {x:?}\n  postgres: {y:?}"),
        }
    }
    "(only line endings differ)".into()
}

/// Run every report of `reports` in every format and both languages on
/// the file and on the server, and `export` on both: what differs.
fn compare(w: &Workdir, file: &str, url: &str, reports: &[Vec<&str>]) -> (usize, Vec<String>) {
    let mut differ = Vec::new();
    let mut compared = 0;
    for args in reports {
        for lang in ["en", "zh"] {
            for format in ["table", "csv", "json", "markdown"] {
                let mut all = vec!["--lang", lang];
                all.extend(args);
                all.extend(["--format", format]);
                let lite = run(w, file, &all);
                let pg = run(w, url, &all);
                assert!(
                    lite.0.is_some_and(|c| c <= 1) && !lite.1.is_empty(),
                    "{all:?} on the file: {lite:?}"
                );
                compared += 1;
                if lite != pg {
                    differ.push(format!(
                        "{all:?}: exit {:?} / {:?}; {}",
                        lite.0,
                        pg.0,
                        first_difference(&lite.1, &pg.1)
                    ));
                }
            }
        }
    }
    for lang in ["en", "zh"] {
        let mut parts = Vec::new();
        for (db, name) in [(file, "lite.xlsx"), (url, "pg.xlsx")] {
            let out = w.path(&format!("{lang}-{name}"));
            let (code, stdout) = run(w, db, &["--lang", lang, "export", "--xlsx", path_str(&out)]);
            assert_eq!(code, Some(0), "export on {db}: {stdout}");
            parts.push(workbook_parts(&out));
        }
        compared += 1;
        if parts[0] != parts[1] {
            let names: Vec<&String> = parts[0]
                .iter()
                .zip(&parts[1])
                .filter(|(a, b)| a != b)
                .map(|(a, _)| &a.0)
                .collect();
            differ.push(format!("export --lang {lang}: the parts {names:?} differ"));
        }
    }
    (compared, differ)
}

#[test]
fn every_report_on_postgresql_prints_what_it_prints_on_a_sqlite_file() {
    let Some(none) = PgDatabase::on_server("bangfu_reads", "pg_reads' tests") else {
        return;
    };
    let w = Workdir::new();
    // A database without a record.
    let empty = w.path("empty.db");
    drop(bangfu::store::Store::create(&empty).expect("a new file"));
    copy_to_server(&empty, &none.url);
    let nothing: Vec<Vec<&str>> = vec![
        vec!["summary"],
        vec!["totals", "--by", "month", "--across", "category"],
        vec!["overdue"],
        vec!["unpaired"],
        vec!["check"],
    ];
    let (e, mut differ) = compare(&w, path_str(&empty), &none.url, &nothing);
    // The sample alone: no history, so `summary` counts in SQL.
    let sample = w.path("sample.db");
    w.bangfu()
        .args(["demo", "--db", path_str(&sample)])
        .assert()
        .success();
    let admin = crate::common::server().expect("the server");
    let first = PgDatabase::new(admin.clone(), "bangfu_reads");
    copy_to_server(&sample, &first.url);
    let plain: Vec<Vec<&str>> = vec![
        vec!["summary"],
        vec!["summary", "--ledger", "deliveries"],
        vec!["totals", "--by", "category,unit"],
        vec!["overdue"],
        vec!["check"],
    ];
    let (n, more) = compare(&w, path_str(&sample), &first.url, &plain);
    differ.extend(more);
    // The sample and a ledger's life after it.
    build(&w);
    let server = PgDatabase::new(admin, "bangfu_reads");
    copy_to_server(&w.db(), &server.url);
    let (m, more) = compare(&w, path_str(&w.db()), &server.url, &reports());
    differ.extend(more);
    assert!(
        differ.is_empty(),
        "{} of {} outputs differ between SQLite and PostgreSQL:\n{}",
        differ.len(),
        e + n + m,
        differ.join("\n")
    );
}
