//! A deliveries file in any row order — by date, by household, shuffled,
//! backwards — is the same deliveries (contract §3.4, §7; issue 16): the
//! same reports, the same counts, the same stored rows, each held by the
//! file's ledger; imported again in another order, every row is
//! unchanged.

use crate::common::{import_small_district, path_str, scalar, Workdir, HELD};

/// One row of the clerk's sheet: month, day, member, household, category,
/// goods, cash, note.
type Row = (
    u32,
    u32,
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    &'static str,
);

const PAIRS: [(&str, &str); 3] = [("M1", "H1"), ("M1", "H2"), ("M2", "H3")];
const CATEGORIES: [&str; 4] = ["送温暖", "送政策", "送科技", "办好事实事"];
const NOTES: [&str; 3] = ["", "走访", "看望生病老人，送米面油"];

/// The i-th generated row, on (month, day): its pair and category go
/// round by i, and every second row has cash.
fn generated(i: u32, (month, day): (u32, u32), goods: u32, note: usize) -> Row {
    let (member, household) = PAIRS[(i % 3) as usize];
    let category = CATEGORIES[(i / 3 % 4) as usize];
    (
        month,
        day,
        member,
        household,
        category,
        goods,
        i % 2 * 50,
        NOTES[note % 3],
    )
}

/// A sheet of 2002 over the small district: many kinds of rows, some of
/// them pasted twice, and one visit written down five times.
fn sheet() -> Vec<Row> {
    let mut rows: Vec<Row> = (0..400_u32)
        .map(|i| {
            generated(
                i,
                (1 + i % 6, 1 + (i * 7) % 28),
                i % 5 * 100,
                (i / 7) as usize,
            )
        })
        .collect();
    let pasted: Vec<Row> = rows[..40].to_vec();
    rows.extend(pasted);
    rows.extend([(3, 5, "M1", "H1", "送温暖", 800, 0, "走访"); 5]);
    rows
}

/// `rows` in a fixed shuffle (Fisher–Yates over a small LCG from `seed`).
fn shuffle(rows: &[Row], seed: u64) -> Vec<Row> {
    let mut shuffled = rows.to_vec();
    let mut state = seed;
    for i in (1..shuffled.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        shuffled.swap(i, (state >> 33) as usize % (i + 1));
    }
    shuffled
}

/// The sheet as a clerk's GBK export with Chinese headers and dates.
fn csv(rows: &[Row]) -> String {
    let mut text = String::from("日期,帮扶人,户编号,类别,物资（元）,资金（元）,备注\n");
    for (month, day, member, household, category, goods, cash, note) in rows {
        text.push_str(&format!(
            "2002年{month}月{day}日,{member},{household},{category},{goods},{cash},{note}\n"
        ));
    }
    text
}

/// The four orders: by date, by household, shuffled, backwards.
fn orders() -> Vec<(&'static str, Vec<Row>)> {
    let rows = sheet();
    let mut by_date = rows.clone();
    by_date.sort_by_key(|r| (r.0, r.1));
    let mut by_household = rows.clone();
    by_household.sort_by_key(|r| r.3);
    let shuffled = shuffle(&rows, 16);
    let mut backwards = by_date.clone();
    backwards.reverse();
    vec![
        ("by date", by_date),
        ("by household", by_household),
        ("shuffled", shuffled),
        ("backwards", backwards),
    ]
}

/// The last file's counts in the import log: new, unchanged.
fn logged(w: &Workdir) -> String {
    scalar(
        w,
        "SELECT new || ' new, ' || unchanged || ' unchanged' FROM imports ORDER BY key DESC LIMIT 1",
    )
}

/// What a database shows of its deliveries: the summary, totals by
/// category and by household across months, and the stored records.
fn shown(w: &Workdir) -> Vec<String> {
    vec![
        w.json(&["summary"]).to_string(),
        w.json(&["totals", "--by", "category"]).to_string(),
        w.stdout(&[
            "totals",
            "--by",
            "household",
            "--across",
            "month",
            "--format",
            "csv",
        ]),
        w.records(),
    ]
}

#[test]
fn a_file_in_any_order_is_the_same_deliveries_held_by_its_ledger() {
    let rows = sheet();
    let mut seen: Option<(String, Vec<String>)> = None;
    for (order, rows) in orders() {
        let w = Workdir::new();
        import_small_district(&w);
        let file = w.gbk("帮扶记录.csv", &csv(&rows));
        w.stdout(&["import", path_str(&file)]);
        // Pasted twice and written five times: each is a delivery.
        assert_eq!(
            logged(&w),
            format!("{} new, 0 unchanged", rows.len()),
            "{order}"
        );
        // Every delivery is held by the file's ledger, made by this import.
        assert_eq!(
            scalar(
                &w,
                &format!(
                    "SELECT count(*) FROM deliveries d WHERE NOT EXISTS (
                         SELECT 1 FROM {HELD} h JOIN ledgers l ON l.key = h.ledger
                         WHERE h.kind = 3 AND h.record = d.key AND l.name = '帮扶记录'
                           AND h.added = d.added)"
                )
            ),
            "0",
            "{order}"
        );
        let now = (order.to_string(), shown(&w));
        match &seen {
            None => seen = Some(now),
            Some((first, shown)) => assert_eq!(&now.1, shown, "{order} against {first}"),
        }
    }
    assert!(rows.len() > 400);
}

#[test]
fn a_file_imported_again_in_another_order_is_all_unchanged() {
    let w = Workdir::new();
    import_small_district(&w);
    let mut orders = orders().into_iter();
    let (_, first) = orders.next().unwrap();
    let file = w.gbk("帮扶记录.csv", &csv(&first));
    w.stdout(&["import", path_str(&file)]);
    let before = shown(&w);
    for (order, rows) in orders {
        let file = w.gbk("帮扶记录.csv", &csv(&rows));
        w.stdout(&["import", path_str(&file)]);
        assert_eq!(
            logged(&w),
            format!("0 new, {} unchanged", rows.len()),
            "{order}"
        );
        assert_eq!(shown(&w), before, "{order}");
    }
    // One hold a delivery: the ledger already held each row, and keeps the
    // hold the first import made.
    assert_eq!(
        scalar(
            &w,
            &format!(
                "SELECT count(*) || ' ' || min(added) || ' ' || max(added) FROM {HELD} h
                 WHERE kind = 3"
            )
        ),
        format!("{} 2 2", first.len())
    );
}

/// A sheet kept day by day, long enough for its days to be written as they
/// end (more than the 4,096 rows the writer wants to see in order first):
/// 5,200 rows of 2002 by date, one visit written down five times on 3 May,
/// and at the end rows added late — the first 60 rows again and that visit
/// a sixth time — whose days were written long before.
fn sheet_by_day_with_late_rows() -> Vec<Row> {
    const VISIT: Row = (5, 3, "M1", "H1", "送温暖", 888, 0, "走访");
    let mut rows: Vec<Row> = (0..5200_u32)
        .map(|i| {
            generated(
                i,
                (1 + i / 440, 1 + (i / 7) % 28),
                i % 97 * 10,
                (i / 5) as usize,
            )
        })
        .collect();
    rows.extend([VISIT; 5]);
    rows.sort_by_key(|r| (r.0, r.1));
    let late: Vec<Row> = rows[..60].to_vec();
    rows.extend(late);
    rows.push(VISIT);
    rows
}

/// The reports and every stored delivery by its place, without the keys
/// (a file by day writes its late rows last, and they take later keys).
fn by_place(w: &Workdir) -> Vec<String> {
    let mut out = shown(w);
    out.pop();
    out.push(
        w.rows(
            "SELECT day, fingerprint, occurrence, member, household, category, goods, cash, note
             FROM deliveries ORDER BY day, fingerprint, occurrence",
        )
        .join("\n"),
    );
    out
}

/// Places whose occurrences are not 1 to their count (contract §3.4: the
/// k-th row of a place within a file is occurrence k).
const GAPS: &str = "SELECT count(*) FROM (SELECT day, fingerprint FROM deliveries
     WHERE id IS NULL GROUP BY day, fingerprint
     HAVING min(occurrence) != 1 OR max(occurrence) != count(*)) AS numbered";

#[test]
fn rows_added_late_to_a_sheet_kept_by_day_take_the_next_occurrences_as_in_any_order() {
    let rows = sheet_by_day_with_late_rows();
    let n = rows.len();
    let shuffled = shuffle(&rows, 3);
    // The occurrences of the visit added late, on either backend.
    let visit = |w: &Workdir| {
        w.rows("SELECT occurrence FROM deliveries WHERE goods = 88800 ORDER BY occurrence")
            .join(",")
    };

    // By day with late rows, and shuffled, each into a new database: the
    // same deliveries, every place numbered 1 to its count.
    let by_day = Workdir::new();
    import_small_district(&by_day);
    let file = by_day.gbk("帮扶记录.csv", &csv(&rows));
    by_day.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&by_day), format!("{n} new, 0 unchanged"));
    assert_eq!(scalar(&by_day, GAPS), "0");
    assert_eq!(visit(&by_day), "1,2,3,4,5,6");
    let shown_by_day = by_place(&by_day);
    let other = Workdir::new();
    import_small_district(&other);
    let file = other.gbk("帮扶记录.csv", &csv(&shuffled));
    other.stdout(&["import", path_str(&file)]);
    assert_eq!(by_place(&other), shown_by_day);

    // Shuffled again into the first: every row unchanged.
    let file = by_day.gbk("帮扶记录.csv", &csv(&shuffled));
    by_day.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&by_day), format!("0 new, {n} unchanged"));
    assert_eq!(by_place(&by_day), shown_by_day);

    // Over rows stored before — the first 300 rows, and the visit twice —
    // the late rows match the stored ones a file's occurrence at a time.
    let before = Workdir::new();
    import_small_district(&before);
    let mut first: Vec<Row> = rows[..300].to_vec();
    first.extend([rows[n - 1]; 2]);
    let file = before.gbk("帮扶记录.csv", &csv(&first));
    before.stdout(&["import", path_str(&file)]);
    let file = before.gbk("帮扶记录.csv", &csv(&rows));
    before.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&before), format!("{} new, 302 unchanged", n - 302));
    assert_eq!(scalar(&before, GAPS), "0");
    assert_eq!(by_place(&before), shown_by_day);
}

/// A sheet of 70,000 rows, 1,000 visits each written 70 times: longer than
/// one of the sorter's runs of 65,536 rows, so a shuffled file's first run
/// is written as soon as it fills (store/write/deliveries.rs, `Early`) and
/// the rest at its end, and every visit has rows in both.
fn sheet_of_repeats() -> Vec<Row> {
    (0..70_000_u32)
        .map(|i| {
            let visit = i % 1_000;
            generated(
                visit,
                (1 + visit % 12, 1 + visit / 12 % 28),
                visit % 50 * 10,
                visit as usize,
            )
        })
        .collect()
}

/// The figures and every stored delivery by its place (for a large file:
/// the summary only of the reports).
fn places(w: &Workdir) -> (String, String) {
    let rows = w.rows(
        "SELECT day, fingerprint, occurrence, member, household, category, goods, cash, note
         FROM deliveries ORDER BY day, fingerprint, occurrence",
    );
    (w.json(&["summary"]).to_string(), rows.join("\n"))
}

#[test]
fn a_file_longer_than_a_run_written_as_it_fills_numbers_every_repeat_as_in_date_order() {
    let rows = sheet_of_repeats();
    let n = rows.len();
    let mut by_date = rows.clone();
    by_date.sort_by_key(|r| (r.0, r.1));
    let shuffled = shuffle(&rows, 5);

    // By date (written as its days end) and shuffled (a run, then the
    // rest): the same deliveries, every place numbered 1 to its count.
    let dated = Workdir::new();
    import_small_district(&dated);
    let file = dated.gbk("帮扶记录.csv", &csv(&by_date));
    dated.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&dated), format!("{n} new, 0 unchanged"));
    let shown_dated = places(&dated);
    let runs = Workdir::new();
    import_small_district(&runs);
    let file = runs.gbk("帮扶记录.csv", &csv(&shuffled));
    runs.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&runs), format!("{n} new, 0 unchanged"));
    assert_eq!(scalar(&runs, GAPS), "0");
    assert_eq!(places(&runs), shown_dated);

    // Shuffled otherwise, into the same database: every row unchanged.
    let file = runs.gbk("帮扶记录.csv", &csv(&shuffle(&rows, 6)));
    runs.stdout(&["import", path_str(&file)]);
    assert_eq!(logged(&runs), format!("0 new, {n} unchanged"));

    // Over 30,000 of the rows stored before (each visit 30 times), the
    // whole sheet shuffled: exactly the rest are new.
    let before = Workdir::new();
    import_small_district(&before);
    let file = before.gbk("帮扶记录.csv", &csv(&shuffle(&rows[..30_000], 7)));
    before.stdout(&["import", path_str(&file)]);
    let file = before.gbk("帮扶记录.csv", &csv(&shuffled));
    before.stdout(&["import", path_str(&file)]);
    assert_eq!(
        logged(&before),
        format!("{} new, 30000 unchanged", n - 30_000)
    );
    assert_eq!(scalar(&before, GAPS), "0");
    assert_eq!(places(&before), shown_dated);
}
