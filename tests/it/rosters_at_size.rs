//! Rosters large enough that an import reads the stored households,
//! members and pairings whole, once, instead of a row at a time (the
//! store's `write/cache.rs`, taken after 64 reads): the same versions
//! imported whole and in pieces of 40 rows a command (every read by
//! itself) leave the same records, the same history and the same counts.

use crate::common::*;

const HOUSEHOLDS: u32 = 150;
const MEMBERS: u32 = 80;

/// Version `v` (1 to 3) of the roster: households, members (with the
/// households each is paired with) and pairings, as (file name, header,
/// rows). Each version changes some of every kind of field, and lists
/// again what the one before changed.
fn roster(v: u32) -> [(&'static str, &'static str, Vec<String>); 3] {
    let households = (1..=HOUSEHOLDS)
        .map(|i| {
            let village = if v >= 2 && i % 3 == 0 {
                "新村"
            } else {
                "红旗村"
            };
            let phone = if v == 3 && i % 5 == 0 {
                "13800000000"
            } else {
                ""
            };
            let (status, lifted) = match (v, i % 4) {
                (2.., 0) => ("lifted", "2003-05-01"),
                (3, 1) => ("", "2003-06-01"),
                _ => ("poor", ""),
            };
            let size = if v >= 2 && i % 7 == 0 { 5 } else { 3 };
            format!(
                "H{i:03},户主{i},{},工农乡,{village},{size},{status},{lifted},{phone}",
                id_number(i)
            )
        })
        .collect();
    let members = (1..=MEMBERS)
        .map(|i| {
            let unit = if v >= 2 && i % 4 == 0 {
                "区教育局"
            } else {
                "区财政局"
            };
            let role = if v == 3 && i % 6 == 0 {
                "科长"
            } else {
                "科员"
            };
            let paired = if v >= 2 && i % 5 == 0 {
                format!("H{:03} H{:03}", i, i + 70)
            } else {
                format!("H{i:03}")
            };
            format!("M{i:03},干部{i},{unit},{role},{paired}")
        })
        .collect();
    let pairings = (1..=MEMBERS)
        .map(|i| {
            let until = if v >= 2 && i % 3 == 0 {
                "2003-12-31"
            } else {
                ""
            };
            let since = if v == 3 && i % 8 == 0 {
                ""
            } else {
                "2002-01-01"
            };
            // Half of them the members file pairs already, without a date.
            let household = if i % 2 == 0 { i } else { i + 40 };
            format!("M{i:03},H{household:03},{since},{until}")
        })
        .collect();
    [
        (
            "households.csv",
            "id,head,id_number,township,village,size,status,lifted_on,phone",
            households,
        ),
        ("members.csv", "id,name,unit,role,households", members),
        ("pairings.csv", "member,household,since,until", pairings),
    ]
}

/// The counts of every file the log has, summed per kind.
fn counts(w: &Workdir) -> Vec<String> {
    let log = w.json(&["log"]);
    let mut per_kind = std::collections::BTreeMap::<String, [i64; 3]>::new();
    for import in log["rows"].as_array().expect("rows") {
        for file in import["files"].as_array().expect("files") {
            let sum = per_kind.entry(file["kind"].to_string()).or_default();
            for (i, what) in ["new", "updated", "unchanged"].iter().enumerate() {
                sum[i] += file[*what].as_i64().expect("a count");
            }
        }
    }
    per_kind
        .iter()
        .map(|(k, n)| format!("{k}: {n:?}"))
        .collect()
}

/// What the history says changed, without the import that changed it.
fn history(w: &Workdir) -> Vec<String> {
    w.rows(
        "SELECT kind, record, field, day, old, new FROM history
         ORDER BY kind, record, field, day, old, new",
    )
}

#[test]
fn a_roster_read_whole_is_written_as_one_read_a_row_at_a_time() {
    let (whole, pieces) = (Workdir::new(), Workdir::new());
    // Two of the version's households and a member again, changed once
    // more, in the same import as the version: the second file reads what
    // the first wrote (in pieces, with the piece they are in). The
    // pairings file gives a date to pairings the members file made.
    let again = "id,head,township,village\nH130,户主130,工农乡,东村\nH150,户主150,工农乡,东村\n";
    let again_member = "id,name,unit\nM080,干部80,区农业局\n";
    for v in 1..=3 {
        let again_whole = whole.utf8(&format!("v{v}-again.csv"), again);
        let again_pieces = pieces.utf8(&format!("v{v}-again.csv"), again);
        let member_whole = whole.utf8(&format!("v{v}-member.csv"), again_member);
        let member_pieces = pieces.utf8(&format!("v{v}-member.csv"), again_member);
        let mut files = Vec::new();
        for (name, header, rows) in roster(v) {
            let all = format!("{header}\n{}\n", rows.join("\n"));
            files.push(whole.utf8(&format!("v{v}-{name}"), &all));
            let ledger = name.trim_end_matches(".csv");
            let pieces_of = rows.chunks(40).count();
            for (n, piece) in rows.chunks(40).enumerate() {
                let text = format!("{header}\n{}\n", piece.join("\n"));
                let file = pieces.utf8(&format!("v{v}-{n}-{name}"), &text);
                let mut args = vec!["import", "--ledger", ledger, path_str(&file)];
                if n + 1 == pieces_of {
                    match ledger {
                        "households" => args.push(path_str(&again_pieces)),
                        "members" => args.push(path_str(&member_pieces)),
                        _ => {}
                    }
                }
                pieces.stdout(&args);
            }
        }
        files.extend([again_whole, member_whole]);
        let mut args = vec!["import"];
        args.extend(files.iter().map(|f| path_str(f)));
        whole.stdout(&args);
    }
    assert_eq!(whole.records(), pieces.records());
    assert_eq!(history(&whole), history(&pieces));
    assert!(history(&whole).len() > 100, "{:?}", history(&whole));
    assert_eq!(counts(&whole), counts(&pieces));
}
