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
