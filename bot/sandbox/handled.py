"""Knowing when the bot has handled an update: what the sandbox's seed and the tests wait on instead of sleeping."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update


class HandledUpdates:
    def __init__(self, dp: Dispatcher) -> None:
        self._events: dict[int, asyncio.Event] = {}
        original = dp.feed_update

        async def feed_update(bot: Bot, update: Update, **kwargs: Any) -> Any:
            try:
                return await original(bot, update, **kwargs)
            finally:
                self.event(update.update_id).set()

        # Polling feeds each update through dp.feed_update: the wrapper marks it handled, however it ended.
        dp.feed_update = feed_update  # type: ignore[method-assign]

    def event(self, update_id: int) -> asyncio.Event:
        """Set once the update is handled."""
        return self._events.setdefault(update_id, asyncio.Event())

    def forget(self, update_id: int) -> None:
        """The update comes again (a redelivery): wait for its second handling."""
        self._events.pop(update_id, None)
