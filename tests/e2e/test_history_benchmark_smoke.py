"""The history benchmark still runs end to end: `python -m benchmarks.history --quick` gives every row.

A smoke run, not a measurement: figures and PASS/FAIL are not checked, as machines vary.
"""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import ROOT


def test_quick_run_gives_every_row_and_keeps_the_spike() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.history", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and "ms" in line]
    for scope in ("24h", "1h zoom"):
        for read in ("store + downsampling", "pandas read_sql, raw", "GET /api/history"):
            assert any(line.startswith(f"| {scope} | {read} | ") for line in rows), (scope, read, run.stdout)
    assert '"spike_kept": true' in run.stdout
