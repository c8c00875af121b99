//! Checked records: one raw row of a known layout becomes a typed household,
//! member, pairing or delivery, or a list of every problem its cells have.
//! Only what a row says on its own is checked here; references to other
//! records are resolved by the store, which knows what exists.

use crate::i18n::import::ImportMsg;
use crate::i18n::Msg;
use crate::input::headers::{Field, Layout};
use crate::input::RawRow;
use crate::problem::{Column, Problem};
use crate::values::status::back_in_poverty;
use crate::values::text::{clean, clean_text, is_scientific};
use crate::values::{Category, Date, Fen, IdNumber, Phone, Status, ValueError};
use std::borrow::Cow;

/// A problem with one cell (or the whole row), before the file name and
/// line are attached ([`crate::problem::Problem`]); its message is rendered
/// in the language of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub column: Column,
    pub message: Msg,
}

impl CellProblem {
    /// A problem with the cell of `field`.
    pub fn new(field: Field, message: impl Into<Msg>) -> CellProblem {
        CellProblem {
            column: Column::Field(field),
            message: message.into(),
        }
    }

    /// A problem with the row as a whole.
    pub fn row(message: impl Into<Msg>) -> CellProblem {
        CellProblem {
            column: Column::Row,
            message: message.into(),
        }
    }

    /// This problem at `line` of `file`, its column named as the file's
    /// header names it.
    pub fn at(self, file: &str, line: u64, layout: &Layout) -> Problem {
        let header = match self.column {
            Column::Field(field) => layout.header(field),
            Column::Row | Column::File => None,
        };
        Problem::new(file, line, self.column, self.message).with_header(header)
    }
}

pub type Checked<T> = Result<T, Vec<CellProblem>>;

/// Which optional columns a file has, so that a record's empty value is
/// told from a column the file does not have: the stored value of a
/// column the file lacks is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub id_number: bool,
    pub village: bool,
    pub size: bool,
    pub cause: bool,
    pub status: bool,
    pub lifted_on: bool,
    pub phone: bool,
    pub role: bool,
    pub until: bool,
}

impl Columns {
    /// The optional columns of a file with this layout.
    pub fn of(layout: &Layout) -> Columns {
        Columns {
            id_number: layout.has(Field::IdNumber),
            village: layout.has(Field::Village),
            size: layout.has(Field::Size),
            cause: layout.has(Field::Cause),
            status: layout.has(Field::Status),
            lifted_on: layout.has(Field::LiftedOn),
            phone: layout.has(Field::Phone),
            role: layout.has(Field::Role),
            until: layout.has(Field::Until),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub id: String,
    pub head: String,
    pub id_number: Option<IdNumber>,
    pub township: String,
    pub village: Option<String>,
    pub size: Option<i64>,
    pub cause: Option<String>,
    pub status: Status,
    pub lifted_on: Option<Date>,
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub role: Option<String>,
    pub phone: Option<Phone>,
    /// References to the households this member is paired with.
    pub households: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    pub member: String,
    pub household: String,
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// The second columns' references to the member and the household
    /// (`户主` beside `户编号`), to be checked against the first.
    pub seconds: Seconds,
}

/// A row's second references to its member and household, where the file
/// names each in two columns (`帮扶人编号` and `帮扶人`, `户编号` and `户主`):
/// each must name the record the first names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seconds {
    pub member: Option<String>,
    pub household: Option<String>,
}

impl Seconds {
    /// The row's second references, cleaned as references are.
    pub fn of(layout: &Layout, row: &RawRow) -> Seconds {
        let at = |field| {
            let s = clean(layout.second(&row.cells, field));
            (!s.is_empty()).then(|| s.into_owned())
        };
        Seconds {
            member: at(Field::Member),
            household: at(Field::Household),
        }
    }
}

/// A delivery, borrowing its text from the row it was read from: a
/// million-row import copies no cell it does not keep.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<'r> {
    pub id: Option<Cow<'r, str>>,
    pub date: Date,
    pub member: Cow<'r, str>,
    pub household: Cow<'r, str>,
    pub category: Category,
    pub goods: Fen,
    pub cash: Fen,
    pub note: Option<Cow<'r, str>>,
}

/// Reads the cells of one row, gathering every problem.
struct Cells<'l, 'a> {
    layout: &'l Layout,
    row: &'a RawRow,
    problems: Vec<CellProblem>,
}

impl<'l, 'a> Cells<'l, 'a> {
    fn new(layout: &'l Layout, row: &'a RawRow) -> Cells<'l, 'a> {
        Cells {
            layout,
            row,
            problems: Vec::new(),
        }
    }

    /// The cell, trimmed ([`Layout::get`]).
    fn raw(&self, field: Field) -> &'a str {
        self.layout.get(&self.row.cells, field)
    }

    fn problem(&mut self, field: Field, message: impl Into<Msg>) {
        self.problems.push(CellProblem::new(field, message));
    }

    /// Free text ([`clean_text`]), `None` when empty.
    fn text(&self, field: Field) -> Option<String> {
        self.text_ref(field).map(Cow::into_owned)
    }

    fn text_ref(&self, field: Field) -> Option<Cow<'a, str>> {
        let s = clean_text(self.raw(field));
        (!s.is_empty()).then_some(s)
    }

    /// Required free text.
    fn required_text(&mut self, field: Field) -> String {
        match self.text(field) {
            Some(s) => s,
            None => {
                self.problem(field, ImportMsg::Empty);
                String::new()
            }
        }
    }

    /// An id or reference: full-width folded, Excel's `'` dropped.
    fn key(&mut self, field: Field, required: bool) -> Option<String> {
        self.key_ref(field, required).map(Cow::into_owned)
    }

    /// An id or reference, borrowed from the row where it can be. One in
    /// scientific notation (a workbook's number of 16 or more digits, or
    /// Excel's `4.30523E+15` in a text export) has lost digits.
    fn key_ref(&mut self, field: Field, required: bool) -> Option<Cow<'a, str>> {
        let s = clean(self.raw(field));
        if s.is_empty() {
            if required {
                self.problem(field, ImportMsg::Empty);
            }
            None
        } else if is_scientific(&s) {
            self.problem(field, ValueError::NumberLostDigits);
            None
        } else {
            Some(s)
        }
    }

    /// An optional value parsed with `parse`; empty is `None`.
    fn parsed<T>(
        &mut self,
        field: Field,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let s = self.raw(field);
        if s.is_empty() {
            return None;
        }
        match parse(s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(field, e);
                None
            }
        }
    }

    fn finish<T>(self, value: T) -> Checked<T> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(self.problems)
        }
    }
}

/// A problem for each cell of a column the layout reads that holds a
/// control character other than tab and line ends (an escape sequence
/// that would act on a terminal, a NUL): none is kept or printed. One pass
/// over the row's bytes finds none in nearly every row.
pub fn control_characters(layout: &Layout, row: &RawRow) -> Vec<CellProblem> {
    // C0 controls and DEL are single bytes; C1 controls are C2 80–C2 9F.
    // Without a branch per byte, so that the scan runs many bytes a step;
    // the CR that ends a CRLF file's rows is let pass here, a tab or a
    // line break only in the look at each cell.
    let suspect = |b: u8| (b < 0x20) & (b != b'\r') | (b == 0x7F) | (b == 0xC2);
    let bytes = row.cells.as_byte_record().as_slice();
    if !bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | suspect(b)))
    {
        return Vec::new();
    }
    layout
        .kind
        .columns()
        .iter()
        .filter_map(|column| {
            let cell = row.cells.get(layout.position(column.field)?)?;
            let found = cell
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
            Some(CellProblem::new(
                column.field,
                ImportMsg::ControlCharacter {
                    code: u32::from(found),
                },
            ))
        })
        .collect()
}

fn parse_size(s: &str) -> Result<i64, ValueError> {
    let folded = clean(s);
    let digits = folded.strip_suffix('人').unwrap_or(&folded).trim();
    match digits.parse::<i64>() {
        Ok(n) if (1..=50).contains(&n) => Ok(n),
        _ => Err(ValueError::NotASize(crate::values::redact(s.trim()))),
    }
}

/// Check a household row; `today` is the day of the import.
pub fn household(layout: &Layout, row: &RawRow, today: Date) -> Checked<Household> {
    let mut c = Cells::new(layout, row);
    let id = c.key(Field::Id, true).unwrap_or_default();
    let head = c.required_text(Field::Head);
    let id_number = c.parsed(Field::IdNumber, |s| IdNumber::parse(s, today));
    let township = c.required_text(Field::Township);
    let village = c.text(Field::Village);
    let size = c.parsed(Field::Size, parse_size);
    let cause = c.text(Field::Cause);
    let stated = c.parsed(Field::Status, Status::parse);
    let lifted_on = c.parsed(Field::LiftedOn, Date::parse);
    let phone = c.parsed(Field::Phone, Phone::parse);
    if let Some(day) = lifted_on {
        if day > today {
            c.problem(Field::LiftedOn, ImportMsg::LiftedInTheFuture { day });
        }
    }
    let status = match (stated, lifted_on) {
        // 返贫 is poor again after the day it was lifted.
        (Some(Status::Poor), Some(_)) if back_in_poverty(c.raw(Field::Status)) => Status::Poor,
        (Some(Status::Poor), Some(day)) => {
            c.problem(Field::Status, ImportMsg::PoorButLifted { day });
            Status::Poor
        }
        (Some(s), _) => s,
        (None, Some(_)) => Status::Lifted,
        (None, None) => Status::Poor,
    };
    c.finish(Household {
        id,
        head,
        id_number,
        township,
        village,
        size,
        cause,
        status,
        lifted_on,
        phone,
    })
}

/// Split a list of household references: `;` `,` `、` `，` `；` or spaces.
pub fn split_references(s: &str) -> Vec<String> {
    s.split(|c: char| matches!(c, ';' | ',' | '、' | '，' | '；') || c.is_whitespace())
        .map(clean)
        .filter(|r| !r.is_empty())
        .map(Cow::into_owned)
        .collect()
}

/// Check a member row.
pub fn member(layout: &Layout, row: &RawRow) -> Checked<Member> {
    let mut c = Cells::new(layout, row);
    let id = c.key(Field::Id, true).unwrap_or_default();
    let name = c.required_text(Field::Name);
    let unit = c.required_text(Field::Unit);
    let role = c.text(Field::Role);
    let phone = c.parsed(Field::Phone, Phone::parse);
    let households = split_references(c.raw(Field::Households));
    c.finish(Member {
        id,
        name,
        unit,
        role,
        phone,
        households,
    })
}

/// Check a pairing row.
pub fn pairing(layout: &Layout, row: &RawRow) -> Checked<Pairing> {
    let mut c = Cells::new(layout, row);
    let member = c.key(Field::Member, true).unwrap_or_default();
    let household = c.key(Field::Household, true).unwrap_or_default();
    let since = c.parsed(Field::Since, Date::parse);
    let until = c.parsed(Field::Until, Date::parse);
    if let (Some(s), Some(u)) = (since, until) {
        if u < s {
            c.problem(
                Field::Until,
                ImportMsg::EndsBeforeStart { until: u, since: s },
            );
        }
    }
    c.finish(Pairing {
        member,
        household,
        since,
        until,
        seconds: Seconds::of(layout, row),
    })
}

/// Check a delivery row; `today` is the day of the import.
pub fn delivery<'r>(layout: &Layout, row: &'r RawRow, today: Date) -> Checked<Delivery<'r>> {
    let mut c = Cells::new(layout, row);
    let id = c.key_ref(Field::Id, false);
    let date = if c.raw(Field::Date).is_empty() {
        c.problem(Field::Date, ImportMsg::Empty);
        None
    } else {
        c.parsed(Field::Date, Date::parse)
    };
    if let Some(day) = date {
        if day > today {
            c.problem(Field::Date, ImportMsg::AfterImportDay { day, today });
        }
    }
    let member = c.key_ref(Field::Member, true).unwrap_or_default();
    let household = c.key_ref(Field::Household, true).unwrap_or_default();
    let category = if c.raw(Field::Category).is_empty() {
        c.problem(Field::Category, ImportMsg::Empty);
        None
    } else {
        c.parsed(Field::Category, Category::parse)
    };
    let problems = c.problems.len();
    let money = |field: Field| {
        let unit = c.layout.unit(field);
        move |s: &str| Fen::parse_in(s, unit)
    };
    let (goods_in, cash_in, total_in) =
        (money(Field::Goods), money(Field::Cash), money(Field::Total));
    let goods = c.parsed(Field::Goods, goods_in).unwrap_or_default();
    let cash = c.parsed(Field::Cash, cash_in).unwrap_or_default();
    // A row's total is checked against its goods and cash: an amount in the
    // total alone would otherwise be read as nothing.
    let money_read = c.problems.len() == problems;
    if let Some(total) = c.parsed(Field::Total, total_in) {
        if money_read && goods.checked_add(cash) != Some(total) {
            c.problem(
                Field::Total,
                ImportMsg::TotalDisagrees { total, goods, cash },
            );
        }
    }
    let note = c.text_ref(Field::Note);
    match (date, category) {
        (Some(date), Some(category)) => c.finish(Delivery {
            id,
            date,
            member,
            household,
            category,
            goods,
            cash,
            note,
        }),
        _ => Err(c.problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::headers::Kind;
    use csv::StringRecord;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            line: 2,
            pos: 0,
            cells: StringRecord::from(cells.to_vec()),
        }
    }

    fn today() -> Date {
        Date::from_ymd(2026, 1, 1).unwrap()
    }

    fn layout(kind: Kind, headers: &[&str]) -> Layout {
        Layout::new(kind, headers).unwrap()
    }

    fn columns<T: std::fmt::Debug>(checked: Checked<T>) -> Vec<&'static str> {
        checked
            .unwrap_err()
            .iter()
            .map(|p| p.column.key())
            .collect()
    }

    #[test]
    fn reads_a_household_with_every_column() {
        let l = layout(
            Kind::Households,
            &[
                "户编号",
                "户主",
                "乡镇",
                "村",
                "人口",
                "致贫原因",
                "脱贫日期",
                "电话",
            ],
        );
        let h = household(
            &l,
            &row(&[
                "'Ｈ００１",
                " 张三 ",
                "工农乡",
                "红旗村",
                "3",
                "因病",
                "2002-06-01",
                "13812345678",
            ]),
            today(),
        )
        .unwrap();
        assert_eq!(h.id, "H001");
        assert_eq!(h.head, "张三");
        assert_eq!(h.status, Status::Lifted);
        assert_eq!(h.size, Some(3));
    }

    #[test]
    fn gathers_every_problem_of_a_household_row() {
        let l = layout(
            Kind::Households,
            &["id", "head", "township", "size", "phone"],
        );
        let got = columns(household(&l, &row(&["", "", "T", "51", "12"]), today()));
        assert_eq!(got, vec!["id", "head", "size", "phone"]);
    }

    #[test]
    fn rejects_a_poor_status_with_a_lifted_date() {
        let l = layout(
            Kind::Households,
            &["id", "head", "township", "status", "lifted_on"],
        );
        let got = columns(household(
            &l,
            &row(&["H1", "x", "T", "贫困", "2002-01-01"]),
            today(),
        ));
        assert_eq!(got, vec!["status"]);
    }

    #[test]
    fn splits_household_lists_on_every_separator() {
        assert_eq!(
            split_references("H1;H2, H3、H4，H5 H6；'H7"),
            vec!["H1", "H2", "H3", "H4", "H5", "H6", "H7"]
        );
    }

    #[test]
    fn rejects_a_pairing_that_ends_before_it_starts() {
        let l = layout(Kind::Pairings, &["member", "household", "since", "until"]);
        let got = columns(pairing(&l, &row(&["M1", "H1", "2002-01-01", "2001-01-01"])));
        assert_eq!(got, vec!["until"]);
    }

    #[test]
    fn reads_a_delivery_and_treats_empty_money_as_zero() {
        let l = layout(
            Kind::Deliveries,
            &["日期", "帮扶人", "户编号", "类别", "物资(元)", "资金(元)"],
        );
        let today = Date::from_ymd(2026, 1, 1).unwrap();
        let r = row(&["2001年3月5日", "M1", "H1", "温暖", "1.2万", ""]);
        let d = delivery(&l, &r, today).unwrap();
        assert_eq!(d.member, "M1");
        assert_eq!(d.category, Category::Warmth);
        assert_eq!(d.goods, Fen(1_200_000));
        assert_eq!(d.cash, Fen(0));
    }

    #[test]
    fn rejects_a_delivery_dated_after_the_import() {
        let l = layout(
            Kind::Deliveries,
            &["date", "member", "household", "category"],
        );
        let today = Date::from_ymd(2002, 1, 1).unwrap();
        let got = columns(delivery(
            &l,
            &row(&["2002-01-02", "M1", "H1", "law"]),
            today,
        ));
        assert_eq!(got, vec!["date"]);
    }

    #[test]
    fn reports_every_bad_cell_of_a_delivery() {
        let l = layout(
            Kind::Deliveries,
            &["date", "member", "household", "category", "goods", "cash"],
        );
        let today = Date::from_ymd(2026, 1, 1).unwrap();
        let got = columns(delivery(
            &l,
            &row(&["2001-02-30", "", "H1", "送钱", "-5", "1.234"]),
            today,
        ));
        assert_eq!(got, vec!["date", "member", "category", "goods", "cash"]);
    }
}
