"""A flood from one person is dropped before the handlers: beyond a few updates a second per person and chat.

Runs before the dialog lock and the database session, so the dropped updates cost nothing and hold no slot that
other people's updates wait for. The person is told to slow down at most once a minute, in their language.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import telegram_language
from bot.services import people

log = logging.getLogger(__name__)

WARN_EVERY = 60.0  # seconds between two "slow down" messages to one person
FORGET_AT = 4096  # people remembered before the quiet ones are forgotten


class FloodMiddleware(BaseMiddleware):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        default_language: str,
        rate: int,
        *,
        country: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._country = country
        self._i18n = i18n
        self._default = default_language
        self._rate = rate
        self._monotonic = monotonic
        self._seen: dict[tuple[int, int], deque[float]] = {}
        self._warned: dict[tuple[int, int], float] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or chat is None or _album_part(event):
            return await handler(event, data)
        key = (user.id, chat.id)
        now = self._monotonic()
        if self._allowed(key, now):
            return await handler(event, data)
        log.info("an update from a person sending too fast was dropped")
        if now - self._warned.get(key, -WARN_EVERY) >= WARN_EVERY:
            self._warned[key] = now
            await self._slow_down(data["bot"], user, chat.id)
        return UNHANDLED

    def _allowed(self, key: tuple[int, int], now: float) -> bool:
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= FORGET_AT:
                self._forget(now)
            times = self._seen[key] = deque()
        while times and times[0] <= now - 1.0:
            times.popleft()
        if len(times) >= self._rate:
            return False
        times.append(now)
        return True

    def _forget(self, now: float) -> None:
        for key, times in list(self._seen.items()):
            if not times or times[-1] <= now - 1.0:
                del self._seen[key]
        for key, at in list(self._warned.items()):
            if at <= now - WARN_EVERY:
                del self._warned[key]

    async def _slow_down(self, bot: Bot, user: User, chat_id: int) -> None:
        async with self._sessionmaker() as session:
            known = (await people.reading_locales(session, [user.id], default_country=self._country)).get(user.id)
        language = known or telegram_language(user) or self._default
        with self._i18n.context(), self._i18n.use_locale(language):
            text = _("You are sending messages too fast; the extra ones were skipped. Please wait a moment.")
        try:
            await bot.send_message(chat_id, text)
        except TelegramAPIError as exc:  # a 429 on it included (ReplyDropped)
            log.info("could not ask a person to slow down: %s", type(exc).__name__)


def _album_part(event: TelegramObject) -> bool:
    """An album arrives as a burst of updates, one per item: none of them is a flood."""
    return isinstance(event, Update) and event.message is not None and event.message.media_group_id is not None
