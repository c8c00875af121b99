//! End-to-end: every report on data the test builds itself, checked against
//! totals the test computes from the rows it wrote.

use crate::common;

use common::{path_str, Workdir};
use serde_json::Value;
use std::collections::BTreeMap;

/// A tiny deterministic generator (no randomness crates needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const TOWNSHIPS: [&str; 3] = ["工农乡", "向阳街道", "寿山乡"];
const UNITS: [&str; 3] = ["区财政局", "区教育局", "区委组织部"];
const CAUSES: [&str; 3] = ["因病", "因学", ""];
const CATEGORIES: [&str; 7] = [
    "ideas",
    "policy",
    "technology",
    "information",
    "warmth",
    "law",
    "deeds",
];

struct Household {
    id: String,
    township: &'static str,
    village: String,
    cause: &'static str,
    lifted: bool,
}

struct Delivery {
    date: (i32, u32, u32),
    member: usize,
    household: usize,
    category: usize,
    goods: i64,
    cash: i64,
}

/// Build and import a district; return what was written.
fn district(w: &Workdir) -> (Vec<Household>, Vec<&'static str>, Vec<Delivery>) {
    let mut rng = Lcg(7);
    let mut households = Vec::new();
    let mut text = String::from("id,head,township,village,cause,status\n");
    for i in 0..30 {
        let township = TOWNSHIPS[i % 3];
        let h = Household {
            id: format!("H{i:02}"),
            township,
            village: format!("{}{}村", &township[..3], i % 2),
            cause: CAUSES[i % 3],
            lifted: i % 5 == 0,
        };
        text.push_str(&format!(
            "{},户主{i},{},{},{},{}\n",
            h.id,
            h.township,
            h.village,
            h.cause,
            if h.lifted { "lifted" } else { "poor" }
        ));
        households.push(h);
    }
    let hfile = w.utf8("h.csv", &text);
    let mut units = Vec::new();
    let mut text = String::from("id,name,unit\n");
    for i in 0..6 {
        units.push(UNITS[i % 3]);
        text.push_str(&format!("M{i},帮扶人{i},{}\n", UNITS[i % 3]));
    }
    let mfile = w.utf8("m.csv", &text);
    let mut text = String::from("member,household\n");
    for (i, h) in households.iter().enumerate() {
        text.push_str(&format!("M{},{}\n", i % 6, h.id));
    }
    let pfile = w.utf8("p.csv", &text);
    let mut deliveries = Vec::new();
    let mut text = String::from("date,member,household,category,goods,cash\n");
    for _ in 0..300 {
        let household = rng.next(30) as usize;
        let d = Delivery {
            date: (
                2001 + rng.next(2) as i32,
                1 + rng.next(12) as u32,
                1 + rng.next(28) as u32,
            ),
            member: household % 6,
            household,
            category: rng.next(7) as usize,
            goods: rng.next(500) as i64 * 50,
            cash: rng.next(3) as i64 * 10_000,
        };
        text.push_str(&format!(
            "{}-{:02}-{:02},M{},{},{},{}.{:02},{}.{:02}\n",
            d.date.0,
            d.date.1,
            d.date.2,
            d.member,
            households[household].id,
            CATEGORIES[d.category],
            d.goods / 100,
            d.goods % 100,
            d.cash / 100,
            d.cash % 100,
        ));
        deliveries.push(d);
    }
    let dfile = w.utf8("d.csv", &text);
    w.stdout(&[
        "import",
        path_str(&hfile),
        path_str(&mfile),
        path_str(&pfile),
        path_str(&dfile),
    ]);
    (households, units, deliveries)
}

/// One key of every row of a report's JSON, as text.
fn column(json: &Value, key: &str) -> Vec<String> {
    json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[key].as_str().unwrap_or_default().to_string())
        .collect()
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// How the test computes a delivery's group for one dimension.
type KeyOf<'a> = Box<dyn Fn(&Delivery) -> String + 'a>;

#[derive(Default)]
struct Sums {
    deliveries: i64,
    households: std::collections::BTreeSet<usize>,
    goods: i64,
    cash: i64,
}

fn check_rows(json: &Value, key: &str, expected: &BTreeMap<String, Sums>) {
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), expected.len(), "{key}: {json}");
    for row in rows {
        // A blank cause or village is null in JSON.
        let k = match &row[key] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let e = expected
            .get(&k)
            .unwrap_or_else(|| panic!("{key}: unexpected group {k}"));
        assert_eq!(row["deliveries"], e.deliveries, "{key}={k}");
        assert_eq!(row["households"], e.households.len(), "{key}={k}");
        assert_eq!(row["goods"], yuan(e.goods), "{key}={k}");
        assert_eq!(row["cash"], yuan(e.cash), "{key}={k}");
        assert_eq!(row["total"], yuan(e.goods + e.cash), "{key}={k}");
    }
}

#[test]
fn totals_of_every_dimension_match_the_rows_imported() {
    let w = Workdir::new();
    let (households, units, deliveries) = district(&w);
    let dims: Vec<(&str, KeyOf)> = vec![
        ("category", Box::new(|d| CATEGORIES[d.category].to_string())),
        ("unit", Box::new(|d| units[d.member].to_string())),
        ("member", Box::new(|d| format!("M{}", d.member))),
        (
            "household",
            Box::new(|d| households[d.household].id.clone()),
        ),
        (
            "township",
            Box::new(|d| households[d.household].township.to_string()),
        ),
        (
            "village",
            Box::new(|d| households[d.household].village.clone()),
        ),
        (
            "cause",
            Box::new(|d| households[d.household].cause.to_string()),
        ),
        (
            "status",
            Box::new(|d| {
                if households[d.household].lifted {
                    "lifted"
                } else {
                    "poor"
                }
                .to_string()
            }),
        ),
        ("year", Box::new(|d| d.date.0.to_string())),
        (
            "quarter",
            Box::new(|d| format!("{}-Q{}", d.date.0, (d.date.1 - 1) / 3 + 1)),
        ),
        (
            "month",
            Box::new(|d| format!("{}-{:02}", d.date.0, d.date.1)),
        ),
    ];
    let mut grand = Sums::default();
    for d in &deliveries {
        grand.deliveries += 1;
        grand.households.insert(d.household);
        grand.goods += d.goods;
        grand.cash += d.cash;
    }
    for (dim, key_of) in &dims {
        let mut expected: BTreeMap<String, Sums> = BTreeMap::new();
        for d in &deliveries {
            let s = expected.entry(key_of(d)).or_default();
            s.deliveries += 1;
            s.households.insert(d.household);
            s.goods += d.goods;
            s.cash += d.cash;
        }
        let json = w.json(&["totals", "--by", dim]);
        assert_eq!(json["by"][0], *dim);
        check_rows(&json, dim, &expected);
        assert_eq!(json["total"]["deliveries"], grand.deliveries);
        assert_eq!(json["total"]["households"], grand.households.len());
        assert_eq!(json["total"]["total"], yuan(grand.goods + grand.cash));
    }
}

#[test]
fn member_and_household_groups_carry_their_names() {
    let w = Workdir::new();
    district(&w);
    let json = w.json(&["totals", "--by", "member,household", "--top", "1"]);
    let row = &json["rows"][0];
    assert_eq!(row["member"], "M0");
    assert_eq!(row["member_name"], "帮扶人0");
    assert_eq!(row["household"], "H00");
    assert_eq!(row["head"], "户主0");
}

#[test]
fn filters_narrow_the_deliveries_counted() {
    let w = Workdir::new();
    let (households, units, deliveries) = district(&w);
    let json = w.json(&[
        "totals",
        "--by",
        "category",
        "--from",
        "2001-04-01",
        "--to",
        "2001年6月30日",
        "--township",
        "工农乡",
        "--unit",
        "区财政局",
        "--category",
        "送温暖",
    ]);
    let expected: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| {
            ((2001, 4, 1)..=(2001, 6, 30)).contains(&d.date)
                && households[d.household].township == "工农乡"
                && units[d.member] == "区财政局"
                && CATEGORIES[d.category] == "warmth"
        })
        .collect();
    assert_eq!(json["total"]["deliveries"], expected.len());
    let goods: i64 = expected.iter().map(|d| d.goods).sum();
    assert_eq!(json["total"]["goods"], yuan(goods));
    let one = w.json(&[
        "totals",
        "--by",
        "month",
        "--household",
        "H03",
        "--member",
        "帮扶人3",
    ]);
    let n = deliveries.iter().filter(|d| d.household == 3).count();
    assert_eq!(one["total"]["deliveries"], n);
}

#[test]
fn several_dimensions_and_the_cross_tab_agree() {
    let w = Workdir::new();
    district(&w);
    let tidy = w.json(&["totals", "--by", "unit,year"]);
    let crossed = w.json(&["totals", "--by", "unit", "--across", "year"]);
    assert_eq!(tidy["rows"], crossed["rows"]);
    assert_eq!(crossed["by"], serde_json::json!(["unit", "year"]));
    let csv = w.stdout(&[
        "totals", "--by", "unit", "--across", "year", "--format", "csv",
    ]);
    let header = csv.lines().next().unwrap();
    assert_eq!(header, "unit,2001,2002,total");
    assert_eq!(csv.lines().count(), 1 + 3 + 1);
    assert!(csv.lines().last().unwrap().starts_with("total,"));
}

#[test]
fn sort_by_total_and_top_keep_the_grand_total() {
    let w = Workdir::new();
    district(&w);
    let all = w.json(&["totals", "--by", "household"]);
    let top = w.json(&[
        "totals",
        "--by",
        "household",
        "--sort",
        "total",
        "--top",
        "3",
    ]);
    let rows = top["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let totals: Vec<f64> = rows
        .iter()
        .map(|r| r["total"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    assert_eq!(top["total"], all["total"]);
}

#[test]
fn sort_by_total_in_a_cross_tab_follows_the_measure_shown() {
    let w = Workdir::new();
    district(&w);
    for measure in ["deliveries", "households", "goods", "total"] {
        let csv = w.stdout(&[
            "totals",
            "--by",
            "household",
            "--across",
            "year",
            "--measure",
            measure,
            "--sort",
            "total",
            "--format",
            "csv",
        ]);
        let totals: Vec<f64> = csv
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("total,"))
            .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
            .collect();
        assert!(
            totals.windows(2).all(|p| p[0] >= p[1]),
            "{measure}: {totals:?}"
        );
    }
}

#[test]
fn categories_come_in_canonical_order_and_months_in_time_order() {
    let w = Workdir::new();
    district(&w);
    let json = w.json(&["totals", "--by", "category"]);
    let keys = column(&json, "category");
    assert_eq!(keys, CATEGORIES);
    let json = w.json(&["totals", "--by", "month"]);
    let months = column(&json, "month");
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted);
}

#[test]
fn unknown_filter_values_are_usage_errors() {
    let w = Workdir::new();
    district(&w);
    w.bangfu()
        .args(["totals", "--by", "unit", "--township", "火星乡"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("火星乡"));
    w.bangfu()
        .args(["totals", "--by", "galaxy"])
        .assert()
        .code(2);
    w.bangfu()
        .args(["totals", "--by", "unit", "--from", "2001-02-30"])
        .assert()
        .code(2);
}

#[test]
fn summary_takes_the_filters() {
    let w = Workdir::new();
    let (households, _, deliveries) = district(&w);
    let s = w.json(&["summary", "--township", "寿山乡"]);
    let n = households.iter().filter(|h| h.township == "寿山乡").count();
    assert_eq!(s["households"], n);
    let d: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| households[d.household].township == "寿山乡")
        .collect();
    assert_eq!(s["deliveries"], d.len());
    assert_eq!(
        s["total"],
        yuan(d.iter().map(|d| d.goods + d.cash).sum::<i64>())
    );
}

/// A small district for the overdue and unpaired edge cases.
fn follow_up(w: &Workdir) {
    let h = w.utf8(
        "h.csv",
        "id,head,township,village,status\n\
         A,甲,工农乡,一村,poor\n\
         B,乙,工农乡,一村,poor\n\
         C,丙,工农乡,二村,lifted\n\
         D,丁,工农乡,二村,poor\n\
         E,戊,工农乡,二村,poor\n\
         F,己,工农乡,二村,poor\n",
    );
    let m = w.utf8(
        "m.csv",
        "id,name,unit\nM1,张一,区财政局\nM2,李二,区教育局\nM3,王三,区委\n",
    );
    // M1 has A and B; A also has M2 (a household with two members);
    // C (lifted) has M3; D's pairing ended; E's pairing has no since;
    // F's pairing starts after the as-of day.
    let p = w.utf8(
        "p.csv",
        "member,household,since,until\n\
         M1,A,2001-01-01,\n\
         M2,A,2001-01-01,\n\
         M1,B,2001-01-01,\n\
         M3,C,2001-01-01,\n\
         M2,D,2001-01-01,2001-06-30\n\
         M3,E,,\n\
         M3,F,2002-06-01,\n",
    );
    // As of 2002-01-31 with 90 days:
    // M1→A visited 2002-01-10 (fine); M2→A never (M1's visit doesn't count);
    // M1→B visited 2001-11-02 (exactly 90 days: not overdue);
    // M3→C visited 2001-10-01 (122 days: overdue) and 2002-02-15 (after as-of: ignored);
    // M3→E visited 2001-08-01 (183 days).
    let d = w.utf8(
        "d.csv",
        "date,member,household,category\n\
         2002-01-10,M1,A,warmth\n\
         2001-11-02,M1,B,policy\n\
         2001-10-01,M3,C,law\n\
         2002-02-15,M3,C,law\n\
         2001-08-01,M3,E,ideas\n",
    );
    w.stdout(&[
        "import",
        path_str(&h),
        path_str(&m),
        path_str(&p),
        path_str(&d),
    ]);
}

#[test]
fn overdue_lists_never_visited_first_then_the_longest_since() {
    let w = Workdir::new();
    follow_up(&w);
    let json = w.json(&["overdue", "--as-of", "2002-01-31"]);
    assert_eq!(json["as_of"], "2002-01-31");
    assert_eq!(json["days"], 90);
    let rows: Vec<(String, String, Value, Value)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["member"].as_str().unwrap().to_string(),
                r["household"].as_str().unwrap().to_string(),
                r["last_delivery"].clone(),
                r["days_since"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("M2".into(), "A".into(), Value::Null, Value::Null),
            ("M3".into(), "E".into(), "2001-08-01".into(), 183.into()),
            ("M3".into(), "C".into(), "2001-10-01".into(), 122.into()),
        ]
    );
    let first = &json["rows"][0];
    assert_eq!(first["member_name"], "李二");
    assert_eq!(first["unit"], "区教育局");
    assert_eq!(first["head"], "甲");
}

#[test]
fn overdue_days_and_as_of_move_the_line() {
    let w = Workdir::new();
    follow_up(&w);
    let json = w.json(&["overdue", "--as-of", "2002-01-31", "--days", "89"]);
    let pairs = column(&json, "household");
    assert!(pairs.iter().any(|p| p == "B"), "{pairs:?}");
    // Later, F's pairing has begun and D's is long over.
    let json = w.json(&["overdue", "--as-of", "2002-07-01"]);
    let pairs = column(&json, "household");
    assert!(
        pairs.iter().any(|p| p == "F") && !pairs.iter().any(|p| p == "D"),
        "{pairs:?}"
    );
}

#[test]
fn unpaired_lists_poor_households_without_an_active_pairing() {
    let w = Workdir::new();
    follow_up(&w);
    let json = w.json(&["unpaired", "--as-of", "2002-01-31"]);
    let ids = column(&json, "household");
    assert_eq!(ids, vec!["D", "F"]);
    assert_eq!(json["rows"][0]["township"], "工农乡");
    assert_eq!(json["rows"][0]["village"], "二村");
}

#[test]
fn check_names_every_finding_and_exits_1() {
    let w = Workdir::new();
    follow_up(&w);
    let extra = w.utf8("x.csv", "id,name,unit\nM4,赵四,区妇联\n");
    let stray = w.utf8(
        "s.csv",
        "date,member,household,category\n2001-03-01,M1,C,deeds\n",
    );
    w.stdout(&["import", path_str(&extra), path_str(&stray)]);
    let out = w
        .bangfu()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, Value, Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap().to_string(),
                f["member"].clone(),
                f["household"].clone(),
            )
        })
        .collect();
    assert!(found.contains(&("delivery_outside_pairing".into(), "M1".into(), "C".into())));
    assert!(found.contains(&("pairing_without_delivery".into(), "M2".into(), "A".into())));
    assert!(found.contains(&("member_without_household".into(), "M4".into(), Value::Null)));
}

#[test]
fn show_household_prints_the_card_with_masked_numbers() {
    let w = Workdir::new();
    let id = common::id_number(3);
    let h = w.utf8(
        "h.csv",
        &format!("id,head,township,id_number,phone\nH1,张三,工农乡,{id},13812345678\n"),
    );
    let m = w.utf8("m.csv", "id,name,unit,households\nM1,李四,区财政局,H1\n");
    let d = w.utf8(
        "d.csv",
        "date,member,household,category,goods\n2001-05-01,M1,H1,warmth,100\n2001-03-01,李四,张三,deeds,50\n",
    );
    w.stdout(&["import", path_str(&h), path_str(&m), path_str(&d)]);
    let out = w.stdout(&["show", "household", "张三"]);
    assert!(out.contains("138****5678"), "{out}");
    assert!(!out.contains(&id), "{out}");
    let first = out.find("2001-03-01").unwrap();
    let second = out.find("2001-05-01").unwrap();
    assert!(first < second, "deliveries by date:\n{out}");
    let revealed = w.stdout(&["--reveal", "show", "household", "H1"]);
    assert!(revealed.contains(&id));
    let json = w.json(&["show", "member", "M1"]);
    assert_eq!(json["record"]["unit"], "区财政局");
    assert_eq!(json["pairings"][0]["household"], "H1");
    assert_eq!(json["deliveries"][0]["category"], "deeds");
    assert_eq!(json["totals"]["total"]["total"], "150.00");
    w.bangfu()
        .args(["show", "member", "nobody"])
        .assert()
        .code(2);
}

/// Snapshots: tables line up with Chinese text in both languages.
fn snapshot_district(w: &Workdir) {
    let h = w.utf8(
        "h.csv",
        "户编号,户主,乡镇,村\nH1,张三,工农乡,红旗村\nH2,李四,向阳街道,向阳社区\n",
    );
    let m = w.utf8(
        "m.csv",
        "编号,姓名,单位,结对户\nM1,赵六,区委组织部,H1\nM2,钱七,区财政局,H2\n",
    );
    let d = w.utf8(
        "d.csv",
        "日期,帮扶人,户编号,类别,物资,资金\n\
         2001-03-05,M1,H1,送温暖,1200,300\n\
         2001-03-20,M2,H2,办好事实事,15000,\n\
         2001-04-02,M1,H1,送政策,,\n\
         2001-05-01,M2,H2,送温暖,88.5,1000\n",
    );
    w.stdout(&["import", path_str(&h), path_str(&m), path_str(&d)]);
}

#[test]
fn cross_tab_of_units_by_month_in_chinese() {
    let w = Workdir::new();
    snapshot_district(&w);
    insta::assert_snapshot!(
        w.stdout(&["--lang", "zh", "totals", "--by", "unit", "--across", "month"])
    );
}

#[test]
fn totals_by_township_and_category_in_english_and_chinese() {
    let w = Workdir::new();
    snapshot_district(&w);
    insta::assert_snapshot!(w.stdout(&["totals", "--by", "township,category"]));
    insta::assert_snapshot!(w.stdout(&["--lang", "zh", "totals", "--by", "township,category"]));
}

#[test]
fn markdown_and_csv_follow_the_table() {
    let w = Workdir::new();
    snapshot_district(&w);
    insta::assert_snapshot!(w.stdout(&["totals", "--by", "member", "--format", "markdown"]));
    insta::assert_snapshot!(
        w.stdout(&["--lang", "zh", "totals", "--by", "category", "--format", "csv"])
    );
}

#[test]
fn tables_line_up_with_chinese_text() {
    use unicode_width::UnicodeWidthStr;
    let w = Workdir::new();
    snapshot_district(&w);
    for args in [
        vec!["--lang", "zh", "totals", "--by", "unit,category"],
        vec![
            "--lang",
            "zh",
            "totals",
            "--by",
            "household",
            "--across",
            "category",
        ],
        vec!["--lang", "en", "overdue", "--as-of", "2002-01-01"],
    ] {
        let out = w.stdout(&args);
        // The table's lines (overdue's count line follows it).
        let widths: Vec<usize> = out
            .lines()
            .filter(|l| l.starts_with(['+', '|']))
            .map(UnicodeWidthStr::width)
            .collect();
        assert!(widths.len() > 3, "{out}");
        assert!(widths.windows(2).all(|p| p[0] == p[1]), "{out}");
    }
}
