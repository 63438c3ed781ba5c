"""The page's server: the page itself, its live feed (server-sent events) and what a person does on it."""

from __future__ import annotations

import contextlib
import json
import mimetypes
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import seed

if TYPE_CHECKING:
    from bot.sandbox.run import Sandbox

STATIC = resources.files("bot.sandbox") / "static"
KEEPALIVE = 15.0
MAX_UPLOAD = 20 * 1024 * 1024
LANGUAGES = ("ru", "kk", "uz", "en")
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox")


def make_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD, middlewares=[_headers, _refusals])
    app[SANDBOX] = sandbox
    app.router.add_get("/", _page)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/events", _events)
    app.router.add_get("/file/{file_id}", _file)
    app.router.add_post("/api/send", _send)
    app.router.add_post("/api/press", _press)
    app.router.add_post("/api/start", _start)
    app.router.add_post("/api/share", _share)
    app.router.add_post("/api/people", _add_person)
    app.router.add_post("/api/groups", _add_group)
    app.router.add_post("/api/clock", _clock)
    app.on_shutdown.append(_close_streams)
    return app


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.update(_HEADERS)
    return response


@web.middleware
async def _refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A person's act the world cannot take (a gone message, a button not there) is answered, not a crash."""
    try:
        return await handler(request)
    except (ValueError, KeyError) as exc:
        return web.json_response({"ok": False, "error": str(exc)}, status=400)


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX]


async def _page(request: web.Request) -> web.StreamResponse:
    return web.Response(body=(STATIC / "index.html").read_bytes(), content_type="text/html", charset="utf-8")


async def _static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in ("app.js", "style.css"):
        raise web.HTTPNotFound()
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    return web.Response(body=(STATIC / name).read_bytes(), content_type=kind, charset="utf-8")


async def _state(request: web.Request) -> web.StreamResponse:
    sandbox = _sandbox(request)
    cast = sandbox.cast
    return web.json_response(
        {
            "bot": sandbox.fake.bot_user,
            "admin": cast.admin_id,
            "inspector": cast.inspector_id,
            "zone": seed.ALMATY,
            "languages": LANGUAGES,
            "people": list(cast.people.values()),
            "groups": list(cast.groups.values()),
            "now": sandbox.clock.now().isoformat(),
        }
    )


async def _events(request: web.Request) -> web.StreamResponse:
    """Server-sent events from the one after Last-Event-ID (EventSource sends it when it reconnects)."""
    feed = _sandbox(request).feed
    last = _int(request.headers.get("Last-Event-ID") or request.query.get("after") or 0)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):  # the page went away: nothing to tell it
        while not feed.closing:
            events = feed.after(last)
            for event in events:
                data = json.dumps(event, ensure_ascii=False)
                await response.write(f"id: {event['id']}\ndata: {data}\n\n".encode())
            if events:
                last = events[-1]["id"]
            else:
                await response.write(b": still here\n\n")
            await feed.wait(KEEPALIVE)
    return response


async def _close_streams(app: web.Application) -> None:
    app[SANDBOX].feed.close()


async def _file(request: web.Request) -> web.StreamResponse:
    stored = _sandbox(request).fake.world.files.by_id.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    name = stored.file_name or "file"
    kind = _kind(stored.content, name)
    disposition = "inline" if kind.startswith("image/") else "attachment"
    return web.Response(
        body=stored.content,
        content_type=kind,
        headers={"Content-Disposition": f'{disposition}; filename="{_ascii(name)}"'},
    )


def _kind(content: bytes, name: str) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return "application/octet-stream" if guessed.startswith("text/html") else guessed


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


async def _send(request: web.Request) -> web.StreamResponse:
    """A message from the composer: text, maybe replying to one, maybe with a picked file (multipart)."""
    acts = _sandbox(request).acts
    form = await request.post()
    user, chat = _int(form.get("user")), _int(form.get("chat"))
    text = str(form.get("text") or "").strip() or None
    reply_to = _int(form.get("reply_to")) or None
    upload = form.get("file")
    if isinstance(upload, web.FileField):
        content = upload.file.read()
        photo = (upload.content_type or "").startswith("image/") and form.get("as_document") != "1"
        update = acts.send_file(user, chat, content, upload.filename, photo=photo, caption=text)
    elif text is not None:
        update = acts.say(user, chat, text, reply_to_message_id=reply_to)
    else:
        raise ValueError("nothing to send")
    return web.json_response({"ok": True, "seen_by_bot": update is not None})


async def _press(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    _sandbox(request).acts.press(_int(body["user"]), _int(body["chat"]), _int(body["message_id"]), str(body["data"]))
    return web.json_response({"ok": True})


async def _start(request: web.Request) -> web.StreamResponse:
    """A t.me link to the bot with a start parameter: the person's app opens the bot and sends /start with it."""
    body = await request.json()
    user = _int(body["user"])
    payload = str(body.get("payload") or "")
    _sandbox(request).acts.say(user, user, f"/start {payload}".strip())
    return web.json_response({"ok": True})


async def _share(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    _sandbox(request).acts.share(
        _int(body["user"]), str(body["kind"]), _int(body.get("request_id")), _int(body.get("shared")) or None
    )
    return web.json_response({"ok": True})


async def _add_person(request: web.Request) -> web.StreamResponse:
    sandbox = _sandbox(request)
    body = await request.json()
    name = str(body.get("name") or "").strip()[:64]
    language = str(body.get("language") or "en")
    if not name or language not in LANGUAGES:
        raise ValueError("a name and one of the languages, please")
    user_id = sandbox.acts.person(name, language)
    sandbox.feed.add({"type": "person", "person": sandbox.cast.people[user_id]})
    return web.json_response({"ok": True, "id": user_id})


async def _add_group(request: web.Request) -> web.StreamResponse:
    sandbox = _sandbox(request)
    body = await request.json()
    title = str(body.get("title") or "").strip()[:128]
    by = _int(body.get("by")) or sandbox.cast.inspector_id
    if not title:
        raise ValueError("a title, please")
    chat_id, _ = sandbox.acts.group(title, by=by)
    sandbox.feed.add({"type": "group", "group": sandbox.cast.groups[chat_id]})
    return web.json_response({"ok": True, "id": chat_id})


async def _clock(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    await _sandbox(request).move_clock(str(body["to"]))
    return web.json_response({"ok": True})


def _int(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None
