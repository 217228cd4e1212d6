"""A page that asks for a set of series by name (the LiveGraphs of a host's page): its audience (pure).

Series names in a URL are a stream's own choice, not a dashboard of the file, so the key that
stands for them cannot be a dashboard's name: it starts with a NUL, which no YAML name holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from live.dashboards.audience import AutoAudience

KEY_START = "\0series"


def series_key(names: Iterable[str]) -> str:
    """Return the audience key of a set of series names (the same for the same set, in any order)."""
    return KEY_START + json.dumps(sorted(set(names)), ensure_ascii=False)


def is_series_key(key: str) -> bool:
    """Tell whether an audience key stands for a set of series names."""
    return key.startswith(KEY_START)


class SeriesAudience(AutoAudience):
    """Every series whose name is in the set, in a panel named after it; nothing else."""

    def __init__(self, key: str) -> None:
        names = json.loads(key[len(KEY_START):])
        super().__init__(max_names=len(names))
        self.wanted = frozenset(names)

    def place(self, key: str, name: str, labels: str) -> tuple[str, ...]:
        """Return (name,) when the set holds this series' name, else ()."""
        return (name,) if name in self.wanted else ()

    def capped(self) -> dict[str, list[int]]:
        """Return {}: a set of names leaves nothing out that it asked for."""
        return {}
