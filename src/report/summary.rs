//! The headline of a report: counts, money, and the one sentence a district
//! report opens with (共包保贫困户193户，送物资、资金共计71,350.00元).

use super::group::{add_money, MoneyOverflow};
use super::labels::{headline, Label, Lang};
use super::render::{Cell, Column, Format, Table};
use crate::store::query;
use crate::values::Fen;
use serde_json::json;

/// The headline figures of `summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// On the roster on the day (removed ones not counted).
    pub households: i64,
    /// Of those, with a pairing active on the day.
    pub paired_households: i64,
    pub lifted_households: i64,
    /// Not removed on the day.
    pub members: i64,
    /// Distinct units of those members.
    pub units: i64,
    pub pairings: i64,
    pub deliveries: i64,
    pub goods: Fen,
    pub cash: Fen,
}

/// The headline figures, their total added with a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    figures: Figures,
    total: Fen,
    /// The township the figures are of (`--township`, or a township's
    /// login's own), which the sentence names: pasted into a report, it
    /// must not read as the district's.
    township: Option<String>,
}

impl Summary {
    pub fn new(figures: Figures) -> Result<Summary, MoneyOverflow> {
        let total = add_money(figures.goods, figures.cash)?;
        Ok(Summary {
            figures,
            total,
            township: None,
        })
    }

    /// The same figures, said as those of `township`.
    pub fn of_township(self, township: Option<&str>) -> Summary {
        Summary {
            township: township.map(|t| t.trim().to_string()),
            ..self
        }
    }

    pub fn total(&self) -> Fen {
        self.total
    }
}

impl std::ops::Deref for Summary {
    type Target = Figures;
    fn deref(&self) -> &Figures {
        &self.figures
    }
}

/// The sentence in `lang`, naming the township the figures are of.
pub fn sentence(summary: &Summary, lang: Lang) -> String {
    let said = headline(lang, summary.paired_households, &summary.total().display());
    match (&summary.township, lang) {
        (None, _) => said,
        (Some(t), Lang::En) => format!("{t}: {said}"),
        (Some(t), Lang::Zh) => format!("{t}{said}"),
    }
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

/// The summary on `today` under FILTERS: households, members and their
/// fields as they were that day (contract §8). Household filters
/// (township, village, household) narrow the households and, through
/// pairings, the members; member filters (unit, member) narrow the members
/// and, through pairings, the households; dates and category narrow the
/// deliveries only; `--ledger` keeps the records of each kind it holds.
/// Without filters, on a database whose dated fields never changed, the
/// tables are counted as they stand, in SQL.
pub fn compute(
    conn: crate::store::Db<'_>,
    filters: &super::group::Filters,
    today: crate::values::Date,
) -> anyhow::Result<Summary> {
    use super::group::{group, Feed, Filters, World};
    use crate::values::Status;
    use std::collections::HashSet;

    let day = today.days();
    if filters.is_empty() {
        if let Some([households, paired, lifted, members, units, pairings]) =
            query::roster_counts(conn, day)?
        {
            let (deliveries, goods, cash) = delivery_sums(conn, None)?;
            return Ok(Summary::new(Figures {
                households,
                paired_households: paired,
                lifted_households: lifted,
                members,
                units,
                pairings,
                deliveries,
                goods,
                cash,
            })?);
        }
    }
    let world = World::load(conn)?;
    let mut f = world.resolve(filters)?;
    f.load_holds(conn)?;
    let pairings: Vec<(u32, u32, bool)> = query::pairings_held(conn, f.ledger())?
        .into_iter()
        .filter_map(|p| {
            let h = world.household_index(p.household)?;
            let m = world.member_index(p.member)?;
            let ok = f.household_ok(&world, h, day) && f.member_ok(&world, m, day);
            ok.then_some((h, m, world.pairing_holds(&p, day)))
        })
        .collect();
    let on_roster = |h: u32| {
        world.household_on(h, day).is_some_and(|s| !s.off_roster()) && f.household_held(&world, h)
    };
    let households: Vec<u32> = (0..world.households.len() as u32)
        .filter(|&h| on_roster(h) && f.household_ok(&world, h, day))
        .filter(|&h| !f.on_members() || pairings.iter().any(|p| p.0 == h))
        .collect();
    let members: Vec<u32> = (0..world.members.len() as u32)
        .filter(|&m| world.member_on(m, day).is_some_and(|s| !s.removed))
        .filter(|&m| f.member_held(&world, m) && f.member_ok(&world, m, day))
        .filter(|&m| !f.on_households() || pairings.iter().any(|p| p.1 == m))
        .collect();
    let units: HashSet<&str> = members
        .iter()
        .filter_map(|&m| world.member_on(m, day).map(|s| world.unit_name(s.unit)))
        .collect();
    let paired: HashSet<u32> = pairings
        .iter()
        .filter(|p| p.2 && on_roster(p.0))
        .map(|p| p.0)
        .collect();
    let lifted = households
        .iter()
        .filter(|&&h| {
            world
                .household_on(h, day)
                .is_some_and(|s| s.status() == Status::Lifted)
        })
        .count();
    // Every delivery, or one ledger's, is one pass SQLite makes; other
    // filters date the records of each delivery.
    let deliveries_filtered = !Filters {
        ledger: None,
        ..filters.clone()
    }
    .is_empty();
    let (deliveries, goods, cash) = if deliveries_filtered {
        let grand = group(Feed::Scan(conn), &world, filters, &[Vec::new()])?
            .first()
            .map(|g| g.grand())
            .unwrap_or_default();
        (grand.deliveries, grand.goods, grand.cash)
    } else {
        delivery_sums(conn, f.ledger())?
    };
    Ok(Summary::new(Figures {
        households: households.len() as i64,
        paired_households: paired.len() as i64,
        lifted_households: lifted as i64,
        members: members.len() as i64,
        units: units.len() as i64,
        pairings: pairings.len() as i64,
        deliveries,
        goods,
        cash,
    })?
    .of_township(filters.township.as_deref()))
}

/// The count and money of the deliveries (of one ledger's): a sum past
/// what fen in an `i64` hold is [`MoneyOverflow`].
fn delivery_sums(
    conn: crate::store::Db<'_>,
    ledger: Option<i64>,
) -> anyhow::Result<(i64, Fen, Fen)> {
    match query::delivery_sums(conn, ledger) {
        Ok(sums) => Ok(sums),
        Err(e) if query::is_sum_overflow(&e) => Err(MoneyOverflow.into()),
        Err(e) => Err(e.into()),
    }
}
