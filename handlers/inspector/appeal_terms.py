"""An appeal's card, more buttons by law: ⏳ Extend (with a reason; an administrator approves where the head decides by
law), 🏛 Not for the police (sent on to the competent body and closed) and, on a proposal in Uzbekistan within its
first days, 🔬 Needs further study. The resident is told through the outbox."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import appeal_terms, appeals
from bot.services.appeal_terms import (
    ExtensionBeyondLimit,
    ExtensionGone,
    ExtensionPending,
    StudyNoticeRefused,
)
from bot.services.appeals import InvalidTransition
from bot.services.errors import InvalidValue
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.appeals import terms
from bot.ui.callbacks import AppealAction, BodyCb, ExtensionCb, StaffCb
from bot.ui.formatting import day, local_date
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog
from handlers.inspector.appeals import ANSWERED, PRESSED, already_changed, refresh_card
from handlers.refusing import flag
from models import Appeal

# "20.01.2027 reason…": an earlier date than the law's limit, then the reason.
_LEADING_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b[\s,;:—-]*")


def _study_refused(lost: InvalidTransition) -> str:
    return terms.study_refused(lost) if isinstance(lost, StudyNoticeRefused) else already_changed(lost)


# Not theirs: refused and recorded as any press; not a proposal, too late, told already or closed: said so.
STUDY_PRESSED = replace(PRESSED, closed=_study_refused)


class Terms(StatesGroup):
    reason = State()
    body = State()


def _closed(_lost: InvalidTransition) -> str:
    return _("This appeal is already closed.")


# Whatever its status now, an appeal closed before these steps (or meanwhile) is said to be closed.
PRESSED_OPEN = replace(PRESSED, closed=_closed)
ANSWERED_OPEN = replace(ANSWERED, closed=_closed)


def create_router() -> Router:
    router = Router(name="inspector-appeal-terms")
    router.callback_query.register(
        pressed, StaffCb.filter(F.action.in_({AppealAction.EXTEND, AppealAction.OUTSIDE})), flags=flag(PRESSED_OPEN)
    )
    router.callback_query.register(study, StaffCb.filter(F.action == AppealAction.STUDY), flags=flag(STUDY_PRESSED))
    router.callback_query.register(body_chosen, BodyCb.filter(), flags=flag(PRESSED_OPEN))
    router.callback_query.register(decided, ExtensionCb.filter(), flags=flag(PRESSED))
    router.message.register(reason_sent, Terms.reason, TEXT_ANSWER, flags=flag(ANSWERED_OPEN))
    router.message.register(body_sent, Terms.body, TEXT_ANSWER, flags=flag(ANSWERED_OPEN))
    return router


async def pressed(
    callback: CallbackQuery,
    callback_data: StaffCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    """⏳ Extend or 🏛 Not for the police on an open appeal's card: the next step's question."""
    appeal = await appeals.for_staff(session, actor, callback_data.appeal_id)
    appeals.ensure_open(appeal)
    if callback_data.action == AppealAction.EXTEND:
        await _offer_extension(callback, callback_answer, state, session, actor, appeal)
    else:
        await _offer_bodies(callback, state, appeal)


async def _offer_extension(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    appeal: Appeal,
) -> None:
    if await appeal_terms.pending(session, appeal.id) is not None:
        alert(callback_answer, _("An extension of this appeal already waits for an administrator's decision."))
        return
    limit = appeal_terms.limit(appeal)
    if limit <= appeal_terms.due_day(appeal):
        alert(callback_answer, _("The term cannot be extended any further: it is at the law's limit."))
        return
    await state.set_state(Terms.reason)
    await state.update_data(appeal_id=appeal.id)
    head_decides = appeal_terms.approver_decides(appeal, actor)
    await _ask(callback, terms.extension_prompt(appeal, limit, head_decides))


async def _offer_bodies(callback: CallbackQuery, state: FSMContext, appeal: Appeal) -> None:
    await state.set_state(Terms.body)
    await state.update_data(appeal_id=appeal.id)
    await _ask(callback, terms.bodies_prompt(appeal), terms.bodies(appeal))


async def _ask(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if callback.message is not None:
        await callback.message.answer(text + "\n" + _("(/cancel to stop)"), reply_markup=markup)


def _split_reason(text: str) -> tuple[date | None, str]:
    match = _LEADING_DATE.match(text)
    if match is None:
        return None, text
    day_, month, year = (int(group) for group in match.groups())
    try:
        return date(year, month, day_), text[match.end() :]
    except ValueError:
        return None, text


async def reason_sent(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    until, reason = _split_reason(message.text or "")
    try:
        extension = await appeal_terms.request_extension(
            session,
            clock,
            actor,
            data["appeal_id"],
            reason=reason,
            until=until,
            notices=terms.extension_notices(i18n, settings.default_language),
            admin_ids=settings.admin_ids,
        )
    except InvalidValue:
        await message.answer(_("Please write the reason in words."))
        return
    except ExtensionBeyondLimit as exc:
        await message.answer(
            _(
                "The date must be after the current term and no later than {date}, the law's limit. Send it again:"
            ).format(date=day(exc.limit))
        )
        return
    except ExtensionPending:
        await end_dialog(state)
        await message.answer(_("An extension of this appeal already waits for an administrator's decision."))
        return
    await end_dialog(state)
    appeal = await appeals.for_staff(session, actor, extension.appeal_id)
    if extension.status == "pending":
        await message.answer(
            _("Asked: appeal №{number} until {date}. An administrator will decide; you will be told.").format(
                number=appeal.number, date=local_date(extension.new_due, appeal.building.timezone)
            )
        )
    else:
        await message.answer(terms.extension_decided(appeal, extension))


async def decided(
    callback: CallbackQuery,
    callback_data: ExtensionCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
) -> None:
    try:
        extension = await appeal_terms.decide(
            session,
            clock,
            actor,
            callback_data.extension_id,
            approve=callback_data.approve,
            notices=terms.extension_notices(i18n, settings.default_language),
        )
    except ExtensionGone:
        alert(callback_answer, _("This request was already decided, or its appeal is closed."))
        return
    appeal = await appeals.for_staff(session, actor, extension.appeal_id)
    await edit_card(callback, terms.extension_decided(appeal, extension))


async def study(
    callback: CallbackQuery,
    callback_data: StaffCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
) -> None:
    """🔬 Needs further study on a proposal's card: recorded, the author told (the answer stays due by the law's
    date), and the card shows it."""
    appeal = await appeal_terms.notice_study(session, clock, actor, callback_data.appeal_id)
    await refresh_card(callback, appeal, clock)
    if await courier.to_resident(appeal, lambda: terms.study_to_resident(appeal)) is None:
        alert(callback_answer, _("Recorded. The author is not registered with the bot: tell them in writing yourself."))


async def body_chosen(
    callback: CallbackQuery,
    callback_data: BodyCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
) -> None:
    try:
        appeal = await appeal_terms.redirect_out(
            session, clock, actor, callback_data.appeal_id, callback_data.code, notice=terms.redirect_notice(i18n)
        )
    except InvalidValue:  # forged data with no body
        alert(callback_answer, texts.button_gone())
        return
    await end_dialog(state)
    await edit_card(callback, terms.redirected_out(appeal))


async def body_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, i18n: I18n
) -> None:
    data = await state.get_data()
    try:
        appeal = await appeal_terms.redirect_out(
            session, clock, actor, data["appeal_id"], message.text or "", notice=terms.redirect_notice(i18n)
        )
    except InvalidValue:
        await message.answer(_("Please write the body's name."))
        return
    await end_dialog(state)
    await message.answer(terms.redirected_out(appeal))
