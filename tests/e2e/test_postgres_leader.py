"""Leadership across hosts on PostgreSQL (issue 18): one of two uvicorn processes leads (feed, retention);
killed with SIGKILL, the other takes over within 10 s (the issue's bound)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.support.servers import LiveServer, wait_for

TAKEOVER_SECONDS = 10


def leading(host: LiveServer) -> bool | None:
    """Return whether the host says it leads (None if it does not answer)."""
    try:
        return httpx.get(f"{host.url}/readyz", timeout=2).json()["leader"]
    except httpx.HTTPError:
        return None


def test_another_host_leads_within_10_s_of_the_leaders_kill_9(tmp_path: Path, postgres_url: str) -> None:
    hosts = []
    for index in range(2):
        (tmp_path / f"host{index}").mkdir()
        hosts.append(LiveServer(tmp_path / f"host{index}", env={"PULSEBOARD_DATABASE": postgres_url}).start())
    try:
        wait_for(lambda: any(leading(host) for host in hosts), timeout=30, what="a host to lead")
        flags = [leading(host) for host in hosts]
        assert sorted(flags) == [False, True], flags  # exactly one leads
        leader, other = (hosts[0], hosts[1]) if flags[0] else (hosts[1], hosts[0])
        leader.stop(signal.SIGKILL)
        wait_for(lambda: leading(other), timeout=TAKEOVER_SECONDS, what="the other host to lead")
    finally:
        for host in hosts:
            host.stop()
