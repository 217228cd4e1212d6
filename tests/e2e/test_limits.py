"""uvicorn as the Procfile and deploy/start.sh run it: a request head past 32 KiB is refused, not buffered
(issue 13, finding 4: an 8 MB header got 200, five 64 MB ones took the server from 66 to 384 MB)."""

from __future__ import annotations

import re
import shlex
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.servers import ROOT, LiveServer
from tests.support.sse import read_until_id

LIMITS = ["--http", "h11", "--h11-max-incomplete-event-size", "32768", "--limit-concurrency", "--timeout-keep-alive"]


def procfile_args() -> list[str]:
    """Return the Procfile's uvicorn options, ${VAR:-default} as its default, on loopback, without the port."""
    command = (ROOT / "Procfile").read_text().split("web:", 1)[1]
    words = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", command))
    args = words[words.index("app:server") + 1 :]
    for option in ("--host", "--port"):
        del args[args.index(option) : args.index(option) + 2]
    return args


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("procfile"), args=procfile_args()).start()
    try:
        yield server
    finally:
        server.stop()


def head_answer(port: int, header_bytes: int) -> str:
    """Send a GET whose head carries one header of this size; return the status line, or how the server hung up."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes + b"\r\n\r\n")
            return sock.recv(200).split(b"\r\n")[0].decode() or "closed"
        except ConnectionError as error:
            return type(error).__name__


def test_start_script_and_procfile_set_the_same_limits() -> None:
    """deploy/start.sh (the Docker image) and the Procfile both ship the limits."""
    script = (ROOT / "deploy" / "start.sh").read_text()
    for option in LIMITS:
        assert option in procfile_args(), option
        assert option in script.replace('"${UVICORN_HTTP:-h11}"', "h11"), option


def test_a_huge_request_head_is_refused_and_an_ordinary_one_served(deployed: LiveServer) -> None:
    """8 MB of header: refused (400 or a reset) without being held; 20 KB (a fat cookie) is fine."""
    assert head_answer(deployed.port, 8 * 2**20) != "HTTP/1.1 200 OK"
    assert head_answer(deployed.port, 20 * 1024) == "HTTP/1.1 200 OK"
    assert httpx.get(f"{deployed.url}/healthz", timeout=10).status_code == 200


def test_streams_work_over_h11(deployed: LiveServer) -> None:
    """The h11 parser serves the event stream as httptools does."""
    last = deployed.post({"series": "cpu", "value": 1.0}).json()["last_id"]
    body = read_until_id(f"{deployed.url}/api/stream?after=0", str(last))
    assert b"event: frame" in body or b"event: reset" in body
