//! One visit given with its record id by one ledger and without by another
//! — a township's sheet numbers its rows (记录编号), the department's export
//! of the same visits does not — is one delivery, counted once (contract
//! §8). Rows without an id are matched by their place (day, fingerprint,
//! occurrence: §3.4), rows with one by their id, so the two never meet
//! where they are written. Here, once an import's files are written, each
//! row with an id it added or changed is looked for at the place its
//! values have without the id, and each row without an id it added among
//! the stored rows with one on its day. Of such a pair one row goes: the
//! new one (of two new ones, or two stored ones, the one without the id).
//! The ledgers that held it hold the one that stays; a stayer without an
//! id takes the goer's id and its place (the id's), so that the
//! township's sheet finds it by its id next month. A row with an id never
//! takes a place of a row without one: a sheet giving the visit with its
//! id and a like row without (two visits) would match it twice. So the
//! department's sheet without ids is paired again every month, with the
//! rows it holds since the first (no note then). Undo puts every row back
//! as it was.
//!
//! Never one visit: two rows one ledger's version in this import lists
//! (a row with an id and a like one without in one sheet are two visits,
//! as two like rows are; the sheet given with and without its ids in one
//! command is refused, [`Writer::id_switches`]); two stored rows whose
//! ledgers all hold both.
//!
//! What it reads: nothing where the database holds rows of one kind only.
//! Else the rows with an id this import added or changed, each looked up
//! at its place without the id, and where it added rows without an id,
//! the stored rows with one on their days, along the place index.

use super::deliveries::Content;
use super::Writer;
use crate::args;
use crate::input::headers::Kind;
use crate::store::sql::{self, Dialect, Result};
use crate::values::LedgerName;
use rustc_hash::FxHashMap as HashMap;

/// Rows with an id read a statement at a time: their place lookups follow
/// each read, and PostgreSQL's answer to one statement is read whole.
const CHUNK: usize = 1 << 14;

/// New rows of one file that were visits another ledger had the other way:
/// they count as unchanged rows of the file, held by its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneVisit {
    /// The file's number in the import ([`super::Overlap::file`]).
    pub file: u32,
    /// A ledger that held them (none: only a merged file's rows no ledger
    /// holds), and whether it had them with an id.
    pub ledger: Option<LedgerName>,
    pub with_ids: bool,
    pub count: u64,
    /// Whether some of them were not held by the file's ledger before:
    /// the note is said then only (a sheet without ids is paired again
    /// with the same rows every month).
    pub news: bool,
}

/// A row that goes, and the row that is the same visit.
#[derive(Debug, Clone, Copy)]
struct Pair {
    goer: i64,
    stayer: i64,
    goer_has_id: bool,
}

/// The pairs found and not yet kept one of, every row in one so far (a set
/// of bits over the keys), per file and kind its goers and a ledger that
/// held the first one's stayer (for the file's note), and the rows
/// without an id found at each place several of them share (in
/// occurrence order; those before the cursor all taken).
#[derive(Default)]
struct Found {
    pairs: Vec<[i64; 2]>,
    made: bool,
    taken: super::Seen,
    files: HashMap<(u32, bool), (Option<i64>, u64, u64)>,
    at: HashMap<(i32, i64), (Vec<i64>, usize)>,
}

/// Pairs kept one of a batch at a time: the statements' working memory
/// is bounded by a batch.
const PAIRS_AT_ONCE: usize = 1 << 15;

impl Writer<'_> {
    /// Pair every row this import added or changed with the row another
    /// ledger has of the same visit the other way, with or without an id,
    /// and keep one of each pair; per file, its new rows that went.
    pub fn one_visit_either_way(&mut self) -> Result<Vec<OneVisit>> {
        // Each question asked only where the answer can matter. Rows
        // without ids into rows without ids: two, each answered by the
        // first row it reads. Rows with ids: whether a row without one was
        // stored too, which in a database holding rows with ids alone
        // reads them all (0.1 s a million).
        let before = self.deliveries_before;
        let ask = |sql: &str| -> Result<bool> { self.conn.value(sql, args![before]) };
        let stored_with = ask(match self.conn.dialect() {
            Dialect::Sqlite => super::hints::IDS_BEFORE_SQLITE,
            Dialect::Postgres => super::hints::IDS_BEFORE,
        })?;
        // Every row is written by `Writer::delivery` or
        // `Writer::placed_delivery`, which say of which kinds they wrote.
        let new_without = self.sent.without_id && ask(NEW_WITHOUT_IDS)?;
        let mut touched: Vec<i64> = Vec::new();
        if self.sent.with_id && (new_without || ask(STORED_WITHOUT_IDS)?) {
            touched = self.conn.collect(
                "SELECT key FROM deliveries WHERE key > ?1 AND id IS NOT NULL ORDER BY key",
                args![before],
                |r| r.get(0),
            )?;
            if stored_with {
                touched.extend(self.conn.collect(
                    "SELECT d.key FROM undo_deliveries u JOIN deliveries d ON d.key = u.key
                     WHERE u.command = ?1 AND u.removed = 0 AND d.id IS NOT NULL ORDER BY d.key",
                    args![self.command],
                    |r| r.get::<_, i64>(0),
                )?);
            }
        }
        let mut found = Found::default();
        if !touched.is_empty() {
            self.found_without_ids(&touched, &mut found)?;
        }
        if new_without && stored_with {
            self.found_with_ids(&mut found)?;
        }
        self.keep_one(&mut found)?;
        if !found.made {
            return Ok(Vec::new());
        }
        self.conn.batch("DROP TABLE bangfu_pairs")?;
        if self.conn.dialect() == Dialect::Postgres {
            // The next import's keys as SQLite's: after the largest left.
            self.conn.batch("SELECT bangfu.sync_keys()")?;
        }
        let mut all = Vec::with_capacity(found.files.len());
        for ((file, with_ids), (ledger, count, news)) in found.files {
            let ledger = match ledger {
                Some(key) => Some(self.ledger_name(key)?),
                None => None,
            };
            all.push(OneVisit {
                file,
                ledger,
                with_ids,
                count,
                news: news > 0,
            });
        }
        all.sort_unstable_by_key(|a| (a.file, a.with_ids));
        Ok(all)
    }

    /// The rows `touched` (with an id), each looked up at its place
    /// without it: a row without an id there is the same visit. New rows
    /// are read by ranges of keys, changed ones by lists.
    fn found_without_ids(&mut self, touched: &[i64], found: &mut Found) -> Result<()> {
        let before = self.deliveries_before;
        let (new, changed): (Vec<i64>, Vec<i64>) = touched.iter().partition(|&&k| k > before);
        let conn = self.conn;
        let read = |sql: &str, args: &[&dyn sql::ToArg]| {
            conn.collect(sql, args, |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i32>(1)?, content_key(r, 1)?))
            })
        };
        for chunk in new.chunks(CHUNK) {
            let (first, last) = (chunk[0], chunk[chunk.len() - 1]);
            for (key, day, fingerprint) in read(NEW_WITH_IDS_CONTENT, args![first, last])? {
                self.pair_at(found, key, (day, fingerprint), false)?;
            }
        }
        for chunk in changed.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!("{CHANGED_WITH_IDS_CONTENT} ({})", list.join(","));
            for (key, day, fingerprint) in read(&sql, args![])? {
                self.pair_at(found, key, (day, fingerprint), false)?;
            }
        }
        Ok(())
    }

    /// The stored rows with an id on the days of this import's new rows
    /// without one, each looked up at its place without the id among
    /// those new rows. The new rows' places are kept as one number each
    /// (a place found there is looked up, so a number two places share
    /// costs a lookup, no pair); the stored rows are read a day at a time
    /// along the place index, where a row with an id stands at its id's
    /// place, occurrence 0 or below (a row that took an id in a pair too).
    fn found_with_ids(&mut self, found: &mut Found) -> Result<()> {
        let (mut places, mut days) = (Vec::new(), std::collections::BTreeSet::new());
        self.conn
            .stream(NEW_WITHOUT_IDS_PLACES, args![self.deliveries_before], |r| {
                let day: i32 = r.get(0)?;
                days.insert(day);
                places.push(place_number(day, r.get(1)?));
                Ok(())
            })?;
        places.sort_unstable();
        places.dedup();
        let stored = match self.conn.dialect() {
            Dialect::Sqlite => STORED_WITH_IDS_ON_SQLITE,
            Dialect::Postgres => STORED_WITH_IDS_ON,
        };
        for day in days {
            let mut candidates = Vec::new();
            self.conn
                .each(stored, args![day, self.deliveries_before], |r| {
                    let place = (day, content_key(r, 1)?);
                    if places.binary_search(&place_number(day, place.1)).is_ok() {
                        candidates.push((r.get::<_, i64>(0)?, place));
                    }
                    Ok(())
                })?;
            if candidates.len() > 1 {
                // Those this import's ledgers hold first: a sheet paired
                // again with the rows it holds, not with another like row
                // of the township's (attacker review, round 3).
                let held = self.held_by_importing(&candidates)?;
                candidates.sort_by_key(|(key, _)| held.binary_search(key).is_err());
            }
            for (key, place) in candidates {
                self.pair_at(found, key, place, true)?;
            }
        }
        Ok(())
    }

    /// Of the `candidates`, the keys the ledgers of this import's versions
    /// of deliveries hold.
    fn held_by_importing(&self, candidates: &[(i64, (i32, i64))]) -> Result<Vec<i64>> {
        let ledgers: Vec<String> = (self.versions.keys())
            .filter(|(_, kind)| *kind == Kind::Deliveries)
            .map(|(ledger, _)| ledger.to_string())
            .collect();
        if ledgers.is_empty() {
            return Ok(Vec::new());
        }
        let ledgers = ledgers.join(",");
        let mut held = Vec::new();
        for chunk in candidates.chunks(500) {
            let keys: Vec<String> = chunk.iter().map(|(k, _)| k.to_string()).collect();
            let keys = keys.join(",");
            let sql = format!(
                "SELECT d.key FROM deliveries d WHERE d.key IN ({keys}) AND (d.ledger IN ({ledgers})
                     OR EXISTS (SELECT 1 FROM holds h WHERE h.kind = 3 AND h.record = d.key
                                AND h.ledger IN ({ledgers})))"
            );
            held.extend(self.conn.collect(&sql, args![], |r| r.get::<_, i64>(0))?);
        }
        held.sort_unstable();
        Ok(held)
    }

    /// Pair the row with an id `key` with the first free row without one
    /// at `place` (only new ones if `new_only`) that is the same visit.
    fn pair_at(
        &mut self,
        found: &mut Found,
        key: i64,
        place: (i32, i64),
        new_only: bool,
    ) -> Result<()> {
        if found.taken.contains(key) {
            return Ok(());
        }
        let fetched: Vec<i64> = match found.at.contains_key(&place) {
            true => Vec::new(),
            false => (self.conn).collect(WITHOUT_IDS_AT, args![place.0, place.1], |r| r.get(0))?,
        };
        let before = self.deliveries_before;
        let (chosen, skip) = {
            let (alike, cursor) = match found.at.get(&place) {
                Some((alike, cursor)) => (alike, *cursor),
                None => (&fetched, 0),
            };
            let mut skip = cursor;
            while alike.get(skip).is_some_and(|&k| found.taken.contains(k)) {
                skip += 1;
            }
            let mut chosen = None;
            for &other in &alike[skip..] {
                if found.taken.contains(other) || (new_only && other <= before) {
                    continue;
                }
                // The new one goes; of two new or two stored, the one without.
                let pair = match (key > before, other > before) {
                    (true, false) => Pair {
                        goer: key,
                        stayer: other,
                        goer_has_id: true,
                    },
                    _ => Pair {
                        goer: other,
                        stayer: key,
                        goer_has_id: false,
                    },
                };
                if self.one_visit(pair)? {
                    chosen = Some(pair);
                    break;
                }
            }
            (chosen, skip)
        };
        // Kept where several rows share the place (a sheet's like rows):
        // each is asked of the list once, which is read once.
        match found.at.get_mut(&place) {
            Some(entry) => entry.1 = skip,
            None if fetched.len() > 1 => {
                found.at.insert(place, (fetched, skip));
            }
            None => {}
        }
        if let Some(pair) = chosen {
            self.found(found, pair)?;
        }
        Ok(())
    }

    /// Note `pair` as found; the batch kept one of once full.
    fn found(&mut self, found: &mut Found, pair: Pair) -> Result<()> {
        found.taken.insert(pair.goer);
        found.taken.insert(pair.stayer);
        if let Some(file) = self.file_of(pair.goer) {
            let with_ids = !pair.goer_has_id;
            if let std::collections::hash_map::Entry::Vacant(file) =
                found.files.entry((file, with_ids))
            {
                let goers = self.holders(pair.goer)?;
                let stayers = self.holders(pair.stayer)?;
                let other = (stayers.iter().copied()).find(|l| *l != 0 && !goers.contains(l));
                let other = other.or_else(|| stayers.iter().copied().find(|l| *l != 0));
                file.insert((other, 0, 0));
            }
        }
        found.pairs.push([pair.goer, pair.stayer]);
        if found.pairs.len() >= PAIRS_AT_ONCE {
            self.keep_one(found)?;
        }
        Ok(())
    }

    /// Of each pair found, keep the stayer: it takes the goer's id or
    /// place, and the goer's ledgers hold it, in their versions too (a
    /// `--replace` keeps what its file listed). A stored row changed or
    /// deleted here is kept for undo first, as a replace keeps it. A few
    /// statements a batch, whatever its size.
    fn keep_one(&mut self, found: &mut Found) -> Result<()> {
        if found.pairs.is_empty() {
            return Ok(());
        }
        if !found.made {
            self.conn.batch(match self.conn.dialect() {
                Dialect::Sqlite => CREATE_PAIRS_SQLITE,
                Dialect::Postgres => CREATE_PAIRS,
            })?;
            found.made = true;
        }
        let head = "INSERT INTO bangfu_pairs (goer, stayer) VALUES";
        super::insert_rows(self.conn, head, "", args![], &found.pairs)?;
        let (command, before) = (self.command, self.deliveries_before);
        for (sql, uses) in KEEP_ONE {
            match uses {
                Uses::None => self.conn.execute(sql, args![])?,
                Uses::Command => self.conn.execute(sql, args![command])?,
                Uses::Both => self.conn.execute(sql, args![command, before])?,
            };
        }
        // The versions, and per file its goers, from the pairs.
        let versions = &mut self.versions;
        let paired = &mut self.paired;
        let last_keys = &self.file_last_keys;
        let files = &mut found.files;
        self.conn.stream(
            "SELECT goer, stayer, id IS NULL, news FROM bangfu_pairs",
            args![],
            |r| {
                let (goer, stayer): (i64, i64) = (r.get(0)?, r.get(1)?);
                for ((_, kind), seen) in versions.iter_mut() {
                    if *kind == Kind::Deliveries && seen.remove(goer) {
                        seen.insert(stayer);
                        paired.insert(stayer);
                    }
                }
                if let Some(file) = file_of(last_keys, before, goer) {
                    // A goer without an id: the stayer had one.
                    if let Some(entry) = files.get_mut(&(file, r.get(2)?)) {
                        entry.1 += 1;
                        entry.2 += r.get::<_, i64>(3)?.unsigned_abs();
                    }
                }
                Ok(())
            },
        )?;
        self.conn.batch("DELETE FROM bangfu_pairs")?;
        found.pairs.clear();
        Ok(())
    }

    /// Whether the two rows of `pair` are one visit: no version of this
    /// import lists both, and a stored goer is held by a ledger that does
    /// not hold the stayer.
    fn one_visit(&self, pair: Pair) -> Result<bool> {
        let listed_together = (self.versions.iter()).any(|((_, kind), seen)| {
            *kind == Kind::Deliveries && seen.contains(pair.goer) && seen.contains(pair.stayer)
        });
        if listed_together {
            return Ok(false);
        }
        if pair.goer > self.deliveries_before {
            return Ok(true);
        }
        let stayers = self.holders(pair.stayer)?;
        Ok(self
            .holders(pair.goer)?
            .iter()
            .any(|l| !stayers.contains(l)))
    }

    /// The ledgers that hold delivery `key` (0: a merge's row no ledger
    /// holds).
    fn holders(&self, key: i64) -> Result<Vec<i64>> {
        self.conn.collect(HOLDERS, args![key], |r| r.get(0))
    }

    /// The number of the file of this import that wrote new delivery
    /// `key`: keys are handed out in order, file after file.
    fn file_of(&self, key: i64) -> Option<u32> {
        file_of(&self.file_last_keys, self.deliveries_before, key)
    }
}

/// The file of new delivery `key`, from each file's last key
/// ([`Writer::file_of`]); none for a key stored before the import.
fn file_of(last_keys: &[(u32, i64)], before: i64, key: i64) -> Option<u32> {
    if key <= before {
        return None;
    }
    let at = last_keys.partition_point(|&(_, last)| last < key);
    last_keys.get(at).map(|&(file, _)| file)
}

/// A place (day, fingerprint) as one number, for a set of many places in
/// little memory: two places may share one (the place itself is looked up
/// after).
fn place_number(day: i32, fingerprint: i64) -> u64 {
    (fingerprint as u64) ^ u64::from(day as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The fingerprint a row read by one of the `…_CONTENT` statements would
/// have without an id, from its columns `at` on: day, member id, household
/// id, category, goods, cash, note.
fn content_key(r: &sql::Row<'_>, at: usize) -> Result<i64> {
    let (member_id, household_id): (String, String) = (r.get(at + 1)?, r.get(at + 2)?);
    let note: Option<String> = r.get(at + 6)?;
    let content = Content {
        day: r.get(at)?,
        member_id: &member_id,
        household_id: &household_id,
        note: note.as_deref(),
        category: r.get(at + 3)?,
        goods: r.get(at + 4)?,
        cash: r.get(at + 5)?,
    };
    Ok(content.fingerprint() as i64)
}

/// Whether this import (keys above ?1) added a row without an id.
const NEW_WITHOUT_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key > ?1 AND id IS NULL)";
/// Whether a row without one was stored before it.
const STORED_WITHOUT_IDS: &str =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE key <= ?1 AND id IS NULL)";

/// A row's content, as [`content_key`] reads it from column 1 on.
macro_rules! content {
    ($from:literal, $where:literal) => {
        concat!(
            "SELECT d.key, d.day, m.id, h.id, d.category, d.goods, d.cash, d.note FROM ",
            $from,
            " JOIN members m ON m.key = d.member JOIN households h ON h.key = d.household WHERE ",
            $where
        )
    };
}
/// The rows with an id of keys ?1 to ?2 (new rows: they are all an
/// import's from some key on).
const NEW_WITH_IDS_CONTENT: &str = content!(
    "deliveries d",
    "d.key BETWEEN ?1 AND ?2 AND d.id IS NOT NULL"
);
/// The rows with an id of the keys in the list that follows.
const CHANGED_WITH_IDS_CONTENT: &str = content!("deliveries d", "d.id IS NOT NULL AND d.key IN");
/// The rows with an id at their own places (occurrence 0 or below) on day
/// ?1, stored before the import (keys up to ?2), from `$from`.
macro_rules! stored_with_ids_on {
    ($from:literal) => {
        content!(
            $from,
            "d.day = ?1 AND d.occurrence <= 0 AND d.id IS NOT NULL AND d.key <= ?2"
        )
    };
}
const STORED_WITH_IDS_ON: &str = stored_with_ids_on!("deliveries d");
/// [`STORED_WITH_IDS_ON`] along the place index, which SQLite must be told.
const STORED_WITH_IDS_ON_SQLITE: &str =
    stored_with_ids_on!("deliveries d INDEXED BY deliveries_place");
/// The places of the new rows without an id.
const NEW_WITHOUT_IDS_PLACES: &str =
    "SELECT day, fingerprint FROM deliveries WHERE key > ?1 AND id IS NULL";
/// The rows without an id at day ?1, fingerprint ?2, in occurrence order.
const WITHOUT_IDS_AT: &str = "SELECT key FROM deliveries
     WHERE day = ?1 AND fingerprint = ?2 AND id IS NULL ORDER BY occurrence";
/// The ledgers that hold delivery ?1: its own row's, and its holds'.
const HOLDERS: &str = "SELECT coalesce(ledger, 0) FROM deliveries WHERE key = ?1
     UNION SELECT ledger FROM holds WHERE kind = 3 AND record = ?1";
/// The pairs of a batch, and what each goer had that its stayer takes:
/// its id, or its place. A temporary table, named without its schema:
/// both engines look among the session's temporary tables first (as
/// `replace_dropped`). On SQLite the goer is the table's rowid.
const CREATE_PAIRS: &str = "CREATE TEMP TABLE IF NOT EXISTS bangfu_pairs
         (goer BIGINT PRIMARY KEY, stayer BIGINT NOT NULL, id TEXT,
          fingerprint BIGINT, occurrence BIGINT, news BIGINT);
     DELETE FROM bangfu_pairs";
const CREATE_PAIRS_SQLITE: &str = "CREATE TEMP TABLE IF NOT EXISTS bangfu_pairs
         (goer INTEGER PRIMARY KEY, stayer INTEGER NOT NULL, id TEXT,
          fingerprint INTEGER, occurrence INTEGER, news INTEGER);
     DELETE FROM bangfu_pairs";

/// Whether a pair is news: a ledger holds the goer that does not hold the
/// stayer yet (a department's sheet paired again, month after month, with
/// the township's rows it holds since the first is none).
const NEWS: &str = concat!(
    "UPDATE bangfu_pairs SET news = CASE WHEN
         EXISTS (SELECT 1 FROM deliveries g WHERE g.key = bangfu_pairs.goer
                 AND g.ledger IS NOT NULL AND NOT ",
    held_by!("s", "g.ledger"),
    ")
         OR EXISTS (SELECT 1 FROM holds g WHERE g.kind = 3 AND g.record = bangfu_pairs.goer
                    AND NOT ",
    held_by!("s", "g.ledger"),
    ") THEN 1 ELSE 0 END
     FROM deliveries s WHERE s.key = bangfu_pairs.stayer"
);

/// The deliveries `$who` of the pairs where `$where`, as they were before
/// import ?1 changed (`$removed` 0) or deleted (1) them, for undo.
macro_rules! kept_for_undo {
    ($removed:literal, $who:literal, $where:literal, $conflict:literal) => {
        concat!(
            "INSERT INTO undo_deliveries
                 (command, key, removed, day, fingerprint, occurrence, id, member, household,
                  category, goods, cash, note, added)
             SELECT CAST(?1 AS BIGINT), d.key, ",
            $removed,
            ", d.day, d.fingerprint, d.occurrence, d.id, d.member,
                    d.household, d.category, d.goods, d.cash, d.note, d.added
             FROM bangfu_pairs p JOIN deliveries d ON d.key = ",
            $who,
            " WHERE ",
            $where,
            " ON CONFLICT ",
            $conflict
        )
    };
}

/// Which of ?1 (the import) and ?2 (its first key less one) a statement
/// of [`KEEP_ONE`] takes.
#[derive(Debug, Clone, Copy)]
enum Uses {
    None,
    Command,
    Both,
}

/// Keep one row of each pair (?1 the import, ?2 its first key less one),
/// in order: what the goers had; the stored stayers as they were and the
/// stored goers and their holds, for undo; the goers' ledgers' holds of
/// the stayers (where a stayer's own row is not the ledger's); the goers
/// out; the stayers without an id given the goers' ids and their places
/// (free by then).
const KEEP_ONE: [(&str, Uses); 9] = [
    (NEWS, Uses::None),
    (
        "UPDATE bangfu_pairs SET id = g.id, fingerprint = g.fingerprint, occurrence = g.occurrence
         FROM deliveries g WHERE g.key = bangfu_pairs.goer",
        Uses::None,
    ),
    (
        kept_for_undo!(
            0,
            "p.stayer",
            "p.stayer <= ?2 AND p.id IS NOT NULL",
            "DO NOTHING"
        ),
        Uses::Both,
    ),
    (
        "INSERT INTO undo_holds (command, kind, record, ledger, added)
     SELECT CAST(?1 AS BIGINT), 3, g.key, g.ledger, g.added
     FROM bangfu_pairs p JOIN deliveries g ON g.key = p.goer
     WHERE p.goer <= ?2 AND g.ledger IS NOT NULL
     UNION ALL
     SELECT CAST(?1 AS BIGINT), 3, h.record, h.ledger, h.added
     FROM bangfu_pairs p JOIN holds h ON h.kind = 3 AND h.record = p.goer
     WHERE p.goer <= ?2
     ON CONFLICT DO NOTHING",
        Uses::Both,
    ),
    (
        kept_for_undo!(
            1,
            "p.goer",
            "p.goer <= ?2",
            "(command, key) DO UPDATE SET removed = 1"
        ),
        Uses::Both,
    ),
    (
        "INSERT INTO holds (kind, record, ledger, added)
     SELECT 3, p.stayer, g.ledger, CAST(?1 AS BIGINT)
     FROM bangfu_pairs p JOIN deliveries g ON g.key = p.goer JOIN deliveries s ON s.key = p.stayer
     WHERE g.ledger IS NOT NULL AND (s.ledger IS NULL OR s.ledger <> g.ledger)
       AND g.key > 0
     UNION
     SELECT 3, p.stayer, h.ledger, CAST(?1 AS BIGINT)
     FROM bangfu_pairs p JOIN holds h ON h.kind = 3 AND h.record = p.goer
         JOIN deliveries s ON s.key = p.stayer
     WHERE s.ledger IS NULL OR s.ledger <> h.ledger
     ON CONFLICT DO NOTHING",
        Uses::Command,
    ),
    (
        "DELETE FROM holds WHERE kind = 3 AND record IN (SELECT goer FROM bangfu_pairs)",
        Uses::None,
    ),
    (
        "DELETE FROM deliveries WHERE key IN (SELECT goer FROM bangfu_pairs)",
        Uses::None,
    ),
    (
        "UPDATE deliveries SET id = p.id, fingerprint = p.fingerprint, occurrence = p.occurrence
         FROM bangfu_pairs p WHERE p.stayer = deliveries.key AND p.id IS NOT NULL",
        Uses::None,
    ),
];
