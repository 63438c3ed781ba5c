"""Every kind of reminder the scheduler knows, built from the settings."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from scheduler.engine import Kind
from scheduler.kinds.appeals import appeal_kinds
from scheduler.kinds.cadence import cadence_kinds
from scheduler.kinds.digest import WeeklyChatPost, WeeklyDigest
from scheduler.kinds.meetings import MeetingChatReminders, MeetingResidentReminders


def all_kinds(settings: Settings) -> list[Kind[Any]]:
    return [
        MeetingChatReminders(settings),
        MeetingResidentReminders(settings),
        WeeklyDigest(settings),
        WeeklyChatPost(settings),
        *appeal_kinds(settings),
        *cadence_kinds(settings),
    ]
