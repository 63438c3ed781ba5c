"""What the fake answers to each Bot API method a bot uses; others answer true."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .validate import formatted
from .world import ENVELOPE_KEYS, PRIVATE, Chat, StoredFile

if TYPE_CHECKING:
    from .server import FakeTelegram

Params = dict[str, Any]
Handler = Callable[["FakeTelegram", Params], Any]
HANDLERS: dict[str, Handler] = {}

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a previous content and reply markup of a message"
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_MEDIA_GROUP_SIZE = range(2, 11)
_CALLBACK_ANSWER_LIMIT = 200


def handles(*methods: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for method in methods:
            HANDLERS[method] = handler
        return handler

    return register


# --- sending ----------------------------------------------------------------------------


def deliver(fake: FakeTelegram, chat: Chat, params: Params, **content: Any) -> dict[str, Any]:
    """Store a bot message in chat as Telegram would return it, and record the delivery."""
    for key in ("entities", "caption_entities"):
        content[key] = fake.world.with_users(content.get(key) or []) or None
    message = fake.world.new_message(
        chat,
        fake.bot_user,
        reply_to_message=_replied(fake, chat, params.get("reply_parameters")),
        reply_markup=_shown_markup(params.get("reply_markup")),
        **content,
    )
    fake.sent.setdefault(chat.id, []).append(copy.deepcopy(message))
    return message


def _shown_markup(markup: Any) -> dict[str, Any] | None:
    """A Message carries only inline keyboards; reply keyboards live in the client."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _replied(fake: FakeTelegram, chat: Chat, reply: Params | None) -> dict[str, Any] | None:
    if not reply:
        return None
    source = fake.world.chat(reply["chat_id"]) if "chat_id" in reply else chat
    message = source.messages.get(reply["message_id"])
    if message is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _text(params: Params) -> dict[str, Any]:
    text, entities = formatted(params["text"], params.get("parse_mode"), params.get("entities"))
    return {"text": text, "entities": entities}


def _caption(params: Params) -> dict[str, Any]:
    if "caption" not in params:
        return {}
    caption, entities = formatted(params["caption"], params.get("parse_mode"), params.get("caption_entities"))
    return {"caption": caption or None, "caption_entities": entities}


def _media(kind: str, stored: StoredFile, params: Params) -> dict[str, Any]:
    """The media object of a message; sizes and durations are plausible, not measured."""
    base = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if kind == "photo":
        return {"photo": [{**base, "width": 1280, "height": 960}]}
    if kind == "document":
        return {"document": {**base, "file_name": stored.file_name}}
    duration = {"duration": params.get("duration", 1)}
    if kind == "video":
        size = {"width": params.get("width", 1280), "height": params.get("height", 720)}
        return {"video": {**base, **size, **duration}}
    return {kind: {**base, **duration}}  # voice, audio


@handles("sendMessage")
def send_message(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    return deliver(fake, chat, params, **_text(params))


@handles("sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendAudio")
def send_media(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    kind = next(k for k in ("photo", "document", "voice", "video", "audio") if k in params)
    stored = fake.world.files.resolve(params[kind], params)
    return deliver(fake, chat, params, **_media(kind, stored, params), **_caption(params))


@handles("sendMediaGroup")
def send_media_group(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    if len(params["media"]) not in _MEDIA_GROUP_SIZE:
        raise bad_request("media group must include 2-10 items")
    group_id = str(uuid.uuid4().int)[:18]
    messages = []
    for item in params["media"]:
        stored = fake.world.files.resolve(item["media"], params)
        content = {**_media(item["type"], stored, item), **_caption(item)}
        messages.append(deliver(fake, chat, params, media_group_id=group_id, **content))
    return messages


@handles("sendLocation")
def send_location(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    location = {"latitude": params["latitude"], "longitude": params["longitude"]}
    return deliver(fake, chat, params, location=location)


def _source(fake: FakeTelegram, params: Params, action: str) -> dict[str, Any]:
    chat = fake.world.chat(params["from_chat_id"])
    return fake.world.message(chat, params["message_id"], f"message to {action} not found")


def _content(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key not in ENVELOPE_KEYS}


@handles("copyMessage")
def copy_message(fake: FakeTelegram, params: Params) -> Any:
    source = _source(fake, params, "copy")
    chat = fake.world.chat_for_sending(params["chat_id"])
    content = {**_content(source), **_caption(params)}
    return {"message_id": deliver(fake, chat, params, **content)["message_id"]}


@handles("forwardMessage")
def forward_message(fake: FakeTelegram, params: Params) -> Any:
    source = _source(fake, params, "forward")
    chat = fake.world.chat_for_sending(params["chat_id"])
    origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
    return deliver(fake, chat, {}, forward_origin=origin, **_content(source))


@handles("sendChatAction")
def send_chat_action(fake: FakeTelegram, params: Params) -> Any:
    fake.world.chat_for_sending(params["chat_id"])
    return True


# --- editing and deleting ---------------------------------------------------------------


def _message_to_edit(fake: FakeTelegram, params: Params) -> tuple[Chat, dict[str, Any]] | None:
    """The bot message an edit targets; None for inline messages, which the fake does not keep."""
    if "inline_message_id" in params:
        return None
    if "chat_id" not in params or "message_id" not in params:
        raise bad_request("message identifier is not specified")
    chat = fake.world.chat_for_sending(params["chat_id"])
    message = fake.world.message(chat, params["message_id"], "message to edit not found")
    if message["from"]["id"] != fake.bot_user["id"]:
        raise bad_request("message can't be edited")
    return chat, message


def _edit(fake: FakeTelegram, target: tuple[Chat, dict[str, Any]], params: Params, changes: Params) -> dict[str, Any]:
    chat, message = target
    # Telegram drops the inline keyboard of an edit that does not repeat it.
    changes["reply_markup"] = _shown_markup(params.get("reply_markup"))
    for key in ("entities", "caption_entities"):
        if key in changes:
            changes[key] = fake.world.with_users(changes[key] or []) or None
    edited = {key: value for key, value in {**message, **changes}.items() if value is not None}
    if _without_edit_date(edited) == _without_edit_date(message):
        raise bad_request(NOT_MODIFIED)
    edited["edit_date"] = fake.world.now()
    chat.messages[message["message_id"]] = edited
    return edited


def _without_edit_date(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "edit_date"}


@handles("editMessageText")
def edit_message_text(fake: FakeTelegram, params: Params) -> Any:
    target = _message_to_edit(fake, params)
    if target is None:
        return True
    if "text" not in target[1]:
        raise bad_request("there is no text in the message to edit")
    return _edit(fake, target, params, _text(params))


@handles("editMessageCaption")
def edit_message_caption(fake: FakeTelegram, params: Params) -> Any:
    target = _message_to_edit(fake, params)
    if target is None:
        return True
    if "text" in target[1]:
        raise bad_request("there is no caption in the message to edit")
    changes = _caption(params) or {"caption": None, "caption_entities": None}
    return _edit(fake, target, params, changes)


@handles("editMessageReplyMarkup")
def edit_message_reply_markup(fake: FakeTelegram, params: Params) -> Any:
    target = _message_to_edit(fake, params)
    return True if target is None else _edit(fake, target, params, {})


@handles("deleteMessage")
def delete_message(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat(params["chat_id"])
    message = fake.world.message(chat, params["message_id"], "message to delete not found")
    others = message["from"]["id"] != fake.bot_user["id"]
    if others and chat.type != PRIVATE and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    del chat.messages[message["message_id"]]
    return True


def _require_pin_rights(chat: Chat) -> None:
    if chat.type != PRIVATE and chat.bot_status != "administrator":
        raise bad_request("not enough rights to manage pinned messages in the chat")


@handles("pinChatMessage")
def pin_chat_message(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    _require_pin_rights(chat)
    fake.world.message(chat, params["message_id"], "message to pin not found")
    chat.pinned.append(params["message_id"])
    return True


@handles("unpinChatMessage")
def unpin_chat_message(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat_for_sending(params["chat_id"])
    _require_pin_rights(chat)
    message_id = params.get("message_id", chat.pinned[-1] if chat.pinned else None)
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


# --- callbacks and commands -------------------------------------------------------------


@handles("answerCallbackQuery")
def answer_callback_query(fake: FakeTelegram, params: Params) -> Any:
    query_id = params["callback_query_id"]
    if query_id not in fake.open_callback_queries:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(params.get("text", "")) > _CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    fake.open_callback_queries.remove(query_id)
    fake.callback_answers[query_id] = params
    return True


def _commands_key(fake: FakeTelegram, params: Params) -> tuple[str, int | str | None, str]:
    scope = params.get("scope") or {"type": "default"}
    chat_id = scope.get("chat_id")
    if chat_id is not None:
        fake.world.chat(chat_id)
    return scope["type"], chat_id, params.get("language_code", "")


@handles("setMyCommands")
def set_my_commands(fake: FakeTelegram, params: Params) -> Any:
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not _COMMAND.fullmatch(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    fake.commands[_commands_key(fake, params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@handles("getMyCommands")
def get_my_commands(fake: FakeTelegram, params: Params) -> Any:
    return fake.commands.get(_commands_key(fake, params), [])


@handles("deleteMyCommands")
def delete_my_commands(fake: FakeTelegram, params: Params) -> Any:
    fake.commands.pop(_commands_key(fake, params), None)
    return True


# --- chats ------------------------------------------------------------------------------


@handles("getChat")
def get_chat(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat(params["chat_id"])
    return fake.world.filled("ChatFullInfo", chat.as_dict())


@handles("getChatMember")
def get_chat_member(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat(params["chat_id"])
    user = fake.world.user(params["user_id"])
    return fake.world.chat_member(fake.world.member_status(chat, user["id"]), user)


@handles("getChatAdministrators")
def get_chat_administrators(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat(params["chat_id"])
    if chat.type == PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    candidates = [chat.creator_id, *chat.member_statuses, fake.bot_user["id"]]
    admins = []
    for user_id in dict.fromkeys(c for c in candidates if c is not None):
        status = fake.world.member_status(chat, user_id)
        if status in ("creator", "administrator"):
            admins.append(fake.world.chat_member(status, fake.world.user(user_id)))
    return admins


@handles("leaveChat")
def leave_chat(fake: FakeTelegram, params: Params) -> Any:
    chat = fake.world.chat(params["chat_id"])
    if chat.type == PRIVATE:
        raise bad_request("chat member status can't be changed in private chats")
    fake.my_chat_member_update(chat.id, fake.bot_user["id"], "left")
    return True


# --- the bot itself, updates, files -----------------------------------------------------


@handles("getMe")
def get_me(fake: FakeTelegram, params: Params) -> Any:
    return {
        **fake.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not fake.privacy_mode,
        "supports_inline_queries": False,
    }


@handles("getUpdates")
async def get_updates(fake: FakeTelegram, params: Params) -> Any:
    if fake.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    return await fake.queue.get(
        offset=params.get("offset", 0),
        limit=params.get("limit", 100),
        timeout=params.get("timeout", 0),
        allowed=params.get("allowed_updates"),
    )


def _drop_pending(fake: FakeTelegram, params: Params) -> None:
    if params.get("drop_pending_updates"):
        fake.queue.drop_all()
        fake.dropped_pending_updates = True


@handles("deleteWebhook")
def delete_webhook(fake: FakeTelegram, params: Params) -> Any:
    fake.webhook_url = ""
    _drop_pending(fake, params)
    return True


@handles("setWebhook")
def set_webhook(fake: FakeTelegram, params: Params) -> Any:
    fake.webhook_url = params["url"]
    _drop_pending(fake, params)
    return True


@handles("getWebhookInfo")
def get_webhook_info(fake: FakeTelegram, params: Params) -> Any:
    return {
        "url": fake.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(fake.queue.pending),
    }


@handles("getFile")
def get_file(fake: FakeTelegram, params: Params) -> Any:
    stored = fake.world.files.by_id.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
