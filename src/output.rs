//! Every file bangfu writes other than the database — the rejects file,
//! `--output` reports, the `export` workbook — goes through here, under the
//! two rules of contract §10:
//!
//! - Where: never the database, its `-wal`, `-shm` or `-journal` file, nor
//!   an input of the same command. "The same" is the same file (device and
//!   inode), not the same spelling; a file that is not there yet is
//!   compared by its directory (device and inode again) and its name, so
//!   the `-wal` SQLite would make beside the database is refused however
//!   its directory is spelt (a link, a bind mount). The database is
//!   guarded where its symbolic links lead, as SQLite follows them, even
//!   to a file not there yet. A target that is a symbolic link, a
//!   directory, a device or anything but a regular file is refused, never
//!   followed or changed; so is one bangfu could write but not rename into
//!   place (a name ending in `/`, a directory bangfu may not write in,
//!   another user's file in a sticky directory). A refusal is a
//!   [`UsageError`] (exit 2), given before anything is written.
//! - How: into a temporary file beside the target, synced to disk, then
//!   renamed over it, so that a kill or a full disk leaves the earlier file
//!   whole or no file, never a partial one. On Linux the temporary file has
//!   no name until it is whole (`O_TMPFILE`), and is named only for its
//!   rename, Ctrl-C and `kill` held off meanwhile, so that nothing is left
//!   behind (but for a `kill -9` in those microseconds); elsewhere it is a
//!   named file, removed on any failure bangfu lives through. Its name is short (`.bangfu-XXXXXX.tmp`), so
//!   that any name the system allows can be written. A new file is readable
//!   by its owner only; a file replaced keeps its permissions (and, where
//!   bangfu may, its owner), given to the temporary file only just before
//!   the rename. bangfu changes the permissions of no file but its own
//!   temporary one.

use crate::i18n::report::{Forbidden, Refusal, ReportMsg};
use crate::problem::UsageError;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::{NamedTempFile, TempPath};

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
        // SQLite keeps its journal files beside the file the symbolic links
        // lead to, and bangfu's messages name the path as given: both.
        let mut dbs = vec![db.to_path_buf()];
        dbs.extend(Some(resolve_links(db)).filter(|real| real != db));
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
        if file_name_of(path).is_none() {
            return Err(refuse(Refusal::NamesADirectory));
        }
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
        // Said now, not after an import's work.
        let dir = dir_of(path);
        let dir_meta = match fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => meta,
            _ => {
                return Err(refuse(Refusal::NoDirectory {
                    dir: dir.display().to_string(),
                }))
            }
        };
        let place = Place::of(path);
        for (other, what) in &self.forbidden {
            let same_file = existing
                .as_ref()
                .zip(fs::metadata(other).ok())
                .is_some_and(|(a, b)| same_file(a, &b));
            if same_file || (place.is_some() && Place::of(other) == place) {
                return Err(refuse(Refusal::Is(what.clone())));
            }
        }
        may_rename_into(&dir, &dir_meta, existing.as_ref()).map_err(refuse)?;
        Ok(Target {
            path: path.to_path_buf(),
            dir,
            existing,
        })
    }
}

/// `path` with its symbolic links followed, as the system follows them when
/// it opens the file — and as far as they go when the file they lead to is
/// not there yet (where SQLite would create the database), its directory
/// made real. The path itself where it cannot be resolved.
pub fn resolve_links(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // The system gives up after 40 links.
    for _ in 0..40 {
        let Ok(next) = fs::read_link(&path) else {
            break;
        };
        // A relative link is read from the link's directory (an absolute
        // one replaces the path in the join).
        path = match path.parent() {
            Some(dir) => dir.join(next),
            None => next,
        };
    }
    match file_name_of(&path) {
        Some(name) => fs::canonicalize(dir_of(&path))
            .map(|dir| dir.join(name))
            .unwrap_or(path),
        None => fs::canonicalize(&path).unwrap_or(path),
    }
}

/// The name of the file `path` names; `None` for a path that names a
/// directory (`/`, `..`, or ending in `/` or `/.`, which
/// [`Path::file_name`] reads as the directory's own name).
fn file_name_of(path: &Path) -> Option<&OsStr> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let last = bytes
        .rsplit(|&b| std::path::is_separator(char::from(b)))
        .next()
        .unwrap_or_default();
    if matches!(last, b"" | b"." | b"..") {
        None
    } else {
        path.file_name()
    }
}

/// The directory a file of `path` is in, `.` for a bare name.
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A file's place: its directory (the directory itself, however spelt)
/// and its name there. `None` when the directory is not there.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    dir: DirId,
    name: OsString,
}

impl Place {
    fn of(path: &Path) -> Option<Place> {
        let name = file_name_of(path)?.to_owned();
        let dir = dir_id(&dir_of(path))?;
        Some(Place { dir, name })
    }
}

/// A directory's device and inode.
#[cfg(unix)]
type DirId = (u64, u64);

#[cfg(unix)]
fn dir_id(dir: &Path) -> Option<DirId> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

/// Without inode numbers, a directory's real path.
#[cfg(not(unix))]
type DirId = PathBuf;

#[cfg(not(unix))]
fn dir_id(dir: &Path) -> Option<DirId> {
    fs::canonicalize(dir).ok()
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

/// Why bangfu could write a file in `dir` but not rename it over the file
/// there (`existing`), if it could not: said before any work, rather than
/// found after an import committed.
#[cfg(unix)]
fn may_rename_into(
    dir: &Path,
    dir_meta: &Metadata,
    existing: Option<&Metadata>,
) -> Result<(), Refusal> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    const STICKY: u32 = 0o1000;
    let shown = || dir.display().to_string();
    if let Ok(name) = std::ffi::CString::new(dir.as_os_str().as_bytes()) {
        // SAFETY: a valid C string, only read. AT_EACCESS: with the
        // effective ids, as bangfu will create and rename the file.
        let allowed = unsafe {
            libc::faccessat(
                libc::AT_FDCWD,
                name.as_ptr(),
                libc::W_OK | libc::X_OK,
                libc::AT_EACCESS,
            )
        };
        if allowed != 0 {
            let why = io::Error::last_os_error();
            return Err(Refusal::MayNotMakeFiles {
                dir: shown(),
                kind: why.kind(),
                text: why.to_string(),
            });
        }
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if let Some(old) = existing {
        let sticky = dir_meta.mode() & STICKY != 0;
        if sticky && me != 0 && old.uid() != me && dir_meta.uid() != me {
            return Err(Refusal::OthersFile { dir: shown() });
        }
    }
    Ok(())
}

/// Elsewhere, a failed rename keeps the temporary file and names it.
#[cfg(not(unix))]
fn may_rename_into(_: &Path, _: &Metadata, _: Option<&Metadata>) -> Result<(), Refusal> {
    Ok(())
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

    /// Start writing the file: a temporary file beside it, readable by
    /// its owner only.
    pub fn begin(&self) -> Result<Pending, OutputError> {
        let temp = Temp::new(&self.dir).map_err(|source| OutputError {
            path: self.path.display().to_string(),
            source,
        })?;
        Ok(self.pending(temp))
    }

    fn pending(&self, temp: Temp) -> Pending {
        Pending {
            file: BufWriter::new(temp),
            target: self.path.clone(),
            dir: self.dir.clone(),
            replaces: self.existing.clone(),
        }
    }
}

/// Names for temporary files, whatever the length of the target's name.
fn temp_names() -> tempfile::Builder<'static, 'static> {
    let mut names = tempfile::Builder::new();
    names.prefix(".bangfu-").suffix(".tmp").rand_bytes(6);
    names
}

/// A temporary file being written.
enum Temp {
    /// Linux: a file without a name (`O_TMPFILE`), which goes away with
    /// the process however it ends, until it is linked into place.
    #[cfg(target_os = "linux")]
    Unnamed(File),
    /// Elsewhere, or where the file system has no unnamed files.
    Named(NamedTempFile),
}

impl Temp {
    fn new(dir: &Path) -> io::Result<Temp> {
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed_in(dir)? {
            return Ok(Temp::Unnamed(file));
        }
        temp_names().tempfile_in(dir).map(Temp::Named)
    }

    fn file(&self) -> &File {
        match self {
            #[cfg(target_os = "linux")]
            Temp::Unnamed(file) => file,
            Temp::Named(temp) => temp.as_file(),
        }
    }

    /// The file, and a temporary name for it in `dir`, which removes the
    /// file when dropped.
    fn into_named(self, dir: &Path) -> io::Result<(File, TempPath)> {
        match self {
            #[cfg(target_os = "linux")]
            Temp::Unnamed(file) => {
                let linked = temp_names().make_in(dir, |name| link(&file, name))?;
                Ok((file, linked.into_temp_path()))
            }
            Temp::Named(temp) => Ok(temp.into_parts()),
        }
    }
}

impl Write for Temp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            #[cfg(target_os = "linux")]
            Temp::Unnamed(file) => file.write(buf),
            Temp::Named(temp) => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            Temp::Unnamed(file) => file.flush(),
            Temp::Named(temp) => temp.flush(),
        }
    }
}

/// An unnamed file in `dir`, owner-only; `None` where the file system or
/// the kernel has none, or where it could not be linked (no `/proc`).
#[cfg(target_os = "linux")]
fn unnamed_in(dir: &Path) -> io::Result<Option<File>> {
    use std::os::unix::fs::OpenOptionsExt;
    if !Path::new("/proc/self/fd").is_dir() {
        return Ok(None);
    }
    let opened = fs::OpenOptions::new()
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir);
    match opened {
        Ok(file) => Ok(Some(file)),
        // Not supported here: EOPNOTSUPP from the file system, EISDIR or
        // EINVAL from kernels without O_TMPFILE.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Give the unnamed `file` the name `name` (EEXIST if it is taken). By
/// its `/proc` link, which any user may follow (`AT_EMPTY_PATH` would need
/// CAP_DAC_READ_SEARCH).
#[cfg(target_os = "linux")]
/// While alive, the signals that end bangfu (Ctrl-C, `kill`, a closed
/// terminal) wait for this thread, which is the only one left when a file
/// is put in place. Dropped: they are delivered. (`kill -9` cannot wait.)
struct SignalsHeld {
    #[cfg(unix)]
    was: Option<libc::sigset_t>,
}

impl SignalsHeld {
    fn new() -> SignalsHeld {
        #[cfg(unix)]
        {
            // SAFETY: sigset_t is plain data, filled by sigemptyset and
            // sigaddset before it is read; the old mask is written by
            // pthread_sigmask only where it succeeds.
            unsafe {
                let mut held: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut held);
                for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                    libc::sigaddset(&mut held, signal);
                }
                let mut was: libc::sigset_t = std::mem::zeroed();
                let blocked = libc::pthread_sigmask(libc::SIG_BLOCK, &held, &mut was) == 0;
                SignalsHeld {
                    was: blocked.then_some(was),
                }
            }
        }
        #[cfg(not(unix))]
        SignalsHeld {}
    }
}

impl Drop for SignalsHeld {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(was) = self.was {
            // SAFETY: restores the mask pthread_sigmask gave back.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &was, std::ptr::null_mut()) };
        }
    }
}

fn link(file: &File, name: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let from = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let to = std::ffi::CString::new(name.as_os_str().as_bytes())?;
    // SAFETY: two valid C strings, only read.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// An output being written: a temporary file beside its target, gone when
/// dropped unless [`Pending::finish`] put it in place.
pub struct Pending {
    file: BufWriter<Temp>,
    target: PathBuf,
    dir: PathBuf,
    /// The file it replaces, whose permissions it takes.
    replaces: Option<Metadata>,
}

impl Pending {
    /// The file it is to be.
    pub fn path(&self) -> &Path {
        &self.target
    }

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
            .file()
            .sync_all()
            .map_err(|e| self.error(e))
    }

    /// Sync, then rename the file into place.
    pub fn finish(self) -> Result<(), OutputError> {
        self.finish_keeping(false)
    }

    /// [`Pending::finish`] for a file whose content is nowhere else once
    /// the import it belongs to has committed (the rejected rows): if it
    /// cannot be put in place, the temporary file is kept (owner-only) and
    /// the error names it.
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
        take_over_permissions(temp.file(), self.replaces.as_ref()).map_err(error)?;
        // From the name given to the file to its rename, a Ctrl-C or kill
        // waits: it would leave the named file behind (seen once in nine
        // kills at the very end of an export, session 20).
        let held = SignalsHeld::new();
        let (file, named) = temp.into_named(&self.dir).map_err(error)?;
        let persisted = named.persist(&target);
        drop(held);
        if let Err(failed) = persisted {
            let tempfile::PathPersistError { error: why, path } = failed;
            if !keep {
                // `path` goes, and with it the file.
                return Err(error(why));
            }
            let _ = restrict(&file);
            let source = match path.keep() {
                Ok(kept) => io::Error::new(
                    why.kind(),
                    format!("{why}; what it was to hold is in {}", kept.display()),
                ),
                Err(_) => why,
            };
            return Err(error(source));
        }
        // The file is whole in its place either way; syncing its directory
        // makes the rename itself outlast a power cut. (Windows cannot open
        // a directory as a file: there the rename is left to the system.)
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Give the temporary file (bangfu's own) the permissions of the file it
/// replaces, or owner-only ones for a new file, whatever the umask.
#[cfg(unix)]
fn take_over_permissions(temp: &File, old: Option<&Metadata>) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(old) = old else {
        return restrict(temp);
    };
    let mine = temp.metadata()?;
    if (old.uid(), old.gid()) != (mine.uid(), mine.gid()) {
        // Only root may give a file away; anyone else replaces the file
        // with one of their own, of the same mode.
        let _ = std::os::unix::fs::fchown(temp, Some(old.uid()), Some(old.gid()));
    }
    temp.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
}

#[cfg(not(unix))]
fn take_over_permissions(_: &File, _: Option<&Metadata>) -> io::Result<()> {
    Ok(())
}

/// Readable and writable by its owner only.
#[cfg(unix)]
fn restrict(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_: &File) -> io::Result<()> {
    Ok(())
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

    /// The temporary file [`Target::begin`] picks here (unnamed, on
    /// Linux), and a named one, as elsewhere.
    /// Each made as the one before is done with.
    fn both_kinds(target: &Target) -> impl Iterator<Item = Pending> + '_ {
        (0..2).map(|n| match n {
            0 => target.begin().unwrap(),
            _ => target.pending(Temp::Named(temp_names().tempfile_in(&target.dir).unwrap())),
        })
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let guard = Guard::new(&dir.path().join("t.db"), &[]);
        let target = guard.target(&dir.path().join("out.csv")).unwrap();
        for mut pending in both_kinds(&target) {
            pending.write_all(b"half a report").unwrap();
            drop(pending);
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        }
        for (n, mut pending) in both_kinds(&target).enumerate() {
            write!(pending, "report {n}").unwrap();
            pending.finish().unwrap();
            let written = fs::read_to_string(dir.path().join("out.csv")).unwrap();
            assert_eq!(written, format!("report {n}"));
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }

    #[test]
    fn a_name_ending_in_a_slash_names_no_file() {
        for dir in ["/", "a/", "a/.", "a/..", ".", "..", "a//"] {
            assert_eq!(file_name_of(Path::new(dir)), None, "{dir}");
        }
        for (file, name) in [("a", "a"), ("d/a.csv", "a.csv"), ("./a", "a")] {
            assert_eq!(file_name_of(Path::new(file)), Some(OsStr::new(name)));
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_a_file_not_there_yet() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("alias")).unwrap();
        std::os::unix::fs::symlink("../real/x.db", dir.path().join("real/up.db")).unwrap();
        std::os::unix::fs::symlink("alias/up.db", dir.path().join("x.db")).unwrap();
        assert_eq!(
            resolve_links(&dir.path().join("x.db")),
            real.join("real/x.db")
        );
        assert_eq!(resolve_links(&dir.path().join("y.db")), real.join("y.db"));
        // A loop is left as it is.
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
        assert_eq!(resolve_links(&dir.path().join("loop")), real.join("loop"));
    }

    /// When an import has committed and its rejects file cannot take its
    /// name, the file kept is owner-only, whatever the mode of the file it
    /// was to replace.
    #[cfg(unix)]
    #[test]
    fn a_temporary_file_kept_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.csv");
        fs::write(&path, "last month").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
        let guard = Guard::new(&dir.path().join("t.db"), &[]);
        let target = guard.target(&path).unwrap();
        // The name taken meanwhile by a directory with a file in it.
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        fs::write(path.join("x"), "").unwrap();
        for mut pending in both_kinds(&target) {
            pending.write_all(b"rows").unwrap();
            let error = pending.finish_after_commit().unwrap_err();
            let kept: Vec<PathBuf> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p != &path)
                .collect();
            assert_eq!(kept.len(), 1, "{kept:?}");
            assert!(
                format!("{}", error.source).contains(&kept[0].display().to_string()),
                "{error:?}"
            );
            assert_eq!(fs::read(&kept[0]).unwrap(), b"rows");
            let mode = fs::metadata(&kept[0]).unwrap().permissions().mode() & 0o7777;
            assert_eq!(mode, 0o600);
            fs::remove_file(&kept[0]).unwrap();
        }
    }
}
