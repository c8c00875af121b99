//! Phone numbers of households and members, checked loosely and kept masked.
//!
//! Clerks write phone numbers every which way (`138 1234 5678`,
//! `0731-8888 6666`, `+86 13812345678`), so this module keeps them as
//! written and only checks that they could be phone numbers: 7–15 digits,
//! separated by spaces or `-`, with one leading `+`. A phone number is
//! personal data: its `Debug` form is masked, and errors never quote it.

use std::fmt;
use std::str::FromStr;

use super::text::{clean, is_scientific, mask_digits};
use super::ValueError;

/// A phone number as written (full-width forms folded, trimmed).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Reads a phone number: folds full-width forms, trims, drops a leading
    /// `'`; then only digits, spaces, `-` and one leading `+` may remain,
    /// with 7–15 digits in all. Scientific notation (`1.38123E+10`, what a
    /// spreadsheet makes of a number column) is
    /// [`ValueError::PhoneScientific`].
    pub fn parse(s: &str) -> Result<Phone, ValueError> {
        let t = clean(s);
        if t.is_empty() {
            return Err(ValueError::Empty);
        }
        if is_scientific(&t) {
            return Err(ValueError::PhoneScientific);
        }
        let body = t.strip_prefix('+').unwrap_or(&t);
        if !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        {
            return Err(ValueError::NotAPhone);
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            return Err(ValueError::PhoneDigits(digits));
        }
        Ok(Phone(t.into_owned()))
    }

    /// The number as written, for storage and `--reveal`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits only, masked: with 11 or more digits the first 3 and the
    /// last 4 with `****` between (`138****5678`; `+86 138 1234 5678`
    /// gives `861****5678`); with 7–10 digits (landlines) `****` and the
    /// last 4 (`****6666`), so that no more than 4 digits of a short number
    /// show.
    pub fn masked(&self) -> String {
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        mask_digits(&digits)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

impl FromStr for Phone {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Phone, ValueError> {
        Phone::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> Phone {
        match Phone::parse(s) {
            Ok(p) => p,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn keeps_mobile_and_landline_numbers_as_written() {
        assert_eq!(ok("13812345678").as_str(), "13812345678");
        assert_eq!(ok("138 1234 5678").as_str(), "138 1234 5678");
        assert_eq!(ok("138-1234-5678").as_str(), "138-1234-5678");
        assert_eq!(ok("0731-88886666").as_str(), "0731-88886666");
        assert_eq!(ok("+86 138 1234 5678").as_str(), "+86 138 1234 5678");
        assert_eq!(ok("8888666").as_str(), "8888666");
    }

    #[test]
    fn folds_full_width_digits_trims_and_drops_the_text_marker() {
        assert_eq!(ok("１３８１２３４５６７８").as_str(), "13812345678");
        assert_eq!(
            ok("＋８６\u{3000}１３８１２３４５６７８").as_str(),
            "+86 13812345678"
        );
        assert_eq!(ok("  '13812345678 ").as_str(), "13812345678");
        assert_eq!(ok("0731－88886666").as_str(), "0731-88886666");
    }

    #[test]
    fn counts_seven_to_fifteen_digits() {
        assert_eq!(Phone::parse("123456"), Err(ValueError::PhoneDigits(6)));
        assert_eq!(Phone::parse("12-34-56"), Err(ValueError::PhoneDigits(6)));
        assert_eq!(ok("1234567").as_str(), "1234567");
        assert_eq!(ok("123456789012345").as_str(), "123456789012345");
        assert_eq!(
            Phone::parse("1234567890123456"),
            Err(ValueError::PhoneDigits(16))
        );
        assert_eq!(Phone::parse("+ - -"), Err(ValueError::PhoneDigits(0)));
    }

    #[test]
    fn rejects_other_characters_and_a_plus_not_leading() {
        for s in [
            "138.1234.5678",
            "13812345678.0",
            "(0731)88886666",
            "138/1234/5678",
            "tel 13812345678",
            "138+12345678",
            "++8613812345678",
            "138\t1234\t5678",
        ] {
            assert_eq!(Phone::parse(s), Err(ValueError::NotAPhone), "{s}");
        }
    }

    #[test]
    fn rejects_phone_numbers_in_scientific_notation() {
        for s in [
            "1.38123E+10",
            "1.38123e10",
            "138123E+5",
            "１．３８１２３Ｅ＋１０",
            "1.38123E-10",
        ] {
            assert_eq!(Phone::parse(s), Err(ValueError::PhoneScientific), "{s}");
        }
        let msg = ValueError::PhoneScientific.to_string();
        assert!(msg.contains("format the column as text"), "{msg}");
    }

    #[test]
    fn rejects_an_empty_cell_as_empty() {
        assert_eq!(Phone::parse(" ' "), Err(ValueError::Empty));
    }

    #[test]
    fn masks_mobile_numbers_as_138_stars_5678() {
        assert_eq!(ok("13812345678").masked(), "138****5678");
        assert_eq!(ok("138-1234-5678").masked(), "138****5678");
        assert_eq!(ok("+86 138 1234 5678").masked(), "861****5678");
    }

    #[test]
    fn masks_short_numbers_to_their_last_four_digits() {
        assert_eq!(ok("8888666").masked(), "****8666");
        assert_eq!(ok("0731-888666").masked(), "****8666");
        assert_eq!(ok("0731-8888666").masked(), "073****8666");
    }

    #[test]
    fn debug_prints_the_masked_number() {
        let debug = format!("{:?}", ok("13812345678"));
        assert!(
            debug.contains("138****5678") && !debug.contains("13812345678"),
            "{debug}"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn masks_never_show_more_than_seven_digits(s in "\\+?[0-9][0-9 -]{6,20}") {
            if let Ok(p) = Phone::parse(&s) {
                let shown = p.masked().chars().filter(char::is_ascii_digit).count();
                prop_assert!(shown <= 7);
                prop_assert_eq!(p.as_str(), s.trim());
            }
        }
    }
}
