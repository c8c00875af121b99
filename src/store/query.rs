//! Reads for the reports. Each function answers one question in one or a
//! few queries over integer columns.

use crate::values::{Date, Fen};
use rusqlite::Connection;

/// The headline figures of `summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub households: i64,
    /// Households with a pairing not ended on `today`.
    pub paired_households: i64,
    pub lifted_households: i64,
    pub members: i64,
    /// Distinct units of the members.
    pub units: i64,
    pub pairings: i64,
    pub deliveries: i64,
    pub goods: Fen,
    pub cash: Fen,
}

impl Summary {
    pub fn total(&self) -> Fen {
        self.goods + self.cash
    }
}

/// The headline figures over the whole database.
pub fn summary(conn: &Connection, today: Date) -> rusqlite::Result<Summary> {
    conn.query_row(
        "SELECT
            (SELECT count(*) FROM households),
            (SELECT count(DISTINCT household) FROM pairings WHERE until IS NULL OR until >= ?1),
            (SELECT count(*) FROM households WHERE status = 1),
            (SELECT count(*) FROM members),
            (SELECT count(DISTINCT unit) FROM members),
            (SELECT count(*) FROM pairings),
            (SELECT count(*) FROM deliveries),
            (SELECT coalesce(sum(goods), 0) FROM deliveries),
            (SELECT coalesce(sum(cash), 0) FROM deliveries)",
        [today.days()],
        |r| {
            Ok(Summary {
                households: r.get(0)?,
                paired_households: r.get(1)?,
                lifted_households: r.get(2)?,
                members: r.get(3)?,
                units: r.get(4)?,
                pairings: r.get(5)?,
                deliveries: r.get(6)?,
                goods: Fen(r.get(7)?),
                cash: Fen(r.get(8)?),
            })
        },
    )
}

/// A household as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdInfo {
    pub key: i64,
    pub id: String,
    pub head: String,
    pub id_number: Option<String>,
    pub township: String,
    pub village: Option<String>,
    pub size: Option<i64>,
    pub cause: Option<String>,
    /// 0 poor, 1 lifted.
    pub status: u8,
    pub lifted_on: Option<i32>,
    pub phone: Option<String>,
}

/// A member as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInfo {
    pub key: i64,
    pub id: String,
    pub name: String,
    pub unit: String,
    pub role: Option<String>,
    pub phone: Option<String>,
}

/// Every household, in id order.
pub fn households(conn: &Connection) -> rusqlite::Result<Vec<HouseholdInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, id, head, id_number, township, village, size, cause, status, lifted_on, phone
         FROM households ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(HouseholdInfo {
            key: r.get(0)?,
            id: r.get(1)?,
            head: r.get(2)?,
            id_number: r.get(3)?,
            township: r.get(4)?,
            village: r.get(5)?,
            size: r.get(6)?,
            cause: r.get(7)?,
            status: r.get(8)?,
            lifted_on: r.get(9)?,
            phone: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// Every member, in id order.
pub fn members(conn: &Connection) -> rusqlite::Result<Vec<MemberInfo>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, id, name, unit, role, phone FROM members ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(MemberInfo {
            key: r.get(0)?,
            id: r.get(1)?,
            name: r.get(2)?,
            unit: r.get(3)?,
            role: r.get(4)?,
            phone: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// One delivery as the grouping reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub day: i32,
    pub member: i64,
    pub household: i64,
    pub category: u8,
    pub goods: i64,
    pub cash: i64,
}

/// Call `each` for every delivery dated within `from..=to` (day numbers).
pub fn scan_deliveries(
    conn: &Connection,
    from: i32,
    to: i32,
    mut each: impl FnMut(DeliveryFacts),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, member, household, category, goods, cash FROM deliveries
         WHERE day BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        each(DeliveryFacts {
            day: r.get(0)?,
            member: r.get(1)?,
            household: r.get(2)?,
            category: r.get(3)?,
            goods: r.get(4)?,
            cash: r.get(5)?,
        });
    }
    Ok(())
}

/// A pairing as the reports see it (keys and day numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairingFacts {
    pub member: i64,
    pub household: i64,
    pub since: Option<i32>,
    pub until: Option<i32>,
}

impl PairingFacts {
    /// Active on `day`: since empty or not after it, until empty or not before it.
    pub fn active_on(&self, day: i32) -> bool {
        self.since.is_none_or(|s| s <= day) && self.until.is_none_or(|u| u >= day)
    }
}

/// Every pairing.
pub fn pairings(conn: &Connection) -> rusqlite::Result<Vec<PairingFacts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member, household, since, until FROM pairings ORDER BY member, household, since",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PairingFacts {
            member: r.get(0)?,
            household: r.get(1)?,
            since: r.get(2)?,
            until: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The latest delivery day on or before `day` by `member` to `household`.
pub fn last_delivery(
    conn: &Connection,
    member: i64,
    household: i64,
    day: i32,
) -> rusqlite::Result<Option<i32>> {
    conn.prepare_cached(
        "SELECT max(day) FROM deliveries WHERE member = ?1 AND household = ?2 AND day <= ?3",
    )?
    .query_row([member, household, i64::from(day)], |r| r.get(0))
}

/// One delivery as `show` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub day: i32,
    pub member: i64,
    pub household: i64,
    pub category: u8,
    pub goods: i64,
    pub cash: i64,
    pub note: Option<String>,
}

/// The deliveries of one household (`of_member` false) or one member, by date.
pub fn deliveries_of(
    conn: &Connection,
    of_member: bool,
    key: i64,
) -> rusqlite::Result<Vec<DeliveryRecord>> {
    let sql = if of_member {
        "SELECT day, member, household, category, goods, cash, note FROM deliveries
         WHERE member = ?1 ORDER BY day, key"
    } else {
        "SELECT day, member, household, category, goods, cash, note FROM deliveries
         WHERE household = ?1 ORDER BY day, key"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([key], |r| {
        Ok(DeliveryRecord {
            day: r.get(0)?,
            member: r.get(1)?,
            household: r.get(2)?,
            category: r.get(3)?,
            goods: r.get(4)?,
            cash: r.get(5)?,
            note: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Deliveries by a member not paired with that household on that day:
/// (member, household, day).
pub fn deliveries_outside_pairings(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64, i32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.member, d.household, d.day FROM deliveries d
         WHERE NOT EXISTS (
             SELECT 1 FROM pairings p
             WHERE p.member = d.member AND p.household = d.household
               AND (p.since IS NULL OR p.since <= d.day)
               AND (p.until IS NULL OR p.until >= d.day))
         ORDER BY d.day, d.key",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Pairings with no delivery by that member to that household within the
/// pairing's days: (member, household, since).
pub fn pairings_without_deliveries(
    conn: &Connection,
) -> rusqlite::Result<Vec<(i64, i64, Option<i32>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.member, p.household, p.since FROM pairings p
         WHERE NOT EXISTS (
             SELECT 1 FROM deliveries d
             WHERE d.member = p.member AND d.household = p.household
               AND (p.since IS NULL OR d.day >= p.since)
               AND (p.until IS NULL OR d.day <= p.until))
         ORDER BY p.member, p.household, p.since",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Members with no pairing at all.
pub fn members_without_households(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.key FROM members m
         WHERE NOT EXISTS (SELECT 1 FROM pairings p WHERE p.member = m.key)
         ORDER BY m.id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}
