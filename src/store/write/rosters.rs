//! Rosters: households and members, matched by id and updated in place
//! (an id repeated within one file is an error), and pairings, matched by
//! (member, household, since) (contract §3.4). A column the file does not have
//! ([`Columns`]) keeps what is stored. Every field a file changes is kept
//! in the history (contract §8); a record `--replace` had removed comes
//! back when a file lists it again; every record written is held by the
//! file's ledger.

use super::super::lookup::{RefKind, RejectedRow};
use super::cache::{self, Cache};
use super::refs::Index;
use super::{stored, Columns, Outcome, WriteError, Writer};
use crate::args;
use crate::i18n::store::StoreMsg;
use crate::input::headers::{Field, Kind};
use crate::records::{CellProblem, Household, Member, Pairing};
use crate::store::sql::{Conn, Result, Row, SqlError};
use crate::values::{Date, IdNumber, Phone, Status};
use rusqlite::types::Value;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// A stored member: key, name, unit, role, phone, and whether it is
/// removed.
type StoredMember = (i64, String, String, Option<String>, Option<String>, bool);

/// The stored rosters as an import reads them ([`cache`]): households and
/// members packed, pairings by (member, household).
#[derive(Debug, Default)]
pub(super) struct StoredRosters {
    households: Cache<i64, Box<[u8]>>,
    members: Cache<i64, Box<[u8]>>,
    pairings: Cache<(i64, i64), Vec<StoredPairing>>,
}

/// A stored pairing: key, since, until (days).
type StoredPairing = (i64, Option<i32>, Option<i32>);

/// A removed flag as stored.
fn flag(removed: bool) -> Value {
    Value::Integer(removed.into())
}

/// A household's columns as SQLite holds them (but the head, which the
/// reference maps read as text too). What is stored is kept as it is
/// stored, never read again through today's rules: an ID number that a
/// clock set back calls a future birth, or that a rule tightened since
/// refuses, must not turn into nothing when a file without that column
/// updates the household.
#[derive(Debug, Clone, PartialEq)]
struct HouseholdRow {
    head: String,
    id_number: Value,
    township: Value,
    village: Value,
    size: Value,
    cause: Value,
    status: Value,
    lifted_on: Value,
    phone: Value,
}

impl HouseholdRow {
    /// A household of a file, as it would be stored.
    fn of(h: &Household) -> HouseholdRow {
        let text = |t: Option<&str>| t.map_or(Value::Null, |t| Value::Text(t.to_string()));
        HouseholdRow {
            head: h.head.clone(),
            id_number: text(h.id_number.as_ref().map(IdNumber::as_str)),
            township: Value::Text(h.township.clone()),
            village: text(h.village.as_deref()),
            size: h.size.map_or(Value::Null, Value::Integer),
            cause: text(h.cause.as_deref()),
            status: status(h.status),
            lifted_on: h
                .lifted_on
                .map_or(Value::Null, |d| Value::Integer(d.days().into())),
            phone: text(h.phone.as_ref().map(Phone::as_str)),
        }
    }

    /// A stored household packed as `household_columns!()` reads it, and
    /// whether it is removed.
    fn unpacked(packed: &[u8]) -> Result<(HouseholdRow, bool)> {
        let values = cache::unpack(packed);
        let Ok(
            [head, id_number, township, village, size, cause, status, lifted_on, phone, removed],
        ) = <[Value; 10]>::try_from(values)
        else {
            return Err(damaged("households", "ten columns"));
        };
        let (Value::Text(head), Value::Integer(removed)) = (head, removed) else {
            return Err(damaged("households", "a head and a removed flag"));
        };
        let row = HouseholdRow {
            head,
            id_number,
            township,
            village,
            size,
            cause,
            status,
            lifted_on,
            phone,
        };
        Ok((row, removed != 0))
    }

    /// Each column by its name in the history (contract §8), with its value.
    fn fields(&self) -> [(&'static str, Value); 9] {
        [
            ("head", Value::Text(self.head.clone())),
            ("id_number", self.id_number.clone()),
            ("township", self.township.clone()),
            ("village", self.village.clone()),
            ("size", self.size.clone()),
            ("cause", self.cause.clone()),
            ("status", self.status.clone()),
            ("lifted_on", self.lifted_on.clone()),
            ("phone", self.phone.clone()),
        ]
    }

    /// This stored household updated by `file`'s row: head and township
    /// always, every other column only where the file has it.
    fn merged(&self, file: HouseholdRow, has: Columns) -> HouseholdRow {
        let mut new = self.clone();
        let take = |has: bool, stored: &mut Value, from: Value| {
            if has {
                *stored = from;
            }
        };
        new.head = file.head;
        new.township = file.township;
        take(has.id_number, &mut new.id_number, file.id_number);
        take(has.village, &mut new.village, file.village);
        take(has.size, &mut new.size, file.size);
        take(has.cause, &mut new.cause, file.cause);
        take(has.phone, &mut new.phone, file.phone);
        // Status and lifting date change only through the columns the file
        // has. A stated status wins; without one, a date implies lifted and
        // an empty date leaves the status as it was. Poor has no date.
        let dated = file.lifted_on != Value::Null;
        take(has.lifted_on, &mut new.lifted_on, file.lifted_on);
        if has.status {
            new.status = file.status;
        } else if dated {
            new.status = status(Status::Lifted);
        }
        if new.status == status(Status::Poor) {
            new.lifted_on = Value::Null;
        }
        new
    }
}

/// The columns of a stored household [`HouseholdRow::unpacked`] reads.
macro_rules! household_columns {
    () => {
        "head, id_number, township, village, size, cause, status, lifted_on, phone, removed"
    };
}

/// The columns of a stored member [`unpacked_member`] reads.
macro_rules! member_columns {
    () => {
        "name, unit, role, phone, removed"
    };
}

/// The stored row of `key`, packed, through `stored`: by `whole` (every
/// row: the key, then `width` columns) once enough were asked, else by
/// `one` (the `width` columns of the row whose key is ?1).
fn read_packed(
    stored: &mut Cache<i64, Box<[u8]>>,
    conn: &Conn,
    (whole, one): (&str, &str),
    width: usize,
    key: i64,
) -> Result<Option<Box<[u8]>>> {
    stored.get(
        key,
        || {
            let mut all = HashMap::default();
            conn.stream(whole, args![], |r| {
                all.insert(r.get(0)?, cache::pack(&cells(r, 1..width + 1)?));
                Ok(())
            })?;
            Ok(all)
        },
        || conn.query_opt(one, args![key], |r| Ok(cache::pack(&cells(r, 0..width)?))),
    )
}

/// Columns `range` of a row, as stored.
fn cells(r: &Row<'_>, range: std::ops::Range<usize>) -> Result<Vec<Value>> {
    range.map(|i| Ok(stored(r.cell(i)?))).collect()
}

/// A stored row that is not what bangfu writes.
fn damaged(table: &str, wanted: &'static str) -> SqlError {
    SqlError::Type {
        column: table.to_string(),
        wanted,
        found: "other values",
    }
}

/// A stored member (`key`) packed as `member_columns!()` reads it.
fn unpacked_member(key: i64, packed: &[u8]) -> Result<StoredMember> {
    let text = |v: Value| match v {
        Value::Text(t) => Ok(Some(t)),
        Value::Null => Ok(None),
        _ => Err(damaged("members", "text")),
    };
    let Ok([name, unit, role, phone, removed]) = <[Value; 5]>::try_from(cache::unpack(packed))
    else {
        return Err(damaged("members", "five columns"));
    };
    let (Some(name), Some(unit), Value::Integer(removed)) = (text(name)?, text(unit)?, removed)
    else {
        return Err(damaged("members", "a name, a unit and a removed flag"));
    };
    Ok((key, name, unit, text(role)?, text(phone)?, removed != 0))
}

/// A status as stored.
fn status(s: Status) -> Value {
    Value::Integer(s.index().into())
}

impl<'c> Writer<'c> {
    /// An id may stand once in a file.
    /// The current file listed household or member `key`, with the
    /// optional columns `has`.
    fn listed_roster(&mut self, kind: Kind, key: i64, has: Columns) {
        (self.roster_listed).insert((kind, key), (self.file_number, has));
    }

    /// A household or member (`id`) an earlier file of the import listed
    /// with the same columns, now given other values: refused, not updated
    /// a second time (whichever file came last won: a roster and its
    /// corrected copy in one command, attacker review, session 20). A file
    /// of other columns (a list of households lifted, 脱贫名单) updates
    /// what an earlier one wrote, as before.
    fn otherwise(&self, kind: Kind, key: i64, has: Columns, id: &str) -> Result<(), WriteError> {
        match self.roster_listed.get(&(kind, key)) {
            Some(&(file, cols)) if file != self.file_number && cols == has => {
                let kind = match kind {
                    Kind::Members => RefKind::Member,
                    _ => RefKind::Household,
                };
                let id = id.to_string();
                Err(self.rejected(Field::Id, StoreMsg::IdOtherwise { kind, id }))
            }
            _ => Ok(()),
        }
    }

    fn first_in_file(&mut self, id: &str, line: u64, kind: RefKind) -> Result<(), WriteError> {
        if let Some(&first) = self.seen_ids.get(id) {
            let id = id.to_string();
            return Err(self.rejected(Field::Id, StoreMsg::IdAgain { kind, id, first }));
        }
        self.seen_ids.insert(id.to_string(), line);
        Ok(())
    }

    /// A row of a households or members file that was rejected at `line`
    /// of `file` for `why`: a later reference to its id or name (`name`,
    /// the head or the member's name) that matches nothing says so.
    pub fn rejected_row(
        &mut self,
        kind: RefKind,
        id: &str,
        name: &str,
        file: &str,
        line: u64,
        why: &[CellProblem],
    ) {
        let row = RejectedRow {
            file: file.to_string(),
            line,
            why: why.to_vec(),
        };
        match kind {
            RefKind::Household => self.households_mut().reject(id, name, row),
            RefKind::Member => self.members_mut().reject(id, name, row),
        }
    }

    /// The household index, to change. Cloned only if a reading thread
    /// still holds it, which the importer never lets happen.
    fn households_mut(&mut self) -> &mut Index {
        Arc::make_mut(&mut self.refs.households)
    }

    fn members_mut(&mut self) -> &mut Index {
        Arc::make_mut(&mut self.refs.members)
    }

    /// A stored household, and whether it is removed.
    fn stored_household(&mut self, key: i64) -> Result<(HouseholdRow, bool)> {
        let sql = (
            concat!("SELECT key, ", household_columns!(), " FROM households"),
            concat!(
                "SELECT ",
                household_columns!(),
                " FROM households WHERE key = ?1"
            ),
        );
        let packed = read_packed(&mut self.stored.households, self.conn, sql, 10, key)?;
        HouseholdRow::unpacked(&packed.ok_or(SqlError::NoRows)?)
    }

    /// Insert or update a household (matched by id); columns the file does
    /// not have keep their stored values.
    pub fn household(&mut self, has: Columns, line: u64, h: &Household) -> Result<(), WriteError> {
        let settled = self.settle_household(has, line, h);
        self.counted(settled)
    }

    fn settle_household(
        &mut self,
        has: Columns,
        line: u64,
        h: &Household,
    ) -> Result<Outcome, WriteError> {
        self.first_in_file(&h.id, line, RefKind::Household)?;
        // A township's login writes its township's households only: a row
        // of another township's (or moving one away) is the row's problem,
        // not the server's refusal of the whole import.
        if let Some(own) = self.refs.township().filter(|&own| own != h.township) {
            let msg = StoreMsg::OtherTownshipRow {
                township: h.township.clone(),
                own: own.to_string(),
            };
            return Err(self.rejected(Field::Township, msg));
        }
        let existing = self.refs.households.by_id.get(h.id.as_str());
        if let (None, Some(now), Some(own)) =
            (existing, self.refs.moved_away(&h.id), self.refs.township())
        {
            let msg = StoreMsg::MovedAway {
                household: h.id.clone(),
                now: now.to_string(),
                own: own.to_string(),
                reference: false,
            };
            return Err(self.rejected(Field::Id, msg));
        }
        if let Some(number) = &h.id_number {
            if let Some(&other) = self.id_numbers.get(number.as_str()) {
                if Some(other) != existing {
                    let other_id = self
                        .refs
                        .households
                        .id_of
                        .get(&other)
                        .cloned()
                        .unwrap_or_default();
                    let taken = StoreMsg::IdNumberTaken {
                        masked: number.masked(),
                        other: other_id,
                    };
                    return Err(self.rejected(Field::IdNumber, taken));
                }
            }
        }
        let row = HouseholdRow::of(h);
        let Some(key) = existing else {
            let key = self.insert(
                "INSERT INTO households
                 (id, head, id_number, township, village, size, cause, status, lifted_on, phone,
                  added)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                args![
                    h.id,
                    row.head,
                    row.id_number,
                    row.township,
                    row.village,
                    row.size,
                    row.cause,
                    row.status,
                    row.lifted_on,
                    row.phone,
                    self.command,
                ],
            )?;
            self.stored.households.wrote(key);
            self.listed_roster(Kind::Households, key, has);
            self.households_mut().insert(key, &h.id, &h.head);
            if let Some(n) = &h.id_number {
                self.id_numbers.insert(n.as_str().to_string(), key);
            }
            self.hold(Kind::Households, key)?;
            return Ok(Outcome::New);
        };
        let (old, removed) = self.stored_household(key)?;
        let new = old.merged(row, has);
        if new != old || removed {
            self.otherwise(Kind::Households, key, has, &h.id)?;
        }
        self.hold(Kind::Households, key)?;
        if new == old && !removed {
            self.listed_roster(Kind::Households, key, has);
            return Ok(Outcome::Unchanged);
        }
        // A status the file dates by its lifting date holds from that day:
        // a change to lifted. Back in poverty (返贫) holds from the import's
        // day, not from the lifting date the row still gives (review 6).
        let status_day = match h.lifted_on {
            Some(day) if new.status == status(Status::Lifted) => day.days(),
            _ => self.day,
        };
        for ((field, was), (_, is)) in old.fields().iter().zip(&new.fields()) {
            if was != is {
                let day = if *field == "status" {
                    status_day
                } else {
                    self.day
                };
                self.history(Kind::Households, key, field, (was, is), day)?;
            }
        }
        if removed {
            let listed = (&flag(true), &flag(false));
            self.history(Kind::Households, key, "removed", listed, self.day)?;
        }
        self.conn.execute(
            "UPDATE households SET head = ?2, id_number = ?3, township = ?4, village = ?5,
             size = ?6, cause = ?7, status = ?8, lifted_on = ?9, phone = ?10, removed = 0
             WHERE key = ?1",
            args![
                key,
                new.head,
                new.id_number,
                new.township,
                new.village,
                new.size,
                new.cause,
                new.status,
                new.lifted_on,
                new.phone,
            ],
        )?;
        self.stored.households.wrote(key);
        self.listed_roster(Kind::Households, key, has);
        self.households_mut().rename(key, &old.head, &new.head);
        if old.id_number != new.id_number {
            if let Value::Text(n) = &old.id_number {
                self.id_numbers.remove(n.as_str());
            }
            if let Value::Text(n) = &new.id_number {
                self.id_numbers.insert(n.clone(), key);
            }
        }
        Ok(Outcome::Updated)
    }

    /// A stored member, if the role sees it.
    fn stored_member(&mut self, key: i64) -> Result<Option<StoredMember>> {
        let sql = (
            concat!("SELECT key, ", member_columns!(), " FROM members"),
            concat!("SELECT ", member_columns!(), " FROM members WHERE key = ?1"),
        );
        let packed = read_packed(&mut self.stored.members, self.conn, sql, 5, key)?;
        packed.map(|p| unpacked_member(key, &p)).transpose()
    }

    /// Insert or update a member (matched by id), and the pairings its
    /// household list names.
    pub fn member(&mut self, has: Columns, line: u64, m: &Member) -> Result<(), WriteError> {
        let settled = self.settle_member(has, line, m);
        self.counted(settled)
    }

    fn settle_member(
        &mut self,
        has: Columns,
        line: u64,
        m: &Member,
    ) -> Result<Outcome, WriteError> {
        self.first_in_file(&m.id, line, RefKind::Member)?;
        let mut households = Vec::with_capacity(m.households.len());
        let mut problems = Vec::new();
        for reference in &m.households {
            match self.refs.household(reference) {
                Ok(key) => households.push(key),
                Err(message) => problems.push(CellProblem::new(Field::Households, message)),
            }
        }
        if !problems.is_empty() {
            return Err(WriteError::Rejected(problems));
        }
        let existing: Option<StoredMember> = match self.refs.members.by_id.get(m.id.as_str()) {
            None => None,
            Some(key) => self.stored_member(key)?,
        };
        let phone = m.phone.as_ref().map(|p| p.as_str().to_string());
        // Members are the district's to add and change: a township's
        // login's new or changed member is the row's problem (the server
        // would refuse the whole import).
        if self.refs.township().is_some() {
            let same = |(_, name, unit, role, old_phone, removed): &StoredMember| {
                *name == m.name
                    && *unit == m.unit
                    && (!has.role || *role == m.role)
                    && (!has.phone || *old_phone == phone)
                    && !removed
            };
            if !existing.as_ref().is_some_and(same) {
                let msg = StoreMsg::MemberIsDistricts {
                    id: m.id.clone(),
                    new: existing.is_none(),
                };
                return Err(self.rejected(Field::Id, msg));
            }
        }
        let mut outcome = match existing {
            None => {
                let key = self.insert(
                    "INSERT INTO members (id, name, unit, role, phone, added)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args![m.id, m.name, m.unit, m.role, phone, self.command],
                )?;
                self.stored.members.wrote(key);
                self.listed_roster(Kind::Members, key, has);
                self.members_mut().insert(key, &m.id, &m.name);
                self.hold(Kind::Members, key)?;
                Outcome::New
            }
            Some((key, name, unit, old_role, old_phone, removed)) => {
                self.hold(Kind::Members, key)?;
                let role = if has.role {
                    m.role.clone()
                } else {
                    old_role.clone()
                };
                let phone = if has.phone { phone } else { old_phone.clone() };
                let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
                let changes = [
                    (
                        "name",
                        Value::Text(name.clone()),
                        Value::Text(m.name.clone()),
                    ),
                    ("unit", Value::Text(unit), Value::Text(m.unit.clone())),
                    ("role", text(&old_role), text(&role)),
                    ("phone", text(&old_phone), text(&phone)),
                    ("removed", flag(removed), flag(false)),
                ];
                let mut changed = false;
                for (field, was, is) in &changes {
                    if was != is {
                        self.history(Kind::Members, key, field, (was, is), self.day)?;
                        changed = true;
                    }
                }
                if changed {
                    self.otherwise(Kind::Members, key, has, &m.id)?;
                }
                self.listed_roster(Kind::Members, key, has);
                if changed {
                    self.conn.execute(
                        "UPDATE members SET name = ?2, unit = ?3, role = ?4, phone = ?5,
                         removed = 0 WHERE key = ?1",
                        args![key, m.name, m.unit, role, phone],
                    )?;
                    self.stored.members.wrote(key);
                    self.members_mut().rename(key, &name, &m.name);
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                }
            }
        };
        let member = self
            .refs
            .members
            .by_id
            .get(m.id.as_str())
            .unwrap_or_default();
        for household in households {
            let paired = self.pair(member, household, None, None, false)?;
            if paired != Outcome::Unchanged && outcome == Outcome::Unchanged {
                outcome = Outcome::Updated;
            }
        }
        Ok(outcome)
    }

    /// Insert or merge a pairing (contract §3.4).
    pub fn pairing(&mut self, has: Columns, p: &Pairing) -> Result<(), WriteError> {
        let settled = self.settle_pairing(has, p);
        self.counted(settled)
    }

    fn settle_pairing(&mut self, has: Columns, p: &Pairing) -> Result<Outcome, WriteError> {
        let ((member, _), (household, _)) = self.refs.pair(&p.member, &p.household)?;
        self.refs.seconds_agree(&p.seconds, member, household)?;
        let outcome = self.pair(member, household, p.since, p.until, has.until)?;
        Ok(outcome)
    }

    /// One pairing of `member` with `household`: matched by `since`; one
    /// without `since` and one with are the same pairing, which keeps the
    /// date. `until` is written only when the file has that column.
    fn pair(
        &mut self,
        member: i64,
        household: i64,
        since: Option<Date>,
        until: Option<Date>,
        set_until: bool,
    ) -> Result<Outcome> {
        let existing = self.stored_pairings(member, household)?;
        let since_days = since.map(Date::days);
        let until_days = until.map(Date::days);
        let target = match since_days {
            Some(s) => existing
                .iter()
                .find(|e| e.1 == Some(s))
                .or_else(|| existing.iter().find(|e| e.1.is_none())),
            None => existing.first(),
        };
        let (key, outcome) = match target {
            None => {
                let key = self.insert(
                    "INSERT INTO pairings (member, household, since, until, added)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![member, household, since_days, until_days, self.command],
                )?;
                (key, Outcome::New)
            }
            Some(&(key, old_since, old_until)) => {
                let new_since = since_days.or(old_since);
                let new_until = if set_until { until_days } else { old_until };
                if (new_since, new_until) == (old_since, old_until) {
                    (key, Outcome::Unchanged)
                } else {
                    self.keep_for_undo(key)?;
                    self.conn.execute(
                        "UPDATE pairings SET since = ?2, until = ?3 WHERE key = ?1",
                        args![key, new_since, new_until],
                    )?;
                    (key, Outcome::Updated)
                }
            }
        };
        if outcome != Outcome::Unchanged {
            self.stored.pairings.wrote((member, household));
        }
        self.hold(Kind::Pairings, key)?;
        Ok(outcome)
    }

    /// The stored pairings of `member` with `household` (key, since,
    /// until), those with no `since` first, then the latest first.
    fn stored_pairings(&mut self, member: i64, household: i64) -> Result<Vec<StoredPairing>> {
        // NULLs sort first in PostgreSQL's descending order and last in
        // SQLite's: the first clause puts them first in both.
        let conn = self.conn;
        let found = self.stored.pairings.get(
            (member, household),
            || {
                let mut all: HashMap<(i64, i64), Vec<StoredPairing>> = HashMap::default();
                conn.stream(
                    "SELECT member, household, key, since, until FROM pairings
                     ORDER BY member, household, since IS NULL DESC, since DESC, key",
                    args![],
                    |r| {
                        let pair = (r.get(0)?, r.get(1)?);
                        let pairing = (r.get(2)?, r.get(3)?, r.get(4)?);
                        all.entry(pair).or_default().push(pairing);
                        Ok(())
                    },
                )?;
                Ok(all)
            },
            || {
                let pairings = conn.collect(
                    "SELECT key, since, until FROM pairings WHERE member = ?1 AND household = ?2
                     ORDER BY since IS NULL DESC, since DESC, key",
                    args![member, household],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                Ok(Some(pairings))
            },
        )?;
        Ok(found.unwrap_or_default())
    }

    /// Pairing `key` as it is before this import changes it in place, for
    /// undo (contract §8). Only the first change of an import is kept: it
    /// holds the row as it was before the import. (A pairing this import
    /// added has nothing to put back: undo deletes it.)
    fn keep_for_undo(&self, key: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO undo_pairings
             (command, key, removed, member, household, since, until, added)
             SELECT CAST(?1 AS BIGINT), key, 0, member, household, since, until, added
             FROM pairings WHERE key = ?2 AND added < ?1
             ON CONFLICT DO NOTHING",
            args![self.command, key],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::values::LedgerName;

    /// Import `n` households of 工农乡 (the village `village`) as the file
    /// 户.csv; how many statements their rows took.
    fn import(store: &Store, n: u32, village: &str) -> u64 {
        let conn = &store.conn;
        conn.begin_write().unwrap();
        let mut writer = Writer::new(conn, Date::parse("2003-06-30").unwrap()).unwrap();
        writer.begin_file(&LedgerName::of_path("户.csv")).unwrap();
        let has = Columns {
            village: true,
            ..Columns::default()
        };
        let before = conn.statements();
        for i in 0..n {
            let h = Household {
                id: format!("H{i}"),
                head: format!("户主{i}"),
                id_number: None,
                township: "工农乡".to_string(),
                village: Some(village.to_string()),
                size: None,
                cause: None,
                status: Status::Poor,
                lifted_on: None,
                phone: None,
            };
            writer.household(has, u64::from(i) + 2, &h).unwrap();
        }
        writer.end_file().unwrap();
        let statements = conn.statements() - before;
        drop(writer);
        conn.commit().unwrap();
        statements
    }

    /// A roster's import went a statement or two a row, each a round trip
    /// to a PostgreSQL server (56,628 rows: 13 s unchanged). Unchanged, its
    /// rows now take a few statements for them all; changed, one update
    /// and one history entry each.
    #[test]
    fn an_unchanged_roster_takes_a_few_statements_however_long() {
        let store = Store::with_one_pair();
        import(&store, 1000, "红旗村");
        let again = import(&store, 1000, "红旗村");
        assert!(again < 100, "an unchanged roster took {again} statements");
        let changed = import(&store, 1000, "新村");
        assert!(changed < 3 * 1000 + 100, "a changed roster took {changed}");
        let moved: i64 = store
            .lite()
            .query_row(
                "SELECT count(*) FROM history WHERE field = 'village' AND new = '新村'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(moved, 1000);
    }
}
