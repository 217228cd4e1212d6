"""A stream's connection, where the server lets us reach it: its send buffer capped, and aborted on a cut.

ASGI gives an app no handle on its connection, and uvicorn (0.55) puts none in the scope:
its HTTP scopes carry no `extensions` at all, and the ASGI spec has no message that drops a
connection. What uvicorn does hand the app is its request cycle's bound `send`, whose object
holds the asyncio transport (`RequestResponseCycle.transport`, h11 and httptools alike, uvloop's
transport or asyncio's). `expose_transport` wraps the app and passes that transport on in the
scope, as `extensions["pulseboard.transport"]`, where a route reads it with `Connection.of`.
Under another server (hypercorn, Quart's test client), or a uvicorn that changed, nothing is found
and streams are cut by cancelling them, as before.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, Protocol

EXTENSION = "pulseboard.transport"
# SO_LINGER on, 0 s: close() resets the connection and frees its buffers at once, instead of
# leaving an orphan that keeps what the client never read queued while the kernel retries.
RESET_ON_CLOSE = struct.pack("ii", 1, 0)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Transport(Protocol):
    """What we use of an asyncio (or uvloop) transport."""

    def abort(self) -> None: ...

    def get_extra_info(self, name: str, default: Any = None) -> Any: ...


class Connection:
    """One client's connection, through the server's transport."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    @classmethod
    def of(cls, scope: Mapping[str, Any]) -> Connection | None:
        """Return the request's connection, if the server let `expose_transport` find it."""
        transport = (scope.get("extensions") or {}).get(EXTENSION, {}).get("transport")
        return cls(transport) if transport is not None else None

    def cap_send_buffer(self, size: int) -> None:
        """Let the kernel hold about `size` bytes unsent for the client (doubled: its overhead), not up to 4 MB."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None and size > 0:
            with contextlib.suppress(OSError):  # the client left already: nothing to cap
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)

    def abort(self) -> None:
        """Drop the connection now: the socket, its descriptor and its kernel buffers go at once."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the client left already: closing is all there is to do
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        self.transport.abort()


def expose_transport(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so each HTTP request's scope carries its transport, where the server lets us find it."""

    async def with_transport(scope: Scope, receive: Receive, send: Send) -> None:
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if scope["type"] == "http" and hasattr(transport, "abort") and hasattr(transport, "get_extra_info"):
            extensions = {**(scope.get("extensions") or {}), EXTENSION: {"transport": transport}}
            scope = {**scope, "extensions": extensions}
        await app(scope, receive, send)

    return with_transport
