"""Request bodies on every ingest route: a body that does not arrive in time is a 408 (issue 13, finding 4)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app import create_app
from tests.support.waiting import eventually


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/points", "application/json"),
        ("/api/v2/write", "text/plain"),
        ("/v1/metrics", "application/x-protobuf"),
        ("/api/prometheus", "text/plain"),
    ],
)
async def test_a_body_dripped_past_the_deadline_is_408(settings: dict[str, Any], path: str, content_type: str) -> None:
    """A client that sends part of a body and stalls is answered 408 at BODY_TIMEOUT_SECONDS, not held for ever."""
    dash_app = create_app({**settings, "BODY_TIMEOUT_SECONDS": 0.2})
    async with dash_app.server.test_app() as test_app:
        headers = {"Content-Type": content_type, "Content-Length": "1000"}
        async with asyncio.timeout(10):  # before: no answer at all, ever
            async with test_app.test_client().request(path, method="POST", headers=headers) as connection:
                await connection.send(b"[" * 10)
                await eventually(lambda: connection.status_code is not None, what="an answer")
        assert connection.status_code == 408
        assert b"the body did not arrive within 0.2 s (10 bytes came)" in connection.response_data
