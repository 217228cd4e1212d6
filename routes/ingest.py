"""Where a point enters: POST /api/points."""

from __future__ import annotations

import time

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from live import get_live, metrics
from live.points import InvalidInput, parse_json, validate_points

bp = Blueprint("ingest", __name__)


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> tuple[Response, int]:
    """Answer bad input with a JSON body naming the row and field."""
    metrics.INGEST_ERRORS.labels("invalid").inc()
    return jsonify(error.to_dict()), error.status


@bp.errorhandler(RequestEntityTooLarge)
async def reject_size(_error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Answer an oversized body with 413 and the limit."""
    metrics.INGEST_ERRORS.labels("too_large").inc()
    limit = get_live().config["MAX_BODY_BYTES"]
    return jsonify(error=f"body is larger than the {limit}-byte limit; send smaller batches"), 413


@bp.post("/api/points")
async def ingest_points() -> tuple[Response, int]:
    """Validate a batch, store all of it in one transaction, and say what was stored."""
    live = get_live()
    body = await request.get_data(cache=False, as_text=False, parse_form_data=False)
    now = time.time()
    oldest, newest = live.accepted_range(now)
    points = validate_points(
        parse_json(body), now=now, oldest=oldest, newest=newest, max_points=live.config["MAX_BATCH_POINTS"]
    )
    try:
        commit = await live.ingest(points)
    except Exception:
        metrics.INGEST_ERRORS.labels("storage").inc()
        raise
    metrics.POINTS_INGESTED.inc(len(points))
    return jsonify(stored=len(points), first_id=commit.first, last_id=commit.last), 200
