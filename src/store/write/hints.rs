//! What an import suggests the clerk meant (contract §8), for its warnings:
//! new deliveries that look like corrections of rows their ledger already
//! held (an import without `--replace` keeps both), and a version most of
//! whose records another ledger already holds (a file named for its month
//! starts a new ledger every month). Asked after the files are written,
//! each at a cost bounded by what the import wrote.

use super::{Seen, Writer};
use crate::args;
use crate::input::headers::Kind;
use crate::store::sql::{self, Dialect, Result};
use crate::values::{Category, Date, Fen, LedgerName};
use rustc_hash::FxHashMap as HashMap;

/// At most this many corrections are named; the rest are counted.
const NAMED: usize = 5;

/// A new delivery, and the one its ledger held before this import that it
/// looks like a correction of: the same day, member, household and
/// category, other goods or cash (totals of each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub day: Date,
    pub member: String,
    pub head: String,
    pub category: Category,
    pub held: Fen,
    pub file: Fen,
}

/// The corrections of one ledger's deliveries: the first few, and how
/// many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrections {
    pub ledger: LedgerName,
    pub named: Vec<Correction>,
    pub count: u64,
}

/// `held` of the records of a version of `kind` are already held by
/// ledger `other`, which held them before this import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherLedger {
    pub other: LedgerName,
    pub held: u64,
    /// Whether it holds them through a file of this same import (it did
    /// not hold most of them before): then which file corrects which is
    /// not known (`import 台账/*.csv` lists 三月(修改).csv before 三月.csv).
    pub with_it: bool,
}

/// New deliveries of a ledger's version that are, value for value, rows
/// the ledger held before and that the version does not list, matched the
/// other way: without a record id (`记录编号`) where those had one, or with
/// one where they had none. The ledger's sheet exported again with its id
/// column dropped (or added): each such row would be counted a second time
/// (review 4, finding F3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdSwitch {
    pub ledger: LedgerName,
    /// Whether the rows held before had ids.
    pub held_with_ids: bool,
    /// Whether the new rows have ids: with `held_with_ids`, the ids were
    /// renumbered or respelled (`001` exported again as `1`, as Excel
    /// writes a number; review 6, attacker 2).
    pub new_with_ids: bool,
    /// How many new rows are such a second count.
    pub doubled: u64,
    /// Whether the rows counted twice both came in this import (its files
    /// of the ledger give each once with an id and once without), rather
    /// than one of them before.
    pub within: bool,
}

/// What a delivery is, value for value, but for its id: day, member,
/// household, category, goods, cash, note. The note belongs here: two
/// deliveries of one day and value (the rice and the oil) differ only in
/// it, and a sheet with ids given again without them keeps its notes.
type Values = (i32, i64, i64, u8, i64, i64, Option<String>);

/// Deliveries a ledger held before this import, on the days between the
/// first and last of the file's, that the file does not list, beside new
/// rows: the whole sheet, corrected, imported without `--replace` (a date,
/// category or note changed, a row deleted), which keeps the old rows and
/// adds the corrected ones (review 4, clerk 1d).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlisted {
    pub ledger: LedgerName,
    pub unlisted: u64,
    pub new: u64,
    /// The file's rows matched by record id that moved a delivery to
    /// another member or household: with no new rows, a sheet renumbered
    /// after a row was deleted (its last id is then unlisted, and the
    /// deleted row's id names the next row; review 6, attacker 4).
    pub moved: u64,
    pub first: Date,
    pub last: Date,
}

/// Whether a ledger's version of `listed` deliveries, `new` of them new,
/// is its sheet again with rows added: it lists rows the ledger held
/// before, and new ones. The corrections and unlisted-rows warnings are
/// asked of such a version only.
fn sheet_again(listed: u64, new: u64) -> bool {
    new > 0 && new < listed
}

/// A version of more new deliveries than [`BATCH_NEW`], more than this
/// many times the stored ones it lists, which are fewer than one in this
/// many of the rows its ledger held on its days, is a batch, not the
/// sheet again ([`Writer::deliveries_sheet_again`]).
const LISTED_SHARE: u64 = 10;

/// A version of at most this many new deliveries is asked whatever it
/// lists (a township's sheet of a year has fewer rows).
const BATCH_NEW: u64 = 1 << 16;

/// Take one of `key` out of the counts `counts`: whether there was one.
/// A row matched this way is matched once, however many rows share its
/// values.
fn take_one<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, u64>, key: &K) -> bool {
    match counts.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// The [`Values`] of a row, in its columns from `at` on.
fn values_at(r: &sql::Row<'_>, at: usize) -> Result<Values> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
        r.get(at + 5)?,
        r.get(at + 6)?,
    ))
}

/// What a correction keeps of a delivery: member, household, category.
type Kept = (i64, i64, u8);

/// What a correction changes: goods and cash (fen).
type Amounts = (i64, i64);

/// A delivery's key, what a correction keeps of it and what it changes.
type Row = (i64, Kept, Amounts);

/// The deliveries of one day a ledger held, by what a correction keeps.
type Held = HashMap<Kept, Vec<Amounts>>;

/// A correction as found: its day, what it kept, the total held and the
/// file's.
type Found = (i32, Kept, Fen, Fen);

impl Writer<'_> {
    /// Per ledger whose deliveries this import wrote: the new deliveries
    /// that look like corrections of ones it held before and whose file
    /// does not list them any more. Asked only of a ledger that imported
    /// deliveries before; reads the new rows, and the rows stored before
    /// on each of their days (the place index's day prefix), once each.
    pub fn corrections(&self) -> Result<Vec<Corrections>> {
        let mut all = Vec::new();
        for (ledger, seen) in self.delivery_versions()? {
            // A correction is a row of the ledger's sheet exported again,
            // beside rows of it the ledger held: a file none of whose rows
            // the ledger held (the next batch of a growing ledger, the
            // fifth million) corrects nothing, and reading every older row
            // of its days cost it a second and more at a million rows. A
            // sheet again early in the year is mostly new rows (January's
            // 25 beside February's 30): those are asked too (review 6).
            if !self.deliveries_sheet_again(ledger, seen)? {
                continue;
            }
            let (pairs, count) = self.corrected(ledger, seen)?;
            if count == 0 {
                continue;
            }
            let mut named = Vec::with_capacity(pairs.len());
            for (day, (member, household, category), held, file) in pairs {
                named.push(self.correction(day, member, household, category, held, file)?);
            }
            all.push(Corrections {
                ledger: self.ledger_name(ledger)?,
                named,
                count,
            });
        }
        Ok(all)
    }

    /// Per ledger whose deliveries this import wrote, an [`IdSwitch`] if
    /// some of its new rows, matched by id or by content, are rows it held
    /// before, matched the other way, that this version does not list.
    /// Reads the new rows once; only where the ledger holds unlisted rows
    /// matched the other way (found through the id index, or its holds of
    /// deliveries), those rows again.
    pub fn id_switches(&self) -> Result<Vec<IdSwitch>> {
        let mut all = Vec::new();
        for (ledger, seen) in self.delivery_versions()? {
            // Rows without an id can be a second count only of rows stored
            // with one (the id index finds the first at once, or finds none).
            let sqlite = self.conn.dialect() == Dialect::Sqlite;
            let ids_before: bool = self.conn.value(
                if sqlite {
                    IDS_BEFORE_SQLITE
                } else {
                    IDS_BEFORE
                },
                args![self.deliveries_before],
            )?;
            let held_with_ids = if sqlite {
                HELD_WITH_IDS_SQLITE
            } else {
                HELD_WITH_IDS
            };
            for (sent, held_with_ids, new_with_ids, sql) in [
                (
                    self.sent.without_id && ids_before,
                    true,
                    false,
                    held_with_ids,
                ),
                (self.sent.with_id, false, true, HELD_WITHOUT_IDS),
                (self.sent.with_id && ids_before, true, true, held_with_ids),
            ] {
                if !sent {
                    continue;
                }
                // The unlisted rows matched the other way, by their values.
                let mut unlisted: HashMap<Values, u64> = HashMap::default();
                self.conn
                    .stream(sql, args![self.deliveries_before, ledger], |r| {
                        if !seen.contains(r.get(0)?) {
                            *unlisted.entry(values_at(r, 1)?).or_default() += 1;
                        }
                        Ok(())
                    })?;
                if unlisted.is_empty() {
                    continue;
                }
                let mut doubled = 0u64;
                self.conn.stream(
                    NEW_OF_LEDGER,
                    args![self.deliveries_before, ledger, i64::from(new_with_ids)],
                    |r| {
                        doubled += u64::from(take_one(&mut unlisted, &values_at(r, 0)?));
                        Ok(())
                    },
                )?;
                if doubled > 0 {
                    all.push(IdSwitch {
                        ledger: self.ledger_name(ledger)?,
                        held_with_ids,
                        new_with_ids,
                        doubled,
                        within: false,
                    });
                }
            }
        }
        if self.sent.with_id && self.sent.without_id {
            all.extend(self.id_switches_within()?);
        }
        Ok(all)
    }

    /// The [`IdSwitch`]es within this import: per ledger given two files
    /// or more, its new rows without an id that are, value for value, its
    /// new rows with one (the sheet with its ids and the same sheet
    /// without, given together). One file's rows are its visits, as two
    /// like rows without ids are (SPEC §3.4): a row given an id and a like
    /// one not yet are two. Reads the ledger's new rows twice.
    fn id_switches_within(&self) -> Result<Vec<IdSwitch>> {
        let mut all = Vec::new();
        for (ledger, _) in self.delivery_ledgers() {
            if self.delivery_files.get(&ledger).copied().unwrap_or(0) < 2 {
                continue;
            }
            let mut with_ids: HashMap<Values, u64> = HashMap::default();
            self.conn.stream(
                NEW_OF_LEDGER,
                args![self.deliveries_before, ledger, 1i64],
                |r| {
                    *with_ids.entry(values_at(r, 0)?).or_default() += 1;
                    Ok(())
                },
            )?;
            if with_ids.is_empty() {
                continue;
            }
            let mut doubled = 0u64;
            self.conn.stream(
                NEW_OF_LEDGER,
                args![self.deliveries_before, ledger, 0i64],
                |r| {
                    doubled += u64::from(take_one(&mut with_ids, &values_at(r, 0)?));
                    Ok(())
                },
            )?;
            if doubled > 0 {
                all.push(IdSwitch {
                    ledger: self.ledger_name(ledger)?,
                    held_with_ids: true,
                    new_with_ids: false,
                    doubled,
                    within: true,
                });
            }
        }
        Ok(all)
    }

    /// Per ledger whose deliveries this import wrote, an [`Unlisted`] if it
    /// held deliveries on the file's days that the file does not list and
    /// the file adds new ones. Asked, as [`Writer::corrections`], only of
    /// a ledger that imported deliveries before and of a file that lists
    /// rows it held (the sheet again, not the next batch of a growing
    /// ledger); reads the ledger's rows of those days once.
    pub fn unlisted(&self) -> Result<Vec<Unlisted>> {
        let mut all = Vec::new();
        for (ledger, seen) in self.delivery_versions()? {
            let Some(&(first, last)) = self.days.get(&ledger) else {
                continue;
            };
            let new = seen.count_from(self.deliveries_before + 1);
            let moved = self.moved_by_id.get(&ledger).copied().unwrap_or(0);
            if moved == 0 && !self.deliveries_sheet_again(ledger, seen)? {
                continue;
            }
            let sql = match self.conn.dialect() {
                Dialect::Sqlite => HELD_BETWEEN_SQLITE,
                Dialect::Postgres => HELD_BETWEEN,
            };
            let mut unlisted = 0u64;
            self.conn.stream(
                sql,
                args![first, last, self.deliveries_before, ledger, self.command],
                |r| {
                    unlisted += u64::from(!seen.contains(r.get(0)?));
                    Ok(())
                },
            )?;
            if unlisted > 0 {
                all.push(Unlisted {
                    ledger: self.ledger_name(ledger)?,
                    unlisted,
                    new,
                    moved,
                    first: Date::from_days(first).unwrap_or_else(Date::last),
                    last: Date::from_days(last).unwrap_or_else(Date::last),
                });
            }
        }
        Ok(all)
    }

    /// Per ledger whose pairings sheet this import gave again without
    /// `--replace`: how many of its new pairings pair a member and
    /// household the ledger paired before under another since (结对日期)
    /// that the sheet no longer lists — a corrected date, kept beside the
    /// old pairing (review 6, attacker 12). Reads the ledger's pairings.
    pub fn pairings_redated(&self) -> Result<Vec<(LedgerName, u64)>> {
        let mut all = Vec::new();
        let versions = self.versions_of(Kind::Pairings);
        let sheets = versions
            .into_iter()
            .filter(|(ledger, _)| self.whole.contains(&(*ledger, Kind::Pairings)));
        for (ledger, seen) in sheets {
            let mut unlisted: HashMap<(i64, i64), u64> = HashMap::default();
            let mut new = Vec::new();
            self.conn.stream(
                "SELECT p.key, p.member, p.household, p.added FROM holds h
                 JOIN pairings p ON p.key = h.record
                 WHERE h.kind = 2 AND h.ledger = ?1",
                args![ledger],
                |r| {
                    let (key, pair, added): (i64, (i64, i64), i64) =
                        (r.get(0)?, (r.get(1)?, r.get(2)?), r.get(3)?);
                    if added == self.command {
                        new.push(pair);
                    } else if !seen.contains(key) {
                        *unlisted.entry(pair).or_default() += 1;
                    }
                    Ok(())
                },
            )?;
            // A batch of new pairings alone (a pair paired again after an
            // old pairing ended) is no sheet again.
            if !sheet_again(seen.len(), new.len() as u64) {
                continue;
            }
            let mut redated = 0u64;
            for pair in new {
                redated += u64::from(take_one(&mut unlisted, &pair));
            }
            if redated > 0 {
                all.push((self.ledger_name(ledger)?, redated));
            }
        }
        Ok(all)
    }

    /// The ledger of the last import (not undone) before this one whose
    /// file of `kind` had rows rejected: where the rows of a corrected
    /// rejects file belong.
    pub fn ledger_with_rejects(&self, kind: Kind) -> Result<Option<LedgerName>> {
        let name: Option<String> = self.conn.query_opt(
            "SELECT l.name FROM imports i JOIN ledgers l ON l.key = i.ledger
             LEFT JOIN commands c ON c.number = i.command
             WHERE i.kind = ?1 AND i.rejected > 0 AND c.undone IS NULL AND i.command < ?2
             ORDER BY i.command DESC, i.key DESC LIMIT 1",
            args![kind.key(), self.command],
            |r| r.get(0),
        )?;
        Ok(name.and_then(|n| LedgerName::parse(&n)))
    }

    /// The ledgers this import wrote deliveries of, in key order, each
    /// with the records its version lists.
    fn delivery_ledgers(&self) -> Vec<(i64, &Seen)> {
        self.versions_of(Kind::Deliveries)
    }

    /// The ledgers this import wrote records of `kind` of, in key order,
    /// each with the records its version lists.
    fn versions_of(&self, of: Kind) -> Vec<(i64, &Seen)> {
        let mut versions: Vec<(i64, &Seen)> = (self.versions.iter())
            .filter(|((_, kind), _)| *kind == of)
            .map(|((ledger, _), seen)| (*ledger, seen))
            .collect();
        versions.sort_unstable_by_key(|(ledger, _)| *ledger);
        versions
    }

    /// The ledgers this import wrote deliveries of that imported
    /// deliveries before, in key order, each with the records its version
    /// lists: the ones whose new rows can stand beside older ones.
    fn delivery_versions(&self) -> Result<Vec<(i64, &Seen)>> {
        let versions = self.delivery_ledgers();
        let mut before = Vec::with_capacity(versions.len());
        for (ledger, seen) in versions {
            if self.imported_before(ledger, Kind::Deliveries)? {
                before.push((ledger, seen));
            }
        }
        Ok(before)
    }

    /// Whether `ledger` imported files of `kind` before this import (and
    /// that import was not undone): the log says so without reading any
    /// record.
    fn imported_before(&self, ledger: i64, kind: Kind) -> Result<bool> {
        self.conn.value(
            "SELECT EXISTS (SELECT 1 FROM imports i LEFT JOIN commands c ON c.number = i.command
             WHERE i.ledger = ?1 AND i.kind = ?2 AND c.undone IS NULL)",
            args![ledger, kind.key()],
        )
    }

    /// Whether `ledger`'s version `seen` of deliveries is its sheet
    /// again with rows added ([`sheet_again`]), and not a large batch of
    /// the same months: more than [`BATCH_NEW`] new rows, more than
    /// [`LISTED_SHARE`] times the stored rows it lists, which are fewer
    /// than one in [`LISTED_SHARE`] of the deliveries the ledger held
    /// before this import on the days between the file's first and last
    /// (a fifth million over the same years: its few stored rows are rows
    /// of the same values, and reading the ledger's millions of rows again
    /// for its warnings cost such an import more than writing it,
    /// docs/BENCHMARKS.md). A sheet of any size with most rows corrected,
    /// or one village's sheet in a ledger that many villages' files of one
    /// name feed, adds few new rows or lists most of its own: it is asked.
    /// The held rows are counted only up to the share: bounded by what the
    /// file matched.
    fn deliveries_sheet_again(&self, ledger: i64, seen: &Seen) -> Result<bool> {
        if let Some(&again) = self.sheet_again.borrow().get(&ledger) {
            return Ok(again);
        }
        let again = self.deliveries_sheet_again_asked(ledger, seen)?;
        self.sheet_again.borrow_mut().insert(ledger, again);
        Ok(again)
    }

    /// [`Writer::deliveries_sheet_again`], asked of the database.
    fn deliveries_sheet_again_asked(&self, ledger: i64, seen: &Seen) -> Result<bool> {
        let new = seen.count_from(self.deliveries_before + 1);
        if new > 0 && new == seen.len() {
            // Every row new: the next batch of a growing ledger, or its
            // sheet again with every row edited (（已核实） added to each
            // note, every amount corrected), which matches no stored row
            // and would be counted twice without a word. The sheet again
            // stands, row for row, on the ledger's own day, member,
            // household and category; a new month does not.
            return Ok(new <= BATCH_NEW && self.mostly_beside_held(ledger, seen)?);
        }
        if !sheet_again(seen.len(), new) {
            return Ok(false);
        }
        let listed = seen.len() - new;
        if new <= BATCH_NEW || new <= listed.saturating_mul(LISTED_SHARE) {
            return Ok(true);
        }
        // Every delivery of the file widened its ledger's days.
        let Some(&(first, last)) = self.days.get(&ledger) else {
            return Ok(true);
        };
        let most = listed.saturating_mul(LISTED_SHARE);
        let sql = match self.conn.dialect() {
            Dialect::Sqlite => COUNT_HELD_BETWEEN_SQLITE,
            Dialect::Postgres => COUNT_HELD_BETWEEN,
        };
        let limit = i64::try_from(most.saturating_add(1)).unwrap_or(i64::MAX);
        let held: i64 = self.conn.value(
            sql,
            args![
                first,
                last,
                self.deliveries_before,
                ledger,
                self.command,
                limit
            ],
        )?;
        Ok(u64::try_from(held).unwrap_or(u64::MAX) <= most)
    }

    /// The first [`NAMED`] corrections of `ledger` and how many there are.
    fn corrected(&self, ledger: i64, seen: &Seen) -> Result<(Vec<Found>, u64)> {
        let (mut named, mut count) = (Vec::new(), 0u64);
        self.beside_held(ledger, seen, |day, new, held| {
            let Some(amounts) = held.get(&new.1) else {
                return;
            };
            // A row of the same amounts as one held on its key is that row
            // with its note edited, not a correction of another's amounts
            // (two visits of a day paired the wrong way round were named
            // as corrections: attacker review, session 15).
            if amounts.contains(&new.2) {
                return;
            }
            let Some(&(goods, cash)) = amounts.first() else {
                return;
            };
            count += 1;
            if named.len() < NAMED {
                let total = |(g, c): (i64, i64)| Fen(g).checked_add(Fen(c)).unwrap_or(Fen(g));
                named.push((day, new.1, total((goods, cash)), total(new.2)));
            }
        })?;
        Ok((named, count))
    }

    /// Whether the new deliveries `ledger` holds stand on rows it held
    /// before that its version does not list — each on the day, member,
    /// household and category of one (each held row matched once) — for at
    /// least half of the new rows, or of those held rows on the new rows'
    /// days (a sheet kept growing: January's rows edited beside a longer
    /// February).
    fn mostly_beside_held(&self, ledger: i64, seen: &Seen) -> Result<bool> {
        let (mut new, mut beside, mut held_on_days) = (0u64, 0u64, 0u64);
        let mut day_counted = None;
        self.beside_held(ledger, seen, |day, row, held| {
            if day_counted != Some(day) {
                held_on_days += held.values().map(|a| a.len() as u64).sum::<u64>();
                day_counted = Some(day);
            }
            new += 1;
            if let Some(amounts) = held.get_mut(&row.1) {
                beside += u64::from(amounts.pop().is_some());
            }
        })?;
        let half_of = |n: u64| beside > 0 && beside.saturating_mul(2) >= n;
        Ok(half_of(new) || half_of(held_on_days))
    }

    /// Call `each` with every new delivery `ledger` holds, day by day, and
    /// the rows held before on its day that its version does not list
    /// ([`Writer::held_on`]): reads the new rows once, and the stored rows
    /// of each of their days once.
    fn beside_held(
        &self,
        ledger: i64,
        seen: &Seen,
        mut each: impl FnMut(i32, &Row, &mut Held),
    ) -> Result<()> {
        let mut day_of_held = None;
        let mut held = Held::default();
        self.conn.each(
            concat!(
                "SELECT n.day, n.key, n.member, n.household, n.category, n.goods, n.cash
                 FROM deliveries n
                 WHERE n.key > ?1 AND ",
                held_by!("n", "?2"),
                " ORDER BY n.day, n.key"
            ),
            args![self.deliveries_before, ledger],
            |r| {
                let day: i32 = r.get(0)?;
                let new: Row = (
                    r.get(1)?,
                    (r.get(2)?, r.get(3)?, r.get(4)?),
                    (r.get(5)?, r.get(6)?),
                );
                if day_of_held != Some(day) {
                    held = self.held_on(day, ledger, seen)?;
                    day_of_held = Some(day);
                }
                each(day, &new, &mut held);
                Ok(())
            },
        )
    }

    /// The deliveries stored before this import on `day` that `ledger`
    /// held before it and its new version does not list, by what a
    /// correction keeps.
    fn held_on(&self, day: i32, ledger: i64, seen: &Seen) -> Result<Held> {
        // SQLite's planner would rather walk the key than the day.
        let sql = match self.conn.dialect() {
            Dialect::Sqlite => HELD_ON_SQLITE,
            Dialect::Postgres => HELD_ON,
        };
        let mut held = Held::default();
        self.conn.stream(
            sql,
            args![day, self.deliveries_before, ledger, self.command],
            |r| {
                let old: Row = (
                    r.get(0)?,
                    (r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get(4)?, r.get(5)?),
                );
                if !seen.contains(old.0) {
                    held.entry(old.1).or_default().push(old.2);
                }
                Ok(())
            },
        )?;
        Ok(held)
    }

    /// A correction with its member's name and its household's head.
    fn correction(
        &self,
        day: i32,
        member: i64,
        household: i64,
        category: u8,
        held: Fen,
        file: Fen,
    ) -> Result<Correction> {
        let (member, head): (String, String) = self.conn.query_row(
            "SELECT (SELECT name FROM members WHERE key = ?1),
                    (SELECT head FROM households WHERE key = ?2)",
            args![member, household],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                ))
            },
        )?;
        Ok(Correction {
            day: Date::from_days(day).unwrap_or_else(Date::last),
            member,
            head,
            category: Category::from_index(category).unwrap_or(Category::Deeds),
            held,
            file,
        })
    }

    /// The other ledger that already held more than half of the records
    /// the version of `kind` by `ledger` lists, before this import or by
    /// an earlier file of it, and more of them than `ledger` itself held
    /// before (a ledger's own file whose rows another ledger shares is its
    /// own version), if one did. Asked only where another ledger imported
    /// before (the log says) or in this import; one scan of the kind's
    /// holds.
    pub fn other_ledger(&self, ledger: &LedgerName, kind: Kind) -> Result<Option<OtherLedger>> {
        let Some(key) = self.ledger_key(ledger)? else {
            return Ok(None);
        };
        let Some(seen) = self.versions.get(&(key, kind)) else {
            return Ok(None);
        };
        let others: bool = self.conn.value(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE ledger <> ?1 AND kind = ?2)",
            args![key, kind.key()],
        )?;
        // The other ledgers of which this import wrote a version of the
        // kind (not the pairings a members file lists: no version).
        let now: rustc_hash::FxHashSet<i64> = self
            .whole
            .iter()
            .filter(|&&(l, k)| l != key && k == kind)
            .map(|&(l, _)| l)
            .collect();
        if seen.is_empty() || (!others && now.is_empty()) {
            return Ok(None);
        }
        let (mut held, mut before): (HashMap<i64, u64>, HashMap<i64, u64>) = Default::default();
        self.conn.stream(
            concat!(
                "SELECT record, ledger, added FROM ",
                held!(),
                " h WHERE kind = ?1 AND added <= ?2"
            ),
            args![kind as i64, self.command],
            |r| {
                let (record, other, added): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                // Holds from before this import; and those an earlier
                // file of it made, of another ledger's version (a sheet and
                // its corrected copy imported by one command).
                // Not a row the version lists for being paired with one of
                // its own: the same visit given the other way (with an id,
                // or without) is another ledger's record of it, no sign of
                // the file being that ledger's sheet.
                let paired = kind == Kind::Deliveries && self.paired.contains(record);
                if seen.contains(record)
                    && !paired
                    && (added < self.command || now.contains(&other))
                {
                    *held.entry(other).or_default() += 1;
                    if added < self.command {
                        *before.entry(other).or_default() += 1;
                    }
                }
                Ok(())
            },
        )?;
        // (Its own holds from before this import only: its rows this import
        // holds are all of them.) A ledger that held as many of the rows
        // before as the other did is the file's own, its copy's ledger
        // beside it (三月 and 三月(1) both corrected in one command: the
        // refusal called 三月 a new ledger, attacker review, session 20).
        let own = held.get(&key).copied().unwrap_or(0);
        let ahead = |other: i64| own == 0 || before.get(&other).copied().unwrap_or(0) > own;
        let Some((other, held)) = held
            .into_iter()
            .filter(|&(other, n)| other != key && n * 2 > seen.len() && n > own && ahead(other))
            .max_by_key(|&(other, n)| (n, std::cmp::Reverse(other)))
        else {
            return Ok(None);
        };
        let before = before.get(&other).copied().unwrap_or(0);
        Ok(Some(OtherLedger {
            other: self.ledger_name(other)?,
            held,
            with_it: before * 2 <= seen.len(),
        }))
    }
}

/// Whether a delivery with an id was stored before an import (keys up to
/// ?1), from the deliveries `$from`.
macro_rules! ids_before {
    ($from:literal) => {
        concat!(
            "SELECT EXISTS (SELECT 1 FROM ",
            $from,
            " WHERE id IS NOT NULL AND key <= ?1)"
        )
    };
}
pub(super) const IDS_BEFORE: &str = ids_before!("deliveries");
/// [`IDS_BEFORE`] through the id index, which lists only deliveries with
/// an id: SQLite's planner would walk the table's keys (0.3 s on four
/// million rows without one).
pub(super) const IDS_BEFORE_SQLITE: &str = ids_before!("deliveries INDEXED BY deliveries_id");

/// The deliveries with an id stored before an import (keys up to ?1) that
/// ledger ?2 holds, with their [`Values`], from the deliveries `$from`.
macro_rules! held_with_ids {
    ($from:literal) => {
        concat!(
            "SELECT d.key, d.day, d.member, d.household, d.category, d.goods, d.cash, d.note FROM ",
            $from,
            " WHERE d.id IS NOT NULL AND d.key <= ?1 AND ",
            held_by!("d", "?2")
        )
    };
}
const HELD_WITH_IDS: &str = held_with_ids!("deliveries d");
/// [`HELD_WITH_IDS`] through the id index, as [`IDS_BEFORE_SQLITE`].
const HELD_WITH_IDS_SQLITE: &str = held_with_ids!("deliveries d INDEXED BY deliveries_id");

/// The deliveries without an id stored before an import (keys up to ?1)
/// that ledger ?2 holds, with their [`Values`].
const HELD_WITHOUT_IDS: &str = concat!(
    "SELECT d.key, d.day, d.member, d.household, d.category, d.goods, d.cash, d.note
     FROM deliveries d WHERE d.key <= ?1 AND d.id IS NULL AND ",
    held_by!("d", "?2")
);

/// The [`Values`] of the deliveries an import added (keys above ?1) that
/// ledger ?2 holds, with an id if ?3 is 1, else without one.
const NEW_OF_LEDGER: &str = concat!(
    "SELECT n.day, n.member, n.household, n.category, n.goods, n.cash, n.note
     FROM deliveries n
     WHERE n.key > ?1 AND CASE WHEN n.id IS NULL THEN 0 ELSE 1 END = ?3 AND ",
    held_by!("n", "?2")
);

/// The deliveries stored before an import on day ?1 (keys up to ?2) that
/// ledger ?3 held before import ?4, from the deliveries `$from`.
macro_rules! held_on {
    ($from:literal) => {
        concat!(
            "SELECT o.key, o.member, o.household, o.category, o.goods, o.cash
             FROM ", $from, "
             WHERE o.day = ?1 AND o.key <= ?2 AND ",
            held_by!("o", "?3", before "?4")
        )
    };
}

const HELD_ON: &str = held_on!("deliveries o");

/// The deliveries stored before an import (keys up to ?3) on the days ?1
/// to ?2 that ledger ?4 held before import ?5, from the deliveries `$from`.
macro_rules! held_between {
    ($from:literal) => {
        concat!(
            "SELECT o.key FROM ",
            $from,
            " WHERE o.day BETWEEN ?1 AND ?2 AND o.key <= ?3 AND ",
            held_by!("o", "?4", before "?5")
        )
    };
}
const HELD_BETWEEN: &str = held_between!("deliveries o");
/// [`HELD_BETWEEN`] through the place index, as [`HELD_ON_SQLITE`].
const HELD_BETWEEN_SQLITE: &str = held_between!("deliveries o INDEXED BY deliveries_place");

/// How many rows [`HELD_BETWEEN`] gives, counted up to ?6.
const COUNT_HELD_BETWEEN: &str = concat!(
    "SELECT count(*) FROM (",
    held_between!("deliveries o"),
    " LIMIT ?6) c"
);
/// [`COUNT_HELD_BETWEEN`] through the place index.
const COUNT_HELD_BETWEEN_SQLITE: &str = concat!(
    "SELECT count(*) FROM (",
    held_between!("deliveries o INDEXED BY deliveries_place"),
    " LIMIT ?6) c"
);

/// [`HELD_ON`] through the place index, which SQLite must be told.
const HELD_ON_SQLITE: &str = held_on!("deliveries o INDEXED BY deliveries_place");
