//! Matching a file's header row to the columns of contract §2: which kind of
//! record the file holds, and which cell of each row holds which field.
//! Headers are compared after [`normalize_header`]: trimmed, full-width
//! folded, bracketed parts dropped, spaces and case ignored. Each column's
//! own name (`id`, `head`, …) is accepted as well as its Chinese spellings.

use crate::i18n::import::ImportMsg;
use crate::values::money::{MoneyUnit, StatedUnit};
use crate::values::text::{
    bracketed_parts, fold_fullwidth, normalize_header, opened_first_bracket,
};
use std::fmt;

/// The four kinds of file, in the order files of one command are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Households,
    Members,
    Pairings,
    Deliveries,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Households,
        Kind::Members,
        Kind::Pairings,
        Kind::Deliveries,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Households => "households",
            Kind::Members => "members",
            Kind::Pairings => "pairings",
            Kind::Deliveries => "deliveries",
        }
    }

    /// The Chinese name, for human output.
    pub fn zh(self) -> &'static str {
        match self {
            Kind::Households => "贫困户",
            Kind::Members => "帮扶人",
            Kind::Pairings => "结对",
            Kind::Deliveries => "帮扶记录",
        }
    }

    /// Parse `--kind` (singular, plural or Chinese).
    pub fn parse(s: &str) -> Option<Kind> {
        match normalize_header(s).as_str() {
            "households" | "household" | "贫困户" => Some(Kind::Households),
            "members" | "member" | "帮扶人" => Some(Kind::Members),
            "pairings" | "pairing" | "结对" => Some(Kind::Pairings),
            "deliveries" | "delivery" | "帮扶记录" => Some(Kind::Deliveries),
            _ => None,
        }
    }

    /// The columns of this kind: field, accepted headers (most telling
    /// first: when two columns name one field, the earlier spelling wins),
    /// and whether the column is required.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Households => HOUSEHOLD_COLUMNS,
            Kind::Members => MEMBER_COLUMNS,
            Kind::Pairings => PAIRING_COLUMNS,
            Kind::Deliveries => DELIVERY_COLUMNS,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Every field of every kind; a [`Layout`] maps each to a cell position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Head,
    IdNumber,
    Township,
    Village,
    Size,
    Cause,
    Status,
    LiftedOn,
    Phone,
    Name,
    Unit,
    Role,
    Households,
    Member,
    Household,
    Since,
    Until,
    Date,
    Category,
    Goods,
    Cash,
    Total,
    Note,
}

const FIELD_COUNT: usize = 24;

impl Field {
    /// The column's own name, accepted as a header and used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Head => "head",
            Field::IdNumber => "id_number",
            Field::Township => "township",
            Field::Village => "village",
            Field::Size => "size",
            Field::Cause => "cause",
            Field::Status => "status",
            Field::LiftedOn => "lifted_on",
            Field::Phone => "phone",
            Field::Name => "name",
            Field::Unit => "unit",
            Field::Role => "role",
            Field::Households => "households",
            Field::Member => "member",
            Field::Household => "household",
            Field::Since => "since",
            Field::Until => "until",
            Field::Date => "date",
            Field::Category => "category",
            Field::Goods => "goods",
            Field::Cash => "cash",
            Field::Total => "total",
            Field::Note => "note",
        }
    }
}

impl Field {
    /// The column's usual Chinese name, for a message about a column the
    /// file does not have (one it has is named by its own header).
    pub fn zh(self) -> &'static str {
        match self {
            Field::Id => "编号",
            Field::Head => "户主",
            Field::IdNumber => "身份证号",
            Field::Township => "乡镇",
            Field::Village => "村",
            Field::Size => "人口",
            Field::Cause => "致贫原因",
            Field::Status => "状态",
            Field::LiftedOn => "脱贫日期",
            Field::Phone => "电话",
            Field::Name => "姓名",
            Field::Unit => "单位",
            Field::Role => "职务",
            Field::Households => "结对户",
            Field::Member => "帮扶人",
            Field::Household => "贫困户",
            Field::Since => "开始日期",
            Field::Until => "结束日期",
            Field::Date => "日期",
            Field::Category => "类别",
            Field::Goods => "物资",
            Field::Cash => "资金",
            Field::Total => "合计",
            Field::Note => "备注",
        }
    }
}

/// One column of a kind.
#[derive(Debug)]
pub struct Column {
    pub field: Field,
    pub headers: &'static [&'static str],
    pub required: bool,
}

const fn col(field: Field, headers: &'static [&'static str], required: bool) -> Column {
    Column {
        field,
        headers,
        required,
    }
}

const PHONE: &[&str] = &["电话", "联系电话", "手机", "手机号", "联系方式"];
const MEMBER_REF: &[&str] = &["帮扶人编号", "帮扶人", "帮扶责任人", "帮扶干部"];
const HOUSEHOLD_REF: &[&str] = &["户编号", "贫困户", "户主", "帮扶对象"];

static HOUSEHOLD_COLUMNS: &[Column] = &[
    col(Field::Id, &["户编号", "户编码", "户号"], true),
    col(Field::Head, &["户主", "户主姓名"], true),
    col(
        Field::IdNumber,
        &["身份证号", "身份证号码", "证件号码", "户主身份证号"],
        false,
    ),
    col(
        Field::Township,
        &["乡镇", "乡镇街道", "街道", "乡", "所在乡镇"],
        true,
    ),
    col(Field::Village, &["村", "社区", "村社区", "行政村"], false),
    col(
        Field::Size,
        &["人口", "家庭人口", "人口数", "家庭人口数"],
        false,
    ),
    col(Field::Cause, &["致贫原因", "主要致贫原因"], false),
    col(Field::Status, &["状态", "脱贫状态", "户状态"], false),
    col(Field::LiftedOn, &["脱贫日期", "脱贫时间"], false),
    col(Field::Phone, PHONE, false),
];

static MEMBER_COLUMNS: &[Column] = &[
    col(Field::Id, &["编号", "帮扶人编号", "党员编号"], true),
    col(Field::Name, &["姓名", "帮扶人", "帮扶责任人"], true),
    col(Field::Unit, &["单位", "工作单位", "部门", "所在单位"], true),
    col(Field::Role, &["职务", "职级"], false),
    col(Field::Phone, PHONE, false),
    col(
        Field::Households,
        &["结对户", "帮扶户", "包保户", "结对户编号"],
        false,
    ),
];

static PAIRING_COLUMNS: &[Column] = &[
    col(Field::Member, MEMBER_REF, true),
    col(Field::Household, HOUSEHOLD_REF, true),
    col(Field::Since, &["开始日期", "结对日期", "结对时间"], false),
    col(Field::Until, &["结束日期"], false),
];

static DELIVERY_COLUMNS: &[Column] = &[
    col(Field::Id, &["记录编号", "流水号"], false),
    col(Field::Date, &["日期", "帮扶日期", "时间", "帮扶时间"], true),
    col(Field::Member, MEMBER_REF, true),
    col(Field::Household, HOUSEHOLD_REF, true),
    col(
        Field::Category,
        &["类别", "帮扶类别", "项目", "六送一办"],
        true,
    ),
    col(
        Field::Goods,
        &["物资", "物资折价", "物资金额", "送物资", "实物", "实物折价"],
        false,
    ),
    col(Field::Cash, &["资金", "现金", "资金金额", "送资金"], false),
    // A row's goods plus cash, as ledgers add them up: checked, never read
    // as an amount of its own.
    col(
        Field::Total,
        &["合计", "金额合计", "合计金额", "总金额", "小计", "总计"],
        false,
    ),
    col(
        Field::Note,
        &["内容", "帮扶内容", "备注", "帮扶措施"],
        false,
    ),
];

/// How well a normalised header names a column: 0 for the column's own
/// name, then the accepted spellings in order; `None` when it does not.
fn rank(column: &Column, normalized: &str) -> Option<usize> {
    if normalized == column.field.name() {
        return Some(0);
    }
    column
        .headers
        .iter()
        .position(|h| normalize_header(h) == normalized)
        .map(|i| i + 1)
}

fn names_field(kind: Kind, field: Field, normalized: &[String]) -> bool {
    kind.columns()
        .iter()
        .filter(|c| c.field == field)
        .any(|c| normalized.iter().any(|h| rank(c, h).is_some()))
}

/// Tell the kind of a file from its headers (contract §2): a category column
/// means deliveries; else township households; else unit members; else
/// member and household pairings. A delivery's date, goods or cash column
/// also means deliveries.
pub fn detect_kind<S: AsRef<str>>(headers: &[S]) -> Option<Kind> {
    let normalized: Vec<String> = headers
        .iter()
        .map(|h| normalize_header(h.as_ref()))
        .collect();
    // A file with a delivery's date or money but no category column is a
    // deliveries export whose category header is spelled some other way: it
    // is told as deliveries (and then reported for its missing category)
    // rather than taken for pairings and written wrong.
    let delivery_only = [Field::Category, Field::Date, Field::Goods, Field::Cash];
    if delivery_only
        .iter()
        .any(|f| names_field(Kind::Deliveries, *f, &normalized))
    {
        Some(Kind::Deliveries)
    } else if names_field(Kind::Households, Field::Township, &normalized) {
        Some(Kind::Households)
    } else if names_field(Kind::Members, Field::Unit, &normalized) {
        Some(Kind::Members)
    } else if names_field(Kind::Pairings, Field::Member, &normalized)
        && names_field(Kind::Pairings, Field::Household, &normalized)
    {
        Some(Kind::Pairings)
    } else {
        None
    }
}

/// Whether a column of `kind` is named by this header.
/// Of a households or members sheet's ignored headers, those that name a
/// column of a pairings sheet (帮扶人, 户编号, 结对日期…): a pairings sheet
/// with a 乡镇 or 单位 column is read as households or members (contract
/// §2's order), and its pairings are not imported (review 6, attacker 10).
pub fn pairing_columns(kind: Kind, ignored: &[String]) -> Vec<String> {
    if !matches!(kind, Kind::Households | Kind::Members) {
        return Vec::new();
    }
    (ignored.iter())
        .filter(|h| names_a_column(Kind::Pairings, h))
        .cloned()
        .collect()
}

fn names_a_column(kind: Kind, header: &str) -> bool {
    let normalized = normalize_header(header);
    !normalized.is_empty()
        && kind
            .columns()
            .iter()
            .any(|c| rank(c, &normalized).is_some())
}

/// A header over two rows (contract §3.1): a group name such as `帮扶金额（元）`
/// over `物资` and `资金`, the group's other cells empty. `second` is such a
/// row when it names at least one column of `kind` and every name in it
/// stands under a group — a cell of `first` that is empty, names no column,
/// or spans the cells after it (`帮扶对象` over `户编号` and `村`); a row of
/// data has values under the columns `first` names. The header read is the
/// second row's names under a group and the first row's elsewhere. A name
/// under a money group that names no column is kept with its group
/// (`帮扶金额（元）/慰问品`), so that it is refused as money not read
/// ([`Layout::unread_money`]) rather than dropped.
pub fn two_row_header(kind: Kind, first: &[&str], second: &[&str]) -> Option<Vec<String>> {
    fn cell<'s>(row: &[&'s str], i: usize) -> Option<&'s str> {
        row.get(i).copied().filter(|s| !s.trim().is_empty())
    }
    // A group spans the empty cells after it, over names in the second row.
    let spans = |i: usize| {
        cell(first, i + 1).is_none()
            && i + 1 < first.len().max(second.len())
            && cell(second, i + 1).is_some()
    };
    let under_groups = (0..second.len())
        .filter(|&i| cell(second, i).is_some())
        .all(|i| cell(first, i).is_none_or(|f| !names_a_column(kind, f) || spans(i)));
    let names_columns = second.iter().any(|s| names_a_column(kind, s));
    if !(under_groups && names_columns) {
        return None;
    }
    let width = first.len().max(second.len());
    let mut group = "";
    Some(
        (0..width)
            .map(|i| {
                if let Some(f) = cell(first, i) {
                    group = f;
                }
                match cell(second, i) {
                    Some(below) if !names_a_column(kind, below) && looks_like_money(group) => {
                        format!("{}{GROUP_JOINER}{}", group.trim(), below.trim())
                    }
                    Some(below) if looks_like_money(group) => with_group_unit(below, group),
                    Some(below) => below.to_string(),
                    None => cell(first, i).unwrap_or("").to_string(),
                }
            })
            .collect(),
    )
}

/// A row of units under the header (`（元）` under 物资 and 资金, the
/// other cells empty), as sheets that keep the unit out of the header's
/// own cell have it: the header with each unit joined to the name above it
/// (`物资（元）`), to be read as a header's bracketed unit is. `None`
/// unless every value of `second` is all in brackets (`（元）`,
/// `（年月日）`) or a unit alone ([`MoneyUnit::stated`]: of money, unclear,
/// or of count, which is then refused as a header's would be), under a
/// name of `first`. A header that states a unit of its own besides
/// (`物资（元）` over `（万元）`) is refused as unclear ([`header_unit`]). Read as a row before, its empty
/// required cells and `（元）` amounts refused the whole file (review 6).
pub fn units_row(first: &[&str], second: &[&str]) -> Option<Vec<String>> {
    // A cell all in brackets says something of the column above it
    // (`（元）`, `（年月日）`, `（限50字）`); a bare one must state a unit.
    // Its brackets closed: `（X` left by a cut export is a row's text,
    // which an unclosed bracket's reading (to the end) took for a unit,
    // and the row was never read (a mangled-file proptest, session 22).
    let closed =
        |cell: &str| crate::values::text::fold_fullwidth(cell.trim()).ends_with([')', ']', '】']);
    let unit_of = |cell: &str| match opened_first_bracket(cell) {
        Some(inside) if closed(cell) => Some(inside),
        Some(_) => None,
        None => {
            let text = normalize_header(cell);
            (MoneyUnit::stated(&text) != StatedUnit::Nothing).then_some(text)
        }
    };
    let mut units = vec![None; first.len()];
    for (i, cell) in second.iter().enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        let name = first.get(i).map(|f| f.trim()).filter(|f| !f.is_empty())?;
        if normalize_header(name).is_empty() {
            return None;
        }
        *units.get_mut(i)? = Some(unit_of(cell)?);
    }
    if units.iter().all(Option::is_none) {
        return None;
    }
    Some(
        first
            .iter()
            .zip(units)
            .map(|(name, unit)| match unit {
                Some(unit) => format!("{}（{unit}）", name.trim()),
                None => name.to_string(),
            })
            .collect(),
    )
}

/// The unit a header's bracketed parts state (`物资（万元）`): that of the
/// first that states anything ([`MoneyUnit::stated`]).
fn header_unit(header: &str) -> Option<StatedUnit> {
    let opened = opened_first_bracket(header);
    let parts = bracketed_parts(opened.as_deref().unwrap_or(header));
    let stated: Vec<StatedUnit> = (parts.iter())
        .map(|part| MoneyUnit::stated(part))
        .filter(|u| *u != StatedUnit::Nothing)
        .collect();
    let first = stated.first()?.clone();
    // Two units of money (`物资（元）` over a units row's `（万元）`): which
    // one is meant cannot be told.
    let money = |u: &StatedUnit| match u {
        StatedUnit::Money(m) => Some(*m),
        _ => None,
    };
    let units: Vec<MoneyUnit> = stated.iter().filter_map(money).collect();
    if units.iter().any(|u| Some(*u) != units.first().copied()) {
        return Some(StatedUnit::Unclear(parts.join("、")));
    }
    Some(first)
}

/// A name under a money group, with the group's unit where the group
/// states one other than yuan and the name none (`物资` under
/// `帮扶金额（万元）` is `物资（万元）`), so that the column is read in it.
fn with_group_unit(below: &str, group: &str) -> String {
    let below = below.trim();
    match (header_unit(below), header_unit(group)) {
        (None, Some(StatedUnit::Money(unit))) if unit != MoneyUnit::Yuan => {
            format!("{below}（{}）", unit.name())
        }
        // `物资（元）` under `帮扶金额（万元）`: both kept, refused as
        // unclear ([`header_unit`]; the second attacker on the fixes, 10).
        (Some(StatedUnit::Money(own)), Some(StatedUnit::Money(unit))) if own != unit => {
            format!("{below}（{}）", unit.name())
        }
        (None, Some(StatedUnit::Other(unit) | StatedUnit::Unclear(unit))) => {
            format!("{below}（{unit}）")
        }
        _ => below.to_string(),
    }
}

/// The unit a title row's cell states for the sheet's amounts:
/// `单位：万元`, `（单位：万元）`, `金额单位：元`, a cell `万元`. `None` when it
/// states none.
pub fn unit_in_title(cell: &str) -> Option<MoneyUnit> {
    // `青山镇12月帮扶记录（单位：万元）`: a bracketed part says it.
    stated_unit(cell).or_else(|| bracketed_parts(cell).iter().find_map(|p| stated_unit(p)))
}

/// The unit `text`, a whole cell or a bracketed part of one, states, by
/// [`unit_in_title`]'s rule.
fn stated_unit(text: &str) -> Option<MoneyUnit> {
    const BRACKETS: [char; 6] = ['(', ')', '[', ']', '【', '】'];
    let folded: String = fold_fullwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bare = folded.trim_matches(BRACKETS);
    // The cell says 单位 (or 金额单位) first — not 填报单位, the reporting
    // office — and the unit is the word after it, up to a bracket or a
    // stop: `单位：元（全年共计12.5万元）` is in yuan. Or the cell is a unit
    // alone (`万元`, `（万元）`). Anything else in a title (`帮扶资金10万元
    // 使用台账`) states no unit.
    let (unit, statement) = match ["金额单位", "单位"]
        .iter()
        .find_map(|p| bare.strip_prefix(p))
    {
        Some(rest) => {
            let rest = rest.trim_start_matches(':');
            let stops = |c: char| BRACKETS.contains(&c) || matches!(c, ',' | ';' | '、' | '。');
            (rest.split(stops).next().unwrap_or(""), true)
        }
        None => (bare, false),
    };
    match MoneyUnit::stated(unit) {
        StatedUnit::Money(unit)
            if statement || MoneyUnit::stated(bare) == StatedUnit::Money(unit) =>
        {
            Some(unit)
        }
        _ => None,
    }
}

/// Joins a group's name to a name under it that names no column.
const GROUP_JOINER: char = '/';

/// Words of a header that say something of its money rather than hold an
/// amount: 资金来源, 补助类型, 是否发放慰问金, 享受补贴政策, 物资名称,
/// 物资领取人 (review 6).
const ABOUT_MONEY: [&str; 38] = [
    "名称",
    "内容",
    "说明",
    "数量",
    "来源",
    "类型",
    "类别",
    "用途",
    "是否",
    "政策",
    "方式",
    "情况",
    "性质",
    "渠道",
    "编号",
    "日期",
    "时间",
    "备注",
    "品名",
    "规格",
    "单位",
    "领取人",
    "签收人",
    "经办人",
    "负责人",
    "评估人",
    "对象",
    "去向",
    "明细",
    "形式",
    "年度",
    "种类",
    "清单",
    "照片",
    "文号",
    "依据",
    "到位率",
    "name",
];

/// Words of a header that hold money: 慰问金, 补助金, 奖金, 补助, 补贴,
/// 价值, 费用, 数额 and the like are the words of 送温暖 sheets (review 6).
const MONEY_WORDS: [&str; 34] = [
    "金额",
    "金額",
    "资金",
    "物资",
    "现金",
    "折价",
    "折合",
    "钱",
    "款",
    "慰问金",
    "补助",
    "补贴",
    "奖金",
    "救助金",
    "资助金",
    "补偿金",
    "保障金",
    "礼金",
    "红包",
    "价值",
    "总价",
    "总额",
    "报销额",
    "减免额",
    "费用",
    "医药费",
    "学费",
    "电费",
    "购置费",
    "数额",
    "money",
    "amount",
    "cash",
    "goods",
];

/// Whether a header looks like it holds money: a unit of money in its
/// brackets (`项目资金（元）`, whatever its words), or a word of
/// [`MONEY_WORDS`] and none of [`ABOUT_MONEY`], or 元.
fn looks_like_money(header: &str) -> bool {
    if matches!(header_unit(header), Some(StatedUnit::Money(_))) {
        return true;
    }
    let n = normalize_header(header);
    if ABOUT_MONEY.iter().any(|w| n.contains(w)) {
        return false;
    }
    MONEY_WORDS.iter().any(|w| n.contains(w)) || header.contains('元')
}

/// Which cell holds which field, for one file of one kind.
#[derive(Debug, Clone)]
pub struct Layout {
    pub kind: Kind,
    positions: [Option<usize>; FIELD_COUNT],
    /// Headers that name no column of this kind.
    pub ignored: Vec<String>,
    /// Headers that name a column another header already names better:
    /// (the header left unused, the header used).
    pub shadowed: Vec<(String, String)>,
    /// The positions of header cells that name nothing (empty, or empty
    /// brackets): a column whose values a row holds there is read by no
    /// field, and the import says so ([`crate::import`]: a clerk's amounts
    /// under a header cell left empty went unread without a word, review 6).
    pub unnamed: Vec<usize>,
    /// Number of cells in the header row.
    pub width: usize,
    /// The header cells as the file writes them, to name a column in a
    /// message as the file does.
    headers: Vec<String>,
    /// For a member or household reference named by two columns (`户编号`
    /// and `户主`), the position of the one not read: its cell is checked
    /// to name the same record ([`Layout::second`]).
    seconds: [Option<usize>; FIELD_COUNT],
    /// The unit of each money column (goods, cash, total) as its header
    /// states it (`物资（万元）`), `None` where it states none.
    units: [Option<MoneyUnit>; FIELD_COUNT],
    /// Money columns whose header states a unit that is not money
    /// (`物资（件）`): (the header, the unit). Such a file is refused.
    pub not_money: Vec<(String, String)>,
    /// Money columns whose header speaks of yuan in a way that states no
    /// unit bangfu reads (`物资（元，超万元另报）`): (the header, the text).
    /// Refused too: the amounts' unit cannot be told.
    pub unclear: Vec<(String, String)>,
    /// The unit a spare cell of the header row states (`（单位：万元）`
    /// after the last column), as a title row's would.
    pub row_unit: Option<MoneyUnit>,
    /// Two columns of one kind of money (goods, or cash): (the header
    /// used, the other). Such a file is refused: the other's amounts
    /// would be lost.
    pub money_twice: Vec<(String, String)>,
}

/// The fields whose cells are amounts of money.
const MONEY_FIELDS: [Field; 3] = [Field::Goods, Field::Cash, Field::Total];

/// A required column that the header row lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    pub field: Field,
    /// The headers that name it ([`accepted_headers`]).
    pub accepted: Vec<&'static str>,
}

impl MissingColumn {
    /// What is wrong, as a message of the catalogue.
    pub fn message(&self) -> ImportMsg {
        ImportMsg::MissingColumn {
            accepted: self.accepted.clone(),
        }
    }
}

impl Layout {
    /// Map the header cells to the columns of `kind`.
    pub fn new<S: AsRef<str>>(kind: Kind, headers: &[S]) -> Result<Layout, Vec<MissingColumn>> {
        let mut positions = [None; FIELD_COUNT];
        let mut seconds = [None; FIELD_COUNT];
        let mut row_unit = None;
        let mut best_rank = [usize::MAX; FIELD_COUNT];
        let mut ignored = Vec::new();
        let mut shadowed = Vec::new();
        let mut unnamed = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let header = header.as_ref();
            if let Some(opened) = opened_first_bracket(header) {
                // `（单位：万元）` in a spare cell of the header row itself
                // (a column under it that holds values is said to be
                // unread); `【物资】（万元）` is a column's.
                if let Some(unit) = unit_in_title(header).filter(|_| !names_a_column(kind, &opened))
                {
                    row_unit = row_unit.or(Some(unit));
                    unnamed.push(index);
                    continue;
                }
            }
            let normalized = normalize_header(header);
            if normalized.is_empty() {
                unnamed.push(index);
                continue;
            }
            let found = kind
                .columns()
                .iter()
                .find_map(|c| rank(c, &normalized).map(|r| (c.field, r)));
            match found {
                None => ignored.push(header.to_string()),
                Some((field, r)) => {
                    let slot = field as usize;
                    let reference = matches!(field, Field::Member | Field::Household);
                    match positions[slot] {
                        Some(previous) if best_rank[slot] <= r => {
                            let used: &str = AsRef::<str>::as_ref(&headers[previous]);
                            shadowed.push((header.to_string(), used.to_string()));
                            if reference && seconds[slot].is_none() {
                                seconds[slot] = Some(index);
                            }
                        }
                        Some(previous) => {
                            let old: &str = AsRef::<str>::as_ref(&headers[previous]);
                            shadowed.push((old.to_string(), header.to_string()));
                            if reference && seconds[slot].is_none() {
                                seconds[slot] = Some(previous);
                            }
                            positions[slot] = Some(index);
                            best_rank[slot] = r;
                        }
                        None => {
                            positions[slot] = Some(index);
                            best_rank[slot] = r;
                        }
                    }
                }
            }
        }
        let missing: Vec<MissingColumn> = kind
            .columns()
            .iter()
            .filter(|c| c.required && positions[c.field as usize].is_none())
            .map(|c| MissingColumn {
                field: c.field,
                accepted: accepted_headers(c),
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut units = [None; FIELD_COUNT];
        let mut not_money = Vec::new();
        let mut unclear = Vec::new();
        let money_twice = if kind == Kind::Deliveries {
            shadowed
                .iter()
                .filter(|(unused, _)| {
                    let n = normalize_header(unused);
                    [Field::Goods, Field::Cash].iter().any(|f| {
                        kind.columns()
                            .iter()
                            .any(|c| c.field == *f && rank(c, &n).is_some())
                    })
                })
                .map(|(unused, used)| (used.clone(), unused.clone()))
                .collect()
        } else {
            Vec::new()
        };
        if kind == Kind::Deliveries {
            for field in MONEY_FIELDS {
                let Some(header) = positions[field as usize].map(|i| headers[i].as_ref()) else {
                    continue;
                };
                match header_unit(header) {
                    Some(StatedUnit::Money(unit)) => units[field as usize] = Some(unit),
                    Some(StatedUnit::Other(unit)) => {
                        not_money.push((header.trim().to_string(), unit));
                    }
                    Some(StatedUnit::Unclear(unit)) => {
                        unclear.push((header.trim().to_string(), unit));
                    }
                    Some(StatedUnit::Nothing) | None => {}
                }
            }
        }
        Ok(Layout {
            kind,
            positions,
            ignored,
            shadowed,
            unnamed,
            width: headers.len(),
            headers: headers
                .iter()
                .map(|h| h.as_ref().trim().to_string())
                .collect(),
            seconds,
            units,
            not_money,
            unclear,
            money_twice,
            row_unit,
        })
    }

    /// The cell of the second column naming `field`'s reference (`户主`
    /// beside `户编号`), as [`Layout::get`] reads a cell; "" when there is
    /// none.
    pub fn second<'r>(&self, row: &'r csv::StringRecord, field: Field) -> &'r str {
        cell_at(row, self.seconds[field as usize])
    }

    /// The header of that second column.
    pub fn second_header(&self, field: Field) -> Option<&str> {
        let at = self.seconds[field as usize]?;
        self.headers.get(at).map(String::as_str)
    }

    /// Whether `header` is the second column of a reference, which is
    /// checked, not passed over.
    pub fn is_second(&self, header: &str) -> bool {
        [Field::Member, Field::Household]
            .iter()
            .any(|f| self.second_header(*f) == Some(header.trim()))
    }

    /// The unit `field`'s amounts are read in: its header's, else the
    /// sheet title's ([`Layout::with_title_unit`]), else yuan.
    pub fn unit(&self, field: Field) -> MoneyUnit {
        self.units[field as usize].unwrap_or_default()
    }

    /// The layout with `unit`, the one a title row states for the sheet
    /// (`单位：万元`), for the money columns whose header states none; and
    /// those columns' headers.
    pub fn with_title_unit(mut self, unit: MoneyUnit) -> (Layout, Vec<String>) {
        let mut given = Vec::new();
        for field in MONEY_FIELDS {
            if self.units[field as usize].is_none() {
                if let Some(header) = self.header(field).filter(|h| {
                    !self
                        .not_money
                        .iter()
                        .chain(&self.unclear)
                        .any(|(n, _)| n == h)
                }) {
                    given.push(header.to_string());
                    self.units[field as usize] = Some(unit);
                }
            }
        }
        (self, given)
    }

    /// Ignored headers of a deliveries file that look like money and are
    /// not read: money is never dropped unread (contract §3.1), beside a
    /// goods or cash column too (`物资` and `慰问金`: the second's amounts
    /// were dropped with only the ignored-columns warning, review 6). A
    /// header that says something of its money rather than an amount
    /// (`资金来源`, `补助类型`) does not look like money.
    pub fn unread_money(&self) -> Vec<&str> {
        if self.kind != Kind::Deliveries {
            return Vec::new();
        }
        self.ignored
            .iter()
            .map(String::as_str)
            .filter(|h| looks_like_money(h))
            .collect()
    }

    /// Whether the file has a column for `field`.
    pub fn has(&self, field: Field) -> bool {
        self.positions[field as usize].is_some()
    }

    /// The header cell that names `field`'s column, if the file has one.
    pub fn header(&self, field: Field) -> Option<&str> {
        self.headers.get(self.position(field)?).map(String::as_str)
    }

    /// The position of `field`'s cell, if the file has that column.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions[field as usize]
    }

    /// The cell of `field` in `row` (trimmed, and without the `'` that
    /// bangfu writes before a cell a spreadsheet would run:
    /// [`crate::values::formula`]), or "" when the file has no such column.
    pub fn get<'r>(&self, row: &'r csv::StringRecord, field: Field) -> &'r str {
        cell_at(row, self.positions[field as usize])
    }
}

/// The cell at `position` of `row` as the parsers read it: trimmed, and
/// without the `'` bangfu writes before a cell a spreadsheet would run.
fn cell_at(row: &csv::StringRecord, position: Option<usize>) -> &str {
    use crate::values::{formula::unguard, text::trim};
    position
        .and_then(|i| row.get(i))
        .map_or("", |cell| trim(unguard(trim(cell))))
}

/// 乡镇, 乡镇街道, 街道, 乡, township: the headers that name a column.
pub fn accepted_headers(column: &Column) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = column.headers.to_vec();
    all.push(column.field.name());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_deliveries_by_their_category_column() {
        assert_eq!(
            detect_kind(&["日期", "帮扶人", "户编号", "六送一办"]),
            Some(Kind::Deliveries)
        );
    }

    #[test]
    fn tells_households_members_and_pairings() {
        assert_eq!(
            detect_kind(&["户编号", "户主姓名", "乡镇（街道）"]),
            Some(Kind::Households)
        );
        assert_eq!(
            detect_kind(&["编号", "姓名", "工作单位"]),
            Some(Kind::Members)
        );
        assert_eq!(
            detect_kind(&["帮扶人编号", "户编号", "结对日期"]),
            Some(Kind::Pairings)
        );
        assert_eq!(detect_kind(&["member", "household"]), Some(Kind::Pairings));
        assert_eq!(detect_kind(&["foo", "bar"]), None);
    }

    #[test]
    fn a_deliveries_export_without_a_known_category_header_is_not_taken_for_pairings() {
        let headers = [
            "帮扶日期",
            "帮扶责任人",
            "帮扶对象",
            "帮扶类型",
            "物资（元）",
        ];
        assert_eq!(detect_kind(&headers), Some(Kind::Deliveries));
        let missing = Layout::new(Kind::Deliveries, &headers).unwrap_err();
        assert_eq!(missing[0].field, Field::Category);
    }

    #[test]
    fn matches_headers_with_brackets_full_width_and_case() {
        let layout = Layout::new(
            Kind::Households,
            &[
                "户编号",
                " 户主 ",
                "乡镇(街道)",
                "村（社区）",
                "ＩＤ_Number",
                "PHONE",
            ],
        )
        .unwrap();
        assert_eq!(layout.position(Field::Id), Some(0));
        assert_eq!(layout.position(Field::Head), Some(1));
        assert_eq!(layout.position(Field::Township), Some(2));
        assert_eq!(layout.position(Field::Village), Some(3));
        assert_eq!(layout.position(Field::IdNumber), Some(4));
        assert_eq!(layout.position(Field::Phone), Some(5));
        assert!(layout.ignored.is_empty());
    }

    #[test]
    fn accepts_every_spelling_of_every_column() {
        for kind in Kind::ALL {
            for column in kind.columns() {
                for header in column.headers.iter().chain([&column.field.name()]) {
                    let mut headers: Vec<&str> = kind
                        .columns()
                        .iter()
                        .filter(|c| c.required && c.field != column.field)
                        .map(|c| c.field.name())
                        .collect();
                    headers.push(header);
                    let layout = Layout::new(kind, &headers)
                        .unwrap_or_else(|e| panic!("{kind} {header}: {e:?}"));
                    assert_eq!(
                        layout.position(column.field),
                        Some(headers.len() - 1),
                        "{kind}: {header}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_ignored_columns() {
        let layout = Layout::new(Kind::Members, &["编号", "姓名", "单位", "序号", "签字"]).unwrap();
        assert_eq!(layout.ignored, vec!["序号", "签字"]);
    }

    #[test]
    fn prefers_the_id_column_when_two_columns_name_one_reference() {
        let layout = Layout::new(
            Kind::Deliveries,
            &["日期", "帮扶人", "帮扶人编号", "户主", "户编号", "类别"],
        )
        .unwrap();
        assert_eq!(layout.position(Field::Member), Some(2));
        assert_eq!(layout.position(Field::Household), Some(4));
        assert_eq!(layout.shadowed.len(), 2);
    }

    #[test]
    fn reports_each_missing_required_column_with_its_spellings() {
        let missing = Layout::new(Kind::Households, &["户编号"]).unwrap_err();
        let fields: Vec<Field> = missing.iter().map(|m| m.field).collect();
        assert_eq!(fields, vec![Field::Head, Field::Township]);
        assert!(missing[1].accepted.contains(&"乡镇街道"));
        assert!(missing[1].accepted.contains(&"township"));
    }

    #[test]
    fn reads_the_second_row_of_a_header_under_its_groups_only() {
        let first = [
            "日期",
            "帮扶人",
            "户编号",
            "类别",
            "帮扶金额（元）",
            "",
            "备注",
        ];
        let second = ["", "", "", "", "物资", "资金", ""];
        assert_eq!(
            two_row_header(Kind::Deliveries, &first, &second).unwrap(),
            vec!["日期", "帮扶人", "户编号", "类别", "物资", "资金", "备注"]
        );
        // A row of data has values under the columns the first row names.
        let data = ["2001-03-05", "M1", "H1", "law", "1", "2", ""];
        assert_eq!(two_row_header(Kind::Deliveries, &first, &data), None);
        // A row that names no column is no header either.
        let other = ["", "", "", "", "甲", "乙", ""];
        assert_eq!(two_row_header(Kind::Deliveries, &first, &other), None);
    }

    #[test]
    fn reads_the_unit_a_money_header_or_its_group_states() {
        // 物资（万元）1.5 was read as 1.50 yuan (attacker and clerk review 4).
        let layout = Layout::new(
            Kind::Deliveries,
            &[
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "物资（万元）",
                "资金[元]",
                "合计（千元）",
            ],
        )
        .unwrap();
        assert_eq!(layout.unit(Field::Goods), MoneyUnit::TenThousand);
        assert_eq!(layout.unit(Field::Total), MoneyUnit::Thousand);
        let (layout, given) = layout.with_title_unit(MoneyUnit::TenThousand);
        assert_eq!(layout.unit(Field::Cash), MoneyUnit::Yuan);
        assert!(given.is_empty());
        assert!(layout.not_money.is_empty());
        let layout = Layout::new(
            Kind::Deliveries,
            &[
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "物资（件）",
                "资金(折合人民币)",
            ],
        )
        .unwrap();
        assert_eq!(
            layout.not_money,
            vec![("物资（件）".to_string(), "件".to_string())]
        );
        assert_eq!(layout.unit(Field::Cash), MoneyUnit::Yuan);
        let (layout, given) = layout.with_title_unit(MoneyUnit::TenThousand);
        assert_eq!(layout.unit(Field::Cash), MoneyUnit::TenThousand);
        assert_eq!(given, ["资金(折合人民币)"]);
        // The group's unit goes to the columns under it.
        let first = ["日期", "帮扶人", "户编号", "类别", "帮扶金额（万元）", ""];
        let second = ["", "", "", "", "物资", "资金"];
        let header = two_row_header(Kind::Deliveries, &first, &second).unwrap();
        assert_eq!(&header[4..], ["物资（万元）", "资金（万元）"]);
        // A title row's unit.
        for (cell, unit) in [
            ("单位：万元", Some(MoneyUnit::TenThousand)),
            ("（单位：万元）", Some(MoneyUnit::TenThousand)),
            ("金额单位: 元", Some(MoneyUnit::Yuan)),
            ("万元", Some(MoneyUnit::TenThousand)),
            ("2024年帮扶台账", None),
            ("填报单位：城关镇", None),
            // Attacker review 5: a title mentioning 万元 is no unit.
            ("填报单位：城关镇（全年帮扶资金共计12.5万元）", None),
            ("单位：元（全年共计12.5万元）", Some(MoneyUnit::Yuan)),
            ("填报单位：万元乡", None),
            ("2024年帮扶资金10万元使用台账", None),
            ("单位:仟元", Some(MoneyUnit::Thousand)),
            (
                "青山镇12月帮扶记录（单位：万元）",
                Some(MoneyUnit::TenThousand),
            ),
            ("青山镇帮扶记录（全年12.5万元）", None),
        ] {
            assert_eq!(unit_in_title(cell), unit, "{cell}");
        }
    }

    #[test]
    fn reads_a_header_with_a_group_over_columns_it_names() {
        let first = [
            "日期",
            "帮扶人",
            "帮扶对象",
            "",
            "类别",
            "帮扶金额（元）",
            "",
            "备注",
        ];
        let second = ["", "", "户编号", "村", "", "物资", "资金", ""];
        assert_eq!(
            two_row_header(Kind::Deliveries, &first, &second).unwrap(),
            vec![
                "日期",
                "帮扶人",
                "户编号",
                "村",
                "类别",
                "物资",
                "资金",
                "备注"
            ]
        );
    }

    #[test]
    fn keeps_an_unknown_name_under_a_money_group_with_its_group() {
        let first = ["日期", "帮扶人", "户编号", "类别", "帮扶金额（元）", ""];
        let second = ["", "", "", "", "慰问品", "现金"];
        let header = two_row_header(Kind::Deliveries, &first, &second).unwrap();
        assert_eq!(header[4], "帮扶金额（元）/慰问品");
        let layout = Layout::new(Kind::Deliveries, &header).unwrap();
        assert_eq!(layout.unread_money(), vec!["帮扶金额（元）/慰问品"]);
        // Beside goods and cash, a text column about money is only named.
        let layout = Layout::new(
            Kind::Deliveries,
            &[
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "物资",
                "资金",
                "资金来源",
            ],
        )
        .unwrap();
        assert!(layout.unread_money().is_empty());
    }

    #[test]
    fn names_the_money_columns_it_cannot_read() {
        let layout = Layout::new(
            Kind::Deliveries,
            &[
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "帮扶金额（元）",
                "物资名称",
                "序号",
            ],
        )
        .unwrap();
        assert_eq!(layout.unread_money(), vec!["帮扶金额（元）"]);
        // Beside a money column that is read, too.
        let layout = Layout::new(
            Kind::Deliveries,
            &[
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "物资",
                "帮扶金额（元）",
                "资金来源",
            ],
        )
        .unwrap();
        assert_eq!(layout.unread_money(), vec!["帮扶金额（元）"]);
        // What a column says of its money is no amount.
        for header in [
            "资金来源",
            "是否发放慰问金",
            "补助类型",
            "金融帮扶",
            "享受补贴政策",
            "物资领取人",
            "资金拨付单位",
            "物资规格",
            "补助年度",
        ] {
            let layout = Layout::new(
                Kind::Deliveries,
                &["日期", "帮扶人", "户编号", "类别", header],
            )
            .unwrap();
            assert!(layout.unread_money().is_empty(), "{header}");
        }
        // The money words of 送温暖 sheets (review 6: read as unknown
        // columns, their amounts dropped, before).
        for header in ["慰问金", "补助", "补助金", "补贴", "价值", "费用", "数额"] {
            let layout = Layout::new(
                Kind::Deliveries,
                &["日期", "帮扶人", "户编号", "类别", header],
            )
            .unwrap();
            assert_eq!(layout.unread_money(), vec![header]);
        }
        // Money words with a describing one, or a unit of money, are money.
        for header in [
            "项目资金",
            "政策补助（元）",
            "帮扶项目金额",
            "礼金",
            "医药费",
            "总额",
        ] {
            let layout = Layout::new(
                Kind::Deliveries,
                &["日期", "帮扶人", "户编号", "类别", "物资", header],
            )
            .unwrap();
            assert_eq!(layout.unread_money(), vec![header], "{header}");
        }
        // A header all in brackets is what its brackets say.
        let layout = Layout::new(
            Kind::Deliveries,
            &["日期", "帮扶人", "户编号", "类别", "【物资】"],
        )
        .unwrap();
        assert!(layout.has(Field::Goods));
    }

    #[test]
    fn reads_a_row_of_units_under_the_header_and_nothing_else_as_one() {
        let first = ["日期", "帮扶人", "户编号", "类别", "物资", "资金"];
        assert_eq!(
            units_row(&first, &["", "", "", "", "（元）", "万元"]).unwrap(),
            vec![
                "日期",
                "帮扶人",
                "户编号",
                "类别",
                "物资（元）",
                "资金（万元）"
            ]
        );
        // A count unit is joined too, to be refused as the header's.
        assert_eq!(
            units_row(&first, &["", "", "", "", "（件）", ""]).unwrap()[4],
            "物资（件）"
        );
        // A record, a note, a unit under no name: not a row of units.
        assert_eq!(
            units_row(&first, &["2001-03-05", "M1", "H1", "送温暖", "300", ""]),
            None
        );
        assert_eq!(
            units_row(&first, &["", "", "", "", "（元）", "见备注"]),
            None
        );
        assert_eq!(units_row(&first, &["", "", "", "", "", "", "（元）"]), None);
        assert_eq!(units_row(&first, &["", "", "", "", "", ""]), None);
        // A bracket a cut left open is a row's text, not a unit.
        assert_eq!(units_row(&first, &["（街", "", "", "", "", ""]), None);
        assert_eq!(units_row(&first, &["", "", "", "", "（元", ""]), None);
    }

    #[test]
    fn reads_kind_names_in_english_and_chinese() {
        assert_eq!(Kind::parse("deliveries"), Some(Kind::Deliveries));
        assert_eq!(Kind::parse("Household"), Some(Kind::Households));
        assert_eq!(Kind::parse("结对"), Some(Kind::Pairings));
        assert_eq!(Kind::parse("x"), None);
    }
}
