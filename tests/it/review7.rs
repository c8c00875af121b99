//! End-to-end: the seventh look from outside (session 22), each finding
//! an import refused that a careful clerk would expect to land, or a
//! figure counted twice with exit 0.

use crate::common;

use common::{import, import_small_district, path_str, Workdir};

/// The deliveries' goods and cash (fen), in key order.
fn amounts(w: &Workdir) -> String {
    w.rows("SELECT goods || '|' || cash FROM deliveries ORDER BY key")
        .join(";")
}

#[test]
fn two_visits_differing_only_in_their_note_one_with_an_id_both_land() {
    // A sheet whose later rows have no 记录编号 yet: the rice and the oil
    // delivered the same day, of the same value, were refused as one
    // sheet given twice, once with its ids and once without.
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.gbk(
        "d.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资,备注\n\
         R1,2001-03-05,M1,H1,送温暖,100,送大米\n\
         ,2001-03-05,M1,H1,送温暖,100,送食用油\n",
    );
    let (code, _, err) = import(&w, &["--lang", "zh", "--ledger", "L", path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;10000|0");
}

#[test]
fn a_visit_without_an_id_beside_a_stored_one_with_an_id_differing_in_note_lands() {
    // The same across two imports: March's sheet with ids, then April's
    // without the column, whose first row is another delivery of the
    // same value on a day March's sheet also had.
    let w = Workdir::new();
    import_small_district(&w);
    let march = w.gbk(
        "m.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资,备注\nR1,2001-03-05,M1,H1,送温暖,100,送大米\n",
    );
    let (code, _, err) = import(&w, &["--ledger", "L", path_str(&march)]);
    assert_eq!(code, Some(0), "{err}");
    let april = w.gbk(
        "a.csv",
        "日期,帮扶人,户编号,类别,物资,备注\n\
         2001-03-05,M1,H1,送温暖,100,送食用油\n\
         2001-04-02,M1,H2,送温暖,50,\n",
    );
    let (code, _, err) = import(&w, &["--lang", "zh", "--ledger", "L", path_str(&april)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;10000|0;5000|0");
}

#[test]
fn a_row_with_an_id_and_a_like_row_without_one_in_one_file_are_two_visits() {
    // Two like rows without ids are two visits (SPEC §3.4); a row given
    // its 记录编号 and a like one not yet numbered were refused as one
    // sheet given twice.
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.gbk(
        "d.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资\n\
         R1,2001-03-05,M1,H1,送温暖,100\n\
         ,2001-03-05,M1,H1,送温暖,100\n",
    );
    let (code, _, err) = import(&w, &["--lang", "zh", "--ledger", "L", path_str(&d)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;10000|0");
}

/// The township's sheet with its 记录编号, and the department's export of
/// the same visits without the column.
fn township_and_department(w: &Workdir) -> [std::path::PathBuf; 2] {
    let rows = ["2001-03-05,M1,H1,送温暖,100", "2001-03-06,M1,H2,送政策,50"];
    let with_ids = format!(
        "记录编号,日期,帮扶人,户编号,类别,物资\nR1,{}\nR2,{}\n",
        rows[0], rows[1]
    );
    let without = format!("日期,帮扶人,户编号,类别,物资\n{}\n{}\n", rows[0], rows[1]);
    [w.gbk("乡镇.csv", &with_ids), w.gbk("部门.csv", &without)]
}

/// Which ledgers hold each delivery, in key order: "key:L1,L2".
fn holders(w: &Workdir) -> String {
    let pairs = w.rows(
        "SELECT d.key, l.name FROM deliveries d JOIN ledgers l \
         ON l.key = d.ledger OR l.key IN (SELECT ledger FROM holds WHERE kind = 3 AND record = d.key) \
         ORDER BY d.key, l.name",
    );
    let mut all: Vec<(String, Vec<String>)> = Vec::new();
    for pair in pairs {
        let (key, name) = pair.split_once('|').expect("key|name");
        match all.last_mut() {
            Some((last, names)) if last == key => names.push(name.to_string()),
            _ => all.push((key.to_string(), vec![name.to_string()])),
        }
    }
    let each: Vec<String> = all
        .iter()
        .map(|(k, n)| format!("{k}:{}", n.join(",")))
        .collect();
    each.join(";")
}

#[test]
fn one_visit_in_a_township_sheet_with_ids_and_a_department_sheet_without_is_counted_once() {
    // SPEC §8: a township's ledger and a department's may record the same
    // visit; it is counted once. Given with ids under one ledger and
    // without under another, every delivery was counted twice, exit 0.
    for one_command in [true, false] {
        let w = Workdir::new();
        import_small_district(&w);
        let [township, department] = township_and_department(&w);
        let (code, out, err) = if one_command {
            import(
                &w,
                &["--lang", "zh", path_str(&township), path_str(&department)],
            )
        } else {
            let (code, _, err) = import(&w, &[path_str(&township)]);
            assert_eq!(code, Some(0), "{err}");
            import(&w, &["--lang", "zh", path_str(&department)])
        };
        assert_eq!(code, Some(0), "one command {one_command}: {err}");
        assert_eq!(
            amounts(&w),
            "10000|0;5000|0",
            "one command {one_command}: {err}"
        );
        assert!(
            err.contains("部门.csv: 这个文件有 2 条帮扶记录，台账“乡镇”里已经有（带记录编号）"),
            "{err}"
        );
        // The department's line: two rows read, none new, two unchanged.
        let line = out.lines().find(|l| l.contains("部门.csv")).unwrap();
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(&cells[4..8], ["2", "0", "0", "2"], "{out}");
        assert!(w.stdout(&["summary"]).contains("150.00"));
        let both = "1:乡镇,部门;2:乡镇,部门";
        assert_eq!(holders(&w), both);
        // Not named as one ledger's copy of the other's sheet (clerk,
        // session 22: "undo this import" after the note said "once").
        assert!(
            !err.contains("两份都计入") && !err.contains("--ledger"),
            "{err}"
        );
        // Next month's exports, unchanged: still once, still held by both,
        // each sheet finding its rows its own way (nothing paired again).
        let (code, _, err) = import(
            &w,
            &["--lang", "zh", path_str(&department), path_str(&township)],
        );
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(amounts(&w), "10000|0;5000|0");
        assert_eq!(err, "", "one command {one_command}");
        let (code, _, err) = import(&w, &["--replace", path_str(&department)]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(
            (amounts(&w), holders(&w)),
            ("10000|0;5000|0".into(), both.into())
        );
    }
}

#[test]
fn the_department_sheet_first_and_the_township_sheet_with_ids_after_is_counted_once() {
    // The other way round: the rows without ids stored first.
    let w = Workdir::new();
    import_small_district(&w);
    let [township, department] = township_and_department(&w);
    let (code, _, err) = import(&w, &[path_str(&department)]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = import(&w, &["--lang", "zh", path_str(&township)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("台账“部门”里已经有（不带记录编号）"), "{err}");
    assert_eq!(amounts(&w), "10000|0;5000|0");
    assert_eq!(holders(&w), "1:乡镇,部门;2:乡镇,部门");
    let (code, _, err) = import(&w, &["--replace", path_str(&township)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(holders(&w), "1:乡镇,部门;2:乡镇,部门");
    // Undo the township's imports, newest first: the department's alone.
    w.stdout(&["undo", "4"]);
    w.stdout(&["undo", "3"]);
    assert_eq!(holders(&w), "1:部门;2:部门");
}

#[test]
fn a_township_database_with_ids_merged_into_a_district_without_them_counts_each_visit_once() {
    // `import OTHER.db`: the township's own file, its sheet with ids,
    // joins the district's, which has the department's export without.
    let w = Workdir::new();
    import_small_district(&w);
    let [township, department] = township_and_department(&w);
    let (code, _, err) = import(&w, &[path_str(&department)]);
    assert_eq!(code, Some(0), "{err}");
    let own = w.path("乡镇.db");
    let own = path_str(&own);
    let [h, m, p] = common::small_district(&w);
    for args in [
        vec!["import", path_str(&h), path_str(&m), path_str(&p)],
        vec!["import", path_str(&township)],
    ] {
        let (code, _, err) = common::run_on(&w, own, &args);
        assert_eq!(code, Some(0), "{err}");
    }
    for _ in 0..2 {
        let (code, _, err) = import(&w, &["--lang", "zh", own]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(amounts(&w), "10000|0;5000|0", "{err}");
        assert_eq!(holders(&w), "1:乡镇,部门;2:乡镇,部门");
    }
}

#[test]
fn two_like_visits_without_ids_beside_one_with_an_id_are_two() {
    // The department's sheet has the visit twice (two bags of rice that
    // day), the township's once, with its id: one of the two is the
    // township's, the other a visit of its own — two, every month.
    let w = Workdir::new();
    import_small_district(&w);
    let township = w.gbk(
        "乡镇.csv",
        "记录编号,日期,帮扶人,户编号,类别,物资\nR1,2001-03-05,M1,H1,送温暖,100\n",
    );
    let twice =
        "日期,帮扶人,户编号,类别,物资\n2001-03-05,M1,H1,送温暖,100\n2001-03-05,M1,H1,送温暖,100\n";
    let department = w.gbk("部门.csv", twice);
    for _ in 0..2 {
        for file in [&township, &department] {
            let (code, _, err) = import(&w, &[path_str(file)]);
            assert_eq!(code, Some(0), "{err}");
        }
        assert_eq!(amounts(&w), "10000|0;10000|0");
    }
    let (code, _, err) = import(&w, &["--replace", path_str(&department)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(amounts(&w), "10000|0;10000|0");
    let held = holders(&w);
    assert!(
        held.ends_with(":部门") && held.contains(":乡镇,部门;"),
        "{held}"
    );
}

/// Import each of `steps` (arguments of `import`) in turn, each to exit 0.
fn imports(w: &Workdir, steps: &[&[&str]]) {
    for args in steps {
        let (code, _, err) = import(w, args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
}

/// A sheet of deliveries in `w` named `name`, with the header `header`.
fn sheet(w: &Workdir, name: &str, header: &str, rows: &[&str]) -> String {
    let path = w.gbk(name, &format!("{header}\n{}\n", rows.join("\n")));
    path_str(&path).to_string()
}

const WITH_IDS: &str = "记录编号,日期,帮扶人,户编号,类别,物资";

/// The township's sheet of two visits, R1 and R2, and the department's of
/// the same two without ids: town.csv and dept.csv.
fn two_visits(w: &Workdir) -> [String; 2] {
    let visits = ["2001-03-05,M1,H1,送温暖,100", "2001-03-06,M1,H2,送政策,200"];
    let numbered = [format!("R1,{}", visits[0]), format!("R2,{}", visits[1])];
    let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
    [
        sheet(w, "town.csv", WITH_IDS, &numbered),
        sheet(w, "dept.csv", WITHOUT, &visits),
    ]
}
const WITHOUT: &str = "日期,帮扶人,户编号,类别,物资";

#[test]
fn a_correction_by_id_after_the_department_sheet_came_first_is_an_update() {
    // Attacker, session 22: with the department's rows stored first, the
    // township's ids were thrown away, and its next month's correction of
    // R1 was a new row beside the old one (both counted).
    let w = Workdir::new();
    import_small_district(&w);
    let [town, dept] = two_visits(&w);
    imports(&w, &[&[&dept], &[&town]]);
    assert_eq!(
        w.rows("SELECT id FROM deliveries ORDER BY key").join(","),
        "R1,R2"
    );
    let next = sheet(
        &w,
        "town_b.csv",
        WITH_IDS,
        &[
            "R1,2001-03-05,M1,H1,送温暖,150",
            "R2,2001-03-06,M1,H2,送政策,200",
            "R3,2001-04-01,M1,H1,送温暖,50",
        ],
    );
    let (code, out, err) = import(&w, &["--ledger", "town", &next]);
    assert_eq!(code, Some(0), "{err}");
    let line = out.lines().find(|l| l.contains("town_b.csv")).unwrap();
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    assert_eq!(&cells[4..8], ["3", "1", "1", "1"], "{out}");
    assert_eq!(amounts(&w), "15000|0;20000|0;5000|0");
    // Undone, each import puts back what it changed.
    w.stdout(&["undo", "4"]);
    assert_eq!(amounts(&w), "10000|0;20000|0");
    w.stdout(&["undo", "3"]);
    assert_eq!(amounts(&w), "10000|0;20000|0");
    assert_eq!(
        w.rows("SELECT count(*) FROM deliveries WHERE id IS NOT NULL"),
        ["0"]
    );
    assert_eq!(holders(&w), "1:dept;2:dept");
}

#[test]
fn a_row_only_the_department_holds_after_the_township_dropped_it_is_no_crash() {
    // Attacker, session 22: the township's --replace left R1 held by the
    // department alone (no ledger in its own row), and the department's
    // next import stopped with "the query returned no row".
    let w = Workdir::new();
    import_small_district(&w);
    let [town, dept] = two_visits(&w);
    let town2 = sheet(
        &w,
        "town2.csv",
        WITH_IDS,
        &["R2,2001-03-06,M1,H2,送政策,200"],
    );
    imports(
        &w,
        &[
            &[&town],
            &[&dept],
            &["--ledger", "town", "--replace", "--force", &town2],
            &[&dept],
        ],
    );
    assert_eq!(amounts(&w), "10000|0;20000|0");
    imports(&w, &[&["--ledger", "dept", "--replace", &dept]]);
    assert_eq!(amounts(&w), "10000|0;20000|0");
}

#[test]
fn a_townships_two_like_visits_beside_the_departments_two_are_its_two_in_either_order() {
    // Attacker, session 22: R1 folded into the row the township's own
    // row without an id had matched, so its ledger held one visit of two.
    for town_first in [false, true] {
        let w = Workdir::new();
        import_small_district(&w);
        let visit = "2001-03-05,M1,H1,送温暖,100";
        let dept = sheet(&w, "dept.csv", WITHOUT, &[visit, visit]);
        let town = sheet(
            &w,
            "town.csv",
            WITH_IDS,
            &[&format!("R1,{visit}"), &format!(",{visit}")],
        );
        let (first, second) = if town_first {
            (&town, &dept)
        } else {
            (&dept, &town)
        };
        imports(&w, &[&[first], &[second]]);
        assert_eq!(amounts(&w), "10000|0;10000|0", "town first {town_first}");
        let held = holders(&w);
        assert_eq!(
            held.matches("town").count(),
            2,
            "town first {town_first}: {held}"
        );
        assert_eq!(
            held.matches("dept").count(),
            2,
            "town first {town_first}: {held}"
        );
    }
}

#[test]
fn two_township_numberings_and_a_department_give_one_figure_in_every_order() {
    // Attacker, session 22: the same three files gave 2 visits or 4.
    let orders: [[usize; 3]; 4] = [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]];
    let mut figures = Vec::new();
    for order in orders {
        let w = Workdir::new();
        import_small_district(&w);
        let files = [
            sheet(
                &w,
                "town.csv",
                WITH_IDS,
                &["R1,2001-03-05,M1,H1,送温暖,100"],
            ),
            sheet(
                &w,
                "other.csv",
                WITH_IDS,
                &["T1,2001-03-05,M1,H1,送温暖,100"],
            ),
            sheet(&w, "dept.csv", WITHOUT, &["2001-03-05,M1,H1,送温暖,100"]),
        ];
        for i in order {
            imports(&w, &[&[&files[i]]]);
        }
        figures.push(amounts(&w));
    }
    assert!(figures.iter().all(|f| *f == figures[0]), "{figures:?}");
    assert_eq!(figures[0], "10000|0;10000|0");
}

#[test]
fn a_correction_both_sheets_made_is_one_visit_whichever_comes_first() {
    // Clerk, session 22: the township and the department both corrected
    // 500 to 800; the department's sheet first, then the township's,
    // counted 800 twice, exit 0.
    for town_first in [false, true] {
        let w = Workdir::new();
        import_small_district(&w);
        let old = "2001-04-15,M1,H1,办实事,500";
        let new = "2001-04-15,M1,H1,办实事,800";
        let town = sheet(&w, "town.csv", WITH_IDS, &[&format!("R4,{old}")]);
        let dept = sheet(&w, "dept.csv", WITHOUT, &[old]);
        imports(&w, &[&[&town], &[&dept]]);
        assert_eq!(amounts(&w), "50000|0");
        let town = sheet(&w, "town7.csv", WITH_IDS, &[&format!("R4,{new}")]);
        let dept = sheet(&w, "dept7.csv", WITHOUT, &[new]);
        let town = ["--ledger", "town", "--replace", "--force", town.as_str()];
        let dept = ["--ledger", "dept", "--replace", "--force", dept.as_str()];
        let (first, second) = if town_first {
            (&town, &dept)
        } else {
            (&dept, &town)
        };
        imports(&w, &[first, second]);
        assert_eq!(amounts(&w), "80000|0", "town first {town_first}");
        assert_eq!(
            holders(&w).split(':').nth(1),
            Some("dept,town"),
            "town first {town_first}"
        );
        // The monthly re-export of both, unchanged: nothing moves.
        imports(&w, &[first, second]);
        assert_eq!(amounts(&w), "80000|0", "town first {town_first}");
        // Both undone, newest first: March's one visit at 500.
        w.stdout(&["undo", "7"]);
        w.stdout(&["undo", "6"]);
        w.stdout(&["undo", "5"]);
        w.stdout(&["undo", "4"]);
        assert_eq!(amounts(&w), "50000|0", "town first {town_first}");
    }
}

#[test]
fn a_district_database_merged_into_the_departments_own_counts_each_visit_once() {
    // Attacker, session 22: merging the district's file (the township's
    // rows with ids, the department holding them) into the department's
    // own database counted every visit twice.
    let w = Workdir::new();
    import_small_district(&w);
    let [township, department] = township_and_department(&w);
    let district = w.path("区.db");
    let district = path_str(&district);
    let [h, m, p] = common::small_district(&w);
    for args in [
        vec!["import", path_str(&h), path_str(&m), path_str(&p)],
        vec!["import", path_str(&township), path_str(&department)],
    ] {
        let (code, _, err) = common::run_on(&w, district, &args);
        assert_eq!(code, Some(0), "{err}");
    }
    imports(&w, &[&[path_str(&department)], &[district], &[district]]);
    assert_eq!(amounts(&w), "10000|0;5000|0");
}

#[test]
fn a_paired_row_is_matched_once_by_a_sheet_that_gives_it_an_id_and_a_like_row_without() {
    // Attacker, session 22, round 2: the row that stayed had the id and
    // the place without it, and the township's next sheet (R1 and a like
    // row not yet numbered: two visits) matched it both ways: one visit
    // lost, exit 0.
    let w = Workdir::new();
    import_small_district(&w);
    let visit = "2001-03-05,M1,H1,送温暖,100";
    let dept = sheet(&w, "dept.csv", WITHOUT, &[visit]);
    let town = sheet(&w, "town.csv", WITH_IDS, &[&format!("R1,{visit}")]);
    let mix = sheet(
        &w,
        "tmix.csv",
        WITH_IDS,
        &[&format!("R1,{visit}"), &format!(",{visit}")],
    );
    for first in [&dept, &town] {
        let w = Workdir::new();
        import_small_district(&w);
        let second = if first == &dept { &town } else { &dept };
        imports(&w, &[&[first], &[second], &["--ledger", "town", &mix]]);
        assert_eq!(amounts(&w), "10000|0;10000|0", "{first}");
        imports(&w, &[&["--ledger", "town", &mix], &[&dept]]);
        assert_eq!(amounts(&w), "10000|0;10000|0", "{first}");
    }
    drop(w);
}

#[test]
fn the_departments_unchanged_sheet_is_paired_again_with_the_rows_it_holds() {
    // Attacker, session 22, round 3: paired again next month with the
    // township's other like visit (R2), the department's ledger held two
    // rows for its sheet's one.
    let w = Workdir::new();
    import_small_district(&w);
    let visit = "2001-03-05,M1,H1,送温暖,100";
    let dept = sheet(&w, "dept.csv", WITHOUT, &[visit]);
    let town = sheet(
        &w,
        "town.csv",
        WITH_IDS,
        &[&format!("R1,{visit}"), &format!("R2,{visit}")],
    );
    imports(
        &w,
        &[&["--ledger", "dept", &dept], &["--ledger", "town", &town]],
    );
    let held = holders(&w);
    for month in 0..2 {
        imports(&w, &[&["--ledger", "dept", &dept]]);
        assert_eq!(holders(&w), held, "month {month}");
        assert_eq!(amounts(&w), "10000|0;10000|0");
    }
}
