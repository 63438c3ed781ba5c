"""Keep aiogram's parsed-response types alive, so pydantic builds each one once per process, not every few requests.

aiogram parses every answer of Telegram as `Response[<the method's result type>]`; pydantic keeps such parametrised
models in a weak cache, and once the collector frees one, the next request builds it again (about 15 ms of CPU, seen
in a profile of /my bursts as a third of an update's cost). Holding a reference to each keeps it in the cache.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._kept: dict[Any, type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
