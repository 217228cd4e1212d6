"""A request's connection, reached through the server's `send`: its send buffer capped, and aborted at once."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from live.connections import Connection, expose_transport
from tests.support.sse import read_to_end


@pytest.fixture
async def accepted() -> AsyncIterator[tuple[asyncio.Transport, socket.socket]]:
    """A real TCP connection: the server side's asyncio transport, and the client's socket."""
    loop = asyncio.get_running_loop()
    made: asyncio.Future[asyncio.Transport] = loop.create_future()

    class Accept(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.set_result(transport)  # type: ignore[arg-type]

    server = await loop.create_server(Accept, "127.0.0.1", 0)
    client = socket.create_connection(server.sockets[0].getsockname())
    try:
        yield await asyncio.wait_for(made, 5), client
    finally:
        client.close()
        server.close()


async def _seen(send: Any) -> Connection | None:
    seen: list[Connection | None] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(Connection.of(scope))

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    await expose_transport(app)({"type": "http", "extensions": {"http.response.trailers": {}}}, receive, send)
    return seen[0]


async def test_a_transport_behind_send_is_found_capped_and_aborted(
    accepted: tuple[asyncio.Transport, socket.socket],
) -> None:
    """uvicorn's `send` is a bound method of an object holding the transport: the app finds it in the scope,
    caps its socket's send buffer, and aborting resets the connection at once."""
    transport, client = accepted

    class Cycle:  # uvicorn's RequestResponseCycle, as much of it as expose_transport looks at
        def __init__(self) -> None:
            self.transport = transport

        async def send(self, message: Any) -> None:
            """Stand in for the server's send."""

    connection = await _seen(Cycle().send)
    assert connection is not None and connection.transport is transport
    connection.cap_send_buffer(64 * 1024)
    sock = transport.get_extra_info("socket")
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == 2 * 64 * 1024  # the kernel doubles it
    transport.write(b"never read")
    connection.abort()
    # A reset, not a FIN queued behind what the client has not read (read in a thread: the loop closes the socket).
    assert await asyncio.to_thread(read_to_end, client, 5) == (b"never read", "reset")


async def test_no_transport_is_made_up() -> None:
    """A `send` that is a plain function (another server, a test client) leaves the scope without one."""

    async def send(message: Any) -> None:
        """Stand in for another server's send."""

    assert await _seen(send) is None
