"""/add_building, /country and /assign (admins); the /buildings list is the staff's (handlers.inspector.buildings)."""

from __future__ import annotations

from html import escape
from typing import TypedDict

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import Menus
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import buildings, inspectors, law, staff, validation
from bot.services.errors import BuildingCodeTaken, InvalidValue, UnknownBuilding, UnknownInspector
from bot.services.people import Actor
from bot.ui import keyboards, labels
from bot.ui.callbacks import AssignCb, CountryCb, SkipCb
from bot.ui.cards import building_title, registration_link
from handlers.admin.inspectors import tell_handover
from handlers.dialogs import TEXT_ANSWER, buttons_removed, edit_card, end_dialog, read

ASSIGN_BUTTONS = 40
# A dialog's answer is text that is not a command: another command typed mid-dialog goes to its own handler.


class AddBuilding(StatesGroup):
    code = State()
    country = State()
    address = State()
    district = State()
    timezone = State()


class AddBuildingData(TypedDict, total=False):
    code: str
    address: str
    district: str | None
    country: str  # KZ or UZ


class AssignBuilding(StatesGroup):
    code = State()


_STEP_OF = {"address": AddBuilding.address, "district": AddBuilding.district, "timezone": AddBuilding.timezone}


def create_router() -> Router:
    router = Router(name="admin-buildings")
    router.message.register(add_start, Command("add_building"))
    router.message.register(code_sent, AddBuilding.code, TEXT_ANSWER)
    router.callback_query.register(country_chosen, AddBuilding.country, CountryCb.filter(F.building_id == 0))
    router.message.register(address_sent, AddBuilding.address, TEXT_ANSWER)
    router.message.register(district_sent, AddBuilding.district, TEXT_ANSWER)
    router.callback_query.register(district_skipped, AddBuilding.district, SkipCb.filter(F.step == "district"))
    router.message.register(timezone_sent, AddBuilding.timezone, TEXT_ANSWER)
    router.callback_query.register(timezone_skipped, AddBuilding.timezone, SkipCb.filter(F.step == "timezone"))
    router.message.register(country_command, Command("country"))
    router.callback_query.register(country_changed, CountryCb.filter(F.building_id > 0))
    router.message.register(assign_start, Command("assign"))
    router.message.register(assign_code_sent, AssignBuilding.code, TEXT_ANSWER)
    router.callback_query.register(assign_chosen, AssignCb.filter())
    return router


async def add_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    question = _('The building\'s code (Latin letters, digits and "-", for example <code>A-12</code>):')
    given = await _code_given(message, command, state, AddBuilding.code, question)
    if given is None:
        return
    code, rest = given
    if not await _code_accepted(message, state, session, code):
        return
    # An optional country code after the building's: /add_building A-12 UZ Navoi st 5
    first, _sep, after = rest.strip().partition(" ")
    country = first.upper() if first.upper() in law.COUNTRIES else None
    address = after if country is not None else rest
    if address.strip():
        country = country or settings.country
        await state.update_data(country=country)
        await _create(
            message,
            state,
            session,
            clock,
            actor,
            bot,
            address=address,
            district=None,
            timezone=_zone(settings, country),
        )
        return
    if country is not None:
        await state.update_data(country=country)
        await state.set_state(AddBuilding.address)
        await message.answer(_("The building's address:"))
        return
    await _ask_country(message, state, settings)


async def _code_given(
    message: Message, command: CommandObject, state: FSMContext, step: State, question: str
) -> tuple[str, str] | None:
    """A new dialog: the building's code given inline and the rest of the arguments, or None: the code is asked for."""
    await end_dialog(state)
    code, _sep, rest = (command.args or "").strip().partition(" ")
    if not code:
        await state.set_state(step)
        await message.answer(question)
        return None
    return code, rest


async def code_sent(message: Message, state: FSMContext, session: AsyncSession, settings: Settings) -> None:
    if await _code_accepted(message, state, session, message.text or ""):
        await _ask_country(message, state, settings)


async def _ask_country(message: Message, state: FSMContext, settings: Settings) -> None:
    await state.set_state(AddBuilding.country)
    await message.answer(
        _("The building's country: its law sets the appeals' deadlines, its calendar the working days."),
        reply_markup=keyboards.countries(settings.country),
    )


async def country_chosen(callback: CallbackQuery, callback_data: CountryCb, state: FSMContext) -> None:
    if callback_data.code not in law.COUNTRIES:
        return
    await state.update_data(country=callback_data.code)
    await state.set_state(AddBuilding.address)
    await edit_card(
        callback,
        _("Country: {country}").format(country=labels.country(callback_data.code))
        + "\n\n"
        + _("The building's address:"),
    )


def _zone(settings: Settings, country: str) -> str:
    """The deployment's zone for a building of its own country; the other country's own zone otherwise."""
    return settings.timezone if country == settings.country else law.rules(country).timezone


async def _code_accepted(message: Message, state: FSMContext, session: AsyncSession, raw: str) -> bool:
    try:
        code = validation.building_code(raw)
        await buildings.by_code(session, code)
    except InvalidValue:
        await state.set_state(AddBuilding.code)
        await message.answer(
            _(
                'A code is 1–32 Latin letters, digits, "-" or "_" (it goes into the registration link). Send another one:'
            )
        )
        return False
    except UnknownBuilding:
        await state.update_data(code=code)
        return True
    await state.set_state(AddBuilding.code)
    await message.answer(_("The code {code} is already taken. Send another one:").format(code=code))
    return False


async def address_sent(message: Message, state: FSMContext) -> None:
    try:
        address = validation.text("address", message.text or "")
    except InvalidValue as exc:
        await message.answer(_invalid(exc))
        return
    await state.update_data(address=address)
    await state.set_state(AddBuilding.district)
    await message.answer(_("The district (or Skip):"), reply_markup=keyboards.skip("district"))


async def district_sent(message: Message, state: FSMContext, settings: Settings) -> None:
    try:
        district = validation.text("district", message.text or "")
    except InvalidValue as exc:
        await message.answer(_invalid(exc))
        return
    await state.update_data(district=district)
    await _ask_timezone(message, state, settings)


async def district_skipped(callback: CallbackQuery, state: FSMContext, settings: Settings) -> None:
    if (message := await buttons_removed(callback)) is not None:
        await _ask_timezone(message, state, settings)


async def _ask_timezone(message: Message, state: FSMContext, settings: Settings) -> None:
    await state.set_state(AddBuilding.timezone)
    country = (await state.get_data()).get("country", settings.country)
    await message.answer(
        _("The building's time zone, for example <code>Asia/Tashkent</code>. Skip keeps {zone}.").format(
            zone=_zone(settings, country)
        ),
        reply_markup=keyboards.skip("timezone"),
    )


async def timezone_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, bot: Bot
) -> None:
    data = await read(state, AddBuildingData)
    await _create(
        message,
        state,
        session,
        clock,
        actor,
        bot,
        address=data["address"],
        district=data.get("district"),
        timezone=message.text or "",
    )


async def timezone_skipped(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    if isinstance(callback.message, Message):
        data = await read(state, AddBuildingData)
        await callback.message.edit_reply_markup(reply_markup=None)
        await _create(
            callback.message,
            state,
            session,
            clock,
            actor,
            bot,
            address=data["address"],
            district=data.get("district"),
            timezone=_zone(settings, data.get("country", settings.country)),
        )


async def _create(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    bot: Bot,
    *,
    address: str,
    district: str | None,
    timezone: str,
) -> None:
    data = await read(state, AddBuildingData)
    try:
        building = await buildings.add_building(
            session,
            clock,
            code=data["code"],
            address=address,
            district=district,
            timezone=timezone,
            actor_id=actor.telegram_id,
            country=data.get("country", "KZ"),
        )
    except InvalidValue as exc:
        # Ask again for the value that did not fit (an inline address too, which had no step of its own yet).
        await state.set_state(_STEP_OF.get(exc.field, AddBuilding.code))
        await message.answer(_invalid(exc))
        return
    except BuildingCodeTaken as exc:
        await end_dialog(state)
        await message.answer(_("The code {code} is already taken.").format(code=exc.code))
        return
    await end_dialog(state)
    me = await bot.me()
    await message.answer(
        _(
            "Building added: {building}.\nRegistration link for residents: {link}\nAssign an inspector: /assign {code}"
        ).format(
            building=building_title(building), link=registration_link(me.username or "", building), code=building.code
        )
        + "\n"
        + _country_line(building.code, building.country)
    )


def _country_line(code: str, country: str) -> str:
    return _("Country: {country} (change it with /country {code} KZ or UZ)").format(
        country=labels.country(country), code=code
    )


async def country_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    menus: Menus,
) -> None:
    """/country A-12 UZ sets it; /country A-12 shows it with the two buttons."""
    code, _sep, country = (command.args or "").strip().partition(" ")
    if not code:
        await message.answer(
            _("Send /country and the building's code, then KZ or UZ if you change it: /country A-12 UZ")
        )
        return
    try:
        building = await buildings.by_code(session, code)
    except UnknownBuilding:
        await message.answer(_("There is no building with that code. /buildings lists them."))
        return
    if not country.strip():
        await message.answer(
            _country_line(building.code, building.country),
            reply_markup=keyboards.countries(building.country, building.id),
        )
        return
    await message.answer(await _set_country(session, clock, actor, menus, building.id, country))


async def country_changed(
    callback: CallbackQuery,
    callback_data: CountryCb,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    menus: Menus,
) -> None:
    await edit_card(
        callback,
        await _set_country(session, clock, actor, menus, callback_data.building_id, callback_data.code),
    )


async def _set_country(
    session: AsyncSession, clock: Clock, actor: Actor, menus: Menus, building_id: int, country: str
) -> str:
    try:
        building = await buildings.set_country(
            session, clock, building_id=building_id, country=country, actor_id=actor.telegram_id
        )
    except UnknownBuilding:
        return _("That building no longer exists.")
    except InvalidValue:
        return _("The country is KZ (Kazakhstan) or UZ (Uzbekistan).")
    await menus.refresh_serving(await staff.manager_of(session, building.id))  # their wording may follow it
    return _("{building}: {country}. New appeals follow its law and calendar; open ones keep their deadlines.").format(
        building=building_title(building), country=labels.country(building.country)
    )


def _invalid(exc: InvalidValue) -> str:
    if exc.field == "country":
        return _("The country is KZ (Kazakhstan) or UZ (Uzbekistan).")
    if exc.field == "timezone":
        return _("Unknown time zone. Use a name such as <code>Asia/Almaty</code> or <code>Asia/Tashkent</code>:")
    if exc.field == "district":
        return _("The district name is too long (at most 128 characters). Send it again:")
    return _("The address must be 1–256 characters. Send it again:")


async def assign_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    menus: Menus,
) -> None:
    given = await _code_given(message, command, state, AssignBuilding.code, _("Which building? Send its code:"))
    if given is None:
        return
    code, telegram_id = given
    if telegram_id.strip():
        await _assign_by_telegram_id(message, session, clock, actor, courier, menus, code, telegram_id.strip())
        return
    await _offer_inspectors(message, state, session, code)


async def assign_code_sent(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await _offer_inspectors(message, state, session, message.text or "")


async def _offer_inspectors(message: Message, state: FSMContext, session: AsyncSession, code: str) -> None:
    try:
        building = await buildings.by_code(session, code)
    except UnknownBuilding:
        await message.answer(_("There is no building with that code. /buildings lists them."))
        return
    await end_dialog(state)
    listed = await inspectors.list_inspectors(session, size=ASSIGN_BUTTONS)
    if listed.total == 0:
        await message.answer(_("There are no inspectors yet. Add one with /add_inspector."))
        return
    text = _("Who serves {building}?").format(building=building_title(building))
    if listed.total > ASSIGN_BUTTONS:
        text += "\n" + _("Not in the list? Send /assign {code} followed by the inspector's Telegram id.").format(
            code=building.code
        )
    await message.answer(text, reply_markup=keyboards.assign(building.id, [row.inspector for row in listed.items]))


async def _assign_by_telegram_id(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    menus: Menus,
    code: str,
    raw_id: str,
) -> None:
    try:
        building = await buildings.by_code(session, code)
    except UnknownBuilding:
        await message.answer(_("There is no building with that code. /buildings lists them."))
        return
    try:
        inspector = await inspectors.by_telegram_id(session, validation.telegram_id(raw_id))
    except InvalidValue:
        inspector = None
    if inspector is None:
        await message.answer(_("There is no inspector with that Telegram id. /inspectors lists them."))
        return
    await message.answer(await _assign(session, clock, actor, courier, menus, building.id, inspector.id))


async def assign_chosen(
    callback: CallbackQuery,
    callback_data: AssignCb,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    menus: Menus,
) -> None:
    await edit_card(
        callback,
        await _assign(session, clock, actor, courier, menus, callback_data.building_id, callback_data.inspector_id),
    )


async def _assign(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    courier: Courier,
    menus: Menus,
    building_id: int,
    inspector_id: int,
) -> str:
    try:
        handover = await staff.reassign(
            session, clock, building_id=building_id, inspector_id=inspector_id, actor_id=actor.telegram_id
        )
    except (UnknownBuilding, UnknownInspector):
        return _("That building or inspector no longer exists.")
    assert handover.successor is not None
    if handover.previous is None or handover.previous.id != handover.successor.id:
        await tell_handover(courier, handover, removed=False)
        await menus.refresh_serving(handover.previous, handover.successor)  # the country of most of their buildings
    return _("{building} is now served by {inspector}.").format(
        building=building_title(handover.buildings[0]), inspector=escape(handover.successor.full_name)
    )
