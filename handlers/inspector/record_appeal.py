"""/record_appeal: an appeal received in person, by phone or at a meeting, registered on the resident's behalf.

building → how it was received → applicant's name → contact → flat (→ which registered resident, if any) → category
(→ the law's kind, where the country has several) → text → photos → summary → Record: the number, the statutory deadline and a receipt (text and PDF).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.services import buildings, oral, people
from bot.services.appeals import ATTACHMENT_LIMIT, TEXT_LIMIT, Content
from bot.services.errors import InvalidValue
from bot.services.oral import CHANNELS, OralDraft
from bot.services.people import Actor
from bot.ui import oral as oral_ui
from bot.ui import texts
from bot.ui.callbacks import KindCb, OralCb, OralStep
from bot.ui.content import content_of
from handlers import intake
from handlers.dialogs import NOT_A_COMMAND, TEXT_ANSWER, buttons_removed, edit_card, end_dialog, still_open
from handlers.loading import loads
from handlers.refusing import BUTTON_GONE, Refusal, Shown, flag
from handlers.resident.appeal import policy
from models import Category

BUILDING_BUTTONS = 40
GONE_NOW = Refusal(texts.button_gone, ends_dialog=True, shown=Shown.CARD)


class Oral(StatesGroup):
    building = State()
    channel = State()
    name = State()
    contact = State()
    flat = State()
    resident = State()
    category = State()
    kind = State()
    text = State()
    attachments = State()
    confirm = State()


def create_router() -> Router:
    router = Router(name="record-appeal")
    router.message.register(start, Command("record_appeal"))
    router.callback_query.register(
        building_chosen, Oral.building, OralCb.filter(F.step == OralStep.BUILDING), flags=flag(BUTTON_GONE)
    )
    router.callback_query.register(channel_chosen, Oral.channel, OralCb.filter(F.step == OralStep.CHANNEL))
    router.message.register(name_sent, Oral.name, TEXT_ANSWER)
    router.message.register(contact_sent, Oral.contact, TEXT_ANSWER)
    router.callback_query.register(contact_skipped, Oral.contact, OralCb.filter(F.step == OralStep.SKIP))
    router.message.register(flat_sent, Oral.flat, TEXT_ANSWER)
    router.callback_query.register(flat_skipped, Oral.flat, OralCb.filter(F.step == OralStep.SKIP))
    router.callback_query.register(resident_chosen, Oral.resident, OralCb.filter(F.step == OralStep.RESIDENT))
    router.callback_query.register(category_chosen, Oral.category, OralCb.filter(F.step == OralStep.CATEGORY))
    router.callback_query.register(kind_chosen, Oral.kind, KindCb.filter())
    router.message.register(text_sent, Oral.text, NOT_A_COMMAND)
    router.message.register(attachment_sent, Oral.attachments, NOT_A_COMMAND)
    router.callback_query.register(attachments_done, Oral.attachments, OralCb.filter(F.step == OralStep.NEXT))
    router.callback_query.register(cancel, Oral.confirm, OralCb.filter(F.step == OralStep.CANCEL))
    # The building was given to another inspector meanwhile, or the chosen resident moved out.
    router.callback_query.register(
        record,
        Oral.confirm,
        OralCb.filter(F.step == OralStep.RECORD),
        flags=flag(GONE_NOW) | loads("data", still_open(dict[str, Any], "key")),
    )
    return router


async def start(message: Message, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    listed = await buildings.list_buildings(session, inspector_id=buildings.managed_by(actor), size=BUILDING_BUTTONS)
    if not listed.items:
        await message.answer(_("You have no buildings yet: an administrator assigns them."))
        return
    await end_dialog(state)
    await state.update_data(key=str(uuid.uuid4()), attachments=[])
    intro = _("Recording an appeal received orally, on the resident's behalf.") + "\n" + _("(/cancel to stop)")
    if len(listed.items) == 1:
        building = listed.items[0].building
        await state.update_data(building_id=building.id, building=building.address, country=building.country)
        await state.set_state(Oral.channel)
        await message.answer(intro + "\n\n" + _("How was it received?"), reply_markup=oral_ui.channels_markup())
        return
    await state.set_state(Oral.building)
    rows = [(row.building.id, row.building.code) for row in listed.items]
    await message.answer(intro + "\n\n" + _("Which building is it about?"), reply_markup=oral_ui.buildings_markup(rows))


async def building_chosen(
    callback: CallbackQuery, callback_data: OralCb, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    if not callback_data.value.isdigit():
        return
    building = await oral.building_for(session, actor, int(callback_data.value))
    await state.update_data(building_id=building.id, building=building.address, country=building.country)
    await state.set_state(Oral.channel)
    await edit_card(callback, _("How was it received?"), oral_ui.channels_markup())


async def channel_chosen(callback: CallbackQuery, callback_data: OralCb, state: FSMContext) -> None:
    if callback_data.value not in CHANNELS:
        return
    await state.update_data(channel=callback_data.value)
    await state.set_state(Oral.name)
    await edit_card(callback, _("The applicant's full name:"))


async def name_sent(message: Message, state: FSMContext) -> None:
    try:
        name = oral.applicant_name(message.text or "")
    except InvalidValue:
        await message.answer(_("Please send the name in up to {limit} characters.").format(limit=oral.NAME_LIMIT))
        return
    await state.update_data(name=name)
    await state.set_state(Oral.contact)
    await message.answer(_("How to reach them (a phone number), or Skip:"), reply_markup=oral_ui.skip_markup())


async def contact_sent(message: Message, state: FSMContext) -> None:
    try:
        contact = oral.contact(message.text or "")
    except InvalidValue:
        await message.answer(_("Please send it in up to {limit} characters.").format(limit=oral.CONTACT_LIMIT))
        return
    await state.update_data(contact=contact)
    await _ask_flat(message, state)


async def contact_skipped(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(contact=None)
    if (message := await buttons_removed(callback)) is not None:
        await _ask_flat(message, state)


async def _ask_flat(message: Message, state: FSMContext) -> None:
    await state.set_state(Oral.flat)
    await message.answer(_("The applicant's flat number, or Skip:"), reply_markup=oral_ui.skip_markup())


async def flat_sent(message: Message, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    try:
        flat = oral.flat(message.text or "")
    except InvalidValue:
        await message.answer(_("Please send the flat in up to {limit} characters.").format(limit=oral.FLAT_LIMIT))
        return
    await state.update_data(flat=flat)
    data = await state.get_data()
    found = await oral.registered_in_flat(session, actor, data["building_id"], flat) if flat else []
    if found:
        # Only the residents of the flat the applicant named are shown: the inspector confirms one is them.
        await state.set_state(Oral.resident)
        await message.answer(
            _("These residents of flat {flat} use the bot. Is the applicant one of them?").format(flat=flat),
            reply_markup=oral_ui.residents_markup(found),
        )
        return
    await _ask_category(message, state)


async def flat_skipped(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(flat=None)
    if (message := await buttons_removed(callback)) is not None:
        await _ask_category(message, state)


async def resident_chosen(
    callback: CallbackQuery, callback_data: OralCb, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    data = await state.get_data()
    chosen = int(callback_data.value) if callback_data.value.isdigit() else 0
    found = await oral.registered_in_flat(session, actor, data["building_id"], data.get("flat") or "")
    person = next((p for p in found if p.id == chosen), None)
    await state.update_data(
        resident_id=person.id if person else None,
        resident_name=" ".join(filter(None, [person.first_name, person.last_name])) if person else None,
    )
    if (message := await buttons_removed(callback)) is not None:
        await _ask_category(message, state)


async def _ask_category(message: Message, state: FSMContext) -> None:
    await state.set_state(Oral.category)
    await message.answer(_("What is the appeal about?"), reply_markup=oral_ui.categories_markup())


async def category_chosen(callback: CallbackQuery, callback_data: OralCb, state: FSMContext) -> None:
    country = (await state.get_data())["country"]
    await intake.category_chosen(callback, state, callback_data.value, country, Oral.kind, _ask_text)


async def kind_chosen(callback: CallbackQuery, callback_data: KindCb, state: FSMContext) -> None:
    country = (await state.get_data())["country"]
    await intake.kind_chosen(callback, state, callback_data.code, country, _ask_text)


async def _ask_text(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Oral.text)
    await edit_card(
        callback,
        _("Write down the essence of the appeal in the applicant's words, up to {limit} characters.").format(
            limit=TEXT_LIMIT
        ),
    )


async def text_sent(message: Message, state: FSMContext) -> None:
    typed = await intake.text_of(
        message,
        _("Please write the essence in words first; you can add photos next."),
        _("The text is too long: {length} characters, the limit is {limit}."),
    )
    if typed is None:
        return
    content, text = typed
    await state.update_data(text=text, source=asdict(content))
    await state.set_state(Oral.attachments)
    await message.answer(
        _("Add photos or documents the applicant gave (up to {limit}), or press Next.").format(limit=ATTACHMENT_LIMIT),
        reply_markup=oral_ui.next_markup(),
    )


async def attachment_sent(message: Message, state: FSMContext) -> None:
    content = content_of(message)
    data = await state.get_data()
    if content is None or content.kind == "text":
        await message.answer(texts.cannot_pass_on(), reply_markup=oral_ui.next_markup())
        return
    if await intake.has_room(message, data):
        await intake.attach(message, state, data, content, oral_ui.next_markup())


async def attachments_done(callback: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(Oral.confirm)
    await edit_card(
        callback,
        oral_ui.summary(
            building=data["building"],
            channel_code=data["channel"],
            applicant=data["name"],
            contact=data.get("contact"),
            flat=data.get("flat"),
            registered=data.get("resident_name"),
            category=data["category"],
            kind=data.get("kind"),
            text=data["text"],
            attachments=intake.media_count(data),
        ),
        oral_ui.confirm_markup(),
    )


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The oral appeal was not recorded."))


def _draft(data: dict[str, Any]) -> OralDraft:
    return OralDraft(
        key=data["key"],
        building_id=data["building_id"],
        channel=data["channel"],
        applicant_name=data["name"],
        contact=data.get("contact"),
        flat=data.get("flat"),
        resident_id=data.get("resident_id"),
        category=Category(data["category"]),
        kind=data.get("kind"),
        text=data["text"],
        source=Content(**data["source"]),
        attachments=[Content(**item) for item in data["attachments"]],
    )


async def record(
    callback: CallbackQuery,
    data: dict[str, Any],
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    courier: Courier,
    i18n: I18n,
) -> None:
    submitted = await oral.record(session, clock, policy(settings), actor, _draft(data))
    await end_dialog(state)
    appeal = submitted.appeal
    if not submitted.created:
        await edit_card(callback, _("This appeal was already recorded as №{number}.").format(number=appeal.number))
        return
    receipt = oral_ui.receipt_of(appeal, actor.inspector, actor.user.first_name if actor.user else "")
    await edit_card(callback, oral_ui.receipt_text(receipt))
    if isinstance(callback.message, Message):
        pdf = await asyncio.to_thread(oral_ui.receipt_pdf, receipt)  # the gettext locale goes along
        await callback.message.answer_document(
            BufferedInputFile(pdf, filename=oral_ui.filename(appeal.number)),
            caption=_("The receipt to print or send to the applicant."),
        )
    if appeal.resident_id is not None:
        known = await people.reading_locales(session, [appeal.resident_id], default_country=settings.country)
        language = known.get(appeal.resident_id, settings.default_locale)
        with i18n.use_locale(language):
            text, pdf = oral_ui.to_resident(receipt), await asyncio.to_thread(oral_ui.receipt_pdf, receipt)
        await oral.send_receipt(session, clock, appeal.resident_id, text, pdf, oral_ui.filename(appeal.number))
        if isinstance(callback.message, Message):
            await callback.message.answer(_("The resident gets the receipt in their chat with the bot."))
    await courier.deliver_card(appeal)
