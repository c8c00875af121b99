//! What the ledgers make of an import's files once all are written
//! (contract §8): `--replace` makes each file its ledger's version of its
//! kind, or is refused (problems, nothing written); without it, warnings of
//! new deliveries that look like corrections; and, either way, of a file
//! most of whose rows another ledger already holds, or an earlier file of
//! its own ledger in the same command lists (a sheet and its corrected
//! copy, given together). The store finds them
//! ([`Writer::replace`], [`Writer::corrections`], [`Writer::other_ledger`]);
//! here they go on the files they are about.

use super::{FileResult, ImportOptions, ImportReport};
use crate::i18n::import::{ImportMsg, Then};
use crate::input::headers::Kind;
use crate::problem::{Column, Problem, Warning};
use crate::store::write::{Counts, Refusal, Replaced, Writer};
use crate::values::LedgerName;

/// What the ledgers make of the files, once all are written (contract §8):
/// with `--replace`, each version replaces what its ledger held (counted
/// in `removed`, or refused: problems); without it, the new deliveries
/// that look like corrections. Either way, unless `--ledger` chose the
/// ledger, a version most of whose rows another ledger holds. Nothing of
/// it where the files' problems keep the import from being written; and no
/// replace where a file had problems (a version missing its rejected rows
/// is no whole version: such an import is never committed).
pub fn follow(
    writer: &mut Writer<'_>,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let clean_run = report.problems.is_empty();
    if options.replace && !clean_run && !report.unreadable {
        // The removed column then counts nothing: say so, or a dry run
        // reads as "--replace would remove 0" (review 6, clerk 6).
        for file in report.files.iter().filter(|f| f.kind.is_some()) {
            let (file, message) = (file.name.clone(), ImportMsg::ReplaceNotCounted.into());
            report.warnings.push(Warning::File { file, message });
        }
    }
    if report.unreadable || !(clean_run || options.keep_valid) || (options.replace && !clean_run) {
        return Ok(());
    }
    one_visit_either_way(writer, report)?;
    // A sheet whose id column was dropped or added since its ledger's last
    // import, or given both ways in this one, would be counted twice:
    // refused. (A replace takes the older rows out: only the second kind
    // is one there.)
    for switch in writer.id_switches()? {
        if options.replace && !switch.within {
            continue;
        }
        let file = version_name(&report.files, &switch.ledger, Kind::Deliveries);
        report.refused = true;
        let message = ImportMsg::IdsSwitched(switch);
        report
            .problems
            .push(Problem::new(file, 1, Column::File, message));
    }
    // Said last, where nothing refused the import: its words are of rows
    // taken out (attacker review: a refused command told to undo imports
    // that were never made).
    let mut kept = Vec::new();
    if options.replace {
        let mut replaced = replace_counted(writer, options.force, report)?;
        if !options.force {
            for version in replaced.versions.iter().filter(|v| v.removed > 0) {
                let files = report
                    .files
                    .iter()
                    .filter(|f| f.ledger == version.ledger && f.kind == Some(version.kind));
                for sha256 in files.filter_map(|f| f.digest.get()) {
                    let Some((earlier, later)) =
                        writer.older_version(&version.ledger, version.kind, sha256)?
                    else {
                        continue;
                    };
                    replaced.refusals.push(Refusal::OlderVersion {
                        ledger: version.ledger.clone(),
                        kind: version.kind,
                        dropped: version.removed,
                        earlier,
                        later,
                    });
                    break;
                }
            }
        }
        name_retired(report, &replaced);
        for version in replaced.versions.iter().filter(|v| v.kept.count > 0) {
            let file = version_name(&report.files, &version.ledger, version.kind);
            let message = ImportMsg::KeptCounted {
                ledger: version.ledger.clone(),
                kind: version.kind,
                kept: version.kept.clone(),
                then: then(writer, options, report.files.len(), false),
            };
            kept.push((file, message));
        }
        refuse(report, replaced.refusals);
    } else {
        for (ledger, redated) in writer.pairings_redated()? {
            if let Some(file) = version_file(&mut report.files, &ledger, Kind::Pairings) {
                let file = file.name.clone();
                let message = ImportMsg::PairingsRedated { ledger, redated }.into();
                report.warnings.push(Warning::File { file, message });
            }
        }
        let corrected = writer.corrections()?;
        // Rows the file no longer lists beside new ones, where the
        // corrections named below do not account for them all.
        for unlisted in writer.unlisted()? {
            let named = (corrected.iter())
                .filter(|c| c.ledger == unlisted.ledger)
                .map(|c| c.count)
                .sum::<u64>();
            if unlisted.unlisted <= named {
                continue;
            }
            let ledger = unlisted.ledger.clone();
            if let Some(file) = version_file(&mut report.files, &ledger, Kind::Deliveries) {
                let file = file.name.clone();
                let message = ImportMsg::Unlisted(unlisted).into();
                report.warnings.push(Warning::File { file, message });
            }
        }
        for corrections in corrected {
            let ledger = corrections.ledger.clone();
            if let Some(file) = version_file(&mut report.files, &ledger, Kind::Deliveries) {
                let file = file.name.clone();
                let message = ImportMsg::LooksCorrected(corrections).into();
                report.warnings.push(Warning::File { file, message });
            }
        }
    }
    super::copies::in_one_ledger(writer, options, report);
    // A ledger given by name was chosen: no other is suggested.
    if options.ledger.is_none() {
        other_ledgers(writer, options, report)?;
    }
    if !report.refused {
        for (file, message) in kept {
            refuse_or_warn(report, false, file, message);
        }
    }
    Ok(())
}

/// Unless `--ledger` chose the ledger: a version most of whose rows
/// another ledger holds (or another ledger's file of the same import).
fn other_ledgers(
    writer: &mut Writer<'_>,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let mut versions: Vec<(LedgerName, Kind)> = Vec::new();
    for f in &report.files {
        if let Some(kind) = f.kind {
            if !versions.contains(&(f.ledger.clone(), kind)) {
                versions.push((f.ledger.clone(), kind));
            }
        }
    }
    for (ledger, kind) in versions {
        let of_version = |f: &&FileResult| f.ledger == ledger && f.kind == Some(kind);
        let files: Vec<&FileResult> = report.files.iter().filter(of_version).collect();
        let sum = |count: fn(&Counts) -> u64| files.iter().map(|f| count(&f.counts)).sum::<u64>();
        let matched = sum(|c| c.updated + c.unchanged);
        let rows = matched + sum(|c| c.new);
        // Only rows stored before can be another ledger's.
        if matched * 2 <= rows {
            continue;
        }
        let Some(other) = writer.other_ledger(&ledger, kind)? else {
            continue;
        };
        let file = files.last().map(|f| f.name.clone()).unwrap_or_default();
        let refuse = options.replace && !options.force;
        if other.with_it {
            let message = ImportMsg::SharedWithFile {
                other: other.other,
                held: other.held,
                rows,
                then: then(writer, options, report.files.len(), refuse),
            };
            refuse_or_warn(report, refuse, file, message);
            continue;
        }
        let (other, held) = (other.other, other.held);
        let message = if refuse {
            let ledger = ledger.clone();
            ImportMsg::OtherLedgerReplace {
                ledger,
                other,
                held,
                rows,
            }
        } else {
            let (own, then) = (
                ledger.clone(),
                then(writer, options, report.files.len(), false),
            );
            ImportMsg::OtherLedgerHolds {
                own,
                other,
                held,
                rows,
                then,
            }
        };
        refuse_or_warn(report, refuse, file, message);
    }
    Ok(())
}

/// What a ledger's message says to do next: the import is refused
/// (`refused`), only checked (`--dry-run`), or made (take it back by its
/// number; it read `files` files).
pub(super) fn then(
    writer: &Writer<'_>,
    options: &ImportOptions,
    files: usize,
    refused: bool,
) -> Then {
    match (refused, options.dry_run) {
        (true, _) => Then::Refused,
        (false, true) => Then::DryRun,
        (false, false) => Then::Undo(writer.command(), files),
    }
}

/// `message` on `file`: a problem refusing the import, or a warning.
pub(super) fn refuse_or_warn(
    report: &mut ImportReport,
    refuse: bool,
    file: String,
    message: ImportMsg,
) {
    if refuse {
        report.refused = true;
        report
            .problems
            .push(Problem::new(file, 1, Column::File, message));
    } else {
        let message = message.into();
        report.warnings.push(Warning::File { file, message });
    }
}

/// A corrected rejects file's deliveries that are, value for value,
/// deliveries already stored (counted unchanged or updated): a rejected
/// row was not stored, so such a row is a second, identical delivery of
/// its sheet — which the rejects file, holding it alone, numbers as the
/// first (contract §3.4) and so would lose — or the rejects file imported
/// a second time. Either way the import is refused, saying both (review
/// 4, finding F2).
pub fn rejects_again(
    writer: &Writer<'_>,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let (mut problems, mut warnings) = (Vec::new(), Vec::new());
    for file in report.files.iter().filter(|f| f.rejects_file) {
        let Some(kind) = file.kind else { continue };
        let met = file.counts.unchanged + file.counts.updated;
        if kind == Kind::Deliveries && met > 0 {
            let message = ImportMsg::RejectsAgain { rows: met };
            problems.push(Problem::new(file.name.clone(), 1, Column::File, message));
        }
        // Its rows belong to the ledger of the file they were rejected
        // from, which the rejects file's own name does not give: in a
        // ledger of their own, a --replace of the sheet would never take
        // them out (clerk review 5, N1). Said, not refused: contract §3.5
        // imports a corrected rejects file as it is.
        if options.ledger.is_none() {
            if let Some(ledger) = writer.ledger_with_rejects(kind)? {
                if ledger != file.ledger {
                    let own = file.ledger.clone();
                    let then = then(writer, options, report.files.len(), false);
                    let message = ImportMsg::RejectsLedger { own, ledger, then }.into();
                    let file = file.name.clone();
                    warnings.push(Warning::File { file, message });
                }
            }
        }
    }
    if !problems.is_empty() {
        report.refused = true;
        report.problems.extend(problems);
    }
    report.warnings.extend(warnings);
    Ok(())
}

/// The file a version's count and messages go on: the last of its ledger
/// and kind — for pairings a members file lists, the last members file of
/// the ledger.
/// `--replace`: every version this import wrote made its ledger's current
/// one ([`Writer::replace`]), each file's line counting what its version
/// took out; what was refused is in the result, nothing of it written.
pub(super) fn replace_counted(
    writer: &mut Writer<'_>,
    force: bool,
    report: &mut ImportReport,
) -> anyhow::Result<Replaced> {
    let replaced = writer.replace(force)?;
    for version in &replaced.versions {
        if let Some(file) = version_file(&mut report.files, &version.ledger, version.kind) {
            file.counts.removed += version.removed;
        }
    }
    Ok(replaced)
}

/// Where `--replace` goes ahead, a warning per version of households or
/// members it takes off the roster (销户, 注销), naming the first few: a
/// sheet exported with a filter still on drops a village without a word
/// but the count (review 6, clerk 5). Said by `--dry-run` too.
pub(super) fn name_retired(report: &mut ImportReport, replaced: &Replaced) {
    if !replaced.refusals.is_empty() {
        return;
    }
    for version in replaced.versions.iter().filter(|v| !v.named.is_empty()) {
        let file = version_name(&report.files, &version.ledger, version.kind);
        let message = ImportMsg::Retired {
            ledger: version.ledger.clone(),
            kind: version.kind,
            count: version.removed,
            named: version.named.clone(),
        };
        report.warnings.push(Warning::File {
            file,
            message: message.into(),
        });
    }
}

/// `--replace` refused: each refusal a problem of its version's file, and
/// the import not to be committed.
pub(super) fn refuse(report: &mut ImportReport, refusals: Vec<Refusal>) {
    report.refused |= !refusals.is_empty();
    for refusal in refusals {
        let (ledger, kind) = match &refusal {
            Refusal::MostOfTheLedger { ledger, kind, .. }
            | Refusal::OtherTownships { ledger, kind, .. }
            | Refusal::OtherMonths { ledger, kind, .. }
            | Refusal::OlderVersion { ledger, kind, .. } => (ledger.clone(), *kind),
        };
        let file = version_name(&report.files, &ledger, kind);
        let message = ImportMsg::ReplaceRefused(refusal);
        report
            .problems
            .push(Problem::new(file, 1, Column::File, message));
    }
}

/// The name of the file of `ledger`'s version of `kind`, as problems and
/// warnings name it; the ledger's name where no file is (a merge's line).
pub(super) fn version_name(files: &[FileResult], ledger: &LedgerName, kind: Kind) -> String {
    version_at(files, ledger, kind)
        .and_then(|at| files.get(at))
        .map_or_else(|| ledger.to_string(), |f| f.name.clone())
}

fn version_file<'f>(
    files: &'f mut [FileResult],
    ledger: &LedgerName,
    kind: Kind,
) -> Option<&'f mut FileResult> {
    let at = version_at(files, ledger, kind)?;
    files.get_mut(at)
}

/// Where in `files` the last file of `ledger`'s version of `kind` is (for
/// pairings, else a members file's 结对户 column's).
fn version_at(files: &[FileResult], ledger: &LedgerName, kind: Kind) -> Option<usize> {
    let last = |kind| (files.iter()).rposition(|f| &f.ledger == ledger && f.kind == Some(kind));
    last(kind).or_else(|| {
        (kind == Kind::Pairings)
            .then(|| last(Kind::Members))
            .flatten()
    })
}

/// The new deliveries that are visits another ledger has the other way,
/// with or without a record id, counted once ([`Writer::one_visit_either_way`]):
/// unchanged rows of their files, each file told so.
pub fn one_visit_either_way(
    writer: &mut Writer<'_>,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    for one in writer.one_visit_either_way()? {
        let Some(file) = (report.files.iter_mut()).find(|f| f.overlap.file == Some(one.file))
        else {
            continue;
        };
        file.counts.new = file.counts.new.saturating_sub(one.count);
        file.counts.unchanged += one.count;
        if one.news {
            let (file, message) = (file.name.clone(), ImportMsg::OneVisit(one).into());
            report.warnings.push(Warning::File { file, message });
        }
    }
    Ok(())
}
