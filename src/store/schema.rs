//! The schema, as an append-only list of migrations. A migration's position
//! in [`MIGRATIONS`] is the version it brings the database to, stored in
//! `PRAGMA user_version`. Never edit, reorder or remove an entry: databases
//! in clerks' offices were made by them. Add a new entry at the end instead.
//!
//! Design for speed and size (contract §7): integer keys, dates as day numbers
//! (days since 1970-01-01), money as integer fen, categories and statuses as
//! small integers, and the indexes the reports and the importer use.
//!
//! Also here: telling a bangfu database from another program's SQLite file
//! by its tables, and checking an upgrade left no reference broken.

use super::error::{Foreign, Tables};
use super::StoreError;
use crate::values::LedgerName;
use rusqlite::{Connection, OptionalExtension};

/// Each entry upgrades the schema by one version.
pub const MIGRATIONS: &[&str] = &[
    // 1: the four records.
    "
    CREATE TABLE households (
        key        INTEGER PRIMARY KEY,
        id         TEXT NOT NULL UNIQUE,
        head       TEXT NOT NULL,
        id_number  TEXT UNIQUE,
        township   TEXT NOT NULL,
        village    TEXT,
        size       INTEGER,
        cause      TEXT,
        status     INTEGER NOT NULL DEFAULT 0,  -- 0 poor, 1 lifted
        lifted_on  INTEGER,                     -- day number
        phone      TEXT
    );
    CREATE INDEX households_head ON households(head);

    CREATE TABLE members (
        key    INTEGER PRIMARY KEY,
        id     TEXT NOT NULL UNIQUE,
        name   TEXT NOT NULL,
        unit   TEXT NOT NULL,
        role   TEXT,
        phone  TEXT
    );
    CREATE INDEX members_name ON members(name);

    CREATE TABLE pairings (
        key        INTEGER PRIMARY KEY,
        member     INTEGER NOT NULL REFERENCES members(key),
        household  INTEGER NOT NULL REFERENCES households(key),
        since      INTEGER,
        until      INTEGER,
        UNIQUE (member, household, since)
    );
    CREATE INDEX pairings_household ON pairings(household);

    CREATE TABLE deliveries (
        key          INTEGER PRIMARY KEY,
        id           TEXT UNIQUE,               -- the file's own record id, if any
        day          INTEGER NOT NULL,
        member       INTEGER NOT NULL REFERENCES members(key),
        household    INTEGER NOT NULL REFERENCES households(key),
        category     INTEGER NOT NULL,          -- 0 ideas … 6 deeds
        goods        INTEGER NOT NULL DEFAULT 0, -- fen
        cash         INTEGER NOT NULL DEFAULT 0, -- fen
        note         TEXT,
        fingerprint  INTEGER,                   -- deliveries without id (contract §3.4)
        occurrence   INTEGER
    );
    CREATE UNIQUE INDEX deliveries_fingerprint
        ON deliveries(fingerprint, occurrence) WHERE id IS NULL;
    CREATE INDEX deliveries_household ON deliveries(household, day);
    CREATE INDEX deliveries_member ON deliveries(member, household, day);
    ",
    // 2: a log of every committed import, one row per file, so a clerk can
    // tell when which export was loaded and what it did.
    "
    CREATE TABLE imports (
        key        INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,               -- local date and time of the import
        file       TEXT NOT NULL,
        kind       TEXT,
        encoding   TEXT,
        rows_read  INTEGER NOT NULL,
        new        INTEGER NOT NULL,
        updated    INTEGER NOT NULL,
        unchanged  INTEGER NOT NULL,
        skipped    INTEGER NOT NULL,
        rejected   INTEGER NOT NULL
    );
    ",
    // 3: indexes for speed at a million deliveries (contract §7). The reports
    // read deliveries in one sequential scan, so the per-household and
    // per-member indexes cost every import (random inserts over tens of
    // thousands of keys) and saved no report; they go. The deduplication
    // index leads with the day, so a month's export inserts into a few
    // neighbouring pages instead of all over a hash-ordered tree.
    "
    DROP INDEX deliveries_household;
    DROP INDEX deliveries_member;
    DROP INDEX deliveries_fingerprint;
    CREATE UNIQUE INDEX deliveries_fingerprint
        ON deliveries(day, fingerprint, occurrence) WHERE id IS NULL;
    -- The file that last inserted or matched each delivery: how a re-import
    -- counts occurrences without holding every fingerprint in memory.
    ALTER TABLE deliveries ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
    ",
    // 4: `id TEXT UNIQUE` kept an index entry for every delivery, though
    // only the few a file gives an id of their own have one; a partial
    // index holds just those, and every import writes one index fewer
    // (contract §7). SQLite cannot drop a column constraint, so the table is
    // copied (rows keep their keys).
    "
    CREATE TABLE deliveries_v4 (
        key          INTEGER PRIMARY KEY,
        id           TEXT,                      -- the file's own record id, if any
        day          INTEGER NOT NULL,
        member       INTEGER NOT NULL REFERENCES members(key),
        household    INTEGER NOT NULL REFERENCES households(key),
        category     INTEGER NOT NULL,          -- 0 ideas … 6 deeds
        goods        INTEGER NOT NULL DEFAULT 0, -- fen
        cash         INTEGER NOT NULL DEFAULT 0, -- fen
        note         TEXT,
        fingerprint  INTEGER,                   -- deliveries without id (contract §3.4)
        occurrence   INTEGER,
        batch        INTEGER NOT NULL DEFAULT 0 -- the file that last inserted or matched it
    );
    INSERT INTO deliveries_v4
        (key, id, day, member, household, category, goods, cash, note, fingerprint, occurrence, batch)
        SELECT key, id, day, member, household, category, goods, cash, note, fingerprint, occurrence, batch
        FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v4 RENAME TO deliveries;
    CREATE UNIQUE INDEX deliveries_id ON deliveries(id) WHERE id IS NOT NULL;
    CREATE UNIQUE INDEX deliveries_fingerprint
        ON deliveries(day, fingerprint, occurrence) WHERE id IS NULL;
    ",
    // 5: the deliveries are stored in the order of their deduplication key,
    // (day, fingerprint, occurrence), as a `WITHOUT ROWID` table: every
    // import writes one b-tree a row instead of the table and its
    // fingerprint index, and a million deliveries take about a fifth less
    // room (contract §7). Every row needs the key, so a delivery with an id of
    // its own is keyed by the id's hash with occurrence 0 or below (rows
    // without id count occurrences from 1); rows stored before have no
    // hash, and keep their old key in its place, unique on its own (as
    // would a row without id or fingerprint, which no schema ever wrote).
    // The rowid `key` goes: nothing outside the table referred to it.
    // (Since deliveries go in 64 to a statement, `batch` holds the file's
    // batch number in its high 32 bits and the chunk's number in the low
    // ones — `Writer::mark` in store/write.rs; plain numbers written before
    // read as another import's. No migration: the column's comment below
    // is as this migration wrote it, and migrations are never edited.)
    "
    CREATE TABLE deliveries_v5 (
        day          INTEGER NOT NULL,          -- day number
        fingerprint  INTEGER NOT NULL,          -- contract §3.4; with an id, the id's hash
        occurrence   INTEGER NOT NULL,          -- 1, 2, … within a file; with an id, 0 or below
        id           TEXT,                      -- the file's own record id, if any
        member       INTEGER NOT NULL REFERENCES members(key),
        household    INTEGER NOT NULL REFERENCES households(key),
        category     INTEGER NOT NULL,          -- 0 ideas … 6 deeds
        goods        INTEGER NOT NULL DEFAULT 0, -- fen
        cash         INTEGER NOT NULL DEFAULT 0, -- fen
        note         TEXT,
        batch        INTEGER NOT NULL DEFAULT 0, -- the file that last inserted or matched it
        PRIMARY KEY (day, fingerprint, occurrence)
    ) WITHOUT ROWID;
    INSERT INTO deliveries_v5
        (day, fingerprint, occurrence, id, member, household, category, goods, cash, note, batch)
        SELECT day,
               CASE WHEN keyed THEN fingerprint ELSE key END,
               CASE WHEN keyed THEN occurrence ELSE 0 END,
               id, member, household, category, goods, cash, note, batch
        FROM (SELECT *, id IS NULL AND fingerprint IS NOT NULL AND occurrence > 0 AS keyed
              FROM deliveries)
        ORDER BY 1, 2, 3;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v5 RENAME TO deliveries;
    CREATE UNIQUE INDEX deliveries_id ON deliveries(id) WHERE id IS NOT NULL;
    ",
    // 6: `batch` has one meaning in every row. Since deliveries went in 64
    // to a statement it holds the file's batch number in its high 32 bits
    // and the chunk's in the low ones (`Writer::mark`), but rows written
    // before kept the plain file number. A plain number is that file's
    // claim (chunk 0): shifted, it says the same thing the new way. (A
    // column's meaning never changes again without a migration like this.)
    "
    UPDATE deliveries SET batch = batch << 32 WHERE batch > 0 AND batch < 4294967296;
    ",
    // 7: a ledger's life (contract §8): ledgers and what each holds, the log
    // by import command, the history of every change an import makes, and
    // what undo needs to put back. Deliveries move to a rowid table in the
    // order they are added, so that holds, history and undo can name a
    // delivery by one integer, and so that rows in any order append to the
    // table (contract §7); the deduplication key becomes a unique index.
    // The ledgers of rows written before are filled in by
    // [`after_migration`], which knows how a file's name becomes a ledger's;
    // `batch` goes (rows are sorted by key before they are written, and
    // count their occurrences in that order: store/write/sorted.rs), but
    // first the file each delivery's mark names is kept, in a temporary
    // table, for its hold.
    "
    CREATE TABLE ledgers (
        key   INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE
    );

    -- One row an import command: its number is the one `log` shows and
    -- `undo N` takes, never given out again (rows are never deleted).
    CREATE TABLE commands (
        number    INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,             -- local date and time, ISO 8601
        user      TEXT NOT NULL,             -- the login that ran it; '' before version 7
        day       INTEGER NOT NULL,          -- the day its changes hold from (day number)
        undoable  INTEGER NOT NULL DEFAULT 1, -- 0: made before version 7, which kept no undo
        undone    TEXT                       -- when it was undone (local, ISO 8601), if it was
    );
    INSERT INTO commands (number, at, user, day, undoable)
        SELECT dense_rank() OVER (ORDER BY at), replace(at, ' ', 'T'), '',
               CAST(julianday(substr(at, 1, 10)) - julianday('1970-01-01') AS INTEGER), 0
        FROM imports GROUP BY at;

    -- `imports` stays one row a file: now with its command, its ledger, the
    -- SHA-256 of its bytes and what the file removed.
    ALTER TABLE imports ADD COLUMN command INTEGER REFERENCES commands(number);
    ALTER TABLE imports ADD COLUMN ledger INTEGER REFERENCES ledgers(key);
    ALTER TABLE imports ADD COLUMN sha256 TEXT;
    ALTER TABLE imports ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    UPDATE imports SET command = (SELECT number FROM commands c WHERE c.at = replace(imports.at, ' ', 'T'));

    -- Whether a record is 销户 (no ledger holds it any more: kept for its past
    -- deliveries, out of current counts), and the import that added it (0:
    -- before version 7). Both change only through imports and undo.
    ALTER TABLE households ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE households ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE members ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE members ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pairings ADD COLUMN added INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE deliveries_v7 (
        key          INTEGER PRIMARY KEY,
        day          INTEGER NOT NULL,          -- day number
        fingerprint  INTEGER NOT NULL,          -- contract §3.4; with an id, the id's hash
        occurrence   INTEGER NOT NULL,          -- 1, 2, … within a file; with an id, 0 or below
        id           TEXT,                      -- the file's own record id, if any
        member       INTEGER NOT NULL REFERENCES members(key),
        household    INTEGER NOT NULL REFERENCES households(key),
        category     INTEGER NOT NULL,          -- 0 ideas … 6 deeds
        goods        INTEGER NOT NULL DEFAULT 0, -- fen
        cash         INTEGER NOT NULL DEFAULT 0, -- fen
        note         TEXT,
        added        INTEGER NOT NULL DEFAULT 0  -- the import (commands.number) that added it; 0 before version 7
    );
    INSERT INTO deliveries_v7
        (day, fingerprint, occurrence, id, member, household, category, goods, cash, note)
        SELECT day, fingerprint, occurrence, id, member, household, category, goods, cash, note
        FROM deliveries ORDER BY day, fingerprint, occurrence;
    -- The file (imports.key) that last inserted or matched each delivery:
    -- the high half of its mark (version 6). Read and dropped by
    -- after_migration.
    CREATE TEMP TABLE v7_delivery_files AS
        SELECT day, fingerprint, occurrence, batch >> 32 AS file FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v7 RENAME TO deliveries;
    CREATE UNIQUE INDEX deliveries_place ON deliveries(day, fingerprint, occurrence);
    CREATE UNIQUE INDEX deliveries_id ON deliveries(id) WHERE id IS NOT NULL;

    -- Which ledger holds which record. kind: 0 household, 1 member,
    -- 2 pairing, 3 delivery; record: its key. Keyed by the record first:
    -- is it held by this ledger, and by whom else, are the questions every
    -- import asks; a replace reads one ledger's holds of one kind in a scan.
    CREATE TABLE holds (
        kind    INTEGER NOT NULL,
        record  INTEGER NOT NULL,
        ledger  INTEGER NOT NULL REFERENCES ledgers(key),
        added   INTEGER NOT NULL,             -- the import that made the hold (0: the upgrade)
        PRIMARY KEY (kind, record, ledger)
    ) WITHOUT ROWID;

    -- Every change an import made to a household or member, one row a field
    -- (kind 0 household, 1 member; field: the column's name, `removed`
    -- included): what `show` lists, what reports date by (township,
    -- village, status, unit, removed), what undo puts back. `day`: the day
    -- the new value holds from (the import's day; a status, its lifted_on
    -- where the file gives one). Two files of one command changing one
    -- field make one row: the first old value, the last new one.
    CREATE TABLE history (
        kind     INTEGER NOT NULL,
        record   INTEGER NOT NULL,
        field    TEXT NOT NULL,
        command  INTEGER NOT NULL REFERENCES commands(number),
        day      INTEGER NOT NULL,
        old,
        new,
        PRIMARY KEY (kind, record, field, command)
    ) WITHOUT ROWID;
    CREATE INDEX history_command ON history(command);

    -- Rows an import deleted (removed = 1) or changed in place (0), as they
    -- were before it: what undo puts back. Holds it dropped, likewise.
    CREATE TABLE undo_deliveries (
        command      INTEGER NOT NULL,
        key          INTEGER NOT NULL,
        removed      INTEGER NOT NULL,
        day          INTEGER NOT NULL,
        fingerprint  INTEGER NOT NULL,
        occurrence   INTEGER NOT NULL,
        id           TEXT,
        member       INTEGER NOT NULL,
        household    INTEGER NOT NULL,
        category     INTEGER NOT NULL,
        goods        INTEGER NOT NULL,
        cash         INTEGER NOT NULL,
        note         TEXT,
        added        INTEGER NOT NULL,
        PRIMARY KEY (command, key)
    ) WITHOUT ROWID;
    CREATE INDEX undo_deliveries_key ON undo_deliveries(key);
    CREATE TABLE undo_pairings (
        command    INTEGER NOT NULL,
        key        INTEGER NOT NULL,
        removed    INTEGER NOT NULL,
        member     INTEGER NOT NULL,
        household  INTEGER NOT NULL,
        since      INTEGER,
        until      INTEGER,
        added      INTEGER NOT NULL,
        PRIMARY KEY (command, key)
    ) WITHOUT ROWID;
    CREATE INDEX undo_pairings_key ON undo_pairings(key);
    CREATE TABLE undo_holds (
        command  INTEGER NOT NULL,
        kind     INTEGER NOT NULL,
        record   INTEGER NOT NULL,
        ledger   INTEGER NOT NULL,
        added    INTEGER NOT NULL,
        PRIMARY KEY (command, kind, record, ledger)
    ) WITHOUT ROWID;
    CREATE INDEX undo_holds_record ON undo_holds(kind, record);

    -- How many records of each kind the last import or undo left, to tell
    -- a damaged page from the figures: a page whose count of rows was
    -- overwritten reads as fewer rows without any error (SQLite keeps no
    -- checksums), and every report would print short totals. One row.
    CREATE TABLE seal (
        households  INTEGER NOT NULL,
        members     INTEGER NOT NULL,
        pairings    INTEGER NOT NULL,
        deliveries  INTEGER NOT NULL
    );
    INSERT INTO seal SELECT
        (SELECT count(*) FROM households NOT INDEXED), (SELECT count(*) FROM members NOT INDEXED),
        (SELECT count(*) FROM pairings NOT INDEXED), (SELECT count(*) FROM deliveries NOT INDEXED);
    ",
    // 8: a delivery's first hold in its own row (issue 16, 17). Nearly
    // every delivery is held by one ledger only, the one whose import
    // added it; a row of `holds` apiece cost a first import of a million
    // rows a second b-tree written row by row (about 0.35 s of SQLite's
    // writing, 2.5 s of a server's). `ledger` is the ledger whose import
    // added the delivery while that ledger holds it (the hold's import is
    // the delivery's `added`), else NULL; every other hold of a delivery
    // is a row of `holds`, never both for one ledger. Which ledgers hold a
    // record is read through both (store/sql.rs, `held!`).
    "
    ALTER TABLE deliveries ADD COLUMN ledger INTEGER REFERENCES ledgers(key);
    UPDATE deliveries SET ledger = (
        SELECT min(h.ledger) FROM holds h
        WHERE h.kind = 3 AND h.record = deliveries.key AND h.added = deliveries.added);
    DELETE FROM holds WHERE kind = 3 AND ledger = (
        SELECT d.ledger FROM deliveries d WHERE d.key = holds.record);
    ",
];

/// What a migration needs beyond its SQL, run right after it in the same
/// transaction. Version 7: every file of the log gets the ledger its name
/// gives (the rule an import uses, [`LedgerName::of_path`]), and the rows
/// written before are held by those ledgers — a delivery by the ledger of
/// the file that last inserted or matched it (its `batch` mark named the
/// file; the migration kept it in `temp.v7_delivery_files`), a household,
/// member or pairing by every ledger that imported a file of its kind that
/// added records (which of them listed which, the log does not know; the
/// files that created records are the rosters themselves, where a small
/// adjustment file that only changed a few would hold the whole roster and
/// keep every record a later `--replace` drops).
pub fn after_migration(conn: &Connection, version: i64) -> rusqlite::Result<()> {
    if version != 7 {
        return Ok(());
    }
    let files: Vec<(i64, String)> = conn
        .prepare("SELECT key, file FROM imports ORDER BY key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut ledger = conn.prepare(
        "INSERT INTO ledgers (name) VALUES (?1)
         ON CONFLICT (name) DO UPDATE SET name = name RETURNING key",
    )?;
    let mut logged = conn.prepare("UPDATE imports SET ledger = ?2 WHERE key = ?1")?;
    for (key, file) in files {
        let name = LedgerName::of_path(&file);
        let ledger: i64 = ledger.query_row([name.as_str()], |r| r.get(0))?;
        logged.execute([key, ledger])?;
    }
    conn.execute_batch(
        "INSERT INTO holds (kind, record, ledger, added)
             SELECT 3, d.key, i.ledger, 0 FROM temp.v7_delivery_files f
             JOIN deliveries d
                 ON (d.day, d.fingerprint, d.occurrence) = (f.day, f.fingerprint, f.occurrence)
             JOIN imports i ON i.key = f.file;
         DROP TABLE temp.v7_delivery_files;
         INSERT OR IGNORE INTO holds (kind, record, ledger, added)
             SELECT k.kind, r.key, i.ledger, 0
             FROM (SELECT 0 AS kind, 'households' AS name UNION ALL SELECT 1, 'members') k
             JOIN imports i ON i.kind = k.name AND i.new > 0
             JOIN (SELECT 0 AS kind, key FROM households UNION ALL SELECT 1, key FROM members) r
                 ON r.kind = k.kind;
         INSERT OR IGNORE INTO holds (kind, record, ledger, added)
             SELECT 2, p.key, i.ledger, 0 FROM pairings p
             JOIN imports i ON i.kind = 'pairings' AND i.new > 0;",
    )?;
    super::renormalise::renormalise_notes(conn)?;
    Ok(())
}

/// The versions whose migration copies a table: upgrading past one leaves
/// the old table's pages free in the file, to be given back.
pub const COPIES_A_TABLE: &[i64] = &[4, 5, 7];

/// The schema version this bangfu writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// What a file holds, read at one moment (another bangfu may be creating
/// the schema of a new file meanwhile): its schema version, and the type
/// and name of each of its tables, indexes, views and triggers, SQLite's
/// own left out.
pub fn found(conn: &Connection) -> rusqlite::Result<(i64, Vec<(String, String)>)> {
    let _one_moment = conn.unchecked_transaction()?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'
         ORDER BY name",
    )?;
    let objects = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((version, objects))
}

/// The tables of a bangfu database of schema `version`, sorted: what the
/// migrations up to it make, made here in memory.
fn tables_at(version: i64) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS
        .iter()
        .take(usize::try_from(version).unwrap_or(0))
    {
        conn.execute_batch(sql)?;
    }
    let (_, objects) = found(&conn)?;
    Ok(tables(&objects))
}

fn tables(objects: &[(String, String)]) -> Vec<String> {
    objects
        .iter()
        .filter(|(kind, _)| kind == "table")
        .map(|(_, name)| name.clone())
        .collect()
}

/// The schema version of the SQLite file `conn` (named `path`), once it is
/// known to be a bangfu database this bangfu can read: a file that is not
/// one (see [`check_is_bangfu`]; an empty one is refused unless
/// `may_fill`), not a database at all, or of a newer bangfu, is refused
/// before anything is written to it.
pub fn readable_version(conn: &Connection, path: &str, may_fill: bool) -> Result<i64, StoreError> {
    let not_db = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase(path.to_string()),
        _ => StoreError::from(e),
    };
    let (version, tables) = found(conn).map_err(not_db)?;
    if version > current_version() {
        return Err(StoreError::Newer {
            path: path.to_string(),
            found: version,
            known: current_version(),
        });
    }
    check_is_bangfu(path, version, &tables, may_fill)?;
    Ok(version)
}

/// Refuse a file that is not a bangfu database (contract §4) from what
/// [`found`] read, before anything is written to it: one without a schema
/// version that holds anything, or one whose tables are not those of its
/// version. An empty one becomes a bangfu database only if `may_fill`.
pub fn check_is_bangfu(
    path: &str,
    version: i64,
    objects: &[(String, String)],
    may_fill: bool,
) -> Result<(), StoreError> {
    let foreign = |reason: Foreign| {
        Err(StoreError::Foreign {
            path: path.to_string(),
            reason,
        })
    };
    let names = Tables::of;
    if version == 0 {
        return match objects {
            [] if may_fill => Ok(()),
            [] => Err(StoreError::Empty {
                path: path.to_string(),
            }),
            _ => foreign(Foreign::NoSchema {
                names: names(&objects.iter().map(|(_, n)| n).collect::<Vec<_>>()),
            }),
        };
    }
    let expected = tables_at(version)?;
    let present = tables(objects);
    let extra: Vec<&String> = present.iter().filter(|t| !expected.contains(t)).collect();
    let missing: Vec<&String> = expected.iter().filter(|t| !present.contains(t)).collect();
    if !extra.is_empty() {
        return foreign(Foreign::ExtraTables {
            names: names(&extra),
        });
    }
    if !missing.is_empty() {
        return foreign(Foreign::MissingTables {
            version,
            names: names(&missing),
        });
    }
    Ok(())
}

/// A table whose rows refer to records that do not exist, and how many
/// such rows (SQLite's foreign key check); `None` when all are whole.
pub fn broken_references(conn: &Connection) -> rusqlite::Result<Option<(String, i64)>> {
    conn.query_row(
        "SELECT \"table\", count(*) FROM pragma_foreign_key_check
         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}
