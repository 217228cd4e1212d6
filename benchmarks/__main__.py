"""`python -m benchmarks`: run every scenario against Pulseboard and the baselines, and report."""

from __future__ import annotations

import sys

from benchmarks.run import main

sys.exit(main())
