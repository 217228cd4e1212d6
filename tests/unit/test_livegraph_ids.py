"""LiveGraph's ids: safe for any series name (no "." reaches Dash), one per set of names."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from pulseboard.livegraph import safe_id

names = st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=4)


@given(names)
def test_ids_hold_no_dot_and_give_the_names_back(series: list[str]) -> None:
    made = safe_id(series)
    assert "." not in made
    assert [unquote(part) for part in made.split(",")] == series


def test_dotted_names_stay_apart() -> None:
    assert safe_id(["cpu.load"]) == "cpu%2Eload"
    assert safe_id(["a.b", "c"]) != safe_id(["a", "b.c"])
