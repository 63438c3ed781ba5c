"""Lists of appeals: a resident's own, the staff queue by deadline, and the register for export."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.paging import Page, clamp
from bot.services.people import Actor
from models import OPEN_STATUSES, Appeal, AppealStatus, Building


async def _page(session: AsyncSession, query: Select[Appeal], page: int, size: int) -> Page[Appeal]:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page, pages = clamp(page, total, size)
    if not total:  # most people who ask have none: no second statement for an empty page
        return Page([], 0, page, pages)
    rows = await session.scalars(
        query.options(selectinload(Appeal.building), selectinload(Appeal.inspector)).offset(page * size).limit(size)
    )
    return Page(list(rows), total, page, pages)


async def of_resident(session: AsyncSession, actor: Actor, *, page: int, size: int) -> Page[Appeal]:
    query = select(Appeal).where(Appeal.resident_id == actor.telegram_id).order_by(Appeal.number.desc())
    return await _page(session, query, page, size)


def _staff_scope(query: Select[Appeal], actor: Actor) -> Select[Appeal]:
    """Administrators see every appeal; an inspector only their own, whatever filter the client sent."""
    if actor.is_admin:
        return query
    assert actor.inspector is not None
    return query.where(Appeal.inspector_id == actor.inspector.id)


async def queue(
    session: AsyncSession, actor: Actor, *, building_id: int | None, status: str | None, page: int, size: int
) -> Page[Appeal]:
    """Open appeals, the nearest deadline first (overdue ones lead)."""
    wanted = [AppealStatus(status)] if status else list(OPEN_STATUSES)
    query = _staff_scope(select(Appeal), actor).where(Appeal.status.in_([s.value for s in wanted]))
    if building_id:
        query = query.where(Appeal.building_id == building_id)
    return await _page(session, query.order_by(Appeal.due_at, Appeal.number), page, size)


async def queue_buildings(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """Buildings that have open appeals in this actor's queue, for the filter buttons."""
    query = (
        _staff_scope(select(Appeal), actor)
        .where(Appeal.status.in_([s.value for s in OPEN_STATUSES]))
        .join(Building, Building.id == Appeal.building_id)
        .with_only_columns(Building.id, Building.code)
        .distinct()
        .order_by(Building.code)
    )
    return [(row.id, row.code) for row in await session.execute(query)]


async def register(session: AsyncSession, actor: Actor, *, start: datetime, end: datetime) -> list[Appeal]:
    """Appeals received in [start, end), for the CSV register."""
    query = (
        _staff_scope(select(Appeal), actor)
        .where(Appeal.created_at >= start, Appeal.created_at < end)
        .options(selectinload(Appeal.building), selectinload(Appeal.inspector))
        .order_by(Appeal.number)
    )
    return list(await session.scalars(query))
