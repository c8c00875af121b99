//! `bangfu grant ROLE [--township T] [--password-file FILE]` (contract §9):
//! a PostgreSQL login role for a clerk, which the server holds to one
//! township's records (or lets read and write all). The role, its rights
//! and its row of `bangfu.grants` are made in store/pg/grant.rs; which
//! rows it then sees is the server's row-level security (store/pg/
//! schema.rs). Here: the arguments, the password (never from the command
//! line), and what is said.

use super::{Context, Status};
use crate::cli::GrantArgs;
use crate::i18n::grant::{GrantMsg, PasswordSet};
use crate::i18n::report::Named;
use crate::problem::{say, UsageError};
use crate::store::error::Trouble;
use crate::store::pg::connect;
use crate::store::pg::grant::{Refusal, Request};
use crate::store::sql::SqlError;
use std::io::Write;
use std::path::Path;

/// The environment variable a password may come in, when there is no
/// `--password-file`.
pub const PASSWORD_VAR: &str = "BANGFU_ROLE_PASSWORD";

/// The longest role name the server keeps whole (NAMEDATALEN - 1 bytes;
/// it would cut a longer one short, and the grant would be for another
/// name than the clerk logs in with).
const MAX_ROLE_BYTES: usize = 63;

pub fn run(ctx: &Context, args: &GrantArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let db = ctx.db_path();
    let Some(url) = db.to_str().filter(|p| connect::is_url(p)) else {
        let db = db.display().to_string();
        return Err(UsageError::said(GrantMsg::NeedsServer { db }).into());
    };
    let role = role_name(&args.role)?;
    let township = match &args.township {
        Some(t) => Some(township_name(t)?),
        None => None,
    };
    let (password, from) = password(args.password_file.as_deref())?;
    let store = ctx.create_store().map_err(refused)?;
    let request = Request {
        role,
        township: township.as_deref(),
        password: password.as_deref(),
        new_township: args.new_township,
    };
    let granted = match store.grant(&request) {
        Ok(Ok(granted)) => granted,
        Ok(Err(Refusal::Bypass(why))) => {
            let role = role.to_string();
            return Err(UsageError::said(GrantMsg::Bypasses { role, why }).into());
        }
        Ok(Err(Refusal::Escalates(how))) => {
            let role = role.to_string();
            return Err(UsageError::said(GrantMsg::Escalates { role, how }).into());
        }
        Ok(Err(Refusal::NoSuchTownship { known })) => {
            let given = township.unwrap_or_default();
            let named = crate::report::group::no_such_name(Named::Township, &given, &known);
            return Err(UsageError::said(GrantMsg::NoSuchTownship { named }).into());
        }
        Err(e) => return Err(refused(e.into())),
    };
    let password = match (from, granted.created) {
        (Some(set), _) => set,
        (None, true) => PasswordSet::None,
        (None, false) => PasswordSet::Kept,
    };
    let mut lines = vec![
        GrantMsg::Granted {
            role: role.to_string(),
            created: granted.created,
            township: township.clone(),
        },
        GrantMsg::Password(password),
    ];
    if let Some(url) = login_url(url, role) {
        lines.push(GrantMsg::Login { url });
    }
    for line in lines {
        writeln!(out, "{}", line.text(ctx.lang))?;
    }
    if let (Some(township), Some(0)) = (township, granted.households) {
        let role = role.to_string();
        say(
            &GrantMsg::NoHouseholds { role, township }.text(ctx.lang),
            ctx.reveal,
        );
    }
    Ok(Status::Ok)
}

/// The server's refusal of the grant itself (the login running it is no
/// admin) said as such, a usage error (exit 2: the command wants the
/// admin's login, as a file wants a server); any other failure as the
/// command's edge says it.
fn refused(e: anyhow::Error) -> anyhow::Error {
    let denied = e.chain().find_map(|cause| {
        let sql = cause.downcast_ref::<SqlError>().or_else(|| {
            cause
                .downcast_ref::<crate::store::StoreError>()
                .and_then(|s| s.sql())
        })?;
        match Trouble::of(sql) {
            Trouble::Denied(denied) => Some(denied),
            _ => None,
        }
    });
    match denied {
        Some(denied) => UsageError::said(GrantMsg::NotAllowed { denied }).into(),
        None => e,
    }
}

/// A role's name as given, if the server keeps it as given.
fn role_name(given: &str) -> Result<&str, UsageError> {
    let fits = !given.is_empty()
        && given.len() <= MAX_ROLE_BYTES
        && given.trim() == given
        && !given.chars().any(char::is_control);
    match fits {
        true => Ok(given),
        false => Err(UsageError::said(GrantMsg::BadRole {
            given: crate::values::redact(given),
        })),
    }
}

/// `--township` as the households' township is stored (clean text).
fn township_name(given: &str) -> Result<String, UsageError> {
    let township = crate::values::clean_text(given);
    match township.is_empty() {
        true => Err(UsageError::said(GrantMsg::EmptyTownship)),
        false => Ok(township.into_owned()),
    }
}

/// The new password and where it came from: the first line of `file`,
/// else `$BANGFU_ROLE_PASSWORD` (unless empty), else none.
fn password(file: Option<&Path>) -> Result<(Option<Vec<u8>>, Option<PasswordSet>), UsageError> {
    let Some(file) = file else {
        return Ok(
            match std::env::var_os(PASSWORD_VAR).filter(|v| !v.is_empty()) {
                Some(v) => (Some(v.into_encoded_bytes()), Some(PasswordSet::Env)),
                None => (None, None),
            },
        );
    };
    let path = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        UsageError::said(GrantMsg::PasswordFile {
            path: path.clone(),
            kind: e.kind(),
            words: e.to_string(),
        })
    })?;
    let line = first_line(&bytes);
    if line.is_empty() {
        return Err(UsageError::said(GrantMsg::EmptyPassword { path }));
    }
    Ok((Some(line.to_vec()), Some(PasswordSet::File(path))))
}

/// The first line of `bytes`, without its line end (`\n` or `\r\n`).
fn first_line(bytes: &[u8]) -> &[u8] {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The address `--db` the clerk gives: the admin's, with the role as its
/// user and no password or user in it.
fn login_url(admin: &str, role: &str) -> Option<String> {
    let (scheme, rest) = admin.split_once("://")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let key = p.split_once('=').map_or(*p, |(k, _)| k);
            !p.is_empty() && key != "user" && key != "password"
        })
        .collect();
    let query = match kept.is_empty() {
        true => String::new(),
        false => format!("?{}", kept.join("&")),
    };
    Some(format!(
        "{scheme}://{}@{host}{path}{query}",
        percent_encoded(role)
    ))
}

/// `text` with every byte but the URL's unreserved ones as `%XX`.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clerks_address_is_the_admins_with_the_role_as_user() {
        assert_eq!(
            login_url(
                "postgres://admin:s3cret@db.example:5433/district?sslmode=require&password=x",
                "zhang"
            )
            .as_deref(),
            Some("postgres://zhang@db.example:5433/district?sslmode=require")
        );
        assert_eq!(
            login_url("postgresql://db/district", "张三").as_deref(),
            Some("postgresql://%E5%BC%A0%E4%B8%89@db/district")
        );
        assert_eq!(
            login_url("postgres://a@h/d?user=a", "b c").as_deref(),
            Some("postgres://b%20c@h/d")
        );
    }

    #[test]
    fn a_role_name_the_server_would_change_is_refused() {
        assert_eq!(role_name("zhang_3").ok(), Some("zhang_3"));
        assert_eq!(role_name("城关镇经办人").ok(), Some("城关镇经办人"));
        for bad in ["", " zhang", "zhang ", "a\tb", &"x".repeat(64)] {
            assert!(role_name(bad).is_err(), "{bad:?}");
        }
        assert!(role_name(&"x".repeat(63)).is_ok());
    }

    #[test]
    fn the_password_is_the_first_line_without_its_end() {
        assert_eq!(first_line(b"s3cret\r\nnext\n"), b"s3cret");
        assert_eq!(first_line(b"s3cret"), b"s3cret");
        assert_eq!(first_line(b"\nx"), b"");
        assert_eq!(first_line(b""), b"");
    }

    #[test]
    fn a_township_is_taken_as_the_households_keep_it() {
        assert_eq!(township_name(" 城关镇\u{200b} ").unwrap(), "城关镇");
        assert!(township_name("  ").is_err());
    }
}
