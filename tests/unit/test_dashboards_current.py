"""The dashboards in force: reloads keep the last good file, and a half-saved one is not applied."""

from __future__ import annotations

from pathlib import Path

from live.dashboards.current import Dashboards

TEXT = "dashboards:\n  - name: a\n    panels:\n      - {title: t, series: [s]}\n"


def test_a_file_emptied_while_running_is_ignored_and_its_next_write_applied(tmp_path: Path) -> None:
    """An editor's truncate before its write must not remove every dashboard from open screens."""
    path = tmp_path / "dashboards.yaml"
    path.write_text(TEXT)
    boards = Dashboards.open(path, 500, 1000)
    path.write_text("")
    assert boards.reload() is False and boards.names == ["a"]
    path.write_text(TEXT.replace("name: a", "name: b"))
    assert boards.reload() is True and boards.names == ["b"]


def test_a_bad_edit_keeps_the_last_good_dashboards_and_a_fix_applies(tmp_path: Path) -> None:
    path = tmp_path / "dashboards.yaml"
    path.write_text(TEXT)
    boards = Dashboards.open(path, 500, 1000)
    audience = boards.audience("a")
    path.write_text(TEXT.replace("title: t", "title: t, kind: dial"))
    assert boards.reload() is True and boards.error and "kind" in boards.error
    assert boards.names == ["a"] and boards.audience("a") is audience
    assert boards.reload() is False  # the same error is told once
    path.write_text(TEXT)
    assert boards.reload() is True and boards.error is None
    assert boards.audience("a") is audience  # unchanged: its screens carry on undisturbed
