"""Real deployment parts for tests and benchmarks: nginx, redis-server, and an SSE reader."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.support.screen import Screen
from tests.support.servers import GRAPHS_JS, ROOT, free_port, wait_for
from tests.support.sse import Event

NGINX = "/usr/sbin/nginx"
REDIS_SERVER = "redis-server"
SHIPPED_NGINX_CONF = ROOT / "deploy" / "nginx.conf"
PREFIX = "/pulse"

NGINX_MAIN = """daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/pulseboard.conf;
}}
"""


def render_site(upstream_port: int, listen_port: int, *, strip_prefix: bool = False, buffering: bool = False) -> str:
    """Return deploy/nginx.conf as shipped, pointed at these ports, in one of its documented variants.

    strip_prefix: nginx drops /pulse/ (uvicorn --root-path). buffering: the stream's location
    keeps nginx's default proxy_buffering on and the site compresses event streams too, as a
    site-wide `gzip_types` may; then only X-Accel-Buffering: no keeps frames moving (measured on
    nginx 1.22: without it the gzip filter holds even the response headers).
    """
    site = SHIPPED_NGINX_CONF.read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    if strip_prefix:
        site = site.replace("proxy_pass http://pulseboard;", "proxy_pass http://pulseboard/;", 1)
        site = site.replace("proxy_pass http://pulseboard;", "proxy_pass http://pulseboard/api/stream;", 1)
    if buffering:
        assert "proxy_buffering off;" in site and "gzip off;" in site
        site = site.replace("proxy_buffering off;", "").replace("gzip off;", "")
        site = site.replace(
            "server {\n", "server {\n    gzip on;\n    gzip_types text/event-stream application/json;\n", 1
        )
    return site


class Nginx:
    """nginx in the foreground, a child of the test, with its own prefix directory."""

    def __init__(self, tmp: Path, site: Callable[[int], str]) -> None:
        self.port = free_port()
        self.prefix = tmp / f"nginx-{self.port}"
        self.prefix.mkdir(parents=True)
        (self.prefix / "pulseboard.conf").write_text(site(self.port))
        # As root, nginx's workers run as nobody, who cannot write proxy temp files (big responses
        # such as plotly.min.js) under pytest's 0700 tmp directories: keep them as root.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.prefix / "nginx.conf").write_text(NGINX_MAIN.format(prefix=self.prefix, user=user))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def start(self) -> Nginx:
        """Start nginx and wait until the app answers /healthz through it."""
        command = [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", "stderr"]
        with open(self.prefix / "stderr.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {(self.prefix / 'stderr.log').read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=15, what="nginx to answer /pulse/healthz")
        return self

    def stop(self) -> None:
        """Stop nginx at once (SIGTERM is its fast shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.dir = tmp
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start redis-server (no persistence) and wait until it accepts connections."""
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.dir)]
        with open(self.dir / f"redis-{self.port}.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(up, timeout=10, what="redis-server to answer PING")
        return self

    def stop(self) -> None:
        """Stop redis-server and wait for it to exit: every client's connection drops."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)


class StreamReader:
    """Reads /api/stream in a task, keeping every event and waking waiters as each arrives."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client = client
        self.url = url
        self.events: list[Event] = []
        self.worker: str | None = None
        self.headers: httpx.Headers | None = None
        self._changed = asyncio.Condition()
        self._opened = asyncio.Event()
        self.ended = False
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> StreamReader:
        """Connect and wait for the response headers."""
        self._task = asyncio.create_task(self._read())
        opened = asyncio.ensure_future(self._opened.wait())
        await asyncio.wait({opened, self._task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():
            opened.cancel()
            self._task.result()
        if not self._opened.is_set():
            opened.cancel()
            raise AssertionError(f"no response headers from {self.url}")
        return self

    async def close(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _read(self) -> None:
        try:
            await self._read_events()
        finally:
            self.ended = True
            async with self._changed:
                self._changed.notify_all()  # waiters see the stream has ended

    async def _read_events(self) -> None:
        headers = {"Accept": "text/event-stream"}
        async with self.client.stream("GET", self.url, headers=headers) as response:
            assert response.status_code == 200, response.status_code
            self.headers = response.headers
            self.worker = response.headers.get("X-Pulseboard-Worker")
            self._opened.set()
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    continue  # a comment: the greeting or a heartbeat
                if line:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    fields[name] = f"{fields[name]}\n{value}" if name == "data" and name in fields else value
                    continue
                if "data" in fields:
                    event = Event(fields.get("event", "message"), fields.get("id"), fields["data"])
                    async with self._changed:
                        self.events.append(event)
                        self._changed.notify_all()
                fields = {}

    def values(self, series: str) -> list[float]:
        """Return every y value received for the series, in order."""
        return [value for event in self.events for value in event.values(series)]

    def shown(self, series: str) -> list[float]:
        """Return what a screen following this stream shows of the series, by the one Python applier.

        Not every value received: a frame re-sends a line whole when a point arrives out of time
        order (several workers stamp points in one order and commit them in another).
        """
        screen = Screen()
        for event in self.events:
            if event.event in ("frame", "reset"):
                screen.apply({"event": event.event, "id": event.id, "data": event.data})
        return screen.traces.get(series, {}).get("y", [])

    async def wait_for(self, condition: Callable[[StreamReader], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Return condition(self) once truthy, re-checked as each event arrives; fail after `timeout`."""

        async def satisfied() -> Any:
            async with self._changed:
                while not (result := condition(self)):
                    if self.ended:
                        raise AssertionError(f"stream ended while waiting for {what}: {self._task}")
                    await self._changed.wait()
                return result

        try:
            return await asyncio.wait_for(satisfied(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}") from None


# What the browser script knows, for a failure message.
SCRIPT_STATE_JS = """() => {
    const s = window.pulseboard || {};
    return {frames: s.frames, resets: s.resets, connects: s.connects, lastId: s.lastId,
            busy: Array.from((s.busy || new Map()).keys()), pending: Array.from((s.pending || new Map()).keys()),
            plots: document.querySelectorAll('#pb-graphs .js-plotly-plot').length,
            children: (document.getElementById('pb-graphs') || {childElementCount: -1}).childElementCount};
}"""


async def wait_for_graph(page: Any, series: str, ys: list[float], timeout: float = 20.0) -> dict:
    """Poll the page's graphs until the series' graph holds exactly `ys`; return every graph."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        graphs = await page.evaluate(GRAPHS_JS)
        if graphs.get(series, {}).get("y") == ys:
            return graphs
        if loop.time() > deadline:
            script = await page.evaluate(SCRIPT_STATE_JS)
            raise AssertionError(f"timed out after {timeout} s waiting for {series} = {ys}; {graphs=} {script=}")
        await asyncio.sleep(0.25)  # the poll interval; faster polling starves the page (see below)
