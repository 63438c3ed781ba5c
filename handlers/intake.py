"""The attachment step an appeal's intake has wherever it is taken: by the resident (/appeal) or by the inspector on
the resident's behalf (/record_appeal). The dialog's data holds `source` (the message the text came in, a Content)
and `attachments` (Contents)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services.appeals import ATTACHMENT_LIMIT, Content


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
