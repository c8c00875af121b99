//! End-to-end: the findings of a clerk's and an attacker's review — an
//! import that fails leaves no new database behind, `--output`'s extension
//! chooses the format, pasted-twice deliveries are found, cross-tabs keep
//! all seven categories, count lines under overdue lists, `--db` values
//! SQLite treats specially, `demo` into a real database, control
//! characters in what is printed, full-width ID digits.

use crate::common;

use common::{import_small_district, path_str, small_district, Workdir};

/// Run `bangfu ARGS`: exit code, stdout, stderr.
fn run(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = w.bangfu().args(args).output().expect("run bangfu");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_failed_import_into_a_mistyped_db_leaves_no_database_behind() {
    crate::sqlite_only!("--db paths and -wal files");
    let w = Workdir::new();
    // A delivery whose household nobody imported: the import fails.
    let bad = w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,cash\n2003-01-05,M1,H9,warmth,10,0\n",
    );
    let (code, _, _) = run(&w, &["--db", "typo.db", "import", path_str(&bad)]);
    assert_eq!(code, Some(1));
    for name in ["typo.db", "typo.db-wal", "typo.db-shm"] {
        assert!(!w.path(name).exists(), "{name} was left behind");
    }
    // The next report says the database is missing, not zeros.
    let (code, _, _) = run(&w, &["--db", "typo.db", "summary"]);
    assert_eq!(code, Some(2));
}

#[test]
fn a_failed_import_keeps_a_database_it_did_not_create() {
    let w = Workdir::new();
    import_small_district(&w);
    let bad = w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,cash\n2003-01-05,M1,H9,warmth,10,0\n",
    );
    let (code, _, _) = run(&w, &["import", path_str(&bad)]);
    assert_eq!(code, Some(1));
    assert!(w.made());
    assert!(w.stdout(&["summary"]).contains('3'));
}

#[test]
fn an_import_that_creates_the_database_says_so() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    let files = [path_str(&h), path_str(&m), path_str(&p)];
    let (code, _, err) = run(&w, &[&["--lang", "zh", "import"][..], &files].concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("已新建数据库"), "{err}");
    assert!(common::normalise(&w, &err).contains("test.db"), "{err}");
    // Again into the same database: nothing new said.
    let (code, _, err) = run(&w, &[&["import"][..], &files].concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("created a new database"), "{err}");
    let other = w.path("other.db");
    let (_, _, err) = run(
        &w,
        &[&["--db", path_str(&other), "import"][..], &files].concat(),
    );
    assert!(err.contains("created a new database"), "{err}");
}

#[test]
fn output_takes_its_format_from_the_extension() {
    let w = Workdir::new();
    import_small_district(&w);
    let (code, _, err) = run(&w, &["totals", "--by", "unit", "--output", "r.csv"]);
    assert_eq!(code, Some(0), "{err}");
    let csv = std::fs::read(w.path("r.csv")).unwrap();
    assert!(
        csv.starts_with(b"\xEF\xBB\xBFunit,"),
        "{}",
        String::from_utf8_lossy(&csv)
    );
    run(&w, &["summary", "--output", "s.json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path("s.json")).unwrap()).unwrap();
    assert_eq!(json["households"], 3);
    run(&w, &["totals", "--by", "unit", "--output", "r.md"]);
    assert!(std::fs::read_to_string(w.path("r.md"))
        .unwrap()
        .starts_with('|'));
    // --format still wins.
    run(
        &w,
        &[
            "totals", "--by", "unit", "--output", "t.csv", "--format", "json",
        ],
    );
    assert!(std::fs::read_to_string(w.path("t.csv"))
        .unwrap()
        .starts_with('{'));
}

#[test]
fn output_to_a_workbook_points_to_export() {
    let w = Workdir::new();
    import_small_district(&w);
    let (code, _, err) = run(&w, &["totals", "--by", "unit", "--output", "r.xlsx"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("bangfu export --xlsx r.xlsx"), "{err}");
    let (code, _, _) = run(&w, &["summary", "--format", "csv", "--output", "r.XLS"]);
    assert_eq!(code, Some(2));
    assert!(!w.path("r.xlsx").exists() && !w.path("r.XLS").exists());
}

#[test]
fn check_finds_a_delivery_pasted_twice() {
    let w = Workdir::new();
    import_small_district(&w);
    // A clerk pasted the 2003-01-05 block twice: three identical rows.
    let deliveries = w.utf8_bom(
        "deliveries.csv",
        "日期,帮扶人,户编号,类别,物资折价,资金\n\
         2003-01-05,M1,H1,送温暖,100,0\n\
         2003-01-05,M1,H1,送温暖,100,0\n\
         2003-01-05,M1,H1,送温暖,100,0\n\
         2003-01-05,M1,H2,送温暖,100,0\n\
         2003-02-01,M2,H3,送科技,0,50\n",
    );
    w.stdout(&["import", path_str(&deliveries)]);
    let (code, out, err) = run(&w, &["check"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let repeated: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("more than once"))
        .collect();
    assert_eq!(repeated.len(), 1, "{out}");
    for part in ["2003-01-05", "M1", "H1", "warmth", "100.00", " 3 "] {
        assert!(repeated[0].contains(part), "{part} in {out}");
    }
    let (_, json, _) = run(&w, &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["finding"] == "repeated_delivery")
        .collect();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["times"], 3);
    assert_eq!(rows[0]["household"], "H1");
    assert_eq!(rows[0]["amount"], "100.00");
    let (_, out, _) = run(&w, &["--lang", "zh", "check"]);
    assert!(out.contains("重复录入"), "{out}");
    // Filters select: another member's check shows none.
    let (_, out, _) = run(&w, &["check", "--member", "M2"]);
    assert!(!out.contains("more than once"), "{out}");
}

#[test]
fn across_category_shows_all_seven_columns() {
    let w = Workdir::new();
    import_small_district(&w);
    let deliveries = w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,cash\n\
         2003-01-05,M1,H1,warmth,100,0\n\
         2003-02-01,M2,H3,technology,0,50\n",
    );
    w.stdout(&["import", path_str(&deliveries)]);
    let csv = w.stdout(&[
        "totals", "--by", "unit", "--across", "category", "--format", "csv",
    ]);
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header, "unit,ideas,policy,technology,information,warmth,law,deeds,total",
        "{csv}"
    );
    assert!(
        csv.contains("区财政局,0.00,0.00,0.00,0.00,100.00,0.00,0.00,100.00"),
        "{csv}"
    );
    let table = w.stdout(&["--lang", "zh", "totals", "--by", "unit", "--across", "类别"]);
    for name in [
        "送思想",
        "送政策",
        "送科技",
        "送信息",
        "送温暖",
        "送法律",
        "办好事实事",
    ] {
        assert!(table.contains(name), "{name}: {table}");
    }
}

#[test]
fn overdue_and_unpaired_tables_end_with_a_count_line() {
    let w = Workdir::new();
    import_small_district(&w);
    let zh = w.stdout(&["--lang", "zh", "overdue"]);
    assert_eq!(
        zh.lines().last(),
        Some("截至2003-06-30，超过90天未帮扶的结对共3个"),
        "{zh}"
    );
    let en = w.stdout(&["overdue", "--days", "30"]);
    assert_eq!(
        en.lines().last(),
        Some("3 pairings not visited for more than 30 days as of 2003-06-30"),
        "{en}"
    );
    // An empty list is the line alone.
    let none = w.stdout(&["--lang", "zh", "overdue", "--as-of", "2000-12-31"]);
    assert_eq!(none, "截至2000-12-31，没有超过90天未帮扶的结对\n");
    let unpaired = w.stdout(&["--lang", "zh", "unpaired", "--as-of", "2000-12-31"]);
    assert_eq!(
        unpaired.lines().last(),
        Some("截至2000-12-31，没有有效结对的贫困户共2户"),
        "{unpaired}"
    );
    let unpaired = w.stdout(&["unpaired"]);
    assert_eq!(
        unpaired,
        "every poor household has an active pairing as of 2003-06-30\n"
    );
    // csv and json stay data.
    let csv = w.stdout(&["overdue", "--format", "csv"]);
    assert!(!csv.contains("as of"), "{csv}");
    assert!(w.json(&["unpaired"])["rows"].is_array());
}

#[test]
fn db_values_sqlite_reads_as_no_file_are_refused() {
    crate::sqlite_only!("--db paths SQLite reads as no file");
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    for db in ["file:z2.db", ":memory:", "file:z2.db?mode=rwc"] {
        let (code, _, err) = run(&w, &["--db", db, "import", path_str(&h)]);
        assert_eq!(code, Some(2), "{db}: {err}");
        assert!(err.contains(&format!("./{db}")), "{err}");
        let (code, _, _) = run(&w, &["--db", db, "summary"]);
        assert_eq!(code, Some(2));
    }
    let (code, _, err) = w
        .bangfu()
        .env("BANGFU_DB", "file:z2.db")
        .args(["import", path_str(&h)])
        .output()
        .map(|o| {
            (
                o.status.code(),
                (),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, Some(2), "{err}");
    let names: Vec<String> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("z2")), "{names:?}");
    // Written as a path, it is a file of that very name.
    let (code, _, err) = run(&w, &["--db", "./file:z2.db", "import", path_str(&h)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(w.path("file:z2.db").exists());
    assert!(!w.path("z2.db").exists());
    assert!(w.stdout(&["--db", "./file:z2.db", "summary"]).contains('3'));
}

#[test]
fn demo_refuses_a_database_that_holds_records() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.dump();
    let db = w.target();
    let (code, out, err) = run(&w, &["--db", &db, "demo"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains(&db), "{err}");
    assert_eq!(w.dump(), before, "demo changed the database");
    // A new one, and an empty one, it fills.
    let (code, _, err) = run(&w, &["--db", "new.db", "demo"]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::write(w.path("empty.db"), b"").unwrap();
    let (code, _, err) = run(&w, &["--db", "empty.db", "demo"]);
    assert_eq!(code, Some(0), "{err}");
}

/// `text` in full-width digits (and `Ｘ`), as a Chinese input method types them.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | 'X' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

#[test]
fn an_id_number_in_full_width_digits_in_a_note_is_masked() {
    let w = Workdir::new();
    import_small_district(&w);
    let id = common::id_number(7);
    let wide = full_width(&id);
    let deliveries = w.utf8(
        "deliveries.csv",
        &format!(
            "date,member,household,category,goods,cash,note\n\
             2003-01-05,M1,H1,warmth,100,0,代领人身份证{wide}\n"
        ),
    );
    w.stdout(&["import", path_str(&deliveries)]);
    for args in [
        &["show", "household", "H1"][..],
        &["show", "household", "H1", "--format", "csv"],
        &["show", "household", "H1", "--format", "json"],
    ] {
        let out = w.stdout(args);
        assert!(!out.contains(&wide), "{args:?}: {out}");
        assert!(!out.contains(&id), "{args:?}: {out}");
        assert!(out.contains(&id[..4]), "{args:?}: {out}");
    }
}

#[test]
fn control_characters_in_a_file_name_are_printed_escaped() {
    let w = Workdir::new();
    import_small_district(&w);
    let name = "f\u{1b}[31mred\u{1b}[0m.csv";
    // A delivery of an unknown household: a problem line naming the file.
    let bad = w.utf8(
        name,
        "date,member,household,category,goods,cash,extra\n2003-01-05,M1,H9,warmth,10,0,x\n",
    );
    let (code, out, err) = run(&w, &["import", path_str(&bad)]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(!out.contains('\u{1b}'), "stdout: {out:?}");
    assert!(!err.contains('\u{1b}'), "stderr: {err:?}");
    assert!(err.contains("\\u{1b}[31mred"), "{err}");
    assert!(out.contains("\\u{1b}[31mred"), "{out}");
}

#[test]
fn chinese_help_says_show_and_points_to_the_command_used() {
    let w = Workdir::new();
    let (_, out, _) = run(&w, &["--lang", "zh", "show", "--help"]);
    assert!(
        out.contains("查看某户") && out.contains("查看某帮扶人"),
        "{out}"
    );
    assert!(out.contains("显示帮助") && !out.contains("打印"), "{out}");
    let (code, _, err) = run(&w, &["--lang", "zh", "show", "household"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("详见 bangfu show household --help。"), "{err}");
}
