"""The wall and soak benchmarks still run end to end: `python -m benchmarks.wall` and `.soak` with tiny numbers.

Smoke runs, not measurements: no latency, busy time or heap figure is checked, as machines vary;
only that the rows and readings are produced and that the page drew every point it was sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.servers import ROOT

pytestmark = pytest.mark.browser


def run(module: str, *args: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Run the benchmark; return its JSON lines and its other lines."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")], [
        line for line in lines if not line.startswith("{")
    ]


def table_rows(lines: list[str]) -> list[list[str]]:
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("|---")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def test_a_tiny_wall_gives_a_row_per_app_and_panel_count_with_every_point_drawn() -> None:
    """2 and 3 panels, 3 s each: Pulseboard's kiosk page and the Interval baseline, each point in gd.data and drawn."""
    rows, lines = run("benchmarks.wall", "--panels", "2,3", "--seconds", "3", "--window", "20")
    assert [(r["app"], r["panels"]) for r in rows] == [
        ("pulseboard", 2),
        ("interval-extend", 2),
        ("pulseboard", 3),
        ("interval-extend", 3),
    ]
    for row in rows:
        assert row["sent"] >= 3 * row["panels"], row
        assert row["in_data"] == row["drawn"] == row["sent"] and row["missed"] == 0, row
        assert row["busy_ms_per_s"] > 0, row
    cells = table_rows(lines)
    assert [(c[0], c[1], c[3]) for c in cells] == [
        ("Pulseboard kiosk", "2", "0"),
        ("(b) Interval + extendData", "2", "0"),
        ("Pulseboard kiosk", "3", "0"),
        ("(b) Interval + extendData", "3", "0"),
    ]


def test_a_tiny_soak_gives_readings_and_the_three_checks_with_every_point_drawn() -> None:
    """12 s of 4 panels at 10 points/s, a reading every 4 s: heap, nodes, latency each time; nothing missed."""
    # A 300-point window is 30 s at 10 points/s: a page behind by less than that still draws every point.
    readings, lines = run("benchmarks.soak", "--minutes", "0.2", "--every", "4", "--panels", "4", "--window", "300")
    start, *timed = readings
    assert start["reading"] == "start" and len(timed) >= 3, readings
    for reading in timed:
        assert reading["heap_mib"] > 0 and reading["nodes"] > 0 and reading["attached"] > 0, reading
        assert reading["url"].endswith("/d/soak?kiosk=1"), reading
    assert sum(r["sent"] for r in timed) >= 4 * 10 * 10, timed
    checks = [line for line in lines if line.startswith("- ")]
    assert [line.split(",")[0].split(":")[0] for line in checks[-4:]] == [
        "- JS heap after GC",
        "- Latency p95",
        "- DOM nodes (CDP Nodes)",
        "- Points",
    ], checks
    assert ", 0 missed; page reloaded: no;" in checks[-1], checks[-1]
    assert len(table_rows(lines)) == len(timed)
