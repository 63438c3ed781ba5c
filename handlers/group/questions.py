"""A resident's reply, in a building chat, to the bot's notice or announcement: passed to its author privately.

With privacy mode on the bot sees replies to its own messages, so this works in any group. A question is not
answered in the chat (the chat must not fill with the bot's messages): the bot reacts to it, which tells only the
asker that it went on. Replies to the bot's other messages (the /bind welcome...) are left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import Message, ReactionTypeEmoji
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import questions
from bot.services.errors import RateLimited
from bot.ui import questions as question_cards
from handlers.dialogs import NOT_A_COMMAND, person_of
from models import Broadcast, BuildingChat

log = logging.getLogger(__name__)


class UnderBroadcast(Filter):
    """A person's reply, in a bound building chat, to a message the outbox posted for questions: its batch."""

    async def __call__(
        self, message: Message, session: AsyncSession, building_chat: BuildingChat | None = None
    ) -> bool | dict[str, Any]:
        replied = message.reply_to_message
        if building_chat is None or replied is None or message.from_user is None or message.from_user.is_bot:
            return False
        under = await questions.subject(session, message.chat.id, replied.message_id)
        return {"under": under} if under is not None else False


def create_router() -> Router:
    router = Router(name="group-questions")
    router.message.register(asked, F.reply_to_message.from_user.is_bot, NOT_A_COMMAND, UnderBroadcast())
    return router


async def asked(
    message: Message,
    under: Broadcast,
    building_chat: BuildingChat,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    assert message.from_user is not None and under.author_id is not None
    if message.from_user.id == under.author_id:
        return  # the author talking under their own notice: nobody to pass it to
    text = message.text if message.text is not None else message.caption
    if not text or not text.strip():
        await message.reply(_("Only text questions reach the inspector. Please write your question in words."))
        return
    if len(text) > questions.TEXT_LIMIT:
        await message.reply(
            _("This is too long to pass on: {length} characters, the limit is {limit}. Please shorten it.").format(
                length=len(text), limit=questions.TEXT_LIMIT
            )
        )
        return
    try:
        result = await questions.ask(
            session,
            clock,
            chat=building_chat,
            under=under,
            message_id=message.message_id,
            asker=person_of(message.from_user),
            text=text,
            hourly_limit=settings.question_rate_limit,
        )
    except RateLimited:
        await message.reply(
            _("You have asked {count} questions here within the hour. Please wait a little before asking more.").format(
                count=settings.question_rate_limit
            )
        )
        return
    if not result.created:
        return
    render = question_cards.relayed(i18n, under, building_chat.building.code)
    await questions.relay(
        session, clock, result.question, under, render, admin_ids=settings.admin_ids, fallback=settings.default_locale
    )
    await _react(message)


async def _react(message: Message) -> None:
    """A reaction, not a message: the asker sees the question went on, the chat gets nothing to read."""
    try:
        await message.react([ReactionTypeEmoji(emoji=question_cards.PASSED_ON)])
    except TelegramAPIError as exc:
        # Reactions limited in this chat, or Telegram busy: the question is on its way all the same.
        log.info("could not react to a question: %s", exc.message)
