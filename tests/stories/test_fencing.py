"""The sender's lease is fenced: a process that stalled past its lease sends nothing its successor sends."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import select

from bot.app import create_bot
from bot.delivery.sender import LEASE_TTL, Sender
from bot.services import outbox, parts
from models import Delivery, DeliveryStatus
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, bound_chats, district

CHATS = [-400 - n for n in range(8)]
NOTICE = "Lifts are serviced on Monday."


class Requests(BaseRequestMiddleware):
    """Counts the requests one process's bot makes (the fake cannot tell two processes apart)."""

    def __init__(self) -> None:
        self.made = 0

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        self.made += 1
        return await make_request(bot, method)


async def test_a_sender_that_stalled_past_its_lease_sends_nothing_more_and_its_successor_sends_the_rest(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    await tg.app.sender.stop()
    tg.app.settings.outbox_rate = 2  # slow enough that the notice is still going out when the first sender stalls
    app = tg.app
    first_bot = create_bot(app.settings)
    requests = Requests()
    first_bot.session.middleware(requests)
    stalled = Sender(first_bot, app.sessionmaker, tg.clock, app.i18n, app.settings, holder="stalled")
    successor = Sender(app.bot, app.sessionmaker, tg.clock, app.i18n, app.settings, holder="successor")
    stalled.start()
    try:
        async with app.sessionmaker.begin() as session:
            batch = await outbox.start_broadcast(session, tg.clock, author_id=INSPECTOR_ID, kind="notice", title=NOTICE)
            for chat_id in CHATS:
                await outbox.enqueue(session, tg.clock, chat_id=chat_id, parts=parts.message(NOTICE), broadcast=batch)
        stalled.wake()
        async with asyncio.timeout(10):
            while not any(tg.fake.sent_to(chat_id) for chat_id in CHATS):
                await asyncio.sleep(0.01)

        # The first sender stalls past its lease: while nothing of its lease handling runs, the clock moves on and
        # the second sender takes the lease over (one epoch up).
        async with stalled._renewing:
            tg.clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
            async with app.sessionmaker.begin() as session:
                assert await outbox.hold_lease(session, tg.clock, name="sender", holder="successor", ttl=LEASE_TTL)
            made_before_the_takeover = requests.made
        tg.app.sender = successor
        successor.start()
        await asyncio.wait_for(successor.drained(), 20)
    finally:
        await stalled.stop()
        await successor.stop()
        await first_bot.session.close()

    assert requests.made == made_before_the_takeover, "the stalled sender sent after it lost the lease"
    received = [len(tg.fake.sent_to(chat_id)) for chat_id in CHATS]
    assert all(count >= 1 for count in received), "a chat lost its notice"
    # Twice only what was in flight as the lease passed (sent, its result not yet committed): one at this pace.
    assert sum(count - 1 for count in received) <= 1, received
    assert made_before_the_takeover < len(CHATS), "the stall came too late to show anything"
    async with app.sessionmaker() as session:
        delivered = list(await session.scalars(select(Delivery).where(Delivery.chat_id < 0)))
    assert {row.status for row in delivered} == {DeliveryStatus.SENT}
    assert len({row.epoch for row in delivered}) == 2, "the rows left were claimed under the successor's epoch"
