#!/usr/bin/env python3
"""Generate bangfu's built-in sample data: data/households.csv, members.csv,
pairings.csv and deliveries.csv.

Everything here is invented: names, ID numbers, phone numbers, places and
amounts. The output is deterministic (fixed seed, no set iteration, no clock),
so running this again rewrites byte-identical files:

    python3 data/make_sample.py

Standard library only. The files imitate what clerks' spreadsheet exports look
like (see SPEC.md §1-§3): households.csv is GBK with CRLF line ends and Excel
template headers; members.csv is UTF-8 with a BOM; pairings.csv and
deliveries.csv are plain UTF-8. Deliveries refer to members by NAME and mix
date, category and money spellings the way hand-typed sheets do. The goods and
cash of all deliveries add up to exactly 71,350.00 yuan.
"""

import csv
import datetime as dt
import os
import random

SEED = 20021231
HERE = os.path.dirname(os.path.abspath(__file__))

TARGET_TOTAL_FEN = 7_135_000  # 71,350.00 yuan: goods + cash over all deliveries
N_HOUSEHOLDS = 200
N_UNPAIRED = 7
N_LIFTED = 30
N_DOUBLE = 6  # households with a second, concurrent member
N_ENDED = 4  # households whose first pairing ended in 2002 and was handed over
N_NO_SINCE = 5  # pairings typed without a start date
REGION = "220402"  # 6-digit administrative code used in the invented ID numbers

CAMPAIGN_START = dt.date(2001, 3, 1)
CAMPAIGN_END = dt.date(2002, 12, 31)

# ----------------------------------------------------------------------------
# Places: a district modelled on 龙山区 (8 subdistricts, 2 townships).

TOWNSHIPS = [
    ("向阳街道", ["向阳社区", "春光社区", "园林社区"]),
    ("东吉街道", ["东吉社区", "吉祥社区"]),
    ("西宁街道", ["西宁社区", "新华社区", "和平社区"]),
    ("站前街道", ["站前社区", "铁北社区"]),
    ("新兴街道", ["新兴社区", "兴业社区", "福民社区"]),
    ("南康街道", ["南康社区", "康乐社区"]),
    ("北寿街道", ["北寿社区", "长寿社区", "福寿社区"]),
    ("龙山街道", ["龙山社区", "龙泉社区", "龙湾社区", "金龙社区"]),
    ("工农乡", ["工农村", "红星村", "胜利村", "富强村"]),
    ("寿山乡", ["寿山村", "大顶村", "新立村"]),
]

# ----------------------------------------------------------------------------
# Names (common characters only, all encodable in GBK).

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
    "潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石贾夏付方白邹孟秦邱"
    "侯江尹薛闫段雷龙史陶贺顾毛郝邵万钱严武戴孔常温康施文牛葛邢安齐乔庞"
    "聂关焦柳包宁尚单季裴霍成苗谷盛曲路辛靳管柴鲍房滕解穆车连娄宫佟隋栾"
)
# the first surnames are far more common; weight them so names look natural
SURNAME_WEIGHTS = [8 if i < 10 else 4 if i < 30 else 2 if i < 60 else 1 for i in range(len(SURNAMES))]

MALE_CHARS = (
    "国建志明永春海金玉福宝德文军伟强富贵长成庆祥山林华平忠义胜利树江学连振"
    "彬辉东鹏立新刚力清德俊涛斌峰亮军宏洪权喜才广发友贵秋万兴财民生吉有"
)
FEMALE_CHARS = (
    "秀英兰芳凤桂珍玉霞丽淑艳红梅琴敏静华萍云月娟荣颖慧洁春凤燕杰彩莲翠菊"
    "香素贤雪芝丹婷晶佳冬琳玲"
)


def make_name(rng, female):
    chars = FEMALE_CHARS if female else MALE_CHARS
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    if rng.random() < 0.15:
        given = rng.choice(chars)
    else:
        a = rng.choice(chars)
        b = rng.choice(chars)
        while b == a:
            b = rng.choice(chars)
        given = a + b
    return surname + given


# ----------------------------------------------------------------------------
# ID numbers (GB 11643: ISO 7064 MOD 11-2) and phone numbers.

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check_char(first17):
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return "10X98765432"[total % 11]


def make_id_number(rng, female, used):
    while True:
        year = rng.choices(range(1930, 1986), weights=[3 if y < 1960 else 2 if y < 1975 else 1 for y in range(1930, 1986)])[0]
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365 + (year % 4 == 0)))
        seq = rng.randrange(1, 500) * 2 + (0 if female else 1)  # 17th digit: odd = male
        if seq > 999:
            continue
        first17 = REGION + born.strftime("%Y%m%d") + "%03d" % seq
        value = first17 + id_check_char(first17)
        if value not in used:
            used[value] = True
            return value


def make_phone(rng, used, landline_share):
    while True:
        if rng.random() < landline_share:
            value = "0437-%d%06d" % (rng.choice([3, 5, 6]), rng.randrange(10 ** 6))
        else:
            prefix = rng.choice(["13", "13", "13", "15", "18"])
            value = prefix + "%d%08d" % (rng.randrange(10), rng.randrange(10 ** 8))
        if value not in used:
            used[value] = True
            return value


# ----------------------------------------------------------------------------
# Dates as clerks type them.


def slash(d):
    return "%d/%d/%d" % (d.year, d.month, d.day)


def chinese(d):
    return "%d年%d月%d日" % (d.year, d.month, d.day)


def iso(d):
    return d.isoformat()


def random_date(rng, lo, hi):
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


# ----------------------------------------------------------------------------
# Households


def make_households(rng, names_used, ids_used, phones_used):
    villages = [(t, v) for t, vs in TOWNSHIPS for v in vs]
    weights = [2.3 if t.endswith("乡") else 1.0 for t, _ in villages]
    counts = [2] * len(villages)  # every village has at least two households
    for _ in range(N_HOUSEHOLDS - sum(counts)):
        counts[rng.choices(range(len(villages)), weights=weights)[0]] += 1

    causes = ["因病", "因残", "缺劳力", "缺资金", "缺技术", "因学", "因灾"]
    cause_w = [30, 18, 15, 12, 10, 8, 7]
    households = []
    for (township, village), n in zip(villages, counts):
        for _ in range(n):
            female = rng.random() < 0.35
            name = make_name(rng, female)
            while name in names_used:
                name = make_name(rng, female)
            names_used[name] = True
            r = rng.random()
            phone = "" if r < 0.15 else make_phone(rng, phones_used, 0.12)
            households.append({
                "id": "LS-H%03d" % (len(households) + 1),
                "head": name,
                "id_number": make_id_number(rng, female, ids_used),
                "township": township,
                "village": village,
                "size": rng.choices(range(1, 8), weights=[10, 22, 25, 20, 12, 7, 4])[0],
                "cause": rng.choices(causes, weights=cause_w)[0],
                "status": "",
                "lifted_on": "",
                "phone": phone,
            })
    return households


# ----------------------------------------------------------------------------
# Members

LEADERS = [
    ("区委", "区委书记"), ("区委", "区委副书记"), ("区委", "区委副书记"), ("区委", "区委常委"),
    ("区人大", "主任"), ("区人大", "副主任"), ("区人大", "副主任"),
    ("区政府", "区长"), ("区政府", "副区长"), ("区政府", "副区长"), ("区政府", "副区长"),
    ("区政府", "副区长"),
    ("区政协", "主席"), ("区政协", "副主席"), ("区政协", "副主席"),
]

STAFF_UNITS = [  # unit, number of staff members
    ("区财政局", 9), ("区教育局", 10), ("区卫生局", 9), ("区农业局", 10),
    ("区民政局", 8), ("区司法局", 7), ("区科技局", 6), ("区人社局", 8),
    ("区委组织部", 8), ("区委宣传部", 7), ("区总工会", 6), ("区妇联", 5),
]

DEPARTMENT_MEMBERS = ["区农业局", "区民政局"]  # whole units acting as one member


def staff_roles(unit, n):
    if unit.endswith("局"):
        head = ["局长", "副局长", "副局长"]
        rest = ["科长", "副科长", "主任科员", "科员", "科员", "办事员"]
    elif unit.endswith("部"):
        head = ["副部长", "副部长"]
        rest = ["科长", "副科长", "干事", "干事"]
    else:  # 区总工会, 区妇联
        head = ["主席", "副主席"]
        rest = ["部长", "干事", "干事"]
    roles = head[:min(len(head), n)]
    i = 0
    while len(roles) < n:
        roles.append(rest[i % len(rest)])
        i += 1
    return roles


def make_members(rng, names_used, phones_used):
    people = [(u, r) for u, r in LEADERS]
    for unit, n in STAFF_UNITS:
        people += [(unit, role) for role in staff_roles(unit, n)]
    members = []
    for unit, role in people:
        female = rng.random() < 0.3
        name = make_name(rng, female)
        while name in names_used:
            name = make_name(rng, female)
        names_used[name] = True
        r = rng.random()
        phone = "" if r < 0.05 else make_phone(rng, phones_used, 0.2)
        kind = "leader" if unit in ("区委", "区人大", "区政府", "区政协") else "staff"
        members.append({"id": "", "name": name, "unit": unit, "role": role, "phone": phone, "kind": kind})
    for unit in DEPARTMENT_MEMBERS:
        assert unit not in names_used
        names_used[unit] = True
        members.append({"id": "", "name": unit, "unit": unit, "role": "单位包保",
                        "phone": make_phone(rng, phones_used, 1.0), "kind": "department"})
    for i, m in enumerate(members):
        m["id"] = "LS-M%03d" % (i + 1)
    return members


# ----------------------------------------------------------------------------
# Pairings


def make_pairings(rng, households, members):
    unpaired = rng.sample(range(len(households)), N_UNPAIRED)
    unpaired_ids = [households[i]["id"] for i in sorted(unpaired)]
    paired_households = [h for h in households if h["id"] not in unpaired_ids]
    assert len(paired_households) == N_HOUSEHOLDS - N_UNPAIRED

    # how many households each member takes: leaders 1-2, staff 1-3, departments 5-8
    cap = {}
    for m in members:
        if m["kind"] == "leader":
            cap[m["id"]] = rng.choice([1, 2])
        elif m["kind"] == "department":
            cap[m["id"]] = rng.randint(5, 8)
        else:
            cap[m["id"]] = rng.choices([1, 2, 3], weights=[35, 45, 20])[0]
    total = len(paired_households) + N_DOUBLE + N_ENDED
    staff = [m["id"] for m in members if m["kind"] == "staff"]
    while sum(cap.values()) > total:
        mid = rng.choice(staff)
        if cap[mid] > 1:
            cap[mid] -= 1
    while sum(cap.values()) < total:
        mid = rng.choice(staff)
        if cap[mid] < 3:
            cap[mid] += 1

    # members whose first pairing ends in 2002 (each keeps another, active one)
    ended_members = rng.sample([mid for mid in staff if cap[mid] >= 2], N_ENDED)
    for mid in ended_members:
        cap[mid] -= 1
    # second members for a few households: mostly leaders, some staff
    multi = [m["id"] for m in members if m["kind"] != "department" and cap[m["id"]] >= 2 and m["id"] not in ended_members]
    kind = {m["id"]: m["kind"] for m in members}
    leaders_multi = [mid for mid in multi if kind[mid] == "leader"]
    extra_members = rng.sample(leaders_multi, min(4, len(leaders_multi)))
    extra_members += rng.sample([mid for mid in multi if mid not in extra_members], N_DOUBLE - len(extra_members))
    for mid in extra_members:
        cap[mid] -= 1

    # primary pairings: walk the members unit by unit and hand out households
    # in id order, so one unit's households sit in neighbouring villages
    units = []
    for m in members:
        if m["unit"] not in units:
            units.append(m["unit"])
    rng.shuffle(units)
    order = []
    for u in units:
        order += [m["id"] for m in members if m["unit"] == u]
    slots = [mid for mid in order for _ in range(cap[mid])]
    assert len(slots) == len(paired_households)

    main_dates = [dt.date(2001, 3, 1)] * 12 + [dt.date(2001, 3, 15), dt.date(2001, 4, 1), dt.date(2001, 4, 10),
                                               dt.date(2001, 5, 8), dt.date(2001, 6, 1), dt.date(2001, 7, 1),
                                               dt.date(2001, 9, 3), dt.date(2002, 3, 1)]
    since_of_member = {mid: rng.choice(main_dates) for mid in order}
    pairings = []
    for mid, h in zip(slots, paired_households):
        pairings.append({"member": mid, "household": h["id"], "since": since_of_member[mid], "until": None})

    # handed-over households: the ended member had it first, the current one since the day after
    hh_ids = [p["household"] for p in pairings]
    primary = {p["household"]: p for p in pairings}
    ended_hh = []
    for mid in ended_members:
        hid = rng.choice([h for h in hh_ids if primary[h]["member"] != mid and h not in ended_hh])
        ended_hh.append(hid)
        current = primary[hid]
        until = random_date(rng, dt.date(2002, 3, 31), dt.date(2002, 9, 30))
        pairings.append({"member": mid, "household": hid, "since": dt.date(2001, 3, 1), "until": until})
        current["since"] = until + dt.timedelta(days=1)

    double_hh = []
    for mid in extra_members:
        hid = rng.choice([h for h in hh_ids if primary[h]["member"] != mid and h not in ended_hh and h not in double_hh])
        double_hh.append(hid)
        since = random_date(rng, dt.date(2001, 3, 1), dt.date(2002, 3, 1))
        since = rng.choice([dt.date(2001, 3, 1), since])
        pairings.append({"member": mid, "household": hid, "since": since, "until": None})

    # a few start dates were never typed in
    plain = [p for p in pairings if p["until"] is None and p["household"] not in ended_hh and p["household"] not in double_hh]
    for p in rng.sample(plain, N_NO_SINCE):
        p["since"] = None

    rank = {m["id"]: i for i, m in enumerate(members)}
    pairings.sort(key=lambda p: (rank[p["member"]], p["household"], p["since"] or dt.date(1900, 1, 1)))
    return pairings, unpaired_ids


# ----------------------------------------------------------------------------
# Deliveries

CATEGORIES = [  # key, canonical Chinese, weight
    ("ideas", "送思想", 11), ("policy", "送政策", 15), ("technology", "送科技", 14),
    ("information", "送信息", 10), ("warmth", "送温暖", 26), ("law", "送法律", 8),
    ("deeds", "办好事实事", 16),
]
SHORT_FORMS = {"warmth": "温暖", "policy": "政策", "deeds": "办实事"}

# category -> [(weight, note, season or None, goods spec, cash spec)]
# a season lists months, or ((month, day), (month, day)) ranges within a year
# an amount spec is (probability, low, high, step) in yuan; None = nothing given
TEMPLATES = {
    "ideas": [
        (5, "谈心谈话", None, None, None),
        (4, "入户谈心，鼓励脱贫", None, None, None),
        (3, "帮助树立脱贫信心", None, None, None),
        (2, "宣讲勤劳致富典型", None, None, None),
        (1, "送致富读物", None, (1, 10, 40, 5), None),
    ],
    "policy": [
        (5, "宣讲惠农政策", None, None, None),
        (4, "讲解低保政策", None, None, None),
        (3, "讲解再就业优惠政策", None, None, None),
        (2, "讲解助学政策", None, None, None),
        (2, "讲解医疗救助政策", None, None, None),
        (2, "宣讲退耕还林政策", None, None, None),
    ],
    "technology": [
        (4, "讲解种植技术", [3, 4, 5, 6, 7, 8], None, None),
        (3, "送玉米良种", [3, 4, 5], (1, 50, 200, 10), None),
        (2, "送化肥", [4, 5, 6], (1, 80, 300, 10), None),
        (3, "讲解养殖技术", None, None, None),
        (2, "送鸡雏", [4, 5, 6], (1, 40, 150, 5), None),
        (1, "送科技书籍", None, (1, 10, 40, 5), None),
        (2, "参加技能培训", None, None, (0.3, 50, 150, 10)),
    ],
    "information": [
        (4, "提供务工信息", None, None, None),
        (3, "介绍就业岗位", None, None, None),
        (2, "提供市场行情", None, None, None),
        (3, "推荐再就业岗位", None, None, None),
        (2, "提供种养信息", None, None, None),
    ],
    "warmth": [
        (6, "送米面油", None, (1, 60, 200, 5), None),
        (4, "春节慰问", [((1, 15), (2, 25))], (0.8, 50, 150, 10), (0.8, 100, 300, 50)),
        (3, "中秋慰问", [((9, 10), (10, 5))], (1, 30, 100, 5), (0.4, 50, 200, 50)),
        (4, "送慰问金", None, None, (1, 100, 500, 50)),
        (3, "送过冬煤", [10, 11, 12], (1, 150, 400, 10), None),
        (2, "送棉衣棉被", [10, 11, 12, 1], (1, 80, 250, 10), None),
        (3, "走访慰问", None, None, None),
        (1, "送大米50斤, 豆油1桶", None, (1, 80, 120, 5), None),
    ],
    "law": [
        (4, "法律咨询", None, None, None),
        (3, "宣讲法律知识", None, None, None),
        (2, "调解邻里纠纷", None, None, None),
        (1, "帮助申请法律援助", None, None, None),
        (3, "普法宣传", None, None, None),
    ],
    "deeds": [
        (3, "帮助修缮房屋", [4, 5, 6, 7, 8, 9, 10], (1, 300, 1500, 50), None),
        (3, "资助子女上学", [8, 9], None, (1, 200, 800, 50)),
        (2, "帮助联系就医", None, None, (0.5, 100, 500, 50)),
        (2, "资助医药费", None, None, (1, 100, 600, 50)),
        (3, "帮助办理低保", None, None, None),
        (2, "帮助安排就业", None, None, None),
        (2, "帮助秋收", [9, 10], None, None),
        (1, "修理院墙", [4, 5, 6, 7, 8, 9, 10], (1, 100, 400, 10), None),
        (1, "解决吃水难", [4, 5, 6, 7, 8, 9, 10], (1, 200, 800, 50), None),
    ],
}


def in_season(d, season):
    for s in season:
        if isinstance(s, int):
            if d.month == s:
                return True
        elif s[0] <= (d.month, d.day) <= s[1]:
            return True
    return False


def draw_amount(rng, spec):
    """Amount in fen, or 0."""
    if spec is None or rng.random() >= spec[0]:
        return 0
    _, lo, hi, step = spec
    return step * rng.randint(lo // step, hi // step) * 100


def make_deliveries(rng, pairings, members):
    kind = {m["id"]: m["kind"] for m in members}
    cat_keys = [c[0] for c in CATEGORIES]
    cat_w = [c[2] for c in CATEGORIES]
    rows = []
    seen = {}
    for p in pairings:
        lo = max(p["since"] or CAMPAIGN_START, CAMPAIGN_START)
        hi = min(p["until"] - dt.timedelta(days=1), CAMPAIGN_END) if p["until"] else CAMPAIGN_END
        span = (hi - lo).days + 1
        if kind[p["member"]] == "department":
            n = rng.randint(2, 5)
        else:
            n = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
        n = max(1, min(n, 1 + span // 60))
        made = 0
        tries = 0
        while made < n and tries < 200:
            tries += 1
            cat = rng.choices(cat_keys, weights=cat_w)[0]
            tmpl = TEMPLATES[cat]
            _, note, months, goods_spec, cash_spec = rng.choices(tmpl, weights=[t[0] for t in tmpl])[0]
            if months is not None:
                days = [lo + dt.timedelta(days=i) for i in range(span)]
                days = [d for d in days if in_season(d, months)]
                if not days:
                    continue
                date = rng.choice(days)
            else:
                date = random_date(rng, lo, hi)
            key = (date, p["member"], p["household"], cat)
            if key in seen:
                continue
            seen[key] = True
            goods = draw_amount(rng, goods_spec)
            cash = draw_amount(rng, cash_spec)
            rows.append({"date": date, "member": p["member"], "household": p["household"], "cat": cat,
                         "note": note, "goods": goods, "cash": cash,
                         "half": goods > 0 and rng.random() < 0.15})
            made += 1
        if made == 0:
            raise RuntimeError("no delivery for pairing %r" % p)
    rank = {k: i for i, k in enumerate(cat_keys)}
    rows.sort(key=lambda r: (r["date"], r["member"], r["household"], rank[r["cat"]]))
    return rows


def round_nice(fen):
    """Round an amount in fen to a whole 5 yuan (10 yuan from 200 yuan up), never to 0."""
    unit = 500 if fen < 20000 else 1000
    return max(unit, int((fen + unit // 2) // unit) * unit)


def hit_total(rows):
    """Scale amounts so goods + cash add up to exactly TARGET_TOTAL_FEN."""
    raw = sum(r["goods"] + r["cash"] for r in rows)
    for r in rows:
        for k in ("goods", "cash"):
            if r[k]:
                r[k] = round_nice(r[k] * TARGET_TOTAL_FEN // raw)
        if r["half"]:
            r["goods"] += 50
    # adjust the last rows that carry money (at most 200 yuan each)
    diff = TARGET_TOTAL_FEN - sum(r["goods"] + r["cash"] for r in rows)
    for r in reversed(rows):
        if diff == 0:
            break
        k = "cash" if r["cash"] else "goods" if r["goods"] else None
        if k is None:
            continue
        if diff > 0:
            step = min(diff, 20000)
        else:
            if r[k] <= 1000:
                continue
            step = -min(-diff, 20000, r[k] - 1000)
        r[k] += step
        diff -= step
    assert diff == 0
    assert sum(r["goods"] + r["cash"] for r in rows) == TARGET_TOTAL_FEN


def fmt_money(rng, fen):
    yuan, rest = divmod(fen, 100)
    if rest:
        s = "%d.%02d" % (yuan, rest)
        return s if rng.random() < 0.7 else s.rstrip("0")
    return "%d.00" % yuan if rng.random() < 0.15 else "%d" % yuan


def format_deliveries(rng, rows, members):
    name = {m["id"]: m["name"] for m in members}
    chinese_cat = {c[0]: c[1] for c in CATEGORIES}
    # a few hand-typed "元" suffixes and thousands separators
    whole = [i for i, r in enumerate(rows) if r["cash"] and r["cash"] % 100 == 0 and r["cash"] < 100000]
    yuan_suffix = rng.sample(whole, 8)
    big = [i for i, r in enumerate(rows) if r["goods"] >= 100000 or r["cash"] >= 100000]
    thousands = rng.sample(big, min(3, len(big)))
    out = []
    for i, r in enumerate(rows):
        x = rng.random()
        date = iso(r["date"]) if x < 0.85 else chinese(r["date"]) if x < 0.95 else slash(r["date"])
        cat = r["cat"]
        category = SHORT_FORMS[cat] if cat in SHORT_FORMS and rng.random() < 0.12 else chinese_cat[cat]
        zero = "" if rng.random() < 0.65 else "0"
        goods = fmt_money(rng, r["goods"]) if r["goods"] else zero
        cash = fmt_money(rng, r["cash"]) if r["cash"] else zero
        if i in yuan_suffix:
            cash = "%d元" % (r["cash"] // 100)
        if i in thousands:
            k = "goods" if r["goods"] >= 100000 else "cash"
            v = "{:,}".format(r[k] // 100) + ("" if r[k] % 100 == 0 else ".%02d" % (r[k] % 100))
            if k == "goods":
                goods = v
            else:
                cash = v
        out.append([date, name[r["member"]], r["household"], category, goods, cash, r["note"]])
    return out


# ----------------------------------------------------------------------------


def write_csv(path, header, rows, encoding, newline):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator=newline)
        w.writerow(header)
        w.writerows(rows)


def main():
    rng = random.Random(SEED)
    names_used = {}
    ids_used = {}
    phones_used = {}

    households = make_households(rng, names_used, ids_used, phones_used)
    members = make_members(rng, names_used, phones_used)
    pairings, unpaired_ids = make_pairings(rng, households, members)

    # status: 30 households lifted in 2002 (all paired), the rest poor or left blank
    candidates = [h for h in households if h["id"] not in unpaired_ids]
    lifted = rng.sample(range(len(candidates)), N_LIFTED)
    for i in sorted(lifted):
        h = candidates[i]
        h["status"] = "已脱贫"
        d = random_date(rng, dt.date(2002, 6, 1), dt.date(2002, 12, 31))
        h["lifted_on"] = iso(d) if rng.random() < 0.6 else slash(d)
    for h in households:
        if not h["status"]:
            h["status"] = "贫困" if rng.random() < 0.8 else ""

    deliveries = make_deliveries(rng, pairings, members)
    hit_total(deliveries)
    delivery_rows = format_deliveries(rng, deliveries, members)

    write_csv(
        os.path.join(HERE, "households.csv"),
        ["户编号", "户主姓名", "身份证号码", "乡镇（街道）", "村（社区）", "家庭人口", "致贫原因", "脱贫状态", "脱贫日期", "联系电话"],
        [[h["id"], h["head"], h["id_number"], h["township"], h["village"], h["size"], h["cause"],
          h["status"], h["lifted_on"], h["phone"]] for h in households],
        "gbk", "\r\n")
    write_csv(
        os.path.join(HERE, "members.csv"),
        ["编号", "姓名", "工作单位", "职务", "联系电话"],
        [[m["id"], m["name"], m["unit"], m["role"], m["phone"]] for m in members],
        "utf-8-sig", "\n")
    write_csv(
        os.path.join(HERE, "pairings.csv"),
        ["帮扶人编号", "户编号", "结对日期", "结束日期"],
        [[p["member"], p["household"], slash(p["since"]) if p["since"] else "",
          slash(p["until"]) if p["until"] else ""] for p in pairings],
        "utf-8", "\n")
    write_csv(
        os.path.join(HERE, "deliveries.csv"),
        ["日期", "帮扶人", "户编号", "类别", "物资（元）", "资金（元）", "帮扶内容"],
        delivery_rows,
        "utf-8", "\n")

    goods = sum(r["goods"] for r in deliveries)
    cash = sum(r["cash"] for r in deliveries)
    print("households %d, members %d, pairings %d, deliveries %d; goods %d.%02d + cash %d.%02d = %d.%02d yuan" % (
        len(households), len(members), len(pairings), len(deliveries),
        goods // 100, goods % 100, cash // 100, cash % 100, (goods + cash) // 100, (goods + cash) % 100))


if __name__ == "__main__":
    main()
