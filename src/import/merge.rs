//! `bangfu import OTHER.db` (contract §9): another bangfu database — a
//! township's own file — merged into `--db` (SQLite or PostgreSQL), so that
//! it joins the district's; importing it again changes nothing.
//!
//! The design:
//! - OTHER.db is told by its first bytes (`SQLite format 3\0`), not by its
//!   name, and imported on its own (with other databases, never with
//!   spreadsheets, nor with the flags that only rows of a file take). It is
//!   opened read-only and never written: one newer than this bangfu, an
//!   empty one or another program's is refused as `--db` would be; an older
//!   one is upgraded in a copy in memory ([`crate::store::merge::Other`]).
//!   The target being the same file is refused.
//! - The whole merge is ONE import command: one transaction, one number in
//!   `bangfu log`, undone as one. Its "files" are the other file's
//!   (ledger, kind)s: a line each, `OTHER.db[LEDGER]`, with the counts a
//!   file's line has (read = the records that ledger holds of that kind),
//!   in the order files are written — households, members, pairings,
//!   deliveries; each kind ledger by ledger, in the order the other file
//!   made its ledgers.
//! - Each ledger of the other file is the target's ledger of the same name
//!   (made if new; a name in both is one ledger, which then holds the
//!   records of both). The records it holds go through the matching rows
//!   of a file go through, held by that ledger: households and members by
//!   id (every column, as stored: a changed field is updated and kept in
//!   the history; one `--replace` removed in the target comes back as a
//!   file's row brings it back), pairings by (member, household, since),
//!   deliveries with an id by their id, deliveries without at their place
//!   (day, fingerprint, occurrence), which carries over exactly: a delivery
//!   the target has from the same sheet is the same row, whichever file
//!   brought it, and is never counted twice.
//! - Records no ledger of the other file holds (a household `--replace`
//!   left removed there, kept for its past deliveries) come last in each
//!   kind, on a line `OTHER.db` of no ledger: a new one is added as it is
//!   (removed stays removed), one the target has stays as the target has
//!   it.
//! - History: a record's key in the other file is not the target's; the
//!   record is known in both by its id (`households.id`, `members.id`), as
//!   a file's rows know it. The other file's history of each household and
//!   member that came in (held ones, and new unheld ones) is carried to
//!   the target's record of that id, dated as it was, unless the target
//!   already knows the change (same field, day and new value): see
//!   [`crate::store::write::Writer::carry_history`] for how changes become
//!   rows of this import. The history keeps one row a field and import: a
//!   field the other file changed several times comes as one change, to
//!   its latest value from its latest day, and a warning says so (record,
//!   field, count, day).
//! - The target is written through the writer on either backend (a
//!   server's deliveries without id by COPY, [`crate::store::pg::placed`]);
//!   the other file is always SQLite, read by rusqlite.
//! - A merge removes nothing, as an import without `--replace`: a record
//!   the target's ledger holds and the other file's ledger of that name
//!   does not stays held. Where an earlier merge of the same file (by
//!   device and inode, however its path was spelled) brought such records (corrected, deleted or undone there
//!   since), a warning per line says how many, and that `--replace`
//!   follows the other file. Nor does it warn of rows that look like a
//!   correction: the other file's rows are what its clerk already took in.
//! - `import --replace OTHER.db`: each (ledger, kind) of the other file —
//!   a kind its ledger holds records of, or had an import of (everything
//!   undone there is an empty version) — is the whole current version of
//!   the target's ledger of that name, as a file is, but takes out only
//!   what earlier merges of the same file brought (holds keep the import
//!   that made them): never the rows of another
//!   township whose ledger has the same name, nor the target's own
//!   imports'. Refused as a file's replace is (more than half, `--force`).
//! - A household's ID number and a phone are read again by today's rules
//!   (the writer takes typed values); one they refuse, or an ID number
//!   another household of the target has, is the record's problem, named
//!   `OTHER.db[LEDGER]:N` (the N-th record of that line), and nothing of
//!   the merge is written.
//! - Again: every record is then found unchanged, every change known: the
//!   lines say so and nothing is written but the log's entry.

use super::{FileResult, ImportReport};
use crate::i18n::merge::MergeMsg;
use crate::input::digest::{self, Digest};
use crate::input::headers::{Field, Kind};
use crate::problem::{Problem, UsageError};
use crate::records::{CellProblem, Columns, Delivery, Household, Member, Pairing};
use crate::store::merge::{Held, Other, OtherChange, OtherDelivery, OtherHousehold, OtherMember};
use crate::store::write::merge::{Change, Placed, Unheld};
use crate::store::write::{LoggedFile, WriteError, Writer};
use crate::store::{sql, Store};
use crate::values::{Category, Date, Fen, IdNumber, LedgerName, Phone, Status};
use rusqlite::types::Value;
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` is a SQLite database (by its header).
pub fn is_database(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_HEADER)
}

/// The databases among an import's `files`, when there are any: then all
/// of them must be, none may be the target `db`, and `flags_given` (the
/// flags that only a file's rows take, by name) must be empty.
pub fn databases(
    files: &[PathBuf],
    db: &Path,
    flags_given: &[&'static str],
) -> Result<Option<Vec<PathBuf>>, UsageError> {
    let (dbs, sheets): (Vec<&PathBuf>, Vec<&PathBuf>) = files.iter().partition(|f| is_database(f));
    let Some(first) = dbs.first() else {
        return Ok(None);
    };
    let path = first.display().to_string();
    if let Some(sheet) = sheets.first() {
        let sheet = sheet.display().to_string();
        return Err(UsageError::said(MergeMsg::WithSheets { path, sheet }));
    }
    if let Some(flag) = flags_given.first() {
        return Err(UsageError::said(MergeMsg::FlagNotForDatabase {
            path,
            flag,
        }));
    }
    if let Some(same) = dbs.iter().find(|other| same_file(other, db)) {
        let path = same.display().to_string();
        return Err(UsageError::said(MergeMsg::IntoItself { path }));
    }
    Ok(Some(dbs.into_iter().cloned().collect()))
}

/// Whether two paths name one file (device and inode where the system has
/// them; else the paths with their links resolved).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return (a.dev(), a.ino()) == (b.dev(), b.ino());
        }
        false
    }
    #[cfg(not(unix))]
    {
        matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
    }
}

/// One database to merge, opened, as the user named it.
pub struct OtherInput {
    pub name: String,
    pub other: Other,
    pub digest: Digest,
}

impl OtherInput {
    pub fn open(path: &Path) -> Result<OtherInput, crate::store::StoreError> {
        let other = Other::open(path)?;
        let digest = digest::of_file(path).map_or_else(|_| Digest::default(), Digest::known);
        Ok(OtherInput {
            name: path.display().to_string(),
            other,
            digest,
        })
    }
}

/// What a merge did, and the fields whose several changes in the other
/// file came as one ([`Writer::carry_history`]), to be said.
#[derive(Debug, Default)]
pub struct Merged {
    pub report: ImportReport,
    pub collapsed: Vec<MergeMsg>,
}

/// Merge `others` into `store` as one import command (committed unless
/// `dry_run` or a record could not be written).
pub fn merge(
    store: &mut Store,
    others: &[OtherInput],
    how: How,
    today: Date,
) -> anyhow::Result<Merged> {
    // As an import of files: the writer resolves every reference itself,
    // and the history rows name this import before its log row is written.
    store.without_foreign_keys(|store| merge_in_transaction(store, others, how, today))
}

/// How a merge is made: `dry_run` writes nothing; `replace` makes each
/// ledger of the other file the whole current version of the target's
/// ledger of that name, kind by kind, as `import --replace` does a file's
/// (`force`: even where that looks like a mistake).
#[derive(Debug, Clone, Copy, Default)]
pub struct How {
    pub dry_run: bool,
    pub replace: bool,
    pub force: bool,
}

fn merge_in_transaction(
    store: &mut Store,
    others: &[OtherInput],
    how: How,
    today: Date,
) -> anyhow::Result<Merged> {
    let dry_run = how.dry_run;
    let mut merged = Merged::default();
    let report = &mut merged.report;
    let doing = match dry_run {
        true => crate::store::Doing::Checking,
        false => crate::store::Doing::Importing,
    };
    store.check_seal(doing)?;
    let import = store.begin_import()?;
    let command;
    {
        let mut writer = import.writer(today)?;
        command = writer.command();
        for other in others {
            let collapsed = merge_one(&mut writer, other, today, report)?;
            merged.collapsed.extend(collapsed);
        }
        if report.problems.is_empty() {
            follow(&mut writer, how, report, &mut merged.collapsed)?;
        }
    }
    let report = &mut merged.report;
    if dry_run || !report.problems.is_empty() {
        import.rollback()?;
        return Ok(merged);
    }
    let logged: Vec<LoggedFile<'_>> = report.files.iter().map(FileResult::logged).collect();
    import.log_and_commit(command, today, &super::login(), &logged)?;
    report.committed = true;
    Ok(merged)
}

/// A township's corrections, deletions and undos since its last merge:
/// with `--replace`, each of its ledgers' versions replaces what the
/// target's ledger held (refused as a file's would be); without, a
/// warning names each ledger still holding records the other file's no
/// longer does, which the merge added to nothing but left counted (review
/// 6, attacker 1: a corrected amount counted twice at the district).
fn follow(
    writer: &mut Writer<'_>,
    how: How,
    report: &mut ImportReport,
    said: &mut Vec<MergeMsg>,
) -> anyhow::Result<()> {
    super::ledgers::one_visit_either_way(writer, report)?;
    if how.replace {
        let replaced = super::ledgers::replace_counted(writer, how.force, report)?;
        super::ledgers::name_retired(report, &replaced);
        super::ledgers::refuse(report, replaced.refusals);
        return Ok(());
    }
    for version in writer.unlisted_by_versions()? {
        let file = super::ledgers::version_name(&report.files, &version.ledger, version.kind);
        said.push(MergeMsg::Unfollowed {
            line: file,
            kind: version.kind,
            count: version.removed,
        });
    }
    Ok(())
}

/// The records of one (ledger, kind) line being written: its name and the
/// problems of its records.
struct Line<'r> {
    name: String,
    read: u64,
    rejected: u64,
    report: &'r mut ImportReport,
}

impl<'r> Line<'r> {
    fn new(name: String, report: &'r mut ImportReport) -> Line<'r> {
        Line {
            name,
            read: 0,
            rejected: 0,
            report,
        }
    }

    /// What writing a record did: a record the writer refused (an ID number
    /// another household has, say) is a problem of the line, named by its
    /// place among the line's records; the database failing ends it all.
    fn written(&mut self, written: Result<(), WriteError>) -> sql::Result<()> {
        self.read += 1;
        match written {
            Ok(()) => Ok(()),
            Err(WriteError::Rejected(problems)) => {
                self.rejected(problems);
                Ok(())
            }
            Err(WriteError::Failed(e)) => Err(e),
        }
    }

    fn rejected(&mut self, problems: Vec<CellProblem>) {
        self.rejected += 1;
        for p in problems {
            let problem = Problem::new(&self.name, self.read, p.column, p.message);
            self.report.problems.push(problem);
        }
    }
}

/// Every record and history row of one other database; the fields whose
/// changes came as one.
fn merge_one(
    writer: &mut Writer<'_>,
    input: &OtherInput,
    today: Date,
    report: &mut ImportReport,
) -> anyhow::Result<Vec<MergeMsg>> {
    let other = &input.other;
    let ledgers = other.ledgers()?;
    // The households and members whose history comes along.
    let mut carried: HashSet<(Kind, String)> = HashSet::default();
    for kind in Kind::ALL {
        for (key, name) in &ledgers {
            if !other.has_version(kind, *key)? {
                continue;
            }
            let ledger = LedgerName::parse(name).unwrap_or_else(|| LedgerName::of_path(name));
            writer.begin_file(&ledger)?;
            // The other file's ledger is a whole version of the kind, as a
            // file is: what `--replace` follows, of what earlier merges of
            // this database brought.
            let name = format!("{}[{ledger}]", input.name);
            writer.lists(kind);
            // An earlier merge of this very file, however its path was
            // spelled then (`tA/bangfu.db`, `./tA/bangfu.db`, absolute):
            // its line is `PATH[LEDGER]`.
            let suffix = format!("[{ledger}]");
            let this = Path::new(&input.name);
            let same = |line: &str| {
                line == name
                    || line
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|path| same_file(Path::new(path), this))
            };
            writer.from_earlier_merges(kind, &same)?;
            let mut line = Line::new(name, report);
            let held = Held::By(*key);
            write_kind(writer, other, kind, held, today, &mut line, &mut carried)?;
            let counts = (line.read, line.rejected);
            push_line(writer, input, line.name, ledger, kind, counts, report)?;
        }
        writer.begin_unheld();
        let mut line = Line::new(input.name.clone(), report);
        let held = Held::ByNone;
        write_kind(writer, other, kind, held, today, &mut line, &mut carried)?;
        writer.end_unheld();
        let counts = (line.read, line.rejected);
        if line.read > 0 {
            let ledger = LedgerName::default();
            push_line(writer, input, line.name, ledger, kind, counts, report)?;
        } else {
            writer.end_file()?;
        }
    }
    let collapsed = carry_history(writer, other.history()?, &carried)?;
    let said = |(kind, id, field, changes, day): Collapsed| MergeMsg::Collapsed {
        path: input.name.clone(),
        household: kind == Kind::Households,
        id,
        field,
        changes,
        day: Date::from_days(day).map_or_else(|| day.to_string(), |d| d.to_string()),
    };
    Ok(collapsed.into_iter().map(said).collect())
}

/// A field whose changes came as one: the record's kind and id, the
/// field, how many changes, the day the one holds from.
type Collapsed = (Kind, String, String, usize, i32);

/// The line of one (ledger, kind), its counts from the writer.
fn push_line(
    writer: &mut Writer<'_>,
    input: &OtherInput,
    name: String,
    ledger: LedgerName,
    kind: Kind,
    (read, rejected): (u64, u64),
    report: &mut ImportReport,
) -> sql::Result<()> {
    let tally = writer.end_file()?;
    let mut result = FileResult {
        name,
        ledger,
        kind: Some(kind),
        encoding: "SQLite".to_string(),
        digest: input.digest.clone(),
        ..FileResult::default()
    };
    let c = &mut result.counts;
    (c.read, c.new, c.updated, c.unchanged, c.rejected) =
        (read, tally.new, tally.updated, tally.unchanged, rejected);
    result.overlap = tally.overlap;
    report.files.push(result);
    Ok(())
}

/// Write the records of `kind` that `held` selects.
fn write_kind(
    writer: &mut Writer<'_>,
    other: &Other,
    kind: Kind,
    held: Held,
    today: Date,
    line: &mut Line<'_>,
    carried: &mut HashSet<(Kind, String)>,
) -> anyhow::Result<()> {
    let all = Columns {
        id_number: true,
        village: true,
        size: true,
        cause: true,
        status: true,
        lifted_on: true,
        phone: true,
        role: true,
        until: true,
    };
    match kind {
        Kind::Households => other.households(held, |h: OtherHousehold| {
            let written = match held {
                Held::By(_) => household(&h, today)
                    .map_err(WriteError::Rejected)
                    .and_then(|record| writer.household(all, line.read + 1, &record))
                    .map(|()| true),
                Held::ByNone => writer.unheld_record(&unheld_household(&h)),
            };
            if matches!(written, Ok(true)) {
                carried.insert((kind, h.id.clone()));
            }
            line.written(written.map(drop))
        })?,
        Kind::Members => other.members(held, |m: OtherMember| {
            let written = match held {
                Held::By(_) => member(&m)
                    .map_err(WriteError::Rejected)
                    .and_then(|record| writer.member(all, line.read + 1, &record))
                    .map(|()| true),
                Held::ByNone => writer.unheld_record(&Unheld::Member {
                    id: &m.id,
                    name: &m.name,
                    unit: &m.unit,
                    role: m.role.as_deref(),
                    phone: m.phone.as_deref(),
                    removed: m.removed,
                }),
            };
            if matches!(written, Ok(true)) {
                carried.insert((kind, m.id.clone()));
            }
            line.written(written.map(drop))
        })?,
        Kind::Pairings => other.pairings(held, |p| {
            let pairing = Pairing {
                member: p.member,
                household: p.household,
                since: p.since.and_then(Date::from_days),
                until: p.until.and_then(Date::from_days),
                seconds: Default::default(),
            };
            line.written(writer.pairing(all, &pairing))
        })?,
        Kind::Deliveries => other.deliveries(held, |d| {
            let written = delivery(writer, &d, held);
            line.written(written)
        })?,
    };
    Ok(())
}

/// A household of the other file as a file's row would give it, every
/// column present. Its ID number and phone are read again by today's
/// rules; one they refuse is the record's problem.
fn household(h: &OtherHousehold, today: Date) -> Result<Household, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let id_number = match h.id_number.as_deref().map(|n| IdNumber::parse(n, today)) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            problems.push(CellProblem::new(Field::IdNumber, e));
            None
        }
    };
    let phone = phone(h.phone.as_deref(), &mut problems);
    let status = u8::try_from(h.status)
        .ok()
        .and_then(Status::from_index)
        .unwrap_or_else(|| {
            let message = crate::values::ValueError::Empty;
            problems.push(CellProblem::new(Field::Status, message));
            Status::Poor
        });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Household {
        id: h.id.clone(),
        head: h.head.clone(),
        id_number,
        township: h.township.clone(),
        village: h.village.clone(),
        size: h.size,
        cause: h.cause.clone(),
        status,
        lifted_on: h.lifted_on.and_then(Date::from_days),
        phone,
    })
}

/// A phone as stored, read again (a problem where it cannot be).
fn phone(stored: Option<&str>, problems: &mut Vec<CellProblem>) -> Option<Phone> {
    match Phone::parse(stored?) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(CellProblem::new(Field::Phone, e));
            None
        }
    }
}

/// A household no ledger holds, as stored.
fn unheld_household(h: &OtherHousehold) -> Unheld<'_> {
    let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
    let int = |n: Option<i64>| n.map_or(Value::Null, Value::Integer);
    Unheld::Household {
        id: &h.id,
        head: &h.head,
        id_number: h.id_number.as_deref(),
        rest: [
            Value::Text(h.township.clone()),
            text(&h.village),
            int(h.size),
            text(&h.cause),
            Value::Integer(h.status),
            int(h.lifted_on.map(i64::from)),
            text(&h.phone),
        ],
        removed: h.removed,
    }
}

/// A member of the other file as a file's row would give it (its pairings
/// come as pairings).
fn member(m: &OtherMember) -> Result<Member, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let phone = phone(m.phone.as_deref(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Member {
        id: m.id.clone(),
        name: m.name.clone(),
        unit: m.unit.clone(),
        role: m.role.clone(),
        phone,
        households: Vec::new(),
    })
}

/// A delivery: one with an id that a ledger holds as a file's row with
/// that id; the others at their place.
fn delivery(writer: &mut Writer<'_>, d: &OtherDelivery, held: Held) -> Result<(), WriteError> {
    let bad = |field| vec![CellProblem::new(field, crate::values::ValueError::Empty)];
    if let (Some(id), Held::By(_)) = (&d.id, held) {
        let date = Date::from_days(d.day).ok_or_else(|| bad(Field::Date))?;
        let category = u8::try_from(d.category)
            .ok()
            .and_then(Category::from_index)
            .ok_or_else(|| bad(Field::Category))?;
        let row = Delivery {
            id: Some(Cow::Borrowed(id)),
            date,
            member: Cow::Borrowed(&d.member),
            household: Cow::Borrowed(&d.household),
            category,
            goods: Fen(d.goods),
            cash: Fen(d.cash),
            note: d.note.as_deref().map(Cow::Borrowed),
        };
        let resolved = writer.refs().delivery(&row, &Default::default())?;
        // After the rows before it, as they come (their keys first).
        writer.end_placed()?;
        return writer.delivery(&resolved, d.note.as_deref());
    }
    let (Some(member), Some(household)) = (
        writer.key_of(Kind::Members, &d.member),
        writer.key_of(Kind::Households, &d.household),
    ) else {
        let refs = writer.refs();
        let problems: Vec<CellProblem> = [
            (Field::Member, refs.member(&d.member).err()),
            (Field::Household, refs.household(&d.household).err()),
        ]
        .into_iter()
        .filter_map(|(field, message)| Some(CellProblem::new(field, message?)))
        .collect();
        return Err(WriteError::Rejected(problems));
    };
    writer.placed_delivery(&Placed {
        day: d.day,
        fingerprint: d.fingerprint,
        occurrence: d.occurrence,
        id: d.id.as_deref(),
        member,
        household,
        category: d.category,
        goods: d.goods,
        cash: d.cash,
        note: d.note.as_deref(),
    })
}

/// The other file's history of every record that came in, a field at a
/// time (its rows come sorted by record, field, day and import).
fn carry_history(
    writer: &mut Writer<'_>,
    changes: Vec<OtherChange>,
    carried: &HashSet<(Kind, String)>,
) -> sql::Result<Vec<Collapsed>> {
    let mut collapsed = Vec::new();
    let mut rows = changes.into_iter().peekable();
    while let Some(first) = rows.next() {
        let kind = match first.kind {
            0 => Kind::Households,
            _ => Kind::Members,
        };
        let mut field: Vec<Change> = vec![(first.day, first.old, first.new)];
        while let Some(next) =
            rows.next_if(|r| (r.kind, &r.id, &r.field) == (first.kind, &first.id, &first.field))
        {
            field.push((next.day, next.old, next.new));
        }
        if !carried.contains(&(kind, first.id.clone())) {
            continue;
        }
        if let Some(key) = writer.key_of(kind, &first.id) {
            if writer.carry_history(kind, key, &first.field, &field)? {
                let day = field.last().map_or(0, |c| c.0);
                collapsed.push((kind, first.id, first.field, field.len(), day));
            }
        }
    }
    Ok(collapsed)
}
