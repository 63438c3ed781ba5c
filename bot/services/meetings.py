"""Meetings of an inspector with the residents of their buildings: the date people type, publishing, changes, RSVPs.

Everything sent to building chats goes through the outbox. Per chat a meeting has one announcement (a delivery
in the meeting's batch, kind "meeting"), later edited in place; a change or a cancellation is a short message of
its own, in a batch of its own, so the author gets a delivery report for each. The announcement is pinned where
the bot may and unpinned by a delivery scheduled for the meeting's end.

No aiogram here: texts are rendered by the `Cards` the handler passes in, in each chat's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import reading_locale
from bot.services import audit, buildings, outbox, parts
from bot.services.errors import DomainError, InvalidValue, MeetingGone, NotAllowed
from bot.services.parts import Buttons, Part
from bot.services.people import Actor
from models import (
    Broadcast,
    Building,
    BuildingChat,
    Delivery,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Rsvp,
    RsvpAnswer,
    meeting_buildings,
)
from models.queries import add_once, changed_rows, upsert_insert

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


# --- the date and time people type -------------------------------------------------------------


class WhenProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_DATE = "no_date"
    NO_TIME = "no_time"
    NO_SUCH_DATE = "no_such_date"
    NO_SUCH_TIME = "no_such_time"
    PAST = "past"
    TOO_FAR = "too_far"


class BadWhen(DomainError):
    def __init__(self, problem: WhenProblem, fragment: str = "") -> None:
        super().__init__(f"{problem.value}: {fragment!r}")
        self.problem = problem
        self.fragment = fragment


# Words people put between the date and the time ("25.11 в 19:00", "on 25.11 at 19:00", "25.11.2026 г.").
_FILLERS = frozenset({"в", "во", "at", "on", "г", "г.", "года", "год", "soat", "da", "сағат", "сағ", "сағ."})
_SEPARATORS = re.compile(r"[\s,;]+")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_HOUR = re.compile(r"\d{1,2}")
_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\.?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class _Date:
    day: int
    month: int
    year: int | None


def _as_date(token: str) -> _Date | None:
    if match := _ISO_DATE.fullmatch(token):
        return _Date(int(match[3]), int(match[2]), int(match[1]))
    if match := _DATE.fullmatch(token):
        year = match[4]
        if year is not None and len(year) == 2:
            year = "20" + year
        return _Date(int(match[1]), int(match[3]), int(year) if year else None)
    return None


def _as_time(token: str) -> tuple[int, int] | None:
    if match := _TIME.fullmatch(token):
        return int(match[1]), int(match[2])
    if _HOUR.fullmatch(token):
        return int(token), 0
    return None


def _valid_time(hour_minute: tuple[int, int]) -> bool:
    hour, minute = hour_minute
    return 0 <= hour <= 23 and 0 <= minute <= 59


def _valid_date(when: _Date) -> bool:
    try:
        date(when.year or 2024, when.month, when.day)  # 2024: a leap year, so 29.02 passes until the year is known
    except ValueError:
        return False
    return True


def parse_when(text: str, *, now: datetime, zone: str) -> datetime:
    """The moment (aware, UTC) meant by a date and time typed in the building's zone; BadWhen otherwise.

    Takes "25.11 19:00", "25.11.2026 19:00", "25.11.26 19:00", "25/11 19:00", "25-11-2026 19:00",
    "2026-11-25 19:00", "25.11 19.00", "19:00 25.11", "25.11 в 19:00", "25.11 19". Without a year it is this
    year, or the next one when the date is long past this year. A past moment, or one more than a year ahead,
    is refused too.
    """
    tokens = [token for token in _SEPARATORS.split(text.strip().lower()) if token and token not in _FILLERS]
    if len(tokens) == 1:
        only = tokens[0]
        found_date = _as_date(only)
        if found_date is not None and _valid_date(found_date):
            raise BadWhen(WhenProblem.NO_TIME, only)
        if _as_time(only) is not None:
            raise BadWhen(WhenProblem.NO_DATE, only)
    if len(tokens) != 2:
        raise BadWhen(WhenProblem.UNREADABLE, text.strip())
    readings = []
    for date_token, time_token in (tokens, tokens[::-1]):
        found_date, found_time = _as_date(date_token), _as_time(time_token)
        if found_date is not None and found_time is not None:
            readings.append((found_date, found_time, date_token, time_token))
    if not readings:
        raise BadWhen(WhenProblem.UNREADABLE, text.strip())
    # "12.11 10.30" reads both ways only in theory; a reading whose values exist wins, the date first.
    readings.sort(key=lambda r: not (_valid_date(r[0]) and _valid_time(r[1])))
    found_date, found_time, date_token, time_token = readings[0]
    if not _valid_date(found_date):
        raise BadWhen(WhenProblem.NO_SUCH_DATE, date_token)
    if not _valid_time(found_time):
        raise BadWhen(WhenProblem.NO_SUCH_TIME, time_token)
    tz = ZoneInfo(zone)
    day = _with_year(found_date, now.astimezone(tz).date(), date_token)
    local = datetime.combine(day, time(*found_time), tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadWhen(WhenProblem.NO_SUCH_TIME, time_token)  # skipped by a clock change in that zone
    check_when(moment, now)
    return moment


def _with_year(found: _Date, today: date, token: str) -> date:
    if found.year is not None:
        try:
            return date(found.year, found.month, found.day)
        except ValueError:
            raise BadWhen(WhenProblem.NO_SUCH_DATE, token) from None
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, found.month, found.day)
        except ValueError:
            continue  # 29.02 in a year that has none
        if candidate >= today - LONG_PAST:
            return candidate
    raise BadWhen(WhenProblem.NO_SUCH_DATE, token)


def check_when(moment: datetime, now: datetime) -> None:
    if moment <= now:
        raise BadWhen(WhenProblem.PAST)
    if moment > now + HORIZON:
        raise BadWhen(WhenProblem.TOO_FAR)


def clean_place(raw: str) -> str:
    value = " ".join(raw.split())
    if not value or len(value) > PLACE_LIMIT:
        raise InvalidValue("place", raw)
    return value


def clean_agenda(raw: str) -> str:
    """Lines kept (an agenda is often a list), blank runs squeezed, trimmed, within the limit."""
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not value or len(value) > AGENDA_LIMIT:
        raise InvalidValue("agenda", raw)
    return value


# --- what the handlers render --------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    yes: int = 0
    no: int = 0


@dataclass(frozen=True)
class Reader:
    """Who reads a text: a chat's language and its building's time zone."""

    language: str  # the gettext locale: the language with the building's country's wording (ru, ru@UZ)
    timezone: str


Card = tuple[str, Buttons | None]


class Cards(Protocol):
    """The renderers of meeting texts, passed in by the handler (the service knows no Telegram or gettext)."""

    def title(self, meeting: Meeting, kind: str) -> str:
        """A line naming the batch, in the author's language (their delivery report quotes it)."""
        ...

    def announcement(self, meeting: Meeting, reader: Reader, counts: Counts) -> Card: ...

    def withdrawn(self, meeting: Meeting, reader: Reader) -> str:
        """The announcement as it reads once the meeting is cancelled."""
        ...

    def changed(self, meeting: Meeting, reader: Reader, fields: frozenset[str]) -> str: ...

    def cancelled(self, meeting: Meeting, reader: Reader) -> str: ...

    def calendar(self, meeting: Meeting, reader: Reader) -> bytes: ...


# --- errors -------------------------------------------------------------------------------------


class MeetingClosed(DomainError):
    """The meeting is cancelled or held: it cannot be changed or answered any more."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class MeetingOver(DomainError):
    """Its time has come: answers are closed."""


class StaleMeeting(DomainError):
    """The meeting changed since the dialog began (another edit, or a second press)."""


# --- choosing buildings, publishing ---------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    buildings: list[Building]
    timezone: str  # the first building's: the time is typed and stored in it
    mixed: bool  # the buildings are not all in that zone
    chats: int  # active building chats among them


async def targets(session: AsyncSession, actor: Actor, building_ids: Sequence[int]) -> Targets:
    """The chosen buildings, each checked (ids come from buttons); NotAllowed otherwise."""
    if not actor.is_staff:
        raise NotAllowed()
    chosen = await buildings.managed(session, actor, list(building_ids))
    if not chosen:
        raise NotAllowed()
    zone = chosen[0].timezone
    return Targets(
        buildings=chosen,
        timezone=zone,
        mixed=any(b.timezone != zone for b in chosen),
        chats=sum(1 for b in chosen for chat in b.chats if chat.active),
    )


@dataclass(frozen=True)
class Draft:
    key: str  # the dialog's id: a second press on Publish finds the meeting the first one made
    building_ids: list[int]
    starts_at: datetime
    place: str
    agenda: str


@dataclass(frozen=True)
class Published:
    meeting: Meeting
    created: bool  # False: this draft was published before
    chats: int


def draft_meeting(actor: Actor, chosen: Targets, draft: Draft, now: datetime) -> Meeting:
    """The meeting a draft makes, not yet saved (the preview renders it)."""
    own = actor.inspector
    inspector = own if own is not None and all(b.inspector_id == own.id for b in chosen.buildings) else None
    inspector = inspector or chosen.buildings[0].inspector
    return Meeting(
        draft_key=draft.key,
        inspector_id=inspector.id if inspector is not None else None,
        inspector=inspector,
        author_id=actor.telegram_id,
        starts_at=draft.starts_at,
        timezone=chosen.timezone,
        place=clean_place(draft.place),
        agenda=clean_agenda(draft.agenda),
        status=MeetingStatus.PLANNED.value,
        sequence=0,
        created_at=now,
        buildings=list(chosen.buildings),
    )


async def publish(session: AsyncSession, clock: Clock, actor: Actor, draft: Draft, cards: Cards) -> Published:
    """Save the meeting and put its announcement (with the calendar file) in the outbox for every active chat."""
    existing = await _by_key(session, draft.key)
    if existing is not None:
        return Published(existing, created=False, chats=0)
    chosen = await targets(session, actor, draft.building_ids)
    now = clock.now()
    check_when(draft.starts_at, now)
    meeting = draft_meeting(actor, chosen, draft, now)
    meeting, created = await add_once(session, meeting, lambda: _by_key(session, draft.key))
    if not created:
        return Published(meeting, created=False, chats=0)
    meeting = await _load(session, meeting.id)
    chats = _active_chats(meeting)
    batch = await outbox.start_broadcast(
        session,
        clock,
        author_id=actor.telegram_id,
        kind=KIND_ANNOUNCEMENT,
        subject_id=meeting.id,
        title=cards.title(meeting, KIND_ANNOUNCEMENT),
    )
    announcements = []
    for chat, building in chats:
        reader = Reader(language=reading_locale(chat.language, building.country), timezone=building.timezone)
        text, buttons = cards.announcement(meeting, reader, Counts())
        message = parts.message(text, buttons=buttons, pin=True, link=True)
        announcements.append(
            await outbox.enqueue(
                session,
                clock,
                chat_id=chat.chat_id,
                parts=[*message, _calendar_part(cards, meeting, reader)],
                broadcast=batch,
            )
        )
    await _schedule_unpins(session, clock, meeting, announcements)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="meeting_published",
        object_type="meeting",
        object_id=meeting.id,
    )
    return Published(meeting, created=True, chats=len(chats))


# --- the staff's side: one meeting, changes, cancelling ----------------------------------------


def can_handle(actor: Actor, meeting: Meeting) -> bool:
    """Administrators handle every meeting; an inspector their own, in buildings they still manage."""
    if actor.is_admin:
        return True
    own = actor.inspector
    return own is not None and meeting.inspector_id == own.id and all(actor.can_manage(b) for b in meeting.buildings)


async def for_staff(session: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting = await _find(session, meeting_id)
    if meeting is None:
        raise MeetingGone()
    if not can_handle(actor, meeting):
        raise NotAllowed()
    return meeting


@dataclass(frozen=True)
class Changes:
    starts_at: datetime | None = None
    place: str | None = None
    agenda: str | None = None


def changed_copy(meeting: Meeting, changes: Changes) -> Meeting:
    """The meeting as it would read with the changes, not saved (the change's preview renders it)."""
    return Meeting(
        id=meeting.id,
        inspector_id=meeting.inspector_id,
        inspector=meeting.inspector,
        author_id=meeting.author_id,
        starts_at=changes.starts_at or meeting.starts_at,
        timezone=meeting.timezone,
        place=clean_place(changes.place) if changes.place is not None else meeting.place,
        agenda=clean_agenda(changes.agenda) if changes.agenda is not None else meeting.agenda,
        status=meeting.status,
        sequence=meeting.sequence,
        created_at=meeting.created_at,
        buildings=list(meeting.buildings),
    )


@dataclass(frozen=True)
class Edited:
    meeting: Meeting
    fields: frozenset[str]  # what actually changed: time, place, agenda (empty: nothing did)


async def edit(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    meeting_id: int,
    changes: Changes,
    *,
    sequence: int,
    cards: Cards,
) -> Edited:
    """Change time, place or agenda; the announcements are edited and each chat told (with a new calendar file).

    `sequence` is the meeting's version the change was made against: a meeting changed meanwhile (or the same
    change saved twice) raises StaleMeeting instead of undoing the other change.
    """
    meeting = await for_staff(session, actor, meeting_id)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingClosed(meeting.status)
    if meeting.sequence != sequence:
        raise StaleMeeting()
    now = clock.now()
    values: dict[str, Any] = {}
    if changes.starts_at is not None and changes.starts_at != meeting.starts_at:
        check_when(changes.starts_at, now)
        values["starts_at"] = changes.starts_at
    if changes.place is not None and (place := clean_place(changes.place)) != meeting.place:
        values["place"] = place
    if changes.agenda is not None and (agenda := clean_agenda(changes.agenda)) != meeting.agenda:
        values["agenda"] = agenda
    fields = frozenset({"time" if name == "starts_at" else name for name in values})
    if not values:
        return Edited(meeting, fields)
    claimed = await changed_rows(
        session,
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.sequence == sequence, Meeting.status == MeetingStatus.PLANNED)
        .values(sequence=sequence + 1, **values),
    )
    if not claimed:
        raise StaleMeeting()  # another change won the race
    meeting = await _load(session, meeting.id)
    announcements = await _announcements(session, meeting.id)
    readers = await _readers(session, [d.chat_id for d in announcements])
    counts = await _chat_counts(session, meeting.id)
    told = {d.chat_id: d for d in announcements if _reached(d)}
    batch = await outbox.start_broadcast(
        session,
        clock,
        author_id=actor.telegram_id,
        kind=KIND_CHANGED,
        subject_id=meeting.id,
        title=cards.title(meeting, KIND_CHANGED),
    )
    for announcement in announcements:
        reader = readers.get(announcement.chat_id)
        if reader is None:
            continue  # the chat was unbound since
        text, buttons = cards.announcement(meeting, reader, counts.get(announcement.chat_id, Counts()))
        # Edits ride on no batch: they fix an old message; the author's report counts the messages telling it.
        await outbox.enqueue(
            session, clock, chat_id=announcement.chat_id, parts=[parts.edit(announcement.id, text, buttons=buttons)]
        )
        if told.get(announcement.chat_id) is announcement:
            notice = parts.message(cards.changed(meeting, reader, fields))
            await outbox.enqueue(
                session,
                clock,
                chat_id=announcement.chat_id,
                parts=[*notice, _calendar_part(cards, meeting, reader)],
                broadcast=batch,
            )
    if "time" in fields:
        await _cancel_unpins(session, meeting.id)
        await _schedule_unpins(session, clock, meeting, announcements)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="meeting_changed",
        object_type="meeting",
        object_id=meeting.id,
        details={"fields": sorted(fields)},
    )
    return Edited(meeting, fields)


async def cancel(session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int, cards: Cards) -> Meeting:
    """Cancel a planned meeting: unsent announcements withdrawn, sent ones edited and unpinned, each chat told."""
    meeting = await for_staff(session, actor, meeting_id)
    claimed = await changed_rows(
        session,
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.status == MeetingStatus.PLANNED)
        .values(status=MeetingStatus.CANCELLED.value, sequence=Meeting.sequence + 1),
    )
    if not claimed:
        raise MeetingClosed(meeting.status)  # cancelled or held already (a second press lands here)
    meeting = await _load(session, meeting.id)
    for batch_id in await _batches(session, meeting.id, KIND_ANNOUNCEMENT):
        await outbox.cancel_pending(session, batch_id)
    await _cancel_unpins(session, meeting.id)
    announcements = await _announcements(session, meeting.id)
    readers = await _readers(session, [d.chat_id for d in announcements])
    batch = await outbox.start_broadcast(
        session,
        clock,
        author_id=actor.telegram_id,
        kind=KIND_CANCELLED,
        subject_id=meeting.id,
        title=cards.title(meeting, KIND_CANCELLED),
    )
    for announcement in announcements:
        reader = readers.get(announcement.chat_id)
        if reader is None:
            continue
        # Also for an announcement withdrawn just now: one the sender had in flight still goes out, and is
        # then edited; for one never sent the sender drops the edit and the unpin without a request.
        await outbox.enqueue(
            session,
            clock,
            chat_id=announcement.chat_id,
            parts=[parts.edit(announcement.id, cards.withdrawn(meeting, reader))],
        )
        await outbox.enqueue(session, clock, chat_id=announcement.chat_id, parts=[parts.unpin(announcement.id)])
        if _reached(announcement):
            notice = parts.message(cards.cancelled(meeting, reader))
            await outbox.enqueue(
                session,
                clock,
                chat_id=announcement.chat_id,
                parts=[*notice, _calendar_part(cards, meeting, reader)],
                broadcast=batch,
            )
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="meeting_cancelled",
        object_type="meeting",
        object_id=meeting.id,
    )
    return meeting


# --- lists --------------------------------------------------------------------------------------


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


# --- RSVP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    meeting: Meeting
    changed: bool  # False: the person had given this answer already
    counts: Counts  # in the chat pressed in


async def answer(
    session: AsyncSession,
    clock: Clock,
    *,
    meeting_id: int,
    chat_id: int,
    message_id: int,
    user_id: int,
    choice: RsvpAnswer,
) -> Answered:
    """Will come / cannot, pressed on the meeting's own announcement in a building chat. One answer a person,
    changeable. A press on any other message (forged callback data) is MeetingGone: nothing else gets repainted.

    Only the Telegram id is kept (anyone in the chat may answer, registered or not).
    """
    meeting = await _find(session, meeting_id)
    chat = await session.scalar(select(BuildingChat).where(BuildingChat.chat_id == chat_id))
    if meeting is None or chat is None or chat.building_id not in {b.id for b in meeting.buildings}:
        raise MeetingGone()
    posted = [d for d in await _announcements(session, meeting.id) if d.chat_id == chat_id]
    if not any(message_id in (d.message_ids or []) for d in posted):
        raise MeetingGone()
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingClosed(meeting.status)
    now = clock.now()
    if meeting.starts_at <= now:
        raise MeetingOver()
    current = await session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user_id))
    changed = current is None or current.answer != choice.value or current.chat_id != chat_id
    if changed:
        values = {"meeting_id": meeting.id, "user_id": user_id, "chat_id": chat_id, "answer": choice.value, "at": now}
        insert = upsert_insert(session)
        statement = insert(Rsvp).values(**values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Rsvp.meeting_id, Rsvp.user_id],
                set_={"chat_id": chat_id, "answer": choice.value, "at": now},
            )
        )
    counts = await _chat_counts(session, meeting.id, chat_id)
    return Answered(meeting, changed, counts.get(chat_id, Counts()))


# --- inside -------------------------------------------------------------------------------------


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
    return {chat_id: Reader(reading_locale(language, country), zone) for chat_id, language, country, zone in rows.all()}


def _calendar_part(cards: Cards, meeting: Meeting, reader: Reader) -> Part:
    return parts.Media("document", filename="meeting.ics", data=cards.calendar(meeting, reader)).part(None)


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
