//! Resident ID numbers (居民身份证号码, GB 11643), checked and kept masked.
//!
//! Two households with one ID number are an error, so the number has to be
//! right: this module checks its shape, province code, birth date and ISO
//! 7064 MOD 11-2 check character, and recognises the two ways spreadsheets
//! mangle it (scientific notation, and rounding to 15 significant digits).
//! An ID number is personal data: its `Debug` form is masked, and errors
//! never quote it.

use std::fmt;

use super::date::Date;
use super::text::{clean, is_scientific, without_whitespace};
use super::ValueError;

/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each weighted sum modulo 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid 18-character resident ID number, with an uppercase `X`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Reads an ID number: folds full-width forms, trims, drops a leading
    /// `'`, removes inner spaces, then checks, in this order: scientific
    /// notation, characters (17 digits and a digit or `X`/`x`), length 18,
    /// province code 11–82, birth date (1900-01-01 to `today`, which the
    /// caller gives: values read no clock) and check character.
    pub fn parse(s: &str, today: Date) -> Result<IdNumber, ValueError> {
        let cleaned = clean(s);
        let t = without_whitespace(&cleaned);
        if t.is_empty() {
            return Err(ValueError::Empty);
        }
        if is_scientific(&t) {
            return Err(ValueError::IdNumberScientific);
        }
        let t = t.to_ascii_uppercase();
        let n = t.chars().count();
        let shape_ok = t
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (b == b'X' && i + 1 == t.len()));
        if !shape_ok {
            return Err(ValueError::IdNumberChars);
        }
        if n != 18 {
            return Err(ValueError::IdNumberLength(n));
        }
        let province: u8 = t.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
        if !(11..=82).contains(&province) {
            return Err(ValueError::IdNumberProvince(province));
        }
        let birth = t
            .get(6..14)
            .and_then(|b| {
                let y = b.get(..4)?.parse().ok()?;
                let m = b.get(4..6)?.parse().ok()?;
                let d = b.get(6..)?.parse().ok()?;
                Date::from_ymd(y, m, d)
            })
            .filter(|d| d.year() >= 1900 && *d <= today);
        if birth.is_none() {
            return Err(ValueError::IdNumberBirthDate);
        }
        let first17 = t.get(..17).unwrap_or("");
        let expected = check_char(first17).ok_or(ValueError::IdNumberChars)?;
        let found = t.chars().last().unwrap_or(' ');
        if expected != found {
            return Err(ValueError::IdNumberCheckDigit {
                expected,
                found,
                maybe_rounded: t.ends_with("000"),
            });
        }
        Ok(IdNumber(t))
    }

    /// The whole number, for storage and `--reveal`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 4 and last 4 characters with ten `*` between:
    /// `4301**********123X`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any text as an ID number is masked: the first 4 and last 4
/// characters with ten `*` between; shorter text becomes all `*`.
fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}**********{tail}")
}

/// The ISO 7064 MOD 11-2 check character for 17 ASCII digits, or `None`
/// when `first17` is not exactly that.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The day the tests check birth dates against.
    fn today() -> Date {
        Date::from_ymd(2026, 1, 1).unwrap()
    }

    fn parse(s: &str) -> Result<IdNumber, ValueError> {
        IdNumber::parse(s, today())
    }

    /// Completes 17 digits with their check character, computed here
    /// independently of `check_char`.
    fn complete(first17: &str) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let check = "10X98765432"
            .chars()
            .nth((sum % 11) as usize)
            .unwrap_or('?');
        format!("{first17}{check}")
    }

    /// The same number with its check character replaced by a wrong one.
    fn with_wrong_check(first17: &str) -> String {
        let right = complete(first17);
        let wrong = if right.ends_with('1') { '2' } else { '1' };
        format!("{first17}{wrong}")
    }

    fn ok(s: &str) -> IdNumber {
        match parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn accepts_the_examples_of_gb_11643() {
        // The standard's own example, born 1949-12-31, check character X.
        assert_eq!(ok("11010519491231002X").as_str(), "11010519491231002X");
        assert_eq!(complete("11010519491231002"), "11010519491231002X");
        assert_eq!(check_char("11010519491231002"), Some('X'));
        // The standard's other example is born in 1880, before 1900.
        assert_eq!(check_char("44052418800101001"), Some('4'));
        assert_eq!(
            parse("440524188001010014"),
            Err(ValueError::IdNumberBirthDate)
        );
    }

    #[test]
    fn check_char_agrees_with_the_test_helper() {
        for first17 in [
            "43010219900101123",
            "43010220010305001",
            "82000019000101000",
            "11000020000229999",
        ] {
            assert_eq!(
                check_char(first17).map(|c| format!("{first17}{c}")),
                Some(complete(first17))
            );
        }
        assert_eq!(check_char("4301021990010112"), None);
        assert_eq!(check_char("4301021990010112X"), None);
        assert_eq!(check_char("430102199001011234"), None);
        assert_eq!(check_char("４３０１０２１９９００１０１１２３"), None);
    }

    #[test]
    fn accepts_lowercase_x_and_stores_it_uppercase() {
        assert_eq!(ok("11010519491231002x").as_str(), "11010519491231002X");
    }

    #[test]
    fn folds_full_width_digits_and_drops_spaces_and_the_text_marker() {
        let id = complete("43010220010305001");
        let full: String = id
            .chars()
            .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c))
            .collect();
        assert_eq!(ok(&full).as_str(), id);
        assert_eq!(ok(&format!("'{id}")).as_str(), id);
        assert_eq!(
            ok(&format!("  {} {} {} ", &id[..6], &id[6..14], &id[14..])).as_str(),
            id
        );
        assert_eq!(
            ok("１１０１０５１９４９１２３１００２Ｘ").as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn rejects_id_number_in_scientific_notation() {
        for s in [
            "4.30102E+17",
            "4.30102e17",
            "430102E+12",
            "4.30102199001011E+17",
            "'4.30102E+17",
            "４．３０１０２Ｅ＋１７",
        ] {
            assert_eq!(parse(s), Err(ValueError::IdNumberScientific), "{s}");
        }
    }

    #[test]
    fn rejects_wrong_characters() {
        for s in [
            "ABCDEFGHIJKLMNOPQR",
            "4301021990X101123X",
            "43010219900101123Y",
            "430102-19900101-1238",
            "4.3",
        ] {
            assert_eq!(parse(s), Err(ValueError::IdNumberChars), "{s}");
        }
    }

    #[test]
    fn rejects_wrong_lengths_naming_the_length() {
        assert_eq!(
            parse("43010219900101123"),
            Err(ValueError::IdNumberLength(17))
        );
        assert_eq!(
            parse("4301021990010112381"),
            Err(ValueError::IdNumberLength(19))
        );
        assert_eq!(
            parse("430102900101123"),
            Err(ValueError::IdNumberLength(15))
        );
        assert_eq!(parse("X"), Err(ValueError::IdNumberLength(1)));
    }

    #[test]
    fn rejects_an_empty_cell_as_empty() {
        assert_eq!(parse(" ' "), Err(ValueError::Empty));
    }

    #[test]
    fn rejects_province_codes_outside_11_to_82() {
        for (first17, code) in [
            ("10010219900101123", 10),
            ("83010219900101123", 83),
            ("00010219900101123", 0),
            ("99010219900101123", 99),
        ] {
            assert_eq!(
                parse(&complete(first17)),
                Err(ValueError::IdNumberProvince(code))
            );
        }
        ok(&complete("11010219900101123"));
        ok(&complete("82010219900101123"));
    }

    #[test]
    fn rejects_birth_dates_that_do_not_exist_or_are_out_of_range() {
        for first17 in [
            "43010220010230123", // 2001-02-30
            "43010220011305123", // month 13
            "43010220010300123", // day 0
            "43010218991231123", // before 1900
            "43010221990101123", // after today
            "43010200000101123", // year 0
        ] {
            assert_eq!(
                parse(&complete(first17)),
                Err(ValueError::IdNumberBirthDate),
                "{first17}"
            );
        }
        ok(&complete("43010219000101123"));
        ok(&complete("43010220000229123"));
    }

    #[test]
    fn rejects_a_wrong_check_character_naming_both() {
        let first17 = "43010219900101123";
        let bad = with_wrong_check(first17);
        let expected = check_char(first17).unwrap_or('?');
        let found = bad.chars().last().unwrap_or('?');
        let err = parse(&bad);
        assert_eq!(
            err,
            Err(ValueError::IdNumberCheckDigit {
                expected,
                found,
                maybe_rounded: false
            })
        );
        let msg = err.map(|_| ()).unwrap_err().to_string();
        assert!(msg.contains(expected) && msg.contains(found), "{msg}");
        assert!(!msg.contains("Excel"), "{msg}");
    }

    #[test]
    fn a_wrong_check_character_ending_in_000_mentions_excel_rounding() {
        // What Excel leaves of a number after rounding it to 15 digits.
        let first17 = "43010219900101200";
        assert_ne!(complete(first17).chars().last(), Some('0'));
        let rounded = format!("{first17}0");
        let err = parse(&rounded);
        assert!(
            matches!(
                err,
                Err(ValueError::IdNumberCheckDigit {
                    found: '0',
                    maybe_rounded: true,
                    ..
                })
            ),
            "{err:?}"
        );
        let msg = err.map(|_| ()).unwrap_err().to_string();
        assert!(
            msg.contains("rounded") && msg.contains("format the column as text"),
            "{msg}"
        );
    }

    #[test]
    fn masks_the_number_in_masked_and_debug() {
        let id = ok("11010519491231002X");
        assert_eq!(id.masked(), "1101**********002X");
        let debug = format!("{id:?}");
        assert!(
            debug.contains("1101**********002X") && !debug.contains("11010519491231002X"),
            "{debug}"
        );
    }

    #[test]
    fn masks_in_the_format_of_the_spec() {
        assert_eq!(mask("430102199001011238"), "4301**********1238");
        assert_eq!(mask("43010219900101123X"), "4301**********123X");
        assert_eq!(mask("short"), "*****");
    }

    #[test]
    fn no_error_message_contains_the_number() {
        let first17 = "43010219900101123";
        let cases = [
            with_wrong_check(first17),
            complete("43010220011305123"),
            complete("99010219900101123"),
            format!("{first17}81"),
            format!("{first17}Y"),
        ];
        for s in cases {
            if let Err(e) = parse(&s) {
                let msg = e.to_string();
                assert!(!msg.contains(first17) && !msg.contains(&s[..14]), "{msg}");
            }
        }
    }

    proptest! {
        #[test]
        fn every_completed_number_with_a_valid_birth_date_parses(
            province in 11u32..=82,
            rest in 0u32..10_000,
            days in 0i32..36_000,
            seq in 0u32..1000,
            lower in any::<bool>(),
        ) {
            let birth = Date::from_days(-25_567 + days).unwrap_or(today());
            prop_assume!(birth <= today());
            let first17 = format!(
                "{province:02}{rest:04}{:04}{:02}{:02}{seq:03}",
                birth.year(), birth.month(), birth.day()
            );
            let id = complete(&first17);
            let typed = if lower { id.to_lowercase() } else { id.clone() };
            let parsed = parse(&typed).map(|i| i.as_str().to_string());
            prop_assert_eq!(parsed, Ok(id));
        }

        #[test]
        fn changing_one_digit_is_caught(pos in 0usize..17, delta in 1u32..10) {
            let id = complete("43010219900101123");
            let mut chars: Vec<char> = id.chars().collect();
            let d = chars[pos].to_digit(10).unwrap_or(0);
            chars[pos] = char::from_digit((d + delta) % 10, 10).unwrap_or('0');
            let changed: String = chars.into_iter().collect();
            prop_assert!(parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_id_like_text(s in "[0-9Xx.Ee+ '-]{0,22}") {
            if let Ok(id) = parse(&s) {
                prop_assert_eq!(id.as_str().len(), 18);
            }
        }
    }
}
