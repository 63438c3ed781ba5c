"""Reminders as rows: planned idempotently, claimed atomically by whichever process ticks, settled in one go.

A tick claims due rows and hands their messages to the outbox in the same transaction, so a reminder is sent
exactly once however many processes tick: on PostgreSQL the claim skips rows another transaction holds
(`FOR UPDATE SKIP LOCKED`); SQLite serves one process, which takes the write lock for the whole batch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from models import Building, Inspector, Reminder, ReminderStatus
from models.queries import upsert_insert


@dataclass(frozen=True)
class Planned:
    kind: str
    subject_id: int
    recipient_id: int
    period: str
    due_at: datetime


class Due(NamedTuple):
    """A claimed reminder, as the kinds read it: a plain row, not an ORM object (a tick claims 100,000 at once)."""

    id: int
    kind: str
    subject_id: int
    recipient_id: int
    period: str
    due_at: datetime


class Settled(NamedTuple):
    """What became of a claimed reminder: an end (sent, skipped, missed) or, still pending, a later due time."""

    id: int
    status: ReminderStatus
    due_at: datetime
    note: str | None = None


async def plan(session: AsyncSession, planned: Sequence[Planned]) -> None:
    """Insert the reminders not planned yet; those planned before (the same kind, subject, recipient, period) stay."""
    if not planned:
        return
    insert = upsert_insert(session)
    rows = [
        {
            "kind": p.kind,
            "subject_id": p.subject_id,
            "recipient_id": p.recipient_id,
            "period": p.period,
            "due_at": p.due_at,
            "status": ReminderStatus.PENDING.value,
        }
        for p in planned
    ]
    # One statement, many rows (executemany): SQLAlchemy compiles it once, where a multi-row VALUES is compiled
    # anew for every chunk, which made re-planning 100,000 reminders take ~20 s of CPU (benchmarks/scheduler.py).
    await session.execute(insert(Reminder).on_conflict_do_nothing(), rows)


async def claim(session: AsyncSession, now: datetime, *, limit: int) -> list[Due]:
    """Due reminders for this transaction alone, oldest first; another process's claim is skipped, not waited for."""
    query = (
        select(Reminder.id, Reminder.kind, Reminder.subject_id, Reminder.recipient_id, Reminder.period, Reminder.due_at)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [Due._make(row) for row in await session.execute(query)]


async def settle(session: AsyncSession, results: Sequence[Settled], *, now: datetime, holder: str) -> None:
    """Ended reminders (they keep their due time) in one statement per outcome; deferred ones in one per new due
    time (a reader's window opening: a few per batch)."""
    ended: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    deferred: dict[datetime, list[int]] = defaultdict(list)
    for result in results:
        if result.status == ReminderStatus.PENDING:
            deferred[result.due_at].append(result.id)
        else:
            ended[(result.status.value, result.note)].append(result.id)
    for (status, note), ids in ended.items():
        await session.execute(
            update(Reminder)
            .where(one_of(session, Reminder.id, ids))
            .values(status=status, note=note, handled_at=now, handled_by=holder)
            .execution_options(synchronize_session=False)
        )
    for due_at, ids in deferred.items():
        await session.execute(
            update(Reminder)
            .where(one_of(session, Reminder.id, ids))
            .values(due_at=due_at)
            .execution_options(synchronize_session=False)
        )


async def follow_hours(
    session: AsyncSession, kind: str, moved: dict[tuple[int, int, str], datetime], now: datetime
) -> None:
    """The kind's rows planned already and due later than `moved` says (by subject, recipient and period) are
    brought to that time, and rows due before it wait for it. Only rows due later than now: a row the engine deferred
    is due at its reader's window's start, which is later than now only while the window is closed."""
    if not moved:
        return
    rows = await session.execute(
        select(Reminder.id, Reminder.subject_id, Reminder.recipient_id, Reminder.period, Reminder.due_at).where(
            Reminder.kind == kind, Reminder.status == ReminderStatus.PENDING, Reminder.due_at > now
        )
    )
    for reminder_id, subject_id, recipient_id, period, due_at in rows.all():
        due = moved.get((subject_id, recipient_id, period))
        if due is not None and due != due_at:
            await session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == ReminderStatus.PENDING, Reminder.due_at > now)
                .values(due_at=due)
            )


def one_of(session: AsyncSession, column: QueryableAttribute[int], ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids` for a batch's thousands of ids, as one parameter (an array on PostgreSQL, JSON on SQLite)
    where `in_` makes one of each id, which SQLAlchemy and the driver handle one by one — and which PostgreSQL
    prepares anew for each number of them."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(BigInteger)))
    return column.in_(select(func.json_each(json.dumps(list(ids))).table_valued("value").c.value))


OFFICE_HOURS = (time(9), time(18))  # for staff who are not inspectors (administrators), in the default zone


async def staff_hours(
    session: AsyncSession, user_ids: Sequence[int], default_zone: str
) -> dict[int, tuple[str, tuple[time, time]]]:
    """Each person's zone and working hours: an inspector's own, office hours for anybody else."""
    found = {user_id: (default_zone, OFFICE_HOURS) for user_id in user_ids}
    rows = (
        await session.execute(
            select(Inspector.id, Inspector.user_id, Inspector.work_from, Inspector.work_to).where(
                Inspector.user_id.in_(list(user_ids)), Inspector.active
            )
        )
    ).all()
    zones = await building_zones(session, [row.id for row in rows], default_zone)
    for row in rows:
        found[row.user_id] = (zones[row.id], (time(row.work_from), time(row.work_to % 24)))
    return found


async def building_zones(session: AsyncSession, inspector_ids: Sequence[int], default: str) -> dict[int, str]:
    """Each inspector's time zone: that of their first building (by code), or the default."""
    zones = {inspector_id: default for inspector_id in inspector_ids}
    if not inspector_ids:
        return zones
    rows = await session.execute(
        select(Building.inspector_id, Building.timezone)
        .where(Building.inspector_id.in_(list(inspector_ids)))
        .order_by(Building.code.desc())
    )
    for inspector_id, zone in rows:
        if inspector_id is not None:
            zones[inspector_id] = zone  # the last written is the first by code
    return zones


# --- time, in the reader's zone ---------------------------------------------------------------


def next_allowed(moment: datetime, zone: str, window: tuple[time, time]) -> datetime:
    """The moment itself if its local time falls within the window [from, to) (which may pass midnight), else the
    window's next start: a reminder in quiet hours or out of working hours waits, it is not dropped."""
    start, end = window
    local = moment.astimezone(ZoneInfo(zone))
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if inside:
        return moment
    opening = at_local(local.date(), start, zone)
    if opening <= moment:
        opening = at_local(local.date() + timedelta(days=1), start, zone)
    return opening


def at_local(day: date, clock: time, zone: str) -> datetime:
    """That day's wall-clock time in the zone, as an aware UTC moment."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
