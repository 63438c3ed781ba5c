"""What the reminders and the weekly digest ask of meetings: those to come, who comes, what each building had."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.meetings.common import _totals
from bot.services.reminders import one_of
from models import Building, Inspector, Meeting, MeetingStatus, Rsvp, RsvpAnswer, User, meeting_buildings


async def planned_since(session: AsyncSession, since: datetime) -> list[Meeting]:
    """Every planned meeting starting after then, its buildings and their chats loaded."""
    return list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > since)
            .options(selectinload(Meeting.buildings).selectinload(Building.chats))
        )
    )


async def planned_fingerprint(session: AsyncSession, since: datetime) -> tuple[object, ...]:
    """Aggregates of the planned meetings starting after then: an edit or a cancellation moves a meeting's sequence."""
    found = await session.execute(
        select(func.count(Meeting.id), func.sum(Meeting.id), func.sum(Meeting.sequence)).where(
            Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > since
        )
    )
    return tuple(found.one())


async def with_owners(session: AsyncSession, meeting_ids: Collection[int]) -> list[tuple[Meeting, int | None]]:
    """The meetings, each with its inspector's Telegram id (None when it has no inspector)."""
    rows = await session.execute(
        select(Meeting, Inspector.user_id)
        .outerjoin(Inspector, Inspector.id == Meeting.inspector_id)
        .where(one_of(session, Meeting.id, meeting_ids))
    )
    return [(meeting, user_id) for meeting, user_id in rows]


async def coming(session: AsyncSession, meeting_ids: Collection[int]) -> set[tuple[int, int]]:
    """(meeting, person) of those who still answer "I will come" to these meetings."""
    # By meeting alone: with the people as well, the database would look up every meeting-person pair.
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.user_id).where(
            one_of(session, Rsvp.meeting_id, meeting_ids), Rsvp.answer == RsvpAnswer.YES
        )
    )
    return {(meeting_id, user_id) for meeting_id, user_id in rows}


async def coming_reachable(session: AsyncSession, meeting_ids: Collection[int]) -> list[tuple[int, int]]:
    """(meeting, person) of those who answer "I will come" to these meetings and whom the bot can write to."""
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.user_id)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.meeting_id.in_(list(meeting_ids)), Rsvp.answer == RsvpAnswer.YES, User.reachable)
    )
    return [(meeting_id, user_id) for meeting_id, user_id in rows]


async def coming_fingerprint(session: AsyncSession) -> tuple[object, ...]:
    """Aggregates of the answers "I will come", to any meeting."""
    found = await session.execute(
        select(func.count(Rsvp.id), func.sum(Rsvp.user_id), func.max(Rsvp.at)).where(Rsvp.answer == RsvpAnswer.YES)
    )
    return tuple(found.one())


async def coming_counts(session: AsyncSession, meeting_ids: Collection[int]) -> dict[int, int]:
    """ "I will come" answers per meeting."""
    return {meeting_id: counts.yes for meeting_id, counts in (await _totals(session, list(meeting_ids))).items()}


async def planned_of_inspectors(
    session: AsyncSession, inspector_ids: Collection[int], after: datetime
) -> dict[int, list[Meeting]]:
    """Each inspector's planned meetings starting after then, soonest first (as /meetings lists them)."""
    found: dict[int, list[Meeting]] = defaultdict(list)
    meetings = await session.scalars(
        select(Meeting)
        .where(
            Meeting.inspector_id.in_(list(inspector_ids)),
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    for meeting in meetings:
        if meeting.inspector_id is not None:
            found[meeting.inspector_id].append(meeting)
    return dict(found)


async def planned_of_buildings(
    session: AsyncSession, building_ids: Collection[int], after: datetime
) -> dict[int, list[Meeting]]:
    """Each building's planned meetings starting after then, soonest first."""
    found: dict[int, list[Meeting]] = defaultdict(list)
    rows = await session.execute(
        select(meeting_buildings.c.building_id, Meeting)
        .join(meeting_buildings, meeting_buildings.c.meeting_id == Meeting.id)
        .where(
            meeting_buildings.c.building_id.in_(set(building_ids)),
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    for building_id, meeting in rows:
        found[building_id].append(meeting)
    return dict(found)


async def starts_by_building(
    session: AsyncSession, building_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[datetime]]:
    """The starts of each building's meetings held or planned within [start, end)."""
    rows = await session.execute(
        select(meeting_buildings.c.building_id, Meeting.starts_at)
        .join(Meeting, Meeting.id == meeting_buildings.c.meeting_id)
        .where(
            meeting_buildings.c.building_id.in_(list(building_ids)),
            Meeting.status.in_([MeetingStatus.PLANNED.value, MeetingStatus.HELD.value]),
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
    )
    found: dict[int, list[datetime]] = defaultdict(list)
    for building_id, starts_at in rows:
        found[building_id].append(starts_at)
    return dict(found)
