"""Helpers every dialog shares: its typed data, ending it without forgetting the chosen language, editing a card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import FSM_LANGUAGE_KEY
from bot.services.appeals import Content
from bot.services.people import Person
from bot.ui import texts
from bot.ui.content import content_of

# A dialog step takes what the person sends, except commands: those go to their own handlers.
NOT_A_COMMAND = ~F.text.startswith("/")
TEXT_ANSWER = F.text & NOT_A_COMMAND


D = TypeVar("D")


async def read(state: FSMContext, shape: type[D]) -> D:
    """The dialog's data as its TypedDict says (the FSM storage keeps plain JSON: the dialog wrote it so)."""
    del shape  # the type is what the caller reads by
    return cast(D, await state.get_data())


def still_open(shape: type[D], key: str) -> Callable[[CallbackQuery, FSMContext, CallbackAnswer], Awaitable[D | None]]:
    """A `loads` loader (handlers.loading) for a dialog's last button: its data while `key` is in it. Without it the
    dialog has ended — a second press handled after the first had finished it —, and the button is gone."""

    async def load(callback: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer) -> D | None:
        data = await state.get_data()
        if key not in data:
            alert(callback_answer, texts.button_gone())
            return None
        return cast(D, data)

    return load


async def end_dialog(state: FSMContext) -> None:
    """Leave the dialog; a not-yet-registered person's language choice stays."""
    language = (await state.get_data()).get(FSM_LANGUAGE_KEY)
    await state.clear()
    if language:
        await state.update_data({FSM_LANGUAGE_KEY: language})


async def edit_card(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the pressed message (old messages may be inaccessible: then send a new one)."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:
            # A second press on the same button asks for the same text: nothing to change.
            if "message is not modified" not in exc.message:
                raise
    elif callback.message is not None:
        await callback.message.answer(text, reply_markup=markup)


async def buttons_removed(callback: CallbackQuery) -> Message | None:
    """The pressed message with its buttons taken away (the step is answered), or None if it is inaccessible."""
    if not isinstance(callback.message, Message):
        return None
    await callback.message.edit_reply_markup(reply_markup=None)
    return callback.message


async def passable(message: Message) -> Content | None:
    """What the message carries that can be passed on to the other side of an appeal; None (the person is told)
    for what cannot."""
    content = content_of(message)
    if content is None:
        await message.answer(texts.cannot_pass_on())
    return content


def person_of(user: User) -> Person:
    return Person(id=user.id, first_name=user.first_name, last_name=user.last_name, username=user.username)


def alert(callback_answer: CallbackAnswer, text: str) -> None:
    """A pop-up answer to the pressed button; the callback-answer middleware sends it, exactly once."""
    callback_answer.text = text
    callback_answer.show_alert = True
