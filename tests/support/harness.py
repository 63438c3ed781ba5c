"""Drive the real bot through the fake Telegram the way people do: send, press, share, and read the answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import App, close_app, create_app, run_polling
from bot.config import Settings
from bot.emulator import Call, FakeTelegram
from bot.sandbox.handled import HandledUpdates
from scheduler.engine import TickReport

SENDING = {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "sendMediaGroup", "sendLocation"}
HANDLED_TIMEOUT = 10.0
QUIET_TIMEOUT = 2.0  # a sender a test stopped, crashed or holds up is not waited for longer
SETTLE_TIMEOUT = 10.0  # what a person's action put in the outbox (a card and its attachments) is out by then


@asynccontextmanager
async def running_bot(fake: FakeTelegram, settings: Settings, clock: FrozenClock) -> AsyncIterator[Telegram]:
    """The real bot, built as `python -m bot` builds it, polling the fake until the block ends."""
    app = await create_app(settings, clock)
    telegram = Telegram(fake, app, clock)
    started = asyncio.Event()
    app.dp.startup.register(started.set)
    polling = asyncio.create_task(run_polling(app, handle_signals=False))
    await asyncio.wait([polling, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    assert not polling.done(), polling.exception()
    try:
        await _tick_at_start_done(app)
        yield telegram
    finally:
        await app.dp.stop_polling()
        await polling
        await close_app(app)


async def _tick_at_start_done(app: App) -> None:
    """The bot ticks once as it starts, at the clock's first moment: wait for that tick, or on a busy machine it would
    still be planning (with the moment it began at) while the test moves the clock and builds its beat."""
    job = app.dp["ticking"].get_job("tick")
    submitted_after = datetime.now(UTC) + timedelta(seconds=app.settings.scheduler_tick / 2)
    async with asyncio.timeout(HANDLED_TIMEOUT):
        while job.next_run_time < submitted_after:  # APScheduler moves it on as it starts the tick
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # the tick takes the engine's lock first
        while app.scheduler.running.locked():
            await asyncio.sleep(0.01)


class FrozenClock:
    """The injectable clock: stands still until a test moves it."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Reply:
    """Everything the bot sent to Telegram while handling one update."""

    calls: list[Call]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [c.response["result"] for c in self.calls if c.method in SENDING and c.response.get("ok")]

    @property
    def last(self) -> dict[str, Any]:
        messages = [c.response["result"] for c in self.calls if _is_message(c)]
        assert messages, f"the bot sent no message; it called {[c.method for c in self.calls]}"
        return messages[-1]

    @property
    def text(self) -> str:
        """All visible text the person saw: new messages, edits and pop-up answers."""
        parts: list[str] = []
        for call in self.calls:
            if _is_message(call):
                result = call.response["result"]
                parts.append(result.get("text") or result.get("caption") or "")
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                parts.append(str(call.params["text"]))
        return "\n".join(parts)

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.last.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]


def _is_message(call: Call) -> bool:
    result = call.response.get("result")
    return bool(call.response.get("ok")) and isinstance(result, dict) and "message_id" in result


class Telegram:
    """The test's view: the fake server, the running bot, and helpers to act as people."""

    def __init__(self, fake: FakeTelegram, app: App, clock: FrozenClock) -> None:
        self.fake = fake
        self.app = app
        self.clock = clock
        self._handled = HandledUpdates(app.dp)

    async def deliver(self, update: dict[str, Any] | None, *, timeout: float = HANDLED_TIMEOUT) -> Reply:
        assert update is not None, "the bot cannot see this message (privacy mode, or not in the chat)"
        start = len(self.fake.requests)
        try:
            await asyncio.wait_for(self._handled.event(update["update_id"]).wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not handle update {update} (allowed: {self.fake.allowed_updates})"
            ) from None
        return Reply([c for c in self.fake.requests[start:] if c.method != "getUpdates"])

    async def redeliver(self, update: dict[str, Any]) -> Reply:
        """Telegram sends the same update again; wait until the bot has dealt with it a second time."""
        self._handled.forget(update["update_id"])
        start = len(self.fake.requests)
        self.fake.redeliver(update)
        await asyncio.wait_for(self._handled.event(update["update_id"]).wait(), HANDLED_TIMEOUT)
        return Reply([c for c in self.fake.requests[start:] if c.method != "getUpdates"])

    async def quiet(self) -> None:
        """What earlier actions put in the outbox goes out before a person acts again (nobody is that quick), so that
        it never lands among the answers to what they do next."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.app.sender.drained(), QUIET_TIMEOUT)

    async def settle(self) -> None:
        """What a person's action put in the outbox (a card, an answer) goes out before the test reads on, as it does
        for people: within a second or so, a little longer for a card with attachments (one message a second)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.app.sender.drained(), SETTLE_TIMEOUT)

    async def drain(self, *, timeout: float = HANDLED_TIMEOUT) -> None:
        """Let the sender send everything due now (the clock stands still: move it for what waits)."""
        try:
            await asyncio.wait_for(self.app.sender.drained(), timeout)
        except TimeoutError:
            raise AssertionError("the sender did not finish what was due") from None

    async def tick(self) -> TickReport:
        """One tick of the scheduler at the clock's time (planning included), then the sender sends what it made."""
        report = await self.app.scheduler.tick(plan=True)
        await self.drain()
        return report

    def person(self, user_id: int, first_name: str, *, language_code: str | None = "ru", **kwargs: Any) -> Person:
        self.fake.add_user(user_id, first_name, language_code=language_code, **kwargs)
        return Person(self, user_id)

    def group(self, chat_id: int, title: str, *, creator: Person, type: str = "group") -> Group:
        self.fake.add_group(chat_id, title, type=type, creator_id=creator.id)
        return Group(chat_id)


@dataclass
class Group:
    id: int


@dataclass
class Person:
    tg: Telegram
    id: int
    chats: dict[int, Any] = field(default_factory=dict)

    async def send(self, text: str | None = None, *, chat: Group | None = None, **extra: Any) -> Reply:
        chat_id = chat.id if chat is not None else self.id
        await self.tg.quiet()
        reply = await self.tg.deliver(self.tg.fake.message_update(self.id, chat_id, text, **extra))
        await self.tg.settle()
        return reply

    async def reply_to(self, message: dict[str, Any], text: str) -> Reply:
        return await self.send(text, chat=_group_of(message), reply_to_message_id=message["message_id"])

    async def press(self, message: dict[str, Any], label: str) -> Reply:
        """Press the inline button whose text contains `label` on the message as it is now."""
        current = self.tg.fake.chat_history(message["chat"]["id"])
        latest = next((m for m in current if m["message_id"] == message["message_id"]), message)
        buttons = [b for row in (latest.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        matching = [b for b in buttons if label in b["text"]]
        assert matching, f"no button {label!r} among {[b['text'] for b in buttons]}"
        return await self.press_data(latest, matching[0]["callback_data"], require_button=True)

    async def press_data(self, message: dict[str, Any], data: str, *, require_button: bool = False) -> Reply:
        """Send callback data as a (possibly modified) client would."""
        await self.tg.quiet()
        reply = await self.tg.deliver(
            self.tg.fake.callback_update(self.id, message, data, require_button=require_button)
        )
        await self.tg.settle()
        return reply

    async def share_user(self, request_id: int, user: dict[str, Any]) -> Reply:
        """Pick a person with the KeyboardButtonRequestUsers button."""
        shared = {"user_id": user["id"], "first_name": user.get("first_name")}
        if user.get("username"):
            shared["username"] = user["username"]
        return await self.send(users_shared={"request_id": request_id, "users": [shared]})


def _group_of(message: dict[str, Any]) -> Group | None:
    chat = message["chat"]
    return Group(chat["id"]) if chat["type"] != "private" else None


class ErrorLog(logging.Handler):
    """Collects ERROR records: a test fails when the bot logged an error it did not expect."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
