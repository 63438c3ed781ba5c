"""/templates: the inspector's short reusable answers per language (list, add, delete); picking one answers an appeal."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import LANGUAGES
from bot.delivery.courier import Courier
from bot.services import appeals, templates
from bot.services.appeals import InvalidTransition
from bot.services.errors import InvalidValue
from bot.services.people import Actor
from bot.services.templates import TooMany
from bot.ui import templates as template_ui
from bot.ui.callbacks import TemplateAction, TemplateCb
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog
from handlers.inspector.appeals import send_answer
from handlers.refusing import BUTTON_GONE, flag


class TemplateDialog(StatesGroup):
    text = State()


def create_router() -> Router:
    router = Router(name="answer-templates")
    router.message.register(show, Command("templates"))
    router.message.register(text_sent, TemplateDialog.text, TEXT_ANSWER)
    router.callback_query.register(add, TemplateCb.filter(F.action == TemplateAction.ADD))
    router.callback_query.register(language_chosen, TemplateCb.filter(F.action == TemplateAction.LANGUAGE))
    # A template or appeal deleted meanwhile, or another's (forged data): the button is gone.
    router.callback_query.register(
        delete, TemplateCb.filter(F.action == TemplateAction.DELETE), flags=flag(BUTTON_GONE)
    )
    router.callback_query.register(use, TemplateCb.filter(F.action == TemplateAction.USE), flags=flag(BUTTON_GONE))
    return router


async def show(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    """`/templates` lists them; `/templates add ru <text>` adds one at once."""
    words = (command.args or "").split(maxsplit=2)
    if words and words[0].lower() == "add":
        if len(words) == 3 and words[1].lower() in LANGUAGES:
            await _add(message, session, clock, actor, words[1].lower(), words[2])
            return
        await message.answer(_("To add at once: <code>/templates add ru text of the answer</code> (ru, kk, uz or en)."))
        return
    await end_dialog(state)
    await _list(message, session, actor)


async def _list(message: Message, session: AsyncSession, actor: Actor) -> None:
    found = await templates.visible(session, actor)
    await message.answer(
        template_ui.listing(found, admin=actor.is_admin),
        reply_markup=template_ui.listing_markup(found, admin=actor.is_admin),
    )


async def add(callback: CallbackQuery) -> None:
    await edit_card(callback, template_ui.ask_language(), template_ui.languages())


async def language_chosen(callback: CallbackQuery, callback_data: TemplateCb, state: FSMContext) -> None:
    if callback_data.language not in LANGUAGES:
        return
    await state.set_state(TemplateDialog.text)
    await state.update_data(language=callback_data.language)
    await edit_card(callback, template_ui.ask_text(templates.TEXT_LIMIT))


async def text_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    language = (await state.get_data()).get("language", "")
    if await _add(message, session, clock, actor, language, message.text or ""):
        await end_dialog(state)


async def _add(message: Message, session: AsyncSession, clock: Clock, actor: Actor, language: str, text: str) -> bool:
    try:
        await templates.add(session, clock, actor, language, text)
    except InvalidValue:
        await message.answer(
            _("The template must be text of up to {limit} characters.").format(limit=templates.TEXT_LIMIT)
        )
        return False
    except TooMany:
        await message.answer(_("That is the most templates one can keep: delete one first (/templates)."))
        return True
    await message.answer(_("✅ The template is saved."))
    await _list(message, session, actor)
    return True


async def delete(
    callback: CallbackQuery,
    callback_data: TemplateCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    actor: Actor,
) -> None:
    await templates.delete(session, actor, callback_data.template_id)
    found = await templates.visible(session, actor)
    callback_answer.text = _("Deleted.")
    await edit_card(
        callback,
        template_ui.listing(found, admin=actor.is_admin),
        template_ui.listing_markup(found, admin=actor.is_admin),
    )


async def use(
    callback: CallbackQuery,
    callback_data: TemplateCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
) -> None:
    """The template answers the appeal as if the inspector had typed it: the bot writes it here, then passes it on."""
    template = await templates.usable(session, actor, callback_data.template_id)
    appeal = await appeals.for_staff(session, actor, callback_data.appeal_id)
    try:
        appeals.ensure_open(appeal)
    except InvalidTransition:
        alert(callback_answer, _("This appeal is already closed."))
        return
    if not isinstance(callback.message, Message):
        return
    await callback.message.edit_reply_markup(reply_markup=None)
    written = await callback.message.answer(escape(template.text))
    await end_dialog(state)  # the Reply prompt is answered
    await send_answer(written, session, clock, actor, courier, appeal.id)
