//! The server's access rules against a township's login that writes SQL
//! itself (attacker review 3, findings/attack3.md): each test is one of
//! its findings, the attacker's statements as it ran them, and what the
//! rules must now refuse — history only under the login's own imports
//! and never a move (findings 1, 2, 15), undo rows only as copies under
//! its own imports (4, 5), the log of its imports as bangfu wrote it
//! (11), no setval of the key sequences (8), no grant of a role that can
//! become another (7), `touched_by` for bangfu's logins only (12) — and
//! that bangfu's own paths still work under them.
//!
//! The district's sheets are GBK CSV with Chinese headers: 工农乡 GN-H001..3,
//! 寿山乡 SS-H001..2, members M001..M003; deliveries 工农乡 2,200.00 (its
//! import 2), 寿山乡 800.00 (its import 3). With the move, the district's
//! import 4 (2003-05-31) moves GN-H002 to 寿山乡, and 寿山乡's import 5
//! visits it (150.00).

use crate::common::{path_str, PgDatabase as Server, Workdir, HELD};
// The district of township_moves, and its helpers.
use crate::township_moves::{
    district_on, ok, on, sheet, District, DELIVERY_HEADER as HEADER, HOUSEHOLDS,
};
use postgres::error::SqlState;
use postgres::Client;

/// The district of township_moves (as the attacker's findings/lib.sh
/// made it), after the move if `moved`.
fn district(moved: bool) -> Option<District> {
    let d = district_on("bangfu_attack", "pg_attack's login tests")?;
    if moved {
        d.move_household();
    }
    Some(d)
}

impl District {
    /// The district's totals by township.
    fn totals(&self) -> String {
        ok(&self.w, &self.admin, None, &["totals", "--by", "township"])
    }

    /// The largest import number of login `role`.
    fn last_import_of(&self, role: &str) -> i64 {
        self.server
            .client()
            .query_one("SELECT max(number) FROM commands WHERE role = $1", &[&role])
            .expect("its imports")
            .get(0)
    }

    /// The largest import number.
    fn last_import(&self) -> i64 {
        let last = "SELECT max(number) FROM commands";
        self.server
            .client()
            .query_one(last, &[])
            .expect(last)
            .get(0)
    }

    fn household_key(&self, id: &str) -> i64 {
        self.server
            .client()
            .query_one("SELECT key FROM households WHERE id = $1", &[&id])
            .expect("household")
            .get(0)
    }
}

/// `sql` as the session `c` fails as the server's refusal (42501), in
/// these words if given.
fn refused(c: &mut Client, sql: &str, words: Option<&str>) {
    let e = c.batch_execute(sql).expect_err(sql);
    assert_eq!(
        e.code(),
        Some(&SqlState::INSUFFICIENT_PRIVILEGE),
        "{sql}: {e}"
    );
    if let Some(words) = words {
        let said = e.as_db_error().map(|d| d.message().to_string());
        assert_eq!(said.as_deref(), Some(words), "{sql}");
    }
}

/// How many rows `sql` changed as the session `c`.
fn changed(c: &mut Client, sql: &str) -> u64 {
    c.execute(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const MOVES_ONLY_BY_THE_DISTRICT: &str =
    "a household's township is changed only by the district's import";

/// Finding 1: 工农乡's login planted history rows under the next household
/// keys (a household of its own made with the key, a move written for
/// it under the district's import 1, the household deleted), so that the
/// next household the district registered, of 寿山乡, was "ever in"
/// 工农乡: it read it whole, and every report counted its visit for
/// 工农乡. Now a township's login writes no move and no history under
/// another's import, and a household's history goes with it.
#[test]
fn planted_history_is_refused_and_a_households_history_goes_with_it() {
    let Some(d) = district(false) else { return };
    let mut gn = d.server.as_role(&d.gn);
    // The attacker's statements, as it ran them.
    let plant = "BEGIN;
        CREATE TEMP TABLE k AS SELECT g AS key FROM generate_series(
          (SELECT max(key) + 1 FROM bangfu.households), (SELECT max(key) + 20 FROM bangfu.households)) g;
        INSERT INTO bangfu.households (key, id, head, township)
          SELECT key, 'X' || key, 'x', '工农乡' FROM k ON CONFLICT DO NOTHING;
        INSERT INTO bangfu.history (kind, record, field, command, day, old, new)
          SELECT 0, h.key, 'township', 1, 21915, '工农乡', '寿山乡' FROM bangfu.households h
          WHERE h.id LIKE 'X%';
        DELETE FROM bangfu.households WHERE id LIKE 'X%';
        COMMIT;";
    refused(&mut gn, plant, Some(MOVES_ONLY_BY_THE_DISTRICT));
    gn.batch_execute("ROLLBACK").expect("rollback");
    // Another field, under the district's import: not its import.
    gn.batch_execute(
        "INSERT INTO households (key, id, head, township) VALUES (1000, 'X1000', 'x', '工农乡')",
    )
    .expect("a household of its own township");
    refused(
        &mut gn,
        "INSERT INTO history (kind, record, field, command, day, old, new)
         VALUES (0, 1000, 'village', 1, 21915, '红旗村', '大坪村')",
        None,
    );
    // Under an import of its own it may (an import's history), and the
    // household deleted takes its history along.
    gn.batch_execute(
        "INSERT INTO commands (number, at, \"user\", day) VALUES (100, '', '', 12000);
         INSERT INTO history (kind, record, field, command, day, old, new)
             VALUES (0, 1000, 'village', 100, 21915, '红旗村', '大坪村');
         DELETE FROM households WHERE key = 1000",
    )
    .expect("its own household's history, under its own import");
    let left: i64 = d
        .server
        .client()
        .query_one(
            "SELECT count(*) FROM history WHERE kind = 0 AND record >= 1000",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(left, 0, "a deleted household's history stayed behind");

    // The district registers a new household of 寿山乡; 寿山乡 visits it.
    let households = sheet(
        &d.w,
        "dist2/贫困户.csv",
        &format!("{HOUSEHOLDS}SS-H003,刘桂兰,寿山乡,石门村,贫困\n"),
    );
    let paired = sheet(
        &d.w,
        "dist2/结对.csv",
        "帮扶人编号,户编号,结对日期\nM003,SS-H003,2003年6月1日\n",
    );
    ok(
        &d.w,
        &d.admin,
        Some("2003-06-20"),
        &["import", &households, &paired],
    );
    let visit = sheet(
        &d.w,
        "ss/帮扶记录7月.csv",
        &format!("{HEADER}2003年6月25日,M003,SS-H003,送温暖,\"5,000\",,家电\n"),
    );
    ok(&d.w, &d.shoushan, Some("2003-06-30"), &["import", &visit]);
    let (code, out, err) = on(&d.w, &d.gongnong, None, &["show", "household", "SS-H003"]);
    assert_eq!(code, Some(2), "{out}{err}");
    let totals = d.totals();
    assert!(
        totals.contains("2,200.00") && totals.contains("5,800.00"),
        "{totals}"
    );
}

/// Finding 2: after the district moved GN-H002 to 寿山乡, 寿山乡's login
/// moved the move back to 2003-01-01 (工农乡's April visit then counted
/// for 寿山乡, in the district's figures too), or deleted it (GN-H002 gone
/// from 工农乡's sight), or wrote a move of its own. Now the district's
/// history rows are the district's.
#[test]
fn the_new_township_may_not_rewrite_the_districts_move() {
    let Some(d) = district(true) else { return };
    let before = d.totals();
    let key = d.household_key("GN-H002");
    let mut ss = d.server.as_role(&d.ss);
    let moves = format!(
        "UPDATE bangfu.history SET day = 12053 WHERE kind = 0 AND field = 'township'
         AND record = {key}"
    );
    assert_eq!(changed(&mut ss, &moves), 0, "{moves}");
    let gone = format!("DELETE FROM bangfu.history WHERE kind = 0 AND record = {key}");
    assert_eq!(changed(&mut ss, &gone), 0, "{gone}");
    let own = d.last_import_of(&d.ss);
    refused(
        &mut ss,
        &format!(
            "INSERT INTO history (kind, record, field, command, day, old, new)
             VALUES (0, {key}, 'township', {own}, 12100, '向阳镇', '寿山乡')"
        ),
        Some(MOVES_ONLY_BY_THE_DISTRICT),
    );
    // Nor as a row of its own import turned into a move.
    refused(
        &mut ss,
        &format!(
            "BEGIN;
             INSERT INTO history (kind, record, field, command, day, old, new)
                 VALUES (0, {key}, 'village', {own}, 12100, '寿山村', '石门村');
             UPDATE history SET field = 'township' WHERE record = {key} AND command = {own}"
        ),
        Some(MOVES_ONLY_BY_THE_DISTRICT),
    );
    ss.batch_execute("ROLLBACK").expect("rollback");
    assert_eq!(d.totals(), before);
    ok(&d.w, &d.gongnong, None, &["show", "household", "GN-H002"]);
}

/// Finding 15, without psql: 工农乡's clerk merged a file of his own whose
/// new household GN-H050 came "from 寿山乡" on 2003-12-31, its visit of
/// 2003-06-01 then counted for 寿山乡 (and 寿山乡's login read it). Now
/// the import is refused whole, said in the clerk's words.
#[test]
fn a_township_logins_merge_may_not_bring_a_move() {
    let Some(d) = district(false) else { return };
    let before = d.totals();
    // The clerk's own file: GN-H050 registered (2003-01-10) as `first`
    // (township, village), then (2003-12-31) as `then`, paired, visited on
    // 2003-06-01.
    let own_file = |name: &str, first: &str, then: &str| -> String {
        let file = path_str(&d.w.path(name)).to_string();
        let own = |sheet_name: &str, text: &str| sheet(&d.w, &format!("own/{sheet_name}"), text);
        let members = own("帮扶人.csv", "编号,姓名,工作单位\nM001,周建国,区农业局\n");
        let row = |at: &str| format!("户编号,户主,乡镇,村,脱贫状态\nGN-H050,马桂香,{at},贫困\n");
        let households = own("户.csv", &row(first));
        let args = ["import", &members, &households];
        ok(&d.w, &file, Some("2003-01-10"), &args);
        let households = own("户.csv", &row(then));
        let args = ["import", "--ledger", "户", &households];
        ok(&d.w, &file, Some("2003-12-31"), &args);
        let paired = own(
            "结对.csv",
            "帮扶人编号,户编号,结对日期\nM001,GN-H050,2003年1月1日\n",
        );
        let visits = own(
            "记录.csv",
            &format!("{HEADER}2003年6月1日,M001,GN-H050,送温暖,\"3,000\",,家具\n"),
        );
        ok(
            &d.w,
            &file,
            Some("2003-12-31"),
            &["import", &paired, &visits],
        );
        file
    };
    let file = own_file("gn.db", "寿山乡,寿山村", "工农乡,红旗村");
    let (code, out, err) = on(&d.w, &d.gongnong, Some("2004-01-05"), &["import", &file]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains(
            "the server refused: moving a household to another township is the district's import"
        ) && err.contains("nothing was imported"),
        "{err}"
    );
    let (code, _, err) = on(
        &d.w,
        &d.gongnong,
        Some("2004-01-05"),
        &["--lang", "zh", "import", &file],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("服务器拒绝：贫困户在乡镇之间迁移只能由区里")
            && err.contains("什么也没有导入"),
        "{err}"
    );
    assert_eq!(d.totals(), before);
    let (code, _, _) = on(&d.w, &d.shoushan, None, &["show", "household", "GN-H050"]);
    assert_eq!(code, Some(2));
    // Its file without a move (a change of village) is merged, history
    // and all.
    let file = own_file("gn2.db", "工农乡,红旗村", "工农乡,大坪村");
    ok(&d.w, &d.gongnong, Some("2004-01-05"), &["import", &file]);
    let card = ok(&d.w, &d.gongnong, None, &["show", "household", "GN-H050"]);
    assert!(card.contains("红旗村") && card.contains("大坪村"), "{card}");
    assert!(d.totals().contains("5,200.00"), "{}", d.totals());
}

/// bangfu's own paths under those rules: a township's login changes its
/// household's village and status (history under its import) and undoes
/// that; the district moves a household and undoes the move.
#[test]
fn a_logins_own_history_and_the_districts_moves_still_work_and_undo() {
    let Some(d) = district(false) else { return };
    let mut admin = d.server.client();
    let history = |admin: &mut Client| -> Vec<String> {
        admin
            .query(
                "SELECT h.id || ':' || y.field || ':' || coalesce(y.new, '') || ':' || c.role
                 FROM history y JOIN households h ON h.key = y.record AND y.kind = 0
                 JOIN commands c ON c.number = y.command ORDER BY 1",
                &[],
            )
            .expect("history")
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let changed = sheet(
        &d.w,
        "gn/贫困户.csv",
        "户编号,户主,乡镇,村,脱贫状态\nGN-H001,张秀英,工农乡,大坪村,已脱贫\n",
    );
    ok(&d.w, &d.gongnong, Some("2003-06-01"), &["import", &changed]);
    let n = d.last_import_of(&d.gn);
    let card = ok(&d.w, &d.gongnong, None, &["show", "household", "GN-H001"]);
    assert!(card.contains("大坪村"), "{card}");
    let own = history(&mut admin);
    assert!(
        own.contains(&format!("GN-H001:village:大坪村:{}", d.gn)),
        "{own:?}"
    );
    assert!(
        own.iter().all(|h| h.ends_with(&format!(":{}", d.gn))),
        "{own:?}"
    );
    ok(&d.w, &d.gongnong, None, &["undo", &n.to_string()]);
    assert_eq!(history(&mut admin), Vec::<String>::new());
    let card = ok(&d.w, &d.gongnong, None, &["show", "household", "GN-H001"]);
    assert!(card.contains("红旗村"), "{card}");

    let households = HOUSEHOLDS.replace(
        "GN-H002,李秀兰,工农乡,大坪村",
        "GN-H002,李秀兰,寿山乡,寿山村",
    );
    let moved = sheet(&d.w, "dist2/贫困户.csv", &households);
    ok(&d.w, &d.admin, Some("2003-05-31"), &["import", &moved]);
    let m = d.last_import();
    let moves = history(&mut admin);
    assert!(
        moves
            .iter()
            .any(|h| h.starts_with("GN-H002:township:寿山乡:")),
        "{moves:?}"
    );
    ok(&d.w, &d.shoushan, None, &["show", "household", "GN-H002"]);
    ok(&d.w, &d.admin, None, &["undo", &m.to_string()]);
    assert_eq!(history(&mut admin), Vec::<String>::new());
    let (code, _, _) = on(&d.w, &d.shoushan, None, &["show", "household", "GN-H002"]);
    assert_eq!(code, Some(2));
}

/// Findings 4 and 5: 工农乡's login copied one of its deliveries into
/// undo_deliveries thirty times, under made-up import numbers, and
/// re-keyed the copies (UPDATE) to other townships' deliveries: its
/// ledger then held 寿山乡's deliveries, and a visit 寿山乡 deleted from
/// its sheet stayed counted. An undo row under 寿山乡's import number
/// blocked 寿山乡's undo, and the district's undo put back a made-up
/// delivery of 999,999.00. Now an undo row is a copy, under an import of
/// the login's own, and marked removed at most.
#[test]
fn undo_rows_are_copies_under_the_logins_own_import() {
    let Some(d) = district(false) else { return };
    let ledger = sheet(
        &d.w,
        "ss/寿山台账.csv",
        &format!("{HEADER}2003年4月1日,M003,SS-H001,送温暖,100,,米\n2003年4月2日,M003,SS-H002,送温暖,200,,油\n"),
    );
    ok(&d.w, &d.shoushan, Some("2003-05-21"), &["import", &ledger]);
    let theirs = d.last_import_of(&d.ss);
    let mine = d.last_import_of(&d.gn);
    let mut gn = d.server.as_role(&d.gn);
    // Finding 4, as the attacker ran it.
    refused(
        &mut gn,
        "BEGIN;
        INSERT INTO bangfu.undo_deliveries
          SELECT 100000 + g, d.key, 0, d.day, d.fingerprint, d.occurrence, d.id, d.member, d.household,
                 d.category, d.goods, d.cash, d.note, d.added
          FROM (SELECT * FROM bangfu.deliveries ORDER BY key LIMIT 1) d, generate_series(1, 30) g;
        UPDATE bangfu.undo_deliveries SET key = command - 100000 WHERE command > 100000;
        COMMIT;",
        None,
    );
    gn.batch_execute("ROLLBACK").expect("rollback");
    // Under its own import: a copy goes in, and may only be marked removed.
    let copy = format!(
        "INSERT INTO undo_deliveries
         SELECT {mine}, key, 0, day, fingerprint, occurrence, id, member, household,
                category, goods, cash, note, added
         FROM deliveries WHERE key = (SELECT min(key) FROM deliveries)"
    );
    for sql in [
        format!("UPDATE undo_deliveries SET key = 5 WHERE command = {mine}"),
        format!("UPDATE undo_deliveries SET goods = 1 WHERE command = {mine}"),
        format!("UPDATE undo_deliveries SET command = {theirs} WHERE command = {mine}"),
    ] {
        gn.batch_execute(&format!("BEGIN; {copy}")).expect(&copy);
        refused(&mut gn, &sql, None);
        gn.batch_execute("ROLLBACK").expect("rollback");
    }
    gn.batch_execute(&format!(
        "BEGIN; {copy}; UPDATE undo_deliveries SET removed = 1 WHERE command = {mine}; ROLLBACK"
    ))
    .expect("marked removed, as an import does");
    // Not a copy: other values than the delivery's.
    refused(
        &mut gn,
        &format!(
            "INSERT INTO undo_deliveries
             SELECT {mine}, key, 1, day, fingerprint, occurrence, id, member, household,
                    category, 99999900, cash, note, added
             FROM deliveries WHERE key = (SELECT min(key) FROM deliveries)"
        ),
        None,
    );
    // Finding 5, as the attacker ran it: under 寿山乡's import.
    refused(
        &mut gn,
        &format!(
            "BEGIN;
            INSERT INTO bangfu.deliveries (key, day, fingerprint, occurrence, member, household, category, goods, cash)
              SELECT 9999, 12100, 42, 1, 1, key, 0, 0, 0 FROM bangfu.households WHERE id = 'GN-H001';
            INSERT INTO bangfu.undo_deliveries
              SELECT {theirs}, key, 1, day, fingerprint, occurrence, id, member, household, category, 99999900, 0, note, 0
              FROM bangfu.deliveries WHERE key = 9999;
            DELETE FROM bangfu.deliveries WHERE key = 9999;
            COMMIT;"
        ),
        None,
    );
    gn.batch_execute("ROLLBACK").expect("rollback");
    // Pairings and holds alike.
    refused(
        &mut gn,
        "INSERT INTO undo_pairings
         SELECT 100001, key, 0, member, household, since, until, added
         FROM pairings WHERE key = (SELECT min(key) FROM pairings)",
        None,
    );
    refused(
        &mut gn,
        &format!(
            "INSERT INTO undo_holds
             SELECT {mine}, kind, record, ledger, added + 1 FROM {HELD} h
             WHERE kind = 3 AND record = (SELECT min(key) FROM deliveries) LIMIT 1"
        ),
        None,
    );
    let kept = "SELECT count(*) FROM undo_deliveries";
    let undo_rows: i64 = d.server.client().query_one(kept, &[]).expect(kept).get(0);
    assert_eq!(undo_rows, 0);

    // 寿山乡 deletes the 4月2日 visit from its sheet: it goes.
    let ledger = sheet(
        &d.w,
        "ss/寿山台账.csv",
        &format!("{HEADER}2003年4月1日,M003,SS-H001,送温暖,100,,米\n"),
    );
    ok(
        &d.w,
        &d.shoushan,
        Some("2003-05-22"),
        &["import", "--replace", &ledger],
    );
    let totals = ok(&d.w, &d.shoushan, None, &["totals", "--by", "township"]);
    assert!(totals.contains("900.00"), "{totals}");
    // And 寿山乡 undoes its own imports.
    let last = d.last_import_of(&d.ss);
    ok(&d.w, &d.shoushan, None, &["undo", &last.to_string()]);
    ok(&d.w, &d.shoushan, None, &["undo", &theirs.to_string()]);
    let totals = d.totals();
    assert!(
        totals.contains("2,200.00") && totals.contains("800.00"),
        "{totals}"
    );
}

/// Finding 11: 工农乡's login marked its import undone by SQL and forged
/// its user (`bangfu log` showed 区扶贫办, and the district could no
/// longer undo it). Now a township's login changes in its log entries
/// only the undone mark, by its undo.
#[test]
fn the_log_keeps_who_ran_an_import_and_when() {
    let Some(d) = district(false) else { return };
    let n = d.last_import_of(&d.gn);
    let mut gn = d.server.as_role(&d.gn);
    for sql in [
        format!(
            "UPDATE bangfu.commands SET undone = '2003-05-21T00:00:00', \"user\" = '区扶贫办'
             WHERE number = {n} RETURNING number"
        ),
        format!("UPDATE commands SET \"user\" = '区扶贫办' WHERE number = {n}"),
        format!("UPDATE commands SET at = '2003-05-21T00:00:00' WHERE number = {n}"),
        format!("UPDATE commands SET day = 12000 WHERE number = {n}"),
        format!("UPDATE commands SET undoable = 0 WHERE number = {n}"),
        "INSERT INTO commands (number, at, \"user\", day) VALUES (99, 'x', '区扶贫办', 12000)"
            .to_string(),
    ] {
        refused(&mut gn, &sql, None);
    }
    let delete = format!("DELETE FROM commands WHERE number = {n}");
    assert_eq!(changed(&mut gn, &delete), 0);
    let log = ok(&d.w, &d.gongnong, None, &["log"]);
    assert!(!log.contains("区扶贫办"), "{log}");
    // The district may undo it, and so may its own login, once.
    ok(&d.w, &d.admin, None, &["undo", &n.to_string(), "--dry-run"]);
    ok(&d.w, &d.gongnong, None, &["undo", &n.to_string()]);
    let undone = format!("UPDATE commands SET undone = NULL WHERE number = {n}");
    refused(&mut gn, &undone, None);
}

/// Finding 8: a township's login set the key sequences back (setval)
/// while 寿山乡 imported, and two of its three imports failed; it read
/// how many records the district holds. Now it has nextval only, and
/// sync_keys waits for the write lock.
#[test]
fn a_township_login_may_not_set_the_key_sequences() {
    let Some(d) = district(false) else { return };
    let mut gn = d.server.as_role(&d.gn);
    for sql in [
        "SELECT setval('bangfu.imports_key_seq', 1)",
        "SELECT setval('bangfu.deliveries_key_seq', 1)",
        "SELECT last_value FROM bangfu.deliveries_key_seq",
    ] {
        refused(&mut gn, sql, None);
    }
    // sync_keys, which any writer runs, waits for the write lock.
    let mut writer = d.server.client();
    writer
        .batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({})",
            bangfu::store::sql::WRITE_LOCK
        ))
        .expect("the write lock");
    let e = gn
        .batch_execute("SET lock_timeout = '200ms'; SELECT bangfu.sync_keys()")
        .expect_err("sync_keys outside the write lock");
    assert_eq!(e.code(), Some(&SqlState::LOCK_NOT_AVAILABLE), "{e}");
    writer.batch_execute("ROLLBACK").expect("rollback");
    // Its imports hand out keys still.
    let more = sheet(
        &d.w,
        "gn/帮扶记录6月.csv",
        &format!("{HEADER}2003年6月5日,M001,GN-H001,送温暖,100,,米\n"),
    );
    ok(&d.w, &d.gongnong, Some("2003-06-06"), &["import", &more]);
    let totals = d.totals();
    assert!(totals.contains("2,300.00"), "{totals}");
}

/// Finding 7: `grant ROLE --township T` of an existing role with
/// CREATEROLE succeeded, and the role then made itself a member of the
/// district's admin and read every township. Refused now, as is a
/// member of a role that could (CREATEROLE, SUPERUSER, BYPASSRLS, or
/// another login bangfu granted), naming what to change.
#[test]
fn a_role_that_can_become_another_is_not_held_to_a_township() {
    let Some(mut d) = district(false) else { return };
    let (creator, group, member, district_member, everyone) = (
        d.server.role("cr"),
        d.server.role("grp"),
        d.server.role("m"),
        d.server.role("dm"),
        d.server.role("all"),
    );
    let mut admin = d.server.client();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {creator} LOGIN CREATEROLE; CREATE ROLE {group} NOLOGIN CREATEROLE;
             CREATE ROLE {member} LOGIN; GRANT {group} TO {member};
             CREATE ROLE {district_member} LOGIN"
        ))
        .expect("roles");
    let grants = |admin: &mut Client, role: &str| -> i64 {
        admin
            .query_one("SELECT count(*) FROM grants WHERE role = $1", &[&role])
            .expect("grants")
            .get(0)
    };
    let grant = |role: &str, lang: &str| {
        on(
            &d.w,
            &d.admin,
            None,
            &["--lang", lang, "grant", role, "--township", "工农乡"],
        )
    };
    let (code, out, err) = grant(&creator, "en");
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!("{creator} may create roles (CREATEROLE)"))
            && err.contains(&format!("ALTER ROLE {creator} NOCREATEROLE"))
            && err.contains("nothing was changed"),
        "{err}"
    );
    let (code, _, err) = grant(&creator, "zh");
    assert_eq!(code, Some(2));
    assert!(err.contains("可以建立角色（CREATEROLE）"), "{err}");
    let (code, out, err) = grant(&member, "en");
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!("{member} is a member of {group}"))
            && err.contains(&format!("REVOKE {group} FROM {member}")),
        "{err}"
    );
    // A member of the district's login (every township's).
    ok(&d.w, &d.admin, None, &["grant", &everyone]);
    admin
        .batch_execute(&format!("GRANT {everyone} TO {district_member}"))
        .expect("member");
    let (code, out, err) = grant(&district_member, "en");
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("another login bangfu granted"), "{err}");
    for role in [&creator, &member, &district_member] {
        assert_eq!(grants(&mut admin, role), 0, "{role}");
    }
    // What it names changed, the grant goes through.
    admin
        .batch_execute(&format!("ALTER ROLE {creator} NOCREATEROLE"))
        .expect("alter");
    let (code, out, err) = grant(&creator, "en");
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(grants(&mut admin, &creator), 1);
}

/// Finding 12: `touched_by`, which counts every row an import touched
/// (SECURITY DEFINER), was open to every role of the server. Now only
/// bangfu's logins execute it (a township's undo asks it).
#[test]
fn touched_by_is_for_bangfus_logins_only() {
    let Some(mut d) = district(false) else { return };
    let stranger = d.server.role("stranger");
    d.server
        .client()
        .batch_execute(&format!(
            "CREATE ROLE {stranger} LOGIN; GRANT USAGE ON SCHEMA bangfu TO {stranger}"
        ))
        .expect("a role of the server bangfu did not grant");
    let mut c = d.server.as_role(&stranger);
    refused(&mut c, "SELECT bangfu.touched_by(1)", None);
    let n = d.last_import_of(&d.gn);
    ok(&d.w, &d.gongnong, None, &["undo", &n.to_string()]);
}

/// Finding 13: two commands of the district's admin at once on a schema
/// 7 server both read version 7; the one whose migration found it done
/// by the other was refused as "an older form" only the admin may bring
/// up to date — said to the admin. Now both go on with schema 8.
#[test]
fn two_commands_of_the_owner_on_a_schema_7_server_both_go_on() {
    let Some(server) = Server::on_server("bangfu_attack", "pg_attack's login tests") else {
        return;
    };
    let w = Workdir::new();
    let mut admin = server.schema_7_as_released();
    // Both read version 7 while the write lock is held, then wait for it.
    let mut lock = server.client();
    lock.batch_execute(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({})",
        bangfu::store::sql::WRITE_LOCK
    ))
    .expect("the write lock");
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("bangfu"))
            .current_dir(w.path("."))
            .env("BANGFU_DB", &server.url)
            .env("LANG", "C")
            .arg("summary")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run bangfu")
    };
    let (first, second) = (spawn(), spawn());
    std::thread::sleep(std::time::Duration::from_millis(1500));
    lock.batch_execute("ROLLBACK").expect("let them in");
    for child in [first, second] {
        let out = child.wait_with_output().expect("bangfu");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let version: i64 = admin
        .query_one("SELECT version FROM bangfu.version", &[])
        .expect("version")
        .get(0);
    assert_eq!(version, 9);
}
