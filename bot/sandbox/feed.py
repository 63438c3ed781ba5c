"""What the page shows, as a numbered list of events: the emulator's calls and people's messages, turned into
"this message appeared or changed", "this one went", a pin, a toast, a reply keyboard, a red violation.

Every event keeps its number for the whole sandbox session, so a page that reconnects asks for what came after
the last one it saw (Last-Event-ID) and loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.emulator import Call, FakeTelegram

Event = dict[str, Any]
# Calls the log column leaves out: the bot's own bookkeeping, not something a person would see.
_QUIET = frozenset({"getUpdates", "getMe", "deleteWebhook", "setMyCommands", "deleteMyCommands", "getMyCommands"})


class Feed:
    def __init__(self, fake: FakeTelegram, events: list[Event] | None = None) -> None:
        self.fake = fake
        self.events: list[Event] = events or []
        # Who pressed which button in which chat: answerCallbackQuery names only the query.
        self.queries: dict[str, tuple[int, int]] = {}
        self.closing = False
        self._changed = asyncio.Event()
        self._violations = len(fake.schema_violations)
        fake.watchers.append(self._watch)

    def add(self, event: Event) -> None:
        event["id"] = len(self.events) + 1
        self.events.append(event)
        self._changed.set()
        self._changed = asyncio.Event()

    def after(self, last_id: int) -> list[Event]:
        return self.events[max(0, last_id) :]

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def close(self) -> None:
        self.closing = True
        self._changed.set()

    # --- the emulator's side --------------------------------------------------------------

    def _watch(self, kind: str, subject: Any) -> None:
        if kind == "message":
            self.add({"type": "message", "chat": subject["chat"]["id"], "message": subject})
        elif kind == "call":
            self._call(subject)

    def _call(self, call: Call) -> None:
        violations = self.fake.schema_violations[self._violations :]
        self._violations = len(self.fake.schema_violations)
        for detail in violations:
            self.add({"type": "violation", "method": call.method, "description": detail})
        if call.method in _QUIET and call.response.get("ok"):
            return
        chat_id = _chat_id(call.params.get("chat_id"))
        ok = bool(call.response.get("ok"))
        self.add(
            {
                "type": "call",
                "method": call.method,
                "chat": chat_id,
                "ok": ok,
                "description": "" if ok else call.response.get("description", ""),
            }
        )
        if ok:
            self._result(call, chat_id)

    def _result(self, call: Call, chat_id: int | None) -> None:
        result = call.response.get("result")
        for message in result if isinstance(result, list) else [result]:
            if isinstance(message, dict) and "message_id" in message and chat_id is not None:
                self._message(chat_id, message["message_id"])
        markup = call.params.get("reply_markup")
        if chat_id is not None and isinstance(markup, dict) and ({"keyboard", "remove_keyboard"} & markup.keys()):
            self.add({"type": "keyboard", "chat": chat_id, "markup": markup if "keyboard" in markup else None})
        params = call.params
        if call.method == "deleteMessage":
            self.add({"type": "delete", "chat": chat_id, "message_id": params["message_id"]})
        elif call.method in ("pinChatMessage", "unpinChatMessage") and chat_id is not None:
            pinned = self.fake.world.chats[chat_id].pinned
            self.add({"type": "pins", "chat": chat_id, "pinned": list(pinned)})
        elif call.method == "setMessageReaction":
            emoji = [r.get("emoji", "") for r in params.get("reaction") or []]
            self.add({"type": "reaction", "chat": chat_id, "message_id": params["message_id"], "emoji": emoji})
        elif call.method == "answerCallbackQuery" and params.get("text"):
            where = self.queries.get(params["callback_query_id"])
            if where is not None:
                self.add(
                    {
                        "type": "toast",
                        "chat": where[0],
                        "user": where[1],
                        "text": params["text"],
                        "alert": bool(params.get("show_alert")),
                    }
                )

    def _message(self, chat_id: int, message_id: int) -> None:
        """The message as the chat shows it now (a copy's result names only its id)."""
        chat = self.fake.world.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat is not None else None
        if message is not None:
            self.add({"type": "message", "chat": chat_id, "message": message})


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
