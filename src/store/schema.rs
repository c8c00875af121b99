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
];

/// The versions whose migration copies a table: upgrading past one leaves
/// the old table's pages free in the file, to be given back.
pub const COPIES_A_TABLE: &[i64] = &[4, 5];

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
