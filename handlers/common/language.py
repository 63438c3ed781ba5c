"""/lang: a person's language in private; the chat's language in a building group (its staff only)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import MENU_LANGUAGES, Menus
from bot.config import LANGUAGES, reading_locale
from bot.i18n import FSM_LANGUAGE_KEY, LANGUAGE_NAMES, language_of
from bot.services import chats, people
from bot.services.people import Actor
from bot.ui import keyboards, texts
from bot.ui.callbacks import LanguageCb
from handlers.dialogs import alert, edit_card
from handlers.refusing import Refusal, flag
from models import BuildingChat


def _not_staff() -> str:
    return _("Only the building's inspector or an administrator can change the chat's language.")


NOT_STAFF = Refusal(_not_staff)


def create_router() -> Router:
    router = Router(name="language")
    router.message.register(ask, Command("lang"))
    router.callback_query.register(chosen_in_private, LanguageCb.filter(), F.message.chat.type == "private")
    router.callback_query.register(
        chosen_in_group, LanguageCb.filter(), F.message.chat.type != "private", flags=flag(NOT_STAFF)
    )
    return router


async def ask(message: Message, actor: Actor, building_chat: BuildingChat | None = None) -> None:
    if message.chat.type != "private":
        if building_chat is None:
            await message.answer(
                _("This chat is not connected to a building yet. Its inspector connects it with /bind.")
            )
            return
        if not actor.can_manage(building_chat.building):
            await message.answer(_not_staff())
            return
    await message.answer(
        _("Choose the language:"), reply_markup=keyboards.languages(language_of(get_i18n().current_locale))
    )


async def chosen_in_private(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    callback_answer: CallbackAnswer,
    menus: Menus,
) -> None:
    language = callback_data.code
    if language not in LANGUAGES:
        alert(callback_answer, texts.button_gone())
        return
    if actor.user is not None:
        await people.set_language(session, actor.user, language)
    else:
        await state.update_data({FSM_LANGUAGE_KEY: language})
    if actor.is_staff:  # their own menu follows their language, whatever their app's
        await menus.refresh([actor.telegram_id])
    with i18n.use_locale(reading_locale(language, actor.country)):
        said = _("Language: {name}.").format(name=LANGUAGE_NAMES[language])
        if language not in MENU_LANGUAGES and not actor.is_staff:
            said += "\n" + _("Command menus stay in Uzbek Latin: Telegram picks them by the app's two-letter language.")
        await edit_card(callback, said)


async def chosen_in_group(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    callback_answer: CallbackAnswer,
    building_chat: BuildingChat | None = None,
) -> None:
    language = callback_data.code
    if building_chat is None or language not in LANGUAGES:
        alert(callback_answer, texts.button_gone())
        return
    await chats.set_language(session, actor, building_chat, language)
    with i18n.use_locale(reading_locale(language, building_chat.building.country)):
        await edit_card(callback, _("The chat's language: {name}.").format(name=LANGUAGE_NAMES[language]))
