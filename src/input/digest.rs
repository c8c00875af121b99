//! The SHA-256 of an input's bytes, which the import log keeps (contract §8).
//! A text export is hashed as the reader reads it, by [`Hashing`] under
//! the decoder: its bytes are read once, and hashing them there, while they
//! are in the processor's cache, costs no second pass over the file. A
//! workbook (which calamine reads itself) and a file that could not be read
//! as a table are hashed from the file on their own ([`of_file`]).

use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Where the hash of a source's bytes is found once all of them were
/// read: shared by the reader that fills it in (on the reading thread) and
/// the import that logs it.
#[derive(Debug, Clone, Default)]
pub struct Digest(Arc<OnceLock<String>>);

/// Two digests are equal when they hold the same hash (or none yet).
impl PartialEq for Digest {
    fn eq(&self, other: &Digest) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Digest {}

impl Digest {
    /// A digest known already.
    pub fn known(hex: String) -> Digest {
        let digest = Digest::default();
        digest.set(hex);
        digest
    }

    /// The SHA-256 in lowercase hex, once the source was read to its end.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }

    fn set(&self, hex: String) {
        let _ = self.0.set(hex);
    }
}

/// A reader that hashes every byte read through it, and fills in its
/// [`Digest`] when the stream ends.
pub struct Hashing<R> {
    inner: R,
    hasher: Option<Sha256>,
    digest: Digest,
}

impl<R: Read> Hashing<R> {
    /// Hash `inner` from where it stands (its start, for the whole file).
    pub fn new(inner: R) -> (Hashing<R>, Digest) {
        let digest = Digest::default();
        let reader = Hashing {
            inner,
            hasher: Some(Sha256::new()),
            digest: digest.clone(),
        };
        (reader, digest)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            if let (Some(hasher), Some(read)) = (&mut self.hasher, buf.get(..n)) {
                hasher.update(read);
            }
        } else if !buf.is_empty() {
            if let Some(hasher) = self.hasher.take() {
                self.digest.set(hex(&hasher.finalize()));
            }
        }
        Ok(n)
    }
}

/// The SHA-256 of the file at `path`, read on its own.
pub fn of_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 256 * 1024];
    loop {
        match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => hasher.update(block.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `printf 'abc' | sha256sum`
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn a_stream_read_to_its_end_has_its_digest() {
        let (mut reader, digest) = Hashing::new(io::Cursor::new(b"abc".to_vec()));
        let mut first = [0u8; 2];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(digest.get(), None, "not at the end yet");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(digest.get(), Some(ABC));
    }

    #[test]
    fn a_file_has_the_digest_of_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(of_file(&path).unwrap(), ABC);
    }
}
