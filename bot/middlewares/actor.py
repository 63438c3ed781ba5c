"""Who sent the update (roles from the database and ADMIN_IDS), and which building chat it came from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import chats, people


class ActorMiddleware(BaseMiddleware):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session: AsyncSession = data["session"]
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is not None:
            actor = data["actor"] = await people.load_actor(
                session, user.id, is_admin=self._settings.is_admin(user.id), default_country=self._settings.country
            )
            if _writes_in_private(event, chat) and (actor.user is None or not actor.user.reachable):
                # Writing to the bot means it can write back: what waited for this person goes out now.
                await people.came_back(session, data["clock"], user.id)
        if chat is not None and chat.type in ("group", "supergroup"):
            data["building_chat"] = await chats.binding(session, chat.id)
        return await handler(event, data)


def _writes_in_private(event: TelegramObject, chat: Chat | None) -> bool:
    """A message or a press in the private chat (not a my_chat_member change, which membership handles)."""
    return (
        isinstance(event, Update)
        and (event.message is not None or event.callback_query is not None)
        and chat is not None
        and chat.type == "private"
    )
