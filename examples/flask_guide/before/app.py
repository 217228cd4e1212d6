"""The Flask guide's app, before: a Flask site, one Dash app hosted on it, another dispatched beside it.

Run: flask --app app:server run (app1 only), or any WSGI server on app:application (both).
"""

from flask import Flask, render_template_string, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app1 import init_app1
from app2 import create_app2

INDEX = """<h1>Sales site</h1>
<p><a href="/app1/">Live orders (app1)</a> · <a href="/app2/">Population (app2)</a></p>
<form method="post" action="/orders"><input name="amount" value="10"><button>Record an order</button></form>"""

server = Flask(__name__)
ORDERS: list[float] = []


@server.route("/")
def index():
    return render_template_string(INDEX)


@server.post("/orders")
def record_order():
    amount = float(request.form["amount"])
    ORDERS.append(amount)
    return {"recorded": amount}


init_app1(server, ORDERS)  # direct hosting: app1 shares the Flask server
app2 = create_app2()  # its own server, dispatched under /app2
application = DispatcherMiddleware(server, {"/app2": app2.server})
