"""The inspector's side of chat questions: a reply to a passed-on question is posted back in the chat,
and "Make it an appeal" turns the question into an appeal of its building."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import parts, people, questions
from bot.services.people import Actor
from bot.services.questions import ChatUnbound
from bot.ui import questions as question_cards
from bot.ui.callbacks import QuestionAction, QuestionCb
from bot.ui.content import content_of
from handlers.dialogs import NOT_A_COMMAND, alert
from handlers.refusing import Refusal, Shown, flag
from handlers.resident.appeal import policy
from models import Appeal


class RepliesToQuestion(Filter):
    """A reply, in a private chat, to a question the bot passed on there: the question's id."""

    async def __call__(self, message: Message, session: AsyncSession) -> bool | dict[str, Any]:
        if message.reply_to_message is None:
            return False
        question_id = await questions.replied_to(session, message.chat.id, message.reply_to_message.message_id)
        return {"question_id": question_id} if question_id is not None else False


# A reply to a passed-on question that is not (or no longer) the replier's, or whose asker deleted their data.
ANSWERED = Refusal(
    lambda: _("This question is not yours to answer."),
    gone=lambda: _("This question is no longer available: the resident has deleted their data."),
    shown=Shown.REPLY,
)
# A press (or forged data) on a question that is not the actor's: refused and recorded.
PRESSED = Refusal(lambda: _("This question is not yours to handle."), audit="question_refused")


def create_router() -> Router:
    router = Router(name="inspector-questions")
    router.message.register(answered, F.reply_to_message, NOT_A_COMMAND, RepliesToQuestion(), flags=flag(ANSWERED))
    router.callback_query.register(
        make_appeal, QuestionCb.filter(F.action == QuestionAction.APPEAL), flags=flag(PRESSED)
    )
    return router


async def answered(
    message: Message,
    question_id: int,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
) -> None:
    try:
        question = await questions.for_answer(session, actor, question_id)
    except ChatUnbound:
        await message.reply(_("This chat is no longer connected to the building, so nothing can be posted there."))
        return
    content = content_of(message)
    media_kind = content.kind if content is not None and content.kind in parts.MEDIA_KINDS else None
    if content is None or (content.kind != "text" and media_kind is None):
        await message.reply(_("Only text, a photo, a document or a video can be posted in the chat."))
        return
    name = message.from_user.full_name if message.from_user is not None else ""
    language = await questions.chat_locale(session, question) or settings.default_locale
    with i18n.use_locale(language):
        signer = questions.answers_as_inspector(actor, question)
        text = question_cards.signed(question_cards.signature(signer, name), content.text)
    await questions.answer(
        session,
        clock,
        actor,
        question,
        text=text,
        media=parts.Media(media_kind, file_id=content.file_id) if media_kind is not None else None,
        title=question_cards.answer_title(content.text, content.kind),
    )
    await message.reply(_("✅ Posted in the chat as a reply to {name}.").format(name=escape(question.asker_name)))


async def make_appeal(
    callback: CallbackQuery,
    callback_data: QuestionCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    courier: Courier,
    i18n: I18n,
) -> None:
    made = await questions.to_appeal(session, clock, policy(settings), actor, callback_data.question_id)
    appeal = made.appeal
    await _show_appeal(callback, appeal)
    if not made.created:
        alert(callback_answer, _("This question is already appeal №{number}.").format(number=appeal.number))
        return
    callback_answer.text = _("Appeal №{number} is registered.").format(number=appeal.number)
    await courier.deliver_card(appeal)
    if appeal.resident_id is not None:
        language = (await people.reading_locales(session, [appeal.resident_id], default_country=settings.country)).get(
            appeal.resident_id, settings.default_locale
        )
        with i18n.use_locale(language):
            text = _(
                "📨 Your question in the building chat is now appeal №{number}. "
                "The inspector will answer you here; /my shows your appeals."
            ).format(number=appeal.number)
        await questions.tell(session, clock, appeal.resident_id, text)


async def _show_appeal(callback: CallbackQuery, appeal: Appeal) -> None:
    """The pressed button becomes the appeal's: it opens its card."""
    if not isinstance(callback.message, Message):
        return
    try:
        await callback.message.edit_reply_markup(reply_markup=question_cards.made_appeal(appeal))
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
