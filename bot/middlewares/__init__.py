"""Middlewares, in the order `setup_middlewares` installs them."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LocaleMiddleware
from bot.middlewares.actor import ActorMiddleware
from bot.middlewares.buttons import ButtonGuard
from bot.middlewares.courier import CourierMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.once import UpdateOnceMiddleware


def setup_middlewares(
    dp: Dispatcher, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], i18n: I18n, clock: Clock
) -> None:
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(UpdateOnceMiddleware(clock))
    dp.update.outer_middleware(ActorMiddleware(settings))
    dp.update.outer_middleware(CourierMiddleware())
    # Event level, so that error handlers keep the reader's language too.
    LocaleMiddleware(i18n).setup(dp)
    dp.callback_query.outer_middleware(ButtonGuard())
    dp.callback_query.middleware(CallbackAnswerMiddleware())
