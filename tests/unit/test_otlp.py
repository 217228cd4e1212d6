"""The OTLP metrics decoder: data points become point items, refusals name their data point, answers encode."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from live.decoders.otlp import JSON, PROTOBUF, Export, Refusal, decode_otlp, encode_response, encode_status
from live.model import InvalidInput

NS = 1_700_000_000_123_456_789
TS = NS / 10**9
SERVICE = [{"key": "service.name", "value": {"stringValue": "checkout"}}]


def request(metrics: list[dict[str, Any]], resource: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ExportMetricsServiceRequest in OTLP/JSON, one resource and one scope."""
    attributes = SERVICE if resource is None else resource
    return {"resourceMetrics": [{"resource": {"attributes": attributes}, "scopeMetrics": [{"metrics": metrics}]}]}


def both(payload: dict[str, Any]) -> list[Export]:
    """Decode a request sent as OTLP/JSON and as binary protobuf."""
    message = json_format.ParseDict(payload, ExportMetricsServiceRequest())
    return [decode_otlp(json.dumps(payload).encode(), JSON), decode_otlp(message.SerializeToString(), PROTOBUF)]


def gauge(name: str, *points: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "gauge": {"dataPoints": list(points)}}


LABELS = {"service.name": "checkout"}
WHERE = "metric 'm' (resourceMetrics[0].scopeMetrics[0].metrics[0]) data point 0"


@pytest.mark.parametrize(
    ("metric", "groups"),
    [
        (gauge("m", {"asDouble": 21.5, "timeUnixNano": str(NS)}),
         [[{"series": "m", "value": 21.5, "ts": TS, "labels": LABELS}]]),
        ({"name": "m", "sum": {"aggregationTemporality": 2, "isMonotonic": True,
                               "dataPoints": [{"asInt": "9007199254740993", "timeUnixNano": str(NS)}]}},
         [[{"series": "m", "value": 9007199254740993, "ts": TS, "labels": LABELS}]]),
        ({"name": "m", "histogram": {"aggregationTemporality": 2, "dataPoints": [
            {"count": "3", "sum": 1.5, "min": 0.1, "max": 1.0, "bucketCounts": ["1", "2"], "explicitBounds": [0.5],
             "timeUnixNano": str(NS)}]}},
         [[{"series": f"m.{k}", "value": v, "ts": TS, "labels": LABELS}
           for k, v in (("count", 3.0), ("sum", 1.5), ("min", 0.1), ("max", 1.0))]]),
        ({"name": "m", "histogram": {"dataPoints": [{"count": "0", "timeUnixNano": str(NS)}]}},
         [[{"series": "m.count", "value": 0.0, "ts": TS, "labels": LABELS}]]),
        ({"name": "m", "exponentialHistogram": {"dataPoints": [
            {"count": "2", "sum": 4.0, "scale": 1, "positive": {"bucketCounts": ["2"]}, "timeUnixNano": str(NS)}]}},
         [[{"series": f"m.{k}", "value": v, "ts": TS, "labels": LABELS} for k, v in (("count", 2.0), ("sum", 4.0))]]),
        (gauge("m", {"asDouble": 1, "timeUnixNano": str(NS), "flags": 1}), []),  # no recorded value: nothing
    ],
)  # fmt: skip
def test_constructs_become_items(metric: dict[str, Any], groups: list[list[dict[str, Any]]]) -> None:
    """Gauges and sums as sent, histograms as count/sum/min/max, time from time_unix_nano, in both encodings."""
    for export in both(request([metric])):
        assert export.groups == groups and not export.refused
        assert export.where == [WHERE] * len(groups)


@pytest.mark.parametrize(
    ("metric", "why"),
    [
        (gauge("m", {"timeUnixNano": str(NS)}), "has no value"),
        (gauge("m", {"asDouble": 1}), "has no time_unix_nano"),
        ({"name": "m", "summary": {"dataPoints": [{"count": "1", "timeUnixNano": str(NS)}]}},
         "summaries are not stored; send a histogram"),
        ({"name": "m", "histogram": {"dataPoints": [{"count": "1"}]}}, "has no time_unix_nano"),
    ],
)  # fmt: skip
def test_points_that_cannot_be_stored_are_refused_by_name(metric: dict[str, Any], why: str) -> None:
    """What no point can stand for is refused, naming the data point, for the answer's partial success."""
    for export in both(request([metric])):
        assert export.groups == [] and export.refused == [Refusal(WHERE, why)]


def test_attributes_become_labels_as_text() -> None:
    """Data-point attributes over the resource's identifying ones; other types as text; empty is no label."""
    resource = [
        *SERVICE,
        {"key": "host.name", "value": {"stringValue": "web-1"}},
        {"key": "process.pid", "value": {"intValue": "42"}},
        {"key": "telemetry.sdk.name", "value": {"stringValue": "opentelemetry"}},
    ]
    attributes = [
        {"key": "host.name", "value": {"stringValue": "override"}},
        {"key": "ok", "value": {"boolValue": True}},
        {"key": "n", "value": {"intValue": "-7"}},
        {"key": "d", "value": {"doubleValue": 0.1}},
        {"key": "b", "value": {"bytesValue": "AAE="}},
        {"key": "list", "value": {"arrayValue": {"values": [{"intValue": "1"}, {"stringValue": "x"}]}}},
        {"key": "map", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"doubleValue": "NaN"}}]}}},
        {"key": "empty", "value": {"stringValue": ""}},
        {"key": "unset", "value": {}},
    ]
    point = {"asDouble": 1, "timeUnixNano": str(NS), "attributes": attributes}
    for export in both(request([gauge("m", point)], resource)):
        assert export.groups[0][0]["labels"] == {
            "service.name": "checkout",
            "host.name": "override",
            "ok": "true",
            "n": "-7",
            "d": "0.1",
            "b": "AAE=",
            "list": '[1,"x"]',
            "map": '{"k":"nan"}',
        }


def test_json_exemplar_ids_are_hex() -> None:
    """OTLP/JSON writes traceId and spanId in hex, not protobuf JSON's base64: read as hex, bad hex refused."""
    exemplar = {"asDouble": 1, "timeUnixNano": "1", "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "EE"}
    point = {"asDouble": 2, "timeUnixNano": str(NS), "exemplars": [exemplar]}
    assert decode_otlp(json.dumps(request([gauge("m", point)])).encode(), JSON).groups[0][0]["value"] == 2
    exemplar["spanId"] = "not hex"
    with pytest.raises(InvalidInput, match="exemplar spanId is not hex"):
        decode_otlp(json.dumps(request([gauge("m", point)])).encode(), JSON)


def test_unknown_json_fields_are_ignored() -> None:
    """OTLP/JSON receivers must ignore fields they do not know, as protobuf decoding does."""
    payload = request([gauge("m", {"asDouble": 1, "timeUnixNano": str(NS), "futureField": 1})])
    payload["somethingNew"] = {"a": 1}
    assert decode_otlp(json.dumps(payload).encode(), JSON).groups[0][0]["value"] == 1


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\x0a\x05\x0a", PROTOBUF, "body is not an OTLP ExportMetricsServiceRequest: Error parsing message"),
        (b"{", JSON, "body is not valid JSON"),
        (b"[]", JSON, "body must be a JSON object (an ExportMetricsServiceRequest)"),
        (b'{"resourceMetrics": 5}', JSON, "body is not an OTLP ExportMetricsServiceRequest"),
        (b'{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"gauge": {"dataPoints": [{"asInt": "x"}]}}]}]}]}',
         JSON, "body is not an OTLP ExportMetricsServiceRequest"),
    ],
)  # fmt: skip
def test_bodies_that_are_no_request_are_400(body: bytes, content_type: str, message: str) -> None:
    """What cannot be decoded at all is an InvalidInput with status 400: the whole request is refused."""
    with pytest.raises(InvalidInput) as raised:
        decode_otlp(body, content_type)
    assert raised.value.status == 400 and raised.value.message.startswith(message)


def test_answers_in_the_requests_encoding() -> None:
    """Full success is an empty response; partial success counts and names; errors are a google.rpc.Status."""
    assert encode_response([], PROTOBUF) == b"" and encode_response([], JSON) == b"{}"
    reasons = [Refusal(f"metric 'm' data point {i}", "has no value") for i in range(7)]
    answer = json.loads(encode_response(reasons, JSON))
    assert answer["partialSuccess"]["rejectedDataPoints"] == "7"
    assert answer["partialSuccess"]["errorMessage"] == (
        "7 data points refused: " + "; ".join(f"metric 'm' data point {i}: has no value" for i in range(5))
        + "; and 2 more"
    )  # fmt: skip
    binary = ExportMetricsServiceResponse.FromString(encode_response(reasons[:1], PROTOBUF))
    assert binary.partial_success.rejected_data_points == 1
    status = status_pb2.Status.FromString(encode_status(400, "nothing was stored", PROTOBUF, reasons[:2]))
    assert (status.code, status.message) == (3, "nothing was stored")
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    assert [(v.field, v.description) for v in bad.field_violations] == [(r.where, r.why) for r in reasons[:2]]
    assert json.loads(encode_status(503, "storage unavailable", JSON)) == {"code": 14, "message": "storage unavailable"}


# --- fuzz -------------------------------------------------------------------------------------------------
# 2,500 generated requests, each decoded 4 ways (protobuf, JSON, and one mutation of each): 10,000 bodies.
EXAMPLES = 2_500
FUZZ = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
odd_names = st.one_of(st.sampled_from(["m", "", "a.b", "x" * 250, "\x00", "é", "<b>"]), st.text(max_size=5))
doubles = st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, -0.0, 5e-324]))
# OTLP/JSON writes non-finite doubles as the strings protobuf's JSON mapping uses.
json_doubles = doubles.map(
    lambda v: v if math.isfinite(v) else {"inf": "Infinity", "-inf": "-Infinity"}.get(str(v), "NaN")
)
times = st.sampled_from(["0", str(NS), "1", "18446744073709551615", "1700000000000000000"])
any_values = st.recursive(
    st.one_of(
        st.builds(lambda v: {"stringValue": v}, odd_names),
        st.builds(lambda v: {"boolValue": v}, st.booleans()),
        st.builds(lambda v: {"intValue": str(v)}, st.integers(-(2**63), 2**63 - 1)),
        st.builds(lambda v: {"doubleValue": v}, json_doubles),
        st.builds(lambda v: {"bytesValue": v}, st.sampled_from(["", "AAE=", "/w=="])),
        st.just({}),
    ),
    lambda inner: st.one_of(
        st.builds(lambda vs: {"arrayValue": {"values": vs}}, st.lists(inner, max_size=3)),
        st.builds(lambda vs: {"kvlistValue": {"values": [{"key": k, "value": v} for k, v in vs]}},
                  st.lists(st.tuples(odd_names, inner), max_size=3)),
    ),
    max_leaves=6,
)  # fmt: skip
attributes = st.lists(st.builds(lambda k, v: {"key": k, "value": v}, odd_names, any_values), max_size=4)
number_points = st.builds(
    lambda base, value: {**base, **value},
    st.fixed_dictionaries(
        {"timeUnixNano": times, "attributes": attributes}, optional={"flags": st.sampled_from([0, 1, 2])}
    ),
    st.one_of(st.just({}), st.builds(lambda v: {"asDouble": v}, json_doubles),
              st.builds(lambda v: {"asInt": str(v)}, st.integers(-(2**63), 2**63 - 1))),
)  # fmt: skip
histogram_points = st.fixed_dictionaries(
    {"timeUnixNano": times, "count": st.integers(0, 2**64 - 1).map(str)},
    optional={"sum": json_doubles, "min": json_doubles, "max": json_doubles, "flags": st.sampled_from([0, 1])},
)  # fmt: skip
metrics = st.one_of(
    st.builds(lambda n, ps: {"name": n, "gauge": {"dataPoints": ps}}, odd_names, st.lists(number_points, max_size=3)),
    st.builds(lambda n, ps: {"name": n, "sum": {"dataPoints": ps, "aggregationTemporality": 1}}, odd_names,
              st.lists(number_points, max_size=3)),
    st.builds(lambda n, ps: {"name": n, "histogram": {"dataPoints": ps}}, odd_names,
              st.lists(histogram_points, max_size=2)),
    st.builds(lambda n, ps: {"name": n, "exponentialHistogram": {"dataPoints": ps}}, odd_names,
              st.lists(histogram_points, max_size=2)),
    st.builds(lambda n, k: {"name": n, "summary": {"dataPoints": [{"count": "1"}] * k}}, odd_names, st.integers(0, 2)),
    st.builds(lambda n: {"name": n}, odd_names),
)  # fmt: skip
requests = st.builds(
    lambda resources: {"resourceMetrics": resources},
    st.lists(st.builds(lambda attrs, ms: {"resource": {"attributes": attrs}, "scopeMetrics": [{"metrics": ms}]},
                       attributes, st.lists(metrics, max_size=3)), max_size=2),
)  # fmt: skip
mutations = st.tuples(st.integers(0, 2), st.floats(0, 1), st.binary(min_size=1, max_size=3))


def _mutate(body: bytes, mutation: tuple[int, float, bytes]) -> bytes:
    how, where, junk = mutation
    at = int(where * len(body))
    return [body[:at], body[:at] + junk + body[at:], body[:at] + junk + body[at + len(junk) :]][how]


def _names_data_points(export: Export) -> None:
    assert len(export.groups) == len(export.where)
    for where in [*export.where, *(refusal.where for refusal in export.refused)]:
        assert where.startswith("metric ") and " data point " in where
    for group in export.groups:
        assert group and all(set(item) <= {"series", "value", "ts", "labels"} for item in group)


@settings(max_examples=EXAMPLES, **FUZZ)
@given(payload=requests, cuts=st.lists(mutations, min_size=2, max_size=2))
def test_generated_requests_decode_alike_and_fail_only_with_invalid_input(
    payload: dict[str, Any], cuts: list[tuple[int, float, bytes]]
) -> None:
    """Any request decodes the same from protobuf and JSON, names every data point; mutated ones raise only 400s."""
    message = json_format.ParseDict(payload, ExportMetricsServiceRequest())
    binary, text = message.SerializeToString(), json.dumps(payload).encode()
    from_binary, from_json = decode_otlp(binary, PROTOBUF), decode_otlp(text, JSON)
    assert repr(from_binary) == repr(from_json)  # repr: NaN equals NaN there
    _names_data_points(from_binary)
    for body, content_type in ((_mutate(binary, cuts[0]), PROTOBUF), (_mutate(text, cuts[1]), JSON)):
        try:
            _names_data_points(decode_otlp(body, content_type))
        except InvalidInput as error:
            assert error.status == 400 and error.message
