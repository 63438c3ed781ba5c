"""Meetings of an inspector with the residents of their buildings: the date people type, publishing, changes, RSVPs, results.

Everything sent to building chats goes through the outbox. Per chat a meeting has one announcement (a delivery
in the meeting's batch, kind "meeting"), later edited in place; a change or a cancellation is a short message of
its own, in a batch of its own, so the author gets a delivery report for each. The announcement is pinned where
the bot may and unpinned by a delivery scheduled for the meeting's end.

No aiogram here: texts are rendered by the `MeetingRender` the handler passes in, in each chat's language.
"""

from __future__ import annotations

from bot.services.meetings.common import (
    AGENDA_LIMIT,
    DURATION,
    KIND_CANCELLED,
    KIND_CHANGED,
    PLACE_LIMIT,
    Announcement,
    Cancelled,
    Changed,
    Counts,
    MeetingClosed,
    MeetingOver,
    MeetingRender,
    MeetingText,
    StaleMeeting,
    Withdrawn,
)
from bot.services.meetings.lists import Listed, answers_of, building_upcoming, staff_upcoming, staff_view
from bot.services.meetings.publishing import (
    Changes,
    Draft,
    Published,
    Targets,
    cancel,
    changed_copy,
    draft_meeting,
    edit,
    for_staff,
    publish,
    targets,
)
from bot.services.meetings.results import (
    ATTENDANCE_LIMIT,
    MINUTES_LIMIT,
    PER_MEETING_LIMIT,
    AlreadyRecorded,
    MeetingCancelled,
    NotStartedYet,
    Results,
    attendance,
    meeting_proposals,
    minutes,
    record_meeting,
    recordable,
)
from bot.services.meetings.rsvp import answer
from bot.services.meetings.times import BadWhen, WhenProblem, clean_agenda, clean_place, parse_when

__all__ = [
    "AGENDA_LIMIT",
    "ATTENDANCE_LIMIT",
    "DURATION",
    "KIND_CANCELLED",
    "KIND_CHANGED",
    "MINUTES_LIMIT",
    "PER_MEETING_LIMIT",
    "PLACE_LIMIT",
    "AlreadyRecorded",
    "Announcement",
    "BadWhen",
    "Cancelled",
    "Changed",
    "Changes",
    "Counts",
    "Draft",
    "Listed",
    "MeetingCancelled",
    "MeetingClosed",
    "MeetingOver",
    "MeetingRender",
    "MeetingText",
    "NotStartedYet",
    "Published",
    "Results",
    "StaleMeeting",
    "Targets",
    "WhenProblem",
    "Withdrawn",
    "answer",
    "answers_of",
    "attendance",
    "building_upcoming",
    "cancel",
    "changed_copy",
    "clean_agenda",
    "clean_place",
    "draft_meeting",
    "edit",
    "for_staff",
    "meeting_proposals",
    "minutes",
    "parse_when",
    "publish",
    "record_meeting",
    "recordable",
    "staff_upcoming",
    "staff_view",
    "targets",
]
