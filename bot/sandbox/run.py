"""`python -m bot sandbox`: the bot itself, unchanged, polling the built-in Bot API emulator, and a page of its chats.

Everything listens on 127.0.0.1 only; nothing needs a token or the network. The database (data/sandbox.sqlite3) and the
emulator's world (data/sandbox.world: people, chats, files, the page's events, the clock) stay apart from production's
and survive a restart; --fresh starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.app import App, close_app, create_app, run_polling
from bot.clock import MovableClock
from bot.config import Settings
from bot.emulator import FakeTelegram, world
from bot.sandbox import seed
from bot.sandbox.feed import Event, Feed
from bot.sandbox.people import Acts, Cast
from bot.sandbox.web import make_app

log = logging.getLogger(__name__)
TOKEN = "100000:SANDBOX-token-known-only-to-this-machine"
SAVE_EVERY = 5.0
TICK_EVERY = 30
DRAIN_TIMEOUT = 30.0  # a sender held up (Telegram's pace) goes on in the background after it


@dataclass
class Saved:
    """What of the emulator's world outlives the process (the database keeps the bot's side)."""

    users: dict[int, dict[str, Any]]
    chats: dict[int, world.Chat]
    files: dict[str, world.StoredFile]
    last_file: int
    last_update: int
    events: list[Event]
    cast: Cast
    clock_offset: timedelta


class Sandbox:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.fake = FakeTelegram(token=TOKEN, bot_username="inspector_sandbox_bot")
        self.clock = MovableClock()
        self.fake.world.clock = lambda: self.clock.now().timestamp()
        saved = self._load()
        self.cast = saved.cast if saved else seed.cast()
        self.feed = Feed(self.fake, saved.events if saved else None)
        if saved:
            self._restore(saved)
        else:
            self.clock.move_to(seed.daytime(self.clock.now()))
        self.app: App | None = None
        self._acts: Acts | None = None
        self.seeded = saved is not None
        self.address = ""
        self._moving = asyncio.Lock()  # two presses of a clock button move it twice, one after the other

    @property
    def acts(self) -> Acts:
        assert self._acts is not None, "the bot is not running yet"
        return self._acts

    @property
    def world_file(self) -> Path:
        return self.data / "sandbox.world"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.data / 'sandbox.sqlite3'}"

    def settings(self) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None,
            bot_token=SecretStr(TOKEN),
            database_url=self.database_url,
            telegram_api_url=self.fake.base_url,
            admin_ids=[self.cast.admin_id],
            redis_url=None,
            webhook_url=None,
            timezone=seed.ALMATY,
            scheduler_tick=TICK_EVERY,
        )

    # --- running --------------------------------------------------------------------------

    async def serve(self, port: int, ready: asyncio.Event | None = None) -> None:
        """Run until cancelled; prints the page's address once the page and the bot are up."""
        await self.fake.start()
        runner = web.AppRunner(make_app(self), access_log=None, shutdown_timeout=1.0)
        app = await create_app(self.settings(), self.clock)
        self.app = app
        self._acts = Acts(self.fake, app, self.cast, self.feed.queries)
        if not self.seeded:
            seed.cast_in_world(self.acts)
        started = asyncio.Event()
        app.dp.startup.register(started.set)
        polling = asyncio.create_task(run_polling(app, handle_signals=False))
        saving = asyncio.create_task(self._save_now_and_then())
        try:
            await asyncio.wait([polling, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
            if polling.done():
                polling.result()
            if not self.seeded:
                await seed.seed(self.acts, self.clock)
                self.seeded = True
                self._save()
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", port)
            await site.start()
            self.address = f"http://127.0.0.1:{runner.addresses[0][1]}/"
            print(self.address, flush=True)
            if ready is not None:
                ready.set()
            await asyncio.shield(polling)  # on Ctrl-C polling is stopped below, not cut off mid-request
        finally:
            saving.cancel()
            await runner.cleanup()
            if not polling.done():
                self.fake.queue.close()  # a getUpdates waiting for updates answers now
                await app.dp.stop_polling()
                with contextlib.suppress(Exception):
                    await polling
            await close_app(app)
            await self.fake.stop()
            self._save()

    async def move_clock(self, to: str) -> None:
        """Move the sandbox's time forward, living through the time in between (see _live_until)."""
        targets = {
            "hour": lambda now: now + timedelta(hours=1),
            "day": lambda now: now + timedelta(days=1),
            "monday": seed.next_monday_nine,
            "quarter": seed.quarter_end,
        }
        if to not in targets:
            raise ValueError(f"cannot move the clock to {to!r}")
        async with self._moving:
            await self._live_until(targets[to](self.clock.now()))

    async def _live_until(self, target: datetime) -> None:
        """Time passes as if the bot ran all along: every few hours on the way (within the grace a reminder may be late
        by) the scheduler plans and ticks and the sender sends, so what fell due in between arrives on its day."""
        assert self.app is not None
        step = timedelta(hours=max(1, self.app.settings.reminder_grace_hours))
        while True:
            moment = min(self.clock.now() + step, target)
            self.clock.move_to(moment)
            self.feed.add({"type": "clock", "now": moment.isoformat()})  # the page's clock runs on meanwhile
            await self.app.scheduler.tick(plan=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.app.sender.drained(), DRAIN_TIMEOUT)
            if moment >= target:
                break

    # --- keeping the world ----------------------------------------------------------------

    def _load(self) -> Saved | None:
        if not self.world_file.exists():
            return None
        try:
            with self.world_file.open("rb") as file:
                saved = pickle.load(file)  # our own file, written by _save below
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            log.warning("the sandbox's world file could not be read; start over with --fresh")
            raise
        return saved if isinstance(saved, Saved) else None

    def _restore(self, saved: Saved) -> None:
        self.fake.world.users.update(saved.users)
        self.fake.world.chats.update(saved.chats)
        self.fake.world.files.by_id.update(saved.files)
        self.fake.world.files.continue_after(saved.last_file)
        self.fake.queue.continue_after(saved.last_update)
        self.clock.offset = saved.clock_offset

    def _save(self) -> None:
        files = self.fake.world.files
        saved = Saved(
            users=self.fake.world.users,
            chats=self.fake.world.chats,
            files=files.by_id,
            last_file=files.last_number,
            last_update=self.fake.queue.last_id,
            events=self.feed.events,
            cast=self.cast,
            clock_offset=self.clock.offset,
        )
        self.data.mkdir(parents=True, exist_ok=True)
        partial = self.world_file.with_suffix(".partial")
        with partial.open("wb") as file:
            pickle.dump(saved, file)
        partial.replace(self.world_file)

    async def _save_now_and_then(self) -> None:
        saved_at = 0
        while True:
            await asyncio.sleep(SAVE_EVERY)
            if len(self.feed.events) != saved_at:
                saved_at = len(self.feed.events)
                self._save()


def start_over(data: Path) -> None:
    for name in ("sandbox.sqlite3", "sandbox.sqlite3-wal", "sandbox.sqlite3-shm", "sandbox.world"):
        (data / name).unlink(missing_ok=True)


async def main(port: int, fresh: bool, data: Path) -> None:
    if fresh or not (data / "sandbox.world").exists():  # a database without its world cannot be shown
        start_over(data)
    data.mkdir(parents=True, exist_ok=True)
    await Sandbox(data).serve(port)
