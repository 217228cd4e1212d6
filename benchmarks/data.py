"""Benchmark data: a database in Pulseboard's schema, seeded with full windows, and a direct writer."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from live.store.sqlite_schema import SCHEMA


def seed(path: Path, series: list[str], points: int, *, spacing: float = 1.0) -> None:
    """Create the database and give each series `points` points ending now, `spacing` seconds apart."""
    now = time.time()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
        for name in series:
            db.execute("INSERT OR IGNORE INTO series (name) VALUES (?)", (name,))
        ids = dict(db.execute("SELECT name, id FROM series WHERE labels = ''").fetchall())
        rows = [(ids[name], now - (points - i) * spacing, float(i % 100)) for i in range(points) for name in series]
        db.executemany("INSERT INTO points (series_id, ts, value) VALUES (?, ?, ?)", rows)
        db.commit()


class DirectWriter:
    """Writes points straight into the file, as the producer for the baselines (which have no ingest)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.ids = dict(self.db.execute("SELECT name, id FROM series WHERE labels = ''").fetchall())

    def write(self, points: list[tuple[str, float, float]]) -> int:
        """Store (series, ts, value) points in one transaction; return the last id."""
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(
            "INSERT INTO points (series_id, ts, value) VALUES (?, ?, ?)", [(self.ids[s], t, v) for s, t, v in points]
        )
        (last,) = self.db.execute("SELECT last_insert_rowid()").fetchone()
        self.db.execute("COMMIT")
        return last

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
