"""The date and time people type, the place and the agenda."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError, InvalidValue
from bot.services.meetings.common import (
    AGENDA_LIMIT,
    HORIZON,
    LONG_PAST,
    PLACE_LIMIT,
)


class WhenProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_DATE = "no_date"
    NO_TIME = "no_time"
    NO_SUCH_DATE = "no_such_date"
    NO_SUCH_TIME = "no_such_time"
    PAST = "past"
    TOO_FAR = "too_far"


class BadWhen(DomainError):
    def __init__(self, problem: WhenProblem, fragment: str = "") -> None:
        super().__init__(f"{problem.value}: {fragment!r}")
        self.problem = problem
        self.fragment = fragment


# Words people put between the date and the time ("25.11 в 19:00", "on 25.11 at 19:00", "25.11.2026 г.").
_FILLERS = frozenset({"в", "во", "at", "on", "г", "г.", "года", "год", "soat", "da", "сағат", "сағ", "сағ."})
_SEPARATORS = re.compile(r"[\s,;]+")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_HOUR = re.compile(r"\d{1,2}")
_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\.?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class _Date:
    day: int
    month: int
    year: int | None


def _as_date(token: str) -> _Date | None:
    if match := _ISO_DATE.fullmatch(token):
        return _Date(int(match[3]), int(match[2]), int(match[1]))
    if match := _DATE.fullmatch(token):
        year = match[4]
        if year is not None and len(year) == 2:
            year = "20" + year
        return _Date(int(match[1]), int(match[3]), int(year) if year else None)
    return None


def _as_time(token: str) -> tuple[int, int] | None:
    if match := _TIME.fullmatch(token):
        return int(match[1]), int(match[2])
    if _HOUR.fullmatch(token):
        return int(token), 0
    return None


def _valid_time(hour_minute: tuple[int, int]) -> bool:
    hour, minute = hour_minute
    return 0 <= hour <= 23 and 0 <= minute <= 59


def _valid_date(when: _Date) -> bool:
    try:
        date(when.year or 2024, when.month, when.day)  # 2024: a leap year, so 29.02 passes until the year is known
    except ValueError:
        return False
    return True


def parse_when(text: str, *, now: datetime, zone: str) -> datetime:
    """The moment (aware, UTC) meant by a date and time typed in the building's zone; BadWhen otherwise.

    Takes "25.11 19:00", "25.11.2026 19:00", "25.11.26 19:00", "25/11 19:00", "25-11-2026 19:00",
    "2026-11-25 19:00", "25.11 19.00", "19:00 25.11", "25.11 в 19:00", "25.11 19". Without a year it is this
    year, or the next one when the date is long past this year. A past moment, or one more than a year ahead,
    is refused too.
    """
    tokens = [token for token in _SEPARATORS.split(text.strip().lower()) if token and token not in _FILLERS]
    if len(tokens) == 1:
        only = tokens[0]
        found_date = _as_date(only)
        if found_date is not None and _valid_date(found_date):
            raise BadWhen(WhenProblem.NO_TIME, only)
        if _as_time(only) is not None:
            raise BadWhen(WhenProblem.NO_DATE, only)
    if len(tokens) != 2:
        raise BadWhen(WhenProblem.UNREADABLE, text.strip())
    readings = []
    for date_token, time_token in (tokens, tokens[::-1]):
        found_date, found_time = _as_date(date_token), _as_time(time_token)
        if found_date is not None and found_time is not None:
            readings.append((found_date, found_time, date_token, time_token))
    if not readings:
        raise BadWhen(WhenProblem.UNREADABLE, text.strip())
    # "12.11 10.30" reads both ways only in theory; a reading whose values exist wins, the date first.
    readings.sort(key=lambda r: not (_valid_date(r[0]) and _valid_time(r[1])))
    found_date, found_time, date_token, time_token = readings[0]
    if not _valid_date(found_date):
        raise BadWhen(WhenProblem.NO_SUCH_DATE, date_token)
    if not _valid_time(found_time):
        raise BadWhen(WhenProblem.NO_SUCH_TIME, time_token)
    tz = ZoneInfo(zone)
    day = _with_year(found_date, now.astimezone(tz).date(), date_token)
    local = datetime.combine(day, time(*found_time), tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadWhen(WhenProblem.NO_SUCH_TIME, time_token)  # skipped by a clock change in that zone
    check_when(moment, now)
    return moment


def _with_year(found: _Date, today: date, token: str) -> date:
    if found.year is not None:
        try:
            return date(found.year, found.month, found.day)
        except ValueError:
            raise BadWhen(WhenProblem.NO_SUCH_DATE, token) from None
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, found.month, found.day)
        except ValueError:
            continue  # 29.02 in a year that has none
        if candidate >= today - LONG_PAST:
            return candidate
    raise BadWhen(WhenProblem.NO_SUCH_DATE, token)


def check_when(moment: datetime, now: datetime) -> None:
    if moment <= now:
        raise BadWhen(WhenProblem.PAST)
    if moment > now + HORIZON:
        raise BadWhen(WhenProblem.TOO_FAR)


def clean_place(raw: str) -> str:
    value = " ".join(raw.split())
    if not value or len(value) > PLACE_LIMIT:
        raise InvalidValue("place", raw)
    return value


def clean_agenda(raw: str) -> str:
    """Lines kept (an agenda is often a list), blank runs squeezed, trimmed, within the limit."""
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not value or len(value) > AGENDA_LIMIT:
        raise InvalidValue("agenda", raw)
    return value
