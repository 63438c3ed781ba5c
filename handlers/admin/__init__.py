"""Administrators, in their private chat: the inspectors' register, adding and assigning buildings."""

from __future__ import annotations

from aiogram import F, Router

from bot.filters import IsAdmin
from handlers.admin import buildings, inspectors


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(F.chat.type == "private", IsAdmin())
    # A press by anyone else (a forged button) falls through to the fallback, which refuses and records it.
    router.callback_query.filter(IsAdmin())
    router.include_routers(inspectors.create_router(), buildings.create_router())
    return router
