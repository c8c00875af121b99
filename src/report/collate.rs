//! The order of names in reports: Chinese text sorts by pinyin, as Chinese
//! spreadsheet software (Excel, WPS) sorts it, so that 白仓镇 comes before
//! 塘渡口镇 and 区委 before 县委 — not by code point, which puts them in
//! the order of the Unicode tables.
//!
//! Each character is one element: non-Chinese characters (digits, Latin
//! letters, punctuation) come first, in code-point order; Chinese
//! characters by their toneless pinyin, then by tone (1–4, neutral last),
//! then by code point (two characters of one reading, such as 张 and 章, are
//! still told apart, as CLDR's zh collation tells them apart). A string that
//! is a prefix of another comes first. Readings come from the `pinyin`
//! crate's most common reading of each character.

use pinyin::ToPinyin;
use std::cmp::Ordering;

/// One character as it sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Element {
    /// Anything without a pinyin reading, in code-point order.
    Other(char),
    /// A Chinese character: toneless pinyin, tone (5 = neutral), itself.
    Han(&'static str, u8, char),
}

fn element(c: char) -> Element {
    match c.to_pinyin() {
        Some(p) => {
            let tone = p
                .with_tone_num_end()
                .chars()
                .last()
                .and_then(|t| t.to_digit(10))
                .map_or(5, |t| t as u8);
            Element::Han(p.plain(), tone, c)
        }
        None => Element::Other(c),
    }
}

/// `a` against `b` in pinyin order.
pub fn compare(a: &str, b: &str) -> Ordering {
    a.chars().map(element).cmp(b.chars().map(element))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| compare(a, b));
        v
    }

    #[test]
    fn chinese_names_sort_by_pinyin() {
        assert_eq!(
            sorted(&["塘渡口镇", "白仓镇", "黄桥镇", "岩口镇"]),
            ["白仓镇", "黄桥镇", "塘渡口镇", "岩口镇"]
        );
        assert_eq!(
            sorted(&["县委", "区委", "区财政局"]),
            ["区财政局", "区委", "县委"]
        );
    }

    #[test]
    fn latin_and_digits_come_before_chinese_and_prefixes_first() {
        assert_eq!(
            sorted(&["中国", "abc", "中", "1组"]),
            ["1组", "abc", "中", "中国"]
        );
    }

    #[test]
    fn one_reading_is_told_apart_by_tone_then_code_point() {
        // 妈 mā, 麻 má, 马 mǎ, 骂 mà.
        assert_eq!(sorted(&["骂", "马", "麻", "妈"]), ["妈", "麻", "马", "骂"]);
        assert_eq!(compare("张三", "章三"), '张'.cmp(&'章'));
        assert_eq!(compare("张三", "张三"), Ordering::Equal);
    }
}
