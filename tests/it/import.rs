//! End-to-end: importing files built the way clerks' exports really are.

use crate::common;

use common::{id_number, import_small_district, path_str, small_district, Workdir};
use predicates::prelude::*;
use predicates::str::contains;

fn import_ok(w: &Workdir, files: &[&std::path::Path]) -> String {
    let args: Vec<&str> = std::iter::once("import")
        .chain(files.iter().map(|p| path_str(p)))
        .collect();
    w.stdout(&args)
}

#[test]
fn imports_gbk_households_with_bracketed_chinese_headers_and_crlf() {
    let w = Workdir::new();
    let file = w.gbk(
        "户.csv",
        &format!(
            "户编号,户主姓名,身份证号码,乡镇（街道）,村（社区）,家庭人口(人),脱贫状态,联系电话\r\n\
             'H001,张三,'{},工农乡,红旗村,4,贫困,138 1234 5678\r\n\
             H002,李四,{},工农乡,红旗村,2,已脱贫,\r\n",
            id_number(7),
            id_number(8).to_lowercase()
        ),
    );
    let out = import_ok(&w, &[&file]);
    assert!(out.contains("GB18030"), "{out}");
    assert!(out.contains("households"), "{out}");
    let s = w.json(&["summary"]);
    assert_eq!(s["households"], 2);
    assert_eq!(s["lifted_households"], 1);
    assert!(w.dump().contains("H001"));
}

#[test]
fn imports_utf16_tsv_with_blank_rows_and_a_totals_row() {
    let w = Workdir::new();
    import_small_district(&w);
    let deliveries = w.utf16le(
        "记录.txt",
        "日期\t帮扶人\t户编号\t类别\t物资（元）\t资金（元）\t帮扶内容\r\n\
         2001-03-05\tM1\tH1\t送温暖\t200\t100\t送米面油\r\n\
         \t\t\t\t\t\t\r\n\
         2001/4/5\t赵六\tH2\t办实事\t1.2万\t\t修房\r\n\
         \r\n\
         合计\t\t\t\t12200\t100\t\r\n",
    );
    let out = w
        .bangfu()
        .args(["import", path_str(&deliveries)])
        .assert()
        .success()
        .stderr(contains("warning").not())
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("UTF-16LE"), "{out}");
    let s = w.json(&["summary"]);
    assert_eq!(s["deliveries"], 2);
    assert_eq!(s["goods"], "12200.00");
    assert_eq!(s["cash"], "100.00");
    assert_eq!(s["total"], "12300.00");
}

#[test]
fn warns_when_the_totals_row_disagrees_with_the_rows() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods,cash\n\
         2001-03-05,M1,H1,warmth,200,100\n\
         Total,,,,250,100\n",
    );
    w.bangfu()
        .args(["import", path_str(&d)])
        .assert()
        .success()
        .stderr(
            contains("d.csv:3: goods")
                .and(contains("250.00"))
                .and(contains("200.00")),
        );
}

#[test]
fn imports_utf8_with_bom_and_semicolons() {
    let w = Workdir::new();
    let h = w.utf8_bom(
        "h.csv",
        "户编号;户主;乡镇;村\r\nH1;张三;工农乡;红旗村\r\nH2;\"李;四\";工农乡;红旗村\r\n",
    );
    let out = import_ok(&w, &[&h]);
    assert!(out.contains("UTF-8 (BOM)"), "{out}");
    assert!(w.dump().contains("李;四"));
}

#[test]
fn applies_files_households_first_whatever_their_order() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n2001-03-05,M1,H1,warmth,50\n",
    );
    import_ok(&w, &[&d, &p, &m, &h]);
    let s = w.json(&["summary"]);
    assert_eq!(s["households"], 3);
    assert_eq!(s["pairings"], 3);
    assert_eq!(s["deliveries"], 1);
    assert_eq!(s["paired_households"], 3);
}

#[test]
fn importing_an_overlapping_re_export_spelled_differently_adds_nothing() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    let first = w.utf8(
        "march.csv",
        "date,member,household,category,goods,cash,note\n\
         2001-03-05,M1,H1,warmth,200,100,送米面油\n\
         2001-03-05,M1,H1,warmth,200,100,送米面油\n\
         2001-03-06,M2,H3,policy,,,宣讲\n",
    );
    import_ok(&w, &[&h, &m, &p, &first]);
    assert_eq!(w.json(&["summary"])["deliveries"], 3);
    // The April export: March again, spelled the clerk's way, plus April.
    let second = w.gbk(
        "april.csv",
        "日期,帮扶责任人,帮扶对象,六送一办,物资金额,现金,备注\r\n\
         2001年3月5日,赵六,张三,温暖,￥200.00,100元, 送米面油 \r\n\
         36955,M1,H1,送温暖,\"200\",RMB 100,送米面油\r\n\
         20010306,钱七,王五,送政策,0,0,宣讲\r\n\
         2001-04-01,M1,H2,送法律,,,普法\r\n",
    );
    let out = import_ok(&w, &[&second]);
    assert!(
        out.contains("|    4 |   1 |       0 |         3 |"),
        "{out}"
    );
    assert_eq!(w.json(&["summary"])["deliveries"], 4);
    // And once more: nothing new at all.
    import_ok(&w, &[&second, &first]);
    let s = w.json(&["summary"]);
    assert_eq!(s["deliveries"], 4);
    assert_eq!(s["total"], "600.00");
}

/// A households file with H1 and a members file with M1, paired with H1.
fn one_pair(w: &Workdir) -> [std::path::PathBuf; 2] {
    [
        w.utf8("h.csv", "id,head,township\nH1,张三,工农乡\n"),
        w.utf8("m.csv", "id,name,unit,households\nM1,李四,区委,H1\n"),
    ]
}

#[test]
fn counts_every_new_delivery_as_new_in_a_fresh_import() {
    // One household, one member, one pairing: the first delivery's key
    // equals the pairing's, which once fooled the new-or-matched test.
    let w = Workdir::new();
    let [h, m] = one_pair(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n\
         2001-03-05,M1,H1,warmth,10\n\
         2001-03-06,M1,H1,warmth,20\n\
         2001-03-06,M1,H1,warmth,20\n\
         2001-03-07,M1,H1,law,\n",
    );
    let out = import_ok(&w, &[&h, &m, &d]);
    let line = out.lines().find(|l| l.contains("d.csv")).unwrap();
    assert!(
        line.contains("|    4 |   4 |       0 |         0 |"),
        "{out}"
    );
    let again = import_ok(&w, &[&d]);
    assert!(
        again.contains("|    4 |   0 |       0 |         4 |"),
        "{again}"
    );
}

#[test]
fn stores_every_row_of_a_file_many_batches_long_exactly_as_written() {
    // Rows travel between the reading and the writing thread in batches of
    // 512, their memory is reused for later rows, and notes travel in one
    // buffer per batch: rows of every length, in and across batches, must
    // land with their own values. Identical rows, a bad row and a totals
    // row sit among them.
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "id,head,township\nH1,张三,工农乡\nH2,王五,工农乡\n",
    );
    let m = w.utf8("m.csv", "id,name,unit,households\nM1,李四,区委,H1 H2\n");
    let mut csv = String::from("date,member,household,category,goods,note\n");
    let note_of = |i: u32| match i % 4 {
        0 => String::new(),
        1 => format!("第{i}次走访"),
        2 => "送慰问品，米面油各一份，另附春联".repeat(1 + (i as usize % 7)),
        _ => "x".to_string(),
    };
    let mut expected: Vec<(u32, String)> = Vec::new();
    for i in 0..3000u32 {
        if i == 1500 {
            csv.push_str("2001-13-01,M1,H1,warmth,1,bad date\n");
        }
        // Every 100th row repeats the row before it.
        let (n, note) = match expected.last() {
            Some(previous) if i % 100 == 99 => previous.clone(),
            _ => (i, note_of(i)),
        };
        let day = 1 + n % 28;
        let household = if n % 3 == 0 { "H1" } else { "H2" };
        csv.push_str(&format!(
            "2001-02-{day:02},M1,{household},warmth,{n},{note}\n"
        ));
        expected.push((n, note));
    }
    let total: u32 = expected.iter().map(|e| e.0).sum();
    csv.push_str(&format!("合计,,,,{total},\n"));
    let d = w.utf8("d.csv", &csv);
    let out = w
        .bangfu()
        .args(["import", path_str(&h), path_str(&m), path_str(&d)])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("d.csv:1502: date"), "{stderr}");
    // The run was refused for the bad row; --rejects keeps the rest.
    let rejects = w.path("rejects.csv");
    w.bangfu()
        .args([
            "import",
            "--rejects",
            path_str(&rejects),
            path_str(&h),
            path_str(&m),
            path_str(&d),
        ])
        .assert()
        .code(1)
        .stderr(contains("the totals row").not());
    // The table is in day order, not file order: compare as sorted lists.
    let mut stored: Vec<(u32, String)> = w
        .rows("SELECT goods, coalesce(note, '') FROM deliveries")
        .iter()
        .map(|row| {
            let (goods, note) = row.split_once('|').expect("two cells");
            (
                (goods.parse::<i64>().expect("fen") / 100) as u32,
                note.to_string(),
            )
        })
        .collect();
    assert_eq!(stored.len(), expected.len());
    stored.sort_unstable();
    expected.sort_unstable();
    assert_eq!(stored, expected);
}

#[test]
fn a_record_id_whose_hash_meets_another_on_its_day_takes_the_next_place() {
    // Deliveries with an id are stored at (day, hash of the id, 0). Two
    // ids with one 64-bit hash are not to be found, so the test plants a
    // row at the places R1 will want, on the day it is new and on the day
    // it moves to.
    let w = Workdir::new();
    import_small_district(&w);
    let hash = bangfu::store::write::id_fingerprint("R1");
    let (march_5, march_9) = (11386, 11390);
    w.sql(&format!(
        "INSERT INTO deliveries (day, fingerprint, occurrence, id, member, household, category, goods)
         VALUES ({march_5}, {hash}, 0, 'OTHER1', 1, 1, 4, 100), ({march_9}, {hash}, 0, 'OTHER2', 1, 1, 4, 200)"
    ));
    if !w.on_postgres() {
        // Counted in the file's seal, as an import that wrote them would have.
        w.sql("UPDATE seal SET deliveries = deliveries + 2");
    }
    let v1 = w.utf8(
        "v1.csv",
        "流水号,date,member,household,category,goods\nR1,2001-03-05,M1,H1,warmth,50\n",
    );
    let out = import_ok(&w, &[&v1]);
    assert!(
        out.contains("|    1 |   1 |       0 |         0 |"),
        "{out}"
    );
    let v2 = w.utf8(
        "v2.csv",
        "流水号,date,member,household,category,goods\nR1,2001-03-09,M1,H1,warmth,50\n",
    );
    // The same sheet's ledger: a record moved to another day under another
    // ledger's name is another sheet's record (review 6).
    let out = w.stdout(&["import", "--ledger", "v1", path_str(&v2)]);
    assert!(
        out.contains("|    1 |   0 |       1 |         0 |"),
        "{out}"
    );
    let place = w.rows("SELECT day, fingerprint, occurrence FROM deliveries WHERE id = 'R1'");
    assert_eq!(place, [format!("{march_9}|{hash}|-1")]);
    let s = w.json(&["summary"]);
    assert_eq!(s["deliveries"], 3);
    assert_eq!(s["total"], "53.00");
}

#[test]
fn deliveries_with_a_record_id_are_updated_in_place() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    let v1 = w.utf8(
        "v1.csv",
        "流水号,date,member,household,category,goods\nR1,2001-03-05,M1,H1,warmth,50\n",
    );
    import_ok(&w, &[&h, &m, &p, &v1]);
    let v2 = w.utf8(
        "v2.csv",
        "流水号,date,member,household,category,goods\nR1,2001-03-05,M1,H1,warmth,80\n",
    );
    let out = import_ok(&w, &[&v2]);
    assert!(
        out.contains("|    1 |   0 |       1 |         0 |"),
        "{out}"
    );
    let s = w.json(&["summary"]);
    assert_eq!(s["deliveries"], 1);
    assert_eq!(s["goods"], "80.00");
}

#[test]
fn a_pairing_without_since_and_one_with_since_are_one_pairing() {
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    let m = w.utf8("m.csv", "编号,姓名,单位,结对户\nM1,赵六,区财政局,H1、H2\n");
    import_ok(&w, &[&h, &m]);
    assert_eq!(w.json(&["summary"])["pairings"], 2);
    let p = w.utf8("p.csv", "帮扶人编号,户编号,结对日期\nM1,H1,2001/3/1\n");
    let out = import_ok(&w, &[&p]);
    assert!(out.contains("|    1 |   0 |       1 |"), "{out}");
    assert_eq!(w.json(&["summary"])["pairings"], 2);
    import_ok(&w, &[&m]);
    assert_eq!(w.json(&["summary"])["pairings"], 2);
}

#[test]
fn households_are_updated_by_id_and_unchanged_rows_are_counted() {
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    import_ok(&w, &[&h]);
    let again = w.utf8(
        "h2.csv",
        "id,head,township\nH1,张三,工农乡\nH2,李四改,工农乡\n",
    );
    let out = import_ok(&w, &[&again]);
    assert!(
        out.contains("|    2 |   0 |       1 |         1 |"),
        "{out}"
    );
    // Columns the file lacks keep their values.
    assert!(w.dump().contains("红旗村"));
}

#[test]
fn passes_over_a_title_row_above_the_header() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "龙山区贫困户花名册,,\n户编号,户主,乡镇\nH1,张三,工农乡\n",
    );
    w.bangfu()
        .args(["import", path_str(&h)])
        .assert()
        .success()
        .stderr(contains("line 2"));
    assert_eq!(w.json(&["summary"])["households"], 1);
}

#[test]
fn names_ignored_columns_in_a_warning() {
    let w = Workdir::new();
    let h = w.utf8("h.csv", "序号,户编号,户主,乡镇,签字\n1,H1,张三,工农乡,\n");
    w.bangfu()
        .args(["import", path_str(&h)])
        .assert()
        .success()
        .stderr(contains("序号").and(contains("签字")));
}

#[test]
fn kind_can_be_given_when_headers_do_not_tell() {
    let w = Workdir::new();
    let [h, m, _] = small_district(&w);
    import_ok(&w, &[&h, &m]);
    let p = w.utf8("p.csv", "member,household\nM1,H1\n");
    w.stdout(&["import", "--kind", "pairings", path_str(&p)]);
    assert_eq!(w.json(&["summary"])["pairings"], 1);
}

#[test]
fn encoding_and_delimiter_can_be_forced() {
    let w = Workdir::new();
    let h = w.gbk("h.txt", "户编号|户主|乡镇\nH1|张三|工农乡\n");
    w.stdout(&[
        "import",
        "--encoding",
        "gbk",
        "--delimiter",
        "|",
        path_str(&h),
    ]);
    assert!(w.dump().contains("张三"));
}

#[test]
fn dry_run_checks_everything_and_writes_nothing() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    import_ok(&w, &[&h]);
    let before = w.dump();
    w.bangfu()
        .args(["import", "--dry-run", path_str(&m), path_str(&p)])
        .assert()
        .success()
        .stderr(contains("dry run"));
    assert_eq!(w.dump(), before);
}

#[test]
fn rejects_file_takes_every_bad_row_and_the_valid_rows_are_imported() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n\
         2001-03-05,M1,H1,warmth,50\n\
         2001-02-30,M1,H1,warmth,50\n\
         2001-03-07,M9,H1,warmth,50\n\
         2001-03-08,M1\n",
    );
    let rejects = w.path("rejects.csv");
    w.bangfu()
        .args(["import", "--rejects", path_str(&rejects), path_str(&d)])
        .assert()
        .code(1)
        .stderr(contains("3 rejected rows"));
    assert_eq!(w.json(&["summary"])["deliveries"], 1);
    let text = std::fs::read_to_string(&rejects).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("date,member,household,category,goods,error")
    );
    let rest: Vec<&str> = lines.collect();
    assert_eq!(rest.len(), 3, "{text}");
    assert!(
        rest[0].starts_with("2001-02-30,M1,H1,warmth,50,") && rest[0].contains("d.csv:3: date")
    );
    assert!(rest[1].contains("d.csv:4: member"));
    assert!(rest[2].starts_with("2001-03-08,M1,,,,"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&rejects).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn the_database_is_created_readable_by_its_owner_only() {
    crate::sqlite_only!("the file's permissions");
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    import_ok(&w, &[&h]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.db()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn db_flag_wins_over_the_environment() {
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    let other = w.path("other.db");
    w.stdout(&["--db", path_str(&other), "import", path_str(&h)]);
    assert!(other.exists());
    assert!(!w.made());
}

#[test]
fn problems_are_reported_up_to_a_hundred_then_counted() {
    let w = Workdir::new();
    let mut text = String::from("id,head,township,size\n");
    for i in 0..150 {
        text.push_str(&format!("H{i},x,T,99\n"));
    }
    w.utf8("h.csv", &text);
    let out = w.bangfu().args(["import", "h.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("h.csv:")).count(),
        100
    );
    assert!(stderr.contains("50 more problems (150 in all)"), "{stderr}");
    assert_eq!(w.dump(), "");
}

#[test]
fn a_bad_byte_after_a_utf8_bom_rejects_that_row_only() {
    let w = Workdir::new();
    import_small_district(&w);
    let mut bytes = b"\xEF\xBB\xBFdate,member,household,category,note\n".to_vec();
    bytes.extend_from_slice(b"2001-03-01,M1,H1,warmth,ok\n2001-03-02,M1,H1,warmth,\xB0\xA1\n");
    bytes.extend_from_slice(b"2001-03-03,M1,H1,warmth,ok\n");
    w.write("d.csv", &bytes);
    let before = w.dump();
    w.bangfu()
        .args(["import", "d.csv"])
        .assert()
        .code(1)
        .stderr(contains(
            "d.csv:3: row: holds bytes that are not valid UTF-8",
        ));
    assert_eq!(w.dump(), before);
    let rejects = w.path("r.csv");
    w.bangfu()
        .args(["import", "--rejects", path_str(&rejects), "d.csv"])
        .assert()
        .code(1);
    assert_eq!(w.json(&["summary"])["deliveries"], 2);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn names_padded_with_ideographic_spaces_match_as_references() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇\nH1,李　四,工农乡\nH2,ＡＢＣ,工农乡\n",
    );
    let m = w.utf8("m.csv", "编号,姓名,单位\nM1,张　三,组织部\n");
    let p = w.utf8("p.csv", "帮扶人,户主\n张　三,李　四\n张　三,ＡＢＣ\n");
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户主,类别\n2001-01-01,张　三,李　四,温暖\n",
    );
    import_ok(&w, &[&h, &m, &p, &d]);
    assert_eq!(w.json(&["summary"])["pairings"], 2);
    w.stdout(&["show", "household", "李　四"]);
}

#[test]
fn tells_the_delimiter_from_the_header_under_a_title_row() {
    let w = Workdir::new();
    let h = w.utf16le(
        "h.txt",
        "龙山区贫困户花名册\r\n户编号\t户主\t乡镇\r\nH1\t张三\t工农乡\r\n",
    );
    import_ok(&w, &[&h]);
    assert_eq!(w.json(&["summary"])["households"], 1);
}

#[test]
fn a_deliveries_export_with_an_unknown_category_header_is_not_taken_for_pairings() {
    let w = Workdir::new();
    import_small_district(&w);
    let before = w.dump();
    w.utf8(
        "d.csv",
        "帮扶日期,帮扶责任人,帮扶对象,帮扶类型,物资（元）\n2001-02-10,赵六,李四,送温暖,200\n",
    );
    w.bangfu()
        .args(["import", "d.csv"])
        .assert()
        .code(1)
        .stderr(contains("d.csv:1: category: missing required column"));
    assert_eq!(w.dump(), before);
}

#[test]
fn a_grand_total_is_checked_against_the_whole_file_and_a_subtotal_against_its_section() {
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods,cash\n\
         2001-01-01,M1,H1,warmth,100,0\n\
         小 计,,,,100,0\n\
         2001-01-02,M1,H1,warmth,200,0\n\
         合　计,,,,200,0\n",
    );
    w.bangfu()
        .args(["import", path_str(&d)])
        .assert()
        .success()
        .stderr(contains(
            "d.csv:5: goods: the totals row says 200.00 but the valid rows add up to 300.00",
        ))
        .stderr(contains("d.csv:3").not());
    assert_eq!(w.json(&["summary"])["deliveries"], 2);
}

#[test]
fn status_and_lifting_date_change_only_through_columns_the_file_has() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "id,head,township,status\nH1,张三,工农乡,poor\nH2,李四,工农乡,lifted\n",
    );
    import_ok(&w, &[&h]);
    // A date lifts H1; an empty date leaves H2 lifted.
    let dates = w.utf8(
        "d.csv",
        "id,head,township,lifted_on\nH1,张三,工农乡,2002-12-01\nH2,李四,工农乡,\n",
    );
    import_ok(&w, &[&dates]);
    assert_eq!(w.json(&["summary"])["lifted_households"], 2);
    // A stated poor status takes H1 back, and its date with it.
    import_ok(&w, &[&h]);
    let card = w.json(&["show", "household", "H1"]);
    assert_eq!(card["record"]["status"], "poor");
    assert_eq!(card["record"]["lifted_on"], serde_json::Value::Null);
    assert_eq!(w.json(&["summary"])["lifted_households"], 1);
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal() {
    let w = Workdir::new();
    let [h, _, _] = small_district(&w);
    let out = w.bangfu().args(["import", path_str(&h)]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("rows/s") && !stderr.contains('\u{1b}'),
        "{stderr}"
    );
}

#[test]
fn counts_repeats_across_many_chunks_of_a_large_file_on_every_import() {
    // Deliveries without an id go into the database 64 at a time; a chunk
    // with a repeat in it, or a row stored before, is sorted out row by
    // row. The counts must be those of rows written one by one: 300 rows,
    // every 7th the same as the row before it, imported, imported again,
    // then with 20 more copies of its first row.
    let w = Workdir::new();
    let [h, m] = one_pair(&w);
    let mut rows = String::new();
    let mut goods = 0;
    for i in 0..300 {
        if i % 7 != 6 {
            goods = i + 1;
        }
        let day = 1 + goods % 28;
        rows.push_str(&format!("2001-02-{day:02},M1,H1,warmth,{goods}\n"));
    }
    let header = "date,member,household,category,goods\n";
    let d = w.utf8("d.csv", &format!("{header}{rows}"));
    let out = import_ok(&w, &[&h, &m, &d]);
    let line = out.lines().find(|l| l.contains("d.csv")).unwrap();
    assert!(
        line.contains("|  300 | 300 |       0 |         0 |"),
        "{out}"
    );
    let again = import_ok(&w, &[&d]);
    assert!(
        again.contains("|  300 |   0 |       0 |       300 |"),
        "{again}"
    );
    let first = rows.lines().next().unwrap();
    let more = format!("{header}{rows}{}", format!("{first}\n").repeat(20));
    let d2 = w.utf8("d2.csv", &more);
    let third = import_ok(&w, &[&d2]);
    assert!(
        third.contains("|  320 |  20 |       0 |       300 |"),
        "{third}"
    );
    assert_eq!(w.json(&["summary"])["deliveries"], 320);
}
