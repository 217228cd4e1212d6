"""MAX_SERIES: a batch that would create series past the limit is refused whole; existing series flow on."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_new_series_past_the_limit_get_a_422_naming_it_and_existing_ones_flow(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database = str(tmp_path / "s.sqlite3") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    dash_app = create_app({"DATABASE": database, "FEED": False, "MAX_SERIES": 3})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        first = await client.post("/api/points", json=[{"series": f"s{i}", "value": i} for i in range(3)])
        assert first.status_code == 200
        over = await client.post("/api/points", json=[{"series": "s0", "value": 9}, {"series": "s3", "value": 1}])
        assert over.status_code == 422
        message = (await over.get_json())["error"]
        assert "PULSEBOARD_MAX_SERIES" in message and "'s3'" in message and "3 of the 3" in message
        line = await client.post("/api/v2/write", data=b"t4 value=1", headers={"Content-Type": "text/plain"})
        assert line.status_code == 422
        still = await client.post("/api/points", json=[{"series": "s0", "value": 10}, {"series": "s2", "value": 10}])
        assert still.status_code == 200
        ready = await (await client.get("/readyz")).get_json()
        assert ready["last_id"] == 5  # nothing of the refused batches was stored


async def test_the_automatic_page_draws_and_is_sent_only_its_first_names(tmp_path: Path) -> None:
    """AUTO_MAX_PANELS: 2 names of 3 are reset and framed; the third's points never reach the page."""
    from tests.app.test_stream import framed, next_of, post, stream

    dash_app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "FEED": False, "AUTO_MAX_PANELS": 2})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        await post(client, {"series": "a", "value": 1}, {"series": "b", "value": 1, "labels": {"k": "v"}})
        await framed(client, (await post(client, {"series": "c", "value": 1}))["last_id"])
        async with stream(client) as (_, _, reader):
            reset = (await next_of(reader, "reset")).json()
            assert set(reset["traces"]) == {"a", 'b{"k":"v"}'}
            assert reset["capped"] == {"names": [2, 3]}
            await post(client, {"series": "c", "value": 2}, {"series": "d", "value": 2})
            await post(client, {"series": "a", "value": 3})
            frame = (await next_of(reader, "frame")).json()
            assert set(frame["updates"]) == {"a"}


async def test_the_next_page_of_the_automatic_dashboard_has_the_next_names(tmp_path: Path) -> None:
    """?page=2 is reset with, and sent, the names the first page leaves out; a bad page is a 400."""
    from tests.app.test_stream import framed, next_of, post, stream

    dash_app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "FEED": False, "AUTO_MAX_PANELS": 2})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        await post(client, {"series": "a", "value": 1}, {"series": "b", "value": 1})
        await framed(client, (await post(client, {"series": "c", "value": 1}))["last_id"])
        async with stream(client, query="?page=2") as (_, _, reader):
            assert set((await next_of(reader, "reset")).json()["traces"]) == {"c"}
            await post(client, {"series": "a", "value": 2}, {"series": "c", "value": 2})
            assert set((await next_of(reader, "frame")).json()["updates"]) == {"c"}
        refused = await client.get("/api/stream?page=0", headers={"Accept": "text/event-stream"})
        assert refused.status_code == 400 and "page" in await refused.get_data(as_text=True)
