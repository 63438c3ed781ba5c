"""Renderers of appeal deadline reminders: to the inspector, and escalations to the administrators.

They name an appeal by its number, building and category and say how late it is — never who wrote it: no name,
no flat, no text of the appeal (an anonymous resident stays anonymous, and a named one's text may name others).
Dates are shown in the building's time zone, in the reader's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services.reminders import local_date
from bot.ui import labels
from bot.ui.callbacks import AppealAction, StaffCb
from bot.ui.formatting import day, local_datetime, time_ahead
from bot.ui.keyboards import Keyboard
from models import Appeal


def open_card(appeal: Appeal) -> InlineKeyboardMarkup:
    """One button that sends the appeal's card (the handler checks the presser may see it)."""
    builder = Keyboard()
    builder.button(text=_("📨 Open the appeal"), callback_data=StaffCb(action=AppealAction.OPEN, appeal_id=appeal.id))
    return builder.as_markup()


def lateness(deadline: datetime, now: datetime, timezone: str) -> str:
    """ "overdue by 3 days": calendar days in the building's zone, or hours on the deadline's own day."""
    days = (local_date(now, timezone) - local_date(deadline, timezone)).days
    if days >= 1:
        return _("overdue by {count} day", "overdue by {count} days", days).format(count=days)
    hours = int((now - deadline) // timedelta(hours=1))
    if hours >= 1:
        return _("overdue by {count} hour", "overdue by {count} hours", hours).format(count=hours)
    return _("overdue")


def time_left(deadline: datetime, now: datetime, zone: str) -> str:
    """Days by the building's calendar (a statutory deadline is a day: due tomorrow is "1 day" whatever the hour);
    on the last day itself, the hours left."""
    days = (local_date(deadline, zone) - local_date(now, zone)).days
    unit, count = ("day", days) if days >= 1 else time_ahead(deadline - now)
    if unit == "day":
        return _("{count} day", "{count} days", count).format(count=count)
    return _("{count} hour", "{count} hours", count).format(count=count)


def _where(appeal: Appeal) -> str:
    return _("🏢 {building} · {category}").format(
        building=escape(appeal.building.code), category=labels.category(appeal.category)
    )


def _status_and_deadline(appeal: Appeal) -> list[str]:
    return [
        _("Status: {status}").format(status=labels.status(appeal.status)),
        _("Deadline: {at}").format(at=local_datetime(appeal.due_at, appeal.building.timezone)),
    ]


def first_response_overdue(appeal: Appeal, now: datetime) -> str:
    zone = appeal.building.timezone
    return "\n".join(
        [
            _("⏰ <b>The first response to appeal №{number} is {late}.</b>").format(
                number=appeal.number, late=lateness(appeal.first_response_due, now, zone)
            ),
            _where(appeal),
            _("First response was due: {at}").format(at=local_datetime(appeal.first_response_due, zone)),
            _("Take it into work or answer the resident."),
        ]
    )


def due_soon(appeal: Appeal, now: datetime) -> str:
    zone = appeal.building.timezone
    return "\n".join(
        [
            _("⏳ <b>Appeal №{number} is due in {left}.</b>").format(
                number=appeal.number, left=time_left(appeal.due_at, now, zone)
            ),
            _where(appeal),
            *_status_and_deadline(appeal),
        ]
    )


def study_notice(appeal: Appeal, notice_due: datetime) -> str:
    """To whoever handles a proposal nobody answered yet, two days before its author must be told by law if it needs
    further study (UZ7)."""
    zone = appeal.building.timezone
    return "\n".join(
        [
            _("🔬 <b>Proposal №{number}: does it need further study?</b>").format(number=appeal.number),
            _where(appeal),
            _(
                "If so, the law requires telling its author in writing by {date}: press “🔬 Needs further study” on "
                "its card, and the bot tells them."
            ).format(date=day(local_date(notice_due, zone))),
            _("Deadline: {at}").format(at=local_datetime(appeal.due_at, zone)),
        ]
    )


def overdue(appeal: Appeal, now: datetime) -> str:
    """The inspector's daily reminder of their overdue appeal."""
    zone = appeal.building.timezone
    return "\n".join(
        [
            _("⚠️ <b>Appeal №{number} is {late}.</b>").format(
                number=appeal.number, late=lateness(appeal.due_at, now, zone)
            ),
            _where(appeal),
            *_status_and_deadline(appeal),
            _("The administrators are told every day until it is resolved."),
        ]
    )


def escalation(appeal: Appeal, now: datetime) -> str:
    """To each administrator, once a day while the appeal stays overdue."""
    zone = appeal.building.timezone
    late = lateness(appeal.due_at, now, zone)
    if appeal.inspector is not None:
        heading = _("🚨 <b>Appeal №{number} of building {building}, inspector {inspector}, is {late}.</b>").format(
            number=appeal.number,
            building=escape(appeal.building.code),
            inspector=escape(appeal.inspector.full_name),
            late=late,
        )
    else:
        heading = _("🚨 <b>Appeal №{number} of building {building} (no inspector) is {late}.</b>").format(
            number=appeal.number, building=escape(appeal.building.code), late=late
        )
    return "\n".join(
        [
            heading,
            _("Category: {category}").format(category=labels.category(appeal.category)),
            *_status_and_deadline(appeal),
        ]
    )


# --- the reminder, named in a list of missed ones ---------------------------------------------------


def _label(appeal: Appeal) -> str:
    return _("appeal №{number} ({building}, {category})").format(
        number=appeal.number, building=escape(appeal.building.code), category=labels.category(appeal.category)
    )


def first_response_label(appeal: Appeal) -> str:
    return _("reminder that {appeal} had no first response").format(appeal=_label(appeal))


def due_soon_label(appeal: Appeal) -> str:
    return _("reminder of the approaching deadline of {appeal}").format(appeal=_label(appeal))


def study_notice_label(appeal: Appeal) -> str:
    return _("reminder to tell the author of {appeal} whether it needs further study").format(appeal=_label(appeal))


def overdue_label(appeal: Appeal) -> str:
    return _("daily reminder that {appeal} is overdue").format(appeal=_label(appeal))


def escalation_label(appeal: Appeal) -> str:
    return _("escalation of overdue {appeal}").format(appeal=_label(appeal))
