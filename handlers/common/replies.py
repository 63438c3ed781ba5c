"""Replies in private chats, routed by the table of message pairs: to a card or answer → the same appeal."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import appeals, routing
from bot.services.errors import AppealGone, InvalidTransition, NotAllowed, RateLimited
from bot.services.people import Actor
from handlers.dialogs import passable
from handlers.inspector.appeals import ANSWERED, send_answer
from handlers.refusing import flag


def create_router() -> Router:
    router = Router(name="replies")
    router.message.register(reply, F.reply_to_message, flags=flag(ANSWERED))
    return router


async def reply(
    message: Message, session: AsyncSession, clock: Clock, actor: Actor, courier: Courier, settings: Settings
) -> None:
    assert message.reply_to_message is not None
    link = await routing.find(session, message.chat.id, message.reply_to_message.message_id)
    if link is None or link.appeal_id is None:
        raise SkipHandler()  # a reply to something else: the fallback explains
    try:
        appeal = await appeals.for_staff(session, actor, link.appeal_id)
    except (NotAllowed, AppealGone):
        appeal = None
    if appeal is not None:
        await send_answer(message, session, clock, actor, courier, appeal.id)
        return
    await _from_resident(message, session, clock, actor, courier, settings, link.appeal_id)


async def _from_resident(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    settings: Settings,
    appeal_id: int,
) -> None:
    content = await passable(message)
    if content is None:
        return
    try:
        appeal = await appeals.resident_message(
            session, clock, actor, appeal_id, content, hourly_limit=settings.reply_rate_limit
        )
    except (NotAllowed, AppealGone):
        raise SkipHandler() from None
    except RateLimited:
        await message.answer(
            _("You have sent {count} messages to the inspector within the hour. Please wait a little.").format(
                count=settings.reply_rate_limit
            )
        )
        return
    except InvalidTransition:
        await message.answer(_("This appeal is closed. To raise something new, send /appeal."))
        return
    await courier.to_staff(
        appeal,
        lambda: _("💬 The resident replies on appeal №{number}:").format(number=appeal.number),
        content,
        author_id=actor.telegram_id,
    )
    await message.reply(
        _("📨 Your message on appeal №{number} is on its way to the inspector.").format(number=appeal.number)
    )
