"""/meetings: an inspector's planned meetings with the answers; a resident's, or a building chat's, upcoming ones."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import meetings
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.meetings import cards as meeting_cards
from bot.ui.meetings import keyboards as meeting_keyboards
from models import BuildingChat

STAFF_LISTED = 10
PUBLIC_LISTED = 5  # with their agendas, what fits in one message


def create_router() -> Router:
    router = Router(name="meetings-list")
    router.message.register(show, Command("meetings"))
    return router


async def show(
    message: Message, session: AsyncSession, clock: Clock, actor: Actor, building_chat: BuildingChat | None = None
) -> None:
    if message.chat.type == "private":
        if actor.is_staff:
            items = await meetings.staff_upcoming(session, clock, actor, limit=STAFF_LISTED)
            await message.answer(meeting_cards.staff_list(items), reply_markup=meeting_keyboards.listing(items))
        elif actor.residency is not None:
            building = actor.residency.building
            found = await meetings.building_upcoming(session, clock, building.id, limit=PUBLIC_LISTED)
            answers = await meetings.answers_of(session, actor.telegram_id, [m.id for m in found])
            await message.answer(meeting_cards.public_list(found, building.timezone, answers))
        else:
            await message.answer(texts.not_registered())
    elif building_chat is not None:
        building = building_chat.building
        found = await meetings.building_upcoming(session, clock, building.id, limit=PUBLIC_LISTED)
        await message.answer(meeting_cards.public_list(found, building.timezone))
    else:
        await message.answer(_("This chat is not connected to a building yet. Its inspector connects it with /bind."))
