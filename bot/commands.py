"""Command menus (setMyCommands): everyone's and the building chats' per language; each staff member's own, in their
language with their country's wording (the locale the bot writes to them in), set per chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeUnion,
)
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import LANGUAGES, Settings
from bot.i18n import N_
from bot.services import staff
from models import Inspector

log = logging.getLogger(__name__)
MENUS_AT_ONCE = 8  # people whose menus are set at once
# Telegram keeps a menu per two-letter language code of the app: uz_Cyrl readers see the uz (Latin) menus.
MENU_LANGUAGES = tuple(language for language in LANGUAGES if len(language) == 2)

EVERYONE = [
    ("start", N_("Start or register")),
    ("appeal", N_("Write to your inspector")),
    ("my", N_("Your appeals")),
    ("propose", N_("Suggest something for your building")),
    ("meetings", N_("Meetings with your inspector")),
    ("report", N_("Your inspector's latest report")),
    ("help", N_("What the bot can do")),
    ("inspector", N_("Your district inspector")),
    ("lang", N_("Change the language")),
    ("privacy", N_("What the bot keeps about you")),
    ("forget_me", N_("Delete your data")),
    ("cancel", N_("Stop the current step")),
]
INSPECTOR = [
    *EVERYONE,
    ("queue", N_("Open appeals")),
    ("record_appeal", N_("Record an oral appeal")),
    ("templates", N_("Your answer templates")),
    ("notice", N_("Send a notice to building chats")),
    ("meeting", N_("Announce a meeting")),
    ("meetings", N_("Upcoming meetings")),
    ("proposals", N_("Residents' proposals: the work plan")),
    ("report", N_("Prepare the quarterly report")),
    ("reports", N_("Your reports")),
    ("export", N_("Register of appeals (CSV)")),
    ("buildings", N_("Your buildings")),
    ("hours", N_("Your working hours for reminders")),
    ("chat_week", N_("The weekly post in your building chats")),
]
ADMIN = [
    *EVERYONE,
    ("queue", N_("All open appeals")),
    ("record_appeal", N_("Record an oral appeal")),
    ("templates", N_("Shared answer templates")),
    ("notice", N_("Send a notice to building chats")),
    ("meeting", N_("Announce a meeting")),
    ("meetings", N_("Upcoming meetings")),
    ("proposals", N_("Residents' proposals: the work plan")),
    ("report", N_("Prepare the quarterly report")),
    ("reports", N_("All reports")),
    ("export", N_("Register of appeals (CSV)")),
    ("buildings", N_("All buildings")),
    ("add_building", N_("Add a building")),
    ("country", N_("A building's country: its law and calendar")),
    ("assign", N_("Assign a building to an inspector")),
    ("add_inspector", N_("Add an inspector")),
    ("inspectors", N_("List the inspectors")),
    ("remove_inspector", N_("Remove an inspector")),
    ("hours", N_("Your working hours for reminders")),
    ("chat_week", N_("The weekly post in your building chats")),
]
GROUP = [
    ("inspector", N_("The building's district inspector")),
    ("appeal", N_("Write to the inspector privately")),
    ("meetings", N_("The building's upcoming meetings")),
    ("report", N_("The inspector's latest report for the building")),
    ("propose", N_("Suggest something for the building")),
    ("bind", N_("Connect this chat to a building")),
    ("unbind", N_("Disconnect this chat")),
    ("lang", N_("The chat's language")),
]


async def _set(
    bot: Bot, i18n: I18n, scope: BotCommandScopeUnion, commands: list[tuple[str, str]], default: str
) -> None:
    # One list per language Telegram clients may report, and the default list for everyone else.
    for language in (*MENU_LANGUAGES, None):
        locale = language or default
        await bot.set_my_commands(
            [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in commands],
            scope=scope,
            language_code=language,
        )


async def set_default_commands(bot: Bot, i18n: I18n, *, default: str) -> None:
    """Residents' and building chats' menus, in the language the app reports."""
    await _set(bot, i18n, BotCommandScopeAllPrivateChats(), EVERYONE, default)
    await _set(bot, i18n, BotCommandScopeAllGroupChats(), GROUP, default)


@dataclass(frozen=True)
class Menus:
    """Staff members' own menus, refreshed in a session: handlers get one bound to the update's (bot.middlewares)."""

    bot: Bot
    i18n: I18n
    session: AsyncSession
    settings: Settings

    async def refresh(self, telegram_ids: Sequence[int] | None = None) -> set[int]:
        """These people's own menus (None: all staff's) as their role, language and country are now: set for staff,
        removed for those who are staff no more. Returns whom Telegram does not know yet (they never opened the
        bot)."""
        found = await staff.menus(
            self.session,
            telegram_ids,
            admin_ids=self.settings.admin_ids,
            country=self.settings.country,
            default_language=self.settings.default_language,
        )
        unreached = set()
        # A few people at a time: at start, hundreds of inspectors' menus (a call per language each) are set before
        # the bot takes updates, in seconds rather than minutes.
        at_once = asyncio.Semaphore(MENUS_AT_ONCE)

        async def refresh(menu: staff.Menu) -> None:
            async with at_once:
                if menu.role is None:
                    await clear_personal_commands(self.bot, menu.telegram_id)
                elif not await set_personal_commands(
                    self.bot, self.i18n, menu.telegram_id, ADMIN if menu.role == "admin" else INSPECTOR, menu.locale
                ):
                    unreached.add(menu.telegram_id)

        await asyncio.gather(*(refresh(menu) for menu in found))
        return unreached

    async def refresh_serving(self, *serving: Inspector | None) -> None:
        """These inspectors' menus (None: nobody), when their buildings' country may have changed."""
        await self.refresh([inspector.user_id for inspector in serving if inspector is not None])


async def set_personal_commands(
    bot: Bot, i18n: I18n, telegram_id: int, commands: list[tuple[str, str]], locale: str
) -> bool:
    """A person's own menu in their locale, whatever language their app reports (a list per language Telegram picks
    by, so none of everyone's lists shows instead); False when Telegram does not know the chat yet."""
    scope = BotCommandScopeChat(chat_id=telegram_id)
    listed = [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in commands]
    try:
        for language in (*MENU_LANGUAGES, None):
            await bot.set_my_commands(listed, scope=scope, language_code=language)
    except TelegramAPIError as exc:
        # Until the person opens the bot, Telegram answers "chat not found" for their scope.
        log.warning("could not set personal commands: %s", exc.message)
        return False
    return True


async def clear_personal_commands(bot: Bot, telegram_id: int) -> None:
    """Someone's own menu goes (their role ended): they see the menu everyone sees."""
    for language in (*LANGUAGES, None):
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=telegram_id), language_code=language)
        except TelegramAPIError as exc:
            log.warning("could not clear personal commands: %s", exc.message)
            return
