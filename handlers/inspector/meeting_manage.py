"""The inspector's meeting card from /meetings: open it, change time, place or agenda, or cancel the meeting."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TypedDict

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import meetings
from bot.services.errors import InvalidValue
from bot.services.meetings import BadWhen, Changes, Listed, MeetingClosed, StaleMeeting
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.callbacks import DraftStep, MeetingAction, MeetingCb, MeetingDraftCb
from bot.ui.meetings import cards as meeting_cards
from bot.ui.meetings import keyboards as meeting_keyboards
from bot.ui.meetings.cards import ChatCards
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog, read, still_open
from handlers.inspector.meetings import PRESSED, PRESSED_IN_DIALOG
from handlers.loading import loads
from handlers.refusing import Refusal, flag
from models import Meeting, MeetingStatus

FIELDS = {MeetingAction.EDIT_TIME: "time", MeetingAction.EDIT_PLACE: "place", MeetingAction.EDIT_AGENDA: "agenda"}


class ChangeMeeting(StatesGroup):
    value = State()
    confirm = State()


class ChangeData(TypedDict, total=False):
    meeting_id: int
    field: str  # time, place, agenda
    sequence: int  # the meeting's version when the change began: a change made meanwhile wins
    timezone: str
    value: str  # the new value (a time as ISO)


def create_router() -> Router:
    router = Router(name="meeting-manage")
    for handler, actions in (
        (open_card, {MeetingAction.OPEN, MeetingAction.BACK}),
        (choose_field, {MeetingAction.EDIT}),
        (ask_value, set(FIELDS)),
        (ask_cancel, {MeetingAction.CANCEL}),
        (cancel, {MeetingAction.CANCEL_OK}),
    ):
        router.callback_query.register(
            handler, MeetingCb.filter(F.action.in_(actions)), flags=flag(PRESSED) | loads("listed", _planned)
        )
    router.message.register(value_sent, ChangeMeeting.value, TEXT_ANSWER, flags=flag(GONE_IN_DIALOG))
    router.callback_query.register(
        save,
        ChangeMeeting.confirm,
        MeetingDraftCb.filter(F.step == DraftStep.SAVE),
        flags=flag(PRESSED_IN_DIALOG) | loads("data", still_open(ChangeData, "value")),
    )
    router.callback_query.register(drop, ChangeMeeting.confirm, MeetingDraftCb.filter(F.step == DraftStep.DROP))
    return router


# A new value for a meeting taken from the inspector (or deleted) meanwhile.
GONE_IN_DIALOG = Refusal(texts.button_gone, ends_dialog=True)


def closed_text(status: str) -> str:
    if status == MeetingStatus.CANCELLED:
        return _("This meeting is cancelled.")
    return _("This meeting has been held and recorded.")


async def _planned(
    callback: CallbackQuery,
    callback_data: MeetingCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> Listed | None:
    """The staff's view of the button's meeting while it is planned; a cancelled or held one is said so (None)."""
    listed = await meetings.staff_view(session, clock, actor, callback_data.meeting_id)
    if listed.meeting.status != MeetingStatus.PLANNED:
        alert(callback_answer, closed_text(listed.meeting.status))
        return None
    return listed


async def open_card(callback: CallbackQuery, callback_data: MeetingCb, listed: Listed) -> None:
    """From the list: the card as a message of its own; from a step of the card (Back): the card again, in place."""
    if callback_data.action == MeetingAction.BACK:
        await edit_card(callback, meeting_cards.staff_card(listed), meeting_keyboards.staff_card(listed))
    elif callback.message is not None:
        await callback.message.answer(
            meeting_cards.staff_card(listed), reply_markup=meeting_keyboards.staff_card(listed)
        )


async def choose_field(callback: CallbackQuery, listed: Listed) -> None:
    await edit_card(
        callback,
        meeting_cards.staff_card(listed) + "\n\n" + _("What do you want to change?"),
        meeting_keyboards.fields(listed.meeting.id),
    )


async def ask_value(
    callback: CallbackQuery, callback_data: MeetingCb, state: FSMContext, clock: Clock, listed: Listed
) -> None:
    meeting, field = listed.meeting, FIELDS[callback_data.action]
    await end_dialog(state)
    await state.set_state(ChangeMeeting.value)
    await state.update_data(meeting_id=meeting.id, field=field, sequence=meeting.sequence, timezone=meeting.timezone)
    await _ask(callback, _prompt(field, meeting, clock.now()))


async def ask_cancel(callback: CallbackQuery, listed: Listed) -> None:
    meeting = listed.meeting
    await edit_card(
        callback,
        _("Cancel the meeting on {when}? Each chat is told, the announcement is marked cancelled and unpinned.").format(
            when=meeting_cards.when(meeting.starts_at, meeting.timezone)
        ),
        meeting_keyboards.confirm_cancel(meeting.id),
    )


async def cancel(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
    listed: Listed,
) -> None:
    try:
        meeting = await meetings.cancel(session, clock, actor, listed.meeting.id, ChatCards(i18n))
    except MeetingClosed as closed:  # cancelled or recorded meanwhile
        alert(callback_answer, closed_text(closed.status))
        return
    await edit_card(
        callback,
        _(
            "❌ The meeting on {when} is cancelled. The chats are being told; I will tell you how the delivery went."
        ).format(when=meeting_cards.when(meeting.starts_at, meeting.timezone)),
    )


def _prompt(field: str, meeting: Meeting, now: datetime) -> str:
    if field == "time":
        return meeting_cards.ask_when(now, meeting.timezone)
    if field == "place":
        return _("Type the new place. Now it is: {place}").format(place=escape(meeting.place))
    return _("Type the new agenda. Now it is:\n{agenda}").format(agenda=escape(meeting.agenda))


async def _ask(callback: CallbackQuery, text: str) -> None:
    if callback.message is not None:
        await callback.message.answer(text + "\n" + _("(/cancel to stop)"))


async def value_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    data = await read(state, ChangeData)
    meeting = await meetings.for_staff(session, actor, data["meeting_id"])
    field, text, now = data["field"], message.text or "", clock.now()
    try:
        if field == "time":
            changes = Changes(starts_at=meetings.parse_when(text, now=now, zone=meeting.timezone))
        elif field == "place":
            changes = Changes(place=meetings.clean_place(text))
        else:
            changes = Changes(agenda=meetings.clean_agenda(text))
    except BadWhen as problem:
        await message.answer(meeting_cards.when_problem(problem, now, meeting.timezone))
        return
    except InvalidValue:
        await message.answer(meeting_cards.bad_place() if field == "place" else meeting_cards.bad_agenda())
        return
    stored = changes.starts_at.isoformat() if changes.starts_at is not None else (changes.place or changes.agenda)
    await state.update_data(value=stored)
    await state.set_state(ChangeMeeting.confirm)
    preview = meetings.changed_copy(meeting, changes)
    await message.answer(
        _("This is how the announcement will read:") + "\n\n" + meeting_cards.announcement(preview, meeting.timezone),
        reply_markup=meeting_keyboards.confirm_change(),
    )


async def save(
    callback: CallbackQuery,
    data: ChangeData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
) -> None:
    field, value = data["field"], data["value"]
    changes = Changes(
        starts_at=datetime.fromisoformat(value) if field == "time" else None,
        place=value if field == "place" else None,
        agenda=value if field == "agenda" else None,
    )
    try:
        edited = await meetings.edit(
            session, clock, actor, data["meeting_id"], changes, sequence=data["sequence"], texts=ChatCards(i18n)
        )
    except BadWhen as problem:
        # The new time passed while the preview waited: ask again.
        await state.set_state(ChangeMeeting.value)
        await edit_card(callback, meeting_cards.when_problem(problem, clock.now(), data["timezone"]))
        return
    except StaleMeeting:
        await end_dialog(state)
        await edit_card(callback, _("The meeting was changed meanwhile. Open it again from /meetings."))
        return
    except MeetingClosed as closed:
        await end_dialog(state)
        await edit_card(callback, closed_text(closed.status))
        return
    await end_dialog(state)
    if not edited.fields:
        await edit_card(callback, _("Nothing changed: the meeting already says that."))
        return
    await edit_card(
        callback,
        _(
            "✅ Saved. The chats get the updated announcement, a message about the change and a new calendar file; "
            "I will tell you how the delivery went."
        ),
    )


async def drop(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("Nothing was changed."))
