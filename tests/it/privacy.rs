//! ID numbers and phone numbers are masked in every human output, every
//! export and every error message unless `--reveal`; files bangfu creates are
//! readable by their owner only.

use crate::common;

use calamine::{open_workbook_auto, Data, Reader};
use common::{id_number, path_str, Workdir};

const PHONE: &str = "13812345678";

fn district(w: &Workdir) -> String {
    let id = id_number(42);
    let h = w.utf8(
        "h.csv",
        &format!("id,head,township,id_number,phone\nH1,张三,工农乡,{id},{PHONE}\n"),
    );
    let m = w.utf8(
        "m.csv",
        &format!("id,name,unit,phone,households\nM1,李四,区委,{PHONE},H1\n"),
    );
    w.stdout(&["import", path_str(&h), path_str(&m)]);
    id
}

fn all_output(w: &Workdir, args: &[&str]) -> String {
    let out = w.bangfu().args(args).output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_human_output_shows_a_whole_id_or_phone_number() {
    let w = Workdir::new();
    let id = district(&w);
    for args in [
        vec!["show", "household", "H1"],
        vec!["show", "member", "M1"],
        vec!["show", "household", "H1", "--format", "json"],
        vec!["show", "household", "H1", "--format", "csv"],
        vec!["overdue"],
        vec!["unpaired"],
        vec!["summary"],
        vec!["check"],
    ] {
        let out = all_output(&w, &args);
        assert!(
            !out.contains(&id) && !out.contains(PHONE),
            "{args:?}: {out}"
        );
    }
    let revealed = all_output(&w, &["--reveal", "show", "household", "H1"]);
    assert!(revealed.contains(&id) && revealed.contains(PHONE));
}

#[test]
fn error_messages_mask_the_numbers_they_quote() {
    let w = Workdir::new();
    let id = district(&w);
    // The same ID number again, a phone number too long, a bad check digit.
    let wrong = format!("{}{}", &id[..17], if id.ends_with('1') { '2' } else { '1' });
    let long_phone = "1381234567812345678";
    let h = w.utf8(
        "bad.csv",
        &format!(
            "id,head,township,id_number,phone\nH2,王五,工农乡,{id},\nH3,赵六,工农乡,{wrong},{long_phone}\n"
        ),
    );
    let out = all_output(&w, &["import", path_str(&h)]);
    assert!(out.contains("bad.csv:2: id_number"), "{out}");
    assert!(out.contains("bad.csv:3: id_number"), "{out}");
    assert!(out.contains("bad.csv:3: phone"), "{out}");
    assert!(
        !out.contains(&id) && !out.contains(&wrong) && !out.contains(long_phone),
        "{out}"
    );
}

#[test]
fn the_workbook_masks_phones_unless_revealed() {
    let w = Workdir::new();
    district(&w);
    let phones = |reveal: bool| {
        let out = w.path(if reveal { "r.xlsx" } else { "m.xlsx" });
        let mut args = vec!["export", "--xlsx", path_str(&out)];
        if reveal {
            args.insert(0, "--reveal");
        }
        w.stdout(&args);
        let mut book = open_workbook_auto(&out).unwrap();
        let sheet = book.worksheet_range("Overdue").unwrap();
        // The header is under the sheet's two title lines.
        let header: Vec<String> = sheet
            .rows()
            .nth(2)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(
            header.ends_with(&["member phone".to_string(), "household phone".to_string()]),
            "{header:?}"
        );
        sheet
            .rows()
            .skip(3)
            .flat_map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<String>>()
    };
    let masked = phones(false);
    assert!(masked.iter().any(|c| c == "138****5678"), "{masked:?}");
    assert!(!masked.iter().any(|c| c == PHONE));
    assert!(phones(true).iter().any(|c| c == PHONE));
}
