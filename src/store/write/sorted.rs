//! A file's deliveries without id, sorted by (day, fingerprint) in bounded
//! memory before they are written (issue 16).
//!
//! Why: the k-th row of a file with one (day, fingerprint) is occurrence k
//! (contract §3.4). In key order those rows stand side by side, so their
//! occurrences are counted by the stream itself — no mark on every stored
//! row, no set of every fingerprint in memory — and the rows reach the
//! `deliveries_place` index (and, in a first import, the table) in its own
//! order: page after page, instead of a random page a row for a file by
//! household or shuffled.
//!
//! How: rows go into a run of at most [`RUN_ROWS`] rows and [`RUN_NOTES`]
//! bytes of notes (about 7 MiB together; contract §7 allows the whole
//! import 64 MiB, of which SQLite's cache takes 16 and the reading
//! thread its batches). A file that fits in one run is sorted in memory
//! and handed over from there. A bigger one spills each full run,
//! sorted, to an unnamed temporary file, and the runs are merged (a heap
//! of each run's next row, on a thread of its own a batch ahead of the
//! writer) at the end of the file. The temporary file is made in
//! the database's folder, not the system's temporary folder: that may be
//! a RAM disk (a file of ten million rows would then sit in memory after
//! all), while the database's folder is on the disk the database grows
//! on, which the import writes anyway. It is unnamed or deleted at once
//! (the tempfile crate), so nothing is left behind, even by a kill.
//!
//! A spilled row is its fixed fields little-endian, then its note's
//! length (u32) and bytes ([`Record::BYTES`], 4 and the note's bytes).
//!
//! What it costs and buys (1,000,000 deliveries of examples/bench_data.rs
//! into a database holding their households, members and pairings; release
//! build, the 2-core machine loaded 7–13 by other work, so seconds are
//! 2–5× what a quiet machine gives: compare within a column; "before" is
//! the bench helper's run of the b-tree keyed by place, 9ffda8e, under a
//! like load):
//!
//! | the file | before | sorted | CPU s (both threads) | peak RSS |
//! |---|---:|---:|---:|---:|
//! | by date | 9.05 s | 9.7–13.4 s | 3.3–4.3 | 39 MiB |
//! | by household, date | 52.2 s | 7.0–9.0 s | 3.1–3.5 | 45 MiB |
//! | shuffled | 52.4 s | 7.8–10.1 s | 3.0–3.9 | 45 MiB |
//! | shuffled again, unchanged | 152 s | 8.7 s | 3.1 | 45 MiB |
//! | 100,000 / 200,000 identical rows | | 0.93 / 1.50 s | 0.4 / 0.6 | 38 / 43 MiB |
//! | plain import (examples/plain_import.rs) | | 4.2–5.3 s | 1.6–2.1 | 6 MiB |
//!
//! The sort itself (runs sorted, spilled, merged: some 100 MB through the
//! temporary file) is a few per cent of the import's CPU. What it costs is
//! that a file in any order but by day is read whole before a row of it is
//! written, so reading and writing no longer overlap on the two cores;
//! hence the rows of a file in order of day are written as each day ends
//! (store/write/deliveries.rs, `Order`), and the runs of any other file are
//! merged on a thread of their own while the writer writes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::mpsc;

/// A delivery without id as the sorter holds it: every value but its note,
/// as plain integers (the writer's types stay the writer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub day: i32,
    pub fingerprint: i64,
    pub member: i64,
    pub household: i64,
    pub category: u8,
    pub goods: i64,
    pub cash: i64,
}

impl Row {
    /// The order rows are written in.
    pub fn key(&self) -> (i32, i64) {
        (self.day, self.fingerprint)
    }
}

/// What a [`Sorter`] sorts: a record of fixed fields, its key among them,
/// and a text beside it (a delivery's note). Rows without id are [`Row`]s,
/// the one kind sorted so far; rows with an id of their own are to be
/// sorted by id, by key and by place (docs/BENCHMARKS.md, 2026-12-04).
pub trait Record: Copy + Send + std::fmt::Debug {
    /// The order records are handed over in.
    type Key: Ord + Copy + Send;
    /// The bytes of its fixed fields in a spilled run.
    const BYTES: usize;
    fn key(&self) -> Self::Key;
    /// Append the [`Record::BYTES`] bytes of its fixed fields to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// The record [`Record::encode`] wrote (`bytes`: that many bytes).
    fn decode(bytes: &[u8]) -> Self;
}

impl Record for Row {
    type Key = (i32, i64);
    /// Day (4), fingerprint, member, household (8 each), category (1),
    /// goods, cash (8 each).
    const BYTES: usize = 4 + 8 + 8 + 8 + 1 + 8 + 8;

    fn key(&self) -> (i32, i64) {
        Row::key(self)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.day.to_le_bytes());
        out.extend_from_slice(&self.fingerprint.to_le_bytes());
        out.extend_from_slice(&self.member.to_le_bytes());
        out.extend_from_slice(&self.household.to_le_bytes());
        out.push(self.category);
        out.extend_from_slice(&self.goods.to_le_bytes());
        out.extend_from_slice(&self.cash.to_le_bytes());
    }

    fn decode(bytes: &[u8]) -> Row {
        let mut b = Fields(bytes);
        Row {
            day: i32::from_le_bytes(b.take()),
            fingerprint: i64::from_le_bytes(b.take()),
            member: i64::from_le_bytes(b.take()),
            household: i64::from_le_bytes(b.take()),
            category: u8::from_le_bytes(b.take()),
            goods: i64::from_le_bytes(b.take()),
            cash: i64::from_le_bytes(b.take()),
        }
    }
}

/// At most this many rows a run: 64 Ki rows of 56 bytes, 3.5 MiB.
pub const RUN_ROWS: usize = 1 << 16;

/// At most this many bytes of notes a run (a single longer note makes a
/// run of its own).
pub const RUN_NOTES: usize = 4 << 20;

/// What the merge's read buffers take together at most (each at least
/// [`MIN_BUFFER`]: past 256 runs, some 16 million rows, they grow by 4 KiB
/// a run).
const MERGE_BUFFERS: usize = 1 << 20;
const MIN_BUFFER: usize = 4 << 10;

/// One row of the run in memory and where its note is in the run's notes.
#[derive(Debug, Clone, Copy)]
struct Entry<R> {
    row: R,
    note_start: u32,
    note_len: u32,
}

/// The rows of one file, in runs, handed over sorted by [`Sorter::finish`].
#[derive(Debug)]
pub struct Sorter<R: Record = Row> {
    run: Vec<Entry<R>>,
    notes: String,
    /// Whether `run` is sorted as it stands.
    run_sorted: bool,
    max_rows: usize,
    max_notes: usize,
    /// Where a temporary file is made; the system's temporary folder if
    /// `None` (a database in memory).
    dir: Option<PathBuf>,
    spill: Option<Spill>,
}

/// The runs written so far, one after another in one temporary file.
#[derive(Debug)]
struct Spill {
    file: BufWriter<File>,
    /// Each run's start and end in the file.
    runs: Vec<(u64, u64)>,
    at: u64,
}

impl<R: Record> Sorter<R> {
    /// A sorter with runs of the sizes above, spilling into `dir`.
    pub fn new(dir: Option<PathBuf>) -> Sorter<R> {
        Sorter::with_runs(dir, RUN_ROWS, RUN_NOTES)
    }

    /// A sorter whose runs hold at most `max_rows` rows (at least one) and
    /// `max_notes` bytes of notes: small in tests, to make it spill.
    pub fn with_runs(dir: Option<PathBuf>, max_rows: usize, max_notes: usize) -> Sorter<R> {
        Sorter {
            run: Vec::new(),
            notes: String::new(),
            run_sorted: true,
            max_rows: max_rows.max(1),
            max_notes,
            dir,
            spill: None,
        }
    }

    /// Whether a run was spilled since the last [`Sorter::finish`].
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Forget every row (a new file).
    pub fn clear(&mut self) {
        self.run.clear();
        self.notes.clear();
        self.run_sorted = true;
        self.spill = None;
    }

    /// Whether the run in memory is full: a row with a note of `note_len`
    /// bytes would not fit, and [`Sorter::push`] would spill it first.
    fn run_is_full(&self, note_len: usize) -> bool {
        self.run.len() >= self.max_rows
            || (!self.run.is_empty() && self.notes.len() + note_len > self.max_notes)
    }

    /// Add a row; a full run is spilled first.
    pub fn push(&mut self, row: R, note: &str) -> io::Result<()> {
        if self.run_is_full(note.len()) {
            self.spill_run()?;
        }
        let note_start = u32::try_from(self.notes.len()).map_err(too_long)?;
        let note_len = u32::try_from(note.len()).map_err(too_long)?;
        self.notes.push_str(note);
        self.run_sorted = false;
        self.run.push(Entry {
            row,
            note_start,
            note_len,
        });
        Ok(())
    }

    /// Hand every row to `each` in key order, and forget them; the
    /// temporary file failing is said by `failed`. Rows of one key come in
    /// no particular order (they are the same values, unless two hash
    /// alike).
    pub fn finish<E>(
        &mut self,
        failed: impl Fn(io::Error) -> E,
        each: impl FnMut(&R, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let handed = self.pass(failed, each);
        self.clear();
        handed
    }

    /// Hand every row to `each` in key order as [`Sorter::finish`] does,
    /// and keep them: a second pass hands the same rows in the same order
    /// (a run in memory is sorted once; spilled runs are merged again).
    pub fn pass<E>(
        &mut self,
        failed: impl Fn(io::Error) -> E,
        mut each: impl FnMut(&R, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.spill.is_none() {
            self.sort_run();
            for e in &self.run {
                each(&e.row, note_of(&self.notes, e))?;
            }
            return Ok(());
        }
        self.spill_run().map_err(&failed)?;
        let Some(spill) = &mut self.spill else {
            return Ok(());
        };
        spill.file.flush().map_err(&failed)?;
        merge(spill.file.get_ref(), &spill.runs, failed, each)
    }

    /// Sort the run in memory, unless it is sorted since its last row
    /// came (sorting again could reorder rows of one key).
    fn sort_run(&mut self) {
        if !self.run_sorted {
            self.run.sort_unstable_by_key(|e| e.row.key());
            self.run_sorted = true;
        }
    }

    /// Write the run, sorted, at the end of the temporary file (made now
    /// if this is the file's first spill), and empty it.
    fn spill_run(&mut self) -> io::Result<()> {
        if self.run.is_empty() {
            return Ok(());
        }
        self.sort_run();
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => {
                let file = match &self.dir {
                    Some(dir) => tempfile::tempfile_in(dir)?,
                    None => tempfile::tempfile()?,
                };
                self.spill.insert(Spill {
                    file: BufWriter::with_capacity(64 << 10, file),
                    runs: Vec::new(),
                    at: 0,
                })
            }
        };
        let start = spill.at;
        let mut record = Vec::with_capacity(R::BYTES + 4);
        for e in &self.run {
            let note = note_of(&self.notes, e);
            record.clear();
            e.row.encode(&mut record);
            record.extend_from_slice(&e.note_len.to_le_bytes());
            spill.file.write_all(&record)?;
            spill.file.write_all(note.as_bytes())?;
            spill.at += (record.len() + note.len()) as u64;
        }
        spill.runs.push((start, spill.at));
        self.run.clear();
        self.notes.clear();
        self.run_sorted = true;
        Ok(())
    }
}

/// A sorter's temporary file failing, said as SQLite says its own
/// temporary files failing: the disk full, or an I/O error (and the import
/// is rolled back like any other).
pub fn spill_failed(e: std::io::Error) -> rusqlite::Error {
    let code = match e.kind() {
        std::io::ErrorKind::StorageFull => rusqlite::ffi::SQLITE_FULL,
        _ => rusqlite::ffi::SQLITE_IOERR,
    };
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(code),
        Some(format!("the temporary file sorting the deliveries: {e}")),
    )
}

fn note_of<'a, R>(notes: &'a str, e: &Entry<R>) -> &'a str {
    let start = e.note_start as usize;
    notes.get(start..start + e.note_len as usize).unwrap_or("")
}

fn too_long(_: std::num::TryFromIntError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "notes of 4 GiB or more")
}

/// A record's bytes not yet decoded.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    /// The next `N` bytes (zeros past the end, which [`Record::BYTES`]
    /// rules out).
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut field = [0_u8; N];
        if let Some((head, rest)) = self.0.split_at_checked(N) {
            field.copy_from_slice(head);
            self.0 = rest;
        }
        field
    }
}

/// One run of the temporary file, read from where it starts to where it
/// ends. Every run reads the one file: each read seeks to the run's place
/// first (a buffer's refill, not a row's).
struct Section<'f> {
    file: &'f File,
    at: u64,
    end: u64,
}

impl Read for Section<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.at).unwrap_or(usize::MAX);
        let want = out.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let mut file = self.file;
        file.seek(SeekFrom::Start(self.at))?;
        let n = file.read(&mut out[..want])?;
        self.at += n as u64;
        Ok(n)
    }
}

/// A run being merged: its next row and note, if it has one left.
struct Head<'f, R> {
    reader: BufReader<Section<'f>>,
    row: R,
    record: Vec<u8>,
    note: Vec<u8>,
}

impl<R: Record> Head<'_, R> {
    /// Read the run's next row into `row` and `note`; false at its end.
    fn advance(&mut self) -> io::Result<bool> {
        if self.reader.get_ref().at == self.reader.get_ref().end && self.reader.buffer().is_empty()
        {
            return Ok(false);
        }
        self.record.resize(R::BYTES + 4, 0);
        self.reader.read_exact(&mut self.record)?;
        let (fixed, len) = self.record.split_at(R::BYTES);
        self.row = R::decode(fixed);
        let note_len = u32::from_le_bytes(Fields(len).take());
        self.note.resize(note_len as usize, 0);
        self.reader.read_exact(&mut self.note)?;
        Ok(true)
    }
}

/// Merged rows travel from the merging thread in batches of at most this
/// many rows and [`BATCH_NOTES`] bytes of notes (a longer note makes a
/// batch of its own), at most [`BATCHES`] of them on the way: some
/// 0.3 MiB a batch, whatever the file's size.
const BATCH_ROWS: usize = 4096;
const BATCH_NOTES: usize = 256 << 10;
const BATCHES: usize = 2;

/// Rows in key order and their notes side by side in one buffer.
struct Batch<R> {
    rows: Vec<(R, Range<usize>)>,
    notes: String,
}

impl<R> Default for Batch<R> {
    fn default() -> Batch<R> {
        Batch {
            rows: Vec::new(),
            notes: String::new(),
        }
    }
}

/// What the merging thread sends: rows, or the error that stopped it.
enum Merged<R> {
    Rows(Batch<R>),
    Failed(io::Error),
}

/// Merge the sorted `runs` of `file`, handing each row to `each` in key
/// order. The merge (reading the runs, the heap, checking each note's
/// UTF-8) runs on a thread of its own, a batch ahead of `each`: at the
/// end of a file out of order it is all a core does while the other
/// writes the rows (a million rows: some 0.3 s taken off the writing
/// thread, docs/BENCHMARKS.md).
fn merge<R: Record, E>(
    file: &File,
    runs: &[(u64, u64)],
    failed: impl Fn(io::Error) -> E,
    mut each: impl FnMut(&R, &str) -> Result<(), E>,
) -> Result<(), E> {
    let (sender, merged) = mpsc::sync_channel::<Merged<R>>(BATCHES);
    let (recycle, recycled) = mpsc::channel::<Batch<R>>();
    std::thread::scope(|scope| {
        let merging = std::thread::Builder::new()
            .name("bangfu-merge".into())
            .spawn_scoped(scope, move || {
                if let Err(e) = merge_into(file, runs, &sender, &recycled) {
                    // The writer has stopped listening if this fails.
                    let _ = sender.send(Merged::Failed(e));
                }
            })
            .map_err(&failed)?;
        let mut outcome = Ok(());
        for message in merged.iter() {
            let batch = match message {
                Merged::Rows(batch) => batch,
                Merged::Failed(e) => {
                    outcome = Err(failed(e));
                    break;
                }
            };
            for (row, note) in &batch.rows {
                // The merging thread cut each note out of the batch's
                // notes: never another note, nor none, for a wrong cut.
                let Some(note) = batch.notes.get(note.clone()) else {
                    outcome = Err(failed(io::Error::other("a merged note out of its batch")));
                    break;
                };
                if let Err(e) = each(row, note) {
                    outcome = Err(e);
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
            // The merging thread may have finished: nothing to recycle for.
            let _ = recycle.send(batch);
        }
        // Stop the merging thread (its next send fails) before waiting.
        drop(merged);
        if merging.join().is_err() {
            outcome = outcome.and(Err(failed(io::Error::other("the merging thread panicked"))));
        }
        outcome
    })
}

/// The merge itself: the runs' rows, in key order, sent in batches (taken
/// back from `recycled` once handed over) until the last or until the
/// receiver is gone.
fn merge_into<R: Record>(
    file: &File,
    runs: &[(u64, u64)],
    sender: &mpsc::SyncSender<Merged<R>>,
    recycled: &mpsc::Receiver<Batch<R>>,
) -> io::Result<()> {
    let capacity = (MERGE_BUFFERS / runs.len().max(1)).max(MIN_BUFFER);
    let mut heads = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for &(at, end) in runs {
        let section = Section { file, at, end };
        let mut head = Head {
            reader: BufReader::with_capacity(capacity, section),
            row: R::decode(&vec![0; R::BYTES]),
            record: Vec::new(),
            note: Vec::new(),
        };
        if head.advance()? {
            heap.push(Reverse((head.row.key(), heads.len())));
        }
        heads.push(head);
    }
    let mut batch = Batch::default();
    while let Some(Reverse((_, run))) = heap.pop() {
        let Some(head) = heads.get_mut(run) else {
            continue;
        };
        let note = std::str::from_utf8(&head.note)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let at = batch.notes.len();
        batch.notes.push_str(note);
        batch.rows.push((head.row, at..batch.notes.len()));
        if head.advance()? {
            heap.push(Reverse((head.row.key(), run)));
        }
        if batch.rows.len() >= BATCH_ROWS || batch.notes.len() >= BATCH_NOTES {
            let mut next = recycled.try_recv().unwrap_or_default();
            next.rows.clear();
            next.notes.clear();
            let full = std::mem::replace(&mut batch, next);
            if sender.send(Merged::Rows(full)).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.rows.is_empty() {
        // A receiver gone has stopped on an error of its own.
        let _ = sender.send(Merged::Rows(batch));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(day: i32, fingerprint: i64, goods: i64) -> Row {
        Row {
            day,
            fingerprint,
            member: fingerprint.wrapping_mul(3),
            household: -7,
            category: (goods % 7) as u8,
            goods,
            cash: i64::MIN.wrapping_add(goods),
        }
    }

    /// Everything `sorter` hands over, in order.
    fn drained<R: Record>(sorter: &mut Sorter<R>) -> Vec<(R, String)> {
        let mut out = Vec::new();
        sorter
            .finish(
                |e| e,
                |r, note| {
                    out.push((*r, note.to_string()));
                    Ok::<(), io::Error>(())
                },
            )
            .unwrap();
        out
    }

    /// The rows as a sort in memory orders them (by key, then by the rest,
    /// as the sorter leaves rows of one key in no particular order).
    fn sorted(mut rows: Vec<(Row, String)>) -> Vec<(Row, String)> {
        rows.sort_by(|a, b| {
            (a.0.key(), a.0.goods, a.0.member, &a.1).cmp(&(b.0.key(), b.0.goods, b.0.member, &b.1))
        });
        rows
    }

    #[test]
    fn a_merge_many_batches_long_hands_every_row_over_in_order() {
        // Runs of 97 rows, 3 * BATCH_ROWS rows and more, a long note now
        // and then (a batch of its own): every row once, in key order.
        let mut sorter = Sorter::with_runs(None, 97, 1 << 20);
        let mut rows = Vec::new();
        for i in 0..(3 * BATCH_ROWS as i64 + 11) {
            let r = row(((i * 7919) % 1000) as i32, (i * 31) % 17, i);
            let note = if i % 500 == 0 {
                "长".repeat(BATCH_NOTES / 2)
            } else {
                format!("n{i}")
            };
            sorter.push(r, &note).unwrap();
            rows.push((r, note));
        }
        assert!(sorter.spill.is_some());
        let out = drained(&mut sorter);
        assert!(out.windows(2).all(|w| w[0].0.key() <= w[1].0.key()));
        assert_eq!(sorted(out), sorted(rows));
    }

    #[test]
    fn a_merge_stops_at_the_first_row_its_writer_refuses() {
        let mut sorter = Sorter::with_runs(None, 5, 1 << 10);
        for i in 0..(2 * BATCH_ROWS as i64) {
            sorter.push(row(i as i32, 1, i), "").unwrap();
        }
        let mut handed = 0;
        let outcome = sorter.finish(
            |e| e.to_string(),
            |r, _| {
                handed += 1;
                if r.day == 10 {
                    return Err("refused".to_string());
                }
                Ok(())
            },
        );
        assert_eq!(outcome, Err("refused".to_string()));
        assert_eq!(handed, 11);
        // Nothing of the file is left for the next.
        assert!(drained(&mut sorter).is_empty());
    }

    #[test]
    fn a_second_pass_hands_the_same_rows_in_the_same_order_and_finish_forgets_them() {
        let rows: Vec<(Row, String)> = (0..500_i64)
            .map(|i| (row((i * 7 % 13) as i32, i * 31 % 17, i), format!("n{i}")))
            .collect();
        // In one run, and spilled in runs of 64 rows.
        for (max_rows, spills) in [(1_000, false), (64, true)] {
            let dir = tempfile::tempdir().unwrap();
            let mut sorter = Sorter::with_runs(Some(dir.path().to_path_buf()), max_rows, 1 << 20);
            for (r, note) in &rows {
                sorter.push(*r, note).unwrap();
            }
            let mut passes = Vec::new();
            for _ in 0..2 {
                let mut seen = Vec::new();
                sorter
                    .pass(
                        |e| e,
                        |r, note| {
                            seen.push((*r, note.to_string()));
                            Ok::<(), io::Error>(())
                        },
                    )
                    .unwrap();
                passes.push(seen);
            }
            assert_eq!(sorter.spilled(), spills);
            assert_eq!(passes[0], passes[1]);
            assert!(passes[0].windows(2).all(|w| w[0].0.key() <= w[1].0.key()));
            assert_eq!(sorted(passes[0].clone()), sorted(rows.clone()));
            assert_eq!(drained(&mut sorter), passes[0]);
            assert!(drained(&mut sorter).is_empty(), "finish forgets the rows");
        }
    }

    #[test]
    fn a_file_that_fits_in_one_run_is_never_spilled() {
        let mut sorter = Sorter::with_runs(None, 10, 1 << 10);
        for i in (0..10).rev() {
            sorter.push(row(i, 5, i.into()), "走访").unwrap();
        }
        assert!(sorter.spill.is_none());
        let days: Vec<i32> = drained(&mut sorter).iter().map(|(r, _)| r.day).collect();
        assert_eq!(days, (0..10).collect::<Vec<_>>());
        // And it is empty for the next file.
        assert!(drained(&mut sorter).is_empty());
    }

    #[test]
    fn spilled_runs_merge_in_key_order_with_every_note_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut sorter = Sorter::with_runs(Some(dir.path().to_path_buf()), 3, 64);
        let long = "看望生病老人，送慰问品".repeat(500);
        let notes = ["", "走访", long.as_str(), "", "x", "补贴 800 元"];
        let mut pushed = Vec::new();
        for i in 0..100_i64 {
            // Days and fingerprints over a small range: many repeats, and
            // rows of one key in several runs.
            let r = row((i * 37 % 11) as i32, i * 13 % 5 - 2, i);
            let note = notes[(i % 6) as usize];
            sorter.push(r, note).unwrap();
            pushed.push((r, note.to_string()));
        }
        assert!(sorter.spill.as_ref().is_some_and(|s| s.runs.len() > 10));
        let out = drained(&mut sorter);
        let keys: Vec<(i32, i64)> = out.iter().map(|(r, _)| r.key()).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(sorted(out), sorted(pushed));
        // The file's rows are gone: the next file starts empty.
        assert!(sorter.spill.is_none());
        assert!(drained(&mut sorter).is_empty());
    }

    #[test]
    fn a_note_longer_than_a_run_makes_a_run_of_its_own() {
        let mut sorter = Sorter::with_runs(None, 100, 8);
        let long = "备注".repeat(1000);
        sorter.push(row(2, 1, 1), "短").unwrap();
        sorter.push(row(1, 1, 2), &long).unwrap();
        sorter.push(row(0, 1, 3), "").unwrap();
        let out = drained(&mut sorter);
        let got: Vec<(i32, usize)> = out.iter().map(|(r, n)| (r.day, n.len())).collect();
        assert_eq!(got, [(0, 0), (1, long.len()), (2, 3)]);
    }

    #[test]
    fn a_record_round_trips_at_the_edges_of_every_field() {
        for r in [
            row(i32::MIN, i64::MIN, 0),
            row(i32::MAX, i64::MAX, i64::MAX),
            Row {
                category: u8::MAX,
                ..row(0, -1, -1)
            },
        ] {
            let mut record = Vec::new();
            r.encode(&mut record);
            assert_eq!(record.len(), Row::BYTES);
            assert_eq!(Row::decode(&record), r);
        }
    }

    /// A record of another size and key than [`Row`]'s: a line number
    /// and a text's first bytes, keyed by the bytes, then the line.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Keyed {
        prefix: [u8; 5],
        line: u64,
    }

    impl Record for Keyed {
        type Key = ([u8; 5], u64);
        const BYTES: usize = 5 + 8;
        fn key(&self) -> ([u8; 5], u64) {
            (self.prefix, self.line)
        }
        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.prefix);
            out.extend_from_slice(&self.line.to_le_bytes());
        }
        fn decode(bytes: &[u8]) -> Keyed {
            let mut b = Fields(bytes);
            Keyed {
                prefix: b.take(),
                line: u64::from_le_bytes(b.take()),
            }
        }
    }

    #[test]
    fn another_record_spills_and_merges_in_its_own_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut sorter: Sorter<Keyed> = Sorter::with_runs(Some(dir.path().into()), 7, 1 << 10);
        let mut pushed = Vec::new();
        for line in 0..200_u64 {
            let id = format!("R{:04}", (line * 7919) % 97);
            let mut prefix = [0_u8; 5];
            prefix.copy_from_slice(&id.as_bytes()[..5]);
            let r = Keyed { prefix, line };
            sorter.push(r, &id).unwrap();
            pushed.push((r, id));
        }
        assert!(sorter.spilled());
        pushed.sort_by_key(|(r, _)| r.key());
        assert_eq!(drained(&mut sorter), pushed);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// However small the runs, the rows come out sorted by key and
        /// exactly as they went in.
        #[test]
        fn any_rows_come_out_sorted_and_whole(
            rows in prop::collection::vec(
                (-3..3_i32, -3..3_i64, any::<i64>(), ".{0,40}"),
                0..200,
            ),
            max_rows in 1..50usize,
            max_notes in 0..200usize,
        ) {
            let mut sorter = Sorter::with_runs(None, max_rows, max_notes);
            let mut pushed = Vec::new();
            for (day, fingerprint, goods, note) in rows {
                let r = row(day, fingerprint, goods);
                sorter.push(r, &note).unwrap();
                pushed.push((r, note));
            }
            let out = drained(&mut sorter);
            let keys: Vec<(i32, i64)> = out.iter().map(|(r, _)| r.key()).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!(sorted(out), sorted(pushed));
        }
    }
}
