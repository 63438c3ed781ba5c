"""The record of handled updates: kept long enough for any redelivery (Telegram retries for 24 hours), then purged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import updates
from models import ProcessedUpdate
from tests.support.harness import FrozenClock


async def test_an_update_is_handled_once_and_its_record_outlives_telegrams_redelivery_before_it_is_purged(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    start = clock.now()
    async with sessionmaker.begin() as session:
        assert await updates.first_time(session, clock, 1)
    async with sessionmaker.begin() as session:
        assert not await updates.first_time(session, clock, 1), "a redelivery is recognised"
    clock.advance(hours=25)
    async with sessionmaker.begin() as session:
        assert await updates.first_time(session, clock, 2)
        assert await updates.purge(session, clock.now()) == 0, "a day later both are still kept"
    clock.advance(hours=24)
    async with sessionmaker.begin() as session:
        assert await updates.purge(session, clock.now()) == 1
    async with sessionmaker() as session:
        kept = list(await session.scalars(select(ProcessedUpdate.update_id)))
    assert kept == [2]
    assert clock.now() - start >= updates.KEEP
