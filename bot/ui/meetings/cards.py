"""Renderers of meetings: the announcement and what follows it, the calendar file, the inspector's card and lists.

Dates and times are shown with Babel in the reader's language, in the reader's building's zone; every value a
person typed (place, agenda, names, addresses) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from bot.services import parts
from bot.services.meetings import (
    AGENDA_LIMIT,
    DURATION,
    KIND_CANCELLED,
    KIND_CHANGED,
    PLACE_LIMIT,
    Announcement,
    BadWhen,
    Cancelled,
    Changed,
    Counts,
    Listed,
    MeetingText,
    Targets,
    WhenProblem,
    Withdrawn,
)
from bot.services.render import Reader
from bot.ui import keyboards
from bot.ui.formatting import first_of, local_datetime, locale
from bot.ui.meetings import ics
from bot.ui.meetings import keyboards as meeting_keyboards
from models import Building, Meeting, MeetingStatus, RsvpAnswer

ADDRESSES = 5  # more buildings than this are counted, not listed
SHORT_AGENDA = 300
SHORT_PLACE = 80


def when(moment: datetime, timezone: str) -> str:
    """Wednesday, 25 November 2026, 19:00 — in that zone, in the reader's language."""
    return format_datetime(moment.astimezone(ZoneInfo(timezone)), "EEEE, d MMMM y, HH:mm", locale=locale())


def zone_label(timezone: str, moment: datetime) -> str:
    """Asia/Almaty (GMT+05:00)."""
    offset = format_datetime(moment.astimezone(ZoneInfo(timezone)), "ZZZZ", locale="en")
    return f"{timezone} ({offset})"


def _sample_day(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone)) + timedelta(days=2)


def example(now: datetime, timezone: str) -> str:
    """A date and time as people type them, two days from now: 25.11 19:00."""
    return _sample_day(now, timezone).strftime("%d.%m") + " 19:00"


def ask_when(now: datetime, timezone: str) -> str:
    return _(
        "When is the meeting? Type the date and time, for example <code>{example}</code> or "
        "<code>{example_with_year}</code>. The time is {zone} time."
    ).format(
        example=example(now, timezone),
        example_with_year=_sample_day(now, timezone).strftime("%d.%m.%Y") + " 19:00",
        zone=zone_label(timezone, now),
    )


def when_problem(problem: BadWhen, now: datetime, timezone: str) -> str:
    """Why a typed date and time is refused, and how to type it."""
    fragment = escape(problem.fragment)
    sample = example(now, timezone)
    if problem.problem == WhenProblem.NO_DATE:
        return _("Please add the date too, like this: <code>{example}</code>.").format(example=sample)
    if problem.problem == WhenProblem.NO_TIME:
        return _("Please add the time too, like this: <code>{example}</code>.").format(example=sample)
    if problem.problem == WhenProblem.NO_SUCH_DATE:
        return _("There is no such date: {date}. Please check the day and the month.").format(date=fragment)
    if problem.problem == WhenProblem.NO_SUCH_TIME:
        return _("There is no such time: {time}. Hours go from 0 to 23, minutes from 00 to 59.").format(time=fragment)
    if problem.problem == WhenProblem.PAST:
        return _("That time has already passed ({zone} time). Please give a time in the future.").format(
            zone=zone_label(timezone, now)
        )
    if problem.problem == WhenProblem.TOO_FAR:
        return _("That is more than a year ahead. Please give a date within a year.")
    return _(
        "I could not read a date and time in «{text}». Please type them like this: <code>{example}</code>."
    ).format(text=fragment, example=sample)


def ask_place() -> str:
    return _("Where will it be? Type the place, for example: Abay ave 10, the yard by entrance 2.")


def bad_place() -> str:
    return _("Please type the place in one line, up to {limit} characters.").format(limit=PLACE_LIMIT)


def ask_agenda() -> str:
    return _("What is on the agenda? Type it as one message; a list is fine.")


def bad_agenda() -> str:
    return _("Please type the agenda as text, up to {limit} characters.").format(limit=AGENDA_LIMIT)


def _when_for(meeting: Meeting, timezone: str) -> str:
    shown = when(meeting.starts_at, timezone)
    if timezone != meeting.timezone:
        shown += f" — {zone_label(timezone, meeting.starts_at)}"
    return shown


def _addresses(buildings: list[Building]) -> str:
    return first_of(
        [escape(b.address) for b in buildings],
        ADDRESSES,
        lambda hidden: _("and {count} more building", "and {count} more buildings", hidden).format(count=hidden),
    )


def _inspector(meeting: Meeting) -> str:
    inspector = meeting.inspector
    if inspector is None:
        return ""
    return "\n" + _("👮 {name}, {rank}").format(name=escape(inspector.full_name), rank=escape(inspector.rank))


def announcement(meeting: Meeting, timezone: str) -> str:
    return _(
        "📅 <b>Meeting with the district inspector</b>\n\n"
        "🕖 <b>{when}</b>\n"
        "📍 {place}{inspector}\n"
        "🏢 For the residents of: {addresses}\n\n"
        "<b>Agenda</b>\n{agenda}\n\n"
        "Will you come? Answer with the buttons below. To ask the inspector a question, reply to this message."
    ).format(
        when=_when_for(meeting, timezone),
        place=escape(meeting.place),
        inspector=_inspector(meeting),
        addresses=_addresses(meeting.buildings),
        agenda=escape(meeting.agenda),
    )


def withdrawn(meeting: Meeting, timezone: str) -> str:
    """The announcement once the meeting is cancelled (its buttons go)."""
    return _("❌ <b>The meeting with the district inspector is cancelled.</b>\n<s>🕖 {when}\n📍 {place}</s>").format(
        when=_when_for(meeting, timezone), place=escape(meeting.place)
    )


def changed(meeting: Meeting, timezone: str, fields: frozenset[str]) -> str:
    lines = [_("✏️ <b>The meeting with the district inspector has changed.</b>")]
    shown_when = _when_for(meeting, timezone)
    place = escape(meeting.place)
    lines.append(
        _("🕖 New time: <b>{when}</b>").format(when=shown_when)
        if "time" in fields
        else _("🕖 {when}").format(when=shown_when)
    )
    lines.append(_("📍 New place: {place}").format(place=place) if "place" in fields else f"📍 {place}")
    if "agenda" in fields:
        lines.append(_("📝 The new agenda:\n{agenda}").format(agenda=escape(meeting.agenda)))
    lines.append(_("The announcement is updated. Open the calendar file below to update the meeting in your calendar."))
    return "\n".join(lines)


def cancelled(meeting: Meeting, timezone: str) -> str:
    return _(
        "❌ <b>The meeting with the district inspector on {when} is cancelled.</b>\n"
        "📍 {place}\n"
        "Open the calendar file below to remove it from your calendar."
    ).format(when=_when_for(meeting, timezone), place=escape(meeting.place))


def calendar(meeting: Meeting) -> bytes:
    """The meeting's .ics in the current language: plain text, no HTML."""
    description = meeting.agenda
    if meeting.inspector is not None:
        inspector = meeting.inspector
        description += "\n\n" + _("District inspector: {name}, {phone}").format(
            name=inspector.full_name, phone=inspector.phone
        )
    return ics.calendar(
        ics.CalendarEvent(
            meeting_id=meeting.id,
            sequence=meeting.sequence,
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at + DURATION,
            stamp=meeting.created_at,
            summary=_("Meeting with the district inspector"),
            location=meeting.place,
            description=description,
            cancelled=meeting.status == MeetingStatus.CANCELLED,
        )
    )


def title(meeting: Meeting, kind: str) -> str:
    """The batch's line in the author's delivery report (plain text: the report escapes it)."""
    values = {"when": local_datetime(meeting.starts_at, meeting.timezone), "place": meeting.place}
    if kind == KIND_CHANGED:
        return _("Meeting changed: {when}, {place}").format(**values)
    if kind == KIND_CANCELLED:
        return _("Meeting cancelled: {when}, {place}").format(**values)
    return _("Meeting on {when}, {place}").format(**values)


class ChatCards:
    """The service's `MeetingRender`: each text in the reading chat's language and zone; those sent as messages
    carry the calendar file, and the announcement is pinned and routes replies to the inspector."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    def title(self, meeting: Meeting, kind: str) -> str:
        return title(meeting, kind)

    def __call__(self, subject: MeetingText, reader: Reader, /) -> list[parts.Part]:
        meeting, zone = subject.meeting, reader.timezone
        with self._i18n.use_locale(reader.locale):
            match subject:
                case Announcement(counts=counts):
                    buttons = keyboards.stored(meeting_keyboards.rsvp(meeting.id, counts))
                    message = parts.message(announcement(meeting, zone), buttons=buttons, pin=True, link=True)
                case Withdrawn():
                    return parts.message(withdrawn(meeting, zone))
                case Changed(fields=fields):
                    message = parts.message(changed(meeting, zone, fields))
                case Cancelled():
                    message = parts.message(cancelled(meeting, zone))
            return [*message, parts.Media("document", filename="meeting.ics", data=calendar(meeting)).part(None)]


# --- the inspector's side -----------------------------------------------------------------------


def _answers(counts: Counts) -> str:
    return _("✅ {will_come} · ❌ {cannot}").format(
        will_come=_("{count} will come", "{count} will come", counts.yes).format(count=counts.yes),
        cannot=_("{count} cannot", "{count} cannot", counts.no).format(count=counts.no),
    )


def _codes(buildings: Iterable[Building]) -> str:
    return ", ".join(escape(b.code) for b in buildings)


def preview(meeting: Meeting, chosen: Targets) -> str:
    lines = [
        _("<b>Preview.</b> The building chats will get this announcement with a calendar file:"),
        "",
        announcement(meeting, meeting.timezone),
        "",
    ]
    chats = [
        _("{code} ({count} chat)", "{code} ({count} chats)", n).format(code=escape(b.code), count=n)
        for b in chosen.buildings
        for n in [sum(1 for chat in b.chats if chat.active)]
    ]
    lines.append(_("🏢 Buildings: {list}").format(list=", ".join(chats)))
    if chosen.mixed:
        lines.append(
            _(
                "🕐 The time is in {zone}, the zone of {code}. Some of the chosen buildings are in another zone: "
                "their chats see the time in their own zone."
            ).format(zone=zone_label(chosen.timezone, meeting.starts_at), code=escape(chosen.buildings[0].code))
        )
    if not chosen.chats:
        lines.append(
            _(
                "⚠️ None of these buildings has a connected chat, so no chat will be told. "
                "Residents will still see the meeting in /meetings."
            )
        )
    return "\n".join(lines)


def staff_card(listed: Listed) -> str:
    meeting = listed.meeting
    lines = [
        _("📅 <b>{when}</b>, {zone}").format(
            when=when(meeting.starts_at, meeting.timezone), zone=zone_label(meeting.timezone, meeting.starts_at)
        ),
        _("📍 {place}").format(place=escape(meeting.place)),
        _("🏢 {codes}").format(codes=_codes(meeting.buildings)),
        _("📝 {agenda}").format(agenda=escape(meeting.agenda)),
        _answers(listed.counts),
    ]
    if listed.past:
        lines.append(_("⏰ Its time has passed: record the results."))
    return "\n".join(lines)


def staff_list(items: list[Listed]) -> str:
    if not items:
        return _("You have no planned meetings. /meeting announces one.")
    lines = [_("<b>Planned meetings</b>: {count}").format(count=len(items))]
    for number, item in enumerate(items, 1):
        meeting = item.meeting
        mark = _(" · ⏰ results not recorded") if item.past else ""
        lines.append(
            _("<b>{number}.</b> {when} · {codes}\n📍 {place} · {answers}{mark}").format(
                number=number,
                when=local_datetime(meeting.starts_at, meeting.timezone),
                codes=_codes(meeting.buildings),
                place=escape(_short(meeting.place, SHORT_PLACE)),
                answers=_answers(item.counts),
                mark=mark,
            )
        )
    lines.append(_("Open a meeting to change or cancel it."))
    return "\n\n".join(lines)


# --- residents and building chats --------------------------------------------------------------


def _short(text: str, limit: int = SHORT_AGENDA) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def public_list(meetings: list[Meeting], timezone: str, answers: dict[int, str] | None = None) -> str:
    """Upcoming meetings of a building, for a resident (with their own answers) or for its chat."""
    if not meetings:
        return _("No meetings with the inspector are planned for your building yet.")
    blocks = [_("<b>Upcoming meetings with the district inspector</b>")]
    for meeting in meetings:
        block = _("📅 <b>{when}</b>\n📍 {place}\n📝 {agenda}").format(
            when=_when_for(meeting, timezone), place=escape(meeting.place), agenda=escape(_short(meeting.agenda))
        )
        answer = (answers or {}).get(meeting.id)
        if answer == RsvpAnswer.YES:
            block += "\n" + _("Your answer: you will come.")
        elif answer == RsvpAnswer.NO:
            block += "\n" + _("Your answer: you cannot come.")
        blocks.append(block)
    return "\n\n".join(blocks)
