"""Users, chats, messages and files as Telegram keeps them, and the errors sending to them gives."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, forbidden
from .validate import Schema, Upload

PRIVATE = "private"
GROUP = "group"
SUPERGROUP = "supergroup"
# Keys of a message that describe where and when it is, not what it says: a copy drops them.
ENVELOPE_KEYS = frozenset(
    {
        "message_id",
        "date",
        "chat",
        "from",
        "reply_to_message",
        "edit_date",
        "reply_markup",
        "forward_origin",
        "media_group_id",
    }
)

# Required by aiogram 3.31's models (Bot API 10.3) but absent from the 10.1 spec.
NEWER_ADMIN_RIGHTS = ("can_send_welcome_messages",)


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    user: dict[str, Any] | None = None  # the other side of a private chat
    # The bot's own status: member, administrator, left or kicked (a blocked private chat).
    bot_status: str = "member"
    bot_kicked: bool = False  # removed by someone, as opposed to never added or left
    started: bool = True  # private chats: the user has opened the bot at least once
    migrated_to: int | None = None
    creator_id: int | None = None
    member_statuses: dict[int, str] = field(default_factory=dict)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    last_message_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == PRIVATE and self.user is not None:
            for key in ("first_name", "last_name", "username"):
                if self.user.get(key) is not None:
                    chat[key] = self.user[key]
        else:
            chat["title"] = self.title
        return chat

    @property
    def kind(self) -> str:
        """How Telegram names the chat in its errors."""
        return "supergroup chat" if self.type == SUPERGROUP else "group chat"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


class Files:
    """Everything the bot uploaded or saw, by file_id."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)
        self.last_number = 0

    def continue_after(self, number: int) -> None:
        """Numbers go on after this one (files restored from disk), so no two files share an id."""
        self.last_number = number
        self._counter = itertools.count(number + 1)

    def add(self, content: bytes, file_name: str | None, file_id: str | None = None) -> StoredFile:
        number = self.last_number = next(self._counter)
        stored = StoredFile(
            file_id=file_id or f"FILE{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"files/file_{number}_{file_name or 'blob'}",
            file_name=file_name,
            content=content,
        )
        self.by_id[stored.file_id] = stored
        return stored

    def resolve(self, value: Any, params: dict[str, Any]) -> StoredFile:
        """An InputFile or String field: an upload, attach://part, a file_id or an HTTP URL."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            return self.add(value.content, value.filename)
        if isinstance(value, str) and value in self.by_id:
            return self.by_id[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.add(b"", value.rsplit("/", 1)[-1] or None)
        raise bad_request("wrong file identifier/HTTP URL specified")


class World:
    def __init__(self, bot_user: dict[str, Any], schema: Schema) -> None:
        self.bot_user = bot_user
        self.schema = schema
        self.users: dict[int, dict[str, Any]] = {bot_user["id"]: bot_user}
        self.chats: dict[int, Chat] = {}
        self.files = Files()
        # Where message dates come from: the wall clock, or the sandbox's movable one.
        self.clock: Callable[[], float] = time.time

    def now(self) -> int:
        return int(self.clock())

    def user(self, user_id: int) -> dict[str, Any]:
        try:
            return self.users[user_id]
        except KeyError:
            raise bad_request("user not found") from None

    def chat(self, chat_id: Any) -> Chat:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def chat_for_sending(self, chat_id: Any) -> Chat:
        """The chat, or the error Telegram answers to anything sent there."""
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == PRIVATE:
            if chat.bot_status == "kicked":
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_kicked:
            raise forbidden(f"bot was kicked from the {chat.kind}")
        elif chat.bot_status in ("left", "kicked"):
            raise forbidden(f"bot is not a member of the {chat.kind}")
        return chat

    def new_message(self, chat: Chat, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat.last_message_id += 1
        message = {
            "message_id": chat.last_message_id,
            "date": self.now(),
            "chat": chat.as_dict(),
            "from": sender,
            **{key: value for key, value in content.items() if value is not None},
        }
        chat.messages[message["message_id"]] = message
        return message

    def message(self, chat: Chat, message_id: Any, missing: str) -> dict[str, Any]:
        try:
            return chat.messages[message_id]
        except (KeyError, TypeError):
            raise bad_request(missing) from None

    def with_users(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """text_mention entities carry the whole User, as Telegram returns them."""
        return [
            {**entity, "user": self.users.get(entity["user"]["id"], self._unknown(entity))}
            if entity["type"] == "text_mention"
            else entity
            for entity in entities
        ]

    @staticmethod
    def _unknown(entity: dict[str, Any]) -> dict[str, Any]:
        return {"id": entity["user"]["id"], "is_bot": False, "first_name": ""}

    def member_status(self, chat: Chat, user_id: int) -> str:
        if user_id == self.bot_user["id"]:
            return chat.bot_status
        if chat.type == PRIVATE:
            return "member" if chat.id == user_id else "left"
        if user_id == chat.creator_id:
            return "creator"
        return chat.member_statuses.get(user_id, "member")

    def chat_member(self, status: str, user: dict[str, Any]) -> dict[str, Any]:
        """A ChatMember of the subtype the status implies, required fields filled."""
        type_name = {
            "creator": "ChatMemberOwner",
            "administrator": "ChatMemberAdministrator",
            "member": "ChatMemberMember",
            "restricted": "ChatMemberRestricted",
            "left": "ChatMemberLeft",
            "kicked": "ChatMemberBanned",
        }[status]
        member = self.filled(type_name, {"status": status, "user": user})
        if status == "administrator":
            rights = [name for name in self.schema.type_fields(type_name) if name.startswith("can_")]
            member.update(dict.fromkeys([*rights, *NEWER_ADMIN_RIGHTS], True), can_be_edited=False)
        return member

    def filled(self, type_name: str, given: dict[str, Any]) -> dict[str, Any]:
        """given plus neutral values for the required fields the schema lists and it lacks."""
        result = dict(given)
        for name, spec in self.schema.type_fields(type_name).items():
            if name in result or not spec["required"]:
                continue
            kind = spec["types"][0]
            if kind.startswith("Array of "):
                result[name] = []
            elif kind in self.schema.types:
                result[name] = self.filled(kind, {})
            else:
                result[name] = {"Integer": 0, "Float": 0.0, "Boolean": False}.get(kind, "")
        return result
