//! The title lines of a report workbook's sheets (contract §6): what a printed
//! sheet counts — the district, the period and the filters — in the user's
//! language, so that a page handed on is never a table of unknown scope
//! (龙山区 2024年1月1日至2024年12月31日 帮扶情况汇总).
//!
//! The data holds no district name: the clerk gives one (`export --title`),
//! else the place is the township of `--township`, else the townships the
//! deliveries counted come from.

use super::group::Filters;
use super::labels::{Label, Lang};
use super::mask;
use crate::values::Date;

/// What one sheet shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The headline figures.
    Summary,
    /// Totals by one dimension, named by its label.
    By(Label),
    /// Pairings with no delivery for more than this many days.
    Overdue(u32),
}

/// The days a sheet covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Deliveries from the first day to the last (either end open).
    Span(Option<Date>, Option<Date>),
    /// The state of things on one day.
    AsOf(Date),
}

impl Period {
    /// The period of a report: `--from`/`--to` where given, else the days
    /// of the first and last delivery it counts (`span`).
    pub fn of(filters: &Filters, span: Option<(Date, Date)>) -> Period {
        Period::Span(
            filters.from.or(span.map(|s| s.0)),
            filters.to.or(span.map(|s| s.1)),
        )
    }
}

/// The title lines of every sheet of one workbook.
pub struct Titles<'a> {
    pub lang: Lang,
    /// The district, if known (see [`place`]).
    pub place: Option<String>,
    pub filters: &'a Filters,
    pub reveal: bool,
}

/// The place a report covers: the clerk's `title`, else the township (and
/// village) of the filters, else the `townships` its deliveries come from,
/// the first two of them named when there are more than three.
pub fn place(
    title: Option<&str>,
    filters: &Filters,
    townships: &[String],
    lang: Lang,
) -> Option<String> {
    if let Some(title) = title.map(str::trim) {
        return (!title.is_empty()).then(|| title.to_string());
    }
    if let Some(township) = &filters.township {
        return Some(match (&filters.village, lang) {
            (Some(village), Lang::Zh) => format!("{township}{village}"),
            (Some(village), Lang::En) => format!("{village}, {township}"),
            (None, _) => township.clone(),
        });
    }
    let join = |names: &[String]| {
        names.join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        })
    };
    match townships.len() {
        0 => None,
        1..=3 => Some(join(townships)),
        n => {
            let named = join(townships.get(..2).unwrap_or(townships));
            Some(match lang {
                Lang::Zh => format!("{named}等{n}个乡镇"),
                Lang::En => format!("{named} and {} more townships", n - 2),
            })
        }
    }
}

/// A day as a title writes it: `2024年1月1日`, `2024-01-01`.
fn day(date: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
        Lang::En => date.to_string(),
    }
}

fn period_text(period: Period, lang: Lang) -> String {
    let day = |d| day(d, lang);
    match (period, lang) {
        (Period::Span(Some(a), Some(b)), Lang::Zh) => format!("{}至{}", day(a), day(b)),
        (Period::Span(Some(a), Some(b)), Lang::En) => format!("{} to {}", day(a), day(b)),
        (Period::Span(Some(a), None), Lang::Zh) => format!("{}起", day(a)),
        (Period::Span(Some(a), None), Lang::En) => format!("from {}", day(a)),
        (Period::Span(None, Some(b)) | Period::AsOf(b), Lang::Zh) => format!("截至{}", day(b)),
        (Period::Span(None, Some(b)), Lang::En) => format!("up to {}", day(b)),
        (Period::AsOf(b), Lang::En) => format!("as of {}", day(b)),
        (Period::Span(None, None), Lang::Zh) => "无帮扶记录".to_string(),
        (Period::Span(None, None), Lang::En) => "no deliveries".to_string(),
    }
}

fn subject_text(subject: Subject, lang: Lang) -> String {
    match (subject, lang) {
        (Subject::Summary, Lang::Zh) => "帮扶情况汇总".to_string(),
        (Subject::Summary, Lang::En) => "Aid summary".to_string(),
        (Subject::By(label), Lang::Zh) => format!("帮扶情况（按{}）", label.text(lang)),
        (Subject::By(label), Lang::En) => format!("Aid by {}", label.text(lang)),
        (Subject::Overdue(days), Lang::Zh) => format!("超过{days}天未帮扶的结对"),
        (Subject::Overdue(days), Lang::En) => {
            format!("Pairings with no delivery for more than {days} days")
        }
    }
}

impl Titles<'_> {
    /// The two lines above a sheet's table: its title (place, period,
    /// subject), then the filters it honours. ID and phone numbers a
    /// reference quotes are masked unless `reveal`.
    pub fn lines(&self, subject: Subject, period: Period) -> [String; 2] {
        let lang = self.lang;
        let overdue = matches!(subject, Subject::Overdue(_));
        let (period, subject) = (period_text(period, lang), subject_text(subject, lang));
        let title = match (lang, &self.place) {
            (Lang::Zh, Some(place)) => format!("{place} {period} {subject}"),
            (Lang::Zh, None) => format!("{period} {subject}"),
            (Lang::En, Some(place)) => format!("{subject}: {place}, {period}"),
            (Lang::En, None) => format!("{subject}: {period}"),
        };
        let filters = self.filters_line(overdue);
        [title, filters].map(|line| mask::text(&line, self.reveal).into_owned())
    }

    /// `筛选条件：乡镇=工农乡，类别=送温暖`. The overdue list takes the
    /// filters on households and members only, and says so when dates or
    /// a category were given.
    fn filters_line(&self, overdue: bool) -> String {
        let lang = self.lang;
        let f = self.filters;
        let word = |en: &'static str, zh: &'static str| match lang {
            Lang::En => en,
            Lang::Zh => zh,
        };
        let category = f.category.filter(|_| !overdue).map(|c| match lang {
            Lang::En => c.key().to_string(),
            Lang::Zh => c.zh().to_string(),
        });
        let given = [
            (Label::Township.text(lang), f.township.clone()),
            (Label::Village.text(lang), f.village.clone()),
            (Label::Unit.text(lang), f.unit.clone()),
            (word("member", "帮扶人"), f.member.clone()),
            (word("household", "贫困户"), f.household.clone()),
            (Label::Category.text(lang), category),
            (Label::Ledger.text(lang), f.ledger.clone()),
        ];
        let items: Vec<String> = given
            .iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
            .collect();
        let mut line = match (lang, items.is_empty()) {
            (Lang::Zh, true) => "筛选条件：无".to_string(),
            (Lang::En, true) => "Filters: none".to_string(),
            (Lang::Zh, false) => format!("筛选条件：{}", items.join("，")),
            (Lang::En, false) => format!("Filters: {}", items.join(", ")),
        };
        let unused = f.from.is_some() || f.to.is_some() || f.category.is_some();
        if overdue && unused {
            line.push_str(word(
                " (dates and category do not apply to this sheet)",
                "（本表不按日期、类别筛选）",
            ));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::id_number::check_char;
    use crate::values::Category;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn a_title_names_the_place_the_period_and_the_subject() {
        let filters = Filters::default();
        let titles = Titles {
            lang: Lang::Zh,
            place: Some("龙山区".to_string()),
            filters: &filters,
            reveal: false,
        };
        let period = Period::Span(Some(date("2024-01-01")), Some(date("2024-12-31")));
        assert_eq!(
            titles.lines(Subject::Summary, period),
            [
                "龙山区 2024年1月1日至2024年12月31日 帮扶情况汇总".to_string(),
                "筛选条件：无".to_string()
            ]
        );
        let english = Titles {
            lang: Lang::En,
            ..titles
        };
        assert_eq!(
            english.lines(Subject::By(Label::Unit), period)[0],
            "Aid by unit: 龙山区, 2024-01-01 to 2024-12-31"
        );
    }

    #[test]
    fn the_filters_line_lists_what_the_sheet_honours() {
        let first17 = "43010219800101123";
        let id_number = format!("{first17}{}", check_char(first17).unwrap());
        let filters = Filters {
            from: Some(date("2024-01-01")),
            township: Some("工农乡".to_string()),
            household: Some(id_number),
            category: Some(Category::parse("warmth").unwrap()),
            ..Filters::default()
        };
        let titles = Titles {
            lang: Lang::Zh,
            place: None,
            filters: &filters,
            reveal: false,
        };
        let [title, line] = titles.lines(Subject::By(Label::Category), Period::of(&filters, None));
        assert_eq!(title, "2024年1月1日起 帮扶情况（按类别）");
        assert!(
            line.starts_with("筛选条件：乡镇=工农乡，贫困户=4301"),
            "{line}"
        );
        assert!(line.ends_with("，类别=送温暖"), "{line}");
        assert!(!line.contains("198001011"), "masked: {line}");
        let [title, line] = titles.lines(Subject::Overdue(90), Period::AsOf(date("2024-06-30")));
        assert_eq!(title, "截至2024年6月30日 超过90天未帮扶的结对");
        assert!(!line.contains("类别="), "{line}");
        assert!(line.ends_with("（本表不按日期、类别筛选）"), "{line}");
    }

    #[test]
    fn the_place_is_the_title_else_the_township_else_the_townships_covered() {
        let none = Filters::default();
        let towns = |n: usize| -> Vec<String> { (1..=n).map(|i| format!("{i}乡")).collect() };
        assert_eq!(
            place(Some(" 龙山区 "), &none, &towns(2), Lang::Zh).as_deref(),
            Some("龙山区")
        );
        let township = Filters {
            township: Some("工农乡".to_string()),
            ..Filters::default()
        };
        assert_eq!(
            place(None, &township, &towns(2), Lang::Zh).as_deref(),
            Some("工农乡")
        );
        assert_eq!(place(None, &none, &[], Lang::Zh), None);
        assert_eq!(
            place(None, &none, &towns(3), Lang::Zh).as_deref(),
            Some("1乡、2乡、3乡")
        );
        assert_eq!(
            place(None, &none, &towns(10), Lang::Zh).as_deref(),
            Some("1乡、2乡等10个乡镇")
        );
        assert_eq!(
            place(None, &none, &towns(10), Lang::En).as_deref(),
            Some("1乡, 2乡 and 8 more townships")
        );
        assert_eq!(
            place(None, &none, &towns(1), Lang::En).as_deref(),
            Some("1乡")
        );
    }
}
