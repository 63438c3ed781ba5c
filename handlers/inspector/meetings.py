"""What the meeting handlers share: refusing a button that is not the presser's, with a record of it."""

from __future__ import annotations

import logging

from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit
from bot.ui import texts
from handlers.dialogs import alert

log = logging.getLogger(__name__)


async def refuse(
    callback_answer: CallbackAnswer, session: AsyncSession, clock: Clock, actor_id: int, data: str
) -> None:
    """A meeting button pressed (or forged) by someone it is not for, or of no meeting: the generic refusal."""
    log.warning("refused a meeting action (%s)", [*data.split(":"), ""][1][:16])
    await audit.record(
        session, clock, actor_id=actor_id, action="meeting_refused", object_type="callback", object_id=data[:64]
    )
    alert(callback_answer, texts.button_gone())
