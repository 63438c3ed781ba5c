"""One update at a time per person and chat within the process, and no lock kept for those who are done."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey

from bot.isolation import LocalIsolation


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=user_id, user_id=user_id)


async def test_one_persons_updates_run_in_turn_two_peoples_at_once_and_no_lock_is_kept_after() -> None:
    isolation = LocalIsolation()
    running: dict[int, int] = {}
    most: dict[int, int] = {}

    async def update(user_id: int) -> None:
        async with isolation.lock(key(user_id)):
            running[user_id] = running.get(user_id, 0) + 1
            most[user_id] = max(most.get(user_id, 0), running[user_id])
            most[0] = max(most.get(0, 0), sum(running.values()))
            await asyncio.sleep(0.01)
            running[user_id] -= 1

    await asyncio.gather(*(update(user_id) for user_id in (7, 7, 7, 8, 8)))
    assert most[7] == 1 and most[8] == 1, "one person's updates one at a time"
    assert most[0] == 2, "two people's at the same time"
    assert isolation.held == 0


async def test_a_failed_update_lets_the_next_one_through() -> None:
    isolation = LocalIsolation()

    async def failing() -> None:
        async with isolation.lock(key(7)):
            raise RuntimeError("handler failed")

    results = await asyncio.gather(failing(), failing(), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
    async with asyncio.timeout(1), isolation.lock(key(7)):
        assert isolation.held == 1
    assert isolation.held == 0


async def test_an_update_still_in_hand_when_the_bot_stops_finishes_and_lets_go() -> None:
    isolation = LocalIsolation()
    inside = asyncio.Event()
    finish = asyncio.Event()

    async def update() -> None:
        async with isolation.lock(key(7)):
            inside.set()
            await finish.wait()

    task = asyncio.create_task(update())
    await inside.wait()
    await isolation.close()
    finish.set()
    await task
    assert isolation.held == 0
