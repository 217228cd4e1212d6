"""Measure frame latency: direct vs through nginx, and 1 worker vs 4 workers on Redis.

Not a test: prints medians. Latency = time from the POST returning (and from it being sent) to
its frame arriving at an SSE reader. Points are spaced wider than a frame interval, so each
one is "the first after a quiet spell" and goes out at once, not at the next frame tick.

    python -m benchmarks.deploy_latency [points]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.deploy import PREFIX, Nginx, RedisServer, StreamReader, render_site
from tests.support.servers import LiveServer

FRESH = {"Connection": "close"}


async def measure(post_url: str, stream_url: str, points: int, fresh: bool) -> tuple[list[float], list[float]]:
    """Return (from POST return, from POST start) latencies in ms for `points` points."""
    after_return, after_send = [], []
    async with httpx.AsyncClient(timeout=30) as client:
        reader = await StreamReader(client, stream_url).open()
        try:
            for value in range(points):
                await asyncio.sleep(0.3)  # wider than a frame interval (0.2 s at 5 frames/s)
                sent = time.perf_counter()
                headers = FRESH if fresh else {}
                answer = await client.post(
                    post_url, json=[{"series": "b", "ts": time.time(), "value": value}], headers=headers
                )
                returned = time.perf_counter()
                assert answer.status_code == 200
                await reader.wait_for(lambda r, n=value: len(r.values("b")) > n, timeout=10)
                arrived = time.perf_counter()
                after_return.append((arrived - returned) * 1000)
                after_send.append((arrived - sent) * 1000)
        finally:
            await reader.close()
    return after_return, after_send


def report(name: str, result: tuple[list[float], list[float]]) -> None:
    """Print medians and 90th percentiles."""
    after_return, after_send = result
    p90 = statistics.quantiles(after_send, n=10)[-1]
    print(
        f"{name:34s} median from POST return {statistics.median(after_return):7.2f} ms;"
        f" from POST start {statistics.median(after_send):7.2f} ms (p90 {p90:.2f} ms)"
    )


async def main(points: int) -> None:
    """Run each set-up in turn and print its figures."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "a").mkdir()
        app = LiveServer(tmp / "a", {"DASH_URL_BASE_PATHNAME": f"{PREFIX}/"}, ["--no-access-log"])
        app.prefix = PREFIX
        app.start()
        nginx = Nginx(tmp / "a", lambda port: render_site(app.port, port)).start()
        try:
            report("1 worker, direct", await measure(f"{app.url}/api/points", f"{app.url}/api/stream", points, False))
            report(
                "1 worker, through nginx",
                await measure(f"{nginx.url}/api/points", f"{nginx.url}/api/stream", points, False),
            )
        finally:
            nginx.stop()
            app.stop()

        redis = RedisServer(tmp).start()
        try:
            for workers, hub in ((1, "memory://"), (1, redis.url), (4, redis.url)):
                run = tmp / f"{workers}-{hub[:5]}"
                run.mkdir()
                env = {"PULSEBOARD_HUB_URL": hub}
                app = LiveServer(run, env, ["--workers", str(workers), "--no-access-log"]).start()
                try:
                    url = app.url
                    # A new connection per POST, so with 4 workers most points come in through another worker.
                    result = await measure(f"{url}/api/points", f"{url}/api/stream", points, True)
                    report(f"{workers} worker(s), {hub.split(':')[0]} hub, new conn.", result)
                finally:
                    app.stop(timeout=20)
        finally:
            redis.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
