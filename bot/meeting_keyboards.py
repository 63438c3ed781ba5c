"""Buttons of meetings. Callback data carries the meeting's id and an action; rights are checked on the server."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MeetingCb(CallbackData, prefix="mt"):
    # yes, no (RSVP in a building chat); open, edit, cancel (the inspector's /meetings); results (record it as held)
    action: str
    meeting_id: int
