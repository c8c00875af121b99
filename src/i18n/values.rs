//! Why a cell could not be read, in both languages: the texts of
//! [`ValueError`]. Its `Display` is the English here, so a row problem built
//! from it today reads as before, and the records layer can render the same
//! error in Chinese by [`crate::i18n::Msg::Value`]. Any user text quoted has
//! been redacted by the parser (never a whole ID or phone number).

use super::{tr, Lang, Msg};
use crate::values::ValueError;

impl ValueError {
    /// This error as a message of the catalogue, to render in either language.
    pub fn message(&self) -> Msg {
        Msg::Value(self.clone())
    }
}

/// The text of `e` in `lang`.
pub fn text(e: &ValueError, lang: Lang) -> String {
    use ValueError::*;
    match e {
        Empty => tr!(lang, "the value is empty".into(), "值为空".into()),
        NotADate(t) => tr!(
            lang,
            format!("not a date: \"{t}\" (write dates as 2001-03-05)"),
            format!("不是日期：“{t}”（日期请写成 2001-03-05）"),
        ),
        DateWithoutYear(m, d) => {
            // This year's, as the clerk's next date most likely is (an
            // example of 2001 was copied as it stood: attacker review).
            let y = crate::values::Date::today().year();
            tr!(
                lang,
                format!("the date has no year: write it whole, the year first, such as {y}-{m:02}-{d:02} if it is of {y}"),
                format!("日期没有写年份：请写完整，年份在前，例如是 {y} 年的就写 {y}-{m:02}-{d:02}"),
            )
        }
        ImpossibleDate(t) => tr!(
            lang,
            format!("there is no such date: \"{t}\""),
            format!("没有这一天：“{t}”"),
        ),
        DateOutOfRange(y) => tr!(
            lang,
            format!("year {y} is out of range (1900–2200)"),
            format!("年份 {y} 超出范围（1900–2200）"),
        ),
        NegativeMoney => tr!(
            lang,
            "negative amount; amounts must be zero or more".into(),
            "金额为负数；金额须为零或正数".into(),
        ),
        TooManyDecimals => tr!(
            lang,
            "more than two decimals of yuan; the smallest unit is one fen (0.01 yuan)".into(),
            "小数超过两位；最小单位是一分（0.01 元）".into(),
        ),
        NotMoney(t) => tr!(
            lang,
            format!("not an amount of money: \"{t}\"; write it in digits, such as 350 or 1,200.50"),
            format!("不是金额：“{t}”；请用阿拉伯数字写，如 350 或 1,200.50"),
        ),
        MoneyGrouping(t) => tr!(
            lang,
            format!("misplaced thousands separator in \"{t}\"; commas must split the yuan into groups of three digits"),
            format!("“{t}”中的千位分隔符位置不对；逗号须把元的整数部分每三位分开"),
        ),
        SpaceInAmount(t) => tr!(
            lang,
            format!("\"{t}\" has a space between its digits: is it two amounts? Write one amount to a cell, its digits together (1200 or 1,200)"),
            format!("“{t}”的数字中间有空格：是不是两个金额？一格只写一个金额，数字连着写（1200 或 1,200）"),
        ),
        UnitInCell(unit) => tr!(
            lang,
            format!("the column's amounts are in {unit} (its header or the sheet's title says so) and this cell gives a unit of its own; write the number only"),
            format!("该列金额以{unit}为单位（见表头或表格标题），这一格又写了单位；只写数字即可"),
        ),
        NumberLostDigits => tr!(
            lang,
            "the spreadsheet turned this value into a number (scientific notation) and lost its last digits; format the column as text and export again".into(),
            "表格软件把这个值变成了数字（科学计数法），末尾几位已经丢失；请把该列设为文本格式后重新导出".into(),
        ),
        MoneyTooLarge => tr!(
            lang,
            "amount too large (the limit is 1,000,000,000,000.00 yuan)".into(),
            "金额太大（上限为 1,000,000,000,000.00 元）".into(),
        ),
        NotASize(t) => tr!(
            lang,
            format!("not a household size: \"{t}\" (a whole number from 1 to 50)"),
            format!("不是家庭人口数：“{t}”（须为 1 到 50 的整数）"),
        ),
        IdNumberScientific => tr!(
            lang,
            "the spreadsheet turned the ID number into a number (scientific notation); format the column as text and export again".into(),
            "表格把身份证号变成了数字（科学计数法）；请把该列设为文本格式后重新导出".into(),
        ),
        IdNumberChars => tr!(
            lang,
            "an ID number has 17 digits and a check character (a digit or X)".into(),
            "身份证号由 17 位数字和 1 位校验码（数字或 X）组成".into(),
        ),
        IdNumberLength(n) => tr!(
            lang,
            format!("the ID number has {n} characters; it must have 18"),
            format!("身份证号有 {n} 位；应为 18 位"),
        ),
        IdNumberCheckDigit {
            expected,
            found,
            maybe_rounded,
        } => {
            let rounded = tr!(
                lang,
                "; it ends in 000, so Excel may have rounded the number's last digits: format the column as text and export again",
                "；号码以 000 结尾，可能是 Excel 把最后几位四舍五入了：请把该列设为文本格式后重新导出",
            );
            let rounded = if *maybe_rounded { rounded } else { "" };
            tr!(
                lang,
                format!("the ID number's check character is {found} but its digits call for {expected}; a digit may be mistyped{rounded}"),
                format!("身份证号的校验码是 {found}，按前 17 位应为 {expected}；可能有数字录错{rounded}"),
            )
        }
        IdNumberBirthDate => tr!(
            lang,
            "digits 7–14 of the ID number are not a real birth date (between 1900-01-01 and today)".into(),
            "身份证号第 7–14 位不是真实的出生日期（应在 1900-01-01 到今天之间）".into(),
        ),
        IdNumberProvince(p) => tr!(
            lang,
            format!("the ID number starts with {p:02}, which is not a province code (11–82)"),
            format!("身份证号以 {p:02} 开头，不是省级行政区代码（11–82）"),
        ),
        NotAPhone => tr!(
            lang,
            "not a phone number; use only digits, spaces, '-' and one leading '+'".into(),
            "不是电话号码；只能用数字、空格、“-”和开头的一个“+”".into(),
        ),
        PhoneDigits(n) => tr!(
            lang,
            format!("a phone number has 7 to 15 digits, this one has {n}"),
            format!("电话号码应有 7 到 15 位数字，这个有 {n} 位"),
        ),
        PhoneScientific => tr!(
            lang,
            "the spreadsheet turned the phone number into a number (scientific notation); format the column as text and export again".into(),
            "表格把电话号码变成了数字（科学计数法）；请把该列设为文本格式后重新导出".into(),
        ),
        UnknownCategory(t) => tr!(
            lang,
            format!("unknown category \"{t}\"; use one of: ideas (送思想), policy (送政策), technology (送科技), information (送信息), warmth (送温暖), law (送法律), deeds (办好事实事)"),
            format!("不认识的类别“{t}”；请用：送思想、送政策、送科技、送信息、送温暖、送法律、办好事实事"),
        ),
        UnknownStatus(t) => tr!(
            lang,
            format!("unknown status \"{t}\"; use poor (贫困), lifted (已脱贫) or removed (销户)"),
            format!("不认识的状态“{t}”；请用 贫困、已脱贫 或 销户（poor、lifted、removed）"),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One instance of every variant of [`ValueError`]: the match makes a
    /// new variant a compile error here until it has a sample.
    pub(crate) fn samples() -> Vec<ValueError> {
        use ValueError::*;
        let all = vec![
            Empty,
            NotADate("x".into()),
            ImpossibleDate("2001-02-30".into()),
            DateOutOfRange(1850),
            DateWithoutYear(5, 6),
            NegativeMoney,
            TooManyDecimals,
            NotMoney("x".into()),
            MoneyGrouping("1,20".into()),
            SpaceInAmount("300 200".into()),
            UnitInCell("万元"),
            MoneyTooLarge,
            NotASize("x".into()),
            IdNumberScientific,
            NumberLostDigits,
            IdNumberChars,
            IdNumberLength(17),
            IdNumberCheckDigit {
                expected: '1',
                found: '0',
                maybe_rounded: true,
            },
            IdNumberCheckDigit {
                expected: '1',
                found: '0',
                maybe_rounded: false,
            },
            IdNumberBirthDate,
            IdNumberProvince(99),
            NotAPhone,
            PhoneDigits(3),
            PhoneScientific,
            UnknownCategory("x".into()),
            UnknownStatus("x".into()),
        ];
        for e in &all {
            match e {
                Empty
                | NotADate(_)
                | DateWithoutYear(..)
                | ImpossibleDate(_)
                | DateOutOfRange(_)
                | NegativeMoney
                | TooManyDecimals
                | NotMoney(_)
                | MoneyGrouping(_)
                | SpaceInAmount(_)
                | UnitInCell(_)
                | MoneyTooLarge
                | NotASize(_)
                | IdNumberScientific
                | NumberLostDigits
                | IdNumberChars
                | IdNumberLength(_)
                | IdNumberCheckDigit { .. }
                | IdNumberBirthDate
                | IdNumberProvince(_)
                | NotAPhone
                | PhoneDigits(_)
                | PhoneScientific
                | UnknownCategory(_)
                | UnknownStatus(_) => {}
            }
        }
        all
    }

    #[test]
    fn a_value_error_reads_in_chinese() {
        assert_eq!(
            text(&ValueError::IdNumberLength(17), Lang::Zh),
            "身份证号有 17 位；应为 18 位"
        );
        assert_eq!(
            text(&ValueError::NotMoney("abc".into()), Lang::Zh),
            "不是金额：“abc”；请用阿拉伯数字写，如 350 或 1,200.50"
        );
    }

    #[test]
    fn display_is_the_english_text() {
        for e in samples() {
            assert_eq!(e.to_string(), text(&e, Lang::En));
        }
    }
}
