"""/notice: an inspector's notice to building chats — the message → the buildings → a preview → Send."""

from __future__ import annotations

import logging
import uuid
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import buildings, notices, parts
from bot.services.errors import NotAllowed
from bot.services.notices import Draft, NoChats
from bot.services.people import Actor
from bot.ui import notices as notice_cards
from bot.ui.callbacks import NoticeAction, NoticeCb, PickCb
from bot.ui.keyboards import Keyboard
from handlers import picker
from handlers.dialogs import NOT_A_COMMAND, edit_card, end_dialog, read, still_open
from handlers.loading import loads
from handlers.picker import Picked
from handlers.refusing import Refusal, Shown, flag, refuse

log = logging.getLogger(__name__)

DIALOG = "notice"


class Compose(StatesGroup):
    content = State()
    buildings = State()
    preview = State()


class NoticeData(Picked, total=False):
    key: str  # the notice's key: a second Send does not send it twice
    text: str  # Telegram HTML, the author's formatting kept
    title: str
    media_kind: str | None
    file_id: str | None
    album: str | None  # the media group the content came in: its other parts are not the notice
    album_told: bool
    editing: bool


# A building the actor may not address (a forged button, or one reassigned meanwhile): recorded, the dialog ends.
REFUSED = Refusal(
    lambda: _("You can send notices only to your own buildings. Nothing was sent."),
    audit="notice_refused",
    ends_dialog=True,
    shown=Shown.CARD,
)


def create_router() -> Router:
    router = Router(name="notice")
    router.message.register(start, Command("notice"))
    router.message.register(content_sent, Compose.content, NOT_A_COMMAND)
    router.message.register(use_buttons, StateFilter(Compose.buildings, Compose.preview), NOT_A_COMMAND)
    router.callback_query.register(building_pressed, Compose.buildings, PickCb.filter(F.dialog == DIALOG))
    router.callback_query.register(
        send,
        Compose.preview,
        NoticeCb.filter(F.action == NoticeAction.SEND),
        flags=flag(REFUSED) | loads("data", still_open(NoticeData, "key")),
    )
    router.callback_query.register(edit, Compose.preview, NoticeCb.filter(F.action == NoticeAction.EDIT))
    router.callback_query.register(rechoose, Compose.preview, NoticeCb.filter(F.action == NoticeAction.BUILDINGS))
    router.callback_query.register(cancel, Compose.preview, NoticeCb.filter(F.action == NoticeAction.CANCEL))
    return router


def _ask_for_content() -> str:
    return _(
        "Send the notice: a text, or a photo, a document or a video with a caption. "
        "Your bold, italics and links are kept.\n(/cancel to stop)"
    )


async def start(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await end_dialog(state)
    if not await _has_buildings(message, session, actor):
        return
    await state.set_state(Compose.content)
    await state.update_data(key=str(uuid.uuid4()))
    args = (command.args or "").strip()
    if not args:
        await message.answer(_ask_for_content())
        return
    await state.update_data(
        text=_typed_after_command(message, args), title=notice_cards.title(args, None), media_kind=None, file_id=None
    )
    await _ask_buildings(message, state, session, actor)


async def content_sent(message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor) -> None:
    content = _content(message)
    if content is None:
        await message.answer(
            _("A notice can be a text, or a photo, a document or a video with a caption. Please send one of those.")
        )
        return
    if content["media_kind"] is None and not content["text"]:
        await message.answer(_("The notice is empty. Please send its text."))
        return
    await state.update_data(content, album=message.media_group_id, album_told=False)
    if (await read(state, NoticeData)).get("editing"):
        await state.update_data(editing=False)
        await _preview(message, state, session, clock, actor, _author_name(message))
        return
    await _ask_buildings(message, state, session, actor)


async def use_buttons(message: Message, state: FSMContext) -> None:
    data = await read(state, NoticeData)
    if message.media_group_id is not None and message.media_group_id == data.get("album"):
        # The other items of an album whose first item became the notice: say it once, not per item.
        if not data.get("album_told"):
            await state.update_data(album_told=True)
            await message.answer(_("A notice takes one photo, video or document: I kept the first one."))
        return
    await message.answer(_("Please use the buttons above, or send /cancel to stop."))


async def building_pressed(
    callback: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
) -> None:
    chosen = await picker.press(callback, callback_data, session, actor, state)
    if chosen is not None and isinstance(callback.message, Message):
        await _preview(callback.message, state, session, clock, actor, callback.from_user.full_name, picked=callback)


async def send(
    callback: CallbackQuery,
    data: NoticeData,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    i18n: I18n,
) -> None:
    render = notice_cards.in_chats(i18n, inspector=actor.inspector, name=callback.from_user.full_name)
    try:
        sent = await notices.send(session, clock, actor, _draft(data), data.get("picked_buildings", []), render)
    except NoChats:
        # The chats left between the preview and Send: show where it stands now; the dialog stays open.
        targets = await notices.reach(session, actor, data.get("picked_buildings", []))
        await edit_card(callback, notice_cards.reach(targets), _actions(can_send=bool(targets.chats)))
        return
    await end_dialog(state)
    if not sent.created:
        await edit_card(callback, _("This notice was already sent."))
        return
    await edit_card(
        callback,
        _(
            "📤 Sending to {count} chat; you will get a report when it is done.",
            "📤 Sending to {count} chats; you will get a report when it is done.",
            sent.chats,
        ).format(count=sent.chats),
    )


async def edit(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Compose.content)
    await state.update_data(editing=True)
    await edit_card(
        callback,
        _("Send the notice again as it should be; the chosen buildings stay.") + "\n" + _("(/cancel to stop)"),
    )


async def rechoose(callback: CallbackQuery, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    await edit_card(callback, _("Choose the buildings again."))
    if isinstance(callback.message, Message):
        await _ask_buildings(callback.message, state, session, actor)


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await end_dialog(state)
    await edit_card(callback, _("The notice was not sent."))


# --- steps ------------------------------------------------------------------------------------------


async def _has_buildings(message: Message, session: AsyncSession, actor: Actor) -> bool:
    if await buildings.all_managed_ids(session, actor):
        return True
    if actor.is_admin:
        await message.answer(_("No buildings yet. Add one with /add_building or import a CSV file."))
    else:
        await message.answer(
            _(
                "No buildings are assigned to you yet, so there is nobody to send a notice to. "
                "An administrator assigns them with /assign."
            )
        )
    return False


async def _ask_buildings(message: Message, state: FSMContext, session: AsyncSession, actor: Actor) -> None:
    if not await _has_buildings(message, session, actor):
        await end_dialog(state)
        return
    await state.set_state(Compose.buildings)
    await picker.ask(message, session, actor, state, DIALOG)


async def _preview(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    name: str,
    *,
    picked: CallbackQuery | None = None,
) -> None:
    """The notice as the chats will show it (in the author's language), where it goes, and Send / Edit / Cancel."""
    data = await read(state, NoticeData)
    try:
        targets = await notices.reach(session, actor, data.get("picked_buildings", []))
    except NotAllowed:
        # Reached from a message or a button alike: said in the chat.
        await refuse(REFUSED, message, actor_id=actor.telegram_id, session=session, clock=clock, state=state)
        return
    if picked is not None:
        await edit_card(picked, notice_cards.chosen(targets.buildings))
    text = notice_cards.notice(data["text"], inspector=actor.inspector, name=name)
    try:
        await _show(message, parts.message(text, media=_media(data)))
    except TelegramBadRequest as exc:
        # What Telegram will not show here it would refuse in every chat: ask for the notice again.
        await state.set_state(Compose.content)
        await state.update_data(editing=True)
        await message.answer(
            _("Telegram cannot show this notice ({error}). Please send it again.").format(error=escape(exc.message))
        )
        return
    await state.set_state(Compose.preview)
    await message.answer(
        _("☝️ This is how the chats will see it.") + "\n\n" + notice_cards.reach(targets),
        reply_markup=_actions(can_send=bool(targets.chats)),
    )


async def _show(message: Message, notice_parts: list[parts.Part]) -> None:
    """Send the parts of a message here and now, as the outbox's sender sends them to a chat."""
    for part in notice_parts:
        kind, caption = part["kind"], part.get("caption")
        if kind == "photo":
            await message.answer_photo(part["file_id"], caption=caption)
        elif kind == "video":
            await message.answer_video(part["file_id"], caption=caption)
        elif kind == "document":
            await message.answer_document(part["file_id"], caption=caption)
        else:
            await message.answer(part["text"])


def _actions(*, can_send: bool) -> InlineKeyboardMarkup:
    builder = Keyboard()
    if can_send:
        builder.button(text=_("✅ Send"), callback_data=NoticeCb(action=NoticeAction.SEND))
    builder.button(text=_("✏️ Edit"), callback_data=NoticeCb(action=NoticeAction.EDIT))
    builder.button(text=_("🏢 Other buildings"), callback_data=NoticeCb(action=NoticeAction.BUILDINGS))
    builder.button(text=_("Cancel"), callback_data=NoticeCb(action=NoticeAction.CANCEL))
    if can_send:
        builder.adjust(1, 3)
    else:
        builder.adjust(3)
    return builder.as_markup()


# --- what the author sent ---------------------------------------------------------------------------


def _content(message: Message) -> dict[str, Any] | None:
    """The notice in a message: its text as Telegram HTML (the author's formatting kept) and its file, if any."""
    kind: str | None
    file_id: str | None
    if message.text is not None:
        kind, file_id = None, None
    elif message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    elif message.video is not None:
        kind, file_id = "video", message.video.file_id
    elif message.document is not None and message.animation is None:
        kind, file_id = "document", message.document.file_id
    else:
        return None
    plain = message.text or message.caption or ""
    return {
        "text": message.html_text.strip() if plain.strip() else "",
        "title": notice_cards.title(plain, kind),
        "media_kind": kind,
        "file_id": file_id,
    }


def _typed_after_command(message: Message, args: str) -> str:
    """`/notice Water is off…`: the HTML of what follows the command, the author's formatting kept."""
    html = message.html_text
    command = (message.text or "").split(maxsplit=1)[0]
    # The command itself renders as plain text; formatting that starts inside it cannot be cut cleanly.
    if command and html.startswith(command):
        return html[len(command) :].strip()
    return escape(args)


def _author_name(message: Message) -> str:
    return message.from_user.full_name if message.from_user is not None else ""


def _media(data: NoticeData) -> parts.Media | None:
    kind = data.get("media_kind")
    return parts.Media(kind, file_id=data.get("file_id")) if kind else None


def _draft(data: NoticeData) -> Draft:
    return Draft(
        key=data["key"],
        text=data["text"],
        title=data["title"],
        media_kind=data.get("media_kind"),
        file_id=data.get("file_id"),
    )
