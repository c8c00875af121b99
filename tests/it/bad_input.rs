//! One test per kind of bad input: the problem is reported as
//! `FILE:LINE: COLUMN: message`, the exit status is 1, and the database is
//! exactly as it was.

use crate::common;

use common::{id_number, small_district, Workdir};

/// Import the small district, then `name` holding `bytes`; expect every
/// `expected` text on stderr, exit 1, and no change to the database.
fn rejected(name: &str, bytes: &[u8], expected: &[&str]) -> String {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    w.stdout(&[
        "import",
        h.to_str().unwrap(),
        m.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    let before = w.dump();
    w.write(name, bytes);
    let out = w.bangfu().args(["import", name]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(w.dump(), before, "the database changed");
    stderr
}

const DELIVERY_HEADER: &str = "date,member,household,category,goods,cash\n";

fn delivery(row: &str) -> Vec<u8> {
    format!("{DELIVERY_HEADER}2001-03-01,M1,H1,warmth,10,0\n{row}\n").into_bytes()
}

#[test]
fn rejects_an_impossible_date() {
    rejected(
        "d.csv",
        &delivery("2001-02-30,M1,H1,warmth,10,0"),
        &["d.csv:3: date: "],
    );
}

#[test]
fn rejects_a_date_that_is_not_a_date() {
    rejected(
        "d.csv",
        &delivery("三月五日,M1,H1,warmth,10,0"),
        &["d.csv:3: date: not a date"],
    );
}

#[test]
fn rejects_a_delivery_dated_after_the_day_of_import() {
    rejected(
        "d.csv",
        &delivery("2003-07-01,M1,H1,warmth,10,0"),
        &["d.csv:3: date: 2003-07-01 is after"],
    );
}

#[test]
fn rejects_a_negative_amount_in_parentheses() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1,H1,warmth,(50),0"),
        &["d.csv:3: goods: negative"],
    );
}

#[test]
fn rejects_an_amount_with_three_decimals() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1,H1,warmth,0,1.234"),
        &["d.csv:3: cash: more than two decimals"],
    );
}

#[test]
fn rejects_an_amount_that_is_not_money() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1,H1,warmth,一百,0"),
        &["d.csv:3: goods: not an amount"],
    );
}

#[test]
fn rejects_an_unknown_category_and_lists_the_seven() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1,H1,送钱,10,0"),
        &["d.csv:3: category: ", "送温暖", "办好事实事"],
    );
}

#[test]
fn rejects_a_reference_to_no_member() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M9,H1,warmth,10,0"),
        &["d.csv:3: member: no member", "M9"],
    );
}

#[test]
fn rejects_an_ambiguous_name_and_names_the_candidates() {
    let w = Workdir::new();
    let h = w.utf8(
        "h.csv",
        "id,head,township\nH1,张三,工农乡\nH2,张三,向阳街道\n",
    );
    let m = w.utf8("m.csv", "id,name,unit\nM1,赵六,区财政局\n");
    w.stdout(&["import", h.to_str().unwrap(), m.to_str().unwrap()]);
    let before = w.dump();
    w.utf8("p.csv", "member,household\nM1,张三\n");
    w.bangfu()
        .args(["import", "p.csv"])
        .assert()
        .code(1)
        .stderr(
            predicates::str::contains("p.csv:2: household: ")
                .and(predicates::str::contains("H1, H2")),
        );
    assert_eq!(w.dump(), before);
}

#[test]
fn rejects_an_id_number_in_scientific_notation() {
    rejected(
        "h.csv",
        b"id,head,township,id_number\nH9,x,T,4.30102E+17\n",
        &[
            "h.csv:2: id_number: the spreadsheet turned the ID number into a number",
            "format the column as text",
        ],
    );
}

#[test]
fn rejects_an_id_number_with_a_wrong_check_digit() {
    let good = id_number(5);
    let last = good.chars().last().unwrap();
    let wrong = if last == '1' { '2' } else { '1' };
    let bad = format!("{}{wrong}", &good[..17]);
    let stderr = rejected(
        "h.csv",
        format!("id,head,township,id_number\nH9,x,T,{bad}\n").as_bytes(),
        &["h.csv:2: id_number: "],
    );
    assert!(
        !stderr.contains(&bad),
        "the whole ID number leaked: {stderr}"
    );
}

#[test]
fn rejects_an_id_number_already_held_by_another_household() {
    rejected(
        "h.csv",
        format!("id,head,township,id_number\nH9,x,T,{}\n", id_number(1)).as_bytes(),
        &["h.csv:2: id_number: ", "H1"],
    );
}

#[test]
fn rejects_one_id_number_twice_in_one_file() {
    rejected(
        "h.csv",
        format!(
            "id,head,township,id_number\nH8,x,T,{n}\nH9,y,T,{n}\n",
            n = id_number(9)
        )
        .as_bytes(),
        &["h.csv:3: id_number: "],
    );
}

#[test]
fn rejects_an_id_repeated_within_one_file() {
    rejected(
        "h.csv",
        b"id,head,township\nH8,x,T\nH8,y,T\n",
        &["h.csv:3: id: ", "first on line 2"],
    );
}

#[test]
fn rejects_a_delivery_record_id_repeated_within_one_file() {
    rejected(
        "d.csv",
        "流水号,date,member,household,category\nR1,2001-03-01,M1,H1,law\nR1,2001-03-02,M1,H1,law\n"
            .as_bytes(),
        &["d.csv:3: id: ", "R1"],
    );
}

#[test]
fn rejects_a_row_with_too_few_cells() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1"),
        &["d.csv:3: row: the row has 2 cells but the header has 6"],
    );
}

#[test]
fn rejects_a_row_with_too_many_cells() {
    rejected(
        "d.csv",
        &delivery("2001-03-02,M1,H1,warmth,10,0,extra"),
        &["d.csv:3: row: the row has 7 cells"],
    );
}

#[test]
fn rejects_a_missing_required_column_and_names_its_spellings() {
    rejected("h.csv", b"id,head,township_x\nH9,x,T\n", &["h.csv:1: "]);
    rejected(
        "m.csv",
        "编号,单位\nM9,区委\n".as_bytes(),
        &["m.csv:1: name: missing required column", "帮扶责任人"],
    );
}

#[test]
fn rejects_an_empty_file() {
    rejected("e.csv", b"", &["e.csv:1: file: the file is empty"]);
}

#[test]
fn rejects_a_file_whose_kind_cannot_be_told() {
    rejected(
        "x.csv",
        b"foo,bar\n1,2\n",
        &["x.csv:1: file: cannot tell what this file holds"],
    );
}

#[test]
fn rejects_a_binary_file() {
    rejected(
        "x.csv",
        b"\x7fELF\x02\x01\x01\x00\x00\x00garbage",
        &["x.csv:1: file: "],
    );
}

#[test]
fn rejects_a_pairing_that_ends_before_it_starts() {
    rejected(
        "p.csv",
        b"member,household,since,until\nM1,H1,2002-01-01,2001-01-01\n",
        &["p.csv:2: until: "],
    );
}

#[test]
fn rejects_a_household_size_out_of_range() {
    rejected(
        "h.csv",
        b"id,head,township,size\nH9,x,T,0\n",
        &["h.csv:2: size: "],
    );
}

#[test]
fn rejects_a_phone_number_that_is_too_short() {
    rejected(
        "h.csv",
        b"id,head,township,phone\nH9,x,T,12345\n",
        &["h.csv:2: phone: "],
    );
}

#[test]
fn rejects_bytes_that_are_not_in_the_forced_encoding() {
    let w = Workdir::new();
    let (bytes, _, _) = encoding_rs::GBK.encode("id,head,township\nH1,张三,工农乡\n");
    w.write("h.csv", &bytes);
    w.bangfu()
        .args(["import", "--encoding", "utf-8", "h.csv"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "h.csv:2: row: holds bytes that are not valid UTF-8",
        ));
    assert_eq!(w.dump(), "");
}

#[test]
fn one_bad_file_among_good_ones_writes_nothing_at_all() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    w.write("d.csv", delivery("2001-02-30,M1,H1,warmth,10,0"));
    w.bangfu()
        .args([
            "import",
            h.to_str().unwrap(),
            m.to_str().unwrap(),
            p.to_str().unwrap(),
            "d.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("nothing was imported"));
    assert_eq!(w.dump(), "");
}

#[test]
fn wrong_usage_exits_2() {
    let w = Workdir::new();
    w.bangfu().args(["import", "missing.csv"]).assert().code(2);
    w.bangfu().args(["import"]).assert().code(2);
    w.bangfu()
        .args(["import", "--kind", "cats", "x.csv"])
        .assert()
        .code(2);
    w.bangfu().args(["frobnicate"]).assert().code(2);
}

use predicates::prelude::*;

/// The whole outcome of each kind of bad file, as a clerk sees it, in both
/// languages: one snapshot each, so that a change to any message shows.
#[test]
fn bad_files_as_a_clerk_sees_them_in_english_and_chinese() {
    let w = Workdir::new();
    let [h, m, p] = small_district(&w);
    w.stdout(&[
        "import",
        h.to_str().unwrap(),
        m.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    let files: [(&str, &str, &[u8]); 6] = [
        ("empty", "empty.csv", b""),
        ("binary", "binary.csv", b"\x00\x01\x02PK\x00\x00"),
        ("unknown_kind", "what.csv", "名称,数量\n苹果,3\n".as_bytes()),
        (
            "missing_column",
            "no_member.csv",
            "日期,户编号,类别\n2001-03-01,H1,送温暖\n".as_bytes(),
        ),
        (
            "bad_cells",
            "cells.csv",
            "日期,帮扶人,户编号,类别,物资\n2001-02-30,M9,H1,送钱,-5\n2001-03-01,M1,H1\n".as_bytes(),
        ),
        (
            "unclosed_quote",
            "quote.csv",
            "日期,帮扶人,户编号,类别,备注\n2001-03-01,M1,H1,送温暖,\"米\n2001-03-02,M1,H1,送温暖,面\n"
                .as_bytes(),
        ),
    ];
    for (name, file, bytes) in files {
        w.write(file, bytes);
        crate::bangfu_snapshot!(format!("{name}_en"), w, ["--lang", "en", "import", file]);
        crate::bangfu_snapshot!(format!("{name}_zh"), w, ["--lang", "zh", "import", file]);
    }
}
