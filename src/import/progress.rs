//! The progress bar of a long import (contract §5): on stderr when it is a
//! terminal, updated every few thousand rows so that it costs nothing.

use crate::i18n::import::ImportMsg;
use crate::i18n::Lang;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;

/// Rows between progress bar updates: rare enough to cost nothing.
const PROGRESS_EVERY: u64 = 4096;

/// The bar of one file, or nothing.
pub struct Progress {
    bar: Option<(ProgressBar, Lang)>,
    started: Instant,
}

impl Progress {
    /// A bar for the file `name` of `total` bytes (or rows, for a sheet),
    /// when `shown`, in that language.
    pub fn new(shown: Option<Lang>, name: &str, total: u64, rows_of_sheet: bool) -> Progress {
        Progress {
            bar: shown.map(|lang| (bar(name, total, rows_of_sheet), lang)),
            started: Instant::now(),
        }
    }

    /// `read` rows read so far, the last at `pos`.
    pub fn row(&self, read: u64, pos: u64) {
        let Some((bar, lang)) = self
            .bar
            .as_ref()
            .filter(|_| read.is_multiple_of(PROGRESS_EVERY))
        else {
            return;
        };
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        bar.set_position(pos);
        let per_second = (read as f64 / seconds).round() as u64;
        bar.set_message(ImportMsg::Progress { read, per_second }.text(*lang));
    }

    pub fn finish(self) {
        if let Some((bar, _)) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn bar(name: &str, total: u64, rows_of_sheet: bool) -> ProgressBar {
    let template = if rows_of_sheet {
        "{prefix} [{bar:30}] {percent:>3}% {msg}"
    } else {
        "{prefix} [{bar:30}] {percent:>3}% {msg} {binary_bytes_per_sec}"
    };
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar
}
