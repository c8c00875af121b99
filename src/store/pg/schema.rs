//! bangfu's tables on a PostgreSQL server: the same tables and columns as
//! the SQLite file's schema (src/store/schema.rs, version 7), so that the
//! store's shared SQL reads and writes both. Everything lives in its own
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
//! - `deliveries(member)` is indexed: the server checks every reference
//!   (only its owner could turn the checks off, as SQLite's undo does), and
//!   deleting a member looks for deliveries of it — without the index, one
//!   scan of all deliveries a member (an undo of 2,000 new members under
//!   200,000 deliveries took 122 s, with it 0.4 s);
//! - no `seal`: the server guards its own pages (contract §9 damage checks
//!   are SQLite's).
//!
//! A migration is one transaction; the version is in `bangfu.version`.

/// The schema version this bangfu writes on a server (the same number as
/// its SQLite schema).
pub const VERSION: i64 = 7;

/// Version 7, whole: a new database gets it in one transaction.
pub const CREATE: &str = r#"
CREATE SCHEMA bangfu;
SET LOCAL search_path = bangfu;

CREATE TABLE version (version BIGINT NOT NULL);
INSERT INTO version VALUES (7);

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
    undone    TEXT COLLATE "C"
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
    member       BIGINT NOT NULL REFERENCES members(key),
    household    BIGINT NOT NULL REFERENCES households(key),
    category     BIGINT NOT NULL,
    goods        BIGINT NOT NULL DEFAULT 0,
    cash         BIGINT NOT NULL DEFAULT 0,
    note         TEXT COLLATE "C",
    added        BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX deliveries_place ON deliveries(day, fingerprint, occurrence);
CREATE UNIQUE INDEX deliveries_id ON deliveries(id) WHERE id IS NOT NULL;
CREATE INDEX deliveries_household ON deliveries(household);
CREATE INDEX deliveries_member ON deliveries(member);
CREATE INDEX deliveries_added ON deliveries(added);

CREATE TABLE holds (
    kind    BIGINT NOT NULL,
    record  BIGINT NOT NULL,
    ledger  BIGINT NOT NULL REFERENCES ledgers(key),
    added   BIGINT NOT NULL,
    PRIMARY KEY (kind, record, ledger)
);
CREATE INDEX holds_added ON holds(added);

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

-- Run by every writing bangfu inside its write lock (store::sql::Conn::
-- begin_write): each key sequence continues after the largest key, as
-- SQLite's rowid does, also after an undo deleted the newest records.
-- SECURITY DEFINER: a township's role sees only its own rows, but the
-- next key must follow every row.
CREATE FUNCTION sync_keys() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = bangfu AS $$
BEGIN
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
"#;
