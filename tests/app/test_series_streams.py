"""?series=: a stream of the series a page asks for (its LiveGraphs), nothing else."""

from __future__ import annotations

from quart.typing import TestClientProtocol as Client

from tests.app.test_stream import framed, next_of, post, stream


async def test_a_series_stream_resets_and_frames_only_the_series_named(client: Client) -> None:
    """Reset and frames carry cpu.load and mem (every label set), never disk."""
    await post(client, {"series": "cpu.load", "value": 1}, {"series": "disk", "value": 1})
    await framed(client, (await post(client, {"series": "mem", "value": 1, "labels": {"host": "b"}}))["last_id"])
    async with stream(client, query="?series=cpu.load&series=mem") as (_, _, reader):
        reset = (await next_of(reader, "reset")).json()
        assert set(reset["traces"]) == {"cpu.load", 'mem{"host":"b"}'}
        await post(client, {"series": "disk", "value": 2}, {"series": "cpu.load", "value": 2})
        await post(client, {"series": "disk", "value": 3}, {"series": "mem", "value": 3, "labels": {"host": "a"}})
        seen: set[str] = set()
        while seen != {"cpu.load", 'mem{"host":"a"}'}:
            frame = (await next_of(reader, "frame")).json()
            assert set(frame["updates"]) <= {"cpu.load", 'mem{"host":"a"}'}
            seen |= set(frame["updates"])


async def test_too_many_or_empty_series_names_are_400_naming_the_parameter(client: Client) -> None:
    accept = {"Accept": "text/event-stream"}
    many = "&".join(f"series=s{n}" for n in range(501))
    for query in (many, "series=", "series=" + "x" * 201):
        response = await client.get(f"/api/stream?{query}", headers=accept)
        assert response.status_code == 400
        assert "series" in await response.get_data(as_text=True)
