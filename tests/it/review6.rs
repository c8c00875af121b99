//! End-to-end: the sixth review from outside (an attacker's and a
//! clerk's, session 12), each finding a figure bangfu printed wrong, a
//! record it lost or counted twice, or a line it named wrong, with exit 0.

use crate::common;

use common::{import, import_small_district, path_str, Workdir};

#[test]
fn a_row_after_blank_lines_is_named_by_its_own_line() {
    // Named by the first blank line's number before (attacker 11).
    let w = Workdir::new();
    import_small_district(&w);
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n\
         2001-03-05,M1,H1,warmth,1\n\
         \n\
         \n\
         2001-03-0x,M1,H1,warmth,1\n\
         \n\
         2001-03-07,M1,H1,warmth,abc",
    );
    let (code, _, err) = import(&w, &[path_str(&d)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("d.csv:5: date:"), "{err}");
    assert!(err.contains("d.csv:7: goods:"), "{err}");
}

#[test]
fn households_whose_only_member_left_the_roster_are_unpaired_in_every_report() {
    // summary counted them as paired and unpaired left them out, while
    // overdue dropped their pairings (attacker 9, clerk 2).
    let w = Workdir::new();
    import_small_district(&w);
    let members = w.utf8("members.csv", "id,name,unit,role\nM2,钱七,区教育局,副局长\n");
    let (code, _, err) = import(&w, &["--replace", path_str(&members)]);
    assert_eq!(code, Some(0), "{err}");
    let summary = w.json(&["summary"]);
    assert_eq!(summary["paired_households"], 1, "{summary}");
    let unpaired = w.stdout(&["unpaired", "--format", "csv"]);
    assert!(unpaired.contains("H1") && unpaired.contains("H2"), "{unpaired}");
    let overdue = w.stdout(&["overdue", "--format", "csv"]);
    assert!(!overdue.contains("M1"), "{overdue}");
}
