//! What the store says, in both languages: the problems of references
//! (contract §3.2) and of ids within one file (§3.4), and what went wrong with
//! the database file ([`StoreError`]). An ID or phone number quoted is
//! masked where the message is printed ([`crate::problem::say`]), unless
//! `--reveal`.

use super::report::{list, quote};
use super::{tr, Lang};
use crate::store::error::{Damage, Denied, Doing, Foreign, Tables, Trouble};
use crate::store::lookup::{RefKind, RejectedRow};
use crate::store::pg::connect::{ConnectError, Reason};
use crate::store::StoreError;

/// A record suggested for a reference that matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
}

/// A problem the store finds with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMsg {
    /// No record has this id or name; perhaps the nearest records.
    NoSuch {
        kind: RefKind,
        reference: String,
        nearest: Vec<Suggestion>,
    },
    /// No household of the one township this login sees (a server's login
    /// held to it) has this id or head: it may be another township's.
    NotInTownship { reference: String, township: String },
    /// No id, and more than one record of this name.
    SeveralNamed {
        kind: RefKind,
        reference: String,
        ids: Vec<String>,
    },
    /// The roster row this reference means was rejected.
    OnRejectedRow {
        kind: RefKind,
        reference: String,
        row: RejectedRow,
    },
    /// A household or member id a second time in one file.
    IdAgain {
        kind: RefKind,
        id: String,
        first: u64,
    },
    /// A household or member an earlier file of the same import, of the
    /// same columns, gave other values: a roster and its corrected copy.
    IdOtherwise { kind: RefKind, id: String },
    /// A delivery's record id a second time in one file.
    RecordIdAgain { id: String },
    /// A delivery's record id an earlier file of the same import gave
    /// other values: the files disagree on it.
    /// `other_visit`: for another day, member, household or category: two
    /// sheets numbering their rows alike (two townships' 帮扶记录.csv).
    RecordIdOtherwise { id: String, other_visit: bool },
    /// A delivery's record id that another ledger's delivery of another
    /// member or household has: two sheets numbering their rows alike
    /// (每张表都从 1 编起).
    RecordIdOfAnotherLedger {
        id: String,
        ledger: String,
        day: String,
        household: String,
    },
    /// A row names its household (or member) in two columns (`户编号` and
    /// `户主`) and they name different records.
    SecondsDisagree {
        kind: RefKind,
        first: String,
        /// The name of the record `first` names (its head, for a household).
        name: String,
        second: String,
    },
    /// The ID number (masked) is another household's.
    IdNumberTaken { masked: String, other: String },
    /// A households row whose township is not the one this login (a
    /// server's login held to `own`) may write.
    OtherTownshipRow { township: String, own: String },
    /// A members row a township's login may not write: a new member
    /// (`new`), or one that differs from the stored member.
    MemberIsDistricts { id: String, new: bool },
    /// A township's login's households row (`reference`: a delivery's or
    /// pairing's reference) of a household the district moved from its
    /// township to `now`: the new township's to write.
    MovedAway {
        household: String,
        now: String,
        own: String,
        reference: bool,
    },
    /// A township's login's delivery dated while its household was in
    /// another township (before it moved in).
    CountedElsewhere {
        household: String,
        then: String,
        own: String,
    },
}

impl RefKind {
    fn what(self, lang: Lang) -> &'static str {
        match self {
            RefKind::Household => tr!(lang, "household", "贫困户"),
            RefKind::Member => tr!(lang, "member", "帮扶人"),
        }
    }
}

/// `M1 (刘建国), M2 (刘建军)` / `M1（刘建国）、M2（刘建军）`.
fn suggestions(near: &[Suggestion], lang: Lang) -> String {
    let items: Vec<String> = near
        .iter()
        .map(|s| {
            tr!(
                lang,
                format!("{} ({})", s.id, s.name),
                format!("{}（{}）", s.id, s.name)
            )
        })
        .collect();
    list(&items, lang)
}

impl StoreMsg {
    pub fn text(&self, lang: Lang) -> String {
        use StoreMsg::*;
        match self {
            NoSuch {
                kind,
                reference,
                nearest,
            } => {
                let r = quote(reference, lang);
                let head = match kind {
                    RefKind::Household => tr!(
                        lang,
                        format!("no household has the id or head {r}"),
                        format!("没有户编号或户主为{r}的贫困户"),
                    ),
                    RefKind::Member => tr!(
                        lang,
                        format!("no member has the id or name {r}"),
                        format!("没有编号或姓名为{r}的帮扶人"),
                    ),
                };
                if nearest.is_empty() {
                    return head;
                }
                let near = suggestions(nearest, lang);
                tr!(
                    lang,
                    format!("{head}; did you mean {near}?"),
                    format!("{head}；是不是要找：{near}？"),
                )
            }
            NotInTownship {
                reference,
                township,
            } => {
                let (r, t) = (quote(reference, lang), township);
                tr!(
                    lang,
                    format!("no household of {t} has the id or head {r} (this login sees only {t}'s households); if it is another township's household, it is not this login's to write: ask the district's office"),
                    format!("{t}没有户编号或户主为{r}的贫困户（此登录名只能看到{t}的贫困户）；如该户属于其他乡镇，不能用此登录名导入，请交区里办理"),
                )
            }
            SeveralNamed {
                kind,
                reference,
                ids,
            } => {
                let (r, n, ids) = (quote(reference, lang), ids.len(), list(ids, lang));
                match kind {
                    RefKind::Household => tr!(
                        lang,
                        format!("{r} is the head of {n} households ({ids}); give the id instead"),
                        format!("{r}是 {n} 户贫困户的户主（{ids}）；请改填户编号"),
                    ),
                    RefKind::Member => tr!(
                        lang,
                        format!("{r} is the name of {n} members ({ids}); give the id instead"),
                        format!("{r}是 {n} 名帮扶人的姓名（{ids}）；请改填帮扶人编号"),
                    ),
                }
            }
            OnRejectedRow {
                kind,
                reference,
                row,
            } => {
                let (what, r) = (kind.what(lang), quote(reference, lang));
                let RejectedRow { file, line, why } = row;
                let why = why
                    .iter()
                    .map(|p| format!("{}: {}", p.column.name(lang), p.message.text(lang)))
                    .collect::<Vec<_>>()
                    .join(tr!(lang, "; ", "；"));
                tr!(
                    lang,
                    format!("{what} {r} is on line {line} of {file}, which was rejected: {why}"),
                    format!("{what}{r}在 {file} 第 {line} 行，该行没有导入：{why}"),
                )
            }
            IdOtherwise { kind, id } => {
                let (what, id) = (kind.what(lang), quote(id, lang));
                tr!(
                    lang,
                    format!("{what} {id} is also in an earlier file of this import, of the same columns, with other values: the two files disagree on it (a roster and its corrected copy?). Import only the file that is right"),
                    format!("{what}{id}在这次导入中前面一个表头相同的文件里也有，内容却不同：两个文件里的内容不一致（是不是一张名册和它的更正版？）。请只导入正确的那个文件"),
                )
            }
            IdAgain { kind, id, first } => {
                let (what, id) = (kind.what(lang), quote(id, lang));
                tr!(
                    lang,
                    format!("{what} {id} appears again in this file (first on line {first})"),
                    format!("{what}{id}在本文件中重复出现（第一次在第 {first} 行）"),
                )
            }
            SecondsDisagree {
                kind,
                first,
                name,
                second,
            } => {
                let (a, b) = (quote(first, lang), quote(second, lang));
                let name = crate::values::printable(name);
                match kind {
                    RefKind::Household => tr!(
                        lang,
                        format!("{a} is the household of {name}, but the row's other household column says {b}: which one is meant? Correct one of the two"),
                        format!("{a}是{name}户，这一行另一列贫困户却写{b}：是哪一户？请改正其中一列"),
                    ),
                    RefKind::Member => tr!(
                        lang,
                        format!("{a} is the member {name}, but the row's other member column says {b}: which one is meant? Correct one of the two"),
                        format!("{a}是帮扶人{name}，这一行另一列帮扶人却写{b}：是哪一位？请改正其中一列"),
                    ),
                }
            }
            RecordIdAgain { id } => {
                let id = quote(id, lang);
                tr!(
                    lang,
                    format!("record {id} appears more than once in this file"),
                    format!("记录编号{id}在本文件中出现了不止一次"),
                )
            }
            RecordIdOtherwise {
                id,
                other_visit: true,
            } => {
                let id = quote(id, lang);
                tr!(
                    lang,
                    format!("record {id} is also in an earlier file of this import, for another visit: two sheets that number their records alike (each from 1) cannot be matched by their record ids. Leave the record id column (记录编号) out of both, and their rows are matched by their values"),
                    format!("记录编号{id}在这次导入前面的文件里也有，却是另一次帮扶：两张表的记录编号各自从 1 编起，不能按编号比对。请把两个文件的“记录编号”列都删掉再导入，程序会按各行内容比对"),
                )
            }
            RecordIdOtherwise { id, .. } => {
                let id = quote(id, lang);
                tr!(
                    lang,
                    format!("record {id} is also in an earlier file of this import, with other values: the two files disagree on it (a sheet and its corrected copy?). Import only the file that is right"),
                    format!("记录编号{id}在这次导入前面的文件里也有，内容却不同：两个文件里这条记录不一致（是不是一张表和它的更正版？）。请只导入正确的那个文件"),
                )
            }
            RecordIdOfAnotherLedger {
                id,
                ledger,
                day,
                household,
            } => {
                let (id, h) = (quote(id, lang), quote(household, lang));
                let (ledger, word) = (crate::values::printable(ledger), super::import::shell_word(ledger));
                tr!(
                    lang,
                    format!("record {id} is already ledger {ledger}'s delivery of {day} to household {h}, and this row is another: two sheets number their records alike. If this file is ledger {ledger}'s sheet again, import it with --ledger {word}; otherwise leave its record id column (记录编号) out, and its rows are matched by their values"),
                    format!("记录编号{id}已是台账“{ledger}”中 {day} 给{h}户的帮扶记录，和这一行不是同一条：两张表的记录编号重了。如果这个文件就是台账“{ledger}”的表，请加 --ledger {word} 导入；否则请删去“记录编号”列再导入，各行按内容比对"),
                )
            }
            IdNumberTaken { masked, other } => {
                let other = quote(other, lang);
                tr!(
                    lang,
                    format!("{masked} is already the ID number of household {other}"),
                    format!("{masked} 已是贫困户{other}的身份证号"),
                )
            }
            OtherTownshipRow { township, own } => tr!(
                lang,
                format!("this row's household is of {township}, and this login imports only {own}'s households (another township's household, or a move to another township, is the district's to import): delete the row, or ask the district's office"),
                format!("该户属于{township}，此登录名只能导入{own}的贫困户（其他乡镇的贫困户、迁往其他乡镇，都由区里导入）：请删去此行，或交区里办理"),
            ),
            MovedAway {
                household,
                now,
                own,
                reference,
            } => {
                let h = quote(household, lang);
                match reference {
                    false => tr!(
                        lang,
                        format!("household {h} is now of {now} (the district moved it away), and this login imports only {own}'s households: delete the row from this sheet; {now}'s clerk and the district keep the household"),
                        format!("{h}户现属于{now}（已由区里迁出），此登录名只能导入{own}的贫困户：请从本表删去此行；该户由{now}和区里维护"),
                    ),
                    true => tr!(
                        lang,
                        format!("household {h} is now of {now} (the district moved it away from {own}), and this login writes only {own}'s households: a visit or pairing of before the move is the district's to import, a later one {now}'s"),
                        format!("{h}户现属于{now}（已由区里从{own}迁出），此登录名只能写{own}的贫困户：迁出之前的帮扶记录、结对由区里导入，之后的由{now}导入"),
                    ),
                }
            }
            CountedElsewhere {
                household,
                then,
                own,
            } => {
                let h = quote(household, lang);
                tr!(
                    lang,
                    format!("on this date household {h} was in {then}, not {own}: the visit would count in {then}'s figures, which this login does not write (check the date; a visit of before the household moved in is the district's to import)"),
                    format!("这一天{h}户还属于{then}，不属于{own}：这条帮扶记录会计入{then}的数字，此登录名不能写（请核对日期；迁入之前的帮扶记录由区里导入）"),
                )
            }
            MemberIsDistricts { id, new: true } => {
                let id = quote(id, lang);
                tr!(
                    lang,
                    format!("the new member {id} is added by the district's login only: ask the district to import the members sheet, or import the other files without it"),
                    format!("新的帮扶人{id}只能由区里导入：请区里导入帮扶人表，或先不带此表导入其余文件"),
                )
            }
            MemberIsDistricts { id, new: false } => {
                let id = quote(id, lang);
                tr!(
                    lang,
                    format!("member {id} differs from the stored one (name, unit, role or phone), and members are changed by the district's login only: ask the district to import the members sheet, or import the other files without it"),
                    format!("帮扶人{id}与已有的不同（姓名、工作单位、职务或电话），帮扶人只能由区里改动：请区里导入帮扶人表，或先不带此表导入其余文件"),
                )
            }
        }
    }
}

/// English, as the row problems read today.
impl std::fmt::Display for StoreMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

fn outcome(doing: Doing, lang: Lang) -> &'static str {
    match doing {
        Doing::Importing => tr!(lang, "nothing was imported", "什么也没有导入"),
        Doing::Checking => tr!(lang, "nothing was written", "什么也没有写入"),
        Doing::Reporting => tr!(lang, "no report was printed", "没有输出报表"),
        Doing::Undoing => tr!(lang, "nothing was undone", "什么也没有撤销"),
    }
}

fn damage(d: &Damage, lang: Lang) -> String {
    match d {
        Damage::Sqlite(words) => format!("SQLite: {words}"),
        Damage::ColumnType { name, found } => tr!(
            lang,
            format!("column {name} holds {found}, which bangfu never writes there"),
            format!("{name} 列存有 {found}，bangfu 从不在这一列写入这种值"),
        ),
        Damage::StoredValue => tr!(
            lang,
            "a stored value is not one bangfu writes".into(),
            "存储的某个值不是 bangfu 写入的".into(),
        ),
        Damage::Integrity { first, more } => match (lang, more) {
            (Lang::En, 0) => format!("SQLite's integrity check: {first}"),
            (Lang::En, n) => format!("SQLite's integrity check: {first}, and {n} more"),
            (Lang::Zh, 0) => format!("SQLite 完整性检查：{first}"),
            (Lang::Zh, n) => format!("SQLite 完整性检查：{first}，另有 {n} 处"),
        },
        Damage::RowsMissing {
            table,
            found,
            sealed,
        } => {
            let zh = match table.as_str() {
                "households" => "贫困户",
                "members" => "帮扶人",
                "pairings" => "结对",
                _ => "帮扶记录",
            };
            tr!(
                lang,
                format!("the {table} read as {found} rows, but the last import or undo left {sealed}: part of the file was overwritten"),
                format!("{zh}读出 {found} 条，而上次导入或撤销后应有 {sealed} 条：数据库文件有一部分被改坏了"),
            )
        }
    }
}

fn failure(path: &str, trouble: &Trouble, doing: Doing, lang: Lang) -> String {
    let outcome = outcome(doing, lang);
    let wait = crate::store::BUSY_WAIT.as_secs();
    match trouble {
        Trouble::DiskFull => tr!(
            lang,
            format!("cannot write to {path}: the disk is full; {outcome}"),
            format!("无法写入 {path}：磁盘已满；{outcome}"),
        ),
        Trouble::ReadOnly => tr!(
            lang,
            format!(
                "cannot write to {path}: the file, its folder or its disk is read-only; {outcome}"
            ),
            format!("无法写入 {path}：文件、所在文件夹或磁盘是只读的；{outcome}"),
        ),
        Trouble::Busy => tr!(
            lang,
            format!(
                "{path} is busy: another program kept it locked for {wait} seconds; {outcome} (try again once it has finished)"
            ),
            format!("{path} 正被占用：另一个程序锁住它已有 {wait} 秒；{outcome}（等它结束后再试）"),
        ),
        Trouble::Damaged(d) => {
            let detail = damage(d, lang);
            tr!(
                lang,
                format!(
                    "the database {path} is damaged ({detail}); {outcome}; restore the file from a backup copy"
                ),
                format!("数据库 {path} 已损坏（{detail}）；{outcome}；请用备份恢复该文件"),
            )
        }
        Trouble::Io => tr!(
            lang,
            format!("cannot read or write {path}: the disk reported an error; {outcome}"),
            format!("无法读写 {path}：磁盘报告了错误；{outcome}"),
        ),
        Trouble::CannotOpen => tr!(
            lang,
            format!(
                "cannot open {path} (a folder, or a file in a folder that does not exist?); {outcome}"
            ),
            format!("无法打开 {path}（是文件夹，或所在文件夹不存在？）；{outcome}"),
        ),
        Trouble::Denied(denied) => {
            let why = refusal(denied, lang);
            tr!(
                lang,
                format!("the server refused: {why}; {outcome}"),
                format!("服务器拒绝：{why}；{outcome}"),
            )
        }
        Trouble::Conflict => tr!(
            lang,
            format!("{path}: another bangfu wrote the same records at the same moment; {outcome} (run the command again)"),
            format!("{path}：另一个 bangfu 同时在写同样的记录；{outcome}（请再运行一次）"),
        ),
        Trouble::TakenElsewhere => tr!(
            lang,
            format!("{path}: a household of another township already has a household id or ID number the file gives (this login sees only its own township's households); {outcome}; ask the district's office, which sees every township"),
            format!("{path}：文件中的某个户编号或身份证号已属于其他乡镇的贫困户（此登录名只能看到本乡镇的贫困户）；{outcome}；请联系能看到所有乡镇的区里办公室"),
        ),
        Trouble::Lost => tr!(
            lang,
            format!("the connection to {path} broke off; {outcome} (try again)"),
            format!("与 {path} 的连接中断；{outcome}（请重试）"),
        ),
        Trouble::Stalled => {
            let idle = crate::store::pg::IDLE_IN_WRITE;
            tr!(
                lang,
                format!(
                    "the server {path} ended this session: bangfu had stood still for more than {idle} minutes in the middle of its work (was the computer asleep?); {outcome} (run it again)"
                ),
                format!("服务器 {path} 结束了这次会话：bangfu 中途停顿超过 {idle} 分钟（电脑休眠了？）；{outcome}（请重新运行）"),
            )
        }
        Trouble::Other(words) => tr!(
            lang,
            format!("{path}: {words}; {outcome}"),
            format!("{path}：{words}；{outcome}"),
        ),
    }
}

/// What the server refused, in the clerk's language: the row-level
/// security of `bangfu grant`'s logins, a privilege the login lacks, or
/// (rare) the server's own words.
pub(crate) fn refusal(denied: &Denied, lang: Lang) -> String {
    match denied {
        Denied::Rows { table } => match table.as_str() {
            "members" => tr!(
                lang,
                "a member is the district's to add or change (a login of every township), not a township's login's".into(),
                "帮扶人只能由区里（能看到所有乡镇的登录名）新增或改动，乡镇的登录名不能".into(),
            ),
            "commands" | "imports" | "ledgers" => tr!(
                lang,
                "the log of an import and the ledgers are changed only by the login that made the import, or the district's (see `bangfu grant`)".into(),
                "导入日志和台账只能由做该次导入的登录名或区里改动（见 `bangfu grant`）".into(),
            ),
            _ => tr!(
                lang,
                "those are records of another township's households: this login may read or write only its own township's records (see `bangfu grant`)".into(),
                "这些是其他乡镇贫困户的记录：此登录名只能读写本乡镇的记录（见 `bangfu grant`）".into(),
            ),
        },
        Denied::Moves => tr!(
            lang,
            "moving a household to another township is the district's import (a login of every township): this login's import may not change a household's township, nor bring a history in which one changed".into(),
            "贫困户在乡镇之间迁移只能由区里（能看到所有乡镇的登录名）导入：此登录名的导入不能改动贫困户所属乡镇，也不能带入乡镇有变动的历史记录".into(),
        ),
        Denied::Privilege { kind, object } => {
            let zh_kind = match kind.as_str() {
                "table" | "relation" => "数据表",
                "schema" => "模式",
                "sequence" => "序列",
                "function" => "函数",
                "database" => "数据库",
                other => other,
            };
            tr!(
                lang,
                format!("this login has no right to the {kind} {object} (ask the district's admin to run `bangfu grant` for it again)"),
                format!("此登录名没有使用{zh_kind} {object} 的权限（请区里的管理员为它重新运行 `bangfu grant`）"),
            )
        }
        Denied::Roles => tr!(
            lang,
            "this login may not make or change login roles (CREATEROLE)".into(),
            "此登录名不能建立或更改登录角色（需要 CREATEROLE）".into(),
        ),
        Denied::Unprivileged => tr!(
            lang,
            "this login lacks the server's permission for it (ask the district's admin to run `bangfu grant` for it again)".into(),
            "此登录名在服务器上没有这项权限（请区里的管理员为它重新运行 `bangfu grant`）".into(),
        ),
        Denied::Other(words) => tr!(
            lang,
            format!("{words} (this login may read or write only its own township's records; see `bangfu grant`)"),
            format!("{words}（此登录名只能读写本乡镇的记录，见 `bangfu grant`）"),
        ),
    }
}

/// Why the server could not be reached, naming it (password masked).
fn connect_failure(e: &ConnectError, lang: Lang) -> String {
    let target = &e.target;
    match &e.reason {
        Reason::BadUrl(what) => tr!(
            lang,
            format!("cannot read the database address {target}: {what} (write it as postgres://USER@HOST:PORT/DBNAME)"),
            format!("无法识别数据库地址 {target}：{what}（格式为 postgres://用户@主机:端口/数据库名）"),
        ),
        Reason::RootCert { path, problem } => tr!(
            lang,
            format!("cannot connect to {target}: the root certificate {path} cannot be read ({problem}); sslmode verify-ca and verify-full need it (sslrootcert=FILE)"),
            format!("无法连接 {target}：无法读取根证书 {path}（{problem}）；sslmode 为 verify-ca 或 verify-full 时需要它（sslrootcert=文件）"),
        ),
        Reason::Refused(words) => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: {words}"),
            format!("无法连接 PostgreSQL 数据库 {target}：{words}"),
        ),
        Reason::NotAUrl => tr!(
            lang,
            format!("{target} is not a database address bangfu reads: write a server's as postgres://USER@HOST:PORT/DBNAME, a file's as its path"),
            format!("{target} 不是 bangfu 能识别的数据库地址：服务器的地址写作 postgres://用户@主机:端口/数据库名，文件写它的路径"),
        ),
        Reason::NoServer => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: no server answers at that host and port (is PostgreSQL running there, and listening on the network?)"),
            format!("无法连接 PostgreSQL 数据库 {target}：该主机和端口上没有服务器应答（PostgreSQL 是否在运行，并在网络上监听？）"),
        ),
        Reason::UnknownHost => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the host name is not known (check the address)"),
            format!("无法连接 PostgreSQL 数据库 {target}：找不到该主机名（请检查地址）"),
        ),
        Reason::PasswordMissing => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server asks for a password and none was given (set PGPASSWORD, or put a line host:port:database:user:password in ~/.pgpass — readable by you only, chmod 600: one others may read is ignored)"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器要求密码，但没有提供（请设置 PGPASSWORD，或在 ~/.pgpass 中写一行 主机:端口:数据库:用户:密码——该文件只能本人可读，chmod 600，否则会被忽略）"),
        ),
        Reason::PasswordWrong => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server refused the password (check PGPASSWORD or ~/.pgpass, or ask the district's administrator)"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器不接受该密码（请检查 PGPASSWORD 或 ~/.pgpass，或询问区里的管理员）"),
        ),
        Reason::NoSuchDatabase => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server has no database of that name (check the name after the last /; the administrator creates it with createdb)"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器上没有这个名字的数据库（请检查最后一个 / 后面的名字；数据库由管理员用 createdb 建立）"),
        ),
        Reason::NotAllowed(words) => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server does not let this login in from here ({words}); ask the district's administrator (the login's name, its rights, pg_hba.conf, sslmode)"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器不允许此登录名从这里登录（{words}）；请询问区里的管理员（登录名、权限、pg_hba.conf、sslmode）"),
        ),
        Reason::Certificate(words) => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server's certificate did not pass the check ({words}); check sslrootcert, or ask the administrator for the server's root certificate"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器证书未通过验证（{words}）；请检查 sslrootcert，或向管理员索取服务器的根证书"),
        ),
        Reason::TimedOut => tr!(
            lang,
            format!("cannot connect to the PostgreSQL database {target}: the server did not answer in time (check the network and the address)"),
            format!("无法连接 PostgreSQL 数据库 {target}：服务器没有及时应答（请检查网络和地址）"),
        ),
    }
}

/// `a, b and 3 more` / `a、b 等 5 个`.
fn tables(t: &Tables, lang: Lang) -> String {
    match (lang, t.more) {
        (Lang::En, 0) => t.shown.join(", "),
        (Lang::En, n) => format!("{} and {n} more", t.shown.join(", ")),
        (Lang::Zh, 0) => t.shown.join("、"),
        (Lang::Zh, n) => format!("{} 等 {} 个", t.shown.join("、"), t.shown.len() + n),
    }
}

fn foreign(reason: &Foreign, lang: Lang) -> String {
    match reason {
        Foreign::NoSchema { names } => {
            let names = tables(names, lang);
            tr!(
                lang,
                format!("it holds {names} but no bangfu schema"),
                format!("其中有 {names}，但没有 bangfu 的数据库结构"),
            )
        }
        Foreign::ExtraTables { names } => {
            let names = tables(names, lang);
            tr!(
                lang,
                format!("it holds tables bangfu never makes: {names}"),
                format!("其中有 bangfu 从不建立的表：{names}"),
            )
        }
        Foreign::MissingTables { version, names } => {
            let names = tables(names, lang);
            tr!(
                lang,
                format!("it lacks the tables of bangfu's schema {version}: {names}"),
                format!("缺少 bangfu 第 {version} 版数据库结构的表：{names}"),
            )
        }
    }
}

/// The text of a database error in `lang`.
pub fn error_text(e: &StoreError, lang: Lang) -> String {
    use crate::store::sql::SqlError;
    use StoreError::*;
    match e {
        Sql(SqlError::Sqlite(e)) => crate::store::error::sqlite_words(e),
        Sql(e) => e.to_string(),
        Connect(e) => connect_failure(e, lang),
        Failed {
            path,
            trouble,
            doing,
        } => failure(path, trouble, *doing, lang),
        Create { path, .. } => tr!(
            lang,
            format!("cannot create the database file {path}"),
            format!("无法建立数据库文件 {path}"),
        ),
        Missing { path } => tr!(
            lang,
            format!("there is no database at {path}: only `bangfu import` and `bangfu demo --db` create one (check --db or BANGFU_DB); nothing was created"),
            format!("找不到数据库 {path}：数据库由 bangfu import 或 bangfu demo --db 建立（请检查 --db 或 BANGFU_DB 设置的路径）；什么也没有建立"),
        ),
        Empty { path } => tr!(
            lang,
            format!("{path} is empty: it holds no bangfu database yet (`bangfu import` makes one); it was left as it was"),
            format!("{path} 是空文件：其中还没有 bangfu 数据库（`bangfu import` 会建立）；文件保持原样"),
        ),
        NothingYet { path } => tr!(
            lang,
            format!("the database {path} on the server holds no bangfu records yet: import the district's sheets into it first (`bangfu import`, with the district's login); nothing was changed"),
            format!("服务器上的数据库 {path} 里还没有 bangfu 的数据：请先用 `bangfu import` 导入（用区里的登录名）；什么也没有改动"),
        ),
        Foreign { path, reason } => {
            let reason = foreign(reason, lang);
            tr!(
                lang,
                format!("{path} is not a bangfu database ({reason}); it was left as it was"),
                format!("{path} 不是 bangfu 数据库（{reason}）；文件保持原样"),
            )
        }
        Newer { path, found, known } => tr!(
            lang,
            format!("{path} was made by a newer bangfu (schema version {found}; this one knows up to {known}); upgrade bangfu — the file was left untouched"),
            format!("{path} 由更新版本的 bangfu 建立（数据库结构第 {found} 版；本程序只认识到第 {known} 版）；请升级 bangfu——文件没有改动"),
        ),
        OlderOnServer { path, found, known } => tr!(
            lang,
            format!("{path} holds bangfu's data in an older form (schema version {found}; this bangfu uses {known}), which only the district's admin login (the one that made it) may bring up to date: ask the district to run bangfu once with that login (any report will do); nothing was changed"),
            format!("{path} 里 bangfu 的数据是旧版格式（数据库结构第 {found} 版；本程序用第 {known} 版），只有区里的管理员登录名（建立它的那个）能升级：请区里用该登录名运行一次 bangfu（任何报表都可以）；什么也没有改动"),
        ),
        NotADatabase(path) => tr!(
            lang,
            format!("{path} is not a bangfu database (or not an SQLite file at all)"),
            format!("{path} 不是 bangfu 数据库（也可能根本不是 SQLite 文件）"),
        ),
        UpgradeBroken {
            path,
            from,
            table,
            rows,
        } => tr!(
            lang,
            format!("{path}: the upgrade from schema {from} was undone and every record is as it was: {rows} row(s) of {table} refer to records that do not exist (SQLite's foreign key check); the file may have been edited by another program"),
            format!("{path}：从第 {from} 版的升级已撤销，所有记录保持原样：{table} 中有 {rows} 行指向不存在的记录（SQLite 外键检查）；该文件可能被别的程序改过"),
        ),
    }
}

impl StoreError {
    /// This error in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        error_text(self, lang)
    }

    /// This error as a command prints it, in `lang` (with the system's
    /// words for a file that could not be created). An SQLite failure not
    /// yet said in full stays as it is, for the command's edge to name
    /// the file ([`StoreError::failed`]).
    pub fn said(self, lang: Lang) -> anyhow::Error {
        if self.sql().is_some() {
            return self.into();
        }
        let text = self.text(lang);
        match std::error::Error::source(&self) {
            Some(cause) => anyhow::Error::msg(format!("{text}: {cause}")),
            None => anyhow::Error::msg(text),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One of every [`StoreMsg`] (the match makes a new variant a compile
    /// error here until it has a sample).
    pub(crate) fn samples() -> Vec<StoreMsg> {
        use StoreMsg::*;
        let all = vec![
            NoSuch {
                kind: RefKind::Member,
                reference: "刘建图".into(),
                nearest: vec![Suggestion {
                    id: "M1".into(),
                    name: "刘建国".into(),
                }],
            },
            NoSuch {
                kind: RefKind::Household,
                reference: "H9".into(),
                nearest: vec![],
            },
            NotInTownship {
                reference: "SS-H001".into(),
                township: "工农乡".into(),
            },
            SeveralNamed {
                kind: RefKind::Household,
                reference: "张三".into(),
                ids: vec!["H1".into(), "H2".into()],
            },
            OnRejectedRow {
                kind: RefKind::Member,
                reference: "刘建国".into(),
                row: RejectedRow {
                    file: "帮扶责任人.xlsx".into(),
                    line: 5,
                    why: vec![crate::records::CellProblem::new(
                        crate::input::headers::Field::Unit,
                        crate::values::ValueError::Empty,
                    )],
                },
            },
            IdAgain {
                kind: RefKind::Member,
                id: "M1".into(),
                first: 2,
            },
            RecordIdAgain { id: "R1".into() },
            IdOtherwise {
                kind: RefKind::Household,
                id: "H4".into(),
            },
            RecordIdOtherwise {
                id: "R1".into(),
                other_visit: false,
            },
            RecordIdOtherwise {
                id: "1".into(),
                other_visit: true,
            },
            RecordIdOfAnotherLedger {
                id: "1".into(),
                ledger: "城关镇".into(),
                day: "2001-03-05".into(),
                household: "H1".into(),
            },
            SecondsDisagree {
                kind: RefKind::Household,
                first: "QS013".into(),
                name: "周凤英".into(),
                second: "高国庆".into(),
            },
            SecondsDisagree {
                kind: RefKind::Member,
                first: "M1".into(),
                name: "赵六".into(),
                second: "李四".into(),
            },
            IdNumberTaken {
                masked: "4301**********123X".into(),
                other: "H1".into(),
            },
            OtherTownshipRow {
                township: "寿山乡".into(),
                own: "工农乡".into(),
            },
            MemberIsDistricts {
                id: "M4".into(),
                new: true,
            },
            MemberIsDistricts {
                id: "M1".into(),
                new: false,
            },
            CountedElsewhere {
                household: "GN-H002".into(),
                then: "工农乡".into(),
                own: "寿山乡".into(),
            },
            MovedAway {
                household: "GN-H002".into(),
                now: "寿山乡".into(),
                own: "工农乡".into(),
                reference: false,
            },
            MovedAway {
                household: "GN-H002".into(),
                now: "寿山乡".into(),
                own: "工农乡".into(),
                reference: true,
            },
        ];
        for m in &all {
            match m {
                NoSuch { .. }
                | NotInTownship { .. }
                | SeveralNamed { .. }
                | OnRejectedRow { .. }
                | IdAgain { .. }
                | RecordIdAgain { .. }
                | IdOtherwise { .. }
                | RecordIdOtherwise { .. }
                | RecordIdOfAnotherLedger { .. }
                | SecondsDisagree { .. }
                | IdNumberTaken { .. }
                | OtherTownshipRow { .. }
                | MemberIsDistricts { .. }
                | MovedAway { .. }
                | CountedElsewhere { .. } => {}
            }
        }
        all
    }

    /// One of every [`StoreError`] that has words of bangfu's own.
    fn errors() -> Vec<StoreError> {
        let path = || "b.db".to_string();
        let failed = |trouble| StoreError::Failed {
            path: path(),
            trouble,
            doing: Doing::Importing,
        };
        vec![
            failed(Trouble::DiskFull),
            failed(Trouble::ReadOnly),
            failed(Trouble::Busy),
            failed(Trouble::Damaged(Damage::StoredValue)),
            failed(Trouble::Damaged(Damage::ColumnType {
                name: "day".into(),
                found: "null".into(),
            })),
            failed(Trouble::Damaged(Damage::Integrity {
                first: "x".into(),
                more: 2,
            })),
            failed(Trouble::Damaged(Damage::RowsMissing {
                table: "deliveries".into(),
                found: 1,
                sealed: 2,
            })),
            failed(Trouble::Io),
            failed(Trouble::CannotOpen),
            failed(Trouble::Other("x".into())),
            StoreError::Create {
                path: path(),
                error: std::io::Error::other("x"),
            },
            StoreError::Missing { path: path() },
            StoreError::NothingYet { path: path() },
            StoreError::Empty { path: path() },
            StoreError::Foreign {
                path: path(),
                reason: Foreign::NoSchema {
                    names: Tables {
                        shown: vec!["t".into(), "u".into()],
                        more: 3,
                    },
                },
            },
            StoreError::Foreign {
                path: path(),
                reason: Foreign::ExtraTables {
                    names: Tables {
                        shown: vec!["t".into()],
                        more: 0,
                    },
                },
            },
            StoreError::Foreign {
                path: path(),
                reason: Foreign::MissingTables {
                    version: 3,
                    names: Tables {
                        shown: vec!["t".into()],
                        more: 0,
                    },
                },
            },
            StoreError::Newer {
                path: path(),
                found: 9,
                known: 5,
            },
            StoreError::OlderOnServer {
                path: path(),
                found: 7,
                known: 8,
            },
            StoreError::NotADatabase(path()),
            StoreError::UpgradeBroken {
                path: path(),
                from: 1,
                table: "t".into(),
                rows: 2,
            },
            failed(Trouble::Denied(Denied::of(
                "permission denied for table households",
            ))),
            failed(Trouble::Denied(Denied::of(
                "new row violates row-level security policy for table \"members\"",
            ))),
            failed(Trouble::Denied(Denied::of(
                "new row violates row-level security policy for table \"commands\"",
            ))),
            failed(Trouble::Denied(Denied::of(
                "new row violates row-level security policy for table \"holds\"",
            ))),
            failed(Trouble::Denied(Denied::Moves)),
            failed(Trouble::Denied(Denied::Roles)),
            failed(Trouble::Denied(Denied::Unprivileged)),
            failed(Trouble::Denied(Denied::Other("x".into()))),
            failed(Trouble::Conflict),
            failed(Trouble::Lost),
            failed(Trouble::Stalled),
            failed(Trouble::TakenElsewhere),
        ]
        .into_iter()
        .chain(
            [
                Reason::BadUrl("sslmode=x".into()),
                Reason::RootCert {
                    path: "/r.crt".into(),
                    problem: "x".into(),
                },
                Reason::Refused("password authentication failed".into()),
                Reason::NoServer,
                Reason::NotAUrl,
                Reason::UnknownHost,
                Reason::TimedOut,
                Reason::PasswordMissing,
                Reason::PasswordWrong,
                Reason::NoSuchDatabase,
                Reason::NotAllowed("no pg_hba.conf entry".into()),
                Reason::Certificate("invalid peer certificate: UnknownIssuer".into()),
            ]
            .map(|reason| {
                StoreError::Connect(ConnectError {
                    target: "postgres://u:***@h/db".into(),
                    reason,
                })
            }),
        )
        .collect()
    }

    #[test]
    fn every_database_error_has_a_chinese_text() {
        for e in errors() {
            super::super::tests::assert_chinese(&e.text(Lang::En), &e.text(Lang::Zh));
        }
    }

    #[test]
    fn a_near_name_is_suggested_in_either_language() {
        let m = &samples()[0];
        assert_eq!(
            m.text(Lang::En),
            "no member has the id or name \"刘建图\"; did you mean M1 (刘建国)?"
        );
        assert_eq!(
            m.text(Lang::Zh),
            "没有编号或姓名为“刘建图”的帮扶人；是不是要找：M1（刘建国）？"
        );
    }
}
