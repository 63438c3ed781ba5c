"""Residents' proposals: raised at a meeting (recorded with its results) or sent any time with /propose.

They feed the work plan and the quarterly report. A meeting is recorded as held once, by its inspector or an
administrator, after its start; a proposal sent through the bot keeps its author until /forget_me.

The register (/proposals): the staff list them by building and status and move each one
recorded → in_plan → done, or to declined (with a comment); every move is in the audit trail, which is also the
proposal's history, and the resident who sent it is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit, outbox, parts, people
from bot.services.errors import DomainError, InvalidValue, NotAllowed, ProposalGone, RateLimited
from bot.services.paging import Page, clamp
from bot.services.people import PROPOSAL_NOTICE_KIND, Actor
from bot.services.render import Reader, Render
from models import (
    AuditEvent,
    Building,
    Meeting,
    Priority,
    Proposal,
    ProposalStatus,
    meeting_buildings,
)

TEXT_LIMIT = 1000
DAILY_LIMIT = 5  # proposals one resident may send with /propose in 24 hours
SOURCE_MEETING = "meeting"
SOURCE_BOT = "bot"
COMMENT_LIMIT = 500  # characters of the comment on a move (the reason of a decline)
MOVED = "proposal_moved"  # the audit action of a move: the trail is the proposal's history
# The moves the register allows; done and declined are final.
MOVES: dict[str, tuple[str, ...]] = {
    ProposalStatus.RECORDED: (ProposalStatus.IN_PLAN, ProposalStatus.DECLINED),
    ProposalStatus.IN_PLAN: (ProposalStatus.DONE, ProposalStatus.DECLINED),
}


def text(raw: str) -> str:
    """A proposal's text: not empty, at most TEXT_LIMIT characters (longer is refused, never cut)."""
    value = raw.strip()
    if not value or len(value) > TEXT_LIMIT:
        raise InvalidValue("text", raw)
    return value


async def check_rate(session: AsyncSession, clock: Clock, actor: Actor, limit: int = DAILY_LIMIT) -> None:
    """RateLimited when the resident sent the most proposals a day allows."""
    sent = await session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.resident_id == actor.telegram_id,
            Proposal.source == SOURCE_BOT,
            Proposal.created_at > clock.now() - timedelta(days=1),
        )
    )
    if (sent or 0) >= limit:
        raise RateLimited()


async def propose(session: AsyncSession, clock: Clock, actor: Actor, raw: str) -> Proposal:
    """A registered resident's proposal for their building, recorded."""
    residency = actor.residency
    if residency is None:
        raise NotAllowed()
    value = text(raw)
    await check_rate(session, clock, actor)
    now = clock.now()
    proposal = Proposal(
        building_id=residency.building_id,
        meeting_id=None,
        resident_id=actor.telegram_id,
        source=SOURCE_BOT,
        text=value,
        status=ProposalStatus.RECORDED.value,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    await session.flush()
    return proposal


def readers(building: Building, admin_ids: Sequence[int]) -> list[int]:
    """Who is told of a proposal: the building's inspector, or the administrators when it has none."""
    inspector = building.inspector
    if inspector is not None and inspector.active:
        return [inspector.user_id]
    return list(admin_ids)


async def tell(
    session: AsyncSession, clock: Clock, chat_id: int, message: str, *, about: Proposal | None = None
) -> None:
    """A personal message; one that tells staff of a new proposal is a batch of its own, so /forget_me finds it."""
    batch = None
    if about is not None:
        batch = await outbox.start_broadcast(
            session, clock, author_id=None, kind=PROPOSAL_NOTICE_KIND, title="", subject_id=about.id
        )
    await outbox.enqueue(
        session, clock, chat_id=chat_id, parts=parts.message(message), broadcast=batch, priority=Priority.PERSONAL
    )


# --- the register (/proposals) -------------------------------------------------------------------


class InvalidMove(DomainError):
    """The move is not one the proposal's status allows (done and declined are final)."""

    def __init__(self, proposal: Proposal, wanted: str) -> None:
        super().__init__(f"proposal {proposal.id}: {proposal.status} → {wanted} is not allowed")
        self.proposal = proposal
        self.wanted = wanted


class CommentRequired(DomainError):
    """A proposal is declined with a comment: the resident reads why."""


@dataclass(frozen=True)
class Entry:
    """A proposal as the register shows it, with where it comes from."""

    proposal: Proposal
    # Its building, or the buildings of the meeting it was raised at (a meeting of several buildings).
    building_codes: list[str]
    meeting: Meeting | None
    timezone: str  # of its building or meeting: its dates are shown there


@dataclass(frozen=True)
class Step:
    """One line of a proposal's history: recorded, then each move."""

    at: datetime
    status: str
    comment: str | None


@dataclass(frozen=True)
class Moved:
    entry: Entry  # the proposal as it is now
    previous: str
    told: int | None  # the resident told of the move (None: nobody, e.g. a meeting's proposal or after /forget_me)


def moves(proposal: Proposal) -> tuple[str, ...]:
    """The statuses the proposal may move to now."""
    return MOVES.get(proposal.status, ())


def comment(raw: str | None, *, required: bool = False) -> str | None:
    """A move's comment: at most COMMENT_LIMIT characters (longer is refused, never cut); None when empty."""
    value = (raw or "").strip()
    if len(value) > COMMENT_LIMIT:
        raise InvalidValue("comment", value)
    if not value and required:
        raise CommentRequired()
    return value or None


Columns = TypeVarTuple("Columns")


def _of_buildings(building_ids: Any) -> ColumnElement[bool]:
    """Proposals of these buildings, and those of a meeting held for any of them (which have no single building)."""
    via_meeting = select(meeting_buildings.c.meeting_id).where(meeting_buildings.c.building_id.in_(building_ids))
    return or_(
        Proposal.building_id.in_(building_ids),
        and_(Proposal.building_id.is_(None), Proposal.meeting_id.in_(via_meeting)),
    )


def _own_buildings(actor: Actor) -> Select[int]:
    assert actor.inspector is not None
    return select(Building.id).where(Building.inspector_id == actor.inspector.id)


def _scope(query: Select[*Columns], actor: Actor) -> Select[*Columns]:
    """Administrators see every proposal; an inspector those of their buildings, whatever filter the client sent."""
    if actor.is_admin:
        return query
    if actor.inspector is None:
        raise NotAllowed()
    return query.where(_of_buildings(_own_buildings(actor)))


async def register(
    session: AsyncSession, actor: Actor, *, building_id: int | None, status: str | None, page: int, size: int
) -> Page[Entry]:
    """The actor's proposals, newest first, filtered by building and status (None: all)."""
    query = _scope(select(Proposal), actor)
    if building_id:
        query = query.where(_of_buildings([building_id]))
    if status:
        query = query.where(Proposal.status == ProposalStatus(status).value)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page, pages = clamp(page, total, size)
    rows = list(
        await session.scalars(
            query.options(selectinload(Proposal.building))
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .offset(page * size)
            .limit(size)
        )
    )
    return Page(await _entries(session, rows), total, page, pages)


async def register_buildings(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The buildings the actor's proposals belong to (directly or through a meeting), for the filter buttons."""
    direct = _scope(select(Building.id, Building.code), actor).join(Proposal, Proposal.building_id == Building.id)
    via_meeting = (
        _scope(select(Building.id, Building.code), actor)
        .select_from(Proposal)
        .join(meeting_buildings, meeting_buildings.c.meeting_id == Proposal.meeting_id)
        .join(Building, Building.id == meeting_buildings.c.building_id)
        .where(Proposal.building_id.is_(None))
    )
    if not actor.is_admin:
        # A meeting of several buildings may include another inspector's: that one is not the actor's filter.
        via_meeting = via_meeting.where(Building.id.in_(_own_buildings(actor)))
    both = union(direct, via_meeting).subquery()
    rows = await session.execute(select(both.c.id, both.c.code).order_by(both.c.code))
    return [(identifier, code) for identifier, code in rows]


async def for_staff(session: AsyncSession, actor: Actor, proposal_id: int, *, lock: bool = False) -> Entry:
    """The proposal, if the actor may see and move it; ProposalGone or NotAllowed otherwise."""
    lock_of = {"of": Proposal} if lock else None
    options = [selectinload(Proposal.building)]
    proposal = await session.get(
        Proposal, proposal_id, options=options, populate_existing=True, with_for_update=lock_of
    )
    if proposal is None:
        raise ProposalGone()
    if not actor.is_admin:
        allowed = await session.scalar(_scope(select(Proposal.id), actor).where(Proposal.id == proposal_id))
        if allowed is None:
            raise NotAllowed()
    [entry] = await _entries(session, [proposal])
    return entry


async def history(session: AsyncSession, proposal: Proposal) -> list[Step]:
    """Recorded, then every move, from the audit trail, oldest first."""
    events = await session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "proposal",
            AuditEvent.object_id == str(proposal.id),
            AuditEvent.action == MOVED,
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    steps = [Step(proposal.created_at, ProposalStatus.RECORDED.value, None)]
    for event in events:
        details = event.details or {}
        steps.append(Step(event.at, str(details.get("to", "")), details.get("comment")))
    return steps


async def move(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    proposal_id: int,
    status: str,
    comment_text: str | None = None,
    *,
    notice: Render[Proposal] | None = None,
) -> Moved:
    """Move a proposal on (recorded → in_plan | declined, in_plan → done | declined), audited, its resident told.

    `notice` renders what the resident who sent it reads, in their language; it goes through the outbox in this
    transaction. A declined proposal needs a comment. A second press finds the proposal moved and is refused.
    """
    # Locked: two staff moving the same proposal at once queue here, and the second sees the first one's move.
    entry = await for_staff(session, actor, proposal_id, lock=True)
    proposal = entry.proposal
    if status not in moves(proposal):
        raise InvalidMove(proposal, status)
    note = comment(comment_text, required=status == ProposalStatus.DECLINED)
    previous = proposal.status
    proposal.status = ProposalStatus(status).value
    proposal.comment = note
    proposal.updated_at = clock.now()
    await session.flush()
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action=MOVED,
        object_type="proposal",
        object_id=proposal.id,
        details={"from": previous, "to": proposal.status, "comment": note},
    )
    told = None
    if proposal.resident_id is not None and notice is not None:
        language = (await people.reading_locales(session, [proposal.resident_id], default_country=actor.country)).get(
            proposal.resident_id
        )
        if language is not None:
            message = notice(proposal, Reader(proposal.resident_id, language, entry.timezone))
            await outbox.enqueue(
                session, clock, chat_id=proposal.resident_id, parts=message, priority=Priority.PERSONAL
            )
            told = proposal.resident_id
    return Moved(entry, previous, told)


async def _entries(session: AsyncSession, rows: list[Proposal]) -> list[Entry]:
    """The proposals with their meetings and the meetings' buildings, loaded in one query."""
    meeting_ids = {row.meeting_id for row in rows if row.meeting_id is not None}
    meetings: dict[int, Meeting] = {}
    if meeting_ids:
        found = await session.scalars(
            select(Meeting).where(Meeting.id.in_(meeting_ids)).options(selectinload(Meeting.buildings))
        )
        meetings = {meeting.id: meeting for meeting in found}
    entries = []
    for row in rows:
        meeting = meetings.get(row.meeting_id) if row.meeting_id is not None else None
        if row.building is not None:
            codes, zone = [row.building.code], row.building.timezone
        elif meeting is not None:
            codes, zone = [building.code for building in meeting.buildings], meeting.timezone
        else:
            codes, zone = [], "UTC"
        entries.append(Entry(row, codes, meeting, zone))
    return entries


async def waiting_per_inspector(session: AsyncSession, inspector_ids: Sequence[int]) -> dict[int, int]:
    """Proposals still only recorded, per inspector: of their buildings, or of a meeting held for several of them."""
    recorded = Proposal.status == ProposalStatus.RECORDED
    of_building = (
        select(Building.inspector_id.label("inspector_id"), Proposal.id.label("proposal_id"))
        .join(Building, Building.id == Proposal.building_id)
        .where(recorded, Building.inspector_id.in_(inspector_ids))
    )
    of_meeting = (
        select(Building.inspector_id.label("inspector_id"), Proposal.id.label("proposal_id"))
        .join(meeting_buildings, meeting_buildings.c.meeting_id == Proposal.meeting_id)
        .join(Building, Building.id == meeting_buildings.c.building_id)
        .where(recorded, Proposal.building_id.is_(None), Building.inspector_id.in_(inspector_ids))
    )
    both = union(of_building, of_meeting).subquery()
    rows = await session.execute(
        select(both.c.inspector_id, func.count(func.distinct(both.c.proposal_id))).group_by(both.c.inspector_id)
    )
    return {inspector_id: count for inspector_id, count in rows}
