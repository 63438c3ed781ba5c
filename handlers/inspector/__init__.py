"""Inspectors and administrators (staff), in their private chat: appeals, meetings, notices, reports, proposals."""

from __future__ import annotations

from aiogram import F, Router

from bot.filters import IsStaff
from handlers.inspector import (
    appeals,
    buildings,
    chat_week,
    export,
    hours,
    meeting_manage,
    meeting_new,
    meeting_plan,
    meeting_results,
    notice,
    proposals,
    questions,
    queue,
    report,
    reports,
    welcome,
)


def create_router() -> Router:
    router = Router(name="inspector")
    router.message.filter(F.chat.type == "private", IsStaff())
    # Buttons on cards anyone could press or forge: each handler checks the object and refuses with a record of its kind.
    cards = Router(name="inspector-cards")
    cards.include_routers(
        questions.create_router(),  # first: a reply to a passed-on chat question wins over any open dialog
        appeals.create_router(),
        meeting_plan.create_router(),
        meeting_results.create_router(),
    )
    # Buttons only staff are shown: anyone else's press falls through to the fallback, which refuses and records it.
    staff = Router(name="inspector-staff")
    staff.callback_query.filter(IsStaff())
    staff.include_routers(
        welcome.create_router(),
        buildings.create_router(),
        queue.create_router(),
        export.create_router(),
        chat_week.create_router(),
        hours.create_router(),
        meeting_new.create_router(),
        meeting_manage.create_router(),
        notice.create_router(),
        report.create_router(),
        reports.create_router(),
        proposals.create_router(),
    )
    router.include_routers(cards, staff)
    return router
