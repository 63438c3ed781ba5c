"""/queue: open appeals by deadline, overdue marked, filtered by building and status; an administrator sees all."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import appeal_lists
from bot.services.people import Actor
from bot.ui import labels
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals.cards import is_overdue, number
from bot.ui.callbacks import ListCb
from bot.ui.formatting import local_date
from handlers.dialogs import edit_card
from models import AppealStatus

PAGE_SIZE = 8


def create_router() -> Router:
    router = Router(name="queue")
    router.message.register(show, Command("queue"))
    router.callback_query.register(page, ListCb.filter(F.listing == "q"))
    return router


async def show(message: Message, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    text, markup = await _render(session, clock, actor, page=0, building_id=0, status="")
    await message.answer(text, reply_markup=markup)


async def page(
    callback: CallbackQuery, callback_data: ListCb, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    status = callback_data.status if callback_data.status in {s.value for s in AppealStatus} else ""
    text, markup = await _render(
        session, clock, actor, page=callback_data.page, building_id=callback_data.building_id, status=status
    )
    await edit_card(callback, text, markup)


async def _render(
    session: AsyncSession, clock: Clock, actor: Actor, *, page: int, building_id: int, status: str
) -> tuple[str, InlineKeyboardMarkup]:
    result = await appeal_lists.queue(
        session, actor, building_id=building_id or None, status=status or None, page=page, size=PAGE_SIZE
    )
    buildings = await appeal_lists.queue_buildings(session, actor)
    now = clock.now()
    lines = [_("<b>Open appeals</b>: {count}").format(count=result.total)]
    for appeal in result.items:
        mark = "⚠️ " if is_overdue(appeal, now) else ""
        lines.append(
            _("{mark}{number} · {building} · {status} · due {date}").format(
                mark=mark,
                number=number(appeal),
                building=appeal.building.code,
                status=labels.status(appeal.status),
                date=local_date(appeal.due_at, appeal.building.timezone),
            )
        )
    if not result.items:
        lines.append(_("Nothing here."))
    markup = appeal_keyboards.queue(result.items, result.page, result.pages, buildings, building_id, status)
    return "\n".join(lines), markup
