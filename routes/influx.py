"""Where Influx line protocol enters: POST /api/v2/write (InfluxDB 2) and POST /write (1.x).

Telegraf's outputs.influxdb_v2 and the influxdb-client libraries write here unchanged. Answers are
InfluxDB's: 204 and no body when stored, else {"code": ..., "message": ...}. `org`, `bucket`, `db`
and `rp` are accepted and ignored (one store), and so are 1.x's `u` and `p`: the ingest token, as
`Token` or `Bearer`, is the credential. Too many points is a 413, on which Telegraf halves its batch.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from live import get_live, metrics
from live.access import ingest_token_as
from live.decoders.influx import parse_lines
from live.model import InvalidInput
from live.store import StorageError

from .body import read_decoded_body

bp = Blueprint("influx", __name__)
# InfluxDB 2's error codes by status (its API's "code" values).
CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 413: "request too large", 422: "unprocessable entity"}
PROTOCOL = "influx"


def influx_error(status: int, message: str) -> tuple[Response, int]:
    """Return an error as InfluxDB 2 shapes one."""
    return jsonify(code=CODES.get(status, "invalid"), message=message), status


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> tuple[Response, int]:
    """Answer an unreadable body with 400 and a bad point with 422, naming the line."""
    metrics.INGEST_ERRORS.labels(PROTOCOL, "invalid").inc()
    return influx_error(error.status, error.message)


@bp.errorhandler(RequestEntityTooLarge)
async def reject_size(error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Answer an oversized body (before or after gunzip) or batch with 413: Telegraf splits and retries."""
    metrics.INGEST_ERRORS.labels(PROTOCOL, "too_large").inc()
    limit = get_live().config["MAX_BODY_BYTES"]
    default = f"body is larger than the {limit}-byte limit (gunzipped too); send smaller batches"
    return influx_error(413, default if error.description == RequestEntityTooLarge.description else error.description)


@bp.errorhandler(StorageError)
async def storage_unavailable(error: StorageError) -> tuple[Response, int, dict[str, str]]:
    """Answer a storage failure with 503 and Retry-After, which Telegraf and the clients retry."""
    metrics.INGEST_ERRORS.labels(PROTOCOL, "storage").inc()
    body = jsonify(code="unavailable", message=f"storage unavailable, nothing was stored: {error}")
    return body, 503, {"Retry-After": "1"}


@bp.errorhandler(HTTPException)
async def reject_http(error: HTTPException) -> tuple[Response, int]:
    """Answer any other HTTP error (an unknown Content-Encoding, say) in the same shape, not Dash's 500 page."""
    return influx_error(error.code or 400, error.description or error.name)


@bp.post("/api/v2/write")
@bp.post("/write")
@ingest_token_as(influx_error)
async def write_lines() -> Response:
    """Store every point of a line protocol body in one transaction, or none of them."""
    live = get_live()
    body = await read_decoded_body(live.config["MAX_BODY_BYTES"], live.config["BODY_TIMEOUT_SECONDS"])
    decoded = parse_lines(body, request.args.get("precision", "ns"))
    limit = live.config["MAX_BATCH_POINTS"]
    if len(decoded.items) > limit:
        raise RequestEntityTooLarge(f"batch has {len(decoded.items)} points; at most {limit} per request")
    try:
        commit = await live.ingest(decoded.items)
    except InvalidInput as error:
        raise decoded.named(error) from None
    metrics.POINTS_INGESTED.labels(PROTOCOL).inc(commit.last - commit.first + 1)
    return Response(status=204)
