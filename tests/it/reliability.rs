//! The promises that need processes to test: a kill -9 at any moment of an
//! import leaves a whole database holding all or none of it; two bangfu
//! processes on one database both land whole.

use crate::common;

use common::{path_str, scalar, Workdir};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Households, members and pairings for the big files.
fn base(w: &Workdir) {
    let mut h = String::from("id,head,township\n");
    let mut m = String::from("id,name,unit\n");
    for i in 0..200 {
        h.push_str(&format!("H{i},户主{i},乡{}\n", i % 5));
    }
    for i in 0..50 {
        m.push_str(&format!("M{i},帮扶人{i},单位{}\n", i % 7));
    }
    let hf = w.utf8("h.csv", &h);
    let mf = w.utf8("m.csv", &m);
    w.stdout(&["import", path_str(&hf), path_str(&mf)]);
}

/// A deliveries file of `rows` rows; `tag` keeps files distinct.
fn deliveries(w: &Workdir, name: &str, rows: usize, tag: &str) -> std::path::PathBuf {
    let categories = bangfu::values::Category::ALL.map(|c| c.key());
    let mut text = String::from("date,member,household,category,goods,cash,note\n");
    for i in 0..rows {
        text.push_str(&format!(
            "2001-{:02}-{:02},M{},H{},{},{}.50,{},{tag}{i}\n",
            1 + i % 12,
            1 + i % 28,
            i % 50,
            i % 200,
            categories[i % 7],
            i % 1000,
            i % 9
        ));
    }
    w.utf8(name, &text)
}

/// How many deliveries the database holds; on SQLite, after its
/// integrity check found the file whole.
fn count_and_check(w: &Workdir) -> i64 {
    if !w.on_postgres() {
        assert_eq!(scalar(w, "PRAGMA integrity_check"), "ok");
    }
    let n = scalar(w, "SELECT count(*) FROM deliveries");
    n.parse().expect("a count")
}

/// `bangfu import FILE` on the directory's database, in the background.
fn spawn_import(w: &Workdir, file: &std::path::Path) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
        .current_dir(w.dir.path())
        .env("BANGFU_TODAY", common::TODAY)
        .args(["--db", &w.target(), "import", "--quiet", path_str(file)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_kill_at_any_moment_of_an_import_leaves_all_or_nothing() {
    let rows = 6_000;
    // Each attempt on a database of its own that holds the base records.
    let fresh = || {
        let w = Workdir::new();
        base(&w);
        let big = deliveries(&w, "big.csv", rows, "k");
        (w, big)
    };

    // How long a whole import takes here.
    let (w, big) = fresh();
    let start = Instant::now();
    assert!(spawn_import(&w, &big).wait().unwrap().success());
    let whole = start.elapsed();
    assert_eq!(count_and_check(&w), rows as i64);

    let mut saw_none = false;
    for fraction in [0.05, 0.3, 0.6, 0.9, 1.1] {
        let (w, big) = fresh();
        let mut child = spawn_import(&w, &big);
        std::thread::sleep(whole.mul_f64(fraction));
        let _ = child.kill(); // SIGKILL on unix
        let _ = child.wait();
        let n = count_and_check(&w);
        assert!(n == 0 || n == rows as i64, "kill at {fraction}: {n} rows");
        saw_none |= n == 0;
        // Importing the file again completes it.
        assert!(spawn_import(&w, &big).wait().unwrap().success());
        assert_eq!(count_and_check(&w), rows as i64);
    }
    assert!(
        saw_none,
        "no kill landed before the commit; the test proved nothing"
    );
}

#[test]
fn two_imports_at_once_both_land_whole() {
    let w = Workdir::new();
    base(&w);
    let a = deliveries(&w, "a.csv", 4_000, "a");
    let b = deliveries(&w, "b.csv", 4_000, "b");
    let mut first = spawn_import(&w, &a);
    let mut second = spawn_import(&w, &b);
    let deadline = Instant::now() + Duration::from_secs(120);
    let (sa, sb) = (first.wait().unwrap(), second.wait().unwrap());
    assert!(Instant::now() < deadline);
    assert!(sa.success() && sb.success(), "{sa:?} {sb:?}");
    assert_eq!(count_and_check(&w), 8_000);
}

#[test]
fn two_first_uses_of_a_new_database_at_once_both_succeed() {
    // The race (both switching a new file to WAL, both making the schema on
    // a server) only shows now and then: try it a dozen times, each on a
    // new database.
    for i in 0..12 {
        let w = Workdir::new();
        let h = w.utf8("h.csv", "id,head,township\nH1,张三,工农乡\n");
        let m = w.utf8("m.csv", "id,name,unit\nM1,李四,区委\n");
        let mut one = spawn_import(&w, &h);
        let mut two = spawn_import(&w, &m);
        assert!(one.wait().unwrap().success(), "attempt {i}");
        assert!(two.wait().unwrap().success(), "attempt {i}");
        let s = w.json(&["summary"]);
        assert_eq!(s["households"], 1);
        assert_eq!(s["members"], 1);
    }
}
