"""The many-series benchmark still runs end to end: `python -m benchmarks.many_series` with tiny numbers.

A smoke run, not a measurement: no time, heap or PASS/FAIL is checked, as machines vary; only that
both scenarios produce their rows, and that the page drew every panel and trace it was sent.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.servers import ROOT

# 4 names x 2 label sets at page load; 3 new names x 2 label sets arriving on an open page.
TINY = [
    "--runs", "1", "--shapes", "4x2", "--window", "20", "--observe", "1", "--timeout", "60",
    "--existing", "1", "--new-names", "3", "--new-labels", "2", "--spread", "0.4", "--follow", "1",
]  # fmt: skip


@pytest.mark.browser
def test_a_tiny_run_gives_both_scenarios_rows() -> None:
    """A page load (first visit and reload) and an arrival of new series: a row each, every trace drawn."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.many_series", *TINY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    runs = [json.loads(line) for line in lines if line.startswith("{")]
    loads = [r for r in runs if r["scenario"] == "load"]
    assert [r["visit"] for r in loads] == ["first", "reload"], runs
    assert all((r["panels"], r["traces"]) == (4, 8) for r in loads), loads
    (live,) = [r for r in runs if r["scenario"] == "live"]
    assert (live["series"], live["drawn"], live["caught"], live["statuses"]) == (6, 6, 6, [200]), live

    rows = [line for line in lines if line.startswith("| ") and not line.startswith("|---")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    headers = [row for row in cells if row[0].startswith(("Page load", "New series"))]
    assert [row[0].split(" (")[0] for row in headers] == ["Page load", "New series on an open page"]
    figures = [row for row in cells if row not in headers]
    assert [row[0].split(",")[0] for row in figures] == ["8 series (4 names × 2 label sets)"] * 2 + [
        "6 new series (3 names × 2 label sets) in 2 posts over 0.4 s"
    ], figures
    assert [row[0].rsplit("; ", 1)[1] for row in figures[:2]] == [
        "first visit (empty cache)",
        "reload (scripts cached)",
    ]
    for row, header in zip(figures, [headers[0], headers[0], headers[1]], strict=True):
        assert len(row) == len(header) and row[-1] in {"PASS", "FAIL"}, row
