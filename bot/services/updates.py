"""Handle each Telegram update once: Telegram redelivers after timeouts, and a redelivery must change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import ProcessedUpdate

# Telegram keeps an unconfirmed update for 24 hours: a record older than that can meet no redelivery.
KEEP = timedelta(days=2)


async def first_time(session: AsyncSession, clock: Clock, update_id: int) -> bool:
    """Record the update in the current transaction; False when it was handled (and committed) before."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = cast(
        CursorResult[Any],
        await session.execute(
            insert(ProcessedUpdate).values(update_id=update_id, at=clock.now()).on_conflict_do_nothing()
        ),
    )
    return bool(result.rowcount)


async def purge(session: AsyncSession, now: datetime) -> int:
    """Forget updates handled more than KEEP ago (the scheduler does it hourly); returns how many."""
    result = cast(
        CursorResult[Any], await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP))
    )
    return result.rowcount
