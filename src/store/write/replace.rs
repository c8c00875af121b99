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
use crate::store::sql::{Result, Row, SqlError};
use crate::values::{Date, LedgerName};
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

/// Whether record ?2 of kind ?1 is still held by some ledger, asked of
/// `holds` by its key. Not through `held!()`: PostgreSQL's plan of that
/// union scanned every hold for each dropped row (`Seq Scan on holds`,
/// filter `record = $2`): over a minute for a corrected sheet of 19,462
/// changed rows (township-login probe, session 18).
pub(crate) const STILL_HELD: &str =
    "SELECT EXISTS (SELECT 1 FROM holds WHERE kind = ?1 AND record = ?2)";

/// [`STILL_HELD`] for a delivery, whose first hold may be its own row's.
pub(crate) const STILL_HELD_DELIVERY: &str =
    "SELECT EXISTS (SELECT 1 FROM holds WHERE kind = ?1 AND record = ?2)
         OR EXISTS (SELECT 1 FROM deliveries WHERE key = ?2 AND ledger IS NOT NULL)";

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
            });
            plans.push(plan);
        }
        if replaced.refusals.is_empty() {
            for plan in &plans {
                self.apply(plan)?;
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
            "SELECT day FROM deliveries WHERE key = ?1",
            concat!(
                "SELECT d.key, d.day FROM deliveries d
                 WHERE CAST(?1 AS BIGINT) = 3 AND ",
                held_by!("d", "?2")
            ),
        );
        self.missing_groups(plan, seen, sql, |dropped| dropped, month)
    }

    /// The groups (`group` of a row's column) of the records `plan` drops
    /// of which its version lists fewer than `kept(dropped there)`
    /// records, and how many of the dropped records are theirs. `sql`: the
    /// statement giving one record's group (?1: its key), and the one
    /// giving each record the ledger holds of the kind (?1: the kind, ?2:
    /// the ledger) with its group. The version's records are read only
    /// until each dropped record's group has met its number among them.
    fn missing_groups(
        &self,
        plan: &Plan,
        seen: &Seen,
        (lookup, scan): (&str, &str),
        kept: impl Fn(u64) -> u64,
        group: impl Fn(&Row<'_>, usize) -> Result<Option<String>>,
    ) -> Result<Option<(u64, Vec<String>)>> {
        let mut dropped_in: HashMap<String, u64> = HashMap::default();
        for &(record, _) in &plan.dropped {
            let of: Option<Option<String>> = self
                .conn
                .query_opt(lookup, args![record], |r| group(r, 0))?;
            if let Some(of) = of.flatten() {
                *dropped_in.entry(of).or_default() += 1;
            }
        }
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

    /// Drop the holds `plan` names (kept for undo), and settle each record
    /// left without a holder.
    fn apply(&self, plan: &Plan) -> Result<()> {
        let kind = plan.kind as i64;
        for &(record, added) in &plan.dropped {
            self.conn.execute(
                "INSERT INTO undo_holds (command, kind, record, ledger, added)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![self.command, kind, record, plan.ledger, added],
            )?;
            // A delivery's own row may be the hold (schema 8).
            if plan.kind == Kind::Deliveries {
                self.conn.execute(
                    "UPDATE deliveries SET ledger = NULL WHERE key = ?1 AND ledger = ?2",
                    args![record, plan.ledger],
                )?;
            }
            self.conn.execute(
                "DELETE FROM holds WHERE kind = ?1 AND record = ?2 AND ledger = ?3",
                args![kind, record, plan.ledger],
            )?;
            let held: bool = self.conn.value(
                if plan.kind == Kind::Deliveries {
                    STILL_HELD_DELIVERY
                } else {
                    STILL_HELD
                },
                args![kind, record],
            )?;
            if !held {
                self.unheld(plan.kind, record)?;
            }
        }
        Ok(())
    }

    /// Record `record` of `kind` is held by no ledger any more: a delivery
    /// or pairing is deleted (its row kept for undo, marked removed; a row
    /// this import changed before keeps its old values there), a household
    /// or member is removed, a change its history keeps.
    fn unheld(&self, kind: Kind, record: i64) -> Result<()> {
        let (keep, delete) = match kind {
            Kind::Deliveries => (
                "INSERT INTO undo_deliveries
                 (command, key, removed, day, fingerprint, occurrence, id, member, household,
                  category, goods, cash, note, added)
                 SELECT CAST(?1 AS BIGINT), key, 1, day, fingerprint, occurrence, id, member, household,
                        category, goods, cash, note, added
                 FROM deliveries WHERE key = ?2
                 ON CONFLICT (command, key) DO UPDATE SET removed = 1",
                "DELETE FROM deliveries WHERE key = ?1",
            ),
            Kind::Pairings => (
                "INSERT INTO undo_pairings
                 (command, key, removed, member, household, since, until, added)
                 SELECT CAST(?1 AS BIGINT), key, 1, member, household, since, until, added
                 FROM pairings WHERE key = ?2
                 ON CONFLICT (command, key) DO UPDATE SET removed = 1",
                "DELETE FROM pairings WHERE key = ?1",
            ),
            Kind::Households | Kind::Members => {
                let table = if kind == Kind::Households {
                    "UPDATE households SET removed = 1 WHERE key = ?1 AND removed = 0"
                } else {
                    "UPDATE members SET removed = 1 WHERE key = ?1 AND removed = 0"
                };
                if self.conn.execute(table, args![record])? > 0 {
                    let (was, is) = (0.into(), 1.into());
                    self.history(kind, record, "removed", (&was, &is), self.day)?;
                }
                return Ok(());
            }
        };
        self.conn.execute(keep, args![self.command, record])?;
        self.conn.execute(delete, args![record])?;
        Ok(())
    }
}

/// For a kind whose records belong to a household: the statement giving
/// one record's township (?1: its key), and the one giving each record a
/// ledger holds of the kind (?1: the kind, ?2: the ledger) with its
/// township.
fn township_sql(kind: Kind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Kind::Members => return None,
        Kind::Households => (
            "SELECT township FROM households WHERE key = ?1",
            "SELECT x.record, h.township FROM holds x
             JOIN households h ON h.key = x.record
             WHERE x.kind = ?1 AND x.ledger = ?2",
        ),
        Kind::Pairings => (
            "SELECT h.township FROM pairings p JOIN households h ON h.key = p.household
             WHERE p.key = ?1",
            "SELECT x.record, h.township FROM holds x
             JOIN pairings p ON p.key = x.record JOIN households h ON h.key = p.household
             WHERE x.kind = ?1 AND x.ledger = ?2",
        ),
        Kind::Deliveries => (
            "SELECT h.township FROM deliveries d JOIN households h ON h.key = d.household
             WHERE d.key = ?1",
            concat!(
                "SELECT d.key, h.township FROM deliveries d
                 JOIN households h ON h.key = d.household
                 WHERE CAST(?1 AS BIGINT) = 3 AND ",
                held_by!("d", "?2")
            ),
        ),
    })
}
