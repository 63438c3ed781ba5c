"""Telegram's side of a webhook: each pending update is POSTed to the registered URL until a call is answered 2xx.

At most the webhook's max_connections calls are open at once; a call that fails (an error status, a connection
refused or cut) leaves the update pending, and it is tried again a little later, as Telegram does. An update is
confirmed (dropped from the queue) only by a 2xx answer.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from .updates import update_type

if TYPE_CHECKING:
    from .server import FakeTelegram

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = 0.3
IDLE_SECONDS = 0.02


class WebhookPusher:
    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self.confirmed: dict[int, float] = {}  # update_id → time.monotonic() of the 2xx
        self.delivered: dict[int, dict[str, Any]] = {}  # the confirmed updates themselves
        self.failed_calls = 0
        self._taken: set[int] = set()
        self._calls: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._loop = asyncio.create_task(self._run())

    async def stop(self) -> None:
        for task in (self._loop, *self._calls):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self._loop, *self._calls) if t is not None), return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    async def confirmed_update(self, update_id: int, timeout: float) -> None:
        """Wait until the bot answered the update's call with a 2xx."""
        async with asyncio.timeout(timeout):
            while update_id not in self.confirmed:
                await asyncio.sleep(IDLE_SECONDS)

    async def _run(self) -> None:
        while True:
            update = self._next() if self._fake.webhook_url else None
            if update is None or len(self._calls) >= self._fake.webhook_max_connections:
                await asyncio.sleep(IDLE_SECONDS)
                continue
            self._taken.add(update["update_id"])
            task = asyncio.create_task(self._call(self._fake.webhook_url, update))
            self._calls.add(task)
            task.add_done_callback(self._calls.discard)

    def _next(self) -> dict[str, Any] | None:
        queue = self._fake.queue
        for update in queue.pending:
            if update["update_id"] in self._taken:
                continue
            if queue.allowed and update_type(update) not in queue.allowed:
                continue
            return update
        return None

    async def _call(self, url: str, update: dict[str, Any]) -> None:
        assert self._http is not None
        headers = {SECRET_HEADER: self._fake.webhook_secret} if self._fake.webhook_secret else {}
        ok = False
        try:
            async with self._http.post(url, json=update, headers=headers) as response:
                await response.read()
                ok = 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError):
            pass
        if ok:
            self.confirmed[update["update_id"]] = time.monotonic()
            self.delivered[update["update_id"]] = update
            self._fake.queue.pending = [u for u in self._fake.queue.pending if u["update_id"] != update["update_id"]]
            self._taken.discard(update["update_id"])
            return
        self.failed_calls += 1
        try:
            await asyncio.sleep(RETRY_SECONDS)
        finally:
            self._taken.discard(update["update_id"])
