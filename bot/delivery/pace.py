"""Telegram's flood limits, kept on our side: in all, per group, per private chat — for the bot as a whole.

Every message the bot sends takes a turn first: the outbox's sender for each of its requests, a direct reply for
its own. Turns overall follow each other by a fixed gap (Telegram's 30 a second is a count within any second, and
evenly spaced turns keep the count under it wherever the second falls); each chat also has a sliding window (a
group's 20 a minute, a private chat's one a second), which the sender waits for and a direct reply, answering the
person's own act, only counts in. A 429 pauses every turn.

Turns are reserved, not polled: `reserve` returns how long until the turn it took, so waiters are served in the
order they asked and nobody spins. One process keeps them in memory (`Pace`); several instances share them in
Redis (`SharedPace`), with Redis's clock as the one clock, so that however many instances send, the bot as a whole
keeps the pace. Each gap and window is a little longer than Telegram's: requests sent on their turn may arrive a few
milliseconds apart from it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import heapq
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from redis.exceptions import RedisError

from bot.config import Settings

log = logging.getLogger(__name__)

MARGIN = 0.05  # seconds added to every window and spread over the overall gap
FORGET_AT = 4096  # chats remembered before the idle ones are forgotten


@dataclass
class Limits:
    per_second: int  # in all
    per_group_minute: int
    per_private_second: int

    @property
    def gap(self) -> float:
        return (1.0 + MARGIN) / self.per_second

    def window_of(self, chat_id: int) -> tuple[int, float]:
        """How many messages the chat takes within how many seconds."""
        # Private chats have positive ids (the user's), groups and supergroups negative ones.
        if chat_id > 0:
            return self.per_private_second, 1.0 + MARGIN
        return self.per_group_minute, 60.0 + MARGIN


class Turn(NamedTuple):
    wait: float  # seconds until the turn (taken) or until the chat has room (not taken)
    taken: bool


class Pacing(Protocol):
    """What the sender and direct replies ask of a pace, in one process or shared."""

    def chat_wait(self, chat_id: int) -> float:
        """This process's view of the chat's window: a hint for which rows to pick, not a promise."""

    async def reserve(self, chat_id: int, *, within_chat: bool = True) -> Turn:
        """Take the next overall turn for a message to the chat and count it in the chat's window.

        within_chat: when the chat's window is full, take nothing and say how long until it has room."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: no turn begins for that long."""

    async def close(self) -> None: ...


@dataclass
class Window:
    limit: int
    seconds: float
    times: list[float] = field(default_factory=list)  # in order; a reserved turn may lie ahead of now

    def wait(self, now: float) -> float:
        """Seconds until one more fits; 0 when it fits now."""
        gone = bisect.bisect_right(self.times, now - self.seconds)
        del self.times[:gone]
        if len(self.times) < self.limit:
            return 0.0
        return self.times[-self.limit] + self.seconds - now

    def add(self, moment: float) -> None:
        bisect.insort(self.times, moment)


class Pace:
    """The pace of one process, in memory."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._monotonic = monotonic
        self._next = 0.0  # when the next overall turn may begin
        self._chats: dict[int, Window] = {}

    def chat_wait(self, chat_id: int) -> float:
        window = self._chats.get(chat_id)
        return window.wait(self._monotonic()) if window is not None else 0.0

    async def reserve(self, chat_id: int, *, within_chat: bool = True) -> Turn:
        now = self._monotonic()
        window = self._window(chat_id, now)
        if within_chat and (wait := window.wait(now)) > 0:
            return Turn(wait, taken=False)
        at = max(self._next, now)
        self._next = at + self._limits.gap
        window.add(at)
        return Turn(at - now, taken=True)

    async def pause(self, seconds: float) -> None:
        self._next = max(self._next, self._monotonic() + seconds)

    async def close(self) -> None:
        return None

    def _window(self, chat_id: int, now: float) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) >= FORGET_AT:
                self._forget_idle(now)
            window = self._chats[chat_id] = Window(*self._limits.window_of(chat_id))
        return window

    def _forget_idle(self, now: float) -> None:
        """Drop the windows of chats with nothing left in them, so a broadcast to every chat does not stay in memory."""
        for chat_id, window in list(self._chats.items()):
            window.wait(now)
            if not window.times:
                del self._chats[chat_id]


# One step in Redis, atomic: the chat's window (KEYS[2]) and the overall next turn (KEYS[1]), on Redis's clock.
# ARGV: gap, window, limit (ms and count), within_chat (1/0), a unique member for the window.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if ARGV[4] == '1' and redis.call('ZCARD', KEYS[2]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[2], -limit, -limit, 'WITHSCORES')
    return {0, tonumber(oldest[2]) + window - now}
end
local at = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], at + gap, 'PX', at + gap - now + 60000)
redis.call('ZADD', KEYS[2], at, ARGV[5])
redis.call('PEXPIRE', KEYS[2], at - now + window)
return {1, at - now}
"""
_PAUSE = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local at = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), until_)
redis.call('SET', KEYS[1], at, 'PX', at - until_ + tonumber(ARGV[1]) + 60000)
return at
"""


class SharedPace:
    """The pace of every instance of the bot, in Redis. Should Redis fail, this process keeps its own pace
    meanwhile (logged), rather than hold every message back."""

    def __init__(self, limits: Limits, redis: Any, *, prefix: str) -> None:
        self._limits = limits
        self._redis = redis
        self._prefix = prefix
        self._turns_key = f"{prefix}:turns"
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        self._own = Pace(limits)  # this process's view (the hint for picking rows), and the fallback
        self._member = itertools.count()
        self._tag = uuid.uuid4().hex[:8]
        self._failing = False

    @classmethod
    def from_url(cls, limits: Limits, url: str, *, prefix: str) -> SharedPace:
        from redis.asyncio import Redis

        return cls(limits, Redis.from_url(url), prefix=prefix)

    def chat_wait(self, chat_id: int) -> float:
        return self._own.chat_wait(chat_id)

    async def reserve(self, chat_id: int, *, within_chat: bool = True) -> Turn:
        limit, seconds = self._limits.window_of(chat_id)
        member = f"{self._tag}:{next(self._member)}"
        args = [round(self._limits.gap * 1000), round(seconds * 1000), limit, int(within_chat), member]
        try:
            taken, wait_ms = await self._reserve(keys=[self._turns_key, f"{self._prefix}:chat:{chat_id}"], args=args)
        except (RedisError, OSError) as exc:  # this process paces itself until Redis answers
            self._failed(exc)
            return await self._own.reserve(chat_id, within_chat=within_chat)
        self._recovered()
        turn = Turn(max(0, int(wait_ms)) / 1000, taken=bool(taken))
        if turn.taken:
            await self._own.reserve(chat_id, within_chat=False)
        return turn

    async def pause(self, seconds: float) -> None:
        await self._own.pause(seconds)
        try:
            await self._pause(keys=[self._turns_key], args=[round(seconds * 1000)])
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def close(self) -> None:
        await self._redis.aclose()

    def _failed(self, exc: Exception) -> None:
        if not self._failing:
            log.warning("the shared pace in Redis failed (%s); this instance paces itself until it answers", exc)
        self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.warning("the shared pace in Redis answers again")
        self._failing = False


def pace_for(settings: Settings) -> Pacing:
    """In Redis when several instances may run (they keep one pace), else in this process."""
    limits = Limits(settings.outbox_rate, settings.outbox_group_rate, settings.outbox_private_rate)
    if settings.redis_url and not settings.alone:
        bot_id = settings.bot_token.get_secret_value().split(":", 1)[0]
        return SharedPace.from_url(limits, settings.redis_url, prefix=f"inspector-bot:{bot_id}:pace")
    return Pace(limits)


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
