"""Who manages a building now, and handing a beat over: an inspector removed, a building reassigned.

Rights follow the building: whoever manages it *now* works its open appeals and meetings, whatever was true when
they were made. A handover moves them in the same transaction, so there is no moment where two people hold one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import reading_locale
from bot.services import audit, outbox, parts, people
from bot.services.errors import UnknownBuilding, UnknownInspector
from bot.services.inspectors import get_inspector
from models import (
    OPEN_STATUSES,
    Appeal,
    Building,
    Delivery,
    DeliveryStatus,
    Inspector,
    Meeting,
    MeetingStatus,
    Priority,
)

OPEN = [status.value for status in OPEN_STATUSES]


@dataclass(frozen=True)
class Menu:
    """A person's own command menu: as an administrator's or an inspector's, in their locale (language and country);
    no role: they are staff no more, and their own menu goes."""

    telegram_id: int
    role: Literal["admin", "inspector"] | None
    locale: str


async def menus(
    session: AsyncSession,
    telegram_ids: Sequence[int] | None,
    *,
    admin_ids: Sequence[int],
    country: str,
    default_language: str,
) -> list[Menu]:
    """The menus of these people (None: of all staff, administrators and active inspectors), each in the locale the
    bot writes to them in; one the bot keeps no record of (an administrator who never opened it) reads COUNTRY's
    default language."""
    query = select(Inspector.user_id).where(Inspector.active)
    if telegram_ids is not None:
        query = query.where(Inspector.user_id.in_(telegram_ids))
    inspecting = set(await session.scalars(query))
    wanted = list(dict.fromkeys(telegram_ids if telegram_ids is not None else [*admin_ids, *inspecting]))
    locales = await people.reading_locales(session, wanted, default_country=country)
    fallback = reading_locale(default_language, country)
    return [
        Menu(
            telegram_id,
            "admin" if telegram_id in admin_ids else "inspector" if telegram_id in inspecting else None,
            locales.get(telegram_id, fallback),
        )
        for telegram_id in wanted
    ]


async def manager_of(session: AsyncSession, building_id: int) -> Inspector | None:
    """The inspector who manages the building now (active), or None: then the administrators do."""
    return await session.scalar(
        select(Inspector)
        .join(Building, Building.inspector_id == Inspector.id)
        .where(Building.id == building_id, Inspector.active)
        .options(selectinload(Inspector.user))
    )


async def beat_of(session: AsyncSession, inspector_id: int) -> list[Building]:
    return (await beats_of(session, [inspector_id])).get(inspector_id, [])


async def beats_of(session: AsyncSession, inspector_ids: Collection[int]) -> dict[int, list[Building]]:
    """Each of these inspectors' buildings, by code (an inspector with none is left out)."""
    found: dict[int, list[Building]] = defaultdict(list)
    for building in await session.scalars(
        select(Building).where(Building.inspector_id.in_(list(inspector_ids))).order_by(Building.code)
    ):
        if building.inspector_id is not None:
            found[building.inspector_id].append(building)
    return dict(found)


async def serving(session: AsyncSession) -> set[int]:
    """The inspectors who serve at least one building."""
    return set(
        await session.scalars(select(Building.inspector_id).where(Building.inspector_id.is_not(None)).distinct())
    )


@dataclass(frozen=True)
class Beats:
    """A few aggregates of who serves what: the active inspectors (who, their working hours, when they were added)
    and how many buildings each inspector serves in each zone. They change when an inspector is added or removed or
    sets their hours, and when a building is added, assigned or moved to another zone."""

    inspectors: tuple[object, ...]
    buildings: frozenset[tuple[int, str, int]]  # (inspector id, zone, buildings)

    @property
    def zones(self) -> set[str]:
        return {zone for _inspector, zone, _count in self.buildings}


async def beats(session: AsyncSession) -> Beats:
    inspectors = await session.execute(
        select(
            func.count(Inspector.id),
            func.sum(Inspector.id),
            func.sum(Inspector.user_id),
            func.sum(Inspector.work_from),
            func.sum(Inspector.work_to),
            # Weighted too: two inspectors' hours changed in opposite ways between two plans still show.
            func.sum(Inspector.id * Inspector.work_from),
            func.sum(Inspector.id * Inspector.work_to),
            func.min(Inspector.created_at),
            func.max(Inspector.created_at),
        ).where(Inspector.active)
    )
    buildings = await session.execute(
        select(Building.inspector_id, Building.timezone, func.count(Building.id))
        .where(Building.inspector_id.is_not(None))
        .group_by(Building.inspector_id, Building.timezone)
    )
    return Beats(
        tuple(inspectors.one()),
        frozenset((inspector_id, zone, count) for inspector_id, zone, count in buildings if inspector_id is not None),
    )


@dataclass
class Handover:
    """What moved from one inspector (or nobody) to another (or the administrators)."""

    previous: Inspector | None
    successor: Inspector | None
    buildings: list[Building] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)  # the open appeals that moved: their cards go to the new reader

    @property
    def appeals(self) -> int:
        return len(self.moved)


async def _move_work(
    session: AsyncSession, building_ids: list[int], successor: Inspector | None, *, also_from: int | None = None
) -> list[int]:
    """Open appeals of the buildings (and any the departing inspector held elsewhere) and planned meetings go to the
    successor; their cards are to be delivered to the new reader. Returns the appeals that moved."""
    to = successor.id if successor is not None else None
    where: ColumnElement[bool] = Appeal.building_id.in_(building_ids)
    if also_from is not None:
        where = or_(where, Appeal.inspector_id == also_from)
    moving = (where, Appeal.status.in_(OPEN), Appeal.inspector_id.is_distinct_from(to))
    moved = list(await session.scalars(select(Appeal.id).where(*moving)))
    if moved:
        await session.execute(
            update(Appeal)
            .where(Appeal.id.in_(moved))
            .values(inspector_id=to, delivered_at=None)
            .execution_options(synchronize_session=False)
        )
    if also_from is not None:
        await session.execute(
            update(Meeting)
            .where(Meeting.inspector_id == also_from, Meeting.status == MeetingStatus.PLANNED.value)
            .values(inspector_id=to)
        )
    return moved


async def reassign(
    session: AsyncSession, clock: Clock, *, building_id: int, inspector_id: int, actor_id: int
) -> Handover:
    """The building goes to an active inspector, with its open appeals."""
    building = await session.scalar(
        select(Building).where(Building.id == building_id).options(selectinload(Building.inspector))
    )
    if building is None:
        raise UnknownBuilding(str(building_id))
    successor = await get_inspector(session, inspector_id)
    if successor is None:
        raise UnknownInspector()
    previous = building.inspector if building.inspector is not None and building.inspector.active else None
    building.inspector = successor
    await session.flush()
    moved = await _move_work(session, [building.id], successor)
    await audit.record(
        session,
        clock,
        actor_id=actor_id,
        action="building_assigned",
        object_type="building",
        object_id=building.code,
        details={"inspector_id": successor.id, "appeals_moved": len(moved)},
    )
    return Handover(previous, successor, [building], moved)


async def remove_inspector(
    session: AsyncSession, clock: Clock, *, inspector_id: int, successor_id: int | None, actor_id: int
) -> Handover:
    """Deactivate an inspector: their buildings, open appeals and planned meetings go to the successor (None: the
    buildings become unassigned and the administrators work them); nothing waiting in the outbox reaches them."""
    inspector = await get_inspector(session, inspector_id)
    if inspector is None:
        raise UnknownInspector()
    successor = None
    if successor_id is not None:
        successor = await get_inspector(session, successor_id)
        if successor is None or successor.id == inspector.id:
            raise UnknownInspector()
    beat = await beat_of(session, inspector.id)
    for building in beat:
        building.inspector_id = successor.id if successor is not None else None
    inspector.active = False
    await session.flush()
    moved = await _move_work(session, [b.id for b in beat], successor, also_from=inspector.id)
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == inspector.user_id, Delivery.status == DeliveryStatus.PENDING.value)
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    await audit.record(
        session,
        clock,
        actor_id=actor_id,
        action="inspector_removed",
        object_type="inspector",
        object_id=inspector.id,
        details={"successor_id": successor.id if successor else None, "buildings": [b.code for b in beat]},
    )
    return Handover(inspector, successor, beat, moved)


async def tell(session: AsyncSession, clock: Clock, chat_id: int, text: str) -> None:
    """A personal message about the handover (to the departing or the new inspector), through the outbox."""
    await outbox.enqueue(session, clock, chat_id=chat_id, parts=parts.message(text), priority=Priority.PERSONAL)
