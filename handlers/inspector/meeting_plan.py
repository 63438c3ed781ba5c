"""The "Plan a meeting" button of the scheduler's reminders: it opens the same dialog as /meeting."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.errors import NotAllowed
from bot.services.people import Actor
from bot.ui.callbacks import PlanMeetingCb
from handlers.inspector import meeting_new
from handlers.inspector.meetings import PRESSED
from handlers.refusing import flag


def create_router() -> Router:
    router = Router(name="meeting-plan")
    # No role filter: a press by anyone else (a forged one) is refused and recorded here.
    router.callback_query.register(plan, PlanMeetingCb.filter(), flags=flag(PRESSED))
    return router


async def plan(
    callback: CallbackQuery,
    callback_data: PlanMeetingCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    # Only the inspector the reminder was for, in the private chat it was sent to.
    own = actor.inspector is not None and actor.inspector.id == callback_data.inspector_id
    if not own or not isinstance(callback.message, Message) or callback.message.chat.id != actor.telegram_id:
        raise NotAllowed()
    await meeting_new.start(callback.message, state, session, actor)
