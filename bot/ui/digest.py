"""Renderers of the week: the inspector's weekly digest, the weekly post in building chats, and /chat_week.

Counts and dates go through Babel in the reader's language, times in the reader's zone; every value a person typed
(addresses, codes, places) is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.services.parts import Buttons
from bot.ui import keyboards
from bot.ui.callbacks import ChatWeekCb
from bot.ui.formatting import local_date, local_datetime, locale
from bot.ui.meetings.cards import when
from models import Meeting

WALK_SHOWN = 30  # buildings listed on the weekly walk; more are counted
MEETINGS_SHOWN = 10
SHORT_PLACE = 80


@dataclass(frozen=True)
class Upcoming:
    meeting: Meeting
    coming: int  # residents who answered "I will come"


@dataclass(frozen=True)
class Digest:
    """One inspector's week, as plain figures."""

    zone: str
    open: int
    overdue: int
    new: int
    meetings: list[Upcoming] = field(default_factory=list)
    proposals: int = 0
    buildings: list[tuple[str, str]] = field(default_factory=list)  # (code, address), by code
    chat_week: bool = True


def number(value: int) -> str:
    return format_decimal(value, locale=locale())


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the inspector's weekly digest ---------------------------------------------------------------


def digest(week: Digest, now: datetime) -> str:
    blocks = [_("🗓 <b>Your week from {date}</b>").format(date=local_date(now, week.zone))]
    blocks.append("\n".join(_appeals(week)))
    blocks.append("\n".join(_meetings(week)))
    if week.proposals:
        blocks.append(
            _(
                "💡 {count} proposal from residents waits for your decision",
                "💡 {count} proposals from residents wait for your decision",
                week.proposals,
            ).format(count=number(week.proposals))
        )
    else:
        blocks.append(_("💡 No proposals from residents are waiting."))
    blocks.append("\n".join(_walk(week.buildings)))
    return "\n\n".join(blocks)


def _appeals(week: Digest) -> list[str]:
    lines = [
        _("📨 {count} open appeal", "📨 {count} open appeals", week.open).format(count=number(week.open)),
    ]
    if week.overdue:
        lines.append(_("⚠️ {count} overdue", "⚠️ {count} overdue", week.overdue).format(count=number(week.overdue)))
    lines.append(
        _("🆕 {count} new in the last 7 days", "🆕 {count} new in the last 7 days", week.new).format(
            count=number(week.new)
        )
    )
    if week.open:
        lines.append(_("The queue, by deadline: /queue"))
    return lines


def _meetings(week: Digest) -> list[str]:
    if not week.meetings:
        return [_("📅 No meetings in the next 7 days. Announce one: /meeting")]
    lines = [_("📅 <b>Meetings in the next 7 days</b>")]
    for item in week.meetings[:MEETINGS_SHOWN]:
        lines.append(
            _("• {when} — {place} · {coming}").format(
                when=local_datetime(item.meeting.starts_at, item.meeting.timezone),
                place=escape(_short(item.meeting.place, SHORT_PLACE)),
                coming=_("{count} will come", "{count} will come", item.coming).format(count=number(item.coming)),
            )
        )
    rest = len(week.meetings) - MEETINGS_SHOWN
    if rest > 0:
        lines.append(_("… and {count} more", "… and {count} more", rest).format(count=number(rest)))
    return lines


def _walk(buildings: list[tuple[str, str]]) -> list[str]:
    lines = [_("🚶 <b>The weekly walk of your territory</b>")]
    if not buildings:
        lines.append(_("You have no buildings assigned yet."))
        return lines
    lines += [f"☐ {escape(code)} — {escape(address)}" for code, address in buildings[:WALK_SHOWN]]
    rest = len(buildings) - WALK_SHOWN
    if rest > 0:
        lines.append(_("… and {count} more building", "… and {count} more buildings", rest).format(count=number(rest)))
    return lines


def digest_buttons(chat_week: bool) -> Buttons:
    return keyboards.stored(chat_week_markup(chat_week, card=False))


def digest_label(due: datetime, zone: str) -> str:
    """The digest, named in the inspector's list of missed reminders."""
    return _("the weekly digest of {date}").format(date=local_date(due, zone))


# --- /chat_week: the weekly post in the inspector's building chats -------------------------------


def chat_week_state(on: bool) -> str:
    if on:
        return _(
            "🔔 The weekly post in your buildings' chats is <b>on</b>: in a week with a meeting coming, each chat "
            "hears of it."
        )
    return _("🔕 The weekly post in your buildings' chats is <b>off</b>.")


def chat_week_markup(on: bool, *, card: bool) -> InlineKeyboardMarkup:
    """The button that turns it the other way."""
    text = _("🔕 Turn the weekly chat post off") if on else _("🔔 Turn the weekly chat post on")
    data = ChatWeekCb(on=not on, card=card).pack()
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)]])


def chat_week_changed(on: bool) -> str:
    """The pop-up after a press under the digest."""
    return _("The weekly chat post is on.") if on else _("The weekly chat post is off.")


def not_an_inspector() -> str:
    return _("Only a district inspector with buildings of their own can turn the weekly chat post on or off.")


# --- the weekly post in a building chat ----------------------------------------------------------


def week_post(meetings: list[Meeting], zone: str) -> str:
    """To a building chat, in its language: what is coming up in the next 7 days."""
    blocks = [_("📅 <b>Coming up this week with your district inspector</b>")]
    for meeting in meetings[:MEETINGS_SHOWN]:
        blocks.append(
            _("👥 Meeting with residents\n🕖 {when}\n📍 {place}").format(
                when=when(meeting.starts_at, zone), place=escape(meeting.place)
            )
        )
    blocks.append(_("/meetings shows the details and lets you say whether you will come."))
    return "\n\n".join(blocks)


def week_post_label(chat_title: str | None) -> str:
    if chat_title is None:
        return _("the weekly post in a building chat")
    return _("the weekly post in the chat «{chat}»").format(chat=escape(chat_title))
