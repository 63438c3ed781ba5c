"""After a meeting: its inspector records it as held — attendance, short minutes, the proposals raised — then Save."""

from __future__ import annotations

from typing import TypedDict

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import meetings, proposals
from bot.services.errors import DomainError, InvalidValue
from bot.services.meetings import AlreadyRecorded, MeetingCancelled, NotStartedYet, Results
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.callbacks import MeetingAction, MeetingCb, ResultsCb, ResultsStep
from bot.ui.proposals import cards as proposal_cards
from handlers.dialogs import TEXT_ANSWER, alert, buttons_removed, edit_card, end_dialog, read
from handlers.refusing import Refusal, flag
from models import Meeting


class Recording(StatesGroup):
    attendance = State()
    minutes = State()
    proposals = State()
    confirm = State()


class RecordingData(TypedDict, total=False):
    meeting_id: int
    attendance: int
    minutes: str | None
    proposals: list[str]


def _not_yours() -> str:
    return _("This meeting is not yours to record.")


# The Results button of a meeting that is not the presser's (or forged data): refused and recorded.
PRESSED = Refusal(_not_yours, audit="meeting_refused")


def create_router() -> Router:
    router = Router(name="meeting-results")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(start, MeetingCb.filter(F.action == MeetingAction.RESULTS), flags=flag(PRESSED))
    router.message.register(attendance_sent, Recording.attendance, TEXT_ANSWER)
    router.message.register(minutes_sent, Recording.minutes, TEXT_ANSWER)
    router.callback_query.register(minutes_skipped, Recording.minutes, ResultsCb.filter(F.step == ResultsStep.SKIP))
    router.message.register(proposal_sent, Recording.proposals, TEXT_ANSWER)
    router.callback_query.register(proposals_done, Recording.proposals, ResultsCb.filter(F.step == ResultsStep.DONE))
    router.callback_query.register(save, Recording.confirm, ResultsCb.filter(F.step == ResultsStep.SAVE))
    router.callback_query.register(cancel, Recording.confirm, ResultsCb.filter(F.step == ResultsStep.CANCEL))
    return router


async def start(
    callback: CallbackQuery,
    callback_data: MeetingCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    try:
        meeting = await meetings.recordable(session, clock, actor, callback_data.meeting_id)
    except (MeetingCancelled, AlreadyRecorded, NotStartedYet) as exc:
        alert(callback_answer, _why_not(exc))
        return
    await end_dialog(state)
    await state.set_state(Recording.attendance)
    await state.update_data(meeting_id=meeting.id, proposals=[])
    if callback.message is not None:
        await callback.message.answer(proposal_cards.ask_attendance(meeting))


async def attendance_sent(message: Message, state: FSMContext) -> None:
    try:
        count = meetings.attendance(message.text or "")
    except InvalidValue:
        await message.answer(_("Please send the number of residents who came as a whole number, for example 23."))
        return
    await state.update_data(attendance=count)
    await state.set_state(Recording.minutes)
    data = await read(state, RecordingData)
    await message.answer(
        _(
            "Short minutes: what was discussed and decided, in one message of up to {limit} characters. Or press Skip."
        ).format(limit=meetings.MINUTES_LIMIT),
        reply_markup=proposal_cards.results_step(ResultsStep.SKIP, data["meeting_id"], _("Skip")),
    )


async def minutes_sent(message: Message, state: FSMContext) -> None:
    try:
        notes = meetings.minutes(message.text or "")
    except InvalidValue:
        await message.answer(
            _("The minutes are too long: {length} characters, the limit is {limit}. Please shorten them.").format(
                length=len((message.text or "").strip()), limit=meetings.MINUTES_LIMIT
            )
        )
        return
    await state.update_data(minutes=notes)
    await _ask_proposals(message, state)


async def minutes_skipped(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(minutes=None)
    if (message := await buttons_removed(callback)) is not None:
        await _ask_proposals(message, state)


async def _ask_proposals(message: Message, state: FSMContext) -> None:
    await state.set_state(Recording.proposals)
    data = await read(state, RecordingData)
    await message.answer(
        _(
            "Which proposals did the residents raise? Send each proposal as a message (up to {limit} characters); "
            "press Done when finished, or at once if there were none."
        ).format(limit=proposals.TEXT_LIMIT),
        reply_markup=_done(data["meeting_id"]),
    )


async def proposal_sent(message: Message, state: FSMContext) -> None:
    data = await read(state, RecordingData)
    raised: list[str] = data["proposals"]
    if len(raised) >= meetings.PER_MEETING_LIMIT:
        await message.answer(
            _("That is the most proposals one meeting can record ({limit}). Press Done.").format(
                limit=meetings.PER_MEETING_LIMIT
            ),
            reply_markup=_done(data["meeting_id"]),
        )
        return
    try:
        item = proposals.text(message.text or "")
    except InvalidValue:
        await message.answer(
            _("This proposal is too long: {length} characters, the limit is {limit}. Please shorten it.").format(
                length=len((message.text or "").strip()), limit=proposals.TEXT_LIMIT
            )
        )
        return
    raised = [*raised, item]
    await state.update_data(proposals=raised)
    await message.answer(
        _("Proposal {number} noted. Send the next one, or press Done.").format(number=len(raised)),
        reply_markup=_done(data["meeting_id"]),
    )


async def proposals_done(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    data = await read(state, RecordingData)
    meeting = await _still_recordable(callback, state, session, clock, actor, data["meeting_id"])
    if meeting is None:
        return
    await state.set_state(Recording.confirm)
    await edit_card(
        callback,
        proposal_cards.results_summary(meeting, data["attendance"], data.get("minutes"), data["proposals"]),
        proposal_cards.results_confirm(meeting.id),
    )


async def save(
    callback: CallbackQuery,
    callback_data: ResultsCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    data = await read(state, RecordingData)
    if data.get("meeting_id") != callback_data.meeting_id:
        # A Save of an earlier summary, or one handled alongside the first press.
        alert(callback_answer, texts.button_gone())
        return
    results = Results(attendance=data["attendance"], minutes=data.get("minutes"), proposals=data["proposals"])
    try:
        recorded = await meetings.record_meeting(session, clock, actor, callback_data.meeting_id, results)
    except AlreadyRecorded as exc:
        await end_dialog(state)
        raised = await meetings.meeting_proposals(session, exc.meeting.id)
        await edit_card(callback, proposal_cards.results_saved(exc.meeting, len(raised)))
        return
    except DomainError as exc:
        await end_dialog(state)
        await edit_card(callback, _why_not(exc))
        return
    await end_dialog(state)
    await edit_card(callback, proposal_cards.results_saved(recorded.meeting, len(recorded.proposals)))


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The meeting's results were not saved."))


async def _still_recordable(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, meeting_id: int
) -> Meeting | None:
    """The meeting, unless it was cancelled, recorded or taken away while the dialog went on: then say so."""
    try:
        return await meetings.recordable(session, clock, actor, meeting_id)
    except DomainError as exc:
        await end_dialog(state)
        await edit_card(callback, _why_not(exc))
        return None


def _done(meeting_id: int) -> InlineKeyboardMarkup:
    return proposal_cards.results_step(ResultsStep.DONE, meeting_id, _("Done ➡️"))


def _why_not(exc: DomainError) -> str:
    if isinstance(exc, MeetingCancelled):
        return _("This meeting was cancelled: there are no results to record.")
    if isinstance(exc, AlreadyRecorded):
        return _("This meeting is already recorded as held.")
    if isinstance(exc, NotStartedYet):
        return _("This meeting has not started yet. Record its results once it has taken place.")
    if isinstance(exc, InvalidValue):
        return _("These results cannot be saved; please start again.")
    return _not_yours()
