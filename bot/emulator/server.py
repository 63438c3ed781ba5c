"""FakeTelegram: a Bot API server on 127.0.0.1 that behaves like Telegram for a bot's tests."""

from __future__ import annotations

import asyncio
import copy
import inspect
import itertools
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from .errors import ApiError, SchemaViolation, bad_request
from .methods import HANDLERS
from .ratelimit import RateLimiter
from .updates import UpdateQueue
from .validate import Upload, check_limits, check_schema, decode_params, load_schema
from .world import GROUP, PRIVATE, SUPERGROUP, Chat, World

MAX_UPLOAD = 50 * 1024 * 1024
# Messages in a group a bot in privacy mode still receives (besides commands and replies to it).
SERVICE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "users_shared",
        "chat_shared",
    }
)
_NOT_SENDING = frozenset({"sendChatAction"})
_ALSO_SENDING = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


@dataclass
class Call:
    """One request the bot made and what the fake answered."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any]  # {} while still being answered (a long-polling getUpdates)
    at: float  # time.monotonic() when the request arrived


@dataclass
class _Failure:
    method: str
    chat_id: int | str | None
    times: int
    error: ApiError | None
    delay: float

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and self.chat_id in (None, params.get("chat_id"))


@dataclass
class _Drop:
    method: str
    chat_id: int | str | None
    times: int
    after: bool  # the request is processed (the message delivered) before the connection drops

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and self.chat_id in (None, params.get("chat_id"))


class FakeTelegram:
    def __init__(self, token: str = "42:TEST", bot_id: int = 42, bot_username: str = "inspector_test_bot") -> None:
        self.token = token
        self.schema = load_schema()
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Inspector",
            "username": bot_username,
        }
        self.world = World(self.bot_user, self.schema)
        self.queue = UpdateQueue()

        self.requests: list[Call] = []
        self.schema_violations: list[str] = []
        self.internal_errors: list[str] = []  # tracebacks of bugs in the fake itself
        self.sent: dict[int, list[dict[str, Any]]] = {}
        self.commands: dict[tuple[str, int | str | None, str], list[dict[str, str]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.open_callback_queries: set[str] = set()
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.dropped_pending_updates = False
        self.privacy_mode = True
        self.enforce_rate_limits = False
        self.rate_limited_count = 0
        # Told of every answered call ("call", Call) and every message a person sends ("message", dict): the sandbox's
        # page follows the chats through them.
        self.watchers: list[Callable[[str, Any], None]] = []

        self._failures: list[_Failure] = []
        self._drops: list[_Drop] = []
        self.dropped: list[Call] = []  # requests whose connection the fake dropped
        self._rate_limiter = RateLimiter()
        self._callback_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self.queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # --- the world ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        started: bool = True,
    ) -> dict[str, Any]:
        """A person with a private chat with the bot; started=False: never opened the bot."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self.world.users[user_id] = user
        self.world.chats[user_id] = Chat(id=user_id, type=PRIVATE, user=user, started=started)
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        type: str = GROUP,
        creator_id: int | None = None,
        bot_status: str = "member",
    ) -> dict[str, Any]:
        """A group (or supergroup) the bot is in; bot_status="left" for one it is not in yet."""
        if type not in (GROUP, SUPERGROUP):
            raise ValueError(f"type must be group or supergroup, not {type!r}")
        chat = Chat(id=chat_id, type=type, title=title, bot_status=bot_status, creator_id=creator_id)
        self.world.chats[chat_id] = chat
        return chat.as_dict()

    def add_file(self, content: bytes, file_name: str | None = None) -> str:
        """A file Telegram knows, e.g. for a photo a user sends; returns its file_id."""
        return self.world.files.add(content, file_name).file_id

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """A person's status in a group: administrator, member, restricted, left or kicked."""
        self.world.chats[chat_id].member_statuses[user_id] = status

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """A person deletes their own message (Telegram tells the bot nothing): copying it now fails."""
        del self.world.chats[chat_id].messages[message_id]

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: sends answer 403, and Telegram tells the bot."""
        return self.my_chat_member_update(user_id, user_id, "kicked")

    def unblock(self, user_id: int) -> dict[str, Any]:
        return self.my_chat_member_update(user_id, user_id, "member")

    def kick_bot(self, chat_id: int, *, by_user_id: int | None = None) -> dict[str, Any]:
        """Someone removes the bot from a group; returns the my_chat_member update pushed."""
        chat = self.world.chats[chat_id]
        # A basic group reports a removed member as "left", a supergroup as "kicked".
        update = self.my_chat_member_update(
            chat_id, self._actor(chat, by_user_id), "kicked" if chat.type == SUPERGROUP else "left"
        )
        chat.bot_kicked = True
        return update

    def add_bot_to_group(self, chat_id: int, by_user_id: int) -> list[dict[str, Any]]:
        """Someone adds the bot: a my_chat_member update, then the new_chat_members message."""
        chat = self.world.chats[chat_id]
        chat.bot_kicked = False
        status_update = self.my_chat_member_update(chat_id, by_user_id, "member")
        message_update = self.message_update(by_user_id, chat_id, new_chat_members=[dict(self.bot_user)])
        return [status_update, *([message_update] if message_update else [])]

    def migrate_group(self, old_id: int, new_id: int, *, by_user_id: int | None = None) -> list[dict[str, Any]]:
        """The group becomes a supergroup: both service messages are pushed, as Telegram does."""
        old = self.world.chats[old_id]
        actor = self._actor(old, by_user_id)
        self.world.chats[new_id] = Chat(
            id=new_id,
            type=SUPERGROUP,
            title=old.title,
            bot_status=old.bot_status,
            creator_id=old.creator_id,
            member_statuses=dict(old.member_statuses),
        )
        updates = [
            self.message_update(actor, old_id, migrate_to_chat_id=new_id),
            self.message_update(actor, new_id, migrate_from_chat_id=old_id),
        ]
        old.migrated_to = new_id
        return [update for update in updates if update]

    def _actor(self, chat: Chat, by_user_id: int | None) -> int:
        actor = by_user_id if by_user_id is not None else chat.creator_id
        if actor is None:
            raise ValueError(f"say who does it: by_user_id (chat {chat.id} has no creator_id)")
        return actor

    # --- what the bot sent --------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Bot messages delivered to the chat, in order, as they were when sent."""
        return self.sent.get(chat_id, [])

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as a client shows it now: everyone's messages after edits and deletions."""
        chat = self.world.chats[chat_id]
        return [chat.messages[message_id] for message_id in sorted(chat.messages)]

    def calls(self, method: str) -> list[Call]:
        return [call for call in self.requests if call.method == method]

    # --- updates ------------------------------------------------------------------------

    @property
    def allowed_updates(self) -> list[str] | None:
        """The last allowed_updates the bot sent to getUpdates (None: never sent)."""
        return self.queue.allowed

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (update_id assigned here) and wake a waiting getUpdates."""
        update.pop("update_id", None)
        update["update_id"] = self.queue.push(copy.deepcopy(update))
        return update["update_id"]

    def redeliver(self, update: dict[str, Any]) -> None:
        """Send an update that was delivered before once more, with the same update_id."""
        self.queue.redeliver(copy.deepcopy(update))

    def message_update(
        self,
        from_user_id: int,
        chat_id: int,
        text: str | None = None,
        *,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> dict[str, Any] | None:
        """A person sends a message; returns the update pushed, or None if the bot can't see it.

        For text starting with "/" a bot_command entity is added unless entities are given.
        extra holds the other Message fields (photo, document, contact, users_shared...).
        In privacy mode a bot sees in groups only commands, replies to it and service messages.
        """
        chat = self.world.chats[chat_id]
        user = self.world.users[from_user_id]
        if chat.type == PRIVATE and chat.bot_status == "kicked":
            self.unblock(from_user_id)  # writing to a blocked bot means pressing "Restart"
        chat.started = True
        reply = None
        if reply_to_message_id is not None:
            reply = copy.deepcopy(chat.messages[reply_to_message_id])
            reply.pop("reply_to_message", None)
        if entities is None and text and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._remember_files(extra)
        message = self.world.new_message(
            chat, user, text=text, entities=entities or None, reply_to_message=reply, **extra
        )
        self._tell("message", message)
        if not self._bot_sees(chat, message):
            return None
        update = {"message": message}
        self.push_update(update)
        return update

    def callback_update(
        self, from_user_id: int, message: dict[str, Any], data: str, *, require_button: bool = True
    ) -> dict[str, Any]:
        """A person presses a button of a bot message (its current version is sent along).

        require_button: the message and the button must still be there, as in a real client;
        False plays a stale or modified client.
        """
        chat = self.world.chats[message["chat"]["id"]]
        current = chat.messages.get(message["message_id"])
        if current is None:
            if require_button:
                raise ValueError(f"message {message['message_id']} was deleted: nothing to press")
            current = message
        buttons = (current.get("reply_markup") or {}).get("inline_keyboard", [])
        pressable = {button.get("callback_data") for row in buttons for button in row}
        if require_button and data not in pressable:
            raise ValueError(f"message {message['message_id']} has no button with data {data!r}")
        query_id = str(next(self._callback_ids))
        self.open_callback_queries.add(query_id)
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.world.users[from_user_id],
                "message": current,
                "chat_instance": str(chat.id),
                "data": data,
            }
        }
        self.push_update(update)
        return update

    def my_chat_member_update(
        self, chat_id: int, from_user_id: int, new_status: str, *, old_status: str | None = None
    ) -> dict[str, Any]:
        """The bot's status in a chat changes (the world follows) and Telegram tells the bot."""
        chat = self.world.chats[chat_id]
        old = old_status or chat.bot_status
        chat.bot_status = new_status
        update = {
            "my_chat_member": {
                "chat": chat.as_dict(),
                "from": self.world.users[from_user_id],
                "date": self.world.now(),
                "old_chat_member": self.world.chat_member(old, self.bot_user),
                "new_chat_member": self.world.chat_member(new_status, self.bot_user),
            }
        }
        self.push_update(update)
        return update

    def _bot_sees(self, chat: Chat, message: dict[str, Any]) -> bool:
        if chat.type == PRIVATE:
            return True
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if SERVICE_KEYS & message.keys():
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot_user["id"]:
            return True
        text = message.get("text") or ""
        if not text.startswith("/"):
            return False
        _, _, addressee = text.split(maxsplit=1)[0].partition("@")
        return addressee in ("", self.bot_user["username"])

    def _remember_files(self, value: Any) -> None:
        """file_ids in what a person sends become known, so the bot can re-send them."""
        if isinstance(value, dict):
            if "file_id" in value and value["file_id"] not in self.world.files.by_id:
                self.world.files.add(b"", value.get("file_name"), file_id=value["file_id"])
            for item in value.values():
                self._remember_files(item)
        elif isinstance(value, list):
            for item in value:
                self._remember_files(item)

    # --- error injection ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        times: int = 1,
        error_code: int | None = None,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls of method (to chat_id, if given) fail or answer late.

        With neither error_code nor delay: 429 "Too Many Requests: retry after 5".
        With only delay: the call succeeds after sleeping, like a slow Telegram (the bot's
        read timeout fires, yet the message is delivered).
        """
        error: ApiError | None = None
        if error_code is not None:
            error = ApiError(error_code, description or f"Error {error_code}", parameters)
        elif not delay:
            error = ApiError(429, description or "Too Many Requests: retry after 5", parameters or {"retry_after": 5})
        self._failures.append(_Failure(method, chat_id, times, error, delay))

    def drop_connection(
        self, method: str, *, chat_id: int | str | None = None, times: int = 1, after: bool = False
    ) -> None:
        """Drop the connection of the next `times` calls of method (to chat_id, if given) with no answer.

        after=False: before the request is processed (nothing happened); after=True: once it was processed (the
        message was delivered, yet the bot never learns it) — the two cases a bot cannot tell apart.
        """
        self._drops.append(_Drop(method, chat_id, times, after))

    def _drop(self, method: str, params: dict[str, Any], *, after: bool) -> bool:
        drop = next((d for d in self._drops if d.after == after and d.matches(method, params)), None)
        if drop is None:
            return False
        drop.times -= 1
        if drop.times <= 0:
            self._drops.remove(drop)
        return True

    async def _injected(self, method: str, params: dict[str, Any]) -> None:
        failure = next((f for f in self._failures if f.matches(method, params)), None)
        if failure is None:
            return
        failure.times -= 1
        if failure.times <= 0:
            self._failures.remove(failure)
        if failure.delay:
            await asyncio.sleep(failure.delay)
        if failure.error is not None:
            raise failure.error

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        sending = method.startswith("send") and method not in _NOT_SENDING
        if not self.enforce_rate_limits or not (sending or method in _ALSO_SENDING):
            return
        chat = self.world.chats.get(params.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            return
        retry_after = self._rate_limiter.retry_after(chat.id, chat.type == PRIVATE, time.monotonic())
        if retry_after is not None:
            self.rate_limited_count += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    # --- HTTP ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        # Recorded on arrival, so a long-polling getUpdates shows up while it waits.
        call = Call(request.match_info["method"], {}, {}, time.monotonic())
        self.requests.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = self.schema.method_name(call.method)
            if method is None:
                self.schema_violations.append(f"unknown method {call.method!r}")
                raise ApiError(404, "Not Found")
            call.method = method
            call.params = params = decode_params(self.schema, method, await _read_params(request))
            check_schema(self.schema, method, params, _uploads(params))
            check_limits(method, params)
            if self._drop(method, params, after=False):
                return self._hang_up(request, call)
            await self._injected(method, params)
            self._check_rate(method, params)
            call.response = {"ok": True, "result": await self._answer(method, params)}
            if self._drop(method, params, after=True):
                return self._hang_up(request, call)
        except SchemaViolation as violation:
            self.schema_violations.append(violation.detail)
            call.response = violation.to_response()
        except ApiError as error:
            call.response = error.to_response()
        except Exception:  # a bug in the fake: it must not pass for an answer of Telegram's
            self.internal_errors.append(traceback.format_exc())
            call.response = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        self._tell("call", call)
        status = 200 if call.response["ok"] else call.response["error_code"]
        return web.json_response(call.response, status=status)

    def _hang_up(self, request: web.Request, call: Call) -> web.Response:
        """Close the connection without answering: the client sees it dropped (ServerDisconnectedError)."""
        self.dropped.append(call)
        if request.transport is not None:
            request.transport.close()
        return web.Response()

    def _tell(self, kind: str, subject: Any) -> None:
        for watcher in self.watchers:
            watcher(kind, subject)

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        handler = HANDLERS.get(method)
        if handler is None:
            return True  # schema-valid, but nothing the fake needs to model
        result = handler(self, params)
        return await result if inspect.isawaitable(result) else result

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_response(), status=401)
        path = request.match_info["path"]
        for stored in self.world.files.by_id.values():
            if stored.file_path == path:
                return web.Response(body=stored.content)
        return web.json_response(ApiError(404, "Not Found").to_response(), status=404)


def _uploads(params: dict[str, Any]) -> dict[str, Upload]:
    return {name: value for name, value in params.items() if isinstance(value, Upload)}


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON, urlencoded or multipart body, as Telegram accepts them."""
    params: dict[str, Any] = dict(request.query)
    try:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            params.update(body)
        elif request.can_read_body:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[name] = Upload(value.filename, value.file.read())
                else:
                    params[name] = value
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except (ValueError, RuntimeError, HttpProcessingError):
        raise bad_request("can't parse request body") from None
    return params
