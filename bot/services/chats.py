"""Building group chats: binding, the bot's membership, and supergroup migration."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import reading_locale
from bot.services import audit
from bot.services.errors import ChatBoundElsewhere, NotAllowed
from bot.services.people import Actor
from bot.services.reminders import one_of
from models import Building, BuildingChat
from models.queries import changed_rows


async def binding(session: AsyncSession, chat_id: int) -> BuildingChat | None:
    return await session.scalar(
        select(BuildingChat)
        .where(BuildingChat.chat_id == chat_id)
        .options(selectinload(BuildingChat.building).selectinload(Building.inspector))
    )


async def bind(
    session: AsyncSession, clock: Clock, actor: Actor, *, building: Building, chat_id: int, title: str, language: str
) -> tuple[BuildingChat, bool]:
    """Bind the chat to the building; returns (binding, created). Rebinding to the same building is a no-op."""
    if not actor.can_manage(building):
        raise NotAllowed()
    existing = await binding(session, chat_id)
    if existing is not None:
        if existing.building_id != building.id:
            raise ChatBoundElsewhere(existing.building.code)
        existing.active, existing.title = True, title
        await session.flush()
        return existing, False
    chat = BuildingChat(
        building=building, chat_id=chat_id, title=title, language=language, active=True, bound_at=clock.now()
    )
    session.add(chat)
    await session.flush()
    await audit.record(
        session, clock, actor_id=actor.telegram_id, action="chat_bound", object_type="building", object_id=building.code
    )
    return chat, True


async def unbind(session: AsyncSession, clock: Clock, actor: Actor, *, chat: BuildingChat) -> None:
    if not actor.can_manage(chat.building):
        raise NotAllowed()
    await session.delete(chat)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="chat_unbound",
        object_type="building",
        object_id=chat.building.code,
    )


async def set_language(session: AsyncSession, actor: Actor, chat: BuildingChat, language: str) -> None:
    if not actor.can_manage(chat.building):
        raise NotAllowed()
    chat.language = language
    await session.flush()


async def set_active(session: AsyncSession, chat_id: int, *, active: bool, title: str | None = None) -> bool:
    """Follow the bot's membership in a bound chat; False when the chat is not bound."""
    values: dict[str, object] = {"active": active}
    if title:
        values["title"] = title
    result = await changed_rows(session, update(BuildingChat).where(BuildingChat.chat_id == chat_id).values(**values))
    return bool(result)


async def migrate(session: AsyncSession, *, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup with a new id. Safe to call for both service messages Telegram sends."""
    result = await changed_rows(
        session, update(BuildingChat).where(BuildingChat.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )
    return bool(result)


async def bound_fingerprint(session: AsyncSession) -> tuple[object, ...]:
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


async def bound_with_zones(session: AsyncSession) -> list[tuple[int, int, str]]:
    """(building id, chat id, the building's zone) of every bound chat."""
    rows = await session.execute(
        select(BuildingChat.building_id, BuildingChat.chat_id, Building.timezone)
        .join(Building, Building.id == BuildingChat.building_id)
        .where(BuildingChat.active)
    )
    return [(building_id, chat_id, zone) for building_id, chat_id, zone in rows]


async def bound_by_chat_id(session: AsyncSession, chat_ids: Collection[int]) -> dict[int, BuildingChat]:
    """These chats while bound, by Telegram chat id, their building and its inspector loaded."""
    return {
        chat.chat_id: chat
        for chat in await session.scalars(
            select(BuildingChat)
            .where(BuildingChat.chat_id.in_(list(chat_ids)), BuildingChat.active)
            .options(selectinload(BuildingChat.building).selectinload(Building.inspector))
        )
    }


class ChatReader(NamedTuple):
    """A bound chat as what is written to it needs it."""

    language: str  # the locale it reads in: its language, its building's country's wording
    zone: str  # its building's
    title: str | None


async def readers(session: AsyncSession, chat_ids: Collection[int]) -> dict[int, ChatReader]:
    """These chats while bound, by Telegram chat id (thousands at once)."""
    rows = await session.execute(
        select(BuildingChat.chat_id, BuildingChat.language, Building.country, Building.timezone, BuildingChat.title)
        .join(Building, Building.id == BuildingChat.building_id)
        .where(one_of(session, BuildingChat.chat_id, chat_ids), BuildingChat.active)
    )
    return {
        chat_id: ChatReader(reading_locale(language, country), zone, title)
        for chat_id, language, country, zone, title in rows
    }
