"""A handler's `loads` flag: what it works on, loaded before it runs, or the person answered instead.

Several handlers open alike: load the pressed object (or the dialog's data) and, when it can no longer be acted on,
say so and stop. The flag names that opening once. Its loader is called like a handler — the event, then whatever
of the handler's data it names as parameters — and returns the value the handler gets under the flag's name, or
None when it has answered the person itself (the handler does not run). NotAllowed and Gone raised by a loader meet
the handler's refusal flag, as the handler's own would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram.dispatcher.event.handler import CallableObject
from aiogram.dispatcher.flags import get_flag
from aiogram.types import TelegramObject


@dataclass(frozen=True)
class Load:
    name: str  # the handler's parameter that receives the value
    loader: Callable[..., Awaitable[Any]]
    call: CallableObject = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "call", CallableObject(self.loader))


def loads(name: str, loader: Callable[..., Awaitable[Any]]) -> dict[str, Any]:
    """The `flags` argument of a handler's registration (joined with a refusal flag by `|`)."""
    return {"loads": Load(name, loader)}


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def apply_loads(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Inner middleware of messages and button presses, inside the refusals': the handler's `loads` flag applied."""
    load: Load | None = get_flag(data, "loads")
    if load is None:
        return await handler(event, data)
    value = await load.call.call(event, **data)
    if value is None:
        return None
    data[load.name] = value
    return await handler(event, data)
