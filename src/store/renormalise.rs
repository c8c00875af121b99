//! Notes stored by a bangfu older than today's text rules, read again
//! with them. A delivery without id is known by the fingerprint of its
//! normalised values (contract §3.4), the note among them. Versions before
//! the text rules of schema 6 kept a note as the cell had it — with a
//! zero-width space pasted from a chat, or in decomposed (NFD) form —
//! and fingerprinted it so; today's import cleans the same cell first
//! ([`clean_text`]), so its fingerprint differs and the monthly re-export
//! would count every such row a second time, silently. The upgrade to
//! schema 7 therefore stores each such note cleaned, with the fingerprint
//! today's import gives it, and numbers the occurrences of every place
//! (day, fingerprint) it touched 1, 2, … again — two stored rows whose
//! notes differed only by an invisible character are now two occurrences
//! of one row, as a file listing it twice would make them.
//! (A note's leading `'` before a formula character is left as stored:
//! whether it came from a rejects file bangfu wrote, which today's import
//! reads without it, the stored row does not say.)

use super::write::fingerprint;
use crate::records::Delivery;
use crate::values::{clean_text, Category, Date, Fen};
use rusqlite::{params, Connection};
use std::collections::BTreeSet;

/// Occurrences are moved above this while places are renumbered, so that
/// no two rows ever share one (the place index is unique).
const ASIDE: i64 = 1 << 40;

/// Clean every stored note that today's rules would change; the number of
/// deliveries changed.
pub fn renormalise_notes(conn: &Connection) -> rusqlite::Result<u64> {
    struct Stale {
        key: i64,
        day: i32,
        old_fingerprint: i64,
        note: Option<String>,
        fingerprint: i64,
    }
    let mut stale = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT d.key, d.day, d.category, d.goods, d.cash, d.note, m.id, h.id, d.fingerprint
             FROM deliveries d
             JOIN members m ON m.key = d.member
             JOIN households h ON h.key = d.household
             WHERE d.id IS NULL AND d.occurrence > 0 AND d.note IS NOT NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let note: String = r.get(5)?;
            let cleaned = clean_text(&note);
            if cleaned == note.as_str() {
                continue;
            }
            let day: i32 = r.get(1)?;
            let (Some(date), Some(category)) = (
                Date::from_days(day),
                Category::from_index(r.get::<_, u8>(2)?),
            ) else {
                // Not a row bangfu wrote: leave it as it is.
                continue;
            };
            let note = (!cleaned.is_empty()).then(|| cleaned.into_owned());
            let (member, household): (String, String) = (r.get(6)?, r.get(7)?);
            let delivery = Delivery {
                id: None,
                date,
                member: member.as_str().into(),
                household: household.as_str().into(),
                category,
                goods: Fen(r.get(3)?),
                cash: Fen(r.get(4)?),
                note: note.as_deref().map(Into::into),
            };
            stale.push(Stale {
                key: r.get(0)?,
                day,
                old_fingerprint: r.get(8)?,
                fingerprint: fingerprint(&delivery, &member, &household) as i64,
                note,
            });
        }
    }
    if stale.is_empty() {
        return Ok(0);
    }
    let mut places = BTreeSet::new();
    let mut update = conn.prepare(
        "UPDATE deliveries SET note = ?2, fingerprint = ?3, occurrence = ?4 WHERE key = ?1",
    )?;
    for s in &stale {
        update.execute(params![s.key, s.note, s.fingerprint, ASIDE + s.key])?;
        places.insert((s.day, s.old_fingerprint));
        places.insert((s.day, s.fingerprint));
    }
    // Each touched place: its rows without id numbered 1, 2, … in their
    // old order (rows that moved in last), through a second set of numbers
    // above every occurrence in use.
    let mut rows_at = conn.prepare(
        "SELECT key FROM deliveries
         WHERE day = ?1 AND fingerprint = ?2 AND id IS NULL AND occurrence > 0
         ORDER BY occurrence, key",
    )?;
    let mut number = conn.prepare("UPDATE deliveries SET occurrence = ?2 WHERE key = ?1")?;
    for (day, fingerprint) in places {
        let keys: Vec<i64> = rows_at
            .query_map(params![day, fingerprint], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (i, key) in keys.iter().enumerate() {
            number.execute(params![key, 2 * ASIDE + i as i64])?;
        }
        for (i, key) in keys.iter().enumerate() {
            number.execute(params![key, i as i64 + 1])?;
        }
    }
    Ok(stale.len() as u64)
}
