"""aiogram routers. `get_routers()` builds fresh ones on every call: the roles, in the order they must be tried.

Each role router sets its chat and role filters once; a command the roles let pass reaches the refusals.
"""

from __future__ import annotations

from aiogram import Router

from handlers import admin, common, errors, fallback, group, inspector, refusals, resident


def get_routers() -> list[Router]:
    return [
        errors.create_router(),
        admin.create_router(),
        inspector.create_router(),  # before residents: staff's /start is their menu, not a registration
        resident.create_router(),  # before common: the registration's language buttons are its own step
        group.create_router(),
        common.create_router(),  # after staff: staff's /report is their report dialog, not the published one
        refusals.create_router(),  # commands the roles let pass: a clear "no"
        fallback.create_router(),  # last: what nothing else took
    ]
