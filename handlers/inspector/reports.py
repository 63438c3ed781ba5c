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
from bot.services.errors import ReportGone
from bot.services.people import Actor
from bot.services.report_store import AlreadyPublished
from bot.ui import texts
from bot.ui.callbacks import ArchiveAction, ArchiveCb
from bot.ui.reports import cards as report_cards
from bot.ui.reports import keyboards as report_keyboards
from bot.ui.reports import output as report_output
from handlers.dialogs import alert, edit_card
from handlers.inspector import report as dialog
from handlers.loading import loads
from handlers.refusing import Refusal, flag
from models import Report

PAGE_SIZE = 8
Found = tuple[Message, Report]  # the pressed button's message and its report


def create_router() -> Router:
    router = Router(name="reports")
    router.message.register(show, Command("reports"))
    router.callback_query.register(page, ArchiveCb.filter(F.action == ArchiveAction.PAGE))
    for handler, action, loader in (
        (open_summary, ArchiveAction.OPEN, _report),
        (send_pdf, ArchiveAction.PDF, _report),
        (continue_draft, ArchiveAction.CONTINUE, _draft),
        (delete_draft, ArchiveAction.DELETE, _draft),
    ):
        router.callback_query.register(
            handler, ArchiveCb.filter(F.action == action), flags=flag(REFUSED) | loads("found", loader)
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


async def _report(callback: CallbackQuery, callback_data: ArchiveCb, session: AsyncSession, actor: Actor) -> Found:
    """The button's message and the report it is for (NotAllowed or Gone: the flag refuses)."""
    if not isinstance(callback.message, Message):
        raise ReportGone()  # an inaccessible old message: its button is simply gone
    return callback.message, await report_store.for_staff(session, actor, callback_data.report_id)


async def _draft(
    callback: CallbackQuery,
    callback_data: ArchiveCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    actor: Actor,
) -> Found | None:
    """The same for a draft; a published report can no longer be changed (None)."""
    message, report = await _report(callback, callback_data, session, actor)
    if report.published_at is not None:
        alert(callback_answer, _published_already())
        return None
    return message, report


def _published_already() -> str:
    return _("This report is published already: it can no longer be changed.")


async def open_summary(callback: CallbackQuery, found: Found, session: AsyncSession, settings: Settings) -> None:
    message, report = found
    view = await report_store.view(session, report, default_zone=settings.timezone)
    await message.answer(report_cards.summary(view), reply_markup=report_keyboards.opened(report))


async def send_pdf(callback: CallbackQuery, found: Found, session: AsyncSession, settings: Settings) -> None:
    message, report = found
    view = await report_store.view(session, report, default_zone=settings.timezone)
    await report_output.send_pdf(
        message, await report_output.render(view, published_at=report.published_at, chart=False)
    )


async def continue_draft(
    callback: CallbackQuery,
    found: Found,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    message, report = found
    await message.edit_reply_markup(reply_markup=None)
    await dialog.continue_draft(message, state, session, clock, actor, settings, report)


async def delete_draft(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    found: Found,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    try:
        await report_store.delete_draft(session, clock, actor, found[1].id)
    except AlreadyPublished:
        alert(callback_answer, _published_already())
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
