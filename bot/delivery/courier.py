"""Getting appeals to people: the card to its inspector, answers to the resident, replies back — each in the reader's language.

Messages are copied, never forwarded, so an anonymous resident's name never travels with them. Every message
sent about an appeal is recorded in the table of message pairs, so a reply to any of them finds the appeal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, ReplyParameters
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import appeals, people, routing
from bot.services.appeals import Content
from bot.services.people import Actor
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals.cards import staff_card
from models import Appeal

log = logging.getLogger(__name__)
TRANSIENT = (TelegramRetryAfter, TelegramServerError, TelegramNetworkError)
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


class Undelivered(Exception):
    """Telegram did not take the message; what it was about stays waiting (a card stays undelivered)."""


class Unreachable(Undelivered):
    """Telegram refused for good: the person blocked the bot or never opened it."""


@dataclass
class Courier:
    bot: Bot
    i18n: I18n
    session: AsyncSession
    clock: Clock
    settings: Settings

    def staff_of(self, appeal: Appeal) -> list[int]:
        """Who works the appeal: its inspector, or the administrators when the building has none."""
        inspector = appeal.inspector
        return [inspector.user_id] if inspector is not None and inspector.active else list(self.settings.admin_ids)

    async def deliver_card(self, appeal: Appeal) -> bool:
        """The card and the resident's attachments to the staff; False when nobody could be reached."""
        delivered = False
        for chat_id in self.staff_of(appeal):
            try:
                await self.card_to(chat_id, appeal)
                delivered = True
            except Undelivered:
                continue
        if delivered:
            await appeals.mark_delivered(self.session, self.clock, appeal)
        elif appeal.inspector is not None:
            await self.tell_admins(
                lambda: _(
                    "Appeal №{number} has not reached its inspector: they blocked the bot, have not opened it yet, "
                    "or Telegram did not take it just now. It will be delivered when they next open the bot."
                ).format(number=appeal.number)
            )
        else:
            log.warning("appeal №%s has no inspector and no administrator could be reached", appeal.number)
        return delivered

    async def card_to(self, chat_id: int, appeal: Appeal) -> None:
        """The card with its buttons, then copies of the resident's attachments under it."""
        with self.i18n.use_locale(await self._language(chat_id)):
            card = await self._send(
                chat_id, staff_card(appeal, self.clock.now()), appeal_keyboards.staff_actions(appeal)
            )
        await routing.link(self.session, self.clock, chat_id=chat_id, message_id=card, appeal_id=appeal.id)
        for attachment in appeal.messages:
            if attachment.kind == "text" or attachment.source_chat_id is None or attachment.source_message_id is None:
                continue  # text is in the card; an erased resident's files are never copied again
            # Without its caption: the words are in the appeal's text, where an anonymous author could edit them.
            copy = await self._copy(
                chat_id,
                attachment.source_chat_id,
                attachment.source_message_id,
                card,
                bare=(attachment.kind, attachment.file_id),
            )
            await routing.link(self.session, self.clock, chat_id=chat_id, message_id=copy, appeal_id=appeal.id)

    async def deliver_pending(self, actor: Actor) -> None:
        """Cards that waited for this person (blocked bot, never opened it), delivered now that they are here."""
        waiting: list[Appeal] = []
        if actor.inspector is not None:
            waiting += await appeals.undelivered(self.session, inspector_id=actor.inspector.id)
        if actor.is_admin:
            waiting += await appeals.undelivered(self.session, inspector_id=None)
        for appeal in waiting:
            if not await self.deliver_card(appeal):
                break

    async def to_resident(
        self, appeal: Appeal, header: Render, content: Content | None = None, markup_factory: Markup | None = None
    ) -> bool:
        """A header (and a copy of the staff's message) to the resident; False when it could not be delivered."""
        if appeal.resident_id is None:
            return False
        return await self._relay(appeal, appeal.resident_id, header, content, markup_factory, from_resident=False)

    async def to_staff(
        self, appeal: Appeal, header: Render, content: Content | None = None, markup_factory: Markup | None = None
    ) -> bool:
        results = [
            await self._relay(appeal, chat_id, header, content, markup_factory, from_resident=True)
            for chat_id in self.staff_of(appeal)
        ]
        return any(results)

    async def _relay(
        self,
        appeal: Appeal,
        chat_id: int,
        header: Render,
        content: Content | None,
        markup_factory: Markup | None,
        *,
        from_resident: bool,
    ) -> bool:
        # A resident's caption travels in the header, as text, never on the copy (where it could name them).
        caption = content.text if from_resident and content is not None and content.kind != "text" else None
        try:
            with self.i18n.use_locale(await self._language(chat_id)):
                text = header() + (f"\n\n{escape(caption)}" if caption else "")
                head = await self._send(chat_id, text, markup_factory() if markup_factory else None)
            await routing.link(self.session, self.clock, chat_id=chat_id, message_id=head, appeal_id=appeal.id)
            if content is not None:
                copy = await self._copy(
                    chat_id,
                    content.chat_id,
                    content.message_id,
                    head,
                    bare=(content.kind, content.file_id) if from_resident else None,
                )
                await routing.link(
                    self.session,
                    self.clock,
                    chat_id=chat_id,
                    message_id=copy,
                    appeal_id=appeal.id,
                    peer_chat_id=content.chat_id,
                    peer_message_id=content.message_id,
                )
        except Undelivered:
            return False
        return True

    async def tell_admins(self, render: Render) -> None:
        for admin_id in self.settings.admin_ids:
            try:
                with self.i18n.use_locale(await self._language(admin_id)):
                    await self._send(admin_id, render(), None)
            except Undelivered:
                log.warning("an administrator could not be told now")

    async def _language(self, chat_id: int) -> str:
        known = await people.languages(self.session, [chat_id])
        return known.get(chat_id, self.settings.default_language)

    async def _send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        try:
            message = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            await self._unreachable(chat_id, exc)
        except TRANSIENT as exc:
            raise self._not_now(exc) from exc
        return message.message_id

    async def _copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        reply_to: int,
        *,
        bare: tuple[str, str | None] | None = None,
    ) -> int:
        """A copy of the message under `reply_to`; `bare` (kind, file id): the file alone, without its caption.

        Telegram's copyMessage keeps a caption unless given a new one, and aiogram drops an empty one, so a file
        whose caption must not travel is sent again by its file id instead.
        """
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        try:
            kind, file_id = bare or ("", None)
            if kind in BARE_SENDERS and file_id is not None:
                copy = await getattr(self.bot, BARE_SENDERS[kind])(chat_id, file_id, reply_parameters=reply)
            else:
                copy = await self.bot.copy_message(chat_id, from_chat_id, message_id, reply_parameters=reply)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            await self._unreachable(chat_id, exc)
        except TRANSIENT as exc:
            raise self._not_now(exc) from exc
        return copy.message_id

    def _not_now(self, exc: Exception) -> Undelivered:
        # Flood control, Telegram's own trouble, the network: the person is fine, the message waits.
        log.warning("Telegram did not take a message now (%s); it stays waiting", type(exc).__name__)
        return Undelivered()

    async def _unreachable(self, chat_id: int, exc: TelegramAPIError) -> None:
        # 403 (blocked, never started) and "chat not found" mean the same here: nobody to read it.
        if isinstance(exc, TelegramBadRequest) and "chat not found" not in exc.message:
            raise exc
        await people.set_reachable(self.session, chat_id, False)
        raise Unreachable() from exc
