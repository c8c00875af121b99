//! A ledger's name (台账, contract §8): every file is imported into one, named
//! by `--ledger NAME` or, without it, by the file's name without its folder
//! and extension — so that a clerk's monthly export of 帮扶记录.xlsx is the
//! same ledger every month, whichever folder it was saved in. One
//! constructor each way, both giving the same cleaned text (NFC, invisible
//! characters out, spaces trimmed), so a name typed at `--ledger` matches
//! the one a file's name gave.

use super::text::clean_text;
use std::fmt;

/// A ledger's name: never empty, cleaned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerName(String);

impl LedgerName {
    /// The name given with `--ledger`; `None` when nothing is left of it,
    /// or it holds a line break or another control character (a name is
    /// printed in tables and messages, one line each).
    pub fn parse(text: &str) -> Option<LedgerName> {
        let name = clean_text(text);
        (!name.is_empty() && !name.chars().any(char::is_control))
            .then(|| LedgerName(name.into_owned()))
    }

    /// The ledger a file of this path goes into without `--ledger`: its
    /// name without folder (`/` or `\`, as paths are written on Linux and
    /// on Windows) and without the last extension. A name that is all
    /// extension (`.csv`) keeps it; an empty path gives `-`.
    pub fn of_path(path: &str) -> LedgerName {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        // A file name may hold control characters; a ledger's name not.
        let name: String = name
            .chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .collect();
        let name = name.as_str();
        let stem = match name.rfind('.') {
            Some(dot) if dot > 0 => &name[..dot],
            _ => name,
        };
        LedgerName::parse(stem)
            .or_else(|| LedgerName::parse(name))
            .unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `-`, the name of a ledger no file gave (as of an empty path).
impl Default for LedgerName {
    fn default() -> LedgerName {
        LedgerName("-".to_string())
    }
}

impl fmt::Display for LedgerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_file_s_ledger_is_its_name_without_folder_and_extension() {
        let of = |p| LedgerName::of_path(p).0;
        assert_eq!(of("帮扶记录.xlsx"), "帮扶记录");
        assert_eq!(of("/home/clerk/台账/帮扶记录.xlsx"), "帮扶记录");
        assert_eq!(of(r"D:\台账\2024\帮扶记录.csv"), "帮扶记录");
        assert_eq!(of("records.2024.csv"), "records.2024");
        assert_eq!(of("README"), "README");
        assert_eq!(of(".csv"), ".csv");
        assert_eq!(of(""), "-");
        assert_eq!(of("dir/"), "-");
        // Decomposed and invisible characters fold as --ledger folds them.
        assert_eq!(
            of("e\u{301}\u{200b}.csv"),
            LedgerName::parse("é").unwrap().0
        );
    }

    #[test]
    fn a_ledger_name_must_say_something_on_one_line() {
        assert_eq!(LedgerName::parse("a\nb"), None);
        assert_eq!(LedgerName::parse("a\u{1b}[31mb"), None);
        assert_eq!(
            LedgerName::of_path("帮扶\n记录.csv").as_str(),
            "帮扶\u{fffd}记录"
        );
        assert_eq!(LedgerName::parse("  "), None);
        assert_eq!(LedgerName::parse("\u{200b}"), None);
        assert_eq!(LedgerName::parse(" 白仓镇 ").unwrap().as_str(), "白仓镇");
    }

    proptest! {
        #[test]
        fn any_path_names_a_ledger_that_parses_to_itself(path in ".*") {
            let name = LedgerName::of_path(&path);
            prop_assert!(!name.as_str().is_empty());
            if name.as_str() != "-" {
                prop_assert_eq!(LedgerName::parse(name.as_str()), Some(name.clone()));
            }
        }
    }
}
