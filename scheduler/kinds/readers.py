"""Who reads staff reminders: an inspector in their working hours and zone, an administrator in office hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.config import Settings, reading_locale
from bot.services import people, reminders
from models import BuildingChat, Inspector
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
    found = list(
        await session.scalars(
            select(Inspector).where(Inspector.active).options(selectinload(Inspector.user)).order_by(Inspector.id)
        )
    )
    return await _with_zones(session, settings, found)


async def inspectors_by_id(session: AsyncSession, settings: Settings, inspector_ids: Sequence[int]) -> dict[int, Staff]:
    found = list(
        await session.scalars(
            select(Inspector)
            .where(Inspector.id.in_(set(inspector_ids)), Inspector.active)
            .options(selectinload(Inspector.user))
        )
    )
    return {staff.inspector.id: staff for staff in await _with_zones(session, settings, found)}


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


async def chats_fingerprint(session: AsyncSession) -> tuple[object, ...]:
    """Aggregates of the bound building chats: they change when a chat is bound, unbound, moved or migrated."""
    found = await session.execute(
        select(
            func.count(BuildingChat.id),
            func.sum(BuildingChat.chat_id),
            func.sum(BuildingChat.building_id),
            func.max(BuildingChat.bound_at),
        ).where(BuildingChat.active)
    )
    return tuple(found.one())
