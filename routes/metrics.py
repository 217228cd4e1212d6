"""Prometheus scraping: GET /metrics, every worker's figures added up."""

from __future__ import annotations

import asyncio
import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from quart import Blueprint, Response

from live import get_live

bp = Blueprint("metrics", __name__)
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@bp.get("/metrics")
async def scrape() -> Response:
    """Answer with the metrics in Prometheus' text format."""
    get_live().count_stale()
    return Response(await asyncio.to_thread(_collect), content_type=CONTENT_TYPE_LATEST)


def _collect() -> bytes:
    # Off the event loop: under several workers this reads every worker's files.
    if not os.environ.get(MULTIPROC_DIR):
        return generate_latest(REGISTRY)
    # A fresh registry per scrape, as prometheus-client's multiprocess guide says.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


@bp.after_app_serving
async def forget_worker() -> None:
    """Drop this worker's live gauges (open streams) from the shared figures as it exits."""
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(os.getpid())
