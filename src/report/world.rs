//! The households and members a report reads, loaded once into vectors
//! with the values of their text dimensions interned and ranked in pinyin
//! order, so that a dimension of a household or member costs an index, not
//! a join; and the records a command-line reference names (contract §3.2).

use crate::problem::UsageError;
use crate::store::lookup::{self, Named, RefKind};
use crate::store::query::{self, HouseholdInfo, MemberInfo};
use crate::store::Db;
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
    pub(super) household_township: Vec<u32>,
    pub(super) household_village: Vec<u32>,
    pub(super) household_place: Vec<u32>,
    pub(super) household_cause: Vec<u32>,
    pub(super) member_unit: Vec<u32>,
}

impl World {
    pub fn load(conn: Db<'_>) -> rusqlite::Result<World> {
        let households = query::households(conn)?;
        let members = query::members(conn)?;
        let mut world = World {
            household_at: positions(households.iter().map(|h| h.key)),
            member_at: positions(members.iter().map(|m| m.key)),
            townships: Interner::default(),
            villages: Interner::default(),
            places: Vec::new(),
            causes: Interner::default(),
            units: Interner::default(),
            household_township: Vec::with_capacity(households.len()),
            household_village: Vec::with_capacity(households.len()),
            household_place: Vec::with_capacity(households.len()),
            household_cause: Vec::with_capacity(households.len()),
            member_unit: Vec::with_capacity(members.len()),
            households,
            members,
        };
        let mut place_ids: HashMap<(u32, u32), u32> = HashMap::default();
        for h in &world.households {
            let township = world.townships.id(&h.township);
            let village = world.villages.id(h.village.as_deref().unwrap_or(""));
            let next = world.places.len() as u32;
            let place = *place_ids.entry((township, village)).or_insert(next);
            if place == next {
                world.places.push((township, village));
            }
            world.household_township.push(township);
            world.household_village.push(village);
            world.household_place.push(place);
            world
                .household_cause
                .push(world.causes.id(h.cause.as_deref().unwrap_or("")));
        }
        for m in &world.members {
            world.member_unit.push(world.units.id(&m.unit));
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

    /// A household by id, else by its one head (contract §3.2).
    pub fn find_household(&self, reference: &str) -> Result<&HouseholdInfo, UsageError> {
        find(
            &self.households,
            reference,
            RefKind::Household,
            |h| &h.id,
            |h| &h.head,
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
}

fn find<'a, T>(
    items: &'a [T],
    reference: &str,
    kind: RefKind,
    id: fn(&T) -> &str,
    name: fn(&T) -> &str,
) -> Result<&'a T, UsageError> {
    let reference = crate::values::text::clean(reference);
    let listed = Listed {
        items,
        kind,
        id,
        name,
    };
    lookup::resolve(&listed, &reference)
        .map(|(found, _)| found)
        .map_err(UsageError::said)
}
