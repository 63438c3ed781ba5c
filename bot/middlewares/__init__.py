"""Middlewares, in the order `setup_middlewares` installs them, and what they give every handler (`Injected`)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from aiogram import Bot, Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.commands import Menus
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.i18n import LocaleMiddleware
from bot.middlewares.actor import ActorMiddleware
from bot.middlewares.buttons import ButtonGuard
from bot.middlewares.courier import CourierMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.emergency import EmergencyMiddleware
from bot.middlewares.flood import FloodMiddleware
from bot.middlewares.once import UpdateOnceMiddleware
from bot.services.people import Actor
from models import BuildingChat


class Injected(TypedDict):
    """A handler's data, by name: what it may ask for as a parameter (besides aiogram's event_* and raw_state)."""

    bot: Bot
    settings: Settings  # these four were given to the Dispatcher at start
    clock: Clock
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    session: AsyncSession  # DbSessionMiddleware: the update's one transaction, committed before Telegram is called
    actor: Actor  # ActorMiddleware: the sender, with rights from the database and ADMIN_IDS
    building_chat: NotRequired[BuildingChat | None]  # ActorMiddleware, in group chats: the building it is bound to
    courier: Courier  # CourierMiddleware: appeal cards and answers, delivered or queued
    menus: Menus  # CourierMiddleware: staff members' own command menus, refreshed
    state: FSMContext  # aiogram: the dialog of this person in this chat
    callback_answer: NotRequired[CallbackAnswer]  # CallbackAnswerMiddleware, for presses: the one answer


def setup_middlewares(
    dp: Dispatcher, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], i18n: I18n, clock: Clock
) -> None:
    # Before the dialog lock (the FSM middleware's): a flood is dropped before it queues for the lock.
    dp.update.outer_middleware.unregister(dp.fsm)
    dp.update.outer_middleware(
        FloodMiddleware(sessionmaker, i18n, settings.default_locale, settings.flood_rate, country=settings.country)
    )
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(UpdateOnceMiddleware(clock))
    dp.update.outer_middleware(ActorMiddleware(settings))
    dp.update.outer_middleware(CourierMiddleware())
    # Event level, so that error handlers keep the reader's language too.
    LocaleMiddleware(i18n, country=settings.country).setup(dp)
    # After the locale: the emergency numbers are answered in the reader's language, before any handler.
    dp.message.outer_middleware(EmergencyMiddleware(settings))
    dp.callback_query.outer_middleware(ButtonGuard())
    dp.callback_query.middleware(CallbackAnswerMiddleware())
