"""/report (an inspector, privately): the quarter → the buildings → offence figures, measures taken, plans (each
skippable) → a preview (summary, chart, printable page) → Publish, Edit or Cancel.

The draft is saved at every preview (bot.services.report_store), so /reports lists it and it can be continued.
Publishing goes through the outbox to every active chat of the chosen buildings; the author gets the delivery report.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.services import buildings, notices, report_store
from bot.services.errors import InvalidValue, NotAllowed, ReportGone
from bot.services.people import Actor
from bot.services.report_store import AlreadyPublished, Draft, NotOneInspector
from bot.ui import keyboards, texts
from bot.ui import notices as notice_cards
from bot.ui.callbacks import PickCb, ReportAction, ReportCb, SkipCb
from bot.ui.reports import cards as report_cards
from bot.ui.reports import keyboards as report_keyboards
from bot.ui.reports import output as report_output
from handlers import picker
from handlers.dialogs import NOT_A_COMMAND, TEXT_ANSWER, alert, buttons_removed, edit_card, end_dialog, read, still_open
from handlers.loading import loads
from handlers.picker import Picked
from handlers.refusing import Refusal, Shown, flag, refuse
from models import Report

log = logging.getLogger(__name__)

DIALOG = "report"


class Compose(StatesGroup):
    quarter = State()
    buildings = State()
    offences = State()
    measures = State()
    plans = State()
    preview = State()


class ReportData(Picked, total=False):
    key: str  # the draft's key: saved once, published once
    quarter: str
    offences: list[list[Any]]  # [kind, count] pairs, as JSON keeps them
    measures: str | None
    plans: str | None
    editing: bool  # back from the preview to one step


# A building the actor may not report on (a forged button, or one reassigned meanwhile): recorded, the dialog ends.
REFUSED = Refusal(
    lambda: _("You can report only on your own buildings. Nothing was saved or published."),
    audit="report_refused",
    ends_dialog=True,
    shown=Shown.CARD,
)


def create_router() -> Router:
    router = Router(name="report")
    router.message.register(start, Command("report"))
    router.callback_query.register(quarter_chosen, Compose.quarter, ReportCb.filter(F.action == ReportAction.QUARTER))
    router.callback_query.register(
        building_pressed, Compose.buildings, PickCb.filter(F.dialog == DIALOG), flags=flag(REFUSED)
    )
    router.message.register(offences_sent, Compose.offences, TEXT_ANSWER)
    router.callback_query.register(
        offences_done, Compose.offences, ReportCb.filter(F.action == ReportAction.OFFENCES_DONE)
    )
    router.message.register(text_sent, StateFilter(Compose.measures, Compose.plans), TEXT_ANSWER)
    for step, asked in (
        (report_keyboards.SKIP_OFFENCES, Compose.offences),
        (report_keyboards.SKIP_MEASURES, Compose.measures),
        (report_keyboards.SKIP_PLANS, Compose.plans),
    ):
        router.callback_query.register(skipped, asked, SkipCb.filter(F.step == step))
    router.message.register(
        use_buttons, StateFilter(Compose.quarter, Compose.buildings, Compose.preview), NOT_A_COMMAND
    )
    router.callback_query.register(
        publish,
        Compose.preview,
        ReportCb.filter(F.action == ReportAction.PUBLISH),
        flags=flag(REFUSED) | loads("data", still_open(ReportData, "key")),
    )
    router.callback_query.register(edit, Compose.preview, ReportCb.filter(F.action == ReportAction.EDIT))
    router.callback_query.register(change, Compose.preview, ReportCb.filter(F.action == ReportAction.CHANGE))
    router.callback_query.register(cancel, Compose.preview, ReportCb.filter(F.action == ReportAction.CANCEL))
    return router


# --- the quarter and the buildings ------------------------------------------------------------------


async def start(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    await end_dialog(state)
    if not await buildings.all_managed_ids(session, actor):
        await message.answer(_no_buildings(actor))
        return
    await state.update_data(key=str(uuid.uuid4()), offences=[], measures=None, plans=None)
    await _ask_quarter(message, state, session, clock, actor, settings)


async def quarter_chosen(
    callback: CallbackQuery,
    callback_data: ReportCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    offered = await report_store.quarters(session, clock, actor, settings.timezone)
    chosen = offered.offers(callback_data.quarter)
    if chosen is None:
        # A button from before the quarter turned (or made up): offer the quarters as they are now.
        alert(callback_answer, texts.button_gone())
        return
    await state.update_data(quarter=chosen.key)
    await edit_card(callback, _("Quarter: {quarter}.").format(quarter=report_cards.quarter_name(chosen.key)))
    if isinstance(callback.message, Message):
        await state.set_state(Compose.buildings)
        await picker.ask(callback.message, session, actor, state, DIALOG)


async def building_pressed(
    callback: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    ids = await picker.press(callback, callback_data, session, actor, state)
    if ids is None or not isinstance(callback.message, Message):
        return
    try:
        found = await report_store.chosen(session, actor, ids)
    except NotOneInspector:
        await callback.message.answer(_not_one_inspector())
        return
    await edit_card(callback, notice_cards.chosen(found))
    if (await read(state, ReportData)).get("editing"):
        await _preview(callback.message, state, session, clock, actor, settings)
    else:
        await _ask_offences(callback.message, state)


# --- what only the inspector knows ------------------------------------------------------------------


async def offences_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    parsed = report_store.parse_offences(message.text or "")
    data = await read(state, ReportData)
    kept = report_store.merge_offences(data.get("offences", []), parsed.lines)
    await state.update_data(offences=[list(line) for line in kept])
    if parsed.bad:
        await message.answer(_unread(parsed.bad, kept), reply_markup=report_keyboards.offences_done())
        return
    await _go_on(message, state, session, clock, actor, settings, _ask_measures)


async def offences_done(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    if (message := await buttons_removed(callback)) is not None:
        await _go_on(message, state, session, clock, actor, settings, _ask_measures)


async def text_sent(
    message: Message,
    raw_state: str | None,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    """The measures or the plans, by the step the dialog is at."""
    field, then = _TYPED[raw_state]
    value = await _text(message, field)
    if value is None:
        return
    await state.update_data({field: value})
    await _go_on(message, state, session, clock, actor, settings, then)


async def skipped(
    callback: CallbackQuery,
    callback_data: SkipCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    field, empty, ask_next = _SKIPPED[callback_data.step]
    await state.update_data({field: empty})
    if (message := await buttons_removed(callback)) is not None:
        await _go_on(message, state, session, clock, actor, settings, ask_next)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Please use the buttons above, or send /cancel to stop."))


# --- the preview and what follows it ----------------------------------------------------------------


async def publish(
    callback: CallbackQuery,
    data: ReportData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
    bot: Bot,
) -> None:
    title = _("Report for {quarter}").format(quarter=report_cards.quarter_name(data["quarter"]))
    try:
        published = await _publish(bot, callback, session, clock, actor, i18n, data["key"], title)
    except ReportGone:
        await end_dialog(state)
        await edit_card(callback, _("This draft was deleted meanwhile. Nothing was published."))
        return
    except NotOneInspector:
        await edit_card(callback, _not_one_inspector(), report_keyboards.preview())
        return
    await end_dialog(state)
    if not published.created:
        await edit_card(callback, _("This report was already published."))
        return
    await edit_card(callback, _published(published))


async def _publish(
    bot: Bot,
    callback: CallbackQuery,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
    key: str,
    title: str,
) -> report_store.Published:
    """Read, draw (with the transaction closed: the "sending a file" action commits it), then publish."""
    prepared = await report_store.prepare(session, clock, actor, key)
    if isinstance(prepared, report_store.Published):
        return prepared
    await bot.send_chat_action(callback.from_user.id, ChatAction.UPLOAD_DOCUMENT)
    drawn = await report_output.for_chats(i18n, prepared)
    return await report_store.publish(session, clock, actor, prepared, drawn, title)


async def edit(callback: CallbackQuery) -> None:
    await edit_card(callback, _("What do you want to change?"), report_keyboards.changes())


async def change(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
) -> None:
    if not isinstance(callback.message, Message):
        return
    await callback.message.edit_reply_markup(reply_markup=None)
    await state.update_data(editing=True)
    if callback_data.part == "period":
        await _ask_quarter(callback.message, state, session, clock, actor, settings)
    elif callback_data.part == "offences":
        await state.update_data(offences=[])
        await _ask_offences(callback.message, state)
    elif callback_data.part == "measures":
        await _ask_measures(callback.message, state)
    else:
        await _ask_plans(callback.message, state)


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(
        callback, _("The report is not published. Its draft is kept in /reports, where you can continue it.")
    )


async def continue_draft(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    report: Report,
) -> None:
    """Open a saved draft (from /reports) at its preview."""
    draft = report_store.as_draft(report)
    await end_dialog(state)
    await state.update_data(
        {
            "key": draft.key,
            "quarter": draft.quarter,
            picker.PICKED: draft.building_ids,
            "offences": [list(line) for line in draft.offences],
            "measures": draft.measures,
            "plans": draft.plans,
        }
    )
    await _preview(message, state, session, clock, actor, settings)


# --- steps ------------------------------------------------------------------------------------------


async def _ask_quarter(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    offered = await report_store.quarters(session, clock, actor, settings.timezone)
    await state.set_state(Compose.quarter)
    await message.answer(
        _("Which quarter is the report for? The last finished one is marked.") + "\n" + _("(/cancel to stop)"),
        reply_markup=report_keyboards.quarters(offered),
    )


async def _ask_offences(message: Message, state: FSMContext) -> None:
    question = _(
        "Offence figures for the territory from official statistics: one kind per line with its number, "
        "for example:\n<code>Theft 4</code>\n<code>Hooliganism — 2</code>\n"
        "Or press Skip if you have none to report."
    )
    await _ask_or_skip(message, state, Compose.offences, question, report_keyboards.SKIP_OFFENCES)


async def _ask_measures(message: Message, state: FSMContext) -> None:
    question = _("The measures taken this quarter, in a few sentences (up to {limit} characters), or press Skip.")
    await _ask_or_skip(message, state, Compose.measures, question, report_keyboards.SKIP_MEASURES)


async def _ask_plans(message: Message, state: FSMContext) -> None:
    question = _("Your plans for the next quarter (up to {limit} characters), or press Skip.")
    await _ask_or_skip(message, state, Compose.plans, question, report_keyboards.SKIP_PLANS)


async def _ask_or_skip(message: Message, state: FSMContext, step: State, question: str, skip: str) -> None:
    await state.set_state(step)
    await message.answer(
        question.format(limit=report_store.TEXT_LIMIT) + "\n" + _("(/cancel to stop)"),
        reply_markup=keyboards.skip(skip),
    )


Ask = Callable[[Message, FSMContext], Awaitable[None]]


async def _go_on(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    ask_next: Ask | None,
) -> None:
    """After a step: the next one, or the preview after the last step or when one step was being edited."""
    if ask_next is None or (await read(state, ReportData)).get("editing"):
        await _preview(message, state, session, clock, actor, settings)
    else:
        await ask_next(message, state)


# A skipped step: the field it leaves empty, and what is asked next (None: the preview).
_SKIPPED: dict[str, tuple[str, object, Ask | None]] = {
    report_keyboards.SKIP_OFFENCES: ("offences", [], _ask_measures),
    report_keyboards.SKIP_MEASURES: ("measures", None, _ask_plans),
    report_keyboards.SKIP_PLANS: ("plans", None, None),
}


# A typed step: the field it fills, and what is asked next (None: the preview).
_TYPED: dict[str | None, tuple[str, Ask | None]] = {
    Compose.measures.state: ("measures", _ask_plans),
    Compose.plans.state: ("plans", None),
}


async def _text(message: Message, field: str) -> str | None:
    """The measures or the plans as typed; None (and the reason said) when empty or too long."""
    try:
        return report_store.text(field, message.text or "")
    except InvalidValue:
        length = len((message.text or "").strip())
        await message.answer(
            _(
                "That is {count} character; at most {limit} fit. Please shorten it and send it again.",
                "That is {count} characters; at most {limit} fit. Please shorten it and send it again.",
                length,
            ).format(count=length, limit=report_store.TEXT_LIMIT)
        )
        return None


async def _preview(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    """Save the draft, then show the report as the chats will get it, where it goes, and Publish / Edit / Cancel."""
    data = await read(state, ReportData)
    await state.update_data(editing=False)
    draft = Draft(
        key=data["key"],
        quarter=data["quarter"],
        building_ids=data.get("picked_buildings", []),
        offences=[(str(kind), int(count)) for kind, count in data.get("offences", [])],
        measures=data.get("measures"),
        plans=data.get("plans"),
    )
    try:
        report = await report_store.save_draft(session, clock, actor, draft)
        targets = await notices.reach(session, actor, draft.building_ids)
    except NotAllowed:
        # Reached from a message or a button alike: said in the chat.
        await refuse(REFUSED, message, actor_id=actor.telegram_id, session=session, clock=clock, state=state)
        return
    except NotOneInspector:
        await message.answer(_not_one_inspector())
        await state.update_data(editing=True)
        await state.set_state(Compose.buildings)
        await picker.ask(message, session, actor, state, DIALOG)
        return
    except AlreadyPublished:
        await end_dialog(state)
        await message.answer(_("This report was already published."))
        return
    except InvalidValue:
        # A draft whose buildings were all removed meanwhile.
        await message.answer(_("Choose the buildings again."))
        await state.update_data(editing=True)
        await state.set_state(Compose.buildings)
        await picker.ask(message, session, actor, state, DIALOG)
        return
    view = await report_store.view(session, report, default_zone=settings.timezone)
    # Drawing takes a second: the "sending a file" action commits the draft first, so no lock is held meanwhile.
    await message.bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)  # type: ignore[union-attr]
    await report_output.show(message, await report_output.render(view, published_at=None))
    await state.set_state(Compose.preview)
    if targets.chats:
        where = notice_cards.reach(targets)
    else:
        where = _(
            "⚠️ None of the chosen buildings has a chat with me, so the report will not be posted in any chat; "
            "residents will still see it with /report."
        )
    await message.answer(
        _("☝️ This is the report as the chats will get it.") + "\n\n" + where, reply_markup=report_keyboards.preview()
    )


def _no_buildings(actor: Actor) -> str:
    if actor.is_admin:
        return _("No buildings yet. Add one with /add_building or import a CSV file.")
    return _(
        "No buildings are assigned to you yet, so there is nothing to report on. An administrator assigns them with "
        "/assign."
    )


def _not_one_inspector() -> str:
    return _(
        "A report is one inspector's: choose buildings that the same inspector serves (a building without an "
        "inspector cannot be reported on)."
    )


def _unread(bad: list[str], kept: list[tuple[str, int]]) -> str:
    lines = [
        _("I could not read {count} line:", "I could not read {count} lines:", len(bad)).format(count=len(bad)),
        *(f"• <code>{escape(line[:100])}</code>" for line in bad[:10]),
        _("Each line needs the kind of offence and a whole number, for example <code>Theft 4</code>."),
    ]
    if kept:
        lines.append(
            _("I kept {count} line:", "I kept {count} lines:", len(kept)).format(count=len(kept))
            + " "
            + ", ".join(f"{escape(kind)} {count}" for kind, count in kept)
        )
    lines.append(_("Send the corrected lines, or press Continue."))
    return "\n".join(lines)


def _published(published: report_store.Published) -> str:
    if not published.chats:
        return _(
            "✅ The report is published. None of its buildings has a chat with me, so it was posted in no chat; "
            "residents see it with /report."
        )
    text = _(
        "📤 The report is published and is being posted in {count} chat; I will tell you how the delivery went.",
        "📤 The report is published and is being posted in {count} chats; I will tell you how the delivery went.",
        published.chats,
    ).format(count=published.chats)
    if published.silent:
        text += "\n" + _("Not posted in the chats of {codes}: they have no chat with me.").format(
            codes=notice_cards.codes(published.silent)
        )
    return text
