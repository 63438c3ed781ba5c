"""Building chats (groups and supergroups): binding, membership, questions under notices, meeting answers."""

from __future__ import annotations

from aiogram import Router

from bot.filters import GROUPS
from handlers.group import binding, invitations, membership, questions, rsvp


def create_router() -> Router:
    router = Router(name="group")
    router.message.filter(GROUPS)
    router.my_chat_member.filter(GROUPS)
    router.include_routers(
        membership.create_router(),
        invitations.create_router(),
        questions.create_router(),  # replies to notices, before /bind's reply step
        rsvp.create_router(),  # its buttons are checked in the handler: one pressed elsewhere is refused and recorded
        binding.create_router(),
    )
    return router
