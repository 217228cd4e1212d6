"""Acknowledged means stored: kill -9 under load, and every 2xx batch is there, whole."""

from __future__ import annotations

import random
import signal
import threading
import uuid
from collections import Counter
from pathlib import Path

import httpx

from tests.support.servers import LiveServer, wait_for

KILLS = 10
WRITERS = 4


class Load:
    """Threads posting batches with unique labels as fast as the server takes them."""

    def __init__(self, url: str, seed: int) -> None:
        self.url = url
        self.sent: dict[str, int] = {}  # label -> points in the batch, for every batch tried
        self.acked: list[tuple[str, int, int, int]] = []  # label, first id, last id, points
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(seed + i,)) for i in range(WRITERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                label, size = uuid.uuid4().hex, rng.randint(1, 400)
                points = [{"series": f"load.{i % 3}", "value": i, "labels": {"batch": label}} for i in range(size)]
                with self._lock:
                    self.sent[label] = size
                try:
                    response = client.post(f"{self.url}/api/points", json=points)
                except httpx.HTTPError:
                    self.stop.wait(0.02)  # server down: pace the retries (load shaping, not synchronisation)
                    continue
                if response.status_code == 200:
                    body = response.json()
                    with self._lock:
                        self.acked.append((label, body["first_id"], body["last_id"], size))

    def acks(self) -> int:
        with self._lock:
            return len(self.acked)


def test_every_acknowledged_batch_survives_kill_9_whole(tmp_path: Path) -> None:
    """After 10 kill -9s under load, each 2xx batch is stored with its ids, and no batch is half there."""
    rng = random.Random(20261122)
    server = LiveServer(tmp_path).start()
    try:
        with Load(server.url, seed=rng.randint(0, 10**6)) as load:
            for _ in range(KILLS):
                target = load.acks() + rng.randint(3, 60)
                wait_for(lambda target=target: load.acks() >= target, timeout=60, what="acknowledged batches")
                server.stop(signal.SIGKILL)
                server.start()
            wait_for(lambda: load.acks() >= target + 5, timeout=60, what="acknowledged batches after the last restart")
    finally:
        server.stop()
    rows = server.query(
        "SELECT p.id, json_extract(s.labels, '$.batch') FROM points p JOIN series s ON s.id = p.series_id"
    )
    label_of = dict(rows)
    stored = Counter(label for _, label in rows)
    print(f"\n{KILLS} kill -9s survived: {len(load.acked)} acknowledged batches, {len(rows)} points stored")
    for label, first, last, size in load.acked:
        assert last - first + 1 == size
        assert all(label_of.get(i) == label for i in range(first, last + 1)), f"acknowledged batch {label} is lost"
    for label, count in stored.items():
        assert count == load.sent[label], f"batch {label} is half written: {count} of {load.sent[label]} points"
    assert len(stored) >= len(load.acked)
