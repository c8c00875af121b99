//! The writes of `import OTHER.db` (contract §9) that rows of a file never
//! make, beside the writer's own paths that the merge shares with files
//! (households, members, pairings and deliveries with an id go through
//! those, see [`crate::import::merge`]):
//! - a delivery without id at the place the other file stored it (day,
//!   fingerprint, occurrence carried over exactly, not counted again: the
//!   other file may hold occurrence 2 of a row without its occurrence 1);
//! - records no ledger of the other file holds (a household `--replace`
//!   left removed, kept for its past deliveries): added as they are there,
//!   removed included, held by no ledger — one the target has is left as
//!   the target has it;
//! - the other file's history of a field, carried into the target
//!   ([`Writer::carry_history`]).
//!
//! All of it goes through [`crate::store::sql::Conn`], into a SQLite file
//! or a PostgreSQL server alike, a record at a time — but for the
//! deliveries without id on a server: staged there and settled a line at
//! a time by COPY ([`crate::store::pg::placed`]; a row at a time took 28 s
//! for 50,000 there, debug build, against 1.4 s into a file), keyed in the
//! order they come, as the file's path keys them.

use super::{stored, Outcome, WriteError, Writer};
use crate::args;
use crate::input::headers::Kind;
use crate::store::pg::placed::PlacedRow;
use crate::store::sql::{Dialect, Result};
use rusqlite::types::Value;

/// A delivery as the other file stores it, its member and household
/// already keys of the target.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub day: i32,
    pub fingerprint: i64,
    pub occurrence: i64,
    pub id: Option<&'a str>,
    pub member: i64,
    pub household: i64,
    pub category: i64,
    pub goods: i64,
    pub cash: i64,
    pub note: Option<&'a str>,
}

/// A household or member as the other file stores it, for
/// [`Writer::unheld_record`].
#[derive(Debug, Clone)]
pub enum Unheld<'a> {
    Household {
        id: &'a str,
        head: &'a str,
        id_number: Option<&'a str>,
        /// township, village, size, cause, status, lifted_on, phone.
        rest: [Value; 7],
        removed: bool,
    },
    Member {
        id: &'a str,
        name: &'a str,
        unit: &'a str,
        role: Option<&'a str>,
        phone: Option<&'a str>,
        removed: bool,
    },
}

/// One change of the other file's history of a field: its day, old and new.
pub type Change = (i32, Value, Value);

impl Writer<'_> {
    /// The current line is a whole version of its ledger's records of
    /// `kind`, whose `--replace` (and the warning without it) takes out only
    /// what earlier merges of the same database brought in (the lines
    /// `same` names): never the records of a township whose
    /// ledger has the same name (both name their sheet 帮扶记录.xlsx), nor
    /// those the target's own imports brought. A hold keeps the import that
    /// made it; a merge's lines are logged as `imports` rows by their line.
    pub fn from_earlier_merges(&mut self, kind: Kind, same: &dyn Fn(&str) -> bool) -> Result<()> {
        // The database is known as the file itself (`same`, given each
        // earlier line's name, `PATH[LEDGER]`): two townships' files are
        // both bangfu.db, so the file's name alone took one for the other,
        // and the path as typed missed `./tA/bangfu.db` (review 6).
        let mut commands = rustc_hash::FxHashSet::default();
        self.conn.stream(
            "SELECT command, file FROM imports WHERE ledger = ?1 AND kind = ?2",
            args![self.ledger, kind.key()],
            |row| {
                let (command, file): (Option<i64>, String) = (row.get(0)?, row.get(1)?);
                if same(&file) {
                    commands.extend(command);
                }
                Ok(())
            },
        )?;
        self.replaces_only.insert((self.ledger, kind), commands);
        Ok(())
    }

    /// Start the records no ledger holds: counted like a file's, held by
    /// no ledger.
    pub fn begin_unheld(&mut self) {
        self.ledger = 0;
        self.seen_ids.clear();
        self.deliveries.begin_file();
        self.tally = Default::default();
    }

    /// The end of the records no ledger holds: their pairings went
    /// through [`Writer::pairing`], which holds by no ledger here (ledger
    /// keys start at 1, [`Writer::hold`]), and are in no ledger's version.
    pub fn end_unheld(&mut self) {
        self.versions.retain(|(ledger, _), _| *ledger != 0);
    }

    /// The key of household (`Kind::Households`) or member `id`, if the
    /// target has it.
    pub fn key_of(&self, kind: Kind, id: &str) -> Option<i64> {
        match kind {
            Kind::Households => self.refs.households.by_id.get(id),
            Kind::Members => self.refs.members.by_id.get(id),
            Kind::Pairings | Kind::Deliveries => None,
        }
    }

    /// A delivery without id at its place: a stored place is the same
    /// delivery (unchanged), a free one is inserted (new); held by the
    /// current ledger unless [`Writer::begin_unheld`]. One with an id and
    /// no ledger: matched by id (unchanged), else inserted at its day
    /// (its place as the writer gives one).
    /// On PostgreSQL one without id is staged instead, for
    /// [`Writer::end_placed`].
    pub fn placed_delivery(&mut self, d: &Placed<'_>) -> Result<(), WriteError> {
        // Asked of by [`Writer::one_visit_either_way`].
        self.sent.with_id |= d.id.is_some();
        self.sent.without_id |= d.id.is_none();
        if self.conn.dialect() == Dialect::Postgres {
            if d.id.is_none() {
                let row = PlacedRow {
                    day: i64::from(d.day),
                    fingerprint: d.fingerprint,
                    occurrence: d.occurrence,
                    member: d.member,
                    household: d.household,
                    category: d.category,
                    goods: d.goods,
                    cash: d.cash,
                    note: d.note.map(str::to_string),
                };
                return Ok(self.placed.push(self.conn, row)?);
            }
            self.end_placed()?;
        }
        let settled = self.settle_placed(d);
        self.counted(settled)
    }

    /// Settle the deliveries staged at their places on PostgreSQL: before
    /// a delivery with an id is written, so that keys are given in the
    /// order the rows come, as a row at a time gives them on SQLite; and
    /// at the end of each line ([`Writer::end_file`]).
    pub fn end_placed(&mut self) -> Result<()> {
        if self.placed.is_empty() {
            return Ok(());
        }
        let settled = self.placed.settle(self.conn, self.command, self.ledger)?;
        if self.ledger != 0 {
            for &key in &settled.keys {
                self.saw(Kind::Deliveries, key);
            }
        }
        self.tally.new += settled.new;
        self.tally.unchanged += settled.unchanged;
        Ok(())
    }

    fn settle_placed(&mut self, d: &Placed<'_>) -> Result<Outcome, WriteError> {
        let stored: Option<i64> = match d.id {
            Some(id) => {
                self.conn
                    .query_opt("SELECT key FROM deliveries WHERE id = ?1", args![id], |r| {
                        r.get(0)
                    })?
            }
            None => self.placed_at(d, d.occurrence)?,
        };
        let (key, outcome) = match stored {
            Some(key) => (key, Outcome::Unchanged),
            None => (self.insert_placed(d)?, Outcome::New),
        };
        self.hold(Kind::Deliveries, key)?;
        Ok(outcome)
    }

    /// The delivery stored at `d`'s day and fingerprint, at `occurrence`.
    fn placed_at(&self, d: &Placed<'_>, occurrence: i64) -> Result<Option<i64>> {
        self.conn.query_opt(
            "SELECT key FROM deliveries WHERE day = ?1 AND fingerprint = ?2 AND occurrence = ?3",
            args![d.day, d.fingerprint, occurrence],
            |r| r.get(0),
        )
    }

    /// Insert a delivery at its place (found free); one with an id whose
    /// place another id's row takes goes to the next free occurrence below
    /// it. The place is asked before the insert, not found by a conflict:
    /// a PostgreSQL insert that meets one has used up a key.
    fn insert_placed(&mut self, d: &Placed<'_>) -> Result<i64> {
        let mut occurrence = d.occurrence;
        if d.id.is_some() {
            while self.placed_at(d, occurrence)?.is_some() {
                occurrence = occurrence.min(1) - 1;
            }
        }
        self.insert(
            "INSERT INTO deliveries
             (day, fingerprint, occurrence, id, member, household, category, goods, cash, note,
              added, ledger)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            args![
                d.day,
                d.fingerprint,
                occurrence,
                d.id,
                d.member,
                d.household,
                d.category,
                d.goods,
                d.cash,
                d.note,
                self.command,
                super::deliveries::own_hold(self.ledger)
            ],
        )
    }

    /// A household or member no ledger of the other file holds: one the
    /// target has stays as it is (unchanged, `false`), a new one is
    /// inserted as the other file has it, removed or not, held by no
    /// ledger (`true`: its history comes along).
    pub fn unheld_record(&mut self, record: &Unheld<'_>) -> Result<bool, WriteError> {
        let (kind, id) = match record {
            Unheld::Household { id, .. } => (Kind::Households, *id),
            Unheld::Member { id, .. } => (Kind::Members, *id),
        };
        if self.key_of(kind, id).is_some() {
            self.counted(Ok(Outcome::Unchanged))?;
            return Ok(false);
        }
        match record {
            Unheld::Household {
                id,
                head,
                id_number,
                rest,
                removed,
            } => {
                if let Some(number) = id_number.filter(|n| self.id_numbers.contains_key(*n)) {
                    let other = self.id_numbers.get(number).copied().unwrap_or_default();
                    let other =
                        (self.refs.households.id_of.get(&other).cloned()).unwrap_or_default();
                    let masked = crate::report::mask::id_number(number, false);
                    let taken = crate::i18n::store::StoreMsg::IdNumberTaken { masked, other };
                    let field = crate::input::headers::Field::IdNumber;
                    return Err(self.rejected(field, taken));
                }
                let key = self.insert(
                    "INSERT INTO households
                     (id, head, id_number, township, village, size, cause, status, lifted_on,
                      phone, removed, added)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    args![
                        id,
                        head,
                        id_number,
                        rest[0],
                        rest[1],
                        rest[2],
                        rest[3],
                        rest[4],
                        rest[5],
                        rest[6],
                        removed,
                        self.command
                    ],
                )?;
                std::sync::Arc::make_mut(&mut self.refs.households).insert(key, id, head);
                if let Some(number) = id_number {
                    self.id_numbers.insert(number.to_string(), key);
                }
            }
            Unheld::Member {
                id,
                name,
                unit,
                role,
                phone,
                removed,
            } => {
                let key = self.insert(
                    "INSERT INTO members (id, name, unit, role, phone, removed, added)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![id, name, unit, role, phone, removed, self.command],
                )?;
                std::sync::Arc::make_mut(&mut self.refs.members).insert(key, id, name);
            }
        }
        self.counted(Ok(Outcome::New))?;
        Ok(true)
    }

    /// Carry the other file's history of field `field` of record `key`
    /// (`changes`: its rows in the order they hold) into this import. The
    /// history keeps one row a field and import, so the changes come as
    /// one: from the first one's old value to the last one's new, holding
    /// from the last one's day (a field the other file changed twice keeps
    /// only its latest change's date). Nothing is written when the target
    /// already knows the field took that new value on that day (the same
    /// change, whichever import brought it: so a merge again adds nothing).
    /// When the writer changed the field in this import (the target's
    /// value was another), that row stays (its old value is what undo puts
    /// back) and takes the other file's day, unless the target dates a
    /// change of the field after it. A record this import added gets the
    /// row; one the target had with the field's value already keeps its
    /// own history (a row there would undo to another value than it had).
    /// Whether several changes came as one row.
    pub fn carry_history(
        &mut self,
        kind: Kind,
        key: i64,
        field: &str,
        changes: &[Change],
    ) -> Result<bool> {
        let (Some((_, first_old, _)), Some((day, _, new))) = (changes.first(), changes.last())
        else {
            return Ok(false);
        };
        let several = changes.len() > 1;
        let kind = kind as i64;
        let known: Vec<(i64, i32, Value)> = self.conn.collect(
            "SELECT command, day, new FROM history WHERE kind = ?1 AND record = ?2 AND field = ?3",
            args![kind, key, field],
            |r| Ok((r.get(0)?, r.get(1)?, stored(r.cell(2)?))),
        )?;
        if known.iter().any(|(_, d, n)| d == day && same(n, new)) {
            return Ok(false);
        }
        if known.iter().any(|(c, _, _)| *c == self.command) {
            let latest_other = known
                .iter()
                .filter(|(c, _, _)| *c != self.command)
                .map(|(_, d, _)| *d)
                .max();
            if latest_other.is_none_or(|latest| latest <= *day) {
                self.conn.execute(
                    "UPDATE history SET day = ?5
                     WHERE kind = ?1 AND record = ?2 AND field = ?3 AND command = ?4",
                    args![kind, key, field, self.command, day],
                )?;
                return Ok(several);
            }
            return Ok(false);
        }
        let table = match kind {
            0 => "households",
            _ => "members",
        };
        let added: i64 = self.conn.value(
            &format!("SELECT added FROM {table} WHERE key = ?1"),
            args![key],
        )?;
        if added != self.command || same(first_old, new) {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT INTO history (kind, record, field, command, day, old, new)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![kind, key, field, self.command, day, first_old, new],
        )?;
        Ok(several)
    }
}

/// Whether two history values are one value: SQLite keeps a number as a
/// number, a server's history keeps every value as text.
fn same(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::Integer(n) => Some(n.to_string()),
        Value::Real(x) => Some(x.to_string()),
        Value::Text(t) => Some(t.clone()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    };
    text(a) == text(b)
}
