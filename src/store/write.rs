//! Writing checked records inside one transaction: references resolved
//! against everything already stored (including earlier files of the same
//! command), upserts that never double count (SPEC §3.4), and the
//! per-record outcome (new, updated, unchanged) the import summary counts.
//!
//! References are resolved from in-memory maps loaded once per import, so a
//! million deliveries cost a million hash lookups, not a million queries.

use super::ids::IdTable;
use crate::i18n::import::ImportMsg;
use crate::i18n::Msg;
use crate::input::headers::{Field, Kind, Layout};
use crate::records::{CellProblem, Delivery, Household, Member, Pairing};
use crate::values::{clean, Category, Date, Fen, IdNumber, Phone, Status};
use rusqlite::types::Value;
use rusqlite::Statement;
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;
use std::sync::Arc;

/// A stored member: key, name, unit, role, phone.
type StoredMember = (i64, String, String, Option<String>, Option<String>);

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    New,
    Updated,
    Unchanged,
}

/// What the records of a file did, counted by the writer: a delivery
/// without id is only written with others of its chunk, or at the end of
/// the file ([`Writer::end_file`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A record's problems, or nothing: what writing it did goes to the
/// file's [`Tally`].
pub type Written = Result<(), Vec<CellProblem>>;

/// A record's problems, or what writing it did.
type Settled = Result<Outcome, Vec<CellProblem>>;

fn problem(field: Field, message: ImportMsg) -> Vec<CellProblem> {
    vec![CellProblem::new(field, message)]
}

/// Ids and names of one kind of record, for resolving references.
#[derive(Default, Clone)]
struct Index {
    by_id: IdTable,
    by_name: HashMap<String, Vec<i64>>,
    id_of: HashMap<i64, String>,
}

impl Index {
    /// Names are matched as references are written: full-width forms
    /// folded (a name padded with an ideographic space, 李　四, is typed
    /// the same way in every sheet, but folds to 李 四 in a reference).
    fn insert(&mut self, key: i64, id: &str, name: &str) {
        self.by_id.insert(id, key);
        self.by_name
            .entry(clean(name).into_owned())
            .or_default()
            .push(key);
        self.id_of.insert(key, id.to_string());
    }

    fn rename(&mut self, key: i64, old: &str, new: &str) {
        let (old, new) = (clean(old), clean(new));
        if old == new {
            return;
        }
        if let Some(keys) = self.by_name.get_mut(&*old) {
            keys.retain(|&k| k != key);
        }
        self.by_name.entry(new.into_owned()).or_default().push(key);
    }

    /// By id; failing that, by exactly one name. The key and the id.
    fn resolve<'s>(&'s self, reference: &'s str, kind: Kind) -> Result<Found<'s>, Msg> {
        if let Some(key) = self.by_id.get(reference) {
            return Ok((key, reference));
        }
        let id = |key: &i64| self.id_of.get(key).map_or("", String::as_str);
        match self.by_name.get(reference).map(Vec::as_slice) {
            Some([key]) => Ok((*key, id(key))),
            Some(keys) if keys.len() > 1 => {
                let mut ids: Vec<&str> = keys.iter().map(id).collect();
                ids.sort_unstable();
                Err(ImportMsg::AmbiguousReference {
                    kind,
                    reference: reference.to_string(),
                    ids: ids.into_iter().map(str::to_string).collect(),
                }
                .into())
            }
            _ => Err(ImportMsg::NoSuchRecord {
                kind,
                reference: reference.to_string(),
            }
            .into()),
        }
    }
}

/// A resolved reference: the record's key and id.
type Found<'s> = (i64, &'s str);

/// The households and members stored so far, for resolving references.
/// Cheap to clone: while a pairings or deliveries file is read (which adds
/// no household or member), the reading thread resolves its rows' references
/// with a clone, so the writing thread only writes.
#[derive(Clone, Default)]
pub struct Refs {
    households: Arc<Index>,
    members: Arc<Index>,
}

impl Refs {
    pub fn household(&self, reference: &str) -> Result<i64, Msg> {
        self.households
            .resolve(reference, Kind::Households)
            .map(|(key, _)| key)
    }

    pub fn member(&self, reference: &str) -> Result<i64, Msg> {
        self.members
            .resolve(reference, Kind::Members)
            .map(|(key, _)| key)
    }

    /// Have the table entries of a member and a household id fetched into
    /// the processor's cache, to be looked up a little later
    /// ([`IdTable::prefetch`]).
    pub fn prefetch(&self, member: &str, household: &str) {
        self.members.by_id.prefetch(member);
        self.households.by_id.prefetch(household);
    }

    /// A member reference and a household reference — keys and ids — or
    /// the problems of either or both.
    fn pair<'s>(
        &'s self,
        member: &'s str,
        household: &'s str,
    ) -> Result<(Found<'s>, Found<'s>), Vec<CellProblem>> {
        match (
            self.members.resolve(member, Kind::Members),
            self.households.resolve(household, Kind::Households),
        ) {
            (Ok(m), Ok(h)) => Ok((m, h)),
            (m, h) => Err([(Field::Member, m.err()), (Field::Household, h.err())]
                .into_iter()
                .filter_map(|(field, message)| {
                    message.map(|message| CellProblem::new(field, message))
                })
                .collect()),
        }
    }

    /// A delivery with its references resolved and, without an id of its
    /// own, its fingerprint.
    pub fn delivery(&self, d: &Delivery<'_>) -> Result<Resolved, Vec<CellProblem>> {
        let ((member, member_id), (household, household_id)) =
            self.pair(&d.member, &d.household)?;
        let fingerprint = match d.id.as_deref() {
            None => fingerprint(d, member_id, household_id) as i64,
            Some(id) => id_fingerprint(id),
        };
        Ok(Resolved {
            id: d.id.as_deref().map(str::to_string),
            day: d.date.days(),
            member,
            household,
            category: d.category,
            goods: d.goods,
            cash: d.cash,
            fingerprint,
        })
    }
}

/// A delivery ready to be written, all but its note (which the writer
/// reads from the row, rather than copying it between threads).
#[derive(Debug, Clone)]
pub struct Resolved {
    id: Option<String>,
    day: i32,
    member: i64,
    household: i64,
    category: Category,
    pub goods: Fen,
    pub cash: Fen,
    fingerprint: i64,
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

    /// This stored household updated by `file`'s row: head and township
    /// always, every other column only where the file has it.
    fn merged(&self, file: HouseholdRow, layout: &Layout) -> HouseholdRow {
        let mut new = self.clone();
        let take = |field, stored: &mut Value, from: Value| {
            if layout.has(field) {
                *stored = from;
            }
        };
        new.head = file.head;
        new.township = file.township;
        take(Field::IdNumber, &mut new.id_number, file.id_number);
        take(Field::Village, &mut new.village, file.village);
        take(Field::Size, &mut new.size, file.size);
        take(Field::Cause, &mut new.cause, file.cause);
        take(Field::Phone, &mut new.phone, file.phone);
        // Status and lifting date change only through the columns the file
        // has. A stated status wins; without one, a date implies lifted and
        // an empty date leaves the status as it was. Poor has no date.
        let dated = file.lifted_on != Value::Null;
        take(Field::LiftedOn, &mut new.lifted_on, file.lifted_on);
        if layout.has(Field::Status) {
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

/// A status as stored.
fn status(s: Status) -> Value {
    Value::Integer(s.index().into())
}

/// Writes records of one import into an open transaction.
pub struct Writer<'c> {
    conn: &'c Connection,
    refs: Refs,
    id_numbers: HashMap<String, i64>,
    /// Per file: where each household or member id was first seen.
    seen_ids: HashMap<String, u64>,
    /// The current file's batch number, above every batch already stored.
    /// The deliveries a file inserted or matched are marked with it (see
    /// [`Writer::mark`]).
    batch: i64,
    /// Deliveries without id waiting to be inserted [`CHUNK`] at a time,
    /// their notes side by side in one buffer.
    queue: Vec<(Resolved, Range<usize>)>,
    queue_notes: String,
    /// Chunks of this file inserted so far; each marks its rows with its
    /// number.
    chunks: i64,
    /// Per place (day, fingerprint) this file has taken more than once: the
    /// next occurrence to try ([`settle`]).
    repeats: HashMap<(i32, i64), i64>,
    tally: Tally,
    /// The statements a million-row import runs a million times, prepared
    /// once (a cached statement costs a hash of its SQL on every use).
    insert_delivery: Statement<'c>,
    insert_chunk: Statement<'c>,
    stored_mark: Statement<'c>,
    mark_delivery: Statement<'c>,
}

impl<'c> Writer<'c> {
    /// Load the reference maps from the database.
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Writer<'c>> {
        let mut households = Index::default();
        let mut id_numbers = HashMap::default();
        let mut stmt = conn.prepare("SELECT key, id, head, id_number FROM households")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key: i64 = r.get(0)?;
            households.insert(key, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?);
            if let Some(n) = r.get::<_, Option<String>>(3)? {
                id_numbers.insert(n, key);
            }
        }
        let mut members = Index::default();
        let mut stmt = conn.prepare("SELECT key, id, name FROM members")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            members.insert(r.get(0)?, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?);
        }
        // Every file that was given a batch number is in the import log
        // with a key at least as high (one log row a file, written in the
        // same transaction), so the log alone says which numbers are taken;
        // asking the deliveries themselves was a scan of them all before
        // every import (0.2 s at a million rows, however small the file).
        // (Deleting the newest rows of the log by hand would let a number be
        // given out again.)
        let batch: i64 = conn.query_row("SELECT coalesce(max(key), 0) FROM imports", [], |r| {
            r.get(0)
        })?;
        Ok(Writer {
            conn,
            refs: Refs {
                households: Arc::new(households),
                members: Arc::new(members),
            },
            id_numbers,
            seen_ids: HashMap::default(),
            batch,
            queue: Vec::with_capacity(CHUNK),
            queue_notes: String::new(),
            chunks: 0,
            repeats: HashMap::default(),
            tally: Tally::default(),
            insert_delivery: conn.prepare(INSERT_DELIVERY)?,
            insert_chunk: conn.prepare(&insert_chunk_sql())?,
            stored_mark: conn.prepare(
                "SELECT batch FROM deliveries
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3 AND id IS NULL",
            )?,
            mark_delivery: conn.prepare(
                "UPDATE deliveries SET batch = ?4
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3 AND id IS NULL",
            )?,
        })
    }

    /// Start a new file: ids and fingerprints are counted per file.
    pub fn begin_file(&mut self) {
        self.seen_ids.clear();
        self.batch += 1;
        self.queue.clear();
        self.queue_notes.clear();
        self.chunks = 0;
        self.repeats.clear();
        self.tally = Tally::default();
    }

    /// Write the deliveries still queued; what all the file's records did.
    pub fn end_file(&mut self) -> rusqlite::Result<Tally> {
        self.settle_queue(None)?;
        Ok(std::mem::take(&mut self.tally))
    }

    /// What marks a delivery this file inserted or matched: the file's
    /// batch number in the high 32 bits, and in the low ones the number
    /// of the chunk that inserted it, or 0. A mark whose high half is not
    /// this file's is another import's: an older file's, or a plain batch
    /// number as bangfu wrote before it inserted in chunks (a high half of
    /// 0; batch numbers start at 1). Not the import log's key: only the
    /// high half is.
    fn mark(&self, chunk: i64) -> i64 {
        (self.batch << 32) | chunk
    }

    /// An id may stand once in a file.
    fn first_in_file(&mut self, id: &str, line: u64, kind: Kind) -> Result<(), Vec<CellProblem>> {
        if let Some(&first) = self.seen_ids.get(id) {
            return Err(problem(
                Field::Id,
                ImportMsg::IdAgainInFile {
                    kind,
                    id: id.to_string(),
                    first,
                },
            ));
        }
        self.seen_ids.insert(id.to_string(), line);
        Ok(())
    }

    /// The households and members as they stand now.
    pub fn refs(&self) -> Refs {
        self.refs.clone()
    }

    /// The household index, to change. Cloned only if a reading thread
    /// still holds it, which the importer never lets happen.
    fn households_mut(&mut self) -> &mut Index {
        Arc::make_mut(&mut self.refs.households)
    }

    fn members_mut(&mut self) -> &mut Index {
        Arc::make_mut(&mut self.refs.members)
    }

    fn stored_household(&self, key: i64) -> rusqlite::Result<HouseholdRow> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT head, id_number, township, village, size, cause, status, lifted_on, phone
             FROM households WHERE key = ?1",
        )?;
        stmt.query_row([key], |r| {
            Ok(HouseholdRow {
                head: r.get(0)?,
                id_number: r.get(1)?,
                township: r.get(2)?,
                village: r.get(3)?,
                size: r.get(4)?,
                cause: r.get(5)?,
                status: r.get(6)?,
                lifted_on: r.get(7)?,
                phone: r.get(8)?,
            })
        })
    }

    /// Count what writing a record did in the file's tally.
    fn counted(&mut self, settled: Settled) -> Written {
        settled.map(|outcome| self.tally.count(outcome))
    }

    /// Insert or update a household (matched by id). Columns the file does
    /// not have keep their stored values.
    pub fn household(
        &mut self,
        layout: &Layout,
        line: u64,
        h: &Household,
    ) -> rusqlite::Result<Written> {
        let settled = self.settle_household(layout, line, h)?;
        Ok(self.counted(settled))
    }

    fn settle_household(
        &mut self,
        layout: &Layout,
        line: u64,
        h: &Household,
    ) -> rusqlite::Result<Settled> {
        if let Err(p) = self.first_in_file(&h.id, line, Kind::Households) {
            return Ok(Err(p));
        }
        let existing = self.refs.households.by_id.get(h.id.as_str());
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
                    return Ok(Err(problem(
                        Field::IdNumber,
                        ImportMsg::IdNumberTaken {
                            masked: number.masked(),
                            household: other_id,
                        },
                    )));
                }
            }
        }
        let row = HouseholdRow::of(h);
        let Some(key) = existing else {
            self.conn
                .prepare_cached(
                    "INSERT INTO households
                     (id, head, id_number, township, village, size, cause, status, lifted_on, phone)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
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
                ])?;
            let key = self.conn.last_insert_rowid();
            self.households_mut().insert(key, &h.id, &h.head);
            if let Some(n) = &h.id_number {
                self.id_numbers.insert(n.as_str().to_string(), key);
            }
            return Ok(Ok(Outcome::New));
        };
        let old = self.stored_household(key)?;
        let new = old.merged(row, layout);
        if new == old {
            return Ok(Ok(Outcome::Unchanged));
        }
        self.conn
            .prepare_cached(
                "UPDATE households SET head = ?2, id_number = ?3, township = ?4, village = ?5,
                 size = ?6, cause = ?7, status = ?8, lifted_on = ?9, phone = ?10 WHERE key = ?1",
            )?
            .execute(params![
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
            ])?;
        self.households_mut().rename(key, &old.head, &new.head);
        if old.id_number != new.id_number {
            if let Value::Text(n) = &old.id_number {
                self.id_numbers.remove(n.as_str());
            }
            if let Value::Text(n) = &new.id_number {
                self.id_numbers.insert(n.clone(), key);
            }
        }
        Ok(Ok(Outcome::Updated))
    }

    /// Insert or update a member (matched by id), and the pairings its
    /// household list names.
    pub fn member(&mut self, layout: &Layout, line: u64, m: &Member) -> rusqlite::Result<Written> {
        let settled = self.settle_member(layout, line, m)?;
        Ok(self.counted(settled))
    }

    fn settle_member(
        &mut self,
        layout: &Layout,
        line: u64,
        m: &Member,
    ) -> rusqlite::Result<Settled> {
        if let Err(p) = self.first_in_file(&m.id, line, Kind::Members) {
            return Ok(Err(p));
        }
        let mut households = Vec::with_capacity(m.households.len());
        let mut problems = Vec::new();
        for reference in &m.households {
            match self.refs.household(reference) {
                Ok(key) => households.push(key),
                Err(message) => problems.push(CellProblem::new(Field::Households, message)),
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let existing: Option<StoredMember> = match self.refs.members.by_id.get(m.id.as_str()) {
            None => None,
            Some(key) => self
                .conn
                .prepare_cached("SELECT key, name, unit, role, phone FROM members WHERE key = ?1")?
                .query_row([key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?,
        };
        let phone = m.phone.as_ref().map(|p| p.as_str().to_string());
        let mut outcome = match existing {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO members (id, name, unit, role, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![m.id, m.name, m.unit, m.role, phone])?;
                let key = self.conn.last_insert_rowid();
                self.members_mut().insert(key, &m.id, &m.name);
                Outcome::New
            }
            Some((key, name, unit, old_role, old_phone)) => {
                let role = if layout.has(Field::Role) {
                    m.role.clone()
                } else {
                    old_role.clone()
                };
                let phone = if layout.has(Field::Phone) {
                    phone
                } else {
                    old_phone.clone()
                };
                if (&m.name, &m.unit, &role, &phone) == (&name, &unit, &old_role, &old_phone) {
                    Outcome::Unchanged
                } else {
                    self.conn
                        .prepare_cached(
                            "UPDATE members SET name = ?2, unit = ?3, role = ?4, phone = ?5 WHERE key = ?1",
                        )?
                        .execute(params![key, m.name, m.unit, role, phone])?;
                    self.members_mut().rename(key, &name, &m.name);
                    Outcome::Updated
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
        Ok(Ok(outcome))
    }

    /// Insert or merge a pairing (SPEC §3.4).
    pub fn pairing(&mut self, layout: &Layout, p: &Pairing) -> rusqlite::Result<Written> {
        let settled = self.settle_pairing(layout, p)?;
        Ok(self.counted(settled))
    }

    fn settle_pairing(&mut self, layout: &Layout, p: &Pairing) -> rusqlite::Result<Settled> {
        let ((member, _), (household, _)) = match self.refs.pair(&p.member, &p.household) {
            Ok(pair) => pair,
            Err(problems) => return Ok(Err(problems)),
        };
        let outcome = self.pair(
            member,
            household,
            p.since,
            p.until,
            layout.has(Field::Until),
        )?;
        Ok(Ok(outcome))
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
    ) -> rusqlite::Result<Outcome> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, since, until FROM pairings WHERE member = ?1 AND household = ?2
             ORDER BY since IS NULL DESC, since DESC",
        )?;
        let existing: Vec<(i64, Option<i32>, Option<i32>)> = stmt
            .query_map([member, household], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let since_days = since.map(Date::days);
        let until_days = until.map(Date::days);
        let target = match since_days {
            Some(s) => existing
                .iter()
                .find(|e| e.1 == Some(s))
                .or_else(|| existing.iter().find(|e| e.1.is_none())),
            None => existing.first(),
        };
        match target {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO pairings (member, household, since, until) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![member, household, since_days, until_days])?;
                Ok(Outcome::New)
            }
            Some(&(key, old_since, old_until)) => {
                let new_since = since_days.or(old_since);
                let new_until = if set_until { until_days } else { old_until };
                if (new_since, new_until) == (old_since, old_until) {
                    return Ok(Outcome::Unchanged);
                }
                self.conn
                    .prepare_cached("UPDATE pairings SET since = ?2, until = ?3 WHERE key = ?1")?
                    .execute(params![key, new_since, new_until])?;
                Ok(Outcome::Updated)
            }
        }
    }

    /// Insert or update a delivery: by its id where it has one, else by
    /// fingerprint and occurrence within the file.
    pub fn delivery(&mut self, r: &Resolved, note: Option<&str>) -> rusqlite::Result<Written> {
        match &r.id {
            Some(id) => {
                let settled = self.delivery_with_id(r, id, note)?;
                Ok(self.counted(settled))
            }
            None => self.enqueue(r, note).map(Ok),
        }
    }

    /// A delivery with the file's own record id: inserted, or updated in
    /// place, and claimed for this file (an id may stand once in a file).
    /// Its place in the table is (day, the id's hash, occurrence 0); should
    /// another id's hash share the day, it takes occurrence -1, -2, ….
    fn delivery_with_id(
        &mut self,
        r: &Resolved,
        id: &str,
        note: Option<&str>,
    ) -> rusqlite::Result<Settled> {
        let batch = self.mark(0);
        let claimed: Option<i64> = self
            .conn
            .prepare_cached("SELECT batch FROM deliveries WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        let Some(claimed) = claimed else {
            let insert = &mut self.insert_delivery;
            bind_delivery(insert, r, note, batch)?;
            for occurrence in 0_i64.. {
                insert.raw_bind_parameter(10, -occurrence)?;
                if insert.raw_execute()? > 0 {
                    break;
                }
            }
            return Ok(Ok(Outcome::New));
        };
        if marked_by(claimed, self.batch) {
            return Ok(Err(problem(
                Field::Id,
                ImportMsg::RecordAgainInFile { id: id.to_string() },
            )));
        }
        let mut update = self.conn.prepare_cached(
            "UPDATE deliveries SET day = ?1, member = ?2, household = ?3, category = ?4,
             goods = ?5, cash = ?6, note = ?7, batch = ?8, fingerprint = ?9, occurrence = ?10
             WHERE id = ?11 AND (day, member, household, category, goods, cash, note)
                 IS NOT (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        bind_delivery(&mut update, r, note, batch)?;
        for occurrence in 0_i64.. {
            update.raw_bind_parameter(10, -occurrence)?;
            match update.raw_execute() {
                Ok(0) => break,
                Ok(_) => return Ok(Ok(Outcome::Updated)),
                // Its new day holds another id's row at this place.
                Err(e) if place_taken(&e) => {}
                Err(e) => return Err(e),
            }
        }
        self.conn
            .prepare_cached("UPDATE deliveries SET batch = ?2 WHERE id = ?1")?
            .execute(params![id, batch])?;
        Ok(Ok(Outcome::Unchanged))
    }

    /// Queue a delivery without id; a full queue is inserted as one chunk.
    fn enqueue(&mut self, r: &Resolved, note: Option<&str>) -> rusqlite::Result<()> {
        let start = self.queue_notes.len();
        self.queue_notes.push_str(note.unwrap_or(""));
        self.queue.push((r.clone(), start..self.queue_notes.len()));
        if self.queue.len() == CHUNK {
            self.insert_chunk()?;
        }
        Ok(())
    }

    /// Insert the queued deliveries, each at occurrence 1, with one
    /// statement: a million single-row inserts spend a fifth of their time
    /// starting and ending statements, and each one finds its place from
    /// the root of the table, where one statement keeps its place on the
    /// last page. When every row went in, each is new. When some place was
    /// taken (a row stored before, or a repeat within the chunk), each row
    /// of the chunk is settled in order as if written alone, the rows the
    /// chunk did insert told by the chunk's mark.
    fn insert_chunk(&mut self) -> rusqlite::Result<()> {
        self.chunks += 1;
        let mark = self.mark(self.chunks);
        let stmt = &mut self.insert_chunk;
        stmt.raw_bind_parameter(1, mark)?;
        for (i, (r, note)) in self.queue.iter().enumerate() {
            let at = 2 + i * CHUNK_COLUMNS;
            let note = self.queue_notes.get(note.clone()).filter(|n| !n.is_empty());
            stmt.raw_bind_parameter(at, r.day)?;
            stmt.raw_bind_parameter(at + 1, r.member)?;
            stmt.raw_bind_parameter(at + 2, r.household)?;
            stmt.raw_bind_parameter(at + 3, r.category.index())?;
            stmt.raw_bind_parameter(at + 4, r.goods.0)?;
            stmt.raw_bind_parameter(at + 5, r.cash.0)?;
            stmt.raw_bind_parameter(at + 6, note)?;
            stmt.raw_bind_parameter(at + 7, r.fingerprint)?;
        }
        if stmt.raw_execute()? < CHUNK {
            return self.settle_queue(Some(mark));
        }
        self.tally.new += CHUNK as u64;
        self.queue.clear();
        self.queue_notes.clear();
        Ok(())
    }

    /// Settle the queued deliveries one by one, in order (see [`settle`]),
    /// and empty the queue.
    fn settle_queue(&mut self, chunk: Option<i64>) -> rusqlite::Result<()> {
        let mut s = Settling {
            file: self.batch,
            claim: self.mark(0),
            insert: &mut self.insert_delivery,
            stored_mark: &mut self.stored_mark,
            mark: &mut self.mark_delivery,
            repeats: &mut self.repeats,
        };
        for (r, note) in &self.queue {
            let note = self.queue_notes.get(note.clone()).filter(|n| !n.is_empty());
            self.tally.count(settle(&mut s, r, note, chunk)?);
        }
        self.queue.clear();
        self.queue_notes.clear();
        Ok(())
    }
}

impl Tally {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::New => self.new += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// What settling a delivery without id needs from the writer.
struct Settling<'w, 'c> {
    /// The file's batch number, and the mark of the rows it claims.
    file: i64,
    claim: i64,
    insert: &'w mut Statement<'c>,
    stored_mark: &'w mut Statement<'c>,
    mark: &'w mut Statement<'c>,
    repeats: &'w mut HashMap<(i32, i64), i64>,
}

/// A delivery without id, by fingerprint and occurrence (SPEC §3.4): the
/// k-th row of a file with one fingerprint is occurrence k. Rather than
/// counting every fingerprint of the file in memory, each stored row a
/// file inserts or matches carries the file's mark: the row takes the
/// first occurrence that no row of this file has taken. A free place is
/// inserted (new); a row of an earlier import is claimed (unchanged); and
/// a row that `chunk`, this row's own chunk, inserted is this row's (new),
/// claimed so that a repeat of it in the chunk goes on to the next.
///
/// The occurrences a file has taken at a place are always 1 to some k (each
/// row takes the first one free to it), so a place taken more than once
/// goes in [`Settling::repeats`] with k + 1, where its next row starts:
/// counting from 1 each time made a file of n identical rows n²/2 lookups
/// (8,000 rows took 13.6 s, 100,000 more than 12 minutes). Only places a
/// file repeats are held, few in clerks' files, one for a file of
/// identical rows.
fn settle(
    s: &mut Settling<'_, '_>,
    r: &Resolved,
    note: Option<&str>,
    chunk: Option<i64>,
) -> rusqlite::Result<Outcome> {
    let at = (r.day, r.fingerprint);
    let mut occurrence: i64 = s.repeats.get(&at).copied().unwrap_or(1);
    let outcome = loop {
        let place = (r.day, r.fingerprint, occurrence);
        let stored: Option<i64> = s
            .stored_mark
            .query_row(place, |row| row.get(0))
            .optional()?;
        let outcome = match stored {
            None => {
                bind_delivery(s.insert, r, note, s.claim)?;
                s.insert.raw_bind_parameter(10, occurrence)?;
                if s.insert.raw_execute()? > 0 {
                    break Outcome::New;
                }
                // Taken by a row the lookup does not see (one with an id
                // at this occurrence, which no schema writes): move on.
                occurrence += 1;
                continue;
            }
            Some(mark) if Some(mark) == chunk => Outcome::New,
            Some(mark) if !marked_by(mark, s.file) => Outcome::Unchanged,
            Some(_) => {
                occurrence += 1;
                continue;
            }
        };
        s.mark
            .execute(params![place.0, place.1, place.2, s.claim])?;
        break outcome;
    };
    if occurrence > 1 {
        s.repeats.insert(at, occurrence + 1);
    }
    Ok(outcome)
}

/// Deliveries without id are inserted this many to a statement; 64 was the
/// fastest of 8, 64 and 256 on a million rows.
const CHUNK: usize = 64;

/// The values of each row of a chunk: day, member, household, category,
/// goods, cash, note, fingerprint.
const CHUNK_COLUMNS: usize = 8;

/// Insert a full chunk of deliveries without id at occurrence 1; ?1 is the
/// chunk's mark. `OR IGNORE` rather than `ON CONFLICT DO NOTHING`: with it
/// no row can fail the statement halfway, so SQLite keeps no statement
/// journal (with one, every page a chunk touched was copied first).
fn insert_chunk_sql() -> String {
    let rows: Vec<String> = (0..CHUNK)
        .map(|i| {
            let at = 2 + i * CHUNK_COLUMNS;
            let values: Vec<String> = (at..at + CHUNK_COLUMNS).map(|p| format!("?{p}")).collect();
            format!("({}, ?1, 1)", values.join(", "))
        })
        .collect();
    format!(
        "INSERT OR IGNORE INTO deliveries
         (day, member, household, category, goods, cash, note, fingerprint, batch, occurrence)
         VALUES {}",
        rows.join(", ")
    )
}

/// Every new delivery, at its place (day, fingerprint, occurrence), with
/// or without an id. A place already taken inserts nothing: the caller
/// tries the next occurrence or claims the stored row.
const INSERT_DELIVERY: &str = "INSERT INTO deliveries
     (day, member, household, category, goods, cash, note, batch, fingerprint, occurrence, id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
     ON CONFLICT (day, fingerprint, occurrence) DO NOTHING";

/// Bind a delivery's values, its note, its mark, its fingerprint and its
/// id to ?1–?9 and ?11, their places in every statement that writes one
/// row; ?10, the occurrence, is bound by the caller, which may try several.
/// (Bindings stay until bound again.)
fn bind_delivery(
    stmt: &mut Statement<'_>,
    r: &Resolved,
    note: Option<&str>,
    mark: i64,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, r.day)?;
    stmt.raw_bind_parameter(2, r.member)?;
    stmt.raw_bind_parameter(3, r.household)?;
    stmt.raw_bind_parameter(4, r.category.index())?;
    stmt.raw_bind_parameter(5, r.goods.0)?;
    stmt.raw_bind_parameter(6, r.cash.0)?;
    stmt.raw_bind_parameter(7, note)?;
    stmt.raw_bind_parameter(8, mark)?;
    stmt.raw_bind_parameter(9, r.fingerprint)?;
    stmt.raw_bind_parameter(11, r.id.as_deref())
}

/// Whether `mark` is one that the file numbered `file` gave (see
/// [`Writer::mark`]).
fn marked_by(mark: i64, file: i64) -> bool {
    mark >> 32 == file
}

/// Whether a write failed because its (day, fingerprint, occurrence) is
/// another row's.
fn place_taken(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Where a delivery with an id of its own is stored among a day's
/// deliveries: the id's hash (xxh3), in place of a fingerprint.
pub fn id_fingerprint(id: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes()) as i64
}

/// The fingerprint of a delivery without id: its normalised values, with
/// references resolved to ids (SPEC §3.4). Stable across versions: xxh3 of
/// a length-prefixed encoding, laid out in one buffer and hashed at once
/// (the same value as feeding the parts to a streaming hasher, at a third
/// of the cost).
pub fn fingerprint(d: &Delivery<'_>, member_id: &str, household_id: &str) -> u64 {
    let texts = [member_id, household_id, d.note.as_deref().unwrap_or("")];
    let mut bytes =
        Vec::with_capacity(4 + 1 + 16 + texts.iter().map(|t| 4 + t.len()).sum::<usize>());
    bytes.extend_from_slice(&d.date.days().to_le_bytes());
    for text in texts {
        bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    bytes.push(d.category.index());
    bytes.extend_from_slice(&d.goods.0.to_le_bytes());
    bytes.extend_from_slice(&d.cash.0.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A delivery without id on `day` whose values hash to `fingerprint`
    /// (the writer trusts the fingerprint it is given).
    fn row(day: i32, fingerprint: i64) -> Resolved {
        Resolved {
            id: None,
            day,
            member: 1,
            household: 1,
            category: Category::Warmth,
            goods: Fen(fingerprint * 100),
            cash: Fen(0),
            fingerprint,
        }
    }

    /// Import `files` (rows as (day, fingerprint)) in turn, `per_import`
    /// files to an import (one transaction, as `bangfu import a b c`); the
    /// tally of each file.
    fn import_all(store: &mut Store, files: &[Vec<(i32, i64)>], per_import: usize) -> Vec<Tally> {
        let mut tallies = Vec::new();
        for group in files.chunks(per_import.max(1)) {
            let tx = store.conn.transaction().unwrap();
            {
                let mut writer = Writer::new(&tx).unwrap();
                for file in group {
                    writer.begin_file();
                    for &(day, fingerprint) in file {
                        let written = writer.delivery(&row(day, fingerprint), Some("走访"));
                        assert_eq!(written.unwrap(), Ok(()));
                    }
                    tallies.push(writer.end_file().unwrap());
                }
                // One log row a file, as the importer writes: the next
                // import's batch numbers come from it.
                for _ in group {
                    log_one_file(&tx);
                }
            }
            tx.commit().unwrap();
        }
        tallies
    }

    fn log_one_file(conn: &Connection) {
        conn.execute(
            "INSERT INTO imports (at, file, kind, rows_read, new, updated, unchanged, skipped, rejected)
             VALUES ('', 'f', 'deliveries', 0, 0, 0, 0, 0, 0)",
            [],
        )
        .unwrap();
    }

    /// What an earlier bangfu, which marked rows with the plain batch
    /// number, left after importing a file with `counts` of each place.
    fn stored_by_an_older_bangfu(store: &Store, counts: &BTreeMap<(i32, i64), u64>) {
        for (&(day, fingerprint), &n) in counts {
            for occurrence in 1..=n as i64 {
                store
                    .conn
                    .execute(
                        "INSERT INTO deliveries
                         (day, member, household, category, goods, note, batch, fingerprint, occurrence)
                         VALUES (?1, 1, 1, 4, ?2, '走访', 1, ?2, ?3)",
                        params![day, fingerprint, occurrence],
                    )
                    .unwrap();
            }
        }
        log_one_file(&store.conn);
    }

    fn store_with_one_pair() -> Store {
        let store = Store::in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO households (key, id, head, township) VALUES (1, 'H1', '张三', '工农乡');
                 INSERT INTO members (key, id, name, unit) VALUES (1, 'M1', '李四', '区委');",
            )
            .unwrap();
        store
    }

    /// Per place (day, fingerprint): the occurrences stored.
    fn stored(store: &Store) -> BTreeMap<(i32, i64), Vec<i64>> {
        let mut stmt = store
            .conn
            .prepare("SELECT day, fingerprint, occurrence FROM deliveries ORDER BY 1, 2, 3")
            .unwrap();
        let mut places: BTreeMap<(i32, i64), Vec<i64>> = BTreeMap::new();
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .unwrap();
        for row in rows {
            let (place, occurrence) = row.unwrap();
            places.entry(place).or_default().push(occurrence);
        }
        places
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// SPEC §3.4 as a model: a file holding a row k times leaves it
        /// stored max(k, stored before) times, occurrences 1 to that; of
        /// the file's k, min(k, stored before) are unchanged and the rest
        /// new — however the rows fall into chunks, repeats within one
        /// chunk, across chunks and in the rows left at the file's end.
        #[test]
        fn chunked_inserts_count_repeats_as_rows_written_one_by_one(
            spread in prop::sample::select(vec![6_i64, 60, 1 << 40]),
            drawn in prop::collection::vec(
                (prop::collection::vec((0..3i32, any::<i64>()), 0..300), 0..200usize),
                1..5,
            ),
            older in prop::collection::vec((0..3i32, any::<i64>()), 0..100),
            per_import in 1..3usize,
        ) {
            // Each file: rows over `spread` fingerprints a day (few: every
            // chunk repeats a row; many: chunks go in whole), then its
            // first rows again, so that rows a whole chunk inserted come
            // back later in the file.
            let place = |(d, f): (i32, i64)| (d, f.rem_euclid(spread));
            let files: Vec<Vec<(i32, i64)>> = drawn
                .into_iter()
                .map(|(rows, again)| {
                    let rows: Vec<(i32, i64)> = rows.into_iter().map(place).collect();
                    let again = again.min(rows.len());
                    [&rows[..], &rows[..again]].concat()
                })
                .collect();
            let mut store = store_with_one_pair();
            // The model: how many rows each place holds.
            let mut model: BTreeMap<(i32, i64), u64> = BTreeMap::new();
            for &p in &older {
                *model.entry(place(p)).or_default() += 1;
            }
            stored_by_an_older_bangfu(&store, &model);
            let tallies = import_all(&mut store, &files, per_import);
            for (file, tally) in files.iter().zip(&tallies) {
                let mut counts: BTreeMap<(i32, i64), u64> = BTreeMap::new();
                for &place in file {
                    *counts.entry(place).or_default() += 1;
                }
                let mut expected = Tally::default();
                for (place, k) in counts {
                    let before = model.entry(place).or_default();
                    expected.unchanged += k.min(*before);
                    expected.new += k.saturating_sub(*before);
                    *before = (*before).max(k);
                }
                prop_assert_eq!(*tally, expected);
            }
            let want: BTreeMap<(i32, i64), Vec<i64>> = model
                .into_iter()
                .filter(|&(_, n)| n > 0)
                .map(|(place, n)| (place, (1..=n as i64).collect()))
                .collect();
            prop_assert_eq!(stored(&store), want);
        }
    }

    #[test]
    fn fingerprints_stay_what_earlier_versions_stored() {
        // Stored fingerprints must match the rows of later files: these
        // values were computed by the version that first stored them.
        let delivery = |note| Delivery {
            id: None,
            date: Date::parse("2024-03-05").unwrap(),
            member: "M001".into(),
            household: "H4307000001".into(),
            category: Category::Warmth,
            goods: Fen(68_810),
            cash: Fen(0),
            note,
        };
        let print = |d: &Delivery<'_>| fingerprint(d, "M001", "H4307000001");
        assert_eq!(print(&delivery(None)), 0x6f3f9da8bae44c60);
        assert_eq!(
            print(&delivery(Some("看望生病老人，已登记台账".into()))),
            0x843103338aa5dff7
        );
        let long = "送慰问品".repeat(100);
        assert_eq!(
            print(&delivery(Some(long.as_str().into()))),
            0x303c5eee36e703d5
        );
    }

    #[test]
    fn a_file_of_identical_rows_looks_up_each_row_about_once() {
        // Each row of n identical ones once started from occurrence 1:
        // n²/2 lookups. Now about one a row, in a first import and again.
        let mut store = store_with_one_pair();
        let n = 2_000;
        let tx = store.conn.transaction().unwrap();
        let mut writer = Writer::new(&tx).unwrap();
        for expected in [(n, 0), (0, n)] {
            writer.begin_file();
            for _ in 0..n {
                let written = writer.delivery(&row(7, 1), Some("走访")).unwrap();
                assert_eq!(written, Ok(()));
            }
            let tally = writer.end_file().unwrap();
            assert_eq!((tally.new, tally.unchanged), expected);
        }
        let lookups = writer
            .stored_mark
            .get_status(rusqlite::StatementStatus::Run);
        assert!(lookups <= 2 * 2 * n as i32 + 10, "{lookups} lookups");
    }

    #[test]
    fn a_full_chunk_of_new_rows_is_marked_with_its_chunk_and_all_new() {
        let mut store = store_with_one_pair();
        let file: Vec<(i32, i64)> = (0..CHUNK as i64).map(|f| (7, f)).collect();
        let marks = |store: &Store| -> Vec<i64> {
            store
                .conn
                .prepare("SELECT DISTINCT batch FROM deliveries")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let all = |new, unchanged| Tally {
            new,
            updated: 0,
            unchanged,
        };
        let first = import_all(&mut store, std::slice::from_ref(&file), 1);
        assert_eq!(first, [all(CHUNK as u64, 0)]);
        // File 1, chunk 1.
        assert_eq!(marks(&store), [(1 << 32) | 1]);
        let again = import_all(&mut store, &[file], 1);
        assert_eq!(again, [all(0, CHUNK as u64)]);
        // File 2 claimed every row: chunk 0.
        assert_eq!(marks(&store), [2 << 32]);
    }
}
