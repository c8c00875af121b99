//! Calendar dates as clerks write them, and as Excel exports them.
//!
//! The same day turns up as `2001-03-05`, `2001/3/5`, `2001.3.5`,
//! `2001年3月5日`, `20010305`, with a time tacked on, or as the Excel serial
//! number `36955` when a date column was exported as numbers. [`Date::parse`]
//! reads them all into one type, rejects days that do not exist, and keeps
//! to the years 1900–2200 so that a typo does not become a date in the
//! year 20010. [`Date::today`] honours `BANGFU_TODAY` so that tests and
//! reruns can fix "today".

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::text::{clean, redact};
use super::ValueError;

/// The first year [`Date::parse`] accepts.
pub const MIN_YEAR: i32 = 1900;
/// The last year [`Date::parse`] accepts.
pub const MAX_YEAR: i32 = 2200;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

/// A month and day written without a year (`5月6日`, `5-6`, `05/06`,
/// `5.6`): said so, not "not a date" (clerk review, session 20).
fn without_year(text: &str) -> Option<ValueError> {
    let text = text.strip_suffix(['日', '号']).unwrap_or(text);
    let mut parts = text.split(['月', '-', '/', '.']);
    let (m, d) = (parts.next()?, parts.next()?);
    let number = |p: &str| {
        let short = (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
        short.then(|| p.parse::<u32>().ok()).flatten()
    };
    let (m, d) = (number(m)?, number(d)?);
    let real = parts.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d);
    real.then_some(ValueError::DateWithoutYear(m, d))
}

impl Date {
    /// Reads a date. Accepts `2001-03-05`, `2001-3-5`, `2001/3/5`,
    /// `2001.3.5`, `2001年3月5日` (also `2001年03月05日`, and without the
    /// final `日`), `20010305`, any of these followed by whitespace or `T` and
    /// a time (ignored), and a 5-digit whole number (optionally `.0`) as an
    /// Excel serial date in the 1900 system (36955 = 2001-03-05). Full-width
    /// forms are folded. Years must be 1900–2200.
    pub fn parse(s: &str) -> Result<Date, ValueError> {
        let cleaned = clean(s);
        match Date::parse_iso(&cleaned) {
            Some(parsed) => parsed,
            None => Date::parse_any(&cleaned),
        }
    }

    /// `2001-03-05` exactly, the form most files use, the short way; `None`
    /// for any other text. Gives what [`Date::parse_any`] gives.
    fn parse_iso(t: &str) -> Option<Result<Date, ValueError>> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = t.as_bytes() else {
            return None;
        };
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = |ds: &[u8]| ds.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
        let (y, m, d) = (n(&digits[..4]) as i32, n(&digits[4..6]), n(&digits[6..]));
        Some(if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            Err(ValueError::DateOutOfRange(y))
        } else {
            Date::from_ymd(y, m, d).ok_or_else(|| ValueError::ImpossibleDate(t.to_string()))
        })
    }

    /// Any accepted form, from cleaned text.
    fn parse_any(cleaned: &str) -> Result<Date, ValueError> {
        if cleaned.is_empty() {
            return Err(ValueError::Empty);
        }
        let not_a_date = || ValueError::NotADate(redact(cleaned));

        let (day_part, time_part) = match cleaned.find(|c: char| c.is_whitespace() || c == 'T') {
            Some(i) => (
                cleaned.get(..i).unwrap_or(""),
                cleaned.get(i..).unwrap_or(""),
            ),
            None => (cleaned, ""),
        };
        if !time_part.is_empty() {
            let time = time_part.trim_start();
            let time = time.strip_prefix('T').unwrap_or(time).trim_start();
            if !is_time_like(time) {
                return Err(not_a_date());
            }
        }

        let Some(ymd) = split_ymd(day_part) else {
            return Err(without_year(day_part).unwrap_or_else(not_a_date));
        };
        match ymd {
            Ymd::Serial(n) => Date::from_serial_days(n).ok_or_else(not_a_date),
            Ymd::Parts(y, m, d) => {
                if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
                    return Err(ValueError::DateOutOfRange(y));
                }
                Date::from_ymd(y, m, d)
                    .ok_or_else(|| ValueError::ImpossibleDate(day_part.to_string()))
            }
        }
    }

    /// The date `y-m-d`, if it exists (any year chrono supports).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }

    /// Days since 1970-01-01 (negative before), for storage.
    pub fn days(self) -> i32 {
        // Counted from 0001-01-01 and moved to 1970 (chrono's day count is
        // an i32 already, over ±262,000 years): a few operations, where the
        // length of a span between two dates cost a tenth of a checking
        // thread's time.
        self.0.num_days_from_ce() - DAYS_TO_1970
    }

    /// The date `d` days after 1970-01-01, if chrono can represent it.
    pub fn from_days(d: i32) -> Option<Date> {
        epoch()
            .checked_add_signed(chrono::Duration::days(i64::from(d)))
            .map(Date)
    }

    /// The last day bangfu reads (31 December of [`MAX_YEAR`]).
    pub fn last() -> Date {
        Date(NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX))
    }

    /// Today: `BANGFU_TODAY` when it is set to a date [`Date::parse`]
    /// accepts, else the local date.
    pub fn today() -> Date {
        today_from(std::env::var("BANGFU_TODAY").ok().as_deref())
    }

    /// A date cell's value (days since 1899-12-30 in Excel's 1900 system;
    /// the fraction, the time of day, is ignored). Serials 1–59 are read as
    /// Excel shows them (1 = 1900-01-01); 60, Excel's non-existent
    /// 1900-02-29, and anything outside 1900–2200 or not finite, is `None`.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !(1.0..=200_000.0).contains(&serial) {
            return None;
        }
        // Between 1 and 200,000, so the cast is exact.
        let whole = serial.trunc() as i64;
        let (base, offset) = match whole {
            60 => return None,
            // Excel counts a 1900-02-29 that never was; before it, day 1 is
            // 1900-01-01.
            1..=59 => (excel_base().succ_opt()?, whole),
            _ => (excel_base(), whole),
        };
        let date = Date(base.checked_add_signed(chrono::Duration::days(offset))?);
        (MIN_YEAR..=MAX_YEAR).contains(&date.year()).then_some(date)
    }

    fn from_serial_days(n: u32) -> Option<Date> {
        excel_base()
            .checked_add_signed(chrono::Duration::days(i64::from(n)))
            .map(Date)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// The quarter, 1–4.
    pub fn quarter(self) -> u32 {
        (self.0.month() - 1) / 3 + 1
    }

    /// `"2001-03"`.
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year(), self.month())
    }

    /// `"2001-Q1"`.
    pub fn quarter_key(self) -> String {
        format!("{:04}-Q{}", self.year(), self.quarter())
    }

    /// The chrono date.
    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

/// Days from 0001-01-01 to 1970-01-01.
const DAYS_TO_1970: i32 = 719_163;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Day 0 of Excel's 1900 system, as it works from 1900-03-01 on.
fn excel_base() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

fn today_from(env: Option<&str>) -> Date {
    env.and_then(|s| Date::parse(s).ok())
        .unwrap_or_else(|| Date(chrono::Local::now().date_naive()))
}

enum Ymd {
    /// Year, month, day as written (not yet checked).
    Parts(i32, u32, u32),
    /// An Excel serial day number.
    Serial(u32),
}

/// Splits the date part (no time) into its numbers, or `None` when it has
/// none of the accepted shapes.
fn split_ymd(t: &str) -> Option<Ymd> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let num = |s: &str, min: usize, max: usize| -> Option<u32> {
        if all_digits(s) && (min..=max).contains(&s.len()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let year = |s: &str| num(s, 4, 4).and_then(|y| i32::try_from(y).ok());

    // 20010305, or an Excel serial 36955 / 36955.0
    if all_digits(t) {
        return match t.len() {
            8 => Some(Ymd::Parts(
                year(t.get(..4)?)?,
                num(t.get(4..6)?, 2, 2)?,
                num(t.get(6..)?, 2, 2)?,
            )),
            5 if !t.starts_with('0') => Some(Ymd::Serial(t.parse().ok()?)),
            _ => None,
        };
    }
    if let Some((whole, zeros)) = t.split_once('.') {
        if whole.len() == 5
            && all_digits(whole)
            && !whole.starts_with('0')
            && all_digits(zeros)
            && zeros.bytes().all(|b| b == b'0')
        {
            return Some(Ymd::Serial(whole.parse().ok()?));
        }
    }

    // 2001年3月5日, 2001年03月05日, 2001年3月5
    if let Some((y, rest)) = t.split_once('年') {
        let (m, d) = rest.split_once('月')?;
        let d = d.strip_suffix('日').unwrap_or(d);
        return Some(Ymd::Parts(year(y)?, num(m, 1, 2)?, num(d, 1, 2)?));
    }

    // 2001-3-5, 2001/3/5, 2001.3.5 — one separator throughout
    let sep = t.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let mut parts = t.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Ymd::Parts(year(y)?, num(m, 1, 2)?, num(d, 1, 2)?))
}

/// Whether the text after a date looks like a time of day: `8:30`,
/// `00:00:00`, `08:30:00.000`, `08:30:00Z`, `08:30+08:00`, `8:30 PM`,
/// `下午3:05`, `8时30分`.
fn is_time_like(t: &str) -> bool {
    let t = t
        .strip_prefix("上午")
        .or_else(|| t.strip_prefix("下午"))
        .unwrap_or(t)
        .trim();
    let t = ["AM", "PM", "am", "pm", "Am", "Pm", "aM", "pM"]
        .iter()
        .find_map(|suffix| t.strip_suffix(suffix))
        .unwrap_or(t)
        .trim_end();
    t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, ':' | '.' | '+' | '-' | 'Z' | 'z' | '时' | '分' | '秒')
        })
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl FromStr for Date {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Date, ValueError> {
        Date::parse(s)
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Date {
        Date(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> Date {
        match Date::from_ymd(y, m, d) {
            Some(date) => date,
            None => panic!("{y}-{m}-{d} is not a date"),
        }
    }

    fn parsed(s: &str) -> Date {
        match Date::parse(s) {
            Ok(d) => d,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn a_month_and_day_without_a_year_is_said_so() {
        for text in ["5月6日", "5-6", "05/06", "5.6", "5月6号"] {
            assert_eq!(
                Date::parse(text),
                Err(ValueError::DateWithoutYear(5, 6)),
                "{text}"
            );
        }
        for text in ["13-6", "5-6-7", "12345", "五月六日", "5-123"] {
            assert!(
                !matches!(Date::parse(text), Err(ValueError::DateWithoutYear(..))),
                "{text}"
            );
        }
    }

    #[test]
    fn reads_iso_dates_with_and_without_leading_zeros() {
        assert_eq!(parsed("2001-03-05"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001-3-5"), ymd(2001, 3, 5));
        assert_eq!(parsed("  2001-3-05 "), ymd(2001, 3, 5));
    }

    #[test]
    fn reads_slash_and_dot_separators() {
        assert_eq!(parsed("2001/3/5"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001/03/05"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001.3.5"), ymd(2001, 3, 5));
    }

    #[test]
    fn reads_chinese_dates_with_and_without_the_final_ri() {
        assert_eq!(parsed("2001年3月5日"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001年03月05日"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001年3月5"), ymd(2001, 3, 5));
    }

    #[test]
    fn reads_compact_eight_digit_dates() {
        assert_eq!(parsed("20010305"), ymd(2001, 3, 5));
    }

    #[test]
    fn ignores_a_time_after_the_date() {
        assert_eq!(parsed("2001-03-05 00:00:00"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001/3/5 8:30"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001-03-05T08:30:00Z"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001-03-05T08:30:00.000+08:00"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001年3月5日 8:30"), ymd(2001, 3, 5));
        assert_eq!(parsed("20010305 083000"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001/3/5 8:30 PM"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001/3/5 下午3:05"), ymd(2001, 3, 5));
        assert_eq!(parsed("2001-03-05\t00:00"), ymd(2001, 3, 5));
    }

    #[test]
    fn rejects_text_after_the_date_that_is_not_a_time() {
        for s in [
            "2001-03-05 abc",
            "2001-03-05T",
            "2001-03-05 x8:30",
            "2001-03-05 :",
        ] {
            assert!(
                matches!(Date::parse(s), Err(ValueError::NotADate(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn folds_full_width_digits_and_punctuation() {
        assert_eq!(parsed("２００１－０３－０５"), ymd(2001, 3, 5));
        assert_eq!(parsed("２００１年３月５日"), ymd(2001, 3, 5));
        assert_eq!(parsed("２００１／３／５"), ymd(2001, 3, 5));
        assert_eq!(parsed("３６９５５"), ymd(2001, 3, 5));
    }

    #[test]
    fn reads_excel_serial_36955_as_2001_03_05() {
        assert_eq!(parsed("36955"), ymd(2001, 3, 5));
        assert_eq!(parsed("36955.0"), ymd(2001, 3, 5));
        assert_eq!(parsed("36955.00"), ymd(2001, 3, 5));
        assert_eq!(parsed("10000"), ymd(1927, 5, 18));
        assert_eq!(parsed("99999"), ymd(2173, 10, 13));
    }

    #[test]
    fn rejects_serials_that_are_not_five_digit_whole_numbers() {
        for s in ["36955.5", "3695", "369550", "01234", "36955.", "1234567"] {
            assert!(
                matches!(Date::parse(s), Err(ValueError::NotADate(_))),
                "{s}: {:?}",
                Date::parse(s)
            );
        }
    }

    #[test]
    fn drops_the_excel_text_marker() {
        assert_eq!(parsed("'2001-03-05"), ymd(2001, 3, 5));
    }

    #[test]
    fn rejects_impossible_dates_naming_the_text() {
        assert_eq!(
            Date::parse("2001-02-30"),
            Err(ValueError::ImpossibleDate("2001-02-30".into()))
        );
        assert_eq!(
            Date::parse("2001-13-05 00:00:00"),
            Err(ValueError::ImpossibleDate("2001-13-05".into()))
        );
        for s in [
            "2001/2/29",
            "2001年2月30日",
            "20010230",
            "2001-00-05",
            "2001-03-00",
            "2001.4.31",
        ] {
            assert!(
                matches!(Date::parse(s), Err(ValueError::ImpossibleDate(ref t)) if t.as_str() == clean(s)),
                "{s}: {:?}",
                Date::parse(s)
            );
        }
        let msg = Date::parse("2001-02-30").map(|d| d.to_string());
        assert!(matches!(msg, Err(ref e) if e.to_string().contains("2001-02-30")));
    }

    #[test]
    fn reads_leap_days_that_exist() {
        assert_eq!(parsed("2000-02-29"), ymd(2000, 2, 29));
        assert_eq!(parsed("2004/2/29"), ymd(2004, 2, 29));
    }

    #[test]
    fn rejects_years_outside_1900_to_2200() {
        assert_eq!(
            Date::parse("1899-12-31"),
            Err(ValueError::DateOutOfRange(1899))
        );
        assert_eq!(
            Date::parse("2201-01-01"),
            Err(ValueError::DateOutOfRange(2201))
        );
        assert_eq!(
            Date::parse("0001-01-01"),
            Err(ValueError::DateOutOfRange(1))
        );
        assert_eq!(parsed("1900-01-01"), ymd(1900, 1, 1));
        assert_eq!(parsed("2200-12-31"), ymd(2200, 12, 31));
    }

    #[test]
    fn rejects_other_spellings_as_not_a_date() {
        for s in [
            "abc",
            "3/5/2001",
            "01-3-5",
            "2001-3/5",
            "2001-3",
            "2001-3-5-7",
            "2001年3月",
            "2001-003-05",
            "2001--3-5",
            "5-Mar-01",
            "-",
            "2001 03 05",
            "T",
        ] {
            assert!(
                matches!(Date::parse(s), Err(ValueError::NotADate(_))),
                "{s}: {:?}",
                Date::parse(s)
            );
        }
    }

    #[test]
    fn rejects_an_empty_cell_as_empty() {
        assert_eq!(Date::parse(""), Err(ValueError::Empty));
        assert_eq!(Date::parse("  \u{3000}"), Err(ValueError::Empty));
    }

    #[test]
    fn masks_a_phone_number_typed_into_a_date_column() {
        let msg = Date::parse("13812345678").map(|d| d.to_string());
        match msg {
            Err(e) => assert!(!e.to_string().contains("13812345678"), "{e}"),
            Ok(d) => panic!("parsed {d}"),
        }
    }

    #[test]
    fn counts_days_from_1970() {
        assert_eq!(ymd(1970, 1, 1).days(), 0);
        assert_eq!(ymd(1970, 1, 2).days(), 1);
        assert_eq!(ymd(1969, 12, 31).days(), -1);
        assert_eq!(ymd(2001, 3, 5).days(), 11_386);
        assert_eq!(Date::from_days(11_386), Some(ymd(2001, 3, 5)));
        assert_eq!(Date::from_days(i32::MAX), None);
    }

    #[test]
    fn gives_month_and_quarter_keys() {
        let d = ymd(2001, 3, 5);
        assert_eq!((d.year(), d.month(), d.day()), (2001, 3, 5));
        assert_eq!(d.quarter(), 1);
        assert_eq!(d.month_key(), "2001-03");
        assert_eq!(d.quarter_key(), "2001-Q1");
        assert_eq!(ymd(2001, 4, 1).quarter(), 2);
        assert_eq!(ymd(2001, 9, 30).quarter(), 3);
        assert_eq!(ymd(2001, 10, 1).quarter_key(), "2001-Q4");
        assert_eq!(ymd(2001, 12, 31).quarter(), 4);
    }

    #[test]
    fn displays_as_iso_date() {
        assert_eq!(ymd(2001, 3, 5).to_string(), "2001-03-05");
        assert_eq!(ymd(1900, 1, 1).to_string(), "1900-01-01");
        assert_eq!(
            "2001/3/5".parse::<Date>().map(|d| d.to_string()),
            Ok("2001-03-05".into())
        );
        assert_eq!(
            ymd(2001, 3, 5).naive(),
            NaiveDate::from_ymd_opt(2001, 3, 5).unwrap_or_default()
        );
    }

    #[test]
    fn reads_excel_serial_cells_ignoring_the_time_of_day() {
        assert_eq!(Date::from_excel_serial(36955.0), Some(ymd(2001, 3, 5)));
        assert_eq!(Date::from_excel_serial(36955.75), Some(ymd(2001, 3, 5)));
        assert_eq!(Date::from_excel_serial(61.0), Some(ymd(1900, 3, 1)));
        assert_eq!(Date::from_excel_serial(59.0), Some(ymd(1900, 2, 28)));
        assert_eq!(Date::from_excel_serial(1.0), Some(ymd(1900, 1, 1)));
        assert_eq!(Date::from_excel_serial(60.0), None);
        assert_eq!(Date::from_excel_serial(0.0), None);
        assert_eq!(Date::from_excel_serial(-5.0), None);
        assert_eq!(Date::from_excel_serial(f64::NAN), None);
        assert_eq!(Date::from_excel_serial(f64::INFINITY), None);
        assert_eq!(Date::from_excel_serial(1e12), None);
        assert_eq!(Date::from_excel_serial(110_000.0), None);
    }

    #[test]
    fn today_uses_bangfu_today_when_it_is_a_date() {
        assert_eq!(today_from(Some("2001-03-05")), ymd(2001, 3, 5));
        assert_eq!(today_from(Some("2001/3/5")), ymd(2001, 3, 5));
        let local = Date(chrono::Local::now().date_naive());
        let fallback = today_from(Some("not a date"));
        assert!(fallback.days().abs_diff(local.days()) <= 1);
        assert!(today_from(None).days().abs_diff(local.days()) <= 1);
    }

    proptest! {
        #[test]
        fn the_short_way_for_iso_dates_gives_what_the_long_way_gives(
            any_digits in "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            (y, m, d) in (1850..2250u32, 0..14u32, 0..33u32),
        ) {
            for s in [any_digits, format!("{y:04}-{m:02}-{d:02}")] {
                prop_assert_eq!(Date::parse_iso(&s), Some(Date::parse_any(&s)));
            }
        }

        #[test]
        fn days_round_trip(d in -25_567i32..84_000) {
            let date = Date::from_days(d);
            prop_assert_eq!(date.map(Date::days), Some(d));
        }

        #[test]
        fn display_then_parse_gives_the_same_date(d in -25_567i32..84_000) {
            if let Some(date) = Date::from_days(d) {
                prop_assert_eq!(Date::parse(&date.to_string()), Ok(date));
                let chinese = format!("{}年{}月{}日", date.year(), date.month(), date.day());
                prop_assert_eq!(Date::parse(&chinese), Ok(date));
            }
        }

        #[test]
        fn serial_text_agrees_with_serial_cells(n in 10_000u32..100_000) {
            prop_assert_eq!(Date::parse(&n.to_string()).ok(), Date::from_excel_serial(f64::from(n)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Date::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_date_like_text(s in "[0-9年月日/.:T -]{0,24}") {
            if let Ok(d) = Date::parse(&s) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
            }
        }
    }
}
