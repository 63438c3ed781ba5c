"""The lists of meetings, the staff's and a building's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.errors import NotAllowed
from bot.services.meetings.common import (
    DURATION,
    LISTED,
    Counts,
    _options,
    _totals,
)
from bot.services.meetings.publishing import for_staff
from bot.services.people import Actor
from models import (
    Meeting,
    MeetingStatus,
    Rsvp,
    meeting_buildings,
)


@dataclass(frozen=True)
class Listed:
    meeting: Meeting
    counts: Counts
    past: bool  # its time has come and nobody recorded it yet


async def staff_upcoming(session: AsyncSession, clock: Clock, actor: Actor, *, limit: int = LISTED) -> list[Listed]:
    """Planned meetings, soonest first, with RSVP totals: an inspector's own, every one for an administrator.

    Planned meetings whose time has passed stay until their results are recorded, marked as past.
    """
    query = select(Meeting).where(Meeting.status == MeetingStatus.PLANNED)
    if not actor.is_admin:
        if actor.inspector is None:
            raise NotAllowed()
        query = query.where(Meeting.inspector_id == actor.inspector.id)
    found = list(await session.scalars(query.options(*_options()).order_by(Meeting.starts_at).limit(limit)))
    totals = await _totals(session, [m.id for m in found])
    now = clock.now()
    return [Listed(m, totals.get(m.id, Counts()), past=m.starts_at <= now) for m in found]


async def staff_view(session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int) -> Listed:
    meeting = await for_staff(session, actor, meeting_id)
    totals = await _totals(session, [meeting.id])
    return Listed(meeting, totals.get(meeting.id, Counts()), past=meeting.starts_at <= clock.now())


async def building_upcoming(
    session: AsyncSession, clock: Clock, building_id: int, *, limit: int = LISTED
) -> list[Meeting]:
    """A building's planned meetings that have not ended yet, soonest first."""
    return list(
        await session.scalars(
            select(Meeting)
            .join(meeting_buildings, meeting_buildings.c.meeting_id == Meeting.id)
            .where(
                meeting_buildings.c.building_id == building_id,
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at > clock.now() - DURATION,
            )
            .options(*_options())
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


async def answers_of(session: AsyncSession, user_id: int, meeting_ids: Iterable[int]) -> dict[int, str]:
    ids = list(meeting_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer).where(Rsvp.user_id == user_id, Rsvp.meeting_id.in_(ids))
    )
    return {meeting_id: answer for meeting_id, answer in rows.all()}
