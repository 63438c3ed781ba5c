"""/buildings: admins see all, an inspector their own."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import buildings
from bot.services.people import Actor
from bot.ui import keyboards
from bot.ui.callbacks import PageCb
from bot.ui.cards import building_line
from handlers.dialogs import edit_card

PAGE_SIZE = 6  # a building's line can reach ~500 characters; six stay well inside one message
LISTING = "buildings"


def create_router() -> Router:
    router = Router(name="buildings")
    router.message.register(list_buildings, Command("buildings"))
    router.callback_query.register(page, PageCb.filter(F.listing == LISTING))
    return router


async def list_buildings(message: Message, session: AsyncSession, actor: Actor, bot: Bot) -> None:
    text, markup = await _page(session, actor, bot, 0)
    await message.answer(text, reply_markup=markup)


async def page(callback: CallbackQuery, callback_data: PageCb, session: AsyncSession, actor: Actor, bot: Bot) -> None:
    text, markup = await _page(session, actor, bot, max(callback_data.page, 0))
    await edit_card(callback, text, markup)


async def _page(session: AsyncSession, actor: Actor, bot: Bot, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    # An admin sees the whole district; an inspector only their own buildings, whatever page was asked for.
    inspector_id = None if actor.is_admin or actor.inspector is None else actor.inspector.id
    result = await buildings.list_buildings(session, inspector_id=inspector_id, page=number, size=PAGE_SIZE)
    if result.total == 0:
        if actor.is_admin:
            return _("No buildings yet. Add one with /add_building or import a CSV file."), None
        return _("No buildings are assigned to you yet. Ask an administrator."), None
    me = await bot.me()
    header = _("<b>Buildings</b> ({count})").format(count=result.total)
    body = "\n\n".join(building_line(row, me.username or "") for row in result.items)
    return f"{header}\n\n{body}", keyboards.pages(LISTING, result.page, result.pages)
