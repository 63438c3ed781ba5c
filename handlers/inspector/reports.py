"""/reports (an inspector or an administrator, privately): the archive of reports, newest first.

An inspector sees their own reports (drafts included), an administrator every report. Each opens with its summary
and buttons to get the printable page again or, for a draft, to continue or delete it. Report ids come from buttons,
so each is checked again on the server (bot.services.report_store.for_staff).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import report_store
from bot.services.people import Actor
from bot.services.report_store import AlreadyPublished
from bot.ui import texts
from bot.ui.reports import cards as report_cards
from bot.ui.reports import keyboards as report_keyboards
from bot.ui.reports import output as report_output
from bot.ui.reports.keyboards import ArchiveCb
from handlers.dialogs import alert, edit_card
from handlers.inspector import report as dialog
from handlers.refusing import Refusal, flag
from models import Report

PAGE_SIZE = 8


def create_router() -> Router:
    router = Router(name="reports")
    router.message.register(show, Command("reports"))
    router.callback_query.register(page, ArchiveCb.filter(F.action == "page"))
    router.callback_query.register(
        act, ArchiveCb.filter(F.action.in_({"open", "pdf", "continue", "delete"})), flags=flag(REFUSED)
    )
    return router


# Another inspector's report (a forged button) is refused and recorded; a deleted one's button is simply gone.
REFUSED = Refusal(lambda: _("This report is not yours."), audit="report_refused", gone=texts.button_gone)


async def show(message: Message, session: AsyncSession, actor: Actor, settings: Settings) -> None:
    text, markup = await _render(session, actor, settings, 0)
    await message.answer(text, reply_markup=markup)


async def page(
    callback: CallbackQuery, callback_data: ArchiveCb, session: AsyncSession, actor: Actor, settings: Settings
) -> None:
    text, markup = await _render(session, actor, settings, callback_data.page)
    await edit_card(callback, text, markup)


async def act(
    callback: CallbackQuery,
    callback_data: ArchiveCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    if not isinstance(callback.message, Message):
        alert(callback_answer, texts.button_gone())
        return
    report = await report_store.for_staff(session, actor, callback_data.report_id)
    if callback_data.action == "open":
        view = await report_store.view(session, report, default_zone=settings.timezone)
        await callback.message.answer(report_cards.summary(view), reply_markup=report_keyboards.opened(report))
    elif callback_data.action == "pdf":
        view = await report_store.view(session, report, default_zone=settings.timezone)
        await report_output.send_pdf(
            callback.message, await report_output.render(view, published_at=report.published_at, chart=False)
        )
    elif report.published_at is not None:
        alert(callback_answer, _("This report is published already: it can no longer be changed."))
    elif callback_data.action == "continue":
        await callback.message.edit_reply_markup(reply_markup=None)
        await dialog.continue_draft(callback.message, state, session, clock, actor, settings, report)
    else:
        try:
            await report_store.delete_draft(session, clock, actor, report.id)
        except AlreadyPublished:
            alert(callback_answer, _("This report is published already: it can no longer be changed."))
            return
        await edit_card(callback, _("The draft is deleted."))


async def _render(
    session: AsyncSession, actor: Actor, settings: Settings, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    listed = await report_store.archive(session, actor, page=number, size=PAGE_SIZE)
    title = _("<b>Your reports</b>") if not actor.is_admin else _("<b>All reports</b>")
    if not listed.items:
        return title + "\n" + _("None yet. Prepare one with /report."), None
    lines = [title]
    lines += [_line(report, settings) for report in listed.items]
    lines.append(_("Tap a report to open it."))
    return "\n".join(lines), report_keyboards.archive(listed.items, listed.page, listed.pages)


def _line(report: Report, settings: Settings) -> str:
    codes = [building.code for building in report.buildings]
    zone = report.buildings[0].timezone if report.buildings else settings.timezone
    return report_cards.archive_line(report.quarter, codes, report.published_at, zone)
