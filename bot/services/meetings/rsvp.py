"""A resident's answer to a meeting's announcement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.errors import MeetingGone
from bot.services.meetings.common import (
    Counts,
    MeetingClosed,
    MeetingOver,
    _announcements,
    _chat_counts,
    _find,
)
from models import (
    BuildingChat,
    Meeting,
    MeetingStatus,
    Rsvp,
    RsvpAnswer,
)
from models.queries import upsert_insert


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
