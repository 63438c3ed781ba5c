"""The last resort: log the failure (no personal data), tell the person briefly, in their language."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.delivery.direct import ReplyDropped

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_dropped, ExceptionTypeFilter(ReplyDropped))
    router.errors.register(on_error)
    return router


async def on_dropped(event: ErrorEvent) -> None:
    """A reply Telegram would take only much later: one line, no traceback; the person can ask again."""
    log.warning("update %s: %s", event.update.update_id, event.exception)


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    # The update's database session is already closed here; this handler needs none.
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    text = _("Sorry, something went wrong on our side. Please try again in a minute.")
    # A pressed button was already answered by the callback-answer middleware: write in the chat instead.
    message = event.update.message or (event.update.callback_query.message if event.update.callback_query else None)
    try:
        if message is not None and message.chat.type == "private":
            await bot.send_message(message.chat.id, text)
    except TelegramAPIError:
        log.warning("could not tell the person about the failure of update %s", event.update.update_id)
