"""The PostgreSQL benchmarks still run end to end: `benchmarks.postgres_ingest` with 2 batches, `hosts_fanout` tiny.

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


def test_a_tiny_two_host_fan_out_run_gives_both_hosts_figures() -> None:
    """`python -m benchmarks.hosts_fanout` with 5 streams a host: both hosts' streams got frames."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.hosts_fanout", "--streams", "5", "--seconds", "2", "--warmup", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.splitlines()[0])
    assert figures["streams_per_host"] == 5 and figures["frames"] >= 1
    assert all(figures[host]["delivered"] > 0 for host in ("a", "b")), figures
