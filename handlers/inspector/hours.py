"""/hours: an inspector's working hours, which their reminders wait for (`/hours 9-18`, or asked step by step)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import inspectors
from bot.services.errors import InvalidValue
from bot.services.people import Actor
from bot.ui.reminders import cadence as cadence_cards
from handlers.dialogs import TEXT_ANSWER, end_dialog


class WorkingHours(StatesGroup):
    hours = State()


def create_router() -> Router:
    router = Router(name="hours")
    router.message.register(start, Command("hours"))
    router.message.register(hours_sent, WorkingHours.hours, TEXT_ANSWER)
    return router


async def start(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    await end_dialog(state)
    if actor.inspector is None:
        await message.answer(cadence_cards.not_an_inspector())
        return
    if command.args and command.args.strip():
        await _set(message, state, session, clock, actor, command.args)
        return
    await state.set_state(WorkingHours.hours)
    await message.answer(cadence_cards.hours_now(actor.inspector.work_from, actor.inspector.work_to))


async def hours_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    await _set(message, state, session, clock, actor, message.text or "")


async def _set(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, raw: str
) -> None:
    inspector = actor.inspector
    if inspector is None:
        await end_dialog(state)
        await message.answer(cadence_cards.not_an_inspector())
        return
    try:
        work_from, work_to = inspectors.parse_working_hours(raw)
    except InvalidValue:
        await state.set_state(WorkingHours.hours)
        await message.answer(cadence_cards.bad_hours())
        return
    await inspectors.set_working_hours(session, clock, inspector, work_from, work_to, actor_id=actor.telegram_id)
    await end_dialog(state)
    await message.answer(cadence_cards.hours_set(work_from, work_to))
