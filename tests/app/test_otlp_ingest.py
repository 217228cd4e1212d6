"""POST /v1/metrics through the app: answers as OTLP/HTTP says, partial success, and nothing half-stored."""

from __future__ import annotations

import gzip
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from google.rpc import status_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from live.decoders.otlp import decode_otlp
from live.store import StorageError
from live.validation import validate_groups
from tests.support.app_target import AppTarget, app_target

LIMIT = 16 * 1024
PB = {"Content-Type": "application/x-protobuf"}
JS = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppTarget]:
    with app_target(tmp_path_factory.mktemp("otlp"), {"MAX_BODY_BYTES": LIMIT, "MAX_BATCH_POINTS": 200}) as t:
        yield t


def now_ns() -> str:
    return str(time.time_ns())


def export(*metrics: dict[str, Any], service: str = "checkout") -> dict[str, Any]:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return {"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"metrics": list(metrics)}]}]}


def gauge(name: str, *values: Any) -> dict[str, Any]:
    return {"name": name, "gauge": {"dataPoints": [{"asDouble": v, "timeUnixNano": now_ns()} for v in values]}}


def binary(payload: dict[str, Any]) -> bytes:
    return json_format.ParseDict(payload, ExportMetricsServiceRequest()).SerializeToString()


def rows(target: AppTarget, name: str) -> list[tuple[str, float]]:
    return target.db.execute(
        "SELECT s.labels, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.name = ? ORDER BY p.id",
        (name,),
    ).fetchall()


def test_protobuf_export_is_stored_and_answered_in_protobuf(target: AppTarget) -> None:
    """A full success: 200, an empty ExportMetricsServiceResponse in protobuf, every data point stored."""
    histogram = {"name": "lat", "histogram": {"dataPoints": [{"count": "4", "sum": 2.0, "timeUnixNano": now_ns()}]}}
    status, headers, answer = target.post("/v1/metrics", binary(export(gauge("pb.temp", 21.5), histogram)), PB)
    assert (status, headers["Content-Type"], answer) == (200, "application/x-protobuf", b"")
    assert rows(target, "pb.temp") == [('{"service.name":"checkout"}', 21.5)]
    assert rows(target, "lat.count") == [('{"service.name":"checkout"}', 4.0)]
    assert rows(target, "lat.sum") == [('{"service.name":"checkout"}', 2.0)]


def test_json_export_is_answered_in_json(target: AppTarget) -> None:
    """The answer's encoding is the request's."""
    status, headers, answer = target.post("/v1/metrics", json.dumps(export(gauge("js.temp", 1))).encode(), JS)
    assert (status, headers["Content-Type"], json.loads(answer)) == (200, "application/json", {})


def test_points_that_cannot_be_stored_are_a_partial_success(target: AppTarget) -> None:
    """The good data points are stored; the others counted and named in partial_success; still a 200."""
    summary = {"name": "s", "summary": {"dataPoints": [{"count": "1", "timeUnixNano": now_ns()}]}}
    old = {"name": "part.old", "gauge": {"dataPoints": [{"asDouble": 1, "timeUnixNano": "1000000000"}]}}
    payload = export(gauge("part.ok", 1, "NaN", 3), summary, old)
    for body, headers in ((binary(payload), PB), (json.dumps(payload).encode(), JS)):
        before = target.count()
        status, _, answer = target.post("/v1/metrics", body, headers)
        assert status == 200
        response = json_format.Parse(answer, ExportMetricsServiceResponse()) if headers is JS else (
            ExportMetricsServiceResponse.FromString(answer))  # fmt: skip
        assert response.partial_success.rejected_data_points == 3
        message = response.partial_success.error_message
        assert message.startswith("3 data points refused: metric 's' (resourceMetrics[0].scopeMetrics[0].metrics[1])")
        assert "metric 'part.ok' (resourceMetrics[0].scopeMetrics[0].metrics[0]) data point 1: value must be" in message
        assert "metric 'part.old' (resourceMetrics[0].scopeMetrics[0].metrics[2]) data point 0: ts" in message
        assert target.count() == before + 2
    assert [value for _, value in rows(target, "part.ok")] == [1, 3, 1, 3]


def test_a_request_with_nothing_storable_is_400(target: AppTarget) -> None:
    """Every data point refused: 400 with a google.rpc.Status naming them; nothing stored."""
    before = target.count()
    status, headers, answer = target.post("/v1/metrics", binary(export(gauge("none", "NaN"))), PB)
    assert (status, headers["Content-Type"]) == (400, "application/x-protobuf")
    message = status_pb2.Status.FromString(answer).message
    assert message.startswith("nothing was stored: 1 data point refused: metric 'none'")
    assert target.count() == before


def test_an_empty_request_is_a_success(target: AppTarget) -> None:
    """The spec: a request that carries no telemetry is answered with success."""
    assert target.post("/v1/metrics", b"", PB)[:1] == (200,)
    assert target.post("/v1/metrics", b"{}", JS)[0] == 200


@pytest.mark.parametrize(
    ("body", "headers", "status", "content_type"),
    [
        (b"\x0a\x05\x0a", PB, 400, "application/x-protobuf"),
        (b'{"resourceMetrics": 5}', JS, 400, "application/json"),
        (b"{}", {"Content-Type": "text/plain"}, 415, "application/x-protobuf"),
        (b"{}", {**JS, "Content-Encoding": "br"}, 415, "application/json"),
        (b"x" * (LIMIT + 1), PB, 413, "application/x-protobuf"),
        (gzip.compress(b"\x00" * (LIMIT * 8)), {**PB, "Content-Encoding": "gzip"}, 413, "application/x-protobuf"),
        (gzip.compress(b"{}")[:-3], {**JS, "Content-Encoding": "gzip"}, 400, "application/json"),
    ],
)
def test_failures_are_a_status_in_the_requests_encoding(
    target: AppTarget, body: bytes, headers: dict[str, str], status: int, content_type: str
) -> None:
    """400 bad data, 413 over the limit (after gunzip too), 415 another type or encoding: a Status, nothing stored."""
    before = target.count()
    got, answer_headers, answer = target.post("/v1/metrics", body, headers)
    assert (got, answer_headers["Content-Type"]) == (status, content_type)
    message = (
        json_format.Parse(answer, status_pb2.Status()) if content_type == "application/json"
        else status_pb2.Status.FromString(answer)
    ).message  # fmt: skip
    assert message
    assert target.count() == before


def test_gzip_exports_are_read(target: AppTarget) -> None:
    """Content-Encoding: gzip, as exporters send with compression on."""
    body = gzip.compress(binary(export(gauge("zipped", 5))))
    assert target.post("/v1/metrics", body, {**PB, "Content-Encoding": "gzip"})[0] == 200
    assert [value for _, value in rows(target, "zipped")] == [5]


def test_storage_failure_is_a_503_with_retry_after(target: AppTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exporter retries a 503 (after Retry-After); nothing was stored."""

    async def fail(points: list, **_: object) -> None:
        raise StorageError("database is locked")

    monkeypatch.setattr(target.client.app.extensions["pulseboard"].store, "insert", fail)
    status, headers, answer = target.post("/v1/metrics", binary(export(gauge("down", 1))), PB)
    assert (status, headers["Retry-After"]) == (503, "1")
    assert status_pb2.Status.FromString(answer).message.startswith("storage unavailable, nothing was stored")


def test_the_ingest_token_applies(tmp_path: Path) -> None:
    """With an ingest token set, exporters send it as a header (OTEL_EXPORTER_OTLP_HEADERS)."""
    body = binary(export(gauge("t", 1)))
    with app_target(tmp_path, {"INGEST_TOKEN": "s3cret"}) as target:
        assert target.post("/v1/metrics", body, PB)[0] == 401
        assert target.post("/v1/metrics", body, {**PB, "Authorization": "Bearer s3cret"})[0] == 200


# --- fuzz through the app: never a 5xx, and exactly the acknowledged points stored --------------------------
def json_number(value: float | int) -> float | int | str:
    """Return a value as the protobuf JSON mapping spells it: NaN and the infinities as strings."""
    if isinstance(value, int) or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


values = st.one_of(st.floats(), st.integers(-(2**63), 2**63 - 1)).map(json_number)
times = st.sampled_from(["0", "1", "now", "18446744073709551615"])
points = st.builds(
    lambda v, t, kind: {**({"asDouble": v} if kind else {"asInt": str(int(v))} if isinstance(v, int) else {}),
                        "timeUnixNano": now_ns() if t == "now" else t},
    values, times, st.booleans(),
)  # fmt: skip
metrics = st.builds(
    lambda name, kind, ps: {"name": name, kind: {"dataPoints": ps}},
    st.sampled_from(["f", "", "x" * 201, "\x01", "ok"]),
    st.sampled_from(["gauge", "sum"]),
    st.lists(points, max_size=4),
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(st.lists(metrics, max_size=4), min_size=4, max_size=4), as_json=st.booleans(),
       cut=st.integers(0, 400))  # fmt: skip
def test_fuzzed_exports_through_the_app(target: AppTarget, batch: list[list[dict]], as_json: bool, cut: int) -> None:
    """600 exports, some truncated: 200 storing exactly the points acknowledged, or a Status with nothing stored."""
    for index, metric_list in enumerate(batch):
        payload = export(*metric_list)
        body, headers = (json.dumps(payload).encode(), JS) if as_json else (binary(payload), PB)
        if index == 3:
            body = body[:cut]
        before = target.count()
        status, _, answer = target.post("/v1/metrics", body, headers)
        assert status in (200, 400), answer
        if status != 200:
            assert target.count() == before
            continue
        decoded = decode_otlp(body, headers["Content-Type"])
        now = time.time()
        _, refused = validate_groups(decoded.groups, now=now, oldest=now - 86400, newest=now + 300, max_points=200)
        expected = sum(len(group) for i, group in enumerate(decoded.groups) if i not in refused)
        assert target.count() - before == expected
        response = json_format.Parse(answer, ExportMetricsServiceResponse()) if as_json else (
            ExportMetricsServiceResponse.FromString(answer))  # fmt: skip
        assert response.partial_success.rejected_data_points == len(decoded.refused) + len(refused)
