"""Leadership on PostgreSQL: a session advisory lock, and work that stops when the session ends."""

from __future__ import annotations

import asyncio

import asyncpg

from live.leader import PostgresLeaderLock, lead
from tests.support.waiting import eventually


async def test_one_session_leads_and_a_lost_session_stops_the_work_until_it_leads_again(postgres_url: str) -> None:
    """The leader's connection ends (a server restart would): its work stops while another leads, then resumes."""
    first, second = PostgresLeaderLock(postgres_url), PostgresLeaderLock(postgres_url)
    runs: list[asyncio.Task[None]] = []

    async def work() -> None:
        runs.append(asyncio.current_task())
        await asyncio.Event().wait()

    leading = asyncio.create_task(lead(first, work, retry=0.05))
    try:
        await eventually(lambda: len(runs) == 1, what="the first to lead")
        assert first.held and not await second.acquire()
        admin = await asyncpg.connect(postgres_url)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first._db.get_server_pid())
        finally:
            await admin.close()
        await eventually(second.acquire, what="the second to take the lock")
        await eventually(lambda: runs[0].cancelled(), what="the first's work to stop")
        assert len(runs) == 1 and not first.held  # it does not lead while the second does
        second.release()
        await eventually(lambda: len(runs) == 2, what="the first to lead again")
        assert first.held
    finally:
        leading.cancel()
        await asyncio.gather(leading, return_exceptions=True)
        first.release()
        second.release()
