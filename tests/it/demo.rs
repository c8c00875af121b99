//! End-to-end: the sample district built into the binary, and `summary`.

use crate::common;

use common::{small_district, Workdir};
use predicates::str::contains;

#[test]
fn demo_prints_the_district_report_in_english() {
    let w = Workdir::new();
    w.bangfu().arg("demo").assert().success().stdout(contains(
        "193 households paired; goods and funds delivered: 71,350.00 yuan",
    ));
    assert!(!w.made(), "demo without --db must not write a database");
}

#[test]
fn demo_report_in_chinese_matches_the_snapshot() {
    let w = Workdir::new();
    let out = w.stdout(&["--lang", "zh", "demo"]);
    assert!(out.starts_with("共包保贫困户193户，送物资、资金共计71,350.00元"));
    insta::assert_snapshot!(out);
}

#[test]
fn demo_report_in_english_matches_the_snapshot() {
    let w = Workdir::new();
    insta::assert_snapshot!(w.stdout(&["demo"]));
}

#[test]
fn demo_with_db_leaves_the_sample_in_that_file() {
    let w = Workdir::new();
    // The directory's own database: a file, or one on the test server.
    let db = w.target();
    w.stdout(&["demo", "--db", &db]);
    let s = w.json(&["--db", &db, "summary"]);
    assert_eq!(s["households"], 200);
    assert_eq!(s["paired_households"], 193);
    assert_eq!(s["total"], "71350.00");
    // Running it again is refused (the database holds records now) and
    // changes nothing.
    w.bangfu().args(["demo", "--db", &db]).assert().code(2);
    let again = w.json(&["--db", &db, "summary"]);
    assert_eq!(again, s);
}

#[test]
fn a_refusal_naming_the_database_masks_the_password_in_its_url() {
    // The message a clerk pastes into a chat named the server's address
    // with the password in it (township-login probe, session 18).
    let w = Workdir::new();
    let db = w.target();
    let given = match db.split_once('@') {
        Some((user, host)) if db.starts_with("postgres") => format!("{user}:s3cret-pw@{host}"),
        _ => db.clone(),
    };
    w.stdout(&["demo", "--db", &given]);
    for lang in ["en", "zh"] {
        let out = w
            .bangfu()
            .args(["--lang", lang, "demo", "--db", &given])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(!err.contains("s3cret-pw"), "{err}");
        let shown = given.replace(":s3cret-pw@", ":***@");
        assert!(err.contains(&shown), "{err}");
    }
}

#[test]
fn the_sample_files_import_from_disk_like_any_export() {
    let w = Workdir::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let files: Vec<String> = ["deliveries", "pairings", "members", "households"]
        .iter()
        .map(|f| data.join(format!("{f}.csv")).display().to_string())
        .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let out = w.stdout(&args);
    assert!(
        out.contains("GB18030"),
        "households.csv is the GBK sample: {out}"
    );
    let s = w.json(&["summary"]);
    assert_eq!(s["deliveries"], 602);
    assert_eq!(s["units"], 16);
}

#[test]
fn summary_json_has_the_keys_of_the_spec_and_the_sentence_in_both_languages() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods,cash\n2001-03-05,M1,H1,warmth,1200,300\n",
    );
    w.stdout(&[
        "import",
        h.to_str().unwrap(),
        m.to_str().unwrap(),
        p.to_str().unwrap(),
        d.to_str().unwrap(),
    ]);
    let s = w.json(&["summary"]);
    for key in [
        "households",
        "paired_households",
        "lifted_households",
        "members",
        "units",
        "pairings",
        "deliveries",
        "goods",
        "cash",
        "total",
    ] {
        assert!(s.get(key).is_some(), "missing {key}: {s}");
    }
    assert_eq!(s["households"], 3);
    assert_eq!(s["paired_households"], 3);
    assert_eq!(s["lifted_households"], 1);
    assert_eq!(s["units"], 2);
    assert_eq!(s["goods"], "1200.00");
    assert_eq!(s["total"], "1500.00");
    assert_eq!(
        s["report"]["zh"],
        "共包保贫困户3户，送物资、资金共计1,500.00元"
    );
    assert_eq!(
        s["report"]["en"],
        "3 households paired; goods and funds delivered: 1,500.00 yuan"
    );
}

#[test]
fn summary_counts_only_pairings_not_ended_today_as_paired() {
    let w = Workdir::new();
    let [h, m, _] = small_district(&w);
    let p = w.utf8(
        "p.csv",
        "member,household,since,until\nM1,H1,2001-01-01,2002-12-31\nM2,H3,2001-01-01,2003-06-30\n",
    );
    w.stdout(&[
        "import",
        h.to_str().unwrap(),
        m.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    // Today is 2003-06-30: H1's pairing has ended, H3's ends today.
    assert_eq!(w.json(&["summary"])["paired_households"], 1);
    // A pairing that begins after today does not pair H2 yet (it stays in
    // `unpaired`, and the two lists agree).
    let later = w.utf8(
        "later.csv",
        "member,household,since
M1,H2,2003-08-01
",
    );
    w.stdout(&["import", later.to_str().unwrap()]);
    assert_eq!(w.json(&["summary"])["paired_households"], 1);
    assert_eq!(
        w.json(&["summary", "--unit", "区财政局"])["paired_households"],
        0
    );
    let unpaired = w.json(&["unpaired"]);
    assert!(unpaired["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["household"] == "H2"));
}

#[test]
fn chinese_is_chosen_from_lang() {
    let w = Workdir::new();
    w.bangfu()
        .env("LANG", "zh_CN.UTF-8")
        .arg("demo")
        .assert()
        .success()
        .stdout(contains("共包保贫困户193户"));
}
