"""The inspector works an appeal from its card: take, reply, ask for details, resolve, reject, redirect."""

from __future__ import annotations

from html import escape
from typing import TypedDict

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.delivery.courier import Courier
from bot.services import appeals, inspectors, templates
from bot.services.errors import InvalidTransition, InvalidValue
from bot.services.people import Actor
from bot.ui import labels
from bot.ui import templates as template_ui
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals.cards import staff_card
from bot.ui.callbacks import AppealAction, RedirectCb, StaffCb
from handlers.dialogs import NOT_A_COMMAND, TEXT_ANSWER, alert, edit_card, end_dialog, passable, read
from handlers.refusing import Refusal, flag
from models import Appeal

REDIRECT_BUTTONS = 40


class Answer(StatesGroup):
    message = State()
    reason = State()


class AnswerData(TypedDict, total=False):
    appeal_id: int
    question: bool  # asking the resident for details rather than answering


def create_router() -> Router:
    router = Router(name="inspector-appeals")
    for handler, actions in (
        (open_card, {AppealAction.OPEN}),
        (take, {AppealAction.TAKE}),
        (ask_for_answer, {AppealAction.REPLY, AppealAction.ASK}),
        (resolve, {AppealAction.RESOLVE}),
        (ask_reason, {AppealAction.REJECT}),
        (offer_redirect, {AppealAction.REDIRECT}),
    ):
        router.callback_query.register(handler, StaffCb.filter(F.action.in_(actions)), flags=flag(PRESSED))
    router.callback_query.register(redirect_to, RedirectCb.filter(), flags=flag(PRESSED))
    router.message.register(answer_sent, Answer.message, NOT_A_COMMAND, flags=flag(ANSWERED))
    router.message.register(reason_sent, Answer.reason, TEXT_ANSWER, flags=flag(ANSWERED))
    return router


def _not_yours() -> str:
    return _("This appeal is not yours to handle.")


def already_changed(lost: InvalidTransition) -> str:
    """What another press did first (or that the appeal is closed)."""
    if lost.status is None:
        return _("This appeal is already closed.")
    return _("This appeal is already {status} (perhaps someone pressed first); nothing was done.").format(
        status=labels.status(lost.status)
    )


# A button of an appeal that is not the presser's (or forged data): refused and recorded; of a closed one (or one
# another press changed first): said so.
PRESSED = Refusal(_not_yours, audit="appeal_refused", closed=already_changed)
# An answer or reason for an appeal taken from the inspector meanwhile.
ANSWERED = Refusal(_not_yours, ends_dialog=True)


async def _open(session: AsyncSession, actor: Actor, callback_data: StaffCb) -> Appeal:
    """The appeal the button is for, while it is open (InvalidTransition otherwise: the flag says it is closed)."""
    appeal = await appeals.for_staff(session, actor, callback_data.appeal_id)
    appeals.ensure_open(appeal)
    return appeal


async def open_card(
    callback: CallbackQuery, callback_data: StaffCb, session: AsyncSession, actor: Actor, courier: Courier
) -> None:
    appeal = await appeals.for_staff(session, actor, callback_data.appeal_id)
    if callback.message is not None and callback.bot is not None:
        # A reply in the chat that asked for it: sent directly.
        await courier.show_card(callback.bot, callback.message.chat.id, appeal)


async def take(
    callback: CallbackQuery, callback_data: StaffCb, session: AsyncSession, clock: Clock, actor: Actor, courier: Courier
) -> None:
    appeal = await appeals.take(session, clock, actor, (await _open(session, actor, callback_data)).id)
    await refresh_card(callback, appeal, clock)
    await courier.to_resident(
        appeal, lambda: _("🔎 The inspector has taken your appeal №{number} into work.").format(number=appeal.number)
    )


async def ask_for_answer(
    callback: CallbackQuery, callback_data: StaffCb, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    """Reply or Ask for details: the next message the inspector sends goes to the resident."""
    appeal = await _open(session, actor, callback_data)
    question = callback_data.action == AppealAction.ASK
    await state.set_state(Answer.message)
    await state.update_data(appeal_id=appeal.id, question=question)
    prompt = (
        _("Send your question to the resident on appeal №{number} (any message: text, photo, document, voice).")
        if question
        else _("Send your answer on appeal №{number} (any message: text, photo, document, voice).")
    )
    await _prompt(callback, prompt.format(number=appeal.number))
    if not question:
        await _offer_templates(callback, appeal, session, actor)


async def _offer_templates(callback: CallbackQuery, appeal: Appeal, session: AsyncSession, actor: Actor) -> None:
    """The staff's answer templates in the resident's language, under the Reply prompt."""
    language = appeal.resident.language if appeal.resident is not None else actor.language
    found = await templates.visible(session, actor, language)
    if found and callback.message is not None:
        await callback.message.answer(template_ui.picker_prompt(), reply_markup=template_ui.picker(appeal.id, found))


async def resolve(
    callback: CallbackQuery, callback_data: StaffCb, session: AsyncSession, clock: Clock, actor: Actor, courier: Courier
) -> None:
    appeal = await appeals.resolve(session, clock, actor, (await _open(session, actor, callback_data)).id)
    await refresh_card(callback, appeal, clock)
    await courier.to_resident(
        appeal,
        lambda: _(
            "✅ The inspector has marked your appeal №{number} as resolved. Please rate how it was handled:"
        ).format(number=appeal.number),
        markup_factory=lambda: appeal_keyboards.rating(appeal),
    )


async def ask_reason(
    callback: CallbackQuery, callback_data: StaffCb, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    """Reject: the reason comes next."""
    appeal = await _open(session, actor, callback_data)
    await state.set_state(Answer.reason)
    await state.update_data(appeal_id=appeal.id)
    await _prompt(
        callback,
        _("Why is appeal №{number} rejected? The resident will read the reason.").format(number=appeal.number),
    )


async def offer_redirect(callback: CallbackQuery, callback_data: StaffCb, session: AsyncSession, actor: Actor) -> None:
    appeal = await _open(session, actor, callback_data)
    listed = await inspectors.list_inspectors(session, size=REDIRECT_BUTTONS)
    others = [row.inspector for row in listed.items if row.inspector.id != appeal.inspector_id]
    if not others:
        await _prompt(callback, _("There is no other inspector to pass it to."))
        return
    if callback.message is not None:
        await callback.message.answer(
            _("Pass appeal №{number} to which inspector?").format(number=appeal.number),
            reply_markup=appeal_keyboards.redirect_targets(appeal, others),
        )


async def _prompt(callback: CallbackQuery, text: str) -> None:
    if callback.message is not None:
        await callback.message.answer(text + "\n" + _("(/cancel to stop)"))


async def refresh_card(callback: CallbackQuery, appeal: Appeal, clock: Clock) -> None:
    await edit_card(callback, staff_card(appeal, clock.now()), appeal_keyboards.staff_actions(appeal, clock.now()))


async def redirect_to(
    callback: CallbackQuery,
    callback_data: RedirectCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
) -> None:
    try:
        appeal = await appeals.redirect(session, clock, actor, callback_data.appeal_id, callback_data.inspector_id)
    except InvalidTransition:
        alert(callback_answer, _("This appeal cannot be passed on any more."))
        return
    assert appeal.inspector is not None
    await edit_card(
        callback,
        _("Appeal №{number} was passed to {name}.").format(
            number=appeal.number, name=escape(appeal.inspector.full_name)
        ),
    )
    await courier.deliver_card(appeal)
    await courier.to_resident(
        appeal,
        lambda: _("➡️ Your appeal №{number} was passed to another inspector: {name}.").format(
            number=appeal.number, name=escape(appeal.inspector.full_name if appeal.inspector else "")
        ),
    )


async def answer_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, courier: Courier
) -> None:
    data = await read(state, AnswerData)
    await send_answer(message, session, clock, actor, courier, data["appeal_id"], question=data.get("question", False))
    await end_dialog(state)


async def send_answer(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    appeal_id: int,
    *,
    question: bool = False,
) -> None:
    """Store the staff's message in the thread and copy it to the resident, headed with the appeal's number."""
    content = await passable(message)
    if content is None:
        return
    try:
        appeal = await appeals.staff_message(session, clock, actor, appeal_id, content, question=question)
    except InvalidTransition as lost:
        await message.answer(already_changed(lost))
        return
    header = (
        (
            lambda: _("❓ The inspector asks for details on your appeal №{number}. Reply to this message:").format(
                number=appeal.number
            )
        )
        if question
        else (
            lambda: _("💬 The inspector's answer on your appeal №{number} (reply to it to continue):").format(
                number=appeal.number
            )
        )
    )
    if await courier.to_resident(appeal, header, content, author_id=actor.telegram_id) is None:
        await message.reply(
            _("Saved in appeal №{number}, but not delivered: the resident deleted their data.").format(
                number=appeal.number
            )
        )
        return
    await message.reply(
        _(
            "📨 Your answer on appeal №{number} is on its way to the resident; you will be told if it cannot be delivered."
        ).format(number=appeal.number)
    )


async def reason_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, courier: Courier
) -> None:
    data = await read(state, AnswerData)
    try:
        appeal = await appeals.reject(session, clock, actor, data["appeal_id"], message.text or "")
    except InvalidValue:
        await message.answer(_("Please write the reason in words."))
        return
    except InvalidTransition as lost:
        await end_dialog(state)
        await message.answer(already_changed(lost))
        return
    await end_dialog(state)
    await message.answer(_("Appeal №{number} is rejected; the resident is told why.").format(number=appeal.number))
    await courier.to_resident(
        appeal,
        lambda: _("⛔ Your appeal №{number} was rejected. Reason: {reason}").format(
            number=appeal.number, reason=escape(appeal.reject_reason or "")
        ),
    )
