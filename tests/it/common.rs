//! A working directory for end-to-end tests: input files written as clerks'
//! exports really are (GBK bytes, BOMs, UTF-16, CRLF), a private database,
//! a fixed "today", and the `bangfu` binary run against them.

use assert_cmd::Command;
use rusqlite::types::ValueRef;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The day every test runs on.
pub const TODAY: &str = "2003-06-30";

pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("test.db")
    }

    /// Write a file of raw bytes.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write input");
        path
    }

    /// Write text as UTF-8.
    pub fn utf8(&self, name: &str, text: &str) -> PathBuf {
        self.write(name, text.as_bytes())
    }

    /// Write text as UTF-8 with a BOM.
    pub fn utf8_bom(&self, name: &str, text: &str) -> PathBuf {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(text.as_bytes());
        self.write(name, bytes)
    }

    /// Write text as GBK, the way Excel on Chinese Windows saves CSV.
    pub fn gbk(&self, name: &str, text: &str) -> PathBuf {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable, "text not representable in GBK");
        self.write(name, bytes)
    }

    /// Write text as UTF-16LE with a BOM, as Excel's "Unicode text" does.
    pub fn utf16le(&self, name: &str, text: &str) -> PathBuf {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        self.write(name, bytes)
    }

    /// The binary with this directory's database and a fixed today.
    pub fn bangfu(&self) -> Command {
        let mut cmd = Command::cargo_bin("bangfu").expect("binary");
        cmd.current_dir(self.dir.path())
            .env("BANGFU_DB", self.db())
            .env("BANGFU_TODAY", TODAY)
            .env("LANG", "C")
            .env_remove("LC_ALL");
        cmd
    }

    /// Run `bangfu ARGS` and return stdout, asserting success.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.bangfu().args(args).output().expect("run bangfu");
        assert!(
            out.status.success(),
            "bangfu {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Run `bangfu ARGS --format json` and parse it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.stdout(&all)).expect("JSON output")
    }

    /// Every row of every table, as text: equal before and after means the
    /// database was not changed.
    pub fn dump(&self) -> String {
        self.dump_of(&[])
    }

    /// The records (households, members, pairings, deliveries) without the
    /// bookkeeping of which import wrote them (`added`, `batch`): equal for
    /// two databases that hold the same records, however imported.
    pub fn records(&self) -> String {
        self.dump_of(&["households", "members", "pairings", "deliveries"])
    }

    /// Every row of `tables` (all tables when empty), sorted, as text;
    /// with named tables, without their bookkeeping columns.
    fn dump_of(&self, tables: &[&str]) -> String {
        if !self.db().exists() {
            return String::new();
        }
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        let all: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("tables")
            .query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<Result<_, _>>()
            .expect("tables");
        let (tables, records): (Vec<String>, bool) = if tables.is_empty() {
            (all, false)
        } else {
            (tables.iter().map(|t| t.to_string()).collect(), true)
        };
        let mut out = String::new();
        for table in tables {
            let n = conn
                .prepare(&format!("SELECT * FROM {table}"))
                .expect("query")
                .column_count();
            let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT * FROM {table} ORDER BY {}",
                    order.join(", ")
                ))
                .expect("query");
            let keep: Vec<usize> = (0..n)
                .filter(|&i| {
                    !(records && ["added", "batch"].contains(&stmt.column_name(i).unwrap_or("")))
                })
                .collect();
            let rows = stmt
                .query_map([], |r| {
                    let cells: Vec<String> = keep
                        .iter()
                        .map(|&i| match r.get_ref(i) {
                            Ok(ValueRef::Null) => "NULL".to_string(),
                            Ok(ValueRef::Integer(n)) => n.to_string(),
                            Ok(ValueRef::Real(x)) => x.to_string(),
                            Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                            Ok(ValueRef::Blob(b)) => format!("{b:02x?}"),
                            Err(e) => e.to_string(),
                        })
                        .collect();
                    Ok(cells.join("|"))
                })
                .expect("rows");
            for row in rows {
                out.push_str(&table);
                out.push(':');
                out.push_str(&row.expect("row"));
                out.push('\n');
            }
        }
        out
    }
}

/// A valid 18-character resident ID number for a serial (GB 11643).
pub fn id_number(serial: u32) -> String {
    let first17 = format!("430102{}{:03}", 19_600_101 + serial % 28, serial % 1000);
    let check = bangfu::values::id_number::check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A small district in canonical English headers: 3 households, 2 members,
/// pairings, and the files' paths.
pub fn small_district(w: &Workdir) -> [PathBuf; 3] {
    let households = w.utf8(
        "households.csv",
        &format!(
            "id,head,id_number,township,village,status\n\
             H1,张三,{},工农乡,红旗村,poor\n\
             H2,李四,{},工农乡,红旗村,poor\n\
             H3,王五,,向阳街道,向阳社区,lifted\n",
            id_number(1),
            id_number(2)
        ),
    );
    let members = w.utf8(
        "members.csv",
        "id,name,unit,role\nM1,赵六,区财政局,科员\nM2,钱七,区教育局,副局长\n",
    );
    let pairings = w.utf8(
        "pairings.csv",
        "member,household,since\nM1,H1,2001-01-01\nM1,H2,2001-01-01\nM2,H3,2001-02-01\n",
    );
    [households, members, pairings]
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Write the small district and import it.
pub fn import_small_district(w: &Workdir) {
    let [h, m, p] = small_district(w);
    w.stdout(&["import", path_str(&h), path_str(&m), path_str(&p)]);
}

/// The whole outcome of a run, for a snapshot: exit code, stdout and
/// stderr, with the temporary directory written as `[DIR]` so that the
/// snapshot is the same on every machine.
pub fn outcome(w: &Workdir, out: &Output) -> String {
    let dir = w.dir.path().to_string_lossy().into_owned();
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(&dir, "[DIR]");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Snapshot the whole outcome (exit code, stdout, stderr) of `bangfu ARGS`
/// in `w`: `bangfu_snapshot!(name, w, &["totals", "--by", "unit"])`.
#[macro_export]
macro_rules! bangfu_snapshot {
    ($name:expr, $w:expr, $args:expr) => {{
        let out = $w.bangfu().args($args).output().expect("run bangfu");
        insta::assert_snapshot!($name, $crate::common::outcome(&$w, &out));
    }};
}

/// Run `bangfu import ARGS`: exit code, stdout, stderr.
pub fn import(w: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = w
        .bangfu()
        .arg("import")
        .args(args)
        .output()
        .expect("run bangfu");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one value a query of the test database gives, as text.
pub fn scalar(w: &Workdir, sql: &str) -> String {
    let conn = rusqlite::Connection::open(w.db()).expect("open db");
    conn.query_row(sql, [], |r| {
        let v: rusqlite::types::Value = r.get(0)?;
        Ok(match v {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(t) => t,
            rusqlite::types::Value::Null => "NULL".into(),
            other => format!("{other:?}"),
        })
    })
    .expect("query")
}
