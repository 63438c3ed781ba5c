"""/proposals: the register of residents' proposals by building and status; a proposal's card moves it on.

recorded → in the work plan → done, or declined with a comment (asked for, /cancel leaves); the resident who sent
the proposal is told of each move in their language. An administrator sees every proposal; an inspector those of
their buildings. Every button is checked on the server: someone else's proposal is refused and recorded.
"""

from __future__ import annotations

from html import escape
from typing import TypedDict

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import proposals
from bot.services.errors import InvalidValue
from bot.services.people import Actor
from bot.services.proposals import CommentRequired, Entry, InvalidMove
from bot.ui.callbacks import ProposalAction, ProposalCb, RegisterCb
from bot.ui.proposals import register as cards
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog, read
from handlers.refusing import Refusal, flag
from models import ProposalStatus

PAGE_SIZE = 6


class Declining(StatesGroup):
    comment = State()


class DecliningData(TypedDict, total=False):
    proposal_id: int
    back: str  # the register's page to return to, as packed callback data


def create_router() -> Router:
    router = Router(name="proposals-register")
    router.message.register(show, Command("proposals"))
    router.callback_query.register(page, RegisterCb.filter())
    router.callback_query.register(open_card, ProposalCb.filter(F.action == ProposalAction.OPEN), flags=flag(REFUSED))
    declining = (F.action == ProposalAction.MOVE) & (F.to == ProposalStatus.DECLINED)
    router.callback_query.register(ask_decline_reason, ProposalCb.filter(declining), flags=flag(REFUSED))
    router.callback_query.register(
        move, ProposalCb.filter(~declining & (F.action == ProposalAction.MOVE)), flags=flag(REFUSED)
    )
    router.message.register(reason_sent, Declining.comment, TEXT_ANSWER, flags=flag(REFUSED))
    return router


# A proposal that is not the actor's (a forged button, or one taken away meanwhile): refused and recorded.
REFUSED = Refusal(lambda: _("This proposal is not yours to handle."), audit="proposal_refused")


async def show(message: Message, command: CommandObject, session: AsyncSession, actor: Actor) -> None:
    """The register; `/proposals A-12` opens it filtered by that building."""
    where = RegisterCb()
    if command.args and command.args.strip():
        code = command.args.strip()
        buildings = await proposals.register_buildings(session, actor)
        found = next((identifier for identifier, known in buildings if known.casefold() == code.casefold()), None)
        if found is None:
            await message.answer(
                _("There are no proposals for building {code} in your register.").format(code=escape(code))
            )
            return
        where = RegisterCb(building_id=found)
    text, markup = await _register(session, actor, where)
    await message.answer(text, reply_markup=markup)


async def page(callback: CallbackQuery, callback_data: RegisterCb, session: AsyncSession, actor: Actor) -> None:
    text, markup = await _register(session, actor, _clean(callback_data))
    await edit_card(callback, text, markup)


def _back(callback_data: ProposalCb) -> RegisterCb:
    """The register's page the card was opened from."""
    return _clean(
        RegisterCb(page=callback_data.page, building_id=callback_data.building_id, status=callback_data.status)
    )


async def open_card(callback: CallbackQuery, callback_data: ProposalCb, session: AsyncSession, actor: Actor) -> None:
    entry = await proposals.for_staff(session, actor, callback_data.proposal_id)
    await _card(callback, session, entry, _back(callback_data))


async def ask_decline_reason(
    callback: CallbackQuery,
    callback_data: ProposalCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    """Declining needs a comment for the resident: it comes next."""
    entry = await proposals.for_staff(session, actor, callback_data.proposal_id)
    if callback_data.to not in proposals.moves(entry.proposal):
        await _cannot_move(callback, callback_answer, session, entry, _back(callback_data))
        return
    await end_dialog(state)
    await state.set_state(Declining.comment)
    await state.update_data(proposal_id=entry.proposal.id, back=_back(callback_data).pack())
    if callback.message is not None:
        await callback.message.answer(cards.ask_reason(entry.proposal))


async def move(
    callback: CallbackQuery,
    callback_data: ProposalCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
) -> None:
    back = _back(callback_data)
    try:
        moved = await proposals.move(
            session, clock, actor, callback_data.proposal_id, callback_data.to, notice=cards.to_residents(i18n)
        )
    except InvalidMove as exc:
        await _cannot_move(
            callback, callback_answer, session, await proposals.for_staff(session, actor, exc.proposal.id), back
        )
        return
    await _card(callback, session, moved.entry, back)
    callback_answer.text = cards.moved(moved.entry.proposal)


async def _cannot_move(
    callback: CallbackQuery, callback_answer: CallbackAnswer, session: AsyncSession, entry: Entry, back: RegisterCb
) -> None:
    """A stale card or a second press: say why, and show the card as it is now."""
    await _card(callback, session, entry, back)
    alert(callback_answer, cards.cannot_move(entry.proposal))


async def reason_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, i18n: I18n
) -> None:
    try:
        note = proposals.comment(message.text, required=True)
    except InvalidValue:
        await message.answer(
            _("The comment is too long: {length} characters, the limit is {limit}. Please shorten it.").format(
                length=len((message.text or "").strip()), limit=proposals.COMMENT_LIMIT
            )
        )
        return
    except CommentRequired:
        await message.answer(_("Please write why the proposal is declined."))
        return
    data = await read(state, DecliningData)
    await end_dialog(state)
    back = RegisterCb.unpack(data["back"])
    try:
        moved = await proposals.move(
            session, clock, actor, data["proposal_id"], ProposalStatus.DECLINED, note, notice=cards.to_residents(i18n)
        )
    except InvalidMove as exc:
        await message.answer(cards.cannot_move(exc.proposal))
        return
    steps = await proposals.history(session, moved.entry.proposal)
    await message.answer(
        cards.moved(moved.entry.proposal) + "\n\n" + cards.card(moved.entry, steps),
        reply_markup=cards.card_buttons(moved.entry, proposals.moves(moved.entry.proposal), back),
    )


async def _register(session: AsyncSession, actor: Actor, where: RegisterCb) -> tuple[str, InlineKeyboardMarkup]:
    buildings = await proposals.register_buildings(session, actor)
    codes = dict(buildings)
    # A building that is not (or no longer) among the actor's is no filter: the list shows all of theirs.
    building_id = where.building_id if where.building_id in codes else 0
    result = await proposals.register(
        session,
        actor,
        building_id=building_id or None,
        status=where.status or None,
        page=where.page,
        size=PAGE_SIZE,
    )
    text = cards.register(result, building=codes.get(building_id), status=where.status)
    return text, cards.register_buttons(result, buildings, building_id, where.status)


async def _card(callback: CallbackQuery, session: AsyncSession, entry: Entry, back: RegisterCb) -> None:
    steps = await proposals.history(session, entry.proposal)
    await edit_card(
        callback, cards.card(entry, steps), cards.card_buttons(entry, proposals.moves(entry.proposal), back)
    )


def _clean(where: RegisterCb) -> RegisterCb:
    """The list's filters as sent by the client, with a status that is not one replaced by all."""
    status = where.status if where.status in {code.value for code in ProposalStatus} else ""
    return RegisterCb(page=where.page, building_id=where.building_id, status=status)
