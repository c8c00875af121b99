//! Reference data for the speed benchmark (contract §7, bench/run.sh).
//!
//! ```text
//! cargo run --release --example bench_data -- OUTDIR ROWS
//! ```
//!
//! Writes four UTF-8 CSV files with canonical English headers into OUTDIR:
//! `households.csv` (20,000 households in 10 townships and 200 villages),
//! `members.csv` (10,000 members in 60 units), `pairings.csv` (each
//! household paired with one or two members, since a date in 2020) and
//! `deliveries.csv` (ROWS deliveries dated 2020-01-01 to 2024-12-31, in date
//! order, nearly all by a member paired with the household).
//!
//! The output is deterministic: the same ROWS always gives the same bytes,
//! and households, members and pairings do not depend on ROWS at all, so a
//! 100k and a 1M deliveries file share one set of records.

use std::error::Error;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;

use bangfu::values::id_number::check_char;
use chrono::{Duration, NaiveDate};

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

fn write_households(dir: &Path) -> Result<(), Box<dyn Error>> {
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
    for i in 0..HOUSEHOLDS {
        let v = rng.index(villages);
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
    Ok(())
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

fn write_deliveries(dir: &Path, rows: usize, pairs: &[Vec<usize>]) -> Result<(), Box<dyn Error>> {
    let mut rng = Rng::new(5);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("deliveries.csv"))?));
    w.write_record([
        "date",
        "member",
        "household",
        "category",
        "goods",
        "cash",
        "note",
    ])?;
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    let days = (NaiveDate::from_ymd_opt(2024, 12, 31).expect("valid date") - start).num_days() + 1;
    let mut date_text = String::new();
    let mut date_day = -1;
    for i in 0..rows {
        // In date order, as a sheet kept day by day is exported.
        let day = (i as i64 * days) / rows.max(1) as i64;
        if day != date_day {
            date_day = day;
            date_text = (start + Duration::days(day)).format("%Y-%m-%d").to_string();
        }
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
        w.write_record([
            date_text.as_str(),
            &member_id(m),
            &household_id(h),
            CATEGORIES[c][spelling],
            &goods,
            &cash,
            &note,
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, rows) = match args.as_slice() {
        [dir, rows] => (Path::new(dir), rows.parse::<usize>()?),
        _ => {
            eprintln!("usage: bench_data OUTDIR ROWS");
            std::process::exit(2);
        }
    };
    fs::create_dir_all(dir)?;
    write_households(dir)?;
    write_members(dir)?;
    let pairs = pairings();
    write_pairings(dir, &pairs)?;
    write_deliveries(dir, rows, &pairs)?;
    Ok(())
}
