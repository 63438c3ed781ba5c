"""Choosing buildings and publishing; the staff's side: one meeting, changes, cancelling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit, buildings, outbox, parts, render
from bot.services.errors import MeetingGone, NotAllowed
from bot.services.meetings.common import (
    KIND_ANNOUNCEMENT,
    KIND_CANCELLED,
    KIND_CHANGED,
    Announcement,
    Cancelled,
    Changed,
    Counts,
    MeetingClosed,
    MeetingRender,
    StaleMeeting,
    Withdrawn,
    _active_chats,
    _announcements,
    _batches,
    _by_key,
    _cancel_unpins,
    _chat_counts,
    _find,
    _load,
    _reached,
    _readers,
    _schedule_unpins,
)
from bot.services.meetings.times import (
    check_when,
    clean_agenda,
    clean_place,
)
from bot.services.people import Actor
from models import (
    Building,
    Delivery,
    Meeting,
    MeetingStatus,
)
from models.queries import add_once, changed_rows


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


async def publish(session: AsyncSession, clock: Clock, actor: Actor, draft: Draft, texts: MeetingRender) -> Published:
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
        title=texts.title(meeting, KIND_ANNOUNCEMENT),
    )
    announcements = []
    for chat, building in chats:
        message = texts(Announcement(meeting, Counts()), render.in_chat(chat, building.timezone))
        announcements.append(await outbox.enqueue(session, clock, chat_id=chat.chat_id, parts=message, broadcast=batch))
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
    texts: MeetingRender,
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
    await _tell_chats(session, clock, actor, meeting, announcements, Changed(meeting, fields), texts)
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


async def cancel(session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int, texts: MeetingRender) -> Meeting:
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
    await _tell_chats(session, clock, actor, meeting, announcements, Cancelled(meeting), texts)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="meeting_cancelled",
        object_type="meeting",
        object_id=meeting.id,
    )
    return meeting


async def _tell_chats(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    meeting: Meeting,
    announcements: Sequence[Delivery],
    news: Changed | Cancelled,
    texts: MeetingRender,
) -> None:
    """Edit each chat's announcement to read as the meeting now does (withdrawn and unpinned once it is cancelled),
    and tell each chat that saw it the news, in a batch of its own (the author's delivery report counts these)."""
    cancelled = isinstance(news, Cancelled)
    kind = KIND_CANCELLED if cancelled else KIND_CHANGED
    readers = await _readers(session, [d.chat_id for d in announcements])
    counts = {} if cancelled else await _chat_counts(session, meeting.id)
    told = {d.chat_id: d for d in announcements if _reached(d)}  # one message per chat
    batch = await outbox.start_broadcast(
        session,
        clock,
        author_id=actor.telegram_id,
        kind=kind,
        subject_id=meeting.id,
        title=texts.title(meeting, kind),
    )
    for announcement in announcements:
        reader = readers.get(announcement.chat_id)
        if reader is None:
            continue  # the chat was unbound since
        current: Withdrawn | Announcement = (
            Withdrawn(meeting) if cancelled else Announcement(meeting, counts.get(announcement.chat_id, Counts()))
        )
        # Edits ride on no batch: they fix an old message. Once cancelled, also for an announcement withdrawn just
        # now: one the sender had in flight still goes out, and is then edited; for one never sent the sender drops
        # the edit and the unpin without a request.
        edit = parts.edit_to(announcement.id, texts(current, reader))
        await outbox.enqueue(session, clock, chat_id=announcement.chat_id, parts=[edit])
        if cancelled:
            await outbox.enqueue(session, clock, chat_id=announcement.chat_id, parts=[parts.unpin(announcement.id)])
        if told.get(announcement.chat_id) is announcement:
            await outbox.enqueue(
                session, clock, chat_id=announcement.chat_id, parts=texts(news, reader), broadcast=batch
            )
