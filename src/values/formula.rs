//! Cells a spreadsheet would run. Excel and WPS take a csv cell that starts
//! with `=`, `+`, `-` or `@` (or a tab or CR before one) for a formula —
//! `=HYPERLINK(…)`, `+cmd|' /C calc'!A0` — and run it when the clerk opens
//! the file. bangfu writes such a text cell with a `'` before it, which
//! both show as text and never run ([`guard`]); and reads that `'` away
//! again on import ([`unguard`]), so that a file bangfu wrote (a corrected
//! rejects file) imports as its cells were first written.

use std::borrow::Cow;

/// Whether a spreadsheet would take a cell starting with `c` for a formula.
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// `cell` as written to csv: with a `'` before it when it would run.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(starts_formula) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `cell` as read from a file: without the `'` that [`guard`] put before
/// it. A `'` before anything else is left for the value's own reading
/// (an id's `'` is Excel's text marker, [`super::text::clean`]).
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(starts_formula) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn guards_cells_that_would_run_and_no_other() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(guard("-50"), "'-50");
        assert_eq!(guard("@SUM(1+1)"), "'@SUM(1+1)");
        assert_eq!(guard("\t=1"), "'\t=1");
        assert_eq!(guard("\r=1"), "'\r=1");
        for plain in ["", "张三", "2001-03-05", "50", "'=1", " =1"] {
            assert!(matches!(guard(plain), Cow::Borrowed(_)), "{plain:?}");
        }
    }

    #[test]
    fn unguards_only_a_quote_before_a_cell_that_would_run() {
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("'-50"), "-50");
        assert_eq!(unguard("'430102"), "'430102");
        assert_eq!(unguard("''=1"), "''=1");
        assert_eq!(unguard("'"), "'");
    }

    proptest! {
        /// A cell written back imports as the cell itself imports (a cell
        /// that already had the `'` keeps it in the file, and loses it on
        /// import either way).
        #[test]
        fn a_guarded_cell_reads_as_the_cell_reads(s in "[=+@\t\r' a1-]{0,5}") {
            let written = guard(&s);
            prop_assert_eq!(unguard(&written), unguard(&s));
            prop_assert!(!written.starts_with(starts_formula));
        }
    }
}
