"""The scheduler under load: a district of 10,000 buildings where 100,000 reminders fall due in the same minute.

    python -m benchmarks.scheduler [--reminders 100000] [--database-url URL] [--instances 1|2] [--tracemalloc]

Set-up (bulk inserts, not measured): one building chat, one planned meeting and nine residents who answered
"I will come" per ten reminders; the meetings start two hours and up to a minute after the chosen minute, so each
meeting's two-hours-before reminders (to its chat and to its nine residents) fall due within that minute. Planning
(every kind the bot has, as a tick does it) is timed apart: once, and again as each later tick's re-planning (a no-op).

Then each instance, a process of its own, ticks once at the end of the minute: the time printed is from the start
of the first tick to the end of the last, every reminder claimed and handed to the outbox (rows in `deliveries`).
Each process's memory is shown at the start of its tick and at its peak (VmHWM, reset before the tick): it stays
flat whatever the number of reminders, since they are claimed a batch at a time (run 10,000 and 100,000 to compare).
With two instances on PostgreSQL, both tick at once and the result shows how many each handled, and that none was
lost or handed over twice. The database is emptied first: give the benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.database import empty, insert_rows
from bot.config import Settings
from bot.i18n import create_i18n
from models import (
    Building,
    BuildingChat,
    Delivery,
    Inspector,
    Meeting,
    MeetingStatus,
    Reminder,
    ReminderStatus,
    Rsvp,
    RsvpAnswer,
    User,
    meeting_buildings,
)
from models.db import create_engine, create_sessionmaker, upgrade_to_head
from scheduler.engine import Engine
from scheduler.kinds import all_kinds

TOKEN = "123456:BENCH-token-for-the-scheduler-xyz"
RESIDENTS = 9  # per meeting: with its building chat, ten reminders
BUILDINGS_PER_INSPECTOR = 100
# Wednesday 12:00 in Almaty and Tashkent (both UTC+5): outside quiet hours; no weekly digest or post falls due.
MINUTE = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
TICK_AT = MINUTE + timedelta(minutes=1)  # every reminder of the minute is due
PLAN_AT = TICK_AT - timedelta(minutes=5)  # within PLAN_EVERY of the tick: the tick itself does not plan again
ZONES = ("Asia/Almaty", "Asia/Tashkent")
LANGUAGES = ("ru", "kk", "uz", "en")
FIRST_RESIDENT = 10_000_000
FIRST_CHAT = -1_000_000_000_000
MIB = 1024 * 1024


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def settings_for(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=SecretStr(TOKEN), database_url=database_url, admin_ids=[1], log_level="WARNING"
    )


# --- set-up (bulk inserts, not measured) --------------------------------------------------------


async def prepare(database_url: str, buildings: int) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
        await empty(engine)
        async with engine.begin() as connection:
            await _district(connection, buildings)
    finally:
        await engine.dispose()


async def _district(connection: AsyncConnection, buildings: int) -> None:
    created = MINUTE - timedelta(days=30)
    announced = MINUTE - timedelta(hours=1)  # after the day-before reminder would have been due: only the 2 h one
    inspectors = range(1, (buildings - 1) // BUILDINGS_PER_INSPECTOR + 2)
    users: list[dict[str, Any]] = [_user(1000 + number, "Inspector", "ru", created) for number in inspectors]
    users += [
        _user(FIRST_RESIDENT + (i - 1) * RESIDENTS + k, "Resident", _language(i, k), created)
        for i in range(1, buildings + 1)
        for k in range(RESIDENTS)
    ]
    await insert_rows(connection, User.__table__, users)
    await insert_rows(
        connection,
        Inspector.__table__,
        [
            {
                "id": number,
                "user_id": 1000 + number,
                "full_name": f"Inspector {number}",
                "rank": "Police captain",
                "phone": "+77010000000",
                "reception_point": "Abay ave 12",
                "reception_hours": "Tue 18:00-20:00",
                "active": True,
                "work_from": 9,
                "work_to": 18,
                "chat_week": True,
                "created_at": created,
            }
            for number in inspectors
        ],
    )
    ids = range(1, buildings + 1)
    await insert_rows(
        connection,
        Building.__table__,
        [
            {
                "id": i,
                "code": f"B-{i:05d}",
                "address": f"Abay ave {i}",
                "district": "Almaly",
                "timezone": ZONES[i % 2],
                "inspector_id": (i - 1) // BUILDINGS_PER_INSPECTOR + 1,
                "created_at": created,
            }
            for i in ids
        ],
    )
    await insert_rows(
        connection,
        BuildingChat.__table__,
        [
            {
                "id": i,
                "building_id": i,
                "chat_id": FIRST_CHAT - i,
                "title": f"Abay {i} & <neighbours>",
                "language": _language(i),
                "active": True,
                "bound_at": created,
            }
            for i in ids
        ],
    )
    await insert_rows(
        connection,
        Meeting.__table__,
        [
            {
                "id": i,
                "draft_key": f"bench-{i}",
                "inspector_id": (i - 1) // BUILDINGS_PER_INSPECTOR + 1,
                "author_id": 1000 + (i - 1) // BUILDINGS_PER_INSPECTOR + 1,
                "starts_at": MINUTE + timedelta(hours=2, seconds=i % 60),
                "timezone": ZONES[i % 2],
                "place": f"Yard of Abay {i}, by entrance 2",
                "agenda": "Parking in the yard",
                "status": MeetingStatus.PLANNED.value,
                "sequence": 0,
                "created_at": announced,
            }
            for i in ids
        ],
    )
    await insert_rows(connection, meeting_buildings, [{"meeting_id": i, "building_id": i} for i in ids])
    await insert_rows(
        connection,
        Rsvp.__table__,
        [
            {
                "meeting_id": i,
                "user_id": FIRST_RESIDENT + (i - 1) * RESIDENTS + k,
                "chat_id": FIRST_CHAT - i,
                "answer": RsvpAnswer.YES.value,
                "at": announced,
            }
            for i in ids
            for k in range(RESIDENTS)
        ],
    )


def _language(building: int, resident: int = 0) -> str:
    """A building's chat and most of its residents speak one language; two residents of each speak another."""
    return LANGUAGES[(building + (resident >= RESIDENTS - 2)) % len(LANGUAGES)]


def _user(user_id: int, name: str, language: str, created: datetime) -> dict[str, Any]:
    return {
        "id": user_id,
        "first_name": name,
        "last_name": None,
        "username": None,
        "language": language,
        "reachable": True,
        "created_at": created,
    }


# --- planning (timed apart) -----------------------------------------------------------------------


async def plan(database_url: str) -> tuple[float, float, int]:
    """Plan every kind twice (the first time, and a later tick's no-op); the seconds each took, and what is due."""
    engine = create_engine(database_url)
    settings = settings_for(database_url)
    try:
        scheduler = Engine(
            create_sessionmaker(engine), Clock(PLAN_AT), create_i18n("ru"), settings, all_kinds(settings)
        )
        begin = time.monotonic()
        await scheduler.plan(PLAN_AT)
        first = time.monotonic() - begin
        begin = time.monotonic()
        await scheduler.plan(PLAN_AT)
        again = time.monotonic() - begin
        async with engine.connect() as connection:
            due = await connection.scalar(select(func.count()).where(Reminder.due_at <= TICK_AT))
    finally:
        await engine.dispose()
    return first, again, int(due or 0)


# --- the measured tick, in a process per instance -------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    holder: str
    started: float
    ended: float
    sent: int
    skipped: int
    missed: int
    deferred: int
    batches: int
    cpu: float  # seconds of CPU the process used in its tick (all its threads)
    held: float  # the longest the tick held the event loop at a time, in seconds (updates would wait that long)
    rss_at_start: int
    peak: int
    python_peak: int | None


def instance(database_url: str, holder: str, trace: bool, ready: Event, go: Event, results: Queue[Outcome]) -> None:
    results.put(asyncio.run(_tick(database_url, holder, trace, ready, go)))


async def _tick(database_url: str, holder: str, trace: bool, ready: Event, go: Event) -> Outcome:
    settings = settings_for(database_url)
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    batches = 0

    def handed_over() -> None:
        nonlocal batches
        batches += 1

    scheduler = Engine(
        sessionmaker,
        Clock(TICK_AT),
        create_i18n("ru"),
        settings,
        all_kinds(settings),
        wake_sender=handed_over,
        holder=holder,
    )
    scheduler._planned_at = PLAN_AT  # the set-up planned (timed apart); the tick does not plan again within 10 min
    async with sessionmaker() as session:  # connected before the start
        await session.execute(text("SELECT 1"))
    gc.collect()
    gc.freeze()  # as `python -m bot` does once started: the collector no longer walks what start-up made
    rss_at_start = _memory("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here on
    ready.set()
    go.wait()
    if trace:
        tracemalloc.start()
    held = [0.0]
    watch = asyncio.create_task(_watch_loop(held))
    started, cpu = time.time(), time.process_time()
    report = await scheduler.tick()
    ended, cpu = time.time(), time.process_time() - cpu
    watch.cancel()
    python_peak = tracemalloc.get_traced_memory()[1] if trace else None
    peak = _memory("VmHWM")
    await engine.dispose()
    return Outcome(
        holder,
        started,
        ended,
        report.sent,
        report.skipped,
        report.missed,
        report.deferred,
        batches,
        cpu,
        held[0],
        rss_at_start,
        peak,
        python_peak,
    )


async def _watch_loop(longest: list[float]) -> None:
    """Ask to run every millisecond; keep in longest[0] how much later than asked the loop let it."""
    while True:
        asked = time.monotonic()
        await asyncio.sleep(0.001)
        longest[0] = max(longest[0], time.monotonic() - asked - 0.001)


def _memory(field: str) -> int:
    """Bytes, from /proc/self/status (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_instances(database_url: str, count: int, trace: bool) -> list[Outcome]:
    """Start the instances, let them tick at the same moment, and collect what each did."""
    context = multiprocessing.get_context("spawn")  # fresh processes: their memory is the tick's, not the set-up's
    go = context.Event()
    results: Queue[Outcome] = context.Queue()
    readies = [context.Event() for _ in range(count)]
    processes = [
        context.Process(
            target=instance, args=(database_url, f"bench-{n + 1}", trace, readies[n], go, results), daemon=True
        )
        for n in range(count)
    ]
    for process in processes:
        process.start()
    for ready, process in zip(readies, processes, strict=True):
        while not ready.wait(1):
            if not process.is_alive():
                raise SystemExit(f"an instance died before its tick (exit code {process.exitcode})")
    go.set()
    outcomes = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return sorted(outcomes, key=lambda outcome: outcome.holder)


# --- the result ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    statuses: Counter[str]
    holders: Counter[str]
    deliveries: int
    duplicated: int
    lost: int


async def check(database_url: str) -> Check:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            due = Reminder.due_at <= TICK_AT
            statuses = Counter(
                dict(
                    (
                        await connection.execute(
                            select(Reminder.status, func.count()).where(due).group_by(Reminder.status)
                        )
                    ).all()
                )
            )
            handled = await connection.execute(
                select(Reminder.handled_by, func.count())
                .where(due, Reminder.handled_by.is_not(None))
                .group_by(Reminder.handled_by)
            )
            holders = Counter({str(holder): count for holder, count in handled})
            deliveries = int(await connection.scalar(select(func.count()).select_from(Delivery)) or 0)
            # Every chat and resident has one reminder: a second delivery to one of them is a duplicate.
            per_chat = select(Delivery.chat_id, func.count().label("n")).group_by(Delivery.chat_id).subquery()
            duplicated = int(await connection.scalar(select(func.coalesce(func.sum(per_chat.c.n - 1), 0))) or 0)
            sent_to = select(Reminder.recipient_id).where(due, Reminder.status == ReminderStatus.SENT.value)
            lost = statuses[ReminderStatus.PENDING.value] + int(
                await connection.scalar(
                    select(func.count()).select_from(
                        sent_to.where(Reminder.recipient_id.not_in(select(Delivery.chat_id))).subquery()
                    )
                )
                or 0
            )
    finally:
        await engine.dispose()
    return Check(statuses, holders, deliveries, duplicated, lost)


def report(
    database: str,
    buildings: int,
    planning: tuple[float, float, int],
    outcomes: list[Outcome],
    result: Check,
    setup_seconds: float,
) -> None:
    first, again, due = planning
    elapsed = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    handed = result.statuses[ReminderStatus.SENT.value]
    print(f"database            {database}, {len(outcomes)} instance(s), one process each")
    print(f"district            {buildings:,} buildings and meetings, {buildings * RESIDENTS:,} residents coming")
    print(f"set-up              {setup_seconds:.1f} s (bulk inserts, not measured)")
    print(f"planning            {first:.2f} s the first time, {again:.2f} s again (a no-op); {due:,} reminders due")
    print(
        f"claim + hand-over   {elapsed:.2f} s for {handed:,} reminders → {result.deliveries:,} deliveries "
        f"({handed / elapsed:,.0f}/s; target: under 5 s)"
    )
    for o in outcomes:
        python = f", Python heap peak {o.python_peak / MIB:.0f} MiB" if o.python_peak is not None else ""
        print(
            f"  {o.holder:<16}  {o.sent:,} sent, {o.skipped} skipped, {o.missed} missed, {o.deferred} deferred "
            f"in {o.batches} batches, {o.ended - o.started:.2f} s ({o.cpu:.2f} s CPU, the loop held "
            f"{o.held * 1000:.0f} ms at most); "
            f"memory {o.rss_at_start / MIB:.0f} MiB at start, peak {o.peak / MIB:.0f} MiB (+{(o.peak - o.rss_at_start) / MIB:.0f}){python}"
        )
    print(f"handled by          {', '.join(f'{holder} {n:,}' for holder, n in sorted(result.holders.items()))}")
    print(f"statuses            {dict(result.statuses)}")
    print(f"lost                {result.lost}")
    print(f"duplicated          {result.duplicated}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=100_000, help="a multiple of 10 (default 100000)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; it is emptied first")
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak (slows the tick)")
    args = parser.parse_args()
    buildings = max(1, args.reminders // (RESIDENTS + 1))
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        database = make_url(url).get_backend_name()
        if database == "sqlite" and args.instances > 1:
            parser.error("one process per SQLite file: two instances need PostgreSQL (--database-url)")
        begin = time.monotonic()
        asyncio.run(prepare(url, buildings))
        setup_seconds = time.monotonic() - begin
        planning = asyncio.run(plan(url))
        outcomes = run_instances(url, args.instances, args.tracemalloc)
        report(database, buildings, planning, outcomes, asyncio.run(check(url)), setup_seconds)


if __name__ == "__main__":
    main()
