"""Keyboards, built at call time so their labels are translated; callback data carries ids only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.ui import labels
from bot.ui.callbacks import (
    AssignCb,
    ConfirmCb,
    ConsentCb,
    CountryCb,
    LanguageCb,
    PageCb,
    PickAction,
    PickCb,
    SkipCb,
)
from models import Category, Inspector

PICK_INSPECTOR_REQUEST_ID = 1


class Keyboard(InlineKeyboardBuilder):
    """aiogram's inline keyboard builder, without its deep copies: it copies every button again each time one is
    added or the rows are arranged (an appeal card's eight buttons cost a millisecond of CPU). The rows are copied;
    the buttons, which nothing changes once made, are shared."""

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


def languages(selected: str | None) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in LANGUAGES:
        mark = "✓ " if code == selected else ""
        builder.button(text=f"{mark}{LANGUAGE_NAMES[code]}", callback_data=LanguageCb(code=code))
    builder.adjust(2)
    return builder.as_markup()


def buttons(*pressed: tuple[str, CallbackData], rows: Sequence[int] = (1,)) -> InlineKeyboardMarkup:
    """Buttons (text, data) in rows of the given sizes, the last size repeating: one a row unless said."""
    builder = Keyboard()
    for text, data in pressed:
        builder.button(text=text, callback_data=data)
    builder.adjust(*rows)
    return builder.as_markup()


def consent() -> InlineKeyboardMarkup:
    return buttons((_("✅ I agree"), ConsentCb(agree=True)), (_("I do not agree"), ConsentCb(agree=False)))


def categories(pressed: Callable[[Category], CallbackData]) -> InlineKeyboardMarkup:
    """An appeal's categories, two a row; `pressed` is each button's data."""
    builder = Keyboard()
    for code in Category:
        builder.button(text=labels.category(code), callback_data=pressed(code))
    builder.adjust(2)
    return builder.as_markup()


def next_step(pressed: CallbackData) -> InlineKeyboardMarkup:
    """The one button that ends a step of optional messages (an appeal's attachments)."""
    builder = Keyboard()
    builder.button(text=_("Next ➡️"), callback_data=pressed)
    return builder.as_markup()


def skip(step: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Skip"), callback_data=SkipCb(step=step))
    return builder.as_markup()


def confirm(dialog: str, yes_text: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=yes_text, callback_data=ConfirmCb(dialog=dialog, yes=True))
    builder.button(text=_("Cancel"), callback_data=ConfirmCb(dialog=dialog, yes=False))
    return builder.as_markup()


def pick_user() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [
                KeyboardButton(
                    text=_("👤 Choose the person"),
                    request_users=KeyboardButtonRequestUsers(
                        request_id=PICK_INSPECTOR_REQUEST_ID,
                        user_is_bot=False,
                        max_quantity=1,
                        request_name=True,
                        request_username=True,
                    ),
                )
            ]
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def countries(selected: str, building_id: int = 0) -> InlineKeyboardMarkup:
    """Kazakhstan and Uzbekistan, the selected one marked."""
    builder = Keyboard()
    for code in labels.COUNTRIES:
        mark = "• " if code == selected else ""
        builder.button(text=mark + labels.country(code), callback_data=CountryCb(code=code, building_id=building_id))
    builder.adjust(2)
    return builder.as_markup()


def assign(building_id: int, inspectors: list[Inspector]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for inspector in inspectors:
        builder.button(
            text=inspector.full_name[:60], callback_data=AssignCb(building_id=building_id, inspector_id=inspector.id)
        )
    builder.adjust(1)
    return builder.as_markup()


def pager(page: int, total_pages: int, target: Callable[[int], CallbackData]) -> Keyboard | None:
    """The ◀️ n/m ▶️ row of a listing; `target(page)` makes each page's callback data. None for one page."""
    if total_pages <= 1:
        return None
    row = Keyboard()
    if page > 0:
        row.button(text="◀️", callback_data=target(page - 1))
    row.button(text=f"{page + 1}/{total_pages}", callback_data=target(page))
    if page + 1 < total_pages:
        row.button(text="▶️", callback_data=target(page + 1))
    return row


def pages(listing: str, page: int, total_pages: int) -> InlineKeyboardMarkup | None:
    row = pager(page, total_pages, lambda number: PageCb(listing=listing, page=number))
    return row.as_markup() if row is not None else None


def building_picker(
    dialog: str, rows: list[tuple[int, str, int]], chosen: set[int], page: int, total_pages: int
) -> InlineKeyboardMarkup:
    """Toggle buttons, one per building (id, code, active chats); chosen ones ticked; then All and Done."""
    builder = Keyboard()
    for building_id, code, chats in rows:
        mark = "✅" if building_id in chosen else "▫️"
        label = f"{mark} {code}" if chats else f"{mark} {code} " + _("(no chat)")
        builder.button(
            text=label,
            callback_data=PickCb(dialog=dialog, action=PickAction.TOGGLE, building_id=building_id, page=page),
        )
    builder.adjust(2)
    paging = pager(page, total_pages, lambda number: PickCb(dialog=dialog, action=PickAction.PAGE, page=number))
    if paging is not None:
        builder.attach(paging)
    footer = Keyboard()
    footer.button(text=_("All buildings"), callback_data=PickCb(dialog=dialog, action=PickAction.ALL, page=page))
    footer.button(text=_("Done ➡️"), callback_data=PickCb(dialog=dialog, action=PickAction.DONE, page=page))
    builder.attach(footer)
    return builder.as_markup()


def stored(markup: InlineKeyboardMarkup) -> list[list[dict[str, str]]]:
    """A keyboard as the outbox keeps it: plain rows of {"text", "callback_data" | "url"}."""
    return [[button.model_dump(exclude_none=True) for button in row] for row in markup.inline_keyboard]


def url_button(text: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=url)]])
