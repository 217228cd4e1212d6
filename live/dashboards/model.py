"""What a dashboards file holds: dashboards of panels, each a view of the series it selects (pure).

The models are the format. YAML is validated into them (live.dashboards.loading) and Python code
may build them directly, Vizro-style, with the same checks either way. A check that spans fields
raises its error at the field to blame (a panel's width, the threshold out of order), so the
loader can point at that field's line.
"""

from __future__ import annotations

import bisect
import functools
import re
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, FiniteFloat, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from live.dashboards.selectors import Selector, parse_selector

# Mid-tone colours: at least 3:1 contrast (WCAG's bar for graphics) on white and on the dark theme
# (page #0f1318, panels #171c23) alike.
PALETTE: dict[str, str] = {
    "green": "#2f9e5a",
    "yellow": "#b08f0a",
    "orange": "#d9730d",
    "red": "#e5484d",
    "blue": "#3b82f6",
    "purple": "#9b6bdf",
    "grey": "#808891",
    "gray": "#808891",
}
Kind = Literal["line", "stat", "gauge"]
DEFAULT_TRACES: dict[str, int] = {"line": 20, "stat": 1, "gauge": 1}
MAX_TITLE_CHARS = 120
MAX_UNIT_CHARS = 16
_CONFIG = ConfigDict(extra="forbid", frozen=True)
_HEX = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# Plotly reads a few HTML tags in axis titles and hover text: a unit is shown there, so none may look like markup.
_NOT_IN_UNIT = re.compile("[<>&\"'`\x00-\x1f\x7f]")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def _problem(message: str) -> PydanticCustomError:
    """Return an error whose message is shown as written (a ValueError gets "Value error, " before it)."""
    return PydanticCustomError("dashboards", message)


def _problems(title: str, found: list[tuple[tuple[str | int, ...], str, Any]]) -> ValidationError:
    """Return one error for problems found below a model, each at its (location, message, bad value)."""
    details = [InitErrorDetails(type=_problem(message), loc=loc, input=value) for loc, message, value in found]
    return ValidationError.from_exception_data(title, details)


def _number(value: float) -> str:
    """Return a number as a person wrote it: 90, not 90.0."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _color(text: str) -> str:
    color = text.strip().lower()
    color = PALETTE.get(color, color)
    if _HEX.fullmatch(color):
        return "#" + "".join(digit * 2 for digit in color[1:]) if len(color) == 4 else color
    names = ", ".join(PALETTE)
    raise _problem(f"unknown colour {text!r}: use one of {names}, or #rgb or #rrggbb hex")


def _title(text: str) -> str:
    if _CONTROL.search(text):
        raise _problem("a title must not contain control characters")
    if text and not text.strip():
        raise _problem("a title must not be blank")
    return text


def _unit(text: str) -> str:
    bad = _NOT_IN_UNIT.search(text)
    if bad:
        raise _problem(f"units are plain text: {bad.group()!r} is not allowed in {text!r}")
    return text


def _selector(text: str) -> str:
    try:
        parse_selector(text)
    except ValueError as error:
        raise _problem(str(error)) from None
    return text


def _slug(text: str) -> str:
    if not _SLUG.fullmatch(text):
        raise _problem(
            f"a dashboard name is its URL, /d/<name>: 1 to 63 of a-z, 0-9, '-' and '_', "
            f"starting with a letter or digit; got {text!r}"
        )
    return text


@functools.lru_cache(maxsize=1024)
def _parse_all(series: tuple[str, ...]) -> tuple[Selector, ...]:
    # Cached by the texts, not on the panel: a frozen model's copy (model_copy) would carry a stale cache.
    return tuple(parse_selector(text) for text in series)


Color = Annotated[str, AfterValidator(_color)]
Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE_CHARS), AfterValidator(_title)]
Unit = Annotated[str, Field(max_length=MAX_UNIT_CHARS), AfterValidator(_unit)]
SelectorText = Annotated[str, AfterValidator(_selector)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Threshold(BaseModel):
    """From value up, a panel takes this colour (below the first threshold it keeps its own).

    `color` is given as a PALETTE name or #rgb / #rrggbb hex, and kept as #rrggbb, ready for CSS.
    """

    model_config = _CONFIG

    value: FiniteFloat
    color: Color


class PanelSpec(BaseModel):
    """One panel: the series it shows, how it draws them and where it sits in the grid."""

    model_config = _CONFIG

    title: Title
    series: list[SelectorText] = Field(min_length=1, max_length=50)
    kind: Kind = "line"
    unit: Unit = ""
    decimals: int | None = Field(default=None, ge=0, le=10)
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None
    thresholds: list[Threshold] = Field(default_factory=list, max_length=20)
    stale_seconds: Seconds | None = None
    window_seconds: Seconds | None = None
    window_points: int | None = Field(default=None, ge=2, le=100_000)
    width: int = Field(default=1, ge=1)
    height: int = Field(default=1, ge=1, le=12)
    max_traces: int | None = Field(default=None, ge=1, le=200)

    @model_validator(mode="after")
    def _check_together(self) -> PanelSpec:
        found: list[tuple[tuple[str | int, ...], str, Any]] = []
        if self.min is not None and self.max is not None and not self.min < self.max:
            found.append((("max",), f"max ({_number(self.max)}) must be above min ({_number(self.min)})", self.max))
        if self.kind == "gauge" and (self.min is None or self.max is None):
            missing = [name for name in ("min", "max") if getattr(self, name) is None]
            where, told = ("kind", "") if len(missing) == 2 else (missing[0], f"; {missing[0]} is not given")
            found.append(((where,), f"a gauge needs min and max, the ends of its dial{told}", None))
        for i, (before, after) in enumerate(pairwise(self.thresholds), start=1):
            if not before.value < after.value:
                message = f"thresholds must rise: {_number(before.value)} comes before {_number(after.value)}"
                found.append((("thresholds", i), message, after.value))
        if self.window_seconds is not None and self.window_points is not None:
            found.append((("window_points",), "give window_seconds or window_points, not both", self.window_points))
        if found:
            raise _problems(type(self).__name__, found)
        return self

    def selectors(self) -> tuple[Selector, ...]:
        """Return the parsed selectors, in the order of series."""
        return _parse_all(tuple(self.series))

    @property
    def traces_cap(self) -> int:
        """Return how many traces the panel draws at most."""
        return self.max_traces if self.max_traces is not None else DEFAULT_TRACES[self.kind]

    def threshold_for(self, value: float) -> Threshold | None:
        """Return the threshold a value has reached (the highest at or below it), or None."""
        reached = bisect.bisect_right([threshold.value for threshold in self.thresholds], value)
        return self.thresholds[reached - 1] if reached else None


class Dashboard(BaseModel):
    """A named screen of panels in a grid, served at /d/<name>."""

    model_config = _CONFIG

    name: Annotated[str, AfterValidator(_slug)]
    title: Annotated[str, Field(max_length=MAX_TITLE_CHARS), AfterValidator(_title)] = ""
    columns: int = Field(default=4, ge=1, le=12)
    kiosk: bool = False
    panels: list[PanelSpec] = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _check_widths(self) -> Dashboard:
        found: list[tuple[tuple[str | int, ...], str, Any]] = []
        for i, panel in enumerate(self.panels):
            if panel.width > self.columns:
                message = f"width {panel.width} is more than the dashboard's {self.columns} columns"
                found.append((("panels", i, "width"), message, panel.width))
        if found:
            raise _problems(type(self).__name__, found)
        return self

    @property
    def heading(self) -> str:
        """Return what the screen is headed with: its title, else its name."""
        return self.title or self.name


class DashboardsFile(BaseModel):
    """Everything a dashboards file defines."""

    model_config = _CONFIG

    dashboards: list[Dashboard] = Field(max_length=100)

    @model_validator(mode="after")
    def _check_names(self) -> DashboardsFile:
        first: dict[str, int] = {}
        found: list[tuple[tuple[str | int, ...], str, Any]] = []
        for i, dashboard in enumerate(self.dashboards):
            name = dashboard.name
            if name in first:
                message = f"dashboard name {name!r} is used twice: dashboards {first[name] + 1} and {i + 1}"
                found.append((("dashboards", i, "name"), message, name))
            first.setdefault(name, i)
        if found:
            raise _problems(type(self).__name__, found)
        return self

    def by_name(self, name: str) -> Dashboard | None:
        """Return the dashboard of this name, or None."""
        return next((dashboard for dashboard in self.dashboards if dashboard.name == name), None)
