"""A clear "no" for commands from the wrong role or in the wrong kind of chat (the role routers let them pass)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.services.people import Actor

ADMIN_ONLY = ("add_inspector", "remove_inspector", "inspectors", "add_building", "assign", "country")
STAFF_ONLY = (
    "buildings",
    "queue",
    "export",
    "notice",
    "meeting",
    "chat_week",
    "hours",
    "reports",
    "proposals",
    "record_appeal",
    "templates",
)
PRIVATE_ONLY = (*ADMIN_ONLY, *STAFF_ONLY, "privacy", "forget_me", "help", "my")
GROUP_ONLY = ("bind", "unbind")


def create_router() -> Router:
    router = Router(name="refusals")
    router.message.register(private_only, Command(*PRIVATE_ONLY), F.chat.type != "private")
    router.message.register(group_only, Command(*GROUP_ONLY), F.chat.type == "private")
    router.message.register(admins_only, Command(*ADMIN_ONLY))
    router.message.register(staff_only, Command(*STAFF_ONLY))
    return router


async def private_only(message: Message) -> None:
    await message.reply(_("Please use this command in a private chat with me."))


async def group_only(message: Message) -> None:
    await message.answer(_("This command works in a building's group chat: add me there and send it in the group."))


async def admins_only(message: Message, actor: Actor) -> None:
    await message.answer(_("Only an administrator can do this."))


async def staff_only(message: Message) -> None:
    await message.answer(_("This command is for district inspectors."))
