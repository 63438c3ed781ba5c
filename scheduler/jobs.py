"""APScheduler only ticks: one interval job, started inside the running loop, stopped with the bot.

The truth is in the database (reminders claimed atomically), so every instance may tick, and a restart loses
nothing: the first tick runs at start. Misfires are never dropped (APScheduler's default grace of 1 s would):
a late tick simply runs, and the engine decides what is still worth sending.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.engine import Engine

log = logging.getLogger(__name__)


async def tick(engine: Engine) -> None:
    try:
        report = await engine.tick()
    except Exception:
        log.exception("the scheduler's tick failed; the next one tries again")
        return
    if report.sent or report.missed or report.skipped:
        log.info(
            "tick: %s sent, %s skipped, %s missed, %s deferred",
            report.sent,
            report.skipped,
            report.missed,
            report.deferred,
        )


async def purge(engine: Engine) -> None:
    try:
        purged = await engine.purge()
    except Exception:
        log.exception("the retention job failed; the next one tries again")
        return
    log.info(
        "retention: %s messages, %s files, %s update ids, %s message pairs purged",
        purged.deliveries,
        purged.files,
        purged.updates,
        purged.links,
    )


def start(engine: Engine, every_seconds: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=every_seconds,
        args=[engine],
        id="tick",
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    # Old delivery data goes once a day (and an hour after start); every instance may run it, it only deletes.
    scheduler.add_job(
        purge,
        "interval",
        hours=24,
        args=[engine],
        id="purge",
        next_run_time=datetime.now(UTC) + timedelta(hours=1),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler


async def stop(scheduler: AsyncIOScheduler, engine: Engine) -> None:
    """No new tick, the one under way ends, then APScheduler stops (it would cancel a tick it still ran)."""
    scheduler.pause()
    await asyncio.sleep(0)  # a tick APScheduler started just now takes the engine's lock first
    while engine.running.locked():
        await asyncio.sleep(0.05)
    scheduler.shutdown(wait=False)
