//! Reports that follow a ledger's life (contract §8): each delivery counts
//! toward the township, village, status and unit of its day, the filters
//! select by those, `summary`/`unpaired`/`overdue` judge by their as-of day,
//! removed records leave current counts but keep their deliveries, and
//! `--ledger` keeps what one ledger holds. `show` lists the history and
//! `check` finds a delivery one ledger holds twice.
//!
//! The states (history rows, removals, holds) are made with SQL in a
//! database a real import wrote: a household moved from 双江村 to 大坪村 on
//! 2024-04-30, a member changing unit, a household lifted, records removed.

use crate::bangfu_snapshot;
use crate::common::{id_number, path_str, Workdir};

/// Run SQL on the test database (either backend).
fn sql(w: &Workdir, batch: &str) {
    w.sql(batch);
}

/// The day number of an ISO date, as SQL.
fn day(date: &str) -> String {
    let date = bangfu::values::Date::parse(date).expect("ISO date");
    date.days().to_string()
}

/// `bangfu ARGS` on `today`: exit code and stdout (stderr after it).
fn on(w: &Workdir, today: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = w
        .bangfu()
        .env("BANGFU_TODAY", today)
        .args(args)
        .output()
        .expect("run bangfu");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// `bangfu ARGS --format json` on `today`.
fn json(w: &Workdir, today: &str, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, text) = on(w, today, &all);
    assert_eq!(code, Some(0), "{args:?}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// The total (yuan) of each group of `totals --by DIM` as "name=total".
fn totals(w: &Workdir, args: &[&str], key: &str) -> Vec<String> {
    let mut all = vec!["totals"];
    all.extend(args);
    let j = json(w, "2024-07-31", &all);
    j["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| format!("{}={}", r[key].as_str().unwrap_or("?"), r["total"]))
        .collect()
}

/// The total row of `totals ARGS` (on 2024-07-31), as JSON.
fn grand(w: &Workdir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["totals"];
    all.extend(args);
    json(w, "2024-07-31", &all)["total"].clone()
}

/// A township's roster in GBK with Chinese headers, its members, pairings
/// and deliveries, imported as clerks' files are; every record then held
/// by the ledger of its file (as the import does once ledgers are written).
fn district(w: &Workdir) {
    let households = w.gbk(
        "贫困户.csv",
        &format!(
            "户编号,户主,身份证号,乡镇,村,脱贫状态,联系电话\n\
             H1,张三,{},工农乡,大坪村,贫困,13812345678\n\
             H2,李四,{},工农乡,红旗村,贫困,\n\
             H3,王五,,向阳街道,向阳社区,已脱贫,\n\
             H4,赵大,,向阳街道,向阳社区,贫困,\n",
            id_number(1),
            id_number(2)
        ),
    );
    let members = w.gbk(
        "帮扶人.csv",
        "编号,姓名,工作单位\nM1,赵六,区农业局\nM2,钱七,区教育局\nM3,孙八,区民政局\n",
    );
    let pairings = w.gbk(
        "结对.csv",
        "帮扶人编号,户编号,结对日期\nM1,H1,2024/1/1\nM2,H2,2024/1/1\n",
    );
    let deliveries = w.gbk(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n\
         2024年3月5日,M1,H1,送温暖,100,\n\
         2024年4月29日,M1,H1,送温暖,200,\n\
         2024年4月30日,M1,H1,送温暖,300,\n\
         2024年5月10日,M1,H1,送科技,400,\n\
         2024年3月6日,M2,H2,送温暖,50,\n",
    );
    let files = [households, members, pairings, deliveries];
    let mut args = vec!["import"];
    args.extend(files.iter().map(|p| path_str(p)));
    let (code, text) = on(w, "2024-07-31", &args);
    assert_eq!(code, Some(0), "{text}");
    sql(
        w,
        "INSERT INTO holds (kind, record, ledger, added)
             SELECT 0, key, (SELECT key FROM ledgers WHERE name = '贫困户'), 1 FROM households
             UNION ALL SELECT 1, key, (SELECT key FROM ledgers WHERE name = '帮扶人'), 1 FROM members
             UNION ALL SELECT 2, key, (SELECT key FROM ledgers WHERE name = '结对'), 1 FROM pairings
             UNION ALL SELECT 3, key, (SELECT key FROM ledgers WHERE name = '帮扶记录'), 1 FROM deliveries
             WHERE ledger IS NULL ON CONFLICT DO NOTHING;",
    );
}

/// A change made by the last import: `kind` 0 household, 1 member.
fn change(w: &Workdir, kind: i64, id: &str, field: &str, on: &str, old: &str, new: &str) {
    let table = if kind == 0 { "households" } else { "members" };
    sql(
        w,
        &format!(
            "INSERT INTO history (kind, record, field, command, day, old, new)
                 VALUES ({kind}, (SELECT key FROM {table} WHERE id = '{id}'), '{field}',
                         (SELECT max(number) FROM commands), {}, {old}, {new});
             UPDATE {table} SET {field} = {new} WHERE id = '{id}';",
            day(on)
        ),
    );
}

/// H1 moved from 双江村 to 大坪村 on 2024-04-30 (the roster now says 大坪村).
fn moved(w: &Workdir) {
    change(w, 0, "H1", "village", "2024-04-30", "'双江村'", "'大坪村'");
}

#[test]
fn a_moved_household_s_deliveries_stay_in_the_village_of_their_day() {
    let w = Workdir::new();
    district(&w);
    moved(&w);
    // Before the move: 100 + 200 in 双江村; from its day on: 300 + 400.
    assert_eq!(
        totals(&w, &["--by", "village"], "village"),
        ["大坪村=\"700.00\"", "红旗村=\"50.00\"", "双江村=\"300.00\""]
    );
    // The filter selects by the same dated village.
    let t = grand(&w, &["--by", "month", "--village", "双江村"]);
    assert_eq!(t["total"], "300.00", "{t}");
    assert_eq!(t["deliveries"], 2, "{t}");
    let t = grand(&w, &["--by", "month", "--village", "大坪村"]);
    assert_eq!(t["total"], "700.00", "{t}");
    // By township and village together, as by village alone.
    assert_eq!(
        totals(&w, &["--by", "township,village"], "village"),
        ["大坪村=\"700.00\"", "红旗村=\"50.00\"", "双江村=\"300.00\""]
    );
    // The household's record card sums all of its deliveries.
    let j = json(&w, "2024-07-31", &["show", "household", "H1"]);
    assert_eq!(j["totals"]["total"]["total"], "1000.00", "{j}");
}

#[test]
fn a_move_to_another_township_dates_the_township_too() {
    let w = Workdir::new();
    district(&w);
    change(
        &w,
        0,
        "H2",
        "township",
        "2024-03-06",
        "'工农乡'",
        "'向阳街道'",
    );
    // H2's one delivery is on the day of the move: the new township.
    assert_eq!(
        totals(&w, &["--by", "township"], "township"),
        ["工农乡=\"1000.00\"", "向阳街道=\"50.00\""]
    );
    sql(
        &w,
        &format!(
            r#"INSERT INTO commands (number, at, "user", day)
                 VALUES (2, '2024-03-07T09:00:00+08:00', 'clerk', {})"#,
            day("2024-03-07")
        ),
    );
    change(
        &w,
        0,
        "H2",
        "township",
        "2024-03-07",
        "'向阳街道'",
        "'工农乡'",
    );
    // A later import moved it back from the next day: of two rows, the
    // one of the larger day before the delivery holds.
    let t = grand(&w, &["--by", "township", "--township", "向阳街道"]);
    assert_eq!(t["total"], "50.00", "{t}");
}

#[test]
fn a_member_s_deliveries_count_toward_the_unit_of_their_day() {
    let w = Workdir::new();
    district(&w);
    change(
        &w,
        1,
        "M1",
        "unit",
        "2024-04-01",
        "'区财政局'",
        "'区农业局'",
    );
    assert_eq!(
        totals(&w, &["--by", "unit"], "unit"),
        [
            "区财政局=\"100.00\"",
            "区教育局=\"50.00\"",
            "区农业局=\"900.00\""
        ]
    );
    let t = grand(&w, &["--by", "category", "--unit", "区财政局"]);
    assert_eq!(t["total"], "100.00", "{t}");
    // The overdue list shows the unit of its as-of day.
    let j = json(
        &w,
        "2024-03-20",
        &["overdue", "--as-of", "2024-03-20", "--days", "1"],
    );
    let units: Vec<&str> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["member"] == "M1")
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["区财政局"], "{j}");
}

#[test]
fn a_lifted_household_is_poor_before_its_lifted_on_day_and_lifted_after() {
    let w = Workdir::new();
    district(&w);
    // H1 lifted on 2024-05-01 (the file's lifted_on), H4 (unpaired) too.
    for id in ["H1", "H4"] {
        change(&w, 0, id, "status", "2024-05-01", "0", "1");
        change(
            &w,
            0,
            id,
            "lifted_on",
            "2024-05-01",
            "NULL",
            &day("2024-05-01"),
        );
    }
    let j = json(&w, "2024-07-31", &["totals", "--by", "status"]);
    let rows: Vec<String> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}={}", r["status"].as_str().unwrap(), r["total"]))
        .collect();
    assert_eq!(rows, ["poor=\"650.00\"", "lifted=\"400.00\""], "{j}");
    // summary on its day: lifted counted from 2024-05-01 on (H3 always).
    let lifted = |today| json(&w, today, &["summary"])["lifted_households"].clone();
    assert_eq!(lifted("2024-04-30"), 1);
    assert_eq!(lifted("2024-05-01"), 3);
    // unpaired: H4 is poor and unpaired before, lifted after.
    let unpaired = |as_of: &str| -> Vec<String> {
        json(&w, "2024-07-31", &["unpaired", "--as-of", as_of])["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["household"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(unpaired("2024-04-30"), ["H4"]);
    assert!(unpaired("2024-05-01").is_empty());
}

#[test]
fn a_removed_household_leaves_summary_unpaired_and_overdue_but_keeps_its_deliveries() {
    let w = Workdir::new();
    district(&w);
    change(&w, 0, "H2", "removed", "2024-05-01", "0", "1");
    change(&w, 0, "H4", "removed", "2024-05-01", "0", "1");
    change(&w, 1, "M3", "removed", "2024-05-01", "0", "1");
    let summary = |today| json(&w, today, &["summary"]);
    let before = summary("2024-04-30");
    assert_eq!(before["households"], 4, "{before}");
    assert_eq!(before["paired_households"], 2, "{before}");
    assert_eq!(before["members"], 3, "{before}");
    assert_eq!(before["units"], 3, "{before}");
    let after = summary("2024-05-01");
    assert_eq!(after["households"], 2, "{after}");
    assert_eq!(after["paired_households"], 1, "{after}");
    assert_eq!(after["members"], 2, "{after}");
    assert_eq!(after["units"], 2, "{after}");
    // Its past deliveries still count, in the summary and in totals.
    assert_eq!(after["total"], "1050.00", "{after}");
    assert_eq!(
        totals(&w, &["--by", "household"], "household"),
        ["H1=\"1000.00\"", "H2=\"50.00\""]
    );
    // Filtered by township, the same.
    let j = json(&w, "2024-05-01", &["summary", "--township", "工农乡"]);
    assert_eq!(j["households"], 1, "{j}");
    assert_eq!(j["total"], "1050.00", "{j}");
    // unpaired and overdue judge by their as-of day.
    let unpaired = |as_of| json(&w, "2024-07-31", &["unpaired", "--as-of", as_of])["rows"].clone();
    assert_eq!(unpaired("2024-04-30").as_array().unwrap().len(), 1);
    assert_eq!(unpaired("2024-05-01").as_array().unwrap().len(), 0);
    let overdue = |as_of| -> Vec<String> {
        json(
            &w,
            "2024-07-31",
            &["overdue", "--days", "10", "--as-of", as_of],
        )["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["household"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(overdue("2024-04-30"), ["H2"]);
    assert!(overdue("2024-05-30").iter().all(|h| h != "H2"));
}

#[test]
fn ledger_keeps_what_one_ledger_holds() {
    let w = Workdir::new();
    district(&w);
    // A township's own ledger holds two of the deliveries, H1 and H4, and
    // M2's pairing.
    sql(
        &w,
        "INSERT INTO ledgers (name) VALUES ('工农乡台账');
         INSERT INTO holds (kind, record, ledger, added)
             SELECT 3, key, (SELECT key FROM ledgers WHERE name = '工农乡台账'), 1
             FROM deliveries WHERE goods IN (10000, 5000)
             UNION ALL SELECT 0, key, (SELECT key FROM ledgers WHERE name = '工农乡台账'), 1
             FROM households WHERE id IN ('H1', 'H4')
             UNION ALL SELECT 2, p.key, (SELECT key FROM ledgers WHERE name = '工农乡台账'), 1
             FROM pairings p JOIN members m ON m.key = p.member WHERE m.id = 'M2';",
    );
    let t = grand(&w, &["--by", "household", "--ledger", "工农乡台账"]);
    assert_eq!(t["total"], "150.00", "{t}");
    assert_eq!(t["deliveries"], 2, "{t}");
    let t = grand(&w, &["--by", "household", "--ledger", "帮扶记录"]);
    assert_eq!(t["total"], "1050.00", "{t}");
    let s = json(&w, "2024-07-31", &["summary", "--ledger", "工农乡台账"]);
    assert_eq!(s["households"], 2, "{s}");
    assert_eq!(s["deliveries"], 2, "{s}");
    assert_eq!(s["total"], "150.00", "{s}");
    assert_eq!(s["pairings"], 1, "{s}");
    // unpaired: the households it holds; overdue: the pairings it holds.
    let j = json(&w, "2024-07-31", &["unpaired", "--ledger", "工农乡台账"]);
    assert_eq!(j["rows"][0]["household"], "H4", "{j}");
    assert_eq!(j["rows"].as_array().unwrap().len(), 1, "{j}");
    let j = json(&w, "2024-07-31", &["overdue", "--ledger", "工农乡台账"]);
    assert_eq!(j["rows"][0]["member"], "M2", "{j}");
    assert_eq!(j["rows"].as_array().unwrap().len(), 1, "{j}");
    // show: only the ledger's deliveries; the card names its ledgers.
    let j = json(
        &w,
        "2024-07-31",
        &["show", "household", "H1", "--ledger", "工农乡台账"],
    );
    assert_eq!(j["deliveries"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(
        j["ledgers"],
        serde_json::json!(["工农乡台账", "贫困户"]),
        "{j}"
    );
    // A name that matches no ledger: a usage error with the nearest.
    let (code, text) = on(
        &w,
        "2024-07-31",
        &["totals", "--by", "unit", "--ledger", "工农乡台帐"],
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("did you mean 工农乡台账?"), "{text}");
    let (code, text) = on(
        &w,
        "2024-07-31",
        &["--lang", "zh", "unpaired", "--ledger", "帮扶纪录"],
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("没有名为“帮扶纪录”的台账；是不是要找：帮扶记录"),
        "{text}"
    );
}

#[test]
fn show_lists_the_history_masked_and_the_ledgers() {
    let w = Workdir::new();
    district(&w);
    moved(&w);
    change(
        &w,
        0,
        "H1",
        "phone",
        "2024-04-30",
        "'13812345678'",
        "'13987654321'",
    );
    change(
        &w,
        0,
        "H1",
        "id_number",
        "2024-05-02",
        &format!("'{}'", id_number(1)),
        &format!("'{}'", id_number(3)),
    );
    change(&w, 0, "H1", "status", "2024-05-01", "0", "1");
    change(&w, 0, "H1", "removed", "2024-06-01", "0", "1");
    bangfu_snapshot!("show_history_en", w, &["show", "household", "H1"]);
    bangfu_snapshot!(
        "show_history_zh",
        w,
        &["--lang", "zh", "show", "household", "H1"]
    );
    let j = json(&w, "2024-07-31", &["show", "household", "H1"]);
    assert_eq!(j["record"]["removed"], true, "{j}");
    assert_eq!(j["history"][0]["field"], "village", "{j}");
    assert_eq!(j["history"][0]["old"], "双江村", "{j}");
    let whole = serde_json::to_string(&j).unwrap();
    assert!(
        !whole.contains("13987654321") && !whole.contains(&id_number(3)),
        "{whole}"
    );
    let revealed = json(&w, "2024-07-31", &["--reveal", "show", "household", "H1"]);
    assert!(serde_json::to_string(&revealed)
        .unwrap()
        .contains("13987654321"));
    // A member's unit change.
    change(
        &w,
        1,
        "M1",
        "unit",
        "2024-04-01",
        "'区财政局'",
        "'区农业局'",
    );
    let (_, text) = on(&w, "2024-07-31", &["--lang", "zh", "show", "member", "M1"]);
    assert!(
        text.contains("2024-04-01，第1次导入：单位 区财政局 → 区农业局"),
        "{text}"
    );
}

#[test]
fn check_finds_a_delivery_one_ledger_holds_twice() {
    let w = Workdir::new();
    district(&w);
    // The same row twice in one sheet (occurrences 1 and 2), once in another.
    let twice = w.gbk(
        "乡镇台账.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n\
         2024年6月1日,M1,H1,送政策,0,20\n\
         2024年6月1日,M1,H1,送政策,0,20\n\
         2024年6月2日,M1,H1,送政策,0,30\n",
    );
    let (code, text) = on(&w, "2024-07-31", &["import", path_str(&twice)]);
    assert_eq!(code, Some(0), "{text}");
    sql(
        &w,
        "INSERT INTO ledgers (key, name) SELECT max(key) + 1, '部门台账' FROM ledgers;
         INSERT INTO holds (kind, record, ledger, added)
             SELECT 3, key, (SELECT key FROM ledgers WHERE name = '乡镇台账'), 2
             FROM deliveries WHERE cash > 0
               AND coalesce(ledger, 0) <> (SELECT key FROM ledgers WHERE name = '乡镇台账')
             UNION ALL SELECT 3, key, (SELECT key FROM ledgers WHERE name = '部门台账'), 2
             FROM deliveries WHERE cash = 2000 AND occurrence = 1
             ON CONFLICT DO NOTHING;",
    );
    bangfu_snapshot!("check_pasted_twice_en", w, &["check"]);
    bangfu_snapshot!("check_pasted_twice_zh", w, &["--lang", "zh", "check"]);
    // The other ledger holds it once: no finding of its own.
    let (code, text) = on(&w, "2024-06-30", &["check", "--ledger", "部门台账"]);
    assert!(!text.contains("pasted twice"), "{text}");
    assert_eq!(code, Some(0), "{text}");
    let out = w
        .bangfu()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let repeated: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["finding"] == "repeated_delivery")
        .collect();
    assert_eq!(repeated.len(), 1, "{j}");
    assert_eq!(repeated[0]["ledger"], "乡镇台账");
    assert_eq!(repeated[0]["times"], 2);
}

#[test]
fn a_village_changed_by_a_later_import_dates_the_deliveries_before_and_after() {
    // Through real imports only: the roster of 2024-04-01 says 双江村, the
    // one of 2024-04-30 says 大坪村; the deliveries sheet comes in July.
    let w = Workdir::new();
    let roster = |village: &str| {
        w.gbk(
            "贫困户.csv",
            &format!(
                "户编号,户主,身份证号,乡镇,村,脱贫状态\n\
                 H1,张三,{},工农乡,{village},贫困\n\
                 H2,李四,,工农乡,红旗村,贫困\n",
                id_number(1)
            ),
        )
    };
    let members = w.gbk("帮扶人.csv", "编号,姓名,工作单位\nM1,赵六,区农业局\n");
    let pairings = w.gbk(
        "结对.csv",
        "帮扶人编号,户编号,结对日期\nM1,H1,2024/1/1\nM1,H2,2024/1/1\n",
    );
    let first = roster("双江村");
    let (code, text) = on(
        &w,
        "2024-04-01",
        &[
            "import",
            path_str(&first),
            path_str(&members),
            path_str(&pairings),
        ],
    );
    assert_eq!(code, Some(0), "{text}");
    let second = roster("大坪村");
    let (code, text) = on(&w, "2024-04-30", &["import", path_str(&second)]);
    assert_eq!(code, Some(0), "{text}");
    let deliveries = w.gbk(
        "帮扶记录.csv",
        "日期,帮扶人,户编号,类别,物资（元）,资金（元）\n\
         2024年3月5日,M1,H1,送温暖,100,\n\
         2024年4月29日,M1,H1,送温暖,200,\n\
         2024年4月30日,M1,H1,送温暖,300,\n\
         2024年5月10日,M1,H2,送科技,400,\n",
    );
    let (code, text) = on(&w, "2024-07-31", &["import", path_str(&deliveries)]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        totals(&w, &["--by", "village"], "village"),
        [
            "大坪村=\"300.00\"",
            "红旗村=\"400.00\"",
            "双江村=\"300.00\""
        ]
    );
    let t = grand(&w, &["--by", "month", "--village", "双江村"]);
    assert_eq!(t["deliveries"], 2, "{t}");
    let (_, text) = on(
        &w,
        "2024-07-31",
        &["--lang", "zh", "show", "household", "H1"],
    );
    assert!(
        text.contains("2024-04-30，第2次导入：村 双江村 → 大坪村"),
        "{text}"
    );
    // unpaired and summary as of a day before the move see 双江村.
    let j = json(&w, "2024-07-31", &["summary", "--village", "双江村"]);
    assert_eq!(j["households"], 0, "{j}");
    let j = json(&w, "2024-04-15", &["summary", "--village", "双江村"]);
    assert_eq!(j["households"], 1, "{j}");
}
