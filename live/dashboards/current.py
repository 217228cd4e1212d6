"""The dashboards in force: the last good file, one audience per dashboard, and a bad edit's error."""

from __future__ import annotations

import logging
from pathlib import Path

from live.dashboards.audience import Audience, AutoAudience, Playlist, Selection
from live.dashboards.loading import DashboardsError, read_dashboards
from live.dashboards.model import Dashboard, DashboardsFile
from live.dashboards.series_set import SeriesAudience, is_series_key

log = logging.getLogger(__name__)
# Sets of series asked for by pages (LiveGraph): each set's audience encodes a frame once for all its streams.
SERIES_SETS_KEPT = 256


class Dashboards:
    """What `/d/<name>` serves; swapped whole when the file changes, kept when the change is bad."""

    def __init__(
        self, path: Path | None, loaded: DashboardsFile, max_series: int, window: int, auto_panels: int = 50
    ) -> None:
        self.path = path
        self.auto_panels = auto_panels
        self._auto_pages: dict[int, AutoAudience] = {}
        self.window = window
        self.file = loaded
        self.max_series = max_series
        self.error: str | None = None  # why the file on disk is not in force
        self.version = 0  # counts changes screens are told of (new dashboards, or a new error)
        self._audiences = {board.name: Audience(board, max_series) for board in loaded.dashboards}
        self._playlists: dict[tuple[str, ...], Playlist] = {}
        self._series_sets: dict[str, SeriesAudience] = {}

    @classmethod
    def open(cls, path: Path | None, max_series: int, window: int, auto_panels: int = 50) -> Dashboards:
        """Read the dashboards file, if there is one; raise DashboardsError naming what is wrong."""
        loaded = fitting(read_dashboards(path), path, window) if path else DashboardsFile(dashboards=[])
        return cls(path, loaded, max_series, window, auto_panels)

    def auto(self, page: int = 1) -> AutoAudience:
        """Return who sees what on a page of the automatic dashboard (one per page, made when first asked)."""
        audience = self._auto_pages.get(page)
        if audience is None:
            audience = self._auto_pages[page] = AutoAudience(self.auto_panels, page)
        return audience

    @property
    def names(self) -> list[str]:
        """Return the dashboards' names, in the file's order."""
        return [board.name for board in self.file.dashboards]

    def get(self, name: str) -> Dashboard | None:
        """Return the dashboard served at /d/<name>, if any."""
        audience = self._audiences.get(name)
        return audience.dashboard if audience else None

    def audience(self, name: str) -> Audience | SeriesAudience | None:
        """Return who sees what on a dashboard's screens, if it exists (or a set of series: series_set.py)."""
        if is_series_key(name):
            return self.series_audience(name)
        return self._audiences.get(name)

    def playlist(self, names: tuple[str, ...]) -> Playlist | None:
        """Return who sees what on a screen rotating these dashboards, if they all exist.

        One per list of names, shared by its screens (a frame is cut and encoded once for them),
        kept while its dashboards are: an edit elsewhere in the file leaves its screens be.
        """
        audiences = [self._audiences.get(name) for name in names]
        if not names or None in audiences:
            return None
        playlist = self._playlists.get(names)
        if playlist is None or any(a is not b for a, b in zip(playlist.audiences, audiences, strict=True)):
            playlist = self._playlists[names] = Playlist([a for a in audiences if a is not None])
        return playlist

    def for_screen(
        self, dashboard: str | None, playlist: tuple[str, ...] | None, page: int
    ) -> Selection | AutoAudience | None:
        """Return a screen's audience: a playlist's, a dashboard's, else a page of the automatic dashboard's."""
        if playlist:
            return self.playlist(playlist)
        return self.audience(dashboard) if dashboard else self.auto(page)

    def series_audience(self, key: str) -> SeriesAudience:
        """Return the audience of a set of series names, one per set while it is asked for (the latest sets kept)."""
        audience = self._series_sets.pop(key, None) or SeriesAudience(key)
        self._series_sets[key] = audience  # most recent last
        if len(self._series_sets) > SERIES_SETS_KEPT:
            del self._series_sets[next(iter(self._series_sets))]
        return audience

    def _keep_or_new(self, board: Dashboard) -> Audience:
        # A dashboard left as it was keeps its audience: its screens carry on undisturbed.
        audience = self._audiences.get(board.name)
        return audience if audience is not None and audience.dashboard == board else Audience(board, self.max_series)

    def reload(self) -> bool:
        """Read the file again; keep the last good dashboards if it is bad. Return whether screens must hear of it."""
        if self.path is None:
            return False
        if self.file.dashboards and _is_empty(self.path):
            # Caught between an editor's truncate and its write: the write's own change follows.
            # (To remove every dashboard, write `dashboards: []`.)
            return False
        try:
            loaded = fitting(read_dashboards(self.path), self.path, self.window)
        except DashboardsError as error:
            if str(error) == self.error:
                return False
            log.error("dashboards file not applied, the last good one stays in force: %s", error)
            self.error = str(error)
            self.version += 1
            return True
        if loaded == self.file and self.error is None:
            return False
        self._audiences = {board.name: self._keep_or_new(board) for board in loaded.dashboards}
        self.file = loaded
        self.error = None
        self.version += 1
        log.info("dashboards file applied: %s", ", ".join(self.names) or "no dashboards")
        return True


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False  # gone: read_dashboards says so


def fitting(loaded: DashboardsFile, path: Path, window: int) -> DashboardsFile:
    """Return the dashboards if every panel's window fits in the points screens hold; else raise DashboardsError."""
    for board in loaded.dashboards:
        for number, panel in enumerate(board.panels, 1):
            if panel.window_points is not None and panel.window_points > window:
                raise DashboardsError(
                    f"{path.name}: dashboard {board.name!r}, panel {number} ({panel.title!r}), field 'window_points': "
                    f"{panel.window_points} is more than the {window} points screens hold (PULSEBOARD_WINDOW_POINTS)",
                    source=path.name,
                )
    return loaded
