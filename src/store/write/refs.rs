//! References (contract §3.2): a member reference is a member's id or,
//! failing that, exactly one member's name; a household reference a
//! household's id or exactly one head. Resolved from in-memory maps loaded
//! once per import and kept up to date as rosters are written, so a million
//! deliveries cost a million hash lookups, not a million queries.

use super::super::ids::IdTable;
use super::super::lookup::{self, By, Named, RefKind, RejectedRow};
use crate::args;
use crate::i18n::store::StoreMsg;
use crate::i18n::Msg;
use crate::input::headers::Field;
use crate::records::{CellProblem, Seconds};
use crate::store::sql::{Conn, Result};
use crate::values::clean;
use crate::values::text::without_whitespace;
use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A problem the store found with the cell of `column`. (The one place a
/// store message becomes a row's problem.)
pub(super) fn problem(column: Field, message: StoreMsg) -> CellProblem {
    CellProblem::new(column, Msg::Store(message))
}

/// Ids and names of one kind of record, for resolving references.
#[derive(Clone)]
pub(super) struct Index {
    kind: RefKind,
    pub by_id: IdTable,
    by_name: HashMap<String, Vec<i64>>,
    pub id_of: HashMap<i64, String>,
    /// Roster rows of this import that were rejected, by id and by name.
    rejected: HashMap<String, RejectedRow>,
    /// References that matched nothing so far, shared by every clone:
    /// only the first few get suggestions ([`SUGGESTED`]).
    misses: Arc<AtomicU32>,
    /// The township this login is held to, for households ([`Named::township`]).
    township: Option<String>,
    /// For such a login, the changes of township of its households, each
    /// (day, import, old, new) in (day, import) order: which township a
    /// delivery of a day counts toward ([`Index::township_on`]).
    moves: HashMap<i64, Vec<(i32, i64, String, String)>>,
    /// For such a login, the households that were in its township and
    /// are another's now, by id: the township each is in now.
    moved_away: HashMap<String, String>,
}

/// The references of one import that matching nothing get the nearest
/// names: each costs a pass over every name, and the first problems are
/// the ones printed (a file of the wrong kind would otherwise cost one
/// pass per row).
const SUGGESTED: u32 = 100;

impl Index {
    fn new(kind: RefKind) -> Index {
        Index {
            kind,
            by_id: IdTable::default(),
            by_name: HashMap::default(),
            id_of: HashMap::default(),
            rejected: HashMap::default(),
            misses: Arc::default(),
            township: None,
            moves: HashMap::default(),
            moved_away: HashMap::default(),
        }
    }

    /// The township household `key` was in on `day`, if it ever changed
    /// township (else it was always in the one it is in): as the reports
    /// date it (report/dated.rs), the new value of the last change on or
    /// before the day, or before every change the old value of the first
    /// import's change.
    fn township_on(&self, key: i64, day: i32) -> Option<&str> {
        let moves = self.moves.get(&key)?;
        let after = moves.partition_point(|m| m.0 <= day);
        match after.checked_sub(1).and_then(|i| moves.get(i)) {
            Some(m) => Some(m.3.as_str()),
            None => moves.iter().min_by_key(|m| m.1).map(|m| m.2.as_str()),
        }
    }

    /// Names are matched as references are written: full-width forms
    /// folded (a name padded with an ideographic space, 李　四, is typed
    /// the same way in every sheet, but folds to 李 四 in a reference).
    pub fn insert(&mut self, key: i64, id: &str, name: &str) {
        self.by_id.insert(id, key);
        self.by_name
            .entry(clean(name).into_owned())
            .or_default()
            .push(key);
        self.id_of.insert(key, id.to_string());
    }

    pub fn rename(&mut self, key: i64, old: &str, new: &str) {
        let (old, new) = (clean(old), clean(new));
        if old == new {
            return;
        }
        if let Some(keys) = self.by_name.get_mut(&*old) {
            keys.retain(|&k| k != key);
        }
        self.by_name.entry(new.into_owned()).or_default().push(key);
    }

    /// The name of record `key`, by a pass over every name (for a
    /// problem's words, not for each row).
    fn name_of(&self, key: i64) -> Option<&str> {
        self.by_name
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(name, _)| name.as_str())
    }

    /// A roster row of this import that was rejected: a reference to its
    /// id or name that matches nothing says so.
    pub fn reject(&mut self, id: &str, name: &str, row: RejectedRow) {
        for key in [clean(id), clean(name)] {
            if !key.is_empty() {
                self.rejected
                    .entry(key.into_owned())
                    .or_insert_with(|| row.clone());
            }
        }
    }

    /// By id; failing that, by exactly one name ([`lookup::resolve`]). The
    /// key and the id.
    fn resolve<'s>(&'s self, reference: &'s str) -> Result<Found<'s>, StoreMsg> {
        let (key, by) = lookup::resolve(self, reference)?;
        let id = match by {
            By::Id => reference,
            By::Name => self.id_of(key),
        };
        Ok((key, id))
    }
}

impl Named for Index {
    type Key = i64;

    fn kind(&self) -> RefKind {
        self.kind
    }

    fn by_id(&self, id: &str) -> Option<i64> {
        self.by_id.get(id)
    }

    fn by_name(&self, name: &str) -> impl AsRef<[i64]> {
        self.by_name.get(name).map_or(&[][..], Vec::as_slice)
    }

    fn id_of(&self, key: i64) -> &str {
        self.id_of.get(&key).map_or("", String::as_str)
    }

    fn records(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_name.iter().flat_map(move |(name, keys)| {
            keys.iter()
                .map(move |&key| (self.id_of(key), name.as_str()))
        })
    }

    fn may_suggest(&self) -> bool {
        self.misses.fetch_add(1, Ordering::Relaxed) < SUGGESTED
    }

    fn rejected(&self, reference: &str) -> Option<&RejectedRow> {
        self.rejected.get(reference)
    }

    fn township(&self) -> Option<&str> {
        self.township.as_deref()
    }

    fn moved_to(&self, id: &str) -> Option<&str> {
        self.moved_away.get(id).map(String::as_str)
    }
}

/// A resolved reference: the record's key and id.
pub(super) type Found<'s> = (i64, &'s str);

/// The households and members stored so far, for resolving references.
/// Cheap to clone: while a pairings or deliveries file is read (which adds
/// no household or member), the reading thread resolves its rows' references
/// with a clone, so the writing thread only writes.
#[derive(Clone)]
pub struct Refs {
    pub(super) households: Arc<Index>,
    pub(super) members: Arc<Index>,
}

impl Default for Refs {
    fn default() -> Refs {
        Refs {
            households: Arc::new(Index::new(RefKind::Household)),
            members: Arc::new(Index::new(RefKind::Member)),
        }
    }
}

impl Refs {
    /// The households and members stored, and the households by ID number.
    pub(super) fn load(conn: &Conn) -> Result<(Refs, HashMap<String, i64>)> {
        let mut households = Index::new(RefKind::Household);
        households.township = crate::store::pg::grant::login_township(conn)?;
        let mut id_numbers = HashMap::default();
        conn.stream(
            "SELECT key, id, head, id_number FROM households",
            args![],
            |r| {
                let key: i64 = r.get(0)?;
                households.insert(key, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?);
                if let Some(n) = r.get::<_, Option<String>>(3)? {
                    id_numbers.insert(n, key);
                }
                Ok(())
            },
        )?;
        if households.township.is_some() {
            conn.stream(
                "SELECT record, day, command, old, new FROM history
                 WHERE kind = 0 AND field = 'township' AND old IS NOT NULL AND new IS NOT NULL
                 ORDER BY record, day, command",
                args![],
                |r| {
                    let change = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                    households.moves.entry(r.get(0)?).or_default().push(change);
                    Ok(())
                },
            )?;
        }
        if let Some(own) = households.township.clone() {
            // Read outside the narrowing of writes (store/pg/schema.rs),
            // as the login reads them in its reports: households of its
            // township once, another's now.
            // (A failed read aborts the server's transaction: nothing is
            // written after it, narrowed or not.)
            conn.batch("SET LOCAL bangfu.writing = 'off'")?;
            conn.stream("SELECT id, township FROM households", args![], |r| {
                let (id, now): (String, Option<String>) = (r.get(0)?, r.get(1)?);
                if let Some(now) = now.filter(|now| *now != own) {
                    households.moved_away.insert(id, now);
                }
                Ok(())
            })?;
            conn.batch("SET LOCAL bangfu.writing = 'on'")?;
        }
        let mut members = Index::new(RefKind::Member);
        conn.stream("SELECT key, id, name FROM members", args![], |r| {
            members.insert(r.get(0)?, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?);
            Ok(())
        })?;
        let refs = Refs {
            households: Arc::new(households),
            members: Arc::new(members),
        };
        Ok((refs, id_numbers))
    }

    /// The township the login is held to (a server's login of one
    /// township), whose households alone it may write.
    pub(super) fn township(&self) -> Option<&str> {
        self.households.township.as_deref()
    }

    /// For a township's login, the township household `id` moved to, if
    /// it was this login's and the district moved it away.
    pub(super) fn moved_away(&self, id: &str) -> Option<&str> {
        self.households.moved_to(id)
    }

    /// For a township's login, a delivery of household `key` on `day`
    /// while the household was in another township: that township's
    /// figures, which are not this login's to write (it would count toward
    /// them, as every delivery counts toward the township of its day).
    pub(super) fn counted_elsewhere(&self, key: i64, day: i32) -> Option<(&str, &str)> {
        let own = self.township()?;
        let then = self.households.township_on(key, day)?;
        (then != own).then_some((then, own))
    }

    pub fn household(&self, reference: &str) -> Result<i64, Msg> {
        self.households
            .resolve(reference)
            .map(|(key, _)| key)
            .map_err(Msg::Store)
    }

    pub fn member(&self, reference: &str) -> Result<i64, Msg> {
        self.members
            .resolve(reference)
            .map(|(key, _)| key)
            .map_err(Msg::Store)
    }

    /// Have the table entries of a member and a household id fetched into
    /// the processor's cache, to be looked up a little later
    /// ([`IdTable::prefetch`]).
    pub fn prefetch(&self, member: &str, household: &str) {
        self.members.by_id.prefetch(member);
        self.households.by_id.prefetch(household);
    }

    /// The problems of a row's second references (`户主` beside `户编号`):
    /// each must name the record the first names, `member` and
    /// `household` — by its id, or by its name among others of that
    /// name.
    pub fn seconds_agree(
        &self,
        seconds: &Seconds,
        member: i64,
        household: i64,
    ) -> Result<(), Vec<CellProblem>> {
        let mut problems = Vec::new();
        for (index, key, second, field) in [
            (&self.members, member, &seconds.member, Field::Member),
            (
                &self.households,
                household,
                &seconds.household,
                Field::Household,
            ),
        ] {
            let Some(second) = second.as_deref() else {
                continue;
            };
            if index.by_id(second) == Some(key) || index.by_name(second).as_ref().contains(&key) {
                continue;
            }
            // Spaces aside (`李　四`, padded to line up with three-character
            // names, is 李四): the record's own name, looked for only here,
            // off the path of every row that agrees.
            let name = index.name_of(key).unwrap_or_default();
            if without_whitespace(name) != without_whitespace(second) {
                let first = index.id_of(key).to_string();
                let name = name.to_string();
                let kind = index.kind;
                let second = second.to_string();
                let message = StoreMsg::SecondsDisagree {
                    kind,
                    first,
                    name,
                    second,
                };
                problems.push(problem(field, message));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A member reference and a household reference — keys and ids — or
    /// the problems of either or both.
    pub(super) fn pair<'s>(
        &'s self,
        member: &'s str,
        household: &'s str,
    ) -> Result<(Found<'s>, Found<'s>), Vec<CellProblem>> {
        match (
            self.members.resolve(member),
            self.households.resolve(household),
        ) {
            (Ok(m), Ok(h)) => Ok((m, h)),
            (m, h) => Err([(Field::Member, m.err()), (Field::Household, h.err())]
                .into_iter()
                .filter_map(|(column, message)| Some(problem(column, message?)))
                .collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_households_township_on_a_day_is_dated_as_the_reports_date_it() {
        // Moved 工农乡 → 寿山乡 on day 10 (import 2), back on day 20
        // (import 3); household 2 never moved.
        let mut index = Index::new(RefKind::Household);
        let change = |day, command, old: &str, new: &str| (day, command, old.into(), new.into());
        index.moves.insert(
            1,
            vec![
                change(10, 2, "工农乡", "寿山乡"),
                change(20, 3, "寿山乡", "工农乡"),
            ],
        );
        let on = |day| index.township_on(1, day);
        assert_eq!(
            [on(9), on(10), on(19), on(20), on(99)],
            [
                Some("工农乡"),
                Some("寿山乡"),
                Some("寿山乡"),
                Some("工农乡"),
                Some("工农乡")
            ]
        );
        assert_eq!(index.township_on(2, 5), None);
    }
}
