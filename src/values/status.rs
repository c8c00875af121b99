//! Whether a household is still poor, has been lifted out of poverty, or
//! has been removed from the roster.
//!
//! The status decides who shows up in `unpaired` and in the "lifted" count
//! of the summary; clerks write it in English or in one of several Chinese
//! phrasings, which this module reads into three values.

use std::str::FromStr;

use super::text::{clean, redact, without_whitespace};
use super::ValueError;

/// A household's poverty status; `Poor` unless stated otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    /// 贫困: not yet lifted out of poverty.
    #[default]
    Poor,
    /// 已脱贫: lifted out of poverty.
    Lifted,
    /// 销户: no longer on the roster; kept for its past deliveries.
    Removed,
}

impl Status {
    /// All three, in storage order.
    pub const ALL: [Status; 3] = [Status::Poor, Status::Lifted, Status::Removed];

    /// `"poor"`, `"lifted"` or `"removed"`.
    pub fn key(self) -> &'static str {
        match self {
            Status::Poor => "poor",
            Status::Lifted => "lifted",
            Status::Removed => "removed",
        }
    }

    /// `"贫困"`, `"已脱贫"` or `"销户"`.
    pub fn zh(self) -> &'static str {
        match self {
            Status::Poor => "贫困",
            Status::Lifted => "已脱贫",
            Status::Removed => "销户",
        }
    }

    /// 0 for poor, 1 for lifted, 2 for removed, for storage.
    pub fn index(self) -> u8 {
        match self {
            Status::Poor => 0,
            Status::Lifted => 1,
            Status::Removed => 2,
        }
    }

    /// The status stored as `i`.
    pub fn from_index(i: u8) -> Option<Status> {
        Status::ALL.get(usize::from(i)).copied()
    }

    /// Reads a status: folds full-width forms, trims, drops a leading `'`,
    /// removes inner spaces; then `poor` (any case), 贫困, 未脱贫, 贫困户,
    /// 返贫; `lifted`, 已脱贫, 脱贫, 脱贫户, 稳定脱贫; or `removed`, 销户,
    /// 注销, 自然减少 (contract §2). An empty cell is
    /// [`ValueError::Empty`]; the caller decides the default.
    pub fn parse(s: &str) -> Result<Status, ValueError> {
        let cleaned = clean(s);
        let t = without_whitespace(&cleaned).to_lowercase();
        match t.as_str() {
            "" => Err(ValueError::Empty),
            "poor" | "贫困" | "未脱贫" | "贫困户" | "返贫" | "返贫户" => {
                Ok(Status::Poor)
            }
            "lifted" | "已脱贫" | "脱贫" | "脱贫户" | "稳定脱贫" => Ok(Status::Lifted),
            "removed" | "销户" | "注销" | "自然减少" => Ok(Status::Removed),
            _ => Err(ValueError::UnknownStatus(redact(&cleaned))),
        }
    }
}

/// Whether a status cell says 返贫 — back in poverty after being lifted
/// out of it: poor, with the day it was lifted kept (contract §2).
pub fn back_in_poverty(s: &str) -> bool {
    let cleaned = clean(s);
    matches!(&*without_whitespace(&cleaned), "返贫" | "返贫户")
}

impl FromStr for Status {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Status, ValueError> {
        Status::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_every_spelling_of_poor() {
        for s in [
            "poor",
            "Poor",
            "POOR",
            "贫困",
            "未脱贫",
            "贫困户",
            "返贫",
            " 贫 困 ",
            "ｐｏｏｒ",
        ] {
            assert_eq!(Status::parse(s), Ok(Status::Poor), "{s}");
        }
    }

    #[test]
    fn tells_back_in_poverty_from_other_spellings_of_poor() {
        assert!(back_in_poverty(" 返贫 "));
        assert!(back_in_poverty("返贫户"));
        assert!(!back_in_poverty("贫困"));
        assert_eq!(Status::parse("返贫户"), Ok(Status::Poor));
    }

    #[test]
    fn reads_every_spelling_of_lifted() {
        for s in [
            "lifted",
            "Lifted",
            "LIFTED",
            "已脱贫",
            "脱贫",
            "稳定脱贫",
            "脱贫户",
            "'已脱贫",
        ] {
            assert_eq!(Status::parse(s), Ok(Status::Lifted), "{s}");
        }
    }

    #[test]
    fn reads_every_spelling_of_removed() {
        for s in ["removed", "Removed", "销户", "注销", "自然减少"] {
            assert_eq!(Status::parse(s), Ok(Status::Removed), "{s}");
        }
    }

    #[test]
    fn rejects_unknown_statuses_naming_every_choice() {
        let err = Status::parse("待定");
        assert_eq!(err, Err(ValueError::UnknownStatus("待定".into())));
        let msg = err.map(|_| ()).unwrap_err().to_string();
        for s in Status::ALL {
            assert!(msg.contains(s.key()), "{msg}");
        }
    }

    #[test]
    fn rejects_an_empty_cell_as_empty() {
        assert_eq!(Status::parse(""), Err(ValueError::Empty));
    }

    #[test]
    fn has_keys_chinese_names_and_indexes() {
        assert_eq!((Status::Poor.key(), Status::Poor.zh()), ("poor", "贫困"));
        assert_eq!(
            (Status::Lifted.key(), Status::Lifted.zh()),
            ("lifted", "已脱贫")
        );
        for s in Status::ALL {
            assert_eq!(Status::from_index(s.index()), Some(s));
        }
        assert_eq!(Status::from_index(3), None);
        assert_eq!(Status::default(), Status::Poor);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Status::parse(&s);
        }
    }
}
