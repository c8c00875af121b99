//! `show household REF` / `show member REF`: one record card — the record,
//! its pairings, its deliveries by date, and its totals by category.

use super::group::{Dim, Feed, Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::overdue::pretty;
use super::render::{Cell, Column, Format, Table};
use super::totals::{compute_in, TotalsSpec};
use crate::store::query::{self, DeliveryFacts, DeliveryRecord};
use crate::store::Db;
use crate::values::{Category, Date, Fen};
use serde_json::{json, Map, Value};

/// Whose card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Household,
    Member,
}

/// A record card, ready to render.
pub struct Card {
    pub title: String,
    /// (JSON key, label, value) of the record's fields.
    pub fields: Vec<(&'static str, &'static str, Cell)>,
    pub pairings: Table,
    pub deliveries: Table,
    pub totals: Table,
    pub totals_json: Value,
}

fn opt(s: &Option<String>) -> Cell {
    s.clone().map_or(Cell::Null, Cell::Text)
}

fn date_cell(day: Option<i32>) -> Cell {
    day.and_then(Date::from_days)
        .map_or(Cell::Null, |d| Cell::text(d.to_string()))
}

/// Build the card of the household or member `reference` names.
pub fn card(
    conn: Db<'_>,
    subject: Subject,
    reference: &str,
    lang: Lang,
    reveal: bool,
) -> anyhow::Result<Card> {
    let world = World::load(conn)?;
    let mut filters = Filters::default();
    let (title, fields, key) = match subject {
        Subject::Household => {
            let h = world.find_household(reference)?;
            filters.household = Some(h.id.clone());
            let status = Label::of_status(h.status());
            let fields = vec![
                (
                    "id",
                    Label::HouseholdId.text(lang),
                    Cell::text(h.id.clone()),
                ),
                ("head", Label::Head.text(lang), Cell::text(h.head.clone())),
                (
                    "id_number",
                    Label::IdNumber.text(lang),
                    h.id_number
                        .as_deref()
                        .map_or(Cell::Null, |n| Cell::text(mask::id_number(n, reveal))),
                ),
                (
                    "township",
                    Label::Township.text(lang),
                    Cell::text(h.township.clone()),
                ),
                ("village", Label::Village.text(lang), opt(&h.village)),
                (
                    "size",
                    Label::Size.text(lang),
                    h.size.map_or(Cell::Null, Cell::Int),
                ),
                ("cause", Label::Cause.text(lang), opt(&h.cause)),
                (
                    "status",
                    Label::Status.text(lang),
                    Cell::text(status.text(lang)),
                ),
                (
                    "lifted_on",
                    Label::LiftedOn.text(lang),
                    date_cell(h.lifted_on),
                ),
                (
                    "phone",
                    Label::Phone.text(lang),
                    h.phone
                        .as_deref()
                        .map_or(Cell::Null, |p| Cell::text(mask::phone(p, reveal))),
                ),
            ];
            let head = mask::text(&h.head, reveal);
            (format!("{} {head}", h.id), fields, h.key)
        }
        Subject::Member => {
            let m = world.find_member(reference)?;
            filters.member = Some(m.id.clone());
            let fields = vec![
                ("id", Label::MemberId.text(lang), Cell::text(m.id.clone())),
                (
                    "name",
                    Label::MemberName.text(lang),
                    Cell::text(m.name.clone()),
                ),
                ("unit", Label::Unit.text(lang), Cell::text(m.unit.clone())),
                ("role", Label::Role.text(lang), opt(&m.role)),
                (
                    "phone",
                    Label::Phone.text(lang),
                    m.phone
                        .as_deref()
                        .map_or(Cell::Null, |p| Cell::text(mask::phone(p, reveal))),
                ),
            ];
            let name = mask::text(&m.name, reveal);
            (format!("{} {name}", m.id), fields, m.key)
        }
    };
    let of_member = subject == Subject::Member;
    let list = query::deliveries_of(conn, of_member, key)?;
    let facts: Vec<DeliveryFacts> = list.iter().map(|d| d.facts).collect();
    let totals = compute_in(
        Feed::Facts(&facts),
        world,
        TotalsSpec {
            by: vec![Dim::Category],
            filters,
            ..TotalsSpec::default()
        },
    )?;
    let world = &totals.world;
    let mut card = Card {
        title,
        fields,
        pairings: pairings_table(conn, world, of_member, key, lang)?,
        deliveries: deliveries_table(world, &list, of_member, lang),
        totals: totals.table(lang),
        totals_json: totals.json(),
    };
    // Numbers in names and notes are masked too; the record's id is not.
    for (key, _, cell) in &mut card.fields {
        if *key != "id" {
            mask::cell(cell, reveal);
        }
    }
    for table in [&mut card.pairings, &mut card.deliveries, &mut card.totals] {
        mask::table(table, reveal);
    }
    mask::json(&mut card.totals_json, reveal);
    Ok(card)
}

/// The other side of each pairing, with its dates.
fn pairings_table(
    conn: Db<'_>,
    world: &World,
    of_member: bool,
    key: i64,
    lang: Lang,
) -> anyhow::Result<Table> {
    let mut rows = Vec::new();
    for p in query::pairings(conn)? {
        let mine = if of_member { p.member } else { p.household };
        if mine != key {
            continue;
        }
        let mut row = if of_member {
            let h = world.household_by_key(p.household);
            vec![
                Cell::text(h.map_or("", |h| h.id.as_str())),
                Cell::text(h.map_or("", |h| h.head.as_str())),
                Cell::text(h.map_or("", |h| h.township.as_str())),
            ]
        } else {
            let m = world.member_by_key(p.member);
            vec![
                Cell::text(m.map_or("", |m| m.id.as_str())),
                Cell::text(m.map_or("", |m| m.name.as_str())),
                Cell::text(m.map_or("", |m| m.unit.as_str())),
            ]
        };
        row.push(date_cell(p.since));
        row.push(date_cell(p.until));
        rows.push(row);
    }
    let mut columns: Vec<Column> = if of_member {
        vec![
            Column::new("household", Label::HouseholdId.text(lang)),
            Column::new("head", Label::Head.text(lang)),
            Column::new("township", Label::Township.text(lang)),
        ]
    } else {
        vec![
            Column::new("member", Label::MemberId.text(lang)),
            Column::new("member_name", Label::MemberName.text(lang)),
            Column::new("unit", Label::Unit.text(lang)),
        ]
    };
    columns.push(Column::new("since", Label::Since.text(lang)));
    columns.push(Column::new("until", Label::Until.text(lang)));
    Ok(Table {
        columns,
        rows,
        total: None,
    })
}

fn deliveries_table(world: &World, list: &[DeliveryRecord], of_member: bool, lang: Lang) -> Table {
    let mut columns = vec![Column::new("date", Label::Date.text(lang))];
    if of_member {
        columns.push(Column::new("household", Label::HouseholdId.text(lang)));
        columns.push(Column::new("head", Label::Head.text(lang)));
    } else {
        columns.push(Column::new("member", Label::MemberId.text(lang)));
        columns.push(Column::new("member_name", Label::MemberName.text(lang)));
    }
    for (k, l) in [
        ("category", Label::Category),
        ("goods", Label::Goods),
        ("cash", Label::Cash),
        ("note", Label::Note),
    ] {
        columns.push(Column::new(k, l.text(lang)));
    }
    let rows = list
        .iter()
        .map(|record| {
            let d = &record.facts;
            let mut row = vec![date_cell(Some(d.day))];
            if of_member {
                let h = world.household_by_key(d.household);
                row.push(Cell::text(h.map_or("", |h| h.id.as_str())));
                row.push(Cell::text(h.map_or("", |h| h.head.as_str())));
            } else {
                let m = world.member_by_key(d.member);
                row.push(Cell::text(m.map_or("", |m| m.id.as_str())));
                row.push(Cell::text(m.map_or("", |m| m.name.as_str())));
            }
            let category = Category::from_index(d.category);
            row.push(Cell::text(category.map_or("?", |c| match lang {
                Lang::En => c.key(),
                Lang::Zh => c.zh(),
            })));
            row.push(Cell::Money(Fen(d.goods)));
            row.push(Cell::Money(Fen(d.cash)));
            row.push(opt(&record.note));
            row
        })
        .collect();
    Table {
        columns,
        rows,
        total: None,
    }
}

impl Card {
    /// Render the card in `format`.
    pub fn render(&self, lang: Lang, format: Format) -> String {
        if format == Format::Json {
            let mut record = Map::new();
            for (key, _, cell) in &self.fields {
                record.insert((*key).to_string(), cell.json());
            }
            // Categories in JSON are keys, whatever the language.
            let deliveries: Vec<Value> = self
                .deliveries
                .rows
                .iter()
                .map(|r| self.deliveries.row_object(r))
                .collect();
            let pairings: Vec<Value> = self
                .pairings
                .rows
                .iter()
                .map(|r| self.pairings.row_object(r))
                .collect();
            return pretty(&json!({
                "record": record,
                "pairings": pairings,
                "deliveries": deliveries,
                "totals": self.totals_json,
            }));
        }
        let record = Table {
            columns: vec![
                Column::new("field", Label::Item.text(lang)),
                Column::new("value", Label::Value.text(lang)),
            ],
            rows: self
                .fields
                .iter()
                .map(|(_, label, cell)| vec![Cell::text(*label), cell.clone()])
                .collect(),
            total: None,
        };
        let sections = [
            (self.title.clone(), &record),
            (Label::PairingsTitle.text(lang).to_string(), &self.pairings),
            (
                Label::DeliveriesList.text(lang).to_string(),
                &self.deliveries,
            ),
            (Label::TotalsByCategory.text(lang).to_string(), &self.totals),
        ];
        let mut out = String::new();
        for (i, (title, table)) in sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match format {
                Format::Markdown => out.push_str(&format!("### {title}\n\n")),
                Format::Csv => {}
                _ => out.push_str(&format!("{title}\n")),
            }
            out.push_str(&table.render(format));
        }
        out
    }
}
