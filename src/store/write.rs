//! Writing checked records inside one transaction: references resolved
//! against everything already stored (including earlier files of the same
//! command), upserts that never double count (SPEC §3.4), and the
//! per-record outcome (new, updated, unchanged) the import summary counts.
//!
//! References are resolved from in-memory maps loaded once per import, so a
//! million deliveries cost a million hash lookups, not a million queries.

use crate::input::headers::{Field, Layout};
use crate::records::{CellProblem, Delivery, Household, Member, Pairing};
use crate::values::{clean, Category, Date, Fen, IdNumber, Phone, Status};
use compact_str::CompactString;
use rusqlite::Statement;
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// A stored member: key, name, unit, role, phone.
type StoredMember = (i64, String, String, Option<String>, Option<String>);

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Updated,
    Unchanged,
}

/// A record's problems, or what writing it did.
pub type Written = Result<Outcome, Vec<CellProblem>>;

fn problem(column: &'static str, message: impl Into<String>) -> Vec<CellProblem> {
    vec![CellProblem {
        column,
        message: message.into(),
    }]
}

/// Ids and names of one kind of record, for resolving references.
#[derive(Default, Clone)]
struct Index {
    /// Ids are short: stored inline in the table, a lookup reads one
    /// place in memory instead of following a pointer to each key.
    by_id: HashMap<CompactString, i64>,
    by_name: HashMap<String, Vec<i64>>,
    id_of: HashMap<i64, String>,
}

impl Index {
    /// Names are matched as references are written: full-width forms
    /// folded (a name padded with an ideographic space, 李　四, is typed
    /// the same way in every sheet, but folds to 李 四 in a reference).
    fn insert(&mut self, key: i64, id: &str, name: &str) {
        self.by_id.insert(CompactString::from(id), key);
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
    fn resolve<'s>(
        &'s self,
        reference: &'s str,
        what: &str,
        name_word: &str,
    ) -> Result<Found<'s>, String> {
        if let Some(&key) = self.by_id.get(reference) {
            return Ok((key, reference));
        }
        let id = |key: &i64| self.id_of.get(key).map_or("", String::as_str);
        match self.by_name.get(reference).map(Vec::as_slice) {
            Some([key]) => Ok((*key, id(key))),
            Some(keys) if keys.len() > 1 => {
                let mut ids: Vec<&str> = keys.iter().map(id).collect();
                ids.sort_unstable();
                Err(format!(
                    "{reference:?} is the {name_word} of {} {what}s ({}); give the id instead",
                    ids.len(),
                    ids.join(", ")
                ))
            }
            _ => Err(format!("no {what} has the id or {name_word} {reference:?}")),
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
    pub fn household(&self, reference: &str) -> Result<i64, String> {
        self.households
            .resolve(reference, "household", "head")
            .map(|(key, _)| key)
    }

    pub fn member(&self, reference: &str) -> Result<i64, String> {
        self.members
            .resolve(reference, "member", "name")
            .map(|(key, _)| key)
    }

    /// A member reference and a household reference — keys and ids — or
    /// the problems of either or both.
    fn pair<'s>(
        &'s self,
        member: &'s str,
        household: &'s str,
    ) -> Result<(Found<'s>, Found<'s>), Vec<CellProblem>> {
        match (
            self.members.resolve(member, "member", "name"),
            self.households.resolve(household, "household", "head"),
        ) {
            (Ok(m), Ok(h)) => Ok((m, h)),
            (m, h) => Err([("member", m.err()), ("household", h.err())]
                .into_iter()
                .filter_map(|(column, message)| {
                    message.map(|message| CellProblem { column, message })
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
#[derive(Debug)]
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

/// Writes records of one import into an open transaction.
pub struct Writer<'c> {
    conn: &'c Connection,
    refs: Refs,
    id_numbers: HashMap<String, i64>,
    /// Per file: where each household or member id was first seen.
    seen_ids: HashMap<String, u64>,
    /// The current file's batch number, which marks the deliveries it
    /// inserted or matched; above every batch already stored.
    batch: i64,
    /// The statements a million-row import runs a million times, prepared
    /// once (a cached statement costs a hash of its SQL on every use).
    insert_delivery: Statement<'c>,
    claim_delivery: Statement<'c>,
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
            insert_delivery: conn.prepare(INSERT_DELIVERY)?,
            claim_delivery: conn.prepare(
                "UPDATE deliveries SET batch = ?4
                 WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3 AND id IS NULL
                   AND batch <> ?4",
            )?,
        })
    }

    /// Start a new file: ids and fingerprints are counted per file.
    pub fn begin_file(&mut self) {
        self.seen_ids.clear();
        self.batch += 1;
    }

    /// An id may stand once in a file.
    fn first_in_file(&mut self, id: &str, line: u64, what: &str) -> Result<(), Vec<CellProblem>> {
        if let Some(first) = self.seen_ids.get(id) {
            return Err(problem(
                "id",
                format!("{what} {id:?} appears again in this file (first on line {first})"),
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

    fn stored_household(&self, key: i64) -> rusqlite::Result<Household> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, head, id_number, township, village, size, cause, status, lifted_on, phone
             FROM households WHERE key = ?1",
        )?;
        stmt.query_row([key], |r| {
            Ok(Household {
                id: r.get(0)?,
                head: r.get(1)?,
                id_number: r
                    .get::<_, Option<String>>(2)?
                    .and_then(|s| IdNumber::parse(&s).ok()),
                township: r.get(3)?,
                village: r.get(4)?,
                size: r.get(5)?,
                cause: r.get(6)?,
                status: Status::from_index(r.get(7)?).unwrap_or(Status::Poor),
                lifted_on: r.get::<_, Option<i32>>(8)?.and_then(Date::from_days),
                phone: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|s| Phone::parse(&s).ok()),
            })
        })
    }

    /// Insert or update a household (matched by id). Columns the file does
    /// not have keep their stored values.
    pub fn household(
        &mut self,
        layout: &Layout,
        line: u64,
        h: &Household,
    ) -> rusqlite::Result<Written> {
        if let Err(p) = self.first_in_file(&h.id, line, "household") {
            return Ok(Err(p));
        }
        let existing = self.refs.households.by_id.get(h.id.as_str()).copied();
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
                        "id_number",
                        format!(
                            "{} is already the ID number of household {other_id:?}",
                            number.masked()
                        ),
                    )));
                }
            }
        }
        let Some(key) = existing else {
            self.conn
                .prepare_cached(
                    "INSERT INTO households
                     (id, head, id_number, township, village, size, cause, status, lifted_on, phone)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    h.id,
                    h.head,
                    h.id_number.as_ref().map(IdNumber::as_str),
                    h.township,
                    h.village,
                    h.size,
                    h.cause,
                    h.status.index(),
                    h.lifted_on.map(Date::days),
                    h.phone.as_ref().map(Phone::as_str),
                ])?;
            let key = self.conn.last_insert_rowid();
            self.households_mut().insert(key, &h.id, &h.head);
            if let Some(n) = &h.id_number {
                self.id_numbers.insert(n.as_str().to_string(), key);
            }
            return Ok(Ok(Outcome::New));
        };
        let old = self.stored_household(key)?;
        let mut new = old.clone();
        new.head.clone_from(&h.head);
        new.township.clone_from(&h.township);
        if layout.has(Field::IdNumber) {
            new.id_number.clone_from(&h.id_number);
        }
        if layout.has(Field::Village) {
            new.village.clone_from(&h.village);
        }
        if layout.has(Field::Size) {
            new.size = h.size;
        }
        if layout.has(Field::Cause) {
            new.cause.clone_from(&h.cause);
        }
        // Status and lifting date change only through the columns the file
        // has. A stated status wins; without one, a date implies lifted and
        // an empty date leaves the status as it was. Poor has no date.
        if layout.has(Field::LiftedOn) {
            new.lifted_on = h.lifted_on;
        }
        if layout.has(Field::Status) {
            new.status = h.status;
        } else if h.lifted_on.is_some() {
            new.status = Status::Lifted;
        }
        if new.status == Status::Poor {
            new.lifted_on = None;
        }
        if layout.has(Field::Phone) {
            new.phone.clone_from(&h.phone);
        }
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
                new.id_number.as_ref().map(IdNumber::as_str),
                new.township,
                new.village,
                new.size,
                new.cause,
                new.status.index(),
                new.lifted_on.map(Date::days),
                new.phone.as_ref().map(Phone::as_str),
            ])?;
        self.households_mut().rename(key, &old.head, &new.head);
        if old.id_number != new.id_number {
            if let Some(n) = &old.id_number {
                self.id_numbers.remove(n.as_str());
            }
            if let Some(n) = &new.id_number {
                self.id_numbers.insert(n.as_str().to_string(), key);
            }
        }
        Ok(Ok(Outcome::Updated))
    }

    /// Insert or update a member (matched by id), and the pairings its
    /// household list names.
    pub fn member(&mut self, layout: &Layout, line: u64, m: &Member) -> rusqlite::Result<Written> {
        if let Err(p) = self.first_in_file(&m.id, line, "member") {
            return Ok(Err(p));
        }
        let mut households = Vec::with_capacity(m.households.len());
        let mut problems = Vec::new();
        for reference in &m.households {
            match self.refs.household(reference) {
                Ok(key) => households.push(key),
                Err(message) => problems.push(CellProblem {
                    column: "households",
                    message,
                }),
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let existing: Option<StoredMember> = match self.refs.members.by_id.get(m.id.as_str()) {
            None => None,
            Some(&key) => self
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
            .copied()
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
            Some(id) => self.delivery_with_id(r, id, note),
            None => self.delivery_by_fingerprint(r, note),
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
    ) -> rusqlite::Result<Written> {
        let batch = self.batch;
        let claimed: Option<i64> = self
            .conn
            .prepare_cached("SELECT batch FROM deliveries WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        let Some(claimed) = claimed else {
            let insert = &mut self.insert_delivery;
            bind_delivery(insert, r, note, batch)?;
            insert.raw_bind_parameter(9, r.fingerprint)?;
            insert.raw_bind_parameter(11, id)?;
            for occurrence in 0_i64.. {
                insert.raw_bind_parameter(10, -occurrence)?;
                if insert.raw_execute()? > 0 {
                    break;
                }
            }
            return Ok(Ok(Outcome::New));
        };
        if claimed == batch {
            return Ok(Err(problem(
                "id",
                format!("record {id:?} appears more than once in this file"),
            )));
        }
        let mut update = self.conn.prepare_cached(
            "UPDATE deliveries SET day = ?1, member = ?2, household = ?3, category = ?4,
             goods = ?5, cash = ?6, note = ?7, batch = ?8, fingerprint = ?9, occurrence = ?10
             WHERE id = ?11 AND (day, member, household, category, goods, cash, note)
                 IS NOT (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        bind_delivery(&mut update, r, note, batch)?;
        update.raw_bind_parameter(9, r.fingerprint)?;
        update.raw_bind_parameter(11, id)?;
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

    /// A delivery without id, by fingerprint and occurrence (SPEC §3.4).
    /// The k-th row of a file with one fingerprint is occurrence k. Rather
    /// than counting every fingerprint of the file in memory, each stored
    /// row a file inserts or matches is claimed with the file's batch
    /// number: the first occurrence not yet claimed by this file is this
    /// row's. An insert that yields to a stored row says "new" or not; a
    /// claim of that row then says "unchanged" (it came from an earlier
    /// import) or nothing (this file already claimed it: try the next
    /// occurrence). A first import runs one statement a row.
    fn delivery_by_fingerprint(
        &mut self,
        r: &Resolved,
        note: Option<&str>,
    ) -> rusqlite::Result<Written> {
        let batch = self.batch;
        let (insert, claim) = (&mut self.insert_delivery, &mut self.claim_delivery);
        bind_delivery(insert, r, note, batch)?;
        insert.raw_bind_parameter(9, r.fingerprint)?;
        insert.raw_bind_parameter(11, None::<&str>)?;
        let mut occurrence: i64 = 1;
        loop {
            insert.raw_bind_parameter(10, occurrence)?;
            if insert.raw_execute()? > 0 {
                return Ok(Ok(Outcome::New));
            }
            // A stored row has this occurrence: one of an earlier import,
            // which this file now claims (unchanged), or one this file
            // already claimed (then this row is the next occurrence).
            if claim.execute(params![r.day, r.fingerprint, occurrence, batch])? > 0 {
                return Ok(Ok(Outcome::Unchanged));
            }
            occurrence += 1;
        }
    }
}

/// Every new delivery, at its place (day, fingerprint, occurrence), with
/// or without an id. A place already taken inserts nothing: the caller
/// tries the next occurrence or claims the stored row.
const INSERT_DELIVERY: &str = "INSERT INTO deliveries
     (day, member, household, category, goods, cash, note, batch, fingerprint, occurrence, id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
     ON CONFLICT (day, fingerprint, occurrence) DO NOTHING";

/// Bind a delivery's values, its note and the file's batch number to ?1–?8,
/// their places in every statement that writes a delivery. (Bindings stay
/// until bound again: a retried insert binds only what changes.)
fn bind_delivery(
    stmt: &mut Statement<'_>,
    r: &Resolved,
    note: Option<&str>,
    batch: i64,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, r.day)?;
    stmt.raw_bind_parameter(2, r.member)?;
    stmt.raw_bind_parameter(3, r.household)?;
    stmt.raw_bind_parameter(4, r.category.index())?;
    stmt.raw_bind_parameter(5, r.goods.0)?;
    stmt.raw_bind_parameter(6, r.cash.0)?;
    stmt.raw_bind_parameter(7, note)?;
    stmt.raw_bind_parameter(8, batch)
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
/// a length-prefixed encoding.
pub fn fingerprint(d: &Delivery<'_>, member_id: &str, household_id: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&d.date.days().to_le_bytes());
    for text in [member_id, household_id, d.note.unwrap_or("")] {
        h.update(&(text.len() as u32).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.update(&[d.category.index()]);
    h.update(&d.goods.0.to_le_bytes());
    h.update(&d.cash.0.to_le_bytes());
    h.digest()
}
