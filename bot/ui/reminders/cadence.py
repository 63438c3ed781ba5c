"""Renderers of the inspector's rhythm: the monthly list of buildings without a meeting, the quarterly report
reminders (to the inspector and to the administrators), and /hours.

Months, dates and quarters go through Babel in the reader's language; every value a person typed (codes,
addresses, names) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.services.quarters import Quarter
from bot.ui import formatting
from models import Building

BUILDINGS_SHOWN = 20  # more buildings than this are counted, not listed


def _capitalised(text: str) -> str:
    """At the head of a line: "декабрь 2026" → "Декабрь 2026" (Babel's stand-alone month is lower-case in Russian)."""
    return text[:1].upper() + text[1:]


def month_name(month: date) -> str:
    """December 2026 (the stand-alone form: декабрь 2026)."""
    return format_date(month, "LLLL y", locale=formatting.locale())


def quarter_name(quarter: Quarter) -> str:
    """Q4 2026 in the reader's language (4-й кв. 2026)."""
    return format_date(quarter.first_day, "QQQ y", locale=formatting.locale())


def day_and_month(day: date) -> str:
    """31 December."""
    return format_date(day, "d MMMM", locale=formatting.locale())


# --- monthly ---------------------------------------------------------------------------------


def month_without_meetings(month: date, buildings: Sequence[Building]) -> str:
    count = len(buildings)
    heading = _(
        "📅 <b>{month}</b>: {count} of your buildings has no meeting with residents held or planned yet.",
        "📅 <b>{month}</b>: {count} of your buildings have no meeting with residents held or planned yet.",
        count,
    ).format(month=_capitalised(month_name(month)), count=count)
    lines = [f"• <b>{escape(b.code)}</b> — {escape(b.address)}" for b in buildings[:BUILDINGS_SHOWN]]
    if count > BUILDINGS_SHOWN:
        more = count - BUILDINGS_SHOWN
        lines.append(_("…and {count} more", "…and {count} more", more).format(count=more))
    footer = _("Meet each building at least once a month: plan a meeting with the button below or with /meeting.")
    return "\n".join([heading, "", *lines, "", footer])


def month_label(month: date) -> str:
    """The reminder, named in the list of missed ones."""
    return _("the list of buildings without a meeting in {month}").format(month=month_name(month))


# --- quarterly -------------------------------------------------------------------------------


def prepare_report(quarter: Quarter) -> str:
    return _(
        "📊 <b>{quarter} ends on {day}</b>: prepare your report to the residents and plan the report meeting "
        "(/meeting)."
    ).format(quarter=quarter_name(quarter), day=day_and_month(quarter.last_day))


def prepare_label(quarter: Quarter) -> str:
    return _("the reminder to prepare the report for {quarter}").format(quarter=quarter_name(quarter))


def report_late(quarter: Quarter) -> str:
    return _(
        "⏰ <b>Your report for {quarter} to the residents is not published yet.</b> "
        "Please publish it and hold the report meeting (/meeting)."
    ).format(quarter=quarter_name(quarter))


def report_late_label(quarter: Quarter) -> str:
    return _("the reminder that the report for {quarter} is not published").format(quarter=quarter_name(quarter))


def report_late_admin(inspector_name: str, quarter: Quarter, buildings: int) -> str:
    return _(
        "⏰ Inspector {name} has not published the report for {quarter} to the residents of their {count} building.",
        "⏰ Inspector {name} has not published the report for {quarter} to the residents of their {count} buildings.",
        buildings,
    ).format(name=escape(inspector_name), quarter=quarter_name(quarter), count=buildings)


def report_late_admin_label(inspector_name: str, quarter: Quarter) -> str:
    return _("the notice that {name} has not published the report for {quarter}").format(
        name=escape(inspector_name), quarter=quarter_name(quarter)
    )


# --- /hours ----------------------------------------------------------------------------------


def hours_range(work_from: int, work_to: int) -> str:
    return f"{work_from:02d}:00–{work_to:02d}:00"


def hours_now(work_from: int, work_to: int) -> str:
    return _(
        "🕘 Your working hours: <b>{hours}</b> (your buildings' local time). Your reminders come within them.\n"
        "Send new hours like <code>9-18</code> or <code>08:00-17:00</code>, or /cancel to keep them."
    ).format(hours=hours_range(work_from, work_to))


def hours_set(work_from: int, work_to: int) -> str:
    return _("✅ Your working hours are now <b>{hours}</b>: your reminders come within them.").format(
        hours=hours_range(work_from, work_to)
    )


def bad_hours() -> str:
    return _(
        "Send whole hours from 0 to 24, the start before the end, like <code>9-18</code> or "
        "<code>08:00-17:00</code> (or /cancel):"
    )


def not_an_inspector() -> str:
    return _("Only a district inspector sets working hours for reminders.")
