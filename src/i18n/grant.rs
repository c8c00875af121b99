//! What `grant` says, in both languages: the role it made or updated,
//! whose records it may read and write, its password, the address the
//! clerk logs in with, and why a grant is refused.

use super::errors::Localized;
use super::report::{io_text, quote, ReportMsg};
use super::{tr, Lang};
use crate::store::pg::grant::{Bypass, Escalation, Power};

/// A sentence of `grant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantMsg {
    /// `--db` is a SQLite file: logins are the server's (exit 2).
    NeedsServer { db: String },
    /// A role's name the server cannot take (exit 2).
    BadRole { given: String },
    /// `--township` with nothing in it (exit 2).
    EmptyTownship,
    /// The password file cannot be read (exit 2).
    PasswordFile {
        path: String,
        kind: std::io::ErrorKind,
        words: String,
    },
    /// The password file's first line is empty (exit 2).
    EmptyPassword { path: String },
    /// The server shows this role every row, whatever it is granted
    /// (exit 2).
    Bypasses { role: String, why: Bypass },
    /// The role, to be held to a township, could act as a role that is
    /// not: what to change first (exit 2).
    Escalates { role: String, how: Escalation },
    /// The server refused the grant itself: the login running it may not
    /// make roles or grant on the tables (exit 1).
    NotAllowed { denied: crate::store::error::Denied },
    /// What the role may now do.
    Granted {
        role: String,
        created: bool,
        township: Option<String>,
    },
    /// What became of its password.
    Password(PasswordSet),
    /// The `--db` the clerk gives.
    Login { url: String },
    /// No household has the township yet (a warning).
    NoHouseholds { role: String, township: String },
    /// `--township` names no township a household has or had, while the
    /// households have others: `named` says so (and the near ones).
    NoSuchTownship { named: ReportMsg },
}

/// Where the role's password came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSet {
    /// The first line of this file.
    File(String),
    /// `$BANGFU_ROLE_PASSWORD`.
    Env,
    /// None given: an existing role keeps its own.
    Kept,
    /// None given: a new role has none.
    None,
}

impl GrantMsg {
    pub fn text(&self, lang: Lang) -> String {
        use GrantMsg::*;
        match self {
            NeedsServer { db } => tr!(
                lang,
                format!("grant makes a login role on a PostgreSQL server, and {db} is a SQLite file, which has no logins: give the district's database, --db postgres://ADMIN@HOST:PORT/DBNAME"),
                format!("grant 是在 PostgreSQL 服务器上建立登录角色的，而 {db} 是 SQLite 文件，没有登录角色：请给出区县的数据库，--db postgres://管理员@主机:端口/数据库名"),
            ),
            BadRole { given } => {
                let given = quote(given, lang);
                tr!(
                    lang,
                    format!("{given} cannot be a role's name: a name is 1 to 63 bytes of visible characters, without spaces at either end"),
                    format!("{given} 不能作角色名：角色名须为 1 到 63 个字节的可见字符，首尾不能有空格"),
                )
            }
            EmptyTownship => tr!(
                lang,
                "--township needs the township's name as the households' sheet writes it, e.g. --township 城关镇".to_string(),
                "--township 后面要写乡镇名称，与贫困户表中写的一致，例如 --township 城关镇".to_string(),
            ),
            PasswordFile { path, kind, words } => {
                let why = io_text(*kind, words, lang);
                tr!(
                    lang,
                    format!("cannot read the password file {path}: {why}"),
                    format!("无法读取密码文件 {path}：{why}"),
                )
            }
            EmptyPassword { path } => tr!(
                lang,
                format!("the password file {path} has no password on its first line"),
                format!("密码文件 {path} 的第一行没有密码"),
            ),
            Bypasses { role, why } => {
                let why = match why {
                    Bypass::Superuser => tr!(lang, "a superuser", "超级用户"),
                    Bypass::BypassesSecurity => tr!(
                        lang,
                        "a role with BYPASSRLS",
                        "带 BYPASSRLS 属性的角色"
                    ),
                    Bypass::Owner => tr!(
                        lang,
                        "the owner of bangfu's tables (or a member of the role that owns them)",
                        "bangfu 数据表的所有者（或所有者角色的成员）"
                    ),
                };
                tr!(
                    lang,
                    format!("{role} is {why}: the server shows it every township's records whatever it is granted; give each clerk a role of their own, e.g. bangfu grant NAME --township TOWNSHIP"),
                    format!("{role} 是{why}：无论授予什么，服务器都让它看到所有乡镇的记录；请给每位经办人单独建一个角色，例如 bangfu grant 角色名 --township 乡镇"),
                )
            }
            Escalates { role, how } => match how {
                Escalation::CreatesRoles => tr!(
                    lang,
                    format!("{role} may create roles (CREATEROLE): it can make itself a member of the role that owns bangfu's tables, and read and write every township's records whatever it is granted; take that from it first (ALTER ROLE {role} NOCREATEROLE), or give the clerk a role of their own, e.g. bangfu grant NAME --township TOWNSHIP; nothing was changed"),
                    format!("{role} 可以建立角色（CREATEROLE）：它能把自己加入 bangfu 数据表所有者的角色，无论授予什么都能读写所有乡镇的记录；请先去掉这一属性（ALTER ROLE {role} NOCREATEROLE），或给经办人单独建一个角色，例如 bangfu grant 角色名 --township 乡镇；什么也没有改"),
                ),
                Escalation::MemberOf { role: of, power } => {
                    let what = match power {
                        Power::Superuser => tr!(lang, "a superuser", "超级用户"),
                        Power::BypassesSecurity => tr!(lang, "a role with BYPASSRLS", "带 BYPASSRLS 属性的角色"),
                        Power::CreatesRoles => tr!(lang, "a role that may create roles (CREATEROLE)", "可以建立角色（CREATEROLE）的角色"),
                        Power::Granted => tr!(lang, "another login bangfu granted (another township's, or every township's)", "bangfu 授权过的另一个登录角色（其他乡镇的，或所有乡镇的）"),
                    };
                    tr!(
                        lang,
                        format!("{role} is a member of {of}, {what}: it can act as {of} (SET ROLE) beyond its own township whatever it is granted; take the membership away first (REVOKE {of} FROM {role}), or give the clerk a role of their own, e.g. bangfu grant NAME --township TOWNSHIP; nothing was changed"),
                        format!("{role} 是 {of}（{what}）的成员：无论授予什么，它都能以 {of} 的身份（SET ROLE）读写本乡镇以外的记录；请先取消这一成员关系（REVOKE {of} FROM {role}），或给经办人单独建一个角色，例如 bangfu grant 角色名 --township 乡镇；什么也没有改"),
                    )
                }
            },
            NotAllowed { denied } => {
                let words = match denied {
                    crate::store::error::Denied::Other(words) => words.clone(),
                    denied => super::store::refusal(denied, lang),
                };
                tr!(
                lang,
                format!("the server refused: {words}; grant must be run as the database's admin — the role that made bangfu's tables, allowed to create roles (CREATEROLE); nothing was changed"),
                format!("服务器拒绝：{words}；grant 须以数据库管理员身份运行，即建立 bangfu 数据表、可建立角色（CREATEROLE）的角色；什么也没有改"),
            )
            }
            Granted {
                role,
                created,
                township,
            } => {
                let done = match created {
                    true => tr!(lang, "created", "已建立"),
                    false => tr!(lang, "updated", "已更新"),
                };
                match township {
                    Some(t) => tr!(
                        lang,
                        format!("{done} login role {role}: it writes only the households of {t}, their pairings and deliveries, and reads those, the households that moved away from {t}, and every member"),
                        format!("{done}登录角色 {role}：只能改动{t}的贫困户及其结对、帮扶记录，可查看这些、从{t}迁出的贫困户和所有帮扶人"),
                    ),
                    None => tr!(
                        lang,
                        format!("{done} login role {role}: it reads and writes every township's records"),
                        format!("{done}登录角色 {role}：可读写所有乡镇的记录"),
                    ),
                }
            }
            Password(set) => match set {
                PasswordSet::File(path) => tr!(
                    lang,
                    format!("password: set from the first line of {path}"),
                    format!("密码：已设为 {path} 的第一行"),
                ),
                PasswordSet::Env => tr!(
                    lang,
                    "password: set from $BANGFU_ROLE_PASSWORD".to_string(),
                    "密码：已设为 $BANGFU_ROLE_PASSWORD 的值".to_string(),
                ),
                PasswordSet::Kept => tr!(
                    lang,
                    "password: unchanged".to_string(),
                    "密码：未改".to_string(),
                ),
                PasswordSet::None => tr!(
                    lang,
                    "password: none; the role logs in only where the server's pg_hba.conf lets it in without one (give it one with --password-file FILE)".to_string(),
                    "密码：无；该角色只能在服务器的 pg_hba.conf 允许免密码登录的地方登录（可用 --password-file 文件 给它设密码）".to_string(),
                ),
            },
            Login { url } => tr!(
                lang,
                format!("the clerk logs in with --db {url}"),
                format!("经办人登录时用 --db {url}"),
            ),
            NoSuchTownship { named } => {
                let named = named.text(lang);
                tr!(
                    lang,
                    format!("{named}; nothing was changed (if this township's households are to be imported later, run grant again with --new-township)"),
                    format!("{named}；什么也没有改动（如该乡镇的贫困户以后才导入，请加上 --new-township 再运行一次 grant）"),
                )
            }
            NoHouseholds { role, township } => {
                let t = quote(township, lang);
                tr!(
                    lang,
                    format!("warning: no household's township is {t} yet: {role} sees no household until one is imported (is the name written as in the households' sheet?)"),
                    format!("警告：目前没有乡镇为{t}的贫困户：导入之前 {role} 看不到任何贫困户（名称是否与贫困户表中写的一致？）"),
                )
            }
        }
    }
}

impl Localized for GrantMsg {
    fn text(&self, lang: Lang) -> String {
        GrantMsg::text(self, lang)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::tests::assert_chinese;

    /// One instance of every variant of [`GrantMsg`].
    pub(crate) fn samples() -> Vec<GrantMsg> {
        let s = || "x".to_string();
        let mut all = vec![
            GrantMsg::NeedsServer { db: s() },
            GrantMsg::BadRole { given: s() },
            GrantMsg::EmptyTownship,
            GrantMsg::PasswordFile {
                path: s(),
                kind: std::io::ErrorKind::NotFound,
                words: s(),
            },
            GrantMsg::EmptyPassword { path: s() },
            GrantMsg::NotAllowed {
                denied: crate::store::error::Denied::Other(s()),
            },
            GrantMsg::NotAllowed {
                denied: crate::store::error::Denied::Roles,
            },
            GrantMsg::Login { url: s() },
            GrantMsg::NoHouseholds {
                role: s(),
                township: s(),
            },
            GrantMsg::NoSuchTownship {
                named: ReportMsg::NoSuchName {
                    what: crate::i18n::report::Named::Township,
                    value: s(),
                    near: vec![s()],
                    known: vec![s()],
                    all: 1,
                },
            },
        ];
        for why in [Bypass::Superuser, Bypass::BypassesSecurity, Bypass::Owner] {
            all.push(GrantMsg::Bypasses { role: s(), why });
        }
        let member = |power| Escalation::MemberOf { role: s(), power };
        for how in [
            Escalation::CreatesRoles,
            member(Power::Superuser),
            member(Power::BypassesSecurity),
            member(Power::CreatesRoles),
            member(Power::Granted),
        ] {
            all.push(GrantMsg::Escalates { role: s(), how });
        }
        for (created, township) in [(true, Some(s())), (false, None)] {
            all.push(GrantMsg::Granted {
                role: s(),
                created,
                township,
            });
        }
        for set in [
            PasswordSet::File(s()),
            PasswordSet::Env,
            PasswordSet::Kept,
            PasswordSet::None,
        ] {
            all.push(GrantMsg::Password(set));
        }
        for m in &all {
            match m {
                GrantMsg::NeedsServer { .. }
                | GrantMsg::BadRole { .. }
                | GrantMsg::EmptyTownship
                | GrantMsg::PasswordFile { .. }
                | GrantMsg::EmptyPassword { .. }
                | GrantMsg::Bypasses { .. }
                | GrantMsg::Escalates { .. }
                | GrantMsg::NotAllowed { .. }
                | GrantMsg::Granted { .. }
                | GrantMsg::Password(_)
                | GrantMsg::Login { .. }
                | GrantMsg::NoHouseholds { .. }
                | GrantMsg::NoSuchTownship { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_message_has_a_chinese_text() {
        for m in samples() {
            assert_chinese(&m.text(Lang::En), &m.text(Lang::Zh));
        }
    }

    #[test]
    fn a_township_role_is_told_what_it_may_do() {
        let m = GrantMsg::Granted {
            role: "zhang".into(),
            created: true,
            township: Some("城关镇".into()),
        };
        assert_eq!(
            m.text(Lang::Zh),
            "已建立登录角色 zhang：只能改动城关镇的贫困户及其结对、帮扶记录，可查看这些、从城关镇迁出的贫困户和所有帮扶人"
        );
    }
}
