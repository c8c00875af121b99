//! End-to-end: bangfu speaks Chinese to Chinese clerks (issue 15). The
//! language comes from `--lang`, else the first set and non-empty of
//! `LC_ALL`, `LC_MESSAGES`, `LANG`; under `zh` the help, usage errors,
//! verdicts and value errors are Chinese, under `en` they are as before.

use crate::common;

use common::{import_small_district, Workdir};
use std::process::Output;

fn run(w: &Workdir, args: &[&str]) -> Output {
    w.bangfu()
        .env_remove("LC_MESSAGES")
        .args(args)
        .output()
        .expect("run bangfu")
}

fn zh<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--lang", "zh"];
    all.extend_from_slice(args);
    all
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_in_english_and_chinese() {
    let w = Workdir::new();
    insta::assert_snapshot!("help_en", common::outcome(&w, &run(&w, &["--help"])));
    insta::assert_snapshot!("help_zh", common::outcome(&w, &run(&w, &zh(&["--help"]))));
    insta::assert_snapshot!(
        "import_help_en",
        common::outcome(&w, &run(&w, &["import", "--help"]))
    );
    insta::assert_snapshot!(
        "import_help_zh",
        common::outcome(&w, &run(&w, &zh(&["import", "--help"])))
    );
    insta::assert_snapshot!(
        "totals_help_zh",
        common::outcome(&w, &run(&w, &zh(&["totals", "--help"])))
    );
}

#[test]
fn every_subcommand_help_is_chinese_under_zh() {
    let w = Workdir::new();
    for sub in [
        "import", "summary", "totals", "overdue", "unpaired", "show", "check", "export", "demo",
    ] {
        let out = run(&w, &zh(&[sub, "--help"]));
        assert_eq!(out.status.code(), Some(0), "{sub}");
        let text = stdout(&out);
        assert!(
            text.contains("用法：") && text.contains("选项："),
            "{sub}:\n{text}"
        );
        for english in [
            "Usage:",
            "Options:",
            "Print help",
            "[default:",
            "[possible values:",
        ] {
            assert!(
                !text.contains(english),
                "{sub} --help says {english:?}:\n{text}"
            );
        }
    }
    let text = stdout(&run(&w, &zh(&["show", "household", "--help"])));
    assert!(text.contains("户编号或户主"), "{text}");
}

#[test]
fn a_usage_error_in_english_and_chinese() {
    let w = Workdir::new();
    let args = ["totals", "--by", "village", "--formt", "json"];
    let en = run(&w, &args);
    assert_eq!(en.status.code(), Some(2));
    insta::assert_snapshot!("usage_error_en", common::outcome(&w, &en));
    let zh_out = run(&w, &zh(&args));
    assert_eq!(zh_out.status.code(), Some(2));
    insta::assert_snapshot!("usage_error_zh", common::outcome(&w, &zh_out));
}

#[test]
fn a_dimension_half_written_in_chinese_is_listed_and_suggested_in_chinese() {
    // Clerk review, session 20: `--by 乡` listed the English names only.
    let w = Workdir::new();
    let out = run(&w, &zh(&["totals", "--by", "乡"]));
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("dimension_half_chinese_zh", common::outcome(&w, &out));
    // In English, clap's own words.
    let out = run(&w, &["--lang", "en", "totals", "--by", "乡"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("[possible values: category, unit,"), "{err}");
}

#[test]
fn wrong_values_are_refused_in_chinese() {
    let w = Workdir::new();
    for (args, want) in [
        (
            vec!["totals", "--by", "村庄"],
            "'--by <维度[,维度...]>' 的值 '村庄' 无效",
        ),
        (
            vec!["import", "--kind", "foo", "x.csv"],
            "不认识的类型 \"foo\"",
        ),
        (
            vec!["import", "--encoding", "big5x", "x.csv"],
            "不认识的编码",
        ),
        (
            vec!["import", "--delimiter", "ab", "x.csv"],
            "分隔符须为一个 ASCII 字符",
        ),
        (
            vec!["summary", "--from", "2001-02-30"],
            "没有这一天：“2001-02-30”",
        ),
        (vec!["summary", "--category", "送温饱"], "不认识的类别"),
        (vec!["overdue", "--days", "x"], "不是整数"),
        (vec!["summary", "--township"], "需要一个值，但没有给出"),
        (
            vec!["show", "household"],
            "缺少以下必需的参数：\n  <编号或名称>",
        ),
    ] {
        let out = run(&w, &zh(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("错误："), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            err.contains(" --help。") && err.contains("详见 bangfu "),
            "{args:?}: {err}"
        );
    }
    // Unknown --kind and --encoding are usage errors in English too, found
    // before any file is opened.
    let out = run(&w, &["import", "--kind", "foo", "missing.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("unknown kind \"foo\"; use households, members, pairings or deliveries"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_argument_like_a_phone_number_is_masked_in_usage_errors() {
    let w = Workdir::new();
    for args in [
        zh(&["overdue", "--days", "13812345678"]),
        vec!["overdue", "--days", "13812345678"],
    ] {
        let err = stderr(&run(&w, &args));
        assert!(!err.contains("13812345678"), "{err}");
        assert!(err.contains("138****5678"), "{err}");
    }
}

/// A district whose deliveries file has one good row and two bad ones.
fn district_with_bad_deliveries(w: &Workdir) {
    import_small_district(w);
    w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,cash\n\
         2001-03-05,M1,H1,warmth,1200,300\n\
         2001-02-30,M1,H1,warmth,10,0\n\
         2001-03-06,M1,H2,warmth,abc,0\n",
    );
}

#[test]
fn an_import_verdict_in_english_and_chinese() {
    let w = Workdir::new();
    district_with_bad_deliveries(&w);
    let before = w.dump();
    let en = run(&w, &["import", "deliveries.csv"]);
    assert_eq!(en.status.code(), Some(1));
    insta::assert_snapshot!("import_verdict_en", common::outcome(&w, &en));
    let zh_out = run(&w, &zh(&["import", "deliveries.csv"]));
    assert_eq!(zh_out.status.code(), Some(1));
    insta::assert_snapshot!("import_verdict_zh", common::outcome(&w, &zh_out));
    assert_eq!(w.dump(), before);

    let dry = run(&w, &zh(&["import", "--dry-run", "deliveries.csv"]));
    assert!(
        stderr(&dry).contains("试运行：什么也没有写入（2 个问题）"),
        "{}",
        stderr(&dry)
    );
    let kept = run(
        &w,
        &zh(&["import", "--rejects", "rejects.csv", "deliveries.csv"]),
    );
    assert!(
        stderr(&kept).contains(
            "已导入没有问题的行；2 行有问题，已写入 rejects.csv；\
             改正后请用这条命令导回原表的台账：bangfu import --ledger deliveries rejects.csv"
        ),
        "{}",
        stderr(&kept)
    );
}

/// Issue 15 item 7: the per-file table comes before the verdict, so the
/// verdict is the last thing a clerk reads on a terminal (stdout and stderr
/// into one file here, as a terminal shows them).
#[test]
fn the_verdict_comes_after_the_table() {
    let w = Workdir::new();
    district_with_bad_deliveries(&w);
    let log = std::fs::File::create(w.path("log.txt")).expect("log");
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin!("bangfu"))
        .current_dir(w.dir.path())
        .env("BANGFU_DB", w.target())
        .env("BANGFU_TODAY", common::TODAY)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args(["import", "deliveries.csv"])
        .stdout(log.try_clone().expect("clone"))
        .stderr(log)
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(w.path("log.txt")).expect("read log");
    let table = text.find("rejected").expect("the table");
    let verdict = text.find("nothing was imported").expect("the verdict");
    assert!(table < verdict, "{text}");
    assert!(
        text.trim_end().ends_with("to import the valid rows)"),
        "{text}"
    );
}

#[test]
fn each_locale_variable_chooses_chinese_in_its_turn() {
    let w = Workdir::new();
    // (LC_ALL, LC_MESSAGES, LANG) → Chinese?
    let cases = [
        (None, None, Some("zh_CN.UTF-8"), true),
        (None, Some("zh_CN.UTF-8"), Some("C"), true),
        (Some("zh_CN.UTF-8"), None, Some("C"), true),
        (Some("zh_CN.UTF-8"), Some("C"), Some("C"), true),
        (Some("C"), None, Some("zh_CN"), false),
        (None, Some("C"), Some("zh_CN"), false),
        (Some(""), None, Some("zh_CN.UTF-8"), true),
        (Some(""), Some(""), Some("zh_CN.UTF-8"), true),
        (None, None, Some("en_US.UTF-8"), false),
    ];
    for (lc_all, lc_messages, lang, chinese) in cases {
        let cmd = |args: &[&str]| {
            let mut cmd = w.bangfu();
            cmd.env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                .env_remove("LANG");
            for (name, value) in [
                ("LC_ALL", lc_all),
                ("LC_MESSAGES", lc_messages),
                ("LANG", lang),
            ] {
                if let Some(value) = value {
                    cmd.env(name, value);
                }
            }
            cmd.args(args).output().expect("run")
        };
        let case = format!("LC_ALL={lc_all:?} LC_MESSAGES={lc_messages:?} LANG={lang:?}");
        // Before clap parses: the help.
        let help = stdout(&cmd(&["--help"]));
        assert_eq!(help.contains("用法："), chinese, "{case}: {help}");
        // After: the report.
        let demo = stdout(&cmd(&["demo"]));
        assert_eq!(demo.contains("共包保贫困户"), chinese, "{case}: {demo}");
        // --lang wins over all of them.
        let forced = stdout(&cmd(&["--lang", "en", "--help"]));
        assert!(forced.contains("Usage:"), "{case}: {forced}");
    }
}

#[test]
fn dimensions_and_measures_are_accepted_in_chinese() {
    let w = Workdir::new();
    import_small_district(&w);
    w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,cash\n\
         2001-03-05,M1,H1,warmth,1200,300\n\
         2001-04-06,M1,H2,law,0,50\n\
         2002-05-07,M2,H3,warmth,80,0\n",
    );
    w.stdout(&["import", "deliveries.csv"]);
    let pairs: [(&[&str], &[&str]); 6] = [
        (&["--by", "村"], &["--by", "village"]),
        (
            &["--by", "类别,单位,帮扶人,贫困户"],
            &["--by", "category,unit,member,household"],
        ),
        (
            &["--by", "乡镇,致贫原因,状态"],
            &["--by", "township,cause,status"],
        ),
        (&["--by", "年,季度,月"], &["--by", "year,quarter,month"]),
        (
            &[
                "--by",
                "类别",
                "--across",
                "月",
                "--measure",
                "资金",
                "--sort",
                "合计",
            ],
            &[
                "--by",
                "category",
                "--across",
                "month",
                "--measure",
                "cash",
                "--sort",
                "total",
            ],
        ),
        (
            &["--by", "单位", "--across", "年", "--measure", "次数"],
            &[
                "--by",
                "unit",
                "--across",
                "year",
                "--measure",
                "deliveries",
            ],
        ),
    ];
    for (chinese, english) in pairs {
        let mut c = vec!["totals"];
        c.extend_from_slice(chinese);
        let mut e = vec!["totals"];
        e.extend_from_slice(english);
        assert_eq!(w.json(&c), w.json(&e), "{chinese:?}");
    }
    for (measure, key) in [("户数", "households"), ("物资", "goods"), ("合计", "total")] {
        let c = [
            "totals",
            "--by",
            "类别",
            "--across",
            "年",
            "--measure",
            measure,
            "--format",
            "csv",
        ];
        let e = [
            "totals",
            "--by",
            "category",
            "--across",
            "year",
            "--measure",
            key,
            "--format",
            "csv",
        ];
        assert_eq!(w.stdout(&c), w.stdout(&e), "{measure}");
    }
}

/// `--measure` fills the cells of a cross-tab; without `--across` it used
/// to be ignored without a word.
#[test]
fn measure_without_across_is_a_usage_error() {
    let w = Workdir::new();
    import_small_district(&w);
    let out = run(&w, &["totals", "--by", "unit", "--measure", "cash"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--across"), "{err}");
    let out = run(&w, &zh(&["totals", "--by", "unit", "--measure", "cash"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("缺少以下必需的参数"),
        "{}",
        stderr(&out)
    );
    // With --across it still works.
    w.stdout(&[
        "totals",
        "--by",
        "unit",
        "--across",
        "year",
        "--measure",
        "cash",
    ]);
}

/// `demo` loads into memory unless `--db` is given: `$BANGFU_DB` is not
/// read, and its help says so.
#[test]
fn demo_help_tells_the_truth_about_bangfu_db() {
    let w = Workdir::new();
    for (args, want) in [
        (vec!["demo", "--help"], "$BANGFU_DB is not used"),
        (zh(&["demo", "--help"]), "不使用 $BANGFU_DB"),
    ] {
        let help = stdout(&run(&w, &args));
        assert!(help.contains(want), "{help}");
        assert!(!help.contains("[default: $BANGFU_DB"), "{help}");
    }
    w.stdout(&["demo"]);
    assert!(!w.made(), "demo wrote $BANGFU_DB");
}

#[test]
fn the_count_of_problems_not_shown_is_chinese() {
    let w = Workdir::new();
    import_small_district(&w);
    let mut csv = String::from("date,member,household,category,goods\n");
    for _ in 0..150 {
        csv.push_str("2001-02-30,M1,H1,warmth,10\n");
    }
    w.utf8("deliveries.csv", &csv);
    let out = run(&w, &zh(&["import", "deliveries.csv"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("……另有 50 个问题（共 150 个）"),
        "{}",
        stderr(&out)
    );
}
