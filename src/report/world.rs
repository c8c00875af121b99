//! The households and members a report reads, loaded once into vectors
//! with the values of their text dimensions interned and ranked in pinyin
//! order, so that a dimension of a household or member costs an index, not
//! a join; their dated fields as of any day ([`super::dated`]); the
//! ledgers; and the records a command-line reference names (contract §3.2).

use super::dated::{Dated, Row, Timeline};
use crate::problem::UsageError;
use crate::store::lookup::{self, Named, RefKind};
use crate::store::query::{self, Change, HouseholdInfo, MemberInfo, PairingFacts, Stored};
use crate::store::Db;
use crate::values::Status;
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;

const NOWHERE: u32 = u32::MAX;

/// A vector from database key to position.
fn positions(keys: impl Iterator<Item = i64>) -> Vec<u32> {
    let mut at = Vec::new();
    for (i, key) in keys.enumerate() {
        let Ok(k) = usize::try_from(key) else {
            continue;
        };
        if k >= at.len() {
            at.resize(k + 1, NOWHERE);
        }
        at[k] = i as u32;
    }
    at
}

fn position(at: &[u32], key: i64) -> Option<u32> {
    usize::try_from(key)
        .ok()
        .and_then(|k| at.get(k).copied())
        .filter(|&p| p != NOWHERE)
}

/// Strings of one text dimension, each stored once, with their place in
/// pinyin order ([`super::collate`]).
#[derive(Debug, Default)]
pub(super) struct Interner {
    pub(super) names: Vec<String>,
    pub(super) ids: HashMap<String, u32>,
    /// By id: the name's position among all names in pinyin order.
    rank: Vec<u32>,
}

impl Interner {
    pub(super) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub(super) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// Rank the names once they are all in: reports then order by an
    /// integer, not by comparing strings.
    pub(super) fn rank(&mut self) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| super::collate::compare(self.name(a), self.name(b)));
        self.rank = vec![0; order.len()];
        for (rank, id) in order.into_iter().enumerate() {
            if let Some(slot) = self.rank.get_mut(id as usize) {
                *slot = rank as u32;
            }
        }
    }

    pub(super) fn compare(&self, a: u32, b: u32) -> Ordering {
        let rank = |id: u32| self.rank.get(id as usize).copied().unwrap_or(u32::MAX);
        rank(a).cmp(&rank(b))
    }
}

/// A household's dated fields on one day (names as interner ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HouseholdState {
    pub(super) township: u32,
    pub(super) village: u32,
    /// (township, village): the value of `Dim::Village`.
    pub(super) place: u32,
    /// [`Status::index`].
    pub(super) status: u8,
    pub(super) removed: bool,
}

impl HouseholdState {
    pub fn status(&self) -> Status {
        Status::from_index(self.status).unwrap_or(Status::Poor)
    }

    /// Off the roster that day (销户: by its status, or no ledger held it).
    pub fn off_roster(&self) -> bool {
        self.removed || self.status() == Status::Removed
    }
}

/// A member's dated fields on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberState {
    pub(super) unit: u32,
    pub removed: bool,
}

/// The dated fields of households and members, as history names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Township,
    Village,
    Status,
    Removed,
    Unit,
}

impl Field {
    fn of(kind: i64, name: &str) -> Option<Field> {
        Some(match (kind, name) {
            (0, "township") => Field::Township,
            (0, "village") => Field::Village,
            (0, "status") => Field::Status,
            (0 | 1, "removed") => Field::Removed,
            (1, "unit") => Field::Unit,
            _ => return None,
        })
    }
}

/// A status as history keeps it: its number, or (written by hand) a word.
fn status_value(v: &Stored) -> u32 {
    let status = match v {
        Stored::Int(n) => u8::try_from(*n).ok().and_then(Status::from_index),
        Stored::Text(t) => Status::parse(t).ok(),
        Stored::Null => None,
    };
    u32::from(status.unwrap_or(Status::Poor).index())
}

/// Whether a `removed` value is set: 1 (or any number but 0).
fn flag_value(v: &Stored) -> u32 {
    let set = match v {
        Stored::Int(n) => *n != 0,
        Stored::Text(t) => t.trim().parse::<i64>().is_ok_and(|n| n != 0),
        Stored::Null => false,
    };
    u32::from(set)
}

/// A household's history as its status is dated (contract §8: lifted
/// from its `lifted_on` date): where it is lifted now and has a lifted_on,
/// its last change to lifted (by import) holds from that day. The import
/// that lifted it dated the change by the lifted_on it had then; a later
/// correction of lifted_on alone changes no status, and without this the
/// reports went on dating the status by the old day (review 4, F4). Undo
/// of the correction puts lifted_on back, and the dating with it.
/// `changes` are the household's own.
pub fn dated_as_lifted(changes: &mut [Change], household: &HouseholdInfo) {
    let (Status::Lifted, Some(day)) = (household.status(), household.lifted_on) else {
        return;
    };
    let lifted = u32::from(Status::Lifted.index());
    let status = |c: &Change| c.kind == 0 && c.field == "status";
    let Some(last) = (changes.iter())
        .filter(|c| status(c) && status_value(&c.new) == lifted)
        .map(|c| c.command)
        .max()
    else {
        return;
    };
    // Never before an earlier change of status: lifted in 2022, back in
    // poverty (返贫) in 2023 with the old lifted_on kept, lifted again in
    // 2024 — dated 2022, the 2024 change would fall before the 2023 one,
    // and the household read as poor today.
    let earlier = (changes.iter())
        .filter(|c| status(c) && c.command < last)
        .map(|c| c.day)
        .max();
    if earlier.is_some_and(|e| e >= day) {
        return;
    }
    if let Some(change) = changes.iter_mut().find(|c| status(c) && c.command == last) {
        change.day = day;
    }
}

/// A household whose first status was lifted, with a lifted_on, was poor
/// until that day (contract §8: a status holds from its lifted_on date),
/// as one first imported poor and lifted later by a file with that
/// lifted_on is: without a change, its first value, lifted, held on every
/// earlier day, and the same sheets gave other figures by the order they
/// came in (review 6, attacker 8) — also once it went back to poverty
/// (返贫) since (the attacker on the fixes, 7). The lifted_on it had first
/// is the old value of its first change of lifted_on, else its own. The
/// change is the reports' own (import 0, before any import on that day),
/// not a row of the history; none where the first change of status comes
/// on or before that day. `changes` are grouped by record, households
/// first, and stay so.
fn lifted_since_first(changes: &mut Vec<Change>, households: &[HouseholdInfo]) {
    let lifted = i64::from(Status::Lifted.index());
    let poor = i64::from(Status::Poor.index());
    // Per household: its first change of status (import, day, old value)
    // and of lifted_on (import, old value).
    let mut status: HashMap<i64, (i64, i32, u32)> = HashMap::default();
    let mut lifted_on: HashMap<i64, (i64, Option<i32>)> = HashMap::default();
    for c in changes.iter().filter(|c| c.kind == 0) {
        let earlier = |first: Option<i64>| first.is_none_or(|f| c.command < f);
        if c.field == "status" && earlier(status.get(&c.record).map(|s| s.0)) {
            status.insert(c.record, (c.command, c.day, status_value(&c.old)));
        } else if c.field == "lifted_on" && earlier(lifted_on.get(&c.record).map(|s| s.0)) {
            let day = match &c.old {
                Stored::Int(n) => i32::try_from(*n).ok(),
                Stored::Text(t) => t.trim().parse().ok(),
                Stored::Null => None,
            };
            lifted_on.insert(c.record, (c.command, day));
        }
    }
    let first_lifted = households.iter().filter_map(|h| {
        let (first, until) = match status.get(&h.key) {
            None => (u32::from(h.status().index()), None),
            Some(&(_, day, old)) => (old, Some(day)),
        };
        let day = match lifted_on.get(&h.key) {
            Some(&(_, first)) => first,
            None => h.lifted_on,
        };
        let day = day.filter(|&d| until.is_none_or(|u| d < u))?;
        (i64::from(first) == lifted).then(|| Change {
            kind: 0,
            record: h.key,
            field: "status".to_string(),
            command: 0,
            day,
            old: Stored::Int(poor),
            new: Stored::Int(lifted),
        })
    });
    let first_lifted: Vec<Change> = first_lifted.collect();
    if !first_lifted.is_empty() {
        changes.extend(first_lifted);
        changes.sort_by_key(|c| (c.kind, c.record));
    }
}

/// A record's changes of status hold in the order their imports made
/// them: a change dated before an earlier import's change of status (lifted
/// again after 返贫 by a sheet that still gives the first 脱贫日期) holds
/// from that earlier change's day, not before it, where it would be undone
/// by it and the household read as poor today (the second attacker on the
/// review-6 fixes, 3). `rows` are one record's.
fn in_import_order(rows: &mut [Change]) {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            rows.get(i)
                .is_some_and(|c| c.kind == 0 && c.field == "status")
        })
        .collect();
    order.sort_by_key(|&i| rows.get(i).map(|c| c.command));
    let mut latest = i32::MIN;
    for i in order {
        if let Some(c) = rows.get_mut(i) {
            c.day = c.day.max(latest);
            latest = c.day;
        }
    }
}

/// Households and members, loaded once, with their dimension values.
pub struct World {
    pub households: Vec<HouseholdInfo>,
    pub members: Vec<MemberInfo>,
    /// Position in `households` / `members` by database key (keys are
    /// small dense integers, so a vector beats a hash map in the scan).
    pub(super) household_at: Vec<u32>,
    pub(super) member_at: Vec<u32>,
    pub(super) townships: Interner,
    /// Village names, for `--village` (one name in every township).
    pub(super) villages: Interner,
    /// Villages as (township, village name): the values of `Dim::Village`.
    pub(super) places: Vec<(u32, u32)>,
    pub(super) causes: Interner,
    pub(super) units: Interner,
    pub(super) household_cause: Vec<u32>,
    /// Township, village, status, removal: today's, and by day.
    pub(super) household_states: Dated<HouseholdState>,
    /// Unit and removal: today's, and by day.
    pub(super) member_states: Dated<MemberState>,
    /// Ledger names, for `--ledger`, and their keys by interner id.
    pub(super) ledgers: Interner,
    pub(super) ledger_keys: Vec<i64>,
    /// The township a server's login is held to, whose households alone
    /// it reads ([`crate::store::lookup::Named::township`]).
    township: Option<String>,
}

impl World {
    pub fn load(conn: Db<'_>) -> crate::store::sql::Result<World> {
        let households = query::households(conn)?;
        let members = query::members(conn)?;
        let mut changes = query::dated_history(conn)?;
        let mut world = World {
            household_at: positions(households.iter().map(|h| h.key)),
            member_at: positions(members.iter().map(|m| m.key)),
            townships: Interner::default(),
            villages: Interner::default(),
            places: Vec::new(),
            causes: Interner::default(),
            units: Interner::default(),
            household_cause: Vec::with_capacity(households.len()),
            household_states: Dated::default(),
            member_states: Dated::default(),
            ledgers: Interner::default(),
            ledger_keys: Vec::new(),
            township: query::login_township(conn)?,
            households,
            members,
        };
        let mut now = Vec::with_capacity(world.households.len());
        for h in &world.households {
            now.push(HouseholdState {
                township: world.townships.id(&h.township),
                village: world.villages.id(h.village.as_deref().unwrap_or("")),
                place: 0,
                status: h.status,
                removed: h.removed,
            });
            world
                .household_cause
                .push(world.causes.id(h.cause.as_deref().unwrap_or("")));
        }
        world.household_states = Dated::new(now);
        lifted_since_first(&mut changes, &world.households);
        for rows in changes.chunk_by_mut(|a, b| (a.kind, a.record) == (b.kind, b.record)) {
            let Some(first) = rows.first().filter(|c| c.kind == 0) else {
                continue;
            };
            let household = (world.household_index(first.record))
                .and_then(|h| world.households.get(h as usize));
            if let Some(household) = household {
                dated_as_lifted(rows, household);
            }
            in_import_order(rows);
        }
        let now = world
            .members
            .iter()
            .map(|m| MemberState {
                unit: world.units.id(&m.unit),
                removed: m.removed,
            })
            .collect();
        world.member_states = Dated::new(now);
        world.add_history(&changes);
        // Every (township, village) a household ever had is a place.
        let mut place_ids: HashMap<(u32, u32), u32> = HashMap::default();
        for state in world.household_states.all_mut() {
            let next = world.places.len() as u32;
            let place = *place_ids
                .entry((state.township, state.village))
                .or_insert(next);
            if place == next {
                world.places.push((state.township, state.village));
            }
            state.place = place;
        }
        for (key, name) in query::ledgers(conn)? {
            world.ledgers.id(&name);
            world.ledger_keys.push(key);
        }
        for interner in [
            &mut world.townships,
            &mut world.villages,
            &mut world.causes,
            &mut world.units,
        ] {
            interner.rank();
        }
        Ok(world)
    }

    /// Give each record with history of its dated fields its timeline
    /// (`changes` sorted by kind and record).
    fn add_history(&mut self, changes: &[Change]) {
        for rows in changes.chunk_by(|a, b| (a.kind, a.record) == (b.kind, b.record)) {
            let Some(first) = rows.first() else { continue };
            let mut value = |field: Field, v: &Stored| match field {
                Field::Township => self.townships.id(&v.text().unwrap_or_default()),
                Field::Village => self.villages.id(&v.text().unwrap_or_default()),
                Field::Unit => self.units.id(&v.text().unwrap_or_default()),
                Field::Status => status_value(v),
                Field::Removed => flag_value(v),
            };
            let rows: Vec<Row<Field>> = rows
                .iter()
                .filter_map(|c| {
                    let field = Field::of(c.kind, &c.field)?;
                    Some(Row {
                        day: c.day,
                        command: c.command,
                        field,
                        old: value(field, &c.old),
                        new: value(field, &c.new),
                    })
                })
                .collect();
            if first.kind == 0 {
                let Some(h) = self.household_index(first.record) else {
                    continue;
                };
                let Some(now) = self.household_states.now(h) else {
                    continue;
                };
                let timeline = Timeline::build(now, rows, |s, f, v| match f {
                    Field::Township => s.township = v,
                    Field::Village => s.village = v,
                    Field::Status => s.status = u8::try_from(v).unwrap_or(0),
                    Field::Removed => s.removed = v != 0,
                    Field::Unit => {}
                });
                self.household_states.set_timeline(h, timeline);
            } else {
                let Some(m) = self.member_index(first.record) else {
                    continue;
                };
                let Some(now) = self.member_states.now(m) else {
                    continue;
                };
                let timeline = Timeline::build(now, rows, |s, f, v| match f {
                    Field::Unit => s.unit = v,
                    Field::Removed => s.removed = v != 0,
                    _ => {}
                });
                self.member_states.set_timeline(m, timeline);
            }
        }
    }

    /// The dated fields of the household at index `h` on `day`.
    pub fn household_on(&self, h: u32, day: i32) -> Option<HouseholdState> {
        self.household_states.on(h, day)
    }

    /// The dated fields of the member at index `m` on `day`.
    pub fn member_on(&self, m: u32, day: i32) -> Option<MemberState> {
        self.member_states.on(m, day)
    }

    /// Whether `pairing` holds on `day`: active that day (contract §2),
    /// and its member still on the roster. A member `--replace` took off
    /// the roster (注销) helps no household any more, so the households
    /// whose only pairing is theirs are unpaired again, in `summary` and
    /// `unpaired` as in `overdue` (review 6).
    pub fn pairing_holds(&self, pairing: &PairingFacts, day: i32) -> bool {
        pairing.active_on(day)
            && self
                .member_index(pairing.member)
                .and_then(|m| self.member_on(m, day))
                .is_some_and(|s| !s.removed)
    }

    /// A township's name by its id in a state.
    pub fn township_name(&self, id: u32) -> &str {
        self.townships.name(id)
    }

    /// A village's name by its id in a state ("" for none).
    pub fn village_name(&self, id: u32) -> &str {
        self.villages.name(id)
    }

    /// A unit's name by its id in a state.
    pub fn unit_name(&self, id: u32) -> &str {
        self.units.name(id)
    }

    /// The names of the ledgers, in pinyin order.
    pub fn ledger_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.ledgers.names.iter().map(String::as_str).collect();
        names.sort_by(|a, b| super::collate::compare(a, b));
        names
    }

    /// A household by id, else by its one head (contract §3.2).
    pub fn find_household(&self, reference: &str) -> Result<&HouseholdInfo, UsageError> {
        find(
            &self.households,
            reference,
            RefKind::Household,
            |h| &h.id,
            |h| &h.head,
            self.township.as_deref(),
        )
    }

    /// A member by id, else by their one name.
    pub fn find_member(&self, reference: &str) -> Result<&MemberInfo, UsageError> {
        find(
            &self.members,
            reference,
            RefKind::Member,
            |m| &m.id,
            |m| &m.name,
            None,
        )
    }

    /// The household with database key `key`.
    pub fn household_by_key(&self, key: i64) -> Option<&HouseholdInfo> {
        self.household_index(key)
            .and_then(|i| self.households.get(i as usize))
    }

    /// The member with database key `key`.
    pub fn member_by_key(&self, key: i64) -> Option<&MemberInfo> {
        self.member_index(key)
            .and_then(|i| self.members.get(i as usize))
    }

    pub fn household_index(&self, key: i64) -> Option<u32> {
        position(&self.household_at, key)
    }

    pub fn member_index(&self, key: i64) -> Option<u32> {
        position(&self.member_at, key)
    }
}

/// The households or the members, as records a command-line reference can
/// name ([`lookup::resolve`]): by id, else by exactly one name.
struct Listed<'a, T> {
    items: &'a [T],
    kind: RefKind,
    id: fn(&T) -> &str,
    name: fn(&T) -> &str,
    township: Option<&'a str>,
}

impl<'a, T> Named for Listed<'a, T> {
    type Key = &'a T;

    fn kind(&self) -> RefKind {
        self.kind
    }

    fn by_id(&self, id: &str) -> Option<&'a T> {
        self.items.iter().find(|i| (self.id)(i) == id)
    }

    fn by_name(&self, name: &str) -> impl AsRef<[&'a T]> {
        let clean = crate::values::text::clean;
        self.items
            .iter()
            .filter(|i| clean((self.name)(i)) == name)
            .collect::<Vec<&'a T>>()
    }

    fn id_of(&self, key: &'a T) -> &str {
        (self.id)(key)
    }

    fn records(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().map(|i| ((self.id)(i), (self.name)(i)))
    }

    fn township(&self) -> Option<&str> {
        self.township
    }
}

/// The record of `items` `reference` names, by `id`, else `name`;
/// `township`: the one township of these households a server's login
/// reads.
fn find<'a, T>(
    items: &'a [T],
    reference: &str,
    kind: RefKind,
    id: fn(&T) -> &str,
    name: fn(&T) -> &str,
    township: Option<&'a str>,
) -> Result<&'a T, UsageError> {
    let reference = crate::values::text::clean(reference);
    let listed = Listed {
        items,
        kind,
        id,
        name,
        township,
    };
    lookup::resolve(&listed, &reference)
        .map(|(found, _)| found)
        .map_err(UsageError::said)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(command: i64, day: i32, old: i64, new: i64) -> Change {
        Change {
            kind: 0,
            record: 1,
            field: "status".into(),
            command,
            day,
            old: Stored::Int(old),
            new: Stored::Int(new),
        }
    }

    fn lifted_on(day: i32) -> HouseholdInfo {
        HouseholdInfo {
            key: 1,
            id: "H1".into(),
            head: "张三".into(),
            id_number: None,
            township: "工农乡".into(),
            village: None,
            size: None,
            cause: None,
            status: Status::Lifted.index(),
            lifted_on: Some(day),
            phone: None,
            removed: false,
        }
    }

    #[test]
    fn the_last_lifting_holds_from_lifted_on_but_never_before_an_earlier_change() {
        // Lifted on day 100 by import 2, lifted_on corrected to 200 later.
        let mut changes = vec![status(2, 100, 0, 1)];
        dated_as_lifted(&mut changes, &lifted_on(200));
        assert_eq!(changes[0].day, 200);
        // Lifted (day 100), back in poverty (day 300), lifted again by
        // import 4 on day 500 with the old lifted_on 100 kept: day 500 stays.
        let mut changes = vec![
            status(2, 100, 0, 1),
            status(3, 300, 1, 0),
            status(4, 500, 0, 1),
        ];
        dated_as_lifted(&mut changes, &lifted_on(100));
        assert_eq!(
            changes.iter().map(|c| c.day).collect::<Vec<_>>(),
            [100, 300, 500]
        );
    }
}
