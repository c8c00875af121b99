//! The headline of a report: counts, money, and the one sentence a district
//! report opens with (共包保贫困户193户，送物资、资金共计71,350.00元).

use super::labels::{headline, Label, Lang};
use super::render::{Cell, Column, Format, Table};
use crate::store::query::Summary;
use serde_json::json;

/// The sentence in `lang`.
pub fn sentence(summary: &Summary, lang: Lang) -> String {
    headline(lang, summary.paired_households, &summary.total().display())
}

/// The summary as a two-column table (item, value).
pub fn table(summary: &Summary, lang: Lang) -> Table {
    let s = summary;
    let rows = [
        (Label::Households, Cell::Int(s.households)),
        (Label::PairedHouseholds, Cell::Int(s.paired_households)),
        (Label::LiftedHouseholds, Cell::Int(s.lifted_households)),
        (Label::Members, Cell::Int(s.members)),
        (Label::Units, Cell::Int(s.units)),
        (Label::Pairings, Cell::Int(s.pairings)),
        (Label::Deliveries, Cell::Int(s.deliveries)),
        (Label::Goods, Cell::Money(s.goods)),
        (Label::Cash, Cell::Money(s.cash)),
        (Label::Total, Cell::Money(s.total())),
    ];
    Table {
        columns: vec![
            Column::new("item", Label::Item.text(lang)),
            Column::new("value", Label::Value.text(lang)),
        ],
        rows: rows
            .into_iter()
            .map(|(label, value)| vec![Cell::text(label.text(lang)), value])
            .collect(),
        total: None,
    }
}

/// The summary as SPEC §5's JSON object, with the sentence in both languages.
pub fn json(summary: &Summary) -> serde_json::Value {
    let s = summary;
    json!({
        "households": s.households,
        "paired_households": s.paired_households,
        "lifted_households": s.lifted_households,
        "members": s.members,
        "units": s.units,
        "pairings": s.pairings,
        "deliveries": s.deliveries,
        "goods": s.goods.yuan_string(),
        "cash": s.cash.yuan_string(),
        "total": s.total().yuan_string(),
        "report": {"en": sentence(s, Lang::En), "zh": sentence(s, Lang::Zh)},
    })
}

/// The summary rendered in `format`: the sentence, then the table.
pub fn render(summary: &Summary, lang: Lang, format: Format) -> String {
    match format {
        Format::Json => {
            let mut out = serde_json::to_string_pretty(&json(summary)).unwrap_or_default();
            out.push('\n');
            out
        }
        Format::Table => format!(
            "{}\n\n{}",
            sentence(summary, lang),
            table(summary, lang).to_text()
        ),
        Format::Markdown => format!(
            "{}\n\n{}",
            sentence(summary, lang),
            table(summary, lang).to_markdown()
        ),
        Format::Csv => table(summary, lang).to_csv(),
    }
}
