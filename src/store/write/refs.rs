//! References (SPEC §3.2): a member reference is a member's id or,
//! failing that, exactly one member's name; a household reference a
//! household's id or exactly one head. Resolved from in-memory maps loaded
//! once per import and kept up to date as rosters are written, so a million
//! deliveries cost a million hash lookups, not a million queries.

use super::super::ids::IdTable;
use crate::records::CellProblem;
use crate::values::clean;
use rusqlite::Connection;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Ids and names of one kind of record, for resolving references.
#[derive(Default, Clone)]
pub(super) struct Index {
    pub by_id: IdTable,
    by_name: HashMap<String, Vec<i64>>,
    pub id_of: HashMap<i64, String>,
}

impl Index {
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

    /// By id; failing that, by exactly one name. The key and the id.
    fn resolve<'s>(
        &'s self,
        reference: &'s str,
        what: &str,
        name_word: &str,
    ) -> Result<Found<'s>, String> {
        if let Some(key) = self.by_id.get(reference) {
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
pub(super) type Found<'s> = (i64, &'s str);

/// The households and members stored so far, for resolving references.
/// Cheap to clone: while a pairings or deliveries file is read (which adds
/// no household or member), the reading thread resolves its rows' references
/// with a clone, so the writing thread only writes.
#[derive(Clone, Default)]
pub struct Refs {
    pub(super) households: Arc<Index>,
    pub(super) members: Arc<Index>,
}

impl Refs {
    /// The households and members stored, and the households by ID number.
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<(Refs, HashMap<String, i64>)> {
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
        let refs = Refs {
            households: Arc::new(households),
            members: Arc::new(members),
        };
        Ok((refs, id_numbers))
    }

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

    /// Have the table entries of a member and a household id fetched into
    /// the processor's cache, to be looked up a little later
    /// ([`IdTable::prefetch`]).
    pub fn prefetch(&self, member: &str, household: &str) {
        self.members.by_id.prefetch(member);
        self.households.by_id.prefetch(household);
    }

    /// A member reference and a household reference — keys and ids — or
    /// the problems of either or both.
    pub(super) fn pair<'s>(
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
}
