"""Appeal intake under load: N residents press Send at the same moment, through the real bot and a fake Telegram.

    python -m benchmarks.appeals [--residents 500] [--database-url URL]

Prints appeals per second, the time each press took to be handled (p50/p95/max), peak memory, and the count of
appeals lost, duplicated or misnumbered. The yardstick beside the throughput is Telegram's own limit: about 30
messages a second per bot, and each appeal costs three (the card, the resident's confirmation, the button answer).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.config import Settings
from bot.emulator import FakeTelegram
from bot.services import buildings, inspectors, residents
from bot.services.people import Person
from bot.ui.appeals.keyboards import confirm_intake
from handlers.resident.appeal import Intake
from models import Appeal, Base
from tests.support.harness import FrozenClock, Telegram, running_bot

TOKEN = "123456:BENCH-token-for-the-fake-telegram-xyz"
TELEGRAM_MESSAGES_PER_SECOND = 30
MESSAGES_PER_APPEAL = 3


async def run(residents_count: int, database_url: str) -> None:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_api_url=fake.base_url,
        admin_ids=[1],
        appeal_rate_limit=100,
        log_level="WARNING",
    )
    try:
        async with running_bot(fake, settings, FrozenClock()) as tg:
            elapsed, latencies, numbers = await _measure(tg, residents_count)
    finally:
        await fake.stop()
    _report(tg.app.engine.dialect.name, residents_count, elapsed, latencies, numbers)


async def _measure(tg: Telegram, residents_count: int) -> tuple[float, list[float], list[int]]:
    """Press every Send at once; returns the elapsed time, each press's handling time, and the numbers given."""
    app, fake = tg.app, tg.fake
    if app.engine.dialect.name == "postgresql":
        async with app.engine.begin() as connection:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    presses = await _prepare(tg, residents_count)
    latencies: list[float] = []

    async def press(user_id: int, message: dict[str, Any], data: str) -> None:
        sent = time.monotonic()
        await tg.deliver(fake.callback_update(user_id, message, data), timeout=600)
        latencies.append(time.monotonic() - sent)

    begin = time.monotonic()
    await asyncio.gather(*(press(*p) for p in presses))
    elapsed = time.monotonic() - begin
    async with app.sessionmaker() as session:
        numbers = list(await session.scalars(select(Appeal.number)))
    return elapsed, latencies, numbers


def _report(database: str, residents_count: int, elapsed: float, latencies: list[float], numbers: list[int]) -> None:
    expected = set(range(1, residents_count + 1))
    rate = residents_count / elapsed
    telegram_cap = TELEGRAM_MESSAGES_PER_SECOND / MESSAGES_PER_APPEAL
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"database            {database}")
    print(f"residents           {residents_count} pressing Send at once")
    print(f"throughput          {rate:.1f} appeals/s   (Telegram's limit allows ~{telegram_cap:.0f} appeals/s)")
    print(
        f"handling time       p50 {statistics.median(latencies):.2f} s, p95 {quantiles[18]:.2f} s, max {max(latencies):.2f} s"
    )
    print(f"peak memory         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (whole process)")
    print(f"lost                {len(expected - set(numbers))}")
    print(f"duplicated          {len(numbers) - len(set(numbers))}")
    print(f"out of sequence     {len(set(numbers) - expected)}")


async def _prepare(tg: Telegram, count: int) -> list[tuple[int, dict[str, Any], str]]:
    """A district with one inspector; every resident registered and looking at their appeal's summary."""
    fake, app = tg.fake, tg.app
    fake.add_user(2000, "Inspector", language_code="en")
    async with app.sessionmaker.begin() as session:
        inspector = await inspectors.add_inspector(
            session,
            tg.clock,
            inspectors.draft(
                Person(id=2000, first_name="Inspector"),
                full_name="Inspector",
                rank="Captain",
                phone="+77010000000",
                reception_point="Office",
                reception_hours="Tue",
            ),
            language="en",
            actor_id=1,
        )
        building = await buildings.add_building(
            session, tg.clock, code="A-1", address="Abay ave 1", district=None, timezone="Asia/Almaty", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=inspector.id, actor_id=1)
        for user_id in range(10_000, 10_000 + count):
            await residents.register(
                session, tg.clock, Person(id=user_id, first_name="R"), building=building, flat=None, language="en"
            )
    presses = []
    for user_id in range(10_000, 10_000 + count):
        fake.add_user(user_id, "R", language_code="en")
        with app.i18n.context(), app.i18n.use_locale("en"):
            summary = await app.bot.send_message(user_id, "Check your appeal", reply_markup=confirm_intake())
        state = app.dp.fsm.get_context(bot=app.bot, chat_id=user_id, user_id=user_id)
        await state.set_state(Intake.confirm)
        await state.set_data(
            {
                "key": str(uuid.uuid4()),
                "category": "public_order",
                "text": "Noise at night",
                "anonymous": False,
                "source": {
                    "kind": "text",
                    "chat_id": user_id,
                    "message_id": summary.message_id,
                    "text": "Noise",
                    "file_id": None,
                    "extra": None,
                },
                "attachments": [],
            }
        )
        message = fake.chat_history(user_id)[-1]
        presses.append((user_id, message, message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]))
    return presses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        asyncio.run(run(args.residents, url))


if __name__ == "__main__":
    main()
