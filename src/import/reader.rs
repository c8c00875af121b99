//! The reading thread and its channels. Rows are read, checked and
//! resolved on a second thread while the calling thread writes: the two
//! halves of an import take about as long as each other, and the machine
//! has two cores. Rows travel in batches, and go back to the reader once
//! written, to read the next rows into their memory.

use super::check::{Checked, Checker};
use crate::input::{FileError, RawRow, Source};
use std::sync::mpsc;

/// Rows travel from the reading thread in batches of this many.
const BATCH: usize = 512;

/// What the reading thread sends.
enum Message {
    Rows(Batch),
    Failed(FileError),
}

/// Rows checked on the reading thread, and the notes of their deliveries
/// side by side in one buffer: the writer reads them there in order, not
/// from each row's own memory, which has long left its processor's cache.
struct Batch {
    rows: Vec<(RawRow, Checked)>,
    notes: String,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            rows: Vec::with_capacity(BATCH),
            notes: String::with_capacity(BATCH * 32),
        }
    }
}

/// Every non-blank row of `source`, checked by `checker` on a second
/// thread, handed in order to `each` on this one (with the batch's notes,
/// where a delivery's note range points). Returns the error that stopped
/// the file part-way, if one did; the rows before it have all been handed
/// over. An error from `each` stops the reading.
pub fn read_rows(
    source: Source,
    checker: Checker<'_>,
    mut each: impl FnMut(&RawRow, Checked, &str) -> anyhow::Result<()>,
) -> anyhow::Result<Option<FileError>> {
    let (sender, receiver) = mpsc::sync_channel::<Message>(4);
    let (recycle, recycled) = mpsc::channel::<Vec<RawRow>>();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("bangfu-reader".into())
            .spawn_scoped(scope, move || read(source, &checker, &sender, &recycled))?;
        for message in receiver {
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

/// The reading thread: every non-blank row, checked, in batches. Stops
/// when the file ends, fails, or the writer stops listening.
fn read(
    mut source: Source,
    checker: &Checker<'_>,
    sender: &mpsc::SyncSender<Message>,
    recycled: &mpsc::Receiver<Vec<RawRow>>,
) {
    let mut batch = Batch::new();
    let mut next = source.next();
    while let Some(row) = next.take() {
        // Read one row ahead, and have its references' table entries
        // fetched while this row is checked.
        next = source.next();
        if let Some(Ok(ahead)) = &next {
            checker.prefetch(ahead);
        }
        while let Ok(done) = recycled.try_recv() {
            for row in done {
                source.recycle(row);
            }
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let _ = sender.send(Message::Rows(batch));
                let _ = sender.send(Message::Failed(e));
                return;
            }
        };
        if row.is_blank() {
            continue;
        }
        let checked = checker.check(&row, &mut batch.notes);
        batch.rows.push((row, checked));
        if batch.rows.len() == BATCH
            && sender
                .send(Message::Rows(std::mem::replace(&mut batch, Batch::new())))
                .is_err()
        {
            return;
        }
    }
    let _ = sender.send(Message::Rows(batch));
}
