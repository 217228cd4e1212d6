"""Hostile input: POST /api/points never answers 5xx, names what is wrong, never stores part of a batch."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import sync_playwright

from app import create_app
from live.store import StorageError
from tests.support.app_target import AppTarget, app_target
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, GRAPHS_JS, LiveServer, live_server, wait_for

MAX_BODY = 64 * 1024
CONFIG = {"FEED": False, "MAX_BODY_BYTES": MAX_BODY, "MAX_BATCH_POINTS": 500}
# Requests per test: 10,000 through Quart's test client in all, a few hundred through uvicorn. Each
# example sends PER_EXAMPLE requests, which spreads hypothesis's own cost per example over several.
STRUCTURED, RAW, HEADERS, REAL = 6000, 3000, 1000, 300
PER_EXAMPLE = 4
FUZZ = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what producers might send --------------------------------------------------------------------------
odd_text = st.one_of(
    st.text(max_size=30),
    # Long names near the 200-character limit, built cheaply (drawing them char by char is slow).
    st.builds(lambda text, n: (text * n)[:n], st.text(min_size=1, max_size=3), st.integers(190, 260)),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "cpu\n",
            "\x00",
            "\ud800",
            "\u202ecpu",
            "💥" * 60,
            "a" * 201,
            "",
            " ",
            "' OR 1=1 --",
            "%s%n",
        ]
    ),
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=10**300, max_value=10**320),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 5e-324, 1.7976931348623157e308, 2**53 + 1, -(2**63)]),
)
now = time.time()
timestamps = st.one_of(
    st.none(),
    st.floats(min_value=now - 7200, max_value=now + 60),
    numbers,
    st.sampled_from(
        [
            "2026-01-01T00:00:00Z",
            "0001-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59-23:59",
            "2026-13-45T99:99:99Z",
            "yesterday",
            "1970-01-01T00:00:00",
            "",
        ]
    ),
    odd_text,
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | odd_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(odd_text, children, max_size=3),
    max_leaves=4,
)
labels = st.one_of(
    st.none(),
    st.dictionaries(odd_text, odd_text, max_size=4),
    st.dictionaries(st.text(max_size=3), st.just("v"), min_size=30, max_size=40),
    json_values,
)

JSON = {"Content-Type": "application/json"}


@st.composite
def points(draw: st.DrawFn) -> Any:
    """A point: mostly well-formed, each field sometimes wrong, missing or extra."""
    point: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        point["series"] = draw(st.one_of(st.sampled_from(["cpu", "mem", "net.rx"]), odd_text, json_values))
    if draw(st.integers(0, 9)):
        point["value"] = draw(st.one_of(st.floats(-1e6, 1e6), numbers, json_values))
    if draw(st.booleans()):
        point["ts"] = draw(timestamps)
    if draw(st.booleans()):
        point["labels"] = draw(labels)
    if not draw(st.integers(0, 15)):
        point[draw(odd_text)] = draw(json_values)
    return point if draw(st.integers(0, 20)) else draw(json_values)


batches = st.one_of(
    points(),
    st.lists(points(), max_size=8),
    st.builds(lambda point, n: [point] * n, points(), st.integers(490, 520)),  # around MAX_BATCH_POINTS
    st.builds(lambda p: {"points": p}, st.lists(points(), max_size=6)),
    st.builds(lambda p, k, v: {"points": p, k: v}, st.lists(points(), max_size=3), odd_text, json_values),
    json_values,
)


def encode(payload: Any, style: int) -> bytes:
    """Serialise as producers might: JSON with NaN tokens allowed, non-ASCII raw, or another encoding."""
    try:
        text = json.dumps(payload, allow_nan=True, ensure_ascii=style % 2 == 0)
    except ValueError:  # integers beyond Python's 4,300-digit str limit
        text = "1" * 5000
    if style == 3:
        return text.encode("utf-16", errors="surrogatepass")
    if style == 5:
        return text.encode("latin-1", errors="replace")
    return text.encode("utf-8", errors="surrogatepass")


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[" * 100_000,
            b'{"series": "cpu", "value": NaN}',
            b'{"series": "cpu", "value": Infinity}',
            b'{"series": "cpu", "value": -Infinity}',
            b'{"series": "cpu", "value": 1}{"series": "cpu", "value": 2}',
            b'\xef\xbb\xbf{"series": "cpu", "value": 1}',
            b'{"series": "\xff\xfe", "value": 1}',
            b'{"series": "cpu", "value": 1e999}',
            b'{"series": "cpu", "value": ' + b"9" * 5000 + b"}",
            b'{"series": "cpu", "series": "mem", "value": 1}',
            b"null",
            b"true",
            b'"points"',
        ]
    ),
    st.builds(lambda body, cut: body[:cut], st.builds(encode, batches, st.integers(0, 5)), st.integers(0, 200)),
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppTarget]:
    """The app on its own database, for hypothesis (which cannot await) to post to."""
    with app_target(tmp_path_factory.mktemp("fuzz"), CONFIG) as running:
        yield running


def post(target: AppTarget, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """POST a body to /api/points (as JSON unless `headers` say otherwise); return the status and the answer's body."""
    status, _, answer = target.post("/api/points", body, JSON if headers is None else headers)
    return status, answer


def check(status: int, body: bytes, before: int, after: int) -> None:
    """The contract: 2xx stores the whole batch with the ids it gives; 4xx stores nothing and says why."""
    assert status < 500, body[:500]
    answer = json.loads(body)
    if status == 200:
        assert answer["last_id"] - answer["first_id"] + 1 == answer["stored"] >= 1
        assert answer["first_id"] == before + 1 and answer["last_id"] == after, "ids must be the batch's"
    else:
        assert status in (400, 413, 422), status
        assert isinstance(answer["error"], str) and answer["error"]
        assert set(answer) <= {"error", "row", "field"}
        assert after == before, "a rejected batch must store nothing"


@settings(max_examples=STRUCTURED // PER_EXAMPLE, **FUZZ)
@given(bodies=st.lists(st.builds(encode, batches, st.integers(0, 5)), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def test_structured_batches(target: AppTarget, bodies: list[bytes]) -> None:
    """JSON-shaped batches with wrong types, odd names, odd numbers and extra fields."""
    for body in bodies:
        before = target.last_id()
        status, answer = post(target, body)
        check(status, answer, before, target.last_id())


@settings(max_examples=RAW // PER_EXAMPLE, **FUZZ)
@given(bodies=st.lists(raw_bodies, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def test_raw_bodies(target: AppTarget, bodies: list[bytes]) -> None:
    """Bytes that are not JSON, not UTF-8, truncated, or nested past the parser's limit."""
    for body in bodies:
        before = target.last_id()
        status, answer = post(target, body)
        check(status, answer, before, target.last_id())


@settings(max_examples=HEADERS, **FUZZ)
@given(
    size=st.one_of(st.integers(0, 2 * MAX_BODY), st.just(MAX_BODY + 1)),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", "", "a/b"]),
)
def test_sizes_and_content_types(target: AppTarget, size: int, content_type: str) -> None:
    """Bodies around the size limit, with any content type: JSON over the limit is 413; any other type is 415."""
    point = json.dumps({"series": "size", "value": 1.0}).encode()
    body = point + b" " * max(0, size - len(point))
    before = target.last_id()
    status, answer = post(target, body, {"Content-Type": content_type} if content_type else {})
    if content_type != "application/json":
        assert status == 415 and "application/json" in json.loads(answer)["error"]
        assert target.last_id() == before
        return
    check(status, answer, before, target.last_id())
    assert (status == 413) == (len(body) > MAX_BODY)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"PULSEBOARD_MAX_BODY_BYTES": str(MAX_BODY), "PULSEBOARD_MAX_BATCH_POINTS": "500"}
    with live_server(tmp_path_factory.mktemp("real"), env=env) as server:
        yield server


@settings(max_examples=REAL, **FUZZ)
@given(body=st.one_of(raw_bodies, st.builds(encode, batches, st.integers(0, 5))), chunked=st.booleans())
def test_through_uvicorn(real: LiveServer, body: bytes, chunked: bool) -> None:
    """The same contract through real uvicorn, with bodies sent whole or chunked (no Content-Length)."""
    last = real.query("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'points'")[0][0]
    content = iter([body[: len(body) // 2], body[len(body) // 2 :]]) if chunked else body
    response = httpx.post(f"{real.url}/api/points", content=content, headers=JSON, timeout=10)
    after = real.query("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'points'")[0][0]
    check(response.status_code, response.content, last, after)


def test_oversized_bodies_through_uvicorn(real: LiveServer) -> None:
    """A body past the limit is 413 whether it declares its length or streams without one."""
    big = b"[" + b'{"series": "x", "value": 1},' * (MAX_BODY // 20) + b"]"
    assert httpx.post(f"{real.url}/api/points", content=big, headers=JSON, timeout=10).status_code == 413
    streamed = httpx.post(f"{real.url}/api/points", content=iter([big[:1000], big[1000:]]), headers=JSON, timeout=10)
    assert streamed.status_code == 413 and "limit" in streamed.json()["error"]


def test_named_errors() -> None:
    """The error says which row and field are wrong (spot checks of the messages fuzzing only shape-checks)."""
    loop = asyncio.new_event_loop()
    try:
        server = create_app({**CONFIG, "DATABASE": ":memory:"}).server
        client = server.test_client()

        async def post(payload: Any) -> dict:
            return await (await client.post("/api/points", json=payload)).get_json()

        assert loop.run_until_complete(post([{"series": "a", "value": 1}, {"series": "a", "value": "x"}])) == {
            "error": "value must be a number, got str",
            "row": 1,
            "field": "value",
        }
        answer = loop.run_until_complete(post({"series": "a", "value": 1, "ts": 10**400}))
        assert answer["field"] == "ts" and "outside" in answer["error"]
    finally:
        loop.close()


def test_storage_failure_is_a_503_not_dashs_500(target: AppTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that fails (locked too long, disk full) is a JSON 503 that says nothing was stored."""

    async def fail(points: list, **_: object) -> None:
        raise StorageError("database is locked")

    live = target.client.app.extensions["pulseboard"]
    monkeypatch.setattr(live.store, "insert", fail)
    status, body = post(target, json.dumps({"series": "cpu", "value": 1.0}).encode())
    assert status == 503 and "nothing was stored" in json.loads(body)["error"]


XSS = ["<img src=x onerror=window.__xss=1>", "<script>window.__xss=1</script>"]


@pytest.mark.browser
def test_html_in_series_names_shows_as_text(tmp_path: Path) -> None:
    """Series named with HTML show the literal text in their titles, at page load and when added live."""
    with live_server(tmp_path) as server, sync_playwright() as playwright:
        labelled = [{"series": XSS[0], "value": 1.0}, {"series": XSS[0], "value": 1.5, "labels": {"x": XSS[1]}}]
        assert server.post(labelled).status_code == 200
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url + "/")
            wait_for(lambda: XSS[0] in page.evaluate(GRAPHS_JS), timeout=30, what="the page-load graph")
            wait_for(lambda: page.evaluate("window.pulseboard.opens") >= 1, timeout=30, what="the stream")
            # This one arrives as a new graph in a frame, not from the page-load callback.
            assert server.post({"series": XSS[1], "value": 2.0}).status_code == 200
            graphs = wait_for(
                lambda: (g := page.evaluate(GRAPHS_JS)) and all(g.get(s, {}).get("shownTitle") for s in XSS) and g,
                timeout=30,
                what="both graphs with titles",
            )
            for series in XSS:
                assert graphs[series]["shownTitle"] == series
            legend = page.evaluate("Array.from(document.querySelectorAll('.legendtext')).map((t) => t.textContent)")
            assert f"x={XSS[1]}" in legend
            assert page.evaluate("typeof window.__xss") == "undefined"
            assert page.evaluate("document.querySelectorAll('img[src=x], .pb-graphs script').length") == 0
        finally:
            browser.close()
