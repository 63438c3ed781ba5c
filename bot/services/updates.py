"""Handle each Telegram update once: Telegram redelivers after timeouts, and a redelivery must change nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import ProcessedUpdate
from models.queries import changed_rows, upsert_insert

KEEP = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours
PRUNE_EVERY = 1000


async def first_time(session: AsyncSession, clock: Clock, update_id: int) -> bool:
    """Record the update in the current transaction; False when it was handled (and committed) before."""
    insert = upsert_insert(session)
    recorded = await changed_rows(
        session, insert(ProcessedUpdate).values(update_id=update_id, at=clock.now()).on_conflict_do_nothing()
    )
    if update_id % PRUNE_EVERY == 0:
        await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < clock.now() - KEEP))
    return bool(recorded)
