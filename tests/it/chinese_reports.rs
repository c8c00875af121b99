//! End-to-end: the reports and their commands speak the clerk's language
//! (issue 15). Under `zh` every message of the report side is Chinese — a
//! filter value or a reference that matches nothing (with the nearest
//! names), `check`'s verdict, a refused `--output`, the `bangfu` prefix —
//! and under `en` it is as before.

use crate::common;

use common::{import_small_district, path_str, Workdir};
use std::process::Output;

/// `bangfu ARGS` under `--lang LANG`.
fn run(w: &Workdir, lang: &str, args: &[&str]) -> Output {
    w.bangfu()
        .env_remove("LC_MESSAGES")
        .args(["--lang", lang])
        .args(args)
        .output()
        .expect("run bangfu")
}

/// The small district (three households, two members, three pairings, no
/// deliveries yet).
fn district() -> Workdir {
    let w = Workdir::new();
    import_small_district(&w);
    w
}

/// Snapshot `args` in English and in Chinese, as `NAME_en` and `NAME_zh`,
/// and return the two outcomes.
fn both(w: &Workdir, name: &str, args: &[&str]) -> [Output; 2] {
    let en = run(w, "en", args);
    insta::assert_snapshot!(format!("{name}_en"), common::outcome(w, &en));
    let zh = run(w, "zh", args);
    insta::assert_snapshot!(format!("{name}_zh"), common::outcome(w, &zh));
    [en, zh]
}

#[test]
fn an_unknown_filter_value_lists_the_known_names() {
    let w = district();
    let [en, zh] = both(
        &w,
        "unknown_township",
        &["totals", "--by", "village", "--township", "无此乡"],
    );
    assert_eq!((en.status.code(), zh.status.code()), (Some(2), Some(2)));
}

#[test]
fn a_filter_value_near_a_known_name_suggests_it() {
    let w = district();
    let zh = run(&w, "zh", &["summary", "--township", "工农"]);
    assert_eq!(zh.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&zh.stderr),
        "bangfu：没有名为“工农”的乡镇；是不是要找：工农乡？\n"
    );
}

#[test]
fn an_unknown_reference_suggests_the_nearest_records() {
    let w = district();
    let [en, zh] = both(&w, "unknown_household", &["show", "household", "张3"]);
    assert_eq!((en.status.code(), zh.status.code()), (Some(2), Some(2)));
}

#[test]
fn check_says_how_many_findings_in_the_language() {
    let w = district();
    let [en, zh] = both(&w, "check_findings", &["check"]);
    assert_eq!((en.status.code(), zh.status.code()), (Some(1), Some(1)));
}

#[test]
fn an_output_that_is_the_database_is_refused_in_the_language() {
    crate::sqlite_only!("an output that is the database file");
    let w = district();
    let db = w.db();
    let before = std::fs::read(&db).unwrap();
    let [en, zh] = both(
        &w,
        "output_is_the_database",
        &["summary", "--output", path_str(&db)],
    );
    assert_eq!((en.status.code(), zh.status.code()), (Some(2), Some(2)));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// The English words (three letters or more, ASCII only) of a text, but
/// the program's name.
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && *w != "bangfu")
        .map(str::to_owned)
        .collect()
}

#[test]
fn under_a_chinese_locale_no_message_of_the_reports_is_english() {
    let w = district();
    let db = w.db();
    let dir = w.dir.path().to_string_lossy().into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["totals", "--by", "village", "--township", "无此乡"],
        vec!["totals", "--by", "category", "--unit", "区财政"],
        vec!["overdue", "--village", "无此村"],
        vec!["show", "household", "张3"],
        vec!["show", "household", "无此人"],
        vec!["show", "member", "钱8"],
        vec!["check"],
        vec!["summary", "--output", path_str(&db)],
        vec!["export", "--xlsx", path_str(&db)],
        vec![
            "totals",
            "--by",
            "village,unit,member,household,year,month,cause",
        ],
    ];
    for args in &cases {
        // An output that is the database: a file only on SQLite.
        if w.on_postgres() && args.contains(&path_str(&db)) {
            continue;
        }
        let out = w
            .bangfu()
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_MESSAGES")
            .args(args)
            .output()
            .expect("run bangfu");
        let stderr = String::from_utf8_lossy(&out.stderr)
            .replace(path_str(&db), "")
            .replace(&dir, "");
        assert!(!stderr.is_empty(), "{args:?}: nothing said");
        assert!(
            stderr.starts_with("bangfu：") || !stderr.starts_with("bangfu"),
            "{args:?}: {stderr}"
        );
        let words = english_words(&stderr);
        assert!(words.is_empty(), "{args:?}: English {words:?} in {stderr}");
    }
}

#[test]
fn money_past_the_limit_is_refused_in_chinese() {
    let w = district();
    // 46,200 deliveries of 10¹² yuan of goods and as much of cash: each
    // sum fits in 64 bits of fen, their total does not.
    let mut deliveries = String::from("id,date,member,household,category,goods,cash\n");
    for i in 0..46_200 {
        deliveries.push_str(&format!(
            "D{i},2001-{:02}-{:02},M1,H1,warmth,1000000000000,1000000000000\n",
            i % 12 + 1,
            i % 28 + 1
        ));
    }
    let file = w.utf8("deliveries.csv", &deliveries);
    w.stdout(&["import", path_str(&file)]);
    for args in [vec!["summary"], vec!["totals", "--by", "category"]] {
        let out = run(&w, "zh", &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("bangfu：金额合计超过"),
            "{args:?}: {stderr}"
        );
        let words = english_words(&stderr);
        assert!(words.is_empty(), "{args:?}: English {words:?} in {stderr}");
    }
}

/// The headline sentence of a township's summary names the township: a
/// clerk pastes it into a report, where it must not read as the
/// district's (clerk review, finding 12); the district's has no name.
#[test]
fn a_townships_summary_sentence_names_the_township() {
    let w = district();
    let first_line = |out: Output| {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines().next().unwrap_or_default().to_string()
    };
    let args = ["summary", "--township", "工农乡"];
    assert_eq!(
        first_line(run(&w, "zh", &args)),
        "工农乡共包保贫困户2户，送物资、资金共计0.00元"
    );
    assert_eq!(
        first_line(run(&w, "en", &args)),
        "工农乡: 2 households paired; goods and funds delivered: 0.00 yuan"
    );
    assert_eq!(
        first_line(run(&w, "zh", &["summary"])),
        "共包保贫困户3户，送物资、资金共计0.00元"
    );
}
