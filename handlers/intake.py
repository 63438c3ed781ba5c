"""The steps an appeal's intake has wherever it is taken: by the resident (/appeal) or by the inspector on the
resident's behalf (/record_appeal) — category, the law's kind, text, attachments. The dialog's data holds `category`,
`kind`, `text`, `source` (the message the text came in, a Content) and `attachments` (Contents)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services import law
from bot.services.appeals import ATTACHMENT_LIMIT, TEXT_LIMIT, Content
from bot.ui.appeals import terms
from bot.ui.content import content_of
from handlers.dialogs import edit_card
from models import Category

AskText = Callable[[CallbackQuery, FSMContext], Awaitable[None]]


async def category_chosen(
    callback: CallbackQuery, state: FSMContext, code: str, country: str | None, kind_step: State, ask_text: AskText
) -> None:
    """A known category kept; then the law's kind where the building's country has kinds, else the text."""
    if code not in {c.value for c in Category}:
        return
    await state.update_data(category=code)
    if country is not None and law.rules(country).asks_kind:
        await state.set_state(kind_step)
        await edit_card(callback, terms.kind_question(country), terms.kinds(country))
        return
    await ask_text(callback, state)


async def kind_chosen(
    callback: CallbackQuery, state: FSMContext, code: str, country: str | None, ask_text: AskText
) -> None:
    """A kind the building's country's law has kept; then the text."""
    if country is None or code not in law.rules(country).kinds:
        return
    await state.update_data(kind=code)
    await ask_text(callback, state)


async def text_of(message: Message, empty: str, too_long: str) -> tuple[Content, str] | None:
    """The appeal's text and the message it came in; None (`empty` or `too_long` said) when it has none or is too
    long. `too_long` is formatted with the text's length and the limit."""
    content = content_of(message)
    if content is None or not content.text:
        await message.answer(empty)
        return None
    if len(content.text) > TEXT_LIMIT:
        await message.answer(too_long.format(length=len(content.text), limit=TEXT_LIMIT))
        return None
    return content, content.text


def media_count(data: Mapping[str, Any]) -> int:
    """The appeal's media so far: the attachments, and the text's own message when it was a photo or a file."""
    return len(data["attachments"]) + (data["source"]["kind"] != "text")


async def has_room(message: Message, data: Mapping[str, Any]) -> bool:
    """Whether the appeal takes another attachment; the person is told when it does not."""
    if media_count(data) < ATTACHMENT_LIMIT:
        return True
    await message.answer(_("That is the most attachments one appeal can take. Press Next."))
    return False


async def attach(
    message: Message,
    state: FSMContext,
    data: Mapping[str, Any],
    content: Content,
    next_step: InlineKeyboardMarkup,
    *,
    note: str = "",
    **changes: Any,
) -> None:
    """The attachment added to the dialog's (with any other `changes` of its data), acknowledged with the Next
    button and `note` above it. Each photo of an album arrives as its own message: only the first is acknowledged."""
    await state.update_data(attachments=[*data["attachments"], asdict(content)], **changes)
    if message.media_group_id is None or not data["attachments"]:
        await message.answer(note + _("Added. Send more, or press Next."), reply_markup=next_step)
