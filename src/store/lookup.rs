//! The one rule for a reference (contract §3.2), for the import's references
//! and the command line's (`--member`, `--household`, `show`): a record's
//! id; failing that, exactly one record's name (a member's name, a
//! household's head). No match is a problem that names the nearest
//! records ([`crate::values::nearest`], the rule the command line's filters
//! use too) and, where the roster row the reference means was rejected,
//! that row; several matches one that names the candidates.

use crate::i18n::store::{StoreMsg, Suggestion};
use crate::values::nearest::{self, Key};
use crate::values::personal::numbers_in;

/// Which kind of record a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    Household,
    Member,
}

/// A roster row that a file of this import had but that was rejected: a
/// reference to it says so instead of "no such record".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    /// Why it was rejected: the row's problems.
    pub why: Vec<crate::records::CellProblem>,
}

/// Records a reference can name.
pub trait Named {
    type Key: Copy;
    fn kind(&self) -> RefKind;
    /// The record whose id is `id`.
    fn by_id(&self, id: &str) -> Option<Self::Key>;
    /// The records whose name is `name`.
    fn by_name(&self, name: &str) -> impl AsRef<[Self::Key]>;
    fn id_of(&self, key: Self::Key) -> &str;
    /// Every record's id and name, for the nearest ones to a reference
    /// that matches none.
    fn records(&self) -> impl Iterator<Item = (&str, &str)>;
    /// Whether suggestions may still be looked for (each costs a pass over
    /// every name; an import asks for the first misses only).
    fn may_suggest(&self) -> bool {
        true
    }
    /// The rejected roster row of this id or name, if any.
    fn rejected(&self, _reference: &str) -> Option<&RejectedRow> {
        None
    }
    /// The one township whose households these are, when a server's
    /// login held to it reads them: a reference that matches none of
    /// them may name another township's household, out of this login's
    /// sight, and is said so, with no suggestion from its own township
    /// (which would book another township's row on one of its own).
    fn township(&self) -> Option<&str> {
        None
    }
    /// For such a login: the township a household of this id that was in
    /// its township is in now, if the district moved it away.
    fn moved_to(&self, _id: &str) -> Option<&str> {
        None
    }
}

/// How a reference matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Id,
    Name,
}

/// By id; failing that, by exactly one name.
pub fn resolve<N: Named>(records: &N, reference: &str) -> Result<(N::Key, By), StoreMsg> {
    if let Some(key) = records.by_id(reference) {
        return Ok((key, By::Id));
    }
    let named = records.by_name(reference);
    match named.as_ref() {
        [key] => Ok((*key, By::Name)),
        [] => Err(no_match(records, reference)),
        keys => {
            let mut ids: Vec<String> = keys.iter().map(|&k| records.id_of(k).to_string()).collect();
            ids.sort_unstable();
            Err(StoreMsg::SeveralNamed {
                kind: records.kind(),
                reference: reference.to_string(),
                ids,
            })
        }
    }
}

fn no_match<N: Named>(records: &N, reference: &str) -> StoreMsg {
    let kind = records.kind();
    if let Some(row) = records.rejected(reference) {
        return StoreMsg::OnRejectedRow {
            kind,
            reference: reference.to_string(),
            row: row.clone(),
        };
    }
    if let Some(township) = records.township().filter(|_| kind == RefKind::Household) {
        if let Some(now) = records.moved_to(reference) {
            return StoreMsg::MovedAway {
                household: reference.to_string(),
                now: now.to_string(),
                own: township.to_string(),
                reference: true,
            };
        }
        return StoreMsg::NotInTownship {
            reference: reference.to_string(),
            township: township.to_string(),
        };
    }
    // No name is near a value that looks like an ID or phone number (and
    // none is worth a pass over every name). The value itself is echoed
    // as given: what prints it masks it, unless --reveal.
    let number = matches!(numbers_in(reference), std::borrow::Cow::Owned(_));
    let nearest = if !number && records.may_suggest() {
        nearest(reference, records.records())
    } else {
        Vec::new()
    };
    StoreMsg::NoSuch {
        kind,
        reference: reference.to_string(),
        nearest,
    }
}

/// The records nearest to `reference` by id or by name
/// ([`nearest::nearest`]).
fn nearest<'a>(
    reference: &str,
    records: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<Suggestion> {
    let all: Vec<(&str, &str)> = records.collect();
    nearest::nearest(&all, reference, |&(id, name)| {
        [Key::Id(id), Key::Name(name)]
    })
    .into_iter()
    .map(|&(id, name)| Suggestion {
        id: id.to_string(),
        name: name.to_string(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_records_are_named_by_id_and_name() {
        let records = [("M1", "刘建国"), ("M2", "王芳"), ("M3", "李四")];
        let ids = |found: Vec<Suggestion>| found.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(nearest("刘建图", records.into_iter())), ["M1"]);
        assert_eq!(
            ids(nearest("赵六", records.into_iter())),
            Vec::<String>::new()
        );
    }
}
