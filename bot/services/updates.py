"""Handle each Telegram update once: Telegram redelivers after timeouts, and a redelivery must change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours
PRUNE_EVERY = 1000


async def first_time(session: AsyncSession, clock: Clock, update_id: int) -> bool:
    """Record the update in the current transaction; False when it was handled (and committed) before."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = cast(
        CursorResult[Any],
        await session.execute(
            insert(ProcessedUpdate).values(update_id=update_id, at=clock.now()).on_conflict_do_nothing()
        ),
    )
    if update_id % PRUNE_EVERY == 0:
        await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < clock.now() - KEEP))
    return bool(result.rowcount)
