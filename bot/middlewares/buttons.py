"""Buttons act only where they belong, with data the bot could have made: checked before any handler runs.

Callback data comes from the client and can be forged. Every button the bot makes carries ASCII ids and words, so
data with other characters ("²" passes str.isdigit() and fails int()) or an id too long for a database integer
(a 40-digit id would raise OverflowError in the driver) is refused here. And only meeting answers and a chat's
language are pressed in groups: any other button pressed on a message in a group is forged (a staff button there
would post an appeal's card into the chat).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject

from bot.clock import Clock
from bot.services import audit
from bot.ui.texts import button_gone

log = logging.getLogger(__name__)

# At most 15 digits: every id the bot puts in a button fits in 2**53, and in a signed 64-bit column.
_FIELD_RE = re.compile(r"^[A-Za-z0-9_.-]*$")
_LONG_NUMBER_RE = re.compile(r"^-?[0-9]{16,}$")
# What building chats may press: the meeting answers and the chat's language.
_GROUP_BUTTONS = re.compile(r"^(mt:(yes|no):[0-9]{1,15}|lang:[a-z_]{2,8})$")


def acceptable(data: str, *, in_private: bool) -> bool:
    fields = data.split(":")
    if not data.isascii() or not all(_FIELD_RE.match(f) and not _LONG_NUMBER_RE.match(f) for f in fields):
        return False
    return in_private or _GROUP_BUTTONS.match(data) is not None


class ButtonGuard(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, CallbackQuery)
        message = event.message
        in_private = message is not None and message.chat.id == event.from_user.id
        if acceptable(event.data or "", in_private=in_private):
            return await handler(event, data)
        log.warning("refused a forged button press")
        clock: Clock = data["clock"]
        await audit.record(
            data["session"],
            clock,
            actor_id=event.from_user.id,
            action="button_refused",
            object_type="callback",
            object_id=(event.data or "")[:64],
        )
        await event.answer(button_gone(), show_alert=True)
        return None
