"""The one shape in which services receive the texts they send: a renderer of a subject for one reader.

Services know no Telegram or gettext, yet they decide who reads what (a meeting's chats, an appeal's resident, the
staff who decide an extension). So the handler or the scheduler passes in a `Render` from bot/ui, and the service
calls it once per reader with what that reader is to read about; it returns the parts of one message (text,
buttons, files), which the service queues in the outbox or turns into an edit (`parts.edit_to`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.config import reading_locale
from bot.services.parts import Part
from models import BuildingChat

Subject = TypeVar("Subject", contravariant=True)


@dataclass(frozen=True)
class Reader:
    """Who reads a text: the chat it goes to, its gettext locale and the time zone its times are shown in."""

    chat_id: int
    locale: str  # the language with the country's wording (bot.config.reading_locale): ru, ru@UZ
    timezone: str


class Render(Protocol[Subject]):
    """A subject as one reader reads it: the parts of one message, rendered in the reader's locale and zone."""

    def __call__(self, subject: Subject, reader: Reader, /) -> list[Part]: ...


def in_chat(chat: BuildingChat, timezone: str) -> Reader:
    """A building chat as a reader: its language in its building's wording, its building's time zone."""
    return Reader(chat.chat_id, reading_locale(chat.language, chat.country), timezone)
