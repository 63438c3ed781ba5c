"""Residents (and people about to register), in their private chat: registration, appeals, proposals."""

from __future__ import annotations

from aiogram import F, Router

from handlers.resident import appeal, my_appeals, propose, registration


def create_router() -> Router:
    router = Router(name="resident")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.include_routers(
        propose.create_router(),  # before registration: "/start propose" is not a building code
        registration.create_router(),
        appeal.create_router(),
        my_appeals.create_router(),
    )
    return router
