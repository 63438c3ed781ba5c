"""The inspector's rhythm: a meeting with every building each month, a report to the residents each quarter.

- Monthly (`cadence_month`): on days 1, 8, 15, 22 and 29 of each month, at the start of the inspector's working
  hours, the buildings of theirs with no meeting held or planned in that calendar month, with a button to plan one.
- Quarterly, prepare (`quarter_prepare`): 14 days before the quarter's last day, the reminder to prepare the report
  and plan the report meeting.
- Quarterly, late (`quarter_late` to the inspector, `quarter_late_admin` to each administrator): on the 5th day of
  the new quarter, when the report for the quarter just ended is not published.

Days are the inspector's local dates (their zone: their first building's). Each reminder is planned a day before it
is due (so a downtime over its due time finds the row: sent late within the grace, or listed as missed) and
re-checked when it is: a building that got its meeting, a report published meanwhile, skip it. An inspector's
reminders planned already follow a change of their working hours (/hours) until they are due. Planning again is
skipped while the inspectors, their buildings and the local hour are as they were (`readers.beats_fingerprint`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import parts, reminders, report_store
from bot.services.meetings import upcoming
from bot.services.quarters import Quarter
from bot.services.reminders import Due, Planned, at_local, local_date
from bot.services.staff import beats_of, serving
from bot.ui import keyboards
from bot.ui.meetings import keyboards as meeting_keyboards
from bot.ui.reminders import cadence as cadence_cards
from models import Building
from scheduler.engine import Kind, Reader, Send, Skip
from scheduler.kinds.readers import (
    OFFICE_HOURS,
    Staff,
    active_inspectors,
    admin_locales,
    admin_reader,
    beats_fingerprint,
)
from scheduler.kinds.readers import inspectors_by_id as load_staff

MONTHLY = "cadence_month"
PREPARE = "quarter_prepare"
LATE = "quarter_late"
LATE_ADMIN = "quarter_late_admin"

CADENCE_DAYS = (1, 8, 15, 22, 29)  # the 29th only in the months that have it
PREPARE_DAYS = 14  # before the quarter's last day
LATE_DAY = 5  # of the new quarter
AHEAD = timedelta(days=1)  # planned this long before they fall due


@dataclass
class Loaded:
    staff: dict[int, Staff]  # active inspectors by id
    buildings: dict[int, list[Building]]  # each inspector's buildings now, by code
    meetings: dict[int, list[datetime]]  # building id → starts of its planned or held meetings (the monthly kind)
    published: set[tuple[int, str]]  # (inspector id, "2026Q4") of published reports
    admins: dict[int, str]  # administrators' languages (the administrators' kind)


def cadence_day(day: date) -> date:
    """The latest reminder day of the monthly cadence on or before `day`."""
    return day.replace(day=max(d for d in CADENCE_DAYS if d <= day.day))


def prepare_day(quarter: Quarter) -> date:
    return quarter.last_day - timedelta(days=PREPARE_DAYS)


def late_day(quarter: Quarter) -> date:
    """The 5th day of the quarter after this one."""
    return quarter.next().first_day + timedelta(days=LATE_DAY - 1)


def _start(staff: Staff, day: date) -> datetime:
    """The start of the inspector's working hours on that local day."""
    return at_local(day, time(staff.inspector.work_from), staff.zone)


class _Cadence(Kind[Loaded]):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    # --- planning ---

    def _occurrences(self, staff: Staff, days: set[date]) -> list[tuple[str, datetime]]:
        """(period, due) of the occurrences that concern these local days (today and tomorrow)."""
        raise NotImplementedError

    def _recipients(self, staff: Staff) -> list[int]:
        return [staff.user_id]

    def _window(self, staff: Staff) -> tuple[str, tuple[time, time]]:
        """The zone and the local hours the reader may be written to."""
        reader = staff.reader()
        return reader.zone, reader.window

    async def fingerprint(self, session: AsyncSession, now: datetime) -> Hashable:
        return await beats_fingerprint(session, self._settings, now)

    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        served = await serving(session)
        grace = timedelta(hours=self._settings.reminder_grace_hours)
        planned = []
        moved: dict[tuple[int, int, str], datetime] = {}
        for staff in await active_inspectors(session, self._settings):
            if staff.inspector.id not in served:
                continue  # nobody to meet, nothing to report
            days = {local_date(now, staff.zone), local_date(now + AHEAD, staff.zone)}
            zone, window = self._window(staff)
            for period, due in self._occurrences(staff, days):
                # A day ahead; one due within the grace is still planned (the bot was down the day before, or the
                # inspector was added this morning) and goes at once.
                if not now - grace <= due <= now + AHEAD:
                    continue
                for recipient in self._recipients(staff):
                    planned.append(Planned(self.name, staff.inspector.id, recipient, period, due))
                    # Where a row planned before, under other working hours, should be due now.
                    if due >= now:
                        moved[(staff.inspector.id, recipient, period)] = due
                    elif reminders.next_allowed(now, zone, window) == now:
                        moved[(staff.inspector.id, recipient, period)] = now  # the new hours have begun
        # Rows planned before, under other working hours (/hours), follow them until they are due.
        await reminders.follow_hours(session, self.name, moved, now)
        return planned

    # --- sending ---

    async def load(self, session: AsyncSession, due: list[Due]) -> Loaded:
        inspector_ids = sorted({reminder.subject_id for reminder in due})
        staff = await load_staff(session, self._settings, inspector_ids)
        buildings = await beats_of(session, inspector_ids)
        meetings = await self._meetings(session, due, buildings)
        published, admins = await self._more(session, due)
        return Loaded(staff, buildings, meetings, published, admins)

    async def _meetings(
        self, session: AsyncSession, due: list[Due], buildings: dict[int, list[Building]]
    ) -> dict[int, list[datetime]]:
        return {}

    async def _more(self, session: AsyncSession, due: list[Due]) -> tuple[set[tuple[int, str]], dict[int, str]]:
        """Published reports of these quarters, and the administrators' languages when they are the readers."""
        published = await report_store.published_quarters(
            session, {reminder.subject_id for reminder in due}, {reminder.period for reminder in due}
        )
        return published, {}

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        staff = context.staff.get(reminder.subject_id)
        if staff is None or staff.user_id != reminder.recipient_id:
            return None  # no longer an inspector
        return staff.reader()

    def owner(self, reminder: Due, context: Loaded) -> int | None:
        staff = context.staff.get(reminder.subject_id)
        return staff.user_id if staff is not None else None

    def _unchanged(self, reminder: Due, context: Loaded) -> Skip | None:
        """Why a quarterly reminder is no longer worth sending, if it is not."""
        if not context.buildings.get(reminder.subject_id):
            return Skip("the inspector has no buildings")
        if (reminder.subject_id, reminder.period) in context.published:
            return Skip("the report is published")
        return None


class MonthlyMeetings(_Cadence):
    """Days 1, 8, 15, 22, 29: the inspector's buildings with no meeting held or planned this month."""

    name = MONTHLY

    def _occurrences(self, staff: Staff, days: set[date]) -> list[tuple[str, datetime]]:
        return [(day.isoformat(), _start(staff, day)) for day in {cadence_day(d) for d in days}]

    async def _meetings(
        self, session: AsyncSession, due: list[Due], buildings: dict[int, list[Building]]
    ) -> dict[int, list[datetime]]:
        building_ids = [building.id for served in buildings.values() for building in served]
        if not building_ids:
            return {}
        months = [date.fromisoformat(reminder.period).replace(day=1) for reminder in due]
        # A day either side covers every zone's month; each building's own bounds are applied in compose.
        earliest = datetime.combine(min(months) - timedelta(days=1), time(), tzinfo=self._settings.tz)
        latest = datetime.combine(_next_month(max(months)) + timedelta(days=1), time(), tzinfo=self._settings.tz)
        return await upcoming.starts_by_building(session, building_ids, earliest, latest)

    async def _more(self, session: AsyncSession, due: list[Due]) -> tuple[set[tuple[int, str]], dict[int, str]]:
        return set(), {}

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        served = context.buildings.get(reminder.subject_id, [])
        if not served:
            return Skip("the inspector has no buildings")
        month = date.fromisoformat(reminder.period).replace(day=1)
        without = [building for building in served if not _met(building, month, context.meetings)]
        if not without:
            return Skip("every building has a meeting")
        markup = meeting_keyboards.plan_meeting(reminder.subject_id)
        return Send(
            parts.message(cadence_cards.month_without_meetings(month, without), buttons=keyboards.stored(markup))
        )

    def describe(self, reminder: Due, context: Loaded) -> str:
        return cadence_cards.month_label(date.fromisoformat(reminder.period))


def _next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def _met(building: Building, month: date, meetings: dict[int, list[datetime]]) -> bool:
    """A meeting held or planned for the building in that calendar month of its own zone."""
    start = at_local(month, time(), building.timezone)
    end = at_local(_next_month(month), time(), building.timezone)
    return any(start <= starts_at < end for starts_at in meetings.get(building.id, []))


class QuarterPrepare(_Cadence):
    """14 days before the quarter's last day: prepare the report to the residents and plan the report meeting."""

    name = PREPARE

    def _occurrences(self, staff: Staff, days: set[date]) -> list[tuple[str, datetime]]:
        quarters = {Quarter.of(day) for day in days}
        return [(q.key, _start(staff, prepare_day(q))) for q in quarters]

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        if (skip := self._unchanged(reminder, context)) is not None:
            return skip
        markup = meeting_keyboards.plan_meeting(reminder.subject_id)
        text = cadence_cards.prepare_report(Quarter.parse(reminder.period))
        return Send(parts.message(text, buttons=keyboards.stored(markup)))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return cadence_cards.prepare_label(Quarter.parse(reminder.period))


class QuarterLate(_Cadence):
    """The 5th day of the new quarter, the report for the one just ended not published: to the inspector again."""

    name = LATE

    def _occurrences(self, staff: Staff, days: set[date]) -> list[tuple[str, datetime]]:
        ended = {Quarter.of(day).previous() for day in days}
        # Only for a quarter the inspector was reminded of: added in its last two weeks, they owe no report for it.
        return [
            (q.key, self._due(staff, late_day(q)))
            for q in ended
            if staff.inspector.created_at < _start(staff, prepare_day(q))
        ]

    def _due(self, staff: Staff, day: date) -> datetime:
        return _start(staff, day)

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        if (skip := self._unchanged(reminder, context)) is not None:
            return skip
        return Send(parts.message(cadence_cards.report_late(Quarter.parse(reminder.period))))

    def describe(self, reminder: Due, context: Loaded) -> str:
        return cadence_cards.report_late_label(Quarter.parse(reminder.period))


class QuarterLateToAdmins(QuarterLate):
    """The same day: each administrator is told which inspector has not published the report (office hours)."""

    name = LATE_ADMIN

    def _recipients(self, staff: Staff) -> list[int]:
        return list(self._settings.admin_ids)

    def _due(self, staff: Staff, day: date) -> datetime:
        return at_local(day, OFFICE_HOURS[0], self._settings.timezone)

    def _window(self, staff: Staff) -> tuple[str, tuple[time, time]]:
        return self._settings.timezone, OFFICE_HOURS

    async def _more(self, session: AsyncSession, due: list[Due]) -> tuple[set[tuple[int, str]], dict[int, str]]:
        published, _ = await super()._more(session, due)
        return published, await admin_locales(session, self._settings)

    def reader(self, reminder: Due, context: Loaded) -> Reader | None:
        language = context.admins.get(reminder.recipient_id)
        if language is None or reminder.subject_id not in context.staff:
            return None  # no longer an administrator, or the inspector left
        return admin_reader(language, self._settings)

    def owner(self, reminder: Due, context: Loaded) -> int | None:
        known = reminder.recipient_id in context.admins and reminder.subject_id in context.staff
        return reminder.recipient_id if known else None

    def compose(self, reminder: Due, context: Loaded, now: datetime) -> Send | Skip:
        if (skip := self._unchanged(reminder, context)) is not None:
            return skip
        inspector = context.staff[reminder.subject_id].inspector
        count = len(context.buildings[reminder.subject_id])
        text = cadence_cards.report_late_admin(inspector.full_name, Quarter.parse(reminder.period), count)
        return Send(parts.message(text))

    def describe(self, reminder: Due, context: Loaded) -> str:
        inspector = context.staff[reminder.subject_id].inspector
        return cadence_cards.report_late_admin_label(inspector.full_name, Quarter.parse(reminder.period))


def cadence_kinds(settings: Settings) -> list[Kind[Loaded]]:
    return [MonthlyMeetings(settings), QuarterPrepare(settings), QuarterLate(settings), QuarterLateToAdmins(settings)]
