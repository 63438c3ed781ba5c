"""/report for residents: the latest published report of their building (its summary and printable page) — privately
for a registered resident, or in a bound building chat for that building, in the chat's language.

Staff's /report in a private chat is the report dialog (handlers.inspector.report), whose router comes first.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import report_store
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.reports import output as report_output
from models import Building, BuildingChat


def create_router() -> Router:
    router = Router(name="report-public")
    router.message.register(show, Command("report"))
    return router


async def show(
    message: Message, session: AsyncSession, actor: Actor, settings: Settings, building_chat: BuildingChat | None = None
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
    output = await report_output.render(view, published_at=report.published_at, chart=False)
    await message.answer(output.summary)
    await report_output.send_pdf(message, output)
