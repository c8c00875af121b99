//! Cell values as clerks type them, turned into exact, checked values.
//!
//! Spreadsheet exports hold dates in half a dozen spellings, money with
//! currency signs, thousands separators and 万, ID numbers that Excel has
//! mangled, and categories in Chinese or English. Every importer, report and
//! test needs the same reading of those cells, so the rules live here, in one
//! place, with no I/O: each parser takes the raw cell text, trims it, folds
//! full-width forms itself, and returns a typed value or a [`ValueError`]
//! whose message can be shown to the user as is. Messages never contain a
//! whole ID number or phone number.

pub mod category;
pub mod date;
pub mod formula;
pub mod id_number;
pub mod ledger;
pub mod money;
pub mod nearest;
pub mod personal;
pub mod phone;
pub mod status;
pub mod text;

pub use category::Category;
pub use date::Date;
pub use id_number::IdNumber;
pub use ledger::LedgerName;
pub use money::Fen;
pub use phone::Phone;
pub use status::Status;
pub use text::{clean, clean_text, fold_fullwidth, normalize_header, printable, redact};

/// Why a cell could not be read. Its texts, a short user-facing sentence
/// fragment starting in lowercase in English and in Chinese, are in the
/// catalogue ([`crate::i18n::values`]); `Display` is the English one. Any
/// user text it quotes has passed through [`text::redact`], so it never
/// shows a whole ID number or phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// The cell is empty (after trimming) where a value is needed.
    Empty,

    /// Not any of the accepted date spellings. Holds the redacted text.
    NotADate(String),
    /// A month and day without a year (`5月6日`, `5-6`, `05/06`): the month
    /// and day, to show the date written whole.
    DateWithoutYear(u32, u32),
    /// Shaped like a date, but the day or month does not exist. Holds the
    /// date as written (without any time part).
    ImpossibleDate(String),
    /// A date whose year is outside 1900–2200.
    DateOutOfRange(i32),

    /// A negative amount, written with `-` or in parentheses.
    NegativeMoney,
    /// Non-zero digits beyond the fen (0.01 yuan), after scaling by 万.
    TooManyDecimals,
    /// Not an amount of money. Holds the redacted text.
    NotMoney(String),
    /// Thousands separators not in groups of three. Holds the redacted text.
    MoneyGrouping(String),
    /// Digits split by a space (`300 200`): two amounts typed into one cell,
    /// or one written with spaces; never read as one number. Holds the
    /// redacted text.
    SpaceInAmount(String),
    /// A cell with a unit of its own (`1.5万`, `300元`) in a column whose
    /// header or sheet title gives another (the unit's name: `万元`).
    UnitInCell(&'static str),
    /// More than [`Fen::MAX`].
    MoneyTooLarge,

    /// Not a household size (a whole number from 1 to 50).
    NotASize(String),

    /// Excel stored the ID number as a number and showed it as `4.30102E+17`.
    IdNumberScientific,
    /// An id or reference in scientific notation: a spreadsheet stored a
    /// long number (16 or more digits) and lost its last digits.
    NumberLostDigits,
    /// A character other than digits and a final check character.
    IdNumberChars,
    /// Digits and check character fine, but not 18 of them.
    IdNumberLength(usize),
    /// The ISO 7064 MOD 11-2 check character does not match.
    IdNumberCheckDigit {
        /// The check character the first 17 digits call for.
        expected: char,
        /// The check character written.
        found: char,
        /// The number ends in `000`: Excel may have rounded it to 15 digits.
        maybe_rounded: bool,
    },
    /// Digits 7–14 are not a real date between 1900-01-01 and today.
    IdNumberBirthDate,
    /// Digits 1–2 are not a province code 11–82. Holds those two digits.
    IdNumberProvince(u8),

    /// A character other than digits, spaces, `-` and one leading `+`.
    NotAPhone,
    /// Outside 7–15 digits. Holds the number of digits.
    PhoneDigits(usize),
    /// Excel stored the phone number as a number in scientific notation.
    PhoneScientific,

    /// Not one of the seven categories. Holds the redacted text.
    UnknownCategory(String),
    /// Not `poor`, `lifted` or `removed`. Holds the redacted text.
    UnknownStatus(String),
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::values::text(self, crate::i18n::Lang::En))
    }
}

impl std::error::Error for ValueError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_id_message_says_to_format_the_column_as_text() {
        assert_eq!(
            ValueError::IdNumberScientific.to_string(),
            "the spreadsheet turned the ID number into a number (scientific notation); \
             format the column as text and export again"
        );
    }

    #[test]
    fn unknown_category_message_lists_all_seven_keys_and_chinese_names() {
        let msg = ValueError::UnknownCategory("x".into()).to_string();
        for c in Category::ALL {
            assert!(msg.contains(c.key()), "{msg} lacks {}", c.key());
            assert!(msg.contains(c.zh()), "{msg} lacks {}", c.zh());
        }
    }

    #[test]
    fn unknown_status_message_names_every_status() {
        let msg = ValueError::UnknownStatus("x".into()).to_string();
        for s in Status::ALL {
            assert!(msg.contains(s.key()) && msg.contains(s.zh()), "{msg}");
        }
    }

    #[test]
    fn every_message_starts_in_lowercase() {
        let all = [
            ValueError::Empty,
            ValueError::NotADate("x".into()),
            ValueError::DateWithoutYear(5, 6),
            ValueError::ImpossibleDate("2001-02-30".into()),
            ValueError::DateOutOfRange(1850),
            ValueError::NegativeMoney,
            ValueError::TooManyDecimals,
            ValueError::NotMoney("x".into()),
            ValueError::MoneyGrouping("1,20".into()),
            ValueError::SpaceInAmount("300 200".into()),
            ValueError::UnitInCell("万元"),
            ValueError::MoneyTooLarge,
            ValueError::IdNumberScientific,
            ValueError::NumberLostDigits,
            ValueError::IdNumberChars,
            ValueError::IdNumberLength(17),
            ValueError::IdNumberCheckDigit {
                expected: '1',
                found: '0',
                maybe_rounded: true,
            },
            ValueError::IdNumberBirthDate,
            ValueError::IdNumberProvince(99),
            ValueError::NotAPhone,
            ValueError::PhoneDigits(3),
            ValueError::PhoneScientific,
            ValueError::UnknownCategory("x".into()),
            ValueError::UnknownStatus("x".into()),
        ];
        for e in all {
            let msg = e.to_string();
            let first = msg.chars().next();
            assert!(
                first.is_some_and(|c| !c.is_uppercase()),
                "message starts in uppercase: {msg}"
            );
        }
    }
}
