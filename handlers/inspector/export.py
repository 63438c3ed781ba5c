"""/export: the register of appeals for a date range as CSV (UTF-8 with BOM, so Excel opens it). Admins: all; an inspector: their own."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import appeal_lists
from bot.services.people import Actor
from bot.services.quarters import Quarter
from bot.ui import labels
from bot.ui.appeals.cards import is_overdue
from bot.ui.callbacks import ExportCb
from bot.ui.keyboards import Keyboard
from models import Appeal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def create_router() -> Router:
    router = Router(name="export")
    router.message.register(ask, Command("export"))
    router.callback_query.register(chosen, ExportCb.filter())
    return router


def _ranges(today: date) -> list[tuple[str, date, date]]:
    month = today.replace(day=1)
    previous_month = (month - timedelta(days=1)).replace(day=1)
    quarter = Quarter.of(today)
    return [
        (_("This month"), month, today + timedelta(days=1)),
        (_("Last month"), previous_month, month),
        (_("This quarter"), quarter.first_day, today + timedelta(days=1)),
        (_("Last quarter"), quarter.previous().first_day, quarter.first_day),
    ]


async def ask(
    message: Message, command: CommandObject, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    if command.args:
        try:
            first, last = (_bounded(date.fromisoformat(part)) for part in command.args.split())
        except ValueError:
            await message.answer(
                _("Give the dates as <code>/export 2026-01-01 2026-03-31</code>, or choose a period:"),
                reply_markup=_choices(clock, settings),
            )
            return
        if last < first:
            first, last = last, first
        await _send(message, session, clock, actor, settings, first, last + timedelta(days=1))
        return
    await message.answer(
        _("Which period? Or give the dates: <code>/export 2026-01-01 2026-03-31</code>"),
        reply_markup=_choices(clock, settings),
    )


def _choices(clock: Clock, settings: Settings) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for title, start, end in _ranges(clock.now().astimezone(settings.tz).date()):
        builder.button(text=title, callback_data=ExportCb(start=start.isoformat(), end=end.isoformat()))
    builder.adjust(2)
    return builder.as_markup()


async def chosen(
    callback: CallbackQuery,
    callback_data: ExportCb,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    try:
        start, end = _bounded(date.fromisoformat(callback_data.start)), _bounded(date.fromisoformat(callback_data.end))
    except ValueError:
        return
    if isinstance(callback.message, Message):
        await _send(callback.message, session, clock, actor, settings, start, end)


async def _send(
    message: Message, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings, start: date, end: date
) -> None:
    zone = settings.tz
    now = clock.now()
    rows = await appeal_lists.register(
        session,
        actor,
        start=datetime.combine(start, time(), zone).astimezone(UTC),
        end=datetime.combine(end, time(), zone).astimezone(UTC),
    )
    last = end - timedelta(days=1)
    name = f"appeals_{start.isoformat()}_{last.isoformat()}.csv"
    await message.answer_document(
        BufferedInputFile(register_csv(rows, now), filename=name),
        caption=_("Appeals received from {start} to {end}: {count}").format(
            start=start.isoformat(), end=last.isoformat(), count=len(rows)
        ),
    )


def _bounded(day: date) -> date:
    """Dates a register can cover; 9999-12-31 would overflow a day later, and nothing predates the bot."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(day)
    return day


def cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (= + - @, a tab or a carriage return first) is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def register_csv(appeals: list[Appeal], now: datetime) -> bytes:
    """One row per appeal; an anonymous appeal's flat stays empty, and no row names a resident."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Number"),
            _("Received"),
            _("Building"),
            _("Flat"),
            _("Category"),
            _("Anonymous"),
            _("Status"),
            _("Inspector"),
            _("First response due"),
            _("First response"),
            _("Deadline"),
            _("Closed"),
            _("Overdue"),
            _("Rating"),
        ]
    )
    for appeal in appeals:
        zone = appeal.building.timezone
        writer.writerow(
            cell(value)
            for value in [
                appeal.number,
                _local(appeal.created_at, zone),
                appeal.building.code,
                "" if appeal.anonymous else appeal.flat or "",
                labels.category(appeal.category),
                _("yes") if appeal.anonymous else _("no"),
                labels.status(appeal.status),
                appeal.inspector.full_name if appeal.inspector else "",
                _local(appeal.first_response_due, zone),
                _local(appeal.first_response_at, zone),
                _local(appeal.due_at, zone),
                _local(appeal.resolved_at, zone),
                _("yes") if is_overdue(appeal, now) else _("no"),
                appeal.rating or "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _local(moment: datetime | None, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if moment else ""
