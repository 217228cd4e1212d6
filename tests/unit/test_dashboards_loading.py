"""Reading dashboards files: YAML to models, and errors that name file, line, dashboard, panel and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from live.dashboards.loading import DashboardsError, parse_dashboards, read_dashboards
from live.dashboards.model import PALETTE

DEPLOY = Path(__file__).parents[2] / "deploy" / "dashboards.yaml"

# Line numbers count from the first line inside the string.
OPS = """\
dashboards:
  - name: ops
    title: Operations
    columns: 4
    panels:
      - title: Memory
        series: ["host.memory_percent"]
      - title: CPU
        series: ["host.cpu_percent"]
        kind: line
        unit: "%"
        thresholds:
          - {value: 70, color: orange}
          - {value: 90, color: red}
        window_seconds: 300
"""


def refusal(text: str) -> DashboardsError:
    with pytest.raises(DashboardsError) as caught:
        parse_dashboards(text, "dashboards.yaml")
    return caught.value


def test_a_good_file_loads() -> None:
    """The example's values arrive in the models."""
    loaded = parse_dashboards(OPS)
    (ops,) = loaded.dashboards
    assert (ops.name, ops.heading, ops.columns, [p.title for p in ops.panels]) == (
        "ops",
        "Operations",
        4,
        ["Memory", "CPU"],
    )
    assert [(t.value, t.color) for t in ops.panels[1].thresholds] == [(70, PALETTE["orange"]), (90, PALETTE["red"])]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{value: 70, color: orange}",
            "{value: 95, color: orange}",
            "dashboards.yaml, line 14: dashboard 'ops', panel 2 ('CPU'), field 'thresholds', item 2: "
            "thresholds must rise: 95 comes before 90",
        ),
        (
            "kind: line",
            "kind: pie",
            "dashboards.yaml, line 10: dashboard 'ops', panel 2 ('CPU'), field 'kind': "
            "Input should be 'line', 'stat' or 'gauge'",
        ),
        (
            "          - {value: 70, color: orange}\n          - {value: 90, color: red}\n",
            "            value: 70\n            color: orange\n",
            "dashboards.yaml, line 12: dashboard 'ops', panel 2 ('CPU'), field 'thresholds': "
            "Input should be a valid list",
        ),
        (
            'unit: "%"',
            'unit: "<b>%</b>"',
            "dashboards.yaml, line 11: dashboard 'ops', panel 2 ('CPU'), field 'unit': "
            "units are plain text: '<' is not allowed in '<b>%</b>'",
        ),
        (
            "{value: 90, color: red}",
            "{value: 90, color: crimson}",
            "dashboards.yaml, line 14: dashboard 'ops', panel 2 ('CPU'), field 'thresholds', item 2, 'color': "
            "unknown colour 'crimson': use one of green, yellow, orange, red, blue, purple, grey, gray, "
            "or #rgb or #rrggbb hex",
        ),
        (
            'series: ["host.memory_percent"]',
            'series: ["host.memory_percent{host=a}"]',
            "dashboards.yaml, line 7: dashboard 'ops', panel 1 ('Memory'), field 'series', item 1: "
            "label filter 'host' needs a quoted value in 'host.memory_percent{host=a}'",
        ),
        (
            "window_seconds: 300",
            "window_seconds: 300\n        window_points: 100",
            "dashboards.yaml, line 16: dashboard 'ops', panel 2 ('CPU'), field 'window_points': "
            "give window_seconds or window_points, not both",
        ),
        (
            "kind: line",
            "kind: line\n        width: 5",
            "dashboards.yaml, line 11: dashboard 'ops', panel 2 ('CPU'), field 'width': "
            "width 5 is more than the dashboard's 4 columns",
        ),
        (
            "      - title: Memory\n",
            "      - colour: red\n",
            "dashboards.yaml, line 6: dashboard 'ops', panel 1, field 'title': Field required\n"
            "dashboards.yaml, line 6: dashboard 'ops', panel 1, field 'colour': unknown field; allowed here: title, "
            "series, kind, unit, decimals, min, max, thresholds, stale_seconds, window_seconds, window_points, width, "
            "height, max_traces",
        ),
        (
            "  - name: ops\n    title: Operations",
            "  - title: Operations",
            "dashboards.yaml, line 2: dashboard 1, field 'name': Field required",
        ),
        (
            "  - name: ops",
            "  - name: 2024",
            "dashboards.yaml, line 2: dashboard 1, field 'name': "
            "Input should be a valid string: put '2024' in quotes for YAML to read it as text",
        ),
        (
            "title: Memory",
            "title: no",
            "dashboards.yaml, line 6: dashboard 'ops', panel 1, field 'title': "
            "Input should be a valid string: put 'no' in quotes for YAML to read it as text",
        ),
        (
            "    columns: 4\n",
            "    columns: 4\n    pages: []\n",
            "dashboards.yaml, line 5: dashboard 'ops', field 'pages': unknown field; allowed here: "
            "name, title, columns, kiosk, panels",
        ),
    ],
)
def test_an_error_names_file_line_dashboard_panel_and_field(old: str, new: str, message: str) -> None:
    """One edit to a good file, one error (or two), each saying where to look."""
    text = OPS.replace(old, new, 1)
    assert text != OPS
    assert str(refusal(text)) == message


def test_duplicate_dashboard_names_point_at_the_second() -> None:
    """The second use of a name is the one to change."""
    text = OPS + OPS.removeprefix("dashboards:\n")
    error = refusal(text)
    assert str(error) == (
        "dashboards.yaml, line 16: dashboard 'ops', field 'name': "
        "dashboard name 'ops' is used twice: dashboards 1 and 2"
    )
    assert error.line == 16


def test_several_errors_are_listed_one_a_line_ten_at_most() -> None:
    """A file with twelve bad panels lists ten and says how many more."""
    panels = "".join(f"      - {{title: P{i}, series: [a], kind: pie}}\n" for i in range(12))
    error = refusal(f"dashboards:\n  - name: ops\n    panels:\n{panels}")
    lines = str(error).splitlines()
    assert len(lines) == 11
    assert lines[0] == (
        "dashboards.yaml, line 4: dashboard 'ops', panel 1 ('P0'), field 'kind': "
        "Input should be 'line', 'stat' or 'gauge'"
    )
    assert lines[9].startswith("dashboards.yaml, line 13: dashboard 'ops', panel 10 ('P9'), field 'kind'")
    assert lines[10] == "... and 2 more"
    assert error.line == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "dashboards:\n  - name: ops\n   panels: []\n",
            "dashboards.yaml, line 3, column 4: not valid YAML: while parsing a block collection; "
            "expected <block end>, but found '<block mapping start>'",
        ),
        (
            "dashboards: [\n  {name: ops}\n",
            "dashboards.yaml, line 3, column 1: not valid YAML: while parsing a flow sequence; "
            "expected ',' or ']', but got '<stream end>'",
        ),
        (
            'dashboards:\n  - name: "ops\n',
            "dashboards.yaml, line 3, column 1: not valid YAML: while scanning a quoted scalar",
        ),
        (
            "dashboards: []\n---\ndashboards: []\n",
            "dashboards.yaml, line 2, column 1: not valid YAML: expected a single document",
        ),
        ("dashboards: []\ntitle: \x07\n", "dashboards.yaml, line 2: not valid YAML: character U+0007 is not allowed"),
        (
            "dashboards: !!python/object:os.system {}\n",
            "dashboards.yaml, line 1, column 13: not valid YAML: could not determine a constructor",
        ),
        ("dashboards:\n  - name: a\n    name: b\n", "dashboards.yaml, line 3: key 'name' is given twice"),
        (
            "- name: ops\n",
            "dashboards.yaml, line 1: the top level must be a mapping with a 'dashboards' list, got a list",
        ),
        ("\n\nhello\n", "dashboards.yaml, line 3: the top level must be a mapping with a 'dashboards' list, got a str"),
        (
            "dashboard: []\n",
            "dashboards.yaml, line 1: field 'dashboards': Field required\n"
            "dashboards.yaml, line 1: field 'dashboard': unknown field; allowed here: dashboards",
        ),
        ("dashboards:\n", "dashboards.yaml, line 1: field 'dashboards': Input should be a valid list"),
    ],
)
def test_a_file_that_is_no_dashboards_file_says_where(text: str, message: str) -> None:
    """YAML syntax, repeated keys and a wrong top level are named with their line."""
    assert str(refusal(text)).startswith(message)


def test_merge_keys_are_no_repeated_keys() -> None:
    """A key given beside a merged mapping overrides it, as YAML means."""
    text = (
        "dashboards:\n  - name: ops\n    panels:\n"
        "      - &cpu {title: CPU, series: [host.cpu_percent], unit: '%'}\n"
        "      - <<: *cpu\n        title: CPU again\n"
    )
    panels = parse_dashboards(text).dashboards[0].panels
    assert [(p.title, p.unit) for p in panels] == [("CPU", "%"), ("CPU again", "%")]


def test_an_alias_bomb_is_refused() -> None:
    """A few lines of aliases that stand for ten million values are refused before validation."""
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{before}'] * 10)}]\n" for before, name in zip("abcdef", "bcdefg", strict=True)
    )
    assert "the file expands to over 1000000 values" in str(refusal(text))


def test_deep_nesting_is_refused() -> None:
    """YAML nested past Python's recursion limit is an error, not a crash."""
    assert str(refusal("[" * 5000)) == "dashboards.yaml: the YAML is nested too deeply"


@pytest.mark.parametrize("text", ["", "\n\n", "# no dashboards yet\n", "---\n"])
def test_an_empty_file_means_no_dashboards(text: str) -> None:
    """An empty file (or only comments) defines no dashboards."""
    assert parse_dashboards(text).dashboards == []


def test_an_empty_list_means_no_dashboards() -> None:
    """dashboards: [] is a file with none."""
    assert parse_dashboards("dashboards: []\n").dashboards == []


def test_read_names_the_file_by_its_name(tmp_path: Path) -> None:
    """Errors from read_dashboards name the file."""
    path = tmp_path / "mine.yaml"
    path.write_text(OPS.replace("kind: line", "kind: pie"), encoding="utf-8")
    with pytest.raises(DashboardsError, match=r"^mine\.yaml, line 10: dashboard 'ops'") as caught:
        read_dashboards(path)
    assert (caught.value.source, caught.value.line) == ("mine.yaml", 10)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the dashboards file: [Errno 2] No such file"),
        (b"title: \xff\n", "cannot read the dashboards file: 'utf-8'"),
    ],
)
def test_an_unreadable_file_is_named_with_the_reason(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A missing or non-UTF-8 file is a DashboardsError naming its path and why."""
    path = tmp_path / "dashboards.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DashboardsError) as caught:
        read_dashboards(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_the_example_file_for_the_built_in_feed_is_valid() -> None:
    """deploy/dashboards.yaml loads, and every panel selects at least one of the feed's series."""
    feed = ["host.cpu_percent", "host.memory_percent", "host.net_recv_kib_s", "host.net_sent_kib_s"]
    loaded = read_dashboards(DEPLOY)
    assert [dashboard.name for dashboard in loaded.dashboards] == ["host", "overview"]
    kinds = {panel.kind for dashboard in loaded.dashboards for panel in dashboard.panels}
    assert kinds == {"line", "stat", "gauge"}
    for dashboard in loaded.dashboards:
        for panel in dashboard.panels:
            assert any(s.matches(name, {}) for s in panel.selectors() for name in feed), panel.title
    network = loaded.dashboards[0].panels[-1]
    assert [name for name in feed if any(s.matches(name, {}) for s in network.selectors())] == feed[2:]
