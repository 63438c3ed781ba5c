"""Inspectors: added by an administrator, listed, shown to residents as a card."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit, validation
from bot.services.errors import AlreadyInspector, InvalidValue
from bot.services.paging import Page, clamp
from bot.services.people import Person, ensure_user
from models import Building, Inspector, User

# Working hours as typed: "9-18", "08:00-17:00", "9:00 – 18:00" (whole hours only).
_HOURS_RE = re.compile(r"^\s*([0-9]{1,2})(?:[:.]00)?\s*[-–—]\s*([0-9]{1,2})(?:[:.]00)?\s*$")

# The card's fields, in the order an administrator is asked for them.
FIELDS = ("full_name", "rank", "phone", "reception_point", "reception_hours")


@dataclass(frozen=True)
class InspectorDraft:
    person: Person
    full_name: str
    rank: str
    phone: str
    reception_point: str
    reception_hours: str


@dataclass(frozen=True)
class InspectorRow:
    inspector: Inspector
    buildings: int


def clean_field(field: str, raw: str) -> str:
    """One card field as typed, checked and trimmed; InvalidValue when it does not fit."""
    if field == "phone":
        return validation.phone(raw)
    if field not in FIELDS:
        raise ValueError(f"not an inspector field: {field}")
    return validation.text(field, raw)


def draft(
    person: Person, *, full_name: str, rank: str, phone: str, reception_point: str, reception_hours: str
) -> InspectorDraft:
    """Validate every field, so a draft that exists can be saved."""
    return InspectorDraft(
        person=person,
        full_name=clean_field("full_name", full_name),
        rank=clean_field("rank", rank),
        phone=clean_field("phone", phone),
        reception_point=clean_field("reception_point", reception_point),
        reception_hours=clean_field("reception_hours", reception_hours),
    )


async def is_inspector(session: AsyncSession, telegram_id: int) -> bool:
    """An active inspector (one removed may be added again)."""
    found = select(Inspector.id).where(Inspector.user_id == telegram_id, Inspector.active)
    return await session.scalar(found) is not None


async def add_inspector(
    session: AsyncSession, clock: Clock, new: InspectorDraft, *, language: str, actor_id: int
) -> Inspector:
    if await is_inspector(session, new.person.id):
        raise AlreadyInspector()
    removed = await session.scalar(select(Inspector).where(Inspector.user_id == new.person.id))
    if removed is not None:
        return await _readd(session, clock, removed, new, actor_id=actor_id)
    person = new.person
    known = await session.get(User, person.id) if not person.first_name else None
    if not person.first_name and known is None:
        # Added by a bare id: Telegram told us no name yet; the full name stands in until they write.
        person = Person(id=person.id, first_name=new.full_name)
    try:
        # A savepoint: when a concurrent add of the same person wins, only this attempt is undone.
        async with session.begin_nested():
            # A bare id of someone the bot knows (a resident, say) keeps the names Telegram gave.
            user = known or await ensure_user(session, clock, person, language=language)
            inspector = Inspector(
                user=user,
                full_name=new.full_name,
                rank=new.rank,
                phone=new.phone,
                reception_point=new.reception_point,
                reception_hours=new.reception_hours,
                active=True,
                created_at=clock.now(),
            )
            session.add(inspector)
            await session.flush()
    except IntegrityError:
        raise AlreadyInspector() from None
    await audit.record(
        session, clock, actor_id=actor_id, action="inspector_added", object_type="inspector", object_id=inspector.id
    )
    return inspector


async def _readd(
    session: AsyncSession, clock: Clock, inspector: Inspector, new: InspectorDraft, *, actor_id: int
) -> Inspector:
    """A removed inspector comes back with the new card; the buildings are assigned afresh with /assign."""
    for name in FIELDS:
        setattr(inspector, name, getattr(new, name))
    inspector.active = True
    await session.flush()
    await session.refresh(inspector, ["user"])
    await audit.record(
        session, clock, actor_id=actor_id, action="inspector_added", object_type="inspector", object_id=inspector.id
    )
    return inspector


async def list_inspectors(session: AsyncSession, *, page: int = 0, size: int = 100) -> Page[InspectorRow]:
    """Active inspectors by name, with how many buildings each serves."""
    total = await session.scalar(select(func.count(Inspector.id)).where(Inspector.active)) or 0
    page, pages = clamp(page, total, size)
    buildings = (
        select(func.count(Building.id))
        .where(Building.inspector_id == Inspector.id)
        .correlate(Inspector)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Inspector, buildings)
        .where(Inspector.active)
        .order_by(Inspector.full_name, Inspector.id)
        .offset(page * size)
        .limit(size)
    )
    return Page([InspectorRow(inspector, count) for inspector, count in rows.all()], total, page, pages)


async def get_inspector(session: AsyncSession, inspector_id: int) -> Inspector | None:
    return await session.scalar(
        select(Inspector).where(Inspector.id == inspector_id, Inspector.active).options(selectinload(Inspector.user))
    )


async def active_with_users(session: AsyncSession, inspector_ids: Collection[int] | None = None) -> list[Inspector]:
    """The active inspectors (those of these ids, when given), their user loaded, by id."""
    query = select(Inspector).where(Inspector.active).options(selectinload(Inspector.user)).order_by(Inspector.id)
    if inspector_ids is not None:
        query = query.where(Inspector.id.in_(set(inspector_ids)))
    return list(await session.scalars(query))


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Inspector | None:
    return await session.scalar(select(Inspector).join(User).where(User.id == telegram_id, Inspector.active))


async def set_chat_week(session: AsyncSession, clock: Clock, inspector: Inspector, on: bool, *, actor_id: int) -> None:
    """Turn the weekly post in the inspector's building chats on or off (the scheduler reads it when posting)."""
    if inspector.chat_week == on:
        return
    inspector.chat_week = on
    await session.flush()
    await audit.record(
        session,
        clock,
        actor_id=actor_id,
        action="chat_week_on" if on else "chat_week_off",
        object_type="inspector",
        object_id=inspector.id,
    )


def parse_working_hours(raw: str) -> tuple[int, int]:
    """ "9-18" or "08:00-17:00" → (9, 18): whole local hours, from before to, within 0-24; InvalidValue else."""
    match = _HOURS_RE.match(raw)
    if match is None:
        raise InvalidValue("working_hours", raw)
    return check_working_hours(int(match.group(1)), int(match.group(2)))


def check_working_hours(work_from: int, work_to: int) -> tuple[int, int]:
    if not 0 <= work_from < work_to <= 24:
        raise InvalidValue("working_hours", f"{work_from}-{work_to}")
    return work_from, work_to


async def set_working_hours(
    session: AsyncSession, clock: Clock, inspector: Inspector, work_from: int, work_to: int, *, actor_id: int
) -> None:
    """The hours the inspector's reminders wait for; reminders planned already move with them (scheduler/kinds)."""
    inspector.work_from, inspector.work_to = check_working_hours(work_from, work_to)
    await session.flush()
    await audit.record(
        session,
        clock,
        actor_id=actor_id,
        action="working_hours_set",
        object_type="inspector",
        object_id=inspector.id,
        details={"from": work_from, "to": work_to},
    )
