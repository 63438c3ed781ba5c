"""/chat_week: the inspector turns the weekly post in their building chats off or on (also from under the digest)."""

from __future__ import annotations

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import inspectors
from bot.services.people import Actor
from bot.ui import digest as digest_cards
from bot.ui import texts
from bot.ui.callbacks import ChatWeekCb
from handlers.dialogs import alert, edit_card


def create_router() -> Router:
    router = Router(name="chat-week")
    router.message.register(show, Command("chat_week"))
    router.callback_query.register(toggle, ChatWeekCb.filter())
    return router


async def show(message: Message, actor: Actor) -> None:
    if actor.inspector is None:  # an administrator with no beat of their own
        await message.answer(digest_cards.not_an_inspector())
        return
    on = actor.inspector.chat_week
    await message.answer(digest_cards.chat_week_state(on), reply_markup=digest_cards.chat_week_markup(on, card=True))


async def toggle(
    callback: CallbackQuery,
    callback_data: ChatWeekCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    # The rights are the actor's own: the button only says which state is asked for, and only of one's own setting.
    if actor.inspector is None:
        alert(callback_answer, texts.button_gone())
        return
    await inspectors.set_chat_week(session, clock, actor.inspector, callback_data.on, actor_id=actor.telegram_id)
    on = actor.inspector.chat_week
    if callback_data.card:
        await edit_card(callback, digest_cards.chat_week_state(on), digest_cards.chat_week_markup(on, card=True))
        return
    # Under the digest: the digest stays as it was; its button now turns the setting the other way.
    callback_answer.text = digest_cards.chat_week_changed(on)
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_reply_markup(reply_markup=digest_cards.chat_week_markup(on, card=False))
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:  # a second press of the same button
                raise
