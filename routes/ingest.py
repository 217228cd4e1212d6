"""Where a point enters: POST /api/points."""

from __future__ import annotations

import hashlib
import re

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from live import get_live, metrics
from live.access import ingest_token
from live.decoders.json import json_items, parse_json
from live.model import Idempotency, InvalidInput
from live.store import StorageError

from .body import read_body

bp = Blueprint("ingest", __name__)
JSON = "application/json"
IDEMPOTENCY_KEY = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: a UUID, quoted or not, fits


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> tuple[Response, int]:
    """Answer bad input with a JSON body naming the row and field."""
    metrics.INGEST_ERRORS.labels("json", "invalid").inc()
    return jsonify(error.to_dict()), error.status


@bp.errorhandler(HTTPException)
async def reject_http(error: HTTPException) -> tuple[Response, int]:
    """Answer any other HTTP error (a body that times out, say) as JSON with its own status.

    Without this, Dash's app-wide errorhandler(Exception) would turn it into a 500 page.
    """
    return jsonify(error=error.description or error.name), error.code or 400


@bp.errorhandler(StorageError)
async def storage_unavailable(error: StorageError) -> tuple[Response, int, dict[str, str]]:
    """Answer a storage failure (locked too long, disk full) with 503: nothing was stored; retry."""
    metrics.INGEST_ERRORS.labels("json", "storage").inc()
    return jsonify(error=f"storage unavailable, nothing was stored: {error}"), 503, {"Retry-After": "1"}


@bp.errorhandler(RequestEntityTooLarge)
async def reject_size(_error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Answer an oversized body with 413 and the limit."""
    metrics.INGEST_ERRORS.labels("json", "too_large").inc()
    limit = get_live().config["MAX_BODY_BYTES"]
    return jsonify(error=f"body is larger than the {limit}-byte limit; send smaller batches"), 413


@bp.post("/api/points")
@ingest_token
async def ingest_points() -> tuple[Response, int, dict[str, str]]:
    """Validate a batch, store all of it in one transaction, and say what was stored.

    With an Idempotency-Key header, a batch already stored under that key (a producer's retry
    after a timeout) is answered as it was then, and not stored again.
    """
    # A web page can send text/plain or a form to any site without asking first; application/json
    # it must ask for (a CORS preflight, which is never granted), so no page can write points.
    if request.mimetype != JSON:
        metrics.INGEST_ERRORS.labels("json", "content_type").inc()
        got = request.headers.get("Content-Type", "none")[:80]
        raise UnsupportedMediaType(f"Content-Type must be {JSON}, got {got!r}")
    live = get_live()
    body = await read_body(live.config["MAX_BODY_BYTES"], live.config["BODY_TIMEOUT_SECONDS"])
    commit = await live.ingest(json_items(parse_json(body)), idempotency=idempotency(body))
    stored = commit.last - commit.first + 1
    headers = {}
    if commit.replayed:  # a retry of a batch already stored: the same answer, nothing stored again
        headers["Idempotent-Replayed"] = "true"
    else:
        metrics.POINTS_INGESTED.labels("json").inc(stored)
    return jsonify(stored=stored, first_id=commit.first, last_id=commit.last), 200, headers


def idempotency(body: bytes) -> Idempotency | None:
    """Return the request's Idempotency-Key with a digest of its body, if it has one (400 if it is not a key)."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not KEY.fullmatch(key):
        message = f"{IDEMPOTENCY_KEY} must be 1 to 255 visible ASCII characters"
        raise InvalidInput(message, field=IDEMPOTENCY_KEY, status=400)
    return Idempotency(key, hashlib.sha256(body).hexdigest())
