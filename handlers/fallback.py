"""What no other router took: unknown text, unsupported content, stale or forged buttons."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit
from bot.ui import texts
from handlers.dialogs import alert

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(in_private, F.chat.type == "private")
    router.callback_query.register(unknown_button)
    return router


async def in_private(message: Message, state: FSMContext) -> None:
    if await state.get_state() is not None:
        await message.answer(_("Please answer the question above with a text message, or send /cancel to stop."))
    elif message.text is not None:
        await message.answer(_("I did not understand that. /help lists what I can do."))
    else:
        await message.answer(_("I can't handle this kind of message here. /help lists what I can do."))


async def unknown_button(
    callback: CallbackQuery, session: AsyncSession, clock: Clock, callback_answer: CallbackAnswer
) -> None:
    # Buttons of finished dialogs land here, and so does callback data a modified client made up.
    action = (callback.data or "").split(":", 1)[0][:32]
    log.info("refused a callback (%s)", action)
    await audit.record(
        session,
        clock,
        actor_id=callback.from_user.id,
        action="callback_refused",
        object_type="callback",
        object_id=action,
    )
    # CallbackAnswerMiddleware answers every query once, after the handler: a second answer would fail.
    alert(callback_answer, texts.button_gone())
