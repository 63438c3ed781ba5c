"""Meeting reminders: to the building chats, and privately to the residents who said they will come."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from aiogram.utils.i18n import get_i18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import reminder_cards
from bot.config import Settings
from bot.delivery import parts
from bot.services.reminders import Planned
from models import (
    Building,
    BuildingChat,
    Meeting,
    MeetingStatus,
    Reminder,
    Rsvp,
    RsvpAnswer,
    User,
)
from scheduler.engine import Kind, Reader, Send, Skip

CHATS = "meeting_chat"
RESIDENTS = "meeting_rsvp"
RECENT = timedelta(days=1)


def period(hours: int, meeting: Meeting) -> str:
    """Which reminder of which edition: a changed meeting's old reminders no longer match and are skipped."""
    return f"{hours}h@{meeting.sequence}"


def edition_of(reminder: Reminder) -> int:
    """The meeting's sequence the reminder was planned for."""
    return int(reminder.period.partition("h@")[2])


@dataclass
class Loaded:
    meetings: dict[int, Meeting]
    chats: dict[int, BuildingChat]
    languages: dict[int, str]
    coming: set[tuple[int, int]]  # (meeting, person) who still answer "I will come"
    # What a batch's reminders say, rendered once per meeting, zone, hours and language: a meeting's reminders to
    # its chats and to every resident who comes read the same.
    said: dict[tuple[int, str, int, str], Send] = field(default_factory=dict)


class _MeetingKind(Kind[Loaded]):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        quiet_from, quiet_to = settings.quiet
        self._window: tuple[time, time] = (quiet_to, quiet_from)  # residents and chats: outside quiet hours

    async def _upcoming(self, session: AsyncSession, now: datetime) -> list[Meeting]:
        """Every planned meeting still to come, or begun within a day: one the bot was down through still gets its
        reminders planned, to be skipped and logged rather than never known."""
        return list(
            await session.scalars(
                select(Meeting)
                .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > now - RECENT)
                .options(selectinload(Meeting.buildings).selectinload(Building.chats))
            )
        )

    def _due(self, meeting: Meeting, now: datetime) -> list[tuple[int, datetime]]:
        """Each reminder's hours and due time, leaving out those due before the meeting was even announced."""
        return [
            (hours, meeting.starts_at - timedelta(hours=hours))
            for hours in self._settings.meeting_reminder_hours
            if meeting.starts_at - timedelta(hours=hours) > meeting.created_at
        ]

    async def load(self, session: AsyncSession, due: list[Reminder]) -> Loaded:
        """The meetings, and the chats (for chat reminders) or the people and who still comes (for residents')."""
        meeting_ids = {reminder.subject_id for reminder in due}
        meetings = {
            meeting.id: meeting
            for meeting in await session.scalars(
                select(Meeting).where(Meeting.id.in_(meeting_ids)).options(selectinload(Meeting.inspector))
            )
        }
        recipients = [reminder.recipient_id for reminder in due]
        if self.name == CHATS:
            chats = {
                chat.chat_id: chat
                for chat in await session.scalars(
                    select(BuildingChat)
                    .where(BuildingChat.chat_id.in_(recipients), BuildingChat.active)
                    .options(selectinload(BuildingChat.building))
                )
            }
            return Loaded(meetings, chats, {}, set())
        languages = dict((await session.execute(select(User.id, User.language).where(User.id.in_(recipients)))).all())
        # By meeting alone: with the people as well, the database would look up every meeting-person pair.
        coming = await session.execute(
            select(Rsvp.meeting_id, Rsvp.user_id).where(Rsvp.meeting_id.in_(meeting_ids), Rsvp.answer == RsvpAnswer.YES)
        )
        return Loaded(meetings, {}, languages, {(meeting_id, user_id) for meeting_id, user_id in coming})

    def compose(self, reminder: Reminder, context: Loaded, now: datetime) -> Send | Skip:
        meeting = context.meetings.get(reminder.subject_id)
        sequence = edition_of(reminder)
        if meeting is None or meeting.status != MeetingStatus.PLANNED:
            return Skip("the meeting is cancelled or over")
        if meeting.sequence != sequence:
            return Skip("the meeting was changed")
        if meeting.starts_at <= now:
            return Skip("the meeting has begun")
        zone = self._zone(reminder, context, meeting)
        # The time left, not the reminder's hours: one that waited out quiet hours says how long there really is.
        left = meeting.starts_at - now
        key = (meeting.id, zone, round(left.total_seconds() / 3600), get_i18n().current_locale)
        said = context.said.get(key)
        if said is None:
            said = context.said[key] = Send(parts.message(reminder_cards.meeting_soon(meeting, zone, left)))
        return said

    def owner(self, reminder: Reminder, context: Loaded) -> int | None:
        meeting = context.meetings.get(reminder.subject_id)
        if meeting is None:
            return None
        return meeting.inspector.user_id if meeting.inspector is not None else meeting.author_id

    def describe(self, reminder: Reminder, context: Loaded) -> str:
        meeting = context.meetings[reminder.subject_id]
        chat = context.chats.get(reminder.recipient_id)
        return reminder_cards.meeting_reminder_label(
            meeting, self._zone(reminder, context, meeting), chat.title if chat is not None else None
        )

    def _zone(self, reminder: Reminder, context: Loaded, meeting: Meeting) -> str:
        chat = context.chats.get(reminder.recipient_id)
        return chat.building.timezone if chat is not None else meeting.timezone


class MeetingChatReminders(_MeetingKind):
    """24 and 2 hours (MEETING_REMINDER_HOURS) before a meeting, to each chat of its buildings."""

    name = CHATS

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        planned = []
        for meeting in await self._upcoming(session, now):
            chats = [chat for building in meeting.buildings for chat in building.chats if chat.active]
            for hours, due_at in self._due(meeting, now):
                planned += [Planned(CHATS, meeting.id, chat.chat_id, period(hours, meeting), due_at) for chat in chats]
        return planned

    def reader(self, reminder: Reminder, context: Loaded) -> Reader | None:
        chat = context.chats.get(reminder.recipient_id)
        if chat is None:
            return None  # unbound, or the bot was removed
        return Reader(chat.language, chat.building.timezone, self._window)


class MeetingResidentReminders(_MeetingKind):
    """The same reminders, privately, to residents who answered "I will come" and have opened the bot."""

    name = RESIDENTS

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        meetings = {meeting.id: meeting for meeting in await self._upcoming(session, now)}
        if not meetings:
            return []
        coming = await session.execute(
            select(Rsvp.meeting_id, Rsvp.user_id)
            .join(User, User.id == Rsvp.user_id)
            .where(Rsvp.meeting_id.in_(list(meetings)), Rsvp.answer == RsvpAnswer.YES, User.reachable)
        )
        planned = []
        for meeting_id, user_id in coming:
            meeting = meetings[meeting_id]
            planned += [
                Planned(RESIDENTS, meeting.id, user_id, period(hours, meeting), due_at)
                for hours, due_at in self._due(meeting, now)
            ]
        return planned

    def reader(self, reminder: Reminder, context: Loaded) -> Reader | None:
        meeting = context.meetings.get(reminder.subject_id)
        language = context.languages.get(reminder.recipient_id)
        if meeting is None or language is None:
            return None  # the person deleted their data
        return Reader(language, meeting.timezone, self._window)

    def compose(self, reminder: Reminder, context: Loaded, now: datetime) -> Send | Skip:
        if (reminder.subject_id, reminder.recipient_id) not in context.coming:
            return Skip("the resident no longer comes")
        return super().compose(reminder, context, now)
