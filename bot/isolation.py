"""One update at a time per person and chat, within this process (the dialog locks when no other instance runs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class LocalIsolation(BaseEventIsolation):
    """aiogram's SimpleEventIsolation keeps a lock for every person and chat it ever saw; this one forgets a lock
    once nobody holds it or waits for it, so memory follows the updates in hand, not everyone who ever wrote."""

    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def held(self) -> int:
        """How many people and chats have an update in hand or waiting."""
        return len(self._locks)

    async def close(self) -> None:
        """Nothing to release: each lock goes with the last update that holds it or waits for it, however late."""
