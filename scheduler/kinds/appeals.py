"""Appeal deadlines: the first response overdue, the deadline two days off, a proposal whose author must soon be told
if it needs further study (UZ), and once the deadline has passed, a daily reminder to the inspector and a daily
escalation to each administrator — until the appeal is closed.

Whoever handles the appeal is told: its inspector, or the administrators when the building has none (or its
inspector was removed). The daily ones carry the local date as their period, so there is one a day: today's and
tomorrow's are planned, never a backlog of past days, and one pushed past its day by working hours gives way to
the next day's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import appeal_lists, appeal_terms, parts
from bot.services.appeal_lists import OPEN, WAITING, OpenAppeal
from bot.services.reminders import Due, Planned, at_local, building_zones, local_date
from bot.ui.keyboards import stored
from bot.ui.reminders import deadlines as deadline_cards
from models import Appeal
from scheduler.engine import Kind, Reader, Send, Skip
from scheduler.kinds import readers
from scheduler.kinds.readers import Staff

FIRST = "appeal_first_response"
SOON = "appeal_due_soon"
OVERDUE = "appeal_overdue"
ESCALATION = "appeal_escalation"
STUDY = "appeal_study_notice"

AHEAD = timedelta(days=1)  # planned this long before they fall due
SOON_BEFORE = timedelta(days=2)  # the reminder that the deadline is near
FIRST_PERIOD = "first"
SOON_PERIOD = "2d"  # with the deadline's date: an extended deadline is recalled anew


@dataclass
class Loaded:
    appeals: dict[int, Appeal]
    staff: dict[int, Staff]  # active inspectors, by inspector id
    admins: dict[int, str]  # administrator → language

    def inspector_of(self, appeal: Appeal) -> Staff | None:
        return self.staff.get(appeal.inspector_id) if appeal.inspector_id is not None else None

    def handlers(self, appeal: Appeal) -> list[int]:
        """Who handles it now: the inspector, or the administrators when it has none."""
        staff = self.inspector_of(appeal)
        return [staff.user_id] if staff is not None else list(self.admins)


def _daily(due_at: datetime, now: datetime, zone: str, opening: time) -> list[tuple[str, datetime]]:
    """Today's and tomorrow's reminder of an appeal overdue by then (local dates): the first at the deadline
    itself, the next ones when the reader's day opens. One planned late for today is due now, not in the past."""
    first = local_date(due_at, zone)
    today = local_date(now, zone)
    days = [day for day in (today, today + timedelta(days=1)) if day >= first]
    return [(day.isoformat(), max(due_at if day == first else at_local(day, opening, zone), now)) for day in days]


def _soon_period(due_at: datetime) -> str:
    return f"{SOON_PERIOD}@{due_at.date().isoformat()}"


class _AppealKind(Kind[Loaded]):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _handlers(self, row: OpenAppeal) -> list[int]:
        return [row.inspector.user_id] if row.inspector is not None else list(self._settings.admin_ids)

    async def load(self, session: AsyncSession, due: list[Due]) -> Loaded:
        appeals = await appeal_lists.with_handlers(session, {reminder.subject_id for reminder in due})
        inspector_ids = [appeal.inspector_id for appeal in appeals.values() if appeal.inspector_id is not None]
        staff = await readers.inspectors_by_id(session, self._settings, inspector_ids) if inspector_ids else {}
        return Loaded(appeals, staff, await readers.admin_locales(session, self._settings))

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        appeal = context.appeals.get(reminder.subject_id)
        if appeal is None:
            return None
        staff = context.inspector_of(appeal)
        if staff is not None and staff.user_id == reminder.recipient_id:
            return staff.reader()
        language = context.admins.get(reminder.recipient_id)
        return readers.admin_reader(language, self._settings) if language is not None else None

    def _still_open(self, reminder: Due, context: Loaded) -> Appeal | Skip:
        appeal = context.appeals.get(reminder.subject_id)
        if appeal is None or appeal.status not in OPEN:
            return Skip("the appeal is closed")
        if reminder.recipient_id not in context.handlers(appeal):
            return Skip("someone else handles the appeal now")
        return appeal

    def _send(self, appeal: Appeal, text: str) -> Send:
        return Send(parts.message(text, buttons=stored(deadline_cards.open_card(appeal))))

    def owner(self, reminder: Due, context: Loaded) -> int | None:
        """Its reader is told it was missed: the inspector, or the administrator it was for."""
        return reminder.recipient_id if reminder.subject_id in context.appeals else None


class FirstResponseOverdue(_AppealKind):
    """When the first response is due and the appeal is still not taken into work nor answered."""

    name = FIRST

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        # Past the deadline the overdue reminders speak.
        rows = await appeal_lists.awaiting_first_response(session, response_due_by=now + AHEAD, deadline_after=now)
        return [
            Planned(FIRST, row.id, recipient, FIRST_PERIOD, max(row.first_response_due, now))
            for row in rows
            for recipient in self._handlers(row)
        ]

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        appeal = self._still_open(reminder, context)
        if isinstance(appeal, Skip):
            return appeal
        if appeal.first_response_at is not None or appeal.status not in WAITING:
            return Skip("the appeal was answered or taken into work")
        return self._send(appeal, deadline_cards.first_response_overdue(appeal, now))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return deadline_cards.first_response_label(context.appeals[reminder.subject_id])


class DueSoon(_AppealKind):
    """Two days before the resolution deadline, while the appeal is open."""

    name = SOON

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        rows = await appeal_lists.open_due_within(session, after=now, until=now + AHEAD + SOON_BEFORE)
        return [
            Planned(SOON, row.id, recipient, _soon_period(row.due_at), max(row.due_at - SOON_BEFORE, now))
            for row in rows
            if row.due_at - SOON_BEFORE > row.created_at  # a deadline this short has no "two days before"
            for recipient in self._handlers(row)
        ]

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        appeal = self._still_open(reminder, context)
        if isinstance(appeal, Skip):
            return appeal
        if appeal.due_at <= now:
            return Skip("the deadline has passed: the overdue reminders speak")
        if reminder.period != _soon_period(appeal.due_at):
            return Skip("the deadline was extended: the new one is recalled")
        return self._send(appeal, deadline_cards.due_soon(appeal, now))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return deadline_cards.due_soon_label(context.appeals[reminder.subject_id])


class StudyNotice(_AppealKind):
    """Two days before the author of a proposal must be told if it needs further study, while nobody answered it."""

    name = STUDY

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        return [
            Planned(STUDY, due.appeal_id, recipient, "study", due.at)
            for due in await appeal_terms.study_reminders(session, now, now + AHEAD)
            for recipient in ([due.inspector_user_id] if due.inspector_user_id else self._settings.admin_ids)
        ]

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        appeal = self._still_open(reminder, context)
        if isinstance(appeal, Skip):
            return appeal
        notice_due = appeal_terms.study_due(appeal)
        if notice_due is None or appeal.status not in appeal_terms.UNANSWERED:
            return Skip("the proposal was answered")
        if not appeal_terms.may_notice_study(appeal, now):
            return Skip("the author was told, or the days to tell them are over")
        return self._send(appeal, deadline_cards.study_notice(appeal, notice_due))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return deadline_cards.study_notice_label(context.appeals[reminder.subject_id])


class Overdue(_AppealKind):
    """Every day past the deadline, to the appeal's inspector (the administrators hear of it as escalations)."""

    name = OVERDUE

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        rows = [
            (row, row.inspector)
            for row in await appeal_lists.open_due_by(session, now + AHEAD)
            if row.inspector is not None
        ]
        zones = await building_zones(session, list({staff.inspector_id for _, staff in rows}), self._settings.timezone)
        return [
            Planned(OVERDUE, row.id, staff.user_id, period, due_at)
            for row, staff in rows
            for period, due_at in _daily(row.due_at, now, zones[staff.inspector_id], time(staff.work_from))
        ]

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        appeal = self._still_open(reminder, context)
        if isinstance(appeal, Skip):
            return appeal
        staff = context.inspector_of(appeal)
        if staff is None or staff.user_id != reminder.recipient_id:
            return Skip("someone else handles the appeal now")
        if appeal.due_at > now:
            return Skip("the deadline was extended")
        if reminder.period != local_date(now, staff.zone).isoformat():
            return Skip("waited past its day: that day's reminder replaces it")
        return self._send(appeal, deadline_cards.overdue(appeal, now))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return deadline_cards.overdue_label(context.appeals[reminder.subject_id])


class Escalation(_AppealKind):
    """Every day past the deadline, to each administrator, in office hours: once per appeal per day."""

    name = ESCALATION

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        if not self._settings.admin_ids:
            return []
        zone, opening = self._settings.timezone, readers.OFFICE_HOURS[0]
        return [
            Planned(ESCALATION, row.id, admin_id, period, due_at)
            for row in await appeal_lists.open_due_by(session, now + AHEAD)
            for period, due_at in _daily(row.due_at, now, zone, opening)
            for admin_id in self._settings.admin_ids
        ]

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        language = context.admins.get(reminder.recipient_id)
        return readers.admin_reader(language, self._settings) if language is not None else None

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        appeal = context.appeals.get(reminder.subject_id)
        if appeal is None or appeal.status not in OPEN:
            return Skip("the appeal is closed")
        if appeal.due_at > now:
            return Skip("the deadline was extended")
        if reminder.period != local_date(now, self._settings.timezone).isoformat():
            return Skip("waited past its day: that day's escalation replaces it")
        return self._send(appeal, deadline_cards.escalation(appeal, now))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return deadline_cards.escalation_label(context.appeals[reminder.subject_id])


def appeal_kinds(settings: Settings) -> list[Kind[Any]]:
    return [
        FirstResponseOverdue(settings),
        DueSoon(settings),
        StudyNotice(settings),
        Overdue(settings),
        Escalation(settings),
    ]
