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
//! A pair looks like a sheet and its copy where they share rows, their
//! rows are not the same, and a row one lists alone is dated within the
//! other's first and last day ([`Shared::inside`]: a corrected amount
//! keeps its day, a deleted row leaves a gap) — and their names are a
//! sheet's and its copy's (三月.csv and 三月(修改).csv, 三月 - 副本.csv,
//! 三月(1).csv: [`copy_stem`]), or, whatever the names, at least half the
//! rows of each are shared. Exports of overlapping date ranges and a sheet
//! grown by a month differ only outside each other's days; a second
//! download is the same; the next month shares nothing: none is warned of.

use super::ledgers::{refuse_or_warn, then};
use super::{ImportOptions, ImportReport};
use crate::i18n::import::ImportMsg;
use crate::input::headers::Kind;
use crate::store::write::{Overlap, Shared, Writer};

/// Warn of (or refuse) each file of deliveries or pairings that looks like
/// another file of its ledger and kind in this import, corrected, or the
/// other way round. (Pairings have no day of their own: any row one lists
/// alone counts as inside.)
pub fn in_one_ledger(writer: &Writer<'_>, options: &ImportOptions, report: &mut ImportReport) {
    let refuse = options.replace && !options.force;
    let mut found = Vec::new();
    for file in report.files.iter() {
        if !matches!(file.kind, Some(Kind::Deliveries | Kind::Pairings)) {
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
            then: then(writer, options, report.files.len(), refuse),
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
    let mine = listed.saturating_sub(shared.shared);
    let theirs = shared.listed.saturating_sub(shared.shared);
    if shared.shared == 0 || mine == 0 && theirs == 0 || !shared.inside {
        return false;
    }
    let stem = copy_stem(name);
    if !stem.is_empty() && stem == copy_stem(earlier) {
        return true;
    }
    shared.shared * 2 >= listed.max(shared.listed)
}

/// What a copy's name adds to its sheet's, as Windows, WPS, a browser or a
/// clerk writes it: `三月(1)`, `三月 - 副本`, `三月(修改)`, `三月修改版`,
/// `三月_改`, `三月（更正）`, `三月 v2`.
const COPY_WORDS: [&str; 36] = [
    "副本",
    "复件",
    "修改版",
    "修改后",
    "修改",
    "已修改",
    "已改",
    "改后",
    "改正后",
    "改正",
    "改",
    "更正版",
    "更正后",
    "更正",
    "修正版",
    "修正",
    "修订版",
    "修订",
    "更新版",
    "更新后",
    "已更新",
    "更新",
    "调整后",
    "调整",
    "最新版",
    "最新",
    "最终版",
    "最终",
    "终版",
    "定稿",
    "新版",
    "正确",
    "核对",
    "copy",
    "new",
    "final",
];

/// What a copy's name puts before its sheet's (Windows XP's 复件 三月.csv,
/// an English system's Copy of 三月.csv).
const COPY_PREFIXES: [&str; 4] = ["复件", "副本", "copy of", "copy"];

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
    for prefix in COPY_PREFIXES {
        if let Some(rest) = stem.strip_prefix(prefix) {
            if rest.starts_with(separators) || !prefix.is_ascii() && !rest.is_empty() {
                stem = rest.trim_start_matches(separators).to_string();
                break;
            }
        }
    }
    loop {
        let trimmed = stem.trim_end_matches(separators).len();
        stem.truncate(trimmed);
        // 三月份: the month is the same.
        if stem.ends_with("月份") {
            stem.truncate(stem.len() - "份".len());
        }
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
        // `三月 v2`: a version number after a separator; `三月 副本 2`
        // (a Mac's second copy): a number after a copy word.
        let last = stem.rsplit(separators).next().unwrap_or("");
        let rest = stem[..stem.len() - last.len()].trim_end_matches(separators);
        let numbered = !last.is_empty() && last.chars().all(|c| c.is_ascii_digit());
        let after_word = numbered && COPY_WORDS.iter().any(|w| rest.ends_with(w));
        if last.len() < stem.len() && (last.starts_with('v') && added(last) || after_word) {
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
            "三月修改后.csv",
            "三月 副本 2.csv",
            "三月(已更新).csv",
            "三月-改正.csv",
            "Copy of 三月.csv",
            "复件 三月.csv",
            "三月份更新.csv",
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
        let pair = |listed, shared, inside| Shared {
            file: 0,
            listed,
            shared,
            inside,
        };
        let shared = |listed, shared| pair(listed, shared, true);
        let outside = |listed, shared| pair(listed, shared, false);
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
        // Named otherwise: half or more of both shared.
        assert!(looks_like_copy("新表.csv", 4, "旧表.csv", &shared(4, 3)));
        assert!(looks_like_copy("新表.csv", 2, "旧表.csv", &shared(2, 1)));
        assert!(looks_like_copy("新表.csv", 4, "旧表.csv", &shared(5, 4)));
        assert!(!looks_like_copy("新表.csv", 4, "旧表.csv", &shared(5, 2)));
        // Different only outside each other's days: overlapping date
        // ranges, a sheet grown by a month, even named alike.
        assert!(!looks_like_copy(
            "导出0305-0326.csv",
            22,
            "导出0301-0322.csv",
            &outside(22, 18)
        ));
        assert!(!looks_like_copy(
            "4月/帮扶记录.csv",
            5,
            "3月/帮扶记录.csv",
            &outside(4, 4)
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
