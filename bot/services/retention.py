"""Old delivery data goes: what the outbox sent, the files it sent, processed update ids (after two days: Telegram
redelivers for one) and message pairs.

Appeals and the audit trail are kept (they are the record of the work); what only served to deliver or route a
message is purged once it is older than the retention period (RETENTION_DAYS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import updates
from models import (
    TERMINAL_STATUSES,
    Broadcast,
    Delivery,
    DeliveryStatus,
    MessageLink,
    OutboxFile,
    Report,
)
from models.queries import changed_rows


@dataclass(frozen=True)
class Purged:
    deliveries: int
    files: int
    updates: int
    links: int


async def purge(session: AsyncSession, now: datetime, *, days: int) -> Purged:
    cutoff = now - timedelta(days=days)
    done = [status.value for status in TERMINAL_STATUSES]
    deliveries = await changed_rows(
        session, delete(Delivery).where(Delivery.status.in_(done), Delivery.created_at < cutoff)
    )
    # A batch whose messages are all gone has nothing left to report on.
    await session.execute(
        delete(Broadcast).where(Broadcast.created_at < cutoff, ~exists().where(Delivery.broadcast_id == Broadcast.id))
    )
    files = await _purge_files(session, cutoff)
    handled = await updates.purge(session, now)  # kept only while Telegram could deliver them again
    links = await changed_rows(session, delete(MessageLink).where(MessageLink.at < cutoff))
    return Purged(deliveries, files, handled, links)


async def _purge_files(session: AsyncSession, cutoff: datetime) -> int:
    """Files older than the cutoff that no remaining message and no published report's drawing names."""
    old = set(await session.scalars(select(OutboxFile.digest).where(OutboxFile.created_at < cutoff)))
    if not old:
        return 0
    kept = select(Delivery.parts).where(
        or_(Delivery.created_at >= cutoff, Delivery.status == DeliveryStatus.PENDING.value)
    )
    async for parts in await session.stream_scalars(kept.execution_options(yield_per=1000)):
        old -= {part["file"] for part in parts or [] if "file" in part}
    for renders in await session.scalars(select(Report.renders).where(Report.renders.is_not(None))):
        old -= {digest for drawn in (renders or {}).values() for digest in drawn.values()}
    if not old:
        return 0
    return await changed_rows(session, delete(OutboxFile).where(OutboxFile.digest.in_(old)))
