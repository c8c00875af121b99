//! Rows under or between the records that are not records: totals rows
//! (合计, 小计, Total), whose amounts are compared with the sums of the rows
//! they total (contract §3.1), and footer rows (填表人, 合计：3次), skipped with
//! a warning. Kept apart from the pipeline so that the rules for telling
//! them, and the reconciliation, can be read and tested on their own.

use crate::i18n::import::ImportMsg;
use crate::input::headers::{Field, Layout};
use crate::input::RawRow;
use crate::values::text::clean;
use crate::values::Fen;

/// Whether a row is a totals row — its first non-empty cell is 合计, 总计,
/// 小计, Total… (spaced out or not: 合　计) — and if so, whether it is a
/// subtotal (of the rows since the previous totals row) or a grand total.
pub fn totals_row(row: &RawRow) -> Option<bool> {
    let first = row.first_value()?;
    // Most rows start with a date or an id: rule them out before folding.
    let lead = first.chars().next()?;
    if !"合总小共tTｔＴgGｇＧsSｓＳ".contains(lead) {
        return None;
    }
    let word: String = clean(first)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：'))
        .collect::<String>()
        .to_lowercase();
    match word.as_str() {
        "小计" | "subtotal" => Some(true),
        "合计" | "总计" | "总合计" | "共计" | "total" | "totals" | "grandtotal" => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether a row is a footer under the records — a sign-off (填表人, 审核人,
/// 制表人, 填报日期, 单位负责人) or a count such as `合计：3次` in the first
/// cell — rather than a record or a totals row.
pub fn footer_row(row: &RawRow) -> bool {
    const SIGN_OFFS: [&str; 7] = [
        "填表人",
        "填报人",
        "审核人",
        "制表人",
        "制表",
        "填报日期",
        "单位负责人",
    ];
    const TOTALS: [&str; 4] = ["合计", "总计", "共计", "小计"];
    // Before a colon: a sign-off title (分管领导：张三, 主要负责人：…) or a
    // note on the sheet (备注：金额单位为元).
    const TITLES: [&str; 12] = [
        "领导",
        "负责人",
        "审核",
        "审批",
        "签字",
        "签名",
        "主任",
        "书记",
        "经办人",
        "联系人",
        "填表",
        "制表",
    ];
    const NOTES: [&str; 3] = ["备注", "说明", "注"];
    let Some(first) = row.first_value() else {
        return false;
    };
    let colon = first.contains([':', '：']);
    if !colon && !first.starts_with(['填', '审', '制', '单', '合', '总', '共', '小']) {
        return false;
    }
    let word: String = clean(first)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if let Some((before, _)) = word.split_once([':', '：']) {
        let titled = before.chars().count() <= 8 && TITLES.iter().any(|t| before.ends_with(t));
        if titled || NOTES.contains(&before) {
            return true;
        }
    }
    if SIGN_OFFS.iter().any(|s| word.starts_with(s)) {
        return true;
    }
    // 合计：3次 counts rows; a totals row has its amounts in their columns.
    TOTALS.iter().any(|t| {
        word.strip_prefix(t)
            .and_then(|rest| rest.strip_prefix([':', '：']))
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// A money cell of a totals row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotalsCell {
    Empty,
    Amount(Fen),
    /// Not an amount (a formula exported as text, a note): cannot be checked.
    Other(String),
}

impl TotalsCell {
    /// The cell of `field` in a totals row.
    pub fn of(layout: &Layout, row: &RawRow, field: Field) -> TotalsCell {
        let cell = layout.get(&row.cells, field);
        if cell.is_empty() {
            return TotalsCell::Empty;
        }
        match Fen::parse_in(cell, layout.unit(field)) {
            Ok(fen) => TotalsCell::Amount(fen),
            Err(_) => TotalsCell::Other(crate::values::redact(cell)),
        }
    }
}

/// A totals row's figures and the sums of the section above it.
struct TotalsRow {
    line: u64,
    subtotal: bool,
    goods: TotalsCell,
    cash: TotalsCell,
    section: (Fen, Fen),
}

/// The money of one file's valid rows — all of them, and those since the
/// last totals row — and the totals rows met, to reconcile at the end
/// (when every row has been written, sums of rows below a grand total
/// included).
#[derive(Default)]
pub struct Totals {
    sums: (Fen, Fen),
    section: (Fen, Fen),
    rows: Vec<TotalsRow>,
}

impl Totals {
    /// A valid row's goods and cash.
    pub fn add(&mut self, (goods, cash): (Fen, Fen)) {
        self.sums = (self.sums.0 + goods, self.sums.1 + cash);
        self.section = (self.section.0 + goods, self.section.1 + cash);
    }

    /// A totals row: it closes the section above it.
    pub fn row(&mut self, line: u64, subtotal: bool, goods: TotalsCell, cash: TotalsCell) {
        let section = std::mem::replace(&mut self.section, (Fen(0), Fen(0)));
        self.rows.push(TotalsRow {
            line,
            subtotal,
            goods,
            cash,
            section,
        });
    }

    /// Each totals row compared with the sums of the valid rows — of the
    /// whole file for a grand total, of the rows since the previous totals
    /// row for a subtotal: a warning (line, column, message) for each money
    /// column where they differ.
    pub fn reconcile(&self) -> Vec<(u64, Field, ImportMsg)> {
        let mut warnings = Vec::new();
        for t in &self.rows {
            let expected = if t.subtotal { t.section } else { self.sums };
            let checks = [
                (Field::Goods, &t.goods, expected.0),
                (Field::Cash, &t.cash, expected.1),
            ];
            for (field, stated, sum) in checks {
                let message = match stated {
                    TotalsCell::Empty => continue,
                    TotalsCell::Amount(stated) if *stated == sum => continue,
                    TotalsCell::Amount(stated) => ImportMsg::TotalsDisagree {
                        subtotal: t.subtotal,
                        stated: *stated,
                        sum,
                    },
                    TotalsCell::Other(text) => ImportMsg::TotalsNotAnAmount { text: text.clone() },
                };
                warnings.push((t.line, field, message));
            }
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            line: 9,
            pos: 0,
            cells: csv::StringRecord::from(cells.to_vec()),
        }
    }

    #[test]
    fn tells_totals_rows_and_subtotals() {
        for (cells, want) in [
            (&["合计", "", "200"][..], Some(false)),
            (&["合　计"], Some(false)),
            (&["", "总计："], Some(false)),
            (&["Total"], Some(false)),
            (&["ＴＯＴＡＬ"], Some(false)),
            (&["Grand Total"], Some(false)),
            (&["小计"], Some(true)),
            (&["Subtotal"], Some(true)),
            (&["2001-03-05", "合计"], None),
            (&["合作社"], None),
            (&["H1"], None),
            (&[""], None),
        ] {
            assert_eq!(totals_row(&row(cells)), want, "{cells:?}");
        }
    }

    #[test]
    fn tells_footer_rows_from_totals_rows_and_records() {
        for footer in [
            &["填表人：王五", "", "审核人：赵六"][..],
            &["分管领导：张三"][..],
            &["备注：金额单位为元", ""][..],
            &["", "审核人:"],
            &["制表人 钱七"],
            &["填报日期：2003年6月1日"],
            &["单位负责人："],
            &["合计：3次", "", "200"],
            &["总 计: 12 户"],
        ] {
            assert!(footer_row(&row(footer)), "{footer:?}");
        }
        for other in [
            &["合计", "", "200"][..],
            &["合计：", "", "200"],
            &["2001-03-05", "填表人"],
            &["H1", "张三"],
            &[""],
        ] {
            assert!(!footer_row(&row(other)), "{other:?}");
        }
    }

    fn y(n: i64) -> Fen {
        Fen(n * 100)
    }

    fn yuan(n: i64) -> TotalsCell {
        TotalsCell::Amount(y(n))
    }

    #[test]
    fn a_subtotal_checks_its_section_and_a_grand_total_the_whole_file() {
        let mut t = Totals::default();
        t.add((y(100), Fen(0)));
        t.add((y(50), y(10)));
        t.row(4, true, yuan(150), yuan(10));
        t.add((y(20), Fen(0)));
        t.row(6, true, yuan(20), TotalsCell::Empty);
        t.row(7, false, yuan(170), yuan(10));
        assert_eq!(t.reconcile(), vec![]);
        // The same figures the other way round are wrong both times.
        let mut t = Totals::default();
        t.add((y(100), Fen(0)));
        t.row(3, false, yuan(60), TotalsCell::Empty);
        t.add((y(60), Fen(0)));
        t.row(5, true, yuan(160), TotalsCell::Empty);
        let lines: Vec<u64> = t.reconcile().iter().map(|w| w.0).collect();
        assert_eq!(lines, vec![3, 5]);
    }

    #[test]
    fn reconcile_warns_of_each_column_that_differs() {
        let mut t = Totals::default();
        t.add((y(100), y(30)));
        t.row(3, true, yuan(90), yuan(30));
        t.add((y(5), Fen(0)));
        t.row(5, false, yuan(105), TotalsCell::Other("=SUM(C2:C4)".into()));
        assert_eq!(
            t.reconcile(),
            vec![
                (
                    3,
                    Field::Goods,
                    ImportMsg::TotalsDisagree {
                        subtotal: true,
                        stated: y(90),
                        sum: y(100),
                    }
                ),
                (
                    5,
                    Field::Cash,
                    ImportMsg::TotalsNotAnAmount {
                        text: "=SUM(C2:C4)".into()
                    }
                ),
            ]
        );
    }
}
