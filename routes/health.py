"""Health for load balancers: /healthz (the process is up) and /readyz (it can serve)."""

from __future__ import annotations

import os

from quart import Blueprint, Response, jsonify

from live import get_live
from live.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
async def healthz() -> Response:
    """Say the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
async def readyz() -> tuple[Response, int]:
    """Say whether the store and the hub answer and every background task runs, with this worker's part."""
    live = get_live()
    try:
        await live.store.ping()
        last_id = await live.store.last_id()
        await live.hub.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", and says why
        return jsonify(status="unavailable", error=f"{type(error).__name__}: {error}"), 503
    if live.supervisor.down:
        failed = ", ".join(f"{name} ({why})" for name, why in sorted(live.supervisor.down.items()))
        return jsonify(status="unavailable", error=f"restarting after a failure: {failed}"), 503
    return jsonify(
        status="ok",
        last_id=last_id,
        framed_id=live.framer.last,
        worker=os.getpid(),
        leader=live.leader.held,
        streams=len(live.streams),
    ), 200
