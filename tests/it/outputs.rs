//! End-to-end tests of every file bangfu writes other than the database
//! (contract §5, §10; issue 12): the rejects file, `--output` reports and the
//! `export` workbook. They are never the database, its journal files or an
//! input; they are written whole or not at all, never through a link or
//! onto a device; an existing file keeps its permissions; and a csv cell
//! that a spreadsheet would run as a formula is written as text.

use crate::common;

use common::{import_small_district, path_str, Workdir};
use predicates::str::contains;
use std::path::{Path, PathBuf};

/// A deliveries file as a clerk sends it: one good row, one with a day
/// that does not exist.
fn one_bad_delivery(w: &Workdir) -> PathBuf {
    w.utf8(
        "bad.csv",
        "date,member,household,category,goods\n\
         2001-03-05,M1,H1,warmth,50\n\
         2001-02-30,M1,H1,warmth,50\n",
    )
}

/// The names in a directory, sorted: equal before and after means no file
/// was left behind (a temporary one included).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Run bangfu and expect a usage error (exit 2) that names the refusal.
fn refused(w: &Workdir, args: &[&str]) {
    w.bangfu()
        .args(args)
        .assert()
        .code(2)
        .stderr(contains("refusing to write"));
}

#[test]
fn an_output_is_never_the_database_its_journal_files_or_an_input() {
    crate::sqlite_only!("the database file and its journal files");
    let w = Workdir::new();
    import_small_district(&w);
    let bad = one_bad_delivery(&w);
    std::fs::create_dir(w.path("sub")).unwrap();
    std::fs::hard_link(w.db(), w.path("same.db")).unwrap();
    std::fs::hard_link(&bad, w.path("same.csv")).unwrap();
    let db_bytes = std::fs::read(w.db()).unwrap();
    let bad_bytes = std::fs::read(&bad).unwrap();
    let dump = w.dump();
    let files = listing(w.dir.path());
    let db = path_str(&w.db()).to_string();
    let cases: Vec<Vec<String>> = vec![
        vec!["import", "--rejects", &db, "bad.csv"],
        vec!["import", "--rejects", "sub/../test.db", "bad.csv"],
        vec!["import", "--rejects", "same.db", "bad.csv"],
        // Not there now; SQLite would make them beside the database.
        vec!["import", "--rejects", "test.db-wal", "bad.csv"],
        vec!["import", "--rejects", "test.db-shm", "bad.csv"],
        vec!["import", "--rejects", "bad.csv", "bad.csv"],
        vec!["import", "--rejects", "same.csv", "bad.csv"],
        vec!["export", "--xlsx", &db],
        vec!["export", "--xlsx", "same.db"],
        vec!["export", "--xlsx", "test.db-wal"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    for case in &cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        refused(&w, &args);
        assert_eq!(std::fs::read(w.db()).unwrap(), db_bytes, "{args:?}");
        assert_eq!(std::fs::read(&bad).unwrap(), bad_bytes, "{args:?}");
        assert_eq!(w.dump(), dump, "{args:?}");
        assert_eq!(listing(w.dir.path()), files, "{args:?}");
    }
    // While another connection has the database open, its -wal and -shm
    // files exist: they are refused as the same files, not by name only.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM households", [], |r| r.get(0))
        .unwrap();
    assert!(w.path("test.db-wal").exists() && w.path("test.db-shm").exists());
    std::fs::hard_link(w.path("test.db-wal"), w.path("wal.csv")).unwrap();
    let wal = std::fs::read(w.path("test.db-wal")).unwrap();
    refused(&w, &["import", "--rejects", "wal.csv", "bad.csv"]);
    refused(&w, &["import", "--rejects", "test.db-shm", "bad.csv"]);
    assert_eq!(std::fs::read(w.path("test.db-wal")).unwrap(), wal);
    drop(conn);
    assert_eq!(w.dump(), dump);
}

#[cfg(unix)]
#[test]
fn a_link_or_a_device_is_refused_and_a_regular_file_is_replaced_whole_keeping_its_mode() {
    let w = Workdir::new();
    import_small_district(&w);
    let bad = one_bad_delivery(&w);
    let dump = w.dump();

    // A symbolic link is neither followed nor replaced.
    let other = w.utf8("other.txt", "a clerk's notes\n");
    std::os::unix::fs::symlink(&other, w.path("link.xlsx")).unwrap();
    std::os::unix::fs::symlink(&other, w.path("link.csv")).unwrap();
    std::os::unix::fs::symlink("nowhere.csv", w.path("dangling.csv")).unwrap();
    set_mode(&other, 0o644);
    refused(&w, &["export", "--xlsx", "link.xlsx"]);
    refused(&w, &["import", "--rejects", "link.csv", "bad.csv"]);
    refused(&w, &["import", "--rejects", "dangling.csv", "bad.csv"]);
    refused(&w, &["summary", "--output", "link.csv"]);
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "a clerk's notes\n"
    );
    assert_eq!(mode(&other), 0o644);
    assert!(!w.path("nowhere.csv").exists());
    for link in ["link.xlsx", "link.csv", "dangling.csv"] {
        assert!(std::fs::symlink_metadata(w.path(link))
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert_eq!(w.dump(), dump);

    // Nor is a directory, or a device (made here: /dev/null is the
    // machine's, and bangfu as it was would have changed its mode).
    std::fs::create_dir(w.path("reports")).unwrap();
    refused(&w, &["export", "--xlsx", "reports"]);
    use std::os::unix::fs::FileTypeExt;
    let device = w.path("null");
    let name = std::ffi::CString::new(path_str(&device)).unwrap();
    // SAFETY: mknod with a valid C string; it only creates a node.
    let made = unsafe { libc::mknod(name.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if made == 0 {
        set_mode(&device, 0o666);
        refused(&w, &["import", "--rejects", "null", "bad.csv"]);
        refused(&w, &["export", "--xlsx", "null"]);
        assert_eq!(mode(&device), 0o666);
        assert!(std::fs::symlink_metadata(&device)
            .unwrap()
            .file_type()
            .is_char_device());
    } else {
        eprintln!("skipped the device case: mknod needs root");
    }
    assert_eq!(w.dump(), dump);

    // An existing file is replaced, not rewritten in place (a second name
    // for it keeps the old bytes), and keeps its mode.
    let rejects = w.utf8("rejects.csv", "last month's rejects, a long line of them\n");
    std::fs::hard_link(&rejects, w.path("last-month.csv")).unwrap();
    set_mode(&rejects, 0o640);
    w.bangfu()
        .args(["import", "--rejects", "rejects.csv", path_str(&bad)])
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.starts_with("\u{feff}date,member,household"), "{text}");
    assert!(!text.contains("last month"), "{text}");
    assert_eq!(mode(&rejects), 0o640);
    assert_eq!(
        std::fs::read_to_string(w.path("last-month.csv")).unwrap(),
        "last month's rejects, a long line of them\n"
    );

    let report = w.write("report.xlsx", b"an older report");
    set_mode(&report, 0o644);
    w.stdout(&["export", "--xlsx", "report.xlsx"]);
    assert!(std::fs::read(&report).unwrap().starts_with(b"PK"));
    assert_eq!(mode(&report), 0o644);

    // A new file is readable by its owner only.
    w.stdout(&["export", "--xlsx", "new.xlsx"]);
    assert_eq!(mode(&w.path("new.xlsx")), 0o600);
    let names = listing(w.dir.path());
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "a temporary file was left: {names:?}"
    );
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_as_written() {
    let w = Workdir::new();
    let households = w.utf8(
        "households.csv",
        "id,head,township,village,cause,status\n\
         H1,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"点我\"\")\",工农乡,+cmd|' /C calc'!A0,@SUM(1+1),poor\n",
    );
    let members = w.utf8("members.csv", "id,name,unit\nM1,赵六,-区财政局\n");
    let pairings = w.utf8("pairings.csv", "member,household,since\nM1,H1,2001-01-01\n");
    let visit = w.utf8(
        "visit.csv",
        "date,member,household,category,goods\n2001-01-10,M1,H1,warmth,100\n",
    );
    w.stdout(&[
        "import",
        path_str(&households),
        path_str(&members),
        path_str(&pairings),
        path_str(&visit),
    ]);

    // Reports in csv: the formula-like text cells begin with a '.
    let csv = w.stdout(&["totals", "--by", "village,unit", "--format", "csv"]);
    assert!(csv.contains("'+cmd|' /C calc'!A0"), "{csv}");
    assert!(csv.contains("'-区财政局"), "{csv}");
    let csv = w.stdout(&["show", "household", "H1", "--format", "csv"]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example/\"\""),
        "{csv}"
    );
    assert!(csv.contains("'@SUM(1+1)"), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "an unguarded cell {cell:?} in {csv}"
            );
        }
    }
    // Other formats show the text as it is.
    let table = w.stdout(&["show", "household", "H1"]);
    assert!(table.contains(" =HYPERLINK("), "{table}");

    // The rejects file guards the cells it writes back.
    let deliveries = w.utf8(
        "deliveries.csv",
        "date,member,household,category,goods,note\n\
         2001-03-05,M1,H1,warmth,50,=1+1\n\
         2001-02-30,M1,H1,warmth,50,\"=HYPERLINK(\"\"http://evil.example/\"\")\"\n\
         2001-03-06,M1,H1,warmth,'-50,@SUM(1+1)\n",
    );
    w.bangfu()
        .args(["import", "--rejects", "rejects.csv", path_str(&deliveries)])
        .assert()
        .code(1);
    let rejects = std::fs::read_to_string(w.path("rejects.csv")).unwrap();
    assert!(
        rejects.contains(",\"'=HYPERLINK(\"\"http://evil.example/\"\")\","),
        "{rejects}"
    );
    assert!(rejects.contains(",'-50,'@SUM(1+1),"), "{rejects}");

    // The clerk corrects the date and imports the rejects file: the notes
    // arrive as written, without the '; the negative amount is still wrong.
    let corrected = w.utf8(
        "corrected.csv",
        &rejects
            .trim_start_matches('\u{feff}')
            .replace("2001-02-30", "2001-02-28"),
    );
    w.bangfu()
        .args(["import", path_str(&corrected)])
        .assert()
        .code(1)
        .stderr(contains("corrected.csv:3: goods"));
    let fixed = w.utf8(
        "fixed.csv",
        &rejects
            .trim_start_matches('\u{feff}')
            .replace("2001-02-30", "2001-02-28")
            .replace("'-50", "50"),
    );
    w.stdout(&["import", path_str(&fixed)]);
    let card = w.json(&["show", "household", "H1"]);
    let mut notes: Vec<&str> = card["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["note"].as_str())
        .collect();
    notes.sort();
    assert_eq!(
        notes,
        ["=1+1", "=HYPERLINK(\"http://evil.example/\")", "@SUM(1+1)"]
    );
}

/// `bangfu ARGS` with writes to any file limited to `limit` bytes — a full
/// disk without a disk, for the process alone (SIGXFSZ ignored, so a
/// write past the limit fails with EFBIG as one onto a full disk fails).
#[cfg(unix)]
fn with_file_size_limit(w: &Workdir, limit: u64, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = bangfu_process(w, args);
    // SAFETY: between fork and exec only async-signal-safe calls.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    cmd.output().expect("run bangfu")
}

#[cfg(unix)]
#[test]
fn a_rejects_file_appears_only_when_its_import_was_committed() {
    crate::sqlite_only!("a write-ahead log too large for the disk");
    let w = Workdir::new();
    import_small_district(&w);
    let many: String = (1..=3000)
        .map(|i| format!("2001-03-{:02},M1,H1,warmth,{i}\n", i % 28 + 1))
        .collect();
    let deliveries = w.utf8(
        "deliveries.csv",
        &format!("date,member,household,category,goods\n{many}2001-02-30,M1,H1,warmth,50\n"),
    );
    let dump = w.dump();
    let files = listing(w.dir.path());
    // Room for SQLite's 32 KiB shared-memory file and the rejects file (a
    // hundred bytes), not for the write-ahead log of 3000 deliveries: the
    // commit fails, after the rejects file was written.
    let out = with_file_size_limit(
        &w,
        40_000,
        &["import", "--rejects", "rejects.csv", path_str(&deliveries)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!w.path("rejects.csv").exists(), "{stderr}");
    assert_eq!(listing_but_journals(w.dir.path()), files, "{stderr}");
    assert_eq!(w.dump(), dump);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    // With room, the same import commits and leaves its rejects file.
    w.bangfu()
        .args(["import", "--rejects", "rejects.csv", path_str(&deliveries)])
        .assert()
        .code(1);
    assert!(std::fs::read_to_string(w.path("rejects.csv"))
        .unwrap()
        .contains("2001-02-30"));
    assert_eq!(w.json(&["summary"])["deliveries"], 3000);
}

/// A district of `n` households, each paired with one of ten members, imported.
fn import_district_of(w: &Workdir, n: usize) {
    let households: String = (1..=n)
        .map(|i| format!("H{i},户主{i},工农乡,红旗村{},poor\n", i % 7))
        .collect();
    let members: String = (1..=10)
        .map(|i| format!("M{i},帮扶人{i},区第{i}局,13812345{i:03}\n"))
        .collect();
    let pairings: String = (1..=n)
        .map(|i| format!("M{},H{i},2001-01-01\n", i % 10 + 1))
        .collect();
    let h = w.utf8(
        "households.csv",
        &format!("id,head,township,village,status\n{households}"),
    );
    let m = w.utf8("members.csv", &format!("id,name,unit,phone\n{members}"));
    let p = w.utf8(
        "pairings.csv",
        &format!("member,household,since\n{pairings}"),
    );
    w.stdout(&["import", path_str(&h), path_str(&m), path_str(&p)]);
}

/// The names in a directory but the database's journal files, which a
/// process that could not write them may leave behind (SQLite's own).
fn listing_but_journals(dir: &Path) -> Vec<String> {
    let mut names = listing(dir);
    names.retain(|n| !n.ends_with("-wal") && !n.ends_with("-shm"));
    names
}

#[cfg(unix)]
#[test]
fn an_output_that_cannot_be_written_whole_leaves_the_earlier_file_and_no_other() {
    let w = Workdir::new();
    import_district_of(&w, 2000);
    w.stdout(&["export", "--xlsx", "full.xlsx"]);
    let workbook = std::fs::metadata(w.path("full.xlsx")).unwrap().len();
    std::fs::remove_file(w.path("full.xlsx")).unwrap();
    let report = w.stdout(&["overdue", "--format", "csv"]).len() as u64;
    // Room for SQLite's 32 KiB shared-memory file, not for the output.
    let limit = 40_000;
    assert!(workbook > limit && report > limit, "{workbook} {report}");

    let earlier = w.write("report.xlsx", b"last month's report");
    // A csv report goes to a .csv name (a .xlsx name is export's).
    let earlier_csv = w.write("report.csv", b"last month's report");
    let files = listing(w.dir.path());
    for args in [
        &["export", "--xlsx", "report.xlsx"][..],
        &["export", "--xlsx", "new.xlsx"],
        &["overdue", "--format", "csv", "--output", "report.csv"],
        &["overdue", "--output", "new.txt"],
    ] {
        let out = with_file_size_limit(&w, limit, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("File too large"), "{args:?}: {stderr}");
        for earlier in [&earlier, &earlier_csv] {
            assert!(
                std::fs::read(earlier).unwrap() == b"last month's report",
                "{args:?}: the earlier report was changed"
            );
        }
        assert_eq!(listing_but_journals(w.dir.path()), files, "{args:?}");
    }
}

#[test]
fn every_report_writes_to_output_what_it_prints_and_csv_there_has_a_bom() {
    let w = Workdir::new();
    import_small_district(&w);
    let reports: [&[&str]; 7] = [
        &["summary"],
        &["totals", "--by", "unit"],
        &["overdue"],
        &["unpaired"],
        &["show", "household", "H1"],
        &["show", "member", "M1"],
        &["check"],
    ];
    for (i, report) in reports.iter().enumerate() {
        for format in ["table", "csv", "json", "markdown"] {
            let mut args = report.to_vec();
            args.extend(["--format", format]);
            let printed = w.bangfu().args(&args).output().unwrap();
            let name = format!("out-{i}.{format}");
            args.extend(["--output", &name]);
            let written = w.bangfu().args(&args).output().unwrap();
            assert_eq!(written.status.code(), printed.status.code(), "{args:?}");
            assert!(written.stdout.is_empty(), "{args:?}");
            let mut expected = if format == "csv" {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            assert!(!printed.stdout.starts_with(b"\xEF\xBB\xBF"), "{args:?}");
            expected.extend(&printed.stdout);
            assert_eq!(std::fs::read(w.path(&name)).unwrap(), expected, "{args:?}");
            #[cfg(unix)]
            assert_eq!(mode(&w.path(&name)), 0o600, "{args:?}");
        }
    }
    // --output obeys the same rules as every other output.
    refused(&w, &["totals", "--by", "unit", "--output", "."]);
    if !w.on_postgres() {
        let db = std::fs::read(w.db()).unwrap();
        refused(&w, &["summary", "--output", "test.db"]);
        refused(&w, &["show", "household", "H1", "--output", "test.db-wal"]);
        assert_eq!(std::fs::read(w.db()).unwrap(), db);
    }
}

/// A small tmpfs, mounted for one test and unmounted when dropped (even
/// when the test fails), so that a disk can really be full.
#[cfg(target_os = "linux")]
struct SmallDisk {
    at: PathBuf,
}

#[cfg(target_os = "linux")]
impl SmallDisk {
    /// Mount `bytes` of tmpfs at `at`; why not, where it cannot be.
    fn mount(at: PathBuf, bytes: u64) -> Result<SmallDisk, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("mounting a tmpfs needs root".into());
        }
        std::fs::create_dir_all(&at).map_err(|e| e.to_string())?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes},mode=0700")])
            .arg("tmpfs")
            .arg(&at)
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if status.success() {
            Ok(SmallDisk { at })
        } else {
            Err(format!("mount -t tmpfs failed ({status})"))
        }
    }

    /// Bytes still free.
    fn free(&self) -> u64 {
        let path = std::ffi::CString::new(path_str(&self.at)).unwrap();
        // SAFETY: a zeroed statvfs is a valid out-parameter.
        let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: valid C string and out-pointer.
        assert_eq!(unsafe { libc::statvfs(path.as_ptr(), &mut stats) }, 0);
        stats.f_bavail as u64 * stats.f_frsize as u64
    }

    /// Fill the disk with a file until `room` bytes are left (about: the
    /// disk counts whole pages).
    fn fill_leaving(&self, room: u64) {
        use std::io::Write;
        let filler = self.at.join("filler");
        let _ = std::fs::remove_file(&filler);
        let mut left = self.free().saturating_sub(room);
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0x5a_u8; 64 * 1024];
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            if file.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = file.sync_all();
    }
}

#[cfg(target_os = "linux")]
impl Drop for SmallDisk {
    fn drop(&mut self) {
        let unmounted = std::process::Command::new("umount")
            .arg(&self.at)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Busy (a process of a failed test still running): detach it.
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.at)
                .status();
        }
    }
}

#[cfg(unix)]
/// Whether SQLite finds the database whole, and how many rows `table` holds.
fn whole_and_count(db: &Path, table: &str) -> (String, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let n = conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap();
    (check, n)
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_the_database_whole_and_no_partial_or_temporary_file() {
    crate::sqlite_only!("the database file on a full disk");
    let w = Workdir::new();
    let disk = match SmallDisk::mount(w.path("disk"), 8 << 20) {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    // The district, imported once outside; each fill level starts from a
    // copy of it on the small disk.
    import_small_district(&w);
    let pristine = std::fs::read(w.db()).unwrap();
    let rows = visits(2000);
    let deliveries = w.utf8(
        "deliveries.csv",
        &format!("date,member,household,category,goods,note\n{rows}2001-02-30,M1,H1,warmth,50,\n"),
    );
    let db = disk.at.join("test.db");
    let rejects = disk.at.join("rejects.csv");
    let report = disk.at.join("report.xlsx");
    let expected_names = ["filler", "report.xlsx", "test.db"];
    let kib = 1024;
    let mut outcomes = Vec::new();
    for room in [
        0,
        4 * kib,
        12 * kib,
        24 * kib,
        48 * kib,
        72 * kib,
        100 * kib,
        136 * kib,
        200 * kib,
        300 * kib,
        500 * kib,
        800 * kib,
        1200 * kib,
        2000 * kib,
        6000 * kib,
    ] {
        for name in listing(&disk.at) {
            std::fs::remove_file(disk.at.join(name)).unwrap();
        }
        std::fs::write(&db, &pristine).unwrap();
        std::fs::write(&report, b"last month's report").unwrap();
        disk.fill_leaving(room);

        let import = w
            .bangfu()
            .env("BANGFU_DB", &db)
            .args(["import", "--rejects"])
            .arg(&rejects)
            .arg(&deliveries)
            .output()
            .unwrap();
        let import_err = String::from_utf8_lossy(&import.stderr).into_owned();
        assert_ne!(import.status.code(), Some(0), "room {room}: {import_err}");
        let committed = import_err.contains("imported the valid rows");
        if committed {
            let text = std::fs::read_to_string(&rejects).unwrap();
            assert!(text.contains("2001-02-30"), "room {room}: {text}");
        } else {
            assert!(!rejects.exists(), "room {room}: {import_err}");
        }
        let mut names = listing_but_journals(&disk.at);
        names.retain(|n| n != "rejects.csv");
        assert_eq!(names, expected_names, "room {room}: {import_err}");

        let export = w
            .bangfu()
            .env("BANGFU_DB", &db)
            .args(["export", "--xlsx"])
            .arg(&report)
            .output()
            .unwrap();
        let export_err = String::from_utf8_lossy(&export.stderr).into_owned();
        let bytes = std::fs::read(&report).unwrap();
        if export.status.success() {
            // A whole workbook: a zip with its end-of-directory record.
            assert!(bytes.starts_with(b"PK"), "room {room}");
            assert!(
                bytes.windows(4).any(|w| w == b"PK\x05\x06"),
                "room {room}: a cut-off workbook"
            );
        } else {
            assert!(
                bytes == b"last month's report",
                "room {room}: the earlier report was changed: {export_err}"
            );
        }
        let mut names = listing_but_journals(&disk.at);
        names.retain(|n| n != "rejects.csv");
        assert_eq!(names, expected_names, "room {room}: {export_err}");

        // With room again, SQLite finds the database whole, holding all of
        // the import or none of it.
        std::fs::remove_file(disk.at.join("filler")).unwrap();
        let (check, n) = whole_and_count(&db, "deliveries");
        assert_eq!(check, "ok", "room {room}: {import_err}");
        assert_eq!(
            n,
            if committed { 2000 } else { 0 },
            "room {room}: {import_err}"
        );
        outcomes.push((room, committed, export.status.success()));
    }
    eprintln!("(room, import committed, export written): {outcomes:?}");
    // The levels span both ends: a disk too full for either, and room for both.
    assert!(outcomes.iter().any(|o| !o.1 && !o.2), "{outcomes:?}");
    assert!(outcomes.iter().any(|o| o.1 && o.2), "{outcomes:?}");
    drop(disk);
}

#[cfg(unix)]
/// `bangfu ARGS` as a std command (for spawning, killing, other users).
fn bangfu_process(w: &Workdir, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"));
    cmd.current_dir(w.dir.path())
        .env("BANGFU_DB", w.target())
        .env("BANGFU_TODAY", common::TODAY)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .args(args);
    cmd
}

/// A household file and a deliveries file whose one row names a member
/// nobody has imported: importing both with `--rejects` commits H1 and
/// rejects the delivery.
fn household_and_stray_delivery(w: &Workdir) {
    w.utf8(
        "hh.csv",
        "id,head,township,village\nH1,张三,工农乡,红旗村\n",
    );
    w.utf8(
        "bad.csv",
        "date,member,household,category,goods\n2001-03-05,M9,H1,warmth,50\n",
    );
}

#[cfg(unix)]
#[test]
fn a_database_named_by_a_dangling_link_is_guarded_where_the_link_leads() {
    crate::sqlite_only!("a database file named by a link");
    let w = Workdir::new();
    household_and_stray_delivery(&w);
    std::fs::create_dir_all(w.path("real")).unwrap();
    std::fs::create_dir_all(w.path("sub")).unwrap();
    // new.db -> real/new.db; chain.db -> sub/link.db -> ../real/chain.db.
    std::os::unix::fs::symlink("real/new.db", w.path("new.db")).unwrap();
    std::os::unix::fs::symlink("../real/chain.db", w.path("sub/link.db")).unwrap();
    std::os::unix::fs::symlink("sub/link.db", w.path("chain.db")).unwrap();
    for (db, real) in [("new.db", "real/new.db"), ("chain.db", "real/chain.db")] {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let target = format!("{real}{suffix}");
            let args = [
                "--db",
                db,
                "import",
                "hh.csv",
                "bad.csv",
                "--rejects",
                &target,
            ];
            w.bangfu()
                .args(args)
                .assert()
                .code(2)
                .stderr(contains("refusing to write"));
            assert_eq!(listing(&w.path("real")), Vec::<String>::new(), "{args:?}");
        }
    }
    // Elsewhere the rejected row is written, and the database is whole.
    w.bangfu()
        .args(["--db", "new.db", "import", "hh.csv", "bad.csv"])
        .args(["--rejects", "rejects.csv"])
        .assert()
        .code(1);
    let rejects = std::fs::read_to_string(w.path("rejects.csv")).unwrap();
    assert!(rejects.contains("M9"), "{rejects}");
    let (check, n) = whole_and_count(&w.path("real/new.db"), "households");
    assert_eq!((check.as_str(), n), ("ok", 1));
}

/// A directory bind-mounted at a second place, unmounted when dropped.
#[cfg(target_os = "linux")]
struct BindMount {
    at: PathBuf,
}

#[cfg(target_os = "linux")]
impl BindMount {
    fn new(from: &Path, at: &Path) -> Result<BindMount, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("a bind mount needs root".into());
        }
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let status = std::process::Command::new("mount")
            .arg("--bind")
            .arg(from)
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if status.success() {
            Ok(BindMount {
                at: at.to_path_buf(),
            })
        } else {
            Err(format!("mount --bind failed ({status})"))
        }
    }
}

#[cfg(target_os = "linux")]
impl Drop for BindMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.at)
            .status();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_journal_file_not_there_yet_is_refused_under_another_spelling_of_its_directory() {
    crate::sqlite_only!("journal files");
    let w = Workdir::new();
    std::fs::create_dir(w.path("a")).unwrap();
    let mount = match BindMount::new(&w.path("a"), &w.path("c")) {
        Ok(mount) => mount,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    household_and_stray_delivery(&w);
    w.bangfu()
        .args(["--db", "a/d.db", "import", "hh.csv"])
        .assert()
        .success();
    let files = listing(&w.path("a"));
    assert_eq!(files, ["d.db"]);
    for args in [
        &["summary", "--format", "csv", "--output", "c/d.db-wal"][..],
        &["summary", "--output", "c/d.db-shm"],
        &["export", "--xlsx", "c/d.db-journal"],
        &["import", "bad.csv", "--rejects", "c/d.db-wal"],
        &["summary", "--output", "c/d.db"],
    ] {
        w.bangfu()
            .args(["--db", "a/d.db"])
            .args(args)
            .assert()
            .code(2)
            .stderr(contains("refusing to write"));
        assert_eq!(listing(&w.path("a")), files, "{args:?}");
    }
    drop(mount);
}

/// Run `bangfu ARGS` as user nobody (uid and gid 65534, no groups).
#[cfg(target_os = "linux")]
fn as_nobody(w: &Workdir, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(assert_cmd::cargo::cargo_bin("bangfu"))
        .current_dir(w.dir.path())
        .env("BANGFU_TODAY", common::TODAY)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("BANGFU_DB")
        .args(args);
    cmd.output().expect("run setpriv")
}

#[test]
fn a_target_ending_in_a_slash_is_refused_before_any_work() {
    let w = Workdir::new();
    household_and_stray_delivery(&w);
    let files = listing(w.dir.path());
    for args in [
        &["import", "hh.csv", "bad.csv", "--rejects", "out.csv/"][..],
        &["import", "hh.csv", "bad.csv", "--rejects", "out.csv/."],
        &["summary", "--output", "out.csv/"],
        &["export", "--xlsx", "out.xlsx/"],
    ] {
        w.bangfu()
            .args(args)
            .assert()
            .code(2)
            .stderr(contains("refusing to write"));
        assert_eq!(listing(w.dir.path()), files, "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_rejects_file_that_could_not_take_its_name_is_refused_before_any_work() {
    use std::os::unix::fs::chown;
    let w = Workdir::new();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0
        || std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipped: running as another user needs root and setpriv");
        return;
    }
    set_mode(w.dir.path(), 0o755);
    household_and_stray_delivery(&w);
    // nobody's own directory holds the database.
    std::fs::create_dir(w.path("home")).unwrap();
    chown(w.path("home"), Some(65534), Some(65534)).unwrap();
    // A shared, sticky directory (as /tmp is) with root's file in it.
    std::fs::create_dir(w.path("shared")).unwrap();
    set_mode(&w.path("shared"), 0o1777);
    let roots = w.utf8("shared/rej.csv", "root's file\n");
    set_mode(&roots, 0o666);
    // A directory nobody may not write in.
    std::fs::create_dir(w.path("ro")).unwrap();
    // The database: a file in nobody's home, or the test server's.
    let target = match w.on_postgres() {
        true => w.target(),
        false => "home/d.db".to_string(),
    };
    let import_as_nobody = |rejects: &str| {
        let db = ["--db", target.as_str()];
        as_nobody(
            &w,
            &[
                &db[..],
                &["import", "hh.csv", "bad.csv", "--rejects", rejects],
            ]
            .concat(),
        )
    };
    for target in ["shared/rej.csv", "ro/rej.csv"] {
        let out = import_as_nobody(target);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {stderr}");
        assert!(stderr.contains("refusing to write"), "{target}: {stderr}");
        assert_eq!(listing(&w.path("home")), Vec::<String>::new(), "{target}");
    }
    assert_eq!(std::fs::read_to_string(&roots).unwrap(), "root's file\n");
    assert_eq!(listing(&w.path("shared")), ["rej.csv"]);
    assert_eq!(listing(&w.path("ro")), Vec::<String>::new());
    // nobody's own file in the shared directory is replaced, keeping its mode.
    let own = w.utf8("shared/mine.csv", "last month\n");
    chown(&own, Some(65534), Some(65534)).unwrap();
    set_mode(&own, 0o640);
    let out = import_as_nobody("shared/mine.csv");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&own).unwrap().contains("M9"));
    assert_eq!(mode(&own), 0o640);
    assert_eq!(listing(&w.path("shared")), ["mine.csv", "rej.csv"]);
}

#[cfg(unix)]
/// `n` delivery rows (date, member, household, category, goods, note) of
/// the small district, all valid.
fn visits(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "2001-{:02}-{:02},M1,H{},warmth,{},第{i}次走访\n",
                i % 12 + 1,
                i % 28 + 1,
                i % 2 + 1,
                i + 1
            )
        })
        .collect()
}

#[cfg(unix)]
/// A district with `n` deliveries, imported.
fn import_deliveries(w: &Workdir, n: usize) {
    import_small_district(w);
    let rows = visits(n);
    let deliveries = w.utf8(
        "many.csv",
        &format!("date,member,household,category,goods,note\n{rows}"),
    );
    w.stdout(&["import", path_str(&deliveries)]);
}

#[cfg(unix)]
#[test]
fn a_kill_during_an_export_leaves_the_earlier_file_and_no_temporary_one() {
    let w = Workdir::new();
    import_deliveries(&w, 50_000);
    let earlier = w.write("report.xlsx", b"last month's report");
    let started = std::time::Instant::now();
    w.stdout(&["export", "--xlsx", "whole.xlsx"]);
    let takes = started.elapsed();
    std::fs::remove_file(w.path("whole.xlsx")).unwrap();
    let files = listing(w.dir.path());
    let mut outcomes = Vec::new();
    for (i, signal) in [libc::SIGKILL, libc::SIGTERM, libc::SIGINT]
        .iter()
        .cycle()
        .take(9)
        .enumerate()
    {
        let mut child = bangfu_process(&w, &["export", "--xlsx", "report.xlsx"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(takes * i as u32 / 8);
        // SAFETY: kill with the pid of our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, *signal) };
        let status = child.wait().unwrap();
        let bytes = std::fs::read(&earlier).unwrap();
        let replaced = bytes != b"last month's report";
        if replaced {
            assert!(
                bytes.starts_with(b"PK") && bytes.windows(4).any(|w| w == b"PK\x05\x06"),
                "kill {i}: a cut-off workbook"
            );
            std::fs::write(&earlier, b"last month's report").unwrap();
        }
        assert_eq!(
            listing_but_journals(w.dir.path()),
            files,
            "kill {i} ({status})"
        );
        outcomes.push((i, status.success(), replaced));
    }
    eprintln!("(kill, export finished, report replaced): {outcomes:?}");
    assert!(outcomes.iter().any(|o| !o.1), "{outcomes:?}");
}

#[test]
fn a_file_name_as_long_as_the_system_allows_can_be_written() {
    let w = Workdir::new();
    household_and_stray_delivery(&w);
    // 255 bytes, the longest name most file systems take.
    let csv = format!("{}.csv", "帮".repeat(83) + "xx");
    let xlsx = format!("{}.xlsx", "帮".repeat(83) + "x");
    assert_eq!((csv.len(), xlsx.len()), (255, 255));
    // (One input: with two, its sibling for a second header, 257 bytes,
    // would be refused up front.)
    w.bangfu()
        .args(["import", "bad.csv", "--rejects", &csv])
        .assert()
        .code(1);
    assert!(std::fs::read_to_string(w.path(&csv))
        .unwrap()
        .contains("M9"));
    w.stdout(&["summary", "--format", "csv", "--output", &csv]);
    assert!(std::fs::read_to_string(w.path(&csv))
        .unwrap()
        .contains("households"));
    w.stdout(&["export", "--xlsx", &xlsx]);
    assert!(std::fs::read(w.path(&xlsx)).unwrap().starts_with(b"PK"));
    let names = listing(w.dir.path());
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn rejected_rows_of_files_with_different_headers_each_import_back_as_written() {
    let w = Workdir::new();
    import_small_district(&w);
    let households = w.utf8(
        "h.csv",
        "id,head,township,village,status\nH4,赵八,工农乡,红旗村,poor\nH5,孙九,工农乡,红旗村,穷\n",
    );
    let deliveries = one_bad_delivery(&w);
    let more = w.utf8(
        "more.csv",
        "date,household,member,goods,category\n2001-04-31,H2,M1,60,warmth\n",
    );
    let out = w
        .bangfu()
        .args(["import", "--rejects", "rejects.csv"])
        .args([&households, &deliveries, &more])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("3 rejected rows written to rejects.csv, rejects.2.csv, rejects.3.csv"),
        "{stderr}"
    );
    let read = |name: &str| {
        std::fs::read_to_string(w.path(name))
            .unwrap()
            .trim_start_matches('\u{feff}')
            .to_string()
    };
    let (first, second, third) = (
        read("rejects.csv"),
        read("rejects.2.csv"),
        read("rejects.3.csv"),
    );
    assert!(
        first.starts_with("id,head,township,village,status,error\n"),
        "{first}"
    );
    assert!(
        second.starts_with("date,member,household,category,goods,error\n"),
        "{second}"
    );
    assert!(
        third.starts_with("date,household,member,goods,category,error\n"),
        "{third}"
    );
    for text in [&first, &second, &third] {
        assert_eq!(text.lines().count(), 2, "{text}");
    }
    // Corrected, each imports as written.
    for (name, text) in [
        ("c1.csv", first.replace(",穷,", ",poor,")),
        ("c2.csv", second.replace("2001-02-30", "2001-02-28")),
        ("c3.csv", third.replace("2001-04-31", "2001-04-30")),
    ] {
        let file = w.utf8(name, &text);
        w.stdout(&["import", path_str(&file)]);
    }
    let summary = w.json(&["summary"]);
    assert_eq!(
        (
            summary["households"].as_i64(),
            summary["deliveries"].as_i64()
        ),
        (Some(5), Some(3))
    );

    // Rejected rows of two files with one header share one file.
    std::fs::remove_file(w.path("rejects.2.csv")).unwrap();
    let again = w.utf8(
        "again.csv",
        "date,member,household,category,goods\n2001-06-31,M1,H1,warmth,50\n",
    );
    w.bangfu()
        .args(["import", "--rejects", "rejects.csv"])
        .args([&deliveries, &again])
        .assert()
        .code(1)
        .stderr(contains(
            "2 rejected rows written to rejects.csv; once corrected, import the rows of each sheet",
        ));
    assert_eq!(read("rejects.csv").lines().count(), 3);
    assert!(!w.path("rejects.2.csv").exists());
}

#[test]
fn rejected_cells_are_written_as_the_file_has_them_and_markdown_keeps_its_rows() {
    let w = Workdir::new();
    import_small_district(&w);
    w.utf8(
        "d.csv",
        "date,member,household,category,goods,note\r\n\
         2001-02-30,M1,H1,warmth,50,\"\t-2\"\r\n\
         2001-02-31,M1,H1,warmth,  =1+1  ,\" 送米 \"\r\n",
    );
    w.bangfu()
        .args(["import", "--rejects", "rejects.csv", "d.csv"])
        .assert()
        .code(1);
    let rejects = std::fs::read_to_string(w.path("rejects.csv")).unwrap();
    assert!(
        rejects.contains(",warmth,50,'\t-2,\"d.csv:2:"),
        "{rejects:?}"
    );
    assert!(
        rejects.contains(",warmth,  =1+1  , 送米 ,\"d.csv:3:"),
        "{rejects:?}"
    );
    assert!(!rejects.contains('\r'), "{rejects:?}");

    // A note of two lines and a | is one row of a markdown table.
    let note = w.utf8(
        "note.csv",
        "date,member,household,category,goods,note\n\
         2001-03-05,M1,H1,warmth,50,\"第一行\r\n第二行 | 完\"\n",
    );
    w.stdout(&["import", path_str(&note)]);
    let md = w.stdout(&["show", "household", "H1", "--format", "markdown"]);
    assert!(md.contains("第一行<br>第二行 \\| 完"), "{md}");
    for line in md.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        assert!(
            line.starts_with('|') && line.ends_with('|'),
            "{line:?} in\n{md}"
        );
    }
}
