"""The sandbox without a browser: its page's API drives the real bot through the built-in emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.sandbox.run import TOKEN, Sandbox, start_over
from bot.sandbox.seed import INSPECTOR_ID
from models import Appeal, Building, BuildingChat, Meeting, Proposal

WAIT = 15.0
# Between two acts of one person: the bot drops more than a few updates a second from one person as a flood
# (bot.middlewares.flood), and nobody types or presses that fast.
PAUSE = 0.3
DANA = 3001


@contextlib.asynccontextmanager
async def running(data: Path) -> AsyncIterator[Sandbox]:
    """The sandbox serving on a free port until the block ends (as Ctrl-C ends it)."""
    sandbox = Sandbox(data)
    ready = asyncio.Event()
    serving = asyncio.create_task(sandbox.serve(0, ready))
    await asyncio.wait([serving, asyncio.create_task(ready.wait())], timeout=180, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        serving.result()
    assert ready.is_set(), "the sandbox did not start"
    try:
        yield sandbox
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running(tmp_path) as sandbox:
        yield sandbox


async def until(found: Callable[[], Any]) -> Any:
    """What `found` returns once it is truthy (the bot answers in its own time)."""
    async with asyncio.timeout(WAIT):
        while not (result := found()):
            await asyncio.sleep(0.05)
    return result


def bot_says(sandbox: Sandbox, chat_id: int, text: str) -> dict[str, Any] | None:
    """The newest bot message in the chat with the text in it or on a button."""
    messages = sandbox.fake.chat_history(chat_id)
    return next((m for m in reversed(messages) if m["from"]["is_bot"] and text in _shown(m)), None)


def _shown(message: dict[str, Any]) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return "\n".join([message.get("text") or "", *(b["text"] for row in rows for b in row)])


def button(message: dict[str, Any], label: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


async def test_the_sandbox_starts_with_a_beat_in_two_countries_every_language_and_work_in_progress(
    sandbox: Sandbox,
) -> None:
    assert sandbox.app is not None
    async with sandbox.app.sessionmaker() as session:
        countries = dict((await session.execute(select(Building.code, Building.country))).all())
        zones = set(await session.scalars(select(Building.timezone)))
        states = set(await session.scalars(select(Appeal.status)))
        bound = await session.scalar(select(func.count()).select_from(BuildingChat).where(BuildingChat.active))
        meetings = await session.scalar(select(func.count()).select_from(Meeting))
        proposals = await session.scalar(select(func.count()).select_from(Proposal))
    assert countries == {"A-12": "KZ", "A-14": "KZ", "T-3": "UZ"}
    assert zones == {"Asia/Almaty", "Asia/Tashkent"}
    assert {"new", "answered", "in_progress"} <= states
    assert (bound, meetings, proposals) == (2, 1, 2)
    languages = {person["language"] for person in sandbox.cast.people.values() if person["role"] == "resident"}
    assert languages == {"ru", "kk", "uz", "en"}
    assert not sandbox.fake.schema_violations and not sandbox.fake.internal_errors


async def test_a_resident_and_the_inspector_complete_an_appeal_through_the_pages_api(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession(sandbox.address) as http:

        async def send(user: int, text: str, reply_to: int | None = None) -> None:
            await asyncio.sleep(PAUSE)
            form = {
                "user": str(user),
                "chat": str(user),
                "text": text,
                **({"reply_to": str(reply_to)} if reply_to else {}),
            }
            async with http.post("/api/send", data=form) as response:
                assert response.status == 200, await response.text()

        async def press(user: int, message: dict[str, Any], label: str) -> None:
            await asyncio.sleep(PAUSE)
            body = {"user": user, "chat": user, "message_id": message["message_id"], "data": button(message, label)}
            async with http.post("/api/press", json=body) as response:
                assert response.status == 200, await response.text()

        await send(DANA, "/appeal")
        await press(DANA, await until(lambda: bot_says(sandbox, DANA, "What is your appeal about")), "Public order")
        await send(DANA, "Someone parks on the fire lane every evening.")
        await press(DANA, await until(lambda: bot_says(sandbox, DANA, "Next")), "Next")
        await press(DANA, await until(lambda: bot_says(sandbox, DANA, "anonymously?")), "with my name")
        await press(DANA, await until(lambda: bot_says(sandbox, DANA, "Category:")), "Send")
        registered = await until(lambda: bot_says(sandbox, DANA, "Your appeal is registered as №"))
        number = registered["text"].split("№")[1].split(".")[0]

        card = await until(lambda: bot_says(sandbox, INSPECTOR_ID, f"Appeal №{number}"))
        await send(INSPECTOR_ID, "We will put a sign up this week.", reply_to=card["message_id"])
        await until(lambda: bot_says(sandbox, DANA, f"The inspector's answer on your appeal №{number}"))
        await press(INSPECTOR_ID, await until(lambda: bot_says(sandbox, INSPECTOR_ID, f"Appeal №{number}")), "Resolve")
        await press(DANA, await until(lambda: bot_says(sandbox, DANA, "Please rate")), "⭐⭐⭐⭐⭐")
        await until(lambda: bot_says(sandbox, INSPECTOR_ID, f"rated the handling of appeal №{number}"))
    assert not sandbox.fake.schema_violations and not sandbox.fake.internal_errors


async def test_the_page_resumes_its_feed_after_the_last_event_it_saw_and_misses_nothing(sandbox: Sandbox) -> None:
    seen = len(sandbox.feed.events)
    async with aiohttp.ClientSession(sandbox.address) as http:
        async with http.post("/api/send", data={"user": str(DANA), "chat": str(DANA), "text": "/help"}) as response:
            assert response.status == 200
        await until(lambda: bot_says(sandbox, DANA, "/appeal"))
        async with http.get("/api/events", headers={"Last-Event-ID": str(seen)}) as stream:
            first = await _next_event(stream)
    assert first["id"] == seen + 1
    assert first["type"] == "message" and first["message"]["text"] == "/help", "Dana's own message first"


async def test_the_clock_moves_to_monday_for_the_digest_and_to_the_quarters_end_through_every_day_between(
    sandbox: Sandbox,
) -> None:
    start = sandbox.clock.now()
    async with aiohttp.ClientSession(sandbox.address) as http:
        async with http.post("/api/clock", json={"to": "monday"}) as response:
            assert response.status == 200
        async with http.get("/api/state") as response:
            state = await response.json()
    now = sandbox.clock.now()
    monday = now.astimezone(ZoneInfo("Asia/Almaty"))
    assert now > start and (monday.weekday(), monday.hour) == (0, 9)
    assert abs(datetime.fromisoformat(state["now"]) - now) < timedelta(minutes=1), "the page shows the sandbox's time"
    shown = [datetime.fromisoformat(e["now"]) for e in sandbox.feed.events if e["type"] == "clock"]
    assert shown == sorted(shown) and abs(shown[-1] - now) < timedelta(minutes=1), "the page's clock runs on to it"
    digest = await until(lambda: bot_says(sandbox, INSPECTOR_ID, "Your week from"))
    assert "open appeals" in digest["text"], digest["text"]

    # To the quarter's end: the days in between are lived through, so each day's reminders came on their day.
    async with (
        aiohttp.ClientSession(sandbox.address) as http,
        http.post("/api/clock", json={"to": "quarter"}) as response,
    ):
        assert response.status == 200
    end = sandbox.clock.now().astimezone(ZoneInfo("Asia/Almaty"))
    assert (end.month % 3, (end + timedelta(days=1)).day, end.hour) == (0, 1, 18)
    await until(lambda: bot_says(sandbox, INSPECTOR_ID, "is overdue"))


async def test_a_request_against_the_bot_api_spec_shows_on_the_page_as_a_violation(sandbox: Sandbox) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.fake.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": DANA}) as response,
    ):
        assert response.status == 400
    [violation] = [e for e in sandbox.feed.events if e["type"] == "violation"]
    assert violation["method"] == "sendMessage" and "text" in violation["description"]


async def test_a_restarted_sandbox_goes_on_with_its_world_and_a_fresh_one_starts_over(tmp_path: Path) -> None:
    async with running(tmp_path) as first:
        history = first.fake.chat_history(INSPECTOR_ID)
        events = len(first.feed.events)
    async with running(tmp_path) as second:
        assert second.fake.chat_history(INSPECTOR_ID) == history, "the chats as they were"
        assert len(second.feed.events) >= events and second.cast.people.keys() == first.cast.people.keys()
        assert second.app is not None
        async with second.app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Appeal)) == 3, "not seeded twice"
        second.acts.say(DANA, DANA, "/help")
        await until(lambda: bot_says(second, DANA, "/appeal"))
    start_over(tmp_path)
    assert not (tmp_path / "sandbox.world").exists() and not (tmp_path / "sandbox.sqlite3").exists()


async def _next_event(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        async for line in stream.content:
            if line.startswith(b"data: "):
                event: dict[str, Any] = json.loads(line[len(b"data: ") :])
                return event
    raise AssertionError("the feed ended")
