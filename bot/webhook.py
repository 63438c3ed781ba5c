"""Webhook mode, bounded and durable: an update is answered only once its work is committed, and at most
MAX_CONCURRENT_UPDATES are handled at once; a health endpoint for the load balancer; a graceful stop on SIGTERM.

aiogram's own handler answers 200 at once and handles the update in a task of its own: nothing bounds those tasks,
and an update acknowledged before its work was committed is lost if the process dies. Here Telegram gets its 200
after the handler returned (the update's transaction, with its once-per-update record, committed); a busy or
stopping instance answers 503, and Telegram delivers the update again, to this instance or another.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
SLOT_WAIT_SECONDS = 5.0  # a request waits this long for a free slot before it is turned back (503)
HEALTH_TIMEOUT_SECONDS = 2.0
RETRY_AFTER = "1"


class UpdateHandler(SimpleRequestHandler):
    """Handles each update before answering, under a bound; turns updates back while it starts or stops."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, engine: AsyncEngine, *, limit: int, secret_token: str | None
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self._engine = engine
        self._slots = asyncio.Semaphore(limit)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.accepting = False  # True once the webhook is registered; False again as soon as a stop begins

    async def close(self) -> None:
        """The bot's session outlives the web server: the sender finishes its last sends with it (close_app)."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return web.Response(text="Unauthorized", status=401)
        if not self.accepting:
            return _busy("stopping")
        if self._slots.locked():  # a free slot is taken at once, without a timer and a task to wait for it
            try:
                await asyncio.wait_for(self._slots.acquire(), SLOT_WAIT_SECONDS)
            except TimeoutError:
                return _busy("busy")
        else:
            await self._slots.acquire()
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._handle_one(request)
        finally:
            self._slots.release()
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _handle_one(self, request: web.Request) -> web.Response:
        try:
            update = Update.model_validate(
                await request.json(loads=self.bot.session.json_loads), context={"bot": self.bot}
            )
        except (ValueError, ValidationError):
            return web.Response(text="not an update", status=400)
        try:
            result: Any = await self.dispatcher.feed_update(self.bot, update)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(self.bot, result)
        except (DBAPIError, PoolTimeout, OSError) as exc:
            # Nothing was committed (or no connection came in time): Telegram delivers the update again, and the
            # work is done then.
            log.warning(
                "update %s not handled (%s); Telegram will deliver it again", update.update_id, type(exc).__name__
            )
            return _busy("unavailable")
        except Exception:
            # As in polling: logged, and not redelivered (the same update would fail the same way for a day).
            log.exception("update %s failed", update.update_id)
        return web.json_response({})

    async def drained(self, timeout: float) -> bool:
        """Wait until no update is being handled (bounded); False when some were still running at the bound."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def health(self, request: web.Request) -> web.Response:
        """Ready when this instance takes updates and its database answers; the load balancer asks."""
        if not self.accepting:
            return web.Response(text="not ready: starting or stopping", status=503)
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                async with self._engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except (TimeoutError, PoolTimeout, DBAPIError, OSError) as exc:
            return web.Response(text=f"not ready: the database does not answer ({type(exc).__name__})", status=503)
        return web.Response(text="ready")


def _busy(why: str) -> web.Response:
    return web.Response(text=why, status=503, headers={"Retry-After": RETRY_AFTER})
