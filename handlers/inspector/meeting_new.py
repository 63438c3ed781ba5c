"""/meeting: buildings → date and time → place → agenda → preview → publish to the building chats."""

from __future__ import annotations

import uuid
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import buildings, meetings
from bot.services.errors import InvalidValue
from bot.services.meetings import BadWhen, Draft
from bot.services.people import Actor
from bot.ui.callbacks import DraftStep, MeetingDraftCb, PickCb
from bot.ui.meetings import cards as meeting_cards
from bot.ui.meetings import keyboards as meeting_keyboards
from bot.ui.meetings.cards import ChatCards
from handlers import picker
from handlers.dialogs import TEXT_ANSWER, buttons_removed, edit_card, end_dialog, read, still_open
from handlers.inspector.meetings import PRESSED, PRESSED_IN_DIALOG
from handlers.loading import loads
from handlers.picker import Picked
from handlers.refusing import Refusal, flag

DIALOG = "meeting"


class NewMeeting(StatesGroup):
    buildings = State()
    when = State()
    place = State()
    agenda = State()
    preview = State()


class NewMeetingData(Picked, total=False):
    key: str  # the draft's key: a second Publish does not announce it twice
    building_ids: list[int]
    timezone: str
    starts_at: str  # ISO, with its offset
    place: str
    agenda: str
    editing: bool  # back from the preview to one step


def create_router() -> Router:
    router = Router(name="meeting-new")
    router.message.register(start, Command("meeting"))
    router.callback_query.register(
        buildings_chosen, NewMeeting.buildings, PickCb.filter(F.dialog == DIALOG), flags=flag(PRESSED)
    )
    router.message.register(when_sent, NewMeeting.when, TEXT_ANSWER, flags=flag(NO_LONGER))
    router.message.register(place_sent, NewMeeting.place, TEXT_ANSWER, flags=flag(NO_LONGER))
    router.message.register(agenda_sent, NewMeeting.agenda, TEXT_ANSWER, flags=flag(NO_LONGER))
    router.callback_query.register(
        change,
        NewMeeting.preview,
        MeetingDraftCb.filter(F.step.in_({DraftStep.TIME, DraftStep.PLACE, DraftStep.AGENDA})),
    )
    router.callback_query.register(drop, NewMeeting.preview, MeetingDraftCb.filter(F.step == DraftStep.DROP))
    router.callback_query.register(
        publish,
        NewMeeting.preview,
        MeetingDraftCb.filter(F.step == DraftStep.PUBLISH),
        flags=flag(PRESSED_IN_DIALOG) | loads("data", still_open(NewMeetingData, "key")),
    )
    return router


# The preview of a meeting to buildings taken from the inspector meanwhile.
NO_LONGER = Refusal(lambda: _("You no longer manage these buildings; the meeting was not published."), ends_dialog=True)


async def start(message: Message, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    await end_dialog(state)
    if not await buildings.all_managed_ids(session, actor):
        await message.answer(
            _("You have no buildings yet, so there is nobody to invite. An administrator assigns them.")
        )
        return
    await state.set_state(NewMeeting.buildings)
    await state.update_data(key=str(uuid.uuid4()))
    await picker.ask(message, session, actor, state, DIALOG)


async def buildings_chosen(
    callback: CallbackQuery,
    callback_data: PickCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    chosen_ids = await picker.press(callback, callback_data, session, actor, state)
    if chosen_ids is None:
        return
    chosen = await meetings.targets(session, actor, chosen_ids)
    await state.update_data(building_ids=[b.id for b in chosen.buildings], timezone=chosen.timezone)
    await state.set_state(NewMeeting.when)
    await edit_card(callback, _("Buildings: {codes}").format(codes=", ".join(b.code for b in chosen.buildings)))
    await _ask(callback, meeting_cards.ask_when(clock.now(), chosen.timezone))


async def when_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    data = await read(state, NewMeetingData)
    now = clock.now()
    try:
        starts_at = meetings.parse_when(message.text or "", now=now, zone=data["timezone"])
    except BadWhen as problem:
        await message.answer(meeting_cards.when_problem(problem, now, data["timezone"]))
        return
    await state.update_data(starts_at=starts_at.isoformat())
    if data.get("editing"):
        await _preview(message, state, session, clock, actor)
        return
    await state.set_state(NewMeeting.place)
    await message.answer(
        _("🕖 {when}.").format(when=meeting_cards.when(starts_at, data["timezone"]))
        + "\n\n"
        + meeting_cards.ask_place()
    )


async def place_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    try:
        place = meetings.clean_place(message.text or "")
    except InvalidValue:
        await message.answer(meeting_cards.bad_place())
        return
    await state.update_data(place=place)
    if (await read(state, NewMeetingData)).get("editing"):
        await _preview(message, state, session, clock, actor)
        return
    await state.set_state(NewMeeting.agenda)
    await message.answer(meeting_cards.ask_agenda())


async def agenda_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    try:
        agenda = meetings.clean_agenda(message.text or "")
    except InvalidValue:
        await message.answer(meeting_cards.bad_agenda())
        return
    await state.update_data(agenda=agenda)
    await _preview(message, state, session, clock, actor)


async def _preview(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    data = await read(state, NewMeetingData)
    chosen = await meetings.targets(session, actor, data["building_ids"])
    meeting = meetings.draft_meeting(actor, chosen, _draft(data), clock.now())
    await state.update_data(editing=False)
    await state.set_state(NewMeeting.preview)
    await message.answer(meeting_cards.preview(meeting, chosen), reply_markup=meeting_keyboards.preview())


async def change(callback: CallbackQuery, callback_data: MeetingDraftCb, state: FSMContext, clock: Clock) -> None:
    """Back from the preview to one step; the answer leads to the preview again."""
    data = await read(state, NewMeetingData)
    await state.update_data(editing=True)
    await buttons_removed(callback)
    if callback_data.step == DraftStep.TIME:
        await state.set_state(NewMeeting.when)
        await _ask(callback, meeting_cards.ask_when(clock.now(), data["timezone"]))
    elif callback_data.step == DraftStep.PLACE:
        await state.set_state(NewMeeting.place)
        await _ask(callback, meeting_cards.ask_place())
    else:
        await state.set_state(NewMeeting.agenda)
        await _ask(callback, meeting_cards.ask_agenda())


async def drop(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The meeting was not published."))


async def publish(
    callback: CallbackQuery,
    data: NewMeetingData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
) -> None:
    try:
        published = await meetings.publish(session, clock, actor, _draft(data), ChatCards(i18n))
    except BadWhen as problem:
        # The time passed while the preview waited.
        await state.update_data(editing=True)
        await state.set_state(NewMeeting.when)
        await edit_card(callback, meeting_cards.when_problem(problem, clock.now(), data["timezone"]))
        return
    await end_dialog(state)
    if not published.created:
        await edit_card(callback, _("This meeting was already published."))
        return
    await edit_card(
        callback,
        _(
            "✅ The meeting is announced in {count} chat. I will tell you how the delivery went; "
            "/meetings shows your meetings and the answers.",
            "✅ The meeting is announced in {count} chats. I will tell you how the delivery went; "
            "/meetings shows your meetings and the answers.",
            published.chats,
        ).format(count=published.chats),
    )


async def _ask(callback: CallbackQuery, text: str) -> None:
    if callback.message is not None:
        await callback.message.answer(text + "\n" + _("(/cancel to stop)"))


def _draft(data: NewMeetingData) -> Draft:
    return Draft(
        key=data["key"],
        building_ids=list(data["building_ids"]),
        starts_at=datetime.fromisoformat(data["starts_at"]),
        place=data["place"],
        agenda=data["agenda"],
    )
