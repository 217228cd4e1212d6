"""The PostgreSQL ingest benchmark still runs end to end: `python -m benchmarks.postgres_ingest` with 2 batches.

A smoke run, not a measurement: figures are not checked, as machines vary; only that every pass
gave one and every row is printed.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.postgres import SERVER
from tests.support.servers import ROOT

ROWS = ["PostgreSQL, through the store", "PostgreSQL, POST /api/points", "SQLite, POST /api/points"]


def test_a_tiny_run_gives_every_figure_and_row() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.postgres_ingest", "--batches", "2", "--server", SERVER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    figures = json.loads(lines[0])
    assert set(figures) == {"points", "raw_copy", "store", "http_postgres", "http_sqlite", "raw_sqlite"}
    assert figures["points"] == 5000 and all(value > 0 for value in figures.values())
    for name in ROWS:
        (row,) = [line for line in lines if line.startswith(f"| {name}")]
        assert "points/s" in row
