"""Choosing target buildings in a dialog (notice, meeting): toggles over pages, All, Done.

The chosen ids live in the dialog's FSM data; whoever receives them checks them again through
`buildings.managed`, because callback data can be forged.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import buildings
from bot.services.people import Actor
from bot.ui import keyboards
from bot.ui.callbacks import PickAction, PickCb
from handlers.dialogs import edit_card

PICKED = "picked_buildings"
PAGE_SIZE = 20


async def ask(message: Message, session: AsyncSession, actor: Actor, state: FSMContext, dialog: str) -> None:
    """Start choosing: nothing chosen yet, first page."""
    await state.update_data({PICKED: []})
    text, markup = await _render(session, actor, dialog, set(), 0)
    await message.answer(text, reply_markup=markup)


async def press(
    callback: CallbackQuery, callback_data: PickCb, session: AsyncSession, actor: Actor, state: FSMContext
) -> list[int] | None:
    """Apply a press; the chosen ids when Done was pressed with something chosen, else None (the picker is redrawn)."""
    chosen = set((await state.get_data()).get(PICKED, []))
    if callback_data.action == PickAction.DONE:
        if chosen:
            return sorted(chosen)
        if callback.message is not None:
            await callback.message.answer(_("Choose at least one building."))
        return None
    if callback_data.action == PickAction.TOGGLE:
        chosen ^= {callback_data.building_id}
    elif callback_data.action == PickAction.ALL:
        every = set(await buildings.all_managed_ids(session, actor))
        chosen = set() if chosen == every else every
    await state.update_data({PICKED: sorted(chosen)})
    text, markup = await _render(session, actor, callback_data.dialog, chosen, callback_data.page)
    await edit_card(callback, text, markup)
    return None


async def _render(
    session: AsyncSession, actor: Actor, dialog: str, chosen: set[int], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    listed = await buildings.list_buildings(
        session, inspector_id=buildings.managed_by(actor), page=page, size=PAGE_SIZE
    )
    rows = [(row.building.id, row.building.code, row.chats) for row in listed.items]
    text = _("Which buildings? Tap to choose, then press Done. Chosen: {count}.").format(count=len(chosen))
    return text, keyboards.building_picker(dialog, rows, chosen, listed.page, listed.pages)
