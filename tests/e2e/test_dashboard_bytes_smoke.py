"""The dashboard bytes benchmark still runs end to end: `python -m benchmarks.dashboard_bytes` with tiny numbers.

A smoke run, not a measurement: only that every screen got its updates, and that the dashboard's
stream, which carries 8 of the 28 series, is the smaller of Pulseboard's two.
"""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import ROOT


def test_a_tiny_run_gives_every_screen_a_figure() -> None:
    """Three servers, four clients, three seconds of points: four rows of figures."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.dashboard_bytes", "--seconds", "3", "--others", "20", "--window", "50"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and not line.startswith("| Screen")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    assert [row[0].split(",")[0] for row in cells] == [
        "Pulseboard",
        "Pulseboard",
        "(a) Interval + whole figure",
        "(b) Interval + extendData",
    ]
    received = [float(row[1].replace(",", "")) for row in cells]
    updates = [int(row[3]) for row in cells]
    assert all(count > 0 for count in updates), cells
    assert 0 < received[0] < received[1], cells
