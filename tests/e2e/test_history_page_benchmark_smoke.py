"""The history page benchmark still runs end to end: `python -m benchmarks.history_page --quick` gives every row.

A smoke run, not a measurement: no time or PASS/FAIL is checked, as machines vary; only that
every run drew every panel, opened, zoomed and picked back to 24 h, and that the table has its rows.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.history_page import ROWS
from tests.support.servers import ROOT

pytestmark = pytest.mark.browser


def test_quick_run_opens_and_zooms_every_panel_and_gives_every_row() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.history_page", "--quick"], cwd=ROOT, capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    runs = [json.loads(line) for line in lines if line.startswith('{"run"')]
    assert [run["run"] for run in runs] == [1, 2]
    for run in runs:
        for step in ("opened", "zoom", "picked"):
            assert run[step]["panels"] == 3 and run[step]["points"] > 0, run
        # The zoom's one hour of 2,000 points a day is fewer points than the day's: redrawn, not the same.
        assert run["zoom"]["points"] < run["opened"]["points"] <= run["picked"]["points"] + 3, run
    labels = [line.split("|")[1].strip() for line in lines if line.startswith("| ")][1:]
    assert labels == [label for _, _, label in ROWS]
