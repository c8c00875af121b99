//! The headline of a report: counts, money, and the one sentence a district
//! report opens with (共包保贫困户193户，送物资、资金共计71,350.00元).

use super::group::{add_money, MoneyOverflow};
use super::labels::{headline, Label, Lang};
use super::render::{Cell, Column, Format, Table};
use crate::store::query;
use crate::values::Fen;
use serde_json::json;

/// The headline figures, their total added with a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    figures: query::Summary,
    total: Fen,
}

impl Summary {
    pub fn new(figures: query::Summary) -> Result<Summary, MoneyOverflow> {
        let total = add_money(figures.goods, figures.cash)?;
        Ok(Summary { figures, total })
    }

    pub fn total(&self) -> Fen {
        self.total
    }
}

impl std::ops::Deref for Summary {
    type Target = query::Summary;
    fn deref(&self) -> &query::Summary {
        &self.figures
    }
}

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

/// The summary as contract §5's JSON object, with the sentence in both languages.
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

/// The summary under FILTERS. Household filters (township, village,
/// household) narrow the households and, through pairings, the members;
/// member filters (unit, member) narrow the members and, through pairings,
/// the households; dates and category narrow the deliveries only.
pub fn compute(
    conn: crate::store::Db<'_>,
    filters: &super::group::Filters,
    today: crate::values::Date,
) -> anyhow::Result<Summary> {
    use super::group::{group, Feed, World};
    use std::collections::HashSet;

    if filters.is_empty() {
        return match query::summary(conn, today) {
            Ok(figures) => Ok(Summary::new(figures)?),
            Err(e) if is_sum_overflow(&e) => Err(MoneyOverflow.into()),
            Err(e) => Err(e.into()),
        };
    }
    let world = World::load(conn)?;
    let f = world.resolve(filters)?;
    let pairings: Vec<(u32, u32, bool)> = query::pairings(conn)?
        .into_iter()
        .filter_map(|p| {
            let h = world.household_index(p.household)?;
            let m = world.member_index(p.member)?;
            let ok = f.household_ok(&world, h) && f.member_ok(&world, m);
            ok.then_some((h, m, p.active_on(today.days())))
        })
        .collect();
    let on_roster = |h: u32| {
        world
            .households
            .get(h as usize)
            .is_some_and(|x| !x.removed())
    };
    let households: Vec<u32> = (0..world.households.len() as u32)
        .filter(|&h| on_roster(h) && f.household_ok(&world, h))
        .filter(|&h| !f.on_members() || pairings.iter().any(|p| p.0 == h))
        .collect();
    let members: Vec<u32> = (0..world.members.len() as u32)
        .filter(|&m| f.member_ok(&world, m))
        .filter(|&m| !f.on_households() || pairings.iter().any(|p| p.1 == m))
        .collect();
    let units: HashSet<&str> = members
        .iter()
        .filter_map(|&m| world.members.get(m as usize).map(|x| x.unit.as_str()))
        .collect();
    let paired: HashSet<u32> = pairings
        .iter()
        .filter(|p| p.2 && on_roster(p.0))
        .map(|p| p.0)
        .collect();
    let grand = group(Feed::Scan(conn), &world, filters, &[Vec::new()])?
        .first()
        .map(|g| g.grand())
        .unwrap_or_default();
    Ok(Summary::new(query::Summary {
        households: households.len() as i64,
        paired_households: paired.len() as i64,
        lifted_households: households
            .iter()
            .filter(|&&h| {
                world
                    .households
                    .get(h as usize)
                    .is_some_and(|x| x.status == 1)
            })
            .count() as i64,
        members: members.len() as i64,
        units: units.len() as i64,
        pairings: pairings.len() as i64,
        deliveries: grand.deliveries,
        goods: grand.goods,
        cash: grand.cash,
    })?)
}

/// SQLite's `sum()` of integers stops with "integer overflow" rather than
/// give a wrong figure.
fn is_sum_overflow(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(message)) if message == "integer overflow")
}
