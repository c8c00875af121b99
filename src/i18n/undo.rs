//! What `log` and `undo` say, in both languages: why an undo is refused,
//! what it did (or, in a dry run, would do) to each kind of record, and
//! the words of the log's table that the other tables do not have.

use super::report::list;
use super::{tr, Lang};
use crate::store::undo::{Refusal, Tally, Undone};

/// A sentence of `undo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoMsg {
    Refused(Refusal),
    /// The first line of what an undo did, or would do.
    Heading {
        number: i64,
        at: String,
        dry_run: bool,
    },
    /// What it did to one kind of row.
    Kind {
        kind: Rows,
        tally: Tally,
        dry_run: bool,
    },
    /// The import left nothing to put back or delete.
    NothingToUndo {
        number: i64,
    },
    /// A dry run's last line.
    DryRunEnd,
}

/// The kinds of rows an undo reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    Households,
    Members,
    Pairings,
    Deliveries,
    /// Which ledger holds which record.
    Holds,
}

impl Rows {
    /// The kind's name, and the measure word its Chinese counts take.
    fn words(self, lang: Lang) -> (&'static str, &'static str) {
        use Rows::*;
        match (self, lang) {
            (Households, Lang::En) => ("households", ""),
            (Households, Lang::Zh) => ("贫困户", "户"),
            (Members, Lang::En) => ("members", ""),
            (Members, Lang::Zh) => ("帮扶人", "人"),
            (Pairings, Lang::En) => ("pairings", ""),
            (Pairings, Lang::Zh) => ("结对", "对"),
            (Deliveries, Lang::En) => ("deliveries", ""),
            (Deliveries, Lang::Zh) => ("帮扶记录", "条"),
            (Holds, Lang::En) => ("ledger entries", ""),
            (Holds, Lang::Zh) => ("台账条目", "条"),
        }
    }

    /// Whether the import took these off the roster (households and
    /// members are never deleted) rather than deleting them.
    fn on_roster(self) -> bool {
        matches!(self, Rows::Households | Rows::Members)
    }
}

/// The lines of what `undone` did (or, with `dry_run`, would do): a
/// heading, one line per kind of row it touches, and for a dry run the
/// verdict that nothing was written.
pub fn undone_lines(undone: &Undone, dry_run: bool) -> Vec<UndoMsg> {
    let mut lines = vec![UndoMsg::Heading {
        number: undone.number,
        at: undone.at.clone(),
        dry_run,
    }];
    let kinds = [
        (Rows::Households, undone.households),
        (Rows::Members, undone.members),
        (Rows::Pairings, undone.pairings),
        (Rows::Deliveries, undone.deliveries),
        (Rows::Holds, undone.holds),
    ];
    let before = lines.len();
    for (kind, tally) in kinds {
        if !tally.is_empty() {
            lines.push(UndoMsg::Kind {
                kind,
                tally,
                dry_run,
            });
        }
    }
    if lines.len() == before {
        lines.push(UndoMsg::NothingToUndo {
            number: undone.number,
        });
    }
    if dry_run {
        lines.push(UndoMsg::DryRunEnd);
    }
    lines
}

impl UndoMsg {
    pub fn text(&self, lang: Lang) -> String {
        use UndoMsg::*;
        match self {
            Refused(refusal) => refused(refusal, lang),
            Heading {
                number,
                at,
                dry_run: false,
            } => tr!(
                lang,
                format!("undid import {number} (of {at}):"),
                format!("已撤销第{number}次导入（{at}）："),
            ),
            Heading {
                number,
                at,
                dry_run: true,
            } => tr!(
                lang,
                format!("dry run: undoing import {number} (of {at}) would:"),
                format!("试运行：撤销第{number}次导入（{at}）将会："),
            ),
            Kind {
                kind,
                tally,
                dry_run,
            } => kind_line(*kind, tally, *dry_run, lang),
            NothingToUndo { number } => tr!(
                lang,
                format!("  change nothing: import {number} added, changed and removed no record"),
                format!("  不改动任何记录：第{number}次导入没有新增、改动或删除记录"),
            ),
            DryRunEnd => tr!(
                lang,
                "dry run: nothing was written".to_string(),
                "试运行：什么也没有写入".to_string(),
            ),
        }
    }
}

/// `  deliveries: 120 deleted, 3 put back, 2 changed back` /
/// `  帮扶记录：删除 120 条，恢复 3 条，改回原值 2 条`; a dry run says
/// what it would do (`delete 120, …` / `将删除 120 条，…`).
fn kind_line(kind: Rows, tally: &Tally, dry_run: bool, lang: Lang) -> String {
    let (name, unit) = kind.words(lang);
    let roster = kind.on_roster();
    // English: what was done, and what would be; `#` is the count.
    let parts: Vec<String> = [
        (tally.deleted, ("# deleted", "delete #"), "删除"),
        match roster {
            true => (
                tally.restored,
                ("# back on the roster", "return # to the roster"),
                "恢复在册",
            ),
            false => (tally.restored, ("# put back", "put back #"), "恢复"),
        },
        (
            tally.reverted,
            ("# changed back", "change back #"),
            "改回原值",
        ),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, (done, would), zh)| match (lang, dry_run) {
        (Lang::En, false) => done.replace('#', &n.to_string()),
        (Lang::En, true) => would.replace('#', &n.to_string()),
        (Lang::Zh, _) => format!("{zh} {n} {unit}"),
    })
    .collect();
    let would = if dry_run { "将" } else { "" };
    tr!(
        lang,
        format!("  {name}: {}", parts.join(", ")),
        format!("  {name}：{would}{}", parts.join("，")),
    )
}

/// Why the undo was refused; nothing was written.
fn refused(refusal: &Refusal, lang: Lang) -> String {
    match refusal {
        Refusal::Unknown {
            number,
            range: Some((lo, hi)),
        } => tr!(
            lang,
            format!(
                "there is no import {number} in the log: it has imports {lo} to {hi} (bangfu log lists them); nothing was changed"
            ),
            format!(
                "导入记录中没有第{number}次导入：现有第{lo}至第{hi}次（可用 bangfu log 查看）；什么也没有改动"
            ),
        ),
        Refusal::Unknown {
            number,
            range: None,
        } => tr!(
            lang,
            format!("there is no import {number}: nothing has been imported into this database yet"),
            format!("没有第{number}次导入：这个数据库还没有导入过任何文件"),
        ),
        Refusal::Undone { number, at } => tr!(
            lang,
            format!("import {number} was undone already, at {at}; nothing was changed"),
            format!("第{number}次导入已于 {at} 撤销过，不能再撤销；什么也没有改动"),
        ),
        Refusal::Older { number } => tr!(
            lang,
            format!(
                "import {number} cannot be undone: it was made by an older bangfu (before schema 7), which kept nothing to undo it with; nothing was changed"
            ),
            format!(
                "第{number}次导入不能撤销：它是旧版 bangfu（第 7 版格式之前）导入的，没有保留撤销所需的记录；什么也没有改动"
            ),
        ),
        Refusal::Hidden { number } => tr!(
            lang,
            format!("import {number} cannot be undone by this login: part of what it wrote is now another township's (a household moved since), out of this login's sight; undone here, the rest would stay counted; nothing was changed (the district's login can undo it)"),
            format!("此登录名不能撤销第{number}次导入：它写入的部分记录现在属于其他乡镇（此后有贫困户迁出），此登录名看不到；在这里撤销，其余部分会继续计入合计；什么也没有改动（区里的登录名可以撤销）"),
        ),
        Refusal::Others { number, role } => tr!(
            lang,
            format!("import {number} was made by the login {role}: this login undoes only its own imports; nothing was changed (the district's login can undo it)"),
            format!("第{number}次导入是登录名 {role} 做的，此登录名只能撤销自己的导入；什么也没有改动（请区里撤销）"),
        ),
        Refusal::Blocked { number, by } => {
            let en: Vec<String> = by.iter().map(|m| m.to_string()).collect();
            let zh: Vec<String> = by.iter().map(|m| format!("第{m}次")).collect();
            let (imports, them) = match by.len() {
                1 => ("import", "it"),
                _ => ("imports", "them"),
            };
            tr!(
                lang,
                format!(
                    "import {number} cannot be undone: later {imports} {} changed, removed, newly held or listed again records it added or changed, or took their places; undo {them} first, newest first ({}); nothing was changed",
                    list(&en, lang),
                    by.iter()
                        .map(|m| format!("bangfu undo {m}"))
                        .collect::<Vec<_>>()
                        .join(", then "),
                ),
                format!(
                    "第{number}次导入不能撤销：其后的{}导入又用到了它导入或改动的记录，要先撤销后面的导入，从最近的一次开始（{}）；什么也没有改动",
                    list(&zh, lang),
                    by.iter()
                        .map(|m| format!("bangfu undo {m}"))
                        .collect::<Vec<_>>()
                        .join("，然后 "),
                ),
            )
        }
        Refusal::BlockedByOthers { number, by, theirs } => {
            let en: Vec<String> = by.iter().map(|m| m.to_string()).collect();
            let zh: Vec<String> = by.iter().map(|m| format!("第{m}次")).collect();
            let who_en: Vec<String> = theirs
                .iter()
                .map(|(m, role)| format!("{m} by {role}"))
                .collect();
            let who_zh: Vec<String> = theirs
                .iter()
                .map(|(m, role)| format!("第{m}次由 {role}"))
                .collect();
            let imports = match by.len() {
                1 => "import",
                _ => "imports",
            };
            tr!(
                lang,
                format!(
                    "import {number} cannot be undone: later {imports} {} changed, removed, newly held or listed again records it added or changed, or took their places; they are to be undone first, and some are other logins' ({}), which this login may not undo; nothing was changed (ask the district's office, whose login can undo them all)",
                    list(&en, lang),
                    list(&who_en, lang),
                ),
                format!(
                    "第{number}次导入不能撤销：其后的{}导入又用到了它导入或改动的记录，要先撤销；其中有其他登录名做的导入（{}），此登录名不能撤销；什么也没有改动（请区里撤销，区里的登录名都能撤销）",
                    list(&zh, lang),
                    list(&who_zh, lang),
                ),
            )
        }
    }
}

/// What `log` says besides its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogMsg {
    /// A township's login: imports of other townships' logins, not listed.
    Unlisted { township: String, numbers: Vec<i64> },
}

/// The most import numbers [`LogMsg::Unlisted`] names.
const UNLISTED_NAMED: usize = 10;

impl LogMsg {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            LogMsg::Unlisted { township, numbers } => {
                let mut named: Vec<String> = numbers
                    .iter()
                    .take(UNLISTED_NAMED)
                    .map(i64::to_string)
                    .collect();
                if numbers.len() > UNLISTED_NAMED {
                    named.push("…".into());
                }
                let n = numbers.len();
                tr!(
                    lang,
                    format!("not listed: {n} import(s) of other townships' logins (number {}); this login of {township} lists its own imports and the district's", named.join(", ")),
                    format!("未列出其他乡镇登录名的 {n} 次导入（导入编号 {}）；此{township}登录名只列出自己的导入和区里的导入", named.join("、")),
                )
            }
        }
    }
}

/// Words of the log's table that other tables do not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLabel {
    Import,
    At,
    User,
    Undo,
    Ledger,
    Sha256,
    /// A value the log does not have (imports made before version 7).
    Unknown,
}

impl LogLabel {
    pub fn text(self, lang: Lang) -> &'static str {
        use LogLabel::*;
        match self {
            Import => tr!(lang, "import", "导入编号"),
            At => tr!(lang, "at", "时间"),
            User => tr!(lang, "user", "用户"),
            Undo => tr!(lang, "undo", "撤销"),
            Ledger => tr!(lang, "ledger", "台账"),
            Sha256 => tr!(lang, "SHA-256", "SHA-256 校验值"),
            Unknown => "—",
        }
    }
}

/// A command's undo state, as the log's table says it: undone when, not
/// undoable (made by an older bangfu), or nothing (it can be undone).
pub fn undo_state(undone: Option<&str>, undoable: bool, lang: Lang) -> String {
    match (undone, undoable) {
        (Some(at), _) => tr!(lang, format!("undone {at}"), format!("已于 {at} 撤销")),
        (None, false) => tr!(
            lang,
            "cannot be undone (older bangfu)".to_string(),
            "不能撤销（旧版导入）".to_string(),
        ),
        (None, true) => String::new(),
    }
}

impl super::errors::Localized for UndoMsg {
    fn text(&self, lang: Lang) -> String {
        UndoMsg::text(self, lang)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::tests::assert_chinese;

    fn tally(deleted: u64, restored: u64, reverted: u64) -> Tally {
        Tally {
            deleted,
            restored,
            reverted,
        }
    }

    #[test]
    fn the_unlisted_imports_are_counted_and_the_first_ten_named() {
        let few = LogMsg::Unlisted {
            township: "工农乡".into(),
            numbers: vec![3, 7],
        };
        assert_eq!(
            few.text(Lang::Zh),
            "未列出其他乡镇登录名的 2 次导入（导入编号 3、7）；此工农乡登录名只列出自己的导入和区里的导入"
        );
        assert_chinese(&few.text(Lang::En), &few.text(Lang::Zh));
        let many = LogMsg::Unlisted {
            township: "工农乡".into(),
            numbers: (1..=12).collect(),
        };
        assert!(
            many.text(Lang::En).contains(
                "12 import(s) of other townships' logins (number 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …)"
            ),
            "{}",
            many.text(Lang::En)
        );
    }

    /// One instance of every variant of [`UndoMsg`].
    pub(crate) fn samples() -> Vec<UndoMsg> {
        let mut all = vec![
            UndoMsg::Refused(Refusal::Unknown {
                number: 12,
                range: Some((1, 9)),
            }),
            UndoMsg::Refused(Refusal::Unknown {
                number: 1,
                range: None,
            }),
            UndoMsg::Refused(Refusal::Undone {
                number: 3,
                at: "2026-12-01T11:00:00+08:00".into(),
            }),
            UndoMsg::Refused(Refusal::Older { number: 2 }),
            UndoMsg::Refused(Refusal::Hidden { number: 2 }),
            UndoMsg::Refused(Refusal::BlockedByOthers {
                number: 3,
                by: vec![4],
                theirs: vec![(4, "west".into())],
            }),
            UndoMsg::Refused(Refusal::Others {
                number: 1,
                role: "district_admin".into(),
            }),
            UndoMsg::Refused(Refusal::Blocked {
                number: 3,
                by: vec![9, 5],
            }),
            UndoMsg::NothingToUndo { number: 4 },
            UndoMsg::DryRunEnd,
        ];
        for dry_run in [false, true] {
            all.push(UndoMsg::Heading {
                number: 3,
                at: "x".into(),
                dry_run,
            });
            for kind in [
                Rows::Households,
                Rows::Members,
                Rows::Pairings,
                Rows::Deliveries,
                Rows::Holds,
            ] {
                all.push(UndoMsg::Kind {
                    kind,
                    tally: tally(1, 2, 3),
                    dry_run,
                });
            }
        }
        for m in &all {
            match m {
                UndoMsg::Refused(_)
                | UndoMsg::Heading { .. }
                | UndoMsg::Kind { .. }
                | UndoMsg::NothingToUndo { .. }
                | UndoMsg::DryRunEnd => {}
            }
        }
        all
    }

    #[test]
    fn every_message_has_a_chinese_text() {
        for m in samples() {
            assert_chinese(&m.text(Lang::En), &m.text(Lang::Zh));
        }
        for label in [
            LogLabel::Import,
            LogLabel::At,
            LogLabel::User,
            LogLabel::Undo,
            LogLabel::Ledger,
            LogLabel::Sha256,
        ] {
            assert_chinese(label.text(Lang::En), label.text(Lang::Zh));
        }
        assert_chinese(
            &undo_state(None, false, Lang::En),
            &undo_state(None, false, Lang::Zh),
        );
        assert_chinese(
            &undo_state(Some("t"), true, Lang::En),
            &undo_state(Some("t"), true, Lang::Zh),
        );
    }

    #[test]
    fn a_kind_line_names_only_what_happened() {
        let line = |t, lang| {
            UndoMsg::Kind {
                kind: Rows::Deliveries,
                tally: t,
                dry_run: false,
            }
            .text(lang)
        };
        assert_eq!(
            line(tally(120, 0, 2), Lang::En),
            "  deliveries: 120 deleted, 2 changed back"
        );
        assert_eq!(
            line(tally(120, 3, 2), Lang::Zh),
            "  帮扶记录：删除 120 条，恢复 3 条，改回原值 2 条"
        );
        let households = UndoMsg::Kind {
            kind: Rows::Households,
            tally: tally(0, 1, 0),
            dry_run: true,
        };
        assert_eq!(households.text(Lang::Zh), "  贫困户：将恢复在册 1 户");
        assert_eq!(
            households.text(Lang::En),
            "  households: return 1 to the roster"
        );
    }

    #[test]
    fn a_refusal_names_every_blocking_import_newest_first() {
        let m = UndoMsg::Refused(Refusal::Blocked {
            number: 3,
            by: vec![9, 5],
        });
        let en = m.text(Lang::En);
        assert!(en.contains("later imports 9, 5"), "{en}");
        assert!(en.contains("bangfu undo 9, then bangfu undo 5"), "{en}");
        assert!(m.text(Lang::Zh).contains("第9次、第5次导入"));
    }
}
