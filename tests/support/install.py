"""`pip install` of this repository, as a host app gets it: into a folder of its own, from a copy of the sources."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT

# What the package is built from (pyproject.toml's packages); a copy, so the build leaves the checkout clean.
SOURCES = ("pyproject.toml", "requirements.txt", "live", "routes", "callbacks", "assets", "pulseboard")


def install_pulseboard(tmp: Path) -> Path:
    """Build and install Pulseboard (no dependencies: the test's environment has them) into tmp/site; return it."""
    source, site = tmp / "source", tmp / "site"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    # setuptools from requirements-dev.txt builds it: no download during the test.
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
               "--target", str(site), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return site
