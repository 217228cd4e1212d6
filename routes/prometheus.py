"""Where Prometheus text enters: POST /api/prometheus (curl --data-binary, a batch job's push)."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from live import get_live, metrics
from live.access import ingest_token
from live.decoders.prometheus import BadLine, parse_prometheus
from live.model import InvalidInput
from live.store import StorageError

from .body import read_decoded_body

bp = Blueprint("prometheus", __name__)


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> tuple[Response, int]:
    """Answer bad input with a JSON body naming the line (and the row and field validation found)."""
    metrics.INGEST_ERRORS.labels("prometheus", "invalid").inc()
    return jsonify(error.to_dict()), error.status


@bp.errorhandler(StorageError)
async def storage_unavailable(error: StorageError) -> tuple[Response, int, dict[str, str]]:
    """Answer a storage failure with 503: nothing was stored; retry."""
    metrics.INGEST_ERRORS.labels("prometheus", "storage").inc()
    return jsonify(error=f"storage unavailable, nothing was stored: {error}"), 503, {"Retry-After": "1"}


@bp.errorhandler(RequestEntityTooLarge)
async def reject_size(_error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Answer an oversized body (before or after gunzip) with 413 and the limit."""
    metrics.INGEST_ERRORS.labels("prometheus", "too_large").inc()
    limit = get_live().config["MAX_BODY_BYTES"]
    return jsonify(error=f"body is larger than the {limit}-byte limit; send smaller batches"), 413


@bp.errorhandler(HTTPException)
async def reject_http(error: HTTPException) -> tuple[Response, int]:
    """Answer any other HTTP error (an unknown Content-Encoding, a body that times out) as JSON."""
    return jsonify(error=error.description or error.name), error.code or 400


@bp.post("/api/prometheus")
@ingest_token
async def ingest_prometheus() -> tuple[Response, int]:
    """Store every sample of a text-format body in one transaction, or none; say what was stored."""
    live = get_live()
    body = await read_decoded_body(live.config["MAX_BODY_BYTES"], live.config["BODY_TIMEOUT_SECONDS"])
    samples = parse_prometheus(body)
    try:
        commit = await live.ingest(samples.items)
    except InvalidInput as error:
        if error.row is None:
            raise
        line = samples.lines[error.row]
        raise BadLine(line, error.message, row=error.row, field=error.field, status=error.status) from None
    stored = commit.last - commit.first + 1
    metrics.POINTS_INGESTED.labels("prometheus").inc(stored)
    return jsonify(stored=stored, first_id=commit.first, last_id=commit.last), 200
