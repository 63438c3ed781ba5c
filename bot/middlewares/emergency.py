"""A private message that looks like an emergency is answered with the emergency numbers first, in any dialog step.

Then the message goes on to the dialog as usual; a dialog under way remembers it, so the appeal it ends in is urgent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from bot.config import Settings
from bot.services import emergency
from bot.services.people import Actor
from bot.ui import emergency as emergency_ui

# The dialog data key an appeal's Send reads: set by an emergency word or the tip's "crime or threat" button.
URGENT_KEY = "urgent"


class EmergencyMiddleware(BaseMiddleware):
    def __init__(self, settings: Settings) -> None:
        self._emergencies = emergency.load(settings.emergency_words_file or emergency.DEFAULT_FILE)
        self._country = settings.country

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.chat.type == "private" and self._emergencies.matches(_words(event)):
            actor: Actor | None = data.get("actor")
            # Staff write about incidents all the time (answers, oral appeals): the numbers are for residents.
            if actor is None or not actor.is_staff:
                country = actor.residency.building.country if actor and actor.residency else self._country
                await event.answer(emergency_ui.answer(self._emergencies.numbers_of(country)))
                state: FSMContext | None = data.get("state")
                if state is not None and await state.get_state() is not None:
                    await state.update_data({URGENT_KEY: True})
        return await handler(event, data)


def _words(message: Message) -> str | None:
    text = message.text or message.caption
    # A command is not a cry for help.
    return None if text is not None and text.startswith("/") else text
