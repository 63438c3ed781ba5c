"""Role filters: rights come from the actor the server loaded, never from the update's content; and every filter
runs in the event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.services.people import Actor

GROUP_CHATS = frozenset({"group", "supergroup"})
# Building chats: Telegram's basic groups and supergroups alike.
GROUPS = F.chat.type.in_(GROUP_CHATS)


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_admin


class IsStaff(Filter):
    """Admins and inspectors."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_staff


def run_filters_in_loop(router: Router) -> None:
    """aiogram runs a filter that is a plain function (every `F` expression is one) in a worker thread: a thread hop
    for each filter a handler is tried with, several an update. They are quick pure checks of the update, so the
    router and every router under it run them in the event loop instead."""
    for each in router.chain_tail:
        for observer in each.observers.values():
            # The observer's own filters (set once on a role's router) live on its root handler.
            for handler in [observer._handler, *observer.handlers]:
                for event_filter in handler.filters or ():
                    if not event_filter.awaitable:
                        event_filter.callback = _awaitable(event_filter.callback)
                        event_filter.awaitable = True


def _awaitable(check: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return run
