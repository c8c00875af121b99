//! `overdue` and `unpaired`: who has not been visited lately, and which poor
//! households have nobody responsible for them, as of a given day.

use super::group::{Filters, World};
use super::labels::{Label, Lang};
use super::mask;
use super::render::{Cell, Column, Format, Table};
use crate::store::query;
use crate::store::Db;
use crate::values::{Date, Status};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::{json, Value};

/// One overdue pairing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueRow {
    pub member: u32,
    pub household: u32,
    /// The member's unit on the as-of day.
    pub unit: u32,
    pub last: Option<Date>,
    pub days_since: Option<i64>,
}

/// Pairings active on `as_of` whose latest delivery on or before that day,
/// by the same member to the same household, is more than `days` old or
/// missing: never-visited first, then the longest since. Lifted households
/// stay in (脱贫不脱帮扶); households and members off the roster that day
/// do not. Only the pairings of the households and members `filters`
/// select as they were that day, and of `--ledger`'s ledger (its dates and
/// category do not apply).
pub fn overdue(
    conn: Db<'_>,
    world: &World,
    as_of: Date,
    days: u32,
    filters: &Filters,
) -> anyhow::Result<Vec<OverdueRow>> {
    let (_, rows) = overdue_loading(conn, as_of, days, || Ok(world))?;
    select(conn, world, rows, filters, as_of)
}

/// [`overdue`], loading the names of households and members while the
/// deliveries are read (on a large database, the two take about as long).
pub fn load_and_overdue(
    conn: Db<'_>,
    as_of: Date,
    days: u32,
    filters: &Filters,
) -> anyhow::Result<(World, Vec<OverdueRow>)> {
    let (world, rows) = overdue_loading(conn, as_of, days, || World::load(conn))?;
    let rows = select(conn, &world, rows, filters, as_of)?;
    Ok((world, rows))
}

/// The rows of the households and members `filters` select as they were
/// on `as_of`, and of the pairings `--ledger`'s ledger holds.
fn select(
    conn: Db<'_>,
    world: &World,
    mut rows: Vec<OverdueRow>,
    filters: &Filters,
    as_of: Date,
) -> anyhow::Result<Vec<OverdueRow>> {
    let f = world.resolve(filters)?;
    let day = as_of.days();
    rows.retain(|r| f.household_ok(world, r.household, day) && f.member_ok(world, r.member, day));
    if let Some(ledger) = f.ledger() {
        let held: HashSet<(u32, u32)> = query::pairings_held(conn, Some(ledger))?
            .into_iter()
            .filter(|p| p.active_on(day))
            .filter_map(|p| {
                Some((
                    world.member_index(p.member)?,
                    world.household_index(p.household)?,
                ))
            })
            .collect();
        rows.retain(|r| held.contains(&(r.member, r.household)));
    }
    Ok(rows)
}

fn overdue_loading<W: std::borrow::Borrow<World>>(
    conn: Db<'_>,
    as_of: Date,
    days: u32,
    load: impl FnOnce() -> crate::store::sql::Result<W>,
) -> crate::store::sql::Result<(W, Vec<OverdueRow>)> {
    let day = as_of.days();
    // The pairs to judge, then their latest delivery, in one scan.
    let pairs = Pairs::new(
        query::pairings(conn)?
            .into_iter()
            .filter(|p| p.active_on(day))
            .map(|p| (p.member, p.household)),
    );
    // The latest day of each pair; i32::MIN for none (no day is that early).
    let (parts, world) = query::scan_visits(
        conn,
        day,
        || vec![i32::MIN; pairs.len()],
        |last, member, household, visited| {
            if let Some(latest) = pairs.slot(member, household).and_then(|i| last.get_mut(i)) {
                *latest = (*latest).max(visited);
            }
        },
        load,
    )?;
    let world = world?;
    let mut last = vec![i32::MIN; pairs.len()];
    for part in parts {
        for (latest, seen) in last.iter_mut().zip(part) {
            *latest = (*latest).max(seen);
        }
    }
    let mut rows = Vec::new();
    let w: &World = world.borrow();
    for ((member, household), &latest) in pairs.iter().zip(&last) {
        let latest = (latest != i32::MIN).then_some(latest);
        let (Some(m), Some(h)) = (w.member_index(member), w.household_index(household)) else {
            continue;
        };
        // Off the roster that day: no visit is due (contract §2, §8).
        let (Some(household), Some(member)) = (w.household_on(h, day), w.member_on(m, day)) else {
            continue;
        };
        if household.off_roster() || member.removed {
            continue;
        }
        let since = latest.map(|l| i64::from(day) - i64::from(l));
        if since.is_none_or(|s| s > i64::from(days)) {
            rows.push(OverdueRow {
                member: m,
                household: h,
                unit: member.unit,
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
    Ok((world, rows))
}

/// Distinct (member, household) pairs, sorted, and where each member's
/// pairs start: finding a delivery's pair in a million-row scan is then an
/// array read and a short binary search, not a hash of the pair. Kept
/// small (4 bytes a household) so that it stays in the processor's cache.
struct Pairs {
    members: Vec<i64>,
    /// The households of the pairs, in the order of `members`' ranges.
    households: Vec<i64>,
    ranges: Ranges,
}

/// By member key: the range of that member's pairs.
enum Ranges {
    /// Member keys are SQLite's row ids, dense from 1: indexed directly.
    Dense(Vec<(u32, u32)>),
    /// Unless someone gave members huge keys by hand.
    Sparse(HashMap<i64, (u32, u32)>),
}

impl Pairs {
    fn new(pairs: impl Iterator<Item = (i64, i64)>) -> Pairs {
        let mut pairs: Vec<(i64, i64)> = pairs.collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut ranges: HashMap<i64, (u32, u32)> = HashMap::default();
        for (i, &(member, _)) in pairs.iter().enumerate() {
            let i = i as u32;
            ranges.entry(member).or_insert((i, i)).1 = i + 1;
        }
        let households = pairs.iter().map(|&(_, h)| h).collect();
        let members = pairs.iter().map(|&(m, _)| m).collect();
        let max = ranges.keys().copied().max().unwrap_or(0);
        let dense_len = usize::try_from(max).ok().map(|m| m + 1);
        let ranges = match dense_len {
            Some(len) if len <= 4 * pairs.len() + 1024 => {
                let mut dense = vec![(0, 0); len];
                for (member, range) in ranges {
                    if let Some(slot) = usize::try_from(member).ok().and_then(|m| dense.get_mut(m))
                    {
                        *slot = range;
                    }
                }
                Ranges::Dense(dense)
            }
            _ => Ranges::Sparse(ranges),
        };
        Pairs {
            members,
            households,
            ranges,
        }
    }

    fn len(&self) -> usize {
        self.households.len()
    }

    fn iter(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.members
            .iter()
            .copied()
            .zip(self.households.iter().copied())
    }

    /// The index of the pair (member, household), if it is one.
    fn slot(&self, member: i64, household: i64) -> Option<usize> {
        let (start, end) = match &self.ranges {
            Ranges::Dense(dense) => *dense.get(usize::try_from(member).ok()?)?,
            Ranges::Sparse(sparse) => *sparse.get(&member)?,
        };
        let (start, end) = (start as usize, end as usize);
        let of_member = self.households.get(start..end)?;
        of_member.binary_search(&household).ok().map(|i| start + i)
    }
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
                Cell::text(world.unit_name(r.unit)),
                Cell::text(h.map_or("", |h| h.id.as_str())),
                Cell::text(h.map_or("", |h| h.head.as_str())),
                match r.last {
                    Some(d) => Cell::Date(d),
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

/// The overdue list in `format` (JSON as contract §5).
pub fn render_overdue(
    world: &World,
    rows: &[OverdueRow],
    as_of: Date,
    days: u32,
    lang: Lang,
    format: Format,
    reveal: bool,
) -> String {
    if format != Format::Json {
        let mut table = overdue_table(world, rows, lang);
        mask::table(&mut table, reveal);
        return table.render(format);
    }
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let m = world.members.get(r.member as usize);
            let h = world.households.get(r.household as usize);
            json!({
                "member": m.map(|m| m.id.as_str()),
                "member_name": m.map(|m| m.name.as_str()),
                "unit": m.map(|_| world.unit_name(r.unit)),
                "household": h.map(|h| h.id.as_str()),
                "head": h.map(|h| h.head.as_str()),
                "last_delivery": r.last.map(|d| d.to_string()),
                "days_since": r.days_since,
            })
        })
        .collect();
    let mut json = json!({"as_of": as_of.to_string(), "days": days, "rows": rows});
    mask::json(&mut json, reveal);
    pretty(&json)
}

/// Households poor on `as_of` (and on the roster) with no pairing active
/// on that day, in id order; only those `filters` select as they were that
/// day, and that `--ledger`'s ledger holds.
pub fn unpaired(
    conn: Db<'_>,
    world: &World,
    as_of: Date,
    filters: &Filters,
) -> anyhow::Result<Vec<u32>> {
    let mut f = world.resolve(filters)?;
    f.load_holds(conn)?;
    let day = as_of.days();
    let paired: HashSet<i64> = query::pairings(conn)?
        .into_iter()
        .filter(|p| world.pairing_holds(p, day))
        .map(|p| p.household)
        .collect();
    Ok(world
        .households
        .iter()
        .enumerate()
        .filter(|(_, h)| !paired.contains(&h.key))
        .map(|(i, _)| i as u32)
        .filter(|&i| {
            world
                .household_on(i, day)
                .is_some_and(|s| s.status() == Status::Poor && !s.off_roster())
        })
        .filter(|&i| f.household_ok(world, i, day) && f.household_held(world, i))
        .collect())
}

/// The unpaired households in `format` (JSON as contract §5).
pub fn render_unpaired(
    world: &World,
    rows: &[u32],
    as_of: Date,
    lang: Lang,
    format: Format,
    reveal: bool,
) -> String {
    let mut table = Table {
        columns: [
            ("household", Label::HouseholdId),
            ("head", Label::Head),
            ("township", Label::Township),
            ("village", Label::Village),
        ]
        .iter()
        .map(|(k, l)| Column::new(*k, l.text(lang)))
        .collect(),
        // Where each household was on the day.
        rows: rows
            .iter()
            .filter_map(|&i| {
                Some((
                    world.households.get(i as usize)?,
                    world.household_on(i, as_of.days())?,
                ))
            })
            .map(|(h, s)| {
                let village = world.village_name(s.village);
                vec![
                    Cell::text(h.id.clone()),
                    Cell::text(h.head.clone()),
                    Cell::text(world.township_name(s.township)),
                    if village.is_empty() {
                        Cell::Null
                    } else {
                        Cell::text(village)
                    },
                ]
            })
            .collect(),
        total: None,
    };
    mask::table(&mut table, reveal);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(pairs: &Pairs, asked: &[(i64, i64)]) -> Vec<Option<(i64, i64)>> {
        let all: Vec<(i64, i64)> = pairs.iter().collect();
        asked
            .iter()
            .map(|&(m, h)| pairs.slot(m, h).map(|i| all[i]))
            .collect()
    }

    #[test]
    fn finds_each_pair_once_and_nothing_else() {
        let given = [(2, 7), (1, 5), (2, 3), (1, 5), (9, 1)];
        let pairs = Pairs::new(given.into_iter());
        assert!(matches!(pairs.ranges, Ranges::Dense(_)));
        assert_eq!(pairs.len(), 4, "the repeated pair counts once");
        let asked = [
            (1, 5),
            (2, 3),
            (2, 7),
            (9, 1),
            (1, 7),
            (3, 3),
            (0, 0),
            (-4, 1),
            (99, 1),
        ];
        assert_eq!(
            slots(&pairs, &asked),
            vec![
                Some((1, 5)),
                Some((2, 3)),
                Some((2, 7)),
                Some((9, 1)),
                None,
                None,
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn members_with_huge_keys_are_found_without_a_huge_array() {
        let pairs = Pairs::new([(1, 2), (i64::MAX, 3), (1 << 40, 4)].into_iter());
        assert!(matches!(pairs.ranges, Ranges::Sparse(_)));
        assert_eq!(
            slots(&pairs, &[(i64::MAX, 3), (1 << 40, 4), (1, 2), (1, 3)]),
            vec![Some((i64::MAX, 3)), Some((1 << 40, 4)), Some((1, 2)), None]
        );
    }
}
