"""Who is sent what: the series a dashboard's screens receive, and which of its panels draws each (pure).

A frame is built once for everything committed (live/updates.py); a dashboard's screens get
it cut down to the series their panels select, encoded once per dashboard, not per screen
(live/framer.py Frame.for_audience). A series is placed the first time this process sees it,
in its panels until a panel's trace cap or the dashboard's series cap is reached; past a
cap the series is counted, not sent, and the panel says how many it leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from live.dashboards.model import Dashboard
from live.model import InvalidInput, label_dict, series_key
from live.window import Window


def panel_id(index: int, slide: int | None = None) -> str:
    """Return the id of a dashboard's panel: p0, p1, ...; s1p0, ... for the second of a playlist's dashboards.

    Never a series name: see live/layout.py.
    """
    return f"p{index}" if slide is None else f"s{slide}p{index}"


class Selection:
    """Cuts frames down to the series whose `place` names panels, telling screens of `capped` changes."""

    def __init__(self) -> None:
        self._placed: dict[str, tuple[str, ...]] = {}
        self._reported: dict[str, list[int]] = {}  # the caps the last frame told screens of

    def place(self, key: str, name: str, labels: str) -> tuple[str, ...]:
        """Return the ids of the panels that draw this series (placing it on first sight)."""
        raise NotImplementedError

    def capped(self) -> dict[str, list[int]]:
        """Return [shown, matched] for each panel that leaves series out."""
        raise NotImplementedError

    def select(self, payload: Mapping[str, Any], windows: Mapping[str, Window]) -> dict[str, Any] | None:
        """Return a frame's payload cut down to the series placed, or None when it has none of them.

        `windows` holds every key's window (for its series name and labels). Every series named gets its panels
        under "new" the first time the screens see it, so a screen that missed a
        "new" (it opened later) is told again at its reset.
        """
        updates = {}
        for key, update in payload["updates"].items():
            window = windows[key]
            if self.place(key, window.name, window.labels):
                updates[key] = update
        # Whoever placed a series first (this frame, a reset, the stale gauge's scrape), the next
        # frame tells open screens of a cap it changed, even a frame with nothing else for them.
        capped = self.capped()
        if not updates and capped == self._reported:
            return None
        selected: dict[str, Any] = {"updates": updates}
        new = {
            key: {**entry, "panels": list(self.place(key, windows[key].name, windows[key].labels))}
            for key, entry in payload.get("new", {}).items()
            if key in updates
        }
        if new:
            selected["new"] = new
        if capped != self._reported:
            selected["capped"] = self._reported = capped
        return selected

    def select_windows(self, windows: Mapping[str, Window]) -> dict[str, tuple[str, ...]]:
        """Return the panels of each series in `windows` that are drawn."""
        placed = {key: self.place(key, window.name, window.labels) for key, window in windows.items()}
        return {key: panels for key, panels in placed.items() if panels}


class Audience(Selection):
    """One dashboard's selection: for each series key, the panels it is drawn in (none: not sent)."""

    def __init__(self, dashboard: Dashboard, max_series: int) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.max_series = max_series
        self._sent = 0  # series placed in at least one panel
        self._shown = [0] * len(dashboard.panels)
        self._matched = [0] * len(dashboard.panels)

    def place(self, key: str, name: str, labels: str) -> tuple[str, ...]:
        """Return the ids of the panels that draw this series (placing it on first sight)."""
        placed = self._placed.get(key)
        if placed is None:
            placed = self._placed[key] = self._place(name, label_dict(labels))
        return placed

    def _place(self, name: str, labels: Mapping[str, str]) -> tuple[str, ...]:
        panels: list[str] = []
        room = self._sent < self.max_series
        for index, panel in enumerate(self.dashboard.panels):
            if not any(selector.matches(name, labels) for selector in panel.selectors()):
                continue
            self._matched[index] += 1
            if room and self._shown[index] < panel.traces_cap:
                self._shown[index] += 1
                panels.append(panel_id(index))
        if panels:
            self._sent += 1
        return tuple(panels)

    def panel_keys(self, every: Sequence[tuple[str, str]], asked: Sequence[str]) -> dict[str, list[str]]:
        """Return the keys each asked panel draws (all of them if none asked), of the stored series `every`.

        The same placing as a screen's reset: a line panel's every series, a stat's or gauge's
        first (the one it shows). A panel the dashboard does not have is refused, naming it (404).
        """
        kinds = {panel_id(index): panel.kind for index, panel in enumerate(self.dashboard.panels)}
        unknown = [wanted for wanted in asked if wanted not in kinds]
        if unknown:
            raise InvalidInput(
                f"panel {unknown[0][:40]!r} is not one of dashboard {self.dashboard.name!r}'s "
                f"(p0 to p{len(kinds) - 1})", field="panel", status=404)
        keys: dict[str, list[str]] = {wanted: [] for wanted in (asked or kinds)}
        for name, labels in every:
            key = series_key(name, labels)
            for panel in self.place(key, name, labels):
                if panel in keys and (kinds[panel] == "line" or not keys[panel]):
                    keys[panel].append(key)
        return keys

    def stale(self, windows: Mapping[str, Window], now: float) -> int:
        """Count the series drawn in a panel with stale_seconds whose newest point is older than that."""
        limits = {panel_id(index): panel.stale_seconds for index, panel in enumerate(self.dashboard.panels)}
        count = 0
        for key, window in windows.items():
            ages = [limits[panel] for panel in self.place(key, window.name, window.labels) if limits[panel] is not None]
            if ages and window.ts and now - window.ts[-1] > min(ages):
                count += 1
        return count

    def capped(self) -> dict[str, list[int]]:
        """Return [shown, matched] for each panel that leaves series out."""
        return {
            panel_id(index): [shown, matched]
            for index, (shown, matched) in enumerate(zip(self._shown, self._matched, strict=True))
            if matched > shown
        }

class AutoAudience:
    """One page of the automatic dashboard: every series of `max_names` series names, a panel each.

    Page 1 has the first `max_names` names in the order this process first saw them, page 2
    the next, and so on. More on one page would be more graphs than a browser keeps up with
    (600 new series froze it for minutes: issue 13, finding 1). While nothing is left out, a
    frame is sent as it was made, encoded once for everyone.
    """

    def __init__(self, max_names: int, page: int = 1) -> None:
        self.max_names = max_names
        self.page = page
        self._first = (page - 1) * max_names
        self._names: dict[str, bool] = {}  # series name -> drawn on this page
        self._shown = 0

    def place(self, key: str, name: str, labels: str) -> tuple[str, ...]:
        """Return (name,) when this page draws this series, else ()."""
        shown = self._names.get(name)
        if shown is None:
            shown = self._names[name] = self._first <= len(self._names) < self._first + self.max_names
            self._shown += shown
        return (name,) if shown else ()

    @property
    def seen(self) -> int:
        """Return how many series names this page has placed, its own and the other pages'."""
        return len(self._names)

    def capped(self) -> dict[str, list[int]]:
        """Return {"names": [shown, seen]} when names are left out (on other pages)."""
        seen = len(self._names)
        return {"names": [self._shown, seen]} if seen > self._shown else {}

    def select(self, payload: Mapping[str, Any], windows: Mapping[str, Window]) -> Mapping[str, Any] | None:
        """Return the payload itself while nothing is left out, else the part for the names drawn."""
        keys = {key: self.place(key, windows[key].name, windows[key].labels) for key in payload["updates"]}
        if all(keys.values()):
            return payload
        updates = {key: update for key, update in payload["updates"].items() if keys[key]}
        if not updates:
            return None
        selected: dict[str, Any] = {"updates": updates}
        new = {key: entry for key, entry in payload.get("new", {}).items() if keys.get(key)}
        if new:
            selected["new"] = new
        return selected

    def select_windows(self, windows: Mapping[str, Window]) -> dict[str, tuple[str, ...]]:
        """Return the series in `windows` the page draws (each in its name's panel)."""
        placed = {key: self.place(key, window.name, window.labels) for key, window in windows.items()}
        return {key: panels for key, panels in placed.items() if panels}


class Playlist(Selection):
    """Several dashboards on one screen, shown in turn: each series goes to every panel of each that draws it.

    Panel ids carry the dashboard's place in the playlist (`panel_id`); what each dashboard
    places and caps is its own audience's, so a playlist agrees with the dashboards' own screens.
    """

    def __init__(self, audiences: Sequence[Audience]) -> None:
        super().__init__()
        self.audiences = tuple(audiences)

    def place(self, key: str, name: str, labels: str) -> tuple[str, ...]:
        """Return the ids of the panels, of every dashboard of the playlist, that draw this series."""
        placed = self._placed.get(key)
        if placed is None:
            placed = self._placed[key] = tuple(
                f"s{slide}{panel}"
                for slide, audience in enumerate(self.audiences)
                for panel in audience.place(key, name, labels)
            )
        return placed

    def capped(self) -> dict[str, list[int]]:
        """Return [shown, matched] for each panel, of every dashboard, that leaves series out."""
        return {
            f"s{slide}{panel}": counts
            for slide, audience in enumerate(self.audiences)
            for panel, counts in audience.capped().items()
        }
