"""Give handlers what sends on their behalf, bound to the update's session: the courier, and the staff menus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.commands import Menus
from bot.delivery.courier import Courier


class CourierMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["courier"] = Courier(data["i18n"], data["session"], data["clock"], data["settings"])
        data["menus"] = Menus(data["bot"], data["i18n"], data["session"], data["settings"])
        return await handler(event, data)
