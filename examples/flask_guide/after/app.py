"""The Flask guide's app, after: on Quart, one Dash app hosted on it, another dispatched beside it, and Pulseboard.

Run: uvicorn app:application (both Dash apps), or uvicorn app:server (app1 only).
"""

from quart import Quart, render_template_string, request

from pulseboard import Pulseboard

from app1 import init_app1
from app2 import create_app2
from dispatch import DispatcherMiddleware

INDEX = """<h1>Sales site</h1>
<p><a href="/app1/">Live orders (app1)</a> · <a href="/app2/">Population (app2)</a></p>
<form method="post" action="/orders"><input name="amount" value="10"><button>Record an order</button></form>"""

server = Quart(__name__)
pulse = Pulseboard().init_app(server)  # routes, stream and its own page under /pulse


@server.route("/")
async def index():
    return await render_template_string(INDEX)


@server.post("/orders")
async def record_order():
    amount = float((await request.form)["amount"])
    await pulse.push("orders.amount", amount)
    return {"recorded": amount}


init_app1(server)  # direct hosting: app1 shares the Quart server
app2 = create_app2()  # its own server, dispatched under /app2
application = DispatcherMiddleware(server, {"/app2": app2.server})
