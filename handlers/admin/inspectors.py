"""/add_inspector (picked with Telegram's user picker or given by id) and /inspectors. Admins only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import partial
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import Menus
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import appeals, inspectors, people, staff, validation
from bot.services.errors import AlreadyInspector, InvalidValue, UnknownInspector
from bot.services.people import Actor, Person
from bot.ui import keyboards, texts
from bot.ui.callbacks import ConfirmCb, PageCb, SuccessorCb
from bot.ui.cards import inspector_card, inspector_line
from bot.ui.keyboards import Keyboard
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog
from handlers.loading import loads
from models import Inspector

SAVE = "inspector"
REMOVE = "remove_inspector"
ASSIGN_LIMIT = 40  # successors offered as buttons
PAGE_SIZE = 15
LISTING = "inspectors"
# A dialog's answer is text that is not a command: another command typed mid-dialog goes to its own handler.


class AddInspector(StatesGroup):
    person = State()
    full_name = State()
    rank = State()
    phone = State()
    reception_point = State()
    reception_hours = State()
    confirm = State()


# The card's fields in the order they are asked.
STEPS: list[tuple[State, str]] = [
    (AddInspector.full_name, "full_name"),
    (AddInspector.rank, "rank"),
    (AddInspector.phone, "phone"),
    (AddInspector.reception_point, "reception_point"),
    (AddInspector.reception_hours, "reception_hours"),
]


def _question(field: str) -> str:
    return {
        "full_name": _("The inspector's full name (as residents should see it):"),
        "rank": _("Rank (for example: police major):"),
        "phone": _("Work phone number (for example +7 701 123 45 67):"),
        "reception_point": _("Reception point address:"),
        "reception_hours": _("Reception hours (for example: Tue, Thu 18:00–20:00):"),
    }[field]


def create_router() -> Router:
    router = Router(name="admin-inspectors")
    router.message.register(start, Command("add_inspector"))
    router.message.register(person_shared, AddInspector.person, F.users_shared)
    router.message.register(person_by_id, AddInspector.person, TEXT_ANSWER)
    for state, _field in STEPS:
        router.message.register(field_sent, state, TEXT_ANSWER)
    router.callback_query.register(
        save,
        AddInspector.confirm,
        ConfirmCb.filter(F.dialog == SAVE),
        flags=loads("dialog", partial(_confirmed, key="person")),
    )
    router.message.register(list_inspectors, Command("inspectors"))
    router.message.register(remove_start, Command("remove_inspector"))
    router.message.register(remove_person_shared, RemoveInspector.person, F.users_shared)
    router.message.register(remove_person_by_id, RemoveInspector.person, TEXT_ANSWER)
    router.callback_query.register(successor_chosen, RemoveInspector.successor, SuccessorCb.filter())
    router.callback_query.register(
        remove_confirmed,
        RemoveInspector.confirm,
        ConfirmCb.filter(F.dialog == REMOVE),
        flags=loads("dialog", partial(_confirmed, key="successor")),
    )
    router.callback_query.register(page, PageCb.filter(F.listing == LISTING))
    return router


async def start(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession) -> None:
    question = _("Who is the new inspector? Press the button to choose them, or send their numeric Telegram id.")
    await _pick(message, command, state, session, _person_chosen, AddInspector.person, question)


Chosen = Callable[[Message, FSMContext, AsyncSession, str], Awaitable[None]]


async def _pick(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    chosen: Chosen,
    step: State,
    question: str,
) -> None:
    """A person given inline is `chosen` at once; otherwise asked for with Telegram's user picker (or an id)."""
    await end_dialog(state)
    if command.args:
        await chosen(message, state, session, command.args)
        return
    await state.set_state(step)
    await message.answer(question, reply_markup=keyboards.pick_user())


async def person_shared(message: Message, state: FSMContext, session: AsyncSession) -> None:
    assert message.users_shared is not None
    shared = message.users_shared.users[0]
    person = Person(
        id=shared.user_id, first_name=shared.first_name or "", last_name=shared.last_name, username=shared.username
    )
    await _ask_first_field(message, state, session, person)


async def person_by_id(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await _person_chosen(message, state, session, message.text or "")


async def _person_chosen(message: Message, state: FSMContext, session: AsyncSession, raw: str) -> None:
    try:
        telegram_id = validation.telegram_id(raw)
    except InvalidValue:
        await state.set_state(AddInspector.person)
        await message.answer(
            _("A Telegram id is a number, for example <code>123456789</code>. Send it again, or press the button."),
            reply_markup=keyboards.pick_user(),
        )
        return
    await _ask_first_field(message, state, session, Person(id=telegram_id, first_name=""))


async def _ask_first_field(message: Message, state: FSMContext, session: AsyncSession, person: Person) -> None:
    if await inspectors.is_inspector(session, person.id):
        await end_dialog(state)
        await message.answer(_("This person is already an inspector."), reply_markup=ReplyKeyboardRemove())
        return
    first_state, first_field = STEPS[0]
    await state.set_state(first_state)
    await state.update_data(person=asdict(person))
    await message.answer(_question(first_field), reply_markup=ReplyKeyboardRemove())


async def field_sent(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    index = next(i for i, (step, _field) in enumerate(STEPS) if step.state == current)
    field = STEPS[index][1]
    try:
        value = inspectors.clean_field(field, message.text or "")
    except InvalidValue:
        await message.answer(_("That does not look right; please send it again.") + "\n\n" + _question(field))
        return
    await state.update_data({field: value})
    if index + 1 < len(STEPS):
        next_state, next_field = STEPS[index + 1]
        await state.set_state(next_state)
        await message.answer(_question(next_field))
        return
    new = _draft(await state.get_data())
    await state.set_state(AddInspector.confirm)
    preview = Inspector(**{name: getattr(new, name) for name in inspectors.FIELDS})
    await message.answer(
        _("Check the card residents will see:") + "\n\n" + inspector_card(preview),
        reply_markup=keyboards.confirm(SAVE, _("Save")),
    )


async def _confirmed(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    key: str,
) -> dict[str, Any] | None:
    """The dialog's data when its confirmation was pressed while it was still open; None once answered otherwise
    (cancelled, or a second tap that raced the first one, which has already ended the dialog)."""
    data = await state.get_data()
    await end_dialog(state)
    if key not in data:
        alert(callback_answer, texts.button_gone())
        return None
    if not callback_data.yes:
        await edit_card(callback, _("Cancelled."))
        return None
    return data


def _draft(data: dict[str, Any]) -> inspectors.InspectorDraft:
    return inspectors.draft(Person(**data["person"]), **{name: data[name] for name in inspectors.FIELDS})


async def save(
    callback: CallbackQuery,
    dialog: dict[str, Any],
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    menus: Menus,
) -> None:
    try:
        inspector = await inspectors.add_inspector(
            session, clock, _draft(dialog), language=settings.default_language, actor_id=actor.telegram_id
        )
    except AlreadyInspector:
        await edit_card(callback, _("This person is already an inspector."))
        return
    await edit_card(callback, _("Inspector added:") + "\n\n" + inspector_card(inspector))
    reached = inspector.user_id not in await menus.refresh([inspector.user_id])
    if reached:
        try:
            with i18n.use_locale(settings.default_locale):
                await bot.send_message(
                    inspector.user_id,
                    _("You have been added as a district inspector. /help shows what you can do."),
                )
        except (TelegramForbiddenError, TelegramBadRequest):
            reached = False
    if not reached:
        me = await bot.me()
        await bot.send_message(
            callback.from_user.id,
            _("The bot cannot write to them yet: ask them to open @{bot} and press Start.").format(bot=me.username),
        )


async def list_inspectors(message: Message, session: AsyncSession) -> None:
    text, markup = await _page(session, 0)
    await message.answer(text, reply_markup=markup)


async def page(callback: CallbackQuery, callback_data: PageCb, session: AsyncSession) -> None:
    text, markup = await _page(session, max(callback_data.page, 0))
    await edit_card(callback, text, markup)


async def _page(session: AsyncSession, number: int) -> tuple[str, keyboards.InlineKeyboardMarkup | None]:
    result = await inspectors.list_inspectors(session, page=number, size=PAGE_SIZE)
    if result.total == 0:
        return _("No inspectors yet. Add one with /add_inspector."), None
    header = _("<b>Inspectors</b> ({count})").format(count=result.total)
    text = header + "\n\n" + "\n".join(inspector_line(row) for row in result.items)
    return text, keyboards.pages(LISTING, result.page, result.pages)


# --- /remove_inspector ------------------------------------------------------------------------------------------


class RemoveInspector(StatesGroup):
    person = State()
    successor = State()
    confirm = State()


async def remove_start(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession) -> None:
    question = _("Which inspector leaves? Press the button to choose them, or send their numeric Telegram id.")
    await _pick(message, command, state, session, _removal_chosen, RemoveInspector.person, question)


async def remove_person_shared(message: Message, state: FSMContext, session: AsyncSession) -> None:
    assert message.users_shared is not None
    await _removal_chosen(message, state, session, str(message.users_shared.users[0].user_id))


async def remove_person_by_id(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await _removal_chosen(message, state, session, message.text or "")


async def _removal_chosen(message: Message, state: FSMContext, session: AsyncSession, raw: str) -> None:
    try:
        leaving = await inspectors.by_telegram_id(session, validation.telegram_id(raw))
    except InvalidValue:
        leaving = None
    if leaving is None:
        await end_dialog(state)
        await message.answer(
            _("This person is not an inspector. /inspectors lists them."), reply_markup=ReplyKeyboardRemove()
        )
        return
    await state.set_state(RemoveInspector.successor)
    await state.update_data(leaving=leaving.id)
    others = [row.inspector for row in (await inspectors.list_inspectors(session, size=ASSIGN_LIMIT)).items]
    await message.answer(
        _("Removing {name}.").format(name=escape(leaving.full_name)), reply_markup=ReplyKeyboardRemove()
    )
    await message.answer(
        _("Who takes over their buildings and open appeals?"),
        reply_markup=_successors([i for i in others if i.id != leaving.id]),
    )


def _successors(candidates: list[Inspector]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for inspector in candidates:
        builder.button(text=inspector.full_name[:60], callback_data=SuccessorCb(inspector_id=inspector.id))
    builder.button(text=_("Nobody yet: the administrators"), callback_data=SuccessorCb(inspector_id=0))
    builder.adjust(1)
    return builder.as_markup()


async def successor_chosen(
    callback: CallbackQuery,
    callback_data: SuccessorCb,
    state: FSMContext,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    leaving = await inspectors.get_inspector(session, data.get("leaving", 0))
    successor = (
        await inspectors.get_inspector(session, callback_data.inspector_id) if callback_data.inspector_id else None
    )
    if leaving is None or (callback_data.inspector_id and (successor is None or successor.id == leaving.id)):
        await end_dialog(state)
        alert(callback_answer, texts.button_gone())
        return
    await state.update_data(successor=callback_data.inspector_id)
    await state.set_state(RemoveInspector.confirm)
    codes = ", ".join(b.code for b in await staff.beat_of(session, leaving.id)) or "—"
    heir = escape(successor.full_name) if successor is not None else _("the administrators")
    await edit_card(
        callback,
        _(
            "Remove {name}? They will no longer receive anything about the beat or be able to act on it.\n"
            "Their buildings ({codes}), open appeals and planned meetings go to {heir}."
        ).format(name=escape(leaving.full_name), codes=escape(codes), heir=heir),
        keyboards.confirm(REMOVE, _("Remove")),
    )


async def remove_confirmed(
    callback: CallbackQuery,
    dialog: dict[str, Any],
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    menus: Menus,
) -> None:
    try:
        handover = await staff.remove_inspector(
            session,
            clock,
            inspector_id=dialog["leaving"],
            successor_id=dialog["successor"] or None,
            actor_id=actor.telegram_id,
        )
    except UnknownInspector:
        await edit_card(callback, _("That inspector has already been removed, or the one you chose has."))
        return
    assert handover.previous is not None
    await tell_handover(courier, handover, removed=True)
    # The one removed loses their menu; the one taking over may now read another country's wording.
    await menus.refresh_serving(handover.previous, handover.successor)
    heir = escape(handover.successor.full_name) if handover.successor else _("the administrators")
    await edit_card(
        callback,
        _(
            "{name} is removed. Their buildings ({codes}) and {count} open appeal went to {heir}.",
            "{name} is removed. Their buildings ({codes}) and {count} open appeals went to {heir}.",
            handover.appeals,
        ).format(
            name=escape(handover.previous.full_name),
            codes=escape(", ".join(b.code for b in handover.buildings) or "—"),
            count=handover.appeals,
            heir=heir,
        ),
    )


async def tell_handover(courier: Courier, handover: staff.Handover, *, removed: bool) -> None:
    """The departing (or previous) inspector and the successor each hear of it, in their own language."""
    session, clock, i18n, settings = courier.session, courier.clock, courier.i18n, courier.settings
    codes = escape(", ".join(b.code for b in handover.buildings))
    readers = [i.user_id for i in (handover.previous, handover.successor) if i is not None]
    known = await people.reading_locales(session, readers, default_country=settings.country)
    if handover.previous is not None:
        with i18n.use_locale(known.get(handover.previous.user_id, settings.default_locale)):
            heir = escape(handover.successor.full_name) if handover.successor else _("the administrators")
            if removed:
                text = _(
                    "An administrator has removed you from the inspectors. The bot will no longer send you anything "
                    "about the beat; your buildings and open appeals went to {heir}."
                ).format(heir=heir)
            else:
                text = _(
                    "{codes} is now served by {heir}; its {count} open appeal went to them.",
                    "{codes} is now served by {heir}; its {count} open appeals went to them.",
                    handover.appeals,
                ).format(codes=codes, heir=heir, count=handover.appeals)
            await staff.tell(session, clock, handover.previous.user_id, text)
    if handover.successor is not None and handover.buildings:
        with i18n.use_locale(known.get(handover.successor.user_id, settings.default_locale)):
            text = _(
                "You now serve {codes}; {count} open appeal came with it. /queue shows it.",
                "You now serve {codes}; {count} open appeals came with it. /queue shows them.",
                handover.appeals,
            ).format(codes=codes, count=handover.appeals)
            await staff.tell(session, clock, handover.successor.user_id, text)
    # The moved appeals' cards go to whoever works them now (the successor, or the administrators).
    for appeal in await appeals.with_cards(session, handover.moved):
        await courier.deliver_card(appeal)
