"""How a dashboard's panels are laid out: the rows its grid needs, and responsive graphs (pure)."""

from __future__ import annotations

import pytest
from dash import dcc

from live.dashboards.model import Dashboard, PanelSpec
from live.dashboards.panels import dashboard_panels, grid_rows

GRAPH = {"animate": True, "animation_options": {}, "config": {"responsive": True}, "className": "pb-graph",
         "style": {"height": "280px"}}  # fmt: skip


def panels(*sizes: tuple[int, int]) -> list[PanelSpec]:
    """Return panels of these (width, height)."""
    return [PanelSpec(title=f"p{i}", series=["s"], width=w, height=h) for i, (w, h) in enumerate(sizes)]


@pytest.mark.parametrize(
    ("columns", "sizes", "rows"),
    [
        (4, [(1, 1)], 1),
        (4, [(1, 1)] * 4, 1),
        (4, [(1, 1)] * 5, 2),
        (8, [(1, 1)] * 32, 4),
        (4, [(1, 1)] * 16, 4),
        (1, [(1, 1)] * 3, 3),
        (4, [(1, 1)] * 4 + [(2, 2)] * 2, 3),  # deploy/dashboards.yaml's host dashboard
        (2, [(1, 2), (1, 1), (1, 1)], 2),  # the small ones stack beside the tall one
        (3, [(2, 1), (2, 1), (1, 1), (1, 1)], 3),  # sparse: the hole at the end of row 1 stays empty
        (3, [(1, 1), (3, 1), (1, 1)], 3),  # a full-width panel starts a row of its own
        (4, [(1, 12)], 12),
        (4, [(2, 1), (1, 3), (4, 1)], 4),  # the full-width panel goes below the tall one
        (3, [(1, 2), (1, 1), (1, 1), (1, 1), (1, 1)], 2),  # the fourth fills the cell under the first's right
    ],
)
def test_grid_rows_are_what_css_grid_auto_placement_makes(
    columns: int, sizes: list[tuple[int, int]], rows: int
) -> None:
    assert grid_rows(columns, panels(*sizes)) == rows


def test_a_dashboards_graphs_are_responsive_with_no_height_of_their_own() -> None:
    board = Dashboard(name="ops", panels=[PanelSpec(title="a", series=["s"]),
                                          PanelSpec(title="b", series=["s"], kind="stat")])  # fmt: skip
    graphs = [part for panel in dashboard_panels(board, GRAPH, "light") for part in panel.children[1].children]
    graphs = [part for part in graphs if isinstance(part, dcc.Graph)]
    assert len(graphs) == 2
    assert all(graph.responsive is True and graph.style == {} for graph in graphs)
    assert all("height" not in graph.figure["layout"] for graph in graphs)
