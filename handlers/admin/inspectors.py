"""/add_inspector (picked with Telegram's user picker or given by id) and /inspectors. Admins only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import INSPECTOR, set_personal_commands
from bot.config import Settings
from bot.services import inspectors, validation
from bot.services.errors import AlreadyInspector, InvalidValue
from bot.services.people import Actor, Person
from bot.ui import keyboards, texts
from bot.ui.callbacks import ConfirmCb, PageCb
from bot.ui.cards import inspector_card, inspector_line
from handlers.dialogs import TEXT_ANSWER, alert, edit_card, end_dialog
from models import Inspector

SAVE = "inspector"
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
    router.callback_query.register(save, AddInspector.confirm, ConfirmCb.filter(F.dialog == SAVE))
    router.message.register(list_inspectors, Command("inspectors"))
    router.callback_query.register(page, PageCb.filter(F.listing == LISTING))
    return router


async def start(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession) -> None:
    await end_dialog(state)
    if command.args:
        await _person_chosen(message, state, session, command.args)
        return
    await state.set_state(AddInspector.person)
    await message.answer(
        _("Who is the new inspector? Press the button to choose them, or send their numeric Telegram id."),
        reply_markup=keyboards.pick_user(),
    )


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


def _draft(data: dict[str, Any]) -> inspectors.InspectorDraft:
    return inspectors.draft(Person(**data["person"]), **{name: data[name] for name in inspectors.FIELDS})


async def save(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    await end_dialog(state)
    if "person" not in data:
        # A second tap on Save raced the first one, which has already ended the dialog.
        alert(callback_answer, texts.button_gone())
        return
    if not callback_data.yes:
        await edit_card(callback, _("Cancelled."))
        return
    try:
        inspector = await inspectors.add_inspector(
            session, clock, _draft(data), language=settings.default_language, actor_id=actor.telegram_id
        )
    except AlreadyInspector:
        await edit_card(callback, _("This person is already an inspector."))
        return
    await edit_card(callback, _("Inspector added:") + "\n\n" + inspector_card(inspector))
    reached = await set_personal_commands(bot, i18n, inspector.user_id, INSPECTOR, settings.default_language)
    if reached:
        try:
            with i18n.use_locale(settings.default_language):
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
