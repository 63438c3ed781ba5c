"""A person blocking or unblocking the bot in their private chat: whether they can be reached; on return, what waited."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.courier import Courier
from bot.services import people
from bot.services.people import Actor
from handlers.group.membership import is_present


def create_router() -> Router:
    router = Router(name="blocking")
    router.my_chat_member.register(in_private)
    return router


async def in_private(event: ChatMemberUpdated, session: AsyncSession, actor: Actor, courier: Courier) -> None:
    present = is_present(event)
    await people.set_reachable(session, event.chat.id, present)
    if present:
        await courier.deliver_pending(actor)
