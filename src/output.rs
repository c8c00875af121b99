//! Every file bangfu writes other than the database — the rejects file,
//! `--output` reports, the `export` workbook — goes through here, under the
//! two rules of SPEC §10:
//!
//! - Where: never the database, its `-wal`, `-shm` or `-journal` file, nor
//!   an input of the same command. "The same" is the same file (device and
//!   inode), not the same spelling; a file that is not there yet is
//!   compared by its name in its directory, so the `-wal` SQLite would make
//!   beside the database is refused too. A target that is a symbolic link,
//!   a directory, a device or anything but a regular file is refused,
//!   never followed or changed. A refusal is a [`UsageError`] (exit 2),
//!   given before anything is written.
//! - How: into a temporary file beside the target, synced to disk, then
//!   renamed over it, so that a kill or a full disk leaves the earlier file
//!   whole or no file, never a partial one; the temporary file goes away
//!   on any failure. A new file is readable by its owner only; a file
//!   replaced keeps its permissions (and, where bangfu may, its owner).
//!   bangfu changes the permissions of no file but its own temporary one.

use crate::i18n::report::{Forbidden, Refusal, ReportMsg};
use crate::problem::UsageError;
use std::fs::{self, Metadata};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// An output could not be written; the target was left as it was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct OutputError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// The files a command reads or keeps, which none of its outputs may be.
pub struct Guard {
    forbidden: Vec<(PathBuf, Forbidden)>,
}

impl Guard {
    /// For a command on the database at `db` that reads `inputs`.
    pub fn new(db: &Path, inputs: &[PathBuf]) -> Guard {
        let mut forbidden = Vec::new();
        // SQLite keeps its journal files beside the file a symbolic link
        // names, and bangfu's messages name the path as given: both.
        let mut dbs = vec![db.to_path_buf()];
        dbs.extend(fs::canonicalize(db).ok().filter(|c| c != db));
        for db in dbs {
            let shown = || db.display().to_string();
            for (suffix, what) in [
                ("", Forbidden::Database),
                ("-wal", Forbidden::WriteAheadLog { db: shown() }),
                ("-shm", Forbidden::SharedMemory { db: shown() }),
                ("-journal", Forbidden::Journal { db: shown() }),
            ] {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                forbidden.push((PathBuf::from(name), what));
            }
        }
        for input in inputs {
            forbidden.push((input.clone(), Forbidden::Input));
        }
        Guard { forbidden }
    }

    /// `path` as a place to write, or why it may not be one.
    pub fn target(&self, path: &Path) -> Result<Target, UsageError> {
        let refuse = |why| {
            UsageError::said(ReportMsg::RefuseWrite {
                path: path.display().to_string(),
                why,
            })
        };
        let existing = match fs::symlink_metadata(path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(refuse(Refusal::Unreadable {
                    kind: e.kind(),
                    text: e.to_string(),
                }))
            }
        };
        if let Some(meta) = &existing {
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(refuse(Refusal::SymbolicLink));
            }
            if !kind.is_file() {
                return Err(refuse(Refusal::NotARegularFile));
            }
        }
        let Some(place) = Place::of(path) else {
            return Err(refuse(Refusal::NamesADirectory));
        };
        // Said now, not after an import's work.
        if !place.dir.is_dir() {
            return Err(refuse(Refusal::NoDirectory {
                dir: place.dir.display().to_string(),
            }));
        }
        for (other, what) in &self.forbidden {
            let same_file = existing
                .as_ref()
                .zip(fs::metadata(other).ok())
                .is_some_and(|(a, b)| same_file(a, &b));
            if same_file || Place::of(other).as_ref() == Some(&place) {
                return Err(refuse(Refusal::Is(what.clone())));
            }
        }
        Ok(Target {
            path: path.to_path_buf(),
            dir: place.dir,
            existing,
        })
    }
}

/// A file's directory (its real path where it can be known) and its name.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    dir: PathBuf,
    name: std::ffi::OsString,
}

impl Place {
    fn of(path: &Path) -> Option<Place> {
        let name = path.file_name()?.to_owned();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = fs::canonicalize(&dir).unwrap_or(dir);
        Some(Place { dir, name })
    }
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Without inode numbers, only the names can tell ([`Place`]).
#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    false
}

/// A place bangfu may write: checked by [`Guard::target`].
#[derive(Debug)]
pub struct Target {
    path: PathBuf,
    dir: PathBuf,
    /// The regular file there now, if any.
    existing: Option<Metadata>,
}

impl Target {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `bytes` as the whole file.
    pub fn write(&self, bytes: &[u8]) -> Result<(), OutputError> {
        let mut pending = self.begin()?;
        pending.write_all(bytes).map_err(|e| pending.error(e))?;
        pending.finish()
    }

    /// Start writing the file: a temporary file beside it, with the
    /// permissions the file will have.
    pub fn begin(&self) -> Result<Pending, OutputError> {
        let error = |source| OutputError {
            path: self.path.display().to_string(),
            source,
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(error)?;
        self.take_over_permissions(temp.as_file()).map_err(error)?;
        Ok(Pending {
            file: BufWriter::new(temp),
            target: self.path.clone(),
        })
    }

    /// Give the temporary file (bangfu's own) the permissions of the file
    /// it replaces, or owner-only ones for a new file, whatever the umask.
    #[cfg(unix)]
    fn take_over_permissions(&self, temp: &fs::File) -> io::Result<()> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = match &self.existing {
            Some(old) => {
                let mine = temp.metadata()?;
                if (old.uid(), old.gid()) != (mine.uid(), mine.gid()) {
                    // Only root may give a file away; anyone else replaces
                    // the file with one of their own, of the same mode.
                    let _ = std::os::unix::fs::fchown(temp, Some(old.uid()), Some(old.gid()));
                }
                old.mode() & 0o7777
            }
            None => 0o600,
        };
        temp.set_permissions(fs::Permissions::from_mode(mode))
    }

    #[cfg(not(unix))]
    fn take_over_permissions(&self, _: &fs::File) -> io::Result<()> {
        Ok(())
    }
}

/// An output being written: a temporary file beside its target, removed
/// when dropped unless [`Pending::finish`] put it in place.
pub struct Pending {
    file: BufWriter<NamedTempFile>,
    target: PathBuf,
}

impl Pending {
    /// An error of this output.
    pub fn error(&self, source: io::Error) -> OutputError {
        OutputError {
            path: self.target.display().to_string(),
            source,
        }
    }

    /// Have every byte written reach the disk: a full disk shows here, and
    /// all that is left to do is the rename, which needs no room.
    pub fn sync(&mut self) -> Result<(), OutputError> {
        self.file.flush().map_err(|e| self.error(e))?;
        self.file
            .get_ref()
            .as_file()
            .sync_all()
            .map_err(|e| self.error(e))
    }

    /// Sync, then rename the file into place.
    pub fn finish(self) -> Result<(), OutputError> {
        self.finish_keeping(false)
    }

    /// [`Pending::finish`] for a file whose content is nowhere else once
    /// the import it belongs to has committed (the rejected rows): if it
    /// cannot be put in place, the temporary file is kept and the error
    /// names it.
    pub fn finish_after_commit(self) -> Result<(), OutputError> {
        self.finish_keeping(true)
    }

    fn finish_keeping(mut self, keep: bool) -> Result<(), OutputError> {
        self.sync()?;
        let target = self.target.clone();
        let error = |source| OutputError {
            path: target.display().to_string(),
            source,
        };
        let temp = self.file.into_inner().map_err(|e| error(e.into_error()))?;
        match temp.persist(&target) {
            Ok(_) => {}
            Err(failed) if keep => {
                let kept = failed.file.keep().map(|(_, path)| path);
                let source = match kept {
                    Ok(path) => io::Error::new(
                        failed.error.kind(),
                        format!(
                            "{}; what it was to hold is in {}",
                            failed.error,
                            path.display()
                        ),
                    ),
                    Err(_) => failed.error,
                };
                return Err(error(source));
            }
            Err(failed) => return Err(error(failed.error)),
        }
        // The file is whole in its place either way; syncing its directory
        // makes the rename itself outlast a power cut. (Windows cannot open
        // a directory as a file: there the rename is left to the system.)
        if let Some(dir) = target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(dir) = fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_its_real_directory_and_its_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let a = Place::of(&dir.path().join("sub/../x.db-wal")).unwrap();
        let b = Place::of(&dir.path().join("x.db-wal")).unwrap();
        assert_eq!(a, b);
        assert!(Place::of(Path::new("/")).is_none());
        assert_eq!(Place::of(Path::new("x")), Place::of(Path::new("./x")));
    }

    #[test]
    fn a_file_in_a_directory_that_is_not_there_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let guard = Guard::new(&dir.path().join("t.db"), &[]);
        let error = guard.target(&dir.path().join("none/x.csv")).unwrap_err();
        assert!(
            error.to_string().contains("there is no directory"),
            "{error}"
        );
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let guard = Guard::new(&dir.path().join("t.db"), &[]);
        let target = guard.target(&dir.path().join("out.csv")).unwrap();
        let mut pending = target.begin().unwrap();
        pending.write_all(b"half a report").unwrap();
        drop(pending);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        target.write(b"a report").unwrap();
        assert_eq!(fs::read(dir.path().join("out.csv")).unwrap(), b"a report");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
