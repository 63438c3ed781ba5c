"""Shapes of the values people type: building codes, phones, free text with a length limit."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.errors import InvalidValue

# Latin letters, digits, "-" and "_": the code goes into the t.me deep link, which allows nothing else.
_CODE_RE = re.compile(r"^[A-Z0-9_-]{1,32}$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{4,19}$")
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_TELEGRAM_ID_RE = re.compile(r"^[0-9]{1,16}$")
MAX_TELEGRAM_ID = 2**52  # Telegram's user ids fit in 52 bits
# A flat: letters (any alphabet), ASCII digits, "/", "-" and spaces ("12", "12А", "5/2"); nothing a spreadsheet
# could take for a formula, nothing that renders as markup.
_FLAT_RE = re.compile(r"^(?:[^\W\d_]|[0-9/ -])+$")

LIMITS = {
    "address": 256,
    "district": 128,
    "full_name": 128,
    "rank": 64,
    "reception_point": 256,
    "reception_hours": 128,
    "flat": 16,
}


def building_code(raw: str) -> str:
    code = raw.strip().upper()
    if not _CODE_RE.match(code):
        raise InvalidValue("code", raw)
    return code


def phone(raw: str) -> str:
    value = raw.strip()
    if not _PHONE_RE.match(value):
        raise InvalidValue("phone", raw)
    return value


def telegram_id(raw: str) -> int:
    value = raw.strip()
    if not _TELEGRAM_ID_RE.match(value) or not 0 < int(value) < MAX_TELEGRAM_ID:
        raise InvalidValue("telegram_id", raw)
    return int(value)


def flat(raw: str) -> str:
    value = text("flat", raw)
    if not _FLAT_RE.match(value):
        raise InvalidValue("flat", raw)
    return value


def timezone(raw: str) -> str:
    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("timezone", raw) from None
    return value


def text(field: str, raw: str) -> str:
    """One line of free text, trimmed, within the column's limit."""
    value = " ".join(raw.split())
    if not value or len(value) > LIMITS[field]:
        raise InvalidValue(field, raw)
    return value
