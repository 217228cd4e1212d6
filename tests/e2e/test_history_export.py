"""The export of a range over a real uvicorn holds exactly the points stored in it: count and checksum."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import time
from datetime import UTC, datetime

import httpx

from tests.support.servers import LiveServer


def line(series: str, host: str, ts: float, value: float) -> str:
    when = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{series}|{host}|{when}|{value!r}"


def test_an_export_is_exactly_the_stored_points_of_its_range(server: LiveServer) -> None:
    """25,000 points over 6 h in two label sets and a name not asked for; the export of 3 h in the middle."""
    rng = random.Random(19)
    now = round(time.time())
    sent: list[dict] = []
    for i in range(25_000):
        ts = now - 6 * 3600 + i * 0.864 + rng.choice((0, 0.001, 0.5))
        sent.append({"series": "temp", "ts": round(ts, 3), "value": rng.gauss(20, 5), "labels": {"host": f"h{i % 2}"}})
        if i % 5 == 0:
            sent.append({"series": "other", "ts": round(ts, 3), "value": 1.0})
    for start in range(0, len(sent), 10_000):
        assert server.post(sent[start : start + 10_000]).status_code == 200
    start, end = now - 5 * 3600, now - 2 * 3600
    expected = sorted(
        line(p["series"], p["labels"]["host"], p["ts"], p["value"])
        for p in sent
        if p["series"] == "temp" and start <= p["ts"] <= end
    )
    query = {
        "series": "temp",
        "from": datetime.fromtimestamp(start, UTC).isoformat(),
        "to": str(end),  # epoch seconds
    }
    with httpx.stream("GET", f"{server.url}/api/export.csv", params=query, timeout=30) as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers  # streamed, not held whole
        text = b"".join(answer.iter_bytes()).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    got = sorted(line(row["series"], row["host"], datetime.fromisoformat(row["time"]).timestamp(), float(row["value"]))
                 for row in rows)
    assert len(got) == len(expected) > 10_000
    digest = hashlib.sha256("\n".join(got).encode()).hexdigest()
    assert digest == hashlib.sha256("\n".join(expected).encode()).hexdigest()
