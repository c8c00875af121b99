//! Text clean-up shared by every parser and by header matching.
//!
//! Chinese input methods type full-width digits and punctuation (`１２００`,
//! `（`, `，`), Excel marks text cells with a leading `'`, and templates
//! decorate headers with units in brackets and `*` for required columns.
//! These helpers undo all that once, the same way everywhere, and [`redact`]
//! makes user text safe to quote in an error message.

use std::borrow::Cow;
use unicode_normalization::{is_nfc, UnicodeNormalization};

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
/// marker) and trims again; and, as for all text ([`clean_text`]), takes out
/// invisible format characters and normalises to NFC. For ids, references
/// and every value that is a number, date, category or status. Borrows when
/// nothing changes, which is nearly always: this runs on every cell of a
/// million-row import.
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        Cow::Borrowed(s)
    } else {
        clean_slow(s)
    }
}

/// [`clean`] the long way, for any text.
fn clean_slow(s: &str) -> Cow<'_, str> {
    match visible_nfc(s) {
        Cow::Borrowed(t) => fold_and_trim(t),
        Cow::Owned(t) => Cow::Owned(fold_and_trim(&t).into_owned()),
    }
}

/// Free text — a name, a township, a note — as it is compared and kept:
/// trimmed, invisible format characters (zero-width spaces, direction
/// marks and overrides, BOMs: Unicode category Cf) taken out, and in
/// Unicode NFC, so that `李\u{200b}四` is 李四 and a name typed in
/// decomposed form is the same name. Borrows when nothing changes.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    if plain_text(t) {
        return Cow::Borrowed(t);
    }
    match visible_nfc(t) {
        Cow::Borrowed(v) => Cow::Borrowed(v),
        Cow::Owned(v) => Cow::Owned(v.trim().to_string()),
    }
}

/// `s` without invisible format characters, in NFC.
fn visible_nfc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_invisible) && is_nfc(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| !is_invisible(*c)).nfc().collect())
    }
}

/// Whether `c` is an invisible format character (Unicode general category
/// Cf): it changes how text looks or reads without being seen itself.
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// Whether `s` is made only of bytes that cannot begin anything [`clean`]
/// or [`clean_text`] changes: visible ASCII and spaces, UTF-8 continuation
/// bytes, and the lead bytes E4–E9 of U+4000–U+9FFF (CJK ideographs: no
/// full-width form, format character or non-NFC text among them). One
/// pass over the bytes; Chinese and ASCII cells take it.
fn plain(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| ok & plain_byte(b))
}

fn plain_byte(b: u8) -> bool {
    matches!(b, 0x20..=0x7E | 0x80..=0xBF | 0xE4..=0xE9)
}

/// [`plain`] for free text, which keeps its full-width forms: also lets
/// pass CJK punctuation (U+3000–U+3029, U+3030–U+303F: `、。《》【】`) and
/// full-width forms (U+FF00–U+FF7F: `，：（）`), which notes are full of.
fn plain_text(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    // A step a character: `s` is UTF-8, so E3–E9 and EF lead three bytes.
    while let Some(&b) = bytes.get(i) {
        i += match b {
            0x20..=0x7E => 1,
            0xE4..=0xE9 => 3,
            0xE3 if bytes.get(i + 1) == Some(&0x80)
                && !matches!(bytes.get(i + 2), Some(0xAA..=0xAF)) =>
            {
                3
            }
            0xEF if matches!(bytes.get(i + 1), Some(0xBC | 0xBD)) => 3,
            _ => return false,
        };
    }
    true
}

/// [`clean`]'s folding and trimming, without the rest.
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
/// in front, no whitespace behind, and only [`plain`] bytes (every
/// full-width form begins with byte 0xEF or 0xE3, every format character
/// with a byte outside them too), so one pass over the bytes rules the
/// long way out; most cells are like this.
fn is_clean(s: &str) -> bool {
    let mut chars = s.chars();
    let (Some(first), last) = (chars.next(), chars.next_back()) else {
        return true;
    };
    first != '\'' && !first.is_whitespace() && !last.is_some_and(char::is_whitespace) && plain(s)
}

/// A number in scientific notation — `4.30102E+17`, `1.38123e10`,
/// `430102E+12`, spaces anywhere: digits, an optional fraction, `E`, an
/// optional sign, digits. What a spreadsheet shows for a long number, whose
/// last digits it has already lost.
pub fn is_scientific(t: &str) -> bool {
    // Every id and reference is asked: most start with a letter, or have
    // no E at all.
    let starts_with_digit = t
        .trim_start()
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit());
    if !starts_with_digit || !t.bytes().any(|b| b == b'E' || b == b'e') {
        return false;
    }
    let t = without_whitespace(t);
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(frac) && digits(exponent)
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
/// dropped, all whitespace and invisible format characters removed,
/// lowercased. Nested brackets are
/// dropped whole; an unclosed bracket drops everything after it; a stray
/// closing bracket is dropped alone. A header that is all brackets
/// (`【物资】`) is its first bracketed part's: dropped whole, it would name
/// no column, and its amounts would go unread without a word (review 6).
pub fn normalize_header(s: &str) -> String {
    match opened_first_bracket(s) {
        Some(opened) => outside_brackets(&opened),
        None => outside_brackets(s),
    }
}

/// A header all in brackets, its first bracket opened: `【物资】（万元）` is
/// `物资（万元）`, `【物资(元)】` is `物资(元)` — read as the name and unit
/// they are, where dropping every bracketed part left no name, or took the
/// name for a unit (review 6). `None` for a header with text outside its
/// brackets. Folded as [`fold_fullwidth`] folds.
pub fn opened_first_bracket(s: &str) -> Option<String> {
    if !outside_brackets(s).is_empty() {
        return None;
    }
    let folded = fold_fullwidth(s.trim());
    let mut depth: usize = 0;
    let mut start = None;
    for (i, c) in folded.char_indices() {
        match c {
            '(' | '[' | '【' => {
                if depth == 0 {
                    start = Some(i + c.len_utf8());
                }
                depth += 1;
            }
            ')' | ']' | '】' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let inner = folded.get(start?..i)?;
                    let rest = folded.get(i + c.len_utf8()..)?;
                    return Some(format!("{inner}{rest}"));
                }
            }
            _ => {}
        }
    }
    // An unclosed bracket runs to the end.
    start.and_then(|st| folded.get(st..)).map(str::to_string)
}

/// The text of a header outside its brackets, as [`normalize_header`]
/// reads it.
pub fn outside_brackets(s: &str) -> String {
    let folded = fold_fullwidth(s.trim());
    let mut depth: usize = 0;
    let mut kept = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '(' | '[' | '【' => depth = depth.saturating_add(1),
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 && !c.is_whitespace() && !is_invisible(c) => kept.push(c),
            _ => {}
        }
    }
    kept.trim_matches('*').to_lowercase()
}

/// The bracketed parts of a header (`物资（万元）` → `["万元"]`), each as
/// [`normalize_header`] reads text: folded, without whitespace,
/// lowercased; outermost brackets only, an unclosed one running to the end.
pub fn bracketed_parts(s: &str) -> Vec<String> {
    let folded = fold_fullwidth(s.trim());
    let mut depth: usize = 0;
    let mut parts = Vec::new();
    let mut part = String::new();
    for c in folded.chars() {
        match c {
            '(' | '[' | '【' => {
                depth = depth.saturating_add(1);
                if depth > 1 {
                    part.push(c);
                }
            }
            ')' | ']' | '】' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    parts.push(std::mem::take(&mut part).to_lowercase());
                } else {
                    part.push(c);
                }
            }
            _ if depth > 0 && !c.is_whitespace() && !is_invisible(c) => part.push(c),
            _ => {}
        }
    }
    if depth > 0 {
        parts.push(part.to_lowercase());
    }
    parts
}

/// User text made safe to quote in a message: every ID and phone number in
/// it masked ([`super::personal::numbers_in`]: `4301**********123X`,
/// `138****5678`; other numbers, such as `3.14159260001` or `20010305`,
/// stay as written), control and format characters escaped
/// ([`printable`]), and the result cut to 40 characters with `…`.
pub fn redact(s: &str) -> String {
    let masked = super::personal::numbers_in(s);
    let shown = printable(&masked);
    let mut chars = shown.char_indices();
    match chars.nth(REDACT_MAX_CHARS) {
        Some((at, _)) => format!("{}…", &shown[..at]),
        None => shown.into_owned(),
    }
}

/// User text safe to print to a terminal: control characters (an escape
/// sequence, a bell) and invisible format characters (a right-to-left
/// override) written as `\u{1b}` instead of acting on the terminal.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_printable(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_printable(out: &mut String, c: char) {
    if c.is_control() || is_invisible(c) {
        out.push_str(&c.escape_unicode().to_string());
    } else {
        out.push(c);
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
    fn clean_takes_out_invisible_characters_and_normalises_to_nfc() {
        assert_eq!(clean("LS-H001\u{200b}"), "LS-H001");
        assert_eq!(clean("\u{feff}H1"), "H1");
        assert_eq!(clean("\u{200b} 'H1"), "H1");
        assert_eq!(clean("LS-He\u{301}"), "LS-Hé");
        assert!(matches!(clean("LS-H001"), Cow::Borrowed(_)));
        assert!(matches!(clean("送温暖"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_text_keeps_apostrophes_and_full_width_forms_but_not_invisible_ones() {
        assert_eq!(clean_text(" 李\u{200b}四 "), "李四");
        assert_eq!(clean_text("王\u{202e}五"), "王五");
        assert_eq!(clean_text("'Ａ"), "'Ａ");
        assert_eq!(clean_text("\u{200b}"), "");
        assert!(matches!(clean_text("张三 abc"), Cow::Borrowed(_)));
        assert!(matches!(
            clean_text("送米、面，共（2）袋。"),
            Cow::Borrowed(_)
        ));
        assert_eq!(clean_text("\u{fa10}"), "\u{585a}");
    }

    #[test]
    fn printable_escapes_control_and_format_characters() {
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("王\u{202e}五"), "王\\u{202e}五");
        assert!(matches!(printable("张三"), Cow::Borrowed(_)));
        assert_eq!(redact("\u{1b}]0;x\u{7}"), "\\u{1b}]0;x\\u{7}");
    }

    #[test]
    fn normalizes_headers_with_brackets_and_units() {
        assert_eq!(normalize_header("物资(元)"), "物资");
        assert_eq!(normalize_header("村（社区）"), "村");
        assert_eq!(normalize_header("乡镇(街道)"), "乡镇");
        assert_eq!(normalize_header("【户编号】x"), "x");
        assert_eq!(normalize_header("【物资】"), "物资");
        assert_eq!(normalize_header("[资金]"), "资金");
        assert_eq!(normalize_header("（元）"), "元");
        assert_eq!(normalize_header("（）"), "");
        assert_eq!(normalize_header("【物资】（万元）"), "物资");
        assert_eq!(
            opened_first_bracket("【物资】（万元）").as_deref(),
            Some("物资(万元)")
        );
        assert_eq!(
            opened_first_bracket("【物资(元)】").as_deref(),
            Some("物资(元)")
        );
        assert_eq!(
            opened_first_bracket("（资金）（元）").as_deref(),
            Some("资金(元)")
        );
        assert_eq!(opened_first_bracket("物资（元）"), None);
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
        assert_eq!(normalize_header("\u{feff}户编号\u{200b}"), "户编号");
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
        assert_eq!(bracketed_parts("物资（万元）"), ["万元"]);
        assert_eq!(bracketed_parts("资金 [ 单位：元 ]"), ["单位:元"]);
        assert_eq!(bracketed_parts("a(b(c)d)e(f"), ["b(c)d", "f"]);
        assert!(bracketed_parts("物资").is_empty());
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
            s in "[ 　\t'＇ａA1中，,￥\u{200b}\u{202e}\u{feff}e\u{301}é\u{1b}]{0,6}"
        ) {
            prop_assert_eq!(clean(&s), clean_slow(&s));
        }

        #[test]
        fn clean_text_is_trimmed_visible_nfc(
            s in "[ 　'a中，。、（\u{200b}\u{202e}e\u{301}é\u{fa00}は\u{3099}\u{302e}\u{302a}\u{feff}]{0,6}"
        ) {
            let t = clean_text(&s);
            let expected = visible_nfc(trim(&s));
            prop_assert_eq!(t.as_ref(), expected.trim());
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
