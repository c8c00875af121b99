//! `import --replace` (contract §8): each file is the whole current version
//! of its ledger for its kind, so the ledger stops holding every record of
//! that kind its version does not list ([`Writer::saw`] gathered the
//! versions). A delivery or pairing no ledger holds any more is deleted, a
//! household or member becomes removed (销户); each dropped hold and deleted
//! row is kept for undo. Refused without `--force` where the version looks
//! like something else than the whole ledger: one that drops more than
//! half of what the ledger held, rows of a township it has no row of
//! (two townships that both name their file 帮扶记录.xlsx), or more
//! deliveries of a month than it keeps of that month (三月/帮扶记录.csv and
//! 四月/帮扶记录.csv, a month a sheet under one name).

use super::{Seen, Writer};
use crate::args;
use crate::input::headers::Kind;
use crate::store::sql::{Dialect, Result, Row, SqlError};
use crate::values::{Date, LedgerName};
use rusqlite::types::Value;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// One version this import wrote (a ledger and kind), and how many records
/// replacing with it made the ledger stop holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub ledger: LedgerName,
    pub kind: Kind,
    pub removed: u64,
    /// Of a version of households or members: the first few records it
    /// takes off the ledger, as (id, head or name), to be named in the
    /// import's words — a sheet exported with a filter on drops whole
    /// villages, and a count alone said nothing of which (review 6).
    pub named: Vec<(String, String)>,
    /// Of the deliveries or pairings it takes out: those still counted,
    /// as another ledger holds them too.
    pub kept: Kept,
}

/// Records a replace took off its ledger that stay counted, as other
/// ledgers hold them too: `count` of them, and each such ledger with the
/// last import that made one of its holds. Contract §8 leaves other
/// ledgers' holds alone; but a sheet's second download imported under its
/// own name (三月(1).csv, ledger 三月(1)) holds every row of the sheet,
/// so a row deleted from the sheet stays in the figures though the file's
/// line counts it removed (clerk review, session 20).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub count: u64,
    pub by: Vec<(LedgerName, i64)>,
}

/// How many records a version's words name at most.
const NAMED: usize = 10;

/// Why a version may not replace what its ledger held, unless `--force`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It would drop `dropped` of the `held` records of `kind` the ledger
    /// held before this import: strictly more than half.
    MostOfTheLedger {
        ledger: LedgerName,
        kind: Kind,
        dropped: u64,
        held: u64,
    },
    /// It would drop `dropped` records of households in `townships`, of
    /// which it has no row.
    OtherTownships {
        ledger: LedgerName,
        kind: Kind,
        dropped: u64,
        townships: Vec<String>,
    },
    /// It would drop `dropped` deliveries of `months` (`YYYY-MM`), more
    /// than it keeps of each: another month's sheet of the same file name,
    /// whose replace would delete last month's rows with exit 0 (clerk
    /// review, session 15).
    OtherMonths {
        ledger: LedgerName,
        kind: Kind,
        dropped: u64,
        months: Vec<String>,
    },
    /// Its file is, byte for byte, the one import `earlier` brought in as
    /// the ledger's version of `kind`, and import `later` brought a newer
    /// one: replacing with it would take back what came since (`dropped`
    /// records), last month's file imported by mistake (review 4, 1e).
    OlderVersion {
        ledger: LedgerName,
        kind: Kind,
        dropped: u64,
        earlier: i64,
        later: i64,
    },
}

/// What `--replace` did, or would have done when refused (then nothing of
/// it is written: the import is rolled back).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replaced {
    pub versions: Vec<Version>,
    pub refusals: Vec<Refusal>,
}

/// The holds a version drops: (record, the import that made the hold).
struct Plan {
    ledger: i64,
    kind: Kind,
    dropped: Vec<(i64, i64)>,
}

/// Take out of `replace_dropped` the records of kind ?1 some ledger still holds,
/// asked of `holds` by its key. Not through `held!()`: PostgreSQL's plan
/// of that union scanned every hold for each dropped row (`Seq Scan on
/// holds`, filter `record = $2`).
pub(crate) const STILL_HELD: &str = "DELETE FROM replace_dropped
     WHERE EXISTS (SELECT 1 FROM holds h WHERE h.kind = ?1 AND h.record = replace_dropped.record)";

/// [`STILL_HELD`] for deliveries, whose first hold may be their own row's.
pub(crate) const STILL_HELD_DELIVERY: &str = "DELETE FROM replace_dropped
     WHERE EXISTS (SELECT 1 FROM holds h WHERE h.kind = ?1 AND h.record = replace_dropped.record)
        OR EXISTS (SELECT 1 FROM deliveries d
                   WHERE d.key = replace_dropped.record AND d.ledger IS NOT NULL)";

/// Of the households or members in `replace_dropped` not removed yet: their
/// history entry (?1 the kind, ?2 the import, ?3 its day, ?4 and ?5 the
/// old and new value), the entry taken out where this import's changes
/// come back to the old value (?1, ?2), and the rows made removed.
macro_rules! remove_rows {
    ($table:literal) => {
        [
            concat!(
                "INSERT INTO history (kind, record, field, command, day, old, new)
                 SELECT CAST(?1 AS BIGINT), key, 'removed', CAST(?2 AS BIGINT),
                        CAST(?3 AS BIGINT), ?4, ?5
                 FROM ",
                $table,
                "
                 WHERE removed = 0 AND key IN (SELECT record FROM replace_dropped)
                 ON CONFLICT (kind, record, field, command)
                 DO UPDATE SET new = excluded.new, day = excluded.day"
            ),
            "DELETE FROM history WHERE kind = ?1 AND field = 'removed' AND command = ?2
             AND old IS NOT DISTINCT FROM new
             AND record IN (SELECT record FROM replace_dropped)",
            concat!(
                "UPDATE ",
                $table,
                " SET removed = 1
                 WHERE removed = 0 AND key IN (SELECT record FROM replace_dropped)"
            ),
        ]
    };
}
const REMOVE_HOUSEHOLDS: [&str; 3] = remove_rows!("households");
const REMOVE_MEMBERS: [&str; 3] = remove_rows!("members");

impl Writer<'_> {
    /// For a file of `ledger`'s version of `kind` whose bytes hash to
    /// `sha256`: the last import (not undone) that brought in the same
    /// bytes for it, and the last one since that brought in others, if
    /// there is such a later one.
    pub fn older_version(
        &self,
        ledger: &LedgerName,
        kind: Kind,
        sha256: &str,
    ) -> Result<Option<(i64, i64)>> {
        let Some(key) = self.ledger_key(ledger)? else {
            return Ok(None);
        };
        let found: Option<(i64, Option<i64>)> = self.conn.query_opt(
            "SELECT i.command,
                    (SELECT max(j.command) FROM imports j LEFT JOIN commands cj ON cj.number = j.command
                     WHERE j.ledger = i.ledger AND j.kind = i.kind AND j.command > i.command
                       AND cj.undone IS NULL AND j.sha256 IS DISTINCT FROM i.sha256)
             FROM imports i LEFT JOIN commands c ON c.number = i.command
             WHERE i.ledger = ?1 AND i.kind = ?2 AND i.sha256 = ?3 AND c.undone IS NULL
               AND i.command < ?4
             ORDER BY i.command DESC LIMIT 1",
            args![key, kind.key(), sha256, self.command],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(found.and_then(|(earlier, later)| Some((earlier, later?))))
    }

    /// Make every version this import wrote its ledger's current one, or
    /// say why not (`force`: whatever it drops).
    pub fn replace(&mut self, force: bool) -> Result<Replaced> {
        let keys: Vec<(i64, Kind)> = self.whole.iter().copied().collect();
        let mut replaced = Replaced::default();
        let mut plans = Vec::with_capacity(keys.len());
        for (ledger, kind) in keys {
            let Some(seen) = self.versions.get(&(ledger, kind)) else {
                continue;
            };
            let (plan, held) = self.plan(ledger, kind, seen)?;
            let name = self.ledger_name(ledger)?;
            let dropped = plan.dropped.len() as u64;
            if !force && dropped > 0 {
                self.stage(&plan)?;
                let most = dropped * 2 > held;
                if most {
                    replaced.refusals.push(Refusal::MostOfTheLedger {
                        ledger: name.clone(),
                        kind,
                        dropped,
                        held,
                    });
                }
                if let Some((dropped, townships)) = self.elsewhere(&plan, seen)? {
                    replaced.refusals.push(Refusal::OtherTownships {
                        ledger: name.clone(),
                        kind,
                        dropped,
                        townships,
                    });
                }
                // Every row the more-than-half refusal counts, in months it
                // names: that one says it already.
                if let Some((dropped, months)) = self
                    .other_months(&plan, seen)?
                    .filter(|&(in_months, _)| !(most && in_months == dropped))
                {
                    replaced.refusals.push(Refusal::OtherMonths {
                        ledger: name.clone(),
                        kind,
                        dropped,
                        months,
                    });
                }
            }
            let named = self.named(kind, &plan)?;
            replaced.versions.push(Version {
                ledger: name,
                kind,
                removed: dropped,
                named,
                kept: Kept::default(),
            });
            plans.push(plan);
        }
        if replaced.refusals.is_empty() {
            for plan in &plans {
                self.apply(plan)?;
            }
            // Once all are applied: a row two versions of the import let
            // go of (三月 and 三月(1) both replaced) is gone, not kept.
            for (plan, version) in plans.iter().zip(&mut replaced.versions) {
                version.kept = self.kept(plan)?;
            }
        }
        Ok(replaced)
    }

    /// Per version this import wrote whose ledger holds records of its kind
    /// that the version does not list, how many: what `--replace` would
    /// take out, said where it was not given (a merge of another database
    /// whose ledger no longer holds rows it held when last merged).
    pub fn unlisted_by_versions(&self) -> Result<Vec<Version>> {
        let mut keys: Vec<(i64, Kind)> = self.whole.iter().copied().collect();
        keys.sort_unstable_by_key(|&(ledger, kind)| (kind as i64, ledger));
        let mut versions = Vec::new();
        for (ledger, kind) in keys {
            let Some(seen) = self.versions.get(&(ledger, kind)) else {
                continue;
            };
            let (plan, _) = self.plan(ledger, kind, seen)?;
            if !plan.dropped.is_empty() {
                versions.push(Version {
                    ledger: self.ledger_name(ledger)?,
                    kind,
                    removed: plan.dropped.len() as u64,
                    named: Vec::new(),
                    kept: Kept::default(),
                });
            }
        }
        Ok(versions)
    }

    /// The imports that merged records of `kind` into `ledger` from another
    /// database (their lines are logged with the encoding `SQLite`).
    fn merged_into(&self, ledger: i64, kind: Kind) -> Result<HashSet<i64>> {
        let mut merged = HashSet::default();
        self.conn.stream(
            "SELECT command FROM imports
             WHERE ledger = ?1 AND kind = ?2 AND encoding = 'SQLite' AND command IS NOT NULL",
            args![ledger, kind.key()],
            |row| {
                merged.insert(row.get(0)?);
                Ok(())
            },
        )?;
        Ok(merged)
    }

    /// The id and head (or name) of the first [`NAMED`] households or
    /// members `plan` drops; none of another kind.
    fn named(&self, kind: Kind, plan: &Plan) -> Result<Vec<(String, String)>> {
        let sql = match kind {
            Kind::Households => "SELECT id, head FROM households WHERE key = ?1",
            Kind::Members => "SELECT id, name FROM members WHERE key = ?1",
            Kind::Pairings | Kind::Deliveries => return Ok(Vec::new()),
        };
        let mut named = Vec::new();
        for &(record, _) in plan.dropped.iter().take(NAMED) {
            let found: Option<(String, String)> = self
                .conn
                .query_opt(sql, args![record], |r| Ok((r.get(0)?, r.get(1)?)))?;
            named.extend(found);
        }
        Ok(named)
    }

    /// The holds of `kind` by `ledger` that `seen` does not list, and how
    /// many holds of that kind the ledger had before this import (of a
    /// merge's version, only those of earlier merges of its database). One
    /// scan of the kind's holds.
    fn plan(&self, ledger: i64, kind: Kind, seen: &Seen) -> Result<(Plan, u64)> {
        let (mut dropped, mut held) = (Vec::new(), 0);
        let only = self.replaces_only.get(&(ledger, kind));
        // A file's version never takes out what merges of other databases
        // brought into its ledger (the townships' rows of the district's
        // ledger of the same name): those follow their own databases
        // (review 6, attacker 4's finding 1).
        let merged = match only {
            Some(_) => HashSet::default(),
            None => self.merged_into(ledger, kind)?,
        };
        self.conn.stream(
            concat!(
                "SELECT record, added FROM ",
                held!(),
                " h WHERE kind = ?1 AND ledger = ?2"
            ),
            args![kind as i64, ledger],
            |row| {
                let (record, added): (i64, i64) = (row.get(0)?, row.get(1)?);
                if only.is_some_and(|only| !only.contains(&added)) || merged.contains(&added) {
                    return Ok(());
                }
                held += u64::from(added < self.command);
                if !seen.contains(record) {
                    dropped.push((record, added));
                }
                Ok(())
            },
        )?;
        let plan = Plan {
            ledger,
            kind,
            dropped,
        };
        Ok((plan, held))
    }

    /// The townships of the records `plan` drops of which its version (the
    /// records `seen` lists) has no row, and how many of the dropped
    /// records are theirs — `None` when there are none, or the kind has no
    /// township (members). The version's records are read only until each
    /// dropped record's township has been met among them.
    fn elsewhere(&self, plan: &Plan, seen: &Seen) -> Result<Option<(u64, Vec<String>)>> {
        let Some((lookup, scan)) = township_sql(plan.kind) else {
            return Ok(None);
        };
        self.missing_groups(plan, seen, (lookup, scan), |_| 1, |r, i| r.get(i))
    }

    /// The months in which the deliveries `plan` drops outnumber the rows
    /// its version keeps there (none: another month's sheet of the same
    /// name; one: that sheet with a row dated a month on, attacker review),
    /// and how many of the dropped deliveries are theirs — `None` when
    /// there are none, or the kind is not deliveries. A row deleted from a
    /// month of the whole ledger leaves the month's others.
    fn other_months(&self, plan: &Plan, seen: &Seen) -> Result<Option<(u64, Vec<String>)>> {
        if plan.kind != Kind::Deliveries {
            return Ok(None);
        }
        let month = |r: &Row<'_>, i: usize| -> Result<Option<String>> {
            let day: i32 = r.get(i)?;
            Ok(Date::from_days(day).map(|d| d.to_string().chars().take(7).collect()))
        };
        let sql = (
            "SELECT d.day, count(*) FROM replace_dropped s JOIN deliveries d ON d.key = s.record
             GROUP BY d.day",
            concat!(
                "SELECT d.key, d.day FROM deliveries d
                 WHERE CAST(?1 AS BIGINT) = 3 AND ",
                held_by!("d", "?2")
            ),
        );
        self.missing_groups(plan, seen, sql, |dropped| dropped, month)
    }

    /// The groups (`group` of a row's column) of the records `plan` drops
    /// (staged in `replace_dropped`) of which its version lists fewer than
    /// `kept(dropped there)` records, and how many of the dropped records
    /// are theirs. `sql`: the statement giving each group of the staged
    /// records and how many of them are in it, and the one giving each
    /// record the ledger holds of the kind (?1: the kind, ?2: the ledger)
    /// with its group. The version's records are read only until each
    /// dropped record's group has met its number among them.
    fn missing_groups(
        &self,
        plan: &Plan,
        seen: &Seen,
        (lookup, scan): (&str, &str),
        kept: impl Fn(u64) -> u64,
        group: impl Fn(&Row<'_>, usize) -> Result<Option<String>>,
    ) -> Result<Option<(u64, Vec<String>)>> {
        let mut dropped_in: HashMap<String, u64> = HashMap::default();
        self.conn.stream(lookup, args![], |r| {
            if let Some(of) = group(r, 0)? {
                *dropped_in.entry(of).or_default() += r.get::<_, i64>(1)? as u64;
            }
            Ok(())
        })?;
        // Per group still in question, how many more listed records clear it.
        let mut wanted: HashMap<String, u64> = dropped_in
            .iter()
            .map(|(of, &n)| (of.clone(), kept(n)))
            .filter(|&(_, n)| n > 0)
            .collect();
        if !wanted.is_empty() {
            // The scan stops once every group is cleared: the closure ends
            // it with `NoRows`, which no row of a scan gives otherwise.
            let scanned = self
                .conn
                .stream(scan, args![plan.kind as i64, plan.ledger], |row| {
                    if seen.contains(row.get(0)?) {
                        if let Some(of) = group(row, 1)? {
                            if let Some(n) = wanted.get_mut(of.as_str()) {
                                *n -= 1;
                                if *n == 0 {
                                    wanted.remove(of.as_str());
                                }
                            }
                        }
                    }
                    match wanted.is_empty() {
                        true => Err(SqlError::NoRows),
                        false => Ok(()),
                    }
                });
            match scanned {
                Ok(()) | Err(SqlError::NoRows) => {}
                Err(e) => return Err(e),
            }
        }
        if wanted.is_empty() {
            return Ok(None);
        }
        let count = wanted.keys().filter_map(|of| dropped_in.get(of)).sum();
        let mut groups: Vec<String> = wanted.into_keys().collect();
        groups.sort();
        Ok(Some((count, groups)))
    }

    /// Put the records `plan` drops in `replace_dropped` (emptied first).
    ///
    /// With them in that temporary table (record, added), each step of
    /// dropping them is one statement for them all. Row by row, five
    /// statements a dropped record, a township's login paid the server's
    /// access checks on each: 116 s for a corrected sheet of 19,462
    /// changed rows, against 1.1 s on SQLite (township-login probe,
    /// session 18). Named without its schema: both engines look among the
    /// session's temporary tables first (on PostgreSQL, `pg_temp` before
    /// the `search_path` bangfu sets).
    fn stage(&self, plan: &Plan) -> Result<()> {
        self.conn.batch(
            "CREATE TEMP TABLE IF NOT EXISTS replace_dropped
                 (record BIGINT NOT NULL, added BIGINT NOT NULL);
             DELETE FROM replace_dropped",
        )?;
        let rows: Vec<[i64; 2]> = plan.dropped.iter().map(|&(r, a)| [r, a]).collect();
        let head = "INSERT INTO replace_dropped (record, added) VALUES";
        super::insert_rows(self.conn, head, "", args![], &rows)?;
        // The server's planner then knows how many there are: a few are
        // asked of each table by its key, many in one pass.
        if self.conn.dialect() == Dialect::Postgres {
            self.conn.batch("ANALYZE replace_dropped")?;
        }
        Ok(())
    }

    /// Drop the holds `plan` names (kept for undo), and settle each record
    /// left without a holder: a few statements for all of them, whatever
    /// their number. The deliveries and pairings other ledgers still hold.
    fn apply(&self, plan: &Plan) -> Result<()> {
        if plan.dropped.is_empty() {
            return Ok(());
        }
        self.stage(plan)?;
        let (kind, ledger) = (plan.kind as i64, plan.ledger);
        self.conn.execute(
            "INSERT INTO undo_holds (command, kind, record, ledger, added)
             SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), record, CAST(?3 AS BIGINT), added
             FROM replace_dropped",
            args![self.command, kind, ledger],
        )?;
        // A delivery's own row may be the hold (schema 8).
        if plan.kind == Kind::Deliveries {
            self.conn.execute(
                "UPDATE deliveries SET ledger = NULL
                 WHERE ledger = ?1 AND key IN (SELECT record FROM replace_dropped)",
                args![ledger],
            )?;
        }
        self.conn.execute(
            "DELETE FROM holds
             WHERE kind = ?1 AND ledger = ?2 AND record IN (SELECT record FROM replace_dropped)",
            args![kind, ledger],
        )?;
        // What is left in the table: the records no ledger holds any more.
        self.conn.execute(
            if plan.kind == Kind::Deliveries {
                STILL_HELD_DELIVERY
            } else {
                STILL_HELD
            },
            args![kind],
        )?;
        self.unheld(plan.kind)
    }

    /// Of the deliveries or pairings `plan` took off its ledger, those
    /// still stored once every version is applied (other ledgers hold
    /// them), and those ledgers: asked of the holds this import dropped
    /// for the ledger, kept in `undo_holds`.
    fn kept(&self, plan: &Plan) -> Result<Kept> {
        let table = match plan.kind {
            _ if plan.dropped.is_empty() => return Ok(Kept::default()),
            Kind::Deliveries => "deliveries",
            Kind::Pairings => "pairings",
            Kind::Households | Kind::Members => return Ok(Kept::default()),
        };
        let (command, kind, ledger) = (self.command, plan.kind as i64, plan.ledger);
        let still = format!(
            "SELECT t.key FROM {table} t WHERE t.key IN
             (SELECT record FROM undo_holds WHERE command = ?1 AND kind = ?2 AND ledger = ?3)"
        );
        let count: i64 = self.conn.value(
            &format!("SELECT count(*) FROM ({still}) k"),
            args![command, kind, ledger],
        )?;
        if count == 0 {
            return Ok(Kept::default());
        }
        let mut by: Vec<(i64, i64)> = Vec::new();
        let mut gather = |row: &Row<'_>| {
            let (ledger, last): (i64, i64) = (row.get(0)?, row.get(1)?);
            match by.iter_mut().find(|(l, _)| *l == ledger) {
                Some((_, was)) => *was = (*was).max(last),
                None => by.push((ledger, last)),
            }
            Ok(())
        };
        self.conn.stream(
            &format!(
                "SELECT h.ledger, max(h.added) FROM holds h
                 WHERE h.kind = ?2 AND h.record IN ({still}) GROUP BY h.ledger"
            ),
            args![command, kind, ledger],
            &mut gather,
        )?;
        if plan.kind == Kind::Deliveries {
            self.conn.stream(
                "SELECT d.ledger, max(d.added) FROM deliveries d
                 WHERE d.ledger IS NOT NULL AND d.key IN
                   (SELECT record FROM undo_holds WHERE command = ?1 AND kind = ?2 AND ledger = ?3)
                 GROUP BY d.ledger",
                args![command, kind, ledger],
                &mut gather,
            )?;
        }
        by.sort_by_key(|&(_, last)| std::cmp::Reverse(last));
        let by = by
            .into_iter()
            .map(|(ledger, last)| Ok((self.ledger_name(ledger)?, last)))
            .collect::<Result<_>>()?;
        let count = count as u64;
        Ok(Kept { count, by })
    }

    /// The records of `kind` in `replace_dropped` are held by no ledger any
    /// more: a delivery or pairing is deleted (its row kept for undo,
    /// marked removed; a row this import changed before keeps its old
    /// values there), a household or member is removed, a change its
    /// history keeps.
    fn unheld(&self, kind: Kind) -> Result<()> {
        let (keep, delete) = match kind {
            Kind::Deliveries => (
                "INSERT INTO undo_deliveries
                 (command, key, removed, day, fingerprint, occurrence, id, member, household,
                  category, goods, cash, note, added)
                 SELECT CAST(?1 AS BIGINT), key, 1, day, fingerprint, occurrence, id, member, household,
                        category, goods, cash, note, added
                 FROM deliveries WHERE key IN (SELECT record FROM replace_dropped)
                 ON CONFLICT (command, key) DO UPDATE SET removed = 1",
                "DELETE FROM deliveries WHERE key IN (SELECT record FROM replace_dropped)",
            ),
            Kind::Pairings => (
                "INSERT INTO undo_pairings
                 (command, key, removed, member, household, since, until, added)
                 SELECT CAST(?1 AS BIGINT), key, 1, member, household, since, until, added
                 FROM pairings WHERE key IN (SELECT record FROM replace_dropped)
                 ON CONFLICT (command, key) DO UPDATE SET removed = 1",
                "DELETE FROM pairings WHERE key IN (SELECT record FROM replace_dropped)",
            ),
            Kind::Households | Kind::Members => {
                let [history, redundant, remove] = if kind == Kind::Households {
                    REMOVE_HOUSEHOLDS
                } else {
                    REMOVE_MEMBERS
                };
                // As [`Writer::history`], for every row not removed yet.
                let (kind, was, is) = (kind as i64, Value::from(0), Value::from(1));
                self.conn
                    .execute(history, args![kind, self.command, self.day, was, is])?;
                self.conn.execute(redundant, args![kind, self.command])?;
                self.conn.execute(remove, args![])?;
                return Ok(());
            }
        };
        self.conn.execute(keep, args![self.command])?;
        self.conn.execute(delete, args![])?;
        Ok(())
    }
}

/// For a kind whose records belong to a household: the statement giving
/// the townships of the records staged in `replace_dropped`, with how
/// many of them are in each, and the one giving each record a
/// ledger holds of the kind (?1: the kind, ?2: the ledger) with its
/// township.
fn township_sql(kind: Kind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Kind::Members => return None,
        Kind::Households => (
            "SELECT h.township, count(*) FROM replace_dropped s
             JOIN households h ON h.key = s.record GROUP BY h.township",
            "SELECT x.record, h.township FROM holds x
             JOIN households h ON h.key = x.record
             WHERE x.kind = ?1 AND x.ledger = ?2",
        ),
        Kind::Pairings => (
            "SELECT h.township, count(*) FROM replace_dropped s
             JOIN pairings p ON p.key = s.record JOIN households h ON h.key = p.household
             GROUP BY h.township",
            "SELECT x.record, h.township FROM holds x
             JOIN pairings p ON p.key = x.record JOIN households h ON h.key = p.household
             WHERE x.kind = ?1 AND x.ledger = ?2",
        ),
        Kind::Deliveries => (
            "SELECT h.township, count(*) FROM replace_dropped s
             JOIN deliveries d ON d.key = s.record JOIN households h ON h.key = d.household
             GROUP BY h.township",
            concat!(
                "SELECT d.key, h.township FROM deliveries d
                 JOIN households h ON h.key = d.household
                 WHERE CAST(?1 AS BIGINT) = 3 AND ",
                held_by!("d", "?2")
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Resolved, Writer};
    use super::*;
    use crate::store::Store;

    /// Import deliveries `rows` (fingerprints, over a month of days) as
    /// the file 三月.csv, with `--replace` if `replace` says so (`Some`:
    /// whether with `--force`); what replacing did, and how many
    /// statements it took.
    fn import(store: &Store, rows: std::ops::Range<i64>, replace: Option<bool>) -> (Replaced, u64) {
        let conn = &store.conn;
        conn.begin_write().unwrap();
        let mut writer = Writer::new(conn, Date::parse("2003-06-30").unwrap()).unwrap();
        writer.begin_file(&LedgerName::of_path("三月.csv")).unwrap();
        writer.lists(Kind::Deliveries);
        let march = Date::parse("2003-03-01").unwrap().days();
        for fingerprint in rows {
            let day = march + (fingerprint % 31) as i32;
            writer
                .delivery(&Resolved::without_id(day, fingerprint), None)
                .unwrap();
        }
        writer.end_file().unwrap();
        let before = conn.statements();
        let replaced = match replace {
            Some(force) => writer.replace(force).unwrap(),
            None => Replaced::default(),
        };
        let statements = conn.statements() - before;
        drop(writer);
        conn.commit().unwrap();
        (replaced, statements)
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.lite().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// A township login's `--replace` went row by row (five statements a
    /// dropped record, each paying the server's access checks): 116 s for
    /// 19,462 corrections. It now takes the same few statements for 1,900
    /// dropped records as for one, refused or done.
    #[test]
    fn replacing_takes_a_few_statements_however_many_records_it_drops() {
        let store = Store::with_one_pair();
        import(&store, 0..2000, None);
        let (refused, asked) = import(&store, 0..100, Some(false));
        assert!(
            matches!(
                refused.refusals.as_slice(),
                [Refusal::MostOfTheLedger {
                    dropped: 1900,
                    held: 2000,
                    ..
                }]
            ),
            "{refused:?}"
        );
        assert!(asked < 40, "asking took {asked} statements");
        let (replaced, took) = import(&store, 0..100, Some(true));
        assert_eq!(replaced.versions[0].removed, 1900);
        assert!(took < 40, "replacing took {took} statements");
        assert_eq!(count(&store, "SELECT count(*) FROM deliveries"), 100);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM undo_deliveries WHERE removed = 1"
            ),
            1900
        );
        assert_eq!(count(&store, "SELECT count(*) FROM undo_holds"), 1900);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM deliveries WHERE ledger IS NULL"
            ),
            0
        );
    }
}
