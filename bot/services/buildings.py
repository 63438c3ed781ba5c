"""Buildings of the beat and the inspector assigned to each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit, law, staff, validation
from bot.services.errors import (
    BuildingCodeTaken,
    InvalidValue,
    NotAllowed,
    UnknownBuilding,
)
from bot.services.paging import Page, clamp
from bot.services.people import Actor
from models import Building, BuildingChat, Residency


@dataclass(frozen=True)
class BuildingRow:
    building: Building
    chats: int
    residents: int


async def by_code(session: AsyncSession, code: str) -> Building:
    """The building with that code (any case), its inspector loaded; UnknownBuilding otherwise."""
    try:
        normal = validation.building_code(code)
    except InvalidValue:
        raise UnknownBuilding(code) from None
    building = await session.scalar(
        select(Building).where(Building.code == normal).options(selectinload(Building.inspector))
    )
    if building is None:
        raise UnknownBuilding(normal)
    return building


async def by_id(session: AsyncSession, building_id: int) -> Building | None:
    return await session.scalar(
        select(Building).where(Building.id == building_id).options(selectinload(Building.inspector))
    )


async def add_building(
    session: AsyncSession,
    clock: Clock,
    *,
    code: str,
    address: str,
    district: str | None,
    timezone: str,
    actor_id: int,
    country: str = "KZ",
) -> Building:
    code = validation.building_code(code)
    building = Building(
        code=code,
        address=validation.text("address", address),
        district=validation.text("district", district) if district else None,
        timezone=validation.timezone(timezone),
        country=country_code(country),
        created_at=clock.now(),
    )
    if await session.scalar(select(Building.id).where(Building.code == code)) is not None:
        raise BuildingCodeTaken(code)
    try:
        # A savepoint: when a concurrent add of the same code wins, only this attempt is undone.
        async with session.begin_nested():
            session.add(building)
            await session.flush()
    except IntegrityError:
        raise BuildingCodeTaken(code) from None
    await audit.record(
        session, clock, actor_id=actor_id, action="building_added", object_type="building", object_id=code
    )
    return building


def country_code(raw: str) -> str:
    """ "uz" → "UZ"; InvalidValue for a country whose law the bot does not know."""
    value = raw.strip().upper()
    if value not in law.COUNTRIES:
        raise InvalidValue("country", raw)
    return value


async def set_country(
    session: AsyncSession, clock: Clock, *, building_id: int, country: str, actor_id: int
) -> Building:
    """The building's country from now on: new appeals follow its law and calendar (open ones keep their terms)."""
    building = await by_id(session, building_id)
    if building is None:
        raise UnknownBuilding(str(building_id))
    value = country_code(country)
    if building.country != value:
        before, building.country = building.country, value
        await session.flush()
        await audit.record(
            session,
            clock,
            actor_id=actor_id,
            action="building_country",
            object_type="building",
            object_id=building.code,
            details={"from": before, "to": value},
        )
    return building


async def assign(
    session: AsyncSession, clock: Clock, *, building_id: int, inspector_id: int, actor_id: int
) -> Building:
    """The building goes to an inspector with its open appeals (bot.services.staff.reassign)."""
    handover = await staff.reassign(
        session, clock, building_id=building_id, inspector_id=inspector_id, actor_id=actor_id
    )
    return handover.buildings[0]


async def list_buildings(
    session: AsyncSession, *, inspector_id: int | None = None, page: int = 0, size: int = 100
) -> Page[BuildingRow]:
    """Buildings by code with their chat and resident counts; one inspector's when inspector_id is given."""
    chats = (
        select(func.count(BuildingChat.id))
        .where(BuildingChat.building_id == Building.id, BuildingChat.active)
        .correlate(Building)
        .scalar_subquery()
    )
    residents = (
        select(func.count(Residency.id))
        .where(Residency.building_id == Building.id)
        .correlate(Building)
        .scalar_subquery()
    )
    query = select(Building, chats, residents).options(selectinload(Building.inspector))
    count = select(func.count(Building.id))
    if inspector_id is not None:
        query = query.where(Building.inspector_id == inspector_id)
        count = count.where(Building.inspector_id == inspector_id)
    total = await session.scalar(count) or 0
    page, pages = clamp(page, total, size)
    rows = await session.execute(query.order_by(Building.code).offset(page * size).limit(size))
    return Page([BuildingRow(b, c, r) for b, c, r in rows.all()], total, page, pages)


def managed_by(actor: Actor) -> int | None:
    """The inspector whose buildings the actor works with; None for an administrator (all of them)."""
    if actor.is_admin:
        return None
    if actor.inspector is None:
        raise NotAllowed()
    return actor.inspector.id


async def managed(session: AsyncSession, actor: Actor, building_ids: list[int]) -> list[Building]:
    """The buildings by id, each one the actor may address (ids from a button are checked, never trusted)."""
    if not building_ids:
        return []
    found = list(
        await session.scalars(
            select(Building)
            .where(Building.id.in_(set(building_ids)))
            .options(selectinload(Building.inspector), selectinload(Building.chats))
            .order_by(Building.code)
        )
    )
    if len(found) != len(set(building_ids)) or not all(actor.can_manage(building) for building in found):
        raise NotAllowed()
    return found


async def all_managed_ids(session: AsyncSession, actor: Actor) -> list[int]:
    query = select(Building.id).order_by(Building.code)
    inspector_id = managed_by(actor)
    if inspector_id is not None:
        query = query.where(Building.inspector_id == inspector_id)
    return list(await session.scalars(query))


async def zone_counts(session: AsyncSession) -> frozenset[tuple[str, int]]:
    """How many buildings there are in each time zone."""
    rows = await session.execute(select(Building.timezone, func.count(Building.id)).group_by(Building.timezone))
    return frozenset((zone, count) for zone, count in rows)
