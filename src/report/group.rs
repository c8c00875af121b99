//! The one grouping path every totals report goes through: deliveries are
//! scanned once, filtered, and added into as many groupings as the report
//! needs (the rows, a cross-tab's columns and row totals, the grand total),
//! each keyed by the values of its dimensions packed into one integer.
//! Households and members are loaded once into vectors, so a dimension of a
//! household or member costs an index, not a join.

use super::labels::{Label, Lang};
use super::render::Cell;
/// Where the reports have long found it.
pub use super::world::World;
use super::world::{HouseholdState, Interner, MemberState};
use crate::i18n::report::{Named, ReportMsg};
use crate::problem::UsageError;
use crate::store::query::{self, DeliveryFacts};
use crate::store::Db;
use crate::values::nearest::Key;
use crate::values::{Category, Date, Fen, Status};
use clap::ValueEnum;
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Dim {
    #[value(alias = "类别")]
    Category,
    #[value(alias = "单位")]
    Unit,
    #[value(alias = "帮扶人")]
    Member,
    #[value(alias = "贫困户")]
    Household,
    #[value(alias = "乡镇")]
    Township,
    #[value(alias = "村")]
    Village,
    #[value(alias = "致贫原因")]
    Cause,
    #[value(alias = "状态")]
    Status,
    #[value(alias = "年")]
    Year,
    #[value(alias = "季度")]
    Quarter,
    #[value(alias = "月")]
    Month,
}

impl Dim {
    pub fn key(self) -> &'static str {
        match self {
            Dim::Category => "category",
            Dim::Unit => "unit",
            Dim::Member => "member",
            Dim::Household => "household",
            Dim::Township => "township",
            Dim::Village => "village",
            Dim::Cause => "cause",
            Dim::Status => "status",
            Dim::Year => "year",
            Dim::Quarter => "quarter",
            Dim::Month => "month",
        }
    }

    pub(crate) fn label(self) -> Label {
        match self {
            Dim::Category => Label::Category,
            Dim::Unit => Label::Unit,
            Dim::Member => Label::MemberId,
            Dim::Household => Label::HouseholdId,
            Dim::Township => Label::Township,
            Dim::Village => Label::Village,
            Dim::Cause => Label::Cause,
            Dim::Status => Label::Status,
            Dim::Year => Label::Year,
            Dim::Quarter => Label::Quarter,
            Dim::Month => Label::Month,
        }
    }

    /// The columns this dimension shows: (JSON key, human label).
    pub fn columns(self, lang: Lang) -> Vec<(&'static str, &'static str)> {
        match self {
            Dim::Member => vec![
                ("member", Label::MemberId.text(lang)),
                ("member_name", Label::MemberName.text(lang)),
            ],
            Dim::Household => vec![
                ("household", Label::HouseholdId.text(lang)),
                ("head", Label::Head.text(lang)),
            ],
            // A village is known by its township and its name together.
            Dim::Village => vec![
                ("township", Label::Township.text(lang)),
                ("village", Label::Village.text(lang)),
            ],
            d => vec![(d.key(), d.label().text(lang))],
        }
    }
}

/// A measure of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Measure {
    #[value(alias = "次数")]
    Deliveries,
    #[value(alias = "户数")]
    Households,
    #[value(alias = "物资")]
    Goods,
    #[value(alias = "资金")]
    Cash,
    #[default]
    #[value(alias = "合计")]
    Total,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::Deliveries,
        Measure::Households,
        Measure::Goods,
        Measure::Cash,
        Measure::Total,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Measure::Deliveries => "deliveries",
            Measure::Households => "households",
            Measure::Goods => "goods",
            Measure::Cash => "cash",
            Measure::Total => "total",
        }
    }

    pub fn label(self) -> Label {
        match self {
            Measure::Deliveries => Label::Deliveries,
            Measure::Households => Label::HouseholdsReached,
            Measure::Goods => Label::Goods,
            Measure::Cash => Label::Cash,
            Measure::Total => Label::Total,
        }
    }
}

/// Money that adds up past what an `i64` of fen holds (about 92 million
/// billion yuan): an error, never a wrong figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", ReportMsg::MoneyOverflow.text(Lang::En))]
pub struct MoneyOverflow;

/// `a + b`, or [`MoneyOverflow`].
pub fn add_money(a: Fen, b: Fen) -> Result<Fen, MoneyOverflow> {
    a.checked_add(b).ok_or(MoneyOverflow)
}

/// The figures of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub deliveries: i64,
    pub households: i64,
    pub goods: Fen,
    pub cash: Fen,
    /// goods + cash, added with a check when the figures were made.
    total: Fen,
    /// The days of the group's first and last delivery, if it has any.
    pub span: Option<(Date, Date)>,
}

impl Figures {
    /// The figures of a group; its total is goods + cash, checked.
    pub fn new(
        deliveries: i64,
        households: i64,
        goods: Fen,
        cash: Fen,
    ) -> Result<Figures, MoneyOverflow> {
        Ok(Figures {
            deliveries,
            households,
            goods,
            cash,
            total: add_money(goods, cash)?,
            span: None,
        })
    }

    pub fn total(&self) -> Fen {
        self.total
    }

    pub fn cell(&self, measure: Measure) -> Cell {
        match measure {
            Measure::Deliveries => Cell::Int(self.deliveries),
            Measure::Households => Cell::Int(self.households),
            Measure::Goods => Cell::Money(self.goods),
            Measure::Cash => Cell::Money(self.cash),
            Measure::Total => Cell::Money(self.total()),
        }
    }

    /// The number `--sort total` orders by for `measure`.
    fn sort_value(&self, measure: Measure) -> i64 {
        match measure {
            Measure::Deliveries => self.deliveries,
            Measure::Households => self.households,
            Measure::Goods => self.goods.0,
            Measure::Cash => self.cash.0,
            Measure::Total => self.total().0,
        }
    }
}

/// FILTERS as the user gave them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub township: Option<String>,
    pub village: Option<String>,
    pub unit: Option<String>,
    pub member: Option<String>,
    pub household: Option<String>,
    pub category: Option<Category>,
    /// Only the records this ledger holds (contract §8).
    pub ledger: Option<String>,
    /// `township` is the login's own (a server's role held to one
    /// township, contract §11), not a name the user typed: a township no
    /// household has yet selects nothing (a report of zeros), instead of
    /// being an unknown name.
    pub township_of_login: bool,
}

impl Filters {
    /// No filter at all.
    pub fn is_empty(&self) -> bool {
        let Filters {
            from,
            to,
            township,
            village,
            unit,
            member,
            household,
            category,
            ledger,
            township_of_login: _,
        } = self;
        ledger.is_none()
            && from.is_none()
            && to.is_none()
            && township.is_none()
            && village.is_none()
            && unit.is_none()
            && member.is_none()
            && household.is_none()
            && category.is_none()
    }
}

/// Day number → month number (year × 12 + month − 1), remembered per day:
/// a million deliveries fall on a few thousand days.
#[derive(Default)]
struct Months {
    first: i32,
    cache: Vec<u32>,
}

impl Months {
    fn of(&mut self, day: i32) -> u32 {
        let compute = |day: i32| {
            Date::from_days(day).map_or(0, |d| d.year().max(0) as u32 * 12 + d.month() - 1)
        };
        if self.cache.is_empty() {
            self.first = day.saturating_sub(366 * 20);
        }
        let Some(offset) = day
            .checked_sub(self.first)
            .and_then(|o| usize::try_from(o).ok())
        else {
            return compute(day);
        };
        if offset >= 366 * 200 {
            return compute(day);
        }
        if offset >= self.cache.len() {
            self.cache.resize(offset + 1, u32::MAX);
        }
        if self.cache[offset] == u32::MAX {
            self.cache[offset] = compute(day);
        }
        self.cache[offset]
    }
}

/// The distinct households of a group: a short list while there are few,
/// then a bitset over all households.
enum Distinct {
    Few(Vec<u32>),
    Many { bits: Vec<u64>, count: u32 },
}

impl Default for Distinct {
    fn default() -> Distinct {
        Distinct::Few(Vec::new())
    }
}

impl Distinct {
    const FEW: usize = 32;

    fn insert(&mut self, h: u32, households: usize) {
        match self {
            Distinct::Few(list) => {
                if list.contains(&h) {
                    return;
                }
                if list.len() < Self::FEW {
                    list.push(h);
                    return;
                }
                let mut bits = vec![0u64; households.div_ceil(64).max(1)];
                let mut count = 0;
                for &x in list.iter().chain([&h]) {
                    if let Some(word) = bits.get_mut(x as usize / 64) {
                        *word |= 1 << (x % 64);
                        count += 1;
                    }
                }
                *self = Distinct::Many { bits, count };
            }
            Distinct::Many { bits, count } => {
                if let Some(word) = bits.get_mut(h as usize / 64) {
                    let bit = 1 << (h % 64);
                    if *word & bit == 0 {
                        *word |= bit;
                        *count += 1;
                    }
                }
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Distinct::Few(list) => list.len(),
            Distinct::Many { count, .. } => *count as usize,
        }
    }
}

/// One delivery with its records' indexes and their dated fields on its day.
struct Seen<'a> {
    d: &'a DeliveryFacts,
    h: u32,
    m: u32,
    household: HouseholdState,
    member: MemberState,
}

impl World {
    /// The value of `dim` for one delivery, as a small integer.
    fn value(&self, dim: Dim, seen: &Seen<'_>, months: &mut Months) -> u32 {
        let Seen { d, h, m, .. } = *seen;
        match dim {
            Dim::Category => u32::from(d.category),
            Dim::Unit => seen.member.unit,
            Dim::Member => m,
            Dim::Household => h,
            Dim::Township => seen.household.township,
            Dim::Village => seen.household.place,
            Dim::Cause => self.household_cause.get(h as usize).copied().unwrap_or(0),
            // A household off the roster on the day (销户 by its status,
            // or dropped by a `--replace` of its ledger) is removed, as
            // summary counts it (review 4, F7).
            Dim::Status if seen.household.removed => u32::from(Status::Removed.index()),
            Dim::Status => u32::from(seen.household.status),
            Dim::Year | Dim::Quarter | Dim::Month => {
                let month = months.of(d.day);
                match dim {
                    Dim::Year => month / 12,
                    Dim::Quarter => month / 12 * 4 + month % 12 / 3,
                    _ => month,
                }
            }
        }
    }

    /// A village's township and name.
    fn place(&self, value: u32) -> (u32, u32) {
        self.places.get(value as usize).copied().unwrap_or((0, 0))
    }

    /// How a value of `dim` orders: categories canonically, periods in
    /// time, names in pinyin order (villages by township, then name),
    /// members and households by id.
    fn compare(&self, dim: Dim, a: u32, b: u32) -> Ordering {
        match dim {
            Dim::Unit => self.units.compare(a, b),
            Dim::Township => self.townships.compare(a, b),
            Dim::Village => {
                let ((ta, va), (tb, vb)) = (self.place(a), self.place(b));
                self.townships
                    .compare(ta, tb)
                    .then_with(|| self.villages.compare(va, vb))
            }
            Dim::Cause => self.causes.compare(a, b),
            // Members and households are loaded in id order.
            _ => a.cmp(&b),
        }
    }

    /// The cells that show one value of `dim` (two for member and household).
    pub fn cells(&self, dim: Dim, value: u32, lang: Lang) -> Vec<Cell> {
        let text = |s: &str| {
            if s.is_empty() {
                Cell::text(Label::Blank.text(lang))
            } else {
                Cell::text(s)
            }
        };
        match dim {
            Dim::Category => {
                let c = Category::from_index(value as u8);
                vec![Cell::text(c.map_or("?", |c| match lang {
                    Lang::En => c.key(),
                    Lang::Zh => c.zh(),
                }))]
            }
            Dim::Unit => vec![text(self.units.name(value))],
            Dim::Township => vec![text(self.townships.name(value))],
            Dim::Village => {
                let (township, village) = self.place(value);
                vec![
                    text(self.townships.name(township)),
                    text(self.villages.name(village)),
                ]
            }
            Dim::Cause => vec![text(self.causes.name(value))],
            Dim::Member => match self.members.get(value as usize) {
                Some(m) => vec![Cell::text(m.id.clone()), Cell::text(m.name.clone())],
                None => vec![Cell::Null, Cell::Null],
            },
            Dim::Household => match self.households.get(value as usize) {
                Some(h) => vec![Cell::text(h.id.clone()), Cell::text(h.head.clone())],
                None => vec![Cell::Null, Cell::Null],
            },
            Dim::Status => vec![Cell::text(Label::of_status(status_of(value)).text(lang))],
            Dim::Year => vec![Cell::text(value.to_string())],
            Dim::Quarter => vec![Cell::text(format!("{}-Q{}", value / 4, value % 4 + 1))],
            Dim::Month => vec![Cell::text(format!("{}-{:02}", value / 12, value % 12 + 1))],
        }
    }

    /// The JSON values of one value of `dim` (contract §5 group keys).
    pub fn json(&self, dim: Dim, value: u32) -> Vec<(&'static str, serde_json::Value)> {
        match dim {
            Dim::Category => vec![(
                "category",
                Category::from_index(value as u8)
                    .map_or("?", Category::key)
                    .into(),
            )],
            Dim::Status => vec![("status", status_of(value).key().into())],
            Dim::Unit => vec![("unit", self.units.name(value).into())],
            Dim::Township => vec![("township", self.townships.name(value).into())],
            // A household without a village or cause: null, as elsewhere.
            Dim::Village => {
                let (township, village) = self.place(value);
                vec![
                    ("village", optional(self.villages.name(village))),
                    ("township", self.townships.name(township).into()),
                ]
            }
            Dim::Cause => vec![("cause", optional(self.causes.name(value)))],
            Dim::Member => {
                let m = self.members.get(value as usize);
                vec![
                    ("member", m.map_or("", |m| m.id.as_str()).into()),
                    ("member_name", m.map_or("", |m| m.name.as_str()).into()),
                ]
            }
            Dim::Household => {
                let h = self.households.get(value as usize);
                vec![
                    ("household", h.map_or("", |h| h.id.as_str()).into()),
                    ("head", h.map_or("", |h| h.head.as_str()).into()),
                ]
            }
            Dim::Year | Dim::Quarter | Dim::Month => {
                let cells = self.cells(dim, value, Lang::En);
                let text = cells.first().map(Cell::human).unwrap_or_default();
                vec![(dim.key(), text.into())]
            }
        }
    }
}

/// The status a `Dim::Status` value stands for.
fn status_of(value: u32) -> Status {
    u8::try_from(value)
        .ok()
        .and_then(Status::from_index)
        .unwrap_or(Status::Poor)
}

fn optional(text: &str) -> serde_json::Value {
    if text.is_empty() {
        serde_json::Value::Null
    } else {
        text.into()
    }
}

/// Filters resolved against the loaded records.
pub struct Resolved {
    from: i32,
    to: i32,
    township: Option<u32>,
    village: Option<u32>,
    unit: Option<u32>,
    member: Option<u32>,
    household: Option<u32>,
    category: Option<u8>,
    /// The ledger's key.
    ledger: Option<i64>,
    /// The households and members that ledger holds, once loaded
    /// ([`Resolved::load_holds`]).
    held_households: Option<query::Held>,
    held_members: Option<query::Held>,
}

fn resolve_text(
    interner: &Interner,
    value: &Option<String>,
    what: Named,
) -> Result<Option<u32>, UsageError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim();
    let clean = crate::values::text::clean;
    let found = interner.ids.get(value).copied().or_else(|| {
        let wanted = clean(value);
        interner
            .names
            .iter()
            .position(|n| clean(n) == wanted)
            .map(|i| i as u32)
    });
    match found {
        Some(id) => Ok(Some(id)),
        None if interner.names.iter().all(String::is_empty) => {
            Err(UsageError::said(ReportMsg::NoNamesYet {
                what,
                value: value.to_string(),
            }))
        }
        None => Err(UsageError::said(no_such_name(what, value, &interner.names))),
    }
}

/// "No township (village, unit) is named VALUE", with the near names of
/// `names` suggested ("did you mean"), else the first of them in pinyin
/// order: for a report's filter, and for `grant --township`.
pub fn no_such_name(what: Named, value: &str, names: &[String]) -> ReportMsg {
    let mut known: Vec<&String> = names.iter().filter(|s| !s.is_empty()).collect();
    known.sort_unstable_by(|a, b| super::collate::compare(a, b));
    let clean = crate::values::text::clean;
    let near =
        crate::values::nearest::nearest(known.iter().copied(), &clean(value), |n| [Key::Name(n)]);
    let all = known.len();
    ReportMsg::NoSuchName {
        what,
        value: value.to_string(),
        near: near.into_iter().cloned().collect(),
        known: known.into_iter().take(20).cloned().collect(),
        all,
    }
}

impl Resolved {
    /// The scan of the deliveries these filters select (those of their
    /// dates, member, household and category; the caller tests the rest
    /// with [`Resolved::delivery_ok`]).
    pub fn scan(&self, world: &World) -> query::Scan {
        query::Scan {
            from: self.from,
            to: self.to,
            member: self
                .member
                .and_then(|m| world.members.get(m as usize))
                .map(|m| m.key),
            household: self
                .household
                .and_then(|h| world.households.get(h as usize))
                .map(|h| h.key),
            category: self.category,
            ledger: self.ledger,
        }
    }

    /// Whether a delivery passes every filter: its category, its day, and
    /// its household and member as they were that day.
    fn delivery_ok(&self, seen: &Seen<'_>) -> bool {
        self.category.is_none_or(|c| c == seen.d.category)
            && (self.from..=self.to).contains(&seen.d.day)
            && self.household_fits(seen.h, &seen.household)
            && self.member_fits(seen.m, &seen.member)
    }

    /// Whether the member and household of database keys `member` and
    /// `household` pass the filters on records as they were on `day` (a
    /// key of no record does: the report shows it as it is).
    pub fn records_ok(&self, world: &World, member: i64, household: i64, day: i32) -> bool {
        world
            .member_index(member)
            .is_none_or(|m| self.member_ok(world, m, day))
            && world
                .household_index(household)
                .is_none_or(|h| self.household_ok(world, h, day))
    }

    /// Whether a pairing from `since` to `until` (day numbers) overlaps
    /// the period of `--from` and `--to`.
    pub fn period_overlaps(&self, since: Option<i32>, until: Option<i32>) -> bool {
        since.is_none_or(|s| s <= self.to) && until.is_none_or(|u| u >= self.from)
    }

    /// Whether any filter on households is set.
    pub fn on_households(&self) -> bool {
        self.township.is_some() || self.village.is_some() || self.household.is_some()
    }

    /// Whether any filter on members is set.
    pub fn on_members(&self) -> bool {
        self.unit.is_some() || self.member.is_some()
    }

    /// Whether the household at index `h` passes the household filters as
    /// it was on `day`.
    pub fn household_ok(&self, world: &World, h: u32, day: i32) -> bool {
        match world.household_on(h, day) {
            Some(state) => self.household_fits(h, &state),
            None => !self.on_households(),
        }
    }

    fn household_fits(&self, h: u32, state: &HouseholdState) -> bool {
        !(self.household.is_some_and(|x| x != h)
            || self.township.is_some_and(|x| state.township != x)
            || self.village.is_some_and(|x| state.village != x))
    }

    /// Whether the member at index `m` passes the member filters as they
    /// were on `day`.
    pub fn member_ok(&self, world: &World, m: u32, day: i32) -> bool {
        match world.member_on(m, day) {
            Some(state) => self.member_fits(m, &state),
            None => !self.on_members(),
        }
    }

    fn member_fits(&self, m: u32, state: &MemberState) -> bool {
        !(self.member.is_some_and(|x| x != m) || self.unit.is_some_and(|x| state.unit != x))
    }

    /// The key of the ledger `--ledger` names.
    pub fn ledger(&self) -> Option<i64> {
        self.ledger
    }

    /// Read which households and members `--ledger`'s ledger holds, for
    /// [`Resolved::household_held`] and [`Resolved::member_held`].
    pub fn load_holds(&mut self, db: Db<'_>) -> crate::store::sql::Result<()> {
        if let Some(ledger) = self.ledger {
            self.held_households = Some(query::held(db, 0, ledger)?);
            self.held_members = Some(query::held(db, 1, ledger)?);
        }
        Ok(())
    }

    /// Whether `--ledger`'s ledger holds the household at index `h` (any
    /// household, without `--ledger`).
    pub fn household_held(&self, world: &World, h: u32) -> bool {
        held(
            &self.held_households,
            world.households.get(h as usize).map(|x| x.key),
        )
    }

    /// Whether `--ledger`'s ledger holds the member at index `m`.
    pub fn member_held(&self, world: &World, m: u32) -> bool {
        held(
            &self.held_members,
            world.members.get(m as usize).map(|x| x.key),
        )
    }
}

fn held(held: &Option<query::Held>, key: Option<i64>) -> bool {
    match held {
        None => true,
        Some(held) => key.is_some_and(|k| held.contains(k)),
    }
}

impl World {
    /// Resolve FILTERS against the records; unknown names are usage errors.
    pub fn resolve(&self, f: &Filters) -> Result<Resolved, UsageError> {
        Ok(Resolved {
            from: f.from.map_or(i32::MIN, Date::days),
            to: f.to.map_or(i32::MAX, Date::days),
            township: match resolve_text(&self.townships, &f.township, Named::Township) {
                Err(_) if f.township_of_login => Some(u32::MAX),
                resolved => resolved?,
            },
            village: resolve_text(&self.villages, &f.village, Named::Village)?,
            unit: resolve_text(&self.units, &f.unit, Named::Unit)?,
            member: match &f.member {
                None => None,
                Some(r) => self.member_index(self.find_member(r)?.key),
            },
            household: match &f.household {
                None => None,
                Some(r) => self.household_index(self.find_household(r)?.key),
            },
            category: f.category.map(Category::index),
            ledger: resolve_text(&self.ledgers, &f.ledger, Named::Ledger)?
                .and_then(|id| self.ledger_keys.get(id as usize).copied()),
            held_households: None,
            held_members: None,
        })
    }
}

/// The groups of one list of dimensions, in key order.
#[derive(Debug, Clone)]
pub struct Grouping {
    pub dims: Vec<Dim>,
    pub groups: Vec<(Vec<u32>, Figures)>,
}

impl Grouping {
    /// The one group of an empty dimension list: the grand total.
    pub fn grand(&self) -> Figures {
        self.groups.first().map(|g| g.1).unwrap_or_default()
    }
}

#[derive(Default)]
struct Acc {
    deliveries: i64,
    goods: Fen,
    cash: Fen,
    households: Distinct,
    /// The first and last day added (meaningless while `deliveries` is 0).
    first: i32,
    last: i32,
}

/// Bits of a grouping key for each dimension's value.
const BITS: u32 = 21;
/// The values one dimension can have in a grouping key.
const VALUES: u32 = 1 << BITS;
/// At most this many dimensions in one grouping (they share a 128-bit key).
pub const MAX_DIMS: usize = 6;

/// Where the grouping reads deliveries from.
#[derive(Clone, Copy)]
pub enum Feed<'a> {
    /// One scan of the stored deliveries.
    Scan(Db<'a>),
    /// Deliveries already read (a record card reads its own once).
    Facts(&'a [DeliveryFacts]),
}

/// A dimension with more values than a grouping key holds for it: an
/// error, never two groups silently added into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.too_many_values().text(Lang::En))]
pub struct TooManyValues(pub Dim);

impl Dim {
    /// Why a grouping by this dimension failed: [`TooManyValues`].
    pub(crate) fn too_many_values(self) -> ReportMsg {
        ReportMsg::TooManyValues {
            dim: self,
            max: VALUES,
        }
    }
}

/// `key` with one more dimension's value packed in below it; a value too
/// large for its bits is an error, not cut (which would add two groups into
/// one).
fn pack(key: u128, dim: Dim, value: u32) -> Result<u128, TooManyValues> {
    if value >= VALUES {
        return Err(TooManyValues(dim));
    }
    Ok((key << BITS) | u128::from(value))
}

/// Read the deliveries once and add each that passes `filters` into every
/// grouping of `lists`.
pub fn group(
    feed: Feed<'_>,
    world: &World,
    filters: &Filters,
    lists: &[Vec<Dim>],
) -> anyhow::Result<Vec<Grouping>> {
    if let Some(long) = lists.iter().find(|l| l.len() > MAX_DIMS) {
        return Err(UsageError::said(ReportMsg::TooManyDimensions {
            max: MAX_DIMS,
            given: long.len(),
        })
        .into());
    }
    let f = world.resolve(filters)?;
    let mut maps: Vec<HashMap<u128, Acc>> = lists.iter().map(|_| HashMap::default()).collect();
    let mut months = Months::default();
    let households = world.households.len();
    let scan = f.scan(world);
    let dims = || lists.iter().flatten();
    let dated = (
        f.township.is_some()
            || f.village.is_some()
            || dims().any(|d| matches!(d, Dim::Township | Dim::Village | Dim::Status)),
        f.unit.is_some() || dims().any(|d| *d == Dim::Unit),
    );
    // Why a delivery could not be added into its group, if one could not.
    let mut failed: Option<anyhow::Error> = None;
    let add = |d: DeliveryFacts| {
        let (Some(h), Some(m)) = (
            world.household_index(d.household),
            world.member_index(d.member),
        ) else {
            return;
        };
        // Dated fields are looked up only when a dimension or filter reads them.
        let household = match dated.0 {
            true => world.household_on(h, d.day),
            false => Some(HouseholdState::default()),
        };
        let member = match dated.1 {
            true => world.member_on(m, d.day),
            false => Some(MemberState::default()),
        };
        let (Some(household), Some(member)) = (household, member) else {
            return;
        };
        let seen = Seen {
            d: &d,
            h,
            m,
            household,
            member,
        };
        if failed.is_some() || !f.delivery_ok(&seen) {
            return;
        }
        for (dims, map) in lists.iter().zip(maps.iter_mut()) {
            let mut key: u128 = 0;
            for dim in dims {
                let value = world.value(*dim, &seen, &mut months);
                match pack(key, *dim, value) {
                    Ok(packed) => key = packed,
                    Err(e) => {
                        failed = Some(e.into());
                        return;
                    }
                }
            }
            let acc = map.entry(key).or_default();
            let (Some(goods), Some(cash)) = (
                acc.goods.checked_add(Fen(d.goods)),
                acc.cash.checked_add(Fen(d.cash)),
            ) else {
                failed = Some(MoneyOverflow.into());
                return;
            };
            if acc.deliveries == 0 {
                (acc.first, acc.last) = (d.day, d.day);
            } else {
                acc.first = acc.first.min(d.day);
                acc.last = acc.last.max(d.day);
            }
            acc.deliveries += 1;
            acc.goods = goods;
            acc.cash = cash;
            acc.households.insert(h, households);
        }
    };
    match feed {
        Feed::Scan(conn) => query::scan_deliveries(conn, &scan, add)?,
        Feed::Facts(list) => list.iter().copied().for_each(add),
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let mut out = Vec::with_capacity(lists.len());
    for (dims, map) in lists.iter().zip(maps) {
        let mut groups: Vec<(Vec<u32>, Figures)> = map
            .into_iter()
            .map(|(key, acc)| {
                let values = (0..dims.len())
                    .rev()
                    .map(|i| ((key >> (BITS * i as u32)) & u128::from(VALUES - 1)) as u32)
                    .collect();
                let figures = Figures {
                    span: (acc.deliveries > 0)
                        .then(|| Date::from_days(acc.first).zip(Date::from_days(acc.last)))
                        .flatten(),
                    ..Figures::new(
                        acc.deliveries,
                        acc.households.len() as i64,
                        acc.goods,
                        acc.cash,
                    )?
                };
                Ok((values, figures))
            })
            .collect::<Result<_, MoneyOverflow>>()?;
        groups.sort_by(|a, b| world.compare_keys(dims, &a.0, &b.0));
        out.push(Grouping {
            dims: dims.clone(),
            groups,
        });
    }
    Ok(out)
}

impl World {
    pub fn compare_keys(&self, dims: &[Dim], a: &[u32], b: &[u32]) -> Ordering {
        for ((dim, x), y) in dims.iter().zip(a).zip(b) {
            let o = self.compare(*dim, *x, *y);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

/// Order groups by `measure`, largest first (ties in key order): the money
/// total for a plain table, the cross-tab's measure for a cross-tab.
pub fn sort_by_total(world: &World, grouping: &mut Grouping, measure: Measure) {
    let dims = grouping.dims.clone();
    grouping.groups.sort_by(|a, b| {
        b.1.sort_value(measure)
            .cmp(&a.1.sort_value(measure))
            .then_with(|| world.compare_keys(&dims, &a.0, &b.0))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_too_large_for_its_bits_is_an_error_not_a_merge() {
        let key = pack(0, Dim::Household, VALUES - 1).unwrap();
        let key = pack(key, Dim::Month, 5).unwrap();
        assert_eq!(key, (u128::from(VALUES - 1) << BITS) | 5);
        assert_eq!(
            pack(key, Dim::Household, VALUES),
            Err(TooManyValues(Dim::Household))
        );
        assert_eq!(
            TooManyValues(Dim::Household).to_string(),
            "too many values of household to group by (more than 2097152)"
        );
        // Six dimensions of 21 bits fill no more than the 128-bit key.
        let mut key = 0;
        for _ in 0..MAX_DIMS {
            key = pack(key, Dim::Member, VALUES - 1).unwrap();
        }
        assert_eq!(key.count_ones(), BITS * MAX_DIMS as u32);
    }

    #[test]
    fn checked_figures_refuse_a_total_past_the_limit() {
        let half = Fen(i64::MAX / 2 + 1);
        assert_eq!(Figures::new(1, 1, half, half), Err(MoneyOverflow));
        let ok = Figures::new(2, 1, Fen(100), Fen(50)).unwrap();
        assert_eq!(ok.total(), Fen(150));
    }
}
