//! `check`: findings across records that a clerk should look at — visits by
//! someone not paired with the household that day, pairings nobody has acted
//! on, members with nobody to help, deliveries entered twice.

use super::group::{Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::overdue::pretty;
use super::render::{Cell, Column, Format, Table};
use crate::store::query::{self, DeliveryFacts};
use crate::store::Db;
use crate::values::{Category, Date, Fen};
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};

/// The kinds of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DeliveryOutsidePairing,
    PairingWithoutDelivery,
    MemberWithoutHousehold,
    RepeatedDelivery,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::DeliveryOutsidePairing => "delivery_outside_pairing",
            Kind::PairingWithoutDelivery => "pairing_without_delivery",
            Kind::MemberWithoutHousehold => "member_without_household",
            Kind::RepeatedDelivery => "repeated_delivery",
        }
    }

    fn label(self) -> Label {
        match self {
            Kind::DeliveryOutsidePairing => Label::DeliveryOutsidePairing,
            Kind::PairingWithoutDelivery => Label::PairingWithoutDelivery,
            Kind::MemberWithoutHousehold => Label::MemberWithoutHousehold,
            Kind::RepeatedDelivery => Label::RepeatedDelivery,
        }
    }
}

/// One finding, naming its records by index into the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub member: Option<u32>,
    pub household: Option<u32>,
    /// The delivery's day, or the pairing's start.
    pub date: Option<Date>,
    /// A repeated delivery's values, and how many times it was entered.
    pub repeated: Option<Repeated>,
}

/// What a finding of [`Kind::RepeatedDelivery`] names besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// The ledger that holds it more than once.
    pub ledger: String,
    pub category: Option<Category>,
    /// Goods and cash together.
    pub amount: Fen,
    pub times: u32,
}

/// Every finding among the records and deliveries `filters` select,
/// grouped by kind: deliveries of the period outside a pairing, pairings
/// of the period without a delivery in it, (unless households are
/// filtered) members without a pairing, and deliveries one ledger holds
/// twice. Deliveries are read in one scan, each with its records as they
/// were on its day; pairings and members are filtered as they are `today`.
pub fn findings(
    conn: Db<'_>,
    world: &World,
    filters: &Filters,
    today: Date,
) -> anyhow::Result<Vec<Finding>> {
    let mut f = world.resolve(filters)?;
    f.load_holds(conn)?;
    let today = today.days();
    // Whether a delivery is covered is judged against every pairing; the
    // filters (and --ledger) choose which pairings are listed.
    let pairings = query::pairings(conn)?;
    let held: Option<rustc_hash::FxHashSet<(i64, i64, Option<i32>)>> = f
        .ledger()
        .map(|l| query::pairings_held(conn, Some(l)))
        .transpose()?
        .map(|ps| {
            ps.iter()
                .map(|p| (p.member, p.household, p.since))
                .collect()
        });
    let listed: Vec<bool> = pairings
        .iter()
        .map(|p| {
            f.records_ok(world, p.member, p.household, today)
                && f.period_overlaps(p.since, p.until)
                // A member off the roster (注销) has no visit due.
                && (world.member_index(p.member))
                    .and_then(|m| world.member_on(m, today))
                    .is_some_and(|s| !s.removed)
                && held
                    .as_ref()
                    .is_none_or(|h| h.contains(&(p.member, p.household, p.since)))
        })
        .collect();
    let mut by_pair: HashMap<(i64, i64), Vec<usize>> = HashMap::default();
    for (i, p) in pairings.iter().enumerate() {
        by_pair.entry((p.member, p.household)).or_default().push(i);
    }
    let mut visited = vec![false; pairings.len()];
    let mut outside = Vec::new();
    // The scan selects the dates, category, member and household: every
    // delivery marks the pairings it falls in; those of --ledger's ledger
    // (a second scan, with one) are listed when they fall in none.
    let ledger = f.ledger();
    let all = query::Scan {
        ledger: None,
        ..f.scan(world)
    };
    // A delivery marks its pairing visited whatever township, village or
    // unit it counts toward (a household that moved since was visited all
    // the same: `overdue` and `show` give that visit); it is listed
    // outside a pairing only when the filters select it.
    let mut visit = |d: DeliveryFacts, list: bool, mark: bool| {
        let list = list && f.records_ok(world, d.member, d.household, d.day);
        if !list && !mark {
            return;
        }
        let mut covered = false;
        for &i in by_pair
            .get(&(d.member, d.household))
            .map_or(&[][..], Vec::as_slice)
        {
            if pairings.get(i).is_some_and(|p| p.active_on(d.day)) {
                covered = true;
                if let Some(v) = visited.get_mut(i).filter(|_| mark) {
                    *v = true;
                }
            }
        }
        if !covered && list {
            outside.push(d);
        }
    };
    query::scan_deliveries(conn, &all, |d| visit(d, ledger.is_none(), true))?;
    if ledger.is_some() {
        query::scan_deliveries(conn, &f.scan(world), |d| visit(d, true, false))?;
    }
    outside.sort_by_key(|d| (d.day, d.member, d.household));
    let mut out = Vec::new();
    for d in outside {
        out.push(Finding {
            kind: Kind::DeliveryOutsidePairing,
            member: world.member_index(d.member),
            household: world.household_index(d.household),
            date: Date::from_days(d.day),
            repeated: None,
        });
    }
    for ((p, seen), listed) in pairings.iter().zip(&visited).zip(&listed) {
        if !seen && *listed {
            out.push(Finding {
                kind: Kind::PairingWithoutDelivery,
                member: world.member_index(p.member),
                household: world.household_index(p.household),
                date: p.since.and_then(Date::from_days),
                repeated: None,
            });
        }
    }
    let members = query::members_without_households(conn)?;
    let members = members.into_iter().filter(|&m| {
        !f.on_households()
            && world
                .member_index(m)
                .is_none_or(|i| f.member_ok(world, i, today) && f.member_held(world, i))
    });
    for m in members {
        out.push(Finding {
            kind: Kind::MemberWithoutHousehold,
            member: world.member_index(m),
            household: None,
            date: None,
            repeated: None,
        });
    }
    for (ledger, d, times) in query::repeated_deliveries(conn, &f.scan(world))? {
        if !f.records_ok(world, d.member, d.household, d.day) {
            continue;
        }
        out.push(Finding {
            kind: Kind::RepeatedDelivery,
            member: world.member_index(d.member),
            household: world.household_index(d.household),
            date: Date::from_days(d.day),
            repeated: Some(Repeated {
                ledger,
                category: Category::from_index(d.category),
                amount: super::group::add_money(Fen(d.goods), Fen(d.cash))?,
                times,
            }),
        });
    }
    Ok(out)
}

/// The findings in `format`, ID and phone numbers in names masked unless
/// `reveal`.
pub fn render(
    world: &World,
    findings: &[Finding],
    lang: Lang,
    format: Format,
    reveal: bool,
) -> String {
    let member = |f: &Finding| f.member.and_then(|i| world.members.get(i as usize));
    let household = |f: &Finding| f.household.and_then(|i| world.households.get(i as usize));
    if findings.is_empty() && format == Format::Table {
        return format!("{}\n", Label::NoFindings.text(lang));
    }
    if format == Format::Json {
        let rows: Vec<Value> = findings
            .iter()
            .map(|f| {
                let mut row = json!({
                    "finding": f.kind.key(),
                    "member": member(f).map(|m| m.id.as_str()),
                    "member_name": member(f).map(|m| m.name.as_str()),
                    "household": household(f).map(|h| h.id.as_str()),
                    "head": household(f).map(|h| h.head.as_str()),
                    "date": f.date.map(|d| d.to_string()),
                });
                if let (Some(r), Some(row)) = (&f.repeated, row.as_object_mut()) {
                    row.insert("ledger".into(), json!(r.ledger));
                    row.insert("category".into(), json!(r.category.map(Category::key)));
                    row.insert("amount".into(), json!(r.amount.yuan_string()));
                    row.insert("times".into(), json!(r.times));
                }
                row
            })
            .collect();
        let mut json = json!({ "findings": rows });
        mask::json(&mut json, reveal);
        return pretty(&json);
    }
    // A repeated delivery's values have columns of their own, shown only
    // when there is one.
    let repeats = findings.iter().any(|f| f.repeated.is_some());
    let mut columns = vec![
        ("finding", Label::Finding),
        ("member", Label::MemberId),
        ("member_name", Label::MemberName),
        ("household", Label::HouseholdId),
        ("head", Label::Head),
        ("date", Label::Date),
    ];
    if repeats {
        columns.extend([
            ("ledger", Label::Ledger),
            ("category", Label::Category),
            ("total", Label::Total),
            ("times", Label::Times),
        ]);
    }
    let mut table = Table {
        columns: columns
            .iter()
            .map(|(k, l)| Column::new(*k, l.text(lang)))
            .collect(),
        rows: findings
            .iter()
            .map(|f| {
                let text = |s: Option<&str>| s.map_or(Cell::Null, Cell::text);
                let mut row = vec![
                    Cell::text(f.kind.label().text(lang)),
                    text(member(f).map(|m| m.id.as_str())),
                    text(member(f).map(|m| m.name.as_str())),
                    text(household(f).map(|h| h.id.as_str())),
                    text(household(f).map(|h| h.head.as_str())),
                    f.date.map_or(Cell::Null, |d| Cell::text(d.to_string())),
                ];
                if repeats {
                    let r = f.repeated.as_ref();
                    row.extend([
                        text(r.map(|r| r.ledger.as_str())),
                        text(r.map(|r| {
                            r.category.map_or("?", |c| match lang {
                                Lang::En => c.key(),
                                Lang::Zh => c.zh(),
                            })
                        })),
                        r.map_or(Cell::Null, |r| Cell::Money(r.amount)),
                        r.map_or(Cell::Null, |r| Cell::Int(i64::from(r.times))),
                    ]);
                }
                row
            })
            .collect(),
        total: None,
    };
    mask::table(&mut table, reveal);
    table.render(format)
}
