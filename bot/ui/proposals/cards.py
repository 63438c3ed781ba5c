"""Renderers and buttons of proposals and of a meeting's results. Callback data carries ids; user text is escaped."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.ui.callbacks import ProposeCb, ProposeStep, ResultsCb, ResultsStep
from bot.ui.formatting import local_datetime
from bot.ui.keyboards import Keyboard
from models import Building, Meeting

# The deep-link payload of the "write a proposal" button in building chats.
PROPOSE_PAYLOAD = "propose"
EXCERPT = 120  # characters of each proposal (and of the minutes, times three) shown in the results' summary


def meeting_line(meeting: Meeting) -> str:
    return _("{when}, {place}").format(
        when=local_datetime(meeting.starts_at, meeting.timezone), place=escape(meeting.place)
    )


def ask_attendance(meeting: Meeting) -> str:
    return (
        _("📝 Results of the meeting: {meeting}.").format(meeting=meeting_line(meeting))
        + "\n\n"
        + _("How many residents came? Send a number.")
        + "\n"
        + _("(/cancel to stop)")
    )


def results_step(step: ResultsStep, meeting_id: int, label: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=label, callback_data=ResultsCb(step=step, meeting_id=meeting_id))
    return builder.as_markup()


def results_confirm(meeting_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ Save"), callback_data=ResultsCb(step=ResultsStep.SAVE, meeting_id=meeting_id))
    builder.button(text=_("Cancel"), callback_data=ResultsCb(step=ResultsStep.CANCEL, meeting_id=meeting_id))
    return builder.as_markup()


def results_summary(meeting: Meeting, attendance: int, minutes: str | None, proposals: list[str]) -> str:
    lines = [
        _("<b>Meeting: {meeting}</b>").format(meeting=meeting_line(meeting)),
        _("Attendance: {count}").format(count=attendance),
        _("Minutes: {minutes}").format(minutes=escape(_excerpt(minutes, EXCERPT * 3)))
        if minutes
        else _("Minutes: none"),
        "",
    ]
    if proposals:
        lines.append(_("Proposals raised ({count}):").format(count=len(proposals)))
        lines += [f"{index}. {escape(_excerpt(item, EXCERPT))}" for index, item in enumerate(proposals, 1)]
    else:
        lines.append(_("No proposals raised."))
    lines += ["", _("Save the meeting as held with these results?")]
    return "\n".join(lines)


def results_saved(meeting: Meeting, proposals: int) -> str:
    return (
        _("✅ The meeting is recorded as held: {meeting}. Attendance: {attendance}.").format(
            meeting=meeting_line(meeting), attendance=meeting.attendance or 0
        )
        + " "
        + _("{count} proposal recorded.", "{count} proposals recorded.", proposals).format(count=proposals)
    )


def propose_confirm() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ Send"), callback_data=ProposeCb(step=ProposeStep.SEND))
    builder.button(text=_("Cancel"), callback_data=ProposeCb(step=ProposeStep.CANCEL))
    return builder.as_markup()


def propose_summary(building: Building, text: str) -> str:
    return (
        _("Your proposal to the inspector of building {code}:").format(code=escape(building.code))
        + "\n\n"
        + escape(text)
        + "\n\n"
        + _("Send it?")
    )


def to_inspector(building: Building, first_name: str, text: str) -> str:
    """What the inspector reads: the building and the resident's first name only (no surname, no flat)."""
    return (
        _("💡 New proposal from {name}, a resident of {code}:").format(
            name=escape(first_name), code=escape(building.code)
        )
        + "\n\n"
        + escape(text)
    )


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
