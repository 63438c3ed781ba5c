"""Role filters: rights come from the actor the server loaded, never from the update's content."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.services.people import Actor

GROUP_CHATS = frozenset({"group", "supergroup"})
# Building chats: Telegram's basic groups and supergroups alike.
GROUPS = F.chat.type.in_(GROUP_CHATS)


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_admin


class IsStaff(Filter):
    """Admins and inspectors."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_staff
