//! What the reading thread does to each row before the writer sees it:
//! tell a footer or totals row, check the row's shape and bytes and every
//! cell, and resolve a delivery's references — all without the database,
//! so that it runs beside the writing (contract §7).

use super::totals::{footer_row, totals_row, TotalsCell};
use crate::i18n::import::ImportMsg;
use crate::input::headers::{Field, Kind, Layout};
use crate::input::RawRow;
use crate::problem::Column;
use crate::records::{self, CellProblem, Household, Member, Pairing};
use crate::store::write::{Refs, Resolved};
use crate::values::text::clean;
use crate::values::Date;
use std::ops::Range;

/// A row checked on the reading thread, without the database: a footer or
/// totals row, or a record to write, or every problem the row has.
pub enum Checked {
    /// A sign-off or count under the records ([`footer_row`]).
    Footer,
    Totals {
        subtotal: bool,
        goods: TotalsCell,
        cash: TotalsCell,
    },
    Row(Result<Record, Vec<CellProblem>>),
}

/// A record ready to write.
pub enum Record {
    Household(Household),
    Member(Member),
    Pairing(Pairing),
    /// A delivery, and where its note is in the batch's notes.
    Delivery(Resolved, Range<usize>),
}

/// What the reading thread needs to check rows.
pub struct Checker<'l> {
    pub layout: &'l Layout,
    /// For pairings and deliveries: the households and members to resolve
    /// references against (empty for other files).
    pub refs: Refs,
    pub today: Date,
    /// Whether cells may hold U+FFFD from bytes not of the encoding.
    pub lossy: bool,
    pub encoding: String,
}

impl Checker<'_> {
    /// Ask for the table entries of a pairing's or delivery's references
    /// ([`Refs::prefetch`]).
    pub fn prefetch(&self, row: &RawRow) {
        if matches!(self.layout.kind, Kind::Pairings | Kind::Deliveries) {
            let cell = |field| clean(self.layout.get(&row.cells, field));
            self.refs
                .prefetch(&cell(Field::Member), &cell(Field::Household));
        }
    }

    /// Check one row: its shape, its bytes, every cell, and (for deliveries)
    /// its references; a delivery's note goes to the end of `notes`.
    pub fn check(&self, row: &RawRow, notes: &mut String) -> Checked {
        let layout = self.layout;
        if footer_row(row) {
            return Checked::Footer;
        }
        if let Some(subtotal) = totals_row(row) {
            return Checked::Totals {
                subtotal,
                goods: TotalsCell::of(layout, row, Field::Goods),
                cash: TotalsCell::of(layout, row, Field::Cash),
            };
        }
        if row.cells.len() != layout.width {
            return self.bad(
                row,
                vec![CellProblem::row(ImportMsg::RowWidth {
                    cells: row.cells.len(),
                    header: layout.width,
                })],
            );
        }
        if self.lossy && row.cells.iter().any(|c| c.contains('\u{FFFD}')) {
            return self.bad(
                row,
                vec![CellProblem::row(ImportMsg::NotOfEncoding {
                    encoding: self.encoding.clone(),
                })],
            );
        }
        let controls = records::control_characters(layout, row);
        if !controls.is_empty() {
            return self.bad(row, controls);
        }
        let record = match layout.kind {
            Kind::Households => records::household(layout, row, self.today).map(Record::Household),
            Kind::Members => records::member(layout, row).map(Record::Member),
            Kind::Pairings => records::pairing(layout, row).map(Record::Pairing),
            Kind::Deliveries => records::delivery(layout, row, self.today).and_then(|d| {
                let seconds = records::Seconds::of(layout, row);
                let resolved = self.refs.delivery(&d, &seconds)?;
                let start = notes.len();
                notes.push_str(d.note.as_deref().unwrap_or(""));
                Ok(Record::Delivery(resolved, start..notes.len()))
            }),
        };
        match record {
            Ok(record) => Checked::Row(Ok(record)),
            Err(problems) => self.bad(row, problems),
        }
    }

    /// A row that failed its own checks is still checked for its
    /// references, so that every problem of the row is reported at once.
    fn bad(&self, row: &RawRow, mut problems: Vec<CellProblem>) -> Checked {
        if !matches!(self.layout.kind, Kind::Pairings | Kind::Deliveries) {
            return Checked::Row(Err(problems));
        }
        let refs = &self.refs;
        for field in [Field::Member, Field::Household] {
            let reference = clean(self.layout.get(&row.cells, field));
            if reference.is_empty() || problems.iter().any(|p| p.column == Column::Field(field)) {
                continue;
            }
            let resolved = if field == Field::Member {
                refs.member(&reference)
            } else {
                refs.household(&reference)
            };
            if let Err(message) = resolved {
                problems.push(CellProblem::new(field, message));
            }
        }
        Checked::Row(Err(problems))
    }
}
