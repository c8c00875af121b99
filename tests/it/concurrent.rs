//! Many clerks at once (contract §9): four bangfu processes importing
//! overlapping files into one database at the same moment, several times.
//! Every import lands whole (exit 0, its own log entry), and no delivery
//! is counted twice: the rows the files share are stored once, and the
//! new rows of all four add up to what is stored. Runs on either backend
//! (on PostgreSQL the write lock serialises the imports; on SQLite the
//! file's lock).

use crate::common::*;

const CLERKS: usize = 4;

/// The rows every clerk's sheet has (`shared`), and clerk `c`'s own.
fn sheet(c: usize, shared: usize, own: usize) -> String {
    let mut text = String::from("日期,帮扶人,户编号,类别,物资（元）,资金,备注\r\n");
    for i in 0..shared {
        let day = 1 + i % 28;
        text.push_str(&format!(
            "2002年3月{day}日,M1,H{},送温暖,{}.00,0,共有\r\n",
            1 + i % 3,
            100 + i
        ));
    }
    // Some shared rows twice: their occurrences must come out the same
    // whichever import stores them first.
    text.push_str("2002年3月1日,M1,H1,送温暖,100.00,0,共有\r\n");
    for i in 0..own {
        text.push_str(&format!(
            "2002年4月{}日,M2,H3,送科技,0,{}.00,第{c}位\r\n",
            1 + i % 28,
            10 + i
        ));
    }
    text
}

#[test]
fn four_clerks_importing_overlapping_files_at_once_all_land_and_never_double_count() {
    let (shared, own) = (300, 100);
    for round in 0..3 {
        let w = Workdir::new();
        import_small_district(&w);
        let files: Vec<_> = (0..CLERKS)
            .map(|c| w.gbk(&format!("帮扶记录{c}.csv"), &sheet(c, shared, own)))
            .collect();
        let running: Vec<_> = files
            .iter()
            .map(|f| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
                    .current_dir(w.dir.path())
                    .env("BANGFU_DB", w.target())
                    .env("BANGFU_TODAY", TODAY)
                    .env("LANG", "C")
                    .args(["import", "--ledger", "区台账", path_str(f)])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start bangfu")
            })
            .collect();
        for child in running {
            let out = child.wait_with_output().expect("bangfu ran");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {err}");
        }
        // Each import logged whole: its file read in full, every row new
        // or unchanged.
        let log = w.json(&["log"]);
        let mut new = 0;
        let mut clerks = 0;
        for command in log["rows"].as_array().expect("the log") {
            for file in command["files"].as_array().expect("its files") {
                if file["kind"] != "deliveries" {
                    continue;
                }
                clerks += 1;
                let read = file["read"].as_u64().expect("read");
                assert_eq!(read, (shared + 1 + own) as u64, "{file}");
                let (n, u) = (
                    file["new"].as_u64().unwrap(),
                    file["unchanged"].as_u64().unwrap(),
                );
                assert_eq!(n + u, read, "{file}");
                new += n;
            }
        }
        assert_eq!(clerks, CLERKS, "{log}");
        // The shared rows (one of them twice) once, and every clerk's own.
        let stored = (shared + 1 + CLERKS * own) as u64;
        assert_eq!(new, stored, "round {round}: the four imports' new rows");
        assert_eq!(
            scalar(&w, "SELECT count(*) FROM deliveries"),
            stored.to_string()
        );
        assert_eq!(
            scalar(&w, "SELECT count(*) FROM commands"),
            (CLERKS + 1).to_string()
        );
        let totals = w.json(&["totals", "--by", "category"]);
        let cash: u64 = (0..own as u64).map(|i| 10 + i).sum::<u64>() * CLERKS as u64;
        let goods: u64 = (0..shared as u64).map(|i| 100 + i).sum::<u64>() + 100;
        assert_eq!(
            totals["total"]["goods"],
            serde_json::json!(format!("{goods}.00")),
            "{totals}"
        );
        assert_eq!(
            totals["total"]["cash"],
            serde_json::json!(format!("{cash}.00")),
            "{totals}"
        );
    }
}
