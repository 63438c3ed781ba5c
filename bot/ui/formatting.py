"""Dates and numbers in the reader's language, times in the building's time zone (Babel)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import get_i18n
from babel import Locale
from babel.dates import format_date, format_datetime, format_time


def locale() -> Locale:
    """The reader's locale for Babel's dates and numbers: the language the update is handled in."""
    return _parsed(get_i18n().current_locale)


@functools.cache
def _parsed(identifier: str) -> Locale:
    # Babel parses a locale given by name on every call; a scheduler tick formats a date for each of thousands of
    # reminders.
    return Locale.parse(identifier)


def local_datetime(moment: datetime, timezone: str) -> str:
    """25 November 2026, 19:00 — in the building's zone and the reader's language."""
    return format_datetime(moment.astimezone(ZoneInfo(timezone)), "d MMMM y, HH:mm", locale=locale())


def local_date(moment: datetime, timezone: str) -> str:
    return format_date(moment.astimezone(ZoneInfo(timezone)), "d MMMM y", locale=locale())


def day(value: date) -> str:
    """A calendar day (a statutory date) in the reader's language."""
    return format_date(value, "d MMMM y", locale=locale())


def time_ahead(left: timedelta) -> tuple[str, int]:
    """("day", n) or ("hour", n): a time left, rounded to the nearest hour, in days from 20 hours on.

    Reminders are planned to the minute but sent on a scheduler tick, so "2 days before" is 47 h 59 min by the
    time it goes: rounding (not truncating) keeps it "2 days", in every reminder alike.
    """
    hours = max(1, round(left.total_seconds() / 3600))
    if hours >= 20:
        return "day", max(1, round(hours / 24))
    return "hour", hours


def local_time(moment: datetime, timezone: str) -> str:
    """14:05 — in the building's zone."""
    return format_time(moment.astimezone(ZoneInfo(timezone)), "HH:mm", locale=locale())


def first_of(names: Sequence[str], limit: int, more: Callable[[int], str]) -> str:
    """The first `limit` names, comma-separated, then what `more` says of how many are left out (if any)."""
    shown = ", ".join(names[:limit])
    hidden = len(names) - limit
    return f"{shown} {more(hidden)}" if hidden > 0 else shown
