"""The law of a building's country for citizens' appeals: kinds and terms, registration day, extension and redirect
limits, counted over the country's real calendar (weekends, public holidays, moved days off).

The rules are data: one TOML file per country next to this module (kz.toml, uz.toml), with the sources and how
sure each rule is, so a lawyer can correct them without touching code. The calendar is the `holidays` package's.
Every function takes moments as timezone-aware datetimes and reads days in the building's zone; a due date is the
end of its day there.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays

Unit = Literal["working_days", "calendar_days", "months"]
DayOff = Literal["keep", "next_working_day", "previous_working_day"]
COUNTRIES = ("KZ", "UZ")
UNITS: tuple[Unit, ...] = ("working_days", "calendar_days", "months")
END_OF_DAY = time(23, 59)


class UnknownCountry(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    amount: int
    unit: Unit

    @property
    def working(self) -> bool:
        return self.unit == "working_days"


@dataclass(frozen=True)
class Extension:
    # "head": the head of the body (an administrator in the bot) approves; "inspector": the inspector decides.
    approver: Literal["head", "inspector"]
    total_limit: Term | None  # the whole term from registration at most (KZ)
    add_limit: Term | None  # added to the term at most (UZ)
    notice: Term  # the applicant is told within this


@dataclass(frozen=True)
class Rules:
    country: str
    law: str
    timezone: str
    opens: time
    closes: time
    day_off: DayOff
    kinds: dict[str, Term]  # the first one is the default
    # Kinds whose author, if the appeal needs further study, must be told so within this term (UZ7: proposals).
    study_notices: dict[str, Term]
    extension: Extension
    redirect: Term
    redirect_bodies: tuple[str, ...]
    anonymous_considered: bool
    police: str
    single: str

    @property
    def default_kind(self) -> str:
        return next(iter(self.kinds))

    @property
    def asks_kind(self) -> bool:
        """Whether the country distinguishes kinds with different terms, so intake asks which one it is."""
        return len(self.kinds) > 1

    def kind(self, code: str | None) -> str:
        """The kind's code if the country has it, otherwise its default kind."""
        return code if code in self.kinds else self.default_kind


def _term(amount: Any, unit: Any) -> Term:
    if not isinstance(amount, int) or amount < 0 or unit not in UNITS:
        raise ValueError(f"a term needs a whole amount and a unit of {UNITS}, not {amount!r} {unit!r}")
    return Term(amount, unit)


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def _parse(data: dict[str, Any]) -> Rules:
    opens, _, closes = data["registration"]["working_hours"].partition("-")
    extension = data["extension"]
    day_off = data["deadline"]["day_off"]
    if day_off not in ("keep", "next_working_day", "previous_working_day"):
        raise ValueError(f"deadline.day_off: unknown rule {day_off!r}")
    approver = extension["approver"]
    if approver not in ("head", "inspector"):
        raise ValueError(f"extension.approver: unknown {approver!r}")
    return Rules(
        country=data["country"],
        law=data["law"],
        timezone=data["timezone"],
        opens=_clock(opens),
        closes=_clock(closes),
        day_off=day_off,
        kinds={code: _term(kind["term"], kind["unit"]) for code, kind in data["kinds"].items()},
        study_notices={
            code: _term(kind["study_notice"], kind["study_notice_unit"])
            for code, kind in data["kinds"].items()
            if "study_notice" in kind
        },
        extension=Extension(
            approver=approver,
            total_limit=_term(extension["total_limit"], extension["total_limit_unit"])
            if "total_limit" in extension
            else None,
            add_limit=_term(extension["add_limit"], extension["add_limit_unit"]) if "add_limit" in extension else None,
            notice=_term(extension["notice"], extension["notice_unit"]),
        ),
        redirect=_term(data["redirect"]["term"], data["redirect"]["unit"]),
        redirect_bodies=tuple(data["redirect"]["bodies"]),
        anonymous_considered=bool(data["anonymous"]["considered"]),
        police=str(data["emergency"]["police"]),
        single=str(data["emergency"]["single"]),
    )


@cache
def rules(country: str) -> Rules:
    """The country's rules, read once from its data file."""
    if country not in COUNTRIES:
        raise UnknownCountry(country)
    text = resources.files(__package__).joinpath(f"{country.lower()}.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))


@cache
def _calendar(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


@lru_cache(maxsize=8192)
def is_working_day(country: str, day: date) -> bool:
    """Not a weekend (unless a moved working Saturday) and not a public holiday or moved day off.

    Cached: the package's lookup is the cost of every deadline and countdown (benchmarks/law.py)."""
    calendar = _calendar(country)
    _ = day in calendar  # fills the year in, moved working days included, before asking
    return bool(calendar.is_working_day(day))


def next_working_day(country: str, day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(country, day):
        day += timedelta(days=1)
    return day


def previous_working_day(country: str, day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(country, day):
        day -= timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def add_term(country: str, start: date, term: Term) -> date:
    """The last day of a term counted from `start` (which itself is not counted)."""
    if term.unit == "working_days":
        day = start
        for _ in range(term.amount):
            day = next_working_day(country, day)
        return day
    if term.unit == "months":
        return add_months(start, term.amount)
    return start + timedelta(days=term.amount)


def _zone(country: str, zone: str | None) -> ZoneInfo:
    return ZoneInfo(zone or rules(country).timezone)


def local_day(country: str, moment: datetime, zone: str | None = None) -> date:
    return moment.astimezone(_zone(country, zone)).date()


def end_of(country: str, day: date, zone: str | None = None) -> datetime:
    """A due date as a moment: the end of that day in the zone."""
    return datetime.combine(day, END_OF_DAY, tzinfo=_zone(country, zone))


def registration_day(country: str, received_at: datetime, zone: str | None = None) -> date:
    """The day of receipt if it is a working day and the office is still open; otherwise the next working day."""
    law = rules(country)
    local = received_at.astimezone(_zone(country, zone))
    day = local.date()
    if is_working_day(country, day) and local.time() < law.closes:
        return day
    return next_working_day(country, day)


def _settle(country: str, day: date) -> date:
    """A last day that falls on a day off, moved as the country's rule says."""
    rule = rules(country).day_off
    if rule == "keep" or is_working_day(country, day):
        return day
    return next_working_day(country, day) if rule == "next_working_day" else previous_working_day(country, day)


def due_day(country: str, kind: str | None, received_at: datetime, zone: str | None = None) -> date:
    law = rules(country)
    return _settle(country, add_term(country, registration_day(country, received_at, zone), law.kinds[law.kind(kind)]))


def due_date(country: str, kind: str | None, received_at: datetime, zone: str | None = None) -> datetime:
    """The statutory answer date of an appeal of this kind received then: the end of its last day, in the zone."""
    return end_of(country, due_day(country, kind, received_at, zone), zone)


def redirect_due(country: str, received_at: datetime, zone: str | None = None) -> datetime:
    """By when an appeal outside the body's competence must be sent on (and the applicant told)."""
    start = registration_day(country, received_at, zone)
    return end_of(country, _settle(country, add_term(country, start, rules(country).redirect)), zone)


def study_notice_due(country: str, kind: str | None, received_at: datetime, zone: str | None = None) -> datetime | None:
    """By when the author of an appeal of this kind must be told it needs further study; None: the law of the
    country sets no such notice for the kind."""
    term = rules(country).study_notices.get(kind or "")
    if term is None:
        return None
    start = registration_day(country, received_at, zone)
    return end_of(country, _settle(country, add_term(country, start, term)), zone)


def notice_due(country: str, decided_at: datetime, zone: str | None = None) -> datetime:
    """By when the applicant must be told of an extension decided then."""
    term = rules(country).extension.notice
    return end_of(country, add_term(country, local_day(country, decided_at, zone), term), zone)


def extension_limit(country: str, kind: str | None, received_at: datetime, zone: str | None = None) -> date:
    """The latest day an extension may reach: a cap on the whole term (KZ) or on what is added to it (UZ)."""
    extension = rules(country).extension
    base = due_day(country, kind, received_at, zone)
    limits = []
    if extension.total_limit is not None:
        limits.append(add_term(country, registration_day(country, received_at, zone), extension.total_limit))
    if extension.add_limit is not None:
        limits.append(add_term(country, base, extension.add_limit))
    return max(base, min(limits)) if limits else base


@dataclass(frozen=True)
class Countdown:
    days: int  # left after today; 0: due today; negative: overdue by that many
    working: bool  # counted in working days (KZ) or calendar days (UZ)


def days_left(country: str, due: datetime, now: datetime, zone: str | None = None) -> Countdown:
    """Days left to the due date, in the unit the country's default term is counted in."""
    law = rules(country)
    today, last = local_day(country, now, zone), local_day(country, due, zone)
    working = law.kinds[law.default_kind].working
    if not working:
        return Countdown((last - today).days, working=False)
    return Countdown(working_days_left(country, due, now, zone), working=True)


def working_days_left(country: str, due: datetime, now: datetime, zone: str | None = None) -> int:
    """Working days after today up to the due date; 0 when due today, negative (working days late) when past."""
    today, last = local_day(country, now, zone), local_day(country, due, zone)
    step, sign = (1, 1) if last >= today else (-1, -1)
    count, day = 0, today
    while day != last:
        day += timedelta(days=step)
        count += is_working_day(country, day)
    return sign * count
