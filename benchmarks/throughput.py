"""Updates a second through the real bot, end to end, beside a bare aiogram bot on the same emulator (the ceiling).

    python -m benchmarks.throughput --redis-url redis://127.0.0.1:6379/9 [--database-url postgresql+asyncpg://…]
                                    [--residents 400]

Each bot is a process of its own (`python -m bot`, webhook mode, Redis for dialog state) behind a round-robin front;
the emulator pushes the updates to the webhook as Telegram does (up to 40 calls at once), and an update counts once
the bot answered its call — after handling it, its work committed. N registered residents act at once:

- `/my`: each asks for their appeals (a read: the update's record, the person, one query, one answer), in MY_BURSTS
  bursts: a burst lasts a second or less, and one alone swings by a quarter from run to run; the median is shown;
- appeal Send: each presses Send on their appeal's summary (the dialog's last step): the appeal is stored, numbered
  and its card sent to the inspector, the resident told its number. It counts once the inspectors have every card.
  The residents live in INSPECTORS buildings, each with an inspector of its own, and the outbox's pace is lifted (the
  emulator enforces none): the cards measure the bot's own work, not Telegram's limit of a message a second per chat.

Runs: the bare bot (one message per update), the bot on SQLite, and with --database-url on PostgreSQL with one
instance and with two. Beside each rate: the CPU the bot processes used per update, and each process's memory idle
(after start, before the load) and at its peak. The database given is emptied; Redis's database is flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.appeals import summary_state
from benchmarks.database import inspector_with_building
from bot.clock import SystemClock
from bot.emulator import FakeTelegram
from bot.i18n import create_i18n
from bot.services import residents
from bot.services.people import Person
from bot.ui.appeals.keyboards import confirm_intake
from handlers.resident.appeal import Intake
from models.db import create_engine, create_sessionmaker, upgrade_to_head
from tests.support.cluster import Cluster

TOKEN = "123456:BENCH-token-for-the-fake-telegram-xyz"
BOT_ID = 123456
FIRST_INSPECTOR = 2000
INSPECTORS = 100
FIRST_RESIDENT = 10_000
MIB = 1024 * 1024
TIMEOUT = 900.0
MY_BURSTS = 5
# Telegram's pace off: the rates the settings allow at most (each of the INSPECTORS chats takes 10 cards a second).
UNPACED = {"OUTBOX_RATE": "1000", "OUTBOX_PRIVATE_RATE": "10"}


@dataclass
class Round:
    updates: int
    seconds: float
    cpu_seconds: float  # of the bot processes

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.updates


@dataclass
class Run:
    name: str
    my: Round
    appeal: Round | None
    idle: list[int]  # resident memory of each process after start
    peak: list[int]


async def prepare(url: str, count: int) -> None:
    """An emptied database: INSPECTORS inspectors with a building each, `count` residents registered in turn."""
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade_to_head(engine)
        clock = SystemClock()
        async with create_sessionmaker(engine).begin() as session:
            homes = []
            for n, user_id in enumerate(inspector_ids()):
                building = await inspector_with_building(
                    session, clock, user_id, "Inspector", code=f"A-{n}", address=f"Abay ave {n}"
                )
                homes.append(building)
            for n, user_id in enumerate(range(FIRST_RESIDENT, FIRST_RESIDENT + count)):
                await residents.register(
                    session,
                    clock,
                    Person(id=user_id, first_name="R"),
                    building=homes[n % INSPECTORS],
                    flat=None,
                    language="en",
                )
    finally:
        await engine.dispose()


def inspector_ids() -> range:
    return range(FIRST_INSPECTOR, FIRST_INSPECTOR + INSPECTORS)


def people(fake: FakeTelegram, count: int) -> list[int]:
    for user_id in inspector_ids():
        fake.add_user(user_id, "Inspector", language_code="en")
    ids = list(range(FIRST_RESIDENT, FIRST_RESIDENT + count))
    for user_id in ids:
        fake.add_user(user_id, "R", language_code="en")
    return ids


async def burst(cluster: Cluster, updates: list[dict[str, Any]], done: Any = None) -> Round:
    """Push every update at once; the time until each was answered (and `done` holds, if given)."""
    cpu = sum(instance.cpu_seconds() for instance in cluster.instances)
    begin = time.monotonic()
    ids = [cluster.fake.push_update(update) for update in updates]
    async with asyncio.timeout(TIMEOUT):
        while not all(update_id in cluster.pusher.confirmed for update_id in ids) or (done and not done()):
            await asyncio.sleep(0.02)
    seconds = time.monotonic() - begin
    return Round(len(updates), seconds, sum(instance.cpu_seconds() for instance in cluster.instances) - cpu)


def my_updates(fake: FakeTelegram, ids: list[int]) -> list[dict[str, Any]]:
    updates = []
    for user_id in ids:
        update = fake.message_update(user_id, user_id, "/my")
        assert update is not None
        fake.queue.pending = [u for u in fake.queue.pending if u["update_id"] != update["update_id"]]
        updates.append(update)
    return updates


async def appeal_updates(fake: FakeTelegram, ids: list[int], redis_url: str) -> list[dict[str, Any]]:
    """Each resident looking at their appeal's summary, the dialog's state in Redis: their presses of Send."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    storage = RedisStorage.from_url(redis_url)
    i18n = create_i18n("en")
    updates = []
    try:
        for user_id in ids:
            with i18n.context(), i18n.use_locale("en"):
                summary = await bot.send_message(user_id, "Check your appeal", reply_markup=confirm_intake())
            key = StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)
            await storage.set_state(key, Intake.confirm)
            await storage.set_data(key, summary_state(user_id, summary.message_id))
            message = fake.chat_history(user_id)[-1]
            data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            update = fake.callback_update(user_id, message, data)
            fake.queue.pending = [u for u in fake.queue.pending if u["update_id"] != update["update_id"]]
            updates.append(update)
    finally:
        await bot.session.close()
        await storage.close()
    return updates


async def flush(redis_url: str) -> None:
    storage = RedisStorage.from_url(redis_url)
    try:
        await storage.redis.flushdb()
    finally:
        await storage.close()


async def run_one(
    name: str, module: str, database_url: str, redis_url: str, size: int, count: int, workdir: Path
) -> Run:
    await flush(redis_url)
    if module == "bot":
        await prepare(database_url, count)
    async with FakeTelegram(token=TOKEN) as fake:
        ids = people(fake, count)
        cluster = await Cluster.start(
            fake,
            database_url=database_url,
            redis_url=redis_url,
            token=TOKEN,
            workdir=workdir,
            size=size,
            module=module,
            APPEAL_RATE_LIMIT="100",
            **UNPACED,
            PYTHONPATH=str(Path(__file__).resolve().parents[1]),  # benchmarks.bare, run from the work directory
        )
        try:
            await asyncio.sleep(2)  # the start-up tick and the command menus are done
            idle = [instance.memory()[0] for instance in cluster.instances]
            bursts = [await burst(cluster, my_updates(fake, ids)) for _ in range(MY_BURSTS)]
            my = sorted(bursts, key=lambda round_: round_.rate)[MY_BURSTS // 2]
            appeal = None
            if module == "bot":
                updates = await appeal_updates(fake, ids, redis_url)

                def cards_out() -> bool:
                    cards = sum("Appeal №" in (m.get("text") or "") for i in inspector_ids() for m in fake.sent_to(i))
                    return cards >= count

                appeal = await burst(cluster, updates, cards_out)
            peak = [instance.memory()[1] for instance in cluster.instances]
            for instance in cluster.instances:
                await instance.terminate()
        finally:
            await cluster.stop()
    return Run(name, my, appeal, idle, peak)


def report(runs: list[Run], count: int) -> None:
    load = os.getloadavg()
    print(f"{count} residents acting at once; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"on {os.cpu_count()} cores\n")
    bare = runs[0]
    print(f"{'run':<28} {'/my':>16} {'of bare':>8} {'appeal Send':>16} {'of bare':>8} {'idle memory':>14}")
    for run in runs:
        memory = " + ".join(f"{idle / MIB:.0f}" for idle in run.idle) + " MiB"
        my = f"{run.my.rate:.0f}/s {run.my.cpu_ms:.1f} ms"
        appeal = f"{run.appeal.rate:.0f}/s {run.appeal.cpu_ms:.1f} ms" if run.appeal else "—"
        appeal_ratio = f"{run.appeal.rate / bare.my.rate:.0%}" if run.appeal else "—"
        print(f"{run.name:<28} {my:>16} {run.my.rate / bare.my.rate:>8.0%} {appeal:>16} {appeal_ratio:>8} {memory:>14}")
    print(
        f"\n(rate, and the bot processes' CPU per update; the ratios are to the bare bot's rate; /my: the median of"
        f" {MY_BURSTS} bursts)"
    )


async def main_async(args: argparse.Namespace, workdir: Path) -> None:
    sqlite = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    runs = [
        await run_one("bare aiogram (ceiling)", "benchmarks.bare", sqlite, args.redis_url, 1, args.residents, workdir)
    ]
    runs.append(await run_one("bot, SQLite, 1 instance", "bot", sqlite, args.redis_url, 1, args.residents, workdir))
    if args.database_url:
        if make_url(args.database_url).get_backend_name() != "postgresql":
            raise SystemExit("--database-url: a PostgreSQL database (postgresql+asyncpg://…)")
        for size in (1, 2):
            name = f"bot, PostgreSQL, {size} instance{'s' if size > 1 else ''}"
            runs.append(await run_one(name, "bot", args.database_url, args.redis_url, size, args.residents, workdir))
    report(runs, args.residents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--redis-url", required=True, help="a Redis database of the benchmark's own (it is flushed)")
    parser.add_argument("--database-url", help="PostgreSQL, for the PostgreSQL runs (it is emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(main_async(args, Path(directory)))


if __name__ == "__main__":
    main()
