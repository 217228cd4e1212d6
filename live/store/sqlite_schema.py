"""The SQLite file's schema, its version, and the upgrade of files older Pulseboards wrote.

Version 3 (PRAGMA user_version = 3): version 2, plus `rollups`, each series' lowest and highest
point per 10 s of time (sqlite_rollups.py), for history reads of long ranges; `prepare` fills
it from the points of an older file.
Version 2: a series is a name plus its canonical labels, each pair
a row of `series`; points refer to it; `idempotency_keys` holds the key of each batch sent with
one, with its ids, committed with its points (kept as long as retention keeps points).
Version 1 was the same without `idempotency_keys`; `prepare` adds it. Version 0 had one series
per name and the labels on each point; `prepare` rewrites such a file in place, keeping every
point's id (its event id).
"""

from __future__ import annotations

import secrets

import aiosqlite

from live.store import StorageError
from live.store.sqlite_rollups import FILL_ALL, ROLLUPS

VERSION = 3
STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '',
    UNIQUE (name, labels)
)""",
    """CREATE TABLE IF NOT EXISTS points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL REFERENCES series(id),
    ts REAL NOT NULL,
    value REAL NOT NULL
)""",
    # Windows and retention walk a series by (ts, id): SQLite ends every index with the rowid,
    # which is id, so this index is ordered by (series_id, ts, id) without storing id twice.
    "CREATE INDEX IF NOT EXISTS points_by_series_ts ON points (series_id, ts)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS idempotency_keys_by_created ON idempotency_keys (created)",
    ROLLUPS,
    f"PRAGMA user_version = {VERSION}",
)
# The same, as one script for sqlite3's executescript (benchmarks and tests build files with it).
SCHEMA = ";\n".join(STATEMENTS) + ";\n"

FROM_VERSION_0 = (
    "CREATE TABLE series_v1 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL DEFAULT '',"
    " UNIQUE (name, labels))",
    # Points without labels stay where they are: each old series is now its name with no labels.
    "INSERT INTO series_v1 (id, name) SELECT id, name FROM series",
    # Each label set seen with a name becomes a series of its own, in the order it was first seen.
    "INSERT INTO series_v1 (name, labels) SELECT s.name, p.labels FROM points p JOIN series s ON s.id = p.series_id"
    " WHERE p.labels IS NOT NULL AND p.labels != '' GROUP BY p.series_id, p.labels ORDER BY MIN(p.id)",
    "UPDATE points SET series_id = (SELECT n.id FROM series s JOIN series_v1 n ON n.name = s.name"
    " WHERE s.id = points.series_id AND n.labels = points.labels) WHERE labels IS NOT NULL AND labels != ''",
    # A name whose every point had labels has no series without them.
    "DELETE FROM series_v1 WHERE NOT EXISTS (SELECT 1 FROM points WHERE series_id = series_v1.id)",
    "DROP INDEX IF EXISTS points_by_series",
    "ALTER TABLE points DROP COLUMN labels",
    "DROP TABLE series",
    "ALTER TABLE series_v1 RENAME TO series",
    *STATEMENTS[2:],
)
FROM_VERSION_1 = STATEMENTS[4:]  # the idempotency keys, the rollups
FROM_VERSION_2 = STATEMENTS[6:]  # the rollups


async def _one(db: aiosqlite.Connection, sql: str) -> tuple:
    async with db.execute(sql) as cursor:
        return await cursor.fetchone() or ()


async def prepare(db: aiosqlite.Connection) -> str:
    """Create or upgrade the schema and return the database's id, inside the caller's BEGIN IMMEDIATE.

    The version is read inside that transaction: of several workers opening one file at once,
    the first creates or upgrades it, and the others, waiting for the lock, find it done.
    """
    (version,) = await _one(db, "PRAGMA user_version")
    if version > VERSION:
        raise StorageError(f"the database has schema version {version}; this Pulseboard knows up to {VERSION}")
    old = version > 0
    if version == 0:
        old = bool(await _one(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'points'"))
        for statement in FROM_VERSION_0 if old else STATEMENTS:
            await db.execute(statement)
    elif version in (1, 2):
        for statement in FROM_VERSION_1 if version == 1 else FROM_VERSION_2:
            await db.execute(statement)
    if old and version < VERSION:
        for statement in FILL_ALL:  # the points an older Pulseboard stored, rolled up once
            await db.execute(statement)
    await db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('database_id', ?)", (secrets.token_hex(8),))
    (database_id,) = await _one(db, "SELECT value FROM meta WHERE key = 'database_id'")
    return database_id
