"""Headless clients, many per process, each speaking one app's protocol; run as `python -m benchmarks.clients`.

A client process opens its connections, prints "ready", runs until a line arrives on stdin,
then prints one JSON line of results. Bytes are counted as read from the socket (HTTP
headers and chunk framing included, TCP/IP not), so they are what crosses the wire.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import websockets


@dataclass
class Tally:
    """What one process's clients saw."""

    updates: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    errors: int = 0
    events: list[tuple[int, float]] = field(default_factory=list)  # (event id, wall-clock receive time)
    connected: int = 0


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], int]:
    """Read an HTTP response head; return status, lower-cased headers and its size in bytes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, len(head)


async def read_chunk(reader: asyncio.StreamReader) -> tuple[bytes, int]:
    """Read one chunk of a chunked body; return its data and its size on the wire."""
    line = await reader.readuntil(b"\r\n")
    size = int(line.split(b";")[0], 16)
    data = await reader.readexactly(size + 2)
    return data[:-2], len(line) + size + 2


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> tuple[bytes, int]:
    """Read a whole body (Content-Length or chunked); return it and its size on the wire."""
    if "content-length" in headers:
        n = int(headers["content-length"])
        return await reader.readexactly(n), n
    if headers.get("transfer-encoding") == "chunked":
        parts, wire = [], 0
        while True:
            data, size = await read_chunk(reader)
            wire += size
            if not data:
                return b"".join(parts), wire
            parts.append(data)
    return b"", 0


class SseReader(asyncio.Protocol):
    """Holds one event stream open, counting frames (and their ids and receive times when recording).

    A protocol, not a StreamReader: thousands of streams share a client process, and the
    client processes share the machine's cores with the server, so each chunk costs one
    callback, not a coroutine resumed twice.
    """

    def __init__(self, tally: Tally, record: bool, request: bytes, closed: asyncio.Future[None]) -> None:
        self.tally = tally
        self.record = record
        self.request = request
        self.closed = closed
        self.buffer = b""
        self.head = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.request)  # type: ignore[attr-defined]  # a TCP transport
        self.tally.bytes_out += len(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.tally.bytes_in += len(data)
        buffer = self.buffer + data
        if self.head:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if buffer[9:12] != b"200":
                self.closed.set_exception(ConnectionError(f"stream answered {buffer[9:12].decode()}"))
                return
            self.head = False
            self.tally.connected += 1
            buffer = buffer[end + 4 :]
        # Events end with a blank line; chunk framing ("\r\n<size>\r\n") rides along between them.
        *events, self.buffer = buffer.split(b"\n\n")
        for event in events:
            if b"event: frame" not in event:
                continue  # the hello comment, a heartbeat, or the reset at connect
            self.tally.updates += 1
            if self.record:
                event_id = int(event.split(b"id: ", 1)[1].split(b"\n", 1)[0])
                self.tally.events.append((event_id, now))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def sse_client(host: str, port: int, path: str, tally: Tally, record: bool) -> None:
    """Hold one event stream open until it ends or the task is cancelled."""
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
    transport, _ = await loop.create_connection(lambda: SseReader(tally, record, request, closed), host, port)
    try:
        await closed
    finally:
        transport.close()


def _outputs(output: str) -> list[dict[str, str]]:
    # Dash names a multi-output callback "..a.prop...b.prop..": split it back into ids and props.
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


async def poll_client(host: str, port: int, spec: dict[str, Any], interval: float, tally: Tally) -> None:
    """Poll _dash-update-component as dcc.Interval makes the renderer do, carrying State forward."""
    reader, writer = await asyncio.open_connection(host, port, limit=2**26)
    tally.connected += 1
    state = {f"{s['id']}.{s['property']}": s.get("value") for s in spec["state"]}
    n = 0
    try:
        while True:
            n += 1
            body = json.dumps(
                {
                    "output": spec["output"],
                    "outputs": _outputs(spec["output"]),
                    "inputs": [{"id": "tick", "property": "n_intervals", "value": n}],
                    "changedPropIds": ["tick.n_intervals"],
                    "state": [
                        {"id": key.rsplit(".", 1)[0], "property": key.rsplit(".", 1)[1], "value": value}
                        for key, value in state.items()
                    ],
                },
                separators=(",", ":"),
            ).encode()
            request = (
                f"POST /_dash-update-component HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.monotonic()
            writer.write(request)
            status, headers, head = await read_head(reader)
            data, size = await read_body(reader, headers)
            tally.bytes_out += len(request)
            tally.bytes_in += head + size
            if status == 200:
                tally.updates += 1
                response = json.loads(data)["response"]
                for key in state:
                    component, prop = key.rsplit(".", 1)
                    if prop in response.get(component, {}):
                        state[key] = response[component][prop]
            elif status != 204:
                tally.errors += 1
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        writer.close()


async def ws_client(host: str, port: int, spec: dict[str, Any], index: int, tally: Tally) -> None:
    """Open the page's websocket and start its persistent callback, counting the set_props pushed."""
    origin = f"http://{host}:{port}"
    # No compression: none of the four apps compresses HTTP either, so all bytes compare alike.
    async with websockets.connect(
        f"ws://{host}:{port}/_dash-ws-callback", origin=origin, compression=None, max_size=None, ping_interval=None
    ) as ws:
        tally.connected += 1
        request = json.dumps(
            {
                "type": "callback_request",
                "rendererId": f"renderer-{index}",
                "requestId": f"request-{index}",
                "payload": {"output": spec["output"], "outputs": [], "inputs": [], "state": [], "changedPropIds": []},
            }
        )
        await ws.send(request)
        tally.bytes_out += len(request) + 6
        async for message in ws:
            size = len(message.encode() if isinstance(message, str) else message)
            size += 2 if size < 126 else 4 if size < 65536 else 10  # the frame header
            tally.bytes_in += size
            if b"set_props" in (message.encode() if isinstance(message, str) else message):
                tally.updates += 1


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Open the clients, say ready, run until told to stop on stdin, and return the tally."""
    tally = Tally()
    spec = json.loads(args.spec) if args.spec else {}
    tasks: list[asyncio.Task[None]] = []
    for i in range(args.clients):
        if args.kind == "sse":
            coro = sse_client(args.host, args.port, args.path, tally, args.record)
        elif args.kind == "poll":
            coro = poll_client(args.host, args.port, spec, args.interval, tally)
        else:
            coro = ws_client(args.host, args.port, spec, args.offset + i, tally)
        tasks.append(asyncio.create_task(coro))
        if i % 50 == 49:
            await asyncio.sleep(args.ramp)  # in steps, so the listen backlog never overflows
    # Ready once every connection is established (or has failed), so the server is idle again.
    deadline = time.monotonic() + args.timeout
    while tally.connected + sum(t.done() for t in tasks) < len(tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    failed = [t for t in tasks if t.done() and t.exception() is not None]
    print(json.dumps({"ready": len(tasks) - len(failed), "failed": [repr(t.exception()) for t in failed[:3]]}))
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    mark = (tally.updates, tally.bytes_in, tally.bytes_out)
    await loop.run_in_executor(None, sys.stdin.readline)  # "mark": counting starts
    mark = (tally.updates, tally.bytes_in, tally.bytes_out)
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    errors = sum(1 for t in tasks if t.done() and not t.cancelled() and t.exception() is not None)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "updates": tally.updates - mark[0],
        "bytes_in": tally.bytes_in - mark[1],
        "bytes_out": tally.bytes_out - mark[2],
        "errors": tally.errors + errors,
        "events": tally.events,
    }


def main() -> None:
    """Parse the arguments and run the clients."""
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["sse", "poll", "ws"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/api/stream")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=0.05)
    parser.add_argument("--spec", default="")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # The clients keep every receive time they record; the collector's passes over them would
    # hold the reading up, and count as the server's latency. They make no cycles to collect.
    gc.disable()
    try:
        import uvloop  # the client side must not be the bottleneck

        result = uvloop.run(run(args))
    except ImportError:
        result = asyncio.run(run(args))
    # The event loop leaves stdout non-blocking: a result over the pipe's buffer (fan-out records
    # every frame) would be cut short mid-line. Blocking again, it is written whole.
    os.set_blocking(sys.stdout.fileno(), True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
