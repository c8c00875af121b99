//! bangfu's tables on a PostgreSQL server: the same tables and columns as
//! the SQLite file's schema (src/store/schema.rs, version 8), so that the
//! store's shared SQL reads and writes both; the server's schema is
//! version 9, its access rules past those of 7 (below), and since 9 a
//! delivery's first hold in its own row, as SQLite's 8 has it. Everything lives in its own
//! schema, `bangfu`, beside whatever else the database holds.
//!
//! Differences, each for a reason:
//! - every text column is `COLLATE "C"`: byte order, SQLite's BINARY, so
//!   that uniqueness and any comparison behave as on a file (bangfu orders
//!   what it prints itself, contract §9);
//! - integers are BIGINT (SQLite's integers are 64-bit);
//! - record keys come from sequences that [`SYNC_KEYS`] sets, inside the
//!   write lock, to the largest key plus one: the key SQLite's rowid
//!   gives, so both backends number records alike;
//! - a history row's old and new values are text (SQLite keeps integers
//!   as integers; the store reads them back by the field's type);
//! - `commands."user"` is quoted, a reserved word here;
//! - the references of deliveries and holds are checked once per
//!   statement by triggers, not row by row by foreign keys (below, at
//!   `deliveries_refer`); the other tables keep their foreign keys;
//! - `deliveries` has the indexes SQLite's file has, its key, its place
//!   and its id, and no others: every index is one more entry an import
//!   writes per row, and one on the household, the member or the import
//!   (`added`) took a third of a million-row import's time on the server
//!   (docs/BENCHMARKS.md). `show`, undo and the reference checks read
//!   deliveries by those in one scan per statement, as on SQLite; `holds`
//!   likewise has no index on `added`. A server made before this
//!   (schema 7 as first released) loses those indexes when its owner next
//!   writes to it ([`TUNE`]);
//! - no `seal`: the server guards its own pages (contract §9 damage checks
//!   are SQLite's);
//! - `grants` and row-level security: which township each login role that
//!   `bangfu grant` made may read and write (below, and
//!   [`crate::store::pg::grant`]), and `commands.role`, the login that ran
//!   each import (filled in by the server). SQLite files have no logins.
//!
//! A migration is one transaction; the version is in `bangfu.version`.
//! Version 8 (no new table or column): a township's login reads every
//! household that was ever in its township and writes only those in it
//! now (contract §11), where 7 had it read and write those in it now
//! ([`MIGRATE_8`]). Version 9: `deliveries.ledger` ([`MIGRATE_9`]).

/// The schema version this bangfu writes on a server.
pub const VERSION: i64 = 9;

/// Version 9, whole: a new database gets it in one transaction (version
/// 8's text, then [`MIGRATE_9`]'s, as a server of 8 gets it).
pub const CREATE: &str = concat!(
    r#"
CREATE SCHEMA bangfu;
SET LOCAL search_path = bangfu;

CREATE TABLE version (version BIGINT NOT NULL);
INSERT INTO version VALUES (8);

CREATE TABLE households (
    key        BIGSERIAL PRIMARY KEY,
    id         TEXT COLLATE "C" NOT NULL UNIQUE,
    head       TEXT COLLATE "C" NOT NULL,
    id_number  TEXT COLLATE "C" UNIQUE,
    township   TEXT COLLATE "C" NOT NULL,
    village    TEXT COLLATE "C",
    size       BIGINT,
    cause      TEXT COLLATE "C",
    status     BIGINT NOT NULL DEFAULT 0,
    lifted_on  BIGINT,
    phone      TEXT COLLATE "C",
    removed    BIGINT NOT NULL DEFAULT 0,
    added      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX households_head ON households(head);
CREATE INDEX households_township ON households(township);

CREATE TABLE members (
    key      BIGSERIAL PRIMARY KEY,
    id       TEXT COLLATE "C" NOT NULL UNIQUE,
    name     TEXT COLLATE "C" NOT NULL,
    unit     TEXT COLLATE "C" NOT NULL,
    role     TEXT COLLATE "C",
    phone    TEXT COLLATE "C",
    removed  BIGINT NOT NULL DEFAULT 0,
    added    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX members_name ON members(name);

CREATE TABLE pairings (
    key        BIGSERIAL PRIMARY KEY,
    member     BIGINT NOT NULL REFERENCES members(key),
    household  BIGINT NOT NULL REFERENCES households(key),
    since      BIGINT,
    until      BIGINT,
    added      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (member, household, since)
);
CREATE INDEX pairings_household ON pairings(household);

CREATE TABLE ledgers (
    key   BIGSERIAL PRIMARY KEY,
    name  TEXT COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE commands (
    number    BIGINT PRIMARY KEY,
    at        TEXT COLLATE "C" NOT NULL,
    "user"    TEXT COLLATE "C" NOT NULL,
    day       BIGINT NOT NULL,
    undoable  BIGINT NOT NULL DEFAULT 1,
    undone    TEXT COLLATE "C",
    -- The server's login that ran it (row-level security, below).
    role      TEXT COLLATE "C" NOT NULL DEFAULT current_user
);

CREATE TABLE imports (
    key        BIGSERIAL PRIMARY KEY,
    at         TEXT COLLATE "C" NOT NULL,
    file       TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C",
    encoding   TEXT COLLATE "C",
    rows_read  BIGINT NOT NULL,
    new        BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    unchanged  BIGINT NOT NULL,
    skipped    BIGINT NOT NULL,
    rejected   BIGINT NOT NULL,
    command    BIGINT REFERENCES commands(number),
    ledger     BIGINT REFERENCES ledgers(key),
    sha256     TEXT COLLATE "C",
    removed    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE deliveries (
    key          BIGSERIAL PRIMARY KEY,
    day          BIGINT NOT NULL,
    fingerprint  BIGINT NOT NULL,
    occurrence   BIGINT NOT NULL,
    id           TEXT COLLATE "C",
    member       BIGINT NOT NULL,  -- members(key): see deliveries_refer
    household    BIGINT NOT NULL,  -- households(key): see deliveries_refer
    category     BIGINT NOT NULL,
    goods        BIGINT NOT NULL DEFAULT 0,
    cash         BIGINT NOT NULL DEFAULT 0,
    note         TEXT COLLATE "C",
    added        BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX deliveries_place ON deliveries(day, fingerprint, occurrence);
CREATE UNIQUE INDEX deliveries_id ON deliveries(id) WHERE id IS NOT NULL;

CREATE TABLE holds (
    kind    BIGINT NOT NULL,
    record  BIGINT NOT NULL,
    ledger  BIGINT NOT NULL,      -- ledgers(key): see holds_refer
    added   BIGINT NOT NULL,
    PRIMARY KEY (kind, record, ledger)
);

CREATE TABLE history (
    kind     BIGINT NOT NULL,
    record   BIGINT NOT NULL,
    field    TEXT COLLATE "C" NOT NULL,
    command  BIGINT NOT NULL REFERENCES commands(number),
    day      BIGINT NOT NULL,
    old      TEXT COLLATE "C",
    new      TEXT COLLATE "C",
    PRIMARY KEY (kind, record, field, command)
);
CREATE INDEX history_command ON history(command);

CREATE TABLE undo_deliveries (
    command      BIGINT NOT NULL,
    key          BIGINT NOT NULL,
    removed      BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    fingerprint  BIGINT NOT NULL,
    occurrence   BIGINT NOT NULL,
    id           TEXT COLLATE "C",
    member       BIGINT NOT NULL,
    household    BIGINT NOT NULL,
    category     BIGINT NOT NULL,
    goods        BIGINT NOT NULL,
    cash         BIGINT NOT NULL,
    note         TEXT COLLATE "C",
    added        BIGINT NOT NULL,
    PRIMARY KEY (command, key)
);
CREATE INDEX undo_deliveries_key ON undo_deliveries(key);

CREATE TABLE undo_pairings (
    command    BIGINT NOT NULL,
    key        BIGINT NOT NULL,
    removed    BIGINT NOT NULL,
    member     BIGINT NOT NULL,
    household  BIGINT NOT NULL,
    since      BIGINT,
    until      BIGINT,
    added      BIGINT NOT NULL,
    PRIMARY KEY (command, key)
);
CREATE INDEX undo_pairings_key ON undo_pairings(key);

CREATE TABLE undo_holds (
    command  BIGINT NOT NULL,
    kind     BIGINT NOT NULL,
    record   BIGINT NOT NULL,
    ledger   BIGINT NOT NULL,
    added    BIGINT NOT NULL,
    PRIMARY KEY (command, kind, record, ledger)
);
CREATE INDEX undo_holds_record ON undo_holds(kind, record);

-- The references of deliveries (to members and households) and of holds
-- (to ledgers), checked once per statement instead of by foreign keys: a
-- foreign key checks, and locks, the parent row for every row, which for
-- a million-row import was two of every three seconds it spent writing
-- deliveries (docs/BENCHMARKS.md). Same rule, the same SQLSTATE
-- (foreign_key_violation): a row may refer only to a record that exists,
-- and a record may not go while a row refers to it. SECURITY DEFINER: a
-- role under row-level security must not pass for lack of sight. Keys are
-- never changed (bangfu never updates one).
"#,
    refer_checks!(),
    r#"CREATE TRIGGER refer_new AFTER INSERT ON deliveries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deliveries_refer();
CREATE TRIGGER refer_changed AFTER UPDATE ON deliveries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deliveries_refer();

CREATE TRIGGER refer_new AFTER INSERT ON holds REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION holds_refer();
CREATE TRIGGER refer_changed AFTER UPDATE ON holds REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION holds_refer();

CREATE FUNCTION referred_gone() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'households'
           AND EXISTS (SELECT FROM old_rows o JOIN bangfu.deliveries d ON d.household = o.key)
       OR TG_TABLE_NAME = 'members'
           AND EXISTS (SELECT FROM old_rows o JOIN bangfu.deliveries d ON d.member = o.key)
       OR TG_TABLE_NAME = 'ledgers'
           AND EXISTS (SELECT FROM old_rows o JOIN bangfu.holds h ON h.ledger = o.key)
    THEN
        RAISE EXCEPTION 'a record that deliveries or holds refer to cannot be deleted'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER referred AFTER DELETE ON households REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referred_gone();
CREATE TRIGGER referred AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referred_gone();
CREATE TRIGGER referred AFTER DELETE ON ledgers REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referred_gone();
REVOKE EXECUTE ON FUNCTION deliveries_refer(), holds_refer(), referred_gone() FROM PUBLIC;

-- What import n wrote or kept for its undo, counted by the owner (every
-- row) and by the login asking (the rows it sees; in an undo's write
-- transaction, the rows it may write: see "Access" below): an undo by a
-- login that cannot write all of it is refused (store/undo.rs,
-- out_of_sight), else it would take back part and leave the rest counted.
CREATE FUNCTION touched_by(n BIGINT) RETURNS BIGINT LANGUAGE sql SECURITY DEFINER
SET search_path = bangfu, pg_temp AS $$
    SELECT (SELECT count(*) FROM bangfu.households WHERE added = n)
         + (SELECT count(*) FROM bangfu.pairings WHERE added = n)
         + (SELECT count(*) FROM bangfu.deliveries WHERE added = n)
         + (SELECT count(*) FROM bangfu.holds WHERE added = n)
         + (SELECT count(*) FROM bangfu.history WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_pairings WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_deliveries WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_holds WHERE command = n)
$$;
CREATE FUNCTION touched_seen(n BIGINT) RETURNS BIGINT LANGUAGE sql
SET search_path = bangfu, pg_temp AS $$
    SELECT (SELECT count(*) FROM bangfu.households WHERE added = n)
         + (SELECT count(*) FROM bangfu.pairings WHERE added = n)
         + (SELECT count(*) FROM bangfu.deliveries WHERE added = n)
         + (SELECT count(*) FROM bangfu.holds WHERE added = n)
         + (SELECT count(*) FROM bangfu.history WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_pairings WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_deliveries WHERE command = n)
         + (SELECT count(*) FROM bangfu.undo_holds WHERE command = n)
$$;

CREATE TABLE grants (
    role      TEXT COLLATE "C" PRIMARY KEY,
    township  TEXT COLLATE "C"
);
"#,
    access!(),
    r#"
CREATE TRIGGER checked AFTER INSERT ON holds REFERENCING NEW TABLE AS new_holds
    FOR EACH STATEMENT EXECUTE FUNCTION holds_checked();
"#,
    to_9!()
);

/// Schema 8 to 9, by the tables' owner, in one write transaction
/// ([`super::migrate`]), and the end of [`CREATE`]: SQLite's schema 8, a
/// delivery's first hold in its own row (src/store/schema.rs says why:
/// on a server the holds of a first import of a million rows were 2.5 s of
/// its 7.7). `deliveries.ledger` is checked with the delivery's other
/// references ([`refer_checks`]), a ledger it names cannot go
/// (`referred_gone`), and a township's copy of a hold for undo may copy
/// one kept in a delivery's row (`copied` on `undo_holds`).
pub const MIGRATE_9: &str = to_9!();

/// The text of [`MIGRATE_9`].
macro_rules! to_9 {
    () => {
        concat!(
            r#"
SET LOCAL search_path = bangfu;
ALTER TABLE bangfu.deliveries ADD COLUMN ledger BIGINT;
UPDATE bangfu.deliveries d SET ledger = (
    SELECT min(h.ledger) FROM bangfu.holds h
    WHERE h.kind = 3 AND h.record = d.key AND h.added = d.added)
WHERE EXISTS (SELECT FROM bangfu.holds h
              WHERE h.kind = 3 AND h.record = d.key AND h.added = d.added);
DELETE FROM bangfu.holds h USING bangfu.deliveries d
WHERE h.kind = 3 AND d.key = h.record AND d.ledger = h.ledger;
"#,
            refer_checks!(),
            r#"
CREATE OR REPLACE FUNCTION bangfu.referred_gone() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'households'
           AND EXISTS (SELECT FROM old_rows o JOIN bangfu.deliveries d ON d.household = o.key)
       OR TG_TABLE_NAME = 'members'
           AND EXISTS (SELECT FROM old_rows o JOIN bangfu.deliveries d ON d.member = o.key)
       OR TG_TABLE_NAME = 'ledgers'
           AND (EXISTS (SELECT FROM old_rows o JOIN bangfu.holds h ON h.ledger = o.key)
                OR EXISTS (SELECT FROM old_rows o JOIN bangfu.deliveries d ON d.ledger = o.key))
    THEN
        RAISE EXCEPTION 'a record that deliveries or holds refer to cannot be deleted'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
DROP POLICY copied ON bangfu.undo_holds;
CREATE POLICY copied ON bangfu.undo_holds AS RESTRICTIVE FOR INSERT WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR bangfu.writes_import(undo_holds.command)
       AND (EXISTS (SELECT FROM bangfu.holds h
                    WHERE h.kind = undo_holds.kind AND h.record = undo_holds.record
                      AND h.ledger = undo_holds.ledger AND h.added = undo_holds.added)
            OR undo_holds.kind = 3
               AND EXISTS (SELECT FROM bangfu.deliveries d
                           WHERE d.key = undo_holds.record AND d.ledger = undo_holds.ledger
                             AND d.added = undo_holds.added))
);
UPDATE bangfu.version SET version = 9;
"#
        )
    };
}
use to_9;

/// Who reads and writes what (the "Access" part of [`CREATE`]): the
/// row-level security policies and the functions they ask, each made
/// anew by [`MIGRATE_8`] after it drops those of schema 7, so that a server
/// brought from schema 7 has exactly the rules a new one gets.
macro_rules! access {
    () => {
        r#"
-- Access (contract §9, §11): the server, not bangfu, keeps a township's
-- clerk to the township's records.
--
-- `grants` has one row per login role `bangfu grant` made: the township
-- whose records it may read and write, or NULL for every township. The
-- policies below look the current role up there. Row-level security is
-- ENABLEd, not FORCEd, on the tables: the tables' owner — the admin who
-- made this schema, whose role runs `grant` and `sync_keys()` — and
-- superusers are not subject to it and see every row; every other role
-- sees, updates and deletes only the rows a policy's USING lets through,
-- and may insert or update a row to hold only what its WITH CHECK lets
-- through (else the statement fails: "new row violates row-level
-- security policy", SQLSTATE 42501, which bangfu says as the server's
-- refusal). A role with no row in `grants` sees none of these rows.
--
-- A township's role READS every household that was ever in its township
-- — whose township is T now, or whose history has a change of township
-- from or to T ([`ever_in`]) — and what is secured through them: so its
-- reports, which count each delivery toward the township of its day
-- (contract §4), are the district's reports with `--township T`, figure
-- for figure, also after a household moved away. It WRITES (inserts,
-- updates, deletes) only the households whose township is T now, and
-- what is secured through those: a household that moved away is the new
-- township's to correct. Each table secured through a household has a
-- policy `written` FOR ALL (the write rule, which also reads) and a
-- policy `was` FOR SELECT (the wider read); policies of one command are
-- ORed, so a row is read if either lets it through and written only if
-- `written` does.
--
-- Inside a write transaction (an import, an undo: store::sql::Conn::
-- begin_write sets `bangfu.writing`) a role reads only what it may write:
-- an import finds, matches and replaces only records it may write (a
-- moved-out household in its sheet is said as not its township's, as
-- before the move), and an undo's check that nothing of the import has
-- gone out of its reach ([`touched_seen`]) counts what it may write.
-- Narrowing is all a session can do with the setting: the write rules
-- do not read it.
--
-- - households: read, as above; written, those whose township is T now;
-- - pairings, deliveries and the old rows an import kept for undo
--   (undo_pairings, undo_deliveries): read, those whose household the
--   role reads (the subquery on households is under households' policy);
--   written, those whose household's township is T now; an undo row
--   (undo_holds too) is added only under an import of the role's own and
--   as the copy of the row as it stands, changed only by marking it
--   removed, and changed or deleted only under the role's own imports
--   (`copied`, `own_changed`, `own_dropped`, `undo_kept`);
-- - holds and undo_holds (which ledger holds which record): by the
--   record's kind — a household, pairing or delivery the role reads, or
--   may write (or, for a record an undo puts back, its kept old row);
--   members' holds are read by all, written by the roles of every
--   township only; a new hold is checked by a trigger at the end of its
--   statement (below);
-- - history: changes of households the role reads; written, of those it
--   may write and only under the role's own imports (`commands.role`:
--   another import's rows, the district's move among them, stay as that
--   import left them), never a change of township (a move is the
--   district's import, `history_moved`); members' changes are read by
--   all, written by the roles of every township only; a household's or
--   member's history goes when it is deleted, by whomever
--   (`history_gone`), so that no key handed out again inherits a past;
-- - commands (the log): read by all; a township's role adds entries of
--   its own imports, and changes in them only the undone mark, once (its
--   undo; the time, user and day only while its import logs itself), so
--   that it cannot mark another's import undone — it would see nothing of
--   it to take back — nor say another ran its import; it deletes none
--   (`commands_kept`).
-- - members: they have no township; every role reads them all, and only
--   the roles of every township write them: a township's role changing
--   or adding one fails, and its deletes (an undo's of the members its
--   import added: none) find nothing.
--
-- The rest of the log (imports, ledgers) is read and written by every
-- role. The key sequences: nextval for every granted role, set by
-- `sync_keys` only (below). `grants` is read by each role for its own
-- row only, and written by the owner only (table privileges, granted by
-- `bangfu grant`, store/pg/grant.rs).
--
-- Every "every township" test is an uncorrelated EXISTS, run once per
-- statement; every "its household" test a correlated EXISTS on a key,
-- which the server runs as one hash of the keys the role sees where it
-- fits in memory and as one index probe per row where it does not; the
-- households a township's role reads besides its own are one list per
-- statement ([`ever_in`], run once).

-- The households whose township was `t` before or after a change of
-- township: their history rows of field 'township' (old and new are the
-- township's name as the households table holds it). SECURITY DEFINER,
-- owned by the schema's owner, who is not under row-level security: the
-- households' policy asks it, and reading history under history's policy
-- would ask households' policy again (the server refuses such a loop).
-- Executed by the owner and the roles `bangfu grant` makes; what it
-- tells a role beyond its own township's households is household keys
-- (numbers), no record.
CREATE OR REPLACE FUNCTION bangfu.ever_in(t TEXT) RETURNS SETOF BIGINT LANGUAGE sql
STABLE SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
    SELECT h.record FROM bangfu.history h
    WHERE h.kind = 0 AND h.field = 'township' AND (h.old = t OR h.new = t)
$$;
REVOKE EXECUTE ON FUNCTION bangfu.ever_in(TEXT) FROM PUBLIC;

-- The logins `bangfu grant` held to a township: a township's login
-- lists in its `log` its own imports and those of the district's logins
-- only (store/log.rs). Role names, which the log holds anyway
-- (`commands.role`); no township. SECURITY DEFINER: each role reads only
-- its own row of `grants`.
CREATE OR REPLACE FUNCTION bangfu.township_logins() RETURNS SETOF TEXT LANGUAGE sql
STABLE SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
    SELECT g.role FROM bangfu.grants g WHERE g.township IS NOT NULL
$$;
REVOKE EXECUTE ON FUNCTION bangfu.township_logins() FROM PUBLIC;

-- Run by every writing bangfu inside its write lock (store::sql::Conn::
-- begin_write): each key sequence continues after the largest key, as
-- SQLite's rowid does, also after an undo deleted the newest records.
-- SECURITY DEFINER: a township's role sees only its own rows, but the
-- next key must follow every row; the owner it runs as is not subject to
-- row-level security (see below). It takes the write lock itself (a
-- writer holds it already, store::sql::WRITE_LOCK): run by a login
-- outside an import, it would set a sequence back under the keys that
-- import is handing out. This is the only way a granted role sets a
-- sequence: `bangfu grant` gives USAGE (nextval) on them, not UPDATE
-- (setval). pg_temp last, so that no temporary table of the caller's can
-- stand in for one of these. Executed by the owner and by the roles
-- `bangfu grant` makes, no one else.
CREATE OR REPLACE FUNCTION bangfu.sync_keys() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = bangfu, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(108170603619957);
    PERFORM setval(pg_get_serial_sequence('bangfu.' || t, 'key'), k + 1, false)
    FROM (VALUES
        ('households', (SELECT coalesce(max(key), 0) FROM households)),
        ('members', (SELECT coalesce(max(key), 0) FROM members)),
        ('pairings', (SELECT coalesce(max(key), 0) FROM pairings)),
        ('ledgers', (SELECT coalesce(max(key), 0) FROM ledgers)),
        ('imports', (SELECT coalesce(max(key), 0) FROM imports)),
        ('deliveries', (SELECT coalesce(max(key), 0) FROM deliveries))
    ) AS s(t, k);
END $$;
REVOKE EXECUTE ON FUNCTION bangfu.sync_keys() FROM PUBLIC;
-- What an import touched, counted over every row: for an undo's check
-- only, executed by the owner and the roles `bangfu grant` makes.
REVOKE EXECUTE ON FUNCTION bangfu.touched_by(BIGINT) FROM PUBLIC;

ALTER TABLE grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON grants USING (role = current_user);

ALTER TABLE members ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON members FOR SELECT USING (true);
CREATE POLICY added ON members FOR INSERT WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);
CREATE POLICY changed ON members FOR UPDATE USING (true) WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);
CREATE POLICY dropped ON members FOR DELETE USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);

ALTER TABLE households ENABLE ROW LEVEL SECURITY;
CREATE POLICY written ON households USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR households.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user)
);
CREATE POLICY was ON households FOR SELECT USING (
    (SELECT current_setting('bangfu.writing', true)) IS DISTINCT FROM 'on'
    AND households.key IN (SELECT bangfu.ever_in(g.township) FROM bangfu.grants g
                           WHERE g.role = current_user AND g.township IS NOT NULL)
);

ALTER TABLE pairings ENABLE ROW LEVEL SECURITY;
CREATE POLICY written ON pairings USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR EXISTS (SELECT FROM bangfu.households h WHERE h.key = pairings.household
               AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
CREATE POLICY was ON pairings FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.households h WHERE h.key = pairings.household)
);

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY written ON deliveries USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR EXISTS (SELECT FROM bangfu.households h WHERE h.key = deliveries.household
               AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
CREATE POLICY was ON deliveries FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.households h WHERE h.key = deliveries.household)
);

-- Whether import `n`'s history and undo rows are the current role's to
-- write: its own import (`commands.role`), or the role writes every
-- township's records. Names are qualified; the server inlines it into
-- the policies below.
CREATE OR REPLACE FUNCTION bangfu.writes_import(n BIGINT) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
        OR EXISTS (SELECT FROM bangfu.commands c WHERE c.number = $1 AND c.role = current_user)
$$;

ALTER TABLE undo_pairings ENABLE ROW LEVEL SECURITY;
CREATE POLICY written ON undo_pairings USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR EXISTS (SELECT FROM bangfu.households h WHERE h.key = undo_pairings.household
               AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
CREATE POLICY was ON undo_pairings FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.households h WHERE h.key = undo_pairings.household)
);

ALTER TABLE undo_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY written ON undo_deliveries USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR EXISTS (SELECT FROM bangfu.households h WHERE h.key = undo_deliveries.household
               AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
CREATE POLICY was ON undo_deliveries FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.households h WHERE h.key = undo_deliveries.household)
);

-- An undo row is the old copy of a row the import is about to delete or
-- change: a township's login may add one only under an import of its own
-- (`commands.role`), and only as the copy, value for value, of a
-- delivery, pairing or hold it may write as it stands (`written` keeps
-- the household to its township now). It changes one only by marking it
-- removed (the import deleted the row it had changed before: `undo_kept`
-- below), and changes or deletes (undo) only those of its own imports.
-- (A made-up undo row under another township's delivery's key would let
-- the holds' check below pass a hold on that delivery; one under another
-- import's number would be put back by that import's undo.)
CREATE POLICY copied ON undo_deliveries AS RESTRICTIVE FOR INSERT WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR bangfu.writes_import(undo_deliveries.command)
       AND EXISTS (SELECT FROM bangfu.deliveries d
               WHERE d.key = undo_deliveries.key AND d.household = undo_deliveries.household
                 AND d.day = undo_deliveries.day AND d.fingerprint = undo_deliveries.fingerprint
                 AND d.occurrence = undo_deliveries.occurrence
                 AND d.id IS NOT DISTINCT FROM undo_deliveries.id
                 AND d.member = undo_deliveries.member AND d.category = undo_deliveries.category
                 AND d.goods = undo_deliveries.goods AND d.cash = undo_deliveries.cash
                 AND d.note IS NOT DISTINCT FROM undo_deliveries.note
                 AND d.added = undo_deliveries.added)
);
CREATE POLICY copied ON undo_pairings AS RESTRICTIVE FOR INSERT WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR bangfu.writes_import(undo_pairings.command)
       AND EXISTS (SELECT FROM bangfu.pairings p
               WHERE p.key = undo_pairings.key AND p.household = undo_pairings.household
                 AND p.member = undo_pairings.member
                 AND p.since IS NOT DISTINCT FROM undo_pairings.since
                 AND p.until IS NOT DISTINCT FROM undo_pairings.until
                 AND p.added = undo_pairings.added)
);
CREATE POLICY own_changed ON undo_deliveries AS RESTRICTIVE FOR UPDATE USING (
    bangfu.writes_import(undo_deliveries.command)
);
CREATE POLICY own_dropped ON undo_deliveries AS RESTRICTIVE FOR DELETE USING (
    bangfu.writes_import(undo_deliveries.command)
);
CREATE POLICY own_changed ON undo_pairings AS RESTRICTIVE FOR UPDATE USING (
    bangfu.writes_import(undo_pairings.command)
);
CREATE POLICY own_dropped ON undo_pairings AS RESTRICTIVE FOR DELETE USING (
    bangfu.writes_import(undo_pairings.command)
);
-- A township's role changes a kept row only by marking it removed, as an
-- import does (store/write/replace.rs): nothing else of it, and no kept
-- hold at all (an UPDATE passing the policies fails here, row by row).
CREATE OR REPLACE FUNCTION bangfu.undo_kept() RETURNS trigger LANGUAGE plpgsql
SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF row_security_active(TG_RELID)
       AND NOT EXISTS (SELECT FROM bangfu.grants g
                       WHERE g.role = current_user AND g.township IS NULL)
       AND (to_jsonb(NEW) - 'removed' IS DISTINCT FROM to_jsonb(OLD) - 'removed'
            OR to_jsonb(NEW) ->> 'removed' IS DISTINCT FROM '1')
    THEN
        RAISE EXCEPTION 'new row violates row-level security policy for table "%"', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS kept ON bangfu.undo_deliveries;
CREATE TRIGGER kept BEFORE UPDATE ON bangfu.undo_deliveries
    FOR EACH ROW EXECUTE FUNCTION bangfu.undo_kept();
DROP TRIGGER IF EXISTS kept ON bangfu.undo_pairings;
CREATE TRIGGER kept BEFORE UPDATE ON bangfu.undo_pairings
    FOR EACH ROW EXECUTE FUNCTION bangfu.undo_kept();
DROP TRIGGER IF EXISTS kept ON bangfu.undo_holds;
CREATE TRIGGER kept BEFORE UPDATE ON bangfu.undo_holds
    FOR EACH ROW EXECUTE FUNCTION bangfu.undo_kept();

-- A hold is checked when its statement ends, not row by row: an import
-- inserts deliveries and their holds in one statement (store/pg/
-- deliveries.rs), and a policy's WITH CHECK, run as each row goes in,
-- does not see the deliveries the same statement inserts; the trigger
-- after it does. The policy on inserts keeps members' holds to the roles
-- of every township.
ALTER TABLE holds ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON holds FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR holds.kind = 1
    OR holds.kind = 0 AND EXISTS (SELECT FROM bangfu.households h WHERE h.key = holds.record)
    OR holds.kind = 2 AND EXISTS (SELECT FROM bangfu.pairings p WHERE p.key = holds.record)
    OR holds.kind = 3 AND EXISTS (SELECT FROM bangfu.deliveries d WHERE d.key = holds.record)
);
-- Dropped or changed: a hold of a record whose household is in the
-- role's township now.
CREATE POLICY dropped ON holds FOR DELETE USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR holds.kind = 0 AND EXISTS (SELECT FROM bangfu.households h
               WHERE h.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
    OR holds.kind = 2 AND EXISTS (SELECT FROM bangfu.pairings p JOIN bangfu.households h ON h.key = p.household
               WHERE p.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
    OR holds.kind = 3 AND EXISTS (SELECT FROM bangfu.deliveries d JOIN bangfu.households h ON h.key = d.household
               WHERE d.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
CREATE POLICY changed ON holds FOR UPDATE USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR holds.kind = 0 AND EXISTS (SELECT FROM bangfu.households h
               WHERE h.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
    OR holds.kind = 2 AND EXISTS (SELECT FROM bangfu.pairings p JOIN bangfu.households h ON h.key = p.household
               WHERE p.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
    OR holds.kind = 3 AND EXISTS (SELECT FROM bangfu.deliveries d JOIN bangfu.households h ON h.key = d.household
               WHERE d.key = holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
-- Any role may hold a member in its ledger (a township's monthly members
-- sheet, listed unchanged, holds them): members are everyone's to read;
-- adding or changing one stays the district's (the policies on members).
CREATE POLICY added ON holds FOR INSERT WITH CHECK (true);
-- Every hold a statement added by a role under row-level security is of
-- a record the role may write — a member (every role), or a record whose
-- household (or, for a record an undo is putting back, whose kept old
-- row's household) is in its township now — else the statement fails as
-- a policy's check would. Written out, not asked of a function per hold:
-- a function call per row made a township's import of 20,000 deliveries
-- take 30 s instead of 1.
CREATE OR REPLACE FUNCTION bangfu.holds_checked() RETURNS trigger LANGUAGE plpgsql
SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF row_security_active('bangfu.holds')
       AND NOT EXISTS (SELECT FROM bangfu.grants g
                       WHERE g.role = current_user AND g.township IS NULL)
       AND EXISTS (SELECT FROM new_holds n WHERE NOT (
           n.kind = 1 AND EXISTS (SELECT FROM bangfu.members m WHERE m.key = n.record)
           OR n.kind = 0 AND EXISTS (SELECT FROM bangfu.households h
               WHERE h.key = n.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
           OR n.kind = 2 AND (EXISTS (SELECT FROM bangfu.pairings p
                   JOIN bangfu.households h ON h.key = p.household
                   WHERE p.key = n.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
               OR EXISTS (SELECT FROM bangfu.undo_pairings u
                   JOIN bangfu.households h ON h.key = u.household
                   WHERE u.key = n.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user)))
           OR n.kind = 3 AND (EXISTS (SELECT FROM bangfu.deliveries d
                   JOIN bangfu.households h ON h.key = d.household
                   WHERE d.key = n.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
               OR EXISTS (SELECT FROM bangfu.undo_deliveries u
                   JOIN bangfu.households h ON h.key = u.household
                   WHERE u.key = n.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user)))))
    THEN
        RAISE EXCEPTION 'new row violates row-level security policy for table "holds"'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;

-- A dropped hold's record may be gone (deleted by --replace): its kept
-- old row says whose it was.
ALTER TABLE undo_holds ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON undo_holds FOR SELECT USING (undo_holds.kind = 1);
CREATE POLICY was ON undo_holds FOR SELECT USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR undo_holds.kind = 0 AND EXISTS (SELECT FROM bangfu.households h WHERE h.key = undo_holds.record)
    OR undo_holds.kind = 2 AND (EXISTS (SELECT FROM bangfu.pairings p WHERE p.key = undo_holds.record)
        OR EXISTS (SELECT FROM bangfu.undo_pairings u WHERE u.key = undo_holds.record))
    OR undo_holds.kind = 3 AND (EXISTS (SELECT FROM bangfu.deliveries d WHERE d.key = undo_holds.record)
        OR EXISTS (SELECT FROM bangfu.undo_deliveries u WHERE u.key = undo_holds.record))
);
CREATE POLICY written ON undo_holds USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR undo_holds.kind = 0 AND EXISTS (SELECT FROM bangfu.households h
               WHERE h.key = undo_holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
    OR undo_holds.kind = 2 AND (EXISTS (SELECT FROM bangfu.pairings p JOIN bangfu.households h ON h.key = p.household
               WHERE p.key = undo_holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
        OR EXISTS (SELECT FROM bangfu.undo_pairings u JOIN bangfu.households h ON h.key = u.household
               WHERE u.key = undo_holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user)))
    OR undo_holds.kind = 3 AND (EXISTS (SELECT FROM bangfu.deliveries d JOIN bangfu.households h ON h.key = d.household
               WHERE d.key = undo_holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
        OR EXISTS (SELECT FROM bangfu.undo_deliveries u JOIN bangfu.households h ON h.key = u.household
               WHERE u.key = undo_holds.record AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user)))
);
-- As undo_deliveries' (above): the copy of a hold as it stands, under an
-- import of the role's own; changed by none, deleted by its own undo.
CREATE POLICY copied ON undo_holds AS RESTRICTIVE FOR INSERT WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR bangfu.writes_import(undo_holds.command)
       AND EXISTS (SELECT FROM bangfu.holds h
               WHERE h.kind = undo_holds.kind AND h.record = undo_holds.record
                 AND h.ledger = undo_holds.ledger AND h.added = undo_holds.added)
);
CREATE POLICY own_changed ON undo_holds AS RESTRICTIVE FOR UPDATE USING (
    bangfu.writes_import(undo_holds.command)
);
CREATE POLICY own_dropped ON undo_holds AS RESTRICTIVE FOR DELETE USING (
    bangfu.writes_import(undo_holds.command)
);

ALTER TABLE commands ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON commands USING (true) WITH CHECK (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR commands.role = current_user
);
-- No township's role deletes a log entry (bangfu never does: an undo
-- marks it).
CREATE POLICY own_delete ON commands AS RESTRICTIVE FOR DELETE USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);
-- What a township's role may write in the log, row by row, refused with
-- an error, not passed over (an undo of another's import must fail, not
-- half-happen). No role changes an entry's role. A township's role's
-- new entry is not undone, and run by itself (`user` is the role on a
-- server; an entry begins with none, store/write/mod.rs). In an entry of
-- its own imports it changes the undone mark, once (its undo), and the
-- time, user and day only while the entry has no time yet (the import
-- that made it, logging itself at its end): not who ran an import or
-- when, once logged.
CREATE OR REPLACE FUNCTION bangfu.commands_kept() RETURNS trigger LANGUAGE plpgsql
SET search_path = bangfu, pg_temp AS $$
DECLARE
    township BOOLEAN := row_security_active('bangfu.commands')
        AND NOT EXISTS (SELECT FROM bangfu.grants g
                        WHERE g.role = current_user AND g.township IS NULL);
    refused BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' THEN
        refused := township AND (NEW."user" NOT IN ('', CAST(current_user AS TEXT))
                                 OR NEW.undone IS NOT NULL);
    ELSE
        refused := NEW.role IS DISTINCT FROM OLD.role
            OR township AND (
                OLD.role IS DISTINCT FROM CAST(current_user AS TEXT)
                OR NEW."user" NOT IN ('', CAST(current_user AS TEXT))
                OR (NEW.number, NEW.undoable) IS DISTINCT FROM (OLD.number, OLD.undoable)
                OR OLD.undone IS NOT NULL AND NEW.undone IS DISTINCT FROM OLD.undone
                OR OLD.at <> ''
                   AND (NEW.at, NEW."user", NEW.day) IS DISTINCT FROM (OLD.at, OLD."user", OLD.day));
    END IF;
    IF refused THEN
        RAISE EXCEPTION 'new row violates row-level security policy for table "commands"'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS kept ON bangfu.commands;
CREATE TRIGGER kept BEFORE INSERT OR UPDATE ON bangfu.commands
    FOR EACH ROW EXECUTE FUNCTION bangfu.commands_kept();
-- The ledgers and the per-file log: read by all, added to by every
-- import; changed or deleted by the district only (renaming a ledger
-- would let --replace keep rows a sheet no longer lists).
ALTER TABLE ledgers ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON ledgers FOR SELECT USING (true);
CREATE POLICY added ON ledgers FOR INSERT WITH CHECK (true);
CREATE POLICY district ON ledgers USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON imports FOR SELECT USING (true);
CREATE POLICY added ON imports FOR INSERT WITH CHECK (bangfu.writes_import(imports.command));
CREATE POLICY district ON imports USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
);

ALTER TABLE history ENABLE ROW LEVEL SECURITY;
-- Members' history is everyone's to read and only the district's to
-- write (changed or deleted too: a township's login must not take back
-- what a member's unit was on a day).
CREATE POLICY seen ON history FOR SELECT USING (history.kind = 1);
CREATE POLICY was ON history FOR SELECT USING (
    history.kind = 0 AND EXISTS (SELECT FROM bangfu.households h WHERE h.key = history.record)
);
CREATE POLICY written ON history USING (
    EXISTS (SELECT FROM bangfu.grants g WHERE g.role = current_user AND g.township IS NULL)
    OR history.kind = 0 AND EXISTS (SELECT FROM bangfu.households h WHERE h.key = history.record
        AND h.township IN (SELECT g.township FROM bangfu.grants g WHERE g.role = current_user))
);
-- The history a township's role writes is its own imports' (as an
-- import or its undo writes it): it adds rows only under an import of
-- its own, and changes or deletes only those; a row of another import —
-- the district's move of a household into the township, a change the
-- old township made — stays as that import left it (else the past
-- figures of both townships would change: ever_in and every report go
-- by these rows).
CREATE POLICY own_added ON history AS RESTRICTIVE FOR INSERT WITH CHECK (
    bangfu.writes_import(history.command)
);
CREATE POLICY own_changed ON history AS RESTRICTIVE FOR UPDATE USING (
    bangfu.writes_import(history.command)
);
CREATE POLICY own_dropped ON history AS RESTRICTIVE FOR DELETE USING (
    bangfu.writes_import(history.command)
);
-- And no change of a household's township at all: moving a household
-- between townships is the district's import (a township's import of a
-- row of another township is a row problem; `import OTHER.db` whose
-- history moves a household is refused with these words, which bangfu
-- says in the clerk's language, store/error.rs).
CREATE OR REPLACE FUNCTION bangfu.history_moved() RETURNS trigger LANGUAGE plpgsql
SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF row_security_active('bangfu.history')
       AND NOT EXISTS (SELECT FROM bangfu.grants g
                       WHERE g.role = current_user AND g.township IS NULL)
    THEN
        RAISE EXCEPTION 'a household''s township is changed only by the district''s import'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS moved ON bangfu.history;
CREATE TRIGGER moved BEFORE INSERT OR UPDATE ON bangfu.history
    FOR EACH ROW WHEN (NEW.kind = 0 AND NEW.field = 'township')
    EXECUTE FUNCTION bangfu.history_moved();

-- A record's history goes with it, whoever deletes it: no history row
-- outlives its household or member, so that no key sync_keys hands out
-- again inherits another's past (a row of a deleted household's key
-- would make the next household given that key "ever in" a township).
-- SECURITY DEFINER: the deleting role may not see every row of it.
CREATE OR REPLACE FUNCTION bangfu.history_gone() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
BEGIN
    DELETE FROM bangfu.history h USING old_rows o
    WHERE h.kind = CASE TG_TABLE_NAME WHEN 'households' THEN 0 ELSE 1 END
      AND h.record = o.key;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION bangfu.history_gone() FROM PUBLIC;
DROP TRIGGER IF EXISTS history_gone ON bangfu.households;
CREATE TRIGGER history_gone AFTER DELETE ON bangfu.households REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bangfu.history_gone();
DROP TRIGGER IF EXISTS history_gone ON bangfu.members;
CREATE TRIGGER history_gone AFTER DELETE ON bangfu.members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bangfu.history_gone();
"#
    };
}
use access;

/// The statement-level checks of what deliveries and holds refer to (see
/// `deliveries_refer` in [`CREATE`]): each distinct reference the
/// statement's rows make is looked up once, not each row's (a million-row
/// import's holds name one ledger; checking it a row at a time took
/// 1.5 s of the import's server time, once 0.2 s).
macro_rules! refer_checks {
    () => {
        r#"
CREATE OR REPLACE FUNCTION bangfu.deliveries_refer() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM (SELECT DISTINCT member, household FROM new_rows) n
               WHERE NOT EXISTS (SELECT FROM bangfu.members m WHERE m.key = n.member)
                  OR NOT EXISTS (SELECT FROM bangfu.households h WHERE h.key = n.household))
       OR EXISTS (SELECT FROM (SELECT DISTINCT ledger FROM new_rows WHERE ledger IS NOT NULL) n
                  WHERE NOT EXISTS (SELECT FROM bangfu.ledgers l WHERE l.key = n.ledger))
    THEN
        RAISE EXCEPTION 'a delivery refers to a member, household or ledger that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION bangfu.holds_refer() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = bangfu, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM (SELECT DISTINCT ledger FROM new_rows) n
               WHERE NOT EXISTS (SELECT FROM bangfu.ledgers l WHERE l.key = n.ledger))
    THEN
        RAISE EXCEPTION 'a hold refers to a ledger that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- A delivery's hold kept in its own row (schema 9) is not repeated
    -- here: a ledger would count the delivery twice.
    IF EXISTS (SELECT FROM new_rows n JOIN bangfu.deliveries d
               ON n.kind = 3 AND d.key = n.record AND d.ledger = n.ledger)
    THEN
        RAISE EXCEPTION 'a delivery''s own row holds it for that ledger already'
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NULL;
END $$;
"#
    };
}
use refer_checks;

/// Schema 7 to 8, by the tables' owner, in one write transaction
/// ([`super::migrate`]): schema 7's policies go (by name: any other a
/// district added stays) and the access rules of
/// [`CREATE`] are made (the same text), every role `bangfu grant` made
/// gets what [`crate::store::pg::grant`] gives now (`ever_in`,
/// `township_logins`, `touched_by`; nextval but no longer setval of the
/// key sequences), and the version is 8. No table changes.
pub const MIGRATE_8: &str = concat!(
    r#"
-- Schema 7's policies, by name: one the district's IT person added to
-- bangfu's tables stays.
DROP POLICY own ON bangfu.grants;
DROP POLICY seen ON bangfu.members;
DROP POLICY added ON bangfu.members;
DROP POLICY changed ON bangfu.members;
DROP POLICY dropped ON bangfu.members;
DROP POLICY township ON bangfu.households;
DROP POLICY township ON bangfu.pairings;
DROP POLICY township ON bangfu.deliveries;
DROP POLICY township ON bangfu.undo_pairings;
DROP POLICY township ON bangfu.undo_deliveries;
DROP POLICY copied ON bangfu.undo_deliveries;
DROP POLICY copied ON bangfu.undo_pairings;
DROP POLICY seen ON bangfu.holds;
DROP POLICY dropped ON bangfu.holds;
DROP POLICY changed ON bangfu.holds;
DROP POLICY added ON bangfu.holds;
DROP POLICY seen ON bangfu.undo_holds;
DROP POLICY township ON bangfu.undo_holds;
DROP POLICY own ON bangfu.commands;
DROP POLICY seen ON bangfu.ledgers;
DROP POLICY added ON bangfu.ledgers;
DROP POLICY district ON bangfu.ledgers;
DROP POLICY seen ON bangfu.imports;
DROP POLICY added ON bangfu.imports;
DROP POLICY district ON bangfu.imports;
DROP POLICY own_delete ON bangfu.commands;
DROP POLICY seen ON bangfu.history;
DROP POLICY township ON bangfu.history;
"#,
    access!(),
    r#"
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT g.role FROM bangfu.grants g
             WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = g.role) LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION bangfu.ever_in(TEXT) TO %I', r.role);
        EXECUTE format('GRANT EXECUTE ON FUNCTION bangfu.township_logins() TO %I', r.role);
        EXECUTE format('GRANT EXECUTE ON FUNCTION bangfu.touched_by(BIGINT) TO %I', r.role);
        EXECUTE format('REVOKE SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA bangfu FROM %I', r.role);
    END LOOP;
END $$;
UPDATE bangfu.version SET version = 8;
"#
);

/// Schema 7 as first released, brought to the indexes and checks
/// [`CREATE`] now makes, by its owner (see [`super::tune`]): the same
/// tables, rules and results, less to write per imported row. Run once,
/// under the write lock; each statement may run again.
pub const TUNE: &str = concat!(
    "DROP INDEX IF EXISTS bangfu.deliveries_household, bangfu.deliveries_member,
         bangfu.deliveries_added, bangfu.holds_added;",
    refer_checks!()
);

/// Whether the schema is one [`TUNE`] would change: it has an index
/// [`CREATE`] no longer makes.
pub const TUNED: &str = "SELECT to_regclass('bangfu.deliveries_added') IS NULL
    AND to_regclass('bangfu.deliveries_household') IS NULL
    AND to_regclass('bangfu.deliveries_member') IS NULL
    AND to_regclass('bangfu.holds_added') IS NULL";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_keys_takes_the_write_lock_every_writer_takes() {
        let lock = format!("pg_advisory_xact_lock({})", crate::store::sql::WRITE_LOCK);
        for sql in [CREATE, MIGRATE_8] {
            assert!(sql.contains(&lock), "sync_keys' lock is not {lock}");
        }
    }
}
