"""Buttons of meetings. Callback data carries the meeting's id and an action; rights are checked on the server."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services.meetings import Counts, Listed
from bot.ui import keyboards
from bot.ui.callbacks import DraftStep, MeetingAction, MeetingCb, MeetingDraftCb, PlanMeetingCb
from bot.ui.formatting import local_datetime
from bot.ui.keyboards import Keyboard

OPEN_BUTTONS = 20


def rsvp(meeting_id: int, counts: Counts) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("✅ I will come ({count})").format(count=counts.yes),
        callback_data=MeetingCb(action=MeetingAction.YES, meeting_id=meeting_id),
    )
    builder.button(
        text=_("❌ I cannot ({count})").format(count=counts.no),
        callback_data=MeetingCb(action=MeetingAction.NO, meeting_id=meeting_id),
    )
    return builder.as_markup()


def preview() -> InlineKeyboardMarkup:
    return keyboards.buttons(
        (_("📣 Publish"), MeetingDraftCb(step=DraftStep.PUBLISH)),
        (_("✏️ Time"), MeetingDraftCb(step=DraftStep.TIME)),
        (_("✏️ Place"), MeetingDraftCb(step=DraftStep.PLACE)),
        (_("✏️ Agenda"), MeetingDraftCb(step=DraftStep.AGENDA)),
        (_("Cancel"), MeetingDraftCb(step=DraftStep.DROP)),
        rows=(1, 3, 1),
    )


def plan_meeting(inspector_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("📅 Plan a meeting"), callback_data=PlanMeetingCb(inspector_id=inspector_id))
    return builder.as_markup()


def confirm_change() -> InlineKeyboardMarkup:
    return keyboards.buttons(
        (_("✅ Save and tell the chats"), MeetingDraftCb(step=DraftStep.SAVE)),
        (_("Cancel"), MeetingDraftCb(step=DraftStep.DROP)),
    )


def staff_card(listed: Listed) -> InlineKeyboardMarkup:
    meeting_id = listed.meeting.id
    builder = Keyboard()
    if listed.past:
        builder.button(
            text=_("📝 Record results"), callback_data=MeetingCb(action=MeetingAction.RESULTS, meeting_id=meeting_id)
        )
    builder.button(text=_("✏️ Edit"), callback_data=MeetingCb(action=MeetingAction.EDIT, meeting_id=meeting_id))
    builder.button(
        text=_("❌ Cancel the meeting"), callback_data=MeetingCb(action=MeetingAction.CANCEL, meeting_id=meeting_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def fields(meeting_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("🕖 Time"), callback_data=MeetingCb(action=MeetingAction.EDIT_TIME, meeting_id=meeting_id))
    builder.button(text=_("📍 Place"), callback_data=MeetingCb(action=MeetingAction.EDIT_PLACE, meeting_id=meeting_id))
    builder.button(
        text=_("📝 Agenda"), callback_data=MeetingCb(action=MeetingAction.EDIT_AGENDA, meeting_id=meeting_id)
    )
    builder.button(text=_("« Back"), callback_data=MeetingCb(action=MeetingAction.BACK, meeting_id=meeting_id))
    builder.adjust(3, 1)
    return builder.as_markup()


def confirm_cancel(meeting_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("Yes, cancel it"), callback_data=MeetingCb(action=MeetingAction.CANCEL_OK, meeting_id=meeting_id)
    )
    builder.button(text=_("No, keep it"), callback_data=MeetingCb(action=MeetingAction.BACK, meeting_id=meeting_id))
    builder.adjust(1)
    return builder.as_markup()


def listing(items: list[Listed]) -> InlineKeyboardMarkup | None:
    """One button per meeting of /meetings, opening its card."""
    if not items:
        return None
    builder = Keyboard()
    for item in items[:OPEN_BUTTONS]:
        meeting = item.meeting
        codes = ", ".join(b.code for b in meeting.buildings[:2])
        label = f"{local_datetime(meeting.starts_at, meeting.timezone)} · {codes}"
        builder.button(text=label[:60], callback_data=MeetingCb(action=MeetingAction.OPEN, meeting_id=meeting.id))
    builder.adjust(1)
    return builder.as_markup()
