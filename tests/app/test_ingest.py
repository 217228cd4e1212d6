"""POST /api/points through the app: stored all at once, or refused with a clear 4xx."""
from __future__ import annotations

from typing import Any

import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client

from app import create_app
from tests.support.waiting import eventually

JSON = {"Content-Type": "application/json"}


async def stored_count(app: Dash) -> int:
    live = app.server.extensions["pulseboard"]
    return len(await live.store.between(0, 10**9))


async def test_a_batch_is_stored_and_described(app: Dash, client: Client) -> None:
    """The answer says how many points were stored and their event ids."""
    response = await client.post(
        "/api/points", json={"points": [{"series": "a", "value": 1}, {"series": "b", "value": 2}]}
    )
    assert response.status_code == 200
    assert await response.get_json() == {"stored": 2, "first_id": 1, "last_id": 2}
    assert await stored_count(app) == 2


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",  # curl -d without -H, and an HTML form
        "multipart/form-data; boundary=x",
        "text/plain",  # what a page's fetch() may send to any site without a preflight
        "application/vnd.api+json",
        None,
    ],
)
async def test_a_body_not_sent_as_json_is_415_and_not_stored(
    app: Dash, client: Client, content_type: str | None
) -> None:
    """Only application/json, which no web page can send to another site unasked, is read (issue 13)."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/api/points", data='{"series": "a", "value": 1}', headers=headers)
    assert response.status_code == 415
    expected = f"Content-Type must be application/json, got {content_type or 'none'!r}"
    assert await response.get_json() == {"error": expected}
    assert await stored_count(app) == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
async def test_application_json_with_parameters_is_accepted(client: Client, content_type: str) -> None:
    """The type's parameters and case do not matter."""
    response = await client.post(
        "/api/points", data='{"series": "a", "value": 1}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("OPTIONS", "/api/points"),
        ("POST", "/api/points"),
        ("OPTIONS", "/api/v2/write"),
        ("POST", "/api/v2/write"),
        ("POST", "/v1/metrics"),
        ("POST", "/api/prometheus"),
        ("GET", "/api/stream"),
        ("GET", "/readyz"),
        ("GET", "/"),
    ],
)
async def test_no_route_grants_another_site_access(client: Client, method: str, path: str) -> None:
    """A request from another origin, a preflight included, gets no CORS grant from any route."""
    headers = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    if path == "/api/stream":  # an open stream would not end: ask for something it refuses
        headers["Accept"] = "application/json"
    response = await client.open(path, method=method, headers=headers, data=b"{}")
    granted = [name for name in response.headers.keys() if name.lower().startswith("access-control-")]
    assert not granted, response.headers


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            b"{",
            400,
            {"error": "body is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"},
        ),
        (
            b'[{"series": "a", "value": 1}, {"series": "a"}]',
            422,
            {"error": "value is required", "row": 1, "field": "value"},
        ),
        (b'{"series": "a", "value": NaN}', 400, {"error": "body is not valid JSON: NaN is not a number JSON allows"}),
    ],
)
async def test_bad_input_is_refused_whole(
    app: Dash, client: Client, body: bytes, status: int, expected: dict[str, Any]
) -> None:
    """A bad batch gets a JSON 4xx naming the problem, and none of it is stored."""
    response = await client.post("/api/points", data=body, headers=JSON)
    assert response.status_code == status
    assert await response.get_json() == expected
    assert await stored_count(app) == 0


async def test_oversized_body_is_413(settings: dict[str, Any]) -> None:
    """A body past the limit is refused before it is read whole."""
    dash_app = create_app({**settings, "MAX_BODY_BYTES": 2048})
    async with dash_app.server.test_app() as test_app:
        response = await test_app.test_client().post("/api/points", data=b"[" + b" " * 4096 + b"]", headers=JSON)
    assert response.status_code == 413
    assert "2048-byte limit" in (await response.get_json())["error"]


async def test_a_sqlite_url_names_the_file_and_its_leader_lock(tmp_path: Any) -> None:
    """DATABASE=sqlite:///abs/path stores there, and the leader lock sits beside that file."""
    path = tmp_path / "points.sqlite3"
    dash_app = create_app({"DATABASE": f"sqlite:///{path}", "FEED": False})
    async with dash_app.server.test_app() as test_app:
        response = await test_app.test_client().post("/api/points", json={"series": "a", "value": 1})
        assert response.status_code == 200
        assert path.exists()
        # The lock is taken by the retention task as it starts.
        await eventually((tmp_path / "points.sqlite3.leader").exists, 5, "the leader lock beside the file")


async def test_labels_past_the_byte_limit_are_422_and_not_stored(settings: dict[str, Any]) -> None:
    """PULSEBOARD_MAX_LABEL_BYTES caps a point's labels (issue 13): a clear 422, nothing of the batch stored."""
    dash_app = create_app({**settings, "MAX_LABEL_BYTES": 100})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        fits, over = {"host": "a" * 89}, {"host": "a" * 90}  # 100 and 101 bytes as {"host":"..."}
        batch = [{"series": "cpu", "value": 1, "labels": fits}, {"series": "cpu", "value": 2, "labels": over}]
        response = await client.post("/api/points", json=batch)
        assert response.status_code == 422
        assert await response.get_json() == {
            "error": "labels take 101 bytes as canonical JSON; at most 100 per point",
            "row": 1,
            "field": "labels",
        }
        assert await stored_count(dash_app) == 0
        assert (await client.post("/api/points", json=batch[:1])).status_code == 200


async def test_a_retried_batch_with_an_idempotency_key_is_stored_once(app: Dash, client: Client) -> None:
    """The same key and body: the same answer (marked replayed), stored once; another body with that key is 422."""
    batch = [{"series": "orders", "value": 3}, {"series": "orders", "value": 4}]
    key = {"Idempotency-Key": "8e03978e-40d5-43e8-bc93-6894a57f9324"}
    answers = [await client.post("/api/points", json=batch, headers=key) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert [await answer.get_json() for answer in answers] == [{"stored": 2, "first_id": 1, "last_id": 2}] * 2
    assert "Idempotent-Replayed" not in answers[0].headers and answers[1].headers["Idempotent-Replayed"] == "true"
    assert await stored_count(app) == 2
    refused = await client.post("/api/points", json=batch[:1], headers=key)
    assert refused.status_code == 422
    assert (await refused.get_json())["field"] == "Idempotency-Key"
    assert (await client.post("/api/points", json=batch)).status_code == 200  # no key: stored again
    assert await stored_count(app) == 4


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 256])
async def test_an_idempotency_key_that_is_no_key_is_400(app: Dash, client: Client, key: str) -> None:
    """1 to 255 visible ASCII characters, or a 400 naming the header."""
    response = await client.post("/api/points", json={"series": "a", "value": 1}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert (await response.get_json())["field"] == "Idempotency-Key"
    assert await stored_count(app) == 0
