"""/my: a resident's appeals and their threads; rating a resolved appeal, or sending it back as not resolved."""

from __future__ import annotations

from html import escape
from typing import TypedDict

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.delivery.courier import Courier
from bot.services import appeal_lists, appeals, outbox, parts
from bot.services.appeals import FEEDBACK_LIMIT
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals.cards import resident_view
from bot.ui.callbacks import ListCb, MyAppealAction, RateCb, ResidentCb
from handlers.dialogs import TEXT_ANSWER, edit_card, end_dialog, read
from handlers.refusing import BUTTON_GONE, Refusal, flag
from models import Appeal, AppealStatus

PAGE_SIZE = 8


class Feedback(StatesGroup):
    text = State()


class FeedbackData(TypedDict, total=False):
    appeal_id: int


def _no_comment() -> str:
    return _("This comment can no longer be added.")


# A closed appeal (InvalidTransition) is refused as a missing one is.
NO_COMMENT = Refusal(_no_comment, closed=lambda _lost: _no_comment())
CLOSED = Refusal(texts.button_gone, closed=lambda _lost: texts.button_gone())


def create_router() -> Router:
    router = Router(name="my-appeals")
    router.message.register(list_mine, Command("my"))
    router.callback_query.register(page, ListCb.filter(F.listing == "my"))
    router.callback_query.register(
        open_one, ResidentCb.filter(F.action == MyAppealAction.OPEN), flags=flag(BUTTON_GONE)
    )
    router.callback_query.register(rate, RateCb.filter(), flags=flag(CLOSED))
    router.callback_query.register(reopen, ResidentCb.filter(F.action == MyAppealAction.REOPEN), flags=flag(CLOSED))
    router.callback_query.register(
        ask_feedback, ResidentCb.filter(F.action == MyAppealAction.FEEDBACK), flags=flag(BUTTON_GONE)
    )
    router.message.register(feedback_sent, Feedback.text, TEXT_ANSWER, flags=flag(NO_COMMENT))
    return router


async def list_mine(message: Message, session: AsyncSession, actor: Actor) -> None:
    text, markup = await _page(session, actor, 0)
    await message.answer(text, reply_markup=markup)


async def page(callback: CallbackQuery, callback_data: ListCb, session: AsyncSession, actor: Actor) -> None:
    text, markup = await _page(session, actor, callback_data.page)
    await edit_card(callback, text, markup)


async def _page(session: AsyncSession, actor: Actor, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result = await appeal_lists.of_resident(session, actor, page=number, size=PAGE_SIZE)
    if result.total == 0:
        return _(
            "You have not sent any appeals yet. /appeal writes to your inspector."
        ) + "\n\n" + texts.emergency(), None
    header = _("<b>Your appeals</b> ({count}). Choose one to see its conversation.").format(count=result.total)
    return header, appeal_keyboards.resident_list(result.items, result.page, result.pages)


def _actions(appeal: Appeal) -> InlineKeyboardMarkup | None:
    if appeal.status == AppealStatus.RESOLVED and appeal.rating is None:
        return appeal_keyboards.rating(appeal)
    if appeal.rating is not None and appeal.feedback is None:
        return appeal_keyboards.feedback(appeal)
    return None


async def open_one(
    callback: CallbackQuery,
    callback_data: ResidentCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    actor: Actor,
) -> None:
    appeal = await appeals.for_resident(session, actor, callback_data.appeal_id)
    if callback.message is not None:
        fates = await outbox.fates(session, [message.id for message in appeal.messages])
        # A long conversation (a rejection's reason, long answers) may not fit one message: cut at paragraphs.
        pieces = parts.split(resident_view(appeal, fates), parts.TEXT_LIMIT)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await callback.message.answer(piece, reply_markup=_actions(appeal) if last else None)


async def rate(
    callback: CallbackQuery,
    callback_data: RateCb,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
) -> None:
    appeal = await appeals.rate(session, clock, actor, callback_data.appeal_id, callback_data.stars)
    await edit_card(
        callback,
        _("Thank you! You rated appeal №{number}: {stars}").format(
            number=appeal.number, stars="⭐" * callback_data.stars
        ),
        appeal_keyboards.feedback(appeal),
    )
    await courier.to_staff(
        appeal,
        lambda: _("The resident rated the handling of appeal №{number}: {stars}").format(
            number=appeal.number, stars="⭐" * callback_data.stars
        ),
    )


async def reopen(
    callback: CallbackQuery,
    callback_data: ResidentCb,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
) -> None:
    appeal = await appeals.reopen(session, clock, actor, callback_data.appeal_id)
    await edit_card(
        callback,
        _("Appeal №{number} is back with the inspector. Reply to their message to add details.").format(
            number=appeal.number
        ),
    )
    await courier.to_staff(
        appeal,
        lambda: _("❌ The resident says appeal №{number} is not resolved. It is back in work.").format(
            number=appeal.number
        ),
        markup_factory=lambda: appeal_keyboards.staff_actions(appeal, clock.now()),
    )


async def ask_feedback(
    callback: CallbackQuery,
    callback_data: ResidentCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    appeal = await appeals.for_resident(session, actor, callback_data.appeal_id)
    await state.set_state(Feedback.text)
    await state.update_data(appeal_id=appeal.id)
    await edit_card(
        callback,
        _("Write your comment on appeal №{number} (up to {limit} characters):").format(
            number=appeal.number, limit=FEEDBACK_LIMIT
        ),
    )


async def feedback_sent(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, courier: Courier
) -> None:
    data = await read(state, FeedbackData)
    await end_dialog(state)
    appeal = await appeals.leave_feedback(session, actor, data["appeal_id"], message.text or "")
    await message.answer(_("Thank you, your comment is saved."))
    await courier.to_staff(
        appeal,
        lambda: _("💬 The resident's comment on appeal №{number}: {text}").format(
            number=appeal.number, text=escape(appeal.feedback or "")
        ),
    )
