"""The bot's pace: turns spaced within Telegram's 30 a second, each chat's window, a pause after a 429 — in one
process, and shared in Redis by several instances so that together they keep the same pace."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable

import pytest

from bot.delivery.pace import Limits, Pace, Pacing, SharedPace
from tests.support.rates import most_in_a_second

LIMITS = Limits(per_second=28, per_group_minute=20, per_private_second=1)
GROUP, PERSON = -100, 7


async def reserved_moments(pace: Pacing, chats: list[int], clock: Callable[[], float] = time.monotonic) -> list[float]:
    """When each reserved turn comes, on this process's clock."""
    moments = []
    for chat_id in chats:
        turn = await pace.reserve(chat_id)
        assert turn.taken
        moments.append(clock() + turn.wait)
    return moments


def still() -> float:
    """A clock that stands still: every wait is then exactly what the pace reserved ahead."""
    return 1000.0


async def test_turns_follow_each_other_by_the_gap_so_no_second_holds_more_than_the_limit() -> None:
    pace = Pace(LIMITS, still)
    moments = await reserved_moments(pace, [-n for n in range(1, 90)], still)
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    assert min(gaps) >= LIMITS.gap - 1e-9, min(gaps)
    assert most_in_a_second(moments) <= 27


async def test_a_full_group_window_makes_the_sender_wait_but_a_direct_reply_is_only_counted() -> None:
    pace = Pace(LIMITS, still)
    for _ in range(20):
        assert (await pace.reserve(GROUP)).taken
    full = await pace.reserve(GROUP)
    assert not full.taken and 59 < full.wait <= 60.05 + 1, full
    assert pace.chat_wait(GROUP) > 59
    reply = await pace.reserve(GROUP, within_chat=False)
    assert reply.taken, "a reply to a person's own act is not held for the window, only counted"


async def test_a_429_pauses_every_turn() -> None:
    pace = Pace(LIMITS, still)
    await pace.pause(0.8)
    turn = await pace.reserve(PERSON)
    assert turn.taken and turn.wait == pytest.approx(0.8)


async def test_two_instances_sharing_redis_keep_one_pace_and_one_window_per_chat(redis_url: str) -> None:
    first = SharedPace.from_url(LIMITS, redis_url, prefix="test:pace")
    second = SharedPace.from_url(LIMITS, redis_url, prefix="test:pace")
    try:
        # Both instances ask at once, as the sender of one and the direct replies of the other would.
        both = await asyncio.gather(
            reserved_moments(first, [-n for n in range(1, 45)]),
            reserved_moments(second, [n for n in range(1, 45)]),
        )
        moments = sorted(both[0] + both[1])
        gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
        # Measured here, a few milliseconds after Redis reserved them (its clock is the one that counts).
        assert min(gaps) >= LIMITS.gap - 0.015, min(gaps)
        assert most_in_a_second(moments) <= 28

        for _ in range(20):
            assert (await first.reserve(GROUP)).taken
        held = await second.reserve(GROUP)
        assert not held.taken and held.wait > 59, "the group's window is the same for the other instance"
        await first.pause(0.5)
        assert (await second.reserve(PERSON)).wait > 0.4, "a 429 seen by one instance pauses the other"
    finally:
        await first.close()
        await second.close()


async def test_without_redis_an_instance_keeps_its_own_pace_and_sends_on() -> None:
    pace = SharedPace.from_url(LIMITS, "redis://127.0.0.1:1/0", prefix="test:pace")
    try:
        waits = [(await pace.reserve(chat_id)).wait for chat_id in (-1, -2, -3)]
        assert waits[2] > waits[1] > waits[0] >= 0, waits
    finally:
        await pace.close()
