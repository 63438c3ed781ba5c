"""Skip an update that was handled before (a redelivery); the record commits with the update's own work."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot.clock import Clock
from bot.services import updates

log = logging.getLogger(__name__)


class UpdateOnceMiddleware(BaseMiddleware):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        if not await updates.first_time(data["session"], self._clock, event.update_id):
            log.info("update %s was handled before; skipped", event.update_id)
            return UNHANDLED
        return await handler(event, data)
