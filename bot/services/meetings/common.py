"""What the meeting modules share: limits and batch kinds, what the handlers render, the errors and the queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import reading_locale
from bot.services import outbox, parts
from bot.services.errors import DomainError, MeetingGone
from bot.services.render import Reader, Render
from models import (
    Broadcast,
    Building,
    BuildingChat,
    Delivery,
    DeliveryStatus,
    Meeting,
    Rsvp,
    RsvpAnswer,
)

DURATION = timedelta(hours=2)  # how long a meeting is taken to last: the calendar's end, the unpin
HORIZON = timedelta(days=365)  # the furthest ahead a meeting may be set
# A date typed without a year that fell this long ago this year means next year ("05.01" typed in December).
LONG_PAST = timedelta(days=183)
PLACE_LIMIT = 256
# Keeps the whole announcement (with up to five addresses) inside one Telegram message of 4096 characters.
AGENDA_LIMIT = 1500
LISTED = 20

KIND_ANNOUNCEMENT = "meeting"
KIND_CHANGED = "meeting_changed"
KIND_CANCELLED = "meeting_cancelled"
KIND_UNPIN = "meeting_unpin"  # the scheduled unpins: a batch nobody is told about (author None)


@dataclass(frozen=True)
class Counts:
    yes: int = 0
    no: int = 0


@dataclass(frozen=True)
class Announcement:
    """The meeting's announcement, with the answers its chat gave so far (its buttons show them)."""

    meeting: Meeting
    counts: Counts


@dataclass(frozen=True)
class Withdrawn:
    """The announcement as it reads once the meeting is cancelled."""

    meeting: Meeting


@dataclass(frozen=True)
class Changed:
    """The message telling a chat what changed (time, place, agenda)."""

    meeting: Meeting
    fields: frozenset[str]


@dataclass(frozen=True)
class Cancelled:
    """The message telling a chat the meeting is cancelled."""

    meeting: Meeting


MeetingText = Announcement | Withdrawn | Changed | Cancelled


class MeetingRender(Render[MeetingText], Protocol):
    """The meeting's texts as each chat reads them (those sent carry the calendar file), passed in by the handler;
    and the batch's title."""

    def title(self, meeting: Meeting, kind: str) -> str:
        """A line naming the batch, in the author's language (their delivery report quotes it)."""
        ...


class MeetingClosed(DomainError):
    """The meeting is cancelled or held: it cannot be changed or answered any more."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class MeetingOver(DomainError):
    """Its time has come: answers are closed."""


class StaleMeeting(DomainError):
    """The meeting changed since the dialog began (another edit, or a second press)."""


def _options() -> list[Any]:
    return [
        selectinload(Meeting.buildings).selectinload(Building.chats),
        selectinload(Meeting.inspector),
    ]


async def _find(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(*_options()).execution_options(populate_existing=True)
    )


async def _load(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await _find(session, meeting_id)
    if meeting is None:
        raise MeetingGone()
    return meeting


async def _by_key(session: AsyncSession, key: str) -> Meeting | None:
    return await session.scalar(select(Meeting).where(Meeting.draft_key == key).options(*_options()))


def _active_chats(meeting: Meeting) -> list[tuple[BuildingChat, Building]]:
    """The chats to publish to, each with its building (for the zone), in a stable order."""
    return [
        (chat, building)
        for building in meeting.buildings
        for chat in sorted(building.chats, key=lambda c: c.id)
        if chat.active
    ]


async def _readers(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, Reader]:
    """Bound, active chats among these, with their language and their building's zone."""
    if not chat_ids:
        return {}
    rows = await session.execute(
        select(BuildingChat.chat_id, BuildingChat.language, Building.country, Building.timezone)
        .join(Building, Building.id == BuildingChat.building_id)
        .where(BuildingChat.chat_id.in_(set(chat_ids)), BuildingChat.active)
    )
    return {
        chat_id: Reader(chat_id, reading_locale(language, country), zone)
        for chat_id, language, country, zone in rows.all()
    }


async def _batches(session: AsyncSession, meeting_id: int, kind: str) -> list[int]:
    return list(
        await session.scalars(
            select(Broadcast.id)
            .where(Broadcast.kind == kind, Broadcast.subject_id == meeting_id)
            .order_by(Broadcast.id)
        )
    )


async def _announcements(session: AsyncSession, meeting_id: int) -> list[Delivery]:
    """The meeting's announcement deliveries, one per chat it was published to."""
    return list(
        await session.scalars(
            select(Delivery)
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(Broadcast.kind == KIND_ANNOUNCEMENT, Broadcast.subject_id == meeting_id)
            .order_by(Delivery.id)
            .execution_options(populate_existing=True)
        )
    )


def _reached(announcement: Delivery) -> bool:
    """The chat saw the announcement, or will: worth telling it of a change."""
    return bool(announcement.message_ids) or announcement.status in (DeliveryStatus.SENT, DeliveryStatus.PENDING)


async def _schedule_unpins(
    session: AsyncSession, clock: Clock, meeting: Meeting, announcements: Sequence[Delivery]
) -> None:
    """An unpin of each announcement at the meeting's end (a batch of its own: nobody waits for its report)."""
    live = [d for d in announcements if d.status != DeliveryStatus.CANCELLED or d.message_ids]
    if not live:
        return
    batch = await outbox.start_broadcast(
        session, clock, author_id=None, kind=KIND_UNPIN, subject_id=meeting.id, title=f"meeting {meeting.id} unpin"
    )
    for announcement in live:
        await outbox.enqueue(
            session,
            clock,
            chat_id=announcement.chat_id,
            parts=[parts.unpin(announcement.id)],
            broadcast=batch,
            not_before=max(meeting.starts_at + DURATION, clock.now()),
        )


async def _cancel_unpins(session: AsyncSession, meeting_id: int) -> None:
    for batch_id in await _batches(session, meeting_id, KIND_UNPIN):
        await outbox.cancel_pending(session, batch_id)


async def _chat_counts(session: AsyncSession, meeting_id: int, chat_id: int | None = None) -> dict[int, Counts]:
    query = (
        select(Rsvp.chat_id, Rsvp.answer, func.count(Rsvp.id))
        .where(Rsvp.meeting_id == meeting_id)
        .group_by(Rsvp.chat_id, Rsvp.answer)
    )
    if chat_id is not None:
        query = query.where(Rsvp.chat_id == chat_id)
    return _fold((await session.execute(query)).all())


async def _totals(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, Counts]:
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer, func.count(Rsvp.id))
        .where(Rsvp.meeting_id.in_(list(meeting_ids)))
        .group_by(Rsvp.meeting_id, Rsvp.answer)
    )
    return _fold(rows.all())


def _fold(rows: Iterable[Any]) -> dict[int, Counts]:
    found: dict[int, dict[str, int]] = {}
    for key, choice, count in rows:
        found.setdefault(key, {})[choice] = count
    return {
        key: Counts(yes=by.get(RsvpAnswer.YES.value, 0), no=by.get(RsvpAnswer.NO.value, 0)) for key, by in found.items()
    }
