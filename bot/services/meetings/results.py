"""A held meeting's results: attendance, minutes and the proposals raised there."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit
from bot.services.errors import DomainError, InvalidValue, MeetingGone, NotAllowed
from bot.services.people import Actor
from bot.services.proposals import SOURCE_MEETING, text
from models import (
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalStatus,
)

MINUTES_LIMIT = 2000
ATTENDANCE_LIMIT = 100_000
PER_MEETING_LIMIT = 20  # proposals recorded with one meeting's results


class MeetingCancelled(DomainError):
    pass


class NotStartedYet(DomainError):
    pass


class AlreadyRecorded(DomainError):
    def __init__(self, meeting: Meeting) -> None:
        super().__init__(f"meeting {meeting.id} is recorded already")
        self.meeting = meeting


@dataclass(frozen=True)
class Results:
    attendance: int
    minutes: str | None
    proposals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    meeting: Meeting
    proposals: list[Proposal]


def can_record(actor: Actor, meeting: Meeting) -> bool:
    return actor.is_admin or (actor.inspector is not None and meeting.inspector_id == actor.inspector.id)


async def recordable(session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting, if the actor may record its results now; otherwise the reason why not."""
    return _check(await _meeting(session, meeting_id), clock, actor)


async def record_meeting(
    session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int, results: Results
) -> Recorded:
    """Held: attendance, minutes, and the proposals raised, each a recorded Proposal of the meeting's building.

    A meeting of several buildings gives proposals of no single building (they belong to all of them).
    A second Save finds the meeting recorded already and changes nothing.
    """
    attendance(str(results.attendance))
    texts = [text(item) for item in results.proposals]
    if len(texts) > PER_MEETING_LIMIT:
        raise InvalidValue("proposals")
    notes = minutes(results.minutes) if results.minutes is not None else None
    # Locked: two Saves at once queue here, and the second one sees the first one's result.
    meeting = _check(await _meeting(session, meeting_id, lock=True), clock, actor)
    now = clock.now()
    meeting.status = MeetingStatus.HELD.value
    meeting.attendance = results.attendance
    meeting.minutes = notes
    meeting.held_recorded_at = now
    building_id = meeting.buildings[0].id if len(meeting.buildings) == 1 else None
    rows = [
        Proposal(
            building_id=building_id,
            meeting_id=meeting.id,
            resident_id=None,
            source=SOURCE_MEETING,
            text=item,
            status=ProposalStatus.RECORDED.value,
            created_at=now,
            updated_at=now,
        )
        for item in texts
    ]
    session.add_all(rows)
    await session.flush()
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="meeting_recorded",
        object_type="meeting",
        object_id=meeting.id,
        details={"attendance": results.attendance, "proposals": len(rows)},
    )
    return Recorded(meeting, rows)


async def meeting_proposals(session: AsyncSession, meeting_id: int) -> list[Proposal]:
    return list(await session.scalars(select(Proposal).where(Proposal.meeting_id == meeting_id).order_by(Proposal.id)))


def attendance(raw: str) -> int:
    """A whole number of people, 0 or more."""
    value = raw.strip()
    if not value.isdigit() or int(value) > ATTENDANCE_LIMIT:
        raise InvalidValue("attendance", raw)
    return int(value)


def minutes(raw: str) -> str:
    value = raw.strip()
    if not value or len(value) > MINUTES_LIMIT:
        raise InvalidValue("minutes", raw)
    return value


async def _meeting(session: AsyncSession, meeting_id: int, *, lock: bool = False) -> Meeting | None:
    lock_of = {"of": Meeting} if lock else None
    options = [selectinload(Meeting.buildings)]
    return await session.get(Meeting, meeting_id, options=options, populate_existing=True, with_for_update=lock_of)


def _check(meeting: Meeting | None, clock: Clock, actor: Actor) -> Meeting:
    if meeting is None:
        raise MeetingGone()
    if not can_record(actor, meeting):
        raise NotAllowed()
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingCancelled()
    if meeting.status == MeetingStatus.HELD:
        raise AlreadyRecorded(meeting)
    if meeting.starts_at > clock.now():
        raise NotStartedYet()
    return meeting
