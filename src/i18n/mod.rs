//! The message catalogue: every sentence bangfu says to a person, in English
//! and in Chinese side by side, and the rule that picks the language.
//!
//! bangfu's users are Chinese township clerks, so with `zh` everything they
//! read must be Chinese (contract §5). Every message is a variant of [`Msg`] with
//! its arguments as named fields, rendered by [`Msg::text`], whose arms pass
//! both texts through [`tr!`]: a message without its Chinese text does not
//! compile, and a test renders a sample of every variant and requires CJK in
//! the Chinese one. A typed enum rather than Project Fluent: arguments are
//! checked by the compiler (no runtime parsing of `.ftl` files, no missing or
//! misspelt argument found only when a clerk hits it), plural rules are the
//! two we need, and the texts stay next to the code that tests them.
//!
//! The catalogue has five parts, one file each, all written the same way:
//! - here: the sentences of the commands (import verdicts, warnings,
//!   upgrade notices, wrong arguments bangfu itself refuses);
//! - [`report`]: the sentences of the reports and their commands (filters
//!   and references that match nothing, `check`'s verdict, files refused);
//! - [`values`]: why a cell could not be read ([`crate::values::ValueError`]);
//! - [`import`]: what an import says about a file and its rows (row
//!   problems, the store's reference problems, the import's warnings);
//! - [`usage`]: clap's usage errors, rebuilt from their kind and context;
//! - [`help`]: the Chinese `--help` of every command and argument (the
//!   English is the clap derive text in [`crate::cli`], kept where clap
//!   reads it; [`help::localized_command`] puts the Chinese over it).
//!
//! Errors carry their message as a value and are rendered when printed:
//! [`errors`].
//!
//! The words of tables (column headings, 类别, 单位 …) stay in
//! [`crate::report::Label`]: a vocabulary of single words, not sentences.

pub mod errors;
pub mod grant;
pub mod help;
pub mod import;
pub mod merge;
pub mod report;
pub mod store;
pub mod undo;
pub mod usage;
pub mod values;

use crate::values::ValueError;
use clap::ValueEnum;
use std::ffi::OsString;
use std::fmt;

/// The language of human output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The language the environment asks for (contract §4): see [`lang_of_locale`].
    pub fn from_env() -> Lang {
        let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        lang_of_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// `--lang` as written on the command line, else the environment: the
    /// language must be known before clap parses, to print its help and its
    /// errors in it. An invalid `--lang` is left to clap to refuse.
    pub fn from_args_or_env<I, T>(args: I) -> Lang
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        lang_of_args(args).unwrap_or_else(Lang::from_env)
    }
}

/// The language a locale asks for, as programs find it: the first of
/// `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides; `zh`
/// where it starts with `zh`, else `en` (`LC_ALL=C LANG=zh_CN` is English).
pub fn lang_of_locale(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
    let decides = [lc_all, lc_messages, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty());
    match decides {
        Some(v) if v.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("zh")) => Lang::Zh,
        _ => Lang::En,
    }
}

/// `--lang zh` / `--lang=zh` among the arguments (the last one wins, as in
/// clap; nothing after `--` counts).
fn lang_of_args<I, T>(args: I) -> Option<Lang>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut found = None;
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else {
            continue;
        };
        let value = match arg.as_str() {
            "--" => break,
            "--lang" => args.next().and_then(|v| v.to_str().map(str::to_owned)),
            _ => arg.strip_prefix("--lang=").map(str::to_owned),
        };
        if let Some(value) = value {
            found = Lang::from_str(&value, false).ok().or(found);
        }
    }
    found
}

/// Pick the text of the language: both must be given, so that a message
/// without its Chinese cannot compile.
macro_rules! tr {
    ($lang:expr, $en:expr, $zh:expr $(,)?) => {
        match $lang {
            $crate::i18n::Lang::En => $en,
            $crate::i18n::Lang::Zh => $zh,
        }
    };
}
pub(crate) use tr;

/// `1 problem`, `2 problems`.
fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A sentence for a person, with its arguments; [`Msg::text`] renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Why a cell (or an argument) could not be read.
    Value(ValueError),
    /// A problem the store found with a row ([`store`]).
    Store(store::StoreMsg),
    /// What an import says about a file or a row ([`import`]).
    Import(import::ImportMsg),

    // Import.
    /// A warning of an import, its text rendered already (in
    /// [`import`]): `warning: …` / `警告：…`.
    Warning {
        text: String,
    },
    DryRunVerdict {
        problems: u64,
    },
    NothingImported {
        problems: u64,
        /// Whether `--rejects` would import the valid rows: some rows had
        /// problems and others none, and neither `--replace` nor
        /// `--rejects` was given, nor the import refused as a whole.
        rejects_helps: bool,
    },
    /// `rejects`: every rejects file written (one per header).
    /// `ledger`: the one ledger of the files whose rows were rejected, if
    /// one: the corrected rows go back into it (contract §3.5).
    ImportedValidRows {
        rejected: u64,
        rejects: Vec<String>,
        ledger: Option<crate::values::LedgerName>,
    },
    /// After the first problems printed in full: how many more.
    MoreProblems {
        more: u64,
        all: u64,
    },
    /// The file was upgraded to the current schema by this command.
    Upgraded {
        path: String,
        from: i64,
        to: i64,
    },
    /// An import created the database file (none was there).
    CreatedDatabase {
        path: String,
    },
    /// A dry run on a file of an older schema checks against a copy.
    DryRunOnOlderSchema {
        path: String,
        version: i64,
    },

    // Arguments bangfu itself refuses (clap prints them as usage errors).
    /// `--db` (or `$BANGFU_DB`) that SQLite reads as no file's path.
    SpecialDbName {
        given: String,
    },
    UnknownKind {
        given: String,
    },
    /// `--ledger` with nothing visible in it.
    EmptyLedger,
    UnknownEncoding {
        given: String,
    },
    BadDelimiter {
        given: String,
    },
}

impl Msg {
    pub fn text(&self, lang: Lang) -> String {
        use Msg::*;
        match self {
            Value(e) => values::text(e, lang),
            Store(m) => m.text(lang),
            Import(m) => m.text(lang),
            Warning { text } => tr!(lang, format!("warning: {text}"), format!("警告：{text}")),
            DryRunVerdict { problems } => tr!(
                lang,
                format!(
                    "dry run: nothing was written ({})",
                    count(*problems, "problem", "problems")
                ),
                format!("试运行：什么也没有写入（{problems} 个问题）"),
            ),
            NothingImported {
                problems,
                rejects_helps: true,
            } => tr!(
                lang,
                format!(
                    "nothing was imported, the database is as it was (the counts above are what the files would have done): {} (fix them and import again, or use --rejects FILE to import the valid rows)",
                    count(*problems, "problem", "problems")
                ),
                format!(
                    "什么也没有导入，数据库没有改动（上表是这些文件本来会导入的数目）：{problems} 个问题（改正后重新导入，或用 --rejects 文件 只导入没有问题的行）"
                ),
            ),
            NothingImported {
                problems,
                rejects_helps: false,
            } => tr!(
                lang,
                format!(
                    "nothing was imported, the database is as it was (the counts above are what the files would have done): {} (fix them and import again)",
                    count(*problems, "problem", "problems")
                ),
                format!(
                    "什么也没有导入，数据库没有改动（上表是这些文件本来会导入的数目）：{problems} 个问题（改正后重新导入）"
                ),
            ),
            ImportedValidRows {
                rejected,
                rejects,
                ledger,
            } => {
                // What to do with them once corrected (clerk review,
                // session 20: the line stopped at where they went).
                let (en_next, zh_next) = match ledger {
                    Some(ledger) => {
                        let files: Vec<String> =
                            rejects.iter().map(|f| import::shell_word(f)).collect();
                        let command = format!(
                            "bangfu import --ledger {} {}",
                            import::shell_word(ledger.as_str()),
                            files.join(" ")
                        );
                        (
                            format!("; once corrected, import them into the sheet's ledger: {command}"),
                            format!("；改正后请用这条命令导回原表的台账：{command}"),
                        )
                    }
                    None => (
                        "; once corrected, import the rows of each sheet with --ledger and that sheet's ledger".to_string(),
                        "；改正后请按原表分别导入，每张原表导入一次，加 --ledger 该表的台账名".to_string(),
                    ),
                };
                tr!(
                    lang,
                    format!(
                        "imported the valid rows; {} written to {}{en_next}",
                        count(*rejected, "rejected row", "rejected rows"),
                        rejects.join(", ")
                    ),
                    format!(
                        "已导入没有问题的行；{rejected} 行有问题，已写入 {}{zh_next}",
                        rejects.join("、")
                    ),
                )
            }
            MoreProblems { more, all } => tr!(
                lang,
                format!("… and {more} more problems ({all} in all)"),
                format!("……另有 {more} 个问题（共 {all} 个）"),
            ),
            Upgraded { path, from, to } => tr!(
                lang,
                format!(
                    "{path}: upgraded from schema {from} to {to} (a one-off change of format; every record is kept)"
                ),
                format!(
                    "{path}：数据库格式已从第 {from} 版升级到第 {to} 版（一次性的格式变更，所有记录都保留）"
                ),
            ),
            CreatedDatabase { path } => tr!(
                lang,
                format!("created a new database {path}"),
                format!("已新建数据库 {path}"),
            ),
            DryRunOnOlderSchema { path, version } => tr!(
                lang,
                format!(
                    "{path}: made by an older bangfu (schema {version}); the dry run checks against an upgraded copy in memory and leaves the file as it is"
                ),
                format!(
                    "{path}：由旧版 bangfu 建立（第 {version} 版格式）；试运行在内存中的升级副本上检查，文件保持原样"
                ),
            ),
            SpecialDbName { given } => tr!(
                lang,
                format!(
                    "--db {given:?}: SQLite reads this as a URI or an in-memory database, not as a file's path; for a file of that name write ./{given}"
                ),
                format!(
                    "--db {given:?}：SQLite 会把它当作 URI 或内存数据库，而不是文件路径；如要用这个名字的文件，请写 ./{given}"
                ),
            ),
            UnknownKind { given } => tr!(
                lang,
                format!("unknown kind {given:?}; use households, members, pairings or deliveries"),
                format!(
                    "不认识的类型 {given:?}；请用 households（贫困户）、members（帮扶人）、pairings（结对）或 deliveries（帮扶记录）"
                ),
            ),
            EmptyLedger => tr!(
                lang,
                "a ledger needs a name of visible text on one line: give --ledger the name of the sheet's ledger (台账), e.g. --ledger 帮扶记录".to_string(),
                "台账名称不能为空，也不能含换行或控制字符：请在 --ledger 后写台账的名称，例如 --ledger 帮扶记录".to_string(),
            ),
            UnknownEncoding { given } => tr!(
                lang,
                format!("unknown encoding {given:?}; use utf-8, gbk, gb18030, utf-16le or utf-16be"),
                format!("不认识的编码 {given:?}；请用 utf-8、gbk、gb18030、utf-16le 或 utf-16be"),
            ),
            BadDelimiter { given } => tr!(
                lang,
                format!(
                    "the delimiter must be one ASCII character or tab, comma, semicolon; not {given:?}"
                ),
                format!(
                    "分隔符须为一个 ASCII 字符，或 tab（制表符）、comma（逗号）、semicolon（分号）；不能是 {given:?}"
                ),
            ),
        }
    }
}

/// English, for logs and for errors that travel as `std::error::Error`.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// A message is also an error: argument parsers return it, and
/// [`usage::render`] finds it again inside clap's error to render it in the
/// user's language.
impl std::error::Error for Msg {}

impl From<store::StoreMsg> for Msg {
    fn from(m: store::StoreMsg) -> Msg {
        Msg::Store(m)
    }
}

impl From<import::ImportMsg> for Msg {
    fn from(m: import::ImportMsg) -> Msg {
        Msg::Import(m)
    }
}

impl From<ValueError> for Msg {
    fn from(e: ValueError) -> Msg {
        Msg::Value(e)
    }
}

/// Whether a text holds Chinese (CJK) characters: the tests' check that a
/// Chinese rendering is not English.
pub fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One instance of every variant of [`Msg`] (the match makes a new
    /// variant a compile error here until it has a sample).
    pub(crate) fn samples() -> Vec<Msg> {
        let all = vec![
            Msg::Warning { text: "x".into() },
            Msg::DryRunVerdict { problems: 2 },
            Msg::NothingImported {
                problems: 1,
                rejects_helps: true,
            },
            Msg::NothingImported {
                problems: 1,
                rejects_helps: false,
            },
            Msg::ImportedValidRows {
                rejected: 3,
                rejects: vec!["r.csv".into(), "r.2.csv".into()],
                ledger: crate::values::LedgerName::parse("三月"),
            },
            Msg::ImportedValidRows {
                rejected: 1,
                rejects: vec!["r.csv".into()],
                ledger: None,
            },
            Msg::MoreProblems { more: 50, all: 150 },
            Msg::Upgraded {
                path: "b.db".into(),
                from: 1,
                to: 2,
            },
            Msg::CreatedDatabase {
                path: "b.db".into(),
            },
            Msg::DryRunOnOlderSchema {
                path: "b.db".into(),
                version: 1,
            },
            Msg::SpecialDbName {
                given: "file:x.db".into(),
            },
            Msg::UnknownKind { given: "x".into() },
            Msg::EmptyLedger,
            Msg::UnknownEncoding { given: "x".into() },
            Msg::BadDelimiter { given: "xx".into() },
        ];
        for m in &all {
            match m {
                Msg::Value(_)
                | Msg::Store(_)
                | Msg::Import(_)
                | Msg::Warning { .. }
                | Msg::DryRunVerdict { .. }
                | Msg::NothingImported { .. }
                | Msg::ImportedValidRows { .. }
                | Msg::MoreProblems { .. }
                | Msg::Upgraded { .. }
                | Msg::CreatedDatabase { .. }
                | Msg::DryRunOnOlderSchema { .. }
                | Msg::SpecialDbName { .. }
                | Msg::UnknownKind { .. }
                | Msg::EmptyLedger
                | Msg::UnknownEncoding { .. }
                | Msg::BadDelimiter { .. } => {}
            }
        }
        all.into_iter()
            .chain(values::tests::samples().into_iter().map(Msg::Value))
            .chain(store::tests::samples().into_iter().map(Msg::Store))
            .chain(import::tests::samples().into_iter().map(Msg::Import))
            .collect()
    }

    /// Every Chinese text is Chinese: it holds CJK and is not the English.
    pub(crate) fn assert_chinese(en: &str, zh: &str) {
        assert!(has_cjk(zh), "no Chinese in the zh text of {en:?}: {zh:?}");
        assert_ne!(en, zh, "the zh text is the English one");
    }

    #[test]
    fn every_message_has_a_chinese_text() {
        let samples = samples();
        assert!(samples.len() > 20);
        for m in samples {
            assert_chinese(&m.text(Lang::En), &m.text(Lang::Zh));
        }
        for m in report::tests::samples() {
            assert_chinese(&m.text(Lang::En), &m.text(Lang::Zh));
        }
    }

    #[test]
    fn english_counts_are_singular_or_plural() {
        assert_eq!(
            Msg::DryRunVerdict { problems: 1 }.text(Lang::En),
            "dry run: nothing was written (1 problem)"
        );
        assert_eq!(
            Msg::DryRunVerdict { problems: 0 }.text(Lang::En),
            "dry run: nothing was written (0 problems)"
        );
        assert_eq!(
            Msg::Import(import::ImportMsg::NothingReplaced { problems: 1 }).text(Lang::En),
            "nothing was imported: --replace was refused (see the 1 problem above)"
        );
    }

    #[test]
    fn the_first_set_and_non_empty_locale_variable_decides() {
        use Lang::*;
        let cases = [
            ((None, None, None), En),
            ((None, None, Some("zh_CN.UTF-8")), Zh),
            ((None, None, Some("zh_TW")), Zh),
            ((None, None, Some("ZH_cn")), Zh),
            ((None, None, Some("C")), En),
            ((None, None, Some("en_US.UTF-8")), En),
            ((Some("zh_CN.UTF-8"), None, Some("C")), Zh),
            ((Some("C"), None, Some("zh_CN")), En),
            ((Some(""), None, Some("zh_CN")), Zh),
            ((Some(""), Some(""), Some("zh_CN")), Zh),
            ((None, Some("zh_CN.UTF-8"), Some("en_US")), Zh),
            ((None, Some("C"), Some("zh_CN")), En),
            ((Some("en_GB"), Some("zh_CN"), Some("zh_CN")), En),
            ((Some("z"), None, None), En),
            ((Some("中文"), None, None), En),
        ];
        for ((all, messages, lang), want) in cases {
            assert_eq!(
                lang_of_locale(all, messages, lang),
                want,
                "LC_ALL={all:?} LC_MESSAGES={messages:?} LANG={lang:?}"
            );
        }
    }

    #[test]
    fn lang_on_the_command_line_is_found_before_parsing() {
        let of = |args: &[&str]| lang_of_args(args.iter().copied());
        assert_eq!(of(&["bangfu", "--lang", "zh", "summary"]), Some(Lang::Zh));
        assert_eq!(of(&["bangfu", "summary", "--lang=zh"]), Some(Lang::Zh));
        assert_eq!(of(&["bangfu", "--lang=zh", "--lang", "en"]), Some(Lang::En));
        assert_eq!(of(&["bangfu", "--lang", "fr"]), None);
        assert_eq!(of(&["bangfu", "--lang"]), None);
        assert_eq!(of(&["bangfu", "import", "--", "--lang=zh"]), None);
        assert_eq!(of(&["bangfu", "summary"]), None);
    }
}
