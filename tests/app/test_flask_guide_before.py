"""The Flask guide's app before migration (examples/flask_guide/before) runs under Flask's own test client."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.servers import ROOT

BEFORE = ROOT / "examples" / "flask_guide" / "before"
# In a child process: its modules are named app, app1 and app2, as the repository's app is.
CHECK = """
import json
from werkzeug.test import Client
import app
client = Client(app.application)
paths = ["/", "/app1/", "/app1/_dash-layout", "/app2/", "/app2/_dash-layout"]
out = {path: client.get(path).status_code for path in paths}
out["order"] = client.post("/orders", data={"amount": "12.5"}).json
out["orders"] = app.ORDERS
with app.server.test_client() as flask_client:  # Flask's own test client, on the Flask site alone
    out["flask"] = flask_client.get("/").status_code
print(json.dumps(out))
"""


def test_the_flask_app_serves_its_site_and_both_dash_apps() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=BEFORE, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out == {"/": 200, "/app1/": 200, "/app1/_dash-layout": 200, "/app2/": 200, "/app2/_dash-layout": 200,
                   "order": {"recorded": 12.5}, "orders": [12.5], "flask": 200}
