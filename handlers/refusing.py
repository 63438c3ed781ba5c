"""One way to refuse: a handler's `refusal` flag says what its NotAllowed or Gone means to the person.

Services raise `NotAllowed` (no right: a forged button, a building reassigned meanwhile) or `Gone` (no such object).
The middleware turns either into the flagged answer — a pop-up on the pressed button, the card's new text or a
message —, ends the dialog where the flag says so, and records the refusal for the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
from typing import Any, cast

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.middlewares import Injected
from bot.services import audit
from bot.services.errors import Gone, InvalidTransition, NotAllowed
from bot.ui import texts
from handlers.dialogs import alert, edit_card, end_dialog

log = logging.getLogger(__name__)


class Shown(StrEnum):
    """Where the refusal is said."""

    ALERT = "alert"  # a pop-up on the pressed button (a message is answered)
    CARD = "card"  # the pressed card's new text
    CHAT = "chat"  # a message in the chat
    REPLY = "reply"  # a reply to the person's message


@dataclass(frozen=True)
class Refusal:
    """A handler's answer to NotAllowed (and to Gone, unless `gone` says otherwise)."""

    text: Callable[[], str]
    # The audit row's action; None keeps no record. A press's row names its callback data, a message's nothing more.
    audit: str | None = None
    # What a Gone object gets instead (said the same way, without a record); None: the same as NotAllowed.
    gone: Callable[[], str] | None = None
    # What InvalidTransition (the object's state no longer allows it: a closed appeal, another press first) says,
    # given it (its status is the object's now); None: not a refusal here.
    closed: Callable[[InvalidTransition], str] | None = None
    ends_dialog: bool = False
    shown: Shown = Shown.ALERT


def flag(refusal: Refusal) -> dict[str, Any]:
    """The `flags` argument of a handler's registration."""
    return {"refusal": refusal}


class Refusals(BaseMiddleware):
    """Inner middleware of messages and button presses: the handler's refusal flag applied to NotAllowed/Gone."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        refusal: Refusal | None = get_flag(data, "refusal")
        if refusal is None or not isinstance(event, CallbackQuery | Message):
            return await handler(event, data)
        try:
            return await handler(event, data)
        except InvalidTransition as lost:
            if refusal.closed is None:
                raise
            said = partial(refusal.closed, lost)
            await refuse(replace(refusal, text=said, audit=None), event, **_context(event, data))
            return None
        except (NotAllowed, Gone) as refused:
            await refuse(refusal, event, **_context(event, data), gone=isinstance(refused, Gone))
            return None


def _context(event: CallbackQuery | Message, data: dict[str, Any]) -> dict[str, Any]:
    injected = cast(Injected, data)
    return {
        "actor_id": event.from_user.id if event.from_user is not None else 0,
        "session": injected["session"],
        "clock": injected["clock"],
        "state": injected["state"],
        "callback_answer": injected.get("callback_answer"),
    }


async def refuse(
    refusal: Refusal,
    event: CallbackQuery | Message,
    *,
    actor_id: int,
    session: AsyncSession,
    clock: Clock,
    state: FSMContext | None = None,
    callback_answer: CallbackAnswer | None = None,
    gone: bool = False,
) -> None:
    """Say the refusal, end the dialog if it says so, and record it (a Gone with its own text is not recorded)."""
    gone = gone and refusal.gone is not None
    if refusal.ends_dialog and state is not None:
        await end_dialog(state)
    if refusal.audit is not None and not gone:
        pressed = (event.data or "")[:64] if isinstance(event, CallbackQuery) else None
        log.warning("refused: %s (%s)", refusal.audit, (pressed or "").split(":", 1)[0])
        await audit.record(
            session,
            clock,
            actor_id=actor_id,
            action=refusal.audit,
            object_type="callback" if isinstance(event, CallbackQuery) else "message",
            object_id=pressed,
        )
    text = refusal.gone() if gone and refusal.gone is not None else refusal.text()
    if isinstance(event, Message):
        await (event.reply(text) if refusal.shown == Shown.REPLY else event.answer(text))
    elif refusal.shown == Shown.CARD:
        await edit_card(event, text)
    elif refusal.shown == Shown.CHAT and event.message is not None:
        await event.message.answer(text)
    elif callback_answer is not None:
        alert(callback_answer, text)


BUTTON_GONE = Refusal(texts.button_gone)
