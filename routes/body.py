"""Request bodies for every ingest route: read with a limit, whatever the protocol."""

from __future__ import annotations

from quart import request
from werkzeug.exceptions import RequestEntityTooLarge


async def read_body(limit: int) -> bytes:
    """Return the request body, or raise RequestEntityTooLarge as soon as it passes `limit` bytes."""
    # Quart fixes a body's limit when the request is made (from MAX_CONTENT_LENGTH, app-wide),
    # so setting request.max_content_length in the view does not reach it: count here instead.
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    chunks, size = [], 0
    async for chunk in request.body:
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)
