"""The update queue behind getUpdates: offsets, limits, long polling, allowed_updates."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from .errors import ApiError

MAX_LIMIT = 100
# What Telegram delivers when allowed_updates was never set or set to []: all but these.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed: list[str] | None = None
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._pollers = itertools.count(1)
        self._current_poller = 0
        self._closed = False
        self._again: list[dict[str, Any]] = []
        self.last_id = 0

    def continue_after(self, update_id: int) -> None:
        """Ids go on after this one (an emulator restored from disk): Telegram never gives an id twice."""
        self.last_id = update_id
        self._ids = itertools.count(update_id + 1)

    def push(self, update: dict[str, Any]) -> int:
        update["update_id"] = self.last_id = next(self._ids)
        self.pending.append(update)
        self._wake()
        return update["update_id"]

    def redeliver(self, update: dict[str, Any]) -> None:
        """The same update again, id and all, as after a webhook timeout or a poller that died unconfirmed."""
        self._again.append(update)
        self._wake()

    def drop_all(self) -> None:
        self.pending.clear()

    def close(self) -> None:
        """Answer every waiting getUpdates now, so the server can shut down."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def get(self, offset: int, limit: int, timeout: float, allowed: list[str] | None) -> list[dict[str, Any]]:
        if allowed is not None:
            self.allowed = allowed  # Telegram remembers it for later calls without it
        self._confirm(offset)
        poller = self._current_poller = next(self._pollers)
        self._wake()  # a request still waiting is answered 409, as Telegram does
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if poller != self._current_poller:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            if self._again:
                again, self._again = self._again, []
                return again
            self.pending = [u for u in self.pending if self._wanted(update_type(u))]
            if self.pending or self._closed:
                return self.pending[: max(1, min(limit, MAX_LIMIT))]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # the last -offset updates, forgetting all before
            del self.pending[: max(0, len(self.pending) + offset)]
        elif offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def _wanted(self, kind: str) -> bool:
        """Telegram never creates updates of types the bot did not ask for."""
        if self.allowed:
            return kind in self.allowed
        return kind not in NOT_DELIVERED_BY_DEFAULT
