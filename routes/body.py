"""Request bodies for every ingest route: read with a size limit and a deadline, whatever the protocol."""

from __future__ import annotations

import asyncio
import zlib

from quart import request
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout, UnsupportedMediaType

from live.model import InvalidInput


async def read_body(limit: int, timeout: float) -> bytes:
    """Return the request body; raise RequestEntityTooLarge as soon as it passes `limit` bytes,
    RequestTimeout (408) if it has not all arrived `timeout` seconds after the headers."""
    # Quart fixes a body's limit when the request is made (from MAX_CONTENT_LENGTH, app-wide),
    # so setting request.max_content_length in the view does not reach it: count here instead.
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    chunks, size = [], 0
    try:
        # Quart's BODY_TIMEOUT covers `await request.body`, not reading it in chunks: a client
        # dripping a body held its request open for as long as it liked (issue 13, finding 4).
        async with asyncio.timeout(timeout):
            async for chunk in request.body:
                size += len(chunk)
                if size > limit:
                    raise RequestEntityTooLarge()
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(f"the body did not arrive within {timeout:g} s ({size} bytes came)") from None
    return b"".join(chunks)


async def read_decoded_body(limit: int, timeout: float) -> bytes:
    """Return the request body, gunzipped if its Content-Encoding says gzip; `limit` applies to both sizes.

    Raises RequestEntityTooLarge past the limit, RequestTimeout past the deadline, InvalidInput
    (400) for a broken gzip stream and UnsupportedMediaType for another encoding.
    """
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "identity", ""):
        raise UnsupportedMediaType(f"Content-Encoding {encoding[:40]!r} is not supported; send gzip or none")
    body = await read_body(limit, timeout)
    return gunzip(body, limit) if encoding in ("gzip", "x-gzip") else body


def gunzip(body: bytes, limit: int) -> bytes:
    """Return a gzip body decompressed, never holding more than `limit` bytes of it (a small bomb stays small)."""
    out, size = [], 0
    while True:  # one gzip member after another, as gzip itself reads concatenated files
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = stream.decompress(body, limit - size + 1)
        except zlib.error as error:
            raise InvalidInput(f"body is not valid gzip: {error}", status=400) from None
        size += len(chunk)
        if size > limit or stream.unconsumed_tail:
            raise RequestEntityTooLarge()
        if not stream.eof:
            raise InvalidInput("body is not valid gzip: it ends before the stream does", status=400)
        out.append(chunk)
        body = stream.unused_data
        if not body:
            return b"".join(out)
