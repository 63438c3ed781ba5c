"""How the bot meets Telegram: polling that loses nothing, command menus, the webhook, and FSM state in Redis."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.app import WEBHOOK_PATH, close_app, create_app, run_webhook
from bot.commands import MENU_LANGUAGES
from bot.emulator import FakeTelegram
from bot.services import buildings
from tests.conftest import TOKEN, make_settings
from tests.support.harness import ErrorLog, FrozenClock, Telegram, running_bot

# Every update type some handler of the bot listens to.
NEEDED_UPDATES = {"message", "callback_query", "my_chat_member"}
WAIT = 10.0


@asynccontextmanager
async def polling_bot(
    fake: FakeTelegram, database_url: str, clock: FrozenClock, **overrides: object
) -> AsyncIterator[Telegram]:
    """The real bot polling `fake`, as the `tg` fixture runs it, but on a fake the test controls."""
    async with running_bot(fake, make_settings(database_url, fake.base_url, **overrides), clock) as telegram:
        yield telegram


async def wait_for(condition: Any, what: str) -> None:
    """Wait for something the bot does in the background (bounded; no timing is asserted)."""
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


def check_fake(fake: FakeTelegram, error_log: ErrorLog) -> None:
    assert not fake.schema_violations, fake.schema_violations
    assert not fake.internal_errors, fake.internal_errors
    assert not error_log.records, [r.getMessage() for r in error_log.records]


# --- polling ---------------------------------------------------------------------------


async def test_polling_asks_for_every_update_type_a_handler_uses(tg: Telegram) -> None:
    await tg.person(500, "Dana", language_code="en").send("/start")
    allowed = tg.fake.allowed_updates
    assert allowed is not None
    assert set(allowed) >= NEEDED_UPDATES
    assert set(allowed) == set(tg.app.dp.resolve_used_update_types())


async def test_starting_to_poll_never_drops_pending_updates(tg: Telegram) -> None:
    await tg.person(500, "Dana", language_code="en").send("/start")
    assert tg.fake.calls("deleteWebhook"), "a webhook left from a deployment would block getUpdates"
    assert all(not call.params.get("drop_pending_updates") for call in tg.fake.calls("deleteWebhook"))
    assert tg.fake.dropped_pending_updates is False


async def test_a_message_sent_while_the_bot_was_down_is_answered_when_it_starts(
    database_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        fake.add_user(501, "Timur", language_code="en")
        waiting = fake.message_update(501, 501, "/start")
        assert waiting is not None
        async with polling_bot(fake, database_url, clock) as tg:
            await tg.deliver(waiting)  # perhaps handled already, as the bot started: what it said is in the chat
        assert ["building code" in message.get("text", "") for message in fake.sent_to(501)] == [True]
        assert fake.dropped_pending_updates is False
        check_fake(fake, error_log)


# --- command menus ---------------------------------------------------------------------


async def test_command_menus_are_set_for_private_and_group_chats_in_every_language(tg: Telegram) -> None:
    await tg.person(500, "Dana", language_code="en").send("/start")
    commands = tg.fake.commands
    for scope in ("all_private_chats", "all_group_chats"):
        for language in (*MENU_LANGUAGES, ""):
            menu = commands.get((scope, None, language))
            assert menu, f"no {scope} menu for language {language!r}; menus set: {sorted(commands, key=str)}"
        names = [c["command"] for c in commands[(scope, None, "ru")]]
        for language in (*MENU_LANGUAGES, ""):
            assert [c["command"] for c in commands[(scope, None, language)]] == names
    private = [c["command"] for c in commands[("all_private_chats", None, "ru")]]
    assert {"start", "help", "lang", "cancel", "inspector", "privacy", "forget_me"} <= set(private)
    assert "bind" in [c["command"] for c in commands[("all_group_chats", None, "ru")]]


async def test_command_descriptions_are_translated_and_the_default_menu_is_russian(tg: Telegram) -> None:
    await tg.person(500, "Dana", language_code="en").send("/start")
    commands = tg.fake.commands
    for scope in ("all_private_chats", "all_group_chats"):
        ru = [c["description"] for c in commands[(scope, None, "ru")]]
        en = [c["description"] for c in commands[(scope, None, "en")]]
        if ru == en:
            pytest.skip("the Russian catalog has no command descriptions yet")
        assert all(any("а" <= ch.lower() <= "я" for ch in text) for text in ru), ru
        # DEFAULT_LANGUAGE is ru: people whose client language the bot does not speak get the Russian menu.
        assert [c["description"] for c in commands[(scope, None, "")]] == ru


async def test_an_admin_who_has_opened_the_bot_gets_the_admin_menu_at_startup(
    database_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        fake.add_user(1, "Aigerim", language_code="ru")
        async with polling_bot(fake, database_url, clock):
            pass
        for language in (*MENU_LANGUAGES, ""):
            menu = fake.commands.get(("chat", 1, language))
            assert menu, f"no admin menu in {language!r}"
            assert {"add_inspector", "add_building", "assign"} <= {c["command"] for c in menu}
        check_fake(fake, error_log)


async def test_an_admin_who_opens_the_bot_after_it_started_gets_the_admin_menu(tg: Telegram) -> None:
    await tg.person(1, "Aigerim").send("/start")
    admin_menu = tg.fake.commands.get(("chat", 1, "ru"))
    assert admin_menu, sorted(tg.fake.commands, key=str)
    assert {"add_inspector", "add_building", "assign"} <= {c["command"] for c in admin_menu}


# --- webhook ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_registers_the_webhook_and_answers_only_telegram(
    database_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    port = free_port()
    async with FakeTelegram(token=TOKEN) as fake:
        app = await create_app(
            make_settings(
                database_url,
                fake.base_url,
                webhook_url="https://example.invalid",
                webhook_secret="s3cret",
                webhook_listen=f"127.0.0.1:{port}",
            ),
            clock,
        )
        serving = asyncio.create_task(run_webhook(app))
        try:
            await wait_for(lambda: fake.calls("setWebhook") or serving.done(), "setWebhook was never called")
            assert not serving.done(), serving.exception()
            [registered] = fake.calls("setWebhook")
            assert registered.params["url"] == "https://example.invalid/telegram/webhook"
            assert registered.params["secret_token"] == "s3cret"
            assert set(registered.params["allowed_updates"]) >= NEEDED_UPDATES
            assert not registered.params.get("drop_pending_updates")
            assert fake.dropped_pending_updates is False
            assert fake.commands.get(("all_private_chats", None, "ru")), "startup hooks did not run"

            fake.add_user(502, "Dana", language_code="en")
            update = fake.message_update(502, 502, "/start")
            assert update is not None
            url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as forged:
                    assert forged.status == 401
                async with http.post(url, json=update) as unsigned:
                    assert unsigned.status == 401
                assert fake.calls("sendMessage") == []

                async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as real:
                    assert real.status == 200
                await wait_for(lambda: fake.calls("sendMessage"), "the bot did not answer the webhook update")
            [answer] = fake.calls("sendMessage")
            assert answer.params["chat_id"] == 502
            assert "building code" in answer.response["result"]["text"]
        finally:
            serving.cancel()
            with pytest.raises(asyncio.CancelledError):
                await serving
            await close_app(app)
        check_fake(fake, error_log)


# --- FSM state in Redis ----------------------------------------------------------------


async def test_a_dialog_survives_a_restart_when_state_is_kept_in_redis(
    database_url: str, redis_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        async with polling_bot(fake, database_url, clock, redis_url=redis_url) as tg:
            async with tg.app.sessionmaker.begin() as session:
                await buildings.add_building(
                    session,
                    clock,
                    code="A-12",
                    address="пр. Абая, 10",
                    district=None,
                    timezone="Asia/Almaty",
                    actor_id=1,
                )
            dana = tg.person(503, "Dana", language_code="en")
            asked = await dana.send("/start")
            assert "building code" in asked.text

        # A new process: new bot, dispatcher and storage objects; only the database and Redis remain.
        async with polling_bot(fake, database_url, clock, redis_url=redis_url) as tg:
            answered = await tg.person(503, "Dana", language_code="en").send("A-12")
            assert "пр. Абая, 10" in answered.text
            assert answered.buttons(), "the bot should go on to ask for the language"
            # A dialog left half-way does not stay forever: Redis drops it after a day.
            from aiogram.fsm.storage.base import StorageKey
            from aiogram.fsm.storage.redis import RedisStorage

            storage = tg.app.dp.storage
            assert isinstance(storage, RedisStorage)
            key = StorageKey(bot_id=tg.app.bot.id, chat_id=503, user_id=503)
            for part in ("state", "data"):
                ttl = await storage.redis.ttl(storage.key_builder.build(key, part))  # type: ignore[arg-type]
                assert 86_000 < ttl <= 86_400, (part, ttl)
        check_fake(fake, error_log)


async def test_without_redis_the_state_is_kept_in_memory(database_url: str, clock: FrozenClock) -> None:
    from aiogram.fsm.storage.memory import MemoryStorage

    async with FakeTelegram(token=TOKEN) as fake:
        app = await create_app(make_settings(database_url, fake.base_url), clock)
        try:
            assert isinstance(app.dp.storage, MemoryStorage)
        finally:
            await close_app(app)
