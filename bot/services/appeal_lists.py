"""Lists of appeals: a resident's own, the staff queue by deadline, the register for export, and what the
scheduler's reminders and the weekly digest read of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.paging import Page, clamp
from bot.services.people import Actor
from models import OPEN_STATUSES, Appeal, AppealStatus, Building, Inspector

OPEN = [status.value for status in OPEN_STATUSES]
# Not yet taken into work: only then is a missing first response worth a reminder (taking it is a response).
WAITING = (AppealStatus.NEW.value, AppealStatus.REDIRECTED.value)


async def _page(
    session: AsyncSession,
    count: Select[int],
    rows: Select[Appeal],
    parameters: dict[str, Any],
    page: int,
    size: int,
) -> Page[Appeal]:
    """`rows` has bound `offset` and `limit`; both statements take `parameters`."""
    total = await session.scalar(count, parameters) or 0
    page, pages = clamp(page, total, size)
    if not total:  # most people who ask have none: no second statement for an empty page
        return Page([], 0, page, pages)
    items = await session.scalars(rows, {**parameters, "offset": page * size, "limit": size})
    return Page(list(items), total, page, pages)


def _paged(query: Select[Appeal]) -> Select[Appeal]:
    return query.offset(bindparam("offset")).limit(bindparam("limit"))


# A resident's own, built once (they ask often, and building a statement cost more than running it); the list
# shows numbers and states only, so nothing else is loaded.
_MINE_COUNT = (
    select(func.count()).select_from(Appeal.__table__).where(Appeal.__table__.c.resident_id == bindparam("resident_id"))
)
_MINE = _paged(select(Appeal).where(Appeal.resident_id == bindparam("resident_id")).order_by(Appeal.number.desc()))


async def of_resident(session: AsyncSession, actor: Actor, *, page: int, size: int) -> Page[Appeal]:
    return await _page(session, _MINE_COUNT, _MINE, {"resident_id": actor.telegram_id}, page, size)


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
    count = select(func.count()).select_from(query.subquery())
    rows = query.options(selectinload(Appeal.building), selectinload(Appeal.inspector))
    return await _page(session, count, _paged(rows.order_by(Appeal.due_at, Appeal.number)), {}, page, size)


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


# --- deadlines, as the scheduler watches them ---------------------------------------------------


@dataclass(frozen=True)
class Handler:
    """The appeal's inspector, while active: whom to write to, and when their day starts."""

    inspector_id: int
    user_id: int
    work_from: int


@dataclass(frozen=True)
class OpenAppeal:
    """An open appeal as planning its reminders needs it; no inspector means the administrators handle it."""

    id: int
    created_at: datetime
    first_response_due: datetime
    due_at: datetime
    inspector: Handler | None


async def _open(session: AsyncSession, *conditions: Any) -> list[OpenAppeal]:
    rows = await session.execute(
        select(
            Appeal.id,
            Appeal.created_at,
            Appeal.first_response_due,
            Appeal.due_at,
            Inspector.id,
            Inspector.user_id,
            Inspector.work_from,
        )
        .outerjoin(Inspector, and_(Inspector.id == Appeal.inspector_id, Inspector.active))
        .where(Appeal.status.in_(OPEN), *conditions)
    )
    return [
        OpenAppeal(
            appeal_id,
            created_at,
            first_response_due,
            due_at,
            Handler(inspector_id, user_id, work_from) if inspector_id is not None else None,
        )
        for appeal_id, created_at, first_response_due, due_at, inspector_id, user_id, work_from in rows
    ]


async def awaiting_first_response(
    session: AsyncSession, *, response_due_by: datetime, deadline_after: datetime
) -> list[OpenAppeal]:
    """Appeals not yet taken into work nor answered, whose first response is due by then and whose deadline is
    after the other moment."""
    return await _open(
        session,
        Appeal.first_response_at.is_(None),
        Appeal.status.in_(WAITING),
        Appeal.first_response_due <= response_due_by,
        Appeal.due_at > deadline_after,
    )


async def open_due_within(session: AsyncSession, *, after: datetime, until: datetime) -> list[OpenAppeal]:
    """Open appeals whose deadline is in (after, until]."""
    return await _open(session, Appeal.due_at <= until, Appeal.due_at > after)


async def open_due_by(session: AsyncSession, until: datetime) -> list[OpenAppeal]:
    """Open appeals whose deadline is by then (passed already, or about to)."""
    return await _open(session, Appeal.due_at <= until)


async def with_handlers(session: AsyncSession, appeal_ids: Collection[int]) -> dict[int, Appeal]:
    """The appeals by id, their building and inspector loaded."""
    return {
        appeal.id: appeal
        for appeal in await session.scalars(
            select(Appeal)
            .where(Appeal.id.in_(set(appeal_ids)))
            .options(selectinload(Appeal.building), selectinload(Appeal.inspector))
        )
    }


async def open_or_received_since(
    session: AsyncSession, inspector_ids: Collection[int], since: datetime
) -> dict[int, list[tuple[str, datetime, datetime]]]:
    """(status, due, received) of each inspector's open appeals and of those received since then."""
    found: dict[int, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    rows = await session.execute(
        select(Appeal.inspector_id, Appeal.status, Appeal.due_at, Appeal.created_at).where(
            Appeal.inspector_id.in_(list(inspector_ids)),
            or_(Appeal.status.in_(OPEN_STATUSES), Appeal.created_at >= since),
        )
    )
    for inspector_id, status, due_at, created_at in rows:
        if inspector_id is not None:
            found[inspector_id].append((status, due_at, created_at))
    return dict(found)
