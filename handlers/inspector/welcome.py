"""An inspector or administrator opens the bot: their menu and their record (cards that waited for them follow)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import get_i18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import Menus
from bot.i18n import language_of
from bot.services import people
from bot.services.people import Actor
from bot.ui import texts
from handlers.dialogs import end_dialog, person_of


def create_router() -> Router:
    router = Router(name="staff-welcome")
    router.message.register(start, CommandStart(), ~F.text.contains(" "))
    return router


async def start(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    menus: Menus,
) -> None:
    await end_dialog(state)
    if actor.user is None and message.from_user is not None:
        # An administrator from ADMIN_IDS: keep their record, so their language choice and messages to them last.
        await people.ensure_user(
            session, clock, person_of(message.from_user), language=language_of(get_i18n().current_locale)
        )
    await message.answer(texts.help_text(actor))
    # Telegram refuses a person's own menu until they open the bot: this is the first moment it can be set.
    await menus.refresh([actor.telegram_id])
