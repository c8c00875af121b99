//! The sentences of the report side, in English and in Chinese: what the
//! reports and their commands say when a filter or a reference matches
//! nothing (with the nearest names: "did you mean …"), when a report cannot
//! be computed, the verdict of `check`, and why a file is not written.
//!
//! Most of them are errors, made where the language is not known: they
//! travel as values (in a [`crate::UsageError`] or as errors themselves)
//! and are rendered when printed ([`super::errors`]). Written the same way
//! as [`super::Msg`]: every arm passes both texts through [`tr!`], and a
//! test renders a sample of every variant.

use super::errors::Localized;
use super::{tr, Lang};
use crate::output::OutputError;
use crate::report::group::{Dim, MoneyOverflow, TooManyValues};
use crate::values::Fen;
use std::fmt;
use std::io;

/// The things a filter names: `--township`, `--village`, `--unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Township,
    Village,
    Unit,
    Ledger,
}

impl Named {
    fn word(self, lang: Lang) -> &'static str {
        match self {
            Named::Township => tr!(lang, "township", "乡镇"),
            Named::Village => tr!(lang, "village", "村"),
            Named::Unit => tr!(lang, "unit", "单位"),
            Named::Ledger => tr!(lang, "ledger", "台账"),
        }
    }
}

/// A file bangfu keeps or reads, which it never writes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forbidden {
    Database,
    WriteAheadLog { db: String },
    SharedMemory { db: String },
    Journal { db: String },
    Input,
}

/// Why a file is not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    SymbolicLink,
    NotARegularFile,
    /// `/`, `..`, a name ending in `/`.
    NamesADirectory,
    NoDirectory {
        dir: String,
    },
    /// The directory does not let bangfu make (and rename) a file in it.
    MayNotMakeFiles {
        dir: String,
        kind: io::ErrorKind,
        text: String,
    },
    /// Another user's file in a sticky directory (like /tmp).
    OthersFile {
        dir: String,
    },
    /// What the system said when asked about the target.
    Unreadable {
        kind: io::ErrorKind,
        text: String,
    },
    Is(Forbidden),
}

/// A sentence of the report side; [`ReportMsg::text`] renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportMsg {
    // Filters.
    /// No record has this township, village or unit: the nearest names if
    /// some are near, else the first known ones (and how many in all).
    NoSuchName {
        what: Named,
        value: String,
        near: Vec<String>,
        known: Vec<String>,
        all: usize,
    },
    /// No record has any township (village, unit) at all.
    NoNamesYet {
        what: Named,
        value: String,
    },
    /// A login held to township `own` asked for the report of another.
    NotThisLogin {
        given: String,
        own: String,
    },
    /// `--from` after `--to`: a period with no day in it.
    EmptyPeriod {
        from: String,
        to: String,
    },

    // Grouping.
    TooManyDimensions {
        max: usize,
        given: usize,
    },
    TooManyValues {
        dim: Dim,
        max: u32,
    },
    MoneyOverflow,
    /// A report asked for no totals (a bug, not the user's doing).
    NoTotals,

    // Commands.
    /// The verdict of `check`.
    Findings {
        count: usize,
    },
    SampleNotClean,

    // Files written.
    RefuseWrite {
        path: String,
        why: Refusal,
    },
    CannotWrite {
        path: String,
    },
    DemoIntoRecords {
        path: String,
    },
    UnpairedCount {
        count: usize,
        as_of: String,
    },
    OverdueCount {
        count: usize,
        days: u32,
        as_of: String,
    },
    WorkbookOutput {
        path: String,
    },
    /// One change in a record card's history.
    HistoryLine {
        date: String,
        import: i64,
        field: String,
        old: String,
        new: String,
    },
}

/// A value echoed in a message: quoted as Rust does in English (so that
/// spaces and control characters show), in Chinese quotes in Chinese.
pub(crate) fn quote(value: &str, lang: Lang) -> String {
    let debug = format!("{value:?}");
    match lang {
        Lang::En => debug,
        Lang::Zh => {
            let inner = debug
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(&debug);
            format!("“{inner}”")
        }
    }
}

pub(crate) fn list(items: &[String], lang: Lang) -> String {
    items.join(tr!(lang, ", ", "、"))
}

/// `head`, and the nearest names to what matched nothing.
fn did_you_mean(head: &str, near: &str, lang: Lang) -> String {
    tr!(
        lang,
        format!("{head}; did you mean {near}?"),
        format!("{head}；是不是要找：{near}？"),
    )
}

/// What the system said, by its kind in Chinese (the system's own words
/// are English), as it said it in English.
pub fn io_text(kind: io::ErrorKind, text: &str, lang: Lang) -> String {
    use io::ErrorKind::*;
    let zh = match kind {
        NotFound => "没有这个文件或目录",
        PermissionDenied => "没有权限",
        AlreadyExists => "文件已经存在",
        StorageFull => "磁盘已满",
        QuotaExceeded => "超出磁盘配额",
        FileTooLarge => "文件太大，超出系统允许的大小",
        ReadOnlyFilesystem => "文件系统是只读的",
        IsADirectory => "这是一个目录",
        NotADirectory => "路径中有一段不是目录",
        InvalidFilename => "文件名无效",
        Interrupted => "操作被中断",
        _ => return tr!(lang, text.to_string(), format!("读写出错（{text}）")),
    };
    tr!(lang, text.to_string(), zh.to_string())
}

impl Forbidden {
    fn text(&self, lang: Lang) -> String {
        match self {
            Forbidden::Database => tr!(lang, "the database".into(), "数据库".into()),
            Forbidden::WriteAheadLog { db } => tr!(
                lang,
                format!("the write-ahead log of the database {db}"),
                format!("数据库 {db} 的预写日志（-wal 文件）"),
            ),
            Forbidden::SharedMemory { db } => tr!(
                lang,
                format!("the shared-memory file of the database {db}"),
                format!("数据库 {db} 的共享内存文件（-shm 文件）"),
            ),
            Forbidden::Journal { db } => tr!(
                lang,
                format!("the journal of the database {db}"),
                format!("数据库 {db} 的日志文件（-journal 文件）"),
            ),
            Forbidden::Input => tr!(
                lang,
                "an input of this command".into(),
                "本命令要读取的文件".into()
            ),
        }
    }
}

impl Refusal {
    fn text(&self, lang: Lang) -> String {
        match self {
            Refusal::SymbolicLink => tr!(
                lang,
                "it is a symbolic link (bangfu neither follows nor replaces one); name the file itself".into(),
                "它是符号链接（bangfu 既不跟随也不替换符号链接）；请写出文件本身的路径".into(),
            ),
            Refusal::NotARegularFile => tr!(
                lang,
                "it is not a regular file (a directory, a device or the like)".into(),
                "它不是普通文件（是目录、设备之类）".into(),
            ),
            Refusal::NamesADirectory => tr!(
                lang,
                "it names a directory, not a file".into(),
                "它是目录，不是文件".into(),
            ),
            Refusal::NoDirectory { dir } => tr!(
                lang,
                format!("there is no directory {dir}"),
                format!("没有目录 {dir}")
            ),
            Refusal::MayNotMakeFiles { dir, kind, text } => {
                let why = io_text(*kind, text, lang);
                tr!(
                    lang,
                    format!("bangfu may not make files in the directory {dir} ({why})"),
                    format!("bangfu 不能在目录 {dir} 中建立文件（{why}）"),
                )
            }
            Refusal::OthersFile { dir } => tr!(
                lang,
                format!(
                    "it belongs to another user, and in the directory {dir} (a shared one, like /tmp) only its owner may replace it"
                ),
                format!(
                    "它属于另一个用户，而目录 {dir} 是共享目录（如 /tmp），只有文件的主人才能替换它"
                ),
            ),
            Refusal::Unreadable { kind, text } => io_text(*kind, text, lang),
            Refusal::Is(what) => tr!(
                lang,
                format!("it is {}", what.text(lang)),
                format!("它是{}", what.text(lang)),
            ),
        }
    }
}

impl ReportMsg {
    pub fn text(&self, lang: Lang) -> String {
        use ReportMsg::*;
        match self {
            NoSuchName {
                what,
                value,
                near,
                known,
                all,
            } => {
                let (w, v) = (what.word(lang), quote(value, lang));
                let head = tr!(
                    lang,
                    format!("no {w} is named {v}"),
                    format!("没有名为{v}的{w}")
                );
                let more = *all > known.len();
                match (near.is_empty(), more) {
                    (false, _) => did_you_mean(&head, &list(near, lang), lang),
                    (true, false) => tr!(
                        lang,
                        format!("{head}; known: {}", list(known, lang)),
                        format!("{head}；已有：{}", list(known, lang)),
                    ),
                    (true, true) => tr!(
                        lang,
                        format!("{head}; known: {}, … ({all} in all)", list(known, lang)),
                        format!("{head}；已有：{}……（共 {all} 个）", list(known, lang)),
                    ),
                }
            }
            NoNamesYet {
                what: Named::Ledger,
                value,
            } => {
                let v = quote(value, lang);
                tr!(
                    lang,
                    format!("no ledger is named {v}; nothing has been imported yet"),
                    format!("没有名为{v}的台账；还没有导入过任何文件"),
                )
            }
            NoNamesYet { what, value } => {
                let (w, v) = (what.word(lang), quote(value, lang));
                tr!(
                    lang,
                    format!("no {w} is named {v}; there are no records with a {w} yet"),
                    format!("没有名为{v}的{w}；还没有任何记录填写了{w}"),
                )
            }
            EmptyPeriod { from, to } => tr!(
                lang,
                format!("--from {from} is after --to {to}: the period has no day in it; give the earlier date to --from"),
                format!("--from {from} 晚于 --to {to}：这段时间里没有一天；请把较早的日期写在 --from 后面"),
            ),
            NotThisLogin { given, own } => {
                let (g, o) = (quote(given, lang), quote(own, lang));
                tr!(
                    lang,
                    format!("this login reports only the township {o} (bangfu grant --township): the report of {g} is for the district's login, which sees every township"),
                    format!("此登录名只能出乡镇{o}的报表（bangfu grant --township）；{g}的报表请用能看到所有乡镇的区里登录名"),
                )
            }
            TooManyDimensions { max, given } => tr!(
                lang,
                format!("at most {max} dimensions at once, not {given}"),
                format!("最多同时按 {max} 个维度分组，不能按 {given} 个"),
            ),
            TooManyValues { dim, max } => tr!(
                lang,
                format!(
                    "too many values of {} to group by (more than {max})",
                    dim.key()
                ),
                format!(
                    "“{}”的取值太多（超过 {max} 个），无法分组",
                    dim.label().text(lang)
                ),
            ),
            MoneyOverflow => {
                let max = Fen(i64::MAX).display();
                tr!(
                    lang,
                    format!(
                        "the amounts add up to more than {max} yuan, too much to count exactly; check the goods and cash of the deliveries (or report a part of them with FILTERS)"
                    ),
                    format!(
                        "金额合计超过 {max} 元，太大，无法精确计算；请检查帮扶记录的物资和资金（或用筛选条件只统计其中一部分）"
                    ),
                )
            }
            NoTotals => tr!(
                lang,
                "no totals were computed".into(),
                "没有算出合计（程序内部错误）".into(),
            ),
            Findings { count } => tr!(
                lang,
                format!("{count} finding{}", if *count == 1 { "" } else { "s" }),
                format!("发现 {count} 个问题"),
            ),
            SampleNotClean => tr!(
                lang,
                "the built-in sample did not import cleanly".into(),
                "内置的样例数据没有顺利导入".into(),
            ),
            RefuseWrite { path, why } => tr!(
                lang,
                format!("refusing to write {path}: {}", why.text(lang)),
                format!("不能写入 {path}：{}", why.text(lang)),
            ),
            CannotWrite { path } => tr!(
                lang,
                format!("cannot write {path}"),
                format!("无法写入 {path}")
            ),
            DemoIntoRecords { path } => tr!(lang, format!("{path} already holds records: demo loads its invented sample district only into a new or empty database (leave out --db to see it in memory)"), format!("{path} 中已有记录：demo 只把虚构的示例数据载入新的或空的数据库（不加 --db 即在内存中查看）")),
            UnpairedCount { count, as_of } => tr!(lang, match count { 0 => format!("every poor household has an active pairing as of {as_of}"), 1 => format!("1 poor household without an active pairing as of {as_of}"), n => format!("{n} poor households without an active pairing as of {as_of}") }, match count { 0 => format!("截至{as_of}，每户贫困户都有有效结对"), n => format!("截至{as_of}，没有有效结对的贫困户共{n}户") }),
            OverdueCount { count, days, as_of } => tr!(lang, match count { 0 => format!("no pairing has gone more than {days} days without a visit as of {as_of}"), 1 => format!("1 pairing not visited for more than {days} days as of {as_of}"), n => format!("{n} pairings not visited for more than {days} days as of {as_of}") }, match count { 0 => format!("截至{as_of}，没有超过{days}天未帮扶的结对"), n => format!("截至{as_of}，超过{days}天未帮扶的结对共{n}个") }),
            HistoryLine {
                date,
                import,
                field,
                old,
                new,
            } => tr!(
                lang,
                format!("{date}, import {import}: {field} {old} → {new}"),
                format!("{date}，第{import}次导入：{field} {old} → {new}"),
            ),
            WorkbookOutput { path } => tr!(lang, format!("--output writes a report as text, not a workbook: {path}; write one with bangfu export --xlsx {path}"), format!("--output 写出的是文本报表，不是工作簿：{path}；工作簿请用 bangfu export --xlsx {path}")),
        }
    }
}

/// English, for logs and for errors that travel as `std::error::Error`.
impl fmt::Display for ReportMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for ReportMsg {}

impl Localized for ReportMsg {
    fn text(&self, lang: Lang) -> String {
        ReportMsg::text(self, lang)
    }
}

impl Localized for MoneyOverflow {
    fn text(&self, lang: Lang) -> String {
        ReportMsg::MoneyOverflow.text(lang)
    }
}

impl Localized for TooManyValues {
    fn text(&self, lang: Lang) -> String {
        self.0.too_many_values().text(lang)
    }
}

impl Localized for OutputError {
    fn text(&self, lang: Lang) -> String {
        ReportMsg::CannotWrite {
            path: self.path.clone(),
        }
        .text(lang)
    }
}

/// The system's own errors by their kind; one that bangfu made with words
/// of its own (`…; what it was to hold is in FILE`) keeps them, which say
/// more than its kind.
impl Localized for io::Error {
    fn text(&self, lang: Lang) -> String {
        match self.get_ref() {
            Some(_) => self.to_string(),
            None => io_text(self.kind(), &self.to_string(), lang),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One instance of every variant of [`ReportMsg`] (the match makes a
    /// new variant a compile error here until it has a sample).
    pub(crate) fn samples() -> Vec<ReportMsg> {
        let s = || "x".to_string();
        let name = |what| ReportMsg::NoSuchName {
            what,
            value: s(),
            near: vec![],
            known: vec![s()],
            all: 1,
        };
        let refuse = |why| ReportMsg::RefuseWrite { path: s(), why };
        let all = vec![
            name(Named::Township),
            name(Named::Village),
            name(Named::Unit),
            name(Named::Ledger),
            ReportMsg::NoNamesYet {
                what: Named::Ledger,
                value: s(),
            },
            ReportMsg::NoSuchName {
                what: Named::Township,
                value: s(),
                near: vec![s()],
                known: vec![],
                all: 3,
            },
            ReportMsg::NoSuchName {
                what: Named::Unit,
                value: s(),
                near: vec![],
                known: vec![s()],
                all: 30,
            },
            ReportMsg::NoNamesYet {
                what: Named::Village,
                value: s(),
            },
            ReportMsg::EmptyPeriod {
                from: "2024-12-31".into(),
                to: "2024-01-01".into(),
            },
            ReportMsg::NotThisLogin {
                given: s(),
                own: s(),
            },
            ReportMsg::TooManyDimensions { max: 6, given: 7 },
            ReportMsg::TooManyValues {
                dim: Dim::Household,
                max: 2,
            },
            ReportMsg::MoneyOverflow,
            ReportMsg::NoTotals,
            ReportMsg::Findings { count: 2 },
            ReportMsg::SampleNotClean,
            refuse(Refusal::SymbolicLink),
            refuse(Refusal::NotARegularFile),
            refuse(Refusal::NamesADirectory),
            refuse(Refusal::NoDirectory { dir: s() }),
            refuse(Refusal::MayNotMakeFiles {
                dir: s(),
                kind: io::ErrorKind::PermissionDenied,
                text: s(),
            }),
            refuse(Refusal::OthersFile { dir: s() }),
            refuse(Refusal::Unreadable {
                kind: io::ErrorKind::PermissionDenied,
                text: s(),
            }),
            refuse(Refusal::Unreadable {
                kind: io::ErrorKind::Other,
                text: s(),
            }),
            refuse(Refusal::Is(Forbidden::Database)),
            refuse(Refusal::Is(Forbidden::WriteAheadLog { db: s() })),
            refuse(Refusal::Is(Forbidden::SharedMemory { db: s() })),
            refuse(Refusal::Is(Forbidden::Journal { db: s() })),
            refuse(Refusal::Is(Forbidden::Input)),
            ReportMsg::CannotWrite { path: s() },
            ReportMsg::DemoIntoRecords { path: s() },
            ReportMsg::UnpairedCount {
                count: 2,
                as_of: s(),
            },
            ReportMsg::OverdueCount {
                count: 2,
                days: 90,
                as_of: s(),
            },
            ReportMsg::WorkbookOutput { path: s() },
            ReportMsg::HistoryLine {
                date: s(),
                import: 7,
                field: s(),
                old: s(),
                new: s(),
            },
        ];
        for m in &all {
            match m {
                ReportMsg::NoSuchName { .. }
                | ReportMsg::NoNamesYet { .. }
                | ReportMsg::NotThisLogin { .. }
                | ReportMsg::EmptyPeriod { .. }
                | ReportMsg::TooManyDimensions { .. }
                | ReportMsg::TooManyValues { .. }
                | ReportMsg::MoneyOverflow
                | ReportMsg::NoTotals
                | ReportMsg::Findings { .. }
                | ReportMsg::SampleNotClean
                | ReportMsg::CannotWrite { .. }
                | ReportMsg::DemoIntoRecords { .. }
                | ReportMsg::UnpairedCount { .. }
                | ReportMsg::OverdueCount { .. }
                | ReportMsg::WorkbookOutput { .. }
                | ReportMsg::HistoryLine { .. } => {}
                ReportMsg::RefuseWrite { why, .. } => match why {
                    Refusal::SymbolicLink
                    | Refusal::NotARegularFile
                    | Refusal::NamesADirectory
                    | Refusal::NoDirectory { .. }
                    | Refusal::MayNotMakeFiles { .. }
                    | Refusal::OthersFile { .. }
                    | Refusal::Unreadable { .. } => {}
                    Refusal::Is(what) => match what {
                        Forbidden::Database
                        | Forbidden::WriteAheadLog { .. }
                        | Forbidden::SharedMemory { .. }
                        | Forbidden::Journal { .. }
                        | Forbidden::Input => {}
                    },
                },
            }
        }
        all
    }

    #[test]
    fn names_and_suggestions_read_in_each_language() {
        let m = ReportMsg::NoSuchName {
            what: Named::Township,
            value: "无此乡".into(),
            near: vec![],
            known: vec!["工农乡".into(), "向阳街道".into()],
            all: 2,
        };
        assert_eq!(
            m.text(Lang::En),
            "no township is named \"无此乡\"; known: 工农乡, 向阳街道"
        );
        assert_eq!(
            m.text(Lang::Zh),
            "没有名为“无此乡”的乡镇；已有：工农乡、向阳街道"
        );
    }

    #[test]
    fn a_count_of_findings_is_singular_or_plural() {
        assert_eq!(ReportMsg::Findings { count: 1 }.text(Lang::En), "1 finding");
        assert_eq!(
            ReportMsg::Findings { count: 3 }.text(Lang::En),
            "3 findings"
        );
    }

    #[test]
    fn values_keep_their_invisible_characters_visible() {
        assert_eq!(quote("a\tb", Lang::En), "\"a\\tb\"");
        assert_eq!(quote("a\tb", Lang::Zh), "“a\\tb”");
    }
}
