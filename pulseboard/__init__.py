"""Pulseboard inside your own app: `Pulseboard(config).init_app(server)`, `LiveGraph(series)`, `await pulse.push(...)`.

One package, two layouts. Installed (pip install), routes/, callbacks/ and assets/ live inside
it, as pulseboard.routes and so on, so a host's own app.py, routes/ and callbacks/ are left
alone. In the repository they stay where the standalone app has them, beside this folder: the
package's search path then takes in the repository's root for them (live/ is imported as
`live` either way).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

_HERE = Path(__file__).resolve().parent
if not (_HERE / "routes").is_dir():  # the repository: pulseboard.routes is ../routes
    __path__.append(str(_HERE.parent))  # noqa: F821 - a package's __path__ is set before it runs

if TYPE_CHECKING:
    from pulseboard.dash_apps import quart_dash
    from pulseboard.embed import Pulseboard
    from pulseboard.livegraph import LiveGraph

__all__ = ["LiveGraph", "Pulseboard", "quart_dash"]
__version__ = "0.1.0"  # pyproject.toml's; Dash puts it in the script's URL (cache busting)
# LiveGraph's script, served from this package by Dash once a LiveGraph class exists (it is
# imported only when asked for, so a page without one does not load it).
_js_dist = [{"relative_package_path": "livegraph.js", "namespace": "pulseboard"}]


def __getattr__(name: str) -> Any:
    # Loaded when first asked for: LiveGraph's import is what makes Dash load its script.
    if name == "Pulseboard":
        from pulseboard.embed import Pulseboard

        return Pulseboard
    if name == "LiveGraph":
        from pulseboard.livegraph import LiveGraph

        return LiveGraph
    if name == "quart_dash":
        from pulseboard.dash_apps import quart_dash

        return quart_dash
    raise AttributeError(f"module 'pulseboard' has no attribute {name!r}")
