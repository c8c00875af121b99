//! Reference data for the speed benchmark (contract §7, bench/run.sh).
//!
//! ```text
//! cargo run --release --example bench_data -- OUTDIR ROWS [OPTIONS]
//!
//!   --seed N          the deliveries' seed (default 5)
//!   --from DATE       first day of the deliveries (default 2020-01-01)
//!   --to DATE         last day of the deliveries (default 2024-12-31)
//!   --orders          also the same rows by household, by township, shuffled
//!   --changed         also the shuffled file with 1% of the amounts changed
//!   --xlsx            also the date-ordered rows as deliveries.xlsx
//!   --ids             also the rows with record ids, by date and shuffled
//! ```
//!
//! Writes UTF-8 CSV files with canonical English headers into OUTDIR:
//! `households.csv` (20,000 households in 10 townships and 200 villages),
//! `members.csv` (10,000 members in 60 units), `pairings.csv` (each
//! household paired with one or two members, since a date in 2020) and
//! `deliveries.csv` (ROWS deliveries spread evenly over the days from
//! `--from` to `--to`, in date order, nearly all by a member paired with
//! the household).
//!
//! Clerks' exports come in other orders too (contract §7), so `--orders`
//! writes the very same rows three more ways: `deliveries-household.csv`
//! (by household, then date), `deliveries-township.csv` (by township, then
//! village, household and date: a district's sheet with a township's
//! villages one after another) and `deliveries-shuffled.csv` (no order at
//! all). Every file is a permutation of `deliveries.csv`, so every order's
//! database must hold the same figures. `--changed` writes
//! `deliveries-shuffled-changed.csv`: the shuffled file with the goods of
//! every hundredth row changed by one yuan (a month's corrections), for
//! `import --replace`. `--xlsx` writes `deliveries.xlsx`, the rows of
//! `deliveries.csv` as a clerk's workbook holds them: dates as date cells,
//! amounts as numbers, the rest as text. `--ids` writes
//! `deliveries-ids.csv` and `deliveries-ids-shuffled.csv`: the rows of
//! `deliveries.csv` and of the shuffled file with an `id` column first, a
//! row's id its number in date order (R0000001, …: a sheet numbered as its
//! rows were entered), which is how many clerks' ledgers come.
//!
//! The output is deterministic: the same arguments always give the same
//! bytes, and households, members and pairings do not depend on them at
//! all, so every deliveries file shares one set of records. Different
//! `--seed`s give different rows (for a database of several millions).

use std::error::Error;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use bangfu::values::id_number::check_char;
use chrono::{Datelike, Duration, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HOUSEHOLDS: usize = 20_000;
const MEMBERS: usize = 10_000;
const UNITS: usize = 60;
const VILLAGES_PER_TOWNSHIP: usize = 20;

const TOWNSHIPS: [&str; 10] = [
    "城关镇",
    "青山镇",
    "白水乡",
    "石门乡",
    "龙潭镇",
    "桃花乡",
    "黄土岭乡",
    "新塘镇",
    "东坪街道",
    "大河乡",
];
const VILLAGE_FIRST: [&str; 20] = [
    "金", "银", "石", "竹", "松", "柳", "梅", "杨", "枫", "茶", "桥", "塘", "岭", "坪", "湾", "冲",
    "溪", "坡", "洞", "坝",
];
const VILLAGE_SECOND: [&str; 10] = ["山", "田", "家", "口", "林", "源", "湖", "岗", "垅", "铺"];
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余",
];
const GIVEN: [&str; 48] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "玉", "兰", "德", "福", "春", "生",
    "海", "云", "红", "文", "成", "荣", "金", "凤", "志", "清", "富", "贵", "长", "林", "珍", "宝",
];
const CAUSES: [&str; 8] = [
    "因病",
    "因残",
    "因学",
    "缺技术",
    "缺劳力",
    "缺资金",
    "因灾",
    "交通条件落后",
];
const UNIT_PREFIX: [&str; 4] = ["县", "县", "市", "区"];
const UNIT_BODY: [&str; 30] = [
    "财政局",
    "教育局",
    "卫生健康局",
    "农业农村局",
    "水利局",
    "交通运输局",
    "自然资源局",
    "人力资源和社会保障局",
    "民政局",
    "司法局",
    "公安局",
    "审计局",
    "统计局",
    "林业局",
    "商务局",
    "文化旅游广电局",
    "住房和城乡建设局",
    "生态环境局",
    "市场监督管理局",
    "应急管理局",
    "医疗保障局",
    "乡村振兴局",
    "发展和改革局",
    "科学技术局",
    "工业和信息化局",
    "退役军人事务局",
    "供销合作社",
    "人民医院",
    "第一中学",
    "农村信用合作联社",
];
const ROLES: [&str; 10] = [
    "科员",
    "副科长",
    "科长",
    "副局长",
    "局长",
    "党组书记",
    "驻村工作队员",
    "第一书记",
    "党员",
    "办事员",
];
/// The seven categories: English key, full Chinese name, short Chinese name.
const CATEGORIES: [[&str; 3]; 7] = [
    ["ideas", "送思想", "思想"],
    ["policy", "送政策", "政策"],
    ["technology", "送科技", "科技"],
    ["information", "送信息", "信息"],
    ["warmth", "送温暖", "温暖"],
    ["law", "送法律", "法律"],
    ["deeds", "办好事实事", "办实事"],
];
/// Per category: (chance in 100 of goods, of cash, largest amount in yuan).
const MONEY: [(u64, u64, u64); 7] = [
    (5, 0, 100),
    (5, 0, 100),
    (40, 5, 800),
    (10, 0, 200),
    (80, 50, 1000),
    (5, 0, 100),
    (60, 40, 5000),
];
const NOTES: [&[&str]; 7] = [
    &[
        "入户谈心谈话",
        "宣讲党的政策",
        "鼓励脱贫致富",
        "开展感恩教育",
        "讲解脱贫攻坚形势",
    ],
    &[
        "讲解医保报销政策",
        "宣传教育资助政策",
        "落实低保政策",
        "讲解产业扶持政策",
        "宣传危房改造政策",
    ],
    &[
        "送玉米良种",
        "指导柑橘种植",
        "养猪技术培训",
        "送化肥农药",
        "指导茶园管护",
    ],
    &[
        "提供务工信息",
        "推荐就业岗位",
        "介绍合作社",
        "提供市场行情",
        "发布招工信息",
    ],
    &[
        "送米面油",
        "春节慰问",
        "送棉被衣物",
        "中秋慰问",
        "看望生病老人",
    ],
    &[
        "讲解法律知识",
        "调解邻里纠纷",
        "提供法律援助",
        "宣传反诈知识",
        "帮助签订务工合同",
    ],
    &[
        "帮助修缮房屋",
        "协调解决饮水",
        "帮助销售农产品",
        "代办医保手续",
        "帮助孩子入学",
        "修建入户便道",
    ],
];

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.index(items.len())]
    }

    /// True `percent` times in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn household_id(i: usize) -> String {
    format!("H4307{:06}", i + 1)
}

fn member_id(i: usize) -> String {
    format!("M{:05}", i + 1)
}

fn person_name(rng: &mut Rng) -> String {
    let mut name = rng.pick(&SURNAMES).to_string();
    name.push_str(rng.pick(&GIVEN));
    if rng.chance(70) {
        name.push_str(rng.pick(&GIVEN));
    }
    name
}

fn mobile(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 8] = ["133", "135", "138", "139", "150", "152", "177", "186"];
    format!("{}{:08}", rng.pick(&PREFIXES), rng.below(100_000_000))
}

fn village(i: usize) -> String {
    format!(
        "{}{}村",
        VILLAGE_FIRST[i % VILLAGE_FIRST.len()],
        VILLAGE_SECOND[(i / VILLAGE_FIRST.len() + i * 3) % VILLAGE_SECOND.len()]
    )
}

fn unit(i: usize) -> String {
    format!(
        "{}{}",
        UNIT_PREFIX[i / UNIT_BODY.len() % UNIT_PREFIX.len()],
        UNIT_BODY[i % UNIT_BODY.len()]
    )
}

/// A valid resident ID number, unique for each `i` below 20,000: the birth
/// date is a bijection of `i` onto 20,000 days from 1940-01-01.
fn id_number(i: usize, township: usize, rng: &mut Rng) -> String {
    let base = NaiveDate::from_ymd_opt(1940, 1, 1).expect("valid date");
    let birth = base + Duration::days(((i as i64) * 7919) % 20_000);
    let first17 = format!(
        "4307{:02}{}{:03}",
        21 + township,
        birth.format("%Y%m%d"),
        rng.below(1000)
    );
    let check = check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// Writes households.csv; returns each household's village (an index into
/// the 200 villages, `township * 20 + village`).
fn write_households(dir: &Path) -> Result<Vec<usize>, Box<dyn Error>> {
    let mut rng = Rng::new(1);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("households.csv"))?));
    w.write_record([
        "id",
        "head",
        "id_number",
        "township",
        "village",
        "size",
        "cause",
        "status",
        "phone",
    ])?;
    let villages = TOWNSHIPS.len() * VILLAGES_PER_TOWNSHIP;
    let mut places = Vec::with_capacity(HOUSEHOLDS);
    for i in 0..HOUSEHOLDS {
        let v = rng.index(villages);
        places.push(v);
        let township = v / VILLAGES_PER_TOWNSHIP;
        let status = match rng.below(10) {
            0..=3 => "poor",
            4..=5 => "贫困",
            6..=7 => "lifted",
            _ => "已脱贫",
        };
        let phone = if rng.chance(80) {
            mobile(&mut rng)
        } else {
            String::new()
        };
        w.write_record([
            household_id(i).as_str(),
            &person_name(&mut rng),
            &id_number(i, township, &mut rng),
            TOWNSHIPS[township],
            &village(v),
            &(1 + rng.below(7)).to_string(),
            rng.pick(&CAUSES),
            status,
            &phone,
        ])?;
    }
    w.flush()?;
    Ok(places)
}

fn write_members(dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut rng = Rng::new(2);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("members.csv"))?));
    w.write_record(["id", "name", "unit", "role", "phone"])?;
    for i in 0..MEMBERS {
        w.write_record([
            member_id(i).as_str(),
            &person_name(&mut rng),
            &unit(rng.index(UNITS)),
            rng.pick(&ROLES),
            &mobile(&mut rng),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The members paired with each household: household `h` has member `h / 2`
/// (every member has two households) and, one time in three, a second one.
fn pairings() -> Vec<Vec<usize>> {
    let mut rng = Rng::new(3);
    (0..HOUSEHOLDS)
        .map(|h| {
            let first = h * MEMBERS / HOUSEHOLDS;
            let mut members = vec![first];
            if rng.chance(33) {
                let second = rng.index(MEMBERS);
                if second != first {
                    members.push(second);
                }
            }
            members
        })
        .collect()
}

fn write_pairings(dir: &Path, pairs: &[Vec<usize>]) -> Result<(), Box<dyn Error>> {
    let mut rng = Rng::new(4);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("pairings.csv"))?));
    w.write_record(["member", "household", "since"])?;
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    for (h, members) in pairs.iter().enumerate() {
        for &m in members {
            // Mostly before the first deliveries; a few later in 2020.
            let offset = if rng.chance(90) {
                0
            } else {
                rng.below(366) as i64
            };
            let since = start + Duration::days(offset);
            w.write_record([
                member_id(m).as_str(),
                &household_id(h),
                &since.format("%Y-%m-%d").to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Yuan with two decimals (`120.50`), or whole yuan (`300`) now and then.
fn money(rng: &mut Rng, max_yuan: u64) -> String {
    let yuan = 10 + rng.below(max_yuan);
    match rng.below(4) {
        0 => yuan.to_string(),
        1 => format!("{yuan}.00"),
        _ => format!("{yuan}.{:02}", rng.below(20) * 5),
    }
}

/// One delivery, as its cells will be written.
struct Delivery {
    /// Days after `--from`.
    day: i64,
    household: usize,
    member: usize,
    category: &'static str,
    goods: String,
    cash: String,
    note: String,
}

/// ROWS deliveries in date order; the draws are those of every earlier
/// version of this file, so `deliveries.csv` keeps its bytes.
fn deliveries(rows: usize, seed: u64, days: i64, pairs: &[Vec<usize>]) -> Vec<Delivery> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        // In date order, as a sheet kept day by day is exported.
        let day = (i as i64 * days) / rows.max(1) as i64;
        let h = rng.index(HOUSEHOLDS);
        let m = if rng.chance(97) {
            pairs[h][rng.index(pairs[h].len())]
        } else {
            rng.index(MEMBERS)
        };
        let c = rng.index(CATEGORIES.len());
        let spelling = match rng.below(10) {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        let (goods_pct, cash_pct, max_yuan) = MONEY[c];
        let goods = if rng.chance(goods_pct) {
            money(&mut rng, max_yuan)
        } else {
            String::new()
        };
        let cash = if rng.chance(cash_pct) {
            money(&mut rng, max_yuan)
        } else {
            String::new()
        };
        let mut note = rng.pick(NOTES[c]).to_string();
        if rng.chance(60) {
            note.push('，');
            note.push_str(rng.pick(&[
                "户主在家",
                "家人在外务工",
                "群众满意",
                "已登记台账",
                "下次回访",
            ]));
        }
        out.push(Delivery {
            day,
            household: h,
            member: m,
            category: CATEGORIES[c][spelling],
            goods,
            cash,
            note,
        });
    }
    out
}

const DELIVERY_HEADERS: [&str; 7] = [
    "date",
    "member",
    "household",
    "category",
    "goods",
    "cash",
    "note",
];

/// Writes `rows[i]` for each `i` of `order` to `dir/name`, with an id
/// column first if `ids`.
fn write_deliveries(
    dir: &Path,
    name: &str,
    start: NaiveDate,
    rows: &[Delivery],
    order: &[usize],
    ids: bool,
) -> Result<(), Box<dyn Error>> {
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join(name))?));
    if ids {
        w.write_field("id")?;
    }
    w.write_record(DELIVERY_HEADERS)?;
    let mut date_text = String::new();
    let mut date_day = -1;
    for &i in order {
        let d = &rows[i];
        if ids {
            w.write_field(format!("R{:07}", i + 1))?;
        }
        if d.day != date_day {
            date_day = d.day;
            date_text = (start + Duration::days(d.day))
                .format("%Y-%m-%d")
                .to_string();
        }
        w.write_record([
            date_text.as_str(),
            &member_id(d.member),
            &household_id(d.household),
            d.category,
            &d.goods,
            &d.cash,
            &d.note,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The rows of `deliveries.csv` as `deliveries.xlsx`: one sheet, dates as
/// date cells, amounts as numbers, empty cells left out.
fn write_xlsx(dir: &Path, start: NaiveDate, rows: &[Delivery]) -> Result<(), Box<dyn Error>> {
    let mut book = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    for (col, header) in DELIVERY_HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header)?;
    }
    for (i, d) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let date = start + Duration::days(d.day);
        let excel =
            ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
        sheet.write_datetime_with_format(row, 0, &excel, &date_format)?;
        sheet.write_string(row, 1, member_id(d.member))?;
        sheet.write_string(row, 2, household_id(d.household))?;
        sheet.write_string(row, 3, d.category)?;
        for (col, amount) in [(4, &d.goods), (5, &d.cash)] {
            if !amount.is_empty() {
                sheet.write_number(row, col, amount.parse::<f64>()?)?;
            }
        }
        sheet.write_string(row, 6, &d.note)?;
    }
    book.save(dir.join("deliveries.xlsx"))?;
    Ok(())
}

/// splitmix64: the permutation's generator, apart from the rows' own.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `0..n` in a random order (Fisher–Yates), the same for the same seed.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix(seed ^ 0x5EED_0F5E_ED0F_5EED);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (((rng.next() >> 11) as u128 * (i as u128 + 1)) >> 53) as usize;
        order.swap(i, j);
    }
    order
}

/// Goods one yuan more than `goods` (or 1 yuan where there were none):
/// another amount for the same visit, kept in the file's own spelling.
fn corrected(goods: &str) -> String {
    match goods.split_once('.') {
        _ if goods.is_empty() => "1".to_string(),
        Some((yuan, fen)) => format!("{}.{fen}", yuan.parse::<u64>().unwrap_or(0) + 1),
        None => (goods.parse::<u64>().unwrap_or(0) + 1).to_string(),
    }
}

struct Options {
    dir: PathBuf,
    rows: usize,
    seed: u64,
    from: NaiveDate,
    to: NaiveDate,
    orders: bool,
    changed: bool,
    xlsx: bool,
    ids: bool,
}

const USAGE: &str = "usage: bench_data OUTDIR ROWS [--seed N] [--from DATE] [--to DATE] [--orders] [--changed] [--xlsx] [--ids]";

fn options() -> Result<Options, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(rows)) = (args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let date = |text: Option<String>| -> Result<NaiveDate, Box<dyn Error>> {
        Ok(NaiveDate::parse_from_str(&text.ok_or(USAGE)?, "%Y-%m-%d")?)
    };
    let mut o = Options {
        dir: PathBuf::from(dir),
        rows: rows.parse()?,
        seed: 5,
        from: NaiveDate::from_ymd_opt(2020, 1, 1).ok_or("date")?,
        to: NaiveDate::from_ymd_opt(2024, 12, 31).ok_or("date")?,
        orders: false,
        changed: false,
        xlsx: false,
        ids: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => o.seed = args.next().ok_or(USAGE)?.parse()?,
            "--from" => o.from = date(args.next())?,
            "--to" => o.to = date(args.next())?,
            "--orders" => o.orders = true,
            "--changed" => o.changed = true,
            "--xlsx" => o.xlsx = true,
            "--ids" => o.ids = true,
            _ => return Err(format!("unknown argument {arg}\n{USAGE}").into()),
        }
    }
    if o.to < o.from {
        return Err("--to before --from".into());
    }
    Ok(o)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_data: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let o = options()?;
    fs::create_dir_all(&o.dir)?;
    let dir = o.dir.as_path();
    let places = write_households(dir)?;
    write_members(dir)?;
    let pairs = pairings();
    write_pairings(dir, &pairs)?;

    let days = (o.to - o.from).num_days() + 1;
    let rows = deliveries(o.rows, o.seed, days, &pairs);
    let by_date: Vec<usize> = (0..rows.len()).collect();
    write_deliveries(dir, "deliveries.csv", o.from, &rows, &by_date, false)?;
    if o.ids {
        write_deliveries(dir, "deliveries-ids.csv", o.from, &rows, &by_date, true)?;
    }
    if o.xlsx {
        write_xlsx(dir, o.from, &rows)?;
    }
    if o.orders {
        // Index order is date order, so sorting by (key, index) is "by key,
        // then date" with the file's own order among a day's rows.
        let mut by_household = by_date.clone();
        by_household.sort_by_key(|&i| (rows[i].household, i));
        write_deliveries(
            dir,
            "deliveries-household.csv",
            o.from,
            &rows,
            &by_household,
            false,
        )?;
        let mut by_township = by_date.clone();
        // A village's index is township * 20 + village: ordering by it is
        // by township, then village.
        by_township.sort_by_key(|&i| (places[rows[i].household], rows[i].household, i));
        write_deliveries(
            dir,
            "deliveries-township.csv",
            o.from,
            &rows,
            &by_township,
            false,
        )?;
    }
    if o.orders || o.changed || o.ids {
        let order = shuffled(rows.len(), o.seed);
        if o.orders {
            write_deliveries(dir, "deliveries-shuffled.csv", o.from, &rows, &order, false)?;
        }
        if o.ids {
            let name = "deliveries-ids-shuffled.csv";
            write_deliveries(dir, name, o.from, &rows, &order, true)?;
        }
        if o.changed {
            let mut rows = rows;
            for d in rows.iter_mut().step_by(100) {
                d.goods = corrected(&d.goods);
            }
            write_deliveries(
                dir,
                "deliveries-shuffled-changed.csv",
                o.from,
                &rows,
                &order,
                false,
            )?;
        }
    }
    Ok(())
}
