//! The model of a ledger's life (contract §8), tested as a property: a
//! random sequence of imports — each a random choice of rows from one
//! month's sheet, into one of two ledgers, some with `--replace` where
//! this bangfu has it — then the last k of them undone, newest first.
//! After each undo, every report's JSON and every record are what they
//! were before that import.
//!
//! The reports compared: `summary`, `overdue`, `unpaired`, and `totals`
//! grouped by every dimension, six at most at once (two groupings between
//! them name all eleven: a grouping by fewer is a sum of their groups, so
//! equal here is equal there; the per-dimension reports are compared one
//! by one in `undo.rs`).

use crate::common::Workdir;
use proptest::prelude::*;
use std::sync::OnceLock;

/// The rows clerks enter in a month, two of them the same visit entered
/// twice (two rows all the same).
const ROWS: [&str; 8] = [
    "2003年3月5日,M1,H1,送温暖,800,0,米和油",
    "2003年3月5日,M1,H1,送温暖,800,0,米和油",
    "2003年3月6日,M1,H2,送政策,0,0,",
    "2003年3月9日,M2,H3,送科技,0,1500,",
    "2003年4月2日,M2,H3,送温暖,300,0,",
    "2003年4月2日,M1,H2,送温暖,300,0,",
    "2003年5月20日,M1,H1,送信息,0,200,",
    "2003年6月1日,M2,H3,办好事实事,1200,300,修屋顶",
];

const LEDGERS: [&str; 2] = ["帮扶记录甲", "帮扶记录乙"];

/// Whether this bangfu's import takes `--replace` (it comes with the
/// ledgers' writers).
fn has_replace() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        Workdir::new()
            .stdout(&["import", "--help"])
            .contains("--replace")
    })
}

/// One import of the sequence.
#[derive(Debug, Clone)]
struct Step {
    ledger: usize,
    /// Which of [`ROWS`] the file lists (at least one), in their order.
    rows: Vec<bool>,
    replace: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0..LEDGERS.len(),
        prop::collection::vec(any::<bool>(), ROWS.len()),
        any::<bool>(),
    )
        .prop_filter("a file lists a row", |(_, rows, _)| rows.iter().any(|&r| r))
        .prop_map(|(ledger, rows, replace)| Step {
            ledger,
            rows,
            replace,
        })
}

/// Every report's JSON and the records.
fn reports(w: &Workdir) -> Vec<String> {
    let mut all: Vec<String> = [
        vec!["summary"],
        vec!["overdue"],
        vec!["unpaired"],
        vec![
            "totals",
            "--by",
            "household,member,category,month,village,status",
        ],
        vec!["totals", "--by", "unit,township,cause,year,quarter"],
    ]
    .iter()
    .map(|args| w.json(args).to_string())
    .collect();
    all.push(w.records());
    all
}

fn import(w: &Workdir, step: &Step) {
    let name = format!("{}.csv", LEDGERS[step.ledger]);
    let mut text = String::from("日期,帮扶人,贫困户,类别,物资,资金,备注\r\n");
    for (row, _) in ROWS.iter().zip(&step.rows).filter(|(_, &on)| on) {
        text.push_str(row);
        text.push_str("\r\n");
    }
    w.gbk(&name, &text);
    let mut args = vec!["import", name.as_str()];
    if step.replace && has_replace() {
        // Forced: the model's versions may drop most of a ledger's rows.
        args.extend(["--replace", "--force"]);
    }
    w.stdout(&args);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 8,
        max_shrink_iters: 16,
        ..ProptestConfig::default()
    })]

    #[test]
    fn undoing_the_last_k_imports_gives_every_report_as_it_was_k_imports_ago(
        steps in prop::collection::vec(step(), 1..5),
        undo in 1usize..5,
    ) {
        let w = Workdir::new();
        w.gbk(
            "贫困户.csv",
            "户编号,户主,乡镇,村,致贫原因,状态\r\n\
             H1,张三,工农乡,红旗村,因病,贫困\r\n\
             H2,李四,工农乡,大坪村,缺技术,贫困\r\n\
             H3,王五,向阳街道,向阳社区,因学,已脱贫\r\n",
        );
        w.gbk("帮扶人.csv", "编号,姓名,单位\r\nM1,赵六,区财政局\r\nM2,钱七,区教育局\r\n");
        w.gbk(
            "结对.csv",
            "帮扶人,贫困户,开始日期\r\nM1,H1,2001年1月1日\r\nM1,H2,2001年1月1日\r\nM2,H3,2001年2月1日\r\n",
        );
        w.stdout(&["import", "贫困户.csv", "帮扶人.csv", "结对.csv"]);
        // states[i]: the reports after the district and i of the steps.
        let mut states = vec![reports(&w)];
        for step in &steps {
            import(&w, step);
            states.push(reports(&w));
        }
        let k = undo.min(steps.len());
        for undone in 0..k {
            // The district is import 1; step i is import i + 2.
            let number = steps.len() + 1 - undone;
            w.stdout(&["undo", &number.to_string()]);
            let expected = &states[steps.len() - undone - 1];
            prop_assert_eq!(
                &reports(&w),
                expected,
                "after undo {} of {:?}",
                number,
                steps
            );
        }
    }
}
