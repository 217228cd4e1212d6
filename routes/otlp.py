"""Where OpenTelemetry metrics enter: POST /v1/metrics, OTLP/HTTP, protobuf or JSON."""

from __future__ import annotations

from quart import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from live import get_live, metrics
from live.access import ingest_token
from live.decoders.otlp import JSON, PROTOBUF, Refusal, decode_otlp, encode_response, encode_status, summarize
from live.model import InvalidInput
from live.store import StorageError

from .body import read_decoded_body

bp = Blueprint("otlp", __name__)


def _content_type() -> str:
    """Return the encoding an answer must use: the request's (binary protobuf when it has none we know)."""
    return JSON if request.mimetype == JSON else PROTOBUF


def _status(status: int, message: str, reasons: list[Refusal] | None = None) -> Response:
    content_type = _content_type()
    return Response(encode_status(status, message, content_type, reasons or ()), status, content_type=content_type)


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> Response:
    """Answer a body that is no ExportMetricsServiceRequest (or too many points) with 400: never retried."""
    metrics.INGEST_ERRORS.labels("otlp", "invalid").inc()
    return _status(400, error.message)


@bp.errorhandler(RequestEntityTooLarge)
async def reject_size(_error: RequestEntityTooLarge) -> Response:
    """Answer a body over the limit, before or after gunzipping, with 413: never retried."""
    metrics.INGEST_ERRORS.labels("otlp", "too_large").inc()
    limit = get_live().config["MAX_BODY_BYTES"]
    return _status(413, f"body is larger than the {limit}-byte limit (after gunzip); export smaller batches")


@bp.errorhandler(StorageError)
async def storage_unavailable(error: StorageError) -> Response:
    """Answer a storage failure with 503 and Retry-After: nothing was stored, and the exporter retries."""
    metrics.INGEST_ERRORS.labels("otlp", "storage").inc()
    answer = _status(503, f"storage unavailable, nothing was stored: {error}")
    answer.headers["Retry-After"] = "1"
    return answer


@bp.errorhandler(HTTPException)
async def reject_http(error: HTTPException) -> Response:
    """Answer any other HTTP error (415, a body that times out) with a Status in its own code."""
    if isinstance(error, UnsupportedMediaType):
        metrics.INGEST_ERRORS.labels("otlp", "unsupported").inc()
    return _status(error.code or 400, error.description or error.name)


@bp.post("/v1/metrics")
@ingest_token
async def export_metrics() -> Response:
    """Store every data point that can be stored, in one transaction; count and name the others.

    The OTLP spec lets a server accept part of a request (partial success: 200, with
    rejected_data_points and an error_message) and tells the exporter not to retry it. Points
    that cannot be stored (NaN, no value, a summary, outside retention) are refused one by one:
    what is acknowledged is stored whole, in one transaction, and what is refused is never
    acknowledged, so nothing acknowledged is lost, and one bad point does not cost the others.
    A body that cannot be read at all is a 400, and nothing of it is stored. A request whose
    every data point is refused is a 400 too: "partial" means some were taken.
    """
    if request.mimetype not in (PROTOBUF, JSON):
        raise UnsupportedMediaType(f"Content-Type must be {PROTOBUF} or {JSON}, got {request.mimetype or 'none'!r}")
    live = get_live()
    body = await read_decoded_body(live.config["MAX_BODY_BYTES"], live.config["BODY_TIMEOUT_SECONDS"])
    export = decode_otlp(body, request.mimetype)
    commit, refused = await live.ingest_each(export.groups)
    reasons = export.refused + [Refusal(export.where[index], error.message) for index, error in sorted(refused.items())]
    if reasons and commit is None:
        metrics.INGEST_ERRORS.labels("otlp", "invalid").inc()
        return _status(400, f"nothing was stored: {summarize(reasons)}", reasons)
    if commit is not None:
        metrics.POINTS_INGESTED.labels("otlp").inc(commit.last - commit.first + 1)
    if reasons:
        metrics.INGEST_ERRORS.labels("otlp", "partial").inc()
    return Response(encode_response(reasons, request.mimetype), 200, content_type=request.mimetype)
