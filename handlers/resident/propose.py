"""/propose: a resident's proposal for the building, any time — text (inline too) → Send → recorded, inspector told.

In a group it answers with a button to the private chat, like /appeal.
"""

from __future__ import annotations

from typing import TypedDict

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import people, proposals
from bot.services.errors import InvalidValue, RateLimited
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.callbacks import ProposeCb, ProposeStep
from bot.ui.proposals import cards as proposal_cards
from bot.ui.proposals.cards import PROPOSE_PAYLOAD
from handlers.dialogs import TEXT_ANSWER, edit_card, end_dialog, still_open
from handlers.loading import loads
from handlers.refusing import Refusal, Shown, flag


class Proposing(StatesGroup):
    text = State()
    confirm = State()


class ProposingData(TypedDict, total=False):
    text: str


# No longer a resident when Send is pressed (data deleted meanwhile).
NOT_RESIDENT = Refusal(texts.not_registered, shown=Shown.CARD)


def create_router() -> Router:
    router = Router(name="propose")
    router.message.register(start, Command("propose"))
    # The building chat's button: "/start propose" (this router comes before registration's deep links).
    router.message.register(start, CommandStart(deep_link=True, magic=F.args == PROPOSE_PAYLOAD))
    router.message.register(text_sent, Proposing.text, TEXT_ANSWER)
    router.callback_query.register(
        send,
        Proposing.confirm,
        ProposeCb.filter(F.step == ProposeStep.SEND),
        flags=flag(NOT_RESIDENT) | loads("data", still_open(ProposingData, "text")),
    )
    router.callback_query.register(cancel, Proposing.confirm, ProposeCb.filter(F.step == ProposeStep.CANCEL))
    return router


async def start(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    if actor.residency is None:
        await message.answer(texts.not_registered())
        return
    try:
        await proposals.check_rate(session, clock, actor)
    except RateLimited:
        await message.answer(_rate_limited())
        return
    await end_dialog(state)
    inline = command.args if command.command == "propose" else None  # "/start propose" carries no text
    if inline and inline.strip():
        await _take(message, state, actor, inline)
        return
    await state.set_state(Proposing.text)
    await message.answer(
        _(
            "What do you propose for your building or neighbourhood? Write it in one message "
            "of up to {limit} characters."
        ).format(limit=proposals.TEXT_LIMIT)
        + "\n"
        + _("(/cancel to stop)")
    )


async def text_sent(message: Message, state: FSMContext, actor: Actor) -> None:
    await _take(message, state, actor, message.text or "")


async def _take(message: Message, state: FSMContext, actor: Actor, raw: str) -> None:
    assert actor.residency is not None
    if not raw.strip():
        await state.set_state(Proposing.text)
        await message.answer(_("Please write your proposal in words."))
        return
    try:
        text = proposals.text(raw)
    except InvalidValue:
        await state.set_state(Proposing.text)
        await message.answer(
            _(
                "The proposal is too long: {length} characters, the limit is {limit}. "
                "Please shorten it and send it again."
            ).format(length=len(raw.strip()), limit=proposals.TEXT_LIMIT)
        )
        return
    await state.set_state(Proposing.confirm)
    await state.update_data(text=text)
    await message.answer(
        proposal_cards.propose_summary(actor.residency.building, text), reply_markup=proposal_cards.propose_confirm()
    )


async def send(
    callback: CallbackQuery,
    data: ProposingData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
) -> None:
    await end_dialog(state)
    try:
        proposal = await proposals.propose(session, clock, actor, data["text"])
    except RateLimited:
        await edit_card(callback, _rate_limited())
        return
    assert actor.residency is not None and actor.user is not None
    building = actor.residency.building
    readers = proposals.readers(building, settings.admin_ids)
    locales = await people.reading_locales(session, readers, default_country=settings.country)
    for reader in readers:
        with i18n.use_locale(locales.get(reader, settings.default_locale)):
            text = proposal_cards.to_inspector(building, actor.user.first_name, proposal.text)
        await proposals.tell(session, clock, reader, text, about=proposal)
    await edit_card(callback, _("✅ Your proposal is recorded and passed to the inspector. Thank you!"))


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The proposal was not sent."))


def _rate_limited() -> str:
    return _(
        "You have sent {count} proposal in the last 24 hours, which is the limit. Please send the next one later.",
        "You have sent {count} proposals in the last 24 hours, which is the limit. Please send the next one later.",
        proposals.DAILY_LIMIT,
    ).format(count=proposals.DAILY_LIMIT)
