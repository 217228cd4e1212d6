"""OTLP/HTTP metrics: ExportMetricsServiceRequest bodies in, raw point items out, and the answers (pure).

What each construct becomes:
- gauge and sum data points: a point of the series named after the metric, as_double or as_int
  as sent (a cumulative sum stays cumulative, a delta stays the delta; temporality is no label);
- histogram and exponential histogram data points: `<name>.count`, `<name>.sum` and, when
  present, `<name>.min` and `<name>.max` (buckets are not stored: a screen draws lines);
- summary data points: refused (partial success), as are points with no value or no time;
- points flagged "no recorded value" (a series that ended): accepted, nothing to store;
- labels: the data point's attributes over the resource's identifying attributes (below),
  values that are not strings rendered as text (true, 42, 0.5, arrays and maps as JSON, bytes
  as base64); an empty value is no label, as in Prometheus;
- time: time_unix_nano.

Of the resource's attributes only those that say which source sent the point become labels:
service.name, service.namespace, service.instance.id, host.name and deployment.environment(.name).
Without them two replicas' cumulative counters would interleave on one line; the others
(telemetry.sdk.*, process.*, os.*) describe the source, would repeat on every series, and
process.pid would start new lines at every restart. The instrumentation scope is no label either.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import DataPointFlags, Metric

from live.decoders.json import parse_json
from live.model import InvalidInput

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
RESOURCE_LABELS = (
    "service.name",
    "service.namespace",
    "service.instance.id",
    "host.name",
    "deployment.environment.name",
    "deployment.environment",
)
NO_RECORDED_VALUE = DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK
MAX_REASONS = 5  # in a partial success's message; the count covers them all


class Refusal(NamedTuple):
    """A data point not stored: which one, and why."""

    where: str
    why: str


@dataclass
class Export:
    """One request's data points: the items each becomes, what names it, and the ones refused already."""

    groups: list[list[dict[str, Any]]] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _plain(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_plain(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return {pair.key: _plain(pair.value) for pair in value.kvlist_value.values}
    if kind in ("string_value", "bool_value", "int_value"):
        return getattr(value, kind)
    if kind == "double_value" and math.isfinite(value.double_value):
        return value.double_value
    return _text(value) if kind else None


def _text(value: AnyValue) -> str:
    """Return an attribute value as label text ("" when it has none)."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "int_value":
        return str(value.int_value)
    if kind == "double_value":
        return repr(value.double_value)  # the shortest text that reads back as the same double
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    if kind in ("array_value", "kvlist_value"):
        return json.dumps(_plain(value), separators=(",", ":"), ensure_ascii=False)
    return ""  # unset, or an index into a string table metrics requests do not carry


def _labels(attributes: Iterable[KeyValue], base: dict[str, str]) -> dict[str, str]:
    labels = dict(base)
    for pair in attributes:
        text = _text(pair.value)
        if text:
            labels[pair.key] = text
        else:
            labels.pop(pair.key, None)
    return labels


def _resource_labels(attributes: Iterable[KeyValue]) -> dict[str, str]:
    return {pair.key: text for pair in attributes if pair.key in RESOURCE_LABELS and (text := _text(pair.value))}


def _number_points(metric: Metric, points: Any, base: dict[str, str], where: str, export: Export) -> None:
    for index, point in enumerate(points):
        here = f"{where} data point {index}"
        if point.flags & NO_RECORDED_VALUE:
            continue
        kind = point.WhichOneof("value")
        if kind is None:
            export.refused.append(Refusal(here, "has no value"))
            continue
        if not point.time_unix_nano:
            export.refused.append(Refusal(here, "has no time_unix_nano"))
            continue
        item = {"series": metric.name, "value": getattr(point, kind), "ts": point.time_unix_nano / 10**9}
        labels = _labels(point.attributes, base)
        if labels:
            item["labels"] = labels
        export.groups.append([item])
        export.where.append(here)


def _histogram_points(metric: Metric, points: Any, base: dict[str, str], where: str, export: Export) -> None:
    for index, point in enumerate(points):
        here = f"{where} data point {index}"
        if point.flags & NO_RECORDED_VALUE:
            continue
        if not point.time_unix_nano:
            export.refused.append(Refusal(here, "has no time_unix_nano"))
            continue
        ts = point.time_unix_nano / 10**9
        labels = _labels(point.attributes, base)
        values = [("count", float(point.count))]
        values += [(name, getattr(point, name)) for name in ("sum", "min", "max") if point.HasField(name)]
        group = []
        for suffix, value in values:
            item = {"series": f"{metric.name}.{suffix}", "value": value, "ts": ts}
            if labels:
                item["labels"] = labels
            group.append(item)
        export.groups.append(group)
        export.where.append(here)


def _hex_ids_to_base64(payload: Any) -> None:
    """Rewrite exemplars' traceId and spanId from OTLP/JSON's hex to the base64 protobuf's JSON reads."""
    for resource in _list(payload, "resourceMetrics"):
        for scope in _list(resource, "scopeMetrics"):
            for metric in _list(scope, "metrics"):
                if not isinstance(metric, dict):
                    continue
                for kind in ("gauge", "sum", "histogram", "exponentialHistogram", "summary"):
                    for point in _list(metric.get(kind), "dataPoints"):
                        for exemplar in _list(point, "exemplars"):
                            for key in ("traceId", "spanId"):
                                if isinstance(exemplar, dict) and isinstance(exemplar.get(key), str):
                                    try:
                                        raw = bytes.fromhex(exemplar[key])
                                    except ValueError:
                                        raise InvalidInput(f"exemplar {key} is not hex", status=400) from None
                                    exemplar[key] = base64.b64encode(raw).decode()


def _list(parent: Any, key: str) -> list[Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, list) else []


def parse_request(body: bytes, content_type: str) -> metrics_service_pb2.ExportMetricsServiceRequest:
    """Decode a body as an ExportMetricsServiceRequest, binary or JSON; raise InvalidInput (400) if it is not one."""
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    if content_type == PROTOBUF:
        try:
            request.ParseFromString(body)
        except DecodeError as error:
            raise InvalidInput(f"body is not an OTLP ExportMetricsServiceRequest: {error}"[:300], status=400) from None
        return request
    payload = parse_json(body)
    if not isinstance(payload, dict):
        raise InvalidInput("body must be a JSON object (an ExportMetricsServiceRequest)", status=400)
    _hex_ids_to_base64(payload)
    try:
        # Receivers must ignore fields they do not know (the OTLP/JSON rules), as binary decoding does.
        json_format.ParseDict(payload, request, ignore_unknown_fields=True)
    except (json_format.ParseError, binascii.Error) as error:
        raise InvalidInput(f"body is not an OTLP ExportMetricsServiceRequest: {error}"[:300], status=400) from None
    except RecursionError:
        raise InvalidInput("body is not an OTLP ExportMetricsServiceRequest: nested too deeply", status=400) from None
    return request


def decode_otlp(body: bytes, content_type: str) -> Export:
    """Return the data points of an OTLP/HTTP metrics body as groups of raw point items."""
    export = Export()
    for r, resource in enumerate(parse_request(body, content_type).resource_metrics):
        base = _resource_labels(resource.resource.attributes)
        for s, scope in enumerate(resource.scope_metrics):
            for m, metric in enumerate(scope.metrics):
                where = f"metric {metric.name[:100]!r} (resourceMetrics[{r}].scopeMetrics[{s}].metrics[{m}])"
                kind = metric.WhichOneof("data")
                if kind in ("gauge", "sum"):
                    _number_points(metric, getattr(metric, kind).data_points, base, where, export)
                elif kind in ("histogram", "exponential_histogram"):
                    _histogram_points(metric, getattr(metric, kind).data_points, base, where, export)
                elif kind == "summary":
                    export.refused += [
                        Refusal(f"{where} data point {index}", "summaries are not stored; send a histogram")
                        for index in range(len(metric.summary.data_points))
                    ]
    return export


def _encode(message: Any, content_type: str) -> bytes:
    if content_type == JSON:
        return json_format.MessageToJson(message, indent=None).encode()
    return message.SerializeToString()


def encode_response(reasons: list[Refusal], content_type: str) -> bytes:
    """Return the ExportMetricsServiceResponse: full success, or a partial success counting what was refused."""
    response = metrics_service_pb2.ExportMetricsServiceResponse()
    if reasons:
        response.partial_success.rejected_data_points = len(reasons)
        response.partial_success.error_message = summarize(reasons)
    return _encode(response, content_type)


def summarize(reasons: list[Refusal]) -> str:
    """Return one message for many refused data points: the first few, and how many more."""
    shown = "; ".join(f"{where}: {why}" for where, why in reasons[:MAX_REASONS])
    more = len(reasons) - MAX_REASONS
    count = f"{len(reasons)} data point{'' if len(reasons) == 1 else 's'}"
    return f"{count} refused: {shown}" + (f"; and {more} more" if more > 0 else "")


def encode_status(status: int, message: str, content_type: str, reasons: Iterable[Refusal] = ()) -> bytes:
    """Return the google.rpc.Status an OTLP/HTTP error answer carries (BadRequest details for 400)."""
    # OTLP clients do not act on Status.code; it is set for whoever reads the logs.
    code = {413: code_pb2.RESOURCE_EXHAUSTED, 503: code_pb2.UNAVAILABLE}.get(status, code_pb2.INVALID_ARGUMENT)
    answer = status_pb2.Status(code=code, message=message)
    if status == 400:
        bad = error_details_pb2.BadRequest()
        for where, why in list(reasons)[: MAX_REASONS * 4] or [Refusal("", message)]:
            bad.field_violations.add(field=where, description=why)
        answer.details.add().Pack(bad)
    return _encode(answer, content_type)
