//! The reading threads and their channels. One thread reads the file
//! (decoding, CSV, the file's digest) into batches of raw rows; two more
//! check and resolve the batches, taking turns; the calling thread gets
//! the checked batches back in file order and writes. Why three: reading
//! and checking a row cost about as much as writing it, and a file in any
//! order but by day is written only once it has been read whole (the sort,
//! store/write/sorted.rs), so the read is all that the machine's two cores
//! can share then; split, it takes about half as long. Rows go back to the
//! reader once written, to read the next rows into their memory.

use super::check::{Checked, Checker};
use crate::input::{FileError, RawRow, Source};
use std::sync::mpsc;

/// Rows travel between the threads in batches of this many.
const BATCH: usize = 512;

/// How many checking threads take turns over the batches.
const CHECKERS: usize = 2;

/// Batches waiting for a checking thread, or for the writer, per checker.
const QUEUED: usize = 1;

/// What the reading thread sends a checking thread.
enum Raw {
    Rows(Vec<RawRow>),
    Failed(FileError),
}

/// What a checking thread sends the writer.
enum Message {
    Rows(Batch),
    Failed(FileError),
}

/// Rows checked, and the notes of their deliveries side by side in one
/// buffer: the writer reads them there in order, not from each row's own
/// memory, which has long left its processor's cache.
struct Batch {
    rows: Vec<(RawRow, Checked)>,
    notes: String,
}

/// Every non-blank row of `source`, checked by `checker` on other threads,
/// handed in order to `each` on this one (with the batch's notes, where a
/// delivery's note range points). Returns the error that stopped the file
/// part-way, if one did; the rows before it have all been handed over. An
/// error from `each` stops the reading.
pub fn read_rows(
    source: Source,
    checker: Checker<'_>,
    mut each: impl FnMut(&RawRow, Checked, &str) -> anyhow::Result<()>,
) -> anyhow::Result<Option<FileError>> {
    let (recycle, recycled) = mpsc::channel::<Vec<RawRow>>();
    let checker = &checker;
    std::thread::scope(|scope| {
        let mut to_check = Vec::with_capacity(CHECKERS);
        let mut checked = Vec::with_capacity(CHECKERS);
        for n in 0..CHECKERS {
            let (raw_sender, raw) = mpsc::sync_channel::<Raw>(QUEUED);
            let (sender, receiver) = mpsc::sync_channel::<Message>(QUEUED);
            std::thread::Builder::new()
                .name(format!("bangfu-check-{n}"))
                .spawn_scoped(scope, move || check(checker, &raw, &sender))?;
            to_check.push(raw_sender);
            checked.push(receiver);
        }
        std::thread::Builder::new()
            .name("bangfu-reader".into())
            .spawn_scoped(scope, move || read(source, &to_check, &recycled))?;
        // The batches come back in the turns they went out in.
        for receiver in checked.iter().cycle() {
            let Ok(message) = receiver.recv() else {
                break;
            };
            let batch = match message {
                Message::Rows(batch) => batch,
                Message::Failed(e) => return Ok(Some(e)),
            };
            let mut done = Vec::with_capacity(batch.rows.len());
            for (row, checked) in batch.rows {
                each(&row, checked, &batch.notes)?;
                done.push(row);
            }
            let _ = recycle.send(done);
        }
        Ok(None)
    })
}

/// The reading thread: every non-blank row, in batches, dealt to the
/// checking threads in turn. Stops when the file ends (each checker's
/// channel then closes, after the last batch), fails (the failure goes
/// in the next turn, after the rows before it), or a checker stops
/// listening.
fn read(
    mut source: Source,
    to_check: &[mpsc::SyncSender<Raw>],
    recycled: &mpsc::Receiver<Vec<RawRow>>,
) {
    let mut turns = to_check.iter().cycle();
    let mut send = |raw: Raw| turns.next().is_some_and(|t| t.send(raw).is_ok());
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = source.next() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                if send(Raw::Rows(batch)) {
                    send(Raw::Failed(e));
                }
                return;
            }
        };
        if row.is_blank() {
            continue;
        }
        batch.push(row);
        if batch.len() == BATCH {
            if !send(Raw::Rows(std::mem::replace(
                &mut batch,
                Vec::with_capacity(BATCH),
            ))) {
                return;
            }
            while let Ok(done) = recycled.try_recv() {
                for row in done {
                    source.recycle(row);
                }
            }
        }
    }
    if !batch.is_empty() {
        send(Raw::Rows(batch));
    }
}

/// A checking thread: each batch it is dealt, checked row by row (each
/// row's references fetched from their tables while the row before it is
/// checked), sent on to the writer.
fn check(checker: &Checker<'_>, raw: &mpsc::Receiver<Raw>, sender: &mpsc::SyncSender<Message>) {
    for message in raw {
        let rows = match message {
            Raw::Rows(rows) => rows,
            Raw::Failed(e) => {
                let _ = sender.send(Message::Failed(e));
                return;
            }
        };
        let mut batch = Batch {
            rows: Vec::with_capacity(rows.len()),
            notes: String::with_capacity(rows.len() * 32),
        };
        let mut rows = rows.into_iter().peekable();
        while let Some(row) = rows.next() {
            if let Some(ahead) = rows.peek() {
                checker.prefetch(ahead);
            }
            let checked = checker.check(&row, &mut batch.notes);
            batch.rows.push((row, checked));
        }
        if sender.send(Message::Rows(batch)).is_err() {
            return;
        }
    }
}
