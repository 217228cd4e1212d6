"""Frame grouping: commits become frames, gaps are noticed."""

from __future__ import annotations

from live.framer import rows_after
from live.model import Commit, Row


def commit(first: int, last: int) -> Commit:
    return Commit(first, last, tuple(Row(i, "s", "", float(i), float(i)) for i in range(first, last + 1)))


def ids(rows: list[Row] | None) -> list[int] | None:
    return None if rows is None else [row.id for row in rows]


def test_contiguous_commits_make_one_run() -> None:
    """Commits that follow each other give their rows in id order."""
    assert ids(rows_after([commit(1, 2), commit(3, 5)], 0)) == [1, 2, 3, 4, 5]


def test_out_of_order_commits_are_sorted() -> None:
    """Two workers' commits may arrive swapped; the frame still runs in id order."""
    assert ids(rows_after([commit(3, 3), commit(1, 2)], 0)) == [1, 2, 3]


def test_already_framed_commits_are_skipped() -> None:
    """A late duplicate is dropped, not framed twice."""
    assert ids(rows_after([commit(1, 2), commit(3, 4)], 2)) == [3, 4]


def test_a_gap_asks_for_sqlite() -> None:
    """A missing commit means the hub lost a message: None sends the framer to the store."""
    assert rows_after([commit(1, 2), commit(5, 6)], 0) is None
    assert rows_after([commit(4, 6)], 2) is None
