"""Handle each Telegram update once: Telegram redelivers after timeouts, and a redelivery must change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import ProcessedUpdate
from models.queries import INSERTS, changed_rows

# Telegram keeps an unconfirmed update for 24 hours: a record older than that can meet no redelivery.
KEEP = timedelta(days=2)


# Built once per dialect, on the table (not the mapped class): it runs first in every update, and building a
# statement (and its cache key) anew cost more than running it.
_RECORD = {
    dialect: insert(ProcessedUpdate.__table__)
    .values(update_id=bindparam("update_id"), at=bindparam("at"))
    .on_conflict_do_nothing()
    for dialect, insert in INSERTS.items()
}


async def first_time(session: AsyncSession, clock: Clock, update_id: int) -> bool:
    """Record the update in the current transaction; False when it was handled (and committed) before."""
    record = _RECORD[session.get_bind().dialect.name]
    return bool(await changed_rows(session, record, {"update_id": update_id, "at": clock.now()}))


async def purge(session: AsyncSession, now: datetime) -> int:
    """Forget updates handled more than KEEP ago (the scheduler does it hourly); returns how many."""
    return await changed_rows(session, delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP))
