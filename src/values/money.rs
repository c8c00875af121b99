//! Exact money: whole fen (1/100 yuan) in an `i64`, never a float.
//!
//! Reports add up tens of thousands of goods and cash amounts and must
//! print the same total to the fen that a clerk gets on paper, so amounts
//! are parsed digit by digit from the cell text (`¥1,200.50`, `1.2万元`,
//! `RMB 1200`) straight into integers, and printed back without going
//! through floating point either.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};
use std::str::FromStr;

use super::text::{clean, redact, without_whitespace};
use super::ValueError;

/// The unit a money column's amounts are written in, as its header says
/// (`物资（万元）`) or the sheet's title (`单位：万元`): yuan unless one of
/// them says otherwise. An amount in 万元 is read as if written `1.5万`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MoneyUnit {
    #[default]
    Yuan,
    /// 百元.
    Hundred,
    /// 千元 (仟元).
    Thousand,
    /// 万元 (万圆).
    TenThousand,
    /// 十万元 (拾万元).
    HundredThousand,
    /// 百万元.
    Million,
    /// 千万元.
    TenMillion,
    /// 亿元.
    HundredMillion,
}

/// What a header's bracketed part, or a title's `单位：…`, says of the
/// unit of its amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatedUnit {
    /// Money, in this unit.
    Money(MoneyUnit),
    /// A count or measure (`件`, `斤`, `袋`): the column does not hold yuan.
    Other(String),
    /// Text about yuan that is not a unit bangfu reads (`元，超万元另报`):
    /// which unit is meant cannot be told.
    Unclear(String),
    /// No unit (`折价`, `含慰问品`: a description).
    Nothing,
}

/// Each unit, its spellings (folded, without spaces), and its powers of
/// ten over the yuan.
const UNITS: &[(MoneyUnit, &[&str], u32)] = &[
    (
        MoneyUnit::Yuan,
        &[
            "元", "圆", "元/户", "元/人", "元/次", "yuan", "rmb", "cny", "¥", "\u{ffe5}",
        ],
        0,
    ),
    (MoneyUnit::Hundred, &["百元", "佰元"], 2),
    (MoneyUnit::Thousand, &["千元", "仟元"], 3),
    (MoneyUnit::TenThousand, &["万元", "万圆", "万"], 4),
    (MoneyUnit::HundredThousand, &["十万元", "拾万元"], 5),
    (MoneyUnit::Million, &["百万元", "佰万元"], 6),
    (MoneyUnit::TenMillion, &["千万元", "仟万元"], 7),
    (MoneyUnit::HundredMillion, &["亿元"], 8),
];

/// Words before a unit that do not change it: `单位：万元`, `折合万元`,
/// `人民币万元`.
const BEFORE_A_UNIT: &[&str] = &["金额单位", "计量单位", "单位", "折合", "人民币", "折"];

/// Characters of a unit of count or measure in a goods column's header
/// (`物资（件）`, two quilts; `物资（市斤）`): never yuan.
const COUNT_CHARACTERS: &[char] = &[
    '件', '斤', '吨', '袋', '箱', '桶', '瓶', '盒', '床', '套', '台', '头', '只', '张', '块', '克',
];

/// Whole words that are such units (too short to find inside others).
const COUNT_WORDS: &[&str] = &[
    "个", "人", "户", "次", "人次", "份", "份数", "数量", "数", "批", "车", "亩", "升", "米", "条",
    "包", "kg",
];

impl MoneyUnit {
    /// Its powers of ten over the yuan.
    fn scale(self) -> u32 {
        UNITS.iter().find(|u| u.0 == self).map_or(0, |u| u.2)
    }

    /// 元, 千元, 万元, ….
    pub fn name(self) -> &'static str {
        UNITS
            .iter()
            .find(|u| u.0 == self)
            .and_then(|u| u.1.first())
            .copied()
            .unwrap_or("元")
    }

    /// What `text` (a bracketed part of a header, or what follows a
    /// title's `单位：`, folded and without spaces) says of a unit. After
    /// [`BEFORE_A_UNIT`] words, one of the [`UNITS`]' spellings exactly is
    /// that unit; other text with `元` or `圆` is unclear; a unit of count
    /// or measure is not money; anything else is no unit.
    pub fn stated(text: &str) -> StatedUnit {
        let mut t = text.trim_matches([':', '：']);
        while let Some(rest) = BEFORE_A_UNIT.iter().find_map(|w| t.strip_prefix(w)) {
            t = rest.trim_start_matches([':', '：']);
        }
        if let Some(unit) = UNITS.iter().find(|u| u.1.contains(&t)) {
            StatedUnit::Money(unit.0)
        } else if t.contains(['元', '圆']) {
            StatedUnit::Unclear(text.to_string())
        } else if t.contains(COUNT_CHARACTERS) || COUNT_WORDS.contains(&t) {
            StatedUnit::Other(t.to_string())
        } else {
            StatedUnit::Nothing
        }
    }
}

/// An amount of money in fen (1/100 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero yuan.
    pub const ZERO: Fen = Fen(0);
    /// The largest amount [`Fen::parse`] accepts: one trillion (10¹²) yuan.
    /// Far above any real delivery, and low enough that sums of millions of
    /// rows stay far from `i64` overflow.
    pub const MAX: Fen = Fen(100_000_000_000_000);

    /// Reads an amount in yuan. Empty text is zero. Accepts `1200`,
    /// `1,200.5`, `¥1,200.50`, `￥1200`, `1200元`, `RMB 1200`, `CNY 1200`,
    /// `1.2万`, `1.2万元`, `.5`, `5.`; spaces are ignored around the
    /// number (`¥ 1200`, `1200 元`) and full-width forms folded, but digits
    /// split by a space (`300 200`, two amounts in one cell, or `1 200`) are
    /// [`ValueError::SpaceInAmount`], never one number. A lone `-` (how Excel's accounting format
    /// shows zero) is zero, and so is `-0`. Negative amounts (`-50`, `(50)`)
    /// are [`ValueError::NegativeMoney`]; non-zero digits beyond the fen,
    /// after scaling by 万, are [`ValueError::TooManyDecimals`].
    pub fn parse(s: &str) -> Result<Fen, ValueError> {
        Fen::parse_in(s, MoneyUnit::Yuan)
    }

    /// Reads an amount of a column in `unit` ([`Fen::parse`] for yuan):
    /// `1.5` in a 万元 column is 15,000.00 yuan. A cell of such a column
    /// that gives a unit of its own (`1.5万`, `300元`) is
    /// [`ValueError::UnitInCell`]: which unit the clerk meant cannot be
    /// told.
    pub fn parse_in(s: &str, unit: MoneyUnit) -> Result<Fen, ValueError> {
        let cleaned = clean(s);
        if digits_split_by_space(&cleaned) {
            return Err(ValueError::SpaceInAmount(redact(&cleaned)));
        }
        let body = without_whitespace(&cleaned);
        // Clerks mark "none" with a slash, 无 or a dash: an empty cell.
        if body.is_empty() || matches!(&*body, "/" | "无" | "—" | "——" | "–") {
            return Ok(Fen::ZERO);
        }
        let not_money = || ValueError::NotMoney(redact(&cleaned));

        let mut negative = false;
        let mut t = strip_sign(&body, &mut negative);
        t = strip_currency(t);
        t = strip_sign(t, &mut negative);
        let mut scale = unit.scale();
        let mut own_unit = false;
        if let Some(rest) = t.strip_suffix('元') {
            t = rest;
            own_unit = true;
        }
        if let Some(rest) = t.strip_suffix('万') {
            t = rest;
            scale = 4;
            own_unit = true;
        }
        if own_unit && unit != MoneyUnit::Yuan {
            return Err(ValueError::UnitInCell(unit.name()));
        }
        t = strip_sign(t, &mut negative);

        if t.is_empty() {
            // "-" and "¥-" are Excel's accounting-format zero.
            return if negative && body.chars().any(|c| c == '-') {
                Ok(Fen::ZERO)
            } else {
                Err(not_money())
            };
        }
        let fen = parse_number(t, scale, &cleaned)?;
        if negative && fen != 0 {
            return Err(ValueError::NegativeMoney);
        }
        Ok(Fen(fen))
    }

    /// The amount as plain yuan with two decimals and no separators, for
    /// JSON and CSV: `"1200.50"`, `"0.00"`, `"-3.05"`.
    pub fn yuan_string(self) -> String {
        let (sign, yuan, fen) = self.parts();
        format!("{sign}{yuan}.{fen:02}")
    }

    /// The amount with thousands separators and two decimals, for people:
    /// `"71,350.00"`.
    pub fn display(self) -> String {
        let (sign, yuan, fen) = self.parts();
        format!("{sign}{}.{fen:02}", group_thousands(yuan))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    fn parts(self) -> (&'static str, u64, u64) {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        (sign, abs / 100, abs % 100)
    }
}

/// Whether a space stands between two digits of `t`, with nothing but
/// spaces, a sign or the decimal point between them (`300 200`, `1 200`,
/// `12 .5`): the number would be read as one run of digits that the cell
/// does not show.
fn digits_split_by_space(t: &str) -> bool {
    let mut after_digit = false;
    let mut spaced = false;
    for c in t.chars() {
        if c.is_ascii_digit() {
            if after_digit && spaced {
                return true;
            }
            after_digit = true;
            spaced = false;
        } else if c.is_whitespace() {
            spaced = after_digit;
        } else if !matches!(c, '.' | ',') {
            after_digit = false;
            spaced = false;
        }
    }
    false
}

/// Strips one leading sign: `-` or `−` (negative), `+`, or a whole
/// `( … )` wrapping (negative, the accountants' way).
fn strip_sign<'a>(t: &'a str, negative: &mut bool) -> &'a str {
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        *negative = true;
        rest
    } else if let Some(rest) = t.strip_prefix('+') {
        rest
    } else if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        *negative = true;
        inner
    } else {
        t
    }
}

/// Strips a leading `RMB` or `CNY` (any case), then a leading `¥`.
fn strip_currency(t: &str) -> &str {
    let t = match t.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("rmb") || p.eq_ignore_ascii_case("cny") => {
            t.get(3..).unwrap_or("")
        }
        _ => t,
    };
    t.strip_prefix('\u{A5}').unwrap_or(t)
}

/// Reads `digits[,ddd]*[.digits]` in yuan, times 10^scale, as fen.
fn parse_number(t: &str, scale: u32, cleaned: &str) -> Result<i64, ValueError> {
    let not_money = || ValueError::NotMoney(redact(cleaned));
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_money());
    }
    let mut int_digits = String::with_capacity(int_part.len());
    if int_part.contains(',') {
        for (n, group) in int_part.split(',').enumerate() {
            if !group.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_money());
            }
            let ok = if n == 0 {
                (1..=3).contains(&group.len())
            } else {
                group.len() == 3
            };
            if !ok {
                return Err(ValueError::MoneyGrouping(redact(cleaned)));
            }
            int_digits.push_str(group);
        }
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_money());
        }
        int_digits.push_str(int_part);
    }
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(not_money());
    }

    // value = digits × 10^(2 + scale − frac_len) fen
    let all: Vec<u8> = int_digits.bytes().chain(frac_part.bytes()).collect();
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| not_money())?;
    let exponent = 2 + i64::from(scale) - frac_len;
    let kept: &[u8] = if exponent < 0 {
        let drop = usize::try_from(-exponent).map_err(|_| not_money())?;
        let split = all.len().saturating_sub(drop);
        let (kept, dropped) = all.split_at(split);
        if dropped.iter().any(|&b| b != b'0') {
            return Err(ValueError::TooManyDecimals);
        }
        kept
    } else {
        &all
    };
    let mut value: i64 = 0;
    for &b in kept {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(ValueError::MoneyTooLarge)?;
    }
    for _ in 0..exponent.max(0) {
        value = value.checked_mul(10).ok_or(ValueError::MoneyTooLarge)?;
    }
    if value > Fen::MAX.0 {
        return Err(ValueError::MoneyTooLarge);
    }
    Ok(value)
}

/// `1234567` → `"1,234,567"`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl FromStr for Fen {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Fen, ValueError> {
        Fen::parse(s)
    }
}

/// Saturates at the `i64` limits rather than panicking; use
/// [`Fen::checked_add`] where an overflow must be reported.
impl Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, other: Fen) {
        *self = *self + other;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(s: &str) -> i64 {
        match Fen::parse(s) {
            Ok(f) => f.0,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn reads_empty_and_blank_cells_as_zero() {
        assert_eq!(fen(""), 0);
        assert_eq!(fen("   "), 0);
        assert_eq!(fen("\u{3000}"), 0);
        assert_eq!(fen("'"), 0);
    }

    #[test]
    fn reads_whole_yuan() {
        assert_eq!(fen("1200"), 120_000);
        assert_eq!(fen("0"), 0);
        assert_eq!(fen(" 1200 "), 120_000);
        assert_eq!(fen("+1200"), 120_000);
        assert_eq!(fen("'1200"), 120_000);
    }

    #[test]
    fn reads_thousands_separators_and_decimals() {
        assert_eq!(fen("1,200.5"), 120_050);
        assert_eq!(fen("1,234,567.89"), 123_456_789);
        assert_eq!(fen("1200.05"), 120_005);
    }

    #[test]
    fn reads_yen_signs_both_half_and_full_width() {
        assert_eq!(fen("¥1,200.50"), 120_050);
        assert_eq!(fen("￥1200"), 120_000);
        assert_eq!(fen("¥ 1200"), 120_000);
    }

    #[test]
    fn reads_yuan_suffix_and_rmb_or_cny_prefix_in_any_case() {
        assert_eq!(fen("1200元"), 120_000);
        assert_eq!(fen("RMB 1200"), 120_000);
        assert_eq!(fen("rmb1200"), 120_000);
        assert_eq!(fen("CNY 1,200.00"), 120_000);
        assert_eq!(fen("cny 5"), 500);
        assert_eq!(fen("RMB ¥1200元"), 120_000);
    }

    #[test]
    fn reads_wan_as_ten_thousand_exactly() {
        assert_eq!(fen("1.2万"), 1_200_000);
        assert_eq!(fen("1.2万元"), 1_200_000);
        assert_eq!(fen("3万"), 3_000_000);
        assert_eq!(fen("1.234567万"), 1_234_567);
        assert_eq!(fen("0.000001万"), 1);
        assert_eq!(fen("1.23456700万"), 1_234_567);
    }

    #[test]
    fn folds_full_width_digits_commas_and_dots() {
        assert_eq!(fen("１，２００．５０"), 120_050);
        assert_eq!(fen("１２００元"), 120_000);
        assert_eq!(fen("ＲＭＢ１２００"), 120_000);
    }

    #[test]
    fn ignores_spaces_around_the_number() {
        assert_eq!(fen(" ¥ 1,200.50 元 "), 120_050);
        assert_eq!(fen("RMB 1200"), 120_000);
        assert_eq!(fen("1.2 万元"), 1_200_000);
        assert_eq!(fen("- 50".replace('5', "0").as_str()), 0);
    }

    #[test]
    fn reads_a_column_in_wan_or_thousands_of_yuan() {
        let wan = |s: &str| Fen::parse_in(s, MoneyUnit::TenThousand);
        assert_eq!(wan("1.5"), Ok(Fen(1_500_000)));
        assert_eq!(wan("0.03"), Ok(Fen(30_000)));
        assert_eq!(wan("0.000001"), Ok(Fen(1)));
        assert_eq!(wan("0.0000001"), Err(ValueError::TooManyDecimals));
        assert_eq!(wan("¥2"), Ok(Fen(2_000_000)));
        assert_eq!(wan(""), Ok(Fen::ZERO));
        assert_eq!(wan("1.5万"), Err(ValueError::UnitInCell("万元")));
        assert_eq!(wan("300元"), Err(ValueError::UnitInCell("万元")));
        assert_eq!(Fen::parse_in("1.5", MoneyUnit::Thousand), Ok(Fen(150_000)));
        assert_eq!(Fen::parse_in("1.5", MoneyUnit::Hundred), Ok(Fen(15_000)));
        assert_eq!(
            Fen::parse_in("1.5", MoneyUnit::HundredMillion),
            Ok(Fen(15_000_000_000))
        );
        assert_eq!(Fen::parse_in("1.2万", MoneyUnit::Yuan), Ok(Fen(1_200_000)));
    }

    #[test]
    fn tells_the_unit_a_header_or_title_states() {
        use StatedUnit::*;
        for (text, unit) in [
            ("万元", Money(MoneyUnit::TenThousand)),
            ("单位:万元", Money(MoneyUnit::TenThousand)),
            ("人民币万元", Money(MoneyUnit::TenThousand)),
            ("千元", Money(MoneyUnit::Thousand)),
            ("元", Money(MoneyUnit::Yuan)),
            ("单位:元", Money(MoneyUnit::Yuan)),
            ("元/户", Money(MoneyUnit::Yuan)),
            ("rmb", Money(MoneyUnit::Yuan)),
            ("折合万元", Money(MoneyUnit::TenThousand)),
            ("万圆", Money(MoneyUnit::TenThousand)),
            ("仟元", Money(MoneyUnit::Thousand)),
            ("百元", Money(MoneyUnit::Hundred)),
            ("十万元", Money(MoneyUnit::HundredThousand)),
            ("拾万元", Money(MoneyUnit::HundredThousand)),
            ("亿元", Money(MoneyUnit::HundredMillion)),
            ("件", Other("件".into())),
            ("单位:斤", Other("斤".into())),
            ("件数", Other("件数".into())),
            ("市斤", Other("市斤".into())),
            ("元,超万元另报", Unclear("元,超万元另报".into())),
            ("折价", Nothing),
            ("含慰问品", Nothing),
            ("", Nothing),
        ] {
            assert_eq!(MoneyUnit::stated(text), unit, "{text}");
        }
    }

    #[test]
    fn refuses_digits_split_by_a_space() {
        // Two amounts typed into one cell (clerk review 4): read as
        // 300,200.00 before.
        for s in [
            "300 200",
            "12 00",
            "1 200 . 5 0",
            "1\t200",
            "1,200 300",
            "1. 5",
            "1 .5",
        ] {
            assert!(
                matches!(Fen::parse(s), Err(ValueError::SpaceInAmount(_))),
                "{s}: {:?}",
                Fen::parse(s)
            );
        }
    }

    #[test]
    fn accepts_a_missing_integer_or_fraction_part() {
        assert_eq!(fen(".5"), 50);
        assert_eq!(fen("5."), 500);
        assert_eq!(fen("1,200."), 120_000);
    }

    #[test]
    fn accepts_extra_decimals_that_are_zeros() {
        assert_eq!(fen("1200.500"), 120_050);
        assert_eq!(fen("1200.0000000000000000000000"), 120_000);
    }

    #[test]
    fn rejects_non_zero_decimals_beyond_the_fen() {
        assert_eq!(Fen::parse("1200.505"), Err(ValueError::TooManyDecimals));
        assert_eq!(Fen::parse("0.001"), Err(ValueError::TooManyDecimals));
        assert_eq!(Fen::parse("1.2345678万"), Err(ValueError::TooManyDecimals));
    }

    #[test]
    fn rejects_negative_amounts_in_every_spelling() {
        for s in [
            "-50", "(50)", "（50）", "-¥50", "¥-50", "(¥50)", "(50)元", "−50", "- 50", "-0.01",
        ] {
            assert_eq!(Fen::parse(s), Err(ValueError::NegativeMoney), "{s}");
        }
    }

    #[test]
    fn reads_a_lone_dash_or_negative_zero_as_zero() {
        assert_eq!(fen("-"), 0);
        for none in ["/", "／", "无", "—", "——", "–", "－", " / "] {
            assert_eq!(fen(none), 0, "{none:?}");
        }
        assert_eq!(fen("¥ -"), 0);
        assert_eq!(fen("-0"), 0);
        assert_eq!(fen("-0.00"), 0);
    }

    #[test]
    fn rejects_thousands_separators_not_in_groups_of_three() {
        for s in ["1,20", "12,0000", "1234,567", ",200", "1,,200", "1,200,5"] {
            assert!(
                matches!(Fen::parse(s), Err(ValueError::MoneyGrouping(_))),
                "{s}: {:?}",
                Fen::parse(s)
            );
        }
    }

    #[test]
    fn rejects_text_that_is_not_money() {
        for s in [
            "abc",
            ".",
            "1.2.3",
            "1,200.5,0",
            "12a",
            "¥",
            "元",
            "万",
            "()",
            "1e5",
            "$5",
            "--5x",
            "1.200,50",
            "五百",
        ] {
            assert!(
                matches!(Fen::parse(s), Err(ValueError::NotMoney(_))),
                "{s}: {:?}",
                Fen::parse(s)
            );
        }
    }

    #[test]
    fn rejects_huge_amounts_without_panicking() {
        assert_eq!(
            Fen::parse("99999999999999999999999999"),
            Err(ValueError::MoneyTooLarge)
        );
        assert_eq!(
            Fen::parse("1000000000000.01"),
            Err(ValueError::MoneyTooLarge)
        );
        assert_eq!(fen("1000000000000"), Fen::MAX.0);
        assert_eq!(
            Fen::parse("1e300万"),
            Err(ValueError::NotMoney("1e300万".into()))
        );
        assert_eq!(
            Fen::parse("9,999,999,999,999,999,999万"),
            Err(ValueError::MoneyTooLarge)
        );
    }

    #[test]
    fn masks_phone_numbers_typed_into_a_money_column() {
        let e = Fen::parse("138-1234-5678").map(|f| f.0);
        let msg = match e {
            Err(e) => e.to_string(),
            Ok(v) => panic!("parsed {v}"),
        };
        assert!(
            !msg.contains("13812345678") && !msg.contains("1234-5678"),
            "{msg}"
        );
    }

    #[test]
    fn prints_plain_yuan_strings_for_json_and_csv() {
        assert_eq!(Fen(120_050).yuan_string(), "1200.50");
        assert_eq!(Fen(0).yuan_string(), "0.00");
        assert_eq!(Fen(5).yuan_string(), "0.05");
        assert_eq!(Fen(-305).yuan_string(), "-3.05");
        assert_eq!(Fen(7_135_000).yuan_string(), "71350.00");
    }

    #[test]
    fn displays_thousands_separators_and_two_decimals() {
        assert_eq!(Fen(7_135_000).display(), "71,350.00");
        assert_eq!(Fen(7_135_000).to_string(), "71,350.00");
        assert_eq!(Fen(0).display(), "0.00");
        assert_eq!(Fen(99_999).display(), "999.99");
        assert_eq!(Fen(100_000).display(), "1,000.00");
        assert_eq!(Fen(123_456_789_012).display(), "1,234,567,890.12");
        assert_eq!(Fen(-100_000).display(), "-1,000.00");
        assert_eq!(Fen(i64::MIN).display(), "-92,233,720,368,547,758.08");
    }

    #[test]
    fn adds_and_sums_exactly() {
        let parts = ["0.10", "0.20", "0.30"];
        let total: Fen = parts
            .iter()
            .map(|s| Fen::parse(s).unwrap_or_default())
            .sum();
        assert_eq!(total, Fen(60));
        let mut acc = Fen(1);
        acc += Fen(2);
        assert_eq!(acc + Fen(3), Fen(6));
        assert_eq!([Fen(1), Fen(2)].iter().sum::<Fen>(), Fen(3));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(i64::MAX) + Fen(1), Fen(i64::MAX));
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
    }

    #[test]
    fn parses_through_from_str() {
        assert_eq!("1,200.50".parse::<Fen>(), Ok(Fen(120_050)));
    }

    proptest! {
        #[test]
        fn display_then_parse_gives_the_same_amount(n in 0..=Fen::MAX.0) {
            prop_assert_eq!(Fen::parse(&Fen(n).display()), Ok(Fen(n)));
            prop_assert_eq!(Fen::parse(&Fen(n).yuan_string()), Ok(Fen(n)));
        }

        #[test]
        fn wan_scaling_matches_integer_arithmetic(yuan in 0i64..100_000_000, frac in 0i64..10_000) {
            let text = format!("{yuan}.{frac:04}万");
            prop_assert_eq!(Fen::parse(&text), Ok(Fen(yuan * 1_000_000 + frac * 100)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Fen::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_money_like_text(s in "[-+()¥￥RMBrmb元万0-9,.， ．]{0,30}") {
            if let Ok(f) = Fen::parse(&s) {
                prop_assert!(f.0 >= 0 && f <= Fen::MAX);
            }
        }
    }
}
