"""Building group chats: binding, the bot's membership, and supergroup migration."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit
from bot.services.errors import ChatBoundElsewhere, NotAllowed
from bot.services.people import Actor
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
