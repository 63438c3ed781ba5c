"""Replies in the current chat go straight to Telegram; a 429 on one is waited out when short, else dropped quietly.

Each message sent directly takes its turn in the bot's pace, the same turns the outbox's sender takes (shared by
every instance), so the bot as a whole keeps Telegram's 30 a second; it only counts in the chat's window, since it
answers the person's own act. The sender takes its own turns and keeps its waits in the database, so its requests
(marked by OUTBOX_REQUEST) pass through.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.delivery.pace import Pacing

log = logging.getLogger(__name__)

# Set in the sender's task: its requests are paced and retried by the outbox, not here.
OUTBOX_REQUEST: ContextVar[bool] = ContextVar("outbox_request", default=False)
SHORT_WAIT = 5  # seconds of retry_after worth waiting for while a person waits for the answer


class ReplyDropped(TelegramRetryAfter):
    """Telegram would take a reply only after a long wait: it is dropped (the work behind it is kept). A 429 still,
    so code that copes with Telegram's errors around a request copes with this one too."""

    def __str__(self) -> str:
        return f"{self.method.__api_method__} dropped: Telegram asked to wait {self.retry_after} s"


class WaitOn429(BaseRequestMiddleware):
    def __init__(self, pace: Pacing | None = None) -> None:
        self._pace = pace

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if OUTBOX_REQUEST.get() or isinstance(method, GetUpdates):
            return await make_request(bot, method)  # polling has its own backoff
        chat_id = getattr(method, "chat_id", None)
        if self._pace is not None and isinstance(chat_id, int) and _is_message(method):
            turn = await self._pace.reserve(chat_id, within_chat=False)
            if turn.wait > 0:
                await asyncio.sleep(turn.wait)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            if exc.retry_after > SHORT_WAIT:
                raise ReplyDropped(method, exc.message, exc.retry_after) from None
            await asyncio.sleep(exc.retry_after)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            raise ReplyDropped(method, exc.message, exc.retry_after) from None


def _is_message(method: TelegramMethod[TelegramType]) -> bool:
    name = method.__api_method__
    return name.startswith(("send", "copy")) and name != "sendChatAction"
