"""Real producers, real screen: the OpenTelemetry SDK's OTLP/HTTP exporter and prometheus_client output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from tests.support.servers import GRAPHS_JS, LiveServer, wait_for

pytestmark = pytest.mark.browser
LIVE_JS = "!!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"


def open_screen(page: Any, server: LiveServer) -> None:
    """Load the dashboard and wait until its stream is live."""
    page.goto(server.url + "/")
    wait_for(lambda: page.evaluate(LIVE_JS), timeout=20, what="the stream to open")


def shown(page: Any, key: str) -> list[float]:
    """Return the y values the screen draws for a series key."""
    return page.evaluate(GRAPHS_JS).get(key, {}).get("y", [])


@pytest.fixture
def provider(server: LiveServer) -> Iterator[MeterProvider]:
    """The OpenTelemetry SDK exporting to the live server every second, over OTLP/HTTP protobuf."""
    exporter = OTLPMetricExporter(endpoint=f"{server.url}/v1/metrics")
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=1000)
    # The SDK gives every process a random service.instance.id unless told one; a fixed one keeps keys known.
    resource = Resource.create({"service.name": "shop", "service.instance.id": "shop-1"})
    provider = MeterProvider(resource=resource, metric_readers=[reader])
    try:
        yield provider
    finally:
        provider.shutdown()


def test_opentelemetry_sdk_metrics_appear_on_the_screen(page: Any, server: LiveServer, provider: MeterProvider) -> None:
    """A gauge, a counter and a histogram, exported every second, are drawn under their series keys and labels."""
    open_screen(page, server)
    meter = provider.get_meter("e2e")
    meter.create_gauge("room.temperature").set(21.5, {"room": "lab"})
    meter.create_counter("orders").add(3, {"region": "eu"})
    meter.create_histogram("checkout.duration").record(0.25, {"route": "/pay"})

    service = '"service.instance.id":"shop-1","service.name":"shop"'
    expected = {
        f'room.temperature{{"room":"lab",{service}}}': 21.5,
        f'orders{{"region":"eu",{service}}}': 3.0,  # cumulative, as sent
        f'checkout.duration.count{{"route":"/pay",{service}}}': 1.0,
        f'checkout.duration.sum{{"route":"/pay",{service}}}': 0.25,
        f'checkout.duration.min{{"route":"/pay",{service}}}': 0.25,
        f'checkout.duration.max{{"route":"/pay",{service}}}': 0.25,
    }
    wait_for(
        lambda: all(shown(page, key)[-1:] == [value] for key, value in expected.items()),
        timeout=30,
        what="every series on the screen",
    )


def test_prometheus_client_output_appears_on_the_screen(page: Any, server: LiveServer) -> None:
    """generate_latest() POSTed as it is: counters, gauges and histogram buckets drawn with their labels."""
    open_screen(page, server)
    registry = CollectorRegistry()
    Counter("jobs", "Jobs done.", ["queue"], registry=registry).labels("mail").inc(3)
    Gauge("queue_depth", "Depth.", registry=registry).set(7)
    Histogram("run_seconds", "Run time.", buckets=(1.0,), registry=registry).observe(0.5)
    answer = httpx.post(f"{server.url}/api/prometheus", content=generate_latest(registry), timeout=10)
    assert answer.status_code == 200, answer.text
    expected = {'jobs_total{"queue":"mail"}': 3.0, "queue_depth": 7.0, 'run_seconds_bucket{"le":"+Inf"}': 1.0}
    wait_for(
        lambda: all(shown(page, key) == [value] for key, value in expected.items()),
        timeout=20,
        what="the samples on the screen",
    )
    # The process's own default registry, as a batch job would push it, goes in whole as well.
    assert httpx.post(f"{server.url}/api/prometheus", content=generate_latest(), timeout=10).status_code == 200
