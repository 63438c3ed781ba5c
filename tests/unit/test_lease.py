"""The sender's lease: one holder at a time, an epoch that grows with each new holder, rows claimed under it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import outbox, parts
from tests.support.harness import FrozenClock

TTL = timedelta(seconds=15)


async def test_each_new_holder_gets_a_higher_epoch_and_a_row_claimed_under_it_is_fenced_from_older_ones(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async def hold(holder: str) -> int | None:
        async with sessionmaker.begin() as session:
            return await outbox.hold_lease(session, clock, name="sender", holder=holder, ttl=TTL)

    assert await hold("first") == 1
    assert await hold("first") == 1, "renewing keeps the epoch"
    assert await hold("second") is None, "the first one's lease runs"
    clock.advance(seconds=16)
    assert await hold("second") == 2, "a lapsed lease is taken over, one epoch up"
    assert await hold("first") is None, "the first one, back from a stall, holds nothing"
    async with sessionmaker.begin() as session:
        await outbox.release_lease(session, name="sender", holder="second")
    assert await hold("third") == 3, "a released lease is taken at once, still one epoch up"

    async with sessionmaker.begin() as session:
        row = await outbox.enqueue(session, clock, chat_id=-1, parts=parts.message("Hello"))
    async with sessionmaker.begin() as session:
        assert await outbox.claim(session, row.id, clock.now(), epoch=3) is not None
    async with sessionmaker.begin() as session:
        assert await outbox.claim(session, row.id, clock.now(), epoch=2) is None, "an older holder cannot claim it"
        assert await outbox.claim(session, row.id, clock.now(), epoch=3) is not None
