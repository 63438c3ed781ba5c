"""What everyone may do: /cancel, /lang, /inspector, /meetings, /report in any chat; /help, /privacy, replies privately."""

from __future__ import annotations

from aiogram import F, Router

from handlers.common import blocking, cancel, help, inspector, language, meetings_list, privacy, replies, report


def create_router() -> Router:
    router = Router(name="common")
    anywhere = Router(name="common-anywhere")
    anywhere.include_routers(
        cancel.create_router(),
        language.create_router(),
        inspector.create_router(),
        meetings_list.create_router(),
        report.create_router(),
    )
    private = Router(name="common-private")
    private.message.filter(F.chat.type == "private")
    private.my_chat_member.filter(F.chat.type == "private")
    private.include_routers(
        help.create_router(), privacy.create_router(), replies.create_router(), blocking.create_router()
    )
    router.include_routers(anywhere, private)
    return router
