"""/privacy says what is kept about the person; /forget_me deletes it after confirmation."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES
from bot.services import people
from bot.services.errors import StaffCannotForget
from bot.services.people import Actor
from bot.ui import keyboards, texts
from bot.ui.callbacks import ConfirmCb
from bot.ui.cards import building_title
from handlers.dialogs import edit_card

FORGET = "forget"


def create_router() -> Router:
    router = Router(name="privacy")
    router.message.register(show_privacy, Command("privacy"))
    router.message.register(ask_forget, Command("forget_me"))
    router.callback_query.register(forget, ConfirmCb.filter(F.dialog == FORGET))
    return router


async def show_privacy(message: Message, session: AsyncSession, actor: Actor, settings: Settings) -> None:
    parts = [
        _(
            "<b>Privacy</b>\n\n"
            "The bot keeps only what it needs to connect you with your district inspector: your Telegram id and name, "
            "your language, your building and flat, the date of your consent, and the appeals you send. "
            "Other residents never see them. Your inspector and the administrators see your appeals; "
            "an anonymous appeal is shown to nobody with your name."
        ),
        _(
            "When you answer a meeting announcement or reply to a notice in your building's chat, the bot keeps "
            "your Telegram id with it (and the text of your question), so that the inspector can answer you. "
            "Proposals you send stay in the building's work plan; after /forget_me they stay without your name."
        ),
        _(
            "The data is processed by {operator} and kept while you are registered. Consent is voluntary: "
            "/forget_me withdraws it and deletes your data. Messages to and from the bot pass through "
            "Telegram's servers."
        ).format(operator=texts.operator(settings.operator_name)),
    ]
    user = actor.user
    in_chats = await people.kept_in_chats(session, actor.telegram_id)
    if user is None and in_chats:
        parts.append(_("The bot keeps your answers and questions from building chats: {count}.").format(count=in_chats))
        parts.append(_("/forget_me deletes them."))
    elif user is None:
        parts.append(_("Right now the bot keeps nothing about you."))
    else:
        kept = [_("Name: {name}").format(name=escape(" ".join(filter(None, [user.first_name, user.last_name]))))]
        kept.append(_("Language: {language}").format(language=LANGUAGE_NAMES.get(user.language, user.language)))
        if actor.residency is not None:
            kept.append(_("Building: {building}").format(building=building_title(actor.residency.building)))
            if actor.residency.flat:
                kept.append(_("Flat: {flat}").format(flat=escape(actor.residency.flat)))
        parts.append(_("<b>What is kept about you</b>") + "\n" + "\n".join(kept))
        parts.append(_("/forget_me deletes it."))
    await message.answer("\n\n".join(parts))


async def ask_forget(message: Message, session: AsyncSession, actor: Actor) -> None:
    if actor.user is None and not await people.kept_in_chats(session, actor.telegram_id):
        await message.answer(_("The bot keeps nothing about you."))
        return
    if actor.is_inspector:
        await message.answer(_("You are registered as an inspector. Ask an administrator to remove you."))
        return
    await message.answer(
        _("Delete everything the bot keeps about you? Your registration will be removed too. This cannot be undone."),
        reply_markup=keyboards.confirm(FORGET, _("Delete my data")),
    )


async def forget(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
) -> None:
    if not callback_data.yes:
        await edit_card(callback, _("Nothing was deleted."))
        return
    try:
        deleted = await people.forget(session, clock, callback.from_user.id)
    except StaffCannotForget:
        await edit_card(callback, _("You are registered as an inspector. Ask an administrator to remove you."))
        return
    # Dialog drafts (an appeal's text and captions, a proposal) go too, language choice included.
    await state.clear()
    await edit_card(
        callback,
        _("Your data has been deleted. Goodbye!") if deleted else _("The bot keeps nothing about you."),
    )
