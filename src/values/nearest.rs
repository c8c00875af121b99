//! "Did you mean …": the names nearest to one that matched nothing, for the
//! message that refuses it (a filter value, a household or member
//! reference). Near means, by edit distance over characters (one Chinese
//! character counts one; case ignored), that at most half of a name's
//! characters differ (`李斯` for `李四`) and at most a third of an id's
//! (`H0012` for `H0011`, but not `H2` for `H1`: another record, not a
//! typo), or that one holds the other (`工农` and `工农乡`).

/// At most this many suggestions.
pub const MOST: usize = 3;

/// What a candidate is compared by.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// A record's id: near only by a slip of a few characters.
    Id(&'a str),
    /// A name (a head, a township …).
    Name(&'a str),
}

/// How far `candidate` is from `wanted`, if it is near.
pub fn distance(wanted: &str, candidate: Key<'_>) -> Option<usize> {
    let (candidate, most) = match candidate {
        Key::Id(id) => (id, 3),
        Key::Name(name) => (name, 2),
    };
    let (wanted, candidate) = (wanted.to_lowercase(), candidate.to_lowercase());
    if wanted.is_empty() || candidate.is_empty() {
        return None;
    }
    let edits = strsim::levenshtein(&wanted, &candidate);
    let longer = wanted.chars().count().max(candidate.chars().count());
    let near = edits * most <= longer || candidate.contains(&wanted) || wanted.contains(&candidate);
    near.then_some(edits)
}

/// The items (at most [`MOST`]) whose `keys` (an id, a name …) come
/// nearest to `wanted`, nearest first; ties keep the order of `items`.
pub fn nearest<'a, T, const N: usize>(
    items: impl IntoIterator<Item = &'a T>,
    wanted: &str,
    keys: impl Fn(&'a T) -> [Key<'a>; N],
) -> Vec<&'a T> {
    let mut near: Vec<(usize, &T)> = items
        .into_iter()
        .filter_map(|item| {
            let best = keys(item)
                .into_iter()
                .filter_map(|k| distance(wanted, k))
                .min()?;
            Some((best, item))
        })
        .collect();
    near.sort_by_key(|(d, _)| *d);
    near.into_iter().take(MOST).map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_a_typo_or_a_part_away() {
        let name = |wanted, n| distance(wanted, Key::Name(n));
        assert_eq!(name("张3", "张三"), Some(1));
        assert_eq!(name("李斯", "李四"), Some(1));
        assert_eq!(name("工农", "工农乡"), Some(1));
        assert_eq!(name("赵六6", "赵六"), Some(1));
        assert_eq!(name("无此乡", "工农乡"), None);
        assert_eq!(name("李四", "王五"), None);
        assert_eq!(name("", "王五"), None);
    }

    #[test]
    fn near_ids_are_a_slip_away() {
        let id = |wanted, i| distance(wanted, Key::Id(i));
        assert_eq!(id("h1", "H1"), Some(0));
        assert_eq!(id("H0012", "H0011"), Some(1));
        assert_eq!(id("H12", "H1"), Some(1));
        assert_eq!(id("H2", "H1"), None);
        assert_eq!(id("张3", "H3"), None);
    }

    #[test]
    fn the_nearest_come_first_and_at_most_three() {
        let ids = ["H10", "H2", "H1", "H11", "H12", "王五"];
        let got = nearest(&ids, "H1", |n| [Key::Id(n)]);
        assert_eq!(got, [&"H1", &"H10", &"H11"]);
        let pairs = [("H1", "张三"), ("H2", "李四")];
        let keys = |p: &(&'static str, &'static str)| [Key::Id(p.0), Key::Name(p.1)];
        assert_eq!(nearest(&pairs, "李斯", keys), [&("H2", "李四")]);
        assert!(nearest(&pairs, "无此人", keys).is_empty());
    }
}
