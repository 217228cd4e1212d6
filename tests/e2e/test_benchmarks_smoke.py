"""The benchmark command still runs end to end: `python -m benchmarks --quick` gives every row.

A smoke run, not a measurement: figures and PASS/FAIL are not checked, as CI machines vary.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.servers import ROOT

ROWS = [
    "Bytes on the wire per single-point update",
    "Server CPU per client per update",
    "Fan-out: most streams one worker holds",
    "Server memory per open stream",
    "Ingest, 5,000-point batches",
    "Ingest-to-screen latency in headless Chromium",
    "The same, Pulseboard with PULSEBOARD_FRAME_RATE=10",
    "Latency p95, first minute → last minute",
    "Bytes per frame as the browser received it",
    "Browser main-thread busy time",
    "JS heap after GC",
]


@pytest.mark.browser
def test_quick_run_gives_every_row() -> None:
    """Every scenario runs against every app and fills Pulseboard's column."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-write"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stdout.splitlines() if line.startswith("| ")]
    for name in ROWS:
        (row,) = [line for line in lines if line.startswith(f"| {name}")]
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1] not in ("", "–"), f"Pulseboard has no figure in {name!r}"
    # Every protocol row has a figure for each baseline too.
    for name in ROWS[:2] + ROWS[5:6] + ROWS[9:]:
        (row,) = [line for line in lines if line.startswith(f"| {name}")]
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert "–" not in cells[1:5], f"a baseline has no figure in {name!r}: {cells[1:5]}"
