"""Messages about appeals, as outbox rows: the card to its staff, answers to the resident, replies back — each in the
reader's language, committed with the work that caused them and sent by the one sender.

Messages are copied, never forwarded, so an anonymous resident's name never travels with them. The sender records
every message of these rows in the table of message pairs once Telegram gives its id, so a reply to any of them
finds the appeal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, ReplyParameters
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import outbox, parts, people, routing
from bot.services.appeals import Content
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals.cards import attachment_gone, staff_card
from bot.ui.keyboards import stored
from models import Appeal, AppealMessage, Delivery, Priority

# Media that can carry a caption, and the Bot API method that sends one again by its file id (without it).
BARE_SENDERS = {
    "photo": "send_photo",
    "document": "send_document",
    "video": "send_video",
    "voice": "send_voice",
    "audio": "send_audio",
}
# Texts and keyboards are built inside the reader's locale, so they are passed as functions.
Render = Callable[[], str]
Markup = Callable[[], InlineKeyboardMarkup | None]


@dataclass
class Courier:
    i18n: I18n
    session: AsyncSession
    clock: Clock
    settings: Settings

    def staff_of(self, appeal: Appeal) -> list[int]:
        """Who works the appeal: its inspector, or the administrators when the building has none."""
        inspector = appeal.inspector
        return [inspector.user_id] if inspector is not None and inspector.active else list(self.settings.admin_ids)

    async def deliver_card(self, appeal: Appeal) -> None:
        """The card and the resident's attachments to the staff; a reader who cannot be reached gets it later."""
        for chat_id in self.staff_of(appeal):
            await self.card_to(chat_id, appeal)

    async def card_to(self, chat_id: int, appeal: Appeal) -> Delivery:
        """The card with its buttons, then copies of the resident's attachments under it.

        Each copy carries the line the card gains if it can no longer be copied (the resident deleted it).
        """
        text, actions, copies = await self._card(chat_id, appeal)
        card: parts.Part = {"kind": "text", "text": text, "card": True}
        if actions is not None:
            card["buttons"] = stored(actions)
        return await self._enqueue(appeal, chat_id, [card, *copies])

    async def show_card(self, bot: Bot, chat_id: int, appeal: Appeal) -> None:
        """The card again, in the chat that asked for it: a reply, so sent directly (attachments copied under it)."""
        text, actions, copies = await self._card(chat_id, appeal)
        card = await bot.send_message(chat_id, text, reply_markup=actions)
        await routing.link(self.session, self.clock, chat_id=chat_id, message_id=card.message_id, appeal_id=appeal.id)
        missing = []
        for part in copies:
            try:
                copy = await send_copy(
                    bot,
                    chat_id,
                    part,
                    reply_parameters=ReplyParameters(message_id=card.message_id, allow_sending_without_reply=True),
                )
            except TelegramBadRequest:
                missing.append(part["unavailable"])
                continue
            await routing.link(self.session, self.clock, chat_id=chat_id, message_id=copy, appeal_id=appeal.id)
        if missing:
            await bot.edit_message_text(
                "\n\n".join([text, "\n".join(missing)]),
                chat_id=chat_id,
                message_id=card.message_id,
                reply_markup=actions,
            )

    async def _card(self, chat_id: int, appeal: Appeal) -> tuple[str, InlineKeyboardMarkup | None, list[parts.Part]]:
        """The card's text and buttons in the reader's language, and the copies of the resident's attachments."""
        # An erased resident's files (no source left) are never copied again.
        attachments = [
            m
            for m in appeal.messages
            if m.author == "resident" and m.kind != "text" and m.source_chat_id is not None and m.source_message_id
        ]
        with self.i18n.use_locale(await self._language(chat_id)):
            text = staff_card(appeal, self.clock.now())
            actions = appeal_keyboards.staff_actions(appeal, self.clock.now())
            copies = [
                {**_copy(message), "reply_to_part": 0, "unavailable": attachment_gone(index, len(attachments), message)}
                for index, message in enumerate(attachments, 1)
            ]
        return text, actions, copies

    async def to_resident(
        self,
        appeal: Appeal,
        header: Render,
        content: Content | None = None,
        markup_factory: Markup | None = None,
        *,
        author_id: int | None = None,
    ) -> Delivery | None:
        """A header (and a copy of the staff's message) to the resident; None when the resident erased their data."""
        if appeal.resident_id is None:
            return None
        return await self._relay(
            appeal, appeal.resident_id, header, content, markup_factory, author_id, from_resident=False
        )

    async def to_staff(
        self,
        appeal: Appeal,
        header: Render,
        content: Content | None = None,
        markup_factory: Markup | None = None,
        *,
        author_id: int | None = None,
    ) -> None:
        for chat_id in self.staff_of(appeal):
            await self._relay(appeal, chat_id, header, content, markup_factory, author_id, from_resident=True)

    async def _relay(
        self,
        appeal: Appeal,
        chat_id: int,
        header: Render,
        content: Content | None,
        markup_factory: Markup | None,
        author_id: int | None,
        *,
        from_resident: bool,
    ) -> Delivery:
        # A resident's caption travels in the header, as text, never on the copy (where it could name them).
        caption = content.text if from_resident and content is not None and content.kind != "text" else None
        with self.i18n.use_locale(await self._language(chat_id)):
            head: parts.Part = {"kind": "text", "text": header() + (f"\n\n{escape(caption)}" if caption else "")}
            markup = markup_factory() if markup_factory else None
        if markup is not None:
            head["buttons"] = stored(markup)
        message_parts = [head]
        if content is not None:
            copy: parts.Part = {"kind": "copy", "from_chat_id": content.chat_id, "message_id": content.message_id}
            if from_resident:
                copy.update(_bare(content.kind, content.file_id))
            message_parts.append({**copy, "reply_to_part": 0})
        # The thread message it carries: the one just added (the answer, the reply), when there is content.
        carried = appeal.messages[-1].id if content is not None and appeal.messages else None
        return await self._enqueue(appeal, chat_id, message_parts, appeal_message_id=carried, author_id=author_id)

    async def _enqueue(
        self,
        appeal: Appeal,
        chat_id: int,
        message_parts: list[parts.Part],
        *,
        appeal_message_id: int | None = None,
        author_id: int | None = None,
    ) -> Delivery:
        return await outbox.enqueue(
            self.session,
            self.clock,
            chat_id=chat_id,
            parts=message_parts,
            priority=Priority.PERSONAL,
            appeal_id=appeal.id,
            appeal_message_id=appeal_message_id,
            author_id=author_id,
        )

    async def _language(self, chat_id: int) -> str:
        known = await people.reading_locales(self.session, [chat_id], default_country=self.settings.country)
        return known.get(chat_id, self.settings.default_locale)


def _copy(message: AppealMessage) -> parts.Part:
    """A resident's attachment, to staff: its file alone where it has one, without the caption (the words are in the
    appeal's text, where an anonymous author could edit them)."""
    return {
        "kind": "copy",
        "from_chat_id": message.source_chat_id,
        "message_id": message.source_message_id,
        **_bare(message.kind, message.file_id),
    }


def _bare(kind: str, file_id: str | None) -> parts.Part:
    """What lets a copy go as the file alone: Telegram's copyMessage keeps a caption unless given a new one, and
    aiogram drops an empty one, so such a file is sent again by its id instead."""
    return {"bare": kind, "file_id": file_id} if kind in BARE_SENDERS and file_id is not None else {}


async def send_copy(bot: Bot, chat_id: int, part: parts.Part, **options: Any) -> int:
    """Send a "copy" part: the file alone by its id when the part is bare, else a copy of the message."""
    if part.get("bare") in BARE_SENDERS:
        sent = await getattr(bot, BARE_SENDERS[part["bare"]])(chat_id, part["file_id"], **options)
    else:
        sent = await bot.copy_message(chat_id, part["from_chat_id"], part["message_id"], **options)
    return int(sent.message_id)
