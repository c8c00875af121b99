//! Text clean-up shared by every parser and by header matching.
//!
//! Chinese input methods type full-width digits and punctuation (`１２００`,
//! `（`, `，`), Excel marks text cells with a leading `'`, and templates
//! decorate headers with units in brackets and `*` for required columns.
//! These helpers undo all that once, the same way everywhere, and [`redact`]
//! makes user text safe to quote in an error message.

use std::borrow::Cow;

/// The longest stretch of user text [`redact`] quotes, in characters.
const REDACT_MAX_CHARS: usize = 40;

/// Folds full-width forms to ASCII: U+FF01–U+FF5E to U+0021–U+007E, the
/// ideographic space U+3000 to a space, and the full-width yen sign `￥`
/// (U+FFE5) to `¥` (U+00A5). Borrows when nothing changes.
pub fn fold_fullwidth(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| fold_char(c) != c) {
        Cow::Owned(s.chars().map(fold_char).collect())
    } else {
        Cow::Borrowed(s)
    }
}

fn fold_char(c: char) -> char {
    match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        0xFFE5 => '\u{A5}',
        _ => c,
    }
}

/// Folds full-width forms, trims, drops one leading `'` (Excel's text
/// marker) and trims again. Borrows when nothing is folded, which is
/// nearly always: this runs on every cell of a million-row import.
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        Cow::Borrowed(s)
    } else {
        fold_and_trim(s)
    }
}

/// [`clean`] the long way, for any text.
fn fold_and_trim(s: &str) -> Cow<'_, str> {
    let strip = |t: &str| -> (usize, usize) {
        let trimmed = t.trim();
        let inner = trimmed.strip_prefix('\'').unwrap_or(trimmed).trim();
        let start = inner.as_ptr() as usize - t.as_ptr() as usize;
        (start, start + inner.len())
    };
    match fold_fullwidth(s) {
        Cow::Borrowed(t) => {
            let (start, end) = strip(t);
            Cow::Borrowed(t.get(start..end).unwrap_or(""))
        }
        Cow::Owned(t) => {
            let (start, end) = strip(&t);
            Cow::Owned(t.get(start..end).unwrap_or("").to_string())
        }
    }
}

/// `s` without whitespace at either end, as [`str::trim`], which it calls
/// only when an end is not a visible ASCII character (an end that is cannot
/// be whitespace). Every cell of every row is trimmed.
pub fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Whether [`clean`] would give `s` back as it is: no whitespace or `'`
/// in front, no whitespace behind, nothing to fold. Every full-width form
/// begins with byte 0xEF (U+FF01–U+FF5E, U+FFE5) or 0xE3 (U+3000), so one
/// pass over the bytes rules folding out; most cells are like this.
fn is_clean(s: &str) -> bool {
    let mut chars = s.chars();
    let (Some(first), last) = (chars.next(), chars.next_back()) else {
        return true;
    };
    first != '\''
        && !first.is_whitespace()
        && !last.is_some_and(char::is_whitespace)
        && !s.bytes().any(|b| b == 0xEF || b == 0xE3)
}

/// `s` with all whitespace taken out (`1 200` typed with a digit-group
/// space, `送 温暖`). Borrows when there is none.
pub fn without_whitespace(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_whitespace) {
        Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// The form of a header used for matching: folded, bracketed parts (`()`,
/// `[]`, `【】` and what is inside them) dropped, leading and trailing `*`
/// dropped, all whitespace removed, lowercased. Nested brackets are
/// dropped whole; an unclosed bracket drops everything after it; a stray
/// closing bracket is dropped alone.
pub fn normalize_header(s: &str) -> String {
    let folded = fold_fullwidth(s.trim());
    let mut depth: usize = 0;
    let mut kept = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '(' | '[' | '【' => depth = depth.saturating_add(1),
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 && !c.is_whitespace() => kept.push(c),
            _ => {}
        }
    }
    kept.trim_matches('*').to_lowercase()
}

/// User text made safe to quote in a message: every ID and phone number in
/// it masked ([`super::personal::numbers_in`]: `4301**********123X`,
/// `138****5678`; other numbers, such as `3.14159260001` or `20010305`,
/// stay as written), and the result cut to 40 characters with `…`.
pub fn redact(s: &str) -> String {
    let masked = super::personal::numbers_in(s);
    let mut chars = masked.char_indices();
    match chars.nth(REDACT_MAX_CHARS) {
        Some((at, _)) => format!("{}…", &masked[..at]),
        None => masked.into_owned(),
    }
}

/// Masks a string of ASCII digits: 11 or more keep the first 3 and last 4
/// (`138****5678`), fewer keep the last 4 (`****5678`).
pub(crate) fn mask_digits(digits: &str) -> String {
    let n = digits.len();
    let last4 = digits.get(n.saturating_sub(4)..).unwrap_or("");
    if n >= 11 {
        format!("{}****{}", digits.get(..3).unwrap_or(""), last4)
    } else {
        format!("****{last4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_full_width_digits_letters_and_punctuation() {
        assert_eq!(fold_fullwidth("１２００．５０"), "1200.50");
        assert_eq!(fold_fullwidth("ＲＭＢ，（５０）"), "RMB,(50)");
        assert_eq!(fold_fullwidth("！～"), "!~");
    }

    #[test]
    fn folds_the_ideographic_space_to_a_space() {
        assert_eq!(fold_fullwidth("a\u{3000}b"), "a b");
    }

    #[test]
    fn folds_the_full_width_yen_sign_to_the_yen_sign() {
        assert_eq!(fold_fullwidth("￥1200"), "¥1200");
    }

    #[test]
    fn leaves_chinese_text_and_ideographic_punctuation_alone() {
        assert_eq!(fold_fullwidth("办好事、实事。"), "办好事、实事。");
    }

    #[test]
    fn borrows_when_nothing_needs_folding() {
        assert!(matches!(fold_fullwidth("户编号 abc"), Cow::Borrowed(_)));
        assert!(matches!(fold_fullwidth("１"), Cow::Owned(_)));
    }

    #[test]
    fn clean_trims_and_drops_one_leading_apostrophe() {
        assert_eq!(clean("  '430102  "), "430102");
        assert_eq!(clean("' 430102"), "430102");
        assert_eq!(clean("''x"), "'x");
        assert_eq!(clean("\u{3000}１２\u{3000}"), "12");
        assert_eq!(clean(""), "");
        assert_eq!(clean("'"), "");
    }

    #[test]
    fn normalizes_headers_with_brackets_and_units() {
        assert_eq!(normalize_header("物资(元)"), "物资");
        assert_eq!(normalize_header("村（社区）"), "村");
        assert_eq!(normalize_header("乡镇(街道)"), "乡镇");
        assert_eq!(normalize_header("【户编号】x"), "x");
        assert_eq!(normalize_header("资金[元]"), "资金");
        assert_eq!(normalize_header("资金［元］"), "资金");
    }

    #[test]
    fn normalizes_headers_ignoring_case_and_spaces() {
        assert_eq!(normalize_header(" Lifted On "), "liftedon");
        assert_eq!(normalize_header("lifted_on"), "lifted_on");
        assert_eq!(normalize_header("户 编 号"), "户编号");
        assert_eq!(normalize_header("ＩＤ"), "id");
        assert_eq!(normalize_header("户\u{3000}主"), "户主");
    }

    #[test]
    fn drops_the_stars_that_mark_required_columns() {
        assert_eq!(normalize_header("*户编号"), "户编号");
        assert_eq!(normalize_header("户编号*"), "户编号");
        assert_eq!(normalize_header(" * 户主 ＊"), "户主");
        assert_eq!(normalize_header("*物资(元)*"), "物资");
    }

    #[test]
    fn survives_nested_and_unbalanced_brackets() {
        assert_eq!(normalize_header("a(b(c)d)e"), "ae");
        assert_eq!(normalize_header("物资(元"), "物资");
        assert_eq!(normalize_header("物资)元"), "物资元");
        assert_eq!(normalize_header("((("), "");
        assert_eq!(normalize_header(")))x"), "x");
        assert_eq!(normalize_header("【a(b】c)d"), "d");
    }

    #[test]
    fn redact_masks_id_and_phone_numbers_and_keeps_other_numbers() {
        assert_eq!(redact("13812345678"), "138****5678");
        assert_eq!(redact("tel 138 1234 5678 ok"), "tel 138****5678 ok");
        assert_eq!(redact("138-1234-5678"), "138****5678");
        assert_eq!(redact("11010519491231002X"), "1101**********002X");
        assert_eq!(redact("8765432"), "8765432");
        assert_eq!(redact("3.14159260001"), "3.14159260001");
        assert_eq!(redact("9.2233720368547758E16"), "9.2233720368547758E16");
        assert_eq!(redact("2001-3-5"), "2001-3-5");
        assert_eq!(redact("abc 123456"), "abc 123456");
        assert_eq!(redact("1 2"), "1 2");
        assert_eq!(redact("12  34"), "12  34");
    }

    #[test]
    fn redact_cuts_long_text() {
        let long = "x".repeat(100);
        let r = redact(&long);
        assert_eq!(r.chars().count(), 41);
        assert!(r.ends_with('…'));
    }

    proptest! {
        #[test]
        fn clean_takes_the_short_way_only_when_the_long_way_changes_nothing(
            s in "[ 　\t'＇ａA1中，,￥]{0,6}"
        ) {
            prop_assert_eq!(clean(&s), fold_and_trim(&s));
        }

        #[test]
        fn trim_is_str_trim(s in "[ 　\t\u{85}\u{a0}a1中,]{0,5}") {
            prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn folding_is_idempotent(s in "\\PC*") {
            let once = fold_fullwidth(&s).into_owned();
            prop_assert_eq!(fold_fullwidth(&once).into_owned(), once.clone());
        }

        #[test]
        fn normalize_header_never_panics_and_is_idempotent(s in "\\PC*") {
            let n = normalize_header(&s);
            prop_assert_eq!(normalize_header(&n), n.clone());
        }

        #[test]
        fn redact_never_shows_a_mobile_number_whole(
            before in "([a-z]{1,3}[ ,:])?[送 ,:]{0,6}",
            rest in "[3-9][0-9]{9}",
            after in "[送,: ]{0,10}",
        ) {
            let phone = format!("1{rest}");
            let r = redact(&format!("{before}{phone}{after}"));
            prop_assert!(!r.contains(&phone), "{}", r);
        }
    }
}
