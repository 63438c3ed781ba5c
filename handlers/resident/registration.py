"""A resident registers to a building: deep link (or code) → language → consent → flat → registered."""

from __future__ import annotations

from html import escape
from typing import TypedDict

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import LANGUAGES, Settings, reading_locale
from bot.i18n import FSM_COUNTRY_KEY, FSM_LANGUAGE_KEY, language_of
from bot.services import buildings, residents
from bot.services.errors import InvalidValue, UnknownBuilding
from bot.services.people import Actor, Person, load_actor
from bot.ui import keyboards, texts
from bot.ui.callbacks import ConsentCb, LanguageCb, SkipCb
from bot.ui.cards import APPEAL_PAYLOAD, START_PREFIX, building_title
from handlers.dialogs import TEXT_ANSWER, alert, buttons_removed, edit_card, end_dialog, person_of, read


class Registration(StatesGroup):
    code = State()
    language = State()
    consent = State()
    flat = State()


class RegistrationData(TypedDict, total=False):
    building_id: int
    language: str  # bot.i18n.FSM_LANGUAGE_KEY: the language chosen before the person exists
    country: str  # bot.i18n.FSM_COUNTRY_KEY: the wording of the building being joined


def create_router() -> Router:
    router = Router(name="registration")
    # "/start appeal" (the building chat's Write button) belongs to the appeal dialog.
    router.message.register(start_with_code, CommandStart(deep_link=True, magic=F.args != APPEAL_PAYLOAD))
    router.message.register(start, CommandStart(), ~F.text.contains(" "))
    router.message.register(code_sent, Registration.code, TEXT_ANSWER)
    router.callback_query.register(language_chosen, Registration.language, LanguageCb.filter())
    router.callback_query.register(consent_answered, Registration.consent, ConsentCb.filter())
    router.message.register(flat_sent, Registration.flat, TEXT_ANSWER)
    router.callback_query.register(flat_skipped, Registration.flat, SkipCb.filter(F.step == "flat"))
    return router


async def start(message: Message, state: FSMContext, actor: Actor) -> None:
    if actor.is_resident:
        await end_dialog(state)
        await message.answer(texts.help_text(actor))
        return
    await state.set_state(Registration.code)
    await message.answer(
        _(
            "Hello! I connect residents with their district police inspector.\n\n"
            "To register, open the link posted in your building's chat, or send me your building code "
            "(for example <code>A-12</code>)."
        )
        + "\n\n"
        + texts.emergency()
    )


async def start_with_code(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    payload = command.args or ""
    code = payload.removeprefix(START_PREFIX) if payload.startswith(START_PREFIX) else payload
    await _begin(message, state, session, actor, code)


async def code_sent(message: Message, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    await _begin(message, state, session, actor, message.text or "")


async def _begin(message: Message, state: FSMContext, session: AsyncSession, actor: Actor, code: str) -> None:
    try:
        building = await buildings.by_code(session, code)
    except UnknownBuilding:
        await state.set_state(Registration.code)
        await message.answer(
            _(
                "I don't know the building code <code>{code}</code>. Check the link in your building's chat "
                "or ask your inspector, then send the code again."
            ).format(code=escape(code[:32]))
        )
        return
    if actor.residency is not None and actor.residency.building_id == building.id:
        await end_dialog(state)
        await message.answer(_("You are already registered at {building}.").format(building=building_title(building)))
        return
    data = await read(state, RegistrationData)
    language = actor.language or data.get("language") or language_of(get_i18n().current_locale)
    await state.set_state(Registration.language)
    # From here on the person reads the wording of the building's country.
    await state.update_data({"building_id": building.id, FSM_LANGUAGE_KEY: language, FSM_COUNTRY_KEY: building.country})
    await message.answer(
        _("Building: {building}.\n\nChoose your language:").format(building=building_title(building)),
        reply_markup=keyboards.languages(language),
    )


async def language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    i18n: I18n,
    settings: Settings,
) -> None:
    if callback_data.code not in LANGUAGES:
        alert(callback_answer, texts.button_gone())
        return
    data = await state.update_data({FSM_LANGUAGE_KEY: callback_data.code})
    await state.set_state(Registration.consent)
    with i18n.use_locale(reading_locale(callback_data.code, data.get(FSM_COUNTRY_KEY, settings.country))):
        await edit_card(callback, consent_text(settings.operator_name), keyboards.consent())


def consent_text(operator_name: str | None) -> str:
    return _(
        "<b>Consent to the collection and processing of personal data</b>\n\n"
        "Operator: {operator}.\n\n"
        "To pass your messages to your district inspector, the bot keeps: your Telegram id and name, "
        "your language, your building and, if you give it, your flat number; later also the appeals "
        "you send and the answers to them.\n\n"
        "They are used only for your contact with the police inspector and are not shown to other residents. "
        "Messages to and from the bot pass through Telegram's servers.\n\n"
        "The data is kept while you are registered. Consent is voluntary: you can withdraw it at any time with "
        "/forget_me, which deletes your data (your appeals stay in the statistics without your name or text). "
        "/privacy shows what is kept.\n\n"
        "Do you agree?"
    ).format(operator=texts.operator(operator_name))


async def consent_answered(callback: CallbackQuery, callback_data: ConsentCb, state: FSMContext) -> None:
    if not callback_data.agree:
        await end_dialog(state)
        await edit_card(
            callback,
            _("Nothing has been saved. You can register at any time with your building's link.")
            + "\n\n"
            + texts.emergency(),
        )
        return
    await state.set_state(Registration.flat)
    await edit_card(
        callback,
        _("Thank you. What is your flat number? It helps the inspector find you; you may skip it."),
        keyboards.skip("flat"),
    )


async def flat_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    try:
        flat = residents.flat(message.text or "")
    except InvalidValue:
        await message.answer(
            _(
                "A flat number is up to 16 letters, digits, / or - (for example 12, 12A or 5/2). "
                "Send it again or press Skip."
            ),
            reply_markup=keyboards.skip("flat"),
        )
        return
    if message.from_user is None:
        return
    await _finish(message, state, session, clock, actor, person_of(message.from_user), flat)


async def flat_skipped(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor
) -> None:
    if (message := await buttons_removed(callback)) is not None:
        await _finish(message, state, session, clock, actor, person_of(callback.from_user), None)


async def _finish(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    person: Person,
    flat: str | None,
) -> None:
    data = await read(state, RegistrationData)
    building = await buildings.by_id(session, data["building_id"])
    if building is None:
        await end_dialog(state)
        await message.answer(_("This building is no longer served by the bot. Ask your inspector for a new link."))
        return
    registration = await residents.register(
        session, clock, person, building=building, flat=flat, language=data["language"]
    )
    await state.clear()
    lines = [_("✅ You are registered at {building}.").format(building=building_title(building))]
    if flat:
        lines.append(_("Flat: {flat}.").format(flat=escape(flat)))
    if registration.previous_building is not None:
        lines.append(
            _("Your registration at {building} has been replaced.").format(
                building=building_title(registration.previous_building)
            )
        )
    if building.inspector is not None:
        lines.append(
            _("Your district inspector is {name}, {rank}. /inspector shows their contacts.").format(
                name=escape(building.inspector.full_name), rank=escape(building.inspector.rank)
            )
        )
    else:
        lines.append(_("No inspector is assigned to your building yet."))
    await message.answer(
        "\n".join(lines) + "\n\n" + texts.help_text(await load_actor(session, person.id, is_admin=actor.is_admin))
    )
