"""Meeting reminders: to the building chats, and privately to the residents who said they will come."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import NamedTuple

from aiogram.utils.i18n import get_i18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import chats, parts, people
from bot.services.chats import ChatReader
from bot.services.meetings import upcoming
from bot.services.reminders import Due, Planned
from bot.ui.reminders import cards as reminder_cards
from models import Meeting, MeetingStatus
from scheduler.engine import Kind, Reader, Send, Skip

CHATS = "meeting_chat"
RESIDENTS = "meeting_rsvp"
RECENT = timedelta(days=1)


def period(hours: int, meeting: Meeting) -> str:
    """Which reminder of which edition: a changed meeting's old reminders no longer match and are skipped."""
    return f"{hours}h@{meeting.sequence}"


def edition_of(reminder: Due) -> int:
    """The meeting's sequence the reminder was planned for."""
    return int(reminder.period.partition("h@")[2])


class Subject(NamedTuple):
    """A meeting as its reminders read it: its attributes read once per batch, not through the ORM per reminder."""

    meeting: Meeting  # for the renderers
    planned: bool
    sequence: int
    starts_at: datetime
    place: str
    zone: str
    owner: int  # who hears it was missed: its inspector, or its author when it has none


@dataclass
class Loaded:
    meetings: dict[int, Subject]
    chats: dict[int, ChatReader]
    languages: dict[int, str]
    coming: set[tuple[int, int]]  # (meeting, person) who still answer "I will come"
    readers: dict[tuple[str, str], Reader] = field(default_factory=dict)  # by language and zone


class Said:
    """What meeting reminders say, rendered once for all who read the same: a meeting's reminders to its chats and
    to every resident who comes, of both kinds. Keyed by everything the text depends on, so it is right across
    batches and ticks; it keeps the latest `LIMIT` (a few batches' worth), so memory stays flat however many are due.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self._known: dict[tuple[datetime, str, str, int, str], Send] = {}

    def get(self, subject: Subject, zone: str, now: datetime) -> Send:
        # The time left, not the reminder's hours: one that waited out quiet hours says how long there really is.
        left = subject.starts_at - now
        key = (subject.starts_at, subject.place, zone, round(left.total_seconds() / 3600), get_i18n().current_locale)
        said = self._known.get(key)
        if said is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()  # start afresh: what a batch reads again, it renders again
            said = self._known[key] = Send(parts.message(reminder_cards.meeting_soon(subject.meeting, zone, left)))
        return said


SAID = Said()


class _MeetingKind(Kind[Loaded]):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        quiet_from, quiet_to = settings.quiet
        self._window: tuple[time, time] = (quiet_to, quiet_from)  # residents and chats: outside quiet hours

    async def _upcoming(self, session: AsyncSession, now: datetime) -> list[Meeting]:
        """Every planned meeting still to come, or begun within a day: one the bot was down through still gets its
        reminders planned, to be skipped and logged rather than never known."""
        return await upcoming.planned_since(session, now - RECENT)

    async def fingerprint(self, session: AsyncSession, now: datetime) -> Hashable:
        """What the meetings' reminders are planned from: the meetings to come (an edit or a cancellation moves a
        meeting's sequence), the chats bound, the answers "I will come", the people the bot can reach."""
        return (
            *await upcoming.planned_fingerprint(session, now - RECENT),
            *await chats.bound_fingerprint(session),
            *await upcoming.coming_fingerprint(session),
            *await people.reachable_fingerprint(session),
        )

    def _due(self, meeting: Meeting, now: datetime) -> list[tuple[int, datetime]]:
        """Each reminder's hours and due time, leaving out those due before the meeting was even announced."""
        return [
            (hours, meeting.starts_at - timedelta(hours=hours))
            for hours in self._settings.meeting_reminder_hours
            if meeting.starts_at - timedelta(hours=hours) > meeting.created_at
        ]

    async def load(self, session: AsyncSession, due: list[Due]) -> Loaded:
        """The meetings, and the chats (for chat reminders) or the people and who still comes (for residents')."""
        meeting_ids = {reminder.subject_id for reminder in due}
        meetings = {
            meeting.id: Subject(
                meeting,
                meeting.status == MeetingStatus.PLANNED,
                meeting.sequence,
                meeting.starts_at,
                meeting.place,
                meeting.timezone,
                inspector_user_id if inspector_user_id is not None else meeting.author_id,
            )
            for meeting, inspector_user_id in await upcoming.with_owners(session, meeting_ids)
        }
        recipients = {reminder.recipient_id for reminder in due}
        if self.name == CHATS:
            return Loaded(meetings, await chats.readers(session, recipients), {}, set())
        # Each in their language, with their building's country's wording.
        languages = await people.resident_locales(session, recipients, self._settings.country)
        return Loaded(meetings, {}, languages, await upcoming.coming(session, meeting_ids))

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        subject = context.meetings.get(reminder.subject_id)
        if subject is None or not subject.planned:
            return Skip("the meeting is cancelled or over")
        if subject.sequence != edition_of(reminder):
            return Skip("the meeting was changed")
        if subject.starts_at <= now:
            return Skip("the meeting has begun")
        return SAID.get(subject, self._zone(reminder, context, subject), now)

    def owner(self, reminder: Due, context: Loaded) -> int | None:
        subject = context.meetings.get(reminder.subject_id)
        return subject.owner if subject is not None else None

    def _reader(self, context: Loaded, language: str, zone: str) -> Reader:
        reader = context.readers.get((language, zone))
        if reader is None:
            reader = context.readers[(language, zone)] = Reader(language, zone, self._window)
        return reader

    def describe(self, reminder: Due, context: Loaded) -> str:
        subject = context.meetings[reminder.subject_id]
        chat = context.chats.get(reminder.recipient_id)
        return reminder_cards.meeting_reminder_label(
            subject.meeting, self._zone(reminder, context, subject), chat.title if chat is not None else None
        )

    def _zone(self, reminder: Due, context: Loaded, subject: Subject) -> str:
        chat = context.chats.get(reminder.recipient_id)
        return chat.zone if chat is not None else subject.zone


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

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        chat = context.chats.get(reminder.recipient_id)
        if chat is None:
            return None  # unbound, or the bot was removed
        return self._reader(context, chat.language, chat.zone)


class MeetingResidentReminders(_MeetingKind):
    """The same reminders, privately, to residents who answered "I will come" and have opened the bot."""

    name = RESIDENTS

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        meetings = {meeting.id: meeting for meeting in await self._upcoming(session, now)}
        if not meetings:
            return []
        planned = []
        for meeting_id, user_id in await upcoming.coming_reachable(session, list(meetings)):
            meeting = meetings[meeting_id]
            planned += [
                Planned(RESIDENTS, meeting.id, user_id, period(hours, meeting), due_at)
                for hours, due_at in self._due(meeting, now)
            ]
        return planned

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        subject = context.meetings.get(reminder.subject_id)
        language = context.languages.get(reminder.recipient_id)
        if subject is None or language is None:
            return None  # the person deleted their data
        return self._reader(context, language, subject.zone)

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        if (reminder.subject_id, reminder.recipient_id) not in context.coming:
            return Skip("the resident no longer comes")
        return super().compose(reminder, context, now)
