//! `overdue` and `unpaired`: who has not been visited lately, and which poor
//! households have nobody responsible for them, as of a given day.

use super::group::World;
use super::labels::{Label, Lang};
use super::render::{Cell, Column, Format, Table};
use crate::store::query;
use crate::values::Date;
use rusqlite::Connection;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::{json, Value};

/// One overdue pairing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueRow {
    pub member: u32,
    pub household: u32,
    pub last: Option<Date>,
    pub days_since: Option<i64>,
}

/// Pairings active on `as_of` whose latest delivery on or before that day,
/// by the same member to the same household, is more than `days` old or
/// missing: never-visited first, then the longest since. Lifted households
/// stay in (脱贫不脱帮扶).
pub fn overdue(
    conn: &Connection,
    world: &World,
    as_of: Date,
    days: u32,
) -> rusqlite::Result<Vec<OverdueRow>> {
    let day = as_of.days();
    // The pairs to judge, then their latest delivery, in one scan.
    let mut last: HashMap<(i64, i64), Option<i32>> = HashMap::default();
    let mut order = Vec::new();
    for p in query::pairings(conn)? {
        if p.active_on(day) && !last.contains_key(&(p.member, p.household)) {
            last.insert((p.member, p.household), None);
            order.push((p.member, p.household));
        }
    }
    query::scan_visits(conn, day, |member, household, visited| {
        if let Some(latest) = last.get_mut(&(member, household)) {
            if latest.is_none_or(|l| visited > l) {
                *latest = Some(visited);
            }
        }
    })?;
    let mut rows = Vec::new();
    for (member, household) in order {
        let (Some(m), Some(h)) = (world.member_index(member), world.household_index(household))
        else {
            continue;
        };
        let latest = last.get(&(member, household)).copied().flatten();
        let since = latest.map(|l| i64::from(day) - i64::from(l));
        if since.is_none_or(|s| s > i64::from(days)) {
            rows.push(OverdueRow {
                member: m,
                household: h,
                last: latest.and_then(Date::from_days),
                days_since: since,
            });
        }
    }
    rows.sort_by(|a, b| {
        let visited = |r: &OverdueRow| r.last.is_some();
        visited(a)
            .cmp(&visited(b))
            .then(b.days_since.cmp(&a.days_since))
            .then(a.household.cmp(&b.household))
            .then(a.member.cmp(&b.member))
    });
    Ok(rows)
}

/// The overdue list as a table.
pub fn overdue_table(world: &World, rows: &[OverdueRow], lang: Lang) -> Table {
    let columns = [
        ("member", Label::MemberId),
        ("member_name", Label::MemberName),
        ("unit", Label::Unit),
        ("household", Label::HouseholdId),
        ("head", Label::Head),
        ("last_delivery", Label::LastDelivery),
        ("days_since", Label::DaysSince),
    ]
    .iter()
    .map(|(k, l)| Column::new(*k, l.text(lang)))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let m = world.members.get(r.member as usize);
            let h = world.households.get(r.household as usize);
            vec![
                Cell::text(m.map_or("", |m| m.id.as_str())),
                Cell::text(m.map_or("", |m| m.name.as_str())),
                Cell::text(m.map_or("", |m| m.unit.as_str())),
                Cell::text(h.map_or("", |h| h.id.as_str())),
                Cell::text(h.map_or("", |h| h.head.as_str())),
                match r.last {
                    Some(d) => Cell::text(d.to_string()),
                    None => Cell::text(Label::Never.text(lang)),
                },
                r.days_since.map_or(Cell::Null, Cell::Int),
            ]
        })
        .collect();
    Table {
        columns,
        rows,
        total: None,
    }
}

/// The overdue list in `format` (JSON as SPEC §5).
pub fn render_overdue(
    world: &World,
    rows: &[OverdueRow],
    as_of: Date,
    days: u32,
    lang: Lang,
    format: Format,
) -> String {
    if format != Format::Json {
        return overdue_table(world, rows, lang).render(format);
    }
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let m = world.members.get(r.member as usize);
            let h = world.households.get(r.household as usize);
            json!({
                "member": m.map(|m| m.id.as_str()),
                "member_name": m.map(|m| m.name.as_str()),
                "unit": m.map(|m| m.unit.as_str()),
                "household": h.map(|h| h.id.as_str()),
                "head": h.map(|h| h.head.as_str()),
                "last_delivery": r.last.map(|d| d.to_string()),
                "days_since": r.days_since,
            })
        })
        .collect();
    pretty(&json!({"as_of": as_of.to_string(), "days": days, "rows": rows}))
}

/// Poor households with no pairing active on `as_of`, in id order.
pub fn unpaired(conn: &Connection, world: &World, as_of: Date) -> rusqlite::Result<Vec<u32>> {
    let day = as_of.days();
    let paired: HashSet<i64> = query::pairings(conn)?
        .into_iter()
        .filter(|p| p.active_on(day))
        .map(|p| p.household)
        .collect();
    Ok(world
        .households
        .iter()
        .enumerate()
        .filter(|(_, h)| h.status == 0 && !paired.contains(&h.key))
        .map(|(i, _)| i as u32)
        .collect())
}

/// The unpaired households in `format` (JSON as SPEC §5).
pub fn render_unpaired(world: &World, rows: &[u32], lang: Lang, format: Format) -> String {
    let table = Table {
        columns: [
            ("household", Label::HouseholdId),
            ("head", Label::Head),
            ("township", Label::Township),
            ("village", Label::Village),
        ]
        .iter()
        .map(|(k, l)| Column::new(*k, l.text(lang)))
        .collect(),
        rows: rows
            .iter()
            .filter_map(|&i| world.households.get(i as usize))
            .map(|h| {
                vec![
                    Cell::text(h.id.clone()),
                    Cell::text(h.head.clone()),
                    Cell::text(h.township.clone()),
                    h.village.clone().map_or(Cell::Null, Cell::Text),
                ]
            })
            .collect(),
        total: None,
    };
    match format {
        Format::Json => {
            let rows: Vec<Value> = table.rows.iter().map(|r| table.row_object(r)).collect();
            pretty(&json!({ "rows": rows }))
        }
        other => table.render(other),
    }
}

/// Pretty JSON with a final newline.
pub fn pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
