//! `show household REF` / `show member REF`: one record card — the record
//! (with the ledgers holding it, and whether it is removed), its history of
//! changes, its pairings, its deliveries by date, and its totals by
//! category.

use super::group::{Dim, Feed, Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::overdue::pretty;
use super::render::{Cell, Column, Format, Table};
use super::totals::{compute_in, TotalsSpec};
use crate::i18n::report::ReportMsg;
use crate::store::query::{self, DeliveryFacts, DeliveryRecord, Stored};
use crate::store::Db;
use crate::values::{Category, Date, Fen, Status};
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
    /// The ledgers holding the record.
    pub ledgers: Vec<String>,
    /// No ledger holds it any more, or its status says 销户.
    pub removed: bool,
    /// Each change an import made to it, oldest first.
    pub history: Vec<Change>,
}

/// One change of one field, its values as the report shows them (masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub day: Option<Date>,
    pub import: i64,
    /// The column's name (JSON) and its word in the report's language.
    pub field: String,
    pub label: String,
    pub old: String,
    pub new: String,
}

/// A field's word in `lang` ([`Label`]); a field bangfu does not know,
/// its column name.
pub(crate) fn field_label(field: &str, lang: Lang) -> String {
    let label = match field {
        "head" => Label::Head,
        "id_number" => Label::IdNumber,
        "township" => Label::Township,
        "village" => Label::Village,
        "size" => Label::Size,
        "cause" => Label::Cause,
        "status" => Label::Status,
        "lifted_on" => Label::LiftedOn,
        "phone" => Label::Phone,
        "name" => Label::MemberName,
        "unit" => Label::Unit,
        "role" => Label::Role,
        "removed" => Label::Removed,
        other => return other.to_string(),
    };
    label.text(lang).to_string()
}

/// A stored value of `field` as the card shows it: statuses and yes/no in
/// words, dates as dates, ID and phone numbers masked unless `reveal`.
fn value_text(field: &str, value: &Stored, lang: Lang, reveal: bool) -> String {
    let Some(text) = value.text() else {
        return Label::Blank.text(lang).to_string();
    };
    match (field, value) {
        ("status", Stored::Int(n)) => u8::try_from(*n)
            .ok()
            .and_then(Status::from_index)
            .map_or(text, |s| Label::of_status(s).text(lang).to_string()),
        ("status", _) => {
            Status::parse(&text).map_or(text, |s| Label::of_status(s).text(lang).to_string())
        }
        ("lifted_on", Stored::Int(n)) => i32::try_from(*n)
            .ok()
            .and_then(Date::from_days)
            .map_or(text, |d| d.to_string()),
        ("removed", Stored::Int(n)) => {
            let word = if *n != 0 { Label::Yes } else { Label::No };
            word.text(lang).to_string()
        }
        ("id_number", _) => mask::id_number(&text, reveal),
        ("phone", _) => mask::phone(&text, reveal),
        _ => mask::text(&text, reveal).into_owned(),
    }
}

/// The columns of households and members in the order the card lists
/// them: the order of one import's changes on one day.
const FIELDS: [&str; 13] = [
    "head",
    "name",
    "id_number",
    "township",
    "village",
    "unit",
    "role",
    "size",
    "cause",
    "status",
    "lifted_on",
    "phone",
    "removed",
];

/// The history of record `key` of `kind` (0 household, 1 member), oldest
/// first: by day, import, then the card's order of fields.
fn history(
    conn: Db<'_>,
    (kind, key): (i64, i64),
    household: Option<&crate::store::query::HouseholdInfo>,
    lang: Lang,
    reveal: bool,
) -> anyhow::Result<Vec<Change>> {
    let mut changes = query::history_of(conn, kind, key)?;
    if let Some(household) = household {
        super::world::dated_as_lifted(&mut changes, household);
    }
    let rank = |field: &str| {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .unwrap_or(FIELDS.len())
    };
    changes.sort_by_key(|c| (c.day, c.command, rank(&c.field)));
    Ok(changes
        .into_iter()
        .map(|c| Change {
            day: Date::from_days(c.day),
            import: c.command,
            label: field_label(&c.field, lang),
            old: value_text(&c.field, &c.old, lang, reveal),
            new: value_text(&c.field, &c.new, lang, reveal),
            field: c.field,
        })
        .collect())
}

impl Change {
    /// "2024-04-30, import 7: village 双江村 → 大坪村".
    pub fn line(&self, lang: Lang) -> String {
        ReportMsg::HistoryLine {
            date: self.day.map(|d| d.to_string()).unwrap_or_default(),
            import: self.import,
            field: self.label.clone(),
            old: self.old.clone(),
            new: self.new.clone(),
        }
        .text(lang)
    }
}

fn opt(s: &Option<String>) -> Cell {
    s.clone().map_or(Cell::Null, Cell::Text)
}

fn date_cell(day: Option<i32>) -> Cell {
    day.and_then(Date::from_days)
        .map_or(Cell::Null, |d| Cell::text(d.to_string()))
}

/// Build the card of the household or member `reference` names.
/// Only the deliveries `ledger` holds are listed and totalled, when given.
pub fn card(
    conn: Db<'_>,
    subject: Subject,
    reference: &str,
    ledger: Option<&str>,
    lang: Lang,
    reveal: bool,
) -> anyhow::Result<Card> {
    let world = World::load(conn)?;
    let mut filters = Filters {
        ledger: ledger.map(str::to_string),
        ..Filters::default()
    };
    let ledger = world.resolve(&filters)?.ledger();
    let (title, fields, key, removed) = match subject {
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
            (format!("{} {head}", h.id), fields, h.key, h.off_roster())
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
            (format!("{} {name}", m.id), fields, m.key, m.removed)
        }
    };
    let of_member = subject == Subject::Member;
    let kind = i64::from(of_member);
    let title = match removed {
        true => tr_removed(title, lang),
        false => title,
    };
    let ledgers = query::ledgers_holding(conn, kind, key)?;
    let household = (!of_member).then(|| world.household_by_key(key)).flatten();
    let history = history(conn, (kind, key), household, lang, reveal)?;
    let list = query::deliveries_of(conn, of_member, key, ledger)?;
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
        ledgers: ledgers
            .iter()
            .map(|l| mask::text(l, reveal).into_owned())
            .collect(),
        removed,
        history,
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

/// The card's title of a removed record: "H1 张三 (removed)".
fn tr_removed(title: String, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{title} ({})", Label::Removed.text(lang)),
        Lang::Zh => format!("{title}（已{}）", Label::Removed.text(lang)),
    }
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
            record.insert("removed".into(), self.removed.into());
            let history: Vec<Value> = self
                .history
                .iter()
                .map(|c| {
                    json!({
                        "date": c.day.map(|d| d.to_string()),
                        "import": c.import,
                        "field": c.field,
                        "old": c.old,
                        "new": c.new,
                    })
                })
                .collect();
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
                "ledgers": self.ledgers,
                "history": history,
                "pairings": pairings,
                "deliveries": deliveries,
                "totals": self.totals_json,
            }));
        }
        let mut rows: Vec<Vec<Cell>> = self
            .fields
            .iter()
            .map(|(_, label, cell)| vec![Cell::text(*label), cell.clone()])
            .collect();
        if !self.ledgers.is_empty() {
            rows.push(vec![
                Cell::text(Label::Ledger.text(lang)),
                Cell::text(crate::i18n::report::list(&self.ledgers, lang)),
            ]);
        }
        let record = Table {
            columns: vec![
                Column::new("field", Label::Item.text(lang)),
                Column::new("value", Label::Value.text(lang)),
            ],
            rows,
            total: None,
        };
        let mut out = String::new();
        let mut section = |i: usize, title: &str, body: &str| {
            if i > 0 {
                out.push('\n');
            }
            match format {
                Format::Markdown => out.push_str(&format!("### {title}\n\n")),
                Format::Csv => {}
                _ => out.push_str(&format!("{title}\n")),
            }
            out.push_str(body);
        };
        section(0, &self.title, &record.render(format));
        if !self.history.is_empty() {
            let body = match format {
                Format::Csv => self.history_table(lang).render(format),
                Format::Markdown => self
                    .history
                    .iter()
                    .map(|c| format!("- {}\n", c.line(lang)))
                    .collect(),
                _ => self
                    .history
                    .iter()
                    .map(|c| format!("{}\n", c.line(lang)))
                    .collect(),
            };
            section(1, Label::HistoryTitle.text(lang), &body);
        }
        let sections = [
            (Label::PairingsTitle.text(lang).to_string(), &self.pairings),
            (
                Label::DeliveriesList.text(lang).to_string(),
                &self.deliveries,
            ),
            (Label::TotalsByCategory.text(lang).to_string(), &self.totals),
        ];
        for (title, table) in sections {
            section(1, &title, &table.render(format));
        }
        out
    }

    /// The history as a table (for csv): date, import, field, old, new.
    fn history_table(&self, lang: Lang) -> Table {
        Table {
            columns: [
                ("date", Label::Date),
                ("import", Label::Import),
                ("field", Label::Item),
                ("old", Label::Old),
                ("new", Label::New_),
            ]
            .iter()
            .map(|(k, l)| Column::new(*k, l.text(lang)))
            .collect(),
            rows: self
                .history
                .iter()
                .map(|c| {
                    vec![
                        c.day.map_or(Cell::Null, Cell::Date),
                        Cell::Int(c.import),
                        Cell::text(c.label.clone()),
                        Cell::text(c.old.clone()),
                        Cell::text(c.new.clone()),
                    ]
                })
                .collect(),
            total: None,
        }
    }
}
