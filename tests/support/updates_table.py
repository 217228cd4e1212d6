"""Write tests/fixtures/updates.json's parts that live/figures.py makes: `python -m tests.support.updates_table`.

The table's templates, themes and panels' expected figures are what live/figures.py builds
(tests/unit/test_updates_table.py holds them to it); after a change there, this writes them anew
and leaves the cases, which hold no template, as they are. The layout is the file's own: one
case, template, theme or panel a line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from live.figures import FIGURE_TEMPLATE, THEMES, TRACE_TEMPLATE, Trace, panel_figure
from live.model import canonical_labels, series_key

TABLE = Path(__file__).resolve().parents[1] / "fixtures" / "updates.json"


def rebuilt(table: dict[str, Any]) -> dict[str, Any]:
    """Return the table with the templates, themes and panels' figures of today's live/figures.py."""
    panels = []
    for panel in table["panels"]:
        traces = []
        for trace in panel["traces"]:
            labels = canonical_labels(trace["labels"])
            traces.append(Trace(series_key(trace["name"], labels), trace["name"], labels, trace["x"], trace["y"]))
        panels.append({**panel, "expected": panel_figure(panel["title"], traces, panel["theme"])})
    templates = {"figure": FIGURE_TEMPLATE, "trace": TRACE_TEMPLATE}
    return {**table, "templates": templates, "themes": THEMES, "panels": panels}


def dump(table: dict[str, Any]) -> str:
    """Return the table as the file writes it: each top-level list item or dict entry on a line of its own."""

    def line(text: str, last: bool) -> str:
        return text + ("" if last else ",")

    out = ["{"]
    for n, (key, value) in enumerate(table.items()):
        last = n == len(table) - 1
        if isinstance(value, list):
            out.append(f" {json.dumps(key)}: [")
            items = [f"  {json.dumps(item, ensure_ascii=False)}" for item in value]
            out += [line(item, i == len(items) - 1) for i, item in enumerate(items)]
            out.append(line(" ]", last))
        elif isinstance(value, dict):
            out.append(f" {json.dumps(key)}: {{")
            entries = list(value.items())
            out += [
                line(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}", i == len(entries) - 1)
                for i, (k, v) in enumerate(entries)
            ]
            out.append(line(" }", last))
        else:
            out.append(line(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}", last))
    return "\n".join([*out, "}"]) + "\n"


if __name__ == "__main__":
    TABLE.write_text(dump(rebuilt(json.loads(TABLE.read_text(encoding="utf-8")))), encoding="utf-8")
