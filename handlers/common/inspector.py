"""/inspector: the inspector's card, for a resident in private and for a building's group."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.services.people import Actor
from bot.ui import texts
from bot.ui.cards import inspector_card
from models import BuildingChat, Inspector


def create_router() -> Router:
    router = Router(name="inspector")
    router.message.register(show, Command("inspector"))
    return router


async def show(message: Message, actor: Actor, building_chat: BuildingChat | None = None) -> None:
    inspector: Inspector | None
    if message.chat.type == "private":
        if actor.is_inspector:
            inspector = actor.inspector
        elif actor.residency is not None:
            inspector = actor.residency.building.inspector
        else:
            await message.answer(texts.not_registered())
            return
    elif building_chat is not None:
        inspector = building_chat.building.inspector
    else:
        await message.answer(_("This chat is not connected to a building yet. Its inspector connects it with /bind."))
        return
    if inspector is None:
        await message.answer(_("No inspector is assigned to this building yet.") + "\n\n" + texts.emergency())
        return
    await message.answer(inspector_card(inspector) + "\n\n" + texts.emergency())
