"""Telegram's flood limits, kept on our side: in all, per group, per private chat.

Sliding windows rather than a smooth rate: Telegram counts what arrived within a window, so the only safe
promise is "at most N within any window". Each window is a little longer than Telegram's, because requests
started on time may arrive a few milliseconds apart from when they were started.

Within the overall window, messages are also spread out, one every window/N seconds, rather than let go as a
burst of N each time the window slides: a burst reaches Telegram's counter spread over the time it takes to take
them all in, and the next burst, sent on time, then lands partly within the same second (a 429).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

MARGIN = 0.05  # seconds added to every window
FORGET_AT = 4096  # chats remembered before the idle ones are forgotten
LATE = 0.01  # a turn taken up to this late (the event loop's usual lateness) does not move the next one


@dataclass
class Window:
    limit: int
    seconds: float
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more fits; 0 when it fits now."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.seconds - now


@dataclass
class Limits:
    per_second: int  # in all
    per_group_minute: int
    per_private_second: int


class Pace:
    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._monotonic = monotonic
        self._everywhere = Window(limits.per_second, 1.0 + MARGIN)
        self._gap = self._everywhere.seconds / limits.per_second
        self._next = 0.0  # the moment the next message's turn comes, overall
        self._chats: dict[int, Window] = {}

    def global_wait(self) -> float:
        now = self._monotonic()
        return max(self._everywhere.wait(now), self._next - now)

    def chat_wait(self, chat_id: int) -> float:
        window = self._chats.get(chat_id)
        return window.wait(self._monotonic()) if window is not None else 0.0

    def take(self, chat_id: int) -> None:
        """Count one message to the chat, now."""
        now = self._monotonic()
        self._everywhere.times.append(now)
        # Turns follow each other by the gap. One taken more than LATE after it came (a stalled process) moves the
        # next one back: the message may have been held up between its turn and its request, and the ones after it
        # must not catch up with it.
        self._next = (self._next if now - self._next <= LATE else now) + self._gap
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) >= FORGET_AT:
                self._forget_idle(now)
            window = self._chats[chat_id] = self._window_for(chat_id)
        window.times.append(now)

    def _forget_idle(self, now: float) -> None:
        """Drop the windows of chats with nothing left in them, so a broadcast to every chat does not stay in memory."""
        for chat_id, window in list(self._chats.items()):
            window.wait(now)
            if not window.times:
                del self._chats[chat_id]

    def _window_for(self, chat_id: int) -> Window:
        # Private chats have positive ids (the user's), groups and supergroups negative ones.
        if chat_id > 0:
            return Window(self._limits.per_private_second, 1.0 + MARGIN)
        return Window(self._limits.per_group_minute, 60.0 + MARGIN)


class Turns:
    """Requests wait for the overall window one at a time, personal ones (lower priority number) before bulk ones,
    each kind first come first served: an answer does not queue behind a broadcast's requests."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, priority: int) -> AsyncIterator[None]:
        if self._held or self._waiting:
            handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), handed))
            try:
                await handed
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():
                    self._pass_on()  # the turn came as the waiter was cancelled: give it to the next one
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            _priority, _order, waiter = heapq.heappop(self._waiting)
            if not waiter.done():
                waiter.set_result(None)  # the turn passes straight to it: still held
                return
        self._held = False
