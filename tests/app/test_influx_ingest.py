"""Line protocol through the app: 204 and stored whole, or InfluxDB's error shape and nothing stored."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from quart.typing import TestClientProtocol as Client

from app import create_app
from live.decoders.influx import parse_lines
from live.store import StorageError
from tests.support.app_target import AppTarget, app_target

TELEGRAF = Path(__file__).parent.parent / "fixtures" / "telegraf"
TOKEN = "s3cret"


def now_ns(offset_s: float = 0) -> int:
    return int((time.time() + offset_s) * 10**9)


async def stored(app: Dash) -> list[tuple[str, str, float, float]]:
    """Return every stored point as (series, labels, ts, value), in id order."""
    live = app.server.extensions["pulseboard"]
    return [(row.series, row.labels, row.ts, row.value) for row in await live.store.between(0, 10**9)]


async def test_a_body_is_stored_and_answered_with_204(app: Dash, client: Client) -> None:
    """Each field a series, tags as labels, the timestamp in seconds; 204 and no body, as InfluxDB."""
    stamp = now_ns(-10)
    body = f"cpu,host=a,region=eu idle=97.5,user=2i {stamp}\nmem value=t {stamp}\n"
    response = await client.post("/api/v2/write?org=acme&bucket=ops&precision=ns", data=body.encode())
    assert response.status_code == 204
    assert await response.get_data() == b""
    labels = '{"host":"a","region":"eu"}'
    assert await stored(app) == [
        ("cpu.idle", labels, stamp / 10**9, 97.5),
        ("cpu.user", labels, stamp / 10**9, 2.0),
        ("mem", "", stamp / 10**9, 1.0),
    ]


async def test_the_1x_route_takes_db_and_its_own_precision_names(app: Dash, client: Client) -> None:
    """POST /write?db=...&precision=s (and u, n, ms) as InfluxDB 1.x clients send it; u and p are ignored."""
    seconds = int(time.time()) - 5
    response = await client.post("/write?db=telegraf&rp=autogen&u=x&p=y&precision=s", data=f"up value=1 {seconds}")
    assert response.status_code == 204
    response = await client.post("/write?db=telegraf&precision=u", data=f"up value=2 {seconds * 10**6}")
    assert response.status_code == 204
    assert [(s, ts, v) for s, _, ts, v in await stored(app)] == [("up", seconds, 1.0), ("up", seconds, 2.0)]


@pytest.mark.parametrize(
    ("body", "status", "code", "says"),
    [
        (b'm value=1\nm s="on"\nm value=3', 400, "invalid", "line 2: field 's' is a string"),
        (b"m value=1\nm value=2 1780000000\n", 422, "unprocessable entity", "line 2 (ts): "),
        (b"m value=1\n" + b"m,t=" + b"x" * 600 + b" value=2", 422, "unprocessable entity", "line 2 (labels): "),
        (b"m value=1\nm value=1 2 3", 400, "invalid", "line 2: bad timestamp"),
        (b"", 400, "invalid", "no lines"),
    ],
)
async def test_a_bad_line_refuses_the_whole_batch(
    app: Dash, client: Client, body: bytes, status: int, code: str, says: str
) -> None:
    """400 for lines that do not parse, 422 for points validation refuses; nothing stored; the line named."""
    response = await client.post("/api/v2/write?bucket=b", data=body)
    assert response.status_code == status
    answer = await response.get_json()
    assert set(answer) == {"code", "message"} and answer["code"] == code
    assert says in answer["message"]
    assert await stored(app) == []


async def test_seconds_sent_as_nanoseconds_are_refused_with_the_retention_message(client: Client) -> None:
    """The default precision is ns: a seconds timestamp lands in 1970, beyond retention."""
    response = await client.post("/api/v2/write", data=f"m value=1 {int(time.time())}")
    assert response.status_code == 422
    assert "retention" in (await response.get_json())["message"]


async def test_gzip_bodies_are_read(app: Dash, client: Client) -> None:
    """Content-Encoding: gzip, as Telegraf's outputs.influxdb_v2 sends by default."""
    body = gzip.compress(b"m value=1\nm value=2\n")
    response = await client.post("/api/v2/write", data=body, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 204
    assert [v for *_, v in await stored(app)] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        # A gzip bomb: 32 kB on the wire, 32 MB inflated, past the 64 kB limit while inflating.
        (gzip.compress(b"m value=1\n" * 3_200_000), {"Content-Encoding": "gzip"}, 413, "request too large"),
        (b"m value=1\n" * 7000, {}, 413, "request too large"),  # 70 kB before any gunzip
        (b"\x1f\x8b not gzip at all", {"Content-Encoding": "gzip"}, 400, "invalid"),
        (b"m value=1", {"Content-Encoding": "br"}, 415, "invalid"),
    ],
)
async def test_bodies_past_the_limit_or_badly_encoded(
    settings: dict[str, Any], body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    """The body limit holds for the inflated size too; bad encodings get InfluxDB's shape, not Dash's 500."""
    dash_app = create_app({**settings, "MAX_BODY_BYTES": 64 * 1024})
    async with dash_app.server.test_app() as test_app:
        response = await test_app.test_client().post("/api/v2/write", data=body, headers=headers)
        assert response.status_code == status
        assert (await response.get_json())["code"] == code
        assert await stored(dash_app) == []


async def test_too_many_points_is_413_so_telegraf_halves_its_batch(settings: dict[str, Any]) -> None:
    """More points than MAX_BATCH_POINTS: 413 (Telegraf splits and retries), not 422 (it would drop)."""
    dash_app = create_app({**settings, "MAX_BATCH_POINTS": 3})
    async with dash_app.server.test_app() as test_app:
        response = await test_app.test_client().post("/api/v2/write", data=b"m a=1,b=2\nm a=3,b=4")
        assert response.status_code == 413
        assert await response.get_json() == {
            "code": "request too large",
            "message": "batch has 4 points; at most 3 per request",
        }


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        (f"Token {TOKEN}", 204, None),
        (f"Bearer {TOKEN}", 204, None),
        (f"token {TOKEN}", 204, None),
        (None, 401, "unauthorized"),
        ("Token wrong", 403, "forbidden"),
        (f"Basic {TOKEN}", 403, "forbidden"),
    ],
)
async def test_the_ingest_token_as_token_or_bearer(
    settings: dict[str, Any], header: str | None, status: int, code: str | None
) -> None:
    """InfluxDB clients send `Token <token>`; Bearer works too; refusals in InfluxDB's shape."""
    dash_app = create_app({**settings, "INGEST_TOKEN": TOKEN})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        for path in ("/api/v2/write", "/write"):
            headers = {"Authorization": header} if header else {}
            response = await client.post(path, data=b"m value=1", headers=headers)
            assert response.status_code == status
            if code:
                answer = await response.get_json()
                assert answer["code"] == code and "ingest token" in answer["message"]


async def test_a_storage_failure_is_503_in_influxdbs_shape(
    app: Dash, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locked too long or disk full: 503 with Retry-After, which Telegraf and the clients retry."""

    async def fail(points: list[Any], **_: object) -> None:
        raise StorageError("database is locked")

    monkeypatch.setattr(app.server.extensions["pulseboard"].store, "insert", fail)
    response = await client.post("/api/v2/write", data=b"m value=1")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert (await response.get_json())["code"] == "unavailable"


@pytest.mark.parametrize(
    ("fixture", "headers", "path", "points", "sample"),
    [
        (
            "outputs_http_influx.lp",
            {"Content-Type": "text/plain; charset=utf-8"},
            "/write?db=telegraf",
            10 + 7 + 9 + 8,
            ("cpu.usage_idle", '{"cpu":"cpu-total","host":"web-1"}', 1767225600.0, 97.2636815920398),
        ),
        (
            "outputs_influxdb_v2.lp",
            {"Content-Encoding": "gzip", "Authorization": "Token t", "User-Agent": "Telegraf/1.37.0 Go/1.24.0"},
            "/api/v2/write?bucket=telegraf&org=acme",
            6 + 1 + 4 + 11 + 11,
            (
                "disk.used_percent",
                '{"device":"sdb1","fstype":"ext4","host":"web-1","mode":"rw","path":"/mnt/backup disk"}',
                1767225610.0,
                8.78400421142578,
            ),
        ),
    ],
)
async def test_telegraf_bodies_are_stored_as_expected(
    settings: dict[str, Any], fixture: str, headers: dict[str, str], path: str, points: int, sample: tuple[Any, ...]
) -> None:
    """Bodies as Telegraf's outputs.http (data_format influx) and outputs.influxdb_v2 send them."""
    body = (TELEGRAF / fixture).read_bytes()
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.compress(body)
    # The fixtures keep their captured times (2026-01-01): a retention long enough to keep them.
    dash_app = create_app({**settings, "RETENTION_SECONDS": 20 * 365 * 86400, "INGEST_TOKEN": "t"})
    async with dash_app.server.test_app() as test_app:
        headers = {"Authorization": "Bearer t", **headers}
        response = await test_app.test_client().post(path, data=body, headers=headers)
        assert response.status_code == 204, await response.get_data()
        rows = await stored(dash_app)
    assert len(rows) == points
    assert sample in rows


# --- fuzz: never a 5xx, never part of a batch ------------------------------------------------------------
MAX_BODY = 64 * 1024
FUZZ_CONFIG = {"FEED": False, "MAX_BODY_BYTES": MAX_BODY, "MAX_BATCH_POINTS": 200}
NOW_NS = now_ns()
names = st.one_of(
    st.sampled_from(["cpu", "mem", "my cpu", "a,b", "x=y", "\\", "é", "v" * 190, "#", ""]),
    st.text(max_size=12),
)
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(2**64), 2**64).map(lambda n: f"{n}i"),
    st.integers(-1, 2**64).map(lambda n: f"{n}u"),
    st.sampled_from(["t", "FALSE", "True", '"text"', '"a \\" b"', "1_0", "NaN", "", "--1", "1e999"]),
)
stamps = st.one_of(
    st.just(""),
    st.integers(NOW_NS - 10**12, NOW_NS + 10**12).map(str),
    st.integers(-(2**64), 2**64).map(str),
    st.sampled_from(["1780000000", "1.5", "x"]),
)


def escape(text: str, specials: str) -> str:
    return "".join("\\" + c if c in specials or c == "\\" else c for c in text)


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One line from escaped (or not) pieces: mostly valid, often not."""
    raw = draw(st.booleans())
    measurement = draw(names) if raw else escape(draw(names), ", ")
    tags = "".join(
        f",{k if raw else escape(k, ', =')}={v if raw else escape(v, ', =')}"
        for k, v in draw(st.lists(st.tuples(names, names), max_size=3))
    )
    fields = ",".join(
        f"{k if raw else escape(k, ', =')}={v}" for k, v in draw(st.lists(st.tuples(names, values), max_size=3))
    )
    stamp = draw(stamps)
    return f"{measurement}{tags} {fields}" + (f" {stamp}" if stamp else "")


bodies = st.one_of(
    st.lists(lines(), min_size=1, max_size=8).map("\n".join),
    st.text(max_size=200),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppTarget]:
    """The app on its own database, for hypothesis (which cannot await) to post to."""
    with app_target(tmp_path_factory.mktemp("influx-fuzz"), FUZZ_CONFIG) as running:
        yield running


def post(target: AppTarget, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """POST a body to /api/v2/write; return the status and the answer's body."""
    status, _, answer = target.post("/api/v2/write", body, headers)
    return status, answer


@settings(
    max_examples=1500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(body=bodies, gzipped=st.booleans())
def test_fuzz_bodies_never_5xx_never_part_of_a_batch(target: AppTarget, body: bytes, gzipped: bool) -> None:
    """204 stores exactly the body's points; anything else stores none, in InfluxDB's shape, naming the line."""
    before = target.last_id()
    headers = {"Content-Encoding": "gzip"} if gzipped else {}
    status, answer = post(target, gzip.compress(body) if gzipped else body, headers)
    after = target.last_id()
    assert status < 500, answer[:500]
    if status == 204:
        assert after - before == len(parse_lines(body).items)
        return
    assert after == before, "a refused batch must store nothing"
    error = json.loads(answer)
    assert set(error) == {"code", "message"}
    assert status in (400, 413, 422), status
    if status in (400, 422):
        assert error["message"].startswith("line ") or "no lines" in error["message"], error
