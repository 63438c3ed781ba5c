"""Buttons of meetings. Callback data carries the meeting's id and an action; rights are checked on the server."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.meetings import Counts, Listed
from bot.ui.formatting import local_datetime

# Actions of the inspector's card, and the steps of changing or cancelling from it.
STAFF_ACTIONS = frozenset({"open", "back", "edit", "cancel", "edit_time", "edit_place", "edit_agenda", "cancel_ok"})
RSVP_ACTIONS = frozenset({"yes", "no"})
OPEN_BUTTONS = 20


class MeetingCb(CallbackData, prefix="mt"):
    # yes, no (RSVP in a building chat); open, edit, cancel (the inspector's /meetings); results (record it as held);
    # back (to the card), edit_time, edit_place, edit_agenda (what to change), cancel_ok (the cancellation confirmed)
    action: str
    meeting_id: int


class PlanMeetingCb(CallbackData, prefix="mtp"):
    """The "Plan a meeting" button of a scheduler reminder: starts /meeting's dialog for this inspector alone."""

    inspector_id: int


class MeetingDraftCb(CallbackData, prefix="mtd"):
    """A step of the /meeting preview (publish, time, place, agenda, drop) or of a change's (save, drop)."""

    step: str


def rsvp(meeting_id: int, counts: Counts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ I will come ({count})").format(count=counts.yes),
        callback_data=MeetingCb(action="yes", meeting_id=meeting_id),
    )
    builder.button(
        text=_("❌ I cannot ({count})").format(count=counts.no),
        callback_data=MeetingCb(action="no", meeting_id=meeting_id),
    )
    return builder.as_markup()


def preview() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📣 Publish"), callback_data=MeetingDraftCb(step="publish"))
    builder.button(text=_("✏️ Time"), callback_data=MeetingDraftCb(step="time"))
    builder.button(text=_("✏️ Place"), callback_data=MeetingDraftCb(step="place"))
    builder.button(text=_("✏️ Agenda"), callback_data=MeetingDraftCb(step="agenda"))
    builder.button(text=_("Cancel"), callback_data=MeetingDraftCb(step="drop"))
    builder.adjust(1, 3, 1)
    return builder.as_markup()


def plan_meeting(inspector_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📅 Plan a meeting"), callback_data=PlanMeetingCb(inspector_id=inspector_id))
    return builder.as_markup()


def confirm_change() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Save and tell the chats"), callback_data=MeetingDraftCb(step="save"))
    builder.button(text=_("Cancel"), callback_data=MeetingDraftCb(step="drop"))
    builder.adjust(1)
    return builder.as_markup()


def staff_card(listed: Listed) -> InlineKeyboardMarkup:
    meeting_id = listed.meeting.id
    builder = InlineKeyboardBuilder()
    if listed.past:
        builder.button(text=_("📝 Record results"), callback_data=MeetingCb(action="results", meeting_id=meeting_id))
    builder.button(text=_("✏️ Edit"), callback_data=MeetingCb(action="edit", meeting_id=meeting_id))
    builder.button(text=_("❌ Cancel the meeting"), callback_data=MeetingCb(action="cancel", meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def fields(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🕖 Time"), callback_data=MeetingCb(action="edit_time", meeting_id=meeting_id))
    builder.button(text=_("📍 Place"), callback_data=MeetingCb(action="edit_place", meeting_id=meeting_id))
    builder.button(text=_("📝 Agenda"), callback_data=MeetingCb(action="edit_agenda", meeting_id=meeting_id))
    builder.button(text=_("« Back"), callback_data=MeetingCb(action="back", meeting_id=meeting_id))
    builder.adjust(3, 1)
    return builder.as_markup()


def confirm_cancel(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, cancel it"), callback_data=MeetingCb(action="cancel_ok", meeting_id=meeting_id))
    builder.button(text=_("No, keep it"), callback_data=MeetingCb(action="back", meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def listing(items: list[Listed]) -> InlineKeyboardMarkup | None:
    """One button per meeting of /meetings, opening its card."""
    if not items:
        return None
    builder = InlineKeyboardBuilder()
    for item in items[:OPEN_BUTTONS]:
        meeting = item.meeting
        codes = ", ".join(b.code for b in meeting.buildings[:2])
        label = f"{local_datetime(meeting.starts_at, meeting.timezone)} · {codes}"
        builder.button(text=label[:60], callback_data=MeetingCb(action="open", meeting_id=meeting.id))
    builder.adjust(1)
    return builder.as_markup()
