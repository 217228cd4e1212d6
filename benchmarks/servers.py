"""The apps under test: each a uvicorn process on a free port, and a producer that feeds it points."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.data import DirectWriter
from tests.support.servers import ROOT, free_port, wait_for


@dataclass(frozen=True)
class Target:
    """One app under test: how to serve it and which protocol its screens speak."""

    key: str
    label: str
    module: str
    protocol: str  # "sse", "poll" or "ws"
    env: tuple[tuple[str, str], ...] = ()


PULSEBOARD = Target("pulseboard", "Pulseboard (SSE, one frame shared by every screen)", "app:server", "sse")
BASELINES = [
    Target("interval-figure", "(a) Interval + whole figure", "benchmarks.baselines.interval_figure:server", "poll"),
    Target("interval-extend", "(b) Interval + extendData", "benchmarks.baselines.interval_extend:server", "poll"),
    Target("websocket-patch", "(c) websocket set_props + Patch", "benchmarks.baselines.websocket_patch:server", "ws"),
]
TARGETS = [PULSEBOARD, *BASELINES]
# Pulseboard's settings for the lowest latency: frames as often as points come, no easing.
PULSEBOARD_FAST = Target(
    "pulseboard-fast",
    "Pulseboard, FRAME_RATE 10, ANIMATION_MS 0",
    "app:server",
    "sse",
    (("PULSEBOARD_FRAME_RATE", "10"), ("PULSEBOARD_ANIMATION_MS", "0")),
)
LATENCY_TARGETS = [PULSEBOARD, PULSEBOARD_FAST, *BASELINES]


class Server:
    """`uvicorn <module>` in a child process, one worker, reading and writing `database`."""

    def __init__(self, target: Target, database: Path, series: list[str], rate: float, log: Path) -> None:
        self.target = target
        self.database = database
        self.series = series
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            "PULSEBOARD_DATABASE": str(database),
            "PULSEBOARD_FEED": "false",
            "BASELINE_DATABASE": str(database),
            "BASELINE_SERIES": ",".join(series),
            "BASELINE_RATE": str(rate),
            **dict(target.env),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        """Start uvicorn (no access log, as in production behind a proxy) and wait until it answers."""
        command = [sys.executable, "-m", "uvicorn", self.target.module, "--port", str(self.port)]
        command += ["--no-access-log", "--timeout-graceful-shutdown", "3", "--backlog", "4096"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target.key} exited: {self.log.read_text()[-3000:]}")
            try:
                return httpx.get(self.url + "/", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, what=f"{self.target.key} to answer")
        return self

    def stop(self) -> None:
        """Stop uvicorn, killing it if it will not go."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        """Return the server's CPU time so far (user + system, all threads)."""
        times = psutil.Process(self.pid).cpu_times()
        return times.user + times.system

    def rss(self) -> int:
        """Return the server's resident memory in bytes."""
        return psutil.Process(self.pid).memory_info().rss

    def client_spec(self) -> dict[str, Any]:
        """Return what a headless client needs to speak this app's callback protocol."""
        if self.target.protocol == "sse":
            return {}
        dependencies = httpx.get(self.url + "/_dash-dependencies", timeout=10).json()
        if self.target.protocol == "ws":
            (callback,) = [c for c in dependencies if c.get("websocket")]
            return {"output": callback["output"], "state": []}
        (callback,) = [c for c in dependencies if {"id": "tick", "property": "n_intervals"} in c["inputs"]]
        layout = json.dumps(httpx.get(self.url + "/_dash-layout", timeout=10).json())
        state = []
        for item in callback["state"]:
            state.append({**item, "value": _find_prop(json.loads(layout), item["id"], item["property"])})
        return {"output": callback["output"], "state": state}


def _find_prop(node: Any, component_id: str, prop: str) -> Any:
    # The layout is a tree of {"type", "namespace", "props": {"id", "children", ...}}.
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return props.get(prop)
        return _find_prop(props.get("children"), component_id, prop)
    if isinstance(node, list):
        for child in node:
            found = _find_prop(child, component_id, prop)
            if found is not None:
                return found
    return None


class Producer:
    """Feeds points: POST /api/points to Pulseboard; straight into SQLite for the baselines, which have no ingest."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = httpx.AsyncClient(timeout=30)
        self.writer = None if server.target.protocol == "sse" else DirectWriter(server.database)
        self.sent: dict[int, float] = {}  # event id -> wall-clock time just before sending

    async def send(self, values: list[tuple[str, float]]) -> int:
        """Send (series, value) points now; return the last event id and remember when it was sent."""
        started = time.time()
        if self.writer is not None:
            last = self.writer.write([(series, started, value) for series, value in values])
        else:
            points = [{"series": series, "value": value, "ts": started} for series, value in values]
            response = await self.client.post(self.server.url + "/api/points", json={"points": points})
            response.raise_for_status()
            last = response.json()["last_id"]
        self.sent[last] = started
        return last

    async def run(self, values: Any, rate: float, seconds: float) -> int:
        """Send one batch from `values()` every 1/rate seconds for `seconds`; return how many were sent."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        count = 0
        while loop.time() - start < seconds:
            await self.send(values(count))
            count += 1
            await asyncio.sleep(max(0.0, start + count / rate - loop.time()))
        return count

    async def close(self) -> None:
        """Close the HTTP client and the direct connection."""
        await self.client.aclose()
        if self.writer is not None:
            self.writer.close()


class Clients:
    """Several client processes, each holding part of the connections to one server."""

    def __init__(
        self,
        server: Server,
        count: int,
        processes: int,
        *,
        record: bool = False,
        interval: float = 1.0,
        path: str = "/api/stream",
    ) -> None:
        self.server = server
        self.path = path
        self.count = count
        self.processes = max(1, min(processes, count))
        self.record = record
        self.interval = interval
        self.children: list[asyncio.subprocess.Process] = []
        self.ready = 0
        self.failures: list[str] = []

    async def open(self, timeout: float = 300) -> None:
        """Start the client processes and wait until each has its connections open."""
        spec = json.dumps(self.server.client_spec())
        per = [self.count // self.processes + (i < self.count % self.processes) for i in range(self.processes)]
        offset = 0
        for n in per:
            command = [sys.executable, "-m", "benchmarks.clients", self.server.target.protocol]
            command += ["--port", str(self.server.port), "--clients", str(n), "--offset", str(offset)]
            command += ["--interval", str(self.interval), "--spec", spec, "--path", self.path] + (
                ["--record"] if self.record else []
            )
            offset += n
            self.children.append(
                await asyncio.create_subprocess_exec(
                    *command, cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**30
                )
            )
        for child in self.children:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), timeout)
            if not line:
                raise RuntimeError("a client process died before its connections were open")
            hello = json.loads(line)
            self.ready += hello["ready"]
            self.failures += hello["failed"]

    async def _say(self, word: str) -> None:
        for child in self.children:
            assert child.stdin is not None
            child.stdin.write(word.encode() + b"\n")
            await child.stdin.drain()

    async def mark(self) -> None:
        """Start counting from now."""
        await self._say("mark")

    async def close(self) -> dict[str, Any]:
        """Stop every client and return their tallies, added up."""
        await self._say("stop")
        total: dict[str, Any] = {"updates": 0, "bytes_in": 0, "bytes_out": 0, "errors": 0, "events": []}
        for child in self.children:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 120)
            await child.wait()
            if not line:
                total["errors"] += 1
                continue
            result = json.loads(line)
            for key in total:
                total[key] += result[key]
        return total
