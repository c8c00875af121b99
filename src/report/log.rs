//! The import log as `bangfu log` prints it (contract §8, §5): one row a
//! file, newest import first. Drawn tables and Markdown name each import
//! on its first file's row and shorten the SHA-256 (its first 12 digits
//! tell two exports apart); csv repeats the import on every row and keeps
//! the hash whole, so that each row stands alone in a spreadsheet; JSON
//! nests the files in their import. Imports made before version 7 have no
//! user and no hash: "—" (empty in csv, null in JSON), and "cannot be
//! undone".

use super::mask;
use super::overdue::pretty;
use super::render::{Cell, Column, Format, Table};
use super::{Label, Lang};
use crate::i18n::undo::{undo_state, LogLabel};
use crate::input::headers::Kind;
use crate::store::log::{Command, File};
use crate::store::write::Counts;
use serde_json::{json, Value};

/// The columns of a file's counts, in the order of contract §3.4: the
/// import's table and the log's show them alike.
pub fn count_columns(lang: Lang) -> impl Iterator<Item = Column> {
    [
        ("read", Label::Read),
        ("new", Label::New),
        ("updated", Label::Updated),
        ("unchanged", Label::Unchanged),
        ("removed", Label::Dropped),
        ("skipped", Label::Skipped),
        ("rejected", Label::Rejected),
    ]
    .into_iter()
    .map(move |(key, label)| Column::new(key, label.text(lang)))
}

/// A file's counts as the cells under [`count_columns`].
pub fn count_cells(c: &Counts) -> impl Iterator<Item = Cell> {
    let n = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
    [
        c.read,
        c.new,
        c.updated,
        c.unchanged,
        c.removed,
        c.skipped,
        c.rejected,
    ]
    .into_iter()
    .map(n)
}

/// Digits of the SHA-256 a drawn table shows.
const SHORT_HASH: usize = 12;

/// The log rendered in `format`.
pub fn render(log: &[Command], lang: Lang, format: Format, reveal: bool) -> String {
    if format == Format::Json {
        let mut value = json(log);
        mask::json(&mut value, reveal);
        return pretty(&value);
    }
    let mut table = table(log, lang, format == Format::Csv);
    mask::table(&mut table, reveal);
    table.render(format)
}

/// The log as contract §5's JSON.
pub fn json(log: &[Command]) -> Value {
    let rows: Vec<Value> = log
        .iter()
        .map(|c| {
            let files: Vec<Value> = c
                .files
                .iter()
                .map(|f| {
                    let n = f.counts;
                    json!({
                        "file": f.file,
                        "ledger": f.ledger,
                        "kind": f.kind,
                        "sha256": f.sha256,
                        "read": n.read,
                        "new": n.new,
                        "updated": n.updated,
                        "unchanged": n.unchanged,
                        "removed": f.counts.removed,
                        "skipped": n.skipped,
                        "rejected": n.rejected,
                    })
                })
                .collect();
            json!({
                "import": c.number,
                "at": c.at,
                "user": c.user,
                "undone": c.undone.is_some(),
                "files": files,
            })
        })
        .collect();
    json!({ "rows": rows })
}

/// The log as a table, one row a file; `whole` (csv): every row names its
/// import, and hashes are whole.
pub fn table(log: &[Command], lang: Lang, whole: bool) -> Table {
    use LogLabel as L;
    let label = |l: LogLabel| l.text(lang);
    let columns = vec![
        Column::new("import", label(L::Import)),
        Column::new("at", label(L::At)),
        Column::new("user", label(L::User)),
        Column::new("undo", label(L::Undo)),
        // A file's name is shown whole, however long its path.
        Column::whole("file", Label::File.text(lang)),
        Column::new("ledger", label(L::Ledger)),
        Column::new("kind", Label::Kind.text(lang)),
        Column::new("sha256", label(L::Sha256)),
    ];
    let columns: Vec<Column> = columns.into_iter().chain(count_columns(lang)).collect();
    let unknown = |value: Option<&str>, shown: &dyn Fn(&str) -> String| match value {
        Some(v) => Cell::text(shown(v)),
        None if whole => Cell::Null,
        None => Cell::text(L::Unknown.text(lang)),
    };
    let mut rows = Vec::new();
    for c in log {
        let command = vec![
            Cell::Int(c.number),
            Cell::text(c.at.clone()),
            unknown(c.user.as_deref(), &str::to_string),
            Cell::text(undo_state(c.undone.as_deref(), c.undoable, lang)),
        ];
        let blank = vec![Cell::Null; command.len()];
        // An import whose files the log lost still has its row.
        let files: Vec<Option<&File>> = match c.files.is_empty() {
            true => vec![None],
            false => c.files.iter().map(Some).collect(),
        };
        for (i, file) in files.into_iter().enumerate() {
            let mut row = match i == 0 || whole {
                true => command.clone(),
                false => blank.clone(),
            };
            let Some(f) = file else {
                row.resize(columns.len(), Cell::Null);
                rows.push(row);
                continue;
            };
            let kind = f.kind.as_deref().map(|k| match (Kind::parse(k), lang) {
                (Some(kind), Lang::Zh) => kind.zh().to_string(),
                _ => k.to_string(),
            });
            let hash = |h: &str| match whole {
                true => h.to_string(),
                false => h.chars().take(SHORT_HASH).collect(),
            };
            row.extend([
                Cell::text(f.file.clone()),
                unknown(f.ledger.as_deref(), &str::to_string),
                unknown(kind.as_deref(), &str::to_string),
                unknown(f.sha256.as_deref(), &hash),
            ]);
            row.extend(count_cells(&f.counts));
            rows.push(row);
        }
    }
    Table {
        columns,
        rows,
        total: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::write::Counts;

    fn log() -> Vec<Command> {
        let file = |name: &str, sha256: Option<&str>| File {
            file: name.to_string(),
            ledger: Some("帮扶记录".into()),
            kind: Some("deliveries".into()),
            sha256: sha256.map(str::to_string),
            counts: Counts {
                read: 3,
                new: 2,
                unchanged: 1,
                ..Counts::default()
            },
        };
        vec![
            Command {
                number: 2,
                at: "2024-03-05T10:00:00+08:00".into(),
                user: Some("clerk".into()),
                undone: None,
                undoable: true,
                files: vec![
                    file("帮扶记录.csv", Some(&"ab".repeat(32))),
                    file("b.csv", Some(&"cd".repeat(32))),
                ],
            },
            Command {
                number: 1,
                at: "2024-03-01T09:00:00".into(),
                user: None,
                undone: None,
                undoable: false,
                files: vec![file("old.csv", None)],
            },
        ]
    }

    #[test]
    fn json_is_the_contracts_with_nulls_for_what_older_imports_kept_not() {
        let v = json(&log());
        assert_eq!(v["rows"][0]["import"], 2);
        assert_eq!(v["rows"][0]["undone"], false);
        assert_eq!(v["rows"][0]["files"][1]["sha256"], "cd".repeat(32));
        assert_eq!(v["rows"][1]["user"], Value::Null);
        assert_eq!(v["rows"][1]["files"][0]["sha256"], Value::Null);
        let keys: Vec<&String> = v["rows"][0]["files"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            [
                "file",
                "ledger",
                "kind",
                "sha256",
                "read",
                "new",
                "updated",
                "unchanged",
                "removed",
                "skipped",
                "rejected"
            ]
        );
    }

    #[test]
    fn a_drawn_table_names_an_import_once_and_shortens_its_hashes() {
        let t = table(&log(), Lang::Zh, false);
        assert_eq!(t.rows[0][0], Cell::Int(2));
        assert_eq!(t.rows[1][0], Cell::Null);
        assert_eq!(t.rows[0][7], Cell::text("abababababab"));
        assert_eq!(t.rows[0][6], Cell::text("帮扶记录"));
        assert_eq!(t.rows[2][2], Cell::text("—"));
        assert_eq!(t.rows[2][3], Cell::text("不能撤销（旧版导入）"));
        let csv = table(&log(), Lang::En, true);
        assert_eq!(csv.rows[1][0], Cell::Int(2));
        assert_eq!(csv.rows[1][7], Cell::text("cd".repeat(32)));
        assert_eq!(csv.rows[2][7], Cell::Null);
    }
}
