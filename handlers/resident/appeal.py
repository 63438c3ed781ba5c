"""/appeal: category → (the law's kind, where the country has several) → text → attachments → anonymous or not → summary → send. In a group: a button to the private chat."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, TypedDict

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.courier import Courier
from bot.middlewares.emergency import URGENT_KEY
from bot.services import appeals, emergency
from bot.services.appeals import ATTACHMENT_LIMIT, TEXT_LIMIT, Content, Draft, Policy
from bot.services.errors import RateLimited
from bot.services.people import Actor
from bot.ui import texts
from bot.ui.appeals import cards as appeal_cards
from bot.ui.appeals import keyboards as appeal_keyboards
from bot.ui.appeals import terms, tips
from bot.ui.callbacks import CategoryCb, IntakeCb, IntakeStep, KindCb
from bot.ui.cards import APPEAL_PAYLOAD
from bot.ui.content import content_of
from handlers import intake
from handlers.dialogs import NOT_A_COMMAND, buttons_removed, edit_card, end_dialog, read, still_open
from handlers.loading import loads
from models import Category


class Intake(StatesGroup):
    category = State()
    kind = State()  # only where the country's law distinguishes kinds (Uzbekistan)
    text = State()
    attachments = State()
    anonymity = State()
    tip = State()  # anonymous: the country's rule, and whether it reports a crime or a threat
    confirm = State()


class IntakeData(TypedDict, total=False):
    key: str  # the appeal's key: a second Send does not file it twice
    category: str
    text: str
    source: dict[str, Any]  # the message the text came in (a Content)
    attachments: list[dict[str, Any]]
    anonymous: bool
    editing: bool
    kind: str  # the law's kind of appeal, where the building's country has kinds
    urgent: bool  # bot.middlewares.emergency.URGENT_KEY: an emergency was written during the dialog


def policy(settings: Settings) -> Policy:
    return Policy(
        first_response_hours=settings.appeal_first_response_hours,
        rate_limit=settings.appeal_rate_limit,
    )


def create_router() -> Router:
    router = Router(name="appeal-intake")
    router.message.register(start, Command("appeal"))
    router.message.register(start, CommandStart(deep_link=True, magic=F.args == APPEAL_PAYLOAD))
    router.callback_query.register(category_chosen, Intake.category, CategoryCb.filter())
    router.callback_query.register(kind_chosen, Intake.kind, KindCb.filter())
    router.message.register(text_sent, Intake.text, NOT_A_COMMAND)
    router.message.register(attachment_sent, Intake.attachments, NOT_A_COMMAND)
    router.callback_query.register(attachments_done, Intake.attachments, IntakeCb.filter(F.step == IntakeStep.NEXT))
    router.callback_query.register(
        anonymity_chosen, Intake.anonymity, IntakeCb.filter(F.step.in_({IntakeStep.NAMED, IntakeStep.ANON}))
    )
    router.callback_query.register(
        tip_chosen,
        Intake.tip,
        IntakeCb.filter(F.step.in_({IntakeStep.CRIME, IntakeStep.TIP, IntakeStep.NAMED})),
    )
    router.callback_query.register(edit_text, Intake.confirm, IntakeCb.filter(F.step == IntakeStep.EDIT))
    router.callback_query.register(cancel, Intake.confirm, IntakeCb.filter(F.step == IntakeStep.CANCEL))
    router.callback_query.register(
        send,
        Intake.confirm,
        IntakeCb.filter(F.step == IntakeStep.SEND),
        flags=loads("data", still_open(IntakeData, "key")),
    )
    return router


async def start(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> None:
    if actor.residency is None:
        await message.answer(
            _(
                "To send an appeal, register with your building first: open the link from your building's chat, "
                "or send /start and your building code."
            )
            + "\n\n"
            + texts.emergency()
        )
        return
    try:
        await appeals.check_rate(session, clock, policy(settings), actor)
    except RateLimited:
        await message.answer(_rate_limited(settings))
        return
    await end_dialog(state)
    await state.set_state(Intake.category)
    await state.update_data(key=str(uuid.uuid4()), attachments=[])
    await message.answer(
        _("What is your appeal about? Choose a category.") + "\n\n" + texts.emergency(),
        reply_markup=appeal_keyboards.categories(),
    )


def _rate_limited(settings: Settings) -> str:
    return _(
        "You have sent {count} appeals in the last hour, which is the limit. Please wait a little; "
        "you can also add to an existing appeal by replying to the inspector's message."
    ).format(count=settings.appeal_rate_limit)


async def category_chosen(callback: CallbackQuery, callback_data: CategoryCb, state: FSMContext, actor: Actor) -> None:
    country = actor.residency.building.country if actor.residency is not None else None
    await intake.category_chosen(callback, state, callback_data.code, country, Intake.kind, _ask_text)


async def kind_chosen(callback: CallbackQuery, callback_data: KindCb, state: FSMContext, actor: Actor) -> None:
    country = actor.residency.building.country if actor.residency is not None else None
    await intake.kind_chosen(callback, state, callback_data.code, country, _ask_text)


async def _ask_text(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Intake.text)
    await edit_card(
        callback,
        _("Describe what happened: where, when, who is involved. One message, up to {limit} characters.").format(
            limit=TEXT_LIMIT
        ),
    )


async def text_sent(message: Message, state: FSMContext) -> None:
    typed = await intake.text_of(
        message,
        _("Please describe the problem in words first; you can add photos and files next."),
        _("The text is too long: {length} characters, the limit is {limit}. Please shorten it and send it again."),
    )
    if typed is None:
        return
    content, text = typed
    data = await read(state, IntakeData)
    if data.get("editing"):
        # A new wording; the message that first carried the text (and its photo, if any) stays the source.
        await state.update_data(text=text, editing=False)
        await _show_summary(message, state)
        return
    await state.update_data(text=text, source=asdict(content))
    await state.set_state(Intake.attachments)
    ask = _("You can add photos, documents, a voice message or a location (up to {limit}). Press Next when done.")
    warning = document_warning() + "\n\n" if content.kind == "document" else ""
    await message.answer(warning + ask.format(limit=ATTACHMENT_LIMIT), reply_markup=appeal_keyboards.intake_next())


async def attachment_sent(message: Message, state: FSMContext) -> None:
    content = content_of(message)
    if content is None:
        await message.answer(
            _(
                "I can't attach this kind of message. Send a photo, a document, a voice message or a location, or press Next."
            ),
            reply_markup=appeal_keyboards.intake_next(),
        )
        return
    data = await read(state, IntakeData)
    if content.kind == "text":
        text = f"{data['text']}\n{content.text}"
        if len(text) > TEXT_LIMIT:
            await message.answer(_("The text would be too long with this; press Next to continue."))
            return
        await state.update_data(text=text)
        return
    if not await intake.has_room(message, data):
        return
    # The caption joins the appeal's text (shown in the summary, editable there); the file is copied without it.
    text = data["text"]
    if content.text:
        text = f"{text}\n{content.text}"
        if len(text) > TEXT_LIMIT:
            await message.answer(_("The text would be too long with this; press Next to continue."))
            return
    note = document_warning() + "\n\n" if content.kind == "document" else ""
    await intake.attach(message, state, data, content, appeal_keyboards.intake_next(), note=note, text=text)


def document_warning() -> str:
    return _(
        "⚠️ A document reaches the inspector as it is: its file name and contents too. If you send it anonymously, "
        "make sure neither names you."
    )


async def attachments_done(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Intake.anonymity)
    await edit_card(
        callback,
        _(
            "Send it with your name, or anonymously?\n\n"
            "Anonymously, the inspector will not see who you are — neither your name nor your flat — "
            "and can still answer you through the bot."
        ),
        appeal_keyboards.anonymity(),
    )


async def anonymity_chosen(
    callback: CallbackQuery, callback_data: IntakeCb, state: FSMContext, actor: Actor, settings: Settings
) -> None:
    await state.update_data(anonymous=callback_data.step == IntakeStep.ANON)
    if callback_data.step == IntakeStep.ANON:
        # The law does not consider anonymous appeals: say so before the resident sends one.
        country = actor.residency.building.country if actor.residency is not None else settings.country
        await state.set_state(Intake.tip)
        await edit_card(callback, tips.rule(country), tips.choice())
        return
    if (message := await buttons_removed(callback)) is not None:
        await _show_summary(message, state)


async def tip_chosen(callback: CallbackQuery, callback_data: IntakeCb, state: FSMContext) -> None:
    await state.update_data(anonymous=callback_data.step != IntakeStep.NAMED)
    if callback_data.step == IntakeStep.CRIME:
        await state.update_data({URGENT_KEY: True})
    if (message := await buttons_removed(callback)) is not None:
        await _show_summary(message, state)


async def _show_summary(message: Message, state: FSMContext) -> None:
    data = await read(state, IntakeData)
    await state.set_state(Intake.confirm)
    note = tips.summary_note(anonymous=data["anonymous"], urgent=bool(data.get(URGENT_KEY)))
    await message.answer(
        appeal_cards.summary(
            data["category"], data["text"], intake.media_count(data), data["anonymous"], data.get("kind")
        )
        + (f"\n\n{note}" if note else ""),
        reply_markup=appeal_keyboards.confirm_intake(),
    )


async def edit_text(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Intake.text)
    await state.update_data(editing=True)
    await edit_card(callback, _("Send the new text of your appeal:"))


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The appeal was not sent."))


def _draft(data: IntakeData) -> Draft:
    return Draft(
        key=data["key"],
        category=Category(data["category"]),
        text=data["text"],
        anonymous=data["anonymous"],
        source=Content(**data["source"]),
        attachments=[Content(**item) for item in data["attachments"]],
        kind=data.get("kind"),
    )


async def send(
    callback: CallbackQuery,
    data: IntakeData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    courier: Courier,
) -> None:
    try:
        submitted = await appeals.submit(session, clock, policy(settings), actor, _draft(data))
    except RateLimited:
        await end_dialog(state)
        await edit_card(callback, _rate_limited(settings))
        return
    await end_dialog(state)
    appeal = submitted.appeal
    if not submitted.created:
        await edit_card(callback, _("This appeal was already sent as №{number}.").format(number=appeal.number))
        return
    if data.get(URGENT_KEY):
        await emergency.mark_urgent(session, clock, appeal, actor_id=actor.telegram_id, why="resident")
    # The card's outbox row commits with the appeal, in the one transaction the reply below ends.
    await courier.deliver_card(appeal)
    if appeal.anonymous:
        await edit_card(callback, tips.registered(appeal.number, urgent=appeal.urgent))
        return
    await edit_card(callback, terms.receipt(appeal))
