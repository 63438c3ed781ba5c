"""Who reads staff reminders: an inspector in their working hours and zone, an administrator in office hours."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings, reading_locale
from bot.services import inspectors, people, reminders, staff
from models import Inspector
from scheduler.engine import Reader

# Administrators' reminders (escalations) wait for office hours, in the default zone.
OFFICE_HOURS = reminders.OFFICE_HOURS


@dataclass(frozen=True)
class Staff:
    """An inspector as the scheduler needs them: to write to them, and when."""

    inspector: Inspector
    zone: str
    country: str

    @property
    def user_id(self) -> int:
        return self.inspector.user_id

    def reader(self) -> Reader:
        window = (time(self.inspector.work_from), time(self.inspector.work_to % 24))
        return Reader(reading_locale(self.inspector.user.language, self.country), self.zone, window)


async def active_inspectors(session: AsyncSession, settings: Settings) -> list[Staff]:
    return await _with_zones(session, settings, await inspectors.active_with_users(session))


async def inspectors_by_id(session: AsyncSession, settings: Settings, inspector_ids: Sequence[int]) -> dict[int, Staff]:
    found = await inspectors.active_with_users(session, inspector_ids)
    return {member.inspector.id: member for member in await _with_zones(session, settings, found)}


async def _with_zones(session: AsyncSession, settings: Settings, found: list[Inspector]) -> list[Staff]:
    zones = await reminders.building_zones(session, [inspector.id for inspector in found], settings.timezone)
    countries = await people.countries(session, [inspector.user_id for inspector in found], settings.country)
    return [
        Staff(inspector, zones[inspector.id], countries.get(inspector.user_id, settings.country)) for inspector in found
    ]


async def admin_locales(session: AsyncSession, settings: Settings) -> dict[int, str]:
    """Each administrator's locale: their own language once they opened the bot, else the default; COUNTRY's
    wording unless they also serve buildings."""
    known = await people.reading_locales(session, settings.admin_ids, default_country=settings.country)
    default = reading_locale(settings.default_language, settings.country)
    return {admin_id: known.get(admin_id, default) for admin_id in settings.admin_ids}


def admin_reader(language: str, settings: Settings) -> Reader:
    return Reader(language, settings.timezone, OFFICE_HOURS)


async def beats_fingerprint(session: AsyncSession, settings: Settings, now: datetime) -> Hashable:
    """What the inspectors' own reminders are planned from: who serves which buildings, in which zones and working
    hours, and the hour in each of those zones and the default one (a reminder becomes due, a day turns and working
    or office hours open only on the hour of local time)."""
    beats = await staff.beats(session)
    hours = {_hour(now, zone) for zone in {*beats.zones, settings.timezone}}
    return beats, frozenset(hours)


def _hour(now: datetime, zone: str) -> datetime:
    """The start of the local hour now is in."""
    return now.astimezone(ZoneInfo(zone)).replace(minute=0, second=0, microsecond=0)
