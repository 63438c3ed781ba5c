"""Renderers of reminders: what the scheduler says to chats, residents, inspectors and administrators."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.ui.formatting import local_datetime, time_ahead
from bot.ui.meetings.cards import when
from models import Meeting


def missed(lines: list[str]) -> str:
    heading = _("⏳ The bot was not running when these reminders were due, so they were not sent:")
    return "\n".join([heading, *(f"• {line}" for line in lines)])


def missed_line(due: datetime, timezone: str, what: str) -> str:
    return _("{due} — {what}").format(due=local_datetime(due, timezone), what=what)


def meeting_soon(meeting: Meeting, timezone: str, left: timedelta) -> str:
    """To a building chat, or privately to a resident who said they will come; `left` is the time to its start."""
    unit, count = time_ahead(left)
    if unit == "day":
        ahead = _("in {count} day", "in {count} days", count).format(count=count)
    else:
        ahead = _("in {count} hour", "in {count} hours", count).format(count=count)
    return _("⏰ <b>Reminder: the meeting with the district inspector is {ahead}.</b>\n🕖 {when}\n📍 {place}").format(
        ahead=ahead, when=when(meeting.starts_at, timezone), place=escape(meeting.place)
    )


def meeting_reminder_label(meeting: Meeting, timezone: str, chat_title: str | None) -> str:
    """The reminder, named in an inspector's list of missed ones."""
    if chat_title is not None:
        return _("reminder to the chat «{chat}» of the meeting on {when}").format(
            chat=escape(chat_title), when=local_datetime(meeting.starts_at, timezone)
        )
    return _("reminder to a resident of the meeting on {when}").format(when=local_datetime(meeting.starts_at, timezone))
