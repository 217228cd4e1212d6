"""POST /api/prometheus through the app: every sample stored, or none, and errors that name the line."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from live.store import StorageError
from tests.support.app_target import AppTarget, app_target

LIMIT = 8 * 1024
TEXT = {"Content-Type": "text/plain; version=0.0.4"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppTarget]:
    with app_target(tmp_path_factory.mktemp("prometheus"), {"MAX_BODY_BYTES": LIMIT, "MAX_BATCH_POINTS": 500}) as t:
        yield t


def stored(target: AppTarget, first: int) -> list[tuple[str, str, float, float]]:
    return target.db.execute(
        "SELECT s.name, s.labels, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
        " WHERE p.id >= ? ORDER BY p.id",
        (first,),
    ).fetchall()


def test_samples_are_stored_with_labels_and_times(target: AppTarget) -> None:
    """Each sample a point: its name, its labels, its timestamp (ms) or now; the answer gives the ids."""
    now_ms = int(time.time() * 1000)
    body = f'# TYPE jobs_total counter\njobs_total{{queue="mail"}} 3 {now_ms}\nqueue_depth 7.5\n'.encode()
    before = time.time()
    status, _, answer = target.post("/api/prometheus", body, TEXT)
    assert status == 200
    result = json.loads(answer)
    assert result["stored"] == 2 and result["last_id"] == result["first_id"] + 1
    (name, labels, ts, value), (name2, labels2, ts2, value2) = stored(target, result["first_id"])
    assert (name, labels, ts, value) == ("jobs_total", '{"queue":"mail"}', now_ms / 1000, 3.0)
    assert (name2, labels2, value2) == ("queue_depth", "", 7.5) and before <= ts2 <= time.time()


def test_prometheus_client_output_is_stored_whole(target: AppTarget) -> None:
    """What generate_latest() writes goes in as it is, every sample of it."""
    registry = CollectorRegistry()
    Counter("pushes", "Pushes.", ["job"], registry=registry).labels("nightly").inc()
    Histogram("run_seconds", "Run time.", buckets=(1.0, 10.0), registry=registry).observe(4)
    body = generate_latest(registry)
    samples = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
    status, _, answer = target.post("/api/prometheus", body)  # curl --data-binary's form content type: no matter
    assert status == 200 and json.loads(answer)["stored"] == len(samples)
    names = {row[0] for row in stored(target, json.loads(answer)["first_id"])}
    assert {"pushes_total", "pushes_created", "run_seconds_bucket", "run_seconds_count", "run_seconds_sum"} <= names


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (b'ok 1\nx{a="b} 1\n', 400, {"error": 'line 2: expected name="value" or } at column 3', "line": 2}),
        (b"ok 1\n\nx NaN\n", 422, {"error": "line 3: value must be a finite number that fits in a double",
                                   "line": 3, "row": 1, "field": "value"}),
        (b"ok 1\nold 1 1000\n", 422, {"error": "line 2: ts '1.0' is outside the accepted range (retention window to"
                                       " a little past now)", "line": 2, "row": 1, "field": "ts"}),
        (b'x{a="\\u0000"} 1\n', 400, {"error": "line 1: label value has an unknown escape \\u"
                                       ' (only \\\\, \\" and \\n)', "line": 1}),
        (b"# only comments\n", 422, {"error": "batch is empty: send at least one point", "field": "points"}),
    ],
)  # fmt: skip
def test_bad_bodies_store_nothing_and_name_the_line(
    target: AppTarget, body: bytes, status: int, expected: dict[str, object]
) -> None:
    """A bad line, or a sample validation refuses, refuses the whole body with the line named."""
    before = target.count()
    got, _, answer = target.post("/api/prometheus", body, TEXT)
    assert (got, json.loads(answer)) == (status, expected)
    assert target.count() == before


def test_gzip_bodies_and_their_limits(target: AppTarget) -> None:
    """gzip is read; the limit applies after gunzipping; a broken stream is 400, another encoding 415."""
    body = b"zipped 1\n"
    status, _, answer = target.post("/api/prometheus", gzip.compress(body), {"Content-Encoding": "gzip"})
    assert status == 200 and json.loads(answer)["stored"] == 1
    bomb = gzip.compress(b"# " + b"x" * (LIMIT * 4) + b"\nzipped 1\n")
    assert len(bomb) < LIMIT
    before = target.count()
    status, _, answer = target.post("/api/prometheus", bomb, {"Content-Encoding": "gzip"})
    assert status == 413 and f"{LIMIT}-byte limit" in json.loads(answer)["error"]
    status, _, answer = target.post("/api/prometheus", gzip.compress(body)[:-4], {"Content-Encoding": "gzip"})
    assert status == 400 and json.loads(answer)["error"].startswith("body is not valid gzip")
    status, _, answer = target.post("/api/prometheus", body, {"Content-Encoding": "br"})
    assert status == 415 and "'br' is not supported" in json.loads(answer)["error"]
    status, _, _ = target.post("/api/prometheus", b"# " + b"x" * LIMIT + b"\n")
    assert status == 413
    assert target.count() == before


def test_storage_failure_is_a_503(target: AppTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that fails is a JSON 503 with Retry-After: nothing was stored."""

    async def fail(points: list, **_: object) -> None:
        raise StorageError("database is locked")

    monkeypatch.setattr(target.client.app.extensions["pulseboard"].store, "insert", fail)
    status, headers, answer = target.post("/api/prometheus", b"x 1\n")
    assert (status, headers.get("Retry-After")) == (503, "1"), answer
    assert "nothing was stored" in json.loads(answer)["error"]


def test_the_ingest_token_applies(tmp_path: Path) -> None:
    """With an ingest token set, the route wants it, as /api/points does."""
    with app_target(tmp_path, {"INGEST_TOKEN": "s3cret"}) as target:
        assert target.post("/api/prometheus", b"x 1\n")[0] == 401
        assert target.post("/api/prometheus", b"x 1\n", {"Authorization": "Bearer nope"})[0] == 403
        assert target.post("/api/prometheus", b"x 1\n", {"Authorization": "Bearer s3cret"})[0] == 200


# --- fuzz through the app: never a 5xx, never part of a body ---------------------------------------------
pieces = st.sampled_from(
    ["up 1", 'x{a="b"} 2', 'x{a="b",c="d",} 3 ' + str(int(time.time() * 1000)), "y NaN", "z 1 1000", "# TYPE x gauge",
     "# TYPE x nope", 'q{a="\\n"} 1', 'q{a="\\x"} 1', "bad line", 'w{a=""} 1', "n" * 250 + " 1", "", "\t", "\r"]
)  # fmt: skip
bodies = st.one_of(
    st.lists(pieces, max_size=8).map(lambda lines: "\n".join(lines).encode()),
    st.binary(max_size=80),
    st.text(max_size=80).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@settings(max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(bodies, min_size=4, max_size=4), zipped=st.booleans())
def test_fuzzed_bodies_through_the_app(target: AppTarget, batch: list[bytes], zipped: bool) -> None:
    """1,000 bodies: 200 with every sample stored, or a 4xx naming what is wrong with nothing stored."""
    for body in batch:
        before = target.count()
        headers = {"Content-Encoding": "gzip"} if zipped else {}
        status, _, answer = target.post("/api/prometheus", gzip.compress(body) if zipped else body, headers)
        result = json.loads(answer)
        assert status < 500, answer
        if status == 200:
            samples = sum(1 for line in body.decode().split("\n") if line.strip(" \t\r")[:1] not in ("", "#"))
            assert result["stored"] == samples == target.count() - before
        else:
            assert status in (400, 413, 422) and result["error"]
            assert target.count() == before
