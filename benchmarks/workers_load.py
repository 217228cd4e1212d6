"""Load 4 workers sharing one SQLite file and count failures (`database is locked` above all).

Not a test: prints what it saw. python -m benchmarks.workers_load [batches] [concurrency]
"""

from __future__ import annotations

import asyncio
import collections
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.deploy import RedisServer
from tests.support.servers import LiveServer


async def main(batches: int, concurrency: int) -> None:
    """Post `batches` batches of 10 points from `concurrency` clients on new connections."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        redis = RedisServer(tmp).start()
        app = LiveServer(tmp, {"PULSEBOARD_HUB_URL": redis.url}, ["--workers", "4", "--no-access-log"]).start()
        statuses: collections.Counter[int] = collections.Counter()
        workers: collections.Counter[str] = collections.Counter()
        gate = asyncio.Semaphore(concurrency)
        try:
            async with httpx.AsyncClient(timeout=60) as client:

                async def post(i: int) -> None:
                    async with gate:
                        points = [{"series": f"s{i % 8}", "ts": time.time(), "value": i} for _ in range(10)]
                        answer = await client.post(
                            f"{app.url}/api/points", json=points, headers={"Connection": "close"}
                        )
                        statuses[answer.status_code] += 1
                        workers[answer.headers.get("X-Pulseboard-Worker", "?")] += 1

                started = time.perf_counter()
                await asyncio.gather(*(post(i) for i in range(batches)))
                elapsed = time.perf_counter() - started
            stored = app.query("SELECT COUNT(*) FROM points")[0][0]
        finally:
            app.stop(timeout=20)
            redis.stop()
        log = app.log.read_text()
        print(f"{batches} batches x 10 points, {concurrency} at a time, in {elapsed:.1f} s")
        print(f"statuses {dict(statuses)}; per worker {sorted(workers.values())}; rows stored {stored}")
        print(f"'database is locked' in log: {log.count('database is locked')}; tracebacks: {log.count('Traceback')}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args or [2000, 32])))
