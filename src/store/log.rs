//! Reading the import log (contract §8): every committed import command,
//! newest first, with its files as `imports` keeps them — what `bangfu log`
//! prints and what `undo N` is told about. Plain values: the rendering is
//! in [`crate::report::log`].

use super::query::Db;
use super::sql::{Result, Row};
use super::write::Counts;
use crate::args;

/// One import command of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Its number (`commands.number`), the one `undo N` takes.
    pub number: i64,
    /// When it ran: date and time, ISO 8601, in the local time zone.
    pub at: String,
    /// The login that ran it; `None` for imports made before version 7,
    /// which kept none.
    pub user: Option<String>,
    /// When it was undone, if it was.
    pub undone: Option<String>,
    /// Whether `undo` can take it back (imports made before version 7
    /// kept nothing to undo them with).
    pub undoable: bool,
    /// Its files, in the order it read them.
    pub files: Vec<File>,
}

/// One file of an import command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The path as given on the command line.
    pub file: String,
    /// The ledger it went into (every file has one since version 7).
    pub ledger: Option<String>,
    /// The kind's key (`households` …), unless the kind was never told.
    pub kind: Option<String>,
    /// The SHA-256 of its bytes, in hex; `None` before version 7.
    pub sha256: Option<String>,
    /// Its counts, `removed` among them (records its ledger's new
    /// version stopped holding, `--replace`).
    pub counts: Counts,
}

/// The whole log, newest command first; for a server's login held to a
/// township, its own imports and those of the district's logins (another
/// township's imports are that township's business, and not its to undo).
pub fn commands(db: Db<'_>) -> Result<Vec<Command>> {
    let conn = db.0;
    let listed = match super::pg::grant::login_township(conn)? {
        Some(_) => format!(" WHERE {LISTED}"),
        None => String::new(),
    };
    let mut commands: Vec<Command> = conn.collect(
        &format!("{COMMAND}{listed} ORDER BY number DESC"),
        args![],
        command_of,
    )?;
    let rows = conn.collect(
        "SELECT i.command, i.file, l.name, i.kind, i.sha256, i.rows_read, i.new, i.updated,
                i.unchanged, i.removed, i.skipped, i.rejected
         FROM imports i LEFT JOIN ledgers l ON l.key = i.ledger
         WHERE i.command IS NOT NULL
         ORDER BY i.command DESC, i.key",
        args![],
        |r| {
            let n = |i: usize| -> Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
            Ok((
                r.get::<_, i64>(0)?,
                File {
                    file: r.get(1)?,
                    ledger: r.get(2)?,
                    kind: r.get(3)?,
                    sha256: r.get(4)?,
                    counts: Counts {
                        read: n(5)?,
                        new: n(6)?,
                        updated: n(7)?,
                        unchanged: n(8)?,
                        removed: n(9)?,
                        skipped: n(10)?,
                        rejected: n(11)?,
                    },
                },
            ))
        },
    )?;
    // Both lists are in descending command order: walk them together.
    let mut at = 0;
    for (command, file) in rows {
        while commands.get(at).is_some_and(|c| c.number > command) {
            at += 1;
        }
        if let Some(c) = commands.get_mut(at).filter(|c| c.number == command) {
            c.files.push(file);
        }
    }
    Ok(commands)
}

/// The commands a township's login lists ([`commands`]): its own and
/// those of the district's logins.
const LISTED: &str = "role = CAST(current_user AS TEXT)
                      OR role NOT IN (SELECT bangfu.township_logins())";

/// For a server's login held to a township: the township, and the numbers
/// of the commands [`commands`] leaves out (other townships' logins'),
/// oldest first, so that the log can say they are there. `None` for any
/// other login or file.
pub fn unlisted(db: Db<'_>) -> Result<Option<(String, Vec<i64>)>> {
    let conn = db.0;
    let Some(township) = super::pg::grant::login_township(conn)? else {
        return Ok(None);
    };
    let numbers = conn.collect(
        &format!("SELECT number FROM commands WHERE NOT ({LISTED}) ORDER BY number"),
        args![],
        |r| r.get(0),
    )?;
    Ok(Some((township, numbers)))
}

/// One command of the log, without its files; `None` if the log has no
/// command `number`.
pub fn command(db: Db<'_>, number: i64) -> Result<Option<Command>> {
    db.0.query_opt(
        &format!("{COMMAND} WHERE number = ?1"),
        args![number],
        command_of,
    )
}

/// The columns of a command, as [`command_of`] reads them (`user` is a
/// reserved word on a server: quoted).
const COMMAND: &str = r#"SELECT number, at, "user", undone, undoable FROM commands"#;

/// A row of [`COMMAND`], its files not read yet.
fn command_of(r: &Row<'_>) -> Result<Command> {
    let user: String = r.get(2)?;
    Ok(Command {
        number: r.get(0)?,
        at: local(r.get(1)?),
        user: (!user.is_empty()).then_some(user),
        undone: r.get::<_, Option<String>>(3)?.map(local),
        undoable: r.get(4)?,
        files: Vec::new(),
    })
}

/// The lowest and highest command numbers of the log, if it has any.
pub fn range(db: Db<'_>) -> Result<Option<(i64, i64)>> {
    db.0.query_row(
        "SELECT min(number), max(number) FROM commands",
        args![],
        range_of,
    )
}

fn range_of(r: &Row<'_>) -> Result<Option<(i64, i64)>> {
    Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?))
}

/// A moment the log keeps, in the reader's time zone: an import made on a
/// laptop set to UTC, or by a clerk elsewhere on a district's server,
/// reads in the local time of whoever runs `log` (clerk review, session
/// 20: `TZ=Asia/Shanghai bangfu log` printed +00:00). As it is where it
/// does not parse.
fn local(at: String) -> String {
    match chrono::DateTime::parse_from_rfc3339(&at) {
        Ok(moment) => log_time(moment.with_timezone(&chrono::Local)),
        Err(_) => at,
    }
}

/// A moment as the log dates imports and undos: local time, ISO 8601 with
/// its offset (`2024-04-30T09:12:05+08:00`).
pub fn log_time(now: chrono::DateTime<chrono::Local>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
