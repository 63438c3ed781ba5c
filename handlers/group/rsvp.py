"""Will come / cannot under a meeting's announcement in a building chat: the counts on the buttons follow."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.filters import GROUP_CHATS
from bot.services import meetings
from bot.services.errors import NotAllowed
from bot.services.meetings import MeetingClosed, MeetingOver
from bot.ui.callbacks import RSVP_ACTIONS, MeetingCb
from bot.ui.meetings import keyboards as meeting_keyboards
from handlers.dialogs import alert
from handlers.inspector.meetings import PRESSED
from handlers.refusing import flag
from models import MeetingStatus, RsvpAnswer


def create_router() -> Router:
    router = Router(name="meeting-rsvp")
    router.callback_query.register(answer, MeetingCb.filter(F.action.in_(RSVP_ACTIONS)), flags=flag(PRESSED))
    return router


async def answer(
    callback: CallbackQuery,
    callback_data: MeetingCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    bot: Bot,
) -> None:
    message = callback.message
    if message is None or message.chat.type not in GROUP_CHATS:
        raise NotAllowed()
    choice = RsvpAnswer(callback_data.action)
    try:
        answered = await meetings.answer(
            session,
            clock,
            meeting_id=callback_data.meeting_id,
            chat_id=message.chat.id,
            message_id=message.message_id,
            user_id=callback.from_user.id,
            choice=choice,
        )
    except MeetingClosed as closed:
        alert(
            callback_answer,
            _("This meeting is cancelled.")
            if closed.status == MeetingStatus.CANCELLED
            else _("This meeting has already taken place."),
        )
        return
    except MeetingOver:
        alert(callback_answer, _("This meeting has already begun, so answers are closed."))
        return
    if not answered.changed:
        callback_answer.text = _("Your answer is already noted.")
        return
    # A direct edit, not the outbox: it answers this press, and only the buttons change.
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id,
            message_id=message.message_id,
            reply_markup=meeting_keyboards.rsvp(answered.meeting.id, answered.counts),
        )
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
    callback_answer.text = (
        _("Thank you! Your answer: you will come.") if choice == RsvpAnswer.YES else _("Noted: you cannot come.")
    )
