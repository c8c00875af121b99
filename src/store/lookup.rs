//! The one rule for a reference (SPEC §3.2), for the import's references
//! and the command line's (`--member`, `--household`, `show`): a record's
//! id; failing that, exactly one record's name (a member's name, a
//! household's head). No match is a problem that names the nearest names
//! and, where the roster row the reference means was rejected, that row;
//! several matches one that names the candidates.

use crate::i18n::store::StoreMsg;
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
    /// Why it was rejected, as the import said it.
    pub why: String,
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
    /// Every name, for the nearest ones to a reference that matches none.
    fn names(&self) -> impl Iterator<Item = &str>;
    /// Whether suggestions may still be looked for (each costs a pass over
    /// every name; an import asks for the first misses only).
    fn may_suggest(&self) -> bool {
        true
    }
    /// The rejected roster row of this id or name, if any.
    fn rejected(&self, _reference: &str) -> Option<&RejectedRow> {
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
    // No name is near a value that looks like an ID or phone number (and
    // none is worth a pass over every name). The value itself is echoed
    // as given: what prints it masks it, unless --reveal.
    let number = matches!(numbers_in(reference), std::borrow::Cow::Owned(_));
    let nearest = if !number && records.may_suggest() {
        nearest(reference, records.names())
    } else {
        Vec::new()
    };
    StoreMsg::NoSuch {
        kind,
        reference: reference.to_string(),
        nearest,
    }
}

/// At most this many names suggested.
const SUGGESTIONS: usize = 3;

/// The names nearest to `reference` by edit distance (over characters, so
/// that one wrong character of a Chinese name is one edit): at most one
/// edit away for names of up to three characters, two for longer ones;
/// nearest first, then in code point order.
fn nearest<'a>(reference: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let length = reference.chars().count();
    let most = if length <= 3 { 1 } else { 2 };
    let mut found: Vec<(usize, &str)> = names
        .filter(|name| name.chars().count().abs_diff(length) <= most)
        .filter_map(|name| {
            let distance = strsim::levenshtein(reference, name);
            (distance > 0 && distance <= most).then_some((distance, name))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    found
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_names_are_one_character_away_for_short_names() {
        let names = ["刘建国", "刘建军", "王芳", "李四", "张三丰"];
        assert_eq!(nearest("刘建图", names.into_iter()), ["刘建军", "刘建国"]);
        assert_eq!(nearest("赵六", names.into_iter()), Vec::<String>::new());
        assert_eq!(nearest("李五", names.into_iter()), ["李四"]);
    }
}
