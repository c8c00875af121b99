//! Early write-back of a large import. SQLite in WAL mode writes an
//! import's pages to the write-ahead log, and at commit syncs the log to
//! disk, copies it into the database and syncs that. A machine with plenty
//! of memory keeps the whole log in its page cache until then, so the
//! commit waits for all of it to reach the disk at once (0.2 s of a
//! million-row import here). A helper thread that asks for the files to be
//! synced every tenth of a second while the import runs lets the disk work
//! alongside the CPU instead, and leaves the commit's syncs little to do.
//!
//! It only moves writes earlier: every sync SQLite itself asks for still
//! happens, in the same order, so what a crash can leave behind is
//! unchanged. Where the files cannot be opened or synced (Windows refuses
//! some handles; a file not created yet), the helper does nothing.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How often the files are synced while an import runs.
const EVERY: Duration = Duration::from_millis(100);

/// Run `work` while a helper thread syncs the database file at `path` and
/// its write-ahead log every [`EVERY`]. The helper stops as soon as `work`
/// returns.
pub fn while_writing<T>(path: &Path, work: impl FnOnce() -> T) -> T {
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    let paths = [path.to_path_buf(), PathBuf::from(log)];
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let started = std::thread::Builder::new()
            .name("bangfu-writeback".into())
            .spawn_scoped(scope, move || {
                let mut files: Vec<File> = Vec::new();
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if files.len() < paths.len() {
                        files = paths.iter().filter_map(|p| open(p)).collect();
                    }
                    for file in &files {
                        let _ = file.sync_data();
                    }
                }
            });
        // Without the helper the import is only slower.
        drop(started);
        let done = work();
        drop(stop);
        done
    })
}

/// A handle that may be synced (on Windows this needs write access; the
/// file is neither created nor changed).
fn open(path: &Path) -> Option<File> {
    OpenOptions::new().write(true).open(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_what_the_work_returns_and_leaves_the_files_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        std::fs::write(&path, b"x").unwrap();
        std::fs::write(dir.path().join("t.db-wal"), b"y").unwrap();
        let done = while_writing(&path, || {
            std::thread::sleep(EVERY * 3);
            42
        });
        assert_eq!(done, 42);
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
        assert_eq!(std::fs::read(dir.path().join("t.db-wal")).unwrap(), b"y");
    }

    #[test]
    fn a_missing_file_is_no_trouble() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        let done = while_writing(&path, || {
            std::thread::sleep(EVERY * 3);
            "done"
        });
        assert_eq!(done, "done");
        assert!(!path.exists(), "the helper created the file");
    }
}
