"""No transaction stays open across a call to Telegram: what the bot says is already durable."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.db import CommitBeforeTelegram, DbSessionMiddleware
from models import User
from tests.conftest import TOKEN
from tests.support.harness import FrozenClock


async def test_the_updates_work_is_committed_before_the_bot_calls_telegram(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    seen: list[tuple[bool, User | None]] = []

    async def handler(event: object, data: dict[str, Any]) -> None:
        session: AsyncSession = data["session"]
        session.add(User(id=77, first_name="Dana", language="en", reachable=True, created_at=clock.now()))
        await session.flush()

        async def telegram(bot: Bot, method: Any) -> Any:
            # While the request is in flight: is a transaction open, and what does another connection see?
            async with sessionmaker() as other:
                seen.append((session.in_transaction(), await other.get(User, 77)))
            return True

        await CommitBeforeTelegram()(telegram, Bot(TOKEN), SendMessage(chat_id=77, text="hi"))  # type: ignore[arg-type]

    await DbSessionMiddleware(sessionmaker)(handler, object(), {})  # type: ignore[arg-type]
    [(open_transaction, visible)] = seen
    assert not open_transaction
    assert visible is not None and visible.first_name == "Dana"


async def test_a_failed_update_rolls_back_what_was_not_yet_committed(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async def handler(event: object, data: dict[str, Any]) -> None:
        data["session"].add(User(id=78, first_name="Ivan", language="ru", reachable=True, created_at=clock.now()))
        await data["session"].flush()
        raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        await DbSessionMiddleware(sessionmaker)(handler, object(), {})  # type: ignore[arg-type]
    async with sessionmaker() as session:
        assert await session.get(User, 78) is None
