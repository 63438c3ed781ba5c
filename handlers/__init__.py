"""aiogram routers. `get_routers()` builds fresh ones on every call, in the order they must be tried."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, refusals, replies
from handlers.admin import buildings as admin_buildings
from handlers.admin import inspectors as admin_inspectors
from handlers.common import cancel, help, inspector, language, privacy
from handlers.group import binding, membership
from handlers.inspector import appeals as inspector_appeals
from handlers.inspector import export, queue, welcome
from handlers.resident import appeal, my_appeals, registration


def get_routers() -> list[Router]:
    return [
        errors.create_router(),
        membership.create_router(),
        cancel.create_router(),
        welcome.create_router(),  # staff's /start, before the residents' registration
        registration.create_router(),
        help.create_router(),
        language.create_router(),
        privacy.create_router(),
        inspector.create_router(),
        appeal.create_router(),  # after the commands above, so /help works in the middle of the dialog
        my_appeals.create_router(),
        inspector_appeals.create_router(),
        queue.create_router(),
        export.create_router(),
        replies.create_router(),
        admin_inspectors.create_router(),
        admin_buildings.create_router(),
        binding.create_router(),
        refusals.create_router(),
        fallback.create_router(),  # last: what nothing else took
    ]
