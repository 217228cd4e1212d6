"""The dashboards models: every rule of the file format, from YAML-shaped data and from Python alike (pure)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from live.dashboards.model import PALETTE, Dashboard, DashboardsFile, PanelSpec, Threshold
from live.dashboards.selectors import parse_selector
from live.figures import THEMES

PANEL = {"title": "CPU", "series": ["host.cpu_percent"]}
Loc = tuple[str | int, ...]


def panel(**fields: Any) -> dict[str, Any]:
    return {**PANEL, **fields}


def board(*panels: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": "ops", "panels": list(panels) or [PANEL], **fields}


def problems(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[Loc, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(error["loc"], error["msg"]) for error in caught.value.errors()]


def luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", sorted(PALETTE))
@pytest.mark.parametrize("background", ["#ffffff", "#0f1318", THEMES["dark"]["paper_bgcolor"]])
def test_palette_colours_read_on_light_and_dark(name: str, background: str) -> None:
    """Every named colour stands out 3:1 (WCAG, graphics) from white panels, and the dark page and its panels."""
    assert contrast(PALETTE[name], background) >= 3.0


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("red", PALETTE["red"]),
        (" Orange ", PALETTE["orange"]),
        ("gray", PALETTE["grey"]),
        ("#F00", "#ff0000"),
        ("#1a2B3c", "#1a2b3c"),
    ],
)
def test_a_threshold_keeps_its_colour_as_hex(given: str, kept: str) -> None:
    """Palette names and #rgb are kept as #rrggbb, ready for CSS."""
    assert Threshold(value=1, color=given).color == kept


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({"value": 1, "color": "bleu"}, ("color",), "unknown colour 'bleu': use one of green, yellow"),
        ({"value": 1, "color": "#12"}, ("color",), "unknown colour '#12'"),
        ({"value": 1, "color": "#1234567"}, ("color",), "or #rgb or #rrggbb hex"),
        ({"value": math.nan, "color": "red"}, ("value",), "finite number"),
        ({"value": math.inf, "color": "red"}, ("value",), "finite number"),
        ({"value": 1}, ("color",), "Field required"),
        ({"value": 1, "color": "red", "colour": "red"}, ("colour",), "Extra inputs are not permitted"),
    ],
)
def test_a_bad_threshold_is_refused(fields: dict[str, Any], loc: Loc, message: str) -> None:
    """A threshold needs a finite value and a known colour."""
    ((where, said),) = problems(Threshold, fields)
    assert (where, message in said) == (loc, True)


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({"title": ""}, ("title",), "at least 1 character"),
        ({"title": "x" * 121}, ("title",), "at most 120 characters"),
        ({"title": "CPU\nload"}, ("title",), "a title must not contain control characters"),
        ({"title": "   "}, ("title",), "a title must not be blank"),
        ({"series": []}, ("series",), "at least 1 item"),
        ({"series": [f"s{i}" for i in range(51)]}, ("series",), "at most 50 items"),
        ({"series": ["cpu", 'cpu{host="a"']}, ("series", 1), "unclosed '{' in 'cpu{host=\"a\"'"),
        ({"series": ["cpu{host=a}"]}, ("series", 0), "label filter 'host' needs a quoted value"),
        ({"series": "cpu"}, ("series",), "valid list"),
        ({"kind": "pie"}, ("kind",), "Input should be 'line', 'stat' or 'gauge'"),
        ({"unit": "<b>%</b>"}, ("unit",), "units are plain text: '<' is not allowed in '<b>%</b>'"),
        ({"unit": "a&b"}, ("unit",), "units are plain text: '&' is not allowed"),
        ({"unit": 'in"'}, ("unit",), "units are plain text: '\"' is not allowed"),
        ({"unit": "it's"}, ("unit",), "units are plain text"),
        ({"unit": "`x`"}, ("unit",), "units are plain text: '`' is not allowed"),
        ({"unit": "ms\t"}, ("unit",), "units are plain text: '\\t' is not allowed"),
        ({"unit": "x" * 17}, ("unit",), "at most 16 characters"),
        ({"decimals": -1}, ("decimals",), "greater than or equal to 0"),
        ({"decimals": 11}, ("decimals",), "less than or equal to 10"),
        ({"min": 10, "max": 10}, ("max",), "max (10) must be above min (10)"),
        ({"min": 100, "max": 0.5}, ("max",), "max (0.5) must be above min (100)"),
        ({"min": -math.inf}, ("min",), "finite number"),
        ({"kind": "gauge"}, ("kind",), "a gauge needs min and max"),
        ({"kind": "gauge", "min": 0}, ("max",), "a gauge needs min and max, the ends of its dial; max is not given"),
        ({"kind": "gauge", "max": 1}, ("min",), "min is not given"),
        (
            {"thresholds": [{"value": 90, "color": "red"}, {"value": 70, "color": "orange"}]},
            ("thresholds", 1),
            "thresholds must rise: 90 comes before 70",
        ),
        (
            {"thresholds": [{"value": 70, "color": "orange"}, {"value": 70.0, "color": "red"}]},
            ("thresholds", 1),
            "thresholds must rise: 70 comes before 70",
        ),
        ({"thresholds": [{"value": 70, "color": "mauve"}]}, ("thresholds", 0, "color"), "unknown colour 'mauve'"),
        ({"thresholds": [{"value": i, "color": "red"} for i in range(21)]}, ("thresholds",), "at most 20 items"),
        ({"stale_seconds": 0}, ("stale_seconds",), "greater than 0"),
        ({"stale_seconds": math.inf}, ("stale_seconds",), "finite number"),
        ({"window_seconds": -5}, ("window_seconds",), "greater than 0"),
        ({"window_points": 1}, ("window_points",), "greater than or equal to 2"),
        ({"window_points": 100_001}, ("window_points",), "less than or equal to 100000"),
        ({"window_seconds": 60, "window_points": 100}, ("window_points",), "give window_seconds or window_points"),
        ({"width": 0}, ("width",), "greater than or equal to 1"),
        ({"height": 0}, ("height",), "greater than or equal to 1"),
        ({"height": 13}, ("height",), "less than or equal to 12"),
        ({"max_traces": 0}, ("max_traces",), "greater than or equal to 1"),
        ({"max_traces": 201}, ("max_traces",), "less than or equal to 200"),
        ({"colour": "red"}, ("colour",), "Extra inputs are not permitted"),
    ],
)
def test_a_bad_panel_is_refused_at_the_field_to_blame(fields: dict[str, Any], loc: Loc, message: str) -> None:
    """Each rule of a panel gives one error, located at the field (or item) that breaks it."""
    ((where, said),) = problems(PanelSpec, panel(**fields))
    assert where == loc
    assert message in said


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x" * 120, "unit": "x" * 16, "decimals": 0},
        {"decimals": 10, "min": -1.5, "max": 1.5},
        {"kind": "gauge", "min": 0, "max": 100},
        {"kind": "stat", "thresholds": [{"value": -1, "color": "blue"}, {"value": 0, "color": "green"}]},
        {"unit": "°C", "window_seconds": 0.5, "stale_seconds": 0.1},
        {"unit": "KiB/s", "window_points": 2, "height": 12, "max_traces": 200},
        {"series": [f"s{i}" for i in range(50)]},
    ],
)
def test_panels_at_the_limits_are_valid(fields: dict[str, Any]) -> None:
    """Every limit is inclusive where the docs say so."""
    assert PanelSpec.model_validate(panel(**fields)).title == panel(**fields)["title"]


def test_a_panel_has_documented_defaults() -> None:
    """A title and series are all a panel needs."""
    spec = PanelSpec.model_validate(PANEL)
    assert (spec.kind, spec.unit, spec.decimals, spec.min, spec.max, spec.thresholds) == (
        "line",
        "",
        None,
        None,
        None,
        [],
    )
    assert (spec.stale_seconds, spec.window_seconds, spec.window_points) == (None, None, None)
    assert (spec.width, spec.height, spec.max_traces) == (1, 1, None)


@pytest.mark.parametrize(
    ("fields", "cap"),
    [
        ({}, 20),
        ({"kind": "stat"}, 1),
        ({"kind": "gauge", "min": 0, "max": 1}, 1),
        ({"max_traces": 7}, 7),
        ({"kind": "stat", "max_traces": 3}, 3),
    ],
)
def test_the_trace_cap_is_the_given_one_or_the_kinds(fields: dict[str, Any], cap: int) -> None:
    """Lines draw up to 20 traces unless told; a stat or gauge draws one."""
    assert PanelSpec.model_validate(panel(**fields)).traces_cap == cap


def test_a_panel_gives_its_selectors_parsed() -> None:
    """selectors() is the series, parsed, in order."""
    spec = PanelSpec.model_validate(panel(series=["host.*", 'cpu{host="a"}']))
    assert spec.selectors() == (parse_selector("host.*"), parse_selector('cpu{host="a"}'))
    assert spec.selectors()[1].matches("cpu", {"host": "a"})


@pytest.mark.parametrize(("value", "reached"), [(-5, None), (69.9, None), (70, "orange"), (89, "orange"), (90, "red")])
def test_a_value_takes_the_colour_of_the_highest_threshold_it_reaches(value: float, reached: str | None) -> None:
    """From a threshold's value up, its colour applies; below the first, none does."""
    spec = PanelSpec.model_validate(panel(thresholds=[{"value": 70, "color": "orange"}, {"value": 90, "color": "red"}]))
    threshold = spec.threshold_for(value)
    assert (threshold.color if threshold else None) == (PALETTE[reached] if reached else None)


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({"name": "Ops"}, ("name",), "a dashboard name is its URL, /d/<name>"),
        ({"name": "-ops"}, ("name",), "starting with a letter or digit"),
        ({"name": "ops/x"}, ("name",), "got 'ops/x'"),
        ({"name": "o" * 64}, ("name",), "1 to 63 of a-z"),
        ({"name": ""}, ("name",), "a dashboard name is its URL"),
        ({"title": "x" * 121}, ("title",), "at most 120 characters"),
        ({"title": "a\x07"}, ("title",), "control characters"),
        ({"columns": 0}, ("columns",), "greater than or equal to 1"),
        ({"columns": 13}, ("columns",), "less than or equal to 12"),
        ({"panels": []}, ("panels",), "at least 1 item"),
        ({"panels": [PANEL] * 65}, ("panels",), "at most 64 items"),
        (
            {"columns": 2, "panels": [PANEL, panel(width=3)]},
            ("panels", 1, "width"),
            "width 3 is more than the dashboard's 2 columns",
        ),
        ({"panels": [panel(kind="donut")]}, ("panels", 0, "kind"), "'line', 'stat' or 'gauge'"),
        ({"pages": []}, ("pages",), "Extra inputs are not permitted"),
    ],
)
def test_a_bad_dashboard_is_refused_at_the_field_to_blame(fields: dict[str, Any], loc: Loc, message: str) -> None:
    """A dashboard's own rules, and its panels' rules located below it."""
    ((where, said),) = problems(Dashboard, board(**fields))
    assert where == loc
    assert message in said


@pytest.mark.parametrize(("title", "heading"), [("", "ops"), ("Operations", "Operations")])
def test_a_dashboard_is_headed_by_its_title_else_its_name(title: str, heading: str) -> None:
    """heading is what the screen shows."""
    assert Dashboard.model_validate(board(title=title)).heading == heading


def test_a_dashboard_has_documented_defaults_and_a_panel_may_span_every_column() -> None:
    """Four columns, not a kiosk; width up to columns is fine."""
    dashboard = Dashboard.model_validate(board(panel(width=4), name="o" * 63))
    assert (dashboard.title, dashboard.columns, dashboard.kiosk, dashboard.panels[0].width) == ("", 4, False, 4)


@pytest.mark.parametrize(
    ("names", "loc", "message"),
    [
        (["ops", "ops"], ("dashboards", 1, "name"), "dashboard name 'ops' is used twice: dashboards 1 and 2"),
        (["a", "b", "c", "b"], ("dashboards", 3, "name"), "dashboard name 'b' is used twice: dashboards 2 and 4"),
    ],
)
def test_dashboard_names_are_unique(names: list[str], loc: Loc, message: str) -> None:
    """A name is a URL: the second of a name is refused, naming both."""
    ((where, said),) = problems(DashboardsFile, {"dashboards": [board(name=name) for name in names]})
    assert (where, said) == (loc, message)


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({}, ("dashboards",), "Field required"),
        ({"dashboards": None}, ("dashboards",), "valid list"),
        ({"dashboards": [board(name=f"d{i}") for i in range(101)]}, ("dashboards",), "at most 100 items"),
        ({"dashboards": [], "extra": 1}, ("extra",), "Extra inputs are not permitted"),
    ],
)
def test_a_bad_file_is_refused(data: dict[str, Any], loc: Loc, message: str) -> None:
    """The top level holds a list of at most 100 dashboards and nothing else."""
    ((where, said),) = problems(DashboardsFile, data)
    assert where == loc
    assert message in said


def test_by_name_finds_a_dashboard() -> None:
    """by_name is the lookup behind /d/<name>."""
    loaded = DashboardsFile.model_validate({"dashboards": [board(name="a"), board(name="b", title="B")]})
    found = loaded.by_name("b")
    assert (found.title if found else None, loaded.by_name("c")) == ("B", None)


def test_models_built_in_python_equal_those_validated_from_data() -> None:
    """The models are the Python API: the same values, the same checks."""
    built = DashboardsFile(
        dashboards=[
            Dashboard(
                name="ops",
                panels=[
                    PanelSpec(title="CPU", series=["host.cpu_percent"], thresholds=[Threshold(value=90, color="red")])
                ],
            )
        ]
    )
    data = {"dashboards": [board(panel(thresholds=[{"value": 90, "color": "red"}]))]}
    assert built == DashboardsFile.model_validate(data)
    with pytest.raises(ValidationError, match="thresholds must rise: 2 comes before 1"):
        PanelSpec(
            title="x", series=["a"], thresholds=[Threshold(value=2, color="red"), Threshold(value=1, color="red")]
        )


def test_models_are_frozen() -> None:
    """A dashboard in force cannot be changed under the screens showing it."""
    spec = PanelSpec.model_validate(PANEL)
    with pytest.raises(ValidationError, match="frozen"):
        spec.title = "other"  # type: ignore[misc]
