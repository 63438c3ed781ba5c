"""Calendar files (.ics, RFC 5545) for meetings: one event whose UID stays and whose SEQUENCE grows with each change.

A calendar client that imported the announcement's file takes a later file of the same UID as an update when its
SEQUENCE is higher, and removes the event on a file with METHOD:CANCEL and STATUS:CANCELLED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//inspector-bot//meetings//EN"


def uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@inspector-bot"


@dataclass(frozen=True)
class CalendarEvent:
    meeting_id: int
    sequence: int
    starts_at: datetime
    ends_at: datetime
    stamp: datetime  # when this version of the event was made
    summary: str
    location: str
    description: str
    cancelled: bool = False


def calendar(event: CalendarEvent) -> bytes:
    """The file's bytes: one VEVENT, times in UTC, plain text (no HTML)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    item = Event()
    item.add("uid", uid(event.meeting_id))
    item.add("sequence", event.sequence)
    item.add("dtstamp", event.stamp.astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", event.summary)
    item.add("location", event.location)
    item.add("description", event.description)
    item.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()
