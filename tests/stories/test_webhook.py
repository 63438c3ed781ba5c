"""Webhook mode: Telegram's call is answered once the update's work is committed, a bounded number at a time; a
duplicate is handled once; the load balancer's health check; a stop that finishes what it took."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import Update
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import select

from bot import webhook
from bot.app import App, close_app, create_app, run_webhook
from bot.emulator import FakeTelegram
from bot.webhook import SECRET_HEADER, UpdateHandler
from models import Lease, ProcessedUpdate
from models.db import create_engine
from tests.conftest import TOKEN, make_settings
from tests.support import databases
from tests.support.cluster import free_port
from tests.support.harness import ErrorLog, FrozenClock

SECRET = "s3cret"
WAIT = 20.0


@dataclass
class Instance:
    """One bot process's worth of objects, serving the webhook on a port of its own."""

    app: App
    http: aiohttp.ClientSession
    url: str
    stop: asyncio.Event
    serving: asyncio.Task[None]
    handling: int = 0
    most_at_once: int = 0

    async def post(self, update: dict[str, Any]) -> aiohttp.ClientResponse:
        """Telegram's call: the response comes when the bot answers it."""
        async with self.http.post(
            f"{self.url}/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
        ) as response:
            await response.read()
            return response

    async def health(self) -> int:
        async with self.http.get(f"{self.url}/healthz") as response:
            return response.status


@asynccontextmanager
async def webhook_bot(
    fake: FakeTelegram, database_url: str, clock: FrozenClock, **overrides: object
) -> AsyncIterator[Instance]:
    port = free_port()
    settings = make_settings(
        database_url,
        fake.base_url,
        webhook_url="https://bot.example.org",
        webhook_secret=SECRET,
        webhook_listen=f"127.0.0.1:{port}",
        **overrides,
    )
    app = await create_app(settings, clock)
    stop = asyncio.Event()
    serving = asyncio.create_task(run_webhook(app, stop=stop, handle_signals=False))
    async with aiohttp.ClientSession() as http:
        instance = Instance(app, http, f"http://127.0.0.1:{port}", stop, serving)
        original = app.dp.feed_update

        async def feed_update(bot: Bot, update: Update, **kwargs: Any) -> Any:
            instance.handling += 1
            instance.most_at_once = max(instance.most_at_once, instance.handling)
            try:
                return await original(bot, update, **kwargs)
            finally:
                instance.handling -= 1

        app.dp.feed_update = feed_update  # type: ignore[method-assign]
        try:
            async with asyncio.timeout(WAIT):
                while not serving.done():
                    try:
                        if await instance.health() == 200:
                            break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.05)
            assert not serving.done(), serving.exception()
            yield instance
        finally:
            stop.set()
            await serving
            await close_app(app)


def start_update(fake: FakeTelegram, user_id: int, name: str) -> dict[str, Any]:
    fake.add_user(user_id, name, language_code="en")
    update = fake.message_update(user_id, user_id, "/start")
    assert update is not None
    return update


def answers(fake: FakeTelegram, user_id: int) -> list[str]:
    return [message.get("text", "") for message in fake.sent_to(user_id)]


async def handled(instance: Instance, update_id: int) -> bool:
    async with instance.app.sessionmaker() as session:
        return await session.get(ProcessedUpdate, update_id) is not None


async def test_telegram_hears_ok_only_once_the_update_is_handled_and_its_work_committed(
    database_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake, webhook_bot(fake, database_url, clock) as bot:
        update = start_update(fake, 600, "Dana")
        response = await bot.post(update)
        assert response.status == 200
        # Before the 200 left: the answer was sent, and the record that the update was handled is committed.
        assert ["building code" in text for text in answers(fake, 600)] == [True]
        assert await handled(bot, update["update_id"])

        again = await bot.post(update)  # Telegram did not hear the 200 and delivers it again
        assert again.status == 200
        assert len(answers(fake, 600)) == 1, "a redelivered update must change nothing"
    assert not error_log.records, [r.getMessage() for r in error_log.records]


async def test_a_burst_is_handled_a_bounded_number_at_a_time_and_the_rest_is_turned_back_for_later(
    database_url: str, clock: FrozenClock, error_log: ErrorLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "SLOT_WAIT_SECONDS", 0.2)
    async with (
        FakeTelegram(token=TOKEN) as fake,
        webhook_bot(fake, database_url, clock, max_concurrent_updates=2) as bot,
    ):
        people = range(610, 616)
        updates = [start_update(fake, user_id, f"Resident {user_id}") for user_id in people]
        fake.fail_next("sendMessage", times=len(updates), delay=1.0)  # a slow Telegram: each answer takes a second

        statuses = [response.status for response in await asyncio.gather(*(bot.post(u) for u in updates))]
        assert statuses.count(200) == 2, statuses
        assert set(statuses) == {200, 503}, "the rest is turned back, unconfirmed, for Telegram to deliver again"
        assert bot.most_at_once == 2
        for update, status in zip(updates, statuses, strict=True):
            assert await handled(bot, update["update_id"]) == (status == 200)

        for update, status in zip(updates, statuses, strict=True):  # Telegram tries again
            if status != 200:
                assert (await bot.post(update)).status == 200
        assert [len(answers(fake, user_id)) for user_id in people] == [1] * len(updates)
        assert bot.most_at_once <= 2
    assert not error_log.records, [r.getMessage() for r in error_log.records]


async def test_the_same_update_at_two_instances_at_once_is_handled_once(
    clock: FrozenClock, error_log: ErrorLog, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue("postgres_url")  # two processes share a database only on PostgreSQL
    await databases.truncate_all(url)
    async with (
        FakeTelegram(token=TOKEN) as fake,
        webhook_bot(fake, url, clock) as first,
        webhook_bot(fake, url, clock) as second,
    ):
        for user_id in range(620, 625):
            update = start_update(fake, user_id, f"Resident {user_id}")
            both = await asyncio.gather(first.post(update), second.post(update))
            assert [response.status for response in both] == [200, 200]
            assert len(answers(fake, user_id)) == 1, "both instances answered the same update"
    assert not error_log.records, [r.getMessage() for r in error_log.records]


async def test_a_stop_turns_health_and_new_updates_away_finishes_those_in_hand_and_gives_up_the_lease(
    database_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake, webhook_bot(fake, database_url, clock) as bot:
        assert await bot.health() == 200
        slow = start_update(fake, 630, "Dana")
        fake.fail_next("sendMessage", chat_id=630, delay=1.0)
        in_hand = asyncio.create_task(bot.post(slow))
        async with asyncio.timeout(WAIT):
            while not bot.handling:
                await asyncio.sleep(0.01)

        bot.stop.set()  # SIGTERM
        await asyncio.sleep(0.05)
        assert await bot.health() == 503, "the load balancer must stop sending here first"
        late = await bot.post(start_update(fake, 631, "Timur"))
        assert late.status == 503, "a new update is turned back for Telegram to deliver elsewhere"
        assert (await in_hand).status == 200, "the update in hand is finished and confirmed"
        await asyncio.wait_for(bot.serving, WAIT)
        assert len(answers(fake, 630)) == 1 and answers(fake, 631) == []
        async with bot.app.sessionmaker() as session:
            lease = await session.scalar(select(Lease).where(Lease.name == "sender"))
        assert lease is not None and lease.expires_at < clock.now(), "the sender's lease is given up"
    assert not error_log.records, [r.getMessage() for r in error_log.records]


async def test_health_says_not_ready_when_the_database_does_not_answer(database_url: str, clock: FrozenClock) -> None:
    async with FakeTelegram(token=TOKEN) as fake, webhook_bot(fake, database_url, clock) as bot:
        assert await bot.health() == 200
        unreachable = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
        try:
            handler = UpdateHandler(bot.app.dp, bot.app.bot, unreachable, limit=1, secret_token=SECRET)
            handler.accepting = True
            response = await handler.health(make_mocked_request("GET", "/healthz"))
            assert response.status == 503
            assert response.text is not None and "database" in response.text
        finally:
            await unreachable.dispose()
