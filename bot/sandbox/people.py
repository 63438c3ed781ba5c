"""The people and groups of the sandbox's world, and the acts of a person at a keyboard: write, press, share, pick."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.emulator import FakeTelegram
from bot.sandbox.handled import HandledUpdates

HANDLED_TIMEOUT = 30.0
# A picture a person sends is stored as they send it; Telegram would give sizes, the emulator says "plausible".
PHOTO_SIZE = {"width": 1280, "height": 960}


@dataclass
class Cast:
    """Who is who: the roles the page's panes start with, and every person and group in the world."""

    admin_id: int
    inspector_id: int
    people: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> {id, name, language, role}
    groups: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> {id, title}
    next_user_id: int = 5001
    next_group_id: int = -1001


class Acts:
    """A person's hands: each act becomes an update in the emulator; `handled` waits until the bot dealt with it."""

    def __init__(self, fake: FakeTelegram, app: App, cast: Cast, queries: dict[str, tuple[int, int]]) -> None:
        self.fake = fake
        self.app = app
        self.cast = cast
        self.queries = queries
        self._handled = HandledUpdates(app.dp)

    async def handled(self, update: dict[str, Any] | None) -> None:
        """The bot handled the update and what it put in the outbox went out (or the bot could not see it)."""
        if update is None:
            return
        await asyncio.wait_for(self._handled.event(update["update_id"]).wait(), HANDLED_TIMEOUT)
        self._handled.forget(update["update_id"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.app.sender.drained(), HANDLED_TIMEOUT)

    # --- the world ------------------------------------------------------------------------

    def person(self, name: str, language: str, *, role: str = "resident", user_id: int | None = None) -> int:
        if user_id is None:
            user_id = self.cast.next_user_id
            self.cast.next_user_id += 1
        self.fake.add_user(user_id, name, language_code=language)
        self.cast.people[user_id] = {"id": user_id, "name": name, "language": language, "role": role}
        return user_id

    def group(self, title: str, *, by: int) -> tuple[int, list[dict[str, Any]]]:
        """A new group someone creates and adds the bot to (the bot is told, as in Telegram)."""
        chat_id = self.cast.next_group_id
        self.cast.next_group_id -= 1
        self.fake.add_group(chat_id, title, creator_id=by, bot_status="left")
        self.cast.groups[chat_id] = {"id": chat_id, "title": title}
        return chat_id, self.fake.add_bot_to_group(chat_id, by)

    # --- acts -----------------------------------------------------------------------------

    def say(self, user_id: int, chat_id: int, text: str | None, **extra: Any) -> dict[str, Any] | None:
        self._may_write(user_id, chat_id)
        return self.fake.message_update(user_id, chat_id, text, **extra)

    def send_file(
        self, user_id: int, chat_id: int, content: bytes, file_name: str, *, photo: bool, caption: str | None
    ) -> dict[str, Any] | None:
        file_id = self.fake.add_file(content, file_name)
        stored = self.fake.world.files.by_id[file_id]
        base = {"file_id": file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size}
        media: dict[str, Any] = (
            {"photo": [{**base, **PHOTO_SIZE}]} if photo else {"document": {**base, "file_name": file_name}}
        )
        return self.say(user_id, chat_id, None, caption=caption or None, **media)

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        message = self.fake.world.chats[chat_id].messages.get(message_id)
        if message is None:
            raise ValueError("the message is gone")
        update = self.fake.callback_update(user_id, message, data)
        self.queries[update["callback_query"]["id"]] = (chat_id, user_id)
        return update

    def press_newest(self, user_id: int, chat_id: int, data: str, label: str = "") -> dict[str, Any]:
        """Press the newest button whose callback data starts with `data` and whose label holds `label` (the seed's
        way: data is the same in every language)."""
        for message in reversed(list(self.fake.world.chats[chat_id].messages.values())):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in (b for row in rows for b in row):
                if str(button.get("callback_data", "")).startswith(data) and label in button["text"]:
                    return self.press(user_id, chat_id, message["message_id"], button["callback_data"])
        raise ValueError(f"no button {data!r} {label!r} in chat {chat_id}")

    def share(
        self, user_id: int, kind: str, request_id: int = 0, shared_id: int | None = None
    ) -> dict[str, Any] | None:
        """A reply keyboard's request button: one's phone number, one's location, or a person picked."""
        user = self.fake.world.users[user_id]
        if kind == "contact":
            phone = f"+7 700 {user_id % 1000:03d} {user_id % 100:02d} {user_id % 97:02d}"
            contact = {"phone_number": phone, "first_name": user["first_name"], "user_id": user_id}
            return self.say(user_id, user_id, None, contact=contact)
        if kind == "location":
            return self.say(user_id, user_id, None, location={"latitude": 43.2389, "longitude": 76.8897})
        if kind == "users" and shared_id is not None:
            picked = self.fake.world.users[shared_id]
            shared = {"user_id": shared_id, "first_name": picked["first_name"]}
            return self.say(user_id, user_id, None, users_shared={"request_id": request_id, "users": [shared]})
        raise ValueError(f"nothing to share as {kind!r}")

    def _may_write(self, user_id: int, chat_id: int) -> None:
        if user_id not in self.cast.people:
            raise ValueError("unknown person")
        if chat_id > 0 and chat_id != user_id:
            raise ValueError("a person writes only in their own private chat with the bot")
        if chat_id not in self.fake.world.chats:
            raise ValueError("unknown chat")
