"""A quarterly report of a busy beat: 20 buildings with 100,000 appeals over two years, meetings and proposals.

    python -m benchmarks.report [--appeals 100000] [--database-url URL] [--language ru] [--repeat 7] [--tracemalloc]

Set-up (bulk inserts, not measured): one inspector, 20 buildings in Almaty; the appeals spread over 2025 and 2026
(a first response within hours, most resolved within days, some rejected, some still open or late, two in three of
the resolved rated); a meeting held with each building every month (one in ten cancelled) and one with the whole
beat every quarter; residents' proposals and those raised at meetings, in every status.

Then, in a fresh process (its memory is the report's, not the set-up's; the bot's modules imported and the database
connected first, as in a running bot), what the inspector's /report does for the fourth quarter of 2026, on
10 January 2027: the figures of the quarter beside the third (`bot.services.reports.comparison`) for the whole beat
and for one building, the summary text, the chart, and the printable page (given the chart drawn already, as the
dialog does, and drawing it itself). Each is timed the first time (statements compiled, fonts loaded), then the
median and the best of `--repeat` more runs (the best is the steadiest figure on a busy machine). Memory: the
process's resident size after start-up and its peak over all of it (VmHWM, reset after start-up). The database is
emptied first: give the benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import re
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.database import INSERT_CHUNK, empty, insert_rows
from bot.config import LANGUAGES
from bot.i18n import create_i18n
from bot.services import reports
from bot.services.quarters import Quarter
from bot.services.report_figures import Comparison, ProposalLine, ReportView
from bot.ui.reports import cards as report_cards
from bot.ui.reports.chart import chart_png
from bot.ui.reports.pdf import pdf_bytes
from models import (
    Appeal,
    AppealStatus,
    Building,
    Category,
    Inspector,
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalStatus,
    User,
    meeting_buildings,
)
from models.db import create_engine, create_sessionmaker, upgrade_to_head

BUILDINGS = 20
ZONE = "Asia/Almaty"
FIRST = datetime(2025, 1, 1, tzinfo=UTC) - timedelta(hours=5)  # midnight of 1 January 2025 in Almaty
LAST = datetime(2027, 1, 1, tzinfo=UTC) - timedelta(hours=5)
NOW = datetime(2027, 1, 10, 6, tzinfo=UTC)  # 11:00 on 10 January 2027 in Almaty: the report for 2026Q4
QUARTER = Quarter(2026, 4)
INSPECTOR_USER = 1000
MIB = 1024 * 1024
CATEGORIES = [category.value for category in Category]
CATEGORY_WEIGHTS = [30, 12, 10, 15, 18, 8, 7]
T = TypeVar("T")


# --- set-up (bulk inserts, not measured) --------------------------------------------------------


async def prepare(database_url: str, appeals: int) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
        await empty(engine)
        async with engine.begin() as connection:
            await _beat(connection, appeals, random.Random(6))
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))  # the planner knows the tables' sizes, as in a running bot
    finally:
        await engine.dispose()


async def _beat(connection: AsyncConnection, appeals: int, rng: random.Random) -> None:
    created = FIRST - timedelta(days=30)
    await insert_rows(
        connection,
        User.__table__,
        [
            {
                "id": INSPECTOR_USER,
                "first_name": "Serik",
                "last_name": "Akhmetov",
                "username": None,
                "language": "ru",
                "reachable": True,
                "created_at": created,
            }
        ],
    )
    await insert_rows(
        connection,
        Inspector.__table__,
        [
            {
                "id": 1,
                "user_id": INSPECTOR_USER,
                "full_name": "Серік Ахметов",
                "rank": "полиция майоры",
                "phone": "+77010000000",
                "reception_point": "Абай даңғылы 12",
                "reception_hours": "Сс 18:00-20:00",
                "active": True,
                "work_from": 9,
                "work_to": 18,
                "chat_week": True,
                "created_at": created,
            }
        ],
    )
    await insert_rows(
        connection,
        Building.__table__,
        [
            {
                "id": i,
                "code": f"A-{i:02d}",
                "address": f"Абай даңғылы {2 * i}, Алматы",
                "district": "Алмалы",
                "timezone": ZONE,
                "inspector_id": 1,
                "created_at": created,
            }
            for i in range(1, BUILDINGS + 1)
        ],
    )
    # In the order they arrive, as the bot inserts them (a quarter's appeals lie together in the table).
    moments = sorted(FIRST + (LAST - FIRST) * rng.random() for _ in range(appeals))
    for start in range(0, appeals, INSERT_CHUNK):
        chunk = moments[start : start + INSERT_CHUNK]
        rows = [_appeal(start + n, created, rng) for n, created in enumerate(chunk, start=1)]
        await insert_rows(connection, Appeal.__table__, rows)
    meetings, links, proposals = _community(rng)
    await insert_rows(connection, Meeting.__table__, meetings)
    await insert_rows(connection, meeting_buildings, links)
    await insert_rows(connection, Proposal.__table__, proposals)


def _appeal(number: int, created: datetime, rng: random.Random) -> dict[str, Any]:
    due = created + timedelta(days=15)
    responded: datetime | None = created + timedelta(hours=rng.lognormvariate(1.5, 1.0))
    closed: datetime | None = created + timedelta(days=rng.lognormvariate(1.5, 0.8))
    outcome = rng.random()
    if outcome < 0.01 or closed is None or closed > NOW:
        closed = None  # still open (one in a hundred forgotten, long overdue)
    if responded is not None and (responded > NOW or rng.random() < 0.03):
        responded = None  # never answered (a closing counts as the first response below)
    if closed is not None and (responded is None or responded > closed):
        responded = closed
    rejected = closed is not None and outcome > 0.94
    if closed is None:
        status = AppealStatus.IN_PROGRESS if responded is not None else AppealStatus.NEW
    else:
        status = AppealStatus.REJECTED if rejected else AppealStatus.RESOLVED
    rated = status == AppealStatus.RESOLVED and rng.random() < 0.65
    return {
        "number": number,
        "draft_key": f"bench-{number}",
        "building_id": rng.randint(1, BUILDINGS),
        "resident_id": None,
        "flat": None,
        "inspector_id": 1,
        "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
        "anonymous": rng.random() < 0.1,
        "status": status.value,
        "text": "Шумят по ночам во дворе",
        "created_at": created,
        "first_response_due": created + timedelta(hours=24),
        "first_response_at": responded,
        "due_at": due,
        "resolved_at": closed,
        "delivered_at": created,
        "reopened": False,
        "reject_reason": "Не относится к полиции" if rejected else None,
        "rating": rng.choices([5, 4, 3, 2, 1], [45, 25, 12, 8, 10])[0] if rated else None,
        "feedback": None,
    }


def _months() -> Iterator[tuple[datetime, bool]]:
    """The first day of each month of 2025 and 2026, midnight in Almaty, and whether it is a quarter's last month."""
    for year in (2025, 2026):
        for month in range(1, 13):
            yield datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=5), month % 3 == 0


def _community(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, int]], list[dict[str, Any]]]:
    meetings: list[dict[str, Any]] = []
    links: list[dict[str, int]] = []
    proposals: list[dict[str, Any]] = []

    def meeting(starts: datetime, buildings: list[int], status: MeetingStatus) -> int:
        meeting_id = len(meetings) + 1
        held = status == MeetingStatus.HELD
        meetings.append(
            {
                "id": meeting_id,
                "draft_key": f"bench-meeting-{meeting_id}",
                "inspector_id": 1,
                "author_id": INSPECTOR_USER,
                "starts_at": starts,
                "timezone": ZONE,
                "place": "Двор у второго подъезда",
                "agenda": "Парковка во дворе",
                "status": status.value,
                "sequence": 0,
                "attendance": rng.randint(5, 15 * len(buildings) + 25) if held else None,
                "minutes": "Обсудили парковку" if held else None,
                "held_recorded_at": starts + timedelta(hours=2) if held else None,
                "created_at": starts - timedelta(days=10),
            }
        )
        links.extend({"meeting_id": meeting_id, "building_id": b} for b in buildings)
        if held:
            for _ in range(rng.randint(0, 3)):
                proposal(starts + timedelta(hours=2), None if len(buildings) > 1 else buildings[0], meeting_id)
        return meeting_id

    def proposal(at: datetime, building: int | None, meeting_id: int | None) -> None:
        age = (NOW - at).days
        weights = [60, 25, 10, 5] if age < 90 else [15, 30, 45, 10]
        status = rng.choices(list(ProposalStatus), weights)[0]
        proposals.append(
            {
                "building_id": building,
                "meeting_id": meeting_id,
                "resident_id": None,
                "source": "meeting" if meeting_id else "bot",
                "text": "Поставить фонарь у второго подъезда",
                "status": status.value,
                "comment": None,
                "created_at": at,
                "updated_at": at,
            }
        )

    for month, last_of_quarter in _months():
        for building in range(1, BUILDINGS + 1):
            starts = month + timedelta(days=rng.randint(2, 26), hours=19)  # 19:00
            status = MeetingStatus.CANCELLED if rng.random() < 0.1 else MeetingStatus.HELD
            meeting(starts, [building], status)
            for _ in range(rng.randint(0, 4)):
                proposal(month + timedelta(days=rng.uniform(0, 27)), building, None)
        if last_of_quarter:  # the report meeting of the whole beat, on the 28th at 14:00
            meeting(month + timedelta(days=27, hours=14), list(range(1, BUILDINGS + 1)), MeetingStatus.HELD)
    return meetings, links, proposals


# --- the measured report, in a process of its own -------------------------------------------------


@dataclass(frozen=True)
class Timing:
    first: float
    median: float
    best: float


@dataclass(frozen=True)
class Outcome:
    figures: Timing
    one_building: Timing
    summary: Timing
    chart: Timing
    pdf: Timing  # the chart drawn already, as the dialog passes it
    pdf_alone: Timing  # drawing the chart itself
    chart_bytes: int
    pdf_bytes: int
    pdf_pages: int
    received: int
    rss_at_start: int
    peak: int
    python_peak: int | None


def measure(database_url: str, language: str, repeat: int, trace: bool, results: Queue[Outcome]) -> None:
    results.put(asyncio.run(_measure(database_url, language, repeat, trace)))


async def _timed(repeat: int, work: Callable[[], Awaitable[T]]) -> tuple[Timing, T]:
    began = time.perf_counter()
    result = await work()
    first = time.perf_counter() - began
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    return Timing(first, statistics.median(times or [first]), min(times or [first])), result


async def _measure(database_url: str, language: str, repeat: int, trace: bool) -> Outcome:
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    i18n = create_i18n("ru")
    async with sessionmaker() as session:  # connected before the start
        await session.execute(text("SELECT 1"))
    gc.collect()
    gc.freeze()  # as `python -m bot` does once started
    rss_at_start = _memory("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here on
    if trace:
        tracemalloc.start()

    async def whole_beat() -> Comparison:
        async with sessionmaker() as session:
            buildings = await reports.beat(session, 1)
            return await reports.comparison(session, building_ids=[b.id for b in buildings], quarter=QUARTER)

    async def one_building() -> Comparison:
        async with sessionmaker() as session:
            return await reports.comparison(session, building_ids=[7], quarter=QUARTER)

    with i18n.context(), i18n.use_locale(language):
        figures, comparison = await _timed(repeat, whole_beat)
        single, _ = await _timed(repeat, one_building)
        async with sessionmaker() as session:
            buildings = await reports.beat(session, 1)
        view = ReportView(
            quarter=QUARTER.key,
            inspector_name="Серік Ахметов",
            inspector_rank="полиция майоры",
            buildings=[(b.code, b.address) for b in buildings],
            comparison=comparison,
            offences=[("Ұрлық", 14), ("Бұзақылық", 6), ("Жол-көлік оқиғалары", 9), ("Отбасылық зорлық-зомбылық", 3)],
            measures="Әр ай сайын тұрғындармен кездесу өтті; ауладағы көлік тұрағы реттелді. " * 4,
            plans="Кіреберістерге бейнебақылау орнату, жасөспірімдермен профилактикалық әңгімелер. " * 3,
            proposals=[
                ProposalLine(f"Екінші кіреберіс алдына шам орнату ({n})", status.value, f"A-{n:02d}")
                for n, status in zip(range(1, 13), list(ProposalStatus) * 3, strict=True)
            ],
            timezone=ZONE,
        )
        summary, _ = await _timed(repeat, _sync(lambda: report_cards.summary(view)))
        chart, png = await _timed(repeat, _sync(lambda: chart_png(comparison)))
        pdf, document = await _timed(repeat, _sync(lambda: pdf_bytes(view, chart=png)))
        pdf_alone, _ = await _timed(repeat, _sync(lambda: pdf_bytes(view)))
    python_peak = tracemalloc.get_traced_memory()[1] if trace else None
    peak = _memory("VmHWM")
    await engine.dispose()
    return Outcome(
        figures,
        single,
        summary,
        chart,
        pdf,
        pdf_alone,
        len(png),
        len(document),
        len(re.findall(rb"/Type\s*/Page(?!s)", document)),
        comparison.current.received,
        rss_at_start,
        peak,
        python_peak,
    )


def _sync(work: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    async def run() -> T:
        return work()

    return run


def _memory(field: str) -> int:
    """Bytes, from /proc/self/status (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_measurement(database_url: str, language: str, repeat: int, trace: bool) -> Outcome:
    context = multiprocessing.get_context("spawn")  # a fresh process: its memory is the report's, not the set-up's
    results: Queue[Outcome] = context.Queue()
    process = context.Process(target=measure, args=(database_url, language, repeat, trace, results), daemon=True)
    process.start()
    outcome = results.get(timeout=1200)
    process.join()
    return outcome


async def counts(database_url: str) -> tuple[int, int, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = [
                int(await connection.scalar(select(func.count()).select_from(table)) or 0)
                for table in (Appeal.__table__, Meeting.__table__, Proposal.__table__)
            ]
    finally:
        await engine.dispose()
    return found[0], found[1], found[2]


def report(database: str, setup_seconds: float, totals: tuple[int, int, int], repeat: int, o: Outcome) -> None:
    appeals, meetings, proposals = totals

    def line(name: str, timing: Timing, extra: str = "") -> None:
        print(
            f"{name:<20}{timing.first * 1000:7.0f} ms the first time, then {timing.median * 1000:5.0f} ms "
            f"(best {timing.best * 1000:.0f}){extra}"
        )

    print(f"database            {database}")
    print(
        f"beat                {BUILDINGS} buildings, {appeals:,} appeals over 2025-2026, {meetings:,} meetings, "
        f"{proposals:,} proposals"
    )
    print(f"set-up              {setup_seconds:.1f} s (bulk inserts, not measured)")
    print(
        f"quarter             {QUARTER.key}: {o.received:,} appeals received; "
        f"times: the first run, then the median (and the best) of {repeat} more"
    )
    line("figures, beat", o.figures, " (the quarter and the one before)")
    line("figures, 1 building", o.one_building)
    line("summary text", o.summary)
    line("chart", o.chart, f" ({o.chart_bytes / 1024:.0f} KiB PNG)")
    line("PDF", o.pdf, f" ({o.pdf_bytes / 1024:.0f} KiB, {o.pdf_pages} page(s), the chart given)")
    line("PDF drawing chart", o.pdf_alone)
    preview = o.figures.median + o.summary.median + o.chart.median + o.pdf.median
    print(f"preview in all      {preview * 1000:8.1f} ms (figures, summary, chart and PDF, each after the first time)")
    python = f", Python heap peak {o.python_peak / MIB:.1f} MiB" if o.python_peak is not None else ""
    print(
        f"memory              {o.rss_at_start / MIB:.0f} MiB after start-up, peak {o.peak / MIB:.0f} MiB "
        f"(+{(o.peak - o.rss_at_start) / MIB:.0f}){python}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file; it is emptied first")
    parser.add_argument("--language", default="ru", choices=LANGUAGES)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs after the first (default 7)")
    parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak (slows everything)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        began = time.monotonic()
        asyncio.run(prepare(url, args.appeals))
        setup_seconds = time.monotonic() - began
        totals = asyncio.run(counts(url))
        outcome = run_measurement(url, args.language, args.repeat, args.tracemalloc)
        report(make_url(url).get_backend_name(), setup_seconds, totals, args.repeat, outcome)


if __name__ == "__main__":
    main()
