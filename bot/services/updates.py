"""Handle each Telegram update once: Telegram redelivers after timeouts, and a redelivery must change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import ProcessedUpdate
from models.queries import changed_rows, upsert_insert

# Telegram keeps an unconfirmed update for 24 hours: a record older than that can meet no redelivery.
KEEP = timedelta(days=2)


async def first_time(session: AsyncSession, clock: Clock, update_id: int) -> bool:
    """Record the update in the current transaction; False when it was handled (and committed) before."""
    insert = upsert_insert(session)
    # On the table, not the mapped class: a plain INSERT, without the ORM's bulk-insert machinery, on every update.
    statement = insert(ProcessedUpdate.__table__).values(update_id=update_id, at=clock.now()).on_conflict_do_nothing()
    return bool(await changed_rows(session, statement))


async def purge(session: AsyncSession, now: datetime) -> int:
    """Forget updates handled more than KEEP ago (the scheduler does it hourly); returns how many."""
    return await changed_rows(session, delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP))
