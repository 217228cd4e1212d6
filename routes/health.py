"""Health for load balancers: /healthz (the process is up) and /readyz (it can serve)."""

from __future__ import annotations

import os

from quart import Blueprint, Response, jsonify

from live import get_live

bp = Blueprint("health", __name__)


@bp.get("/healthz")
async def healthz() -> Response:
    """Say the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
async def readyz() -> tuple[Response, int]:
    """Say whether the database and the hub answer, with the newest event id and this worker's part."""
    live = get_live()
    try:
        last_id = await live.store.last_id()
        await live.hub.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", and says why
        return jsonify(status="unavailable", error=f"{type(error).__name__}: {error}"), 503
    return jsonify(
        status="ok",
        last_id=last_id,
        framed_id=live.framer.last,
        worker=os.getpid(),
        leader=live.leader.held,
        streams=len(live.streams),
    ), 200
