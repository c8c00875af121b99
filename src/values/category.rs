//! The seven categories of 六送一办 ("six sends and one deed").
//!
//! Every delivery belongs to one of them, reports total by them, and clerks
//! spell them in English keys, full Chinese names or short forms. This
//! module fixes the canonical order (which is also the storage index) and
//! reads every accepted spelling of contract §1.

use std::str::FromStr;

use super::text::{clean, redact, without_whitespace};
use super::ValueError;
use std::borrow::Cow;

/// One of the seven categories, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// 送思想
    Ideas,
    /// 送政策
    Policy,
    /// 送科技
    Technology,
    /// 送信息
    Information,
    /// 送温暖
    Warmth,
    /// 送法律
    Law,
    /// 办好事实事
    Deeds,
}

impl Category {
    /// All seven, in canonical order.
    pub const ALL: [Category; 7] = [
        Category::Ideas,
        Category::Policy,
        Category::Technology,
        Category::Information,
        Category::Warmth,
        Category::Law,
        Category::Deeds,
    ];

    /// The English key: `"ideas"` … `"deeds"`.
    pub fn key(self) -> &'static str {
        match self {
            Category::Ideas => "ideas",
            Category::Policy => "policy",
            Category::Technology => "technology",
            Category::Information => "information",
            Category::Warmth => "warmth",
            Category::Law => "law",
            Category::Deeds => "deeds",
        }
    }

    /// The Chinese name: `"送思想"` … `"办好事实事"`.
    pub fn zh(self) -> &'static str {
        match self {
            Category::Ideas => "送思想",
            Category::Policy => "送政策",
            Category::Technology => "送科技",
            Category::Information => "送信息",
            Category::Warmth => "送温暖",
            Category::Law => "送法律",
            Category::Deeds => "办好事实事",
        }
    }

    /// Other accepted spellings, besides the key and the Chinese name.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Category::Ideas => &["思想"],
            Category::Policy => &["政策"],
            // 送技术: as many townships' sheets spell it (clerk review,
            // session 22); 技术 is technology and nothing else.
            Category::Technology => &["科技", "送技术", "技术"],
            Category::Information => &["信息"],
            Category::Warmth => &["温暖"],
            Category::Law => &["法律"],
            Category::Deeds => &["办好事、实事", "办实事", "办好事", "好事实事"],
        }
    }

    /// The position in canonical order, 0–6, for storage.
    pub fn index(self) -> u8 {
        match self {
            Category::Ideas => 0,
            Category::Policy => 1,
            Category::Technology => 2,
            Category::Information => 3,
            Category::Warmth => 4,
            Category::Law => 5,
            Category::Deeds => 6,
        }
    }

    /// The category at `i` in canonical order.
    pub fn from_index(i: u8) -> Option<Category> {
        Category::ALL.get(usize::from(i)).copied()
    }

    /// Reads a category: folds full-width forms, trims, drops a leading
    /// `'`, removes inner spaces; then the key (any case), the Chinese name,
    /// or an accepted spelling (contract §1).
    pub fn parse(s: &str) -> Result<Category, ValueError> {
        let spelled = |t: &str| {
            Category::ALL
                .into_iter()
                .find(|c| t == c.key() || t == c.zh() || c.aliases().contains(&t))
        };
        let cleaned = clean(s);
        // Every accepted spelling is lowercase without spaces: most cells
        // are one already, and need no normalising.
        if let Some(c) = spelled(&cleaned) {
            return Ok(c);
        }
        let mut t = without_whitespace(&cleaned);
        if t.chars().any(char::is_uppercase) {
            t = Cow::Owned(t.to_lowercase());
        }
        if t.is_empty() {
            return Err(ValueError::Empty);
        }
        spelled(&t).ok_or_else(|| ValueError::UnknownCategory(redact(&cleaned)))
    }
}

impl FromStr for Category {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Category, ValueError> {
        Category::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> Category {
        match Category::parse(s) {
            Ok(c) => c,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn every_spelling_is_already_normalised_so_a_cell_equal_to_one_needs_no_work() {
        for c in Category::ALL {
            for spelling in [c.key(), c.zh()].iter().chain(c.aliases()) {
                let normalised = without_whitespace(spelling).to_lowercase();
                assert_eq!(*spelling, normalised);
                assert_eq!(clean(spelling), *spelling);
                assert_eq!(ok(spelling), c);
            }
        }
    }

    #[test]
    fn keeps_the_canonical_order_of_spec_section_1() {
        let keys: Vec<_> = Category::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(
            keys,
            [
                "ideas",
                "policy",
                "technology",
                "information",
                "warmth",
                "law",
                "deeds"
            ]
        );
        let zh: Vec<_> = Category::ALL.iter().map(|c| c.zh()).collect();
        assert_eq!(
            zh,
            [
                "送思想",
                "送政策",
                "送科技",
                "送信息",
                "送温暖",
                "送法律",
                "办好事实事"
            ]
        );
        let mut sorted = Category::ALL;
        sorted.sort();
        assert_eq!(sorted, Category::ALL);
    }

    #[test]
    fn index_round_trips_for_all_seven() {
        for (i, c) in Category::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(c.index()), i);
            assert_eq!(Category::from_index(c.index()), Some(c));
        }
        assert_eq!(Category::from_index(7), None);
        assert_eq!(Category::from_index(255), None);
    }

    #[test]
    fn reads_keys_in_any_case() {
        for c in Category::ALL {
            assert_eq!(ok(c.key()), c);
            assert_eq!(ok(&c.key().to_uppercase()), c);
        }
        assert_eq!(ok("Warmth"), Category::Warmth);
        assert_eq!(ok(" DEEDS "), Category::Deeds);
    }

    #[test]
    fn reads_chinese_names() {
        for c in Category::ALL {
            assert_eq!(ok(c.zh()), c);
        }
    }

    #[test]
    fn reads_the_short_spellings() {
        assert_eq!(ok("思想"), Category::Ideas);
        assert_eq!(ok("政策"), Category::Policy);
        assert_eq!(ok("科技"), Category::Technology);
        assert_eq!(ok("送技术"), Category::Technology);
        assert_eq!(ok("技术"), Category::Technology);
        assert_eq!(ok("信息"), Category::Information);
        assert_eq!(ok("温暖"), Category::Warmth);
        assert_eq!(ok("法律"), Category::Law);
    }

    #[test]
    fn reads_every_spelling_of_deeds() {
        for s in [
            "办好事实事",
            "办好事、实事",
            "办实事",
            "办好事",
            "好事实事",
            "deeds",
        ] {
            assert_eq!(ok(s), Category::Deeds, "{s}");
        }
    }

    #[test]
    fn folds_full_width_letters_and_removes_inner_spaces() {
        assert_eq!(ok("ｗａｒｍｔｈ"), Category::Warmth);
        assert_eq!(ok("送 温 暖"), Category::Warmth);
        assert_eq!(ok("\u{3000}送温暖\u{3000}"), Category::Warmth);
        assert_eq!(ok("办好事 、 实事"), Category::Deeds);
        assert_eq!(ok("war mth"), Category::Warmth);
    }

    #[test]
    fn rejects_unknown_categories_listing_the_seven() {
        let err = Category::parse("送钱");
        assert_eq!(err, Err(ValueError::UnknownCategory("送钱".into())));
        let msg = err.map(|_| ()).unwrap_err().to_string();
        for c in Category::ALL {
            assert!(msg.contains(c.key()) && msg.contains(c.zh()), "{msg}");
        }
        assert!(matches!(
            Category::parse("送"),
            Err(ValueError::UnknownCategory(_))
        ));
        assert!(matches!(
            Category::parse("idea"),
            Err(ValueError::UnknownCategory(_))
        ));
    }

    #[test]
    fn rejects_an_empty_cell_as_empty() {
        assert_eq!(Category::parse("  "), Err(ValueError::Empty));
    }

    #[test]
    fn masks_a_phone_number_typed_into_the_category_column() {
        let msg = Category::parse("13812345678")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(!msg.contains("13812345678"), "{msg}");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Category::parse(&s);
        }
    }
}
