"""A database session per update, and no transaction held open across a call to Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.direct import ReplyDropped
from bot.services.outbox import WAKE_SENDER

_current: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


class DbSessionMiddleware(BaseMiddleware):
    """Opens the update's session; commits what the handler left (waking the sender if it has work), rolls back on an error."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._sessionmaker() as session:
            token = _current.set(session)
            data["session"] = session
            try:
                result = await handler(event, data)
                await session.commit()
                return result
            except ReplyDropped:
                await session.commit()  # the reply is dropped, not the work done before it
                raise
            except BaseException:
                await session.rollback()
                raise
            finally:
                _current.reset(token)
                # Rows committed before a request to Telegram are there even if the handler failed later.
                if session.info.pop(WAKE_SENDER, False) and "sender" in data:
                    data["sender"].wake()


class CommitBeforeTelegram(BaseRequestMiddleware):
    """Commit the update's work before any request to Telegram.

    A write lock must not wait on the network (on SQLite it blocks every other writer), and what
    the bot tells a person must already be durable when they read it.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = _current.get()
        if session is not None and session.in_transaction():
            # Requests sent at once (gathered) commit once: the others wait for it, then find nothing to commit.
            async with session.info.setdefault("commit_before_telegram", asyncio.Lock()):
                if session.in_transaction():
                    await session.commit()
        return await make_request(bot, method)
