"""/report for residents: the latest published report of their building (its summary and printable page) — privately
for a registered resident, or in a bound building chat for that building, in the chat's language.

Staff's /report in a private chat is the report dialog (handlers.inspector.report), whose router comes first.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import outbox, report_store
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.reports import cards as report_cards
from bot.ui.reports import output as report_output
from models import Building, BuildingChat


def create_router() -> Router:
    router = Router(name="report-public")
    router.message.register(show, Command("report"))
    return router


async def show(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    building_chat: BuildingChat | None = None,
) -> None:
    building: Building
    if message.chat.type == "private":
        if actor.residency is None:
            await message.answer(texts.not_registered())
            return
        building = actor.residency.building
    elif building_chat is not None:
        building = building_chat.building
    else:
        await message.answer(_("This chat is not connected to a building yet. Its inspector connects it with /bind."))
        return
    report = await report_store.latest_for_building(session, building.id)
    if report is None:
        await message.answer(
            _(
                "No report to the residents of this building has been published yet. The inspector publishes one each quarter."
            )
        )
        return
    view = await report_store.view(session, report, default_zone=settings.timezone)
    await message.answer(report_cards.summary(view))
    # The page is drawn once per language and kept; every later /report sends it again by Telegram's file id.
    # Drawing takes a second: the answer above has committed the update's work, so no lock waits on it.
    language = get_i18n().current_locale
    page = await report_store.drawn(session, report, language)
    if page is None:
        output = await report_output.render(view, published_at=report.published_at, chart=False)
        page = await report_store.keep_drawn(session, clock, report, language, output.pdf)
    document = page.document_id or BufferedInputFile(page.data, filename=report_cards.pdf_filename(view))
    sent = await message.answer_document(document, caption=report_cards.pdf_caption(view))
    if page.document_id is None and sent.document is not None:
        await outbox.remember_upload(session, page.digest, as_photo=False, file_id=sent.document.file_id)
