"""Who may do what: a bearer token for ingest, HTTP basic auth (hashed passwords) for the rest.

Rules are marked on the views themselves, so a new route cannot silently fall in or out:
- `@ingest_token`: PULSEBOARD_INGEST_TOKEN, when set, is required as `Authorization: Bearer
  <token>` (or `Token <token>`, as InfluxDB clients and Telegraf send it); no header is 401, any
  other value 403, and the answer never says which part was wrong. `@ingest_token_as(answer)` is
  the same rule answering in a protocol's own error shape.
- `@public`: no login (health checks for load balancers).
- Everything else, once `init_app` has put the app behind PULSEBOARD_USERS ("alice:<werkzeug
  hash>,..."): HTTP basic auth (live/logins.py), 429 for an address that failed too often.
  Ingest keeps its token rule instead.
Neither set while the server is reachable beyond loopback: a warning, once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from quart import Quart, Response, current_app, jsonify, request

from live.config import PREFIX, ConfigError
from live.logins import Logins, TooManyFailures
from live.runtime import get_live

log = logging.getLogger(__name__)
REALM = "Pulseboard"
RULE = "pulseboard_access"  # the attribute a view's rule is marked with
View = TypeVar("View", bound=Callable[..., Awaitable[Any]])


def public(view: View) -> View:
    """Mark a view as open to anyone, whatever login the app requires."""
    setattr(view, RULE, "public")
    return view


def ingest_token(view: View) -> View:
    """Require the ingest token (when one is set) on a view, instead of a login."""
    return _token_checked(view, _refuse_as_json)


def ingest_token_as(answer: Callable[[int, str], Any]) -> Callable[[View], View]:
    """Return @ingest_token answering a refusal with `answer(status, message)`: a protocol's own error shape."""
    return lambda view: _token_checked(view, answer)


def _refuse_as_json(status: int, message: str) -> Any:
    return jsonify(error=message), status


def _token_checked(view: View, answer: Callable[[int, str], Any]) -> View:
    @wraps(view)
    async def checked(*args: Any, **kwargs: Any) -> Any:
        token = get_live().config["INGEST_TOKEN"]  # this Pulseboard's, when an app has several
        if token:
            try:
                check_token(token, request.headers.get("Authorization"))
            except Denied as denied:
                return answer(denied.status, "a valid ingest token is required (Authorization: Bearer ...)")
        return await view(*args, **kwargs)

    setattr(checked, RULE, "token")
    return checked  # type: ignore[return-value]


def rule_of(endpoint: str | None) -> str:
    """Return the access rule marked on the view an endpoint names ("login" when unmarked)."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, RULE, "login")


class Denied(Exception):
    """A request without the right credentials: 401 (none given) or 403 (wrong)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def parse_users(text: str) -> dict[str, str]:
    """Return {name: password hash} from "name:hash,name:hash"; raise ConfigError naming a bad entry."""
    users: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, _, hashed = entry.partition(":")
        if not name or "$" not in hashed:
            raise ConfigError(f"{PREFIX}_USERS entry for {name!r} must be name:<werkzeug password hash>")
        users[name] = hashed
    return users


def check_token(expected: str, header: str | None) -> None:
    """Raise Denied unless the Authorization header carries the expected token, as Bearer or Token."""
    if not header:
        raise Denied(401)
    scheme, _, given = header.partition(" ")
    # Compare digests of the whole header in constant time: neither the scheme, nor the token,
    # nor its length (compare_digest leaks lengths) shows in the timing. Both schemes are always
    # compared, with `|`, not `or`, so which one matched does not show either.
    got = hashlib.sha256(f"{scheme.lower()} {given.strip()}".encode("utf-8", "surrogateescape")).digest()
    bearer = hashlib.sha256(f"bearer {expected}".encode()).digest()
    token = hashlib.sha256(f"token {expected}".encode()).digest()
    if not hmac.compare_digest(got, bearer) | hmac.compare_digest(got, token):
        raise Denied(403)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def cli_host(argv: list[str], environ: Mapping[str, str]) -> str | None:
    """Return the host uvicorn's command line binds to, if it says."""
    for index, arg in enumerate(argv):
        if arg == "--host" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--host="):
            return arg.split("=", 1)[1]
    return environ.get("UVICORN_HOST")


def init_app(server: Quart, config: Mapping[str, Any], covers: Callable[[], bool] | None = None) -> None:
    """Put the app behind PULSEBOARD_USERS (views marked otherwise excepted), and warn when open.

    With `covers`, only the requests it says yes to (an embedding app's Pulseboard routes).
    """
    users = parse_users(config["USERS"])
    token = config["INGEST_TOKEN"]
    logins = Logins(users, failures_per_minute=int(config["LOGIN_FAILURES_PER_MINUTE"])) if users else None
    warned = False

    def warn(where: str) -> None:
        nonlocal warned
        if not warned and not token:
            warned = True
            log.warning(
                "Pulseboard listens on %s with no %s_INGEST_TOKEN: anyone who reaches it can push points",
                where,
                PREFIX,
            )

    @server.before_serving
    async def warn_at_start() -> None:
        # The ASGI lifespan does not say where the server listens; uvicorn's command line does.
        host = cli_host(sys.argv, os.environ)
        if host is not None and not _loopback(host):
            warn(host)

    @server.before_request
    async def require_credentials() -> tuple[Response, int, dict[str, str]] | None:
        # Other servers: scope["server"] is the local address this request reached.
        local = (request.scope.get("server") or ("127.0.0.1", 0))[0]
        if not warned and local and not _loopback(str(local)):
            warn(str(local))
        if logins is None or rule_of(request.endpoint) != "login" or (covers is not None and not covers()):
            return None
        # The client as uvicorn saw it: with --proxy-headers, the address a trusted proxy forwarded.
        address = (request.scope.get("client") or ("", 0))[0]
        try:
            user = await logins.check(request.headers.get("Authorization"), address)
        except TooManyFailures as refused:
            message = f"too many failed logins from {address}; try again in {refused.retry_after} s"
            return jsonify(error=message), 429, {"Retry-After": str(refused.retry_after)}
        if user is None:
            return (
                jsonify(error="log in to see this dashboard"),
                401,
                {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
            )
        return None
