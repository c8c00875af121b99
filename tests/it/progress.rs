//! The import's progress bar, seen the way a clerk sees it: with stderr a
//! terminal (a pseudo-terminal here), a long import draws a bar with rows
//! and bytes per second; `--quiet` draws none. (Without a terminal no bar
//! is drawn: tests/import.rs.)

#![cfg(unix)]

use crate::common;

use common::{import_small_district, path_str, Workdir, TODAY};
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

/// Run `bangfu ARGS` in `w` with stderr on a new pseudo-terminal; what the
/// terminal received, and whether bangfu succeeded.
fn on_a_terminal(w: &Workdir, args: &[&str]) -> (String, bool) {
    let (mut leader, mut follower) = (0, 0);
    // SAFETY: openpty writes two file descriptors, which are then owned
    // here; the null arguments ask for no name, settings or size.
    let opened = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and nothing else owns them.
    let (leader, follower) =
        unsafe { (OwnedFd::from_raw_fd(leader), OwnedFd::from_raw_fd(follower)) };
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
        .args(args)
        .current_dir(w.dir.path())
        .env("BANGFU_DB", w.target())
        .env("BANGFU_TODAY", TODAY)
        .env("LANG", "C")
        .env("TERM", "xterm")
        .env_remove("LC_ALL")
        .stdout(Stdio::null())
        .stderr(Stdio::from(follower))
        .spawn()
        .expect("run bangfu");
    // The terminal's other end: read until the child has closed its side
    // (Linux then answers EIO rather than end of file).
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut leader = std::fs::File::from(leader);
        let mut chunk = [0u8; 4096];
        while let Ok(n) = leader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&chunk[..n]);
        }
        seen
    });
    let ok = child.wait().expect("wait for bangfu").success();
    let seen = reader.join().expect("reader thread");
    (String::from_utf8_lossy(&seen).into_owned(), ok)
}

/// A deliveries file long enough for the bar to be updated several times.
fn long_file(w: &Workdir) -> std::path::PathBuf {
    let mut csv = String::from("date,member,household,category,goods,note\n");
    for i in 0..30_000u32 {
        let day = 1 + i % 28;
        csv.push_str(&format!("2001-02-{day:02},M1,H1,warmth,{i},第{i}次走访\n"));
    }
    w.utf8("long.csv", &csv)
}

#[test]
fn a_long_import_on_a_terminal_shows_rows_and_bytes_per_second() {
    let w = Workdir::new();
    import_small_district(&w);
    let file = long_file(&w);
    let (seen, ok) = on_a_terminal(&w, &["import", path_str(&file)]);
    assert!(ok, "{seen}");
    assert!(seen.contains("long.csv ["), "no bar: {seen:?}");
    assert!(seen.contains(" rows/s"), "no rows per second: {seen:?}");
    assert!(seen.contains("B/s"), "no bytes per second: {seen:?}");
}

#[test]
fn quiet_hides_the_bar_on_a_terminal() {
    let w = Workdir::new();
    import_small_district(&w);
    let file = long_file(&w);
    let (seen, ok) = on_a_terminal(&w, &["import", "--quiet", path_str(&file)]);
    assert!(ok, "{seen}");
    assert!(!seen.contains("rows/s"), "a bar was drawn: {seen:?}");
}
