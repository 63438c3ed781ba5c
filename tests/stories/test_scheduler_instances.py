"""Several scheduler instances on one PostgreSQL database, one of them dying mid-tick: every reminder goes once.

The instances are scheduler engines, each with its own connection pool and holder, as separate processes would
have: the bot's own (`tg.app.scheduler`), a second one built as `bot/app.py` builds it, and, after the second one
dies in the middle of a batch, a third that takes its place (the restart). They share the bot's outbox and its one
sender, so what reaches Telegram is what the instances handed over between them. Batches are small, so the
instances' claims overlap many times within one tick.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

import scheduler.engine
from bot.services import buildings
from models import Building, BuildingChat, Delivery, Meeting, MeetingStatus, Reminder, Rsvp, RsvpAnswer
from models.community import meeting_buildings
from models.db import create_engine, create_sessionmaker
from scheduler.engine import Engine
from scheduler.kinds import all_kinds, appeals, meetings
from tests.conftest import ADMIN_ID
from tests.support.appeal_steps import send_appeal
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, district, resident_of

BUILDINGS = 30
RESIDENTS = 2  # per building, each of whom said "I will come"
BATCH = 3  # reminders per claim: small, so that the instances' batches interleave
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 08:00 in Almaty
ALMATY = ZoneInfo("Asia/Almaty")
APPEALS = 6
WAVES = 3  # meetings start at three different hours, so their reminders fall due in three waves each


@pytest.fixture(autouse=True)
def postgresql_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL; on SQLite one process per file is the rule (test_scheduler)")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler.engine, "BATCH", BATCH)


@dataclass
class Site:
    """A building with its chat, its residents who come, and its meeting."""

    chat_id: int
    residents: list[int]
    starts_at: datetime


async def buildings_with_meetings(tg: Telegram) -> list[Site]:
    d = await district(tg)
    sites = []
    for i in range(BUILDINGS):
        async with tg.app.sessionmaker.begin() as session:
            if i == 0:
                building = await session.get_one(Building, d.building.id)
            else:
                building = await buildings.add_building(
                    session,
                    tg.clock,
                    code=f"B-{i:02d}",
                    address=f"Abay ave {i}",
                    district="Almaly",
                    timezone="Asia/Almaty",
                    actor_id=1,
                )
                await buildings.assign(
                    session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1
                )
        chat_id = -1000 - i
        residents = [5000 + 10 * i + k for k in range(RESIDENTS)]
        for user_id in residents:
            await resident_of(tg, building, user_id, f"Resident {user_id}")
        tg.fake.add_group(chat_id, f"Abay {i}", creator_id=INSPECTOR_ID)
        starts_at = START + timedelta(hours=26 + i % WAVES)
        async with tg.app.sessionmaker.begin() as session:
            session.add(
                BuildingChat(
                    building_id=building.id,
                    chat_id=chat_id,
                    title=f"Abay {i}",
                    language="en",
                    active=True,
                    bound_at=tg.clock.now(),
                )
            )
            meeting = Meeting(
                draft_key=f"meeting-{i}",
                inspector_id=d.inspector.id,
                author_id=INSPECTOR_ID,
                starts_at=starts_at,
                timezone="Asia/Almaty",
                place=f"Yard of Abay {i}",
                agenda="Parking",
                status=MeetingStatus.PLANNED.value,
                sequence=0,
                created_at=tg.clock.now(),
            )
            session.add(meeting)
            await session.flush()
            await session.execute(meeting_buildings.insert().values(meeting_id=meeting.id, building_id=building.id))
            session.add_all(
                Rsvp(meeting_id=meeting.id, user_id=user_id, chat_id=chat_id, answer=RsvpAnswer.YES, at=START)
                for user_id in residents
            )
        sites.append(Site(chat_id, residents, starts_at))
    return sites


@dataclass
class Instance:
    """Another process's scheduler: its own connection pool; the bot's settings, kinds and outbox."""

    scheduler: Engine
    claims: int = 0  # claims run: each holds its batch until its transaction ends
    rollbacks: int = 0


@asynccontextmanager
async def instance(tg: Telegram, database_url: str, holder: str) -> AsyncIterator[Instance]:
    engine = create_engine(database_url)
    settings = tg.app.settings
    found = Instance(
        Engine(
            create_sessionmaker(engine),
            tg.clock,
            tg.app.i18n,
            settings,
            all_kinds(settings),
            wake_sender=tg.app.sender.wake,
            holder=holder,
        )
    )

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def claimed(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "SKIP LOCKED" in statement:
            found.claims += 1

    @event.listens_for(engine.sync_engine, "rollback")
    def rolled_back(_connection: Any) -> None:
        found.rollbacks += 1

    try:
        yield found
    finally:
        await engine.dispose()


async def tick_while_the_clock_moves(tg: Telegram, engines: list[Engine], moments: list[datetime]) -> None:
    """Each instance ticks again and again, as its job would, while the clock moves on through the moments; it moves
    on once every instance has finished a tick begun at the moment before, as a bot's ticks keep up with its clock
    (however slow this machine is, a reminder is handled at the moment it falls due)."""
    moving = True
    caught_up: list[datetime | None] = [None] * len(engines)  # the moment each instance's last finished tick began

    async def keep_ticking(index: int, engine: Engine) -> None:
        while moving:
            began = tg.clock.now()
            await engine.tick()
            caught_up[index] = began
            await asyncio.sleep(0)

    async def move() -> None:
        nonlocal moving
        for moment in moments:
            tg.clock.at = moment
            while any(began != moment for began in caught_up):
                await asyncio.sleep(0.01)
        moving = False

    await asyncio.gather(move(), *(keep_ticking(index, engine) for index, engine in enumerate(engines)))
    await asyncio.gather(*(engine.tick() for engine in engines for _ in range(3)))


def every(start: datetime, *, hours: int, step: int) -> list[datetime]:
    """The moments from start on, `step` minutes apart, for `hours` hours."""
    return [start + timedelta(minutes=minutes) for minutes in range(0, hours * 60 + 1, step)]


async def test_two_scheduler_instances_and_a_restart_between_them_send_every_reminder_exactly_once(
    tg: Telegram, database_url: str
) -> None:
    tg.clock.at = START
    sites = await buildings_with_meetings(tg)
    for site in sites[:APPEALS]:  # appeals nobody answers: their first response falls overdue the next morning
        await send_appeal(tg.person(site.residents[0], "Resident", language_code="en"))
    recipients = [INSPECTOR_ID, ADMIN_ID, *(chat for site in sites for chat in [site.chat_id, *site.residents])]
    received_before = {chat_id: len(tg.fake.sent_to(chat_id)) for chat_id in recipients}
    async with tg.app.sessionmaker() as session:
        last_delivery = await session.scalar(select(func.coalesce(func.max(Delivery.id), 0)))

    first = tg.app.scheduler

    async with instance(tg, database_url, "second") as second:
        # Both plan at once: planning is idempotent, the unique key keeps one row per reminder.
        await asyncio.gather(*(engine.tick(plan=True) for engine in (first, second.scheduler) for _ in range(3)))
        # The weekly posts, the digest and the first meetings' day-before reminders fall due. The second instance
        # dies with its second batch claimed and not yet handed over: its transaction is rolled back.
        tg.clock.at = START + timedelta(hours=2)
        claims = second.claims
        ticks = [asyncio.create_task(first.tick()), asyncio.create_task(second.scheduler.tick())]
        while second.claims < claims + 2 and not ticks[1].done():
            await asyncio.sleep(0)
        assert not ticks[1].done(), "the second instance ended its tick before it could die in its middle"
        ticks[1].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticks[1]
        await ticks[0]
        assert second.rollbacks == 1

    async with instance(tg, database_url, "third") as third:
        # Restarted: the rest of the day-before reminders; the next morning the appeals' first responses fall
        # overdue (09:00, the inspector's working hours) and the two-hours-before reminders are due.
        engines = [first, third.scheduler]
        await tick_while_the_clock_moves(tg, engines, every(START + timedelta(hours=2), hours=3, step=20))
        await tick_while_the_clock_moves(tg, engines, every(START + timedelta(hours=24), hours=2, step=15))
    await tg.drain(timeout=60)

    async with tg.app.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Reminder.kind, Reminder.recipient_id, Reminder.status, Reminder.due_at, Reminder.handled_by)
            )
        ).all()
        delivered = Counter((await session.scalars(select(Delivery.chat_id).where(Delivery.id > last_delivery))).all())
    sent = [row for row in rows if row.status == "sent"]
    kinds = Counter(row.kind for row in sent)
    assert kinds[meetings.CHATS] == kinds[meetings.RESIDENTS] / RESIDENTS == len(sites) * 2, kinds
    assert kinds[appeals.FIRST] == APPEALS, kinds
    assert not [row for row in rows if row.status == "pending" and row.due_at <= tg.clock.now()], "a reminder lost"
    assert not [row for row in rows if row.status == "missed"]
    holders = Counter(row.handled_by for row in rows if row.status != "pending")
    assert set(holders) == {first.holder, "second", "third"}, holders
    assert holders["second"] == BATCH, "the second instance's batch that died with it was handled by another"
    # Each reminder sent was handed to the outbox once, and reached its chat once.
    addressed = Counter(row.recipient_id for row in sent)
    assert delivered == addressed
    assert {chat_id: len(tg.fake.sent_to(chat_id)) - received_before[chat_id] for chat_id in recipients} == {
        chat_id: addressed[chat_id] for chat_id in recipients
    }
    for site in sites:
        local = site.starts_at.astimezone(ALMATY)
        when = f"{local.day} November 2026, {local:%H:%M}"
        for chat_id in [site.chat_id, *site.residents]:
            texts = [m["text"] for m in tg.fake.sent_to(chat_id) if "Reminder: the meeting" in (m.get("text") or "")]
            assert len(texts) == 2 and "is in 1 day" in texts[0] and "is in 2 hours" in texts[1], texts
            assert all(when in text for text in texts), (when, texts)
