"""The week: a digest to each inspector (WEEKLY_DIGEST, in their zone and working hours), and a post in each building
chat about what is coming up in the next 7 days (the same weekday, 10:00 in the building's zone, outside quiet
hours) — unless its inspector turned that off with /chat_week.

Both are planned once per ISO week (the period is the week, "2026-W48"), the coming occurrence and the one after,
so a downtime over the due time still finds the row (sent late within the grace, or listed as missed).
An occurrence already past when first planned (an inspector added on Wednesday) is not planned at all.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings, reading_locale
from bot.services import appeal_lists, buildings, chats, parts, proposals
from bot.services.meetings import upcoming
from bot.services.reminders import Due, Planned, at_local, local_date, week_key
from bot.services.staff import beats_of
from bot.ui import digest as digest_cards
from bot.ui.digest import Digest, Upcoming
from models import OPEN_STATUSES, BuildingChat, Inspector, Meeting, Priority
from scheduler.engine import Kind, Reader, Send, Skip
from scheduler.kinds import readers
from scheduler.kinds.readers import Staff

DIGEST = "weekly_digest"
CHAT_WEEK = "weekly_chat"
CHAT_POST_AT = time(10)  # the weekly post in building chats: the digest's weekday, at this local time
WEEK = timedelta(days=7)


def occurrences(now: datetime, zone: str, weekday: int, at: time) -> list[tuple[str, datetime]]:
    """This week's and next week's (period, due time) in the zone, leaving out one already past."""
    today = local_date(now, zone)
    monday = today - timedelta(days=today.weekday())
    found = []
    for week in (0, 1):
        day: date = monday + timedelta(days=7 * week + weekday)
        due = at_local(day, at, zone)
        if due >= now:
            found.append((week_key(day), due))
    return found


# --- the inspector's digest ------------------------------------------------------------------------


@dataclass
class DigestLoaded:
    staff: dict[int, Staff]  # by inspector id
    appeals: dict[int, list[tuple[str, datetime, datetime]]]  # (status, due, created) of open or recent appeals
    meetings: dict[int, list[Meeting]]
    coming: dict[int, int]  # meeting id → "will come" answers
    proposals: dict[int, int]
    buildings: dict[int, list[tuple[str, str]]]  # (code, address), by code


class WeeklyDigest(Kind[DigestLoaded]):
    """WEEKLY_DIGEST (Monday 09:00 by default) in the inspector's zone: appeals, meetings, proposals, the walk."""

    name = DIGEST

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._weekday, self._at = settings.digest_at

    async def fingerprint(self, session: AsyncSession, now: datetime) -> Hashable:
        """The inspectors and their zones, and the local hour: a week's digest enters the plan as the week turns."""
        return await readers.beats_fingerprint(session, self._settings, now)

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        planned = []
        for staff in await readers.active_inspectors(session, self._settings):
            for period, due_at in occurrences(now, staff.zone, self._weekday, self._at):
                planned.append(Planned(DIGEST, staff.inspector.id, staff.user_id, period, due_at))
        return planned

    async def load(self, session: AsyncSession, due: list[Due]) -> DigestLoaded:
        ids = list({reminder.subject_id for reminder in due})
        staff = await readers.inspectors_by_id(session, self._settings, ids)
        # Every figure is relative to the moment of sending, which is no earlier than a reminder's due time: what is
        # read from the earliest due time on takes in all a batch may need, and compose counts with its own `now`.
        earliest = min(reminder.due_at for reminder in due)

        meetings = await upcoming.planned_of_inspectors(session, ids, earliest)
        return DigestLoaded(
            staff=staff,
            appeals=await appeal_lists.open_or_received_since(session, ids, earliest - WEEK),
            meetings=meetings,
            coming=await upcoming.coming_counts(
                session, [meeting.id for listed in meetings.values() for meeting in listed]
            ),
            proposals=await proposals.waiting_per_inspector(session, ids),
            buildings={
                inspector_id: [(building.code, building.address) for building in served]
                for inspector_id, served in (await beats_of(session, ids)).items()
            },
        )

    def reader(self, reminder: Due, context: DigestLoaded) -> Reader | None:
        staff = context.staff.get(reminder.subject_id)
        if staff is None or staff.user_id != reminder.recipient_id:
            return None  # no longer an inspector (or another person is now)
        return staff.reader()

    def compose(self, reminder: Due, context: DigestLoaded, now: datetime) -> Send | Skip:
        staff = context.staff[reminder.subject_id]
        appeals = context.appeals.get(reminder.subject_id, [])
        open_ = [(status, due_at) for status, due_at, _created in appeals if status in OPEN_STATUSES]
        week = Digest(
            zone=staff.zone,
            open=len(open_),
            overdue=sum(1 for _status, due_at in open_ if due_at < now),
            new=sum(1 for _status, _due, created in appeals if now - WEEK <= created <= now),
            meetings=[
                Upcoming(meeting, context.coming.get(meeting.id, 0))
                for meeting in context.meetings.get(reminder.subject_id, [])
                if now < meeting.starts_at <= now + WEEK
            ],
            proposals=context.proposals.get(reminder.subject_id, 0),
            buildings=context.buildings.get(reminder.subject_id, []),
            chat_week=staff.inspector.chat_week,
        )
        buttons = digest_cards.digest_buttons(week.chat_week) if week.buildings else None
        return Send(parts.message(digest_cards.digest(week, now), buttons=buttons))

    def owner(self, reminder: Due, context: DigestLoaded) -> int | None:
        return reminder.recipient_id if reminder.subject_id in context.staff else None

    def describe(self, reminder: Due, context: DigestLoaded) -> str:
        staff = context.staff.get(reminder.subject_id)
        return digest_cards.digest_label(reminder.due_at, staff.zone if staff else self._settings.timezone)


# --- the weekly post in building chats ----------------------------------------------------------------


@dataclass
class ChatLoaded:
    chats: dict[int, BuildingChat]  # by Telegram chat id, with building and inspector
    meetings: dict[int, list[Meeting]]  # by building id, soonest first


class WeeklyChatPost(Kind[ChatLoaded]):
    """The digest's weekday, 10:00 in the building's zone: the meetings of the next 7 days, if there are any."""

    name = CHAT_WEEK

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._weekday, _at = settings.digest_at
        quiet_from, quiet_to = settings.quiet
        self._window: tuple[time, time] = (quiet_to, quiet_from)  # chats: outside quiet hours

    async def fingerprint(self, session: AsyncSession, now: datetime) -> Hashable:
        """The chats bound (and their buildings' zones), and the hour: a week's post enters the plan a week ahead,
        so an hour late is early enough."""
        bound = await chats.bound_fingerprint(session)
        return (*bound, await buildings.zone_counts(session), now.replace(minute=0, second=0, microsecond=0))

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        planned = []
        for building_id, chat_id, zone in await chats.bound_with_zones(session):
            for period, due_at in occurrences(now, zone, self._weekday, CHAT_POST_AT):
                planned.append(Planned(CHAT_WEEK, building_id, chat_id, period, due_at))
        return planned

    async def load(self, session: AsyncSession, due: list[Due]) -> ChatLoaded:
        bound = await chats.bound_by_chat_id(session, [reminder.recipient_id for reminder in due])
        earliest = min(reminder.due_at for reminder in due)  # sent at or after it: compose picks the week's
        meetings = await upcoming.planned_of_buildings(session, {chat.building_id for chat in bound.values()}, earliest)
        return ChatLoaded(bound, meetings)

    def reader(self, reminder: Due, context: ChatLoaded) -> Reader | None:
        chat = context.chats.get(reminder.recipient_id)
        if chat is None or chat.building_id != reminder.subject_id:
            return None  # unbound, the bot removed, or the chat now serves another building
        return Reader(reading_locale(chat.language, chat.building.country), chat.building.timezone, self._window)

    def compose(self, reminder: Due, context: ChatLoaded, now: datetime) -> Send | Skip:
        chat = context.chats[reminder.recipient_id]
        inspector: Inspector | None = chat.building.inspector
        if inspector is not None and not inspector.chat_week:
            return Skip("the inspector turned the weekly post off")
        coming = [
            meeting for meeting in context.meetings.get(chat.building_id, []) if now < meeting.starts_at <= now + WEEK
        ]
        # When quarterly reports come, a planned report meeting is one of these meetings.
        if not coming:
            return Skip("nothing coming up this week")
        text = digest_cards.week_post(coming, chat.building.timezone)
        return Send(parts.message(text), priority=Priority.BULK)

    def owner(self, reminder: Due, context: ChatLoaded) -> int | None:
        chat = context.chats.get(reminder.recipient_id)
        if chat is None or chat.building.inspector is None:
            return None
        return chat.building.inspector.user_id

    def describe(self, reminder: Due, context: ChatLoaded) -> str:
        chat = context.chats.get(reminder.recipient_id)
        return digest_cards.week_post_label(chat.title if chat is not None else None)
