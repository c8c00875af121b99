//! What an import says about a file and its rows, in both languages: the
//! problems of a row ([`crate::records::CellProblem`], rendered per language
//! by [`crate::problem::Problem::text`]), including those the store finds
//! while it resolves references, and every warning of an import. The
//! English is the text bangfu printed before the catalogue, word for word:
//! scripts and tests match it. User text quoted here has been made
//! printable or redacted where it was read.

use super::{tr, Lang, Msg};
use crate::input::headers::Kind;
use crate::input::FileError;
use crate::store::write::{Corrections, IdSwitch, Kept, Refusal, Unlisted};
use crate::values::text::printable;
use crate::values::{Date, Fen, LedgerName};

/// A sentence of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportMsg {
    // A row's own cells (src/records.rs).
    /// A required cell is empty.
    Empty,
    /// A household lifted out of poverty on a day still to come.
    LiftedInTheFuture {
        day: Date,
    },
    PoorButLifted {
        day: Date,
    },
    /// A row's total column is not its goods plus its cash.
    TotalDisagrees {
        total: Fen,
        goods: Fen,
        cash: Fen,
    },
    EndsBeforeStart {
        until: Date,
        since: Date,
    },
    AfterImportDay {
        day: Date,
        today: Date,
    },
    ControlCharacter {
        code: u32,
    },

    // A row as a whole.
    /// More or fewer cells than the header.
    RowWidth {
        cells: usize,
        header: usize,
    },
    /// U+FFFD where bytes were not of the file's encoding.
    NotOfEncoding {
        encoding: String,
    },

    // A file that cannot be opened (a usage error: exit 2).
    /// The operating system refused to open it (its words in `cause`).
    CannotOpen {
        path: String,
        not_found: bool,
        cause: String,
    },
    /// `--sheet` names no sheet of the workbook.
    NoSuchSheet {
        path: String,
        sheet: String,
        sheets: Vec<String>,
    },

    /// The progress bar's words: rows read, and how fast.
    Progress {
        read: u64,
        per_second: u64,
    },

    // The import's own files failing (the cause follows).
    /// Copying an older database for a dry run.
    CopyingDatabase {
        path: String,
    },
    WritingRejects,
    /// The commit went through, but the rejects file did not take its name.
    CommittedWithoutRejects,

    // A file as a whole (its header, its bytes).
    File(FileError),
    /// A required column that the header lacks, and the headers accepted.
    MissingColumn {
        accepted: Vec<&'static str>,
    },
    /// A deliveries file without goods or cash but with columns of money.
    UnreadMoney {
        headers: Vec<String>,
    },
    /// A workbook's sheets besides the one read (the first), which hold
    /// cells and were not read.
    OtherSheets {
        sheet: String,
        others: Vec<String>,
    },
    /// A corrected rejects file whose deliveries are already stored.
    RejectsAgain {
        rows: u64,
    },
    /// A corrected rejects file imported without --ledger, into a ledger
    /// of its own name (`own`), where its rows' sheet is `ledger`'s.
    RejectsLedger {
        own: LedgerName,
        ledger: LedgerName,
        then: Then,
    },
    /// A money column whose header states a unit that is not money
    /// (`物资（件）`).
    NotYuan {
        header: String,
        unit: String,
    },
    /// A money column whose header speaks of yuan without a unit bangfu
    /// reads (`物资（元，超万元另报）`).
    UnclearUnit {
        header: String,
        unit: String,
    },
    /// Two columns of one kind of money (`物资` and `实物`): one would be
    /// read and the other's amounts lost.
    MoneyTwice {
        used: String,
        unused: String,
    },
    /// The sheet's title states the unit of its amounts (`单位：万元`), and
    /// these money columns are read in it.
    TitleUnit {
        unit: &'static str,
        headers: Vec<String>,
    },
    /// No header tells the kind of file.
    CannotTellKind {
        header: Vec<String>,
    },

    // Warnings (each about one file, named before it).
    /// Title rows above the header, passed over.
    HeaderOnLine {
        line: u64,
        title_rows: usize,
    },
    /// Headers that name no column.
    /// A warning: `--replace` was not weighed, the files having problems;
    /// the removed column counts nothing.
    ReplaceNotCounted,
    /// Column `column` (1-based) has no header, and `rows` rows hold a
    /// value in it: not read.
    UnnamedColumn {
        column: usize,
        rows: u64,
    },
    /// A households or members sheet with columns of a pairings sheet,
    /// not read: its pairings are not imported.
    PairingsNotRead {
        kind: Kind,
        headers: Vec<String>,
    },
    IgnoredColumns {
        headers: Vec<String>,
    },
    /// Two headers naming one field: the one used and the one not.
    ShadowedColumn {
        used: String,
        unused: String,
    },
    /// Sign-offs and counts under the records, skipped.
    FooterRows {
        lines: Vec<u64>,
    },
    /// A totals row's amount is not the sum of the rows it totals.
    TotalsDisagree {
        subtotal: bool,
        stated: Fen,
        sum: Fen,
    },
    /// A totals row's money cell holds something else than an amount.
    TotalsNotAnAmount {
        text: String,
    },

    // Ledgers (contract §8).
    /// `--replace` with `--rejects` (a usage error).
    ReplaceWithRejects,
    /// A version `--replace` makes current only with `--force`.
    ReplaceRefused(Refusal),
    /// The verdict of an import whose `--replace` was refused.
    NothingReplaced {
        problems: u64,
    },
    /// A warning: new deliveries that look like corrections of rows their
    /// ledger held.
    LooksCorrected(Corrections),
    /// Rows a ledger held on the file's days that the file does not list,
    /// beside new ones: a corrected sheet imported without --replace.
    Unlisted(Unlisted),
    /// A warning: `redated` new pairings of ledger `ledger` pair a member
    /// and household it paired before under another since, which the
    /// sheet no longer lists.
    PairingsRedated {
        ledger: LedgerName,
        redated: u64,
    },
    /// A note: `count` new deliveries of this file are visits ledger
    /// `ledger` has the other way — with a record id (`with_ids`) where
    /// the file gives none, or without one — counted once: they are its
    /// unchanged rows, and its ledger holds them.
    OneVisit(crate::store::write::OneVisit),
    /// A warning: `--replace` takes `count` households (or members) off
    /// ledger `ledger`, the first few of them `named` (id, head or name).
    Retired {
        ledger: LedgerName,
        kind: Kind,
        count: u64,
        named: Vec<(String, String)>,
    },
    /// A warning: `--replace` took deliveries or pairings (`kind`) off
    /// ledger `ledger` that stay counted, as other ledgers hold them too
    /// (`kept`): the file's line counts them removed, the figures do not
    /// move. `then`: this import's number, or a dry run.
    KeptCounted {
        ledger: LedgerName,
        kind: Kind,
        kept: Kept,
        then: Then,
    },
    /// A ledger's deliveries matched by record id before and by content
    /// now, or the other way round: refused, they would count twice.
    IdsSwitched(IdSwitch),
    /// A warning: most rows of the file are another ledger's already.
    /// The file's own ledger (`own`) now holds them too (or would, in a
    /// dry run): a row later deleted from the other's sheet would stay
    /// counted through it.
    OtherLedgerHolds {
        own: LedgerName,
        other: LedgerName,
        held: u64,
        rows: u64,
        then: Then,
    },
    /// Most rows of the file are also in another ledger's file of the same
    /// command: one of the two may be the other corrected, which is which
    /// is not known. A warning naming the import to undo (`import`), or,
    /// with `--replace` (`import` none), a refusal.
    SharedWithFile {
        other: LedgerName,
        held: u64,
        rows: u64,
        then: Then,
    },
    /// A file of deliveries and an earlier one of the same ledger in this
    /// command (`file`, listing `theirs`) look like a sheet and its copy,
    /// one of them corrected: they share `shared` of the file's `rows`,
    /// and one or both list rows the other does not. A warning naming the
    /// import to undo, or, with `--replace`, a refusal.
    CopyInLedger {
        ledger: LedgerName,
        file: String,
        shared: u64,
        rows: u64,
        theirs: u64,
        then: Then,
    },
    /// `--replace` of a file most of whose rows another ledger holds, into
    /// a ledger of its own name: refused, so that a month in the file's
    /// name does not start a second ledger beside the real one.
    OtherLedgerReplace {
        ledger: LedgerName,
        other: LedgerName,
        held: u64,
        rows: u64,
    },
}

/// What a ledger's message tells the clerk to do next: the import was
/// made (take it back: its number), was only checked (`--dry-run`: there
/// is nothing to undo), or was refused (`--replace`, nothing written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// The import's number, and how many files it read (an undo takes
    /// them all back).
    Undo(i64, usize),
    DryRun,
    Refused,
}

impl FileError {
    /// This error as a message of the catalogue, to render in either language.
    pub fn message(&self) -> Msg {
        Msg::Import(ImportMsg::File(self.clone()))
    }
}

/// At most this many names of one kind in a message, then a count.
const NAMES_IN_A_MESSAGE: usize = 5;

/// `a, b, c` — the first few items, printable, then "and N more".
pub fn some_of<S: AsRef<str>>(items: &[S], lang: Lang) -> String {
    let mut text = items
        .iter()
        .take(NAMES_IN_A_MESSAGE)
        .map(|i| printable(i.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(tr!(lang, ", ", "、"));
    if items.len() > NAMES_IN_A_MESSAGE {
        let more = items.len() - NAMES_IN_A_MESSAGE;
        text.push_str(&tr!(
            lang,
            format!(" and {more} more"),
            format!(" 等，另有 {more} 个")
        ));
    }
    text
}

fn file_text(e: &FileError, lang: Lang) -> String {
    use FileError::*;
    match e {
        Empty => tr!(lang, "the file is empty".into(), "文件是空的".into()),
        NoHeader => tr!(
            lang,
            "the file has no header row".into(),
            "文件没有表头行".into()
        ),
        Workbook => tr!(
            lang,
            "this is a spreadsheet workbook, not a text export; give it a .xlsx, .xls or .ods name, or save it as CSV".into(),
            "这是电子表格工作簿，不是文本导出文件；请把文件名改为 .xlsx、.xls 或 .ods，或另存为 CSV".into(),
        ),
        Binary => tr!(
            lang,
            "this is not a text file (it holds NUL bytes); export the sheet as CSV".into(),
            "这不是文本文件（含有 NUL 字节）；请把表格导出为 CSV".into(),
        ),
        Read { cause } => tr!(
            lang,
            format!("cannot read the file: {cause}"),
            format!("无法读取文件：{cause}"),
        ),
        DamagedWorkbook => tr!(
            lang,
            "cannot read the file: the workbook is damaged (its records point outside the file); open it in Excel or WPS, save it again, and import the saved copy".to_string(),
            "无法读取文件：工作簿已损坏（其中的记录指向文件之外）；请用 Excel 或 WPS 打开并重新保存，再导入保存后的文件".to_string(),
        ),
        NotAWorkbook { cause } => tr!(
            lang,
            format!("cannot read the file: not a readable workbook: {cause}"),
            format!("无法读取文件：不是可读的工作簿：{cause}"),
        ),
        SheetUnreadable { sheet, cause } => tr!(
            lang,
            format!("cannot read the file: cannot read sheet {sheet:?}: {cause}"),
            format!("无法读取文件：无法读取工作表“{sheet}”：{cause}"),
        ),
        SheetTooLarge { sheet } => tr!(
            lang,
            format!("cannot read the file: sheet {sheet:?} holds more than 4 GiB of text, more than bangfu reads of one sheet; split the sheet into several files, or save it as CSV"),
            format!("无法读取文件：工作表“{sheet}”的文字超过 4 GiB，超出本程序一次能读取的一张表的上限；请把这张表拆成几个文件，或另存为 CSV"),
        ),
        FarUsedRange => tr!(
            lang,
            "cannot read the file: the sheet's used range reaches far beyond its data (a value or a formatted cell far below or to the right of the table); delete the rows and columns after the data, or save the sheet as .xlsx or CSV".into(),
            "无法读取文件：工作表的已用区域远远超出数据所在范围（表格下方或右侧很远处有值或设过格式的单元格）；请删除数据后面的行和列，或另存为 .xlsx 或 CSV".into(),
        ),
        FarCell { sheet, cell, held } => tr!(
            lang,
            format!("cannot read the file: sheet {sheet:?}: its used range reaches far beyond its data, to cell {cell} (Ctrl+End goes there), while the sheet holds {held} cells; delete the stray cells and the empty rows and columns after the data, or save the sheet as .xlsx, which bangfu reads cell by cell"),
            format!("无法读取文件：工作表“{sheet}”的已用区域远远超出数据所在范围，一直延伸到单元格 {cell}（按 Ctrl+End 可跳到那里），而整张表只有 {held} 个单元格；请删除那里多余的单元格以及数据后面的空行、空列，或把这张表另存为 .xlsx（本程序逐个单元格读取 .xlsx）"),
        ),
        Uncalculated { cell, .. } => tr!(
            lang,
            format!("cell {cell} holds a formula whose value was never calculated; open the file in Excel or WPS and save it again"),
            format!("单元格 {cell} 是公式，但从未计算出结果；请用 Excel 或 WPS 打开该文件后重新保存"),
        ),
        OutOfOrder { cell, .. } => tr!(
            lang,
            format!("cannot read the file from here on: cell {cell} is stored after rows below it (the sheet's rows are out of order in the file); open the file in Excel or WPS and save it again"),
            format!("从这里起无法读取文件：单元格 {cell} 在文件中存放在它下方的行之后（工作表的行顺序错乱）；请用 Excel 或 WPS 打开该文件后重新保存"),
        ),
        Broken { cause, .. } => tr!(
            lang,
            format!("cannot read the file from here on: {cause}"),
            format!("从这里起无法读取文件：{cause}"),
        ),
        UnclosedQuote { .. } => tr!(
            lang,
            "cannot read the file from here on: a quote opened on this line is not closed where its cell ends: it takes in the lines after it as one cell; close the quote or remove it".into(),
            "从这里起无法读取文件：这一行开始的引号在单元格结束处没有闭合，把后面的行都并进了一个单元格；请补上或删去这个引号".into(),
        ),
    }
}

impl ImportMsg {
    pub fn text(&self, lang: Lang) -> String {
        let text = self.said(lang);
        // An undo takes back the whole command: the other files of it are
        // to be given again (attacker review, session 20: following the
        // advice lost 四月.csv, imported beside the copy).
        match self.then() {
            Some(Then::Undo(n, files)) if files > 1 => {
                let others = files - 1;
                let en_files = if others == 1 { "file" } else { "files" };
                tr!(
                    lang,
                    format!("{text} (bangfu undo {n} takes back all of import {n}: import its other {others} {en_files} again)"),
                    format!("{text}（bangfu undo {n} 会撤销第 {n} 次导入的全部文件：其余 {others} 个文件请重新导入）"),
                )
            }
            _ => text,
        }
    }

    /// What a ledger's message says to do next, where it says to take the
    /// import back and import one file again (the copies' messages say to
    /// give the whole command again).
    fn then(&self) -> Option<Then> {
        use ImportMsg::*;
        match self {
            RejectsLedger { then, .. } | OtherLedgerHolds { then, .. } => Some(*then),
            _ => None,
        }
    }

    fn said(&self, lang: Lang) -> String {
        use ImportMsg::*;
        match self {
            Empty => tr!(lang, "is empty".into(), "为空".into()),
            LiftedInTheFuture { day } => tr!(
                lang,
                format!("{day} is in the future"),
                format!("{day} 还没有到"),
            ),
            PoorButLifted { day } => tr!(
                lang,
                format!("says poor, but the household was lifted out of poverty on {day}"),
                format!("写的是贫困，但该户已于 {day} 脱贫"),
            ),
            TotalDisagrees { total, goods, cash } => {
                let (t, g, c) = (total.display(), goods.display(), cash.display());
                let sum = goods.checked_add(*cash).map(Fen::display);
                let sum = sum.as_deref().unwrap_or("?");
                tr!(
                    lang,
                    format!("the total is {t}, but goods {g} and cash {c} make {sum}; bangfu reads the amounts from the goods (物资) and cash (资金) columns: fill them in"),
                    format!("合计为 {t}，但物资 {g} 加资金 {c} 是 {sum}；bangfu 只从物资、资金两列读取金额：请把金额填进这两列"),
                )
            }
            EndsBeforeStart { until, since } => tr!(
                lang,
                format!("{until} is before the start date {since}"),
                format!("{until} 早于开始日期 {since}"),
            ),
            AfterImportDay { day, today } => tr!(
                lang,
                format!("{day} is after the day of import ({today})"),
                format!("{day} 晚于导入当天（{today}）"),
            ),
            ControlCharacter { code } => tr!(
                lang,
                format!("holds the control character U+{code:04X}, which is not text; remove it"),
                format!("含有控制字符 U+{code:04X}，它不是文字；请删除"),
            ),
            RowWidth { cells, header } => tr!(
                lang,
                format!("the row has {cells} cells but the header has {header}"),
                format!("这一行有 {cells} 个单元格，表头有 {header} 个"),
            ),
            NotOfEncoding { encoding } => tr!(
                lang,
                format!("holds bytes that are not valid {encoding}; give the right --encoding"),
                format!("含有不符合 {encoding} 编码的字节；请用 --encoding 指定正确的编码"),
            ),
            CannotOpen {
                path,
                not_found,
                cause,
            } => match (lang, not_found) {
                (Lang::En, _) => format!("cannot open {path}: {cause}"),
                (Lang::Zh, true) => format!("无法打开 {path}：文件不存在"),
                (Lang::Zh, false) => format!("无法打开 {path}：{cause}"),
            },
            NoSuchSheet {
                path,
                sheet,
                sheets,
            } => tr!(
                lang,
                format!(
                    "{path} has no sheet {sheet:?}; its sheets are: {}",
                    sheets.join(", ")
                ),
                format!(
                    "{path} 中没有工作表“{sheet}”；它的工作表是：{}",
                    sheets.join("、")
                ),
            ),
            Progress { read, per_second } => tr!(
                lang,
                format!("{read} rows, {per_second} rows/s"),
                format!("{read} 行，每秒 {per_second} 行"),
            ),
            CopyingDatabase { path } => tr!(
                lang,
                format!("copying {path}"),
                format!("复制 {path} 时出错"),
            ),
            WritingRejects => tr!(
                lang,
                "writing the rejects file".into(),
                "写入拒绝行文件时出错".into(),
            ),
            CommittedWithoutRejects => tr!(
                lang,
                "the import was committed, but not its rejects file".into(),
                "导入已经提交，但拒绝行文件没有写成".into(),
            ),
            File(e) => file_text(e, lang),
            MissingColumn { accepted } => tr!(
                lang,
                format!(
                    "missing required column; accepted headers: {}",
                    accepted.join(", ")
                ),
                format!("缺少必需的列；可用的表头：{}", accepted.join("、")),
            ),
            UnreadMoney { headers } => tr!(
                lang,
                format!(
                    "{} look(s) like money but name(s) no goods or cash column, so the amounts would not be read; name the columns 物资 (goods) and 资金 (cash), or 合计 for a total; a column that is not an amount, remove it or name it so (资金来源, 补助类型)",
                    some_of(headers, lang)
                ),
                format!(
                    "{} 像是金额，但不是物资列或资金列，金额不会被读入；请把这些列命名为 物资 或 资金（合计写 合计）；如果不是金额，请删去该列，或改成说明它的名称（如 资金来源、补助类型）",
                    some_of(headers, lang)
                ),
            ),
            OtherSheets { sheet, others } => {
                let n = others.len();
                let list = some_of(others, lang);
                tr!(
                    lang,
                    format!("only the first sheet, {sheet}, was read; the workbook's {n} other sheet(s) with cells ({list}) were not: import each with --sheet NAME (with --replace, give each sheet a --ledger NAME of its own, or the sheet imported last takes the place of the others)"),
                    format!("只读了第一张工作表“{sheet}”；工作簿里另外 {n} 张有内容的工作表（{list}）没有读：请逐张用 --sheet 表名 导入（用 --replace 时，请给每张表各取一个 --ledger 台账名，否则后导入的表会替换先导入的）"),
                )
            }
            RejectsAgain { rows } => tr!(
                lang,
                format!("{rows} row(s) of this rejects file are, value for value, deliveries already stored, so nothing was imported. A rejected row was not imported: if such a row is a second, identical delivery of its sheet, correct it in the sheet and import the whole sheet again (identical rows are told apart by their number in the sheet, which a rejects file, holding the row alone, does not keep); if this rejects file was imported before, it need not be imported again"),
                format!("这个待改文件里有 {rows} 行和已经导入的帮扶记录完全相同，所以什么也没有导入。被拒绝的行当时没有导入：如果它是原表里又一次相同的帮扶，请在原表里改正，再把整张表重新导入（相同的行按它们在整张表里是第几条来区分，待改文件里只剩被拒绝的行，分不出是第几条）；如果这个待改文件已经导入过，就不用再导入了"),
            ),
            RejectsLedger { own, ledger, then } => {
                let own = printable(own.as_str()).into_owned();
                let ledger = printable(ledger.as_str()).into_owned();
                let word = shell_word(&ledger);
                match then {
                    Then::Undo(n, _) => tr!(
                        lang,
                        format!("this is a rejects file bangfu wrote (its last column is error), imported without --ledger: its rows are in a ledger of their own, {own}, apart from the sheet they came from, and no --replace of that sheet will take them out. To keep them with the sheet, take this import back (bangfu undo {n}) and import the file again with --ledger {word} (the ledger of the last import that had rows rejected)"),
                        format!("这是 bangfu 写出的待改文件（最后一列是 error），导入时没有加 --ledger：它的行记在了一本单独的台账“{own}”里，和原表分开，原表以后的 --replace 管不到它们。要让它们跟着原表，请撤销这次导入（bangfu undo {n}），再加 --ledger {word} 重新导入（最近一次有行被拒绝的导入，用的是台账“{ledger}”）"),
                    ),
                    Then::DryRun | Then::Refused => tr!(
                        lang,
                        format!("this is a rejects file bangfu wrote (its last column is error), given without --ledger: its rows would be in a ledger of their own, {own}, apart from the sheet they came from, and no --replace of that sheet would take them out. To keep them with the sheet, import it with --ledger {word} (the ledger of the last import that had rows rejected)"),
                        format!("这是 bangfu 写出的待改文件（最后一列是 error），没有加 --ledger：这样导入，它的行会记在一本单独的台账“{own}”里，和原表分开，原表以后的 --replace 管不到它们。要让它们跟着原表，请加 --ledger {word} 导入（最近一次有行被拒绝的导入，用的是台账“{ledger}”）"),
                    ),
                }
            }
            NotYuan { header, unit } => tr!(
                lang,
                format!(
                    "the header {} says its amounts are in {}, not yuan: bangfu reads money columns in 元 (or 千元, 万元 and the like); put the value in yuan in this column (the count can go in the note)",
                    printable(header), printable(unit)
                ),
                format!(
                    "表头“{}”写明单位是“{}”，不是元：物资、资金列须以元（或千元、万元等）为单位；请在这一列填折合的金额（件数可写在备注里）",
                    printable(header), printable(unit)
                ),
            ),
            UnclearUnit { header, unit } => tr!(
                lang,
                format!(
                    "the header {} says {} of its unit, which is not one bangfu reads: write 元 (or 万元, 千元) alone in its brackets",
                    printable(header), printable(unit)
                ),
                format!(
                    "表头“{}”里写的单位“{}”看不出是哪种单位：请在括号里只写 元（或 万元、千元）",
                    printable(header), printable(unit)
                ),
            ),
            MoneyTwice { used, unused } => tr!(
                lang,
                format!(
                    "columns {} and {} both hold the same kind of money; bangfu would read only one and lose the other's amounts: add them up into one column, or rename one",
                    printable(used), printable(unused)
                ),
                format!(
                    "“{}”和“{}”两列是同一种金额，只能读其中一列，另一列的金额会丢失：请合并成一列，或改掉其中一列的表头",
                    printable(used), printable(unused)
                ),
            ),
            TitleUnit { unit, headers } => tr!(
                lang,
                format!(
                    "the sheet's title says its amounts are in {unit}: {} read in {unit}",
                    some_of(headers, lang)
                ),
                format!(
                    "表格标题写明金额单位是{unit}：{} 按{unit}读入",
                    some_of(headers, lang)
                ),
            ),
            CannotTellKind { header } => tr!(
                lang,
                format!(
                    "cannot tell what this file holds: no header names a category (deliveries), \
                     township (households), unit (members), or member and household (pairings); \
                     the header is: {}; give --kind",
                    some_of(header, lang)
                ),
                format!(
                    "看不出这个文件是什么表：没有表头写着 类别（帮扶记录）、乡镇（贫困户）、单位（帮扶人），\
                     或 帮扶人 和 贫困户（结对）；表头是：{}；请用 --kind 指定",
                    some_of(header, lang)
                ),
            ),
            HeaderOnLine { line, title_rows } => tr!(
                lang,
                format!(
                    "the header is on line {line}; {title_rows} row(s) above it were passed over"
                ),
                format!("表头在第 {line} 行；跳过了它上面的 {title_rows} 行"),
            ),
            ReplaceNotCounted => tr!(
                lang,
                "--replace was not weighed, since the files have problems: the removed column counts nothing yet; correct the problems, and a dry run then shows what --replace would remove".into(),
                "文件有问题，--replace 还没有计算：“移除”一栏现在不算数；改正问题后再试运行一次，就能看到 --replace 会移除多少".into(),
            ),
            UnnamedColumn { column, rows } => {
                let letter = column_letter(*column);
                tr!(
                    lang,
                    format!("column {letter} (number {column}) has no header, yet {rows} row(s) hold a value in it: not read. If it is an amount or another column bangfu reads, write its header (物资, 资金…) and import again"),
                    format!("第 {letter} 列（第 {column} 列）没有表头，却有 {rows} 行填了值：没有读入。如果它是金额或 bangfu 要读的其他列，请写上表头（物资、资金……）后重新导入"),
                )
            }
            PairingsNotRead { kind, headers } => {
                let columns = some_of(headers, lang);
                let (en, zh) = match kind {
                    Kind::Members => ("a members sheet (it has a unit column)", "帮扶人表（有“单位”列）"),
                    _ => ("a households sheet (it has a township column)", "贫困户表（有“乡镇”列）"),
                };
                tr!(
                    lang,
                    format!("read as {en}: its columns {columns} were not read, and no pairing was imported from it. If it is a pairings sheet, import it again with --kind pairings"),
                    format!("这张表按{zh}读入：其中的 {columns} 列没有读入，结对关系没有导入。如果这是结对表，请加 --kind pairings 再导入一次"),
                )
            }
            IgnoredColumns { headers } => tr!(
                lang,
                format!(
                    "ignored column(s) that bangfu does not know: {}",
                    some_of(headers, lang)
                ),
                format!("忽略了 bangfu 不认识的列：{}", some_of(headers, lang)),
            ),
            ShadowedColumn { used, unused } => {
                let (used, unused) = (printable(used), printable(unused));
                tr!(
                    lang,
                    format!("columns {used} and {unused} name the same field; using {used}"),
                    format!("{used} 和 {unused} 两列是同一项；使用 {used}"),
                )
            }
            FooterRows { lines } => {
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                tr!(
                    lang,
                    format!(
                        "line(s) {} are footer rows (填表人, 审核人, 合计：…次 and the like), not records; they were skipped",
                        some_of(&lines, lang)
                    ),
                    format!(
                        "第 {} 行是表尾（填表人、审核人、合计：…次 之类），不是记录；已跳过",
                        some_of(&lines, lang)
                    ),
                )
            }
            TotalsDisagree {
                subtotal,
                stated,
                sum,
            } => {
                let (stated, sum) = (stated.display(), sum.display());
                match subtotal {
                    true => tr!(
                        lang,
                        format!("the totals row says {stated} but the rows above it (since the previous totals row) add up to {sum}"),
                        format!("合计行写的是 {stated}，但它上面（上一个合计行以来）的行加起来是 {sum}"),
                    ),
                    false => tr!(
                        lang,
                        format!("the totals row says {stated} but the valid rows add up to {sum}"),
                        format!("合计行写的是 {stated}，但没有问题的行加起来是 {sum}"),
                    ),
                }
            }
            TotalsNotAnAmount { text } => tr!(
                lang,
                format!("the totals row holds {text:?}, not an amount; it was not checked"),
                format!("合计行写的是“{text}”，不是金额；没有核对"),
            ),
            ReplaceWithRejects => tr!(
                lang,
                "--replace cannot be used with --rejects: a rejected row is not in the file's version of its ledger, so --replace would remove the stored row it stands for; correct the rejected rows and import again, or import without --replace".into(),
                "--replace 不能和 --rejects 一起用：被拒绝的行不算在这一版台账里，--replace 会把它对应的已有记录删掉；请改正有问题的行后再导入，或者不加 --replace 导入".into(),
            ),
            ReplaceRefused(refusal) => refused_text(refusal, lang),
            NothingReplaced { problems } => tr!(
                lang,
                format!(
                    "nothing was imported: --replace was refused (see the {} above)",
                    super::count(*problems, "problem", "problems")
                ),
                format!("什么也没有导入：--replace 被拒绝（见上面 {problems} 个问题）"),
            ),
            LooksCorrected(corrections) => corrected_text(corrections, lang),
            Unlisted(u) => {
                let ledger = printable(u.ledger.as_str()).into_owned();
                let (n, new, first, last) = (u.unlisted, u.new, u.first, u.last);
                if u.new == 0 {
                    let moved = u.moved;
                    tr!(
                        lang,
                        format!("{n} deliveries ledger {ledger} holds from {first} to {last} are not in this file, and {moved} of its rows give a record id (记录编号) of the ledger's to another member or household: were the sheet's rows renumbered after a row was deleted? Both are counted now. If the file is the whole sheet, import it again with --replace, so that the totals are the sheet's"),
                        format!("台账“{ledger}”在 {first} 至 {last} 之间已有的 {n} 条帮扶记录不在这个文件里，而文件中有 {moved} 行把台账原有的记录编号给了另一位帮扶人或另一户：是不是删了一行后重新编了号？现在都计算在内。如果这个文件是整张表，请加 --replace 再导入一次，合计才会和表上一致"),
                    )
                } else if u.moved > 0 {
                    let moved = u.moved;
                    tr!(
                        lang,
                        format!("{n} deliveries ledger {ledger} holds from {first} to {last} are not in this file, which adds {new} new row(s), and {moved} of its rows give a record id (记录编号) of the ledger's to another member or household: were the sheet's rows renumbered after a row was deleted? Both are counted now. If the file is the whole sheet, import it again with --replace, so that the totals are the sheet's"),
                        format!("台账“{ledger}”在 {first} 至 {last} 之间已有的 {n} 条帮扶记录不在这个文件里，文件又新增了 {new} 行，还有 {moved} 行把台账原有的记录编号给了另一位帮扶人或另一户：是不是删了一行后重新编了号？现在都计算在内。如果这个文件是整张表，请加 --replace 再导入一次，合计才会和表上一致"),
                    )
                } else {
                    tr!(
                        lang,
                        format!("{n} deliveries ledger {ledger} holds from {first} to {last} are not in this file, which adds {new} new row(s): both are counted now. If the file is the whole sheet with rows corrected or deleted, import it again with --replace, so that the totals are the sheet's"),
                        format!("台账“{ledger}”在 {first} 至 {last} 之间已有的 {n} 条帮扶记录不在这个文件里，而文件又新增了 {new} 行：现在新旧记录都计算在内。如果这个文件是改过或删过行的整张表，请加 --replace 再导入一次，合计才会和表上一致"),
                    )
                }
            }
            PairingsRedated { ledger, redated } => {
                let ledger = printable(ledger.as_str()).into_owned();
                tr!(
                    lang,
                    format!("{redated} pairing(s) of this file pair a member and household that ledger {ledger} paired before with another start date (结对日期), which the file no longer lists: both pairings are kept now. If the date was corrected in the sheet, import it again with --replace"),
                    format!("这个文件有 {redated} 个结对，帮扶人和贫困户在台账“{ledger}”里以前已经结对，只是结对日期不同，而这个文件里已没有旧的那个：现在新旧两个结对都保留着。如果是表里改了结对日期，请加 --replace 再导入一次"),
                )
            }
            OneVisit(v) => {
                let n = v.count;
                let (en, zh) = match &v.ledger {
                    Some(l) => {
                        let l = printable(l.as_str()).into_owned();
                        (format!("ledger {l}"), format!("台账“{l}”"))
                    }
                    None => ("a merged file".to_string(), "合并进来的文件".to_string()),
                };
                match v.with_ids {
                    true => tr!(
                        lang,
                        format!("{n} of this file's deliveries are visits {en} has with their record ids (记录编号): the same visits, counted once (unchanged here)"),
                        format!("这个文件有 {n} 条帮扶记录，{zh}里已经有（带记录编号）：是同一次帮扶，只算一次（这里算作未变）"),
                    ),
                    false => tr!(
                        lang,
                        format!("{n} of this file's deliveries are visits {en} has without record ids (记录编号): the same visits, counted once (unchanged here)"),
                        format!("这个文件有 {n} 条帮扶记录，{zh}里已经有（不带记录编号）：是同一次帮扶，只算一次（这里算作未变）"),
                    ),
                }
            }
            Retired {
                ledger,
                kind,
                count,
                named,
            } => {
                let ledger = printable(ledger.as_str()).into_owned();
                let some: Vec<String> = named
                    .iter()
                    .map(|(id, name)| format!("{} {}", printable(id), printable(name)))
                    .collect();
                let more = u64::try_from(named.len()).map_or(0, |n| count.saturating_sub(n));
                let listed = tr!(lang, some.join(", "), some.join("、"));
                let (en_more, zh_more) = match more {
                    0 => (String::new(), String::new()),
                    n => (format!(" and {n} more"), format!(" 等，另有 {n} {}", measure(*kind))),
                };
                let what = match (lang, kind) {
                    (Lang::En, Kind::Members) => format!("{count} member(s)"),
                    (Lang::En, _) => format!("{count} household(s)"),
                    (Lang::Zh, _) => records(*kind, *count, lang),
                };
                match kind {
                    Kind::Members => tr!(
                        lang,
                        format!("--replace takes {what} off ledger {ledger}, as the file no longer lists them: {listed}{en_more}. If the sheet was exported with a filter on, export it again without; an import already made is taken back with bangfu undo (its number is in bangfu log)"),
                        format!("--replace 将台账“{ledger}”的 {what}注销（文件里已没有）：{listed}{zh_more}。如果导出时表格开着筛选，请取消筛选后重新导出；已经导入的，可用 bangfu undo 撤销（编号见 bangfu log）"),
                    ),
                    _ => tr!(
                        lang,
                        format!("--replace takes {what} off ledger {ledger} (销户), as the file no longer lists them: {listed}{en_more}. If the sheet was exported with a filter on (one village shown, say), export it again without; an import already made is taken back with bangfu undo (its number is in bangfu log)"),
                        format!("--replace 将台账“{ledger}”的 {what}销户（文件里已没有）：{listed}{zh_more}。如果导出时表格开着筛选（例如只显示了某个村），请取消筛选后重新导出；已经导入的，可用 bangfu undo 撤销（编号见 bangfu log）"),
                    ),
                }
            }
            KeptCounted { ledger, kind, kept, then } => {
                let what = records(*kind, kept.count, lang);
                let names: Vec<String> = kept
                    .by
                    .iter()
                    .map(|(l, _)| tr!(lang, l.as_str().to_string(), format!("“{}”", l.as_str())))
                    .collect();
                let others = some_of(&names, lang);
                let m = kept.by.first().map_or(0, |&(_, m)| m);
                let ledger = printable(ledger.as_str());
                let (en_ledgers, en_hold) = match names.len() {
                    1 => ("ledger", "holds"),
                    _ => ("ledgers", "hold"),
                };
                let (en_are, en_them) = match kept.count {
                    1 => ("is", "it"),
                    _ => ("are", "them"),
                };
                match then {
                    Then::Undo(n, _) => tr!(
                        lang,
                        format!("{what} that this file no longer lists {en_are} still counted: {en_ledgers} {others} {en_hold} {en_them} too (import {m}), so ledger {ledger} let go of {en_them} but the figures did not move. If that was a copy of this sheet imported under a name of its own (a second download, 三月(1).csv), take back this import and then that one (bangfu undo {n}, then bangfu undo {m}) and import this file again with --replace (an undo takes back a whole import: give its other files again)"),
                        format!("这个文件已没有的 {what}仍计入合计：台账{others}里也有（第 {m} 次导入），所以虽已从台账“{ledger}”中去掉，合计数字并没有变。如果那本台账其实是这张表的副本，被单独导入了（例如重复下载的 三月(1).csv），请先撤销这次导入，再撤销那次（bangfu undo {n}，然后 bangfu undo {m}），再用 --replace 重新导入这个文件（每次撤销都会撤掉那次导入的全部文件，其余文件请重新导入）"),
                    ),
                    Then::DryRun | Then::Refused => tr!(
                        lang,
                        format!("{what} that this file no longer lists would still be counted: {en_ledgers} {others} {en_hold} {en_them} too (import {m}). If that was a copy of this sheet imported under a name of its own (a second download, 三月(1).csv), take that import back first (bangfu undo {m}: it takes back that whole import, so give its other files again), then import this file with --replace"),
                        format!("这个文件已没有的 {what}，照这样导入仍会计入合计：台账{others}里也有（第 {m} 次导入）。如果那本台账其实是这张表的副本，被单独导入了（例如重复下载的 三月(1).csv），请先撤销那次导入（bangfu undo {m}，会撤掉那次导入的全部文件，其余文件请重新导入），再用 --replace 导入这个文件"),
                    ),
                }
            }
            IdsSwitched(s) => {
                let ledger = printable(s.ledger.as_str()).into_owned();
                let n = s.doubled;
                if s.within {
                    tr!(
                        lang,
                        format!("{n} deliveries of ledger {ledger} are given twice by this import's files, once with a record id (记录编号) and once without: they would be counted twice, so nothing was imported. Import one export of the sheet, not both"),
                        format!("这次导入的文件把台账“{ledger}”的 {n} 条帮扶记录给了两遍，一遍带记录编号，一遍不带：会算两次，所以什么也没有导入。同一张表只导入一份导出的文件"),
                    )
                } else if s.held_with_ids && s.new_with_ids {
                    tr!(
                        lang,
                        format!("{n} of this file's deliveries have record ids (记录编号) ledger {ledger} did not have, yet are, value for value, rows it imported before under other ids that this file no longer lists (were the ids renumbered, or 001 written as 1?): they would be counted a second time, so nothing was imported. If this file is the whole sheet, import it with --replace (the rows under the old ids are then taken out; add --force if it says more than half)"),
                        format!("这个文件的 {n} 条帮扶记录，记录编号是台账“{ledger}”没有的，内容却和它以前导入、这个文件里已没有的记录一模一样（编号是不是重排了，或 001 变成了 1？）：会再算一次，所以什么也没有导入。如果这个文件是整张表，请加 --replace 导入（旧编号的记录会被换掉；如果提示超过一半，再加 --force）"),
                    )
                } else if s.held_with_ids {
                    tr!(
                        lang,
                        format!("{n} of this file's deliveries are ones ledger {ledger} imported before with a record id (记录编号), which this file does not give: they would be counted a second time, so nothing was imported. Export the whole sheet with its 记录编号 column and import that"),
                        format!("这个文件的 {n} 条帮扶记录，台账“{ledger}”以前已经导入过（当时带记录编号，这个文件没有）：会再算一次，所以什么也没有导入。请导出带“记录编号”列的整张表再导入"),
                    )
                } else {
                    tr!(
                        lang,
                        format!("{n} of this file's deliveries are ones ledger {ledger} imported before without a record id (记录编号): matched by this file's ids, they would be counted a second time, so nothing was imported. To match this ledger by 记录编号 from now on, import its whole sheet with --replace --force (its rows then take the place of the ones imported before, all of them: hence --force)"),
                        format!("这个文件的 {n} 条帮扶记录，台账“{ledger}”以前已经导入过（当时没有记录编号）：按这个文件的编号比对会再算一次，所以什么也没有导入。以后要按“记录编号”比对，请用 --replace --force 导入整张表（以前导入的记录会全部换成带编号的这一版，所以要加 --force）"),
                    )
                }
            }
            OtherLedgerHolds { own, other, held, rows, then } => {
                let (own, name) = (printable(own.as_str()), printable(other.as_str()));
                let word = shell_word(&name);
                // A copy holds nothing of its own: said only where every row is held.
                let copy = held == rows;
                match then {
                    Then::Undo(n, _) => {
                        let (en_copy, zh_copy) = match copy {
                            true => (
                                format!("If this file is a copy of {name}'s (a second download), take this import back (bangfu undo {n}); if"),
                                format!("如果这个文件是“{name}”文件的副本（重复下载的），请撤销这次导入（bangfu undo {n}）；如果"),
                            ),
                            false => ("If".to_string(), "如果".to_string()),
                        };
                        tr!(
                            lang,
                            format!("{held} of its {rows} rows are already in ledger {name}, and ledger {own} now holds them too: a row later deleted from {name}'s sheet would stay counted through {own}. {en_copy} it is {name}'s new version, take this import back (bangfu undo {n}) and import the file with --ledger {word} --replace"),
                            format!("文件的 {rows} 行中有 {held} 行已在台账“{name}”中，现在台账“{own}”也有了这些行：以后从“{name}”表中删掉的行，“{own}”里还留着，仍会计入合计。{zh_copy}它是“{name}”更新后的表，请撤销这次导入（bangfu undo {n}），再用 --ledger {word} --replace 导入这个文件"),
                        )
                    }
                    Then::DryRun | Then::Refused => {
                        let (en_copy, zh_copy) = match copy {
                            true => (
                                format!("; if it is a copy of {name}'s (a second download), there is nothing to import"),
                                format!("；如果它是“{name}”文件的副本（重复下载的），就不用导入"),
                            ),
                            false => (String::new(), String::new()),
                        };
                        tr!(
                            lang,
                            format!("{held} of its {rows} rows are already in ledger {name}; imported as it is, ledger {own} would hold them too, and a row later deleted from {name}'s sheet would stay counted through {own}. If this file is {name}'s new version, import it with --ledger {word} --replace{en_copy}"),
                            format!("文件的 {rows} 行中有 {held} 行已在台账“{name}”中；照这样导入，台账“{own}”也会有这些行，以后从“{name}”表中删掉的行，“{own}”里还留着，仍会计入合计。如果它是“{name}”更新后的表，请用 --ledger {word} --replace 导入{zh_copy}"),
                        )
                    }
                }
            }
            SharedWithFile { other, held, rows, then } => {
                let name = printable(other.as_str());
                match then {
                    Then::Undo(n, _) => tr!(
                        lang,
                        format!("{held} of its {rows} rows are also in ledger {name}, whose file came in the same import: if one of the two files is the other corrected, both are now counted. Take this import back (bangfu undo {n}); give the same command again without both files, and import the corrected file by itself with --ledger NAME --replace, NAME the ledger it corrects"),
                        format!("文件的 {rows} 行中有 {held} 行也在同一次导入的台账“{name}”的文件中：如果两个文件中一个是另一个的更正版，现在两份都计入了。请撤销这次导入（bangfu undo {n}）；把同一条命令去掉这两个文件后重新执行，再单独导入更正后的那个文件，用 --ledger 台账名 --replace（台账名是它所更正的台账）"),
                    ),
                    Then::DryRun => tr!(
                        lang,
                        format!("{held} of its {rows} rows are also in ledger {name}, whose file is in the same command: if one of the two files is the other corrected, both would be counted. Import only the corrected file, with --ledger NAME --replace, NAME the ledger it corrects"),
                        format!("文件的 {rows} 行中有 {held} 行也在同一条命令里台账“{name}”的文件中：如果两个文件中一个是另一个的更正版，两份都会计入。请只导入更正后的那个文件，用 --ledger 台账名 --replace（台账名是它所更正的台账）"),
                    ),
                    Then::Refused => tr!(
                        lang,
                        format!("{held} of its {rows} rows are also in ledger {name}, whose file is in the same command: if one of the two files is the other corrected, import only the corrected one, with --ledger NAME --replace, NAME the ledger it corrects; to import both as ledgers of their own, add --force"),
                        format!("文件的 {rows} 行中有 {held} 行也在同一条命令里台账“{name}”的文件中：如果两个文件中一个是另一个的更正版，请只导入更正后的那个，用 --ledger 台账名 --replace（台账名是它所更正的台账）；确实要把两个都作为各自的台账导入，请加 --force"),
                    ),
                }
            }
            CopyInLedger { ledger, file, shared, rows, theirs, then } => {
                let name = printable(ledger.as_str());
                let file = printable(file);
                match then {
                    Then::Undo(n, _) => tr!(
                        lang,
                        format!("{shared} of its {rows} rows are also in {file} ({theirs} rows), of ledger {name} earlier in this import, and the two files are not the same: if one of them is the other corrected, a row corrected or deleted in it is still counted as it was. Take this import back (bangfu undo {n}) and give the same command again with --replace, without the file the corrected one replaces"),
                        format!("文件的 {rows} 行中有 {shared} 行也在 {file}（{theirs} 行）里，那是本次导入中排在前面、同属台账“{name}”的文件；两个文件并不相同：如果其中一个是另一个的更正版，被改掉或删掉的原行仍按原样计入了。请撤销这次导入（bangfu undo {n}），再把同一条命令去掉旧的那个文件（被更正的那个）、加上 --replace 重新执行"),
                    ),
                    Then::DryRun => tr!(
                        lang,
                        format!("{shared} of its {rows} rows are also in {file} ({theirs} rows), of ledger {name} earlier in this command, and the two files are not the same: if one of them is the other corrected, a row corrected or deleted in it would still be counted as it was. Leave out the file the corrected one replaces"),
                        format!("文件的 {rows} 行中有 {shared} 行也在 {file}（{theirs} 行）里，那是同一条命令中排在前面、同属台账“{name}”的文件；两个文件并不相同：如果其中一个是另一个的更正版，被改掉或删掉的原行仍会按原样计入。请去掉旧的那个文件（被更正的那个）"),
                    ),
                    Then::Refused => tr!(
                        lang,
                        format!("{shared} of its {rows} rows are also in {file} ({theirs} rows), of ledger {name} earlier in this command, and the two files are not the same: --replace would make them both the ledger's version, so if one of them is the other corrected, a row corrected or deleted in it would still be counted as it was. Give the command again without the file the corrected one replaces; if both belong to the ledger, add --force"),
                        format!("文件的 {rows} 行中有 {shared} 行也在 {file}（{theirs} 行）里，那是同一条命令中排在前面、同属台账“{name}”的文件；两个文件并不相同：--replace 会把两个文件一起当作这本台账的最新内容，如果其中一个是另一个的更正版，被改掉或删掉的原行仍会按原样计入。请去掉旧的那个文件（被更正的那个）后重新执行；如果两个文件确实都属于这本台账，请加 --force"),
                    ),
                }
            }
            OtherLedgerReplace { ledger, other, held, rows } => {
                let (ledger, name) = (printable(ledger.as_str()), printable(other.as_str()));
                let word = shell_word(&name);
                tr!(
                    lang,
                    format!("{held} of its {rows} rows are already in ledger {name}, but --replace would make it a new ledger {ledger} beside it, which would hold them too (a row later deleted from {name}'s sheet would stay counted through {ledger}); if this file is {name}'s new version, import it with --ledger {word} --replace; to start ledger {ledger} anyway, add --force"),
                    format!("文件的 {rows} 行中有 {held} 行已在台账“{name}”中，而 --replace 会把它导入为一个新台账“{ledger}”，这些行也归入新台账（以后从“{name}”表中删掉的行，仍会因“{ledger}”而被计入）；如果它是“{name}”的新版本，请用 --ledger {word} --replace 导入；确实要另建台账“{ledger}”，请加 --force"),
                )
            }
        }
    }
}

/// The measure word of a record of `kind` (3 户, 3 条).
fn measure(kind: Kind) -> &'static str {
    match kind {
        Kind::Households => "户",
        Kind::Members => "名",
        Kind::Pairings => "个",
        Kind::Deliveries => "条",
    }
}

/// The Chinese word for what `--replace` does to a record of `kind` no
/// ledger lists any more, where it is not deleted: a household is 销户
/// and a member 注销, both kept for their past deliveries (contract §8);
/// `None` for a pairing or delivery, which is deleted (删掉).
fn retired(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Households => Some("销户"),
        Kind::Members => Some("注销"),
        Kind::Pairings | Kind::Deliveries => None,
    }
}

/// `n` records of `kind`: `3 deliveries`, `3 条帮扶记录`.
fn records(kind: Kind, n: u64, lang: Lang) -> String {
    let zh = format!("{n} {}{}", measure(kind), kind.zh());
    // One in the singular ("1 deliveries" in a refusal: attacker review,
    // session 15).
    let en = match (n, kind) {
        (1, Kind::Deliveries) => "delivery",
        (1, Kind::Households) => "household",
        (1, Kind::Members) => "member",
        (1, Kind::Pairings) => "pairing",
        _ => kind.key(),
    };
    tr!(lang, format!("{n} {en}"), zh)
}

/// A spreadsheet's name of column `n` (1-based): A, …, Z, AA, AB, ….
fn column_letter(n: usize) -> String {
    let mut n = n;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A ledger's name as a command line takes it: quoted where it holds
/// spaces or characters a shell reads.
pub(crate) fn shell_word(name: &str) -> String {
    let plain = |c: char| !c.is_whitespace() && !"\"'\\$&|;<>()*?[]{}!`#~".contains(c);
    if !name.is_empty() && name.chars().all(plain) {
        return name.to_string();
    }
    format!("\"{}\"", name.replace(['"', '\\', '$', '`'], "_"))
}

fn refused_text(refusal: &Refusal, lang: Lang) -> String {
    match refusal {
        Refusal::MostOfTheLedger {
            ledger,
            kind,
            dropped,
            held,
        } => {
            let (ledger, of) = (printable(ledger.as_str()), records(*kind, *held, lang));
            tr!(
                lang,
                format!("--replace would remove {dropped} of the {of} ledger {ledger} held, more than half: is this file the whole ledger? If it is another sheet or another month's records, give it a --ledger NAME of its own; if the sheet really lost them, import it again with --force"),
                {
                    let n = format!("{dropped} {}", measure(*kind));
                    let change = match retired(*kind) {
                        None => format!("会从台账“{ledger}”原有的 {of}中删掉 {n}"),
                        Some(word) => format!("会将台账“{ledger}”原有的 {of}中的 {n}{word}"),
                    };
                    format!("--replace {change}，超过一半：这个文件是完整的台账吗？如果它是另一张表或另一个月的记录，请用 --ledger 给它另取一个台账名；如果表格里确实删掉了这些，请加 --force 重新导入")
                },
            )
        }
        Refusal::OtherTownships {
            ledger,
            kind,
            dropped,
            townships,
        } => {
            let (ledger, what) = (printable(ledger.as_str()), records(*kind, *dropped, lang));
            let townships = some_of(townships, lang);
            let gone = match retired(*kind) {
                None => format!("删掉台账“{ledger}”中{townships}的 {what}"),
                Some(word) => format!("将台账“{ledger}”中{townships}的 {what}{word}"),
            };
            tr!(
                lang,
                format!("--replace would remove {what} of ledger {ledger} in {townships}, of which the file has no row: is it another township's file of the same name? Give each township's file its own --ledger; if these rows really are gone, import it again with --force"),
                format!("--replace 会{gone}，而文件里没有这些乡镇的行：这是不是另一个乡镇同名的文件？请用 --ledger 给每个乡镇的文件各起一个台账名；如果这些记录确实没有了，请加 --force 重新导入"),
            )
        }
        Refusal::OtherMonths {
            ledger,
            kind,
            dropped,
            months,
        } => {
            let (ledger, what) = (printable(ledger.as_str()), records(*kind, *dropped, lang));
            let months = some_of(months, lang);
            tr!(
                lang,
                format!("--replace would remove {what} of ledger {ledger} in {months}, more than the file keeps of that month: is the file another month's sheet of the same file name? Then give each month's file its own --ledger. If the file is the whole ledger and those rows were deleted or moved to other dates, import it again with --force"),
                format!("--replace 会删掉台账“{ledger}”中 {months} 的 {what}，比文件在这个月里保留的还多：这个文件是不是另一个月同名的表？如果是，请用 --ledger 给每个月的文件各起一个台账名。如果文件就是整个台账，这些记录确实删掉了或改了日期，请加 --force 重新导入"),
            )
        }
        Refusal::OlderVersion {
            ledger,
            kind,
            dropped,
            earlier,
            later,
        } => {
            let (ledger, what) = (printable(ledger.as_str()), records(*kind, *dropped, lang));
            let gone = match retired(*kind) {
                None => format!("删掉之后新增的 {what}"),
                Some(word) => format!("将之后新增的 {what}{word}"),
            };
            tr!(
                lang,
                format!("this file is, byte for byte, the one import {earlier} brought in for ledger {ledger}, and import {later} brought a newer version since: --replace with it would remove {what} added since. Is it last month's file? To go back to it all the same, import it again with --force; to take back an import, use bangfu undo {later}"),
                format!("这个文件和第 {earlier} 次导入的台账“{ledger}”文件一字不差，而之后第 {later} 次导入了更新的版本：用它 --replace 会{gone}。是不是上个月的文件？如果确实要退回到这一版，请加 --force 重新导入；要撤销某次导入，请用 bangfu undo {later}"),
            )
        }
    }
}

fn corrected_text(c: &Corrections, lang: Lang) -> String {
    let rows: Vec<String> = c
        .named
        .iter()
        .map(|r| {
            let (member, head) = (printable(&r.member), printable(&r.head));
            let category = tr!(lang, r.category.key(), r.category.zh());
            let (held, file) = (r.held.display(), r.file.display());
            tr!(
                lang,
                format!(
                    "{} {category} by {member} for the household of {head}: {held} in the ledger, {file} in the file",
                    r.day
                ),
                format!(
                    "{} 帮扶人{member}对贫困户{head}的{category}：台账中 {held}，文件中 {file}",
                    r.day
                ),
            )
        })
        .collect();
    let mut list = rows.join(tr!(lang, "; ", "；"));
    let more = c.count.saturating_sub(c.named.len() as u64);
    if more > 0 {
        list.push_str(&tr!(
            lang,
            format!(" and {more} more"),
            format!(" 等，另有 {more} 行")
        ));
    }
    let (count, ledger) = (c.count, printable(c.ledger.as_str()));
    tr!(
        lang,
        format!("{count} new row(s) look like corrections of rows ledger {ledger} already holds: {list}; both are kept — if the sheet was corrected, import it again with --replace"),
        format!("有 {count} 行新记录像是对台账“{ledger}”已有记录的更正：{list}；现在新旧两条都保留了——如果表格改过，请加 --replace 再导入一次"),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::write::Correction;

    /// One instance of every variant (the match makes a new variant a
    /// compile error here until it has a sample).
    pub(crate) fn samples() -> Vec<ImportMsg> {
        use ImportMsg::*;
        let day = Date::from_ymd(2001, 3, 5).unwrap();
        let all = vec![
            Empty,
            LiftedInTheFuture { day },
            PoorButLifted { day },
            TotalDisagrees {
                total: Fen(100),
                goods: Fen(50),
                cash: Fen(0),
            },
            EndsBeforeStart {
                until: day,
                since: day,
            },
            AfterImportDay { day, today: day },
            ControlCharacter { code: 0x1b },
            RowWidth {
                cells: 2,
                header: 6,
            },
            NotOfEncoding {
                encoding: "UTF-8".into(),
            },
            CannotOpen {
                path: "a.csv".into(),
                not_found: true,
                cause: "No such file or directory (os error 2)".into(),
            },
            CannotOpen {
                path: "a.csv".into(),
                not_found: false,
                cause: "Permission denied (os error 13)".into(),
            },
            NoSuchSheet {
                path: "a.xlsx".into(),
                sheet: "x".into(),
                sheets: vec!["Sheet1".into()],
            },
            Progress {
                read: 4096,
                per_second: 100_000,
            },
            CopyingDatabase {
                path: "b.db".into(),
            },
            WritingRejects,
            CommittedWithoutRejects,
            File(FileError::Empty),
            File(FileError::NoHeader),
            File(FileError::Workbook),
            File(FileError::Binary),
            File(FileError::Read { cause: "x".into() }),
            File(FileError::NotAWorkbook { cause: "x".into() }),
            File(FileError::DamagedWorkbook),
            File(FileError::SheetUnreadable {
                sheet: "s".into(),
                cause: "x".into(),
            }),
            File(FileError::Broken {
                line: 3,
                cause: "x".into(),
            }),
            File(FileError::UnclosedQuote { line: 3 }),
            File(FileError::FarUsedRange),
            File(FileError::SheetTooLarge {
                sheet: "台账".into(),
            }),
            File(FileError::FarCell {
                sheet: "台账".into(),
                cell: "XFD1048576".into(),
                held: 7,
            }),
            File(FileError::Uncalculated {
                line: 2,
                cell: "E2".into(),
            }),
            File(FileError::OutOfOrder {
                line: 3,
                cell: "A3".into(),
            }),
            MissingColumn {
                accepted: vec!["乡镇", "township"],
            },
            UnreadMoney {
                headers: vec!["金额".into()],
            },
            OtherSheets {
                sheet: "10月".into(),
                others: vec!["11月".into(), "12月".into()],
            },
            RejectsAgain { rows: 1 },
            RejectsLedger {
                own: LedgerName::parse("退回").unwrap(),
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                then: Then::Undo(3, 1),
            },
            RejectsLedger {
                own: LedgerName::parse("退回").unwrap(),
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                then: Then::DryRun,
            },
            NotYuan {
                header: "物资（件）".into(),
                unit: "件".into(),
            },
            UnclearUnit {
                header: "物资（元，超万元另报）".into(),
                unit: "元,超万元另报".into(),
            },
            MoneyTwice {
                used: "物资".into(),
                unused: "实物".into(),
            },
            TitleUnit {
                unit: "万元",
                headers: vec!["物资".into()],
            },
            CannotTellKind {
                header: vec!["a".into(), "b".into()],
            },
            HeaderOnLine {
                line: 3,
                title_rows: 2,
            },
            IgnoredColumns {
                headers: vec!["x".into()],
            },
            UnnamedColumn {
                column: 28,
                rows: 3,
            },
            ReplaceNotCounted,
            PairingsNotRead {
                kind: Kind::Households,
                headers: vec!["帮扶人".into(), "结对日期".into()],
            },
            PairingsNotRead {
                kind: Kind::Members,
                headers: vec!["户编号".into()],
            },
            ShadowedColumn {
                used: "a".into(),
                unused: "b".into(),
            },
            FooterRows { lines: vec![9, 10] },
            TotalsDisagree {
                subtotal: true,
                stated: Fen(100),
                sum: Fen(200),
            },
            TotalsDisagree {
                subtotal: false,
                stated: Fen(100),
                sum: Fen(200),
            },
            TotalsNotAnAmount { text: "x".into() },
            ReplaceWithRejects,
            NothingReplaced { problems: 2 },
            ReplaceRefused(Refusal::MostOfTheLedger {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                kind: Kind::Deliveries,
                dropped: 6,
                held: 10,
            }),
            ReplaceRefused(Refusal::OlderVersion {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                kind: Kind::Deliveries,
                dropped: 5,
                earlier: 1,
                later: 4,
            }),
            ReplaceRefused(Refusal::OtherTownships {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                kind: Kind::Households,
                dropped: 3,
                townships: vec!["工农乡".into(), "向阳街道".into()],
            }),
            ReplaceRefused(Refusal::OtherMonths {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                kind: Kind::Deliveries,
                dropped: 4,
                months: vec!["2025-04".into()],
            }),
            LooksCorrected(Corrections {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                named: vec![Correction {
                    day,
                    member: "李四".into(),
                    head: "张三".into(),
                    category: crate::values::Category::Warmth,
                    held: Fen(80_000),
                    file: Fen(88_000),
                }],
                count: 7,
            }),
            IdsSwitched(IdSwitch {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                held_with_ids: true,
                new_with_ids: false,
                doubled: 3,
                within: false,
            }),
            IdsSwitched(IdSwitch {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                held_with_ids: true,
                new_with_ids: false,
                doubled: 3,
                within: true,
            }),
            IdsSwitched(IdSwitch {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                held_with_ids: false,
                new_with_ids: true,
                doubled: 3,
                within: false,
            }),
            IdsSwitched(IdSwitch {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                held_with_ids: true,
                new_with_ids: true,
                doubled: 3,
                within: false,
            }),
            PairingsRedated {
                ledger: LedgerName::parse("结对").unwrap(),
                redated: 1,
            },
            OneVisit(crate::store::write::OneVisit {
                file: 1,
                ledger: LedgerName::parse("乡镇"),
                with_ids: true,
                count: 2,
                news: true,
            }),
            OneVisit(crate::store::write::OneVisit {
                file: 1,
                ledger: None,
                with_ids: false,
                count: 2,
                news: true,
            }),
            Retired {
                ledger: LedgerName::parse("贫困户").unwrap(),
                kind: Kind::Households,
                count: 12,
                named: vec![("H1".into(), "张三".into()), ("H2".into(), "李四".into())],
            },
            Retired {
                ledger: LedgerName::parse("帮扶人").unwrap(),
                kind: Kind::Members,
                count: 1,
                named: vec![("M1".into(), "赵六".into())],
            },
            Unlisted(crate::store::write::Unlisted {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                unlisted: 4,
                new: 8,
                moved: 0,
                first: day,
                last: day,
            }),
            Unlisted(crate::store::write::Unlisted {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                unlisted: 1,
                new: 2,
                moved: 1,
                first: day,
                last: day,
            }),
            Unlisted(crate::store::write::Unlisted {
                ledger: LedgerName::parse("帮扶记录").unwrap(),
                unlisted: 1,
                new: 0,
                moved: 1,
                first: day,
                last: day,
            }),
            OtherLedgerHolds {
                own: LedgerName::parse("帮扶记录 2024年3月(1)").unwrap(),
                other: LedgerName::parse("帮扶记录 2024年3月").unwrap(),
                held: 3,
                rows: 4,
                then: Then::Undo(5, 2),
            },
            OtherLedgerHolds {
                own: LedgerName::parse("三月(1)").unwrap(),
                other: LedgerName::parse("三月").unwrap(),
                held: 4,
                rows: 4,
                then: Then::DryRun,
            },
            KeptCounted {
                ledger: LedgerName::parse("三月").unwrap(),
                kind: Kind::Deliveries,
                kept: Kept {
                    count: 1,
                    by: vec![(LedgerName::parse("三月(1)").unwrap(), 8)],
                },
                then: Then::Undo(9, 1),
            },
            KeptCounted {
                ledger: LedgerName::parse("三月").unwrap(),
                kind: Kind::Pairings,
                kept: Kept {
                    count: 2,
                    by: vec![
                        (LedgerName::parse("三月(1)").unwrap(), 8),
                        (LedgerName::parse("三月 副本").unwrap(), 6),
                    ],
                },
                then: Then::DryRun,
            },
            OtherLedgerReplace {
                ledger: LedgerName::parse("帮扶记录2024年4月").unwrap(),
                other: LedgerName::parse("帮扶记录").unwrap(),
                held: 3,
                rows: 4,
            },
            SharedWithFile {
                other: LedgerName::parse("三月(修改)").unwrap(),
                held: 7,
                rows: 8,
                then: Then::Undo(4, 1),
            },
            SharedWithFile {
                other: LedgerName::parse("三月(修改)").unwrap(),
                held: 7,
                rows: 8,
                then: Then::DryRun,
            },
            SharedWithFile {
                other: LedgerName::parse("三月").unwrap(),
                held: 7,
                rows: 8,
                then: Then::Refused,
            },
            CopyInLedger {
                ledger: LedgerName::parse("三月").unwrap(),
                file: "台账/三月.csv".into(),
                shared: 3,
                rows: 4,
                theirs: 5,
                then: Then::Undo(2, 3),
            },
            CopyInLedger {
                ledger: LedgerName::parse("三月").unwrap(),
                file: "台账/三月.csv".into(),
                shared: 3,
                rows: 4,
                theirs: 5,
                then: Then::DryRun,
            },
            CopyInLedger {
                ledger: LedgerName::parse("三月 修改").unwrap(),
                file: "台账/三月.csv".into(),
                shared: 3,
                rows: 4,
                theirs: 5,
                then: Then::Refused,
            },
        ];
        for m in &all {
            match m {
                Empty
                | LiftedInTheFuture { .. }
                | PoorButLifted { .. }
                | TotalDisagrees { .. }
                | EndsBeforeStart { .. }
                | AfterImportDay { .. }
                | ControlCharacter { .. }
                | RowWidth { .. }
                | NotOfEncoding { .. }
                | CannotOpen { .. }
                | NoSuchSheet { .. }
                | Progress { .. }
                | CopyingDatabase { .. }
                | WritingRejects
                | CommittedWithoutRejects
                | File(_)
                | MissingColumn { .. }
                | UnreadMoney { .. }
                | OtherSheets { .. }
                | RejectsAgain { .. }
                | RejectsLedger { .. }
                | NotYuan { .. }
                | UnclearUnit { .. }
                | MoneyTwice { .. }
                | TitleUnit { .. }
                | CannotTellKind { .. }
                | HeaderOnLine { .. }
                | IgnoredColumns { .. }
                | PairingsNotRead { .. }
                | OneVisit(_)
                | UnnamedColumn { .. }
                | ReplaceNotCounted
                | ShadowedColumn { .. }
                | FooterRows { .. }
                | TotalsDisagree { .. }
                | TotalsNotAnAmount { .. }
                | ReplaceWithRejects
                | ReplaceRefused(_)
                | NothingReplaced { .. }
                | LooksCorrected(_)
                | Unlisted(_)
                | Retired { .. }
                | PairingsRedated { .. }
                | IdsSwitched(_)
                | KeptCounted { .. }
                | OtherLedgerHolds { .. }
                | SharedWithFile { .. }
                | CopyInLedger { .. }
                | OtherLedgerReplace { .. } => {}
            }
        }
        all
    }

    #[test]
    fn a_ledger_name_is_quoted_where_a_shell_would_split_or_read_it() {
        assert_eq!(shell_word("帮扶记录2024年3月"), "帮扶记录2024年3月");
        assert_eq!(shell_word("帮扶记录 3月"), "\"帮扶记录 3月\"");
        assert_eq!(shell_word("a$b`c\"d"), "\"a_b_c_d\"");
        assert_eq!(shell_word("(1)"), "\"(1)\"");
    }

    #[test]
    fn one_record_is_said_in_the_singular() {
        assert_eq!(records(Kind::Deliveries, 1, Lang::En), "1 delivery");
        assert_eq!(records(Kind::Households, 1, Lang::En), "1 household");
        assert_eq!(records(Kind::Deliveries, 2, Lang::En), "2 deliveries");
        assert_eq!(records(Kind::Deliveries, 0, Lang::En), "0 deliveries");
        assert!(records(Kind::Deliveries, 1, Lang::Zh).starts_with("1 "));
    }

    #[test]
    fn names_a_few_then_counts_the_rest() {
        assert_eq!(some_of(&["a", "b"], Lang::En), "a, b");
        let many: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
        assert_eq!(some_of(&many, Lang::En), "c0, c1, c2, c3, c4 and 3 more");
        assert_eq!(some_of(&many, Lang::Zh), "c0、c1、c2、c3、c4 等，另有 3 个");
        assert_eq!(some_of(&["\u{1b}[31m"], Lang::En), "\\u{1b}[31m");
    }
}
