//! What `import OTHER.db` says, in both languages: why a bangfu database
//! cannot be merged as given, and that an older one is merged from a copy
//! upgraded in memory, the file left as it was.

use super::errors::Localized;
use super::{tr, Lang};
use crate::input::headers::Kind;

/// A sentence of `import OTHER.db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeMsg {
    /// A database among spreadsheets in one command.
    WithSheets { path: String, sheet: String },
    /// A flag that only a file's rows take.
    FlagNotForDatabase { path: String, flag: &'static str },
    /// The database to merge is the one `--db` names.
    IntoItself { path: String },
    /// The database was made by an older bangfu.
    Older { path: String, version: i64 },
    /// A field the other file changed several times came as one change.
    Collapsed {
        path: String,
        household: bool,
        id: String,
        field: String,
        changes: usize,
        day: String,
    },
    /// The target's ledger holds `count` records of `kind` that the other
    /// file's ledger of that name (its line `line`) no longer holds:
    /// corrected, deleted or undone there since the last merge, still
    /// counted here.
    Unfollowed {
        line: String,
        kind: Kind,
        count: u64,
    },
}

impl MergeMsg {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            MergeMsg::WithSheets { path, sheet } => tr!(
                lang,
                format!(
                    "{path} is a bangfu database: import it on its own, and {sheet} in another import"
                ),
                format!("{path} 是帮扶数据库，要单独导入；{sheet} 请另行导入")
            ),
            MergeMsg::FlagNotForDatabase { path, flag } => tr!(
                lang,
                format!(
                    "{flag} is for spreadsheets: {path} is a bangfu database, whose ledgers and records are merged as they are"
                ),
                format!("{flag} 只用于表格文件：{path} 是帮扶数据库，其台账和记录按原样合并")
            ),
            MergeMsg::IntoItself { path } => tr!(
                lang,
                format!("{path} is the database --db names: a database cannot be imported into itself"),
                format!("{path} 就是 --db 指定的数据库，不能导入它自己")
            ),
            MergeMsg::Older { path, version } => tr!(
                lang,
                format!(
                    "{path} was made by an older bangfu (schema {version}): merged from a copy upgraded in memory, the file is left as it was"
                ),
                format!(
                    "{path} 由旧版帮扶程序建立（第 {version} 版结构）：按内存中升级后的副本合并，原文件不动"
                )
            ),
            MergeMsg::Collapsed {
                path,
                household,
                id,
                field,
                changes,
                day,
            } => {
                let field = crate::report::show::field_label(field, lang);
                let (en_kind, zh_kind) = match household {
                    true => ("household", "贫困户"),
                    false => ("member", "帮扶人"),
                };
                tr!(
                    lang,
                    format!(
                        "{path}: {en_kind} {id}'s {field} changed {changes} times there; the history here keeps one change, to its latest value from {day} (the dates of the earlier ones are not kept)"
                    ),
                    format!(
                        "{path}：{zh_kind} {id} 的 {field} 在该库中改过 {changes} 次；本库历史只记一次更改，即从 {day} 起的最新值（之前几次的日期未保留）"
                    )
                )
            }
            MergeMsg::Unfollowed { line, kind, count } => tr!(
                lang,
                format!(
                    "{line}: this database's ledger still holds {count} {} that the other database's ledger no longer holds (corrected, deleted or undone there since it was last merged): both are counted here. To follow that database's ledgers, merge it with --replace",
                    kind.key()
                ),
                format!(
                    "{line}：本库的这个台账中有 {count} 条{}，对方数据库的同名台账里已经没有了（上次合并后在那边改过、删过或撤销了）：现在新旧都计算在内。要和对方台账保持一致，请加 --replace 合并",
                    kind.zh()
                )
            ),
        }
    }

    #[cfg(test)]
    pub(crate) fn samples() -> Vec<MergeMsg> {
        vec![
            MergeMsg::WithSheets {
                path: "乡.db".into(),
                sheet: "帮扶记录.csv".into(),
            },
            MergeMsg::FlagNotForDatabase {
                path: "乡.db".into(),
                flag: "--replace",
            },
            MergeMsg::IntoItself {
                path: "区.db".into(),
            },
            MergeMsg::Older {
                path: "乡.db".into(),
                version: 6,
            },
            MergeMsg::Collapsed {
                path: "乡.db".into(),
                household: true,
                id: "H1".into(),
                field: "village".into(),
                changes: 2,
                day: "2003-05-01".into(),
            },
            MergeMsg::Unfollowed {
                line: "乡.db[帮扶记录]".into(),
                kind: Kind::Deliveries,
                count: 2,
            },
        ]
    }
}

impl Localized for MergeMsg {
    fn text(&self, lang: Lang) -> String {
        MergeMsg::text(self, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_said_in_chinese_too() {
        for m in MergeMsg::samples() {
            let (en, zh) = (m.text(Lang::En), m.text(Lang::Zh));
            assert!(super::super::has_cjk(&zh), "{zh}");
            assert_ne!(en, zh);
        }
    }
}
