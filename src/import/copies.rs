//! A sheet and its corrected copy given together into one ledger
//! (`import --ledger 三月 台账/*.csv`, the folder holding 三月.csv and
//! 三月(修改).csv): the files of one ledger in one command are one version
//! of it (contract §8), so a corrected row is counted beside the row it
//! corrects, and a row the copy deletes is counted still — with exit 0
//! (clerk review, session 19, F2; attacker review, session 20). The writer
//! counts what each file of deliveries shares with every earlier one of
//! its ledger ([`Overlap`]); here the pairs that look like a sheet and its
//! copy are warned of (or, with `--replace`, refused unless forced). Which
//! of the two is the corrected one is not known, so the message says how
//! to go back, not which to keep.
//!
//! A pair looks like a sheet and its copy where their names do (三月.csv
//! and 三月(修改).csv, 三月 - 副本.csv, 三月(1).csv: [`copy_stem`]) and
//! their rows are not the same; or, whatever their names, where most rows
//! of both are shared and each lists rows the other does not. Exports of
//! overlapping date ranges share a part of one file; a second download
//! shares all of it; the next month shares nothing: none is warned of.

use super::ledgers::{refuse_or_warn, then};
use super::{ImportOptions, ImportReport};
use crate::i18n::import::ImportMsg;
use crate::input::headers::Kind;
use crate::store::write::{Overlap, Shared, Writer};

/// Warn of (or refuse) each file of deliveries that looks like another
/// file of its ledger in this import, corrected, or the other way round.
pub fn in_one_ledger(writer: &Writer<'_>, options: &ImportOptions, report: &mut ImportReport) {
    let refuse = options.replace && !options.force;
    let mut found = Vec::new();
    for file in report.files.iter() {
        if file.kind != Some(Kind::Deliveries) {
            continue;
        }
        let Overlap { listed, with, .. } = &file.overlap;
        let earlier_name = |number: u32| {
            let mut files = report.files.iter();
            let earlier = files.find(|f| f.overlap.file == Some(number));
            earlier.map(|f| f.name.as_str())
        };
        let pair = with
            .iter()
            .filter_map(|shared| Some((shared, earlier_name(shared.file)?)))
            .filter(|(shared, earlier)| looks_like_copy(&file.name, *listed, earlier, shared))
            .max_by_key(|(shared, _)| shared.shared);
        let Some((shared, earlier)) = pair else {
            continue;
        };
        let message = ImportMsg::CopyInLedger {
            ledger: file.ledger.clone(),
            file: earlier.to_string(),
            shared: shared.shared,
            rows: *listed,
            theirs: shared.listed,
            then: then(writer, options, refuse),
        };
        found.push((file.name.clone(), message));
    }
    for (file, message) in found {
        refuse_or_warn(report, refuse, file, message);
    }
}

/// Whether file `name`, listing `listed` deliveries, and the earlier file
/// `earlier` ([`Shared`]) look like a sheet and its copy, one of them
/// corrected: see the module's words.
fn looks_like_copy(name: &str, listed: u64, earlier: &str, shared: &Shared) -> bool {
    let (mine, theirs) = (listed - shared.shared, shared.listed - shared.shared);
    if shared.shared == 0 || mine == 0 && theirs == 0 {
        return false;
    }
    let stem = copy_stem(name);
    if !stem.is_empty() && stem == copy_stem(earlier) {
        return true;
    }
    mine > 0 && theirs > 0 && shared.shared * 2 > listed.max(shared.listed)
}

/// What a copy's name adds to its sheet's, as Windows, WPS, a browser or a
/// clerk writes it: `三月(1)`, `三月 - 副本`, `三月(修改)`, `三月修改版`,
/// `三月_改`, `三月（更正）`, `三月 v2`.
const COPY_WORDS: [&str; 22] = [
    "副本",
    "修改版",
    "修改",
    "已修改",
    "已改",
    "改",
    "更正版",
    "更正",
    "修正版",
    "修正",
    "修订版",
    "修订",
    "最新版",
    "最新",
    "最终版",
    "最终",
    "终版",
    "新版",
    "正确",
    "核对",
    "copy",
    "new",
];

/// A file's name without its folder, extension and what a copy's name
/// adds ([`COPY_WORDS`], a number in brackets, `v2`), lower-cased: the same
/// for 三月.csv, 三月(1).csv and 三月 - 副本.xlsx.
pub fn copy_stem(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match file.rfind('.') {
        Some(dot) if dot > 0 => &file[..dot],
        _ => file,
    };
    let mut stem: String = stem
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let separators = |c: char| c.is_whitespace() || "-_.·—~".contains(c);
    let added = |word: &str| {
        COPY_WORDS.contains(&word)
            || !word.is_empty() && word.chars().all(|c| c.is_ascii_digit())
            || word
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    loop {
        let trimmed = stem.trim_end_matches(separators).len();
        stem.truncate(trimmed);
        if let Some(open) = stem.strip_suffix(')').and_then(|s| s.rfind('(')) {
            if added(&stem[open + 1..stem.len() - 1]) {
                stem.truncate(open);
                continue;
            }
        }
        let word = COPY_WORDS
            .iter()
            .find(|w| stem.ends_with(*w) && stem.len() > w.len());
        if let Some(word) = word {
            stem.truncate(stem.len() - word.len());
            continue;
        }
        // `三月 v2`: a version number after a separator.
        let last = stem.rsplit(separators).next().unwrap_or("");
        if last.len() < stem.len() && last.starts_with('v') && added(last) {
            stem.truncate(stem.len() - last.len());
            continue;
        }
        break;
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_has_the_stem_of_its_sheet() {
        for name in [
            "台账/三月.csv",
            "三月(1).csv",
            "三月（2）.xlsx",
            "三月 - 副本.csv",
            "三月(修改).csv",
            "三月修改版.csv",
            "三月_改.csv",
            "三月（更正）.csv",
            "三月 v2.csv",
            "三月(1) - 副本.csv",
            r"D:\台账\三月最终版.xls",
        ] {
            assert_eq!(copy_stem(name), "三月", "{name}");
        }
        assert_eq!(copy_stem("2003-03.csv"), "2003-03");
        assert_eq!(copy_stem("2003-03-25至04-20.csv"), "2003-03-25至04-20");
        assert_eq!(copy_stem("帮扶记录(王芳).csv"), "帮扶记录(王芳)");
        assert_eq!(copy_stem("整改.csv"), copy_stem("整改(1).csv"));
        assert_ne!(copy_stem("整改.csv"), copy_stem("三月.csv"));
        assert_eq!(copy_stem("Report NEW.CSV"), "report");
    }

    #[test]
    fn a_pair_is_a_copy_by_its_names_or_by_most_rows_shared_both_ways() {
        let shared = |listed, shared| Shared {
            file: 0,
            listed,
            shared,
        };
        // Named alike: any difference, either way.
        assert!(looks_like_copy(
            "三月(修改).csv",
            2,
            "三月.csv",
            &shared(2, 1)
        ));
        assert!(looks_like_copy(
            "三月(修改).csv",
            3,
            "三月.csv",
            &shared(4, 3)
        ));
        assert!(looks_like_copy(
            "三月(修改).csv",
            5,
            "三月.csv",
            &shared(4, 4)
        ));
        // The same rows: a second download, harmless.
        assert!(!looks_like_copy(
            "三月(1).csv",
            4,
            "三月.csv",
            &shared(4, 4)
        ));
        // Named otherwise: most of both shared, each with rows of its own.
        assert!(looks_like_copy("新表.csv", 4, "旧表.csv", &shared(4, 3)));
        assert!(!looks_like_copy("新表.csv", 4, "旧表.csv", &shared(4, 2)));
        // Overlapping date ranges: a part of one.
        assert!(!looks_like_copy(
            "2003-03-25至04-20.csv",
            9,
            "2003-03.csv",
            &shared(16, 6)
        ));
        // A sheet grown by a month, or within another.
        assert!(!looks_like_copy(
            "三至四月.csv",
            5,
            "三月.csv",
            &shared(4, 4)
        ));
        assert!(!looks_like_copy(
            "四月.csv",
            1,
            "三至四月.csv",
            &shared(5, 1)
        ));
        assert!(!looks_like_copy("四月.csv", 1, "三月.csv", &shared(4, 0)));
    }
}
