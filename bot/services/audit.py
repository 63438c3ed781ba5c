"""The audit trail: every change of the registry leaves a row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import AuditEvent


async def record(
    session: AsyncSession,
    clock: Clock,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            details=details,
        )
    )
    await session.flush()


async def forget_actor(session: AsyncSession, actor_id: int) -> None:
    await session.execute(update(AuditEvent).where(AuditEvent.actor_id == actor_id).values(actor_id=None))
