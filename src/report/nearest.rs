//! "Did you mean …": the names nearest to one that matched nothing, for the
//! message that refuses it (a filter value, a household or member
//! reference). Near means that at most half of the characters differ (edit
//! distance over characters, so that one Chinese character counts one; case
//! ignored), or that one holds the other (`工农` and `工农乡`).

/// At most this many suggestions.
pub const MOST: usize = 3;

/// How far `candidate` is from `wanted`, if it is near.
pub fn distance(wanted: &str, candidate: &str) -> Option<usize> {
    let (wanted, candidate) = (wanted.to_lowercase(), candidate.to_lowercase());
    if wanted.is_empty() || candidate.is_empty() {
        return None;
    }
    let edits = strsim::levenshtein(&wanted, &candidate);
    let longer = wanted.chars().count().max(candidate.chars().count());
    let near = edits * 2 <= longer || candidate.contains(&wanted) || wanted.contains(&candidate);
    near.then_some(edits)
}

/// The items (at most [`MOST`]) whose `keys` (an id, a name …) come
/// nearest to `wanted`, nearest first; ties keep the order of `items`.
pub fn nearest<'a, T, const N: usize>(
    items: impl IntoIterator<Item = &'a T>,
    wanted: &str,
    keys: impl Fn(&'a T) -> [&'a str; N],
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
        assert_eq!(distance("张3", "张三"), Some(1));
        assert_eq!(distance("工农", "工农乡"), Some(1));
        assert_eq!(distance("h1", "H1"), Some(0));
        assert_eq!(distance("赵六6", "赵六"), Some(1));
        assert_eq!(distance("无此乡", "工农乡"), None);
        assert_eq!(distance("李四", "王五"), None);
        assert_eq!(distance("", "王五"), None);
    }

    #[test]
    fn the_nearest_come_first_and_at_most_three() {
        let names = ["H10", "H2", "H1", "H11", "王五"];
        let got = nearest(&names, "H1", |n| [*n]);
        assert_eq!(got, [&"H1", &"H10", &"H2"]);
        let pairs = [("H1", "张三"), ("H2", "李四")];
        assert_eq!(nearest(&pairs, "李斯", |p| [p.0, p.1]), [&("H2", "李四")]);
        assert!(nearest(&pairs, "无此人", |p| [p.0, p.1]).is_empty());
    }
}
